/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_lookup.c - `lookup DEVICE [--pasid N] IOVA...`: resolve each IOVA. */
#include "config.h"
#include <inttypes.h>
#include <string.h>
#include "commands.h"
#include "print.h"
#include "report.h"
#include "source.h"


struct hit { uint64_t iova; bool found; struct iv_leaf leaf; };

static int find_leaf(void *arg, const struct iv_leaf *l)
{
	struct hit *h = arg;
	if (h->iova >= l->iova && h->iova - l->iova < l->size) {
		h->found = true;
		h->leaf = *l;
		return 1;
	}
	return l->iova > h->iova ? 1 : 0;
}

static void print_result(const struct hit *h)
{
	open_json_object(NULL);
	print_hex(PRINT_ANY, "iova", "0x%016" PRIx64, h->iova);
	print_bool(PRINT_JSON, "mapped", NULL, h->found);
	if (!h->found) {   /* schema 2: every member present, null when not mapped */
		static const char *const keys[] = { "phys", "pfn", "perm", "page_size", "level", "leaf_iova",
						    "entries" };
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
			print_null(PRINT_JSON, keys[i], NULL);
		print_text(" not mapped\n");
		close_json_object();
		return;
	}
	const struct iv_leaf *l = &h->leaf;
	uint64_t phys = l->phys + (h->iova - l->iova);
	print_hex(PRINT_ANY, "phys", " -> phys 0x%" PRIx64, phys);
	print_hex(PRINT_ANY, "pfn", " pfn 0x%" PRIx64, phys >> IV_PAGE_SHIFT);
	print_string(PRINT_ANY, "perm", " %s", iv_perm_str(l->perm));
	print_u64(PRINT_TEXT, NULL, " page %" PRIu64, l->size);
	print_hex(PRINT_JSON, "page_size", NULL, l->size);   /* schema 2: a hex string */
	print_int(PRINT_ANY, "level", " level %lld", l->level);
	print_hex(PRINT_ANY, "leaf_iova", " (leaf at 0x%" PRIx64 ")\n", l->iova);
	open_json_array("entries");
	print_text("    entries:");
	for (int i = 0; i < l->npath; i++)
		print_hex(PRINT_ANY, NULL, " 0x%016" PRIx64, l->path[i]);
	print_text("\n");
	close_json_array();
	close_json_object();
}

int cmd_lookup(struct iv_run *run, int argc, char **argv)
{
	struct iv_bdf bdf;
	uint32_t pasid;
	int pos, npos;
	if (iv_cmd_device_args(run, "lookup", argc, argv, &bdf, &pasid, &pos, &npos))
		return IV_UNKNOWN;
	if (npos == 0)
		return iv_usage_error(run, "lookup", "no IOVA given");
	for (int i = 0; i < npos; i++) {
		uint64_t v;
		if (iv_parse_u64(argv[pos + i], &v))
			return iv_usage_error(run, "lookup", "'%s' is not an IOVA (hex with 0x, or decimal)", argv[pos + i]);
	}
	iv_report_begin("lookup");
	struct iv_table t;
	const struct iv_source_ops *ops;
	void *h;
	if (iv_cmd_open_table(run, &bdf, pasid, &t, &ops, &h) == 0) {
		open_json_array("results");
		for (int i = 0; i < npos; i++) {
			struct hit hit;
			memset(&hit, 0, sizeof hit);
			iv_parse_u64(argv[pos + i], &hit.iova);
			if (ops->walk(h, hit.iova, hit.iova, find_leaf, &hit) < 0)
				break;
			print_result(&hit);
		}
		close_json_array();
		ops->close(h);
	} else
		print_null(PRINT_JSON, "results", NULL);
	iv_report_end(run);
	return run->errs.n ? IV_UNKNOWN : IV_OK;
}
