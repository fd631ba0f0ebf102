/* SPDX-License-Identifier: GPL-2.0-or-later */
/* intel.h - Intel VT-d metadata from debugfs: units (iommu_regset,
 * dmar_translation_struct headers, /sys/class/iommu) and per-device context /
 * PASID entries (dmar_translation_struct rows). Implemented in src/intel_meta.c. */
#ifndef IV_INTEL_H
#define IV_INTEL_H
#include "iv.h"
#include "bdf.h"

struct iv_dmar_unit {
	char name[16];          /* "dmar0" */
	uint16_t segment;
	bool have_reg_base;  uint64_t reg_base;     /* "Register Base Address" / sysfs address */
	bool have_root;      uint64_t root_table;   /* RTADDR & ~0xfff, or the dmar_translation_struct header */
	bool have_regs;      uint64_t cap, ecap, gsts, rtaddr;
	bool scalable;          /* RTADDR bit 10 (or scalable rows seen) */
	bool have_enabled;
	bool enabled;           /* GSTS.TES (or not "DMA Remapping is not enabled") */
};

/* Translation of one device as the hardware context says (dmar_translation_struct). */
enum iv_intel_tt {
	IV_TT_UNKNOWN = 0,      /* no row for the device */
	IV_TT_TRANSLATE,        /* legacy TT 0/1, scalable PGTT 1/2/3 */
	IV_TT_PASSTHROUGH,      /* legacy TT 2, scalable PGTT 4 */
	IV_TT_OTHER,
};
struct iv_intel_dev {
	char unit[16];
	struct iv_bdf bdf;      /* segment from the unit */
	uint64_t root_hi, root_lo, ctx_hi, ctx_lo;
	bool scalable;
	int pasid;              /* -1 legacy */
	uint64_t pasid_entry[3];/* val[0], val[1], val[2] */
	enum iv_intel_tt tt;
	int levels;             /* from AW (legacy: hi&7 +2; scalable: val0 AW, FLPM for FL);
				 * 0 when reserved (walk/vtd_decode.h): depth_reason says why */
	const char *depth_reason;   /* "reserved AW", "reserved FLPM" (static) or NULL */
	unsigned depth_reason_val;
	bool first_level;       /* scalable PGTT=1 */
	uint64_t pgd;           /* table root from the context / PASID entry */
	uint16_t domain_id;
};

/* Path below DEBUGFS/iommu/intel/: iv_intel_path(buf, len, "%s/domain_translation_struct", bdf).
 * An empty fmt gives the directory itself. */
const char *iv_intel_path(struct iv_run *run, char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Read all units. *units is malloc'd. Returns 0 (possibly n = 0), -1 on error. */
int iv_intel_units(struct iv_run *run, struct iv_dmar_unit **units, size_t *n);
/* Context/PASID info of one device and PASID. Returns 0 found, 1 not present, -1 error. */
int iv_intel_device(struct iv_run *run, const struct iv_bdf *bdf, uint32_t pasid, struct iv_intel_dev *out);
/* All devices that dmar_translation_struct lists (one entry per unit and BDF,
 * its first row). *out malloc'd. Returns 0 (n may be 0; also when the file is
 * missing), -1 on error. */
int iv_intel_devices(struct iv_run *run, struct iv_intel_dev **out, size_t *n);
/* Find the unit of a device: /sys/bus/pci/devices/BDF/iommu -> dmarN, else the
 * unit whose dmar_translation_struct lists it. Returns 0 found, 1 not found. */
int iv_intel_unit_of(struct iv_run *run, const struct iv_bdf *bdf, char *unit, size_t len);

/* The same, as hints for choosing a start point (src/tables/start.c): a file
 * that cannot be opened or parsed is not reported; the first problem is put in
 * why instead. units/devices: 0 read (n may be 0; units: why set when
 * iommu_regset was unusable and only dmar_translation_struct was read),
 * 1 unusable (why).
 * device: 0 found, 1 not present, 2 unusable (why). */
int iv_intel_units_hint(struct iv_run *run, struct iv_dmar_unit **units, size_t *n, char *why, size_t whylen);
int iv_intel_device_hint(struct iv_run *run, const struct iv_bdf *bdf, uint32_t pasid, struct iv_intel_dev *out, char *why,
			 size_t whylen);
int iv_intel_devices_hint(struct iv_run *run, struct iv_intel_dev **out, size_t *n, char *why, size_t whylen);

#endif
