/* SPDX-License-Identifier: GPL-2.0-or-later */
/* leaf.h - the page-table model every layer above core shares: vendor, mode,
 * one leaf entry, what was found about a device's table. The walkers
 * (src/tables/walk) produce it, the sources (source.h) stream it; this header
 * depends on core headers only, so the walkers need nothing above them. */
#ifndef IV_LEAF_H
#define IV_LEAF_H
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
	uint32_t rid_pasid;    /* VT-d scalable context entry's RID_PASID (bits 83:64), 0 otherwise */
	bool passthrough;      /* identity/pass-through: no table to read */
	uint64_t root;         /* physical address of the top-level table, if known */
	const char *source;    /* "debugfs" or "memory" (static string) */
	char origin[4096];     /* file the table is read from (debugfs file, ELF image) */
};

#endif
