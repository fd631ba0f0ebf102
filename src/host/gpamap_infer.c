/* gpamap_infer.c - infer the GPA map of a process without QMP: find the PFNs
 * of IOMMU samples (iova, pfn) in the process's pagemap, then derive linear
 * pieces gpa -> va (IOVA == GPA for a VFIO type1 container without vIOMMU).
 *
 * Memory is bounded by the sample count: the pagemap is streamed once over the
 * candidate mappings; for each present PFN a binary search over the samples. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "gpamap.h"

#define INFER_MAX_SAMPLES 1000000u
#define INFER_MAX_VMAS    100000u
#define INFER_MIN_VMA     (2ULL << 20)

struct smp {
	uint64_t iova, pfn, va;
	unsigned nmatch;
	bool dup;               /* pfn shared with another sample (zero page, aliases) */
};
struct vma { uint64_t start, end; };

struct infer {
	struct smp *s;          /* sorted by pfn while streaming, by iova afterwards */
	size_t n;
	struct vma *v;
	size_t nv;
};

static int cmp_pfn(const void *a, const void *b)
{
	const struct smp *x = a, *y = b;
	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

static int cmp_iova(const void *a, const void *b)
{
	const struct smp *x = a, *y = b;
	return x->iova < y->iova ? -1 : x->iova > y->iova;
}

/* Candidates: rw mappings of at least 2 MiB, and all rw anonymous ones. */
static int vma_cb(void *arg, const struct iv_map *m)
{
	struct infer *in = arg;
	if (m->perms[0] != 'r' || m->perms[1] != 'w')
		return 0;
	if (m->end - m->start < INFER_MIN_VMA && m->path[0])
		return 0;
	if (!strncmp(m->path, "anon_inode:[vfio", 16))
		return 0;   /* VM_PFNMAP BAR mmaps: pagemap shows nothing */
	if (in->nv >= INFER_MAX_VMAS)
		return iv_error("pid maps: more than %u candidate mappings", INFER_MAX_VMAS);
	in->v = iv_xrealloc(in->v, (in->nv + 1) * sizeof *in->v);
	in->v[in->nv].start = m->start;
	in->v[in->nv].end = m->end;
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

static int stream_vma(struct infer *in, struct iv_pagemap *pm, const struct vma *v)
{
	for (uint64_t va = v->start; va < v->end; va += IV_PAGE_SIZE) {
		uint64_t e;
		if (iv_pagemap_get(pm, va, &e))
			return -1;
		if (!(e & IV_PM_PRESENT) || !(e & IV_PM_PFN_MASK))
			continue;
		struct smp *s = by_pfn(in, e & IV_PM_PFN_MASK);
		if (s && !s->dup) {
			if (!s->nmatch++)
				s->va = va;
		}
	}
	return 0;
}

static void mark_dups(struct infer *in)
{
	for (size_t i = 1; i < in->n; i++)
		if (in->s[i].pfn == in->s[i - 1].pfn)
			in->s[i].dup = in->s[i - 1].dup = true;
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

int iv_gpamap_infer(pid_t pid, const struct iv_sample *samples, size_t n, struct iv_gpa_map *m)
{
	struct infer in = { 0 };
	memset(m, 0, sizeof *m);
	snprintf(m->how, sizeof m->how, "inferred");
	if (n > INFER_MAX_SAMPLES)
		return iv_error("pid %d: more than %u samples to infer the GPA map", (int)pid, INFER_MAX_SAMPLES);
	m->samples = (unsigned)n;
	in.n = n;
	in.s = iv_xcalloc(n, sizeof *in.s);
	for (size_t i = 0; i < n; i++) {
		in.s[i].iova = samples[i].iova & IV_PAGE_MASK;
		in.s[i].pfn = samples[i].pfn;
	}
	qsort(in.s, n, sizeof *in.s, cmp_pfn);
	mark_dups(&in);
	int rc = iv_maps_each(pid, vma_cb, &in);
	struct iv_pagemap *pm = rc ? NULL : iv_pagemap_open(pid);
	if (!rc && !pm)
		rc = -1;
	for (size_t i = 0; !rc && i < in.nv; i++)
		rc = stream_vma(&in, pm, &in.v[i]);
	iv_pagemap_close(pm);
	if (!rc) {
		qsort(in.s, n, sizeof *in.s, cmp_iova);
		build_pieces(&in, m);
		rc = iv_gpamap_finish(m, "inferred GPA map");
	}
	free(in.s);
	free(in.v);
	if (rc)
		iv_gpamap_free(m);
	return rc;
}
