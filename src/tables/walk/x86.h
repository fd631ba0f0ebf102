/* SPDX-License-Identifier: GPL-2.0-or-later */
/* x86.h - the radix entry rule shared by VT-d second-level and x86-64 tables
 * (a leaf at level 1, or with PS at levels 2-3), and the x86-64 paging entry
 * format used by VT-d first-level and AMD-Vi v2 tables (formats.md §2.2, §3.5).
 * Inline: the debugfs row parser decodes every row with them. x86.c holds the
 * walker entry point iv_pte_x86 (walk.h) and the messages. */
#ifndef IV_X86_H
#define IV_X86_H
#include "pte.h"

static inline enum iv_pte_err iv_radix_decode(uint64_t pte, int level, unsigned perm, struct iv_pte *out)
{
	if (level == 1 || (pte & IV_PTE_PS)) {
		if (level > 3)
			return IV_PTE_E_PS_HIGH;
		out->kind = IV_PTE_LEAF;
		out->size = 1ULL << IV_LEVEL_SHIFT(level);
		out->addr = pte & IV_ADDR_MASK & ~(out->size - 1);
		out->perm = perm;
		return IV_PTE_OK;
	}
	out->kind = IV_PTE_TABLE;
	out->addr = pte & IV_ADDR_MASK;
	out->next_level = level - 1;
	return IV_PTE_OK;
}

/* x86-64: P bit 0 (present implies read), R/W bit 1, PS bit 7 at levels 2-3
 * (at level 1 bit 7 is PAT), XD bit 63 and bits 62:52 are not address bits. */
static inline enum iv_pte_err iv_x86_decode(uint64_t pte, int level, struct iv_pte *out)
{
	if (!(pte & 1)) {
		out->kind = IV_PTE_NONE;
		return IV_PTE_OK;
	}
	return iv_radix_decode(pte, level, IV_PERM_R | (pte & 2 ? IV_PERM_W : 0), out);
}

/* The problem named by e, as words ("page-size bit set at level 4 ..."). */
const char *iv_pte_problem(enum iv_pte_err e);

#endif
