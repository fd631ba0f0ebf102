/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_check.c - `check`: compare each VFIO device's IOMMU mappings with its
 * process's CPU page tables and report stale and zero-page mappings. */
#include "config.h"
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "commands.h"
#include "print.h"
#include "report.h"

#define MAX_ARGS 256

const struct option iv_opts_check[] = {
	{ "pid", required_argument, NULL, 'P' },
	{ "all", no_argument, NULL, 'A' },
	{ "device", required_argument, NULL, 'D' },
	{ "qmp", required_argument, NULL, 'Q' },
	{ "domain", required_argument, NULL, 'L' },
	{ "vmid", required_argument, NULL, 'X' },
	{ "connect", required_argument, NULL, 'C' },
	{ "gpa-map", required_argument, NULL, 'G' },
	{ "min-devices", required_argument, NULL, 'm' },
	{ "nagios", no_argument, NULL, 'N' },
	{ "prometheus", required_argument, NULL, 'M' },
	{ 0 }
};

/* --gpa-map names a file to read: a directory or FIFO is an error now (a
 * FIFO would block the run). */
static int input_file(struct iv_run *run, const char *opt, const char *path)
{
	struct stat st;
	if (!path[0])
		return iv_usage_error(run, "check", "%s: the path is empty", opt);
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return iv_usage_error(run, "check", "%s: %s is %s, not a regular file", opt, path,
				      S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO"
				      : S_ISSOCK(st.st_mode) ? "a socket" : "a device or special file");
	return 0;
}

static int check_cmd(struct iv_run *run, int argc, char **argv, struct iv_vm *vms)
{
	pid_t pids[MAX_ARGS];
	struct iv_bdf devs[MAX_ARGS];
	struct iv_check_opts opts = { .pids = pids, .devs = devs, .vms = vms };
	const char *uri = NULL;
	bool all = false, nagios = false;
	const char *prom = NULL;
	int c;
	run->opt.debugfs_unsized_skip = true;   /* on a timer: never a dump of unknown size (man: --debugfs-max-mib) */
	optind = 0;
	while ((c = iv_getopt(argc, argv, iv_opts_check)) != -1) {
		switch (c) {
		case 'P': {
			uint64_t v;
			bool dup = false;
			if (iv_parse_u64(optarg, &v) || v == 0 || v > 0x7fffffff)
				return iv_usage_error(run, "check", "--pid: '%s' is not a process ID", optarg);
			for (size_t i = 0; i < opts.npids; i++)
				dup |= pids[i] == (pid_t)v;
			if (dup)
				break;              /* a duplicate --pid counts once */
			if (opts.npids == MAX_ARGS)
				return iv_usage_error(run, "check", "too many --pid options");
			pids[opts.npids++] = (pid_t)v;
			break;
		}
		case 'A': all = true; break;
		case 'D':
			if (opts.ndevs == MAX_ARGS)
				return iv_usage_error(run, "check", "too many --device options");
			if (iv_bdf_parse(optarg, &devs[opts.ndevs++]))
				return iv_usage_error(run, "check", "--device: '%s' is not a PCI address", optarg);
			break;
		case 'Q': opts.qmp = optarg; break;
		case 'L':
		case 'X': {
			struct iv_vm vm;
			bool dup = false;
			if (iv_cmd_vm_arg(run, "check", c, optarg, &vm))
				return IV_UNKNOWN;
			for (size_t i = 0; i < opts.nvms; i++)
				dup |= vms[i].kind == vm.kind && !strcmp(vms[i].name, vm.name);
			if (dup)
				break;              /* counts once */
			if (opts.nvms == MAX_ARGS)
				return iv_usage_error(run, "check", "too many --domain and --vmid options");
			vms[opts.nvms++] = vm;
			break;
		}
		case 'C':
			if (!optarg[0])
				return iv_usage_error(run, "check", "--connect: the URI is empty");
			uri = optarg;
			break;
		case 'G':
			if (input_file(run, "--gpa-map", optarg))
				return IV_UNKNOWN;
			opts.gpa_map_file = optarg;
			break;
		case 'm': {
			uint64_t v;
			if (iv_parse_u64(optarg, &v) || v > 100000)
				return iv_usage_error(run, "check", "--min-devices: '%s' is not a number of devices", optarg);
			opts.min_devices = (unsigned)v;
			break;
		}
		case 'N': nagios = true; break;
		case 'M':
			if (!optarg[0])
				return iv_usage_error(run, "check", "--prometheus: the path is empty");
			prom = optarg;
			break;
		default:
			return iv_usage_error(run, "check", "bad option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return iv_usage_error(run, "check", "unexpected argument '%s'", argv[optind]);
	if (all && opts.npids)
		return iv_usage_error(run, "check", "--all and --pid exclude each other");
	if (all && opts.nvms)
		return iv_usage_error(run, "check", "--all and --domain/--vmid exclude each other (--all names each VM by "
				      "its -name already)");
	if (opts.nvms && (opts.qmp || opts.gpa_map_file))
		return iv_usage_error(run, "check", "--domain and --vmid read the map through their stack: not with --qmp "
				      "or --gpa-map");
	bool any_domain = false;
	for (size_t i = 0; i < opts.nvms; i++) {
		vms[i].uri = uri;
		any_domain |= vms[i].kind == IV_VM_DOMAIN;
	}
	if (uri && !any_domain)
		return iv_usage_error(run, "check", "--connect names libvirt's URI: give --domain");
	if (opts.qmp && opts.gpa_map_file)
		return iv_usage_error(run, "check", "--qmp and --gpa-map exclude each other");
	if ((opts.qmp || opts.gpa_map_file) && opts.npids != 1)
		return iv_usage_error(run, "check", "--qmp and --gpa-map describe one VM: give exactly one --pid");

	struct iv_check res;
	if (prom && run->opt.deadline > 0)
		iv_report_prometheus_on_timeout(prom, run->opt.deadline - iv_now());
	iv_timeout_watch(&res);
	iv_check_run(run, &opts, &res);
	iv_timeout_disarm();
	iv_timeout_watch(NULL);   /* the work is done: the report is written whole */
	if (prom && iv_report_prometheus(run, &res, prom))
		res.status = res.status == IV_CRITICAL ? IV_CRITICAL : IV_UNKNOWN;
	int out;
	if (nagios)
		out = iv_report_nagios(run, &res, stdout);
	else
		out = iv_report_print(run, &res);
	int rc = (int)res.status;
	if (out && rc != IV_CRITICAL)
		rc = IV_UNKNOWN;    /* main reports the write error; a CRITICAL still wins */
	iv_check_free(&res);
	return rc;
}

int cmd_check(struct iv_run *run, int argc, char **argv)
{
	struct iv_vm *vms = iv_xcalloc(MAX_ARGS, sizeof *vms);   /* --domain, --vmid (1 KiB each) */
	int rc = check_cmd(run, argc, argv, vms);
	free(vms);
	return rc;
}
