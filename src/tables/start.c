/* SPDX-License-Identifier: GPL-2.0-or-later */
/* start.c - the start-point policy (include/start.h): options, then the
 * debugfs metadata hints, then the kernel's own structures.
 *
 * With --vtd-root, RTADDR bit 10 (SMT) in the value selects scalable mode;
 * else the named unit's flag from the hints (@UNIT, else the device's unit);
 * else the root entry decides (walk_vtd.c). Without options, the debugfs
 * units with a root table: the device's unit if it is known, else every unit
 * of its segment. Else the kernel's VT-d units (those whose device scope lists
 * the device, then INCLUDE_PCI_ALL units, then the rest, all of its segment
 * and unit), else its AMD-Vi device table. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "start.h"
#include "intel.h"
#include "ksym.h"

const char *iv_start_from_name(enum iv_start_from f)
{
	switch (f) {
	case IV_FROM_OPTION: return "option";
	case IV_FROM_DEBUGFS: return "debugfs";
	case IV_FROM_KSYM: return "kernel symbols";
	}
	return "?";
}

/* ---- the debugfs hints, read once per run ---- */

static struct {
	bool done;
	bool ok;                     /* the files could be used */
	char why[768];               /* else why not */
	struct iv_dmar_unit *u;
	size_t n;
} H;

static bool hints(struct iv_run *run)
{
	if (!H.done) {
		H.done = true;
		H.ok = iv_intel_units_hint(run, &H.u, &H.n, H.why, sizeof H.why) == 0;
		if (H.ok && H.why[0])     /* iommu_regset unusable, dmar_translation_struct read */
			iv_warn("debugfs hint ignored: %s", H.why);
	}
	return H.ok;
}

static int unit_scalable(const struct iv_dmar_unit *u)
{
	return u->scalable || (u->have_regs && (u->rtaddr & (1u << 10))) ? 1 : -1;
}

static struct iv_start vtd_start(const struct iv_dmar_unit *u, enum iv_start_from from)
{
	struct iv_start s = { IV_VENDOR_INTEL, u->root_table, unit_scalable(u), from, "" };
	snprintf(s.unit, sizeof s.unit, "%s", u->name);
	return s;
}

/* --vtd-root: the one start; the hints may only say that its unit is scalable. */
static int option_vtd(struct iv_run *run, const struct iv_bdf *bdf, struct iv_start *s)
{
	s[0] = (struct iv_start){ IV_VENDOR_INTEL, run->opt.vtd_root, run->opt.vtd_root & (1u << 10) ? 1 : -1,
				  IV_FROM_OPTION, "" };
	snprintf(s[0].unit, sizeof s[0].unit, "%.15s", run->opt.vtd_root_unit);
	char name[32] = "";
	if (!run->opt.vtd_root_unit[0] && iv_intel_unit_of(run, bdf, name, sizeof name) != 0)
		return 1;
	const char *want = run->opt.vtd_root_unit[0] ? run->opt.vtd_root_unit : name;
	if (hints(run))
		for (size_t i = 0; i < H.n; i++)
			if (!strcmp(H.u[i].name, want) && unit_scalable(&H.u[i]) > 0)
				s[0].scalable = 1;
	return 1;
}

/* The debugfs units with a root table: the device's unit, else every unit of its segment. */
static int debugfs_starts(struct iv_run *run, const struct iv_bdf *bdf, const char *name, struct iv_start *s, int max, char *why,
			  size_t whylen)
{
	if (!hints(run)) {
		snprintf(why, whylen, "debugfs hints unusable: %s", H.why);
		return 0;
	}
	int k = 0;
	for (size_t i = 0; i < H.n && k < max; i++)
		if (H.u[i].have_root && H.u[i].segment == bdf->seg && (!name[0] || !strcmp(H.u[i].name, name)))
			s[k++] = vtd_start(&H.u[i], IV_FROM_DEBUGFS);
	return k;
}

/* How well a kernel unit fits a device: 0 its scope lists it, 1 INCLUDE_PCI_ALL, 2 neither. */
static int rank(const struct iv_ksym_unit *k, const struct iv_bdf *bdf)
{
	uint16_t id = (uint16_t)(bdf->bus << 8 | iv_bdf_devfn(bdf));
	if (k->u.segment == bdf->seg)
		for (size_t i = 0; i < k->nscope; i++)
			if (k->scope[i] == id)
				return 0;
	return k->include_all && k->u.segment == bdf->seg ? 1 : 2;
}

/* The kernel's VT-d units, else its AMD-Vi device table. Returns the number of
 * starts, 0 with the reason in why, -1 on error. */
static int ksym_starts(struct iv_run *run, const struct iv_bdf *bdf, const char *name, struct iv_start *s, int max, char *why,
		       size_t whylen)
{
	const struct iv_ksym_unit *u;
	size_t n;
	int r = iv_ksym_units(run, &u, &n, why, whylen);
	if (r)
		return r < 0 ? -1 : 0;
	int k = 0;
	for (int want = 0; want <= 2; want++)
		for (size_t i = 0; i < n && k < max; i++)
			if (rank(&u[i], bdf) == want && u[i].u.have_root && u[i].u.segment == bdf->seg &&
			    (!name[0] || !strcmp(u[i].u.name, name)))
				s[k++] = vtd_start(&u[i].u, IV_FROM_KSYM);
	if (n) {
		if (!k)
			snprintf(why, whylen, "no VT-d unit %s%shas a root table (kernel symbols)", name,
				 name[0] ? " " : "of this segment ");
		return k;
	}
	uint64_t devtab;
	r = iv_ksym_amd_devtab(run, bdf->seg, &devtab, why, whylen);
	if (r)
		return r < 0 ? -1 : 0;
	s[0] = (struct iv_start){ IV_VENDOR_AMD, devtab, -1, IV_FROM_KSYM, "" };
	return 1;
}

int iv_starts_find(struct iv_run *run, const struct iv_bdf *bdf, struct iv_start *s, int max, char *why, size_t whylen)
{
	if (max < 1)
		return 0;
	if (run->opt.have_amd_devtab) {
		s[0] = (struct iv_start){ IV_VENDOR_AMD, run->opt.amd_devtab, -1, IV_FROM_OPTION, "" };
		return 1;
	}
	if (run->opt.have_vtd_root)
		return option_vtd(run, bdf, s);
	char name[32] = "", hw[1024] = "", ks[512] = "";
	if (iv_intel_unit_of(run, bdf, name, sizeof name) != 0)
		name[0] = 0;
	int k = debugfs_starts(run, bdf, name, s, max, hw, sizeof hw);
	if (k)
		return k;
	if ((k = ksym_starts(run, bdf, name, s, max, ks, sizeof ks)) != 0)
		return k;
	char p[4200];
	const char *tail = hw[0] ? "; " : "";
	snprintf(p, sizeof p, "%s/iommu/amd", run->opt.debugfs);
	if (run->opt.debugfs[0] && access(p, F_OK) == 0)
		snprintf(why, whylen, "no AMD-Vi device table: give --amd-devtab ADDR "
			 "(the Device Table Base register, MMIO offset 0); kernel symbols: %s%s%.500s", ks, tail, hw);
	else
		snprintf(why, whylen, "no VT-d root table: give --vtd-root ADDR (RTADDR) or mount debugfs; "
			 "for AMD-Vi give --amd-devtab ADDR; kernel symbols: %s%s%.500s", ks, tail, hw);
	return 0;
}

/* ---- what `devices` shows ---- */

static struct iv_unit unit_of_dmar(const struct iv_dmar_unit *d, enum iv_start_from from)
{
	struct iv_unit u = { IV_VENDOR_INTEL, "", d->have_reg_base, d->reg_base, d->have_root, d->root_table,
			     d->scalable, d->have_enabled, d->enabled, from };
	snprintf(u.name, sizeof u.name, "%s", d->name);
	return u;
}

int iv_units_list(struct iv_run *run, struct iv_unit **out, size_t *n, char *why, size_t whylen)
{
	*out = NULL;
	*n = 0;
	why[0] = 0;
	char hw[1024] = "";
	if (hints(run) && H.n) {
		*out = iv_xcalloc(H.n, sizeof **out);
		for (size_t i = 0; i < H.n; i++)
			(*out)[i] = unit_of_dmar(&H.u[i], IV_FROM_DEBUGFS);
		*n = H.n;
		return 0;
	}
	if (!H.ok)
		snprintf(hw, sizeof hw, "; debugfs hints unusable: %s", H.why);
	const struct iv_ksym_unit *u;
	size_t nk;
	char ks[512] = "";
	int r = iv_ksym_units(run, &u, &nk, ks, sizeof ks);
	if (r < 0)
		return -1;
	if (r == 0 && nk) {
		*out = iv_xcalloc(nk, sizeof **out);
		for (size_t i = 0; i < nk; i++)
			(*out)[i] = unit_of_dmar(&u[i].u, IV_FROM_KSYM);
		*n = nk;
	}
	if (!*n)
		snprintf(why, whylen, "%s%.600s", ks, ks[0] || !hw[0] ? hw : hw + 2);
	return 0;
}

int iv_device_unit(struct iv_run *run, const struct iv_bdf *bdf, char *unit, size_t len)
{
	return iv_intel_unit_of(run, bdf, unit, len);
}

enum iv_context_tt iv_device_context(struct iv_run *run, const struct iv_bdf *bdf)
{
	struct iv_intel_dev d;
	char w[256];
	if (iv_intel_device_hint(run, bdf, 0, &d, w, sizeof w) != 0)
		return IV_CTX_UNKNOWN;
	switch (d.tt) {
	case IV_TT_TRANSLATE: return IV_CTX_TRANSLATED;
	case IV_TT_PASSTHROUGH: return IV_CTX_PASSTHROUGH;
	default: return IV_CTX_OTHER;
	}
}

int iv_hint_devices(struct iv_run *run, struct iv_bdf **out)
{
	struct iv_intel_dev *d;
	size_t nd;
	char w[256];
	*out = NULL;
	if (iv_intel_devices_hint(run, &d, &nd, w, sizeof w))
		return -1;
	struct iv_bdf *v = iv_xcalloc(nd + 1, sizeof *v);
	size_t k = 0;
	for (size_t i = 0; i < nd; i++) {
		bool dup = false;
		for (size_t j = 0; j < k; j++)
			dup |= iv_bdf_eq(&v[j], &d[i].bdf);
		if (!dup)
			v[k++] = d[i].bdf;
	}
	free(d);
	*out = v;
	return (int)k;
}
