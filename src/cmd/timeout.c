/* SPDX-License-Identifier: GPL-2.0-or-later */
/* timeout.c - -t/--timeout SECONDS: the whole run's time limit (the Nagios
 * plugin guidelines' -t). The layers that wait (the QMP session) stop at the
 * run's deadline (run->opt.deadline) with an error naming the step, and the run
 * ends with its report; whatever still runs half a second later (a read that
 * blocks: a FIFO, a hung file system) is ended here by SIGALRM: "IOMMU UNKNOWN
 * - timed out after N s" under --nagios, an error otherwise, the Prometheus
 * textfile (when one was asked for) saying unknown, exit 3. A critical finding
 * the check had confirmed before (iv_timeout_watch) is not hidden: then
 * "IOMMU CRITICAL - pid N BDF: KIND at iova X; then timed out ...", exit 2.
 * The handler makes only async-signal-safe calls (write, open, rename, _exit). */
#include "config.h"
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include "iv.h"
#include "commands.h"
#include "report.h"
#include "verify.h"

static char out_msg[512], err_msg[512], crit_out[512], crit_end[512];
static size_t out_len, err_len, crit_len, crit_end_len;
static const struct iv_check *watched;

static void put(const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(STDOUT_FILENO, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void on_alarm(int sig)
{
	(void)sig;
	bool crit = watched && watched->critical_seen;
	iv_report_prometheus_timed_out(crit ? IV_CRITICAL : IV_UNKNOWN);
	if (crit && crit_len) {
		put(crit_out, crit_len);
		put(watched->critical_note, strnlen(watched->critical_note, sizeof watched->critical_note));
		put(crit_end, crit_end_len);
	} else if (out_len)
		put(out_msg, out_len);
	if (write(STDERR_FILENO, err_msg, err_len) < 0)
		err_len = 0;
	if (crit) {
		static const char c1[] = "iommu-verify: a critical finding before the timeout: ";
		size_t n = strnlen(watched->critical_note, sizeof watched->critical_note);
		if (write(STDERR_FILENO, c1, sizeof c1 - 1) < 0 || write(STDERR_FILENO, watched->critical_note, n) < 0 ||
		    write(STDERR_FILENO, "\n", 1) < 0)
			crit = true;
	}
	_exit(crit ? IV_CRITICAL : IV_UNKNOWN);
}

void iv_timeout_watch(const struct iv_check *c)
{
	watched = c;
}

void iv_timeout_arm(double secs, bool nagios, bool json, const char *cmd)
{
	static const char why[] = "(-t/--timeout): the run did not finish";
	int n = snprintf(err_msg, sizeof err_msg, "iommu-verify: timed out after %g s %s\n", secs, why);
	err_len = n > 0 && (size_t)n < sizeof err_msg ? (size_t)n : 0;
	if (nagios)
		n = snprintf(out_msg, sizeof out_msg, "IOMMU UNKNOWN - timed out after %g s %s\n", secs, why);
	else if (json)   /* schema 2's error document: schema_version, command, errors */
		n = snprintf(out_msg, sizeof out_msg,
			     "{\"schema_version\":%d,\"command\":\"%s\",\"errors\":[\"timed out after %g s %s\"]}\n",
			     IV_JSON_SCHEMA_VERSION, cmd, secs, why);
	else
		n = 0;
	out_len = n > 0 && (size_t)n < sizeof out_msg ? (size_t)n : 0;
	/* a confirmed critical finding, then the timeout: the note between the two parts */
	if (nagios)
		n = snprintf(crit_out, sizeof crit_out, "IOMMU CRITICAL - ");
	else if (json)
		n = snprintf(crit_out, sizeof crit_out,
			     "{\"schema_version\":%d,\"command\":\"%s\",\"errors\":[\"a critical finding before the timeout: ",
			     IV_JSON_SCHEMA_VERSION, cmd);
	else
		n = 0;
	crit_len = n > 0 && (size_t)n < sizeof crit_out ? (size_t)n : 0;
	if (nagios)
		n = snprintf(crit_end, sizeof crit_end, "; then timed out after %g s %s\n", secs, why);
	else if (json)
		n = snprintf(crit_end, sizeof crit_end, "\",\"timed out after %g s %s\"]}\n", secs, why);
	crit_end_len = (nagios || json) && n > 0 && (size_t)n < sizeof crit_end ? (size_t)n : 0;
	if (!crit_end_len)
		crit_len = 0;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	double t = secs + IV_TIMEOUT_GRACE;
	struct itimerval it = { .it_value = { .tv_sec = (time_t)t,
					      .tv_usec = (suseconds_t)((t - (double)(time_t)t) * 1e6) } };
	setitimer(ITIMER_REAL, &it, NULL);
}

void iv_timeout_disarm(void)
{
	struct itimerval it;
	memset(&it, 0, sizeof it);
	setitimer(ITIMER_REAL, &it, NULL);
}
