/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verify.c - classify each IOMMU-mapped 4 KiB guest page of each VFIO device
 * against the CPU side (pagemap, kpageflags, kpagecount) and the guest's
 * GPA->HVA map, and coalesce the findings into ranges.
 *
 * Streaming: leaves come from the source in IOVA order, pagemap is read in
 * windows, and only findings (bounded) are kept. */
#include "config.h"
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include "verify.h"
#include "sysfs.h"
#include "classify.h"

#define MAX_FINDINGS 50000
/* Samples for the inferred map: a reservoir of RESERVOIR leaves, plus fixed
 * ones: every leaf below 1 MiB (the PC's ROM aliases live there) and the first
 * leaf of every IOVA-contiguous run, MAX_SAMPLES - RESERVOIR at most. */
#define MAX_SAMPLES 768
#define RESERVOIR 256
#define LOW_IOVA (1ULL << 20)
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

static bool zero_listed(const struct zero_set *zs, uint64_t pfn)
{
	for (int i = 0; i < zs->n; i++)
		if (zs->pfn[i] == pfn)
			return true;
	return false;
}

static void zero_add(struct zero_set *zs, uint64_t pfn)
{
	if (!zero_listed(zs, pfn) && zs->n < MAX_ZERO)
		zs->pfn[zs->n++] = pfn;
}

static int is_zero(struct dev_walk *w, uint64_t pfn, bool *zero)
{
	if (zero_listed(w->zs, pfn)) {
		*zero = true;
		return 0;
	}
	uint64_t flags;
	int r = iv_kpage_flags(w->kp, pfn, &flags);
	if (r < 0)
		return -1;
	*zero = r == 0 && (flags >> IV_KPF_ZERO_PAGE & 1);
	if (*zero)
		zero_add(w->zs, pfn);
	return 0;
}

static void bars_load(struct iv_run *run, struct bar_set *b)
{
	struct iv_bdf *devs = NULL;
	int n = iv_sysfs_pci_devices(run, &devs);
	b->loaded = true;
	for (int i = 0; i < n; i++) {
		struct iv_bar bar[7];
		int nb = iv_sysfs_bars(run, &devs[i], bar);
		for (int k = 0; k < nb; k++) {
			/* memory BARs only (IORESOURCE_MEM); I/O ports are no physical address */
			if (!(bar[k].flags & 0x200) || bar[k].end <= bar[k].start)
				continue;
			b->v = iv_xrealloc(b->v, (b->n + 1) * sizeof *b->v);
			b->v[b->n++] = bar[k];
		}
	}
	free(devs);
}

static void bars_free(struct bar_set *b)
{
	free(b->v);
	memset(b, 0, sizeof *b);
}

static bool in_bar(struct iv_run *run, struct bar_set *b, uint64_t pfn)
{
	if (!b->loaded)
		bars_load(run, b);
	if (pfn > (UINT64_MAX >> IV_PAGE_SHIFT))
		return false;
	uint64_t pa = pfn << IV_PAGE_SHIFT;
	for (size_t i = 0; i < b->n; i++)
		if (pa >= b->v[i].start && pa <= b->v[i].end)
			return true;
	return false;
}

static bool in_reserved(const struct dev_walk *w, uint64_t iova)
{
	for (int i = 0; i < w->nresv; i++)
		if (iova >= w->resv[i].start && iova <= w->resv[i].end)
			return true;
	return false;
}

static const struct iv_gpa_section *find_section(struct dev_walk *w, uint64_t iova)
{
	const struct iv_gpa_section *s = w->sec;
	if (s && iova >= s->gpa && iova - s->gpa < s->size)
		return s;
	if (!w->map || !w->map->n)
		return NULL;
	s = iv_gpamap_find(w->map, iova);
	if (s)
		w->sec = s;
	return s;
}

/* Gather the facts the classifier (classify.c) asks for, then its verdict. */
static int classify(struct iv_run *run, struct dev_walk *w, uint64_t iova, uint64_t pfn, unsigned perm, struct verdict *v)
{
	struct iv_page_facts f;
	struct iv_page_verdict *pv = &v->pv;
	f.iova = iova;
	f.pfn = pfn;
	f.perm = perm;
	f.map_authoritative = w->map_authoritative;
	f.sec = find_section(w, iova);
	f.reserved = !f.sec && in_reserved(w, iova);   /* the classifier uses it outside sections only */
	f.zero_listed = zero_listed(w->zs, pfn);
	f.have_pm = f.have_flags = f.have_count = f.have_bar = false;
	/* a RAM/ROM page with a host address is always compared with the CPU
	 * side: read it now (one classifier call on the hot path) */
	if (f.sec && f.sec->have_hva && f.sec->type != IV_SEC_RAMD) {
		if (iv_pagemap_get(w->pm, f.sec->hva + (iova - f.sec->gpa), &f.pm))
			return -1;
		f.have_pm = true;
	}
	for (int step = 0;; step++) {
		enum iv_need need = iv_classify(&f, pv);
		int r = 0;
		if (need == IV_NEED_NONE)
			break;
		if (step > 8)
			return iv_error(run, "internal error: the classifier keeps asking for facts");
		switch (need) {
		case IV_NEED_PAGEMAP:
			r = iv_pagemap_get(w->pm, pv->hva, &f.pm);
			f.have_pm = true;
			break;
		case IV_NEED_FLAGS:
			r = f.flags_rc = iv_kpage_flags(w->kp, pfn, &f.flags);
			f.have_flags = true;
			break;
		case IV_NEED_COUNT:
			r = f.count_rc = iv_kpage_count(w->kp, pfn, &f.count);
			f.have_count = true;
			break;
		case IV_NEED_BAR:
			f.in_bar = in_bar(run, &w->bars, pfn);
			f.have_bar = true;
			break;
		case IV_NEED_NONE:
			break;
		}
		if (r < 0)
			return -1;
	}
	if (pv->zero)
		zero_add(w->zs, pfn);
	v->kind = pv->cls == IV_PC_FINDING ? (int)pv->kind : -1;
	v->sec = f.sec;
	/* guest vIOMMU: no GPA to compare, but a RAM PFN in none of the VM's RAM blocks is stale */
	if (w->ram && pv->cls == IV_PC_UNVERIFIED && !iv_pfnset_has(w->ram, pfn)) {
		pv->cls = IV_PC_FINDING;
		pv->kind = IV_K_STALE;
		v->kind = IV_K_STALE;
	}
	return 0;
}

static void add_finding(struct dev_walk *w, uint64_t iova, uint64_t pfn, unsigned perm,
			const struct verdict *v)
{
	struct iv_check *r = w->res;
	if (r->nf > w->first) {
		struct iv_finding *f = &r->f[r->nf - 1];
		if ((int)f->kind == v->kind && f->iova + f->pages * IV_PAGE_SIZE == iova &&
		    f->perm == perm && f->have_cpu_pfn == v->pv.have_cpu_pfn &&
		    !strcmp(f->region, v->sec ? v->sec->name : "")) {
			f->pages++;
			return;
		}
	}
	if (r->nf == MAX_FINDINGS) {
		r->nf_dropped++;
		w->dr->dropped_pages[v->kind]++;
		r->count[v->kind]++;
		r->pages[v->kind]++;
		return;
	}
	if (r->nf == r->nf_cap)
		r->f = iv_xrealloc(r->f, (r->nf_cap = r->nf_cap ? r->nf_cap * 2 : 64) * sizeof *r->f);
	struct iv_finding *f = &r->f[r->nf++];
	memset(f, 0, sizeof *f);
	f->kind = (enum iv_kind)v->kind;
	f->pid = w->pr->pid;
	f->bdf = w->dr->bdf;
	snprintf(f->region, sizeof f->region, "%s", v->sec ? v->sec->name : "");
	f->iova = iova;
	f->pages = 1;
	f->have_hva = v->pv.have_hva;
	f->hva = v->pv.hva;
	f->iommu_pfn = pfn;
	f->have_cpu_pfn = v->pv.have_cpu_pfn;
	f->cpu_pfn = v->pv.cpu_pfn;
	f->perm = perm;
}

/* The fast path of check: how many of the n pages from iova on (IOMMU PFNs
 * pfn, pfn + 1, ...) are consistent by the classifier's first rule for a
 * RAM/ROM section with a host address: the CPU page is present, exclusively
 * mapped (so not the zero page) and the same PFN, and the IOMMU may not write
 * a read-only section. The first page that is not goes through classify(). */
static int64_t fast_ok(struct dev_walk *w, uint64_t iova, uint64_t pfn, unsigned perm, uint64_t n)
{
	const struct iv_gpa_section *s = find_section(w, iova);
	if (!s || !s->have_hva || s->type == IV_SEC_RAMD || (s->readonly && (perm & IV_PERM_W)))
		return 0;
	uint64_t left = (s->size - (iova - s->gpa)) >> IV_PAGE_SHIFT;
	const uint64_t *e;
	int64_t k = iv_pagemap_span(w->pm, s->hva + (iova - s->gpa), n < left ? n : left, &e);
	if (k <= 0)
		return k;
	const uint64_t want = IV_PM_PRESENT | IV_PM_EXCLUSIVE, mask = want | IV_PM_SWAP;
	if ((e[0] & mask) != want || (e[0] & IV_PM_PFN_MASK) != pfn || !pfn || pfn + (uint64_t)k > IV_PM_PFN_MASK)
		return 0;
	/* the next entries: the same flags, the PFN one higher each */
	const uint64_t *p = e + 1, *q = e + k;
	uint64_t x = e[0] + 1;
	while (q - p >= 4 && !((p[0] ^ x) | (p[1] ^ (x + 1)) | (p[2] ^ (x + 2)) | (p[3] ^ (x + 3)))) {
		p += 4;
		x += 4;
	}
	while (p < q && *p == x) {
		p++;
		x++;
	}
	int64_t j = p - e;
	iv_pagemap_consumed(w->pm, (uint64_t)j);
	return j;
}

static int check_leaf(void *arg, const struct iv_leaf *l)
{
	struct dev_walk *w = arg;
	struct iv_run *run = w->run;
	uint64_t pfn0 = l->phys >> IV_PAGE_SHIFT;
	for (uint64_t off = 0; off < l->size; off += IV_PAGE_SIZE) {
		uint64_t iova = l->iova + off, pfn = pfn0 + (off >> IV_PAGE_SHIFT);
		int64_t ok = fast_ok(w, iova, pfn, l->perm, (l->size - off) >> IV_PAGE_SHIFT);
		if (ok < 0)
			return -1;
		if (ok > 0) {
			w->dr->pages_checked += (uint64_t)ok;
			off += ((uint64_t)ok - 1) << IV_PAGE_SHIFT;
			continue;
		}
		struct verdict v;
		if (classify(run, w, iova, pfn, l->perm, &v))
			return -1;
		w->dr->pages_checked++;
		if (v.pv.cls == IV_PC_RESERVED)
			w->dr->reserved_pages++;
		else if (v.pv.cls == IV_PC_MMIO)
			w->dr->mmio_pages++;
		else if (v.pv.cls == IV_PC_UNVERIFIED)
			w->dr->unverified_pages++;
		if (v.kind >= 0)
			add_finding(w, iova, pfn, l->perm, &v);
	}
	return 0;
}

/* The re-read of f[reread_idx] is complete (or the finding was passed):
 * transient only when no page of it had a finding again (each was found
 * consistent or no longer mapped). */
static void reread_done(struct dev_walk *w, struct iv_finding *f)
{
	f->transient = !w->reread_bad;
	w->reread_idx++;
	w->reread_seen = 0;
	w->reread_bad = false;
}

/* Re-read: every page of every finding of this device is classified again.
 * The worse of the two verdicts is kept (iv_kind_worse); a finding is
 * transient only when the re-read finds its pages consistent or unmapped. */
static int reread_leaf(void *arg, const struct iv_leaf *l)
{
	struct dev_walk *w = arg;
	struct iv_run *run = w->run;
	struct iv_check *r = w->res;
	uint64_t pfn0 = l->phys >> IV_PAGE_SHIFT;
	uint64_t llast = l->iova + (l->size - 1);   /* inclusive ends: no wrap at 2^64 */
	while (w->reread_idx < r->nf) {
		struct iv_finding *f = &r->f[w->reread_idx];
		uint64_t flast = f->iova + (f->pages * IV_PAGE_SIZE - 1);
		if (flast < l->iova) {     /* passed: the pages not seen are unmapped since */
			reread_done(w, f);
			continue;
		}
		if (f->iova > llast)
			return 0;     /* next leaf */
		uint64_t a = f->iova > l->iova ? f->iova : l->iova;
		uint64_t blast = flast < llast ? flast : llast;
		uint64_t n = ((blast - a) >> IV_PAGE_SHIFT) + 1;
		for (uint64_t k = 0; k < n; k++) {
			struct verdict v;
			uint64_t iova = a + k * IV_PAGE_SIZE;
			uint64_t pfn = pfn0 + ((iova - l->iova) >> IV_PAGE_SHIFT);
			if (classify(run, w, iova, pfn, l->perm, &v))
				return -1;
			if (v.kind < 0)
				continue;
			w->reread_bad = true;
			enum iv_kind worse = iv_kind_worse(f->kind, (enum iv_kind)v.kind);
			if (worse != f->kind) {   /* the re-read's verdict is worse: report it */
				f->kind = worse;
				f->iommu_pfn = pfn;
				f->have_cpu_pfn = v.pv.have_cpu_pfn;
				f->cpu_pfn = v.pv.cpu_pfn;
				f->have_hva = v.pv.have_hva;
				f->hva = v.pv.hva;
			}
		}
		w->reread_seen += n;
		if (blast < flast)
			return 0;     /* the finding goes on in the next leaf */
		reread_done(w, f);
	}
	return 1;
}

static int sample_leaf(void *arg, const struct iv_leaf *l)
{
	struct dev_walk *w = arg;
	struct iv_sample s = { l->iova, l->phys >> IV_PAGE_SHIFT };
	bool run_start = !w->have_prev || l->iova != w->prev_end;
	w->have_prev = true;
	w->prev_end = l->iova + l->size;
	if ((run_start || l->iova < LOW_IOVA) && w->nfixed < MAX_SAMPLES - RESERVOIR) {
		w->samples[RESERVOIR + w->nfixed++] = s;
		return 0;
	}
	w->seen++;
	if (w->nsamples < RESERVOIR) {
		w->samples[w->nsamples++] = s;
		return 0;
	}
	w->rng ^= w->rng << 13; w->rng ^= w->rng >> 7; w->rng ^= w->rng << 17;
	uint64_t j = w->rng % w->seen;
	if (j < RESERVOIR)
		w->samples[j] = s;
	return 0;
}

static void unchecked(struct iv_dev_result *dr, struct iv_check *res, const char *fmt, const char *arg)
{
	dr->checked = false;
	snprintf(dr->reason, sizeof dr->reason, fmt, arg);
	res->incomplete = true;
}

/* The source of device i of the process, opened on first use. */
static struct dev_src *src_get(struct dev_walk *w, size_t i)
{
	struct dev_src *s = &w->src[i];
	if (!s->tried) {
		s->tried = true;
		s->r = iv_source_open(w->run, &w->pr->devs[i].bdf, 0, &w->pr->devs[i].table, &s->ops, &s->h, s->why,
				      sizeof s->why);
	}
	return s;
}

static void src_close(struct dev_src *s)
{
	if (s->tried && s->r == 0 && s->h)
		s->ops->close(s->h);
	s->h = NULL;
}

static void check_device(struct dev_walk *w, size_t idx)
{
	struct iv_dev_result *dr = w->dr;
	struct dev_src *s = src_get(w, idx);
	char b[16];
	int r = s->r;
	if (r) {
		unchecked(dr, w->res, r > 0 ? "no page table can be read: %s" : "%s",
			  r > 0 ? s->why : "error reading the page table (see errors)");
		return;
	}
	const struct iv_source_ops *ops = s->ops;
	void *h = s->h;
	w->first = w->res->nf;
	w->sec = NULL;
	uint64_t p0, z0, p1, z1;
	iv_pagemap_counts(w->pm, &p0, &z0);
	r = (ops->walk_runs ? ops->walk_runs : ops->walk)(h, 0, UINT64_MAX, check_leaf, w);
	iv_pagemap_counts(w->pm, &p1, &z1);
	if (r >= 0 && z1 > z0) {
		w->res->nf = w->first;   /* comparisons against PFN 0 mean nothing */
		dr->pages_checked = 0;
		bars_free(&w->bars);
		unchecked(dr, w->res, "%s", "pagemap PFNs read as 0: run as root (CAP_SYS_ADMIN) to see page frame numbers");
		src_close(s);
		return;
	}
	if (r >= 0 && w->res->nf > w->first) {
		iv_pagemap_invalidate(w->pm);
		iv_kpage_invalidate(w->kp);
		if (ops->refresh && ops->refresh(h))   /* the IOMMU side as it is now */
			r = -1;
		/* one walk per cluster of findings (gaps below 2 MiB) */
		struct iv_finding *f = w->res->f;
		size_t i = w->first, nf = w->res->nf;
		while (r >= 0 && i < nf) {
			uint64_t lo = f[i].iova, hi = f[i].iova + f[i].pages * IV_PAGE_SIZE - 1;
			size_t j = i;
			while (j + 1 < nf && f[j + 1].iova <= hi + 1 + (2u << 20)) {
				j++;
				uint64_t e = f[j].iova + f[j].pages * IV_PAGE_SIZE - 1;
				if (e > hi)
					hi = e;
			}
			w->reread_idx = i;
			w->reread_seen = 0;
			w->reread_bad = false;
			r = ops->walk(h, lo, hi, reread_leaf, w);
			/* findings of the cluster not reached (the last one may be
			 * partly re-read): the rest is no longer mapped */
			for (size_t k = w->reread_idx; r >= 0 && k <= j; k++) {
				f[k].transient = k == w->reread_idx ? !w->reread_bad : true;
				w->reread_bad = false;
			}
			i = j + 1;
		}
	}
	src_close(s);
	bars_free(&w->bars);
	if (r < 0) {
		unchecked(dr, w->res, "error while reading the page table of %s (see errors)", iv_bdf_str(&dr->bdf, b));
		return;
	}
	dr->checked = true;
	if (dr->unverified_pages)
		w->res->incomplete = true;
}

static int collect_samples(struct iv_run *run, struct iv_proc_result *pr, struct dev_walk *w, struct iv_sample *samples)
{
	w->samples = samples;
	w->nsamples = 0;
	w->nfixed = 0;
	w->seen = 0;
	w->rng = 0x9e3779b97f4a7c15ULL;
	for (size_t i = 0; i < pr->ndevs; i++) {
		struct dev_src *s = src_get(w, i);
		if (s->r)
			continue;     /* check_device reports it */
		w->have_prev = false;
		s->ops->walk(s->h, 0, UINT64_MAX, sample_leaf, w);
	}
	memmove(samples + w->nsamples, samples + RESERVOIR, w->nfixed * sizeof *samples);
	w->nsamples += w->nfixed;
	/* the zero page can't locate a guest page, nor can device memory (no
	 * RAM behind the PFN, or inside a PCI BAR: P2P DMA): drop them */
	size_t n = 0;
	int rc = 0;
	for (size_t i = 0; i < w->nsamples; i++) {
		bool z;
		uint64_t flags;
		if (is_zero(w, samples[i].pfn, &z) ||
		    (!z && (rc = iv_kpage_flags(w->kp, samples[i].pfn, &flags)) < 0)) {
			rc = -1;
			break;
		}
		if (z || rc == 1 || (flags >> IV_KPF_NOPAGE & 1) || in_bar(run, &w->bars, samples[i].pfn))
			continue;
		samples[n++] = samples[i];
	}
	bars_free(&w->bars);
	return rc < 0 ? -1 : (int)n;
}

static int get_map(struct iv_run *run, const struct iv_check_opts *o, struct iv_proc_result *pr, struct dev_walk *w,
		   struct iv_gpa_map *map, struct iv_viommu *vi)
{
	memset(map, 0, sizeof *map);
	int r;
	bool mon = iv_vm_of(o->vms, o->nvms, pr->pid) || o->qmp;   /* --qmp, --domain, --vmid */
	if (vi->model[0] && !mon)
		snprintf(vi->how + strlen(vi->how), sizeof vi->how - strlen(vi->how),
			 "; translation state unknown without --qmp");
	if (mon) {   /* one session: the map, and the vIOMMU's state when there is one */
		struct iv_qmp *q = iv_monitor_open(run, o->qmp, o->vms, o->nvms, pr->pid);
		r = q ? iv_qmp_gpamap(q, map) : -1;
		if (r == 0 && !vi->model[0])
			iv_viommu_mtree(q, vi);   /* not on the command line: the device address spaces */
		if (r == 0 && vi->model[0])
			iv_viommu_gsts(q, vi);    /* failed: translation stays unknown (reported) */
		iv_qmp_close(q);
	} else if (o->gpa_map_file)
		r = iv_gpamap_from_file(run, o->gpa_map_file, map);
	else if (vi->model[0]) {   /* IOVA may not be GPA: samples cannot place guest memory */
		snprintf(map->how, sizeof map->how, "none");
		r = 0;
	} else {
		struct iv_sample *samples = iv_xcalloc(MAX_SAMPLES, sizeof *samples);
		int n = collect_samples(run, pr, w, samples);
		r = n < 0 ? -1 : iv_gpamap_infer(run, pr->pid, samples, (size_t)n, map);
		free(samples);
	}
	if (r)
		return -1;
	snprintf(pr->gpa_map, sizeof pr->gpa_map, "%s", map->how);
	pr->samples = map->samples;
	pr->agreed = map->agreed;
	w->map_authoritative = mon || o->gpa_map_file;
	return 0;
}

/* The devices were compared with translation off: read GSTS again (a second
 * short session) to know it stayed off. true when it is on now or unknown. */
static bool viommu_turned_on(struct iv_run *run, const struct iv_check_opts *o, pid_t pid, const struct iv_viommu *before)
{
	struct iv_viommu now = *before;
	now.how[0] = 0;
	now.translation = -1;
	struct iv_qmp *q = iv_monitor_open(run, o->qmp, o->vms, o->nvms, pid);
	if (q)
		iv_viommu_gsts(q, &now);
	iv_qmp_close(q);
	return now.translation != 0;
}

/* Guest vIOMMU with translation on or unknown: the devices are compared
 * without GPA (zero_page, orphaned_pin, stale against the RAM-block PFN set)
 * and are UNKNOWN. Returns whether that is the case. */
static bool viommu_no_gpa(const struct iv_viommu *vi, struct iv_proc_result *pr, struct dev_walk *w,
			  const struct iv_gpa_map *map, char *why, size_t len)
{
	if (!vi->model[0])
		return false;
	snprintf(pr->viommu, sizeof pr->viommu, "%s", vi->how);
	if (vi->translation == 0)
		return false;
	char ramwhy[160] = "";
	w->ram = iv_pfnset_from_map(w->pm, map, ramwhy, sizeof ramwhy);
	w->map_authoritative = false;
	snprintf(why, len, "guest vIOMMU: IOVA is not GPA (%s); checked without GPA: zero_page, orphaned_pin%s%s",
		 vi->how, w->ram ? ", stale (IOMMU PFN in none of the VM's RAM blocks)" : "; stale not checked: ",
		 w->ram ? "" : ramwhy);
	return true;
}

/* A process fully checked with a critical finding: published for the -t timer
 * (the note first, then the flag). */
static void confirm_critical(struct iv_check *res, const struct iv_proc_result *pr, size_t first)
{
	char b[16];
	for (size_t i = first; i < res->nf && !res->critical_seen; i++) {
		const struct iv_finding *f = &res->f[i];
		if (f->transient || iv_kinds[f->kind].severity != IV_CRITICAL)
			continue;
		snprintf(res->critical_note, sizeof res->critical_note, "pid %d %s: %s at iova 0x%" PRIx64,
			 (int)pr->pid, iv_bdf_str(&f->bdf, b), iv_kinds[f->kind].name, f->iova);
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		res->critical_seen = 1;
	}
	for (size_t j = 0; j < pr->ndevs && !res->critical_seen; j++)
		for (int k = 0; k < IV_NKINDS && !res->critical_seen; k++)
			if (pr->devs[j].dropped_pages[k] && iv_kinds[k].severity == IV_CRITICAL) {
				snprintf(res->critical_note, sizeof res->critical_note, "pid %d %s: %s",
					 (int)pr->pid, iv_bdf_str(&pr->devs[j].bdf, b), iv_kinds[k].name);
				__atomic_signal_fence(__ATOMIC_SEQ_CST);
				res->critical_seen = 1;
			}
}

static bool wanted(const struct iv_check_opts *o, const struct iv_bdf *b)
{
	if (!o->ndevs)
		return true;
	for (size_t i = 0; i < o->ndevs; i++)
		if (iv_bdf_eq(&o->devs[i], b))
			return true;
	return false;
}

/* The result's identity and the selected devices (--device) of process p. */
static void proc_result_init(const struct iv_check_opts *o, struct iv_check *res, const struct iv_proc *p,
			     struct iv_proc_result *pr)
{
	pr->pid = p->pid;
	snprintf(pr->name, sizeof pr->name, "%s", p->name);
	snprintf(pr->vm, sizeof pr->vm, "%s", p->vm);
	pr->devs = iv_xcalloc(p->ndevs, sizeof *pr->devs);
	for (size_t i = 0; i < p->ndevs; i++) {
		if (!wanted(o, &p->devs[i].bdf))
			continue;
		struct iv_dev_result *dr = &pr->devs[pr->ndevs++];
		dr->bdf = p->devs[i].bdf;
		dr->group = p->devs[i].group;
		res->devices++;
	}
}

/* The whole process is not checked (and so none of its devices). */
static void proc_unchecked(struct iv_check *res, struct iv_proc_result *pr, const char *why)
{
	pr->checked = false;
	snprintf(pr->reason, sizeof pr->reason, "%s", why);
	for (size_t i = 0; i < pr->ndevs; i++)
		unchecked(&pr->devs[i], res, "%s", pr->reason);
	res->incomplete = true;
}

static void check_proc(struct iv_run *run, const struct iv_check_opts *o, struct iv_check *res, const struct iv_proc *p,
		       struct iv_proc_result *pr, struct iv_kpage *kp, struct zero_set *zs)
{
	proc_result_init(o, res, p, pr);
	if (!p->ok || !kp) {   /* could not be inspected: this process is UNKNOWN, the others go on */
		proc_unchecked(res, pr, p->ok ? "/proc/kpageflags cannot be read (see errors)" : p->reason);
		return;
	}
	struct dev_walk w = { .run = run, .res = res, .pr = pr, .kp = kp, .zs = zs };
	w.src = iv_xcalloc(pr->ndevs ? pr->ndevs : 1, sizeof *w.src);
	struct iv_gpa_map map;
	struct iv_viommu vi;
	char nogpa[sizeof pr->devs[0].reason];
	iv_viommu_cmdline(run, p->pid, &vi);
	w.pm = iv_pagemap_open(run, p->pid);
	size_t nerr = run->errs.n;
	if (!w.pm || get_map(run, o, pr, &w, &map, &vi)) {
		const char *e = w.pm && run->errs.n > nerr ? run->errs.v[run->errs.n - 1] : NULL;   /* in the notes too */
		snprintf(pr->reason, sizeof pr->reason, "%s%.450s", !w.pm ? "cannot read the process's pagemap (see errors)"
			 : e ? "no guest physical address map: " : "no guest physical address map (see errors)", e ? e : "");
		for (size_t i = 0; i < pr->ndevs; i++)
			unchecked(&pr->devs[i], res, "%s", pr->reason);
		if (w.pm)
			iv_pagemap_close(w.pm);
		for (size_t i = 0; i < pr->ndevs; i++)
			src_close(&w.src[i]);
		free(w.src);
		res->incomplete = true;
		return;
	}
	bool no_gpa = viommu_no_gpa(&vi, pr, &w, &map, nogpa, sizeof nogpa);
	w.map = no_gpa ? NULL : &map;
	if (w.map_authoritative) {   /* the debugfs size gate's second route */
		uint64_t ram = 0;
		for (size_t i = 0; i < map.n; i++)
			if (map.v[i].type != IV_SEC_RAMD)
				ram += map.v[i].size;
		iv_dump_set_map_hint(run, ram, map.how);
	}
	size_t first = res->nf;
	for (size_t i = 0; i < pr->ndevs; i++) {
		w.dr = &pr->devs[i];
		w.nresv = iv_sysfs_reserved_regions(run, w.dr->group, &w.resv);
		if (w.nresv < 0) {
			w.nresv = 0;
			w.resv = NULL;
		}
		check_device(&w, i);
		if (no_gpa && w.dr->checked)
			unchecked(w.dr, res, "%s", nogpa);
		free(w.resv);
		w.resv = NULL;
	}
	for (size_t i = 0; i < pr->ndevs; i++)
		src_close(&w.src[i]);
	free(w.src);
	iv_dump_set_map_hint(run, 0, NULL);
	iv_pfnset_free(w.ram);
	iv_pagemap_close(w.pm);
	iv_gpamap_free(&map);
	if (!no_gpa && vi.model[0] && viommu_turned_on(run, o, p->pid, &vi)) {
		res->nf = first;   /* compared as IOVA == GPA while it may no longer have held */
		proc_unchecked(res, pr, "guest vIOMMU: the guest turned translation on during the check (IOVA is not GPA)");
		return;
	}
	if (iv_proc_same(run, p)) {
		res->nf = first;
		snprintf(pr->reason, sizeof pr->reason, "the process exited or its PID was reused during the check");
		for (size_t i = 0; i < pr->ndevs; i++)
			unchecked(&pr->devs[i], res, "%s", pr->reason);
		res->incomplete = true;
		return;
	}
	pr->checked = true;
	confirm_critical(res, pr, first);
}

/* One thing that was not checked (kept for the summary and Nagios). */
static void note(struct iv_check *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct iv_check *res, const char *fmt, ...)
{
	if (res->nnotes < IV_MAX_NOTES) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(res->notes[res->nnotes], sizeof res->notes[0], fmt, ap);
		va_end(ap);
	}
	res->nnotes++;
	res->incomplete = true;
}

static bool held(const struct iv_check *res, const struct iv_bdf *b)
{
	for (size_t i = 0; i < res->nprocs; i++)
		for (size_t j = 0; j < res->procs[i].ndevs; j++)
			if (iv_bdf_eq(&res->procs[i].devs[j].bdf, b))
				return true;
	return false;
}

/* Everything not checked, as notes; then the status: CRITICAL over UNKNOWN
 * over WARNING over OK. */
static void account(const struct iv_check_opts *o, struct iv_check *res, const struct iv_procs_scan *scan)
{
	char b[16];
	if (scan && scan->unreadable) {
		res->procs_unreadable = scan->unreadable;
		note(res, "%u process%s not inspected (%s)", scan->unreadable, scan->unreadable == 1 ? "" : "es",
		     scan->unreadable_why);
	}
	for (size_t i = 0; i < res->nprocs; i++) {
		const struct iv_proc_result *pr = &res->procs[i];
		if (!pr->checked) {
			res->procs_not_checked++;
			note(res, "pid %d: %s", (int)pr->pid, pr->reason[0] ? pr->reason : "not checked");
		}
		for (size_t j = 0; j < pr->ndevs; j++) {
			const struct iv_dev_result *dr = &pr->devs[j];
			if (!dr->checked) {
				res->devices_not_checked++;
				if (pr->checked)
					note(res, "pid %d %s: %s", (int)pr->pid, iv_bdf_str(&dr->bdf, b), dr->reason);
				continue;
			}
			res->devices_checked++;
			if (dr->unverified_pages)
				note(res, "pid %d %s: %" PRIu64 " pages not comparable", (int)pr->pid,
				     iv_bdf_str(&dr->bdf, b), dr->unverified_pages);
		}
	}
	for (size_t i = 0; o && i < o->ndevs; i++) {
		bool dup = false;
		for (size_t k = 0; k < i && !dup; k++)
			dup = iv_bdf_eq(&o->devs[k], &o->devs[i]);
		if (!dup && !held(res, &o->devs[i]))
			note(res, "--device %s: held by no %s", iv_bdf_str(&o->devs[i], b),
			     o->npids ? "process given with --pid" : "process with a VFIO device open");
	}
	if (o && res->devices_checked < o->min_devices)
		note(res, "--min-devices %u: %u VFIO device%s checked", o->min_devices, res->devices_checked,
		     res->devices_checked == 1 ? "" : "s");
}

static void finalize(struct iv_run *run, const struct iv_check_opts *o, struct iv_check *res, const struct iv_procs_scan *scan)
{
	enum iv_status st = IV_OK;
	account(o, res, scan);
	for (size_t i = 0; i < res->nf; i++) {
		const struct iv_finding *f = &res->f[i];
		if (f->transient) {
			res->transient++;
			continue;
		}
		res->count[f->kind]++;
		res->pages[f->kind] += f->pages;
	}
	for (size_t i = 0; i < res->nprocs; i++)
		for (size_t j = 0; j < res->procs[i].ndevs; j++)
			res->pages_checked += res->procs[i].devs[j].pages_checked;
	bool warn = false, crit = false;
	for (int k = 0; k < IV_NKINDS; k++) {
		if (!res->count[k])
			continue;
		if (iv_kinds[k].severity == IV_CRITICAL)
			crit = true;
		else
			warn = true;
	}
	if (crit)
		st = IV_CRITICAL;
	else if (res->incomplete || run->errs.n)
		st = IV_UNKNOWN;
	else if (warn)
		st = IV_WARNING;
	res->status = st;
}

int iv_check_run(struct iv_run *run, const struct iv_check_opts *o, struct iv_check *res)
{
	memset(res, 0, sizeof *res);
	struct timeval tv;
	gettimeofday(&tv, NULL);
	res->started = (double)tv.tv_sec + tv.tv_usec / 1e6;
	double t0 = iv_now();

	struct iv_proc *procs = NULL;
	struct iv_procs_scan scan;
	int n = iv_procs_find_vms(run, o->pids, o->npids, o->vms, o->nvms, &procs, &scan);   /* vm.c */
	for (size_t i = 0; i < o->nvms; i++)   /* --domain/--vmid not resolved: UNKNOWN, the others still checked */
		o->vms[i].pid ? (void)0 : note(res, "%s: %s", o->vms[i].label, o->vms[i].why);
	if (n < 0) {
		note(res, "the processes cannot be listed (see errors)");
		finalize(run, o, res, NULL);
		return -1;
	}
	bool any = false;
	for (int i = 0; i < n; i++)
		any |= procs[i].ok;
	struct iv_kpage *kp = any ? iv_kpage_open(run) : NULL;
	struct zero_set zs = { .n = 0 };
	uint64_t zpfn;
	if (!run->opt.root[0] && iv_zero_pfn_probe(run, &zpfn) == 0)
		zs.pfn[zs.n++] = zpfn;
	res->procs = iv_xcalloc((size_t)n, sizeof *res->procs);
	res->nprocs = (size_t)n;
	for (int i = 0; i < n; i++)
		check_proc(run, o, res, &procs[i], &res->procs[i], kp, &zs);
	if (kp)
		iv_kpage_close(kp);
	iv_procs_free(procs, (size_t)n);
	res->duration = iv_now() - t0;
	finalize(run, o, res, &scan);
	return 0;
}

void iv_check_free(struct iv_check *res)
{
	for (size_t i = 0; i < res->nprocs; i++)
		free(res->procs[i].devs);
	free(res->procs);
	free(res->f);
	memset(res, 0, sizeof *res);
}
