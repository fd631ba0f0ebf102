/* walk_amd.c (STUB) */
#include "config.h"
typedef int iv_walk_amd_stub;
