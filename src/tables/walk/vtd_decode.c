/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vtd_decode.c - VT-d context and PASID table entries, and the second-level
 * entry for the walker (rules in vtd_decode.h). */
#include "config.h"
#include "iv.h"
#include "vtd_decode.h"
#include "walk.h"

/* AW 1..3 -> 3..5 levels; else 0 with the reason. */
static void aw_levels(unsigned aw, struct iv_vtd_entry *out)
{
	if (aw >= 1 && aw <= 3) {
		out->levels = (int)aw + 2;
		return;
	}
	out->levels = 0;
	if (!out->reason) {
		out->reason = "reserved AW";
		out->reason_val = aw;
	}
}

void iv_vtd_decode_context(uint64_t lo, uint64_t hi, struct iv_vtd_entry *out)
{
	unsigned tt = (unsigned)(lo >> 2) & 3;
	*out = (struct iv_vtd_entry){ .present = lo & 1, .type = tt };
	out->kind = tt <= 1 ? IV_VTD_TRANSLATE : tt == 2 ? IV_VTD_PASSTHROUGH : IV_VTD_RESERVED;
	if (tt == 3) {
		out->reason = "reserved TT";
		out->reason_val = tt;
	}
	aw_levels((unsigned)hi & 7, out);
	out->pgd = lo & IV_ADDR_MASK;
	out->domain_id = (uint16_t)(hi >> 8);
	out->rsvd = lo & 0xff0;
}

void iv_vtd_decode_pasid(uint64_t v0, uint64_t v1, uint64_t v2, struct iv_vtd_entry *out)
{
	unsigned pgtt = (unsigned)(v0 >> 6) & 7;
	*out = (struct iv_vtd_entry){ .present = v0 & 1, .type = pgtt, .scalable = true };
	out->domain_id = (uint16_t)v1;
	if (pgtt == 4) {
		out->kind = IV_VTD_PASSTHROUGH;
	} else if (pgtt < 1 || pgtt > 4) {
		out->kind = IV_VTD_RESERVED;
		out->reason = "reserved PGTT";
		out->reason_val = pgtt;
	}
	if (pgtt == 1) {
		unsigned flpm = (unsigned)(v2 >> 2) & 3;
		out->first_level = true;
		out->pgd = v2 & IV_ADDR_MASK;
		out->levels = flpm == 0 ? 4 : flpm == 1 ? 5 : 0;
		if (flpm > 1) {
			out->reason = "reserved FLPM";
			out->reason_val = flpm;
		}
	} else {
		out->pgd = v0 & IV_ADDR_MASK;
		aw_levels((unsigned)(v0 >> 2) & 7, out);
	}
}

int iv_pte_vtd_sl(struct iv_run *run, uint64_t pte, int level, uint64_t entry_pa, struct iv_pte *out)
{
	enum iv_pte_err e = iv_vtd_sl_decode(pte, level, out);
	return e ? iv_pte_report(run, "second-level", e, pte, level, entry_pa) : 0;
}
