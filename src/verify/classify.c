/* SPDX-License-Identifier: GPL-2.0-or-later */
/* classify.c - the verdict on one IOMMU-mapped 4 KiB page from its facts.
 * Pure: no I/O, no globals; missing facts are asked for (enum iv_need).
 * The order of the rules is the man page's (FINDINGS):
 *   outside every section: reserved region, zero page, device memory (no
 *     RAM behind the PFN, or inside a PCI BAR: unbacked for an authoritative
 *     map, MMIO for an inferred one), orphaned pin (RAM with kpagecount 0),
 *     then unbacked (authoritative map) or not comparable (inferred);
 *   ramd section: zero page, MMIO (no RAM behind the PFN or in a BAR),
 *     else stale (RAM behind a page declared device memory);
 *   ram/rom section without HVA: zero page, else not comparable;
 *   ram/rom section with HVA: CPU page absent -> zero page, else
 *     cpu_not_present; same PFN -> zero_page_consistent (not exclusive and
 *     the zero page), permission (write on read-only), else consistent;
 *     other PFN -> zero page, else stale. */
#include "config.h"
#include <string.h>
#include "classify.h"

/* Tri-state facts: 1 yes, 0 no, -1 unknown (the fact is needed). */
static int zero_of(const struct iv_page_facts *f)
{
	if (f->zero_listed)
		return 1;
	if (!f->have_flags)
		return -1;
	return f->flags_rc == 0 && (f->flags >> IV_KPF_ZERO_PAGE & 1);
}

static int no_ram_of(const struct iv_page_facts *f)
{
	if (!f->have_flags)
		return -1;
	return f->flags_rc != 0 || (f->flags >> IV_KPF_NOPAGE & 1);
}

static enum iv_need done(struct iv_page_verdict *v, enum iv_page_class c)
{
	v->cls = c;
	return IV_NEED_NONE;
}

static enum iv_need finding(struct iv_page_verdict *v, enum iv_kind k)
{
	v->cls = IV_PC_FINDING;
	v->kind = k;
	return IV_NEED_NONE;
}

/* MMIO: no RAM behind the PFN, or inside a BAR. 1, 0, or the need. */
static int mmio_of(const struct iv_page_facts *f, enum iv_need *need)
{
	int r = no_ram_of(f);
	if (r < 0) {
		*need = IV_NEED_FLAGS;
		return -1;
	}
	if (r)
		return 1;
	if (!f->have_bar) {
		*need = IV_NEED_BAR;
		return -1;
	}
	return f->in_bar;
}

static enum iv_need outside(const struct iv_page_facts *f, struct iv_page_verdict *v)
{
	enum iv_need need;
	if (f->reserved)
		return done(v, IV_PC_RESERVED);
	int z = zero_of(f);
	if (z < 0)
		return IV_NEED_FLAGS;
	if (z) {
		v->zero = true;
		return finding(v, IV_K_ZERO_PAGE);
	}
	/* device memory (P2PDMA BAR pages may have a struct page with count 0:
	 * they are not orphaned RAM) */
	int m = mmio_of(f, &need);
	if (m < 0)
		return need;
	if (m)
		return f->map_authoritative ? finding(v, IV_K_UNBACKED) : done(v, IV_PC_MMIO);
	if (!f->have_count)
		return IV_NEED_COUNT;
	if (f->count_rc == 0 && f->count == 0)
		return finding(v, IV_K_ORPHANED_PIN);
	return f->map_authoritative ? finding(v, IV_K_UNBACKED) : done(v, IV_PC_UNVERIFIED);
}

static enum iv_need ramd(const struct iv_page_facts *f, struct iv_page_verdict *v)
{
	enum iv_need need;
	int z = zero_of(f);
	if (z < 0)
		return IV_NEED_FLAGS;
	if (z) {
		v->zero = true;
		return finding(v, IV_K_ZERO_PAGE);
	}
	int m = mmio_of(f, &need);
	if (m < 0)
		return need;
	return m ? done(v, IV_PC_MMIO) : finding(v, IV_K_STALE);
}

enum iv_need iv_classify(const struct iv_page_facts *f, struct iv_page_verdict *v)
{
	memset(v, 0, sizeof *v);
	const struct iv_gpa_section *s = f->sec;
	if (!s)
		return outside(f, v);
	if (s->type == IV_SEC_RAMD)
		return ramd(f, v);
	int z;
	if (!s->have_hva) {
		if ((z = zero_of(f)) < 0)
			return IV_NEED_FLAGS;
		if (z) {
			v->zero = true;
			return finding(v, IV_K_ZERO_PAGE);
		}
		return done(v, IV_PC_UNVERIFIED);
	}
	v->have_hva = true;
	v->hva = s->hva + (f->iova - s->gpa);
	if (!f->have_pm)
		return IV_NEED_PAGEMAP;
	uint64_t e = f->pm;
	if (!(e & IV_PM_PRESENT) || (e & IV_PM_SWAP)) {
		if ((z = zero_of(f)) < 0)
			return IV_NEED_FLAGS;
		v->zero = z;
		return finding(v, z ? IV_K_ZERO_PAGE : IV_K_CPU_NOT_PRESENT);
	}
	v->have_cpu_pfn = true;
	v->cpu_pfn = e & IV_PM_PFN_MASK;
	if (v->cpu_pfn == f->pfn) {
		/* Only a page that is not exclusively mapped can be the zero page. */
		if (!(e & IV_PM_EXCLUSIVE)) {
			if ((z = zero_of(f)) < 0)
				return IV_NEED_FLAGS;
			if (z) {
				v->zero = true;
				return finding(v, IV_K_ZERO_PAGE_CONSISTENT);
			}
		}
		if (s->readonly && (f->perm & IV_PERM_W))
			return finding(v, IV_K_PERMISSION);
		return done(v, IV_PC_OK);
	}
	if ((z = zero_of(f)) < 0)
		return IV_NEED_FLAGS;
	v->zero = z;
	return finding(v, z ? IV_K_ZERO_PAGE : IV_K_STALE);
}

enum iv_kind iv_kind_worse(enum iv_kind a, enum iv_kind b)
{
	enum iv_status sa = iv_kinds[a].severity, sb = iv_kinds[b].severity;
	if (sa != sb)
		return sa == IV_CRITICAL ? a : sb == IV_CRITICAL ? b : sa > sb ? a : b;
	return a < b ? a : b;
}
const struct iv_kind_info iv_kinds[IV_NKINDS] = {
	[IV_K_ZERO_PAGE] = { "zero_page", IV_CRITICAL },
	[IV_K_ZERO_PAGE_CONSISTENT] = { "zero_page_consistent", IV_WARNING },
	[IV_K_STALE] = { "stale", IV_CRITICAL },
	[IV_K_ORPHANED_PIN] = { "orphaned_pin", IV_CRITICAL },
	[IV_K_CPU_NOT_PRESENT] = { "cpu_not_present", IV_WARNING },
	[IV_K_PERMISSION] = { "permission", IV_WARNING },
	[IV_K_UNBACKED] = { "unbacked", IV_WARNING },
};

const char *iv_status_name(enum iv_status s)
{
	static const char *n[] = { "ok", "warning", "critical", "unknown" };
	return (unsigned)s < 4 ? n[s] : "unknown";
}

