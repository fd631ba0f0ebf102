/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c - global options, the whole-line option pass and the command table. */
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "iv.h"
#include "print.h"
#include "report.h"
#include "commands.h"
#include "host.h"
#include "source.h"

/* --timeout's maximum: poll() takes milliseconds in an int (2147483 s). */
#define IV_TIMEOUT_MAX 3600.0
/* --nagios without -t: the run's limit */
#define IV_NAGIOS_TIMEOUT 50.0

static const struct iv_command commands[] = {
	{ "devices", cmd_devices, "", "IOMMU units and the devices behind them", NULL, NULL },
	{ "dump", cmd_dump, "DEVICE [--pasid N]", "the IOVA->PFN map of one device as coalesced extents",
	  iv_opts_device, NULL },
	{ "lookup", cmd_lookup, "DEVICE [--pasid N] IOVA...", "resolve each IOVA", iv_opts_device, "IOVA" },
	{ "tables", cmd_tables, "DEVICE [--pasid N]", "compare the debugfs dump with the memory walk",
	  iv_opts_device, NULL },
	{ "check", cmd_check,
	  "[--pid PID ...|--all] [--domain NAME ...] [--vmid N ...] [--connect URI] [--device DEVICE ...] [--min-devices N] [--qmp SOCKET|--gpa-map FILE] [--nagios] [--prometheus FILE]",
	  "compare each VFIO device's IOMMU mappings with its process's CPU page tables", iv_opts_check, NULL },
	{ "gpa-map", cmd_gpamap, "--pid PID --qmp SOCKET | --domain NAME [--connect URI] | --vmid N",
	  "one VM's guest physical address map as check reads it (-j: a --gpa-map file in \"sections\")",
	  iv_opts_gpamap, NULL },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: iommu-verify [OPTIONS] COMMAND [ARGS] [OPTIONS]\n"
		"\n"
		"Global options (before or after the command):\n"
		"  --root DIR              read /sys, /proc and debugfs below DIR instead of /\n"
		"  --debugfs DIR           where debugfs is mounted\n"
		"  -j, --json              JSON output; -p, --pretty  indented JSON\n"
		"  --source auto|debugfs|memory  where page tables come from (default auto)\n"
		"  --memory FILE           physical memory as an ELF image (default /proc/kcore)\n"
		"  --vtd-root ADDR[@UNIT]  VT-d root table address\n"
		"  --amd-devtab ADDR       AMD-Vi device table base\n"
		"  --debugfs-max-mib N     auto: skip a debugfs dump whose kernel buffer would exceed N MiB (64)\n"
		"  --stats                 print counters of what was read (stderr)\n"
		"  -t, --timeout SECONDS   the whole run's time limit (at most 3600; default none,\n"
		"                          50 with --nagios; without it each QMP or libvirt session gets 5 s)\n"
		"  -h, --help; -V, --version\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-8s %s\n           %s\n", commands[i].name, commands[i].usage, commands[i].help);
	fprintf(f, "\nExit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also errors and usage).\n");
}

/* debugfs mount point from /proc/self/mountinfo (live system only). */
static void find_debugfs(struct iv_opts *c, const char *opt)
{
	if (opt) {
		snprintf(c->debugfs, sizeof c->debugfs, "%s", opt);
		return;
	}
	if (c->root[0]) {
		snprintf(c->debugfs, sizeof c->debugfs, "%s/sys/kernel/debug", c->root);
		return;
	}
	snprintf(c->debugfs, sizeof c->debugfs, "/sys/kernel/debug");
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return;
	char line[4096];
	while (fgets(line, sizeof line, f)) {
		/* id parent maj:min root mountpoint opts ... - fstype source superopts */
		char mnt[4096];
		const char *sep = strstr(line, " - ");
		if (!sep || strncmp(sep, " - debugfs ", 11) != 0)
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1) {
			snprintf(c->debugfs, sizeof c->debugfs, "%s", mnt);
			break;
		}
	}
	fclose(f);
}

/* The whole-line pass: global options set here, the first usage error kept
 * (reported once the output mode is known, so -j or --nagios anywhere on the
 * line shapes it). */
struct cmdline {
	struct iv_opts *ctx;
	const char *debugfs_opt;
	bool help, version, nagios;
	char err[512];
};

static void bad(struct cmdline *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bad(struct cmdline *L, const char *fmt, ...)
{
	if (L->err[0])
		return;                  /* the first error is the one reported */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(L->err, sizeof L->err, fmt, ap);
	va_end(ap);
}

static void file_kind(char *buf, size_t len, mode_t m)
{
	snprintf(buf, len, "%s", S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket"
		 : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device" : "a special file");
}

static void global_option(struct cmdline *L, int c, const char *arg)
{
	struct iv_opts *ctx = L->ctx;
	switch (c) {
	case IV_OPT_ROOT: {
		static char root[4096];
		snprintf(root, sizeof root, "%s", arg);
		size_t n = strlen(root);
		while (n > 1 && root[n - 1] == '/')
			root[--n] = 0;
		if (!strcmp(root, "/"))
			root[0] = 0;
		ctx->root = root;
		break;
	}
	case IV_OPT_DEBUGFS: L->debugfs_opt = arg; break;
	case 'j': ctx->json = true; break;
	case 'p': ctx->pretty = ctx->json = true; break;
	case IV_OPT_SOURCE:
		if (!strcmp(arg, "auto")) ctx->source = IV_SRC_AUTO;
		else if (!strcmp(arg, "debugfs")) ctx->source = IV_SRC_DEBUGFS;
		else if (!strcmp(arg, "memory")) ctx->source = IV_SRC_MEMORY;
		else bad(L, "--source: '%s' is not auto, debugfs or memory", arg);
		break;
	case IV_OPT_MEMORY: ctx->memory = arg; break;
	case IV_OPT_VTDROOT: {
		char buf[128], *at;
		snprintf(buf, sizeof buf, "%s", arg);
		ctx->vtd_root_unit[0] = 0;
		if ((at = strchr(buf, '@'))) {
			*at = 0;
			snprintf(ctx->vtd_root_unit, sizeof ctx->vtd_root_unit, "%s", at + 1);
			if (!at[1])
				bad(L, "--vtd-root: '%s': no unit name after '@'", arg);
		}
		if (iv_parse_hex(buf, &ctx->vtd_root))
			bad(L, "--vtd-root: '%s' is not a hex address", arg);
		ctx->have_vtd_root = true;
		break;
	}
	case IV_OPT_AMDDEVTAB:
		if (iv_parse_hex(arg, &ctx->amd_devtab))
			bad(L, "--amd-devtab: '%s' is not a hex address", arg);
		ctx->have_amd_devtab = true;
		break;
	case IV_OPT_STATS: ctx->stats = true; break;
	case 't':
	case IV_OPT_TIMEOUT: {
		char *end;
		errno = 0;
		double t = strtod(arg, &end);
		if (end == arg || *end || errno || !isfinite(t) || !(t > 0) || t > IV_TIMEOUT_MAX)
			bad(L, "--timeout: '%s' is not a number of seconds above 0 and at most %g", arg,
			    IV_TIMEOUT_MAX);
		else
			ctx->timeout = t;
		break;
	}
	case IV_OPT_DEBUGFS_MAX: {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(arg, &end, 10);
		if (errno || *end || !*arg || arg[0] == '-' || v < 1 || v > 1024)
			bad(L, "--debugfs-max-mib: '%s' is not a number of MiB from 1 to 1024", arg);
		else
			ctx->debugfs_max_mib = v;
		break;
	}
	case 'h': L->help = true; break;
	case 'V': L->version = true; break;
	}
}

/* "--na" may abbreviate one option only: name the candidates otherwise. */
static void unknown_long(struct cmdline *L, const struct option *all, const char *tok)
{
	const char *name = tok + 2;
	size_t n = strcspn(name, "=");
	char cand[256] = "";
	int k = 0;
	for (const struct option *o = all; o->name; o++) {
		if (!strncmp(o->name, name, n)) {
			if (strlen(o->name) == n && name[n] == '=' && o->has_arg == no_argument) {
				bad(L, "option '--%s' takes no argument", o->name);
				return;
			}
			size_t l = strlen(cand);
			snprintf(cand + l, sizeof cand - l, "%s--%s", k ? ", " : "", o->name);
			k++;
		}
	}
	if (k > 1)
		bad(L, "ambiguous option '%.*s' (could be %s)", (int)(n + 2), tok, cand);
	else
		bad(L, "unknown option '%s'", tok);
}

static void getopt_error(struct cmdline *L, const struct option *all, int c, char **argv)
{
	const char *tok = argv[optind - 1];
	if (c == ':') {
		if (optopt && optopt < 256 && strncmp(tok, "--", 2))
			bad(L, "option '-%c' needs an argument", optopt);
		else
			bad(L, "option '%s' needs an argument", tok);
	} else if (!strncmp(tok, "--", 2)) {
		unknown_long(L, all, tok);
	} else {
		bad(L, "unknown option '-%c'", optopt);
	}
}

/* Options after the command name: the global ones and the command's. */
static void command_pass(struct cmdline *L, const struct iv_command *cmd, int argc, char **argv)
{
	struct option all[64];
	size_t n = 0;
	for (const struct option *o = iv_opts_global; o->name && n + 1 < 64; o++)
		all[n++] = *o;
	size_t first_cmd = n;
	for (const struct option *o = cmd->opts; o && o->name && n + 1 < 64; o++)
		all[n++] = *o;
	memset(&all[n], 0, sizeof all[n]);
	/* a negative number is an argument the user meant, not an option */
	for (int i = 1; cmd->posname && i < argc && strcmp(argv[i], "--"); i++)
		if (argv[i][0] == '-' && argv[i][1] >= '0' && argv[i][1] <= '9')
			bad(L, "'%s' is not an %s (addresses are not negative)", argv[i], cmd->posname);
	int c, idx;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":" IV_GLOBAL_SHORTOPTS, all, &idx)) != -1) {
		if (c == '?' || c == ':')
			getopt_error(L, all, c, argv);
		else if (c >= IV_OPT_ROOT || strchr(IV_GLOBAL_SHORTOPTS, c))
			global_option(L, c, optarg);
		else if (idx >= (int)first_cmd && !strcmp(all[idx].name, "nagios"))
			L->nagios = true;
	}
}

/* A command's option before the command name ("--nagios check"): say where
 * it goes (and answer in its format when it is --nagios). */
static bool command_option(struct cmdline *L, const char *tok)
{
	if (strncmp(tok, "--", 2))
		return false;
	const char *name = tok + 2;
	size_t n = strcspn(name, "=");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		for (const struct option *o = commands[i].opts; o && o->name; o++)
			if (strlen(o->name) == n && !strncmp(o->name, name, n)) {
				if (!strcmp(o->name, "nagios"))
					L->nagios = true;
				bad(L, "option '--%s' is a command's option: give it after the command name",
				    o->name);
				return true;
			}
	return false;
}

/* --vtd-root ADDR@UNIT: the unit must exist (sysfs or debugfs lists it). */
static bool unit_listed(struct iv_run *run, const char *debugfs, const char *unit)
{
	char p[4400], line[512];
	struct stat st;
	if (stat(iv_path(run, p, sizeof p, "/sys/class/iommu/%s", unit), &st) == 0)
		return true;
	static const char *files[] = { "iommu_regset", "dmar_translation_struct" };
	for (size_t i = 0; i < 2; i++) {
		snprintf(p, sizeof p, "%s/iommu/intel/%s", debugfs, files[i]);
		FILE *f = fopen(p, "re");
		if (!f)
			continue;
		size_t ul = strlen(unit);
		while (fgets(line, sizeof line, f)) {
			/* "IOMMU: dmar0 Register Base Address" / "IOMMU dmar0: Root Table Address" */
			const char *s = line;
			if (strncmp(s, "IOMMU", 5))
				continue;
			s += 5;
			s += strspn(s, ": ");
			if (!strncmp(s, unit, ul) && (s[ul] == ':' || s[ul] == ' ')) {
				fclose(f);
				return true;
			}
		}
		fclose(f);
	}
	return false;
}

/* Checks that need the whole line: conflicts, files that must be of a kind. */
static void validate(struct cmdline *L)
{
	struct iv_opts *ctx = L->ctx;
	struct stat st;
	char kind[32];
	if (ctx->json && L->nagios)
		bad(L, "-j/--json and --nagios exclude each other");
	if (ctx->have_vtd_root && ctx->have_amd_devtab)
		bad(L, "--vtd-root and --amd-devtab exclude each other (one IOMMU vendor per run)");
	if (ctx->root[0]) {
		if (stat(ctx->root, &st) != 0)
			bad(L, "--root: %s: %s", ctx->root, strerror(errno));
		else if (!S_ISDIR(st.st_mode))
			bad(L, "--root: %s is not a directory", ctx->root);
	}
	if (L->debugfs_opt && stat(L->debugfs_opt, &st) == 0 && !S_ISDIR(st.st_mode))
		bad(L, "--debugfs: %s is not a directory", L->debugfs_opt);
	if (ctx->memory) {
		if (!ctx->memory[0])
			bad(L, "--memory: the path is empty");
		else if (stat(ctx->memory, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
			file_kind(kind, sizeof kind, st.st_mode);
			bad(L, "--memory: %s is %s, not a memory image (a regular file or block device)",
			    ctx->memory, kind);
		}
	}
}

int main(int argc, char **argv)
{
	static struct iv_run the_run;    /* the run (static: its error list lives until exit) */
	struct iv_run *run = &the_run;
	iv_run_init(run);
	struct cmdline L = { .ctx = &run->opt };
	run->dma_estimate = iv_host_dma_estimate;   /* the debugfs size gate (src/tables/dumpgate.c) */

	/* Global options before the command name. */
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:" IV_GLOBAL_SHORTOPTS, iv_opts_global, NULL)) != -1) {
		if (c == '?' && command_option(&L, argv[optind - 1]))
			continue;
		if (c == '?' || c == ':')
			getopt_error(&L, iv_opts_global, c, argv);
		else
			global_option(&L, c, optarg);
	}
	int ci = optind;
	const struct iv_command *cmd = NULL;
	if (ci < argc) {
		for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
			if (!strcmp(argv[ci], commands[i].name))
				cmd = &commands[i];
		if (!cmd && !L.help && !L.version)
			bad(&L, "unknown command '%s'", argv[ci]);
		/* (an unknown command's line is still read for -j) */
		static const struct iv_command none = { NULL, NULL, NULL, NULL, NULL, NULL };
		command_pass(&L, cmd ? cmd : &none, argc - ci, argv + ci);
	}
	if (cmd && !L.err[0])
		validate(&L);
	run->opt.nagios = L.nagios;
	print_init(run->opt.json && !L.nagios, run->opt.pretty && !L.nagios);
	if (L.err[0])
		return iv_usage_error(run, cmd ? cmd->name : NULL, "%s", L.err);
	if (L.help) {
		usage(stdout);
		return fflush(stdout) || ferror(stdout) ? IV_UNKNOWN : 0;
	}
	if (L.version && print_is_json()) {   /* what a consumer asks first: the version and schema */
		iv_report_begin(NULL);
		print_string(PRINT_JSON, "version", NULL, PACKAGE_VERSION);
		return iv_report_end(run) ? IV_UNKNOWN : 0;
	}
	if (L.version) {
		printf("iommu-verify %s\n", PACKAGE_VERSION);
		return fflush(stdout) || ferror(stdout) ? IV_UNKNOWN : 0;
	}
	if (!cmd) {
		if (!run->opt.json)
			usage(stderr);
		return iv_usage_error(run, NULL, "no command given");
	}
	if (run->opt.vtd_root_unit[0]) {
		find_debugfs(&run->opt, L.debugfs_opt);
		if (!unit_listed(run, run->opt.debugfs, run->opt.vtd_root_unit))
			return iv_usage_error(run, cmd->name, "--vtd-root: no IOMMU unit '%s' (neither /sys/class/iommu "
					      "nor debugfs iommu/intel lists it)", run->opt.vtd_root_unit);
	}
	find_debugfs(&run->opt, L.debugfs_opt);
	/* -t; under --nagios without one, a limit below the monitoring systems'
	 * own (Nagios service_check_timeout, NRPE command_timeout, Icinga 2
	 * check_timeout: 60 s), so that a hang is this plugin's UNKNOWN, not
	 * their "timed out" CRITICAL. QMP sessions keep 5 s without -t. */
	double limit = run->opt.timeout > 0 ? run->opt.timeout : L.nagios ? IV_NAGIOS_TIMEOUT : 0;
	if (limit > 0) {
		run->opt.deadline = iv_now() + limit;
		iv_timeout_arm(limit, L.nagios, run->opt.json, cmd->name);
	}
	int rc = cmd->run(run, argc - ci, argv + ci);
	iv_timeout_disarm();
	if (run->opt.stats)
		fprintf(stderr,
			"stats: leaves=%llu bytes_read=%llu table_pages_read=%llu "
			"pagemap_reads=%llu pagemap_entries=%llu kpage_reads=%llu\n",
			(unsigned long long)run->st.leaves, (unsigned long long)run->st.bytes_read,
			(unsigned long long)run->st.table_pages_read,
			(unsigned long long)run->st.pagemap_reads,
			(unsigned long long)run->st.pagemap_entries,
			(unsigned long long)run->st.kpage_reads);
	/* A result nobody could read is no result: a write error on standard
	 * output (a full disk, /dev/full, a closed pipe) is UNKNOWN, unless
	 * a CRITICAL was found: that one still wins. */
	if (fflush(stdout) || ferror(stdout) || fclose(stdout)) {
		fprintf(stderr, "iommu-verify: standard output: write error: %s\n",
			strerror(errno ? errno : EIO));
		return rc == IV_CRITICAL ? IV_CRITICAL : IV_UNKNOWN;
	}
	return rc;
}
