/* qmp.c (STUB) */
#include "config.h"
typedef int iv_qmp_stub;
