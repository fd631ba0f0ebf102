/* SPDX-License-Identifier: GPL-2.0-or-later */
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
	size_t n, cap;             /* cap: allocated (gpamap.c) */
	char how[16];              /* "qmp", "file", "inferred" */
	unsigned samples, agreed;  /* inference: samples taken / agreeing with the result */
};

void iv_gpamap_free(struct iv_gpa_map *m);
/* Sort by gpa and check for overlaps (error naming both). 0 ok, -1. */
int iv_gpamap_finish(struct iv_run *run, struct iv_gpa_map *m, const char *origin);
/* Section containing gpa, or NULL. O(log n). */
const struct iv_gpa_section *iv_gpamap_find(const struct iv_gpa_map *m, uint64_t gpa);

/* --gpa-map FILE: [{"gpa":"0x0","size":"0x80000000","hva":"0x7f..","name":"pc.ram","readonly":false,
 * "type":"ram"(optional: ram|rom|ramd)}, ...]. 0 ok, -1 error (file and element named). */
int iv_gpamap_from_file(struct iv_run *run, const char *path, struct iv_gpa_map *m);

/* Parse HMP texts (CRLF tolerated). Used by the QMP client and by tests. */
int iv_mtree_parse(struct iv_run *run, const char *text, const char *origin, struct iv_gpa_map *m); /* AS "memory" flatview: ram/rom/ramd */
/* Name ROM sections after the alias that maps them, from HMP `info mtree`
 * (the tree, not -f): e.g. 0xe0000 (flat view "pc.bios @0x20000") is the
 * "isa-bios" alias of pc.bios. PAM aliases (pam-*) are not used. Lines it
 * does not recognise are ignored (this only improves names). Returns 0. */
int iv_mtree_alias_names(const char *text, struct iv_gpa_map *m);
struct iv_ramblock { char name[96]; uint64_t offset, used, total, hva; bool have_hva, readonly; };
int iv_ramblock_parse(struct iv_run *run, const char *text, const char *origin, struct iv_ramblock **out, size_t *n);

/* ---- QMP: one short session ----
 * QEMU serves one monitor client at a time, so the tool connects, asks
 * everything and closes: a session is iv_qmp_open, any iv_qmp_gpamap /
 * iv_qmp_hmp calls, iv_qmp_close. One deadline, run->opt.timeout seconds from
 * iv_qmp_open, bounds the whole session (connect, every send, every reply); on
 * expiry the call fails with an error naming the step.
 *
 * iv_qmp_open: SOCKET must be a Unix socket; its peer (SO_PEERCRED) must run as
 * uid 0 or as the uid of pid (/proc/PID/status); pid <= 0: no peer or maps
 * checks (tests only). Reads the greeting, negotiates. NULL on error (reported). */
struct iv_qmp;
struct iv_qmp *iv_qmp_open(struct iv_run *run, const char *socket_path, pid_t pid);   /* keeps run */
/* One HMP command in the session, e.g. "xp /1gx 0xfed90000". Only read-only
 * commands are sent ("info ...", "gpa2hva ...", "xp ..."; gpa2hpa never): others
 * are refused with an error. *text malloc'd. 0 ok, -1 error (reported). */
int iv_qmp_hmp(struct iv_qmp *q, const char *command_line, char **text);
/* The GPA map in the session: info mtree -f, info ramblock, gpa2hva for sections
 * without an HVA (QEMU < 8.0), info mtree (alias names). Validated: each section
 * within its RAM block's used size (read-only block: read-only section), HVA
 * ranges without wrap and inside readable mappings of /proc/PID/maps. 0 ok, -1. */
int iv_qmp_gpamap(struct iv_qmp *q, struct iv_gpa_map *m);
/* Closes (NULL ok); under --stats prints how long the socket was held. */
void iv_qmp_close(struct iv_qmp *q);
/* --qmp SOCKET: open, iv_qmp_gpamap, close. 0 ok, -1 error. */
int iv_gpamap_from_qmp(struct iv_run *run, const char *socket_path, pid_t pid, struct iv_gpa_map *m);

/* Infer from the process's pagemap: sample IOMMU-mapped (iova, pfn) pairs,
 * find each pfn in the process's large anonymous mappings, derive linear pieces.
 * samples: iova/pfn pairs (4 KiB granularity). 0 ok (m->n may be 0), -1 error. */
struct iv_sample { uint64_t iova, pfn; };
int iv_gpamap_infer(struct iv_run *run, pid_t pid, const struct iv_sample *samples, size_t n, struct iv_gpa_map *m);

#endif
