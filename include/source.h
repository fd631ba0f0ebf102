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

#define IV_PERM_R 1u
#define IV_PERM_W 2u

enum iv_vendor { IV_VENDOR_UNKNOWN = 0, IV_VENDOR_INTEL, IV_VENDOR_AMD };
enum iv_mode {
	IV_MODE_UNKNOWN = 0,
	IV_MODE_LEGACY,      /* VT-d legacy context, second-level table */
	IV_MODE_SCALABLE,    /* VT-d scalable mode (PASID table); see first_level */
	IV_MODE_AMD_V1,      /* AMD-Vi host page table */
	IV_MODE_AMD_V2,      /* AMD-Vi GCR3 / x86 format */
};
const char *iv_vendor_name(enum iv_vendor v);   /* "intel", "amd", "unknown" */
const char *iv_mode_name(enum iv_mode m);       /* "legacy", "scalable", "v1", "v2", "unknown" */

/* One leaf entry of an IOMMU page table. */
struct iv_leaf {
	uint64_t iova;       /* first IOVA the leaf maps (aligned to size) */
	uint64_t size;       /* bytes: 4 KiB, 2 MiB, 1 GiB, AMD encoded sizes */
	uint64_t phys;       /* host physical address of the first byte */
	unsigned perm;       /* IV_PERM_R | IV_PERM_W */
	int level;           /* 1 = last-level table (4 KiB); 2 = 2 MiB; 3 = 1 GiB ... */
	int npath;           /* raw entries along the walk, top first */
	uint64_t path[6];
};

/* Called for each leaf; return 0 to continue, 1 to stop early (not an error),
 * -1 on error (already reported). */
typedef int (*iv_leaf_fn)(void *arg, const struct iv_leaf *leaf);

/* What was found about a device's table. */
struct iv_table {
	struct iv_bdf bdf;
	uint32_t pasid;
	enum iv_vendor vendor;
	enum iv_mode mode;
	int levels;            /* page-table levels (3, 4, 5; AMD 1..6) */
	bool first_level;      /* VT-d scalable first-level (x86 format) table */
	bool passthrough;      /* identity/pass-through: no table to read */
	uint64_t root;         /* physical address of the top-level table, if known */
	const char *source;    /* "debugfs" or "memory" (static string) */
	char origin[4096];     /* file the table is read from (debugfs file, ELF image) */
};

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
