/* walk_vtd.c - Intel VT-d in physical memory (formats.md §2.1-2.4): root and
 * context entries (legacy and scalable mode, PASID directory and table), and
 * the entry formats: second-level, and x86-64 first-level (also used by
 * AMD-Vi v2 tables).
 *
 * Scalable or legacy: the caller passes what it knows (RTADDR bit 10 from
 * --vtd-root or iommu_regset, or the unit's flag). When nothing is known the
 * root entry decides: a legacy root entry's upper 64 bits are reserved (zero),
 * a scalable one holds the upper context-table pointer with P set; if that
 * is zero too, legacy is assumed (a scalable context entry then shows up as
 * reserved bits set, which is reported with a hint). */
#include "config.h"
#include <stdio.h>
#include "walk.h"

/* ---- entry formats ---- */

/* Shared by SL and x86: leaf at level 1 or with PS (bit 7) at levels 2-3. */
static int radix_decode(uint64_t pte, int level, uint64_t entry_pa, unsigned perm,
			const char *fmt, struct iv_pte *out)
{
	if (level == 1 || (pte & (1ULL << 7))) {
		if (level > 3)
			return iv_error("%s entry 0x%016llx at physical 0x%llx: page-size bit set at level %d "
					"(only 2 MiB and 1 GiB pages exist)", fmt, (unsigned long long)pte,
					(unsigned long long)entry_pa, level);
		out->kind = IV_PTE_LEAF;
		out->size = 1ULL << IV_LEVEL_SHIFT(level);
		out->addr = pte & IV_ADDR_MASK & ~(out->size - 1);
		out->perm = perm;
		return 0;
	}
	out->kind = IV_PTE_TABLE;
	out->addr = pte & IV_ADDR_MASK;
	out->next_level = level - 1;
	return 0;
}

int iv_pte_vtd_sl(uint64_t pte, int level, uint64_t entry_pa, struct iv_pte *out)
{
	if (!(pte & 3)) {          /* Linux: dma_pte_present() = R | W */
		out->kind = IV_PTE_NONE;
		return 0;
	}
	unsigned perm = (pte & 1 ? IV_PERM_R : 0) | (pte & 2 ? IV_PERM_W : 0);
	return radix_decode(pte, level, entry_pa, perm, "second-level", out);
}

int iv_pte_x86(uint64_t pte, int level, uint64_t entry_pa, struct iv_pte *out)
{
	if (!(pte & 1)) {
		out->kind = IV_PTE_NONE;
		return 0;
	}
	unsigned perm = IV_PERM_R | (pte & 2 ? IV_PERM_W : 0);
	return radix_decode(pte, level, entry_pa, perm, "x86-format", out);
}

/* ---- root, context, PASID entries ---- */

static int legacy_context(struct iv_physmem *pm, uint64_t ctx_pa, struct iv_table *t,
			  struct iv_pt *pt, char *why, size_t whylen)
{
	uint64_t lo, hi;
	if (iv_pt_read64(pm, ctx_pa, &lo) || iv_pt_read64(pm, ctx_pa + 8, &hi))
		return -1;
	if (!(lo & 1)) {
		snprintf(why, whylen, "context entry at 0x%llx not present", (unsigned long long)ctx_pa);
		return 1;
	}
	if (lo & 0xff0)
		return iv_error("%s: legacy context entry 0x%016llx:0x%016llx at 0x%llx has reserved bits "
				"11:4 set (a scalable-mode table? give --vtd-root with bit 10 set, as RTADDR has it)",
				iv_physmem_name(pm), (unsigned long long)hi, (unsigned long long)lo,
				(unsigned long long)ctx_pa);
	unsigned tt = (lo >> 2) & 3, aw = hi & 7;
	t->mode = IV_MODE_LEGACY;
	if (tt == 2) {
		t->passthrough = true;
		snprintf(why, whylen, "pass-through (context entry at 0x%llx has TT=2)", (unsigned long long)ctx_pa);
		return 1;
	}
	if (tt == 3 || aw < 1 || aw > 3)
		return iv_error("%s: context entry 0x%016llx:0x%016llx at 0x%llx: reserved %s %u",
				iv_physmem_name(pm), (unsigned long long)hi, (unsigned long long)lo,
				(unsigned long long)ctx_pa, tt == 3 ? "TT" : "AW", tt == 3 ? tt : aw);
	pt->root = lo & IV_ADDR_MASK;
	pt->levels = (int)aw + 2;
	pt->decode = iv_pte_vtd_sl;
	return 0;
}

/* Scalable-mode PASID table entry: PGTT picks the table (formats.md §1.4). */
static int pasid_entry(struct iv_physmem *pm, uint64_t pe_pa, struct iv_table *t, struct iv_pt *pt,
		       char *why, size_t whylen)
{
	uint64_t v0, v2;
	if (iv_pt_read64(pm, pe_pa, &v0) || iv_pt_read64(pm, pe_pa + 16, &v2))
		return -1;
	if (!(v0 & 1)) {
		snprintf(why, whylen, "PASID entry at 0x%llx not present", (unsigned long long)pe_pa);
		return 1;
	}
	unsigned pgtt = (v0 >> 6) & 7, aw = (v0 >> 2) & 7, flpm = (v2 >> 2) & 3;
	switch (pgtt) {
	case 1:
		if (flpm > 1)
			return iv_error("%s: PASID entry at 0x%llx: reserved FLPM %u", iv_physmem_name(pm),
					(unsigned long long)pe_pa, flpm);
		t->first_level = true;
		pt->root = v2 & IV_ADDR_MASK;
		pt->levels = flpm ? 5 : 4;
		pt->decode = iv_pte_x86;
		return 0;
	case 2:
	case 3:
		if (aw < 1 || aw > 3)
			return iv_error("%s: PASID entry at 0x%llx: reserved AW %u", iv_physmem_name(pm),
					(unsigned long long)pe_pa, aw);
		pt->root = v0 & IV_ADDR_MASK;
		pt->levels = (int)aw + 2;
		pt->decode = iv_pte_vtd_sl;
		return 0;
	case 4:
		t->passthrough = true;
		snprintf(why, whylen, "pass-through (PASID entry at 0x%llx has PGTT=4)", (unsigned long long)pe_pa);
		return 1;
	default:
		return iv_error("%s: PASID entry 0x%016llx at 0x%llx: reserved PGTT %u", iv_physmem_name(pm),
				(unsigned long long)v0, (unsigned long long)pe_pa, pgtt);
	}
}

static int scalable_context(struct iv_physmem *pm, uint64_t ctx_pa, uint32_t pasid, struct iv_table *t,
			    struct iv_pt *pt, char *why, size_t whylen)
{
	uint64_t lo, dirent;
	t->mode = IV_MODE_SCALABLE;
	if (iv_pt_read64(pm, ctx_pa, &lo))
		return -1;
	if (!(lo & 1)) {
		snprintf(why, whylen, "scalable context entry at 0x%llx not present", (unsigned long long)ctx_pa);
		return 1;
	}
	uint64_t ndir = 1ULL << (((lo >> 9) & 7) + 7);
	if ((pasid >> 6) >= ndir) {
		snprintf(why, whylen, "PASID %u is beyond the PASID directory (%llu entries)", pasid,
			 (unsigned long long)ndir);
		return 1;
	}
	uint64_t de_pa = (lo & IV_ADDR_MASK) + (uint64_t)(pasid >> 6) * 8;
	if (iv_pt_read64(pm, de_pa, &dirent))
		return -1;
	if (!(dirent & 1)) {
		snprintf(why, whylen, "PASID directory entry at 0x%llx not present", (unsigned long long)de_pa);
		return 1;
	}
	return pasid_entry(pm, (dirent & IV_ADDR_MASK) + (uint64_t)(pasid & 0x3f) * 64, t, pt, why, whylen);
}

int iv_vtd_open(struct iv_physmem *pm, uint64_t root_table, int scalable, const struct iv_bdf *bdf,
		uint32_t pasid, struct iv_table *t, struct iv_pt *pt, char *why, size_t whylen)
{
	uint64_t re_pa = (root_table & IV_ADDR_MASK) + (uint64_t)bdf->bus * 16, rlo, rhi;
	uint8_t devfn = iv_bdf_devfn(bdf);
	t->vendor = IV_VENDOR_INTEL;
	t->root = 0;
	pt->pm = pm;
	if (iv_pt_read64(pm, re_pa, &rlo) || iv_pt_read64(pm, re_pa + 8, &rhi))
		return -1;
	if (scalable < 0)
		scalable = (rhi & 1) != 0;
	uint64_t re = scalable && devfn >= 0x80 ? rhi : rlo;
	if (!(re & 1)) {
		snprintf(why, whylen, "root entry for bus %02x at 0x%llx not present", bdf->bus,
			 (unsigned long long)re_pa);
		return 1;
	}
	int r;
	if (scalable) {
		r = scalable_context(pm, (re & IV_ADDR_MASK) + (uint64_t)(devfn & 0x7f) * 32, pasid, t, pt,
				     why, whylen);
	} else {
		if (pasid != 0) {
			snprintf(why, whylen, "legacy mode has no PASID %u", pasid);
			return 1;
		}
		r = legacy_context(pm, (re & IV_ADDR_MASK) + (uint64_t)devfn * 16, t, pt, why, whylen);
	}
	if (r == 0)
		t->root = pt->root;
	t->levels = r == 0 ? pt->levels : 0;
	return r;
}
