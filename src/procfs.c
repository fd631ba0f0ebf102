/* procfs.c (STUB) */
#include "config.h"
typedef int iv_procfs_stub;
