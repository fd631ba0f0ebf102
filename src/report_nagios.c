/* report_nagios.c (STUB) */
#include "config.h"
typedef int iv_report_nagios_stub;
