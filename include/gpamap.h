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
/* The same, with IV_QMP_PEER_IS_PID: the socket's peer must be pid itself (QEMU
 * serves it: Proxmox's VMID.qmp), not merely a process of the VM's user. */
#define IV_QMP_PEER_IS_PID 1u
struct iv_qmp *iv_qmp_open_flags(struct iv_run *run, const char *socket_path, pid_t pid, unsigned flags);
/* A session whose HMP commands go through something other than a QMP socket
 * (libvirt's API, src/host/libvirt.c). start (may be NULL) connects; hmp runs
 * one command line before deadline (iv_now() seconds) and returns its text
 * (malloc'd); close ends it and frees ctx (also when start fails). 0 ok, -1
 * error (reported). The replies are parsed and checked exactly as QMP's. */
struct iv_monitor_ops {
	int (*start)(void *ctx, double deadline);
	int (*hmp)(void *ctx, const char *line, double deadline, char **text);
	void (*close)(void *ctx);
};
/* label names the session in messages ("libvirt domain vm1"). NULL on error. */
struct iv_qmp *iv_qmp_open_ops(struct iv_run *run, const struct iv_monitor_ops *ops, void *ctx, const char *label,
			       pid_t pid);
double iv_qmp_deadline(const struct iv_qmp *q);
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
/* ---- VMs named by their management stack (src/host/vm.c, libvirt.c) ---- */
enum iv_vm_kind { IV_VM_DOMAIN = 1, IV_VM_VMID };
struct iv_vm {
	enum iv_vm_kind kind;
	char name[256];            /* the libvirt domain name, or the Proxmox VMID (digits) */
	const char *uri;           /* libvirt: --connect URI (NULL: qemu:///system) */
	/* set by iv_vm_resolve */
	pid_t pid;                 /* 0: not resolved */
	char uuid[64];             /* libvirt: QEMU's -uuid ("" none) */
	char qmp[108];             /* Proxmox: VMID.qmp below --root */
	char id[32], pidfile[256]; /* QEMU's -id and -pidfile (re-read when the monitor is opened) */
	char label[280];           /* "--domain NAME", "--vmid N" */
	char why[512];             /* iv_procs_find_vms: why it was not resolved (pid 0) */
};
/* The VM's PID from its pid file, validated against /proc/PID/cmdline (see
 * vm.c). 0 ok, -1 with the reason in why (nothing reported). */
int iv_vm_resolve(struct iv_run *run, struct iv_vm *vm, char *why, size_t len);
/* A monitor session for a resolved VM: Proxmox's VMID.qmp (its peer must be
 * the VM's PID) or libvirt's API. NULL on error (reported). The session's
 * map is iv_qmp_gpamap's, its "how" "libvirt" or "qmp". */
struct iv_qmp *iv_vm_open(struct iv_run *run, const struct iv_vm *vm);
/* iv_procs_find for --pid's PIDs and those of the VMs, each resolved
 * (iv_vm_resolve; the reason in vm->why when not). Nothing given at all:
 * every VFIO process; VMs given but none resolved (and no PID): none (0, *scan
 * cleared). */
struct iv_proc;
struct iv_procs_scan;
int iv_procs_find_vms(struct iv_run *run, const pid_t *pids, size_t npids, struct iv_vm *vms, size_t nvms,
		      struct iv_proc **out, struct iv_procs_scan *scan);
/* The VM of vms[0..n) whose PID this is, or NULL. */
const struct iv_vm *iv_vm_of(const struct iv_vm *vms, size_t n, pid_t pid);
/* A monitor session for pid: its VM's (iv_vm_open), else --qmp SOCKET's, else
 * NULL (also on error, reported). */
struct iv_qmp *iv_monitor_open(struct iv_run *run, const char *qmp, const struct iv_vm *vms, size_t n, pid_t pid);
/* QEMU's -name (guest=NAME or NAME) of pid, "" when none. 0 ok, -1 not QEMU (name ""). */
int iv_vm_qemu_name(struct iv_run *run, pid_t pid, char *name, size_t len);
/* libvirt: virDomainQemuMonitorCommand(HMP) in a helper process (a hard
 * deadline). The domain must be active and its libvirt UUID, QEMU's answer
 * to `info uuid` and the process's -uuid must agree. Without libvirt support
 * compiled in: an error saying so. */
struct iv_qmp *iv_libvirt_open(struct iv_run *run, const struct iv_vm *vm);
/* Whether libvirt support is compiled in (configure --with-libvirt). */
bool iv_libvirt_built(void);

/* --qmp SOCKET: open, iv_qmp_gpamap, close. 0 ok, -1 error. */
int iv_gpamap_from_qmp(struct iv_run *run, const char *socket_path, pid_t pid, struct iv_gpa_map *m);

/* Infer from the process's pagemap: sample IOMMU-mapped (iova, pfn) pairs,
 * find each pfn in the process's large anonymous mappings, derive linear pieces.
 * samples: iova/pfn pairs (4 KiB granularity). 0 ok (m->n may be 0), -1 error. */
struct iv_sample { uint64_t iova, pfn; };
int iv_gpamap_infer(struct iv_run *run, pid_t pid, const struct iv_sample *samples, size_t n, struct iv_gpa_map *m);

#endif
