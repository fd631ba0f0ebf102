/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pte.h - one decoded page-table entry, the common currency of the entry
 * decoders (x86.h, vtd_decode.h, amd.c) and the walk engine (walk.h). */
#ifndef IV_PTE_H
#define IV_PTE_H
#include <stdint.h>
#include "leaf.h"

/* Levels: 1 = the table whose entries map 4 KiB; an entry at level L spans
 * 1 << (12 + 9*(L-1)) bytes of IOVA. */
#define IV_LEVEL_SHIFT(l) (12 + 9 * ((l) - 1))
#define IV_ADDR_MASK      0x000ffffffffff000ULL   /* bits 51:12 */
#define IV_PTE_PS         (1ULL << 7)              /* page size (superpage) in SL and x86 formats */

enum iv_pte_kind { IV_PTE_NONE = 0, IV_PTE_TABLE, IV_PTE_LEAF };

/* One decoded table entry. */
struct iv_pte {
	enum iv_pte_kind kind;
	uint64_t addr;      /* TABLE: next table; LEAF: first byte of the page (size aligned) */
	uint64_t size;      /* LEAF: page size in bytes (>= the entry's span) */
	int next_level;     /* TABLE: level of the table pointed to (< current level) */
	unsigned perm;      /* LEAF: IV_PERM_R | IV_PERM_W (from the leaf entry only) */
};

/* What can be wrong with an entry of the radix formats (VT-d second level,
 * x86-64): iv_pte_problem() gives the words. */
enum iv_pte_err {
	IV_PTE_OK = 0,
	IV_PTE_E_PS_HIGH,     /* PS set at level 4 or 5 */
	IV_PTE_E_PS_L1,       /* second level: PS set in a level-1 entry */
};

#endif
