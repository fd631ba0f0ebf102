/* SPDX-License-Identifier: GPL-2.0-or-later */
/* source.h - where IOMMU translations come from, and the leaf/extent model.
 *
 * A source (debugfs text, a memory walk of VT-d or AMD-Vi tables) opens the
 * page table of one device (and PASID) and streams its leaves in ascending
 * IOVA order. Everything downstream (dump, lookup, check) works on leaves. */
#ifndef IV_SOURCE_H
#define IV_SOURCE_H
#include <limits.h>
#include "iv.h"
#include "bdf.h"
#include "leaf.h"      /* the leaf / table model (below the sources) */

/* A source of page tables. */
struct iv_source_ops {
	const char *name;    /* "debugfs", "memory" */
	/* Find the table of a device. Returns 0 when found (t filled, *handle set),
	 * 1 when this source has no table for the device (reason in why, not an
	 * error: the caller may try another source), -1 on error (reported). */
	int (*open)(const struct iv_bdf *bdf, uint32_t pasid, struct iv_table *t,
		    void **handle, char *why, size_t whylen);
	/* Stream the leaves whose IOVA range intersects [lo, hi] in ascending order. */
	int (*walk)(void *handle, uint64_t lo, uint64_t hi, iv_leaf_fn fn, void *arg);
	void (*close)(void *handle);
};

extern const struct iv_source_ops iv_source_debugfs;   /* src/src_debugfs.c */
extern const struct iv_source_ops iv_source_memory;    /* src/src_memory.c */

/* Open a device's table from the source the run asks for (--source), trying
 * debugfs then memory for auto. Fills *ops. Same return convention as open. */
int iv_source_open(const struct iv_bdf *bdf, uint32_t pasid, struct iv_table *t,
		   const struct iv_source_ops **ops, void **handle, char *why, size_t whylen);

/* Coalesced extents: a run of IOVA pages whose PFNs are consecutive and whose
 * permissions and leaf page size are equal. */
struct iv_extent {
	uint64_t iova, size, pfn, page_size;
	unsigned perm;
};
typedef int (*iv_extent_fn)(void *arg, const struct iv_extent *e);
struct iv_coalescer {
	struct iv_extent cur;
	bool have;
	iv_extent_fn fn;
	void *arg;
};
void iv_coalesce_init(struct iv_coalescer *c, iv_extent_fn fn, void *arg);
int iv_coalesce_leaf(struct iv_coalescer *c, const struct iv_leaf *l);   /* usable as iv_leaf_fn */
int iv_coalesce_flush(struct iv_coalescer *c);

/* "rw", "r-", "-w", "--" */
const char *iv_perm_str(unsigned perm);

#endif
