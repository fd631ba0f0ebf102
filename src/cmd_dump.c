/* cmd_dump.c - the 'dump' command (STUB). */
#include "config.h"
#include "iv.h"
#include "commands.h"
int cmd_dump(int argc, char **argv) { (void)argc; (void)argv; return iv_usage_error("dump", "not implemented yet"); }
