/* SPDX-License-Identifier: GPL-2.0-or-later */
/* viommu.c - a guest with its own vIOMMU (field notes section 4): the host
 * IOMMU then maps guest IOVA, not GPA, to the host page of the GPA the guest's
 * tables translate it to, whenever the guest has translation on.
 *  - detection: the QEMU command line's -device intel-iommu / virtio-iommu* /
 *    amd-iommu (plain, driver=, or JSON);
 *  - the emulated Intel unit's GSTS register (HMP `xp /1wx 0xfed9001c`, a read
 *    without side effects, in the caller's QMP session): TES (bit 31) clear
 *    means IOVA == GPA;
 *  - the PFN set of the VM's RAM blocks (pagemap over each section's HVA
 *    range), for the check that needs no GPA: an IOMMU PFN in none of them is
 *    stale. */
#include "config.h"
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "host.h"
#include "gpamap.h"

#define GSTS_ADDR 0xfed9001cULL   /* Q35_HOST_BRIDGE_IOMMU_ADDR + DMAR_GSTS_REG */
#define GSTS_TES (1u << 31)
#define MAX_PFNSET_PFN (1ULL << 31)   /* bitmap of at most 256 MiB (8 TiB of host memory) */

/* The device driver named by one -device value, in buf. */
static void device_driver(const char *v, char *buf, size_t len)
{
	buf[0] = 0;
	if (*v == '{') {   /* JSON: {"driver":"intel-iommu",...} */
		const char *d = strstr(v, "\"driver\"");
		if (!d)
			return;
		d += 8;
		d += strspn(d, " \t");
		if (*d++ != ':')
			return;
		d += strspn(d, " \t");
		if (*d++ != '"')
			return;
		size_t n = strcspn(d, "\"");
		snprintf(buf, len, "%.*s", (int)n, d);
		return;
	}
	/* DRIVER[,prop=value...] or driver=DRIVER,... anywhere in the list */
	for (const char *p = v; *p;) {
		size_t n = strcspn(p, ",");
		if (!strncmp(p, "driver=", 7)) {
			snprintf(buf, len, "%.*s", (int)(n - 7), p + 7);
			return;
		}
		p += n;
		p += *p == ',';
	}
	size_t n = strcspn(v, ",");
	if (!memchr(v, '=', n))
		snprintf(buf, len, "%.*s", (int)n, v);
}

static bool is_viommu(const char *drv)
{
	return !strcmp(drv, "intel-iommu") || !strcmp(drv, "amd-iommu") || !strncmp(drv, "virtio-iommu", 12);
}

int iv_viommu_cmdline(struct iv_run *run, pid_t pid, struct iv_viommu *v)
{
	char path[PATH_MAX], cl[65536], drv[64];
	memset(v, 0, sizeof *v);
	v->translation = -1;
	ssize_t n = iv_read_small(iv_path(run, path, sizeof path, "/proc/%d/cmdline", (int)pid), cl, sizeof cl);
	if (n < 0)
		return iv_error(run, "%s: %s", path, strerror(errno));
	bool next = false;
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(cl + i) + 1) {
		const char *a = cl + i, *val = NULL;
		if (next)
			val = a;
		next = !strcmp(a, "-device") || !strcmp(a, "--device");
		if (!strncmp(a, "-device=", 8) || !strncmp(a, "--device=", 9))
			val = strchr(a, '=') + 1;
		if (!val)
			continue;
		device_driver(val, drv, sizeof drv);
		if (is_viommu(drv)) {
			snprintf(v->model, sizeof v->model, "%s", drv);
			snprintf(v->how, sizeof v->how, "-device %s on the QEMU command line", drv);
			return 0;
		}
	}
	return 0;
}

/* "00000000fed9001c: 0x80000000" */
static int parse_xp(const char *text, uint64_t addr, uint32_t *val)
{
	char *end;
	errno = 0;
	unsigned long long a = strtoull(text, &end, 16);
	if (errno || end == text || *end != ':' || a != addr)
		return -1;
	const char *s = end + 1;
	s += strspn(s, " ");
	errno = 0;
	unsigned long long x = strtoull(s, &end, 16);
	if (errno || end == s || x > UINT32_MAX || (*end && *end != '\r' && *end != '\n' && *end != ' '))
		return -1;
	*val = (uint32_t)x;
	return 0;
}

int iv_viommu_gsts(struct iv_qmp *q, struct iv_viommu *v)
{
	if (strcmp(v->model, "intel-iommu")) {
		snprintf(v->how + strlen(v->how), sizeof v->how - strlen(v->how),
			 "; its translation state cannot be read (only the emulated Intel unit's GSTS is)");
		return 0;
	}
	char cmd[64], *text = NULL;
	uint32_t gsts;
	snprintf(cmd, sizeof cmd, "xp /1wx 0x%llx", (unsigned long long)GSTS_ADDR);
	if (iv_qmp_hmp(q, cmd, &text)) {
		snprintf(v->how + strlen(v->how), sizeof v->how - strlen(v->how), "; GSTS unreadable (see errors)");
		return -1;
	}
	int rc = parse_xp(text, GSTS_ADDR, &gsts);
	if (rc)
		snprintf(v->how + strlen(v->how), sizeof v->how - strlen(v->how), "; GSTS not understood ('%.40s')", text);
	else {
		v->have_gsts = true;
		v->gsts = gsts;
		v->translation = (gsts & GSTS_TES) != 0;
		snprintf(v->how + strlen(v->how), sizeof v->how - strlen(v->how), "; GSTS 0x%08x: translation %s",
			 gsts, v->translation ? "on (TES=1)" : "off (TES=0), IOVA == GPA");
	}
	free(text);
	return 0;
}

/* info mtree -f: a FlatView of an AS rooted at "vtd-..." (a device behind the
 * emulated Intel IOMMU); rows of an i/o region "vtd-XX.X-dmar" mean its DMA
 * is translated (off, the view is rendered from RAM through vtd-nodmar). */
static void mtree_vtd(const char *text, bool *vtd, bool *dmar, char *dev, size_t len)
{
	bool fv_vtd = false;
	*vtd = *dmar = false;
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		size_t n = strcspn(l, "\r\n");
		const char *root = NULL;
		if (!strncmp(l, "FlatView #", 10))
			fv_vtd = false;
		else if (!strncmp(l, " AS \"", 5) && (root = memmem(l, n, "\", root: ", 9)) &&
			 root + 13 <= l + n && !strncmp(root + 9, "vtd-", 4)) {
			fv_vtd = *vtd = true;
		} else if (fv_vtd && !strncmp(l, "  ", 2) && n > 5) {
			const char *t = memmem(l, n, ", i/o): vtd-", 12);
			if (t) {
				const char *name = t + 8;
				size_t k = strcspn(name, " \r\n");
				if (k > 5 && !strncmp(name + k - 5, "-dmar", 5)) {
					if (!*dmar)
						snprintf(dev, len, "%.*s", (int)k, name);
					*dmar = true;
				}
			}
		}
	}
}

int iv_viommu_mtree(struct iv_qmp *q, struct iv_viommu *v)
{
	char *text = NULL, dev[64] = "";
	bool vtd, dmar;
	if (iv_qmp_hmp(q, "info mtree -f", &text))
		return -1;
	mtree_vtd(text, &vtd, &dmar, dev, sizeof dev);
	free(text);
	if (!vtd)
		return 0;
	snprintf(v->model, sizeof v->model, "intel-iommu");
	v->translation = -1;
	snprintf(v->how, sizeof v->how, "devices behind an emulated Intel IOMMU in info mtree -f%s%s%s",
		 dmar ? " (" : "", dev, dmar ? " translated)" : "");
	return 0;
}

/* ---- the VM's RAM-block PFN set ---- */
struct iv_pfnset { uint64_t *bits; uint64_t nwords; uint64_t pages; };

static int pfnset_add(struct iv_pfnset *s, uint64_t pfn)
{
	if (pfn >= MAX_PFNSET_PFN)
		return -1;
	uint64_t w = pfn / 64;
	if (w >= s->nwords) {
		uint64_t n = s->nwords ? s->nwords : 1024;
		while (n <= w)
			n *= 2;
		s->bits = iv_xrealloc(s->bits, n * sizeof *s->bits);
		memset(s->bits + s->nwords, 0, (n - s->nwords) * sizeof *s->bits);
		s->nwords = n;
	}
	s->bits[w] |= 1ULL << (pfn % 64);
	return 0;
}

bool iv_pfnset_has(const struct iv_pfnset *s, uint64_t pfn)
{
	uint64_t w = pfn / 64;
	return w < s->nwords && (s->bits[w] >> (pfn % 64) & 1);
}

void iv_pfnset_free(struct iv_pfnset *s)
{
	if (s)
		free(s->bits);
	free(s);
}

struct iv_pfnset *iv_pfnset_from_map(struct iv_pagemap *pm, const struct iv_gpa_map *m, char *why, size_t len)
{
	struct iv_pfnset *s = iv_xcalloc(1, sizeof *s);
	uint64_t present0, zero0, present1, zero1;
	bool any = false;
	iv_pagemap_counts(pm, &present0, &zero0);
	for (size_t i = 0; m && i < m->n; i++) {
		const struct iv_gpa_section *sec = &m->v[i];
		if (!sec->have_hva || sec->type == IV_SEC_RAMD)
			continue;
		any = true;
		for (uint64_t off = 0; off < sec->size; off += IV_PAGE_SIZE) {
			uint64_t e;
			if (iv_pagemap_get(pm, sec->hva + off, &e)) {
				snprintf(why, len, "pagemap unreadable (see errors)");
				goto fail;
			}
			if (!(e & IV_PM_PRESENT) || (e & IV_PM_SWAP))
				continue;
			if (pfnset_add(s, e & IV_PM_PFN_MASK)) {
				snprintf(why, len, "PFN 0x%" PRIx64 " beyond the set's limit", (uint64_t)(e & IV_PM_PFN_MASK));
				goto fail;
			}
			s->pages++;
		}
	}
	iv_pagemap_counts(pm, &present1, &zero1);
	if (!any) {
		snprintf(why, len, "no RAM block with a host address is known (give --qmp or --gpa-map)");
		goto fail;
	}
	if (zero1 > zero0) {
		snprintf(why, len, "pagemap PFNs read as 0: run as root (CAP_SYS_ADMIN)");
		goto fail;
	}
	iv_pagemap_invalidate(pm);
	return s;
fail:
	iv_pagemap_invalidate(pm);
	iv_pfnset_free(s);
	return NULL;
}
