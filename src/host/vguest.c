/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vguest.c - the VT-d tables of a guest whose own (emulated Intel) vIOMMU
 * translates (field notes section 4): guest IOVA -> GPA, read-only.
 *
 * The guest's root, context and page tables are in guest RAM. A table page
 * at GPA g is read through the walkers' page reader (struct iv_walk_mem):
 * GPA -> HVA (the GPA map) -> host PFN (the QEMU process's pagemap: present,
 * not swapped) -> bytes (physical memory: --memory, else /proc/kcore). The
 * walk is the host walk's: iv_vtd_open (root, context, PASID entries) and
 * iv_pt_walk with the VT-d decoders. Nothing is written, nothing is faulted
 * in: a page that is not resident is an error naming its GPA.
 *
 * Translation streams: the leaves from an IOVA on are read into a window of
 * at most WINDOW extents; IOVAs beyond it read the next window. */
#include "config.h"
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "host.h"
#include "gpamap.h"
#include "walk.h"
#include "physmem.h"

#define WINDOW 4096          /* extents per window */
#define CACHE 256            /* table pages kept */

struct gext { uint64_t iova, size, gpa; unsigned perm; };
struct gpage { uint64_t gpa; uint64_t w[512]; };

struct iv_vguest {
	struct iv_run *run;
	pid_t pid;
	const struct iv_gpa_map *map;
	struct iv_pagemap *pm;
	struct iv_physmem *phys;   /* opened at the first page read */
	bool phys_failed;
	char name[64];
	struct iv_walk_mem mem;
	struct gpage *cache; size_t ncache;
	/* the device */
	bool ready, identity, none;
	struct iv_pt pt;
	/* the window: [lo, hi] is fully described by ext[0..next) */
	struct gext *ext; size_t next;
	bool have_win; uint64_t lo, hi, stop_at;
	char why[320];
};

static void why(struct iv_vguest *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void why(struct iv_vguest *g, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(g->why, sizeof g->why, fmt, ap);
	va_end(ap);
	iv_error(g->run, "%s", g->why);
}

static const uint64_t *guest_page(void *arg, uint64_t gpa)
{
	struct iv_vguest *g = arg;
	for (size_t i = 0; i < g->ncache; i++)
		if (g->cache[i].gpa == gpa)
			return g->cache[i].w;
	const struct iv_gpa_section *s = g->map ? iv_gpamap_find(g->map, gpa) : NULL;
	if (!s || !s->have_hva || s->type == IV_SEC_RAMD) {
		why(g, "%s: guest table page at GPA 0x%" PRIx64 " is in no guest RAM section", g->name, gpa);
		return NULL;
	}
	uint64_t hva = s->hva + (gpa - s->gpa), e;
	if (iv_pagemap_get(g->pm, hva, &e))
		return NULL;
	if (!(e & IV_PM_PRESENT) || (e & IV_PM_SWAP)) {
		why(g, "%s: guest table page at GPA 0x%" PRIx64 " (HVA 0x%" PRIx64 ") is %s", g->name, gpa, hva,
		    e & IV_PM_SWAP ? "swapped out" : "not resident (pagemap: not present)");
		return NULL;
	}
	uint64_t pfn = e & IV_PM_PFN_MASK;
	if (!pfn) {
		why(g, "%s: pagemap PFN of the guest table page at GPA 0x%" PRIx64 " reads as 0: run as root "
		    "(CAP_SYS_ADMIN)", g->name, gpa);
		return NULL;
	}
	if (!g->phys && !g->phys_failed) {
		char kc[4096];
		const char *path = g->run->opt.memory ? g->run->opt.memory : iv_path(g->run, kc, sizeof kc, "/proc/kcore");
		g->phys = iv_physmem_open(g->run, path);
		g->phys_failed = !g->phys;
	}
	if (!g->phys) {
		why(g, "%s: physical memory cannot be read (see errors)", g->name);
		return NULL;
	}
	if (g->ncache == CACHE)
		g->ncache = 0;     /* bounded: start again */
	struct gpage *p = &g->cache[g->ncache];
	if (iv_physmem_read(g->phys, pfn << IV_PAGE_SHIFT, p->w, sizeof p->w)) {
		why(g, "%s: guest table page at GPA 0x%" PRIx64 " (host PFN 0x%" PRIx64 ") cannot be read from %s",
		    g->name, gpa, pfn, iv_physmem_name(g->phys));
		return NULL;
	}
	p->gpa = gpa;
	g->ncache++;
	return p->w;
}

struct iv_vguest *iv_vguest_open(struct iv_run *run, pid_t pid, const struct iv_gpa_map *m, struct iv_pagemap *pm)
{
	struct iv_vguest *g = iv_xcalloc(1, sizeof *g);
	g->run = run;
	g->pid = pid;
	g->map = m;
	g->pm = pm;
	snprintf(g->name, sizeof g->name, "guest memory of pid %d", (int)pid);
	g->mem = (struct iv_walk_mem){ guest_page, g, g->name, run };
	g->cache = iv_xmalloc(CACHE * sizeof *g->cache);
	g->ext = iv_xmalloc(WINDOW * sizeof *g->ext);
	return g;
}

void iv_vguest_close(struct iv_vguest *g)
{
	if (!g)
		return;
	iv_physmem_close(g->phys);
	free(g->cache);
	free(g->ext);
	free(g);
}

void iv_vguest_invalidate(struct iv_vguest *g)
{
	g->ncache = 0;
	g->have_win = false;
	iv_pagemap_invalidate(g->pm);
	iv_physmem_close(g->phys);   /* read the image again (and its page cache) */
	g->phys = NULL;
	g->phys_failed = false;
}

const char *iv_vguest_why(const struct iv_vguest *g)
{
	return g->why[0] ? g->why : "error reading the guest's vIOMMU tables (see errors)";
}

/* An error the walkers reported (they name the entry): it becomes the reason. */
static void why_last_error(struct iv_vguest *g, const char *what)
{
	if (g->why[0])
		return;
	if (g->run && g->run->errs.n && !g->run->errs.dropped) {
		const char *e = g->run->errs.v[g->run->errs.n - 1];
		bool named = !strncmp(e, g->name, strlen(g->name));
		snprintf(g->why, sizeof g->why, "%s%s%s", named ? "" : g->name, named ? "" : " (addresses are GPAs): ", e);
	}
	else
		snprintf(g->why, sizeof g->why, "%s: %s (see errors)", g->name, what);
}

int iv_vguest_device(struct iv_vguest *g, uint64_t rtaddr, const struct iv_bdf *guest, const char **mode,
		     char *whybuf, size_t len)
{
	struct iv_table t;
	char w[256] = "";
	memset(&t, 0, sizeof t);
	g->ready = g->identity = g->none = false;
	g->why[0] = 0;
	iv_vguest_invalidate(g);
	int r = iv_vtd_open(&g->mem, rtaddr & IV_PAGE_MASK, (rtaddr >> 10) & 1, guest, 0, &t, &g->pt, w, sizeof w);
	if (r < 0) {
		why_last_error(g, "the guest's root or context table cannot be read");
		snprintf(whybuf, len, "%s", iv_vguest_why(g));
		return -1;
	}
	if (t.mode == IV_MODE_SCALABLE && t.rid_pasid) {
		/* QEMU 7.2 translates the device's requests without PASID through the context entry's
		 * RID_PASID; VT-d 4.0 dropped the field (PASID 0), and so do later QEMU releases:
		 * which of the two tables is live is not known */
		char b[16];
		why(g, "%s: the scalable context entry of %s has RID_PASID %u, not 0: QEMU 7.2 translates the "
		    "device's DMA through PASID %u, releases following VT-d 4.0 through PASID 0 (the tables "
		    "walked would be a guess)", g->name, iv_bdf_str(guest, b), t.rid_pasid, t.rid_pasid);
		snprintf(whybuf, len, "%s", iv_vguest_why(g));
		return -1;
	}
	g->ready = true;
	if (r == 1) {
		g->identity = t.passthrough;
		g->none = !t.passthrough;
		*mode = t.passthrough ? "pass-through" : "not present";
		snprintf(whybuf, len, "%s", w);
		return 0;
	}
	*mode = iv_mode_name(t.mode);
	snprintf(whybuf, len, "%d-level%s", t.levels, t.first_level ? " first-level" : "");
	return 0;
}

static int collect(void *arg, const struct iv_leaf *l)
{
	struct iv_vguest *g = arg;
	if (g->next) {
		struct gext *e = &g->ext[g->next - 1];
		if (e->iova + e->size == l->iova && e->gpa + e->size == l->phys && e->perm == l->perm) {
			e->size += l->size;
			return 0;
		}
	}
	if (g->next == WINDOW) {
		g->stop_at = l->iova;
		return 1;
	}
	g->ext[g->next++] = (struct gext){ l->iova, l->size, l->phys, l->perm };
	return 0;
}

static int refill(struct iv_vguest *g, uint64_t iova)
{
	g->next = 0;
	g->have_win = false;
	g->lo = iova & IV_PAGE_MASK;
	int r = iv_pt_walk(&g->pt, g->lo, UINT64_MAX, collect, g);
	if (r < 0) {
		why_last_error(g, "the guest's vIOMMU page table is malformed");
		return -1;
	}
	g->hi = r == 1 ? g->stop_at - 1 : UINT64_MAX;
	g->have_win = true;
	return 0;
}

int iv_vguest_translate(struct iv_vguest *g, uint64_t iova, uint64_t *gpa, unsigned *perm)
{
	if (!g->ready)
		return -1;
	if (g->identity) {
		*gpa = iova;
		*perm = IV_PERM_R | IV_PERM_W;
		return 1;
	}
	if (g->none)
		return 0;
	if (!g->have_win || iova < g->lo || iova > g->hi)
		if (refill(g, iova))
			return -1;
	size_t a = 0, b = g->next;   /* the last extent starting at or below iova */
	while (a < b) {
		size_t m = a + (b - a) / 2;
		if (g->ext[m].iova <= iova)
			a = m + 1;
		else
			b = m;
	}
	if (!a)
		return 0;
	const struct gext *e = &g->ext[a - 1];
	if (iova - e->iova >= e->size)
		return 0;
	*gpa = e->gpa + (iova - e->iova);
	*perm = e->perm;
	return 1;
}
