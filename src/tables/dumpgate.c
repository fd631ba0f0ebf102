/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dumpgate.c - the size gate in front of the kernel's debugfs page-table dump
 * (include/source.h).
 *
 * domain_translation_struct is a single_open seq_file: the kernel formats the
 * whole table as one record under rcu_read_lock() and iommu->lock, starting
 * with a one-page buffer and, each time the record overflows it, freeing it,
 * allocating one twice as large and walking the whole table again, up to
 * 1 GiB (then the read fails with ENOMEM). field-notes §1. auto opens a dump
 * only when the estimated kernel buffer is within --debugfs-max-mib. */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "source.h"

#define ROW_BYTES  113ULL                /* "0x%013x |\t" and five "0x%016x" columns, tabs, newline */
#define HEADER_BYTES 256ULL              /* "Device ... @0x...", the column header */
#define SEQ_MAX    (1ULL << 30)          /* seq_buf_alloc refuses more than MAX_RW_COUNT */
#define HUGE_PAGE  (2ULL << 20)

void iv_dump_set_map_hint(struct iv_run *run, uint64_t ram_bytes, const char *how)
{
	run->dump_map_ram = ram_bytes;
	snprintf(run->dump_map_how, sizeof run->dump_map_how, "%s", how ? how : "");
}

uint64_t iv_dump_kernel_bytes(const struct iv_dma_estimate *e)
{
	uint64_t huge = e->huge_bytes < e->bytes ? e->huge_bytes : e->bytes;
	uint64_t rows = (e->bytes - huge + IV_PAGE_SIZE - 1) / IV_PAGE_SIZE + (huge + HUGE_PAGE - 1) / HUGE_PAGE;
	uint64_t text = rows * ROW_BYTES + HEADER_BYTES, size = IV_PAGE_SIZE;
	while (size < text && size < (1ULL << 62))
		size <<= 1;
	return size;
}

static const char *human(char *buf, size_t len, uint64_t v)
{
	if (v >= (1ULL << 30))
		snprintf(buf, len, "%.0f GiB", (double)v / (1ULL << 30));
	else if (v >= (1ULL << 20))
		snprintf(buf, len, "%.0f MiB", (double)v / (1ULL << 20));
	else
		snprintf(buf, len, "%.0f KiB", (double)v / 1024);
	return buf;
}

int iv_dump_gate(struct iv_run *run, const struct iv_bdf *bdf, bool per_device, char *why, size_t whylen)
{
	struct iv_dma_estimate e;
	char w[512] = "", a[32], b[32];
	memset(&e, 0, sizeof e);
	iv_dma_estimator estimator = run->dma_estimate;
	int r = estimator ? estimator(run, per_device ? bdf : NULL, &e, w, sizeof w) : 1;
	if (r && per_device && run->dump_map_ram) {   /* the guest's RAM, all of it in 4 KiB pages */
		memset(&e, 0, sizeof e);
		e.bytes = run->dump_map_ram;
		snprintf(e.basis, sizeof e.basis, "the RAM of the guest memory map (%s) in 4 KiB pages; %.160s",
			 run->dump_map_how, w);
		r = 0;
	}
	if (r) {
		if (!run->opt.debugfs_unsized_skip)
			return 0;
		snprintf(why, whylen, "the size of the debugfs dump cannot be estimated (%.300s): check does not "
			 "make the kernel build it; use the memory walk or --source debugfs",
			 estimator ? w : "no estimator");
		return 1;
	}
	uint64_t max = (run->opt.debugfs_max_mib ? run->opt.debugfs_max_mib : IV_DEBUGFS_MAX_MIB_DEFAULT) << 20;
	uint64_t kb = iv_dump_kernel_bytes(&e);
	if (kb <= max)
		return 0;
	if (kb > SEQ_MAX)
		snprintf(why, whylen, "the debugfs dump of ~%s of mappings (%.200s) would cost the kernel more than "
			 "its 1 GiB seq_file limit under iommu->lock (the read fails); use the memory walk or "
			 "--source debugfs", human(a, sizeof a, e.bytes), e.basis);
	else
		snprintf(why, whylen, "the debugfs dump of ~%s of mappings (%.200s) would cost the kernel ~%s "
			 "under iommu->lock (more than --debugfs-max-mib %llu); use the memory walk or "
			 "--source debugfs", human(a, sizeof a, e.bytes), e.basis, human(b, sizeof b, kb),
			 (unsigned long long)(max >> 20));
	return 1;
}
