/* src_memory.c - page tables walked in physical memory (an ELF image:
 * /proc/kcore by default, --memory FILE), and the generic radix-tree walk
 * shared by every table format (include/walk.h).
 *
 * Starting points come from the one start-point policy (include/start.h,
 * src/tables/start.c): options, debugfs metadata hints, kernel symbols. */
#include "config.h"
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include "start.h"
#include "walk.h"

/* ---- the generic walk ---- */

struct frame {
	uint64_t table, base;
	int level;
	unsigned idx, end;
	uint64_t e[512];          /* a copy of the table page */
};

int iv_pt_read64(struct iv_physmem *pm, uint64_t pa, uint64_t *out)
{
	if (pa & 7)
		return iv_error("%s: entry address 0x%llx is not 8-byte aligned", iv_physmem_name(pm),
				(unsigned long long)pa);
	const uint64_t *p = iv_physmem_page(pm, pa & IV_PAGE_MASK);
	if (!p)
		return -1;
	*out = p[(pa & (IV_PAGE_SIZE - 1)) / 8];
	return 0;
}

static int push(const struct iv_pt *pt, struct frame *f, uint64_t table, uint64_t base, int level,
		uint64_t lo, uint64_t hi)
{
	const uint64_t *p = iv_physmem_page(pt->pm, table);
	if (!p)
		return -1;
	memcpy(f->e, p, sizeof f->e);
	f->table = table;
	f->base = base;
	f->level = level;
	int shift = IV_LEVEL_SHIFT(level);
	uint64_t a = lo > base ? (lo - base) >> shift : 0, b = (hi - base) >> shift;
	f->idx = a > 511 ? 512 : (unsigned)a;
	f->end = b > 511 ? 511 : (unsigned)b;
	return 0;
}

static int check_child(const struct frame *st, int sp, const struct iv_pte *d, uint64_t pte, uint64_t epa)
{
	if (d->next_level < 1 || d->next_level >= st[sp - 1].level)
		return iv_error("table entry 0x%016llx at physical 0x%llx: next level %d at level %d",
				(unsigned long long)pte, (unsigned long long)epa, d->next_level, st[sp - 1].level);
	for (int k = 0; k < sp; k++)
		if (st[k].table == d->addr)
			return iv_error("table entry 0x%016llx at physical 0x%llx (level %d) points back to the "
					"level-%d table at 0x%llx: a cycle in the page tables",
					(unsigned long long)pte, (unsigned long long)epa, st[sp - 1].level,
					st[k].level, (unsigned long long)d->addr);
	return 0;
}

static int emit(const struct frame *st, int sp, const uint64_t *path, const struct iv_pte *d,
		uint64_t ebase, iv_leaf_fn fn, void *arg, uint64_t *next)
{
	struct iv_leaf l;
	l.size = d->size;
	l.iova = ebase & ~(d->size - 1);
	l.phys = d->addr;
	l.perm = d->perm;
	l.level = st[sp - 1].level;
	l.npath = sp;
	memcpy(l.path, path, (size_t)sp * sizeof *path);
	iv_g->st.leaves++;
	*next = l.iova + l.size;
	int r = fn(arg, &l);
	return r < 0 ? -1 : r;
}

int iv_pt_walk(const struct iv_pt *pt, uint64_t lo, uint64_t hi, iv_leaf_fn fn, void *arg)
{
	struct frame st[6];
	uint64_t path[6];
	if (pt->levels < 1 || pt->levels > 6)
		return iv_error("%s: %d page-table levels", iv_physmem_name(pt->pm), pt->levels);
	if (pt->levels < 6 && (lo >> IV_LEVEL_SHIFT(pt->levels + 1)))
		return 0;                       /* beyond what the table can map */
	if (lo > hi)
		return 0;
	if (push(pt, &st[0], pt->root, 0, pt->levels, lo, hi))
		return iv_error("reading the top-level table at 0x%llx", (unsigned long long)pt->root);
	int sp = 1;
	while (sp > 0) {
		struct frame *f = &st[sp - 1];
		if (f->idx > f->end) {
			sp--;
			continue;
		}
		unsigned i = f->idx++;
		uint64_t pte = f->e[i];
		if (!pte)
			continue;
		uint64_t epa = f->table + i * 8ULL, ebase = f->base + ((uint64_t)i << IV_LEVEL_SHIFT(f->level));
		struct iv_pte d;
		if (pt->decode(pte, f->level, epa, &d))
			return -1;
		if (d.kind == IV_PTE_NONE)
			continue;
		path[sp - 1] = pte;
		if (d.kind == IV_PTE_TABLE) {
			if (check_child(st, sp, &d, pte, epa))
				return -1;
			if (push(pt, &st[sp], d.addr, ebase, d.next_level, lo, hi))
				return iv_error("reading the level-%d table at 0x%llx (entry 0x%016llx at 0x%llx)",
						d.next_level, (unsigned long long)d.addr, (unsigned long long)pte,
						(unsigned long long)epa);
			sp++;
			continue;
		}
		uint64_t next;
		int r = emit(st, sp, path, &d, ebase, fn, arg, &next);
		if (r)
			return r;
		if (next == 0 || next - 1 >= hi)
			return 0;
		uint64_t ni = (next - f->base) >> IV_LEVEL_SHIFT(f->level);   /* skip replicas */
		if (ni > f->idx)
			f->idx = ni > 512 ? 512 : (unsigned)ni;
	}
	return 0;
}

/* ---- the source ---- */

struct mem_handle {
	struct iv_physmem *pm;
	struct iv_pt pt;
};

static int mem_resolve(struct mem_handle *h, const struct iv_start *s, int n, const struct iv_bdf *bdf,
		       uint32_t pasid, struct iv_table *t, char *why, size_t whylen)
{
	int r = 1;
	size_t used = 0;
	for (int i = 0; i < n && r == 1; i++) {
		char w[512] = "";
		t->passthrough = false;
		r = s[i].vendor == IV_VENDOR_AMD ? iv_amd_open(h->pm, s[i].addr, bdf, pasid, t, &h->pt, w, sizeof w)
			     : iv_vtd_open(h->pm, s[i].addr, s[i].scalable, bdf, pasid, t, &h->pt, w, sizeof w);
		if (r == 1 && used < whylen) {
			snprintf(why + used, whylen - used, "%s%s", used ? "; " : "", w);
			used += strlen(why + used);
		}
	}
	return r;
}

int iv_memory_usable(const struct iv_bdf *bdf, char *why, size_t whylen)
{
	char kc[4096];
	if (!iv_g->memory) {
		const char *path = iv_path(kc, sizeof kc, "/proc/kcore");
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			snprintf(why, whylen, "%s: %s", path, strerror(errno));
			return 0;
		}
		close(fd);
	}
	struct iv_start s[IV_MAX_STARTS];
	int n = iv_starts_find(bdf, s, IV_MAX_STARTS, why, whylen);
	return n < 0 ? -1 : n > 0;
}

static int mem_open(const struct iv_bdf *bdf, uint32_t pasid, struct iv_table *t, void **handle,
		    char *why, size_t whylen)
{
	struct iv_start s[IV_MAX_STARTS];
	int n = iv_starts_find(bdf, s, IV_MAX_STARTS, why, whylen);
	if (n <= 0)
		return n < 0 ? -1 : 1;
	char kc[4096];
	const char *path = iv_g->memory ? iv_g->memory : iv_path(kc, sizeof kc, "/proc/kcore");
	if (!iv_g->memory && access(path, F_OK) != 0) {
		/* no default image: this source is unavailable, not broken */
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return 1;
	}
	struct mem_handle *h = iv_xcalloc(1, sizeof *h);
	h->pm = iv_physmem_open(path);
	if (!h->pm) {
		free(h);
		return -1;
	}
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

static void mem_close(void *handle)
{
	struct mem_handle *h = handle;
	if (!h)
		return;
	iv_physmem_close(h->pm);
	free(h);
}

const struct iv_source_ops iv_source_memory = { "memory", mem_open, mem_walk, mem_close };
