/* SPDX-License-Identifier: GPL-2.0-or-later */
/* amd.c - AMD-Vi in physical memory (formats.md §3.2-3.4): the device
 * table entry, v1 I/O page-table entries (NextLevel, encoded-size pages) and
 * the GCR3 table in front of v2 (x86-format) tables. */
#include "config.h"
#include <stdio.h>
#include "iv.h"
#include "walk.h"

#define DTE_V       (1ULL << 0)
#define DTE_TV      (1ULL << 1)
#define DTE_GV      (1ULL << 55)
#define AMD_IR      (1ULL << 61)
#define AMD_IW      (1ULL << 62)

static unsigned amd_perm(uint64_t e)
{
	return (e & AMD_IR ? IV_PERM_R : 0) | (e & AMD_IW ? IV_PERM_W : 0);
}

static int bad_entry(struct iv_run *run, uint64_t pte, int level, uint64_t entry_pa, const char *what, unsigned long long v)
{
	return iv_error(run, "AMD-Vi v1 entry 0x%016llx at physical 0x%llx (level %d): %s %llu",
			(unsigned long long)pte, (unsigned long long)entry_pa, level, what, v);
}

/* NextLevel 7: the page size is encoded in the address bits (Linux
 * PTE_PAGE_SIZE); the bits below the size are not part of the address. */
static int encoded_page(struct iv_run *run, uint64_t pte, int level, uint64_t entry_pa, struct iv_pte *out)
{
	uint64_t ones = pte | 0xfff;
	if (~ones == 0)
		return bad_entry(run, pte, level, entry_pa, "no page size encoded, NextLevel", 7);
	int bit = __builtin_ctzll(~ones);
	uint64_t span = 1ULL << IV_LEVEL_SHIFT(level);
	if (bit + 1 > 51 || (1ULL << (bit + 1)) < span || (level < 6 && (1ULL << (bit + 1)) >= span << 9))
		return bad_entry(run, pte, level, entry_pa, "NextLevel 7 page size impossible at this level: log2 size",
				 (unsigned long long)(bit + 1));
	out->kind = IV_PTE_LEAF;
	out->size = 1ULL << (bit + 1);
	out->addr = pte & IV_ADDR_MASK & ~(out->size - 1);
	out->perm = amd_perm(pte);
	return 0;
}

int iv_pte_amd_v1(struct iv_run *run, uint64_t pte, int level, uint64_t entry_pa, struct iv_pte *out)
{
	if (!(pte & 1)) {
		out->kind = IV_PTE_NONE;
		return 0;
	}
	int nl = (int)((pte >> 9) & 7);
	if (nl == 7)
		return encoded_page(run, pte, level, entry_pa, out);
	if (nl == 0) {            /* natural size of the level: 4K, 2M, 1G, ... */
		out->kind = IV_PTE_LEAF;
		out->size = 1ULL << IV_LEVEL_SHIFT(level);
		out->addr = pte & IV_ADDR_MASK & ~(out->size - 1);
		out->perm = amd_perm(pte);
		return 0;
	}
	if (nl >= level)
		return bad_entry(run, pte, level, entry_pa, "impossible NextLevel", (unsigned long long)nl);
	out->kind = IV_PTE_TABLE;
	out->addr = pte & IV_ADDR_MASK;
	out->next_level = nl;
	return 0;
}

/* GCR3 table (GLX+1 levels of 512 8-byte entries) -> the x86 table root of a PASID. */
static int gcr3_lookup(const struct iv_walk_mem *pm, uint64_t dte_pa, const uint64_t d[3], uint32_t pasid,
		       uint64_t *root, char *why, size_t whylen)
{
	uint64_t tab = ((d[0] >> 58) & 7) << 12 | ((d[1] >> 16) & 0xffff) << 15 |
		       ((d[1] >> 43) & 0x1fffff) << 31;
	int glx = (int)((d[0] >> 56) & 3);
	if (glx == 3)
		return iv_error(pm->run, "%s: DTE at 0x%llx: reserved GLX 3", pm->name, (unsigned long long)dte_pa);
	if ((uint64_t)pasid >> (9 * (glx + 1))) {
		snprintf(why, whylen, "PASID %u is beyond the GCR3 table (GLX %d)", pasid, glx);
		return 1;
	}
	for (int l = glx; l >= 0; l--) {
		uint64_t e_pa = tab + ((pasid >> (9 * l)) & 0x1ff) * 8, e;
		if (iv_walk_read64(pm, e_pa, &e))
			return -1;
		if (!(e & 1)) {
			snprintf(why, whylen, "GCR3 table entry at 0x%llx not valid (PASID %u)",
				 (unsigned long long)e_pa, pasid);
			return 1;
		}
		tab = e & IV_ADDR_MASK;
	}
	*root = tab;
	return 0;
}

static int dte_v1(const struct iv_walk_mem *pm, uint64_t dte_pa, uint64_t d0, uint32_t pasid, struct iv_table *t,
		  struct iv_pt *pt, char *why, size_t whylen)
{
	int mode = (int)((d0 >> 9) & 7);
	t->mode = IV_MODE_AMD_V1;
	if (mode == 0) {
		t->passthrough = true;
		snprintf(why, whylen, "pass-through (DTE at 0x%llx: Mode 0, TV=1)", (unsigned long long)dte_pa);
		return 1;
	}
	if (mode == 7)
		return iv_error(pm->run, "%s: DTE 0x%016llx at 0x%llx: reserved Mode 7", pm->name,
				(unsigned long long)d0, (unsigned long long)dte_pa);
	if (pasid) {
		snprintf(why, whylen, "a v1 (host) page table has no PASID %u", pasid);
		return 1;
	}
	pt->root = d0 & IV_ADDR_MASK;
	pt->levels = mode;
	pt->decode = iv_pte_amd_v1;
	return 0;
}

int iv_amd_open(const struct iv_walk_mem *pm, uint64_t devtab, const struct iv_bdf *bdf, uint32_t pasid,
		struct iv_table *t, struct iv_pt *pt, char *why, size_t whylen)
{
	uint16_t devid = iv_bdf_devid(bdf);
	t->vendor = IV_VENDOR_AMD;
	pt->mem = pm;
	if ((devtab & 0x1ff) && (uint64_t)devid * 32 >= ((devtab & 0x1ff) + 1) * IV_PAGE_SIZE) {
		snprintf(why, whylen, "device ID 0x%04x is beyond the device table (0x%llx bytes)", devid,
			 (unsigned long long)(((devtab & 0x1ff) + 1) * IV_PAGE_SIZE));
		return 1;
	}
	uint64_t dte_pa = (devtab & IV_ADDR_MASK) + (uint64_t)devid * 32, d[3];
	for (int i = 0; i < 3; i++)
		if (iv_walk_read64(pm, dte_pa + 8 * (uint64_t)i, &d[i]))
			return -1;
	if (!(d[0] & DTE_V) || !(d[0] & DTE_TV)) {
		snprintf(why, whylen, "DTE at 0x%llx has no translation (V=%d TV=%d)", (unsigned long long)dte_pa,
			 (int)(d[0] & 1), (int)((d[0] >> 1) & 1));
		return 1;
	}
	int r;
	if (d[0] & DTE_GV) {
		t->mode = IV_MODE_AMD_V2;
		r = gcr3_lookup(pm, dte_pa, d, pasid, &pt->root, why, whylen);
		pt->levels = ((d[2] >> 54) & 3) == 1 ? 5 : 4;   /* DTE GPT level (Linux DTE_GPT_LEVEL_SHIFT) */
		pt->decode = iv_pte_x86;
	} else {
		r = dte_v1(pm, dte_pa, d[0], pasid, t, pt, why, whylen);
	}
	if (r == 0) {
		t->root = pt->root;
		t->levels = pt->levels;
	}
	return r;
}
