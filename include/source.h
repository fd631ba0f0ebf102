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
	int (*open)(struct iv_run *run, const struct iv_bdf *bdf, uint32_t pasid, struct iv_table *t,
		    void **handle, char *why, size_t whylen);   /* the handle keeps run */
	/* Stream the leaves whose IOVA range intersects [lo, hi] in ascending order. */
	int (*walk)(void *handle, uint64_t lo, uint64_t hi, iv_leaf_fn fn, void *arg);
	void (*close)(void *handle);
	/* Read the table anew: the walks after it see the table as it is now
	 * (check's re-read of its findings). NULL when every walk reads the
	 * current table anyway (the memory walk). 0, or -1 on error (reported).
	 * The debugfs source reads its file once per open and once per refresh
	 * (the kernel builds the whole dump again for every read). */
	int (*refresh)(void *handle);
	/* walk, with a run of 4 KiB leaves (consecutive addresses, same
	 * permissions) as one leaf of n pages (iv_pt_walk_runs); NULL: walk. */
	int (*walk_runs)(void *handle, uint64_t lo, uint64_t hi, iv_leaf_fn fn, void *arg);
};

extern const struct iv_source_ops iv_source_debugfs;   /* src/src_debugfs.c */
extern const struct iv_source_ops iv_source_memory;    /* src/src_memory.c */
/* The debugfs source as auto uses it: the dump is opened only when the size
 * gate lets it (iv_dump_gate). */
extern const struct iv_source_ops iv_source_debugfs_auto;

/* ---- the size gate of the debugfs dump (src/tables/dumpgate.c) ----
 * The kernel builds a debugfs page-table dump as one seq_file record under
 * iommu->lock, doubling its buffer and walking again until it fits (up to
 * 1 GiB; field-notes §1). Before auto opens one, the gate estimates its size
 * from what the host says about the mappings behind it. */
struct iv_dma_estimate {
	uint64_t bytes;          /* bytes mapped (pinned) */
	uint64_t huge_bytes;     /* of which backed by 2 MiB or larger pages (one row each) */
	char basis[256];         /* where the figures come from, e.g. "VmLck of pid 4242" */
};
/* Estimate the mappings of the domain of bdf, or of every device (bdf NULL:
 * 6.1's global file). Returns 0 (e filled), 1 unknown (why). */
typedef int (*iv_dma_estimator)(struct iv_run *run, const struct iv_bdf *bdf, struct iv_dma_estimate *e, char *why, size_t whylen);
/* The run's estimator is run->dma_estimate (include/iv.h), set by the command
 * layer (the estimate needs the host layer); NULL: no estimate. */
/* The second route (issue 14.2): the RAM of the guest memory map of the
 * device's owner (--gpa-map, --qmp), set by check while it checks that
 * process (0: none), kept in the run. Used only when the estimator has no
 * estimate, only for a per-device file, and as if every byte were mapped with
 * 4 KiB pages (the largest dump that RAM can give). how: "file", "qmp". */
void iv_dump_set_map_hint(struct iv_run *run, uint64_t ram_bytes, const char *how);
#define IV_DEBUGFS_MAX_MIB_DEFAULT 64
/* Kernel buffer (bytes) of a dump of e's mappings: rows of ~112 bytes, in a
 * power-of-two buffer from one page up. */
uint64_t iv_dump_kernel_bytes(const struct iv_dma_estimate *e);
/* 0: open the dump; 1: skip it (why: the estimate and the bound, or that no
 * estimate can be made and the command must be safe: run->opt.debugfs_unsized_skip). */
int iv_dump_gate(struct iv_run *run, const struct iv_bdf *bdf, bool per_device, char *why, size_t whylen);

/* Whether the memory walk can run for a device: the image (--memory, else
 * /proc/kcore) can be opened and a start point is known (include/start.h).
 * Returns 1 yes, 0 no (why), -1 on an error (reported). */
int iv_memory_usable(struct iv_run *run, const struct iv_bdf *bdf, char *why, size_t whylen);

/* Open a device's table from the source the run asks for (--source). auto:
 * the memory walk whenever it is usable (iv_memory_usable), the debugfs
 * page-table dump only when it is not. Fills *ops. Same return convention as
 * open. */
int iv_source_open(struct iv_run *run, const struct iv_bdf *bdf, uint32_t pasid, struct iv_table *t,
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
