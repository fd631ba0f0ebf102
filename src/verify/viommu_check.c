/* SPDX-License-Identifier: GPL-2.0-or-later */
/* viommu_check.c - the check of a process whose guest has its own vIOMMU
 * (field notes section 4), the part of the driver (verify.c) that decides how
 * its devices are compared: through the guest's own VT-d tables (the host
 * layer's iv_vguest: IOVA -> GPA, then the usual comparison at the GPA), or,
 * when they cannot be walked, without GPA (zero_page, orphaned_pin, stale
 * against the VM's RAM-block PFN set) and UNKNOWN with the reason. */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "devwalk.h"

/* The reason of a device compared without GPA (zero_page, orphaned_pin,
 * stale against the RAM-block PFN set, built here once). extra: why the
 * guest's tables were not used ("" none). */
static void no_gpa_reason(const struct iv_viommu *vi, struct dev_walk *w, const struct iv_gpa_map *map,
			  const char *extra, char *why, size_t len)
{
	char ramwhy[160] = "";
	if (!w->ram) {
		w->ram = iv_pfnset_from_map(w->pm, map, ramwhy, sizeof ramwhy);
	}
	snprintf(why, len, "guest vIOMMU: IOVA is not GPA (%s); checked without GPA: zero_page, orphaned_pin%s%s%s%s",
		 vi->how, w->ram ? ", stale (IOMMU PFN in none of the VM's RAM blocks)" : "; stale not checked: ",
		 w->ram ? "" : ramwhy, extra[0] ? "; the guest's tables not walked: " : "", extra);
}

/* Guest vIOMMU with translation on or unknown. With the emulated Intel
 * unit's root table known, the devices are compared through the guest's own
 * tables (w->vg; returns false). Otherwise they are compared without GPA and
 * are UNKNOWN (returns true, why). */
bool iv_viommu_no_gpa(const struct iv_viommu *vi, struct iv_proc_result *pr, struct dev_walk *w,
		      const struct iv_gpa_map *map, char *why, size_t len)
{
	if (!vi->model[0])
		return false;
	snprintf(pr->viommu, sizeof pr->viommu, "%s", vi->how);
	if (vi->translation == 0)
		return false;
	if (vi->translation == 1 && vi->have_rtaddr && !vi->guest_why[0]) {
		w->vg = iv_vguest_open(w->run, pr->pid, map, w->pm);
		return false;
	}
	w->map_authoritative = false;
	no_gpa_reason(vi, w, map, vi->guest_why, why, len);
	return true;
}

/* Translating through the guest's tables: select the device there (its
 * guest BDF), compare, and when the guest's tables cannot be used for it,
 * compare it without GPA (UNKNOWN with the reason). */
/* A device not checked: why (as verify.c's). */
static void dev_unchecked(struct iv_dev_result *dr, struct iv_check *res, const char *why)
{
	dr->checked = false;
	snprintf(dr->reason, sizeof dr->reason, "%s", why);
	res->incomplete = true;
}

void iv_check_translated(struct dev_walk *w, const struct iv_viommu *vi, const struct iv_gpa_map *map,
			 void (*check)(struct dev_walk *w, size_t idx), size_t idx)
{
	struct iv_dev_result *dr = w->dr;
	char why[256] = "", reason[sizeof dr->reason], b[16];
	const char *mode = "";
	struct iv_bdf gb;
	w->guest_err = false;
	if (iv_viommu_guest_bdf(vi, &dr->bdf, &gb, why, sizeof why) == 0) {
		dr->have_guest_bdf = true;
		dr->guest_bdf = gb;
		if (iv_vguest_device(w->vg, vi->rtaddr, &gb, &mode, why, sizeof why) == 0) {
			bool walk = !strcmp(mode, "legacy") || !strcmp(mode, "scalable");
			snprintf(dr->guest_table, sizeof dr->guest_table, "%s%s%.80s", mode, !why[0] ? "" : walk ? " " : ": ",
				 why);
			check(w, idx);
			if (!w->guest_err || w->res->nf > w->first)
				return;   /* done, or the findings made through the guest's tables stand (UNKNOWN) */
			snprintf(why, sizeof why, "%s", iv_vguest_why(w->vg));   /* nothing found: compare without GPA */
			dr->pages_checked = dr->unverified_pages = dr->reserved_pages = dr->mmio_pages = 0;
			dr->guest_table[0] = 0;
		}
	}
	struct iv_vguest *vg = w->vg;
	char extra[320];
	if (dr->have_guest_bdf)
		snprintf(extra, sizeof extra, "guest %s: %s", iv_bdf_str(&gb, b), why);
	else
		snprintf(extra, sizeof extra, "%s", why);
	w->vg = NULL;
	w->map = NULL;
	w->map_authoritative = false;
	no_gpa_reason(vi, w, map, extra, reason, sizeof reason);
	if (!w->src[idx].h)
		w->src[idx].tried = false;   /* the first check closed the source: open it again */
	check(w, idx);
	if (dr->checked)
		dev_unchecked(dr, w->res, reason);
	w->vg = vg;
	w->map = map;
	w->map_authoritative = true;
}
