/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_dump.c - `dump DEVICE [--pasid N]`: the IOVA->PFN map of one device as
 * coalesced extents, streamed (memory does not grow with the table). */
#include "config.h"
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "print.h"
#include "report.h"
#include "source.h"

struct dump_state { uint64_t extents, bytes; };

static const char *size_str(uint64_t sz, char *buf, size_t len)
{
	if (sz >= (1ULL << 30) && !(sz & ((1ULL << 30) - 1)))
		snprintf(buf, len, "%" PRIu64 "G", sz >> 30);
	else if (sz >= (1ULL << 20) && !(sz & ((1ULL << 20) - 1)))
		snprintf(buf, len, "%" PRIu64 "M", sz >> 20);
	else if (!(sz & 1023))
		snprintf(buf, len, "%" PRIu64 "K", sz >> 10);
	else
		snprintf(buf, len, "%" PRIu64, sz);
	return buf;
}

static int print_extent(void *arg, const struct iv_extent *e)
{
	struct dump_state *s = arg;
	char ps[32];
	s->extents++;
	s->bytes += e->size;
	open_json_object(NULL);
	print_hex(PRINT_ANY, "iova", "0x%016" PRIx64, e->iova);
	print_hex(PRINT_TEXT, NULL, "-0x%016" PRIx64, e->iova + e->size - 1);
	print_hex(PRINT_ANY, "size", " %#12" PRIx64, e->size);
	print_hex(PRINT_ANY, "pfn", " %#12" PRIx64, e->pfn);
	print_string(PRINT_ANY, "perm", " %s", iv_perm_str(e->perm));
	print_hex(PRINT_JSON, "page_size", NULL, e->page_size);   /* schema 2: a hex string */
	print_string(PRINT_TEXT, NULL, " %5s\n", size_str(e->page_size, ps, sizeof ps));
	close_json_object();
	return 0;
}

static int dump_leaf(void *arg, const struct iv_leaf *l)
{
	return iv_coalesce_leaf(arg, l);
}


int cmd_dump(struct iv_run *run, int argc, char **argv)
{
	struct iv_bdf bdf;
	uint32_t pasid;
	int pos, npos;
	if (iv_cmd_device_args(run, "dump", argc, argv, &bdf, &pasid, &pos, &npos))
		return IV_UNKNOWN;
	if (npos)
		return iv_usage_error(run, "dump", "unexpected argument '%s'", argv[pos]);
	iv_report_begin("dump");
	struct iv_table t;
	const struct iv_source_ops *ops;
	void *h;
	int rc = IV_UNKNOWN;
	if (iv_cmd_open_table(run, &bdf, pasid, &t, &ops, &h) == 0) {
		struct dump_state s = { 0, 0 };
		struct iv_coalescer co;
		iv_coalesce_init(&co, print_extent, &s);
		print_text("%-37s %12s %12s %4s %5s\n", "IOVA range", "size", "PFN", "perm", "page");
		open_json_array("extents");
		int r = ops->walk(h, 0, UINT64_MAX, dump_leaf, &co);
		if (r >= 0)
			r = iv_coalesce_flush(&co);
		close_json_array();
		ops->close(h);
		print_u64(PRINT_ANY, "extent_count", "%" PRIu64 " extents", s.extents);
		print_hex(PRINT_ANY, "mapped_bytes", ", 0x%" PRIx64 " bytes mapped\n", s.bytes);
		if (r >= 0)
			rc = IV_OK;
	} else {
		print_null(PRINT_JSON, "extents", NULL);
		print_null(PRINT_JSON, "extent_count", NULL);
		print_null(PRINT_JSON, "mapped_bytes", NULL);
	}
	iv_report_end(run);
	return run->errs.n ? IV_UNKNOWN : rc;
}
