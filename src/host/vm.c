/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vm.c - a VM named the way its management stack names it: a libvirt domain
 * (check --domain NAME) or a Proxmox VE VMID (check --vmid N).
 *
 * The PID comes from the stack's pid file (/run/libvirt/qemu/NAME.pid,
 * /var/run/qemu-server/N.pid; below --root) and is believed only when the
 * kernel agrees: /proc/PID/cmdline is a QEMU (qemu-system-*, qemu-kvm, kvm)
 * started as that VM (libvirt: -name guest=NAME, and its -uuid; Proxmox:
 * -id N or -pidfile .../N.pid). A pid file that is not a regular file, is
 * writable by anyone but its owner, or is owned by another user than root (or
 * the user running the tool) is refused. Whether the process holds a VFIO
 * device is decided as for --pid (procfs.c).
 *
 * The guest memory map then comes through the stack: libvirt's API
 * (libvirt.c) or Proxmox's QMP socket N.qmp, whose peer must be that very
 * PID (QEMU serves it), in one short session (qmp.c). */
#include "config.h"
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "gpamap.h"
#include "host.h"

#define CMDLINE_MAX 65536

/* The pid file's PID. 0 ok, -1 (why). */
static int read_pidfile(const char *path, pid_t *pid, char *why, size_t len)
{
	struct stat st;
	char buf[32];
	if (stat(path, &st)) {
		snprintf(why, len, "%s: %s%s", path, strerror(errno), errno == ENOENT ? " (is the VM running?)" : "");
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, len, "%s: not a regular file", path);
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(why, len, "%s: owned by uid %u, not by root: not trusted", path, (unsigned)st.st_uid);
		return -1;
	}
	if (st.st_mode & 022) {
		snprintf(why, len, "%s: writable by group or others (mode %04o): not trusted", path,
			 (unsigned)(st.st_mode & 07777));
		return -1;
	}
	ssize_t n = iv_read_small(path, buf, sizeof buf);
	if (n < 0) {
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	size_t d = strspn(buf, "0123456789");
	uint64_t v;
	if (!d || d > 10 || buf[d] || iv_parse_u64(buf, &v) || v == 0 || v > INT_MAX) {
		snprintf(why, len, "%s: '%.20s' is not a process ID", path, buf);
		return -1;
	}
	*pid = (pid_t)v;
	return 0;
}

/* QEMU's option value with ",," unescaped up to the first single ',' (the
 * first comma-separated element), or after "key=" inside it. */
static void opt_element(const char *v, const char *key, char *out, size_t len)
{
	size_t kl = key ? strlen(key) : 0;
	for (;;) {   /* elements separated by single commas */
		const char *e = v;
		size_t o = 0;
		bool match = !key || !strncmp(v, key, kl);
		if (match && key)
			e += kl;
		while (*e && !(e[0] == ',' && e[1] != ',')) {
			if (e[0] == ',' && e[1] == ',')
				e++;
			if (match && o + 1 < len)
				out[o++] = *e;
			e++;
		}
		if (match) {
			out[o] = 0;
			return;
		}
		if (!*e)
			break;
		v = e + 1;
	}
	out[0] = 0;
}

struct qemu_args {
	char argv0[256];
	char name[256];     /* -name: guest=NAME or NAME */
	char uuid[64];      /* -uuid */
	char id[32];        /* -id (Proxmox) */
	char pidfile[256];  /* -pidfile */
};

/* Parse /proc/PID/cmdline. 0 ok, -1 (why). */
static int read_cmdline(struct iv_run *run, pid_t pid, struct qemu_args *a, char *why, size_t len)
{
	char path[PATH_MAX];
	char *cl = iv_xmalloc(CMDLINE_MAX);
	memset(a, 0, sizeof *a);
	ssize_t n = iv_read_small(iv_path(run, path, sizeof path, "/proc/%d/cmdline", (int)pid), cl, CMDLINE_MAX);
	if (n <= 0) {
		snprintf(why, len, "PID %d: %s", (int)pid, n < 0 && errno == ENOENT ? "no such process (stale pid file)"
			 : n < 0 ? strerror(errno) : "empty command line (a kernel thread or a zombie)");
		free(cl);
		return -1;
	}
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(cl + i) + 1) {
		const char *arg = cl + i, *val = i + (ssize_t)strlen(arg) + 1 < n ? arg + strlen(arg) + 1 : NULL;
		if (i == 0) {
			snprintf(a->argv0, sizeof a->argv0, "%s", arg);
			continue;
		}
		if (arg[0] != '-' || !val)
			continue;
		const char *o = arg[1] == '-' ? arg + 2 : arg + 1;
		if (!strcmp(o, "name")) {
			char g[256];
			opt_element(val, "guest=", g, sizeof g);
			if (g[0])
				snprintf(a->name, sizeof a->name, "%s", g);
			else
				opt_element(val, NULL, a->name, sizeof a->name);
		} else if (!strcmp(o, "uuid"))
			snprintf(a->uuid, sizeof a->uuid, "%s", val);
		else if (!strcmp(o, "id"))
			snprintf(a->id, sizeof a->id, "%s", val);
		else if (!strcmp(o, "pidfile"))
			snprintf(a->pidfile, sizeof a->pidfile, "%s", val);
	}
	free(cl);
	const char *b = strrchr(a->argv0, '/');
	b = b ? b + 1 : a->argv0;
	if (strncmp(b, "qemu-system-", 12) && strcmp(b, "qemu-kvm") && strcmp(b, "kvm")) {
		snprintf(why, len, "PID %d is not QEMU (its command is '%.100s')", (int)pid, a->argv0);
		return -1;
	}
	return 0;
}

int iv_vm_qemu_name(struct iv_run *run, pid_t pid, char *name, size_t len)
{
	struct qemu_args a;
	char why[200];
	int rc = read_cmdline(run, pid, &a, why, sizeof why);
	snprintf(name, len, "%s", rc == 0 ? a.name : "");
	return rc;
}

static bool domain_name_ok(const char *name)
{
	size_t n = strlen(name);
	return n && n < 200 && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
}

int iv_vm_resolve(struct iv_run *run, struct iv_vm *vm, char *why, size_t len)
{
	char path[PATH_MAX];
	struct qemu_args a;
	vm->pid = 0;
	if (vm->kind == IV_VM_DOMAIN) {
		snprintf(vm->label, sizeof vm->label, "--domain %s", vm->name);
		if (!iv_libvirt_built()) {
			snprintf(why, len, "this iommu-verify was built without libvirt support (configure "
				 "--with-libvirt, Debian package libvirt-dev)");
			return -1;
		}
		if (!domain_name_ok(vm->name)) {
			snprintf(why, len, "not a libvirt domain name");
			return -1;
		}
		iv_path(run, path, sizeof path, "/run/libvirt/qemu/%s.pid", vm->name);
	} else {
		snprintf(vm->label, sizeof vm->label, "--vmid %s", vm->name);
		iv_path(run, path, sizeof path, "/var/run/qemu-server/%s.pid", vm->name);
		iv_path(run, vm->qmp, sizeof vm->qmp, "/var/run/qemu-server/%s.qmp", vm->name);
	}
	pid_t pid;
	if (read_pidfile(path, &pid, why, len) || read_cmdline(run, pid, &a, why, len))
		return -1;
	if (vm->kind == IV_VM_DOMAIN) {
		if (strcmp(a.name, vm->name)) {
			snprintf(why, len, "PID %d (from %s) is %s%s%s, not domain '%s'", (int)pid, path,
				 a.name[0] ? "QEMU guest '" : "a QEMU without -name", a.name, a.name[0] ? "'" : "", vm->name);
			return -1;
		}
		snprintf(vm->uuid, sizeof vm->uuid, "%s", a.uuid);
	} else {
		char want[64];
		snprintf(want, sizeof want, "/%s.pid", vm->name);
		size_t pl = strlen(a.pidfile), wl = strlen(want);
		if (strcmp(a.id, vm->name) && !(pl >= wl && !strcmp(a.pidfile + pl - wl, want))) {
			snprintf(why, len, "PID %d (from %s) is not Proxmox VM %s (its command line has %s%s%s)", (int)pid,
				 path, vm->name, a.id[0] ? "-id " : "no -id", a.id, a.pidfile[0] ? " and another -pidfile" : "");
			return -1;
		}
	}
	snprintf(vm->id, sizeof vm->id, "%s", a.id);
	snprintf(vm->pidfile, sizeof vm->pidfile, "%s", a.pidfile);
	vm->pid = pid;
	return 0;
}

/* The process still is the VM resolved (its PID not reused since): the
 * same identity in /proc/PID/cmdline. 0 ok, -1 reported. */
static int same_vm(struct iv_run *run, const struct iv_vm *vm)
{
	struct qemu_args a;
	char why[512];
	if (read_cmdline(run, vm->pid, &a, why, sizeof why))
		return iv_error(run, "%s: %s", vm->label, why);
	if (vm->kind == IV_VM_DOMAIN ? strcmp(a.name, vm->name) || strcmp(a.uuid, vm->uuid)
				     : strcmp(a.id, vm->id) || strcmp(a.pidfile, vm->pidfile))
		return iv_error(run, "%s: PID %d is no longer the process resolved from its pid file", vm->label,
				(int)vm->pid);
	return 0;
}

struct iv_qmp *iv_vm_open(struct iv_run *run, const struct iv_vm *vm)
{
	if (same_vm(run, vm))
		return NULL;
	if (vm->kind == IV_VM_VMID)
		return iv_qmp_open_flags(run, vm->qmp, vm->pid, IV_QMP_PEER_IS_PID);
	return iv_libvirt_open(run, vm);
}

int iv_procs_find_vms(struct iv_run *run, const pid_t *pids, size_t npids, struct iv_vm *vms, size_t nvms,
		      struct iv_proc **out, struct iv_procs_scan *scan)
{
	pid_t *all = iv_xcalloc(npids + nvms + 1, sizeof *all);
	size_t n = npids;
	memcpy(all, pids, npids * sizeof *all);
	for (size_t i = 0; i < nvms; i++)
		if (iv_vm_resolve(run, &vms[i], vms[i].why, sizeof vms[i].why) == 0)
			all[n++] = vms[i].pid;
	memset(scan, 0, sizeof *scan);
	*out = NULL;
	int r = n || !(npids || nvms) ? iv_procs_find(run, all, n, out, scan) : 0;
	free(all);
	return r;
}

const struct iv_vm *iv_vm_of(const struct iv_vm *vms, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (vms[i].pid == pid)
			return &vms[i];
	return NULL;
}

struct iv_qmp *iv_monitor_open(struct iv_run *run, const char *qmp, const struct iv_vm *vms, size_t n, pid_t pid)
{
	const struct iv_vm *vm = iv_vm_of(vms, n, pid);
	return vm ? iv_vm_open(run, vm) : qmp ? iv_qmp_open(run, qmp, pid) : NULL;
}
