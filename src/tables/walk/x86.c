/* SPDX-License-Identifier: GPL-2.0-or-later */
/* x86.c - the x86-64 entry format for the walker (VT-d first level, AMD-Vi v2)
 * and the words for the radix-format entry problems (x86.h). */
#include "config.h"
#include "iv.h"
#include "x86.h"
#include "walk.h"

const char *iv_pte_problem(enum iv_pte_err e)
{
	switch (e) {
	case IV_PTE_OK:
		return "no problem";
	case IV_PTE_E_PS_HIGH:
		return "leaf above level 3 (page-size bit 7 set; only 2 MiB and 1 GiB pages exist)";
	case IV_PTE_E_PS_L1:
		return "level-1 entry with the superpage bit 7";
	}
	return "unknown problem";
}

int iv_pte_report(struct iv_run *run, const char *fmt, enum iv_pte_err e, uint64_t pte, int level, uint64_t entry_pa)
{
	if (e == IV_PTE_E_PS_HIGH)
		return iv_error(run, "%s entry 0x%016llx at physical 0x%llx: page-size bit set at level %d "
				"(only 2 MiB and 1 GiB pages exist)", fmt, (unsigned long long)pte,
				(unsigned long long)entry_pa, level);
	return iv_error(run, "%s entry 0x%016llx at physical 0x%llx (level %d): %s", fmt, (unsigned long long)pte,
			(unsigned long long)entry_pa, level, iv_pte_problem(e));
}

int iv_pte_x86(struct iv_run *run, uint64_t pte, int level, uint64_t entry_pa, struct iv_pte *out)
{
	enum iv_pte_err e = iv_x86_decode(pte, level, out);
	return e ? iv_pte_report(run, "x86-format", e, pte, level, entry_pa) : 0;
}
