/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dmasize.c - how much a device's IOMMU domain maps, from what the host
 * already says (the estimator behind the debugfs size gate, include/source.h):
 *
 * - the processes that hold the device (an fd on /dev/vfio/GROUP or on the
 *   iommufd cdev /dev/vfio/devices/vfioX) and their pinned memory: VFIO type1
 *   charges pinned pages to locked_vm (VmLck in /proc/PID/status), iommufd
 *   to locked_vm or pinned_vm (VmPin); the larger of the two is taken;
 * - how much of it is huge-page backed (AnonHugePages, Shared_Hugetlb and
 *   Private_Hugetlb in /proc/PID/smaps_rollup): aligned 2 MiB-backed memory is
 *   usually mapped with 2 MiB IOMMU pages, one dump row each.
 *
 * Nothing here is an error of the run: what cannot be read makes the
 * estimate unknown, with the reason. The /proc scan runs once per process. */
#include "config.h"
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "host.h"
#include "source.h"
#include "sysfs.h"

struct owner {
	pid_t pid;
	bool have_status;
	uint64_t pinned, huge;       /* bytes */
	size_t ndevs;
	struct iv_bdf devs[64];
	int groups[64];
};

static struct {
	bool done;
	struct owner *o;
	size_t n;
} O;

static void add_dev(struct owner *w, const struct iv_bdf *b, int group)
{
	for (size_t i = 0; i < w->ndevs; i++)
		if (iv_bdf_eq(&w->devs[i], b))
			return;
	if (w->ndevs < sizeof w->devs / sizeof w->devs[0]) {
		w->devs[w->ndevs] = *b;
		w->groups[w->ndevs++] = group;
	}
}

static void fd_target(struct iv_run *run, struct owner *w, const char *t)
{
	struct iv_bdf b;
	const char *m = NULL;       /* QEMU in a chroot or a mount namespace: /ROOT/dev/vfio/N */
	for (const char *q = t; (q = strstr(q, "/dev/vfio/")); q++)
		m = q;
	if (!m)
		return;
	t = m;
	if (!strncmp(t, "/dev/vfio/devices/", 18)) {
		if (iv_vfio_cdev_device(run, t + 18, &b) == 0)
			add_dev(w, &b, iv_sysfs_group_of(run, &b));
		return;
	}
	if (strncmp(t, "/dev/vfio/", 10) || !isdigit((unsigned char)t[10]))
		return;
	char *end;
	long g = strtol(t + 10, &end, 10);
	if (*end || g < 0 || g > INT_MAX)
		return;
	struct iv_bdf *v;
	int n = iv_sysfs_group_devices(run, (int)g, &v);
	for (int i = 0; i < n; i++)
		add_dev(w, &v[i], (int)g);
	if (n > 0)
		free(v);
}

/* "Key:   123 kB" lines of a small file: the values of the keys, in bytes. */
static bool kb_fields(const char *path, const char *const *keys, uint64_t *out, size_t nkeys)
{
	char buf[16384];
	if (iv_read_small(path, buf, sizeof buf) < 0)
		return false;
	for (size_t k = 0; k < nkeys; k++) {
		out[k] = 0;
		size_t kl = strlen(keys[k]);
		for (const char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
			if (!strncmp(l, keys[k], kl) && l[kl] == ':') {
				out[k] = strtoull(l + kl + 1, NULL, 10) * 1024;
				break;
			}
	}
	return true;
}

static void load_sizes(struct iv_run *run, struct owner *w)
{
	static const char *const st[] = { "VmLck", "VmPin" };
	static const char *const sm[] = { "AnonHugePages", "Shared_Hugetlb", "Private_Hugetlb" };
	uint64_t s[2], h[3];
	char p[PATH_MAX];
	w->have_status = kb_fields(iv_path(run, p, sizeof p, "/proc/%d/status", (int)w->pid), st, s, 2);
	w->pinned = s[0] > s[1] ? s[0] : s[1];
	if (w->have_status && kb_fields(iv_path(run, p, sizeof p, "/proc/%d/smaps_rollup", (int)w->pid), sm, h, 3))
		w->huge = h[0] + h[1] + h[2];
}

static void scan(struct iv_run *run)
{
	char p[PATH_MAX];
	O.done = true;
	DIR *d = opendir(iv_path(run, p, sizeof p, "/proc"));
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0 || pid > INT_MAX)
			continue;
		struct owner w;
		memset(&w, 0, sizeof w);
		w.pid = (pid_t)pid;
		char fdp[PATH_MAX];
		DIR *f = opendir(iv_path(run, fdp, sizeof fdp, "/proc/%ld/fd", pid));
		if (!f)
			continue;
		struct dirent *x;
		while ((x = readdir(f))) {
			char lp[PATH_MAX + 300], t[PATH_MAX];
			if (x->d_name[0] == '.')
				continue;
			snprintf(lp, sizeof lp, "%s/%s", fdp, x->d_name);
			ssize_t n = readlink(lp, t, sizeof t - 1);
			if (n <= 0)
				continue;
			t[n] = 0;
			fd_target(run, &w, t);
		}
		closedir(f);
		if (!w.ndevs)
			continue;
		load_sizes(run, &w);
		char sp[PATH_MAX];
		if (!w.have_status && access(iv_path(run, sp, sizeof sp, "/proc/%ld/stat", pid), F_OK) != 0)
			continue;        /* gone since its fds were read: it holds nothing any more */
		O.o = iv_xrealloc(O.o, (O.n + 1) * sizeof *O.o);
		O.o[O.n++] = w;
	}
	closedir(d);
}

static bool holds(const struct owner *w, const struct iv_bdf *bdf, int group)
{
	for (size_t i = 0; i < w->ndevs; i++)
		if (iv_bdf_eq(&w->devs[i], bdf) || (group >= 0 && w->groups[i] == group))
			return true;
	return false;
}

int iv_host_dma_estimate(struct iv_run *run, const struct iv_bdf *bdf, struct iv_dma_estimate *e, char *why, size_t whylen)
{
	if (!O.done)
		scan(run);
	memset(e, 0, sizeof *e);
	int group = bdf ? iv_sysfs_group_of(run, bdf) : -1;
	size_t used = 0, nown = 0;
	for (size_t i = 0; i < O.n; i++) {
		const struct owner *w = &O.o[i];
		if (bdf && !holds(w, bdf, group))
			continue;
		if (!w->have_status) {
			snprintf(why, whylen, "/proc/%d/status of the device's owner cannot be read", (int)w->pid);
			return 1;
		}
		/* 6.1's global file has one block per device: each device of a process
		 * repeats the mappings of its container */
		uint64_t times = bdf ? 1 : w->ndevs;
		uint64_t huge = w->huge < w->pinned ? w->huge : w->pinned;
		e->bytes += w->pinned * times;
		e->huge_bytes += huge * times;
		if (used < sizeof e->basis)
			snprintf(e->basis + used, sizeof e->basis - used, "%s%d", nown ? ", " : "", (int)w->pid);
		used += strlen(e->basis + used);
		nown++;
	}
	if (!nown) {
		if (bdf && group >= 0)
			snprintf(why, whylen, "no process holds the device (IOMMU group %d)", group);
		else
			snprintf(why, whylen, "no process holds %s", bdf ? "the device" : "a VFIO device");
		return 1;
	}
	char pids[sizeof e->basis];
	snprintf(pids, sizeof pids, "%s", e->basis);
	snprintf(e->basis, sizeof e->basis, "pinned memory of pid%s %.200s%s", nown > 1 ? "s" : "", pids,
		 bdf ? "" : ", every device of the global file");
	return 0;
}
