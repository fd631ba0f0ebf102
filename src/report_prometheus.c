/* report_prometheus.c (STUB) */
#include "config.h"
typedef int iv_report_prometheus_stub;
