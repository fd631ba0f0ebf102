/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report_prometheus.c - node_exporter textfile collector output, written
 * atomically (a temp file in the same directory, then rename). */
#include "config.h"
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "report.h"

static uint64_t dev_pages(const struct iv_check *c, pid_t pid, const struct iv_bdf *b, int kind)
{
	uint64_t n = 0;
	for (size_t i = 0; i < c->nf; i++) {
		const struct iv_finding *f = &c->f[i];
		if (!f->transient && (int)f->kind == kind && f->pid == pid && iv_bdf_eq(&f->bdf, b))
			n += f->pages;
	}
	return n;
}

static void write_metrics(const struct iv_check *c, FILE *f)
{
	char b[16];
	fputs("# HELP iommu_verify_findings Pages in findings of the last check, by kind, device and process.\n"
	      "# TYPE iommu_verify_findings gauge\n", f);
	for (size_t i = 0; i < c->nprocs; i++)
		for (size_t j = 0; j < c->procs[i].ndevs; j++) {
			const struct iv_dev_result *d = &c->procs[i].devs[j];
			for (int k = 0; k < IV_NKINDS; k++)
				fprintf(f, "iommu_verify_findings{kind=\"%s\",bdf=\"%s\",pid=\"%d\"} %" PRIu64 "\n",
					iv_kinds[k].name, iv_bdf_str(&d->bdf, b), (int)c->procs[i].pid,
					dev_pages(c, c->procs[i].pid, &d->bdf, k));
		}
	fputs("# HELP iommu_verify_device_checked 1 if the device's mappings could be checked.\n"
	      "# TYPE iommu_verify_device_checked gauge\n", f);
	for (size_t i = 0; i < c->nprocs; i++)
		for (size_t j = 0; j < c->procs[i].ndevs; j++) {
			const struct iv_dev_result *d = &c->procs[i].devs[j];
			fprintf(f, "iommu_verify_device_checked{bdf=\"%s\",pid=\"%d\"} %d\n",
				iv_bdf_str(&d->bdf, b), (int)c->procs[i].pid, d->checked ? 1 : 0);
		}
	fprintf(f, "# HELP iommu_verify_pages_checked IOVA pages (4 KiB) compared in the last check.\n"
		"# TYPE iommu_verify_pages_checked gauge\n"
		"iommu_verify_pages_checked %" PRIu64 "\n"
		"# HELP iommu_verify_status Overall status: 0 ok, 1 warning, 2 critical, 3 unknown.\n"
		"# TYPE iommu_verify_status gauge\n"
		"iommu_verify_status %d\n"
		"# HELP iommu_verify_last_run_timestamp_seconds When the last check started.\n"
		"# TYPE iommu_verify_last_run_timestamp_seconds gauge\n"
		"iommu_verify_last_run_timestamp_seconds %.3f\n"
		"# HELP iommu_verify_duration_seconds How long the last check took.\n"
		"# TYPE iommu_verify_duration_seconds gauge\n"
		"iommu_verify_duration_seconds %.6f\n",
		c->pages_checked, (int)c->status, c->started, c->duration);
}

int iv_report_prometheus(const struct iv_check *c, const char *path)
{
	char tmp[PATH_MAX];
	struct stat st;
	if (!path[0])
		return iv_error(iv_g, "--prometheus: the path is empty");
	/* Never rename over something that is not a metrics file (as root,
	 * --prometheus /dev/full would replace the device node). */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return iv_error(iv_g, "%s: %s, not a regular file", path,
				S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO"
				: S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" : "a special file");
	if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp)
		return iv_error(iv_g, "%s: path too long", path);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return iv_error(iv_g, "%s: cannot create a temporary file beside it: %s", path, strerror(errno));
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return iv_error(iv_g, "%s: %s", tmp, strerror(errno));
	}
	errno = 0;
	write_metrics(c, f);
	if (fflush(f) || ferror(f) || fchmod(fd, 0644) || fsync(fd)) {
		int e = errno ? errno : EIO;
		fclose(f);
		unlink(tmp);
		return iv_error(iv_g, "%s: write failed: %s", tmp, strerror(e));
	}
	if (fclose(f)) {
		int e = errno;
		unlink(tmp);
		return iv_error(iv_g, "%s: write failed: %s", tmp, strerror(e));
	}
	if (rename(tmp, path)) {
		int e = errno;
		unlink(tmp);
		return iv_error(iv_g, "%s: rename failed: %s", path, strerror(e));
	}
	return 0;
}
