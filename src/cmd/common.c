/* SPDX-License-Identifier: GPL-2.0-or-later */
/* common.c - helpers shared by the commands: usage errors, DEVICE/--pasid
 * arguments, opening a device's table and printing its header fields, the
 * global option table and the option walker every command uses. */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "iv.h"
#include "commands.h"
#include "print.h"
#include "report.h"
#include "source.h"

const struct option iv_opts_global[] = {
	{ "root", required_argument, NULL, IV_OPT_ROOT },
	{ "debugfs", required_argument, NULL, IV_OPT_DEBUGFS },
	{ "json", no_argument, NULL, 'j' },
	{ "pretty", no_argument, NULL, 'p' },
	{ "source", required_argument, NULL, IV_OPT_SOURCE },
	{ "memory", required_argument, NULL, IV_OPT_MEMORY },
	{ "vtd-root", required_argument, NULL, IV_OPT_VTDROOT },
	{ "amd-devtab", required_argument, NULL, IV_OPT_AMDDEVTAB },
	{ "stats", no_argument, NULL, IV_OPT_STATS },
	{ "timeout", required_argument, NULL, IV_OPT_TIMEOUT },
	{ "debugfs-max-mib", required_argument, NULL, IV_OPT_DEBUGFS_MAX },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ 0 }
};

const struct option iv_opts_device[] = {
	{ "pasid", required_argument, NULL, 'P' },
	{ 0 }
};

#define MAX_OPTS 64

int iv_getopt(int argc, char **argv, const struct option *cmdopts)
{
	static struct option all[MAX_OPTS];
	size_t n = 0;
	for (const struct option *o = iv_opts_global; o->name && n + 1 < MAX_OPTS; o++)
		all[n++] = *o;
	for (const struct option *o = cmdopts; o && o->name && n + 1 < MAX_OPTS; o++)
		all[n++] = *o;
	memset(&all[n], 0, sizeof all[n]);
	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, ":" IV_GLOBAL_SHORTOPTS, all, NULL);
		if (c == -1 || c == '?' || c == ':')
			return c;
		if (c >= IV_OPT_ROOT || strchr(IV_GLOBAL_SHORTOPTS, c))
			continue;      /* a global option: main has handled it */
		return c;
	}
}

int iv_usage_error(struct iv_run *run, const char *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	iv_error(run, "%s%s%s (see iommu-verify --help)", cmd ? cmd : "", cmd ? ": " : "", msg);
	if (run && run->opt.nagios) {
		char esc[2048];
		printf("IOMMU UNKNOWN - %s%s%s\n", cmd ? cmd : "", cmd ? ": " : "",
		       iv_escape(esc, sizeof esc, msg, "|"));
		fflush(stdout);
	} else if (print_is_json()) {
		iv_report_begin(cmd);
		iv_report_end(run);
	}
	return IV_UNKNOWN;
}

/* A device sysfs does not list, when sysfs lists the PCI bus at all (captured
 * trees may hold debugfs only). */
static bool not_on_bus(struct iv_run *run, const struct iv_bdf *bdf)
{
	char p[4200], b[16];
	struct stat st;
	if (stat(iv_path(run, p, sizeof p, "/sys/bus/pci/devices"), &st) != 0 || !S_ISDIR(st.st_mode))
		return false;
	iv_bdf_str(bdf, b);
	return stat(iv_path(run, p, sizeof p, "/sys/bus/pci/devices/%s", b), &st) != 0 && errno == ENOENT;
}

int iv_cmd_device_args(struct iv_run *run, const char *cmd, int argc, char **argv, struct iv_bdf *bdf,
		       uint32_t *pasid, int *first_pos, int *npos)
{
	int c;
	*pasid = 0;
	optind = 0;
	while ((c = iv_getopt(argc, argv, iv_opts_device)) != -1) {
		if (c == 'P') {
			uint64_t v;
			if (iv_parse_u64(optarg, &v) || v > 0xfffff)
				return iv_usage_error(run, cmd, "--pasid: '%s' is not a PASID (0 to 0xfffff)", optarg);
			*pasid = (uint32_t)v;
		} else {
			return iv_usage_error(run, cmd, "bad option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return iv_usage_error(run, cmd, "DEVICE missing");
	if (iv_bdf_parse(argv[optind], bdf))
		return iv_usage_error(run, cmd, "'%s' is not a PCI address (SSSS:BB:DD.F or BB:DD.F)", argv[optind]);
	*first_pos = optind + 1;
	*npos = argc - optind - 1;
	return 0;
}

/* The IOMMU is off when sysfs lists no unit in /sys/class/iommu. */
static bool iommu_off(struct iv_run *run)
{
	char p[4200];
	DIR *d = opendir(iv_path(run, p, sizeof p, "/sys/class/iommu"));
	if (!d)
		return false;
	bool any = false;
	struct dirent *e;
	while (!any && (e = readdir(d)))
		any = e->d_name[0] != '.';
	closedir(d);
	return !any;
}

const char *iv_cmd_device_why(struct iv_run *run, const struct iv_bdf *bdf, char *buf, size_t len)
{
	char p[4200];
	buf[0] = 0;
	if (not_on_bus(run, bdf))
		snprintf(buf, len, "no such PCI device (not in %s); ", iv_path(run, p, sizeof p, "/sys/bus/pci/devices"));
	else if (iommu_off(run))
		snprintf(buf, len, "the IOMMU is off (no unit in %s); ", iv_path(run, p, sizeof p, "/sys/class/iommu"));
	return buf;
}

int iv_cmd_open_table(struct iv_run *run, const struct iv_bdf *bdf, uint32_t pasid, struct iv_table *t,
		      const struct iv_source_ops **ops, void **h)
{
	char why[1024] = "", b[16], p[4200];
	iv_bdf_str(bdf, b);
	print_string(PRINT_JSON, "bdf", NULL, b);     /* schema 2: always, and "bdf" (was "device") */
	print_u64(PRINT_JSON, "pasid", NULL, pasid);
	int r = iv_source_open(run, bdf, pasid, t, ops, h, why, sizeof why);
	if (r > 0)
		iv_error(run, "%s: %sno page table can be read: %s", b, iv_cmd_device_why(run, bdf, p, sizeof p), why);
	if (r) {   /* no table: its fields are null (the reason is in "errors") */
		static const char *const keys[] = { "vendor", "mode", "levels", "table_format", "source", "origin" };
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
			print_null(PRINT_JSON, keys[i], NULL);
		return -1;
	}
	print_string(PRINT_TEXT, NULL, "device %s", b);
	print_u64(PRINT_TEXT, NULL, " pasid %" PRIu64, pasid);
	print_string(PRINT_ANY, "vendor", " %s", iv_vendor_name(t->vendor));
	print_string(PRINT_ANY, "mode", " %s", iv_mode_name(t->mode));
	print_int(PRINT_ANY, "levels", " %lld-level", t->levels);
	if (t->first_level)
		print_string(PRINT_ANY, "table_format", " %s", "first-level");
	else if (t->vendor == IV_VENDOR_INTEL)
		print_string(PRINT_JSON, "table_format", NULL, "second-level");
	else
		print_null(PRINT_JSON, "table_format", NULL);   /* AMD: the mode (v1, v2) says it */
	print_string(PRINT_ANY, "source", ", source %s", t->source);
	print_string(PRINT_ANY, "origin", " (%s)\n", t->origin);
	return 0;
}

int iv_cmd_vm_arg(struct iv_run *run, const char *cmd, int c, const char *arg, struct iv_vm *vm)
{
	uint64_t v;
	memset(vm, 0, sizeof *vm);
	if (c == 'L') {
		if (!arg[0] || strlen(arg) >= sizeof vm->name || strchr(arg, '/'))
			return iv_usage_error(run, cmd, "--domain: '%s' is not a libvirt domain name", arg);
		vm->kind = IV_VM_DOMAIN;
	} else {
		if (strspn(arg, "0123456789") != strlen(arg) || iv_parse_u64(arg, &v) || v == 0 || v > 999999999)
			return iv_usage_error(run, cmd, "--vmid: '%s' is not a Proxmox VM ID", arg);
		vm->kind = IV_VM_VMID;
	}
	snprintf(vm->name, sizeof vm->name, "%s", arg);
	return 0;
}
