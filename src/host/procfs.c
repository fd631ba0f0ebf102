/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procfs.c - processes holding VFIO devices (/proc/PID/fd), their name, start
 * time and /proc/PID/maps. All paths below --root. A process that cannot be
 * read is reported as such (never skipped silently); one that vanishes while
 * all processes are scanned is ignored. */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "host.h"
#include "sysfs.h"

#define IV_MAX_PROC_DEVS 4096

/* What loading one process found. */
enum { P_NONE, P_VFIO, P_GONE, P_UNREADABLE };

static bool gone_errno(int e) { return e == ENOENT || e == ESRCH; }

/* The process cannot be checked: keeps the first reason, reports it. Returns -1. */
static int proc_fail(struct iv_run *run, struct iv_proc *p, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int proc_fail(struct iv_run *run, struct iv_proc *p, const char *fmt, ...)
{
	char msg[sizeof p->reason];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!p->reason[0])
		snprintf(p->reason, sizeof p->reason, "%s", msg);
	return iv_error(run, "pid %d: %s", (int)p->pid, msg);
}

static void add_dev(struct iv_proc *p, const struct iv_bdf *b, int group)
{
	for (size_t i = 0; i < p->ndevs; i++)
		if (iv_bdf_eq(&p->devs[i].bdf, b))
			return;
	if (p->ndevs >= IV_MAX_PROC_DEVS)
		return;
	p->devs = iv_xrealloc(p->devs, (p->ndevs + 1) * sizeof *p->devs);
	p->devs[p->ndevs].bdf = *b;
	p->devs[p->ndevs].group = group;
	p->ndevs++;
}

/* /dev/vfio/N: every member of group N. */
static int add_group(struct iv_run *run, struct iv_proc *p, int group)
{
	struct iv_bdf *v;
	int n = iv_sysfs_group_devices(run, group, &v);
	if (n < 0)
		return proc_fail(run, p, "/dev/vfio/%d: cannot list /sys/kernel/iommu_groups/%d/devices", group, group);
	for (int i = 0; i < n; i++)
		add_dev(p, &v[i], group);
	free(v);
	return 0;
}

int iv_vfio_cdev_device(struct iv_run *run, const char *cdev, struct iv_bdf *b)
{
	char path[PATH_MAX], name[PATH_MAX];
	iv_path(run, path, sizeof path, "/sys/class/vfio-dev/%s/device", cdev);
	if (iv_link_base(path, name, sizeof name) == 0 && iv_bdf_parse(name, b) == 0)
		return 0;
	struct iv_bdf *v;
	int n = iv_sysfs_pci_devices(run, &v), found = -1;
	for (int i = 0; i < n && found < 0; i++) {
		char bs[16];
		iv_path(run, path, sizeof path, "/sys/bus/pci/devices/%s/vfio-dev/%s", iv_bdf_str(&v[i], bs), cdev);
		if (access(path, F_OK) == 0)
			found = i;
	}
	if (found >= 0)
		*b = v[found];
	if (n > 0)
		free(v);
	return found >= 0 ? 0 : -1;
}

/* /dev/vfio/devices/vfioX: the iommufd device cdev. */
static int add_cdev(struct iv_run *run, struct iv_proc *p, const char *cdev)
{
	struct iv_bdf b;
	if (iv_vfio_cdev_device(run, cdev, &b))
		return proc_fail(run, p, "/dev/vfio/devices/%s: no PCI device found for it in /sys/class/vfio-dev", cdev);
	add_dev(p, &b, iv_sysfs_group_of(run, &b));
	return 0;
}

/* A group number "N" (a whole decimal number), -1 if it is not one. */
static int group_number(const char *g)
{
	char *end;
	errno = 0;
	long n = strtol(g, &end, 10);
	if (*g < '0' || *g > '9' || *end || errno || n > INT_MAX)
		return -1;
	return (int)n;
}

/* --root: one fd link target decides. 0 ok (VFIO or not), -1 error. */
static int scan_fd_target(struct iv_run *run, struct iv_proc *p, const char *t)
{
	static const char grp[] = "/dev/vfio/", cdev[] = "/dev/vfio/devices/";
	/* QEMU in a chroot or a mount namespace: the link reads /ROOT/dev/vfio/N */
	const char *m = NULL;
	for (const char *q = t; (q = strstr(q, grp)); q++)
		m = q;
	if (!m)
		return 0;
	t = m;
	if (!strncmp(t, cdev, sizeof cdev - 1) && t[sizeof cdev - 1])
		return add_cdev(run, p, t + sizeof cdev - 1);
	if (strncmp(t, grp, sizeof grp - 1) != 0)
		return 0;
	int n = group_number(t + sizeof grp - 1);
	return n < 0 ? 0 : add_group(run, p, n);   /* /dev/vfio/vfio (the container) and anything else: not a device */
}

/* The majors of the VFIO group ("vfio") and device cdev ("vfio-dev") character
 * devices in /proc/devices (live system only; read once). -1 when absent. */
static struct { bool loaded; int rc, grp, cdev; } majors;

static int vfio_majors(struct iv_run *run)
{
	if (majors.loaded)
		return majors.rc;
	majors.loaded = true;
	majors.grp = majors.cdev = -1;
	char path[PATH_MAX];
	struct iv_lines l;
	if (iv_lines_open(run, &l, iv_path(run, path, sizeof path, "/proc/devices")))
		return majors.rc = -1;
	char *line;
	int r;
	bool chr = false;
	while ((r = iv_lines_next(&l, &line, NULL)) > 0) {
		int maj;
		char name[64];
		if (!strcmp(line, "Character devices:"))
			chr = true;
		else if (!strcmp(line, "Block devices:"))
			chr = false;
		else if (chr && sscanf(line, "%d %63s", &maj, name) == 2) {
			if (!strcmp(name, "vfio"))
				majors.grp = maj;
			else if (!strcmp(name, "vfio-dev"))
				majors.cdev = maj;
		}
	}
	iv_lines_close(&l);
	return majors.rc = r < 0 ? -1 : 0;
}

/* Live system: fd NAME of directory fdd is VFIO only when fstat says it is the
 * group or cdev character device; its name comes from /sys/dev/char/MAJ:MIN
 * (the group number, or vfioX), else from the link. 0 ok (VFIO or not), -1 error. */
#define FD_UNREADABLE (-2)   /* scan_fd_live: the fd cannot be identified (reason set) */
static int scan_fd_live(struct iv_run *run, struct iv_proc *p, int fdd, const char *name)
{
	struct stat st;
	if (fstatat(fdd, name, &st, 0) != 0) {
		if (gone_errno(errno) || errno == EBADF)
			return 0;   /* closed meanwhile, or its target is gone (a deleted file still stats) */
		/* EACCES/EPERM: the fd list was readable but not what the fds are (another user's
		 * process without CAP_SYS_PTRACE, or one with capabilities we lack): whether it
		 * holds a VFIO device is unknown, as when /proc/PID/fd cannot be read */
		snprintf(p->reason, sizeof p->reason, "/proc/%d/fd/%.16s: %s (cannot tell whether it is a VFIO device%s)", (int)p->pid, name,
			 strerror(errno), errno == EACCES || errno == EPERM ? "; run as root with CAP_SYS_PTRACE" : "");
		return FD_UNREADABLE;
	}
	if (!S_ISCHR(st.st_mode))
		return 0;
	int ma = (int)major(st.st_rdev);
	bool grp = ma == majors.grp, cdev = ma == majors.cdev;
	if (!grp && !cdev)
		return 0;
	char sys[PATH_MAX], base[PATH_MAX];
	iv_path(run, sys, sizeof sys, "/sys/dev/char/%d:%u", ma, (unsigned)minor(st.st_rdev));
	if (iv_link_base(sys, base, sizeof base)) {
		char t[PATH_MAX];
		ssize_t n = readlinkat(fdd, name, t, sizeof t - 1);
		if (n < 0)
			return gone_errno(errno) ? 0 : proc_fail(run, p, "fd %s: %s", name, strerror(errno));
		t[n] = 0;
		const char *b = strrchr(t, '/');
		snprintf(base, sizeof base, "%s", b ? b + 1 : t);
	}
	if (cdev)
		return add_cdev(run, p, base);
	int g = group_number(base);
	if (g < 0)
		return proc_fail(run, p, "fd %s: VFIO group device %s (%d:%u) without an IOMMU group number%s", name, base,
				 ma, (unsigned)minor(st.st_rdev),
				 strncmp(base, "noiommu-", 8) ? "" : " (no-IOMMU mode: nothing translates its DMA)");
	return add_group(run, p, g);
}

/* P_NONE/P_VFIO (devices added, -1 inside on errors via p->reason), P_GONE, P_UNREADABLE. */
static int scan_fds(struct iv_run *run, struct iv_proc *p, int dfd, const char *dir)
{
	int fdd = openat(dfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fdd < 0) {
		if (gone_errno(errno))
			return P_GONE;
		snprintf(p->reason, sizeof p->reason, "%.160s/fd: %s%s", dir, strerror(errno),
			 errno == EACCES || errno == EPERM ? " (run as root)" : "");
		return P_UNREADABLE;
	}
	DIR *d = fdopendir(fdd);
	if (!d) {
		int e = errno;
		close(fdd);
		if (gone_errno(e))   /* fstat of a dead process's fd directory */
			return P_GONE;
		snprintf(p->reason, sizeof p->reason, "%.160s/fd: %s", dir, strerror(e));
		return P_UNREADABLE;
	}
	bool live = !run->opt.root[0];
	if (live && vfio_majors(run)) {
		closedir(d);
		snprintf(p->reason, sizeof p->reason, "cannot read /proc/devices: VFIO devices cannot be recognized");
		return P_UNREADABLE;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (live) {
			if (scan_fd_live(run, p, dirfd(d), e->d_name) == FD_UNREADABLE) {
				closedir(d);
				free(p->devs);
				p->devs = NULL;
				p->ndevs = 0;
				return P_UNREADABLE;
			}
			continue;
		}
		char t[PATH_MAX];
		ssize_t n = readlinkat(dirfd(d), e->d_name, t, sizeof t - 1);
		if (n < 0)
			continue;   /* fd closed meanwhile */
		t[n] = 0;
		scan_fd_target(run, p, t);
	}
	closedir(d);
	return p->ndevs || p->reason[0] ? P_VFIO : P_NONE;
}


/* One QEMU option value at s, up to a single ',' (",," is a literal ','),
 * into buf (NULL: skipped). Returns where the next parameter starts. */
static const char *opt_value(const char *s, char *buf, size_t len)
{
	size_t n = 0;
	for (; *s; s++) {
		if (*s == ',' && *++s != ',')
			break;
		if (buf && n + 1 < len)
			buf[n++] = *s;
	}
	if (buf)
		buf[n] = 0;
	return s;
}

/* The guest name in QEMU's -name value, parsed as QEMU does (QemuOpts with
 * the implied first key "guest"): "guest=NAME,..." or "NAME[,...]", ",," a
 * literal ','; the last guest= wins. "" when there is none. */
static void name_from_arg(const char *v, char *buf, size_t len)
{
	buf[0] = 0;
	for (bool first = true; *v; first = false) {
		size_t k = strcspn(v, "=,");
		if (v[k] != '=')    /* "NAME,..." first, else a flag */
			v = opt_value(v, first ? buf : NULL, len);
		else
			v = opt_value(v + k + 1, k == 5 && !strncmp(v, "guest", 5) ? buf : NULL, len);
	}
}

static bool name_from_cmdline(int dfd, char *buf, size_t len)
{
	char cl[8192];
	bool want = false;
	ssize_t n = iv_read_small_at(dfd, "cmdline", cl, sizeof cl);
	if (n <= 0)
		return false;
	/* read_at stops at NUL for strlen; walk the raw buffer by length */
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(cl + i) + 1) {
		const char *a = cl + i;
		if (want) {
			name_from_arg(a, buf, len);
			return buf[0] != 0;
		}
		if (!strcmp(a, "-name") || !strcmp(a, "--name"))
			want = true;
		else if (!strncmp(a, "-name=", 6) || !strncmp(a, "--name=", 7)) {
			name_from_arg(strchr(a, '=') + 1, buf, len);
			return buf[0] != 0;
		}
	}
	return false;
}

static void proc_name(struct iv_proc *p, int dfd)
{
	if (name_from_cmdline(dfd, p->vm, sizeof p->vm)) {
		snprintf(p->name, sizeof p->name, "%s", p->vm);
		return;
	}
	if (iv_read_small_at(dfd, "comm", p->name, sizeof p->name) < 0)
		snprintf(p->name, sizeof p->name, "pid%d", (int)p->pid);
}

/* Field 22 of a /proc/PID/stat text; comm (field 2) may hold spaces and parens. */
static int parse_starttime(struct iv_run *run, const char *path, char *buf, unsigned long long *out)
{
	char *s = strrchr(buf, ')');
	if (!s)
		return iv_error(run, "%s:1: no ')' after the command name", path);
	s++;
	for (int field = 3; field < 22; field++) {
		s += strspn(s, " ");
		s += strcspn(s, " ");
	}
	char *end;
	errno = 0;
	s += strspn(s, " ");
	unsigned long long v = strtoull(s, &end, 10);
	if (s == end || errno || (*end && *end != ' '))
		return iv_error(run, "%s:1: cannot read field 22 (starttime)", path);
	*out = v;
	return 0;
}

/* One process, read through a directory fd that stays bound to it (a PID
 * reused meanwhile reads as gone). /proc/PID/stat is read only for VFIO holders. */
static int proc_load(struct iv_run *run, pid_t pid, struct iv_proc *p)
{
	memset(p, 0, sizeof *p);
	p->pid = pid;
	char dir[PATH_MAX], path[PATH_MAX + 8], buf[4096];
	int dfd = open(iv_path(run, dir, sizeof dir, "/proc/%d", (int)pid), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		if (gone_errno(errno))
			return P_GONE;
		snprintf(p->reason, sizeof p->reason, "%.160s: %s", dir, strerror(errno));
		return P_UNREADABLE;
	}
	int r = scan_fds(run, p, dfd, dir);
	snprintf(path, sizeof path, "%s/stat", dir);
	/* by path, then the directory fd proves the PID still is the process whose fds were read */
	if (r == P_VFIO && iv_read_small(path, buf, sizeof buf) < 0) {
		if (gone_errno(errno))
			r = P_GONE;
		else
			proc_fail(run, p, "%s: %s", path, strerror(errno));
	} else if (r == P_VFIO && faccessat(dfd, "stat", F_OK, 0) != 0 && gone_errno(errno)) {
		r = P_GONE;
	} else if (r == P_VFIO) {
		if (parse_starttime(run, path, buf, &p->starttime) && !p->reason[0])
			snprintf(p->reason, sizeof p->reason, "%.160s: cannot read the start time", path);
	}
	if (r == P_VFIO || r == P_NONE)   /* named by -name also when it holds no VFIO device (--domain) */
		proc_name(p, dfd);
	close(dfd);
	if (r != P_VFIO) {
		free(p->devs);
		p->devs = NULL;
		p->ndevs = 0;
	}
	p->ok = r == P_VFIO && !p->reason[0];
	return r;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = ((const struct iv_proc *)a)->pid, y = ((const struct iv_proc *)b)->pid;
	return x < y ? -1 : x > y;
}

static int cmp_pid_t(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return x < y ? -1 : x > y;
}

static void push(struct iv_proc **v, size_t *n, const struct iv_proc *p)
{
	*v = iv_xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = *p;
}

static int find_all(struct iv_run *run, struct iv_proc **v, size_t *n, struct iv_procs_scan *scan)
{
	char dir[PATH_MAX];
	DIR *d = opendir(iv_path(run, dir, sizeof dir, "/proc"));
	if (!d)
		return iv_error(run, "%s: %s", dir, strerror(errno));
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		struct iv_proc p;
		if (!*e->d_name || *end || pid <= 0 || pid > INT_MAX)
			continue;
		int r = proc_load(run, (pid_t)pid, &p);
		if (r == P_VFIO)
			push(v, n, &p);
		else if (r == P_UNREADABLE) {
			if (!scan->unreadable++)
				snprintf(scan->unreadable_why, sizeof scan->unreadable_why, "%s", p.reason);
		}
	}
	closedir(d);
	return 0;
}

int iv_procs_find(struct iv_run *run, const pid_t *pids, size_t npids, struct iv_proc **out, struct iv_procs_scan *scan)
{
	struct iv_proc *v = NULL;
	struct iv_procs_scan dummy;
	size_t n = 0;
	if (!scan)
		scan = &dummy;
	memset(scan, 0, sizeof *scan);
	if (npids == 0 && find_all(run, &v, &n, scan)) {
		*out = NULL;
		return -1;
	}
	pid_t *u = iv_xcalloc(npids, sizeof *u);
	memcpy(u, pids, npids * sizeof *u);
	qsort(u, npids, sizeof *u, cmp_pid_t);
	for (size_t i = 0; i < npids; i++) {
		struct iv_proc p;
		char dir[PATH_MAX];
		if (i && u[i] == u[i - 1])
			continue;   /* a duplicate --pid */
		iv_path(run, dir, sizeof dir, "/proc/%d", (int)u[i]);
		switch (proc_load(run, u[i], &p)) {
		case P_VFIO:
			break;
		case P_NONE:
			proc_fail(run, &p, "no VFIO device open (no /dev/vfio/N or /dev/vfio/devices/vfioX in %s/fd)", dir);
			break;
		case P_GONE:
			proc_fail(run, &p, "no such process (%s)", dir);
			break;
		default:
			proc_fail(run, &p, "cannot be inspected: %s", p.reason);
			break;
		}
		if (!p.name[0] && iv_read_small(iv_path(run, dir, sizeof dir, "/proc/%d/comm", (int)u[i]), p.name, sizeof p.name) < 0)
			p.name[0] = 0;
		push(&v, &n, &p);
	}
	free(u);
	if (n > 1)
		qsort(v, n, sizeof *v, cmp_pid);
	*out = v;
	return (int)n;
}

void iv_procs_free(struct iv_proc *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++)
		free(p[i].devs);
	free(p);
}

int iv_proc_same(struct iv_run *run, const struct iv_proc *p)
{
	unsigned long long t;
	char path[PATH_MAX], buf[4096];
	if (iv_read_small(iv_path(run, path, sizeof path, "/proc/%d/stat", (int)p->pid), buf, sizeof buf) < 0)
		return -1;
	if (parse_starttime(run, path, buf, &t))
		return -1;
	return t == p->starttime ? 0 : -1;
}

/* ---- /proc/PID/maps ---- */
/* "start-end perms offset dev inode [path]" */
static int maps_line(char *line, struct iv_map *m)
{
	char range[64], perms[8], off[32], dev[32], inode[32];
	int pos = 0;
	memset(m, 0, sizeof *m);
	if (sscanf(line, "%63s %7s %31s %31s %31s%n", range, perms, off, dev, inode, &pos) != 5)
		return -1;
	char *dash = strchr(range, '-');
	if (!dash || strlen(perms) != 4 || !strchr(dev, ':'))
		return -1;
	*dash = 0;
	uint64_t ino;
	if (iv_parse_hex(range, &m->start) || iv_parse_hex(dash + 1, &m->end) || m->end <= m->start ||
	    iv_parse_hex(off, &m->offset) || iv_parse_u64(inode, &ino))
		return -1;
	memcpy(m->perms, perms, 5);
	const char *path = line + pos;
	path += strspn(path, " ");
	snprintf(m->path, sizeof m->path, "%s", path);
	return 0;
}

int iv_maps_each(struct iv_run *run, pid_t pid, int (*fn)(struct iv_run *run, void *arg, const struct iv_map *m), void *arg)
{
	char path[PATH_MAX];
	struct iv_lines l;
	if (iv_lines_open(run, &l, iv_path(run, path, sizeof path, "/proc/%d/maps", (int)pid)))
		return -1;
	char *line;
	int r;
	while ((r = iv_lines_next(&l, &line, NULL)) > 0) {
		struct iv_map m;
		if (maps_line(line, &m)) {
			r = iv_error(run, "%s:%llu: cannot parse maps line '%.80s'", path, (unsigned long long)l.lineno, line);
			break;
		}
		if ((r = fn(run, arg, &m)) != 0)
			break;
	}
	iv_lines_close(&l);
	return r < 0 ? -1 : 0;
}
