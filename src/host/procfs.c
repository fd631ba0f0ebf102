/* procfs.c - processes holding VFIO devices (/proc/PID/fd), their name, start
 * time and /proc/PID/maps. All paths below --root. */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "host.h"
#include "sysfs.h"

#define IV_MAX_PROC_DEVS 4096

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
static int add_group(struct iv_proc *p, int group)
{
	struct iv_bdf *v;
	int n = iv_sysfs_group_devices(group, &v);
	if (n < 0)
		return iv_error("pid %d: /dev/vfio/%d: cannot list /sys/kernel/iommu_groups/%d/devices",
				(int)p->pid, group, group);
	for (int i = 0; i < n; i++)
		add_dev(p, &v[i], group);
	free(v);
	return 0;
}

/* Last component of a symlink (or of a plain file holding the target). */
/* /dev/vfio/devices/vfioX: the iommufd device cdev. */
static int add_cdev(struct iv_proc *p, const char *cdev)
{
	char path[PATH_MAX], name[PATH_MAX];
	struct iv_bdf b;
	iv_path(path, sizeof path, "/sys/class/vfio-dev/%s/device", cdev);
	if (iv_link_base(path, name, sizeof name) || iv_bdf_parse(name, &b)) {
		struct iv_bdf *v;
		int n = iv_sysfs_pci_devices(&v), found = -1;
		for (int i = 0; i < n && found < 0; i++) {
			char bs[16];
			iv_path(path, sizeof path, "/sys/bus/pci/devices/%s/vfio-dev/%s", iv_bdf_str(&v[i], bs), cdev);
			if (access(path, F_OK) == 0)
				found = i;
		}
		if (found >= 0)
			b = v[found];
		if (n > 0)
			free(v);
		if (found < 0)
			return iv_error("pid %d: /dev/vfio/devices/%s: no PCI device found for it in /sys/class/vfio-dev",
					(int)p->pid, cdev);
	}
	add_dev(p, &b, iv_sysfs_group_of(&b));
	return 0;
}

/* One fd target. 0 ok (VFIO or not), -1 error. */
static int scan_fd_target(struct iv_proc *p, const char *t)
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
		return add_cdev(p, t + sizeof cdev - 1);
	if (strncmp(t, grp, sizeof grp - 1) != 0)
		return 0;
	const char *g = t + sizeof grp - 1;
	char *end;
	errno = 0;
	long n = strtol(g, &end, 10);
	if (*g < '0' || *g > '9' || *end || errno || n > INT_MAX)
		return 0;   /* /dev/vfio/vfio (the container) and anything else */
	return add_group(p, (int)n);
}

static int scan_fds(struct iv_proc *p)
{
	char dir[PATH_MAX];
	DIR *d = opendir(iv_path(dir, sizeof dir, "/proc/%d/fd", (int)p->pid));
	if (!d)
		return iv_error("%s: %s", dir, strerror(errno));
	struct dirent *e;
	int rc = 0;
	while (rc == 0 && (e = readdir(d))) {
		char path[PATH_MAX + 300], t[PATH_MAX];
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		ssize_t n = readlink(path, t, sizeof t - 1);
		if (n < 0)
			continue;   /* fd closed meanwhile */
		t[n] = 0;
		rc = scan_fd_target(p, t);
	}
	closedir(d);
	return rc;
}

/* The value of QEMU's -name: "guest=NAME,..." or "NAME[,...]". */
static void name_from_arg(const char *v, char *buf, size_t len)
{
	const char *g = strstr(v, "guest=");
	if (g && (g == v || g[-1] == ','))
		v = g + 6;
	size_t n = strcspn(v, ",");
	snprintf(buf, len, "%.*s", (int)n, v);
}

static bool name_from_cmdline(pid_t pid, char *buf, size_t len)
{
	char path[PATH_MAX], cl[8192];
	bool want = false;
	ssize_t n = iv_read_small(iv_path(path, sizeof path, "/proc/%d/cmdline", (int)pid), cl, sizeof cl);
	if (n <= 0)
		return false;
	/* iv_read_small stops at NUL for strlen; walk the raw buffer by length */
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

static void proc_name(struct iv_proc *p)
{
	char path[PATH_MAX];
	if (name_from_cmdline(p->pid, p->name, sizeof p->name))
		return;
	if (iv_read_small(iv_path(path, sizeof path, "/proc/%d/comm", (int)p->pid), p->name, sizeof p->name) < 0)
		snprintf(p->name, sizeof p->name, "pid%d", (int)p->pid);
}

/* Field 22 of /proc/PID/stat; comm (field 2) may hold spaces and parens. */
static int proc_starttime(pid_t pid, unsigned long long *out)
{
	char path[PATH_MAX], buf[4096];
	if (iv_read_small(iv_path(path, sizeof path, "/proc/%d/stat", (int)pid), buf, sizeof buf) < 0)
		return iv_error("%s: %s", path, strerror(errno));
	char *s = strrchr(buf, ')');
	if (!s)
		return iv_error("%s:1: no ')' after the command name", path);
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
		return iv_error("%s:1: cannot read field 22 (starttime)", path);
	*out = v;
	return 0;
}

/* One process: 1 has VFIO devices, 0 none, -1 error (reported). */
static int proc_load(pid_t pid, struct iv_proc *p, bool quiet)
{
	memset(p, 0, sizeof *p);
	p->pid = pid;
	if (quiet) {   /* scanning all processes: ignore ones we cannot read or that went away */
		char dir[PATH_MAX];
		DIR *d = opendir(iv_path(dir, sizeof dir, "/proc/%d/fd", (int)pid));
		if (!d)
			return 0;
		closedir(d);
	}
	if (scan_fds(p) || proc_starttime(pid, &p->starttime)) {
		free(p->devs);
		return -1;
	}
	if (!p->ndevs) {
		free(p->devs);
		p->devs = NULL;
		return 0;
	}
	proc_name(p);
	return 1;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = ((const struct iv_proc *)a)->pid, y = ((const struct iv_proc *)b)->pid;
	return x < y ? -1 : x > y;
}

static int push(struct iv_proc **v, size_t *n, const struct iv_proc *p)
{
	*v = iv_xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = *p;
	return 0;
}

static int find_all(struct iv_proc **v, size_t *n)
{
	char dir[PATH_MAX];
	DIR *d = opendir(iv_path(dir, sizeof dir, "/proc"));
	if (!d)
		return iv_error("%s: %s", dir, strerror(errno));
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		struct iv_proc p;
		if (!*e->d_name || *end || pid <= 0 || pid > INT_MAX)
			continue;
		int r = proc_load((pid_t)pid, &p, true);
		if (r < 0)
			rc = -1;
		else if (r > 0)
			push(v, n, &p);
	}
	closedir(d);
	return rc;
}

int iv_procs_find(const pid_t *pids, size_t npids, struct iv_proc **out)
{
	struct iv_proc *v = NULL;
	size_t n = 0;
	int rc = 0;
	if (npids == 0)
		rc = find_all(&v, &n);
	for (size_t i = 0; i < npids; i++) {
		struct iv_proc p;
		char dir[PATH_MAX];
		if (access(iv_path(dir, sizeof dir, "/proc/%d", (int)pids[i]), F_OK) != 0) {
			rc = iv_error("pid %d: no such process (%s)", (int)pids[i], dir);
			continue;
		}
		int r = proc_load(pids[i], &p, false);
		if (r == 0)
			rc = iv_error("pid %d: no VFIO device open (no /dev/vfio/N or /dev/vfio/devices/vfioX in %s/fd)",
				      (int)pids[i], dir);
		else if (r < 0)
			rc = -1;
		else
			push(&v, &n, &p);
	}
	if (n > 1)
		qsort(v, n, sizeof *v, cmp_pid);
	if (rc < 0) {
		iv_procs_free(v, n);
		return -1;
	}
	*out = v;
	return (int)n;
}

void iv_procs_free(struct iv_proc *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++)
		free(p[i].devs);
	free(p);
}

int iv_proc_same(const struct iv_proc *p)
{
	unsigned long long t;
	char dir[PATH_MAX];
	if (access(iv_path(dir, sizeof dir, "/proc/%d/stat", (int)p->pid), F_OK) != 0)
		return -1;
	if (proc_starttime(p->pid, &t))
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

int iv_maps_each(pid_t pid, int (*fn)(void *arg, const struct iv_map *m), void *arg)
{
	char path[PATH_MAX];
	struct iv_lines l;
	if (iv_lines_open(&l, iv_path(path, sizeof path, "/proc/%d/maps", (int)pid)))
		return -1;
	char *line;
	int r;
	while ((r = iv_lines_next(&l, &line, NULL)) > 0) {
		struct iv_map m;
		if (maps_line(line, &m)) {
			r = iv_error("%s:%llu: cannot parse maps line '%.80s'", path, (unsigned long long)l.lineno, line);
			break;
		}
		if ((r = fn(arg, &m)) != 0)
			break;
	}
	iv_lines_close(&l);
	return r < 0 ? -1 : 0;
}
