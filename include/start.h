/* SPDX-License-Identifier: GPL-2.0-or-later */
/* start.h - where a memory walk starts, and what the host says about its
 * IOMMU units: one policy, used by the memory source, `devices` and the
 * kernel-symbol code. src/tables/start.c
 *
 * Order: the options (--amd-devtab, --vtd-root ADDR[@UNIT]), then the debugfs
 * metadata hints (iommu_regset, dmar_translation_struct, /sys/class/iommu:
 * small files), then the kernel's own structures (kallsyms + BTF + kcore).
 * A hint that cannot be read or does not parse is a reason, never an error:
 * the policy goes on to the next provider. */
#ifndef IV_START_H
#define IV_START_H
#include "iv.h"
#include "bdf.h"
#include "leaf.h"

enum iv_start_from { IV_FROM_OPTION = 0, IV_FROM_DEBUGFS, IV_FROM_KSYM };
const char *iv_start_from_name(enum iv_start_from f);   /* "option", "debugfs", "kernel symbols" */

/* One place to start a walk for a device. */
struct iv_start {
	enum iv_vendor vendor;     /* IV_VENDOR_INTEL or IV_VENDOR_AMD */
	uint64_t addr;             /* VT-d root table; AMD-Vi device table base | (size in pages - 1) */
	int scalable;              /* VT-d: 1 scalable, -1 unknown (the root entry decides) */
	enum iv_start_from from;
	char unit[16];             /* "dmar0", "" when not known */
};
#define IV_MAX_STARTS 8

/* The start points to try for a device, best first. Returns their number
 * (> 0), 0 when none is known (the reasons, one per provider, in why), -1 on
 * an error of the kernel-symbol code (reported). */
int iv_starts_find(struct iv_run *run, const struct iv_bdf *bdf, struct iv_start *s, int max, char *why, size_t whylen);

/* An IOMMU unit as the host shows it (`devices`). */
struct iv_unit {
	enum iv_vendor vendor;
	char name[16];
	bool have_reg_base;  uint64_t reg_base;
	bool have_root;      uint64_t root_table;
	bool scalable;
	bool have_enabled;   bool enabled;
	enum iv_start_from from;
};
/* Every unit: the debugfs hints, else the kernel's own list. *u malloc'd.
 * Returns 0 (n may be 0: why says why), -1 on an error (reported). */
int iv_units_list(struct iv_run *run, struct iv_unit **u, size_t *n, char *why, size_t whylen);

/* The IOMMU unit of a device (sysfs iommu link, else the debugfs hint).
 * Returns 0 found, 1 not known. */
int iv_device_unit(struct iv_run *run, const struct iv_bdf *bdf, char *unit, size_t len);

/* What the hardware context entry of a device says (debugfs hint). */
enum iv_context_tt {
	IV_CTX_UNKNOWN = 0,        /* no hint (no debugfs, no row, or an unusable file) */
	IV_CTX_TRANSLATED,
	IV_CTX_PASSTHROUGH,
	IV_CTX_OTHER,
};
enum iv_context_tt iv_device_context(struct iv_run *run, const struct iv_bdf *bdf);

/* The devices the debugfs hints list (dmar_translation_struct rows), each once.
 * *out malloc'd. Returns their number, -1 when there is no usable hint. */
int iv_hint_devices(struct iv_run *run, struct iv_bdf **out);

#endif
