/* cmd_check.c - `check`: compare each VFIO device's IOMMU mappings with its
 * process's CPU page tables and report stale and zero-page mappings. */
#include "config.h"
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "print.h"
#include "report.h"

#define MAX_ARGS 256

int cmd_check(int argc, char **argv)
{
	static const struct option o[] = {
		{ "pid", required_argument, NULL, 'P' },
		{ "all", no_argument, NULL, 'A' },
		{ "device", required_argument, NULL, 'D' },
		{ "qmp", required_argument, NULL, 'Q' },
		{ "gpa-map", required_argument, NULL, 'G' },
		{ "min-devices", required_argument, NULL, 'm' },
		{ "nagios", no_argument, NULL, 'N' },
		{ "prometheus", required_argument, NULL, 'M' },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ 0 }
	};
	pid_t pids[MAX_ARGS];
	struct iv_bdf devs[MAX_ARGS];
	struct iv_check_opts opts = { .pids = pids, .devs = devs };
	bool all = false, nagios = false;
	const char *prom = NULL;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jp", o, NULL)) != -1) {
		switch (c) {
		case 'P': {
			uint64_t v;
			if (iv_parse_u64(optarg, &v) || v == 0 || v > 0x7fffffff)
				return iv_usage_error("check", "--pid: '%s' is not a process ID", optarg);
			bool dup = false;   /* a duplicate --pid is the same process (counted once) */
			for (size_t i = 0; i < opts.npids && !dup; i++)
				dup = pids[i] == (pid_t)v;
			if (dup)
				break;
			if (opts.npids == MAX_ARGS)
				return iv_usage_error("check", "too many --pid options");
			pids[opts.npids++] = (pid_t)v;
			break;
		}
		case 'A': all = true; break;
		case 'D':
			if (opts.ndevs == MAX_ARGS)
				return iv_usage_error("check", "too many --device options");
			if (iv_bdf_parse(optarg, &devs[opts.ndevs++]))
				return iv_usage_error("check", "--device: '%s' is not a PCI address", optarg);
			break;
		case 'Q': opts.qmp = optarg; break;
		case 'G': opts.gpa_map_file = optarg; break;
		case 'm': {
			uint64_t v;
			if (iv_parse_u64(optarg, &v) || v > 100000)
				return iv_usage_error("check", "--min-devices: '%s' is not a number of devices", optarg);
			opts.min_devices = (unsigned)v;
			break;
		}
		case 'N': nagios = true; break;
		case 'M': prom = optarg; break;
		case 'j': iv_g->json = true; print_init(true, iv_g->pretty); break;
		case 'p': iv_g->json = iv_g->pretty = true; print_init(true, true); break;
		default:
			return iv_usage_error("check", "unknown option or missing argument '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return iv_usage_error("check", "unexpected argument '%s'", argv[optind]);
	if (all && opts.npids)
		return iv_usage_error("check", "--all and --pid exclude each other");
	if (opts.qmp && opts.gpa_map_file)
		return iv_usage_error("check", "--qmp and --gpa-map exclude each other");
	if ((opts.qmp || opts.gpa_map_file) && opts.npids != 1)
		return iv_usage_error("check", "--qmp and --gpa-map describe one VM: give exactly one --pid");

	struct iv_check res;
	iv_check_run(&opts, &res);
	if (prom && iv_report_prometheus(&res, prom))
		res.status = res.status == IV_CRITICAL ? IV_CRITICAL : IV_UNKNOWN;
	if (nagios)
		iv_report_nagios(&res, stdout);
	else
		iv_report_print(&res);
	int rc = (int)res.status;
	iv_check_free(&res);
	return rc;
}
