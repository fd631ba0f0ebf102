/* SPDX-License-Identifier: GPL-2.0-or-later */
/* commands.h - the command table (after kmod's): one function per subcommand.
 * Each gets argc/argv starting at the command name and returns an exit status.
 *
 * Options (as ip and bpftool do): global options (--root, -j, --timeout, ...)
 * are accepted anywhere, before or after the command name; each command has
 * its own table. main (src/cmd/main.c) parses the whole command line once
 * before the command runs: global options, usage errors (unknown option,
 * missing argument, conflicts) and the output mode (-j, --nagios) are settled
 * there, so a usage error is reported in the right format. A command then
 * walks its own options with iv_getopt, which skips the global ones. */
#ifndef IV_COMMANDS_H
#define IV_COMMANDS_H
#include <getopt.h>
struct iv_run;
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct iv_command {
	const char *name;
	int (*run)(struct iv_run *run, int argc, char **argv);
	const char *usage;   /* one line, after the command name */
	const char *help;    /* one line */
	const struct option *opts;   /* the command's own options (NULL: none) */
	const char *posname; /* what positional arguments after DEVICE are ("IOVA"), or NULL */
};

int cmd_devices(struct iv_run *run, int argc, char **argv);
int cmd_dump(struct iv_run *run, int argc, char **argv);
int cmd_lookup(struct iv_run *run, int argc, char **argv);
int cmd_tables(struct iv_run *run, int argc, char **argv);
int cmd_check(struct iv_run *run, int argc, char **argv);
int cmd_gpamap(struct iv_run *run, int argc, char **argv);

/* Option tables: the global options (codes IV_OPT_*, and 'j', 'p', 'h', 'V', 't';
 * commands must not use these) and the commands' (for main's whole-line pass). */
enum { IV_OPT_ROOT = 0x1000, IV_OPT_DEBUGFS, IV_OPT_SOURCE, IV_OPT_MEMORY, IV_OPT_VTDROOT,
       IV_OPT_AMDDEVTAB, IV_OPT_STATS, IV_OPT_TIMEOUT, IV_OPT_DEBUGFS_MAX };
#define IV_GLOBAL_SHORTOPTS "jphVt:"
extern const struct option iv_opts_global[];
extern const struct option iv_opts_check[];
extern const struct option iv_opts_gpamap[];
extern const struct option iv_opts_device[];   /* dump, lookup, tables: --pasid */

/* The command's next option (getopt_long over the command's table plus the
 * global options, which it skips: main has handled them). Set optind = 0
 * before the first call. Returns the option's val, -1 at the end, '?' or ':'
 * for an unknown option or a missing argument (main has reported those
 * already; the command returns IV_UNKNOWN). */
int iv_getopt(int argc, char **argv, const struct option *cmdopts);

/* Usage error: message on stderr, in JSON errors with -j, as the one
 * "IOMMU UNKNOWN - ..." line under --nagios. Returns 3. */
int iv_usage_error(struct iv_run *run, const char *cmd, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* --domain NAME (c 'L') or --vmid N (c 'X') into *vm (cleared first): a libvirt
 * name (not empty, no '/'), a VMID 1..999999999. 0, or 3 (usage error reported). */
struct iv_vm;
int iv_cmd_vm_arg(struct iv_run *run, const char *cmd, int c, const char *arg, struct iv_vm *vm);

/* -t/--timeout SECONDS, the whole run's time limit (src/cmd/timeout.c): the
 * layers stop waiting at the run's deadline (run->opt.deadline); IV_TIMEOUT_GRACE s later SIGALRM ends
 * the run (a one-line "IOMMU UNKNOWN - timed out after N s" under --nagios, a
 * JSON error document {schema_version, command, errors} with -j, an error on
 * stderr always; exit 3). Disarm once the
 * work is done, before the report is written. */
#define IV_TIMEOUT_GRACE 0.5
void iv_timeout_arm(double secs, bool nagios, bool json, const char *cmd);
void iv_timeout_disarm(void);
/* The check being run: a critical finding it confirmed before the timer fires
 * makes the timeout CRITICAL (2), naming it, not UNKNOWN. */
struct iv_check;
void iv_timeout_watch(const struct iv_check *c);

/* Shared by dump, lookup, tables (src/cmd/common.c): parse DEVICE and --pasid N;
 * positional arguments after DEVICE are argv[*first_pos .. +*npos]. 0 or 3.
 * (iv_cmd_open_table names a DEVICE that sysfs's PCI bus does not list "no
 * such PCI device".) */
struct iv_bdf;
struct iv_table;
struct iv_source_ops;
int iv_cmd_device_args(struct iv_run *run, const char *cmd, int argc, char **argv, struct iv_bdf *bdf,
		       uint32_t *pasid, int *first_pos, int *npos);
/* Why a device has no table, when the host says: "no such PCI device (...); "
 * (sysfs lists the bus without it) or "the IOMMU is off (...); " (no unit in
 * /sys/class/iommu); else "". A prefix for the source's reason. */
const char *iv_cmd_device_why(struct iv_run *run, const struct iv_bdf *bdf, char *buf, size_t len);
/* Open the device's table (per --source) and print the common header fields
 * (device, pasid, vendor, mode, levels, source, origin). 0 ok, -1 reported. */
int iv_cmd_open_table(struct iv_run *run, const struct iv_bdf *bdf, uint32_t pasid, struct iv_table *t,
		      const struct iv_source_ops **ops, void **h);

#endif
