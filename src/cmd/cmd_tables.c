/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_tables.c - 'tables DEVICE [--pasid N]': compare the debugfs dump of a
 * device's table with the walk of the same table in physical memory.
 *
 * The debugfs side is streamed once; the memory side is pulled on demand in
 * chunks of CHUNK leaves (each chunk a walk from the last IOVA seen, which the
 * memory walker prunes cheaply), so memory stays bounded for any table size.
 * JSON: {"schema_version","command","bdf","pasid","differences":[...],
 * "difference_count","identical","debugfs_leaves","memory_leaves","errors"}
 * (differences are streamed, so they come before the counts). */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "iv.h"
#include "commands.h"
#include "print.h"
#include "report.h"
#include "source.h"

#define CHUNK 4096

struct side {
	const struct iv_source_ops *ops;
	void *h;
	struct iv_table t;
	struct iv_leaf *buf;
	size_t n, pos;
	uint64_t cursor, count;
	bool done;
};

struct cmp {
	struct side d, m;      /* debugfs, memory */
	uint64_t ndiff;
};

static int collect(void *arg, const struct iv_leaf *l)
{
	struct side *s = arg;
	if (l->iova < s->cursor)       /* a leaf already seen (starts before the window) */
		return 0;
	s->buf[s->n++] = *l;
	return s->n == CHUNK;
}

/* Next memory leaf: 1 (in *l), 0 at the end, -1 on error. */
static int peek(struct side *s, const struct iv_leaf **l)
{
	if (s->pos == s->n) {
		if (s->done)
			return 0;
		s->n = s->pos = 0;
		int r = s->ops->walk(s->h, s->cursor, UINT64_MAX, collect, s);
		if (r < 0)
			return -1;
		if (r == 0)
			s->done = true;
		if (s->n == 0)
			return 0;
		uint64_t next = s->buf[s->n - 1].iova + s->buf[s->n - 1].size;
		if (next == 0)
			s->done = true;
		s->cursor = next;
	}
	*l = &s->buf[s->pos];
	return 1;
}

static void print_leaf(const char *key, const struct iv_leaf *l)
{
	if (!l) {
		print_null(PRINT_JSON, key, NULL);
		print_text("  %s -", key);
		return;
	}
	open_json_object(key);
	print_hex(PRINT_JSON, "phys", NULL, l->phys);
	print_string(PRINT_JSON, "perm", NULL, iv_perm_str(l->perm));
	print_hex(PRINT_JSON, "size", NULL, l->size);   /* schema 2: a hex string */
	print_int(PRINT_JSON, "level", NULL, l->level);
	close_json_object();
	print_text("  %s phys=0x%llx perm=%s size=0x%llx", key, (unsigned long long)l->phys,
		   iv_perm_str(l->perm), (unsigned long long)l->size);
}

/* d or m may be NULL (a leaf on one side only), never both: every caller passes
 * at least one (gcc -fanalyzer's NULL dereference of m is not reachable). */
static void difference(struct cmp *c, const struct iv_leaf *d, const struct iv_leaf *m)
{
	c->ndiff++;
	open_json_object(NULL);
	print_hex(PRINT_JSON, "iova", NULL, d ? d->iova : m->iova);
	print_text("iova 0x%llx:", (unsigned long long)(d ? d->iova : m->iova));
	print_leaf("debugfs", d);
	print_leaf("memory", m);
	print_text("\n");
	close_json_object();
}

static bool same(const struct iv_leaf *a, const struct iv_leaf *b)
{
	return a->phys == b->phys && a->perm == b->perm && a->size == b->size;
}

/* For each debugfs leaf: memory leaves before it are memory-only. */
static int on_debugfs_leaf(void *arg, const struct iv_leaf *d)
{
	struct cmp *c = arg;
	const struct iv_leaf *m;
	int r;
	c->d.count++;
	while ((r = peek(&c->m, &m)) == 1 && m->iova < d->iova) {
		difference(c, NULL, m);
		c->m.count++;
		c->m.pos++;
	}
	if (r < 0)
		return -1;
	if (r == 1 && m->iova == d->iova) {
		if (!same(d, m))
			difference(c, d, m);
		c->m.count++;
		c->m.pos++;
	} else {
		difference(c, d, NULL);
	}
	return 0;
}

static int compare(struct cmp *c)
{
	const struct iv_leaf *m;
	int r;
	if (c->d.ops->walk(c->d.h, 0, UINT64_MAX, on_debugfs_leaf, c) < 0)
		return -1;
	while ((r = peek(&c->m, &m)) == 1) {
		difference(c, NULL, m);
		c->m.count++;
		c->m.pos++;
	}
	return r;
}

static int open_side(struct iv_run *run, struct side *s, const struct iv_source_ops *ops, const struct iv_bdf *bdf,
		     uint32_t pasid, const char *dev)
{
	char why[1024] = "";
	s->ops = ops;
	int r = ops->open(run, bdf, pasid, &s->t, &s->h, why, sizeof why);
	if (r > 0) {
		char host[4300];
		iv_error(run, "%s: %s%s: %s", dev, iv_cmd_device_why(run, bdf, host, sizeof host), ops->name, why);
	}
	return r ? -1 : 0;
}

static void summary(const struct cmp *c, const char *dev, int rc)
{
	bool ident = rc == 0 && c->ndiff == 0;
	print_u64(PRINT_JSON, "difference_count", NULL, c->ndiff);
	if (rc)
		print_null(PRINT_JSON, "identical", NULL);   /* schema 2: unknown, not false */
	else
		print_bool(PRINT_JSON, "identical", NULL, ident);
	print_u64(PRINT_JSON, "debugfs_leaves", NULL, c->d.count);
	print_u64(PRINT_JSON, "memory_leaves", NULL, c->m.count);
	if (rc)
		print_text("%s: comparison incomplete (errors)\n", dev);
	else {
		char d_origin[4096], m_origin[4096];   /* file names: no forged lines */
		print_text("%s: debugfs %llu leaves (%s), memory %llu leaves (%s): %s\n", dev,
			   (unsigned long long)c->d.count, iv_escape(d_origin, sizeof d_origin, c->d.t.origin, NULL),
			   (unsigned long long)c->m.count, iv_escape(m_origin, sizeof m_origin, c->m.t.origin, NULL),
			   ident ? "identical" : "DIFFERENT");
	}
	if (!ident && !rc)
		print_text("%llu difference(s)\n", (unsigned long long)c->ndiff);
}

int cmd_tables(struct iv_run *run, int argc, char **argv)
{
	struct iv_bdf bdf;
	uint32_t pasid = 0;
	int pos, npos;
	char dev[16];
	if (iv_cmd_device_args(run, "tables", argc, argv, &bdf, &pasid, &pos, &npos))
		return IV_UNKNOWN;
	if (npos)
		return iv_usage_error(run, "tables", "unexpected argument '%s'", argv[pos]);
	iv_bdf_str(&bdf, dev);
	int rc;
	struct cmp *c = iv_xcalloc(1, sizeof *c);
	iv_report_begin("tables");
	print_string(PRINT_JSON, "bdf", NULL, dev);
	print_u64(PRINT_JSON, "pasid", NULL, pasid);
	rc = open_side(run, &c->d, &iv_source_debugfs, &bdf, pasid, dev);
	if (rc == 0)
		rc = open_side(run, &c->m, &iv_source_memory, &bdf, pasid, dev);
	if (rc == 0) {
		c->m.buf = iv_xmalloc(CHUNK * sizeof *c->m.buf);
		open_json_array("differences");
		rc = compare(c);
		close_json_array();
	} else
		print_null(PRINT_JSON, "differences", NULL);   /* not compared */
	summary(c, dev, rc);
	iv_report_end(run);
	if (c->d.h)
		c->d.ops->close(c->d.h);
	if (c->m.h)
		c->m.ops->close(c->m.h);
	int status = rc ? IV_UNKNOWN : c->ndiff ? IV_CRITICAL : IV_OK;
	free(c->m.buf);
	free(c);
	return status;
}
