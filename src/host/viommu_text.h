/* SPDX-License-Identifier: GPL-2.0-or-later */
/* viommu_text.h - the text parsers of src/host/viommu.c (what a QEMU process
 * and its monitor hand us), internal to the host layer; exported for the
 * fuzz harnesses (tests/fuzz/fuzz-{pci,xp,cmdline,mtree}.c). iv_info_pci_parse
 * is in host.h. */
#ifndef IV_VIOMMU_TEXT_H
#define IV_VIOMMU_TEXT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "host.h"

/* /proc/PID/cmdline bytes cl[0..n) (NUL-separated arguments; the last one
 * need not be terminated: nothing at or past cl[n] is read): fills *v as
 * iv_viommu_cmdline does. */
void iv_viommu_cmdline_parse(const char *cl, size_t n, struct iv_viommu *v);
/* HMP xp output "ADDR: VALUE" (QEMU: "%016" PRIx64 ": 0x%08x"/"0x%016" PRIx64):
 * ADDR hex digits equal to addr, one or more blanks, VALUE hex digits with an
 * optional 0x, at most max, then the end, a blank or a line end. 0 (*val), -1. */
int iv_viommu_xp_parse(const char *text, uint64_t addr, uint64_t *val, uint64_t max);
/* info mtree -f: *vtd when an address space is rooted at "vtd-..."; *dmar when one of
 * those flat views has an i/o row "vtd-...-dmar" (dev: its name, truncated to len). */
void iv_viommu_mtree_vtd(const char *text, bool *vtd, bool *dmar, char *dev, size_t len);
/* info mtree -f: the start of the "intel_iommu" i/o row of AS "memory"'s flat view. */
bool iv_viommu_mtree_base(const char *text, uint64_t *base);
#endif
