/* walk.h - hardware page-table walkers over physical memory (one step
 * function per table format, after libkdumpfile's addrxlat).
 * src/walk_vtd.c, src/walk_amd.c; the generic radix walk is in src/src_memory.c. */
#ifndef IV_WALK_H
#define IV_WALK_H
#include "source.h"
#include "physmem.h"

/* Levels: 1 = the table whose entries map 4 KiB; an entry at level L spans
 * 1 << (12 + 9*(L-1)) bytes of IOVA. */
#define IV_LEVEL_SHIFT(l) (12 + 9 * ((l) - 1))
#define IV_ADDR_MASK      0x000ffffffffff000ULL   /* bits 51:12 */

enum iv_pte_kind { IV_PTE_NONE = 0, IV_PTE_TABLE, IV_PTE_LEAF };

/* One decoded table entry. */
struct iv_pte {
	enum iv_pte_kind kind;
	uint64_t addr;      /* TABLE: next table; LEAF: first byte of the page (size aligned) */
	uint64_t size;      /* LEAF: page size in bytes (>= the entry's span) */
	int next_level;     /* TABLE: level of the table pointed to (< current level) */
	unsigned perm;      /* LEAF: IV_PERM_R | IV_PERM_W (from the leaf entry only) */
};

/* Decode entry pte found at physical address entry_pa in a level-`level`
 * table. Returns 0, or -1 after iv_error() naming entry_pa when the entry is
 * impossible for the format. */
typedef int (*iv_pte_decode_fn)(uint64_t pte, int level, uint64_t entry_pa, struct iv_pte *out);

int iv_pte_vtd_sl(uint64_t pte, int level, uint64_t entry_pa, struct iv_pte *out);  /* VT-d second level */
int iv_pte_x86(uint64_t pte, int level, uint64_t entry_pa, struct iv_pte *out);     /* VT-d FL, AMD v2 */
int iv_pte_amd_v1(uint64_t pte, int level, uint64_t entry_pa, struct iv_pte *out);  /* AMD-Vi v1 */

/* A page table to walk. */
struct iv_pt {
	struct iv_physmem *pm;
	uint64_t root;          /* top-level table (page aligned) */
	int levels;             /* 1..6 */
	iv_pte_decode_fn decode;
};

/* Stream the leaves intersecting [lo, hi] in ascending IOVA order (iterative,
 * depth <= levels; a pointer back to a table on the current path is an
 * error). One leaf per distinct page (AMD replicated NextLevel-7 entries are
 * reported once). Returns 0, 1 when fn stopped the walk, -1 on error. */
int iv_pt_walk(const struct iv_pt *pt, uint64_t lo, uint64_t hi, iv_leaf_fn fn, void *arg);

/* Read one 64-bit word through the page cache (table/context/DTE reads). */
int iv_pt_read64(struct iv_physmem *pm, uint64_t pa, uint64_t *out);

/* Starting points. Both fill t (vendor, mode, levels, root, first_level,
 * passthrough) and pt. Return 0 found, 1 no table (reason in why: entry not
 * present, pass-through), -1 on error (reported).
 *
 * VT-d: root_table is the root-table address; scalable: 1 scalable, 0 legacy,
 * -1 unknown (then: root entry hi with P set => scalable, else legacy). */
int iv_vtd_open(struct iv_physmem *pm, uint64_t root_table, int scalable, const struct iv_bdf *bdf,
		uint32_t pasid, struct iv_table *t, struct iv_pt *pt, char *why, size_t whylen);
/* AMD-Vi: devtab is the device table base (the MMIO register value is
 * accepted: bits 8:0 = size in 4 KiB pages - 1, checked against the device ID). */
int iv_amd_open(struct iv_physmem *pm, uint64_t devtab, const struct iv_bdf *bdf, uint32_t pasid,
		struct iv_table *t, struct iv_pt *pt, char *why, size_t whylen);

#endif
