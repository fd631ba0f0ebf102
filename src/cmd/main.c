/* main.c - global options and the command table. */
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "iv.h"
#include "print.h"
#include "commands.h"

static const struct iv_command commands[] = {
	{ "devices", cmd_devices, "", "IOMMU units and the devices behind them" },
	{ "dump", cmd_dump, "DEVICE [--pasid N]", "the IOVA->PFN map of one device as coalesced extents" },
	{ "lookup", cmd_lookup, "DEVICE [--pasid N] IOVA...", "resolve each IOVA" },
	{ "tables", cmd_tables, "DEVICE [--pasid N]", "compare the debugfs dump with the memory walk" },
	{ "check", cmd_check,
	  "[--pid PID ...|--all] [--device DEVICE ...] [--min-devices N] [--qmp SOCKET|--gpa-map FILE] [--nagios] [--prometheus FILE]",
	  "compare each VFIO device's IOMMU mappings with its process's CPU page tables" },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: iommu-verify [OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"Options:\n"
		"  --root DIR              read /sys, /proc and debugfs below DIR instead of /\n"
		"  --debugfs DIR           where debugfs is mounted\n"
		"  -j, --json              JSON output; -p, --pretty  indented JSON\n"
		"  --source auto|debugfs|memory  where page tables come from (default auto)\n"
		"  --memory FILE           physical memory as an ELF image (default /proc/kcore)\n"
		"  --vtd-root ADDR[@UNIT]  VT-d root table address\n"
		"  --amd-devtab ADDR       AMD-Vi device table base\n"
		"  --stats                 print counters of what was read (stderr)\n"
		"  --timeout SECONDS       QMP timeout (default 5)\n"
		"  -h, --help; -V, --version\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-8s %s\n           %s\n", commands[i].name, commands[i].usage, commands[i].help);
	fprintf(f, "\nExit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also errors and usage).\n");
}

/* debugfs mount point from /proc/self/mountinfo (live system only). */
static void find_debugfs(struct iv_ctx *c, const char *opt)
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

int main(int argc, char **argv)
{
	static struct iv_ctx ctx;
	const char *debugfs_opt = NULL;
	ctx.root = "";
	ctx.timeout = 5.0;
	iv_g = &ctx;

	enum { O_ROOT = 256, O_DEBUGFS, O_SOURCE, O_MEMORY, O_VTDROOT, O_AMDDEVTAB, O_STATS, O_TIMEOUT };
	static const struct option opts[] = {
		{ "root", required_argument, NULL, O_ROOT },
		{ "debugfs", required_argument, NULL, O_DEBUGFS },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "source", required_argument, NULL, O_SOURCE },
		{ "memory", required_argument, NULL, O_MEMORY },
		{ "vtd-root", required_argument, NULL, O_VTDROOT },
		{ "amd-devtab", required_argument, NULL, O_AMDDEVTAB },
		{ "stats", no_argument, NULL, O_STATS },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	/* Pre-scan for -j/-p so that usage errors are reported as JSON too. */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) ctx.json = true;
		if (!strcmp(argv[i], "-p") || !strcmp(argv[i], "--pretty")) ctx.pretty = true;
	}
	print_init(ctx.json, ctx.pretty);

	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+jphV", opts, NULL)) != -1) {
		switch (c) {
		case O_ROOT: {
			static char root[4096];
			snprintf(root, sizeof root, "%s", optarg);
			size_t n = strlen(root);
			while (n > 1 && root[n - 1] == '/')
				root[--n] = 0;
			if (!strcmp(root, "/"))
				root[0] = 0;
			ctx.root = root;
			break;
		}
		case O_DEBUGFS: debugfs_opt = optarg; break;
		case 'j': ctx.json = true; break;
		case 'p': ctx.pretty = ctx.json = true; break;
		case O_SOURCE:
			if (!strcmp(optarg, "auto")) ctx.source = IV_SRC_AUTO;
			else if (!strcmp(optarg, "debugfs")) ctx.source = IV_SRC_DEBUGFS;
			else if (!strcmp(optarg, "memory")) ctx.source = IV_SRC_MEMORY;
			else return iv_usage_error(NULL, "--source: '%s' is not auto, debugfs or memory", optarg);
			break;
		case O_MEMORY: ctx.memory = optarg; break;
		case O_VTDROOT: {
			char buf[128], *at;
			snprintf(buf, sizeof buf, "%s", optarg);
			if ((at = strchr(buf, '@'))) {
				*at = 0;
				snprintf(ctx.vtd_root_unit, sizeof ctx.vtd_root_unit, "%s", at + 1);
			}
			if (iv_parse_hex(buf, &ctx.vtd_root))
				return iv_usage_error(NULL, "--vtd-root: '%s' is not a hex address", optarg);
			ctx.have_vtd_root = true;
			break;
		}
		case O_AMDDEVTAB:
			if (iv_parse_hex(optarg, &ctx.amd_devtab))
				return iv_usage_error(NULL, "--amd-devtab: '%s' is not a hex address", optarg);
			ctx.have_amd_devtab = true;
			break;
		case O_STATS: ctx.stats = true; break;
		case O_TIMEOUT: {
			char *end;
			ctx.timeout = strtod(optarg, &end);
			if (*end || !(ctx.timeout > 0))
				return iv_usage_error(NULL, "--timeout: '%s' is not a positive number of seconds", optarg);
			break;
		}
		case 'h': usage(stdout); return 0;
		case 'V': printf("iommu-verify %s\n", PACKAGE_VERSION); return 0;
		default:
			return iv_usage_error(NULL, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		if (!ctx.json)
			usage(stderr);
		return iv_usage_error(NULL, "no command given");
	}
	find_debugfs(&ctx, debugfs_opt);
	const char *name = argv[optind];
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (!strcmp(name, commands[i].name)) {
			int rc = commands[i].run(argc - optind, argv + optind);
			if (ctx.stats)
				fprintf(stderr,
					"stats: leaves=%llu bytes_read=%llu table_pages_read=%llu "
					"pagemap_reads=%llu pagemap_entries=%llu kpage_reads=%llu\n",
					(unsigned long long)ctx.st.leaves, (unsigned long long)ctx.st.bytes_read,
					(unsigned long long)ctx.st.table_pages_read,
					(unsigned long long)ctx.st.pagemap_reads,
					(unsigned long long)ctx.st.pagemap_entries,
					(unsigned long long)ctx.st.kpage_reads);
			return rc;
		}
	}
	return iv_usage_error(NULL, "unknown command '%s'", name);
}
