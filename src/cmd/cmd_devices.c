/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_devices.c - `devices`: the IOMMU units, and for each PCI device its
 * group, driver, domain type, unit, translation type (from the VT-d context /
 * PASID entry) and whether its page table can be read, from where. */
#include "config.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "iv.h"
#include "commands.h"
#include "print.h"
#include "report.h"
#include "source.h"
#include "start.h"
#include "sysfs.h"

static void print_opt_hex(const char *key, bool have, uint64_t v, const char *fmt)
{
	if (have)
		print_hex(PRINT_ANY, key, fmt, v);
	else
		print_null(PRINT_ANY, key, " -");
}

static void print_unit(const struct iv_unit *u)
{
	open_json_object(NULL);
	print_string(PRINT_ANY, "name", "%-8s", u->name);
	print_opt_hex("register_base", u->have_reg_base, u->reg_base, " 0x%-14" PRIx64);
	print_string(PRINT_ANY, "mode", " %-9s", u->scalable ? "scalable" : "legacy");
	if (u->have_enabled)
		print_bool(PRINT_ANY, "enabled", " %-8s", u->enabled);
	else
		print_null(PRINT_ANY, "enabled", " -       ");
	print_opt_hex("root_table", u->have_root, u->root_table, " 0x%" PRIx64);
	print_text("\n");
	close_json_object();
}

static int print_units(struct iv_run *run)
{
	struct iv_unit *u;
	size_t n;
	char why[1024] = "";
	if (iv_units_list(run, &u, &n, why, sizeof why) < 0) {
		print_null(PRINT_JSON, "units", NULL);   /* not read (see errors) */
		return -1;
	}
	print_text("%-8s %-16s %-9s %-8s %s\n", "UNIT", "REGISTER_BASE", "MODE", "ENABLED", "ROOT_TABLE");
	open_json_array("units");
	for (size_t i = 0; i < n; i++)
		print_unit(&u[i]);
	close_json_array();
	if (!n)
		print_text(why[0] ? "(no IOMMU units found: %s)\n" : "(no IOMMU units found)\n", why);
	free(u);
	return 0;
}

/* All devices: sysfs, else the devices the debugfs hints list. */
static int device_list(struct iv_run *run, struct iv_bdf **out)
{
	int n = iv_sysfs_pci_devices(run, out);
	if (n >= 0)
		return n;
	return iv_hint_devices(run, out);
}

static void print_str_or_null(const char *key, const char *fmt, const char *v)
{
	if (*v)
		print_string(PRINT_ANY, key, fmt, v);
	else
		print_null(PRINT_JSON, key, NULL);
}

struct table_res {
	int r;                 /* iv_source_open result */
	struct iv_table t;
	char why[1024];
};

static void open_table(struct iv_run *run, const struct iv_bdf *bdf, struct table_res *x)
{
	const struct iv_source_ops *ops;
	void *h;
	x->why[0] = 0;
	x->r = iv_source_open(run, bdf, 0, &x->t, &ops, &h, x->why, sizeof x->why);
	if (x->r == 0)
		ops->close(h);
}

/* The table column: where the page table is read from, or why it cannot be. */
static void print_table(const struct table_res *x)
{
	print_bool(PRINT_JSON, "table_readable", NULL, x->r == 0);   /* schema 2 (was "table") */
	if (x->r == 0) {
		print_string(PRINT_ANY, "source", " %s", x->t.source);
		print_int(PRINT_ANY, "levels", " %lld-level", x->t.levels);
		print_string(PRINT_ANY, "origin", " %s", x->t.origin);
		print_null(PRINT_JSON, "reason", NULL);
	} else {
		print_null(PRINT_JSON, "source", NULL);
		print_null(PRINT_JSON, "origin", NULL);
		print_null(PRINT_JSON, "levels", NULL);
		print_string(PRINT_ANY, "reason", " none: %s", x->r < 0 ? "error (see errors)" : x->why);
	}
}

static const char *translation(struct iv_run *run, const struct iv_bdf *bdf, bool table, bool passthrough, const char *dtype)
{
	switch (iv_device_context(run, bdf)) {
	case IV_CTX_PASSTHROUGH: return "passthrough";
	case IV_CTX_TRANSLATED: return "translated";
	case IV_CTX_OTHER: return "unknown";
	case IV_CTX_UNKNOWN: break;
	}
	if (passthrough || !strcmp(dtype, "identity"))
		return "passthrough";
	return table ? "translated" : "unknown";
}

static int print_device(struct iv_run *run, const struct iv_bdf *bdf)
{
	char b[16], drv[64], dtype[32] = "", unit[16] = "";
	int g = iv_sysfs_group_of(run, bdf);
	iv_sysfs_driver(run, bdf, drv, sizeof drv);
	if (g >= 0)
		iv_sysfs_group_type(run, g, dtype, sizeof dtype);
	iv_device_unit(run, bdf, unit, sizeof unit);
	open_json_object(NULL);
	print_string(PRINT_ANY, "bdf", "%-13s", iv_bdf_str(bdf, b));
	if (g >= 0)
		print_int(PRINT_ANY, "group", " %-5lld", g);
	else
		print_null(PRINT_ANY, "group", " -    ");
	print_str_or_null("driver", " %-12s", drv);
	print_text("%s", *drv ? "" : " -           ");
	print_str_or_null("domain_type", " %-9s", dtype);
	print_text("%s", *dtype ? "" : " -        ");
	print_str_or_null("unit", " %-6s", unit);
	print_text("%s", *unit ? "" : " -     ");
	struct table_res x;
	open_table(run, bdf, &x);
	print_string(PRINT_ANY, "translation", " %-12s",
		     translation(run, bdf, x.r == 0, x.r > 0 && x.t.passthrough, dtype));
	print_table(&x);
	print_text("\n");
	close_json_object();
	return x.r < 0 ? -1 : 0;
}

int cmd_devices(struct iv_run *run, int argc, char **argv)
{
	optind = 0;
	if (iv_getopt(argc, argv, NULL) != -1)
		return IV_UNKNOWN;               /* reported by main */
	if (optind < argc)
		return iv_usage_error(run, "devices", "unexpected argument '%s'", argv[optind]);
	int rc = IV_OK;
	iv_report_begin("devices");
	if (print_units(run))
		rc = IV_UNKNOWN;
	struct iv_bdf *devs = NULL;
	int n = device_list(run, &devs);
	bool unread = n < 0;
	if (n <= 0) {     /* having read nothing is not a result */
		iv_error(run, "no PCI devices: %s /sys/bus/pci/devices or dmar_translation_struct",
			 n < 0 ? "cannot read" : "none in");
		rc = IV_UNKNOWN;
		n = 0;
	}
	print_text("\n%-13s %-5s %-12s %-9s %-6s %-12s %s\n", "BDF", "GROUP", "DRIVER", "DOMAIN", "UNIT",
		   "TRANSLATION", "TABLE");
	if (unread)
		print_null(PRINT_JSON, "devices", NULL);   /* not read (see errors), not "none" */
	else
		open_json_array("devices");
	for (int i = 0; i < n; i++)
		if (print_device(run, &devs[i]))
			rc = IV_UNKNOWN;
	if (!unread)
		close_json_array();
	free(devs);
	iv_report_end(run);
	return run->errs.n ? IV_UNKNOWN : rc;
}
