/* SPDX-License-Identifier: GPL-2.0-or-later */
/* classify.h - the verdict on one IOMMU-mapped 4 KiB guest page from the
 * facts about it (src/verify/classify.c). Pure: no I/O, no globals. The
 * driver (src/verify/verify.c) gathers the facts lazily: iv_classify says
 * which fact it needs next, the driver reads it and calls again.
 * Unit tests: tests/test-classify.c (one table row per kind and rule). */
#ifndef IV_CLASSIFY_H
#define IV_CLASSIFY_H
#include "verify.h"

/* What the classifier needs to decide (IV_NEED_NONE: the verdict is ready). */
enum iv_need {
	IV_NEED_NONE = 0,
	IV_NEED_PAGEMAP,    /* CPU pagemap entry at the page's HVA (v->hva) */
	IV_NEED_FLAGS,      /* kpageflags of the IOMMU PFN */
	IV_NEED_COUNT,      /* kpagecount of the IOMMU PFN */
	IV_NEED_BAR,        /* is the IOMMU PFN inside a BAR of a PCI device */
};

/* What becomes of the page. */
enum iv_page_class {
	IV_PC_OK = 0,       /* compared and consistent */
	IV_PC_FINDING,      /* v->kind */
	IV_PC_RESERVED,     /* IOVA in a reserved region of the group (MSI window...) */
	IV_PC_MMIO,         /* device memory (no RAM behind the PFN, or in a BAR) */
	IV_PC_UNVERIFIED,   /* cannot be compared */
};

struct iv_page_facts {
	uint64_t iova, pfn;        /* the page, and the PFN the IOMMU maps it to */
	unsigned perm;             /* IV_PERM_* of the IOMMU entry */
	bool reserved;             /* iova inside a reserved region of the group */
	const struct iv_gpa_section *sec;  /* section containing iova, NULL when none */
	bool map_authoritative;    /* QMP or file: pages outside every section are unbacked */
	bool zero_listed;          /* pfn is a zero-page PFN already known (probe, earlier pages) */
	/* CPU side: pagemap entry at the section's HVA of iova */
	bool have_pm; uint64_t pm;
	/* kpageflags of pfn: flags_rc 0 = flags valid, 1 = no entry (beyond the file) */
	bool have_flags; int flags_rc; uint64_t flags;
	/* kpagecount of pfn: count_rc 0 = count valid, 1 = no entry */
	bool have_count; int count_rc; uint64_t count;
	/* pfn lies inside a BAR (sysfs resource) of some PCI device */
	bool have_bar; bool in_bar;
};

struct iv_page_verdict {
	enum iv_page_class cls;
	enum iv_kind kind;         /* cls == IV_PC_FINDING */
	bool have_hva; uint64_t hva;
	bool have_cpu_pfn; uint64_t cpu_pfn;
	bool zero;                 /* pfn was found to be a zero page */
};

/* Classify one page. Returns IV_NEED_NONE with *v filled, or the fact to
 * supply next (v->hva is already set for IV_NEED_PAGEMAP). The rules, in
 * order, are those of the man page's FINDINGS section. */
enum iv_need iv_classify(const struct iv_page_facts *f, struct iv_page_verdict *v);

/* The worse of two finding kinds: higher severity, then the earlier kind
 * (the man page's order). Used by the re-read rule. */
enum iv_kind iv_kind_worse(enum iv_kind a, enum iv_kind b);

#endif
