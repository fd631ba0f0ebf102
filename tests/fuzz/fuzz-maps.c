/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-maps.c - /proc/PID/maps through iv_maps_each. Input: the file. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "iv.h"
#include "host.h"
#include "fuzz-common.h"

static struct iv_run *const run = &fuzz_ctx;

static int each(struct iv_run *r, void *arg, const struct iv_map *m)
{
	(void)r;
	unsigned long *n = arg;
	if (m->end <= m->start || strnlen(m->path, sizeof m->path) == sizeof m->path ||
	    strnlen(m->perms, sizeof m->perms) == sizeof m->perms)
		abort();
	return ++*n > 100000;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	fuzz_reset();
	fuzz_write("/proc/4242/maps", data, size);
	unsigned long n = 0;
	fuzz_expect_error(iv_maps_each(run, 4242, each, &n), "iv_maps_each");
	fuzz_reset();
	return 0;
}
