/* report.c (STUB) */
#include "config.h"
typedef int iv_report_stub;
