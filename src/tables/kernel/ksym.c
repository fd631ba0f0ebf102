/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ksym.c - symbol addresses from /proc/kallsyms ("ADDR TYPE NAME[\t[MODULE]]").
 * Addresses are only shown to root (CAP_SYSLOG) and kernel.kptr_restrict < 2;
 * otherwise every address reads as zero, which is reported as such. */
#include "config.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "ksym.h"

static void hidden_reason(struct iv_run *run, const char *path, char *why, size_t whylen)
{
	char p[4096], v[32] = "?";
	if (iv_read_small(iv_path(run, p, sizeof p, "/proc/sys/kernel/kptr_restrict"), v, sizeof v) < 0)
		snprintf(v, sizeof v, "?");
	snprintf(why, whylen, "%s: kernel addresses are hidden (all zeros; kernel.kptr_restrict=%s%s): "
		 "run as root with kptr_restrict 0 or 1", path, v,
		 geteuid() != 0 && !run->opt.root[0] ? ", not running as root" : "");
}

int iv_ksym_lookup(struct iv_run *run, const char *path, struct iv_ksym_req *req, size_t n, char *why, size_t whylen)
{
	for (size_t i = 0; i < n; i++) {
		req[i].found = false;
		req[i].addr = 0;
	}
	if (access(path, R_OK) != 0) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return 1;
	}
	struct iv_lines l;
	if (iv_lines_open(run, &l, path))
		return -1;
	char *line;
	size_t len;
	int r;
	uint64_t lines = 0;
	bool nonzero = false;
	while ((r = iv_lines_next(&l, &line, &len)) == 1) {
		char *sp = strchr(line, ' ');
		if (!sp || sp - line > 16 || sp[1] == 0 || sp[2] != ' ')
			continue;
		lines++;
		*sp = 0;
		uint64_t a;
		if (iv_parse_hex(line, &a)) {
			iv_error(run, "%s:%llu: bad address '%s'", path, (unsigned long long)l.lineno, line);
			r = -1;
			break;
		}
		nonzero |= a != 0;
		const char *name = sp + 3;
		if (strchr(name, '\t'))      /* "name\t[module]": not the core kernel */
			continue;
		for (size_t i = 0; i < n; i++)
			if (!req[i].found && !strcmp(name, req[i].name)) {
				req[i].found = true;
				req[i].addr = a;
			}
	}
	iv_lines_close(&l);
	if (r < 0)
		return -1;
	if (lines == 0) {
		snprintf(why, whylen, "%s: no symbols (empty file)", path);
		return 1;
	}
	if (!nonzero) {
		hidden_reason(run, path, why, whylen);
		return 1;
	}
	return 0;
}
