/* SPDX-License-Identifier: GPL-2.0-or-later */
/* host.h - the CPU side: processes holding VFIO devices, /proc/PID/pagemap,
 * /proc/kpageflags, /proc/kpagecount, /proc/PID/maps. All paths below --root.
 * src/procfs.c, src/pagemap.c */
#ifndef IV_HOST_H
#define IV_HOST_H
#include "iv.h"
#include "bdf.h"

/* ---- processes (src/host/procfs.c) ---- */
struct iv_vfio_dev { struct iv_bdf bdf; int group; };
struct iv_proc {
	pid_t pid;
	char name[128];           /* VM name from QEMU's -name (guest=X or X), else comm */
	char vm[128];             /* VM name from QEMU's -name (",," a literal ','); "" when none */
	unsigned long long starttime;  /* /proc/PID/stat field 22, to detect PID reuse */
	size_t ndevs;
	struct iv_vfio_dev *devs; /* malloc'd; from fds -> /dev/vfio/N (group) or /dev/vfio/devices/vfioX */
	bool ok;                  /* false: could not be inspected (a given pid that is gone, has no
				   * VFIO device or cannot be read; a VFIO holder whose devices or
				   * start time cannot be read): reason says why */
	char reason[256];
};
/* What a scan of every process could not see. */
struct iv_procs_scan {
	unsigned unreadable;      /* processes whose /proc/PID/fd could not be read (not root...) */
	char unreadable_why[256]; /* e.g. "/proc/PID/fd: Permission denied", of the first one */
};
/* Processes to check: pids[npids] given (duplicates removed), or every process
 * with a VFIO fd when npids == 0. *out malloc'd (free with iv_procs_free),
 * sorted by pid. Returns the count, -1 only when /proc cannot be listed.
 * A given pid that does not exist, has no VFIO device or cannot be read is in
 * *out with ok false (and reported). While scanning all processes, ones that
 * vanish are ignored and ones that cannot be read are counted in *scan
 * (may be NULL). On the live system an fd is VFIO only when it is a character
 * device with the major of "vfio" or "vfio-dev" in /proc/devices; under --root
 * the fd link's target (/dev/vfio/N, /dev/vfio/devices/vfioX) decides. */
int iv_procs_find(struct iv_run *run, const pid_t *pids, size_t npids, struct iv_proc **out, struct iv_procs_scan *scan);
void iv_procs_free(struct iv_proc *p, size_t n);
/* 0 if the process still is the same (start time unchanged), -1 otherwise. */
int iv_proc_same(struct iv_run *run, const struct iv_proc *p);
/* The PCI device of the VFIO device cdev CDEV ("vfioX" of /dev/vfio/devices/vfioX): the link
 * /sys/class/vfio-dev/CDEV/device, else the device whose vfio-dev/ directory holds CDEV.
 * 0 ok, -1 none found (no message). */
int iv_vfio_cdev_device(struct iv_run *run, const char *cdev, struct iv_bdf *b);

/* ---- a guest with its own vIOMMU (src/host/viommu.c) ---- */
struct iv_viommu {
	char model[32];           /* "intel-iommu", "virtio-iommu-pci", "amd-iommu"...; "" none */
	int translation;          /* 1 on, 0 off (IOVA == GPA), -1 unknown */
	bool have_gsts; uint32_t gsts;   /* the emulated Intel unit's GSTS, when read */
	char how[200];            /* how it was detected and decided, for the output */
};
/* -device intel-iommu / virtio-iommu* / amd-iommu in /proc/PID/cmdline (the
 * driver as the first word, driver=, or JSON {"driver":...}). Fills *v
 * (model "" when none). 0, -1 when the command line is unreadable (reported). */
int iv_viommu_cmdline(struct iv_run *run, pid_t pid, struct iv_viommu *v);
struct iv_qmp;
/* intel-iommu: reads GSTS (HMP xp /1wx 0xfed9001c) in the open QMP session and
 * sets translation from TES (bit 31); other models stay unknown. 0, -1 when the
 * HMP command failed (reported). */
int iv_viommu_gsts(struct iv_qmp *q, struct iv_viommu *v);
/* No vIOMMU on the command line: HMP info mtree -f in the open session shows
 * one when an address space is rooted at an emulated Intel unit ("vtd-...");
 * then model "intel-iommu", translation unknown (GSTS decides). 0, -1 (reported). */
int iv_viommu_mtree(struct iv_qmp *q, struct iv_viommu *v);
/* The host PFNs of the VM's RAM blocks: pagemap over every ram/rom section of
 * m with a host address. NULL (why says why) when none is known, the PFNs
 * are hidden (not root) or pagemap fails. */
struct iv_pfnset;
struct iv_gpa_map;
struct iv_pagemap;
struct iv_pfnset *iv_pfnset_from_map(struct iv_pagemap *pm, const struct iv_gpa_map *m, char *why, size_t len);
bool iv_pfnset_has(const struct iv_pfnset *s, uint64_t pfn);
void iv_pfnset_free(struct iv_pfnset *s);

/* /proc/PID/maps entries. */
struct iv_map { uint64_t start, end, offset; char perms[5]; char path[256]; };
/* Calls fn for each line; fn returns 0 to go on. Returns 0 ok, -1 error (FILE:LINE reported). */
int iv_maps_each(struct iv_run *run, pid_t pid, int (*fn)(struct iv_run *run, void *arg, const struct iv_map *m), void *arg);

/* ---- pagemap (src/pagemap.c) ---- */
#define IV_PM_PFN_MASK    ((1ULL << 55) - 1)
#define IV_PM_EXCLUSIVE   (1ULL << 56)
#define IV_PM_FILE        (1ULL << 61)
#define IV_PM_SWAP        (1ULL << 62)
#define IV_PM_PRESENT     (1ULL << 63)

struct iv_pagemap;
/* Opens /proc/PID/pagemap (must be done while privileged). NULL + iv_error on failure. */
struct iv_pagemap *iv_pagemap_open(struct iv_run *run, pid_t pid);   /* keeps run (errors, stats) */
void iv_pagemap_close(struct iv_pagemap *pm);
/* Entry of the page containing va. Reads in batches of >= 512 entries
 * (sequential access is cheap). 0 ok, -1 error (reported). */
int iv_pagemap_get(struct iv_pagemap *pm, uint64_t va, uint64_t *entry);
/* Up to n entries from va's on (*ents points into the window, valid until the
 * next call): how many (>= 1), 0 when va is past the end, -1 on error. They
 * count as read only once passed to iv_pagemap_consumed(pm, k). */
int64_t iv_pagemap_span(struct iv_pagemap *pm, uint64_t va, uint64_t n, const uint64_t **ents);
/* k entries of a span were used, each present with a non-zero PFN. */
void iv_pagemap_consumed(struct iv_pagemap *pm, uint64_t k);
/* Drop the cached window (before a re-read). */
void iv_pagemap_invalidate(struct iv_pagemap *pm);
/* Count of present entries seen and of those with PFN 0 (to detect an unprivileged reader). */
void iv_pagemap_counts(const struct iv_pagemap *pm, uint64_t *present, uint64_t *present_zero_pfn);

/* ---- kpageflags / kpagecount (src/pagemap.c) ---- */
#define IV_KPF_NOPAGE    20
#define IV_KPF_THP       22
#define IV_KPF_ZERO_PAGE 24
struct iv_kpage;
struct iv_kpage *iv_kpage_open(struct iv_run *run);   /* keeps run; NULL + iv_error when unreadable */
void iv_kpage_close(struct iv_kpage *k);
/* Flags / map count of a PFN. Small cache. 0 ok, 1 no entry (beyond the file:
 * MMIO, no struct page), -1 error (reported). */
int iv_kpage_flags(struct iv_kpage *k, uint64_t pfn, uint64_t *flags);
int iv_kpage_count(struct iv_kpage *k, uint64_t pfn, uint64_t *count);
void iv_kpage_invalidate(struct iv_kpage *k);

/* Zero page PFN of the live system: maps and reads one private anonymous page
 * of our own and reads /proc/self/pagemap (needs CAP_SYS_ADMIN). Only when
 * --root is not given. 0 ok, 1 unknown. */
int iv_zero_pfn_probe(const struct iv_run *run, uint64_t *pfn);

/* ---- DMA size estimate (src/host/dmasize.c) ----
 * The mappings of the domain of bdf (bdf NULL: of every device, for 6.1's
 * global debugfs file) from its owners' pinned memory (VmLck/VmPin) and huge
 * pages (smaps_rollup). An iv_dma_estimator (include/source.h): 0 estimated,
 * 1 unknown (why). Never reports an error. */
struct iv_dma_estimate;
int iv_host_dma_estimate(struct iv_run *run, const struct iv_bdf *bdf, struct iv_dma_estimate *e, char *why, size_t whylen);

#endif
