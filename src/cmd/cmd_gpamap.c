/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_gpamap.c - `gpa-map`: print one VM's guest physical address map as the
 * tool reads it for check (QMP, libvirt or Proxmox: one short session, every
 * reply checked the same way). With -j the "sections" array is a --gpa-map
 * file. */
#include "config.h"
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "print.h"
#include "report.h"

const struct option iv_opts_gpamap[] = {
	{ "pid", required_argument, NULL, 'P' },
	{ "qmp", required_argument, NULL, 'Q' },
	{ "domain", required_argument, NULL, 'L' },
	{ "vmid", required_argument, NULL, 'X' },
	{ "connect", required_argument, NULL, 'C' },
	{ 0 }
};

static const char *const sec_type[] = { "ram", "rom", "ramd" };

static void print_map(pid_t pid, const char *name, const struct iv_gpa_map *m)
{
	if (!m) {   /* no map: every member present, null (JSON; the errors say why) */
		if (pid > 0)
			print_int(PRINT_JSON, "pid", NULL, pid);
		else
			print_null(PRINT_JSON, "pid", NULL);
		print_null(PRINT_JSON, "name", NULL);
		print_null(PRINT_JSON, "gpa_map", NULL);
		print_null(PRINT_JSON, "sections", NULL);
		return;
	}
	print_int(PRINT_ANY, "pid", "pid %lld", pid);
	print_string(PRINT_ANY, "name", " (%s)", name);
	print_string(PRINT_ANY, "gpa_map", ": guest memory map from %s", m->how);
	print_text(", %zu sections\n", m->n);
	open_json_array("sections");
	for (size_t i = 0; i < m->n; i++) {
		const struct iv_gpa_section *s = &m->v[i];
		open_json_object(NULL);
		print_hex(PRINT_ANY, "gpa", "  0x%016" PRIx64, s->gpa);
		print_text("-0x%016" PRIx64, s->gpa + s->size - 1);
		print_hex(PRINT_JSON, "size", NULL, s->size);
		print_string(PRINT_ANY, "type", " %-4s", sec_type[s->type]);
		if (s->have_hva)
			print_hex(PRINT_ANY, "hva", " hva 0x%016" PRIx64, s->hva);
		else
			print_text(" hva -                 ");
		print_bool(PRINT_JSON, "readonly", NULL, s->readonly);
		print_string(PRINT_ANY, "name", " %s\n", s->name);
		close_json_object();
	}
	close_json_array();
}

int cmd_gpamap(struct iv_run *run, int argc, char **argv)
{
	struct iv_vm vm;
	const char *qmp = NULL, *uri = NULL;
	uint64_t pid = 0;
	int c, given = 0;
	memset(&vm, 0, sizeof vm);
	optind = 0;
	while ((c = iv_getopt(argc, argv, iv_opts_gpamap)) != -1) {
		switch (c) {
		case 'P':
			if (iv_parse_u64(optarg, &pid) || pid == 0 || pid > 0x7fffffff)
				return iv_usage_error(run, "gpa-map", "--pid: '%s' is not a process ID", optarg);
			break;
		case 'Q': qmp = optarg; given++; break;
		case 'L':
		case 'X':
			if (iv_cmd_vm_arg(run, "gpa-map", c, optarg, &vm))
				return IV_UNKNOWN;
			given++;
			break;
		case 'C':
			if (!optarg[0])
				return iv_usage_error(run, "gpa-map", "--connect: the URI is empty");
			uri = optarg;
			break;
		default:
			return iv_usage_error(run, "gpa-map", "bad option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return iv_usage_error(run, "gpa-map", "unexpected argument '%s'", argv[optind]);
	if (given != 1)
		return iv_usage_error(run, "gpa-map", "give one VM: --pid PID --qmp SOCKET, --domain NAME or --vmid N");
	if (qmp && !pid)
		return iv_usage_error(run, "gpa-map", "--qmp needs the VM's --pid (the socket's peer and the maps are checked)");
	if (pid && !qmp)
		return iv_usage_error(run, "gpa-map", "--pid needs --qmp (--domain and --vmid find the PID themselves)");
	if (uri && vm.kind != IV_VM_DOMAIN)
		return iv_usage_error(run, "gpa-map", "--connect names libvirt's URI: give --domain");
	vm.uri = uri;

	iv_report_begin("gpa-map");
	char why[512];
	struct iv_qmp *q = NULL;
	if (vm.kind && iv_vm_resolve(run, &vm, why, sizeof why))
		iv_error(run, "%s: %s", vm.label, why);
	else
		q = vm.kind ? iv_vm_open(run, &vm) : iv_qmp_open(run, qmp, (pid_t)pid);
	struct iv_gpa_map m;
	memset(&m, 0, sizeof m);
	if (q && iv_qmp_gpamap(q, &m) == 0) {
		pid_t p = vm.kind ? vm.pid : (pid_t)pid;
		char name[256];
		iv_vm_qemu_name(run, p, name, sizeof name);   /* its -name, as check names it */
		print_map(p, name, &m);
	} else
		print_map(vm.kind ? vm.pid : (pid_t)pid, NULL, NULL);
	iv_qmp_close(q);
	iv_gpamap_free(&m);
	iv_report_end(run);
	return run->errs.n ? IV_UNKNOWN : IV_OK;
}
