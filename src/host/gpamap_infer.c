/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gpamap_infer.c - infer the GPA map of a process without QMP: find the PFNs
 * of IOMMU samples (iova, pfn) in the process's pagemap, then derive linear
 * pieces gpa -> va (IOVA == GPA for a VFIO type1 container without vIOMMU).
 *
 * Memory is bounded by the sample count; pagemap reads by a budget: the
 * candidate mappings are scanned in chunks, round robin (a huge mapping cannot
 * starve the others), for each present PFN a binary search over the samples.
 * A sample found at va gives a delta (va - iova) that is tried at once on every
 * other unplaced sample (one pagemap read each), so a linear guest RAM mapping
 * is placed after about (its pages / samples) entries; the scan stops when
 * every sample is placed or INFER_BUDGET entries were read.
 *
 * The map is used only when at least INFER_AGREE_PCT percent of the samples
 * agree with it; otherwise it is dropped (no section: the pages cannot be
 * compared, the result is UNKNOWN unless a finding that needs no map). */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "gpamap.h"

#define INFER_MAX_SAMPLES 1000000u
#define INFER_MAX_VMAS    100000u
#define INFER_MIN_VMA     (2ULL << 20)
/* pagemap entries read at most: 8 Mi entries = 64 MiB of pagemap, 32 GiB of
 * address space (man page, GPA MAP). A probe costs a 512-entry window. */
#define INFER_BUDGET      (8ULL << 20)
#define INFER_PROBE_COST  512u
#define INFER_CHUNK       (64ULL << 10)   /* entries per mapping per round */
#define INFER_AGREE_PCT   50u

struct smp {
	uint64_t iova, pfn, va;
	unsigned nmatch;
	bool dup;               /* the same IOVA sampled twice: ignored */
};
struct vma { uint64_t start, end, cur; };   /* cur: next address to scan */

struct infer {
	struct smp *s;          /* sorted by pfn while streaming, by iova afterwards */
	size_t n;
	struct vma *v;
	size_t nv;
	uint64_t budget;        /* pagemap entries left */
	size_t unplaced;        /* usable samples not found yet */
};

static int cmp_pfn(const void *a, const void *b)
{
	const struct smp *x = a, *y = b;
	if (x->pfn != y->pfn)
		return x->pfn < y->pfn ? -1 : 1;
	return x->iova < y->iova ? -1 : x->iova > y->iova;
}

static int cmp_iova(const void *a, const void *b)
{
	const struct smp *x = a, *y = b;
	return x->iova < y->iova ? -1 : x->iova > y->iova;
}

/* Candidates: rw mappings of at least 2 MiB, and all rw anonymous ones. */
static int vma_cb(struct iv_run *run, void *arg, const struct iv_map *m)
{
	struct infer *in = arg;
	if (m->perms[0] != 'r' || m->perms[1] != 'w')
		return 0;
	if (m->end - m->start < INFER_MIN_VMA && m->path[0])
		return 0;
	if (!strncmp(m->path, "anon_inode:[vfio", 16))
		return 0;   /* VM_PFNMAP BAR mmaps: pagemap shows nothing */
	if (in->nv >= INFER_MAX_VMAS)
		return iv_error(run, "pid maps: more than %u candidate mappings", INFER_MAX_VMAS);
	in->v = iv_xrealloc(in->v, (in->nv + 1) * sizeof *in->v);
	in->v[in->nv].start = m->start;
	in->v[in->nv].end = m->end;
	in->v[in->nv].cur = m->start;
	in->nv++;
	return 0;
}

/* First sample with this pfn, or NULL. */
static struct smp *by_pfn(struct infer *in, uint64_t pfn)
{
	size_t lo = 0, hi = in->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (in->s[mid].pfn < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < in->n && in->s[lo].pfn == pfn ? &in->s[lo] : NULL;
}

/* Try delta d (va = iova + d) inside v on every unplaced sample. */
static int probe(struct infer *in, struct iv_pagemap *pm, const struct vma *v, uint64_t d)
{
	for (size_t i = 0; i < in->n && in->unplaced && in->budget; i++) {
		struct smp *s = &in->s[i];
		if (s->dup || s->nmatch)
			continue;
		uint64_t va = s->iova + d;
		if (va < s->iova || va < v->start || va >= v->end)
			continue;
		uint64_t e;
		if (iv_pagemap_get(pm, va, &e))
			return -1;
		in->budget = in->budget > INFER_PROBE_COST ? in->budget - INFER_PROBE_COST : 0;
		if ((e & IV_PM_PRESENT) && (e & IV_PM_PFN_MASK) == s->pfn) {
			s->nmatch = 1;
			s->va = va;
			in->unplaced--;
		}
	}
	return 0;
}

/* Scan the next chunk of v. */
static int scan_chunk(struct infer *in, struct iv_pagemap *pm, struct vma *v)
{
	uint64_t n = (v->end - v->cur) >> IV_PAGE_SHIFT;
	if (n > INFER_CHUNK)
		n = INFER_CHUNK;
	if (n > in->budget)
		n = in->budget;
	for (uint64_t k = 0; k < n; k++) {
		uint64_t va = v->cur + (k << IV_PAGE_SHIFT), e;
		if (iv_pagemap_get(pm, va, &e))
			return -1;
		in->budget--;
		if (!(e & IV_PM_PRESENT) || !(e & IV_PM_PFN_MASK))
			continue;
		/* every sample of this PFN: several IOVAs may map one page (the
		 * isa-bios alias of pc.bios), each gets its own delta */
		uint64_t pfn = e & IV_PM_PFN_MASK;
		for (struct smp *s = by_pfn(in, pfn); s && s < in->s + in->n && s->pfn == pfn; s++) {
			if (s->dup || (s->nmatch && s->va == va))
				continue;
			if (!s->nmatch++) {   /* a second place makes it ambiguous (not usable) */
				s->va = va;
				in->unplaced--;
				if (probe(in, pm, v, va - s->iova))
					return -1;
			}
		}
	}
	v->cur += n << IV_PAGE_SHIFT;
	return 0;
}

static int scan(struct infer *in, struct iv_pagemap *pm)
{
	bool more = true;
	in->budget = INFER_BUDGET;
	in->unplaced = 0;
	for (size_t i = 0; i < in->n; i++)
		in->unplaced += !in->s[i].dup;
	while (more && in->unplaced && in->budget) {
		more = false;
		for (size_t i = 0; i < in->nv && in->unplaced && in->budget; i++) {
			if (in->v[i].cur >= in->v[i].end)
				continue;
			more = true;
			if (scan_chunk(in, pm, &in->v[i]))
				return -1;
		}
	}
	return 0;
}

/* Sorted by (pfn, iova): the same sample twice counts once. */
static void mark_dups(struct infer *in)
{
	for (size_t i = 1; i < in->n; i++)
		if (in->s[i].pfn == in->s[i - 1].pfn && in->s[i].iova == in->s[i - 1].iova)
			in->s[i].dup = true;
}

static const struct vma *vma_of(const struct infer *in, uint64_t va)
{
	for (size_t i = 0; i < in->nv; i++)
		if (va >= in->v[i].start && va < in->v[i].end)
			return &in->v[i];
	return NULL;
}

static bool usable(const struct smp *s)
{
	return !s->dup && s->nmatch == 1;
}

/* One piece: samples [i, j) share delta d within one VMA. The piece spans the
 * VMA, clipped so that it starts at or after `lo` and ends at or before the
 * next run's first IOVA. */
static void add_piece(struct iv_gpa_map *m, const struct vma *v, uint64_t d, uint64_t lo, uint64_t hi)
{
	uint64_t gs = v->start - d, ge = v->end - d;   /* GPA range of the whole VMA */
	if (v->start < d)
		gs = 0;
	if (gs < lo)
		gs = lo;
	if (ge > hi)
		ge = hi;
	if (ge <= gs)
		return;
	m->v = iv_xrealloc(m->v, (m->n + 1) * sizeof *m->v);
	struct iv_gpa_section *s = &m->v[m->n++];
	memset(s, 0, sizeof *s);
	s->gpa = gs;
	s->size = ge - gs;
	s->hva = gs + d;
	s->have_hva = true;
	s->type = IV_SEC_RAM;
	snprintf(s->name, sizeof s->name, "inferred@%#llx", (unsigned long long)s->hva);
}

static void build_pieces(struct infer *in, struct iv_gpa_map *m)
{
	uint64_t lo = 0;
	size_t i = 0;
	while (i < in->n) {
		if (!usable(&in->s[i])) {
			i++;
			continue;
		}
		const struct smp *a = &in->s[i];
		uint64_t d = a->va - a->iova;
		const struct vma *v = vma_of(in, a->va);
		if (!v) {   /* a match lies in a VMA by construction; be safe anyway */
			i++;
			continue;
		}
		size_t j = i + 1;
		while (j < in->n && (!usable(&in->s[j]) ||
				     (in->s[j].va - in->s[j].iova == d && vma_of(in, in->s[j].va) == v)))
			j++;
		uint64_t hi = j < in->n ? in->s[j].iova & IV_PAGE_MASK : UINT64_MAX;
		size_t before = m->n;
		add_piece(m, v, d, lo, hi);
		if (m->n > before)
			lo = m->v[m->n - 1].gpa + m->v[m->n - 1].size;
		for (size_t k = i; k < j; k++)
			if (usable(&in->s[k]) && m->n > before)
				m->agreed++;
		i = j;
	}
}

int iv_gpamap_infer(struct iv_run *run, pid_t pid, const struct iv_sample *samples, size_t n, struct iv_gpa_map *m)
{
	struct infer in = { 0 };
	memset(m, 0, sizeof *m);
	snprintf(m->how, sizeof m->how, "inferred");
	if (n > INFER_MAX_SAMPLES)
		return iv_error(run, "pid %d: more than %u samples to infer the GPA map", (int)pid, INFER_MAX_SAMPLES);
	m->samples = (unsigned)n;
	in.n = n;
	in.s = iv_xcalloc(n, sizeof *in.s);
	for (size_t i = 0; i < n; i++) {
		in.s[i].iova = samples[i].iova & IV_PAGE_MASK;
		in.s[i].pfn = samples[i].pfn;
	}
	qsort(in.s, n, sizeof *in.s, cmp_pfn);
	mark_dups(&in);
	int rc = iv_maps_each(run, pid, vma_cb, &in);
	struct iv_pagemap *pm = rc ? NULL : iv_pagemap_open(run, pid);
	if (!rc && !pm)
		rc = -1;
	if (!rc)
		rc = scan(&in, pm);
	iv_pagemap_close(pm);
	if (!rc) {
		qsort(in.s, n, sizeof *in.s, cmp_iova);
		build_pieces(&in, m);
		rc = iv_gpamap_finish(run, m, "inferred GPA map");
	}
	if (!rc && n && (uint64_t)m->agreed * 100 < (uint64_t)n * INFER_AGREE_PCT) {
		iv_warn("pid %d: inferred GPA map not used: %u of %u samples agreed (fewer than %u%%)",
			(int)pid, m->agreed, m->samples, INFER_AGREE_PCT);
		free(m->v);
		m->v = NULL;
		m->n = 0;
	}
	free(in.s);
	free(in.v);
	if (rc)
		iv_gpamap_free(m);
	return rc;
}
