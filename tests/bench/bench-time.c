/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench-time.c - run a command and record its wall time, CPU times and peak
 * RSS (wait4 rusage of that child alone), so the benchmark does not depend on
 * /usr/bin/time. stdin/stdout/stderr are the caller's.
 *
 * Usage: bench-time RESULT-FILE COMMAND [ARGS...]
 * RESULT-FILE gets one line: "wall=S user=S sys=S maxrss_kib=K status=N"
 * (status: the exit code, or 128+signal). Exits with the command's status. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fputs("usage: bench-time RESULT-FILE COMMAND [ARGS...]\n", stderr);
		return 125;
	}
	FILE *res = fopen(argv[1], "w");
	if (!res) {
		fprintf(stderr, "bench-time: %s: %s\n", argv[1], strerror(errno));
		return 125;
	}
	double t0 = now();
	pid_t pid = fork();
	if (pid < 0) {
		perror("bench-time: fork");
		return 125;
	}
	if (pid == 0) {
		fclose(res);
		execvp(argv[2], argv + 2);
		fprintf(stderr, "bench-time: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	int st;
	struct rusage ru;
	while (wait4(pid, &st, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("bench-time: wait4");
			return 125;
		}
	}
	double wall = now() - t0;
	int status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	fprintf(res, "wall=%.4f user=%.4f sys=%.4f maxrss_kib=%ld status=%d\n", wall,
		(double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
		(double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6, ru.ru_maxrss, status);
	if (fclose(res)) {
		fprintf(stderr, "bench-time: %s: %s\n", argv[1], strerror(errno));
		return 125;
	}
	return status;
}
