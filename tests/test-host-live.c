/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-host-live.c - the live zero-page check: this process maps anonymous
 * memory, reads one page and writes another; pagemap + kpageflags must show the
 * shared zero page (KPF_ZERO_PAGE) under the first and a different, present PFN
 * under the second. Exit 77 (skip) when PFNs are hidden (not root). */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "host.h"

static struct iv_run ctx = { .opt = { .root = "", .timeout = 5.0 } };
static struct iv_run *const run = &ctx;   /* the run every call below passes */

static int skip(const char *why)
{
	printf("SKIP: %s\n", why);
	return 77;
}

int main(void)
{
	size_t len = 4 * IV_PAGE_SIZE;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 99;
	madvise(p, len, MADV_NOHUGEPAGE);
	char r = *(volatile char *)p;                       /* page 0: read  -> zero page */
	*(volatile char *)(p + 2 * IV_PAGE_SIZE) = 1;       /* page 2: write -> own page */
	(void)r;
	struct iv_pagemap *pm = iv_pagemap_open(run, getpid());
	if (!pm)
		return skip("cannot open /proc/PID/pagemap");
	uint64_t e0, e1, e2;
	if (iv_pagemap_get(pm, (uintptr_t)p, &e0) || iv_pagemap_get(pm, (uintptr_t)p + IV_PAGE_SIZE, &e1) ||
	    iv_pagemap_get(pm, (uintptr_t)p + 2 * IV_PAGE_SIZE, &e2))
		return 1;
	uint64_t present, zero;
	iv_pagemap_counts(pm, &present, &zero);
	iv_pagemap_close(pm);
	if (zero)
		return skip("pagemap PFNs read as 0 (not CAP_SYS_ADMIN)");
	int fails = 0;
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "FAIL %d: %s\n", __LINE__, #c); fails++; } } while (0)
	uint64_t z = e0 & IV_PM_PFN_MASK, w = e2 & IV_PM_PFN_MASK, zp = 0;
	printf("read page: entry %#llx, untouched: %#llx, written page: entry %#llx\n",
	       (unsigned long long)e0, (unsigned long long)e1, (unsigned long long)e2);
	CHECK(e0 & IV_PM_PRESENT);
	CHECK(!(e0 & IV_PM_EXCLUSIVE));
	CHECK(!(e1 & IV_PM_PRESENT));
	CHECK(e2 & IV_PM_PRESENT);
	CHECK(e2 & IV_PM_EXCLUSIVE);
	CHECK(z != 0 && w != 0 && z != w);
	CHECK(iv_zero_pfn_probe(run, &zp) == 0);
	CHECK(zp == z);
	struct iv_kpage *k = iv_kpage_open(run);
	if (!k)
		return skip("cannot open /proc/kpageflags");
	uint64_t fz, fw, cw;
	CHECK(iv_kpage_flags(k, z, &fz) == 0);
	CHECK(iv_kpage_flags(k, w, &fw) == 0);
	CHECK(iv_kpage_count(k, w, &cw) == 0);
	iv_kpage_close(k);
	printf("zero pfn %#llx kpageflags %#llx; written pfn %#llx kpageflags %#llx kpagecount %llu\n",
	       (unsigned long long)z, (unsigned long long)fz, (unsigned long long)w, (unsigned long long)fw,
	       (unsigned long long)cw);
	CHECK(fz >> IV_KPF_ZERO_PAGE & 1);
	CHECK(!(fw >> IV_KPF_ZERO_PAGE & 1));
	CHECK(cw == 1);
	munmap(p, len);
	return fails ? 1 : 0;
}
