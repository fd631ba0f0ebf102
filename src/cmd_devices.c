/* cmd_devices.c - the 'devices' command (STUB). */
#include "config.h"
#include "iv.h"
#include "commands.h"
int cmd_devices(int argc, char **argv) { (void)argc; (void)argv; return iv_usage_error("devices", "not implemented yet"); }
