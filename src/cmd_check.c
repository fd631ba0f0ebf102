/* cmd_check.c - the 'check' command (STUB). */
#include "config.h"
#include "iv.h"
#include "commands.h"
int cmd_check(int argc, char **argv) { (void)argc; (void)argv; return iv_usage_error("check", "not implemented yet"); }
