/* SPDX-License-Identifier: GPL-2.0-or-later */
/* extent.c - coalescing leaves into extents. */
#include "config.h"
#include "source.h"

const char *iv_perm_str(unsigned perm)
{
	static const char *s[4] = { "--", "r-", "-w", "rw" };
	return s[perm & 3];
}

void iv_coalesce_init(struct iv_coalescer *c, iv_extent_fn fn, void *arg)
{
	c->have = false;
	c->fn = fn;
	c->arg = arg;
}

int iv_coalesce_leaf(struct iv_coalescer *c, const struct iv_leaf *l)
{
	uint64_t pfn = l->phys >> IV_PAGE_SHIFT;
	if (c->have && l->iova == c->cur.iova + c->cur.size && l->perm == c->cur.perm &&
	    l->size == c->cur.page_size && pfn == c->cur.pfn + (c->cur.size >> IV_PAGE_SHIFT)) {
		c->cur.size += l->size;
		return 0;
	}
	if (c->have) {
		int r = c->fn(c->arg, &c->cur);
		if (r)
			return r;
	}
	c->cur.iova = l->iova;
	c->cur.size = l->size;
	c->cur.pfn = pfn;
	c->cur.page_size = l->size;
	c->cur.perm = l->perm;
	c->have = true;
	return 0;
}

int iv_coalesce_flush(struct iv_coalescer *c)
{
	if (!c->have)
		return 0;
	c->have = false;
	return c->fn(c->arg, &c->cur);
}
