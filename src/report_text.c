/* report_text.c (STUB) */
#include "config.h"
typedef int iv_report_text_stub;
