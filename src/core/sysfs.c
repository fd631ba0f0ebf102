/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sysfs.c - devices, IOMMU groups and drivers from /sys below --root.
 * Symlinks are read with readlink and only their last component is used, so
 * fixture trees may use either symlinks or plain files holding the target. */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sysfs.h"

/* Last path component of a symlink target (or of a file's contents). */
int iv_link_base(const char *path, char *buf, size_t len)
{
	char t[PATH_MAX];
	ssize_t n = readlink(path, t, sizeof t - 1);
	if (n < 0) {
		if (errno != EINVAL)
			return -1;
		n = iv_read_small(path, t, sizeof t);   /* a plain file standing in for a link */
		if (n < 0)
			return -1;
	}
	t[n] = 0;
	while (n > 0 && t[n - 1] == '/')
		t[--n] = 0;
	const char *b = strrchr(t, '/');
	snprintf(buf, len, "%s", b ? b + 1 : t);
	return 0;
}

int iv_sysfs_group_of(struct iv_run *run, const struct iv_bdf *bdf)
{
	char p[PATH_MAX], b[16], name[64];
	iv_path(run, p, sizeof p, "/sys/bus/pci/devices/%s/iommu_group", iv_bdf_str(bdf, b));
	if (iv_link_base(p, name, sizeof name) == 0) {
		char *end;
		long g = strtol(name, &end, 10);
		if (*name && !*end)
			return (int)g;
	}
	/* fall back to scanning /sys/kernel/iommu_groups */
	int *groups, ng = iv_sysfs_groups(run, &groups);
	int found = -1;
	for (int i = 0; i < ng && found < 0; i++) {
		iv_path(run, p, sizeof p, "/sys/kernel/iommu_groups/%d/devices/%s", groups[i], b);
		if (access(p, F_OK) == 0 || errno != ENOENT)
			found = groups[i];
	}
	if (ng > 0)
		free(groups);
	return found;
}

static int cmp_bdf(const void *a, const void *b)
{
	const struct iv_bdf *x = a, *y = b;
	uint32_t kx = (uint32_t)x->seg << 16 | iv_bdf_devid(x), ky = (uint32_t)y->seg << 16 | iv_bdf_devid(y);
	return kx < ky ? -1 : kx > ky;
}

static int list_bdfs(const char *dir, struct iv_bdf **out)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	size_t n = 0, cap = 0;
	struct iv_bdf *v = NULL;
	struct dirent *e;
	while ((e = readdir(d))) {
		struct iv_bdf b;
		if (iv_bdf_parse(e->d_name, &b))
			continue;
		if (n == cap)
			v = iv_xrealloc(v, (cap = cap ? cap * 2 : 16) * sizeof *v);
		v[n++] = b;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof *v, cmp_bdf);
	*out = v;
	return (int)n;
}

int iv_sysfs_group_devices(struct iv_run *run, int group, struct iv_bdf **out)
{
	char p[PATH_MAX];
	return list_bdfs(iv_path(run, p, sizeof p, "/sys/kernel/iommu_groups/%d/devices", group), out);
}

int iv_sysfs_pci_devices(struct iv_run *run, struct iv_bdf **out)
{
	char p[PATH_MAX];
	return list_bdfs(iv_path(run, p, sizeof p, "/sys/bus/pci/devices"), out);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return x < y ? -1 : x > y;
}

int iv_sysfs_groups(struct iv_run *run, int **out)
{
	char p[PATH_MAX];
	DIR *d = opendir(iv_path(run, p, sizeof p, "/sys/kernel/iommu_groups"));
	if (!d)
		return -1;
	size_t n = 0, cap = 0;
	int *v = NULL;
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end;
		long g = strtol(e->d_name, &end, 10);
		if (!*e->d_name || *end || g < 0)
			continue;
		if (n == cap)
			v = iv_xrealloc(v, (cap = cap ? cap * 2 : 16) * sizeof *v);
		v[n++] = (int)g;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof *v, cmp_int);
	*out = v;
	return (int)n;
}

void iv_sysfs_group_type(struct iv_run *run, int group, char *buf, size_t len)
{
	char p[PATH_MAX];
	if (iv_read_small(iv_path(run, p, sizeof p, "/sys/kernel/iommu_groups/%d/type", group), buf, len) < 0)
		buf[0] = 0;
}

void iv_sysfs_driver(struct iv_run *run, const struct iv_bdf *bdf, char *buf, size_t len)
{
	char p[PATH_MAX], b[16];
	if (iv_link_base(iv_path(run, p, sizeof p, "/sys/bus/pci/devices/%s/driver", iv_bdf_str(bdf, b)), buf, len))
		buf[0] = 0;
}

void iv_sysfs_iommu_of(struct iv_run *run, const struct iv_bdf *bdf, char *buf, size_t len)
{
	char p[PATH_MAX], b[16];
	if (iv_link_base(iv_path(run, p, sizeof p, "/sys/bus/pci/devices/%s/iommu", iv_bdf_str(bdf, b)), buf, len))
		buf[0] = 0;
}

int iv_sysfs_reserved_regions(struct iv_run *run, int group, struct iv_resv **out)
{
	char p[PATH_MAX];
	struct iv_lines l;
	iv_path(run, p, sizeof p, "/sys/kernel/iommu_groups/%d/reserved_regions", group);
	if (access(p, R_OK) != 0) {
		*out = NULL;
		return 0;
	}
	if (iv_lines_open(run, &l, p))
		return -1;
	size_t n = 0, cap = 0;
	struct iv_resv *v = NULL;
	char *line;
	int r;
	while ((r = iv_lines_next(&l, &line, NULL)) > 0) {
		char a[32], b[32], t[24];
		struct iv_resv x;
		if (!*line)
			continue;
		if (sscanf(line, "%31s %31s %23s", a, b, t) != 3 || iv_parse_hex(a, &x.start) ||
		    iv_parse_hex(b, &x.end)) {
			r = iv_error(run, "%s:%llu: cannot parse reserved region '%s'", p,
				     (unsigned long long)l.lineno, line);
			break;
		}
		snprintf(x.type, sizeof x.type, "%s", t);
		if (n == cap)
			v = iv_xrealloc(v, (cap = cap ? cap * 2 : 8) * sizeof *v);
		v[n++] = x;
	}
	iv_lines_close(&l);
	if (r < 0) {
		free(v);
		return -1;
	}
	*out = v;
	return (int)n;
}

int iv_sysfs_bars(struct iv_run *run, const struct iv_bdf *bdf, struct iv_bar bars[7])
{
	char p[PATH_MAX], b[16], buf[2048];
	if (iv_read_small(iv_path(run, p, sizeof p, "/sys/bus/pci/devices/%s/resource", iv_bdf_str(bdf, b)), buf, sizeof buf) < 0)
		return -1;
	int n = 0;
	char *save, *line = strtok_r(buf, "\n", &save);
	while (line && n < 7) {
		unsigned long long s, e, f;
		if (sscanf(line, "%llx %llx %llx", &s, &e, &f) != 3)
			break;
		bars[n].start = s;
		bars[n].end = e;
		bars[n].flags = f;
		n++;
		line = strtok_r(NULL, "\n", &save);
	}
	return n;
}
