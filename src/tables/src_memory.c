/* SPDX-License-Identifier: GPL-2.0-or-later */
/* src_memory.c - page tables walked in physical memory (an ELF image:
 * /proc/kcore by default, --memory FILE): the walkers of walk/ (walk.h) read
 * the image through a page reader over physmem.c.
 *
 * Starting points come from the one start-point policy (include/start.h,
 * src/tables/start.c): options, debugfs metadata hints, kernel symbols. */
#include "config.h"
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include "source.h"
#include "start.h"
#include "physmem.h"
#include "walk.h"

/* ---- the source ---- */

struct mem_handle {
	struct iv_physmem *pm;
	struct iv_walk_mem mem;    /* the walkers' page reader: physmem's page cache */
	struct iv_pt pt;
};

static const uint64_t *mem_page(void *pm, uint64_t pa)
{
	return iv_physmem_page(pm, pa);
}

static int mem_resolve(struct mem_handle *h, const struct iv_start *s, int n, const struct iv_bdf *bdf,
		       uint32_t pasid, struct iv_table *t, char *why, size_t whylen)
{
	int r = 1;
	size_t used = 0;
	for (int i = 0; i < n && r == 1; i++) {
		char w[512] = "";
		t->passthrough = false;
		r = s[i].vendor == IV_VENDOR_AMD ? iv_amd_open(&h->mem, s[i].addr, bdf, pasid, t, &h->pt, w, sizeof w)
			     : iv_vtd_open(&h->mem, s[i].addr, s[i].scalable, bdf, pasid, t, &h->pt, w, sizeof w);
		if (r == 1 && used < whylen) {
			snprintf(why + used, whylen - used, "%s%s", used ? "; " : "", w);
			used += strlen(why + used);
		}
	}
	return r;
}

int iv_memory_usable(struct iv_run *run, const struct iv_bdf *bdf, char *why, size_t whylen)
{
	char kc[4096];
	if (!run->opt.memory) {
		const char *path = iv_path(run, kc, sizeof kc, "/proc/kcore");
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			snprintf(why, whylen, "%s: %s", path, strerror(errno));
			return 0;
		}
		close(fd);
	}
	struct iv_start s[IV_MAX_STARTS];
	int n = iv_starts_find(run, bdf, s, IV_MAX_STARTS, why, whylen);
	return n < 0 ? -1 : n > 0;
}

static int mem_open(struct iv_run *run, const struct iv_bdf *bdf, uint32_t pasid, struct iv_table *t, void **handle,
		    char *why, size_t whylen)
{
	struct iv_start s[IV_MAX_STARTS];
	int n = iv_starts_find(run, bdf, s, IV_MAX_STARTS, why, whylen);
	if (n <= 0)
		return n < 0 ? -1 : 1;
	char kc[4096];
	const char *path = run->opt.memory ? run->opt.memory : iv_path(run, kc, sizeof kc, "/proc/kcore");
	if (!run->opt.memory && access(path, F_OK) != 0) {
		/* no default image: this source is unavailable, not broken */
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return 1;
	}
	struct mem_handle *h = iv_xcalloc(1, sizeof *h);
	h->pm = iv_physmem_open(run, path);
	if (!h->pm) {
		free(h);
		return -1;
	}
	h->mem = (struct iv_walk_mem){ mem_page, h->pm, iv_physmem_name(h->pm), run };
	t->bdf = *bdf;
	t->pasid = pasid;
	t->source = "memory";
	snprintf(t->origin, sizeof t->origin, "%s", path);
	why[0] = 0;
	int r = mem_resolve(h, s, n, bdf, pasid, t, why, whylen);
	if (r != 0) {
		iv_physmem_close(h->pm);
		free(h);
		return r;
	}
	*handle = h;
	return 0;
}

static int mem_walk(void *handle, uint64_t lo, uint64_t hi, iv_leaf_fn fn, void *arg)
{
	struct mem_handle *h = handle;
	return iv_pt_walk(&h->pt, lo, hi, fn, arg);
}

static int mem_walk_runs(void *handle, uint64_t lo, uint64_t hi, iv_leaf_fn fn, void *arg)
{
	struct mem_handle *h = handle;
	return iv_pt_walk_runs(&h->pt, lo, hi, fn, arg);
}

static void mem_close(void *handle)
{
	struct mem_handle *h = handle;
	if (!h)
		return;
	iv_physmem_close(h->pm);
	free(h);
}

const struct iv_source_ops iv_source_memory = { "memory", mem_open, mem_walk, mem_close, NULL, mem_walk_runs };
