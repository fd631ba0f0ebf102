/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libvirt.c - a monitor session through libvirt (check --domain NAME):
 * virDomainQemuMonitorCommand(..., VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP) with
 * the same read-only HMP commands the QMP client sends (qmp.c filters them:
 * info, gpa2hva, xp; never gpa2hpa). libvirt owns the domain's QMP socket, so
 * this is the way in without a second monitor.
 *
 * libvirt marks a domain "tainted: custom-monitor" the first time anything is
 * sent this way (one line in /var/log/libvirt/qemu/NAME.log; virsh dominfo
 * does not change); it means libvirt can no longer vouch for state changed
 * behind its back. These commands change nothing. To avoid the mark, use the
 * inferred map (--pid, no monitor at all) or --gpa-map.
 *
 * The libvirt calls run in a helper process: the API has no per-call
 * timeout, and the tool's one session deadline (--timeout) must hold even
 * when libvirtd does not answer (the helper is then killed). Protocol on a
 * socketpair: the parent sends one command line and '\n'; the helper answers
 * a status byte (0 ok, 1 error), a 4-byte length and the text; its first
 * answer (before any command) is the domain's UUID.
 *
 * What libvirt says is not trusted more than QMP: the domain's UUID must be
 * the -uuid of the process from the pid file, and so must QEMU's own answer
 * to `info uuid`; the replies go through qmp.c's parsers and checks. */
#include "config.h"
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "gpamap.h"
#ifdef HAVE_LIBVIRT
#include <libvirt/libvirt.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>
#endif

#define LV_MAX_REPLY (16u << 20)
#define LV_DEFAULT_URI "qemu:///system"

bool iv_libvirt_built(void)
{
#ifdef HAVE_LIBVIRT
	return true;
#else
	return false;
#endif
}

#ifndef HAVE_LIBVIRT
struct iv_qmp *iv_libvirt_open(struct iv_run *run, const struct iv_vm *vm)
{
	iv_error(run, "%s: this iommu-verify was built without libvirt support (configure --with-libvirt, Debian "
		 "package libvirt-dev): the guest memory map cannot be read through libvirt (use --pid for an "
		 "inferred map, or --qmp with virt-qemu-qmp-proxy)", vm->label);
	return NULL;
}
#else

struct lv {
	struct iv_run *run;
	pid_t child;
	int fd;
	char label[280], name[256], uri[256], uuid[64];
};

/* ---- the helper process ---- */
static void child_send(int fd, int status, const char *text)
{
	size_t n = text ? strlen(text) : 0;
	unsigned char h[5] = { (unsigned char)status, (unsigned char)n, (unsigned char)(n >> 8),
			       (unsigned char)(n >> 16), (unsigned char)(n >> 24) };
	if (n > LV_MAX_REPLY)
		n = LV_MAX_REPLY + 1;   /* the parent refuses it by its length */
	if (write(fd, h, sizeof h) != (ssize_t)sizeof h)
		_exit(1);
	for (size_t off = 0; off < n;) {
		ssize_t w = write(fd, text + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(1);
		off += (size_t)w;
	}
}

static void quiet(void *u, virErrorPtr e)
{
	(void)u;
	(void)e;
}

static void child_fail(int fd, const char *what, const char *arg)
{
	char msg[1024];
	const char *e = virGetLastErrorMessage();
	snprintf(msg, sizeof msg, "%s%s: %s", what, arg, e ? e : "unknown libvirt error");
	child_send(fd, 1, msg);
	_exit(0);
}

static void child_main(int fd, const char *uri, const char *name) __attribute__((noreturn));
static void child_main(int fd, const char *uri, const char *name)
{
	virSetErrorFunc(NULL, quiet);
	virConnectPtr c = virConnectOpen(uri);
	if (!c)
		child_fail(fd, "cannot connect to libvirt at ", uri);
	virDomainPtr d = virDomainLookupByName(c, name);
	if (!d)
		child_fail(fd, "libvirt has no domain ", name);
	char uuid[VIR_UUID_STRING_BUFLEN];
	int act = virDomainIsActive(d);
	if (act < 0)
		child_fail(fd, "libvirt cannot tell whether it runs", "");
	if (act == 0) {
		child_send(fd, 1, "libvirt says the domain is not running");
		_exit(0);
	}
	if (virDomainGetUUIDString(d, uuid) < 0)
		child_fail(fd, "libvirt gives no UUID", "");
	child_send(fd, 0, uuid);
	char line[512];
	size_t n = 0;
	for (;;) {
		char ch;
		ssize_t r = read(fd, &ch, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (ch != '\n') {
			if (n + 1 < sizeof line)
				line[n++] = ch;
			continue;
		}
		line[n] = 0;
		n = 0;
		char *res = NULL;
		if (virDomainQemuMonitorCommand(d, line, &res, VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP) < 0) {
			char msg[1024];
			const char *e = virGetLastErrorMessage();
			snprintf(msg, sizeof msg, "virDomainQemuMonitorCommand: %s", e ? e : "unknown libvirt error");
			child_send(fd, 1, msg);
		} else
			child_send(fd, 0, res ? res : "");
		free(res);
	}
	virDomainFree(d);
	virConnectClose(c);
	_exit(0);
}

/* ---- the parent side ---- */
static void lv_kill(struct lv *l)
{
	if (l->child > 0) {
		kill(l->child, SIGKILL);
		while (waitpid(l->child, NULL, 0) < 0 && errno == EINTR)
			;
		l->child = 0;
	}
}

/* n bytes into buf before the deadline. 0 ok, -1 error (reported). */
static int lv_read(struct lv *l, void *buf, size_t n, double deadline, const char *what)
{
	size_t off = 0;
	while (off < n) {
		double left = deadline - iv_now();
		if (left <= 0) {
			lv_kill(l);
			return iv_error(l->run, "%s: %s: no answer from libvirt within the session's %g s (libvirtd busy or "
					"hung; the helper was killed)", l->label, what,
					l->run && l->run->opt.timeout > 0 ? l->run->opt.timeout : 5.0);
		}
		struct pollfd p = { .fd = l->fd, .events = POLLIN };
		int r = poll(&p, 1, left >= 1e6 ? 1000000000 : (int)(left * 1000) + 1);
		if (r < 0 && errno != EINTR)
			return iv_error(l->run, "%s: %s: poll: %s", l->label, what, strerror(errno));
		if (r <= 0)
			continue;
		ssize_t got = read(l->fd, (char *)buf + off, n - off);
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got <= 0)
			return iv_error(l->run, "%s: %s: the libvirt helper ended without an answer", l->label, what);
		off += (size_t)got;
	}
	return 0;
}

/* One answer: 0 ok (*text malloc'd), -1 error (reported; libvirt's own error named). */
static int lv_answer(struct lv *l, double deadline, const char *what, char **text)
{
	unsigned char h[5];
	if (lv_read(l, h, sizeof h, deadline, what))
		return -1;
	size_t n = h[1] | (size_t)h[2] << 8 | (size_t)h[3] << 16 | (size_t)h[4] << 24;
	if (n > LV_MAX_REPLY)
		return iv_error(l->run, "%s: %s: reply larger than %u MiB", l->label, what, LV_MAX_REPLY >> 20);
	char *t = iv_xmalloc(n + 1);
	if (lv_read(l, t, n, deadline, what)) {
		free(t);
		return -1;
	}
	t[n] = 0;
	if (h[0] != 0) {
		iv_error(l->run, "%s: %s: %.900s", l->label, what, t);
		free(t);
		return -1;
	}
	if (strlen(t) != n) {
		free(t);
		return iv_error(l->run, "%s: %s: reply holds a NUL byte", l->label, what);
	}
	*text = t;
	return 0;
}

static int lv_hmp(void *ctx, const char *line, double deadline, char **text)
{
	struct lv *l = ctx;
	size_t n = strlen(line);
	char msg[520];
	if (l->child <= 0)
		return iv_error(l->run, "%s: %s: the libvirt helper is gone", l->label, line);
	if (n + 2 > sizeof msg || strchr(line, '\n'))
		return iv_error(l->run, "%s: HMP command '%.60s' refused (too long)", l->label, line);
	memcpy(msg, line, n);
	msg[n++] = '\n';
	for (size_t off = 0; off < n;) {
		ssize_t w = send(l->fd, msg + off, n - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return iv_error(l->run, "%s: %s: the libvirt helper is gone: %s", l->label, line, strerror(errno));
		off += (size_t)w;
	}
	return lv_answer(l, deadline, line, text);
}

static int lv_start(void *ctx, double deadline)
{
	struct lv *l = ctx;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return iv_error(l->run, "%s: socketpair: %s", l->label, strerror(errno));
	fflush(NULL);
	l->child = fork();
	if (l->child < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		l->child = 0;
		return iv_error(l->run, "%s: fork: %s", l->label, strerror(e));
	}
	if (l->child == 0) {
		close(sv[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);   /* the run ended (-t timer, a signal): the helper too */
		if (getppid() == 1)
			_exit(1);
		child_main(sv[1], l->uri, l->name);
	}
	close(sv[1]);
	l->fd = sv[0];
	char *uuid;
	if (lv_answer(l, deadline, "connect", &uuid))
		return -1;
	int rc = 0;
	if (!l->uuid[0])
		rc = iv_error(l->run, "%s: the QEMU process has no -uuid on its command line: it cannot be told to be "
			      "libvirt's domain (libvirt UUID %s)", l->label, uuid);
	else if (strcasecmp(uuid, l->uuid))
		rc = iv_error(l->run, "%s: libvirt's domain has UUID %s but the process from the pid file runs -uuid %s",
			      l->label, uuid, l->uuid);
	free(uuid);
	return rc;
}

static void lv_close(void *ctx)
{
	struct lv *l = ctx;
	if (l->fd >= 0) {
		shutdown(l->fd, SHUT_WR);   /* the helper sees EOF, closes its connection and exits */
		double end = iv_now() + 2.0;
		while (l->child > 0 && iv_now() < end) {
			pid_t r = waitpid(l->child, NULL, WNOHANG);
			if (r == l->child || (r < 0 && errno != EINTR))
				l->child = 0;
			else
				poll(NULL, 0, 5);
		}
		close(l->fd);
	}
	lv_kill(l);
	free(l);
}

static const struct iv_monitor_ops lv_ops = { lv_start, lv_hmp, lv_close };

struct iv_qmp *iv_libvirt_open(struct iv_run *run, const struct iv_vm *vm)
{
	struct lv *l = iv_xcalloc(1, sizeof *l);
	l->run = run;
	l->fd = -1;
	snprintf(l->name, sizeof l->name, "%s", vm->name);
	snprintf(l->uri, sizeof l->uri, "%s", vm->uri && vm->uri[0] ? vm->uri : LV_DEFAULT_URI);
	snprintf(l->uuid, sizeof l->uuid, "%s", vm->uuid);
	snprintf(l->label, sizeof l->label, "%.100s (libvirt %.150s)", vm->label, l->uri);
	const char *label = l->label;
	struct iv_qmp *q = iv_qmp_open_ops(run, &lv_ops, l, label, vm->pid);
	if (!q)
		return NULL;
	/* the monitor libvirt reached is that process's QEMU */
	char *t;
	if (iv_qmp_hmp(q, "info uuid", &t)) {
		iv_qmp_close(q);
		return NULL;
	}
	size_t n = strcspn(t, "\r\n");
	t[n] = 0;
	if (strcasecmp(t, vm->uuid)) {
		iv_error(run, "%s: QEMU's monitor answers 'info uuid' with '%.80s', not the process's -uuid %s", label, t,
			 vm->uuid);
		free(t);
		iv_qmp_close(q);
		return NULL;
	}
	free(t);
	return q;
}
#endif
