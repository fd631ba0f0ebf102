/* SPDX-License-Identifier: GPL-2.0-or-later */
/* source.c - choose the page-table source for a device (--source).
 *
 * auto: the memory walk whenever the image is readable and a start point is
 * known (it takes no kernel lock and allocates nothing in the kernel); the
 * kernel's debugfs page-table dump (a single seq_file record built under
 * iommu->lock, field-notes §1) only when the memory walk is not possible. */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "source.h"

static int open_one(struct iv_run *run, const struct iv_source_ops *o, const struct iv_bdf *bdf, uint32_t pasid, struct iv_table *t,
		    const struct iv_source_ops **ops, void **handle, char *why, size_t whylen)
{
	char w[1024] = "";
	memset(t, 0, sizeof *t);
	int r = o->open(run, bdf, pasid, t, handle, w, sizeof w);
	if (r == 0)
		*ops = o;
	else if (r > 0)
		snprintf(why, whylen, "%s: %s", o->name, w);
	return r;
}

int iv_source_open(struct iv_run *run, const struct iv_bdf *bdf, uint32_t pasid, struct iv_table *t,
		   const struct iv_source_ops **ops, void **handle, char *why, size_t whylen)
{
	char wm[1024] = "", wd[1024] = "";
	if (run->opt.source == IV_SRC_DEBUGFS)
		return open_one(run, &iv_source_debugfs, bdf, pasid, t, ops, handle, why, whylen);
	if (run->opt.source == IV_SRC_MEMORY)
		return open_one(run, &iv_source_memory, bdf, pasid, t, ops, handle, why, whylen);
	int u = iv_memory_usable(run, bdf, wm, sizeof wm);
	if (u < 0)
		return -1;
	if (u > 0)    /* the walk is possible: never the dump, whatever the walk finds */
		return open_one(run, &iv_source_memory, bdf, pasid, t, ops, handle, why, whylen);
	int r = open_one(run, &iv_source_debugfs_auto, bdf, pasid, t, ops, handle, wd, sizeof wd);
	if (r > 0 && t->passthrough)   /* definitive: no source has a table */
		snprintf(why, whylen, "%s", wd);
	else if (r > 0)
		snprintf(why, whylen, "memory: %s; %s", wm, wd);
	return r;
}
