/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-memory.c - the ELF physical-memory reader (src/physmem.c) with the VT-d
 * (legacy, scalable, first level) and AMD-Vi (v1, v2) walkers, through
 * iv_source_memory open + walk, as `--source memory --memory IMAGE
 * --vtd-root ADDR | --amd-devtab ADDR` would run them. No debugfs in the tree.
 *
 * Input: a 16-byte header, then the ELF image.
 *   byte 0      bit 0: AMD (--amd-devtab), else VT-d (--vtd-root; bit 10 of the
 *               address is RTADDR.SMT = scalable)
 *   bytes 1-8   the address (little endian)
 *   bytes 9-10  device: bus << 8 | devfn (little endian), segment 0
 *   bytes 11-13 PASID (little endian, 20 bits)
 *   bytes 14-15 unused
 * tests/fuzz/mkseeds-memory.sh builds the seeds from tests/gen-elf descriptions. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "iv.h"
#include "source.h"
#include "physmem.h"
#include "fuzz-common.h"

static struct iv_run *const run = &fuzz_ctx;

#define HDR 16

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char image[4096];
	fuzz_init();
	fuzz_reset();
	if (size < HDR)
		return 0;
	fuzz_write("/mem.elf", data + HDR, size - HDR);
	fuzz_path(image, sizeof image, "/mem.elf");

	uint64_t addr = le(data + 1, 8);
	uint16_t devid = (uint16_t)le(data + 9, 2);
	uint32_t pasid = (uint32_t)le(data + 11, 3) & 0xfffff;
	fuzz_ctx.opt.source = IV_SRC_MEMORY;
	fuzz_ctx.opt.memory = image;
	fuzz_ctx.opt.have_amd_devtab = data[0] & 1;
	fuzz_ctx.opt.amd_devtab = addr;
	fuzz_ctx.opt.have_vtd_root = !(data[0] & 1);
	fuzz_ctx.opt.vtd_root = addr;
	fuzz_ctx.opt.vtd_root_unit[0] = 0;

	struct iv_bdf bdf = { 0, (uint8_t)(devid >> 8), (uint8_t)((devid >> 3) & 31), (uint8_t)(devid & 7) };
	struct iv_table t;
	void *h = NULL;
	char why[512] = "";
	memset(&t, 0, sizeof t);
	int r = iv_source_memory.open(run, &bdf, pasid, &t, &h, why, sizeof why);
	fuzz_expect_error(r, "open");
	if (r == 0) {
		struct fuzz_walk w = { 0, 0 };
		fuzz_expect_error(iv_source_memory.walk(h, 0, UINT64_MAX, fuzz_leaf_count, &w), "walk");
		struct fuzz_walk w2 = { 0, 0 };
		fuzz_expect_error(iv_source_memory.walk(h, 0x1000, 0x40000fff, fuzz_leaf_count, &w2), "walk");
		iv_source_memory.close(h);
	} else if (r == 1 && !why[0]) {
		fprintf(stderr, "fuzz: open returned 1 without a reason\n");
		abort();
	}

	/* Unaligned and straddling reads through the uncached path. */
	struct iv_physmem *pm = iv_physmem_open(run, image);
	fuzz_expect_error(pm ? 0 : -1, "iv_physmem_open");
	if (pm) {
		uint8_t buf[64];
		fuzz_expect_error(iv_physmem_read(pm, addr - 8, buf, sizeof buf), "iv_physmem_read");
		fuzz_expect_error(iv_physmem_read(pm, UINT64_MAX - 7, buf, 16), "iv_physmem_read");
		iv_physmem_close(pm);
	}
	fuzz_ctx.opt.memory = NULL;
	fuzz_reset();
	return 0;
}
