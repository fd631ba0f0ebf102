/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-regset.c - Intel debugfs iommu_regset through iv_intel_units (with a
 * fixed dmar_translation_struct and sysfs units merged in).
 * Input: the file. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "iv.h"
#include "intel.h"
#include "fuzz-common.h"

static struct iv_run *const run = &fuzz_ctx;

#define INTEL "/sys/kernel/debug/iommu/intel"

static void setup_once(void)
{
	static int done;
	if (done)
		return;
	done = 1;
	fuzz_write_str(INTEL "/dmar_translation_struct",
		"IOMMU dmar0: Root Table Address: 0x546000\n"
		"B.D.F\tRoot_entry\t\t\t\tContext_entry\t\t\t\tPASID\tPASID_table_entry\n"
		"00:02.0\t0x0000000000000000:0x000000000054c001\t0x0000000000000401:0x0000000000942001\t-1    \t"
		"0x0000000000000000:0x0000000000000000:0x0000000000000000\n"
		"DMA Remapping is not enabled on dmar1\n");
	fuzz_write_str("/sys/class/iommu/dmar0/intel-iommu/address", "fed90000\n");
	fuzz_write_str("/sys/class/iommu/dmar0/intel-iommu/cap", "d2008c22260286\n");
	fuzz_write_str("/sys/class/iommu/dmar0/intel-iommu/ecap", "f00f4a\n");
	fuzz_write_str("/sys/class/iommu/dmar2/intel-iommu/address", "fed91000\n");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	setup_once();
	fuzz_reset();
	fuzz_write(INTEL "/iommu_regset", data, size);
	struct iv_dmar_unit *u = NULL;
	size_t n = 0;
	int r = iv_intel_units(run, &u, &n);
	fuzz_expect_error(r, "iv_intel_units");
	if (r == 0) {
		for (size_t i = 0; i < n; i++)
			if (strnlen(u[i].name, sizeof u[i].name) == sizeof u[i].name)
				abort();
		free(u);
	}
	fuzz_reset();
	return 0;
}
