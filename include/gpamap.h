/* gpamap.h - guest physical -> QEMU virtual address maps.
 * Sources: QMP (src/qmp.c: info mtree -f, info ramblock / gpa2hva), a JSON file
 * (src/gpamap.c), or inferred from pagemap (src/gpamap_infer.c). */
#ifndef IV_GPAMAP_H
#define IV_GPAMAP_H
#include "iv.h"
#include "host.h"

enum iv_sec_type { IV_SEC_RAM = 0, IV_SEC_ROM, IV_SEC_RAMD };

struct iv_gpa_section {
	uint64_t gpa, size, hva;   /* [gpa, gpa+size) maps to [hva, hva+size) */
	char name[96];             /* QEMU region name: pc.ram, pc.bios, "0000:00:02.0 BAR 0 mmaps[0]" */
	bool readonly;             /* rom sections (and readonly:true in the file) */
	enum iv_sec_type type;
	bool have_hva;             /* false: GPA known, HVA not (ramd without host address) */
	uint64_t offset;           /* offset of gpa within the region (mtree "@offset"; 0 from a file) */
};

struct iv_gpa_map {
	struct iv_gpa_section *v;  /* sorted by gpa, non-overlapping */
	size_t n;
	char how[16];              /* "qmp", "file", "inferred" */
	unsigned samples, agreed;  /* inference: samples taken / agreeing with the result */
};

void iv_gpamap_free(struct iv_gpa_map *m);
/* Sort by gpa and check for overlaps (error naming both). 0 ok, -1. */
int iv_gpamap_finish(struct iv_gpa_map *m, const char *origin);
/* Section containing gpa, or NULL. O(log n). */
const struct iv_gpa_section *iv_gpamap_find(const struct iv_gpa_map *m, uint64_t gpa);

/* --gpa-map FILE: [{"gpa":"0x0","size":"0x80000000","hva":"0x7f..","name":"pc.ram","readonly":false,
 * "type":"ram"(optional: ram|rom|ramd)}, ...]. 0 ok, -1 error (file and element named). */
int iv_gpamap_from_file(const char *path, struct iv_gpa_map *m);

/* Parse HMP texts (CRLF tolerated). Used by the QMP client and by tests. */
int iv_mtree_parse(const char *text, const char *origin, struct iv_gpa_map *m); /* AS "memory" flatview: ram/rom/ramd */
/* Name ROM sections after the alias that maps them, from HMP `info mtree`
 * (the tree, not -f): e.g. 0xe0000 (flat view "pc.bios @0x20000") is the
 * "isa-bios" alias of pc.bios. PAM aliases (pam-*) are not used. Lines it
 * does not recognise are ignored (this only improves names). Returns 0. */
int iv_mtree_alias_names(const char *text, struct iv_gpa_map *m);
struct iv_ramblock { char name[96]; uint64_t offset, used, total, hva; bool have_hva, readonly; };
int iv_ramblock_parse(const char *text, const char *origin, struct iv_ramblock **out, size_t *n);

/* --qmp SOCKET: connect, negotiate, info mtree -f, info ramblock, and gpa2hva
 * for sections without an HVA (QEMU < 8.0). Never sends gpa2hpa. Honours
 * iv_g->timeout. 0 ok, -1 error. */
int iv_gpamap_from_qmp(const char *socket_path, struct iv_gpa_map *m);

/* Infer from the process's pagemap: sample IOMMU-mapped (iova, pfn) pairs,
 * find each pfn in the process's large anonymous mappings, derive linear pieces.
 * samples: iova/pfn pairs (4 KiB granularity). 0 ok (m->n may be 0), -1 error. */
struct iv_sample { uint64_t iova, pfn; };
int iv_gpamap_infer(pid_t pid, const struct iv_sample *samples, size_t n, struct iv_gpa_map *m);

#endif
