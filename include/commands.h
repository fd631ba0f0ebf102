/* commands.h - the command table (after kmod's): one function per subcommand.
 * Each gets argc/argv starting at the command name and returns an exit status. */
#ifndef IV_COMMANDS_H
#define IV_COMMANDS_H
#include <stdint.h>

struct iv_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;   /* one line, after the command name */
	const char *help;    /* one line */
};

int cmd_devices(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_lookup(int argc, char **argv);
int cmd_tables(int argc, char **argv);
int cmd_check(int argc, char **argv);

/* Usage error inside a command: message on stderr (and JSON errors), returns 3. */
int iv_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Shared by dump, lookup, tables (src/cmd_dump.c): parse DEVICE and --pasid N;
 * positional arguments after DEVICE are argv[*first_pos .. +*npos]. 0 or 3. */
struct iv_bdf;
struct iv_table;
struct iv_source_ops;
int iv_cmd_device_args(const char *cmd, int argc, char **argv, struct iv_bdf *bdf,
		       uint32_t *pasid, int *first_pos, int *npos);
/* Open the device's table (per --source) and print the common header fields
 * (device, pasid, vendor, mode, levels, source, origin). 0 ok, -1 reported. */
int iv_cmd_open_table(const struct iv_bdf *bdf, uint32_t pasid, struct iv_table *t,
		      const struct iv_source_ops **ops, void **h);

#endif
