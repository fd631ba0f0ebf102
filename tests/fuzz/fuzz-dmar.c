/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-dmar.c - Intel debugfs dmar_translation_struct (v4.20-v5.2 and v5.3+
 * layouts) through iv_intel_units, iv_intel_devices, iv_intel_device,
 * iv_intel_unit_of, and then iv_source_debugfs open + walk of a fixed global
 * domain_translation_struct, so that the context decoded from the fuzzed row
 * (mode, levels from AW, pass-through) drives the table reader.
 * Input: the file. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "iv.h"
#include "intel.h"
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
	fuzz_write_str(INTEL "/domain_translation_struct",
		"Device 0000:00:02.0 @0x942000\n"
		"IOVA_PFN\t\tPML5E\t\t\tPML4E\t\t\tPDPE\t\t\tPDE\t\t\tPTE\n"
		"0x0000000000100 |\t0x0000000000000000\t0x0000000000000000\t0x000000000090e003\t0x0000000000945003\t0x0000000039787003\n"
		"0x0000000000101 |\t0x0000000000000000\t0x0000000000000000\t0x000000000090e003\t0x0000000000945003\t0x0000000039796003\n"
		"0x0000000000200 |\t0x0000000000000000\t0x0000000000000000\t0x000000000090e003\t0x0000000039600083\t0x0000000000000000\n"
		"\n"
		"Device 0000:00:02.0 with pasid 1 @0x943000\n"
		"IOVA_PFN\t\tPML5E\t\t\tPML4E\t\t\tPDPE\t\t\tPDE\t\t\tPTE\n"
		"0x0000000000100 |\t0x0000000000000000\t0x000000000090e003\t0x000000000090f003\t0x0000000000945003\t0x0000000039787003\n");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	setup_once();
	fuzz_reset();
	fuzz_write(INTEL "/dmar_translation_struct", data, size);

	struct iv_dmar_unit *u = NULL;
	size_t n = 0;
	int r = iv_intel_units(run, &u, &n);
	fuzz_expect_error(r, "iv_intel_units");
	if (r == 0)
		free(u);

	struct iv_intel_dev *d = NULL;
	r = iv_intel_devices(run, &d, &n);
	fuzz_expect_error(r, "iv_intel_devices");
	if (r == 0)
		free(d);

	struct iv_bdf bdf = { 0, 0, 2, 0 };
	for (uint32_t pasid = 0; pasid < 2; pasid++) {
		struct iv_intel_dev one;
		fuzz_expect_error(iv_intel_device(run, &bdf, pasid, &one), "iv_intel_device");
	}
	char unit[16];
	iv_intel_unit_of(run, &bdf, unit, sizeof unit);
	if (strnlen(unit, sizeof unit) == sizeof unit)
		abort();

	for (uint32_t pasid = 0; pasid < 2; pasid++) {
		struct iv_table t;
		void *h = NULL;
		char why[512] = "";
		memset(&t, 0, sizeof t);
		r = iv_source_debugfs.open(run, &bdf, pasid, &t, &h, why, sizeof why);
		fuzz_expect_error(r, "open");
		if (r == 0) {
			struct fuzz_walk w = { 0, 0 };
			fuzz_expect_error(iv_source_debugfs.walk(h, 0, UINT64_MAX, fuzz_leaf_count, &w), "walk");
			iv_source_debugfs.close(h);
		}
	}
	fuzz_reset();
	return 0;
}
