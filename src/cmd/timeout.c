/* SPDX-License-Identifier: GPL-2.0-or-later */
/* timeout.c - -t/--timeout SECONDS: the whole run's time limit (the Nagios
 * plugin guidelines' -t). The layers that wait (the QMP session) stop at the
 * run's deadline (iv_g->deadline) with an error naming the step, and the run
 * ends with its report; whatever still runs half a second later (a read that
 * blocks: a FIFO, a hung file system) is ended here by SIGALRM: "IOMMU UNKNOWN
 * - timed out after N s" under --nagios, an error otherwise, the Prometheus
 * textfile (when one was asked for) saying unknown, exit 3. The handler makes
 * only async-signal-safe calls (write, open, rename, _exit). */
#include "config.h"
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include "iv.h"
#include "commands.h"
#include "report.h"

static char out_msg[512], err_msg[512];
static size_t out_len, err_len;

static void on_alarm(int sig)
{
	(void)sig;
	iv_report_prometheus_timed_out();
	if (out_len && write(STDOUT_FILENO, out_msg, out_len) < 0)
		out_len = 0;
	if (write(STDERR_FILENO, err_msg, err_len) < 0)
		err_len = 0;
	_exit(IV_UNKNOWN);
}

void iv_timeout_arm(double secs, bool nagios, bool json)
{
	static const char why[] = "(-t/--timeout): the run did not finish";
	int n = snprintf(err_msg, sizeof err_msg, "iommu-verify: timed out after %g s %s\n", secs, why);
	err_len = n > 0 && (size_t)n < sizeof err_msg ? (size_t)n : 0;
	if (nagios)
		n = snprintf(out_msg, sizeof out_msg, "IOMMU UNKNOWN - timed out after %g s %s\n", secs, why);
	else if (json)
		n = snprintf(out_msg, sizeof out_msg,
			     "{\"status\":\"unknown\",\"exit_code\":3,\"errors\":[\"timed out after %g s %s\"]}\n",
			     secs, why);
	else
		n = 0;
	out_len = n > 0 && (size_t)n < sizeof out_msg ? (size_t)n : 0;
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
