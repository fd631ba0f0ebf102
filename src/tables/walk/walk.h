/* SPDX-License-Identifier: GPL-2.0-or-later */
/* walk.h - hardware page-table walkers (after libkdumpfile's addrxlat): a
 * generic iterative radix walk (engine.c) driven by one entry decoder per
 * format (x86.c: x86-64, also VT-d first level and AMD-Vi v2; vtd_decode.c:
 * VT-d second level; amd.c: AMD-Vi v1), and the start points that find a
 * device's table (vtd.c, amd.c).
 *
 * Walkers read memory only through the page reader in struct iv_walk_mem:
 * they never call a source or the ELF reader, so they can run on in-memory
 * tables (tests/test-walk.c). This header includes core/model headers only. */
#ifndef IV_WALK_H
#define IV_WALK_H
#include "leaf.h"
#include "pte.h"

/* The page reader. page(arg, pa): the 512 words of the 4 KiB page at pa
 * (page aligned), valid until the next call; NULL after iv_error() naming pa.
 * name: the memory's name for messages (the image file). */
struct iv_walk_mem {
	const uint64_t *(*page)(void *arg, uint64_t pa);
	void *arg;
	const char *name;
	struct iv_run *run;     /* errors and the leaves counter go to this run */
};

/* Read one 64-bit word (8-byte aligned) through the page reader. 0 or -1 (reported). */
int iv_walk_read64(const struct iv_walk_mem *m, uint64_t pa, uint64_t *out);

/* Decode entry pte found at physical address entry_pa in a level-`level`
 * table. Returns 0, or -1 after iv_error() naming entry_pa when the entry is
 * impossible for the format. */
typedef int (*iv_pte_decode_fn)(struct iv_run *run, uint64_t pte, int level, uint64_t entry_pa, struct iv_pte *out);

int iv_pte_vtd_sl(struct iv_run *run, uint64_t pte, int level, uint64_t entry_pa, struct iv_pte *out);  /* vtd_decode.c */
int iv_pte_x86(struct iv_run *run, uint64_t pte, int level, uint64_t entry_pa, struct iv_pte *out);     /* x86.c */
int iv_pte_amd_v1(struct iv_run *run, uint64_t pte, int level, uint64_t entry_pa, struct iv_pte *out);  /* amd.c */
/* iv_error() for a radix-format entry problem (x86.c). */
int iv_pte_report(struct iv_run *run, const char *fmt, enum iv_pte_err e, uint64_t pte, int level, uint64_t entry_pa);

/* A page table to walk. */
struct iv_pt {
	const struct iv_walk_mem *mem;
	uint64_t root;          /* top-level table (page aligned) */
	int levels;             /* 1..6 */
	iv_pte_decode_fn decode;
};

/* Stream the leaves intersecting [lo, hi] in ascending IOVA order (iterative,
 * depth <= levels, IOVAs within what `levels` can map). Every table page is
 * read at most once per walk: a pointer back to a table on the current path
 * is a cycle, a second pointer to any table already walked (a DAG: shared
 * sub-tables, a hostile image) is an error naming both entries. One leaf per
 * distinct page (AMD replicated NextLevel-7 entries are reported once).
 * Returns 0, 1 when fn stopped the walk, -1 on error. */
int iv_pt_walk(const struct iv_pt *pt, uint64_t lo, uint64_t hi, iv_leaf_fn fn, void *arg);
/* The same, but a run of 4 KiB leaves of one last-level table with
 * consecutive addresses and the same permissions is one leaf of n pages
 * (level 1, path: the run's first entry; leaves stat: one per page). For
 * consumers that look at pages, not entries (check). */
int iv_pt_walk_runs(const struct iv_pt *pt, uint64_t lo, uint64_t hi, iv_leaf_fn fn, void *arg);

/* Starting points. Both fill t (vendor, mode, levels, root, first_level,
 * passthrough) and pt. Return 0 found, 1 no table (reason in why: entry not
 * present, pass-through), -1 on error (reported).
 *
 * VT-d: root_table is the root-table address; scalable: 1 scalable, 0 legacy,
 * -1 unknown (then: root entry hi with P set => scalable, else legacy). */
int iv_vtd_open(const struct iv_walk_mem *mem, uint64_t root_table, int scalable, const struct iv_bdf *bdf,
		uint32_t pasid, struct iv_table *t, struct iv_pt *pt, char *why, size_t whylen);
/* AMD-Vi: devtab is the device table base (the MMIO register value is
 * accepted: bits 8:0 = size in 4 KiB pages - 1, checked against the device ID). */
int iv_amd_open(const struct iv_walk_mem *mem, uint64_t devtab, const struct iv_bdf *bdf, uint32_t pasid,
		struct iv_table *t, struct iv_pt *pt, char *why, size_t whylen);

#endif
