/* report_json.c (STUB) */
#include "config.h"
typedef int iv_report_json_stub;
