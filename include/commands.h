/* commands.h - the command table (after kmod's): one function per subcommand.
 * Each gets argc/argv starting at the command name and returns an exit status. */
#ifndef IV_COMMANDS_H
#define IV_COMMANDS_H

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

#endif
