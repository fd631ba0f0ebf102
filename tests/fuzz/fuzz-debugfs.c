/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-debugfs.c - Intel debugfs domain_translation_struct, every era, through
 * iv_source_debugfs (open: header scan, block search, depth; walk: rows).
 *
 * Input: byte 0 selects the layout, the rest is the file.
 *   bits 1:0  0: global intel/domain_translation_struct (5.6-6.6)
 *             1: per-device intel/0000:00:02.0/domain_translation_struct (6.7+)
 *             2: per-PASID intel/0000:00:02.0/1/domain_translation_struct (6.7+)
 *             3: global, device 0000:00:02.1 (found through its IOMMU group)
 *   bits 3:2  dmar_translation_struct: 0 none, 1 legacy TT 0 (AW from bits 6:4),
 *             2 scalable PGTT 2 (pasid 0 and 1), 3 scalable first-level (PGTT 1)
 *   bits 6:4  AW / FLPM value for that row (levels = AW + 2: 2..9, most impossible) */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "iv.h"
#include "source.h"
#include "fuzz-common.h"

static struct iv_run *const run = &fuzz_ctx;

#define INTEL "/sys/kernel/debug/iommu/intel"

static void setup_once(void)
{
	static int done;
	if (done)
		return;
	done = 1;
	/* group 2 = 00:02.0 + 00:02.1; the kernel lists only the first member (6.0+) */
	fuzz_write_str("/sys/bus/pci/devices/0000:00:02.0/iommu_group", "../../../kernel/iommu_groups/2\n");
	fuzz_write_str("/sys/bus/pci/devices/0000:00:02.1/iommu_group", "../../../kernel/iommu_groups/2\n");
	fuzz_write_str("/sys/kernel/iommu_groups/2/devices/0000:00:02.0", "");
	fuzz_write_str("/sys/kernel/iommu_groups/2/devices/0000:00:02.1", "");
}

static void write_dmar(unsigned kind, unsigned aw)
{
	char buf[1024];
	switch (kind) {
	case 0:
		fuzz_unlink(INTEL "/dmar_translation_struct");
		return;
	case 1:
		snprintf(buf, sizeof buf,
			 "IOMMU dmar0: Root Table Address: 0x546000\n"
			 "B.D.F\tRoot_entry\t\t\t\tContext_entry\t\t\t\tPASID\tPASID_table_entry\n"
			 "00:02.0\t0x0000000000000000:0x000000000054c001\t0x00000000000004%02x:0x0000000000942001\t-1    \t"
			 "0x0000000000000000:0x0000000000000000:0x0000000000000000\n"
			 "00:02.1\t0x0000000000000000:0x000000000054c001\t0x00000000000004%02x:0x0000000000942001\t-1    \t"
			 "0x0000000000000000:0x0000000000000000:0x0000000000000000\n", aw, aw);
		break;
	default: {
		/* val2:val1:val0; PGTT in val0 bits 8:6, AW bits 4:2; FLPM in val2 bits 3:2, FLPTR */
		unsigned long long v0, v2;
		if (kind == 2) {
			v0 = 0x942000ULL | (2u << 6) | (aw << 2) | 1;
			v2 = 0;
		} else {
			v0 = (1u << 6) | 1;
			v2 = 0x942000ULL | ((aw & 3) << 2);
		}
		snprintf(buf, sizeof buf,
			 "IOMMU dmar0: Root Table Address: 0x546c00\n"
			 "B.D.F\tRoot_entry\t\t\t\tContext_entry\t\t\t\tPASID\tPASID_table_entry\n"
			 "00:02.0\t0x0000000000000000:0x000000000054c001\t0x0000000000000000:0x0000000000943001\t0     \t"
			 "0x%016llx:0x0000000000000004:0x%016llx\n"
			 "00:02.0\t0x0000000000000000:0x000000000054c001\t0x0000000000000000:0x0000000000943001\t1     \t"
			 "0x%016llx:0x0000000000000004:0x%016llx\n", v2, v0, v2, v0);
	}
	}
	fuzz_write_str(INTEL "/dmar_translation_struct", buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	setup_once();
	fuzz_reset();
	if (size < 1)
		return 0;
	unsigned sel = data[0];
	static const char *const files[] = {
		INTEL "/domain_translation_struct",
		INTEL "/0000:00:02.0/domain_translation_struct",
		INTEL "/0000:00:02.0/1/domain_translation_struct",
	};
	for (int i = 0; i < 3; i++)
		fuzz_unlink(files[i]);
	unsigned where = sel & 3;
	fuzz_write(files[where == 3 ? 0 : where], data + 1, size - 1);
	write_dmar((sel >> 2) & 3, (sel >> 4) & 7);

	struct iv_bdf bdf = { 0, 0, 2, where == 3 ? 1 : 0 };
	uint32_t pasid = where == 2 ? 1 : 0;
	struct iv_table t;
	void *h = NULL;
	char why[512];
	memset(&t, 0, sizeof t);
	int r = iv_source_debugfs.open(run, &bdf, pasid, &t, &h, why, sizeof why);
	fuzz_expect_error(r, "open");
	if (r == 0) {
		struct fuzz_walk w = { 0, 0 };
		fuzz_expect_error(iv_source_debugfs.walk(h, 0, UINT64_MAX, fuzz_leaf_count, &w), "walk");
		/* a narrow range too: the lo/hi filtering and the early stop */
		struct fuzz_walk w2 = { 0, 0 };
		fuzz_expect_error(iv_source_debugfs.walk(h, 0x200000, 0x3fffff, fuzz_leaf_count, &w2), "walk");
		iv_source_debugfs.close(h);
	} else if (r == 1 && !why[0]) {
		fprintf(stderr, "fuzz: open returned 1 without a reason\n");
		abort();
	}
	fuzz_reset();
	return 0;
}
