/* cmd_tables.c - the 'tables' command (STUB). */
#include "config.h"
#include "iv.h"
#include "commands.h"
int cmd_tables(int argc, char **argv) { (void)argc; (void)argv; return iv_usage_error("tables", "not implemented yet"); }
