/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vtd_decode.h - the one Intel VT-d decoder (formats.md §2.1-2.3): page-table
 * entries (second level; first level is x86.h), legacy context entries and
 * scalable-mode PASID table entries. Used by the memory walker (vtd.c), the
 * debugfs row parser (src_debugfs.c) and the debugfs metadata
 * (kernel/intel_meta.c), so the three apply the same rules:
 *   - AW (context hi 2:0, PASID val[0] 4:2) 1..3 give 3..5 levels; any other
 *     value is reserved: the depth is unknown (levels 0) and `reason` says why.
 *     A consumer with no other way to tell the depth reports that reason.
 *   - FLPM (PASID val[2] 3:2) 0/1 give 4/5 levels, 2/3 are reserved (same rule).
 *   - Legacy TT 0/1 translate, 2 pass through, 3 reserved; PGTT 1 first level,
 *     2/3 second level, 4 pass through, 0 and 5-7 reserved.
 *   - Addresses are bits 51:12. */
#ifndef IV_VTD_DECODE_H
#define IV_VTD_DECODE_H
#include "x86.h"

/* Second-level entry. Linux: dma_pte_present() = R | W (bits 1:0); R bit 0,
 * W bit 1; PS bit 7 in PDPE/PDE only (a level-1 entry with it is an error). */
static inline enum iv_pte_err iv_vtd_sl_decode(uint64_t pte, int level, struct iv_pte *out)
{
	if (!(pte & 3)) {
		out->kind = IV_PTE_NONE;
		return IV_PTE_OK;
	}
	if (level == 1 && (pte & IV_PTE_PS))
		return IV_PTE_E_PS_L1;
	return iv_radix_decode(pte, level, (pte & 1 ? IV_PERM_R : 0) | (pte & 2 ? IV_PERM_W : 0), out);
}

/* An entry of a VT-d table: first level (x86 format) or second level. */
static inline enum iv_pte_err iv_vtd_pte_decode(uint64_t pte, int level, bool first_level, struct iv_pte *out)
{
	return first_level ? iv_x86_decode(pte, level, out) : iv_vtd_sl_decode(pte, level, out);
}

enum iv_vtd_kind {
	IV_VTD_TRANSLATE = 0,   /* legacy TT 0/1; PGTT 1 (first level), 2, 3 (second level) */
	IV_VTD_PASSTHROUGH,     /* legacy TT 2; PGTT 4 */
	IV_VTD_RESERVED,        /* legacy TT 3; PGTT 0, 5-7 (reason says which) */
};

/* A decoded legacy context entry or scalable-mode PASID table entry. */
struct iv_vtd_entry {
	bool present;           /* P (bit 0) */
	enum iv_vtd_kind kind;
	unsigned type;          /* TT or PGTT as found */
	bool scalable;          /* decoded from a PASID table entry */
	bool first_level;       /* PGTT 1: an x86-format table */
	int levels;             /* 3..5; 0: unknown, see reason */
	uint64_t pgd;           /* the page table's root (bits 51:12) */
	uint16_t domain_id;
	uint64_t rsvd;          /* legacy: reserved lo bits 11:4 that are set (a scalable entry?) */
	const char *reason;     /* NULL, or why kind is RESERVED / levels is 0: "reserved AW" ... */
	unsigned reason_val;    /* the field's value */
};

/* Legacy context entry (lo, hi: bits 63:0, 127:64). */
void iv_vtd_decode_context(uint64_t lo, uint64_t hi, struct iv_vtd_entry *out);
/* Scalable-mode PASID table entry, words val[0..2]. */
void iv_vtd_decode_pasid(uint64_t v0, uint64_t v1, uint64_t v2, struct iv_vtd_entry *out);

/* Walker entry point (iv_pte_decode_fn) for second-level tables. */
int iv_pte_vtd_sl(struct iv_run *run, uint64_t pte, int level, uint64_t entry_pa, struct iv_pte *out);

#endif
