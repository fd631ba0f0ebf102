/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report.h - outputs of `check`: text and JSON share the print layer
 * (src/report_print.c); Nagios (src/report_nagios.c) and Prometheus textfile
 * (src/report_prometheus.c) are one file each. */
#ifndef IV_REPORT_H
#define IV_REPORT_H
#include "verify.h"

/* The JSON schema version every document carries ("schema_version"). Bumped on
 * any incompatible change (a member renamed, removed or retyped, a meaning
 * changed); members added keep the version (consumers ignore unknown members).
 * The schema: schema/iommu-verify.schema.json, installed in
 * $(datadir)/iommu-verify/. */
#define IV_JSON_SCHEMA_VERSION 2

/* Begin any command's output (instead of print_begin): with -j the document
 * opens with "schema_version" and "command" (the command's name; NULL: null,
 * no or no known command). */
void iv_report_begin(const char *command);

/* End any command's output (instead of print_end): with -j the run's errors
 * become the document's "errors" array, then the document is closed and
 * standard output flushed. 0, or -1 if standard output had a write error. */
int iv_report_end(struct iv_run *run);

int iv_report_print(struct iv_run *run, const struct iv_check *c);             /* text or JSON (per -j); -1 write error */
int iv_report_nagios(struct iv_run *run, const struct iv_check *c, FILE *f);    /* one line + perfdata; -1 write error */
/* Written atomically: temp file in the same directory, then rename. 0 or -1. */
int iv_report_prometheus(struct iv_run *run, const struct iv_check *c, const char *path);
/* -t: prepare the textfile the timeout handler writes (iommu_verify_up 0,
 * status 3); iv_report_prometheus_timed_out writes it (async-signal-safe;
 * nothing when none was prepared). */
void iv_report_prometheus_on_timeout(const char *path, double secs);
void iv_report_prometheus_timed_out(enum iv_status st);

#endif
