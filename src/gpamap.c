/* gpamap.c (STUB) */
#include "config.h"
typedef int iv_gpamap_stub;
