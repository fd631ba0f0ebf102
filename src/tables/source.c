/* SPDX-License-Identifier: GPL-2.0-or-later */
/* source.c - choose the page-table source for a device (--source). */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "source.h"

int iv_source_open(const struct iv_bdf *bdf, uint32_t pasid, struct iv_table *t,
		   const struct iv_source_ops **ops, void **handle, char *why, size_t whylen)
{
	const struct iv_source_ops *order[2];
	int n = 0;
	switch (iv_g->source) {
	case IV_SRC_DEBUGFS: order[n++] = &iv_source_debugfs; break;
	case IV_SRC_MEMORY: order[n++] = &iv_source_memory; break;
	default:
		order[n++] = &iv_source_debugfs;
		order[n++] = &iv_source_memory;
		break;
	}
	char reasons[1024] = "";
	for (int i = 0; i < n; i++) {
		char w[512] = "";
		memset(t, 0, sizeof *t);
		int r = order[i]->open(bdf, pasid, t, handle, w, sizeof w);
		if (r <= 0) {
			if (r == 0)
				*ops = order[i];
			return r;
		}
		if (t->passthrough) {   /* definitive: no other source has a table either */
			snprintf(why, whylen, "%s: %s", order[i]->name, w);
			return 1;
		}
		size_t used = strlen(reasons);
		snprintf(reasons + used, sizeof reasons - used, "%s%s: %s", used ? "; " : "",
			 order[i]->name, w);
	}
	snprintf(why, whylen, "%s", reasons);
	return 1;
}
