/* walk_vtd.c (STUB) */
#include "config.h"
typedef int iv_walk_vtd_stub;
