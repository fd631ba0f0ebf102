/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verify.h - classify each IOMMU-mapped guest page against the CPU side.
 * src/verify.c; results are printed by src/report*.c. */
#ifndef IV_VERIFY_H
#define IV_VERIFY_H
#include <signal.h>
#include "iv.h"
#include "bdf.h"
#include "source.h"
#include "host.h"
#include "gpamap.h"

/* Finding kinds, in priority order: a page gets the first kind that applies. */
enum iv_kind {
	IV_K_ZERO_PAGE = 0,        /* IOMMU -> zero page, CPU -> another page (or unknown) */
	IV_K_ZERO_PAGE_CONSISTENT, /* both map the zero page */
	IV_K_STALE,                /* IOMMU PFN != CPU PFN, neither the zero page */
	IV_K_ORPHANED_PIN,         /* IOMMU page mapped by no process (kpagecount 0) */
	IV_K_CPU_NOT_PRESENT,      /* CPU page not present or swapped: cannot compare */
	IV_K_PERMISSION,           /* IOMMU grants write on a read-only section */
	IV_K_UNBACKED,             /* IOVA in no guest RAM/ROM section */
	IV_NKINDS
};
struct iv_kind_info { const char *name; enum iv_status severity; };
extern const struct iv_kind_info iv_kinds[IV_NKINDS];
const char *iv_status_name(enum iv_status s);   /* "ok", "warning", "critical", "unknown" */

struct iv_finding {
	enum iv_kind kind;
	bool transient;            /* changed between the first read and the re-read */
	pid_t pid;
	struct iv_bdf bdf;
	char region[96];           /* QEMU region name, "" when none */
	uint64_t iova, pages;
	bool have_hva;   uint64_t hva;
	uint64_t iommu_pfn;
	bool have_cpu_pfn; uint64_t cpu_pfn;
	unsigned perm;
};

struct iv_dev_result {
	struct iv_bdf bdf;
	int group;
	struct iv_table table;     /* vendor, mode, levels, source, origin */
	bool checked;              /* false: could not be checked at all (reason) */
	char reason[512];
	uint64_t pages_checked;    /* 4 KiB IOVA pages compared */
	uint64_t mmio_pages;       /* ramd (P2P BAR) pages, not compared as RAM */
	uint64_t reserved_pages;   /* in the group's reserved regions */
	uint64_t unverified_pages; /* could not be compared (no GPA map entry) */
	uint64_t dropped_pages[IV_NKINDS]; /* pages of findings beyond the kept maximum, per kind */
};

struct iv_proc_result {
	pid_t pid;
	char name[128];
	char vm[128];              /* QEMU's -name guest name, "" when none (Prometheus vm label) */
	bool checked;
	char reason[512];
	char gpa_map[16];          /* "qmp", "file", "inferred", "none" (guest vIOMMU), "" */
	char viommu[200];          /* guest vIOMMU: how it was detected and decided; "" none */
	unsigned samples, agreed;
	size_t ndevs;
	struct iv_dev_result *devs;
};

struct iv_check_opts {
	const pid_t *pids; size_t npids;      /* none: every VFIO process */
	const struct iv_bdf *devs; size_t ndevs; /* none: all devices of the process */
	const char *qmp;                       /* --qmp SOCKET */
	struct iv_vm *vms; size_t nvms;        /* --domain, --vmid: resolved by iv_check_run (PIDs
						  checked with the others; map through their stack) */
	const char *gpa_map_file;              /* --gpa-map FILE */
	unsigned min_devices;                  /* --min-devices N: fewer devices checked -> UNKNOWN */
};

/* What could not be checked, one line each ("pid 99: no such process"), for
 * the summary line and the Nagios text; the first IV_MAX_NOTES are kept. */
#define IV_MAX_NOTES 8

struct iv_check {
	struct iv_proc_result *procs; size_t nprocs;
	struct iv_finding *f; size_t nf, nf_cap;
	uint64_t nf_dropped;                   /* findings beyond the kept maximum */
	uint64_t count[IV_NKINDS];             /* findings (ranges) per kind, not transient */
	uint64_t pages[IV_NKINDS];             /* pages per kind, not transient */
	uint64_t transient;                    /* findings that changed on re-read */
	uint64_t pages_checked;
	unsigned devices;
	unsigned devices_checked;              /* devices whose check completed */
	unsigned procs_not_checked, devices_not_checked;
	unsigned procs_unreadable;             /* scanning all: /proc/PID/fd unreadable (not root...) */
	char notes[IV_MAX_NOTES][320];         /* what was not checked */
	unsigned nnotes;                       /* all of them (may exceed IV_MAX_NOTES) */
	bool incomplete;                       /* something could not be checked */
	enum iv_status status;
	double started, duration;              /* seconds (wall clock start, run time) */
	/* Set while the check runs, once a process is fully checked (re-read
	 * done) with a critical finding: the -t timer (src/cmd/timeout.c) reads
	 * it, so that a hang after it does not hide it behind an UNKNOWN. */
	volatile sig_atomic_t critical_seen;
	char critical_note[160];               /* "pid 4242 0000:00:02.0: stale at iova 0x150000" */
};

/* Run the check. Fills *res (free with iv_check_free). Returns 0, or -1 when
 * nothing could be checked at all (errors reported). Status: CRITICAL over
 * UNKNOWN over WARNING over OK; a process or device that could not be
 * checked, a process that could not be inspected, a --pid/--device that
 * selects nothing and fewer than --min-devices devices checked are UNKNOWN
 * (listed in notes). */
int iv_check_run(struct iv_run *run, const struct iv_check_opts *o, struct iv_check *res);
void iv_check_free(struct iv_check *res);

#endif
