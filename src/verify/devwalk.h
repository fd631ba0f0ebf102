/* SPDX-License-Identifier: GPL-2.0-or-later */
/* devwalk.h - the per-device walk state of the check driver (verify.c),
 * shared with its guest-vIOMMU part (viommu_check.c). Internal to src/verify. */
#ifndef IV_DEVWALK_H
#define IV_DEVWALK_H
#include "verify.h"
#include "sysfs.h"
#include "classify.h"

#define MAX_ZERO 8

/* Known zero-page PFNs (the 4 KiB zero page; huge zero page subpages). */
struct zero_set { uint64_t pfn[MAX_ZERO]; int n; };

/* Memory BARs of every PCI device (sysfs resource), read when first needed. */
struct bar_set { struct iv_bar *v; size_t n; bool loaded; };

/* The verdict on one page. */
struct verdict {
	int kind;                 /* enum iv_kind, or -1 when the page is fine */
	const struct iv_gpa_section *sec;
	struct iv_page_verdict pv;   /* class, HVA, CPU PFN */
	bool have_gpa; uint64_t gpa; /* guest vIOMMU translating: the GPA of the IOVA */
};

/* A device's page-table source, opened once per run: the sample pass (an
 * inferred map) and the check walk the same handle (a debugfs dump is read
 * once per open). */
struct dev_src {
	bool tried;
	int r;                    /* iv_source_open's result */
	const struct iv_source_ops *ops;
	void *h;
	char why[512];
};

struct dev_walk {
	struct iv_run *run;
	struct iv_check *res;
	struct dev_src *src;      /* one per device of pr */
	struct iv_proc_result *pr;
	struct iv_dev_result *dr;
	const struct iv_gpa_map *map;
	bool map_authoritative;   /* qmp or file: pages outside it are unbacked */
	struct iv_pfnset *ram;    /* guest vIOMMU (no GPA): host PFNs of the VM's RAM blocks, or NULL */
	struct iv_vguest *vg;     /* guest vIOMMU translating: the device's IOVA -> GPA, or NULL */
	bool guest_err;           /* the guest's tables could not be read (iv_vguest_why) */
	struct iv_gpa_section rosec;   /* a section the guest maps read-only (permission check) */
	struct iv_pagemap *pm;
	struct iv_kpage *kp;
	struct zero_set *zs;
	struct bar_set bars;
	struct iv_resv *resv; int nresv;
	size_t first;             /* index of this device's first finding */
	const struct iv_gpa_section *sec;  /* last section found (cache) */
	/* re-read pass */
	size_t reread_idx;
	uint64_t reread_seen;     /* pages of f[reread_idx] classified again so far */
	bool reread_bad;          /* some page of f[reread_idx] still has a finding */
	/* sampling */
	struct iv_sample *samples; size_t nsamples; uint64_t seen; uint64_t rng;
	size_t nfixed; bool have_prev; uint64_t prev_end;
};

/* viommu_check.c. Guest vIOMMU with translation on or unknown: with the
 * emulated Intel unit's root table known, the devices are compared through
 * the guest's own tables (w->vg set; returns false); otherwise without GPA,
 * UNKNOWN (returns true, why). */
bool iv_viommu_no_gpa(const struct iv_viommu *vi, struct iv_proc_result *pr, struct dev_walk *w,
		      const struct iv_gpa_map *map, char *why, size_t len);
/* Translating through the guest's tables: select w->dr there (its guest BDF)
 * and compare it (check: the driver's device check of device idx, verify.c); when the
 * guest's tables cannot be used for it, compare it without GPA (UNKNOWN with
 * the reason). */
void iv_check_translated(struct dev_walk *w, const struct iv_viommu *vi, const struct iv_gpa_map *map,
			 void (*check)(struct dev_walk *w, size_t idx), size_t idx);

#endif
