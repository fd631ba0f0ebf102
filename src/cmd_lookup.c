/* cmd_lookup.c - the 'lookup' command (STUB). */
#include "config.h"
#include "iv.h"
#include "commands.h"
int cmd_lookup(int argc, char **argv) { (void)argc; (void)argv; return iv_usage_error("lookup", "not implemented yet"); }
