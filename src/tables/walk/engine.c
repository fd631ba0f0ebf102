/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine.c - the generic page-table walk shared by every table format
 * (walk.h): iterative depth-first over copies of the table pages, entries
 * decoded by the format's function, memory read through the walk context's
 * page reader only.
 *
 * Bounded on hostile tables: a table reached twice (a cycle back to the
 * current path, or two entries sharing a sub-table) is an error naming both
 * entries, so every table page is walked at most once; the set that proves it
 * holds only tables with a non-zero word (a page of its own in the image), so
 * it is at most 16 bytes per 4 KiB of table content. IOVAs stay below what
 * the table's levels can map. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "iv.h"
#include "walk.h"

int iv_walk_read64(const struct iv_walk_mem *m, uint64_t pa, uint64_t *out)
{
	if (pa & 7)
		return iv_error(m->run, "%s: entry address 0x%llx is not 8-byte aligned", m->name, (unsigned long long)pa);
	const uint64_t *p = m->page(m->arg, pa & IV_PAGE_MASK);
	if (!p)
		return -1;
	*out = p[(pa & (IV_PAGE_SIZE - 1)) / 8];
	return 0;
}

/* ---- tables already walked: table address -> the entry that pointed to it ---- */

#define TOP_ENTRY UINT64_MAX      /* "entry" of the top-level table */

struct seen {
	uint64_t *key, *from;     /* key: table | 1 (0 = empty slot) */
	size_t cap, n;
};

static size_t seen_slot(const struct seen *s, uint64_t table)
{
	size_t h = (size_t)(((table >> IV_PAGE_SHIFT) * 0x9e3779b97f4a7c15ULL) >> 32) & (s->cap - 1);
	while (s->key[h] && s->key[h] != (table | 1))
		h = (h + 1) & (s->cap - 1);
	return h;
}

/* The entry that first pointed to table, or 0 when table was not walked. */
static int seen_find(const struct seen *s, uint64_t table, uint64_t *from)
{
	if (!s->cap)
		return 0;
	size_t h = seen_slot(s, table);
	if (!s->key[h])
		return 0;
	*from = s->from[h];
	return 1;
}

static void seen_add(struct seen *s, uint64_t table, uint64_t from)
{
	if (2 * (s->n + 1) > s->cap) {
		struct seen g = { NULL, NULL, s->cap ? 2 * s->cap : 64, 0 };
		g.key = iv_xcalloc(g.cap, sizeof *g.key);
		g.from = iv_xcalloc(g.cap, sizeof *g.from);
		for (size_t i = 0; i < s->cap; i++)
			if (s->key[i]) {
				size_t h = seen_slot(&g, s->key[i] & ~1ULL);
				g.key[h] = s->key[i];
				g.from[h] = s->from[i];
				g.n++;
			}
		free(s->key);
		free(s->from);
		*s = g;
	}
	size_t h = seen_slot(s, table);
	if (!s->key[h]) {
		s->key[h] = table | 1;
		s->from[h] = from;
		s->n++;
	}
}

/* ---- the walk ---- */

struct frame {
	uint64_t table, base;
	int level;
	unsigned idx, end;
	uint64_t e[512];          /* a copy of the table page */
};

/* Read a table into f; remember it when it holds anything (from: the entry
 * address that pointed to it). */
static int push(const struct iv_pt *pt, struct seen *seen, struct frame *f, uint64_t table, uint64_t from,
		uint64_t base, int level, uint64_t lo, uint64_t hi)
{
	const uint64_t *p = pt->mem->page(pt->mem->arg, table);
	if (!p)
		return -1;
	uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
	for (unsigned i = 0; i < 512; i += 4) {   /* copy, and see whether it holds anything */
		a0 |= f->e[i] = p[i];
		a1 |= f->e[i + 1] = p[i + 1];
		a2 |= f->e[i + 2] = p[i + 2];
		a3 |= f->e[i + 3] = p[i + 3];
	}
	uint64_t any = a0 | a1 | a2 | a3;
	if (any)
		seen_add(seen, table, from);
	f->table = table;
	f->base = base;
	f->level = level;
	int shift = IV_LEVEL_SHIFT(level);
	uint64_t a = lo > base ? (lo - base) >> shift : 0, b = (hi - base) >> shift;
	f->idx = a > 511 ? 512 : (unsigned)a;
	f->end = b > 511 ? 511 : (unsigned)b;
	return 0;
}

static int check_child(struct iv_run *run, const struct frame *st, int sp, const struct seen *seen, const struct iv_pte *d,
		       uint64_t pte, uint64_t epa)
{
	int level = st[sp - 1].level;
	if (d->next_level < 1 || d->next_level >= level)
		return iv_error(run, "table entry 0x%016llx at physical 0x%llx: next level %d at level %d",
				(unsigned long long)pte, (unsigned long long)epa, d->next_level, level);
	for (int k = 0; k < sp; k++)
		if (st[k].table == d->addr)
			return iv_error(run, "table entry 0x%016llx at physical 0x%llx (level %d) points back to the "
					"level-%d table at 0x%llx: a cycle in the page tables",
					(unsigned long long)pte, (unsigned long long)epa, level,
					st[k].level, (unsigned long long)d->addr);
	uint64_t from;
	if (!seen_find(seen, d->addr, &from))
		return 0;
	if (from == TOP_ENTRY)
		return iv_error(run, "table entry 0x%016llx at physical 0x%llx (level %d) points to the top-level "
				"table at 0x%llx: a table reached twice (corrupt or hostile image)",
				(unsigned long long)pte, (unsigned long long)epa, level, (unsigned long long)d->addr);
	return iv_error(run, "table entry 0x%016llx at physical 0x%llx (level %d) points to the table at 0x%llx "
			"that the entry at physical 0x%llx already points to: a table reached twice "
			"(shared sub-tables; corrupt or hostile image)", (unsigned long long)pte,
			(unsigned long long)epa, level, (unsigned long long)d->addr, (unsigned long long)from);
}

static int emit(struct iv_run *run, const struct frame *st, int sp, const uint64_t *path, const struct iv_pte *d,
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
	run->st.leaves++;
	*next = l.iova + l.size;
	int r = fn(arg, &l);
	return r < 0 ? -1 : r;
}

/* Runs mode, a last-level table of 4 KiB leaves whose format is known (VT-d
 * second level, x86 first level): one pass over the entries, each run of
 * leaves with consecutive addresses and the same permissions emitted as one
 * leaf of n pages (path: the run's first entry). Any other entry (an error
 * for the decoder) goes through the decoder, which reports it. */
static int level1_runs(const struct iv_pt *pt, struct frame *f, int sp, uint64_t *path, iv_leaf_fn fn, void *arg)
{
	bool sl = pt->decode == iv_pte_vtd_sl;
	unsigned i = f->idx, end = f->end, n = 0, rperm = 0;
	uint64_t rpa = 0, riova = 0, rpte = 0;
	struct iv_leaf l;
	l.level = 1;
	l.npath = sp;
	memcpy(l.path, path, (size_t)(sp - 1) * sizeof *path);
	f->idx = end + 1;
	for (;; i++) {
		uint64_t pte = i <= end ? f->e[i] : 0;
		unsigned perm = sl ? (pte & 1 ? IV_PERM_R : 0) | (pte & 2 ? IV_PERM_W : 0)
				   : (pte & 1 ? IV_PERM_R | (pte & 2 ? IV_PERM_W : 0) : 0);
		uint64_t pa = pte & IV_ADDR_MASK;
		if (perm && !(sl && (pte & IV_PTE_PS)) && n && perm == rperm && pa == rpa + ((uint64_t)n << IV_PAGE_SHIFT)) {
			n++;
			continue;
		}
		if (n) {    /* the run ends */
			l.iova = riova;
			l.size = (uint64_t)n << IV_PAGE_SHIFT;
			l.phys = rpa;
			l.perm = rperm;
			l.path[sp - 1] = rpte;
			pt->mem->run->st.leaves += n;
			int r = fn(arg, &l);
			if (r)
				return r < 0 ? -1 : r;
			n = 0;
		}
		if (i > end)
			return 0;
		if (!perm)
			continue;
		if (sl && (pte & IV_PTE_PS)) {   /* not a 4 KiB leaf: the decoder says what is wrong */
			struct iv_pte d;
			if (pt->decode(pt->mem->run, pte, 1, f->table + i * 8ULL, &d))
				return -1;
			return iv_error(pt->mem->run, "level-1 entry 0x%016llx at physical 0x%llx: not a 4 KiB leaf",
					(unsigned long long)pte, (unsigned long long)(f->table + i * 8ULL));
		}
		riova = f->base + ((uint64_t)i << IV_PAGE_SHIFT);
		rpa = pa;
		rperm = perm;
		rpte = pte;
		n = 1;
		/* the hot loop: the next entries are this one with the address 4 KiB
		 * higher each (same bits otherwise: a valid leaf with the same
		 * permissions), and no carry out of the address field */
		uint64_t room = (IV_ADDR_MASK - pa) >> IV_PAGE_SHIFT;   /* pages before the carry */
		unsigned lim = room < end - i ? i + (unsigned)room : end;
		const uint64_t *p = f->e + i + 1, *q = f->e + lim + 1;
		uint64_t x = pte + IV_PAGE_SIZE;
		const uint64_t P = IV_PAGE_SIZE;
		while (q - p >= 4 && !((p[0] ^ x) | (p[1] ^ (x + P)) | (p[2] ^ (x + 2 * P)) | (p[3] ^ (x + 3 * P)))) {
			p += 4;
			x += 4 * P;
		}
		while (p < q && *p == x) {
			p++;
			x += P;
		}
		unsigned adv = (unsigned)(p - (f->e + i + 1));
		i += adv;
		n += adv;
	}
}

static int walk(const struct iv_pt *pt, struct seen *seen, struct frame *st, uint64_t lo, uint64_t hi,
		iv_leaf_fn fn, void *arg, bool runs)
{
	uint64_t path[6];
	runs = runs && (pt->decode == iv_pte_vtd_sl || pt->decode == iv_pte_x86);
	if (push(pt, seen, &st[0], pt->root, TOP_ENTRY, 0, pt->levels, lo, hi))
		return iv_error(pt->mem->run, "reading the top-level table at 0x%llx", (unsigned long long)pt->root);
	int sp = 1;
	while (sp > 0) {
		struct frame *f = &st[sp - 1];
		if (f->idx > f->end) {
			sp--;
			continue;
		}
		if (runs && f->level == 1) {
			int r = level1_runs(pt, f, sp, path, fn, arg);
			if (r)
				return r;
			continue;
		}
		unsigned i = f->idx++;
		uint64_t pte = f->e[i];
		if (!pte)
			continue;
		uint64_t epa = f->table + i * 8ULL, ebase = f->base + ((uint64_t)i << IV_LEVEL_SHIFT(f->level));
		struct iv_pte d;
		if (pt->decode(pt->mem->run, pte, f->level, epa, &d))
			return -1;
		if (d.kind == IV_PTE_NONE)
			continue;
		path[sp - 1] = pte;
		if (d.kind == IV_PTE_TABLE) {
			if (check_child(pt->mem->run, st, sp, seen, &d, pte, epa))
				return -1;
			if (push(pt, seen, &st[sp], d.addr, epa, ebase, d.next_level, lo, hi))
				return iv_error(pt->mem->run, "reading the level-%d table at 0x%llx (entry 0x%016llx at 0x%llx)",
						d.next_level, (unsigned long long)d.addr, (unsigned long long)pte,
						(unsigned long long)epa);
			sp++;
			continue;
		}
		uint64_t next;
		int r = emit(pt->mem->run, st, sp, path, &d, ebase, fn, arg, &next);
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

static int pt_walk(const struct iv_pt *pt, uint64_t lo, uint64_t hi, iv_leaf_fn fn, void *arg, bool runs)
{
	if (pt->levels < 1 || pt->levels > 6)
		return iv_error(pt->mem->run, "%s: %d page-table levels", pt->mem->name, pt->levels);
	if (pt->levels < 6) {              /* the table maps [0, 2^(12 + 9 * levels)) */
		uint64_t top = (1ULL << IV_LEVEL_SHIFT(pt->levels + 1)) - 1;
		if (lo > top)
			return 0;
		if (hi > top)
			hi = top;
	}
	if (lo > hi)
		return 0;
	struct frame *st = iv_xmalloc(6 * sizeof *st);
	struct seen seen = { NULL, NULL, 0, 0 };
	int r = walk(pt, &seen, st, lo, hi, fn, arg, runs);
	free(seen.key);
	free(seen.from);
	free(st);
	return r;
}

int iv_pt_walk(const struct iv_pt *pt, uint64_t lo, uint64_t hi, iv_leaf_fn fn, void *arg)
{
	return pt_walk(pt, lo, hi, fn, arg, false);
}

int iv_pt_walk_runs(const struct iv_pt *pt, uint64_t lo, uint64_t hi, iv_leaf_fn fn, void *arg)
{
	return pt_walk(pt, lo, hi, fn, arg, true);
}
