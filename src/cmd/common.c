/* common.c - helpers shared by the commands: usage errors, DEVICE/--pasid
 * arguments, opening a device's table and printing its header fields. */
#include "config.h"
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include "iv.h"
#include "commands.h"
#include "print.h"
#include "source.h"

int iv_usage_error(const char *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	iv_error("%s%s%s (see iommu-verify --help)", cmd ? cmd : "", cmd ? ": " : "", msg);
	if (print_is_json()) {
		print_begin();
		print_end();
	}
	return IV_UNKNOWN;
}

int iv_cmd_device_args(const char *cmd, int argc, char **argv, struct iv_bdf *bdf,
		       uint32_t *pasid, int *first_pos, int *npos)
{
	static const struct option o[] = { { "pasid", required_argument, NULL, 'P' }, { 0 } };
	int c;
	*pasid = 0;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", o, NULL)) != -1) {
		if (c == 'P') {
			uint64_t v;
			if (iv_parse_u64(optarg, &v) || v > 0xfffff)
				return iv_usage_error(cmd, "--pasid: '%s' is not a PASID", optarg);
			*pasid = (uint32_t)v;
		} else {
			return iv_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return iv_usage_error(cmd, "DEVICE missing");
	if (iv_bdf_parse(argv[optind], bdf))
		return iv_usage_error(cmd, "'%s' is not a PCI address (SSSS:BB:DD.F or BB:DD.F)", argv[optind]);
	*first_pos = optind + 1;
	*npos = argc - optind - 1;
	return 0;
}

int iv_cmd_open_table(const struct iv_bdf *bdf, uint32_t pasid, struct iv_table *t,
		      const struct iv_source_ops **ops, void **h)
{
	char why[1024] = "", b[16];
	int r = iv_source_open(bdf, pasid, t, ops, h, why, sizeof why);
	if (r > 0)
		iv_error("%s: no page table can be read: %s", iv_bdf_str(bdf, b), why);
	if (r)
		return -1;
	print_string(PRINT_ANY, "device", "device %s", iv_bdf_str(bdf, b));
	print_u64(PRINT_ANY, "pasid", " pasid %" PRIu64, pasid);
	print_string(PRINT_ANY, "vendor", " %s", iv_vendor_name(t->vendor));
	print_string(PRINT_ANY, "mode", " %s", iv_mode_name(t->mode));
	print_int(PRINT_ANY, "levels", " %lld-level", t->levels);
	if (t->first_level)
		print_string(PRINT_ANY, "table_format", " %s", "first-level");
	print_string(PRINT_ANY, "source", ", source %s", t->source);
	print_string(PRINT_ANY, "origin", " (%s)\n", t->origin);
	return 0;
}
