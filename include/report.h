/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report.h - outputs of `check`: text and JSON share the print layer
 * (src/report_print.c); Nagios (src/report_nagios.c) and Prometheus textfile
 * (src/report_prometheus.c) are one file each. */
#ifndef IV_REPORT_H
#define IV_REPORT_H
#include "verify.h"

/* End any command's output (instead of print_end): with -j the run's errors
 * become the document's "errors" array, then the document is closed and
 * standard output flushed. 0, or -1 if standard output had a write error. */
int iv_report_end(struct iv_run *run);

int iv_report_print(struct iv_run *run, const struct iv_check *c);             /* text or JSON (per -j); -1 write error */
int iv_report_nagios(struct iv_run *run, const struct iv_check *c, FILE *f);    /* one line + perfdata; -1 write error */
/* Written atomically: temp file in the same directory, then rename. 0 or -1. */
int iv_report_prometheus(struct iv_run *run, const struct iv_check *c, const char *path);

#endif
