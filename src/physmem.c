/* physmem.c (STUB) */
#include "config.h"
typedef int iv_physmem_stub;
