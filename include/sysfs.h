/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sysfs.h - devices, IOMMU groups and drivers from /sys (below --root). src/sysfs.c */
#ifndef IV_SYSFS_H
#define IV_SYSFS_H
#include "iv.h"
#include "bdf.h"

/* Last path component of a symlink's target; a plain file standing in for a
 * link (fixture trees) gives its contents' last component. 0, or -1 (errno). */
int iv_link_base(const char *path, char *buf, size_t len);

/* IOMMU group number of a device, -1 if none. */
int iv_sysfs_group_of(struct iv_run *run, const struct iv_bdf *bdf);
/* Members of group N, sorted. *out malloc'd. Returns count or -1. */
int iv_sysfs_group_devices(struct iv_run *run, int group, struct iv_bdf **out);
/* Group domain type (/sys/kernel/iommu_groups/N/type): "DMA", "DMA-FQ", "identity",
 * "blocked", "unmanaged"; "" when not known. */
void iv_sysfs_group_type(struct iv_run *run, int group, char *buf, size_t len);
/* Driver bound to a device ("vfio-pci"), "" if none. */
void iv_sysfs_driver(struct iv_run *run, const struct iv_bdf *bdf, char *buf, size_t len);
/* IOMMU unit name (dmar0, ivhd0) from /sys/bus/pci/devices/BDF/iommu, "" if none. */
void iv_sysfs_iommu_of(struct iv_run *run, const struct iv_bdf *bdf, char *buf, size_t len);
/* All PCI devices (sorted). Returns count or -1. */
int iv_sysfs_pci_devices(struct iv_run *run, struct iv_bdf **out);
/* All IOMMU groups (sorted numbers). Returns count or -1. */
int iv_sysfs_groups(struct iv_run *run, int **out);

/* Reserved regions of a group: "0x00000000fee00000 0x00000000feefffff msi" lines. */
struct iv_resv { uint64_t start, end; char type[24]; };
int iv_sysfs_reserved_regions(struct iv_run *run, int group, struct iv_resv **out);   /* count or -1 */

/* BAR resources of a device (/sys/bus/pci/devices/BDF/resource): up to 7 lines
 * "start end flags". Returns number of lines read or -1. */
struct iv_bar { uint64_t start, end, flags; };
int iv_sysfs_bars(struct iv_run *run, const struct iv_bdf *bdf, struct iv_bar bars[7]);

#endif
