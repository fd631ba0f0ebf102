/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ksym.h - the kernel's own IOMMU structures, found without debugfs:
 * /proc/kallsyms (symbol addresses), /sys/kernel/btf/vmlinux (struct layouts,
 * include/kbtf.h) and /proc/kcore (memory, include/kmem.h).
 * src/ksym.c (kallsyms), src/ksym_units.c (VT-d units, AMD-Vi device tables). */
#ifndef IV_KSYM_H
#define IV_KSYM_H
#include "iv.h"
#include "bdf.h"
#include "intel.h"

/* One symbol to look up. */
struct iv_ksym_req {
	const char *name;
	uint64_t addr;       /* out */
	bool found;          /* out */
};

/* Look up n symbols in a kallsyms file (one pass; module symbols are
 * skipped). Returns 0 (some or none found: see found), 1 when the file cannot
 * be used (missing, unreadable, empty, or every address is zero because
 * kptr_restrict hides them: reason in why, nothing reported), -1 on a read
 * error (reported). */
int iv_ksym_lookup(struct iv_run *run, const char *path, struct iv_ksym_req *req, size_t n, char *why, size_t whylen);

/* A VT-d unit from the kernel's dmar_drhd_units list (struct dmar_drhd_unit ->
 * struct intel_iommu): name, segment, register base, root table (physical,
 * from intel_iommu.root_entry through the direct map), scalable flag, and its
 * device scope (which devices it translates: the order to try them for a
 * device is the start-point policy's, src/tables/start.c). */
struct iv_ksym_unit {
	struct iv_dmar_unit u;
	bool include_all;             /* INCLUDE_PCI_ALL: every device of the segment not in another scope */
	size_t nscope;
	uint16_t *scope;              /* bus << 8 | devfn of the active scope entries */
};

/* The kernel's VT-d units, in list order (owned by the module: do not free).
 * Returns 0 (n may be 0: no VT-d unit, e.g. an AMD host; why says so), 1 when
 * the symbol source is unavailable (why: no kallsyms/BTF/kcore, hidden
 * addresses, lockdown), -1 on error (reported: missing struct member,
 * unreadable memory, a list loop). Discovery runs once per process; later
 * calls reuse it. */
int iv_ksym_units(struct iv_run *run, const struct iv_ksym_unit **units, size_t *n, char *why, size_t whylen);

/* AMD-Vi device table of PCI segment seg: amd_iommu_pci_seg_list (6.0+) or
 * amd_iommu_dev_table (older). *devtab is the physical base with bits 8:0 =
 * size in 4 KiB pages - 1, like the Device Table Base register (walk.h).
 * Returns 0 found, 1 none/unavailable (why), -1 on error (reported). */
int iv_ksym_amd_devtab(struct iv_run *run, uint16_t seg, uint64_t *devtab, char *why, size_t whylen);

#endif
