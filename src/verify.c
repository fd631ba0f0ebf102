/* verify.c (STUB) */
#include "config.h"
typedef int iv_verify_stub;
