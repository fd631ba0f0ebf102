/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vtd.c - Intel VT-d start points in physical memory (formats.md §2.3-2.4):
 * root and context entries (legacy and scalable mode, PASID directory and
 * table). The entries are decoded by vtd_decode.c, the tables walked by
 * engine.c with the second-level (vtd_decode.c) or x86 (x86.c) decoder.
 *
 * Scalable or legacy: the caller passes what it knows (RTADDR bit 10 from
 * --vtd-root or iommu_regset, or the unit's flag). When nothing is known the
 * root entry decides: a legacy root entry's upper 64 bits are reserved (zero),
 * a scalable one holds the upper context-table pointer with P set; if that
 * is zero too, legacy is assumed (a scalable context entry then shows up as
 * reserved bits set, which is reported with a hint). */
#include "config.h"
#include <stdio.h>
#include "vtd_decode.h"
#include "walk.h"

/* ---- root, context, PASID entries ---- */

/* Depth unknown (reserved AW / FLPM): the walk cannot start. */
static int no_depth(const struct iv_walk_mem *pm, const char *what, uint64_t hi, uint64_t lo, uint64_t pa,
		    const struct iv_vtd_entry *e)
{
	return iv_error(pm->run, "%s: %s 0x%016llx:0x%016llx at 0x%llx: %s %u: the table depth is unknown",
			pm->name, what, (unsigned long long)hi, (unsigned long long)lo, (unsigned long long)pa,
			e->reason, e->reason_val);
}

static int legacy_context(const struct iv_walk_mem *pm, uint64_t ctx_pa, struct iv_table *t,
			  struct iv_pt *pt, char *why, size_t whylen)
{
	uint64_t lo, hi;
	struct iv_vtd_entry e;
	if (iv_walk_read64(pm, ctx_pa, &lo) || iv_walk_read64(pm, ctx_pa + 8, &hi))
		return -1;
	iv_vtd_decode_context(lo, hi, &e);
	if (!e.present) {
		snprintf(why, whylen, "context entry at 0x%llx not present", (unsigned long long)ctx_pa);
		return 1;
	}
	if (e.rsvd)
		return iv_error(pm->run, "%s: legacy context entry 0x%016llx:0x%016llx at 0x%llx has reserved bits "
				"11:4 set (a scalable-mode table? give --vtd-root with bit 10 set, as RTADDR has it)",
				pm->name, (unsigned long long)hi, (unsigned long long)lo,
				(unsigned long long)ctx_pa);
	t->mode = IV_MODE_LEGACY;
	if (e.kind == IV_VTD_PASSTHROUGH) {
		t->passthrough = true;
		snprintf(why, whylen, "pass-through (context entry at 0x%llx has TT=2)", (unsigned long long)ctx_pa);
		return 1;
	}
	if (e.kind == IV_VTD_RESERVED)
		return iv_error(pm->run, "%s: context entry 0x%016llx:0x%016llx at 0x%llx: %s %u", pm->name,
				(unsigned long long)hi, (unsigned long long)lo, (unsigned long long)ctx_pa,
				e.reason, e.reason_val);
	if (!e.levels)
		return no_depth(pm, "context entry", hi, lo, ctx_pa, &e);
	pt->root = e.pgd;
	pt->levels = e.levels;
	pt->decode = iv_pte_vtd_sl;
	return 0;
}

/* Scalable-mode PASID table entry: PGTT picks the table (formats.md §1.4). */
static int pasid_entry(const struct iv_walk_mem *pm, uint64_t pe_pa, struct iv_table *t, struct iv_pt *pt,
		       char *why, size_t whylen)
{
	uint64_t v0, v1, v2;
	struct iv_vtd_entry e;
	if (iv_walk_read64(pm, pe_pa, &v0) || iv_walk_read64(pm, pe_pa + 8, &v1) ||
	    iv_walk_read64(pm, pe_pa + 16, &v2))
		return -1;
	iv_vtd_decode_pasid(v0, v1, v2, &e);
	if (!e.present) {
		snprintf(why, whylen, "PASID entry at 0x%llx not present", (unsigned long long)pe_pa);
		return 1;
	}
	if (e.kind == IV_VTD_PASSTHROUGH) {
		t->passthrough = true;
		snprintf(why, whylen, "pass-through (PASID entry at 0x%llx has PGTT=4)", (unsigned long long)pe_pa);
		return 1;
	}
	if (e.kind == IV_VTD_RESERVED)
		return iv_error(pm->run, "%s: PASID entry 0x%016llx at 0x%llx: reserved PGTT %u", pm->name,
				(unsigned long long)v0, (unsigned long long)pe_pa, e.type);
	if (!e.levels)
		return no_depth(pm, "PASID entry", e.first_level ? v2 : v0, v0, pe_pa, &e);
	t->first_level = e.first_level;
	pt->root = e.pgd;
	pt->levels = e.levels;
	pt->decode = e.first_level ? iv_pte_x86 : iv_pte_vtd_sl;
	return 0;
}

static int scalable_context(const struct iv_walk_mem *pm, uint64_t ctx_pa, uint32_t pasid, struct iv_table *t,
			    struct iv_pt *pt, char *why, size_t whylen)
{
	uint64_t lo, hi, dirent;
	t->mode = IV_MODE_SCALABLE;
	t->rid_pasid = 0;
	if (iv_walk_read64(pm, ctx_pa, &lo))
		return -1;
	if (!(lo & 1)) {
		snprintf(why, whylen, "scalable context entry at 0x%llx not present", (unsigned long long)ctx_pa);
		return 1;
	}
	if (iv_walk_read64(pm, ctx_pa + 8, &hi))
		return -1;
	t->rid_pasid = (uint32_t)(hi & 0xfffff);   /* the caller decides what a non-zero one means */
	uint64_t ndir = 1ULL << (((lo >> 9) & 7) + 7);
	if ((pasid >> 6) >= ndir) {
		snprintf(why, whylen, "PASID %u is beyond the PASID directory (%llu entries)", pasid,
			 (unsigned long long)ndir);
		return 1;
	}
	uint64_t de_pa = (lo & IV_ADDR_MASK) + (uint64_t)(pasid >> 6) * 8;
	if (iv_walk_read64(pm, de_pa, &dirent))
		return -1;
	if (!(dirent & 1)) {
		snprintf(why, whylen, "PASID directory entry at 0x%llx not present", (unsigned long long)de_pa);
		return 1;
	}
	return pasid_entry(pm, (dirent & IV_ADDR_MASK) + (uint64_t)(pasid & 0x3f) * 64, t, pt, why, whylen);
}

int iv_vtd_open(const struct iv_walk_mem *pm, uint64_t root_table, int scalable, const struct iv_bdf *bdf,
		uint32_t pasid, struct iv_table *t, struct iv_pt *pt, char *why, size_t whylen)
{
	uint64_t re_pa = (root_table & IV_ADDR_MASK) + (uint64_t)bdf->bus * 16, rlo, rhi;
	uint8_t devfn = iv_bdf_devfn(bdf);
	t->vendor = IV_VENDOR_INTEL;
	t->root = 0;
	pt->mem = pm;
	if (iv_walk_read64(pm, re_pa, &rlo) || iv_walk_read64(pm, re_pa + 8, &rhi))
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
