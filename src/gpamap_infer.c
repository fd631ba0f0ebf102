/* gpamap_infer.c (STUB) */
#include "config.h"
typedef int iv_gpamap_infer_stub;
