/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report_prometheus.c - node_exporter textfile collector output, written
 * atomically (a temp file in the same directory, then rename). */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include "report.h"

/* Length of the valid UTF-8 sequence at s (1..4), 0 if it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
		   : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0) ||   /* overlong, surrogate */
	    (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90))      /* overlong, > U+10FFFF */
		return 0;
	return n;
}

/* A label value as the exposition format wants it: \\, \" and \n escaped;
 * text from outside (a VM name from QEMU's command line) that is not UTF-8,
 * or a control character, becomes U+FFFD (node_exporter rejects a whole
 * textfile with an invalid label value). */
static void put_label(FILE *f, const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	while (*s) {
		size_t n = utf8_len(s);
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (!n || *s < 0x20 || *s == 0x7f)
			fputs("\xef\xbf\xbd", f);
		else
			fwrite(s, 1, n, f);
		s += n ? n : 1;
	}
}

/* One series per (bdf, vm): two devices or VMs with the same labels (two
 * QEMUs with one -name, or none) are summed, and checked only if all were. */
struct series {
	const char *vm;
	struct iv_bdf bdf;
	uint64_t pages[IV_NKINDS];
	bool checked;
};

static size_t collect(const struct iv_check *c, struct series *s)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nprocs; i++)
		for (size_t j = 0; j < c->procs[i].ndevs; j++) {
			const struct iv_proc_result *p = &c->procs[i];
			const struct iv_dev_result *d = &p->devs[j];
			size_t k = 0;
			while (k < n && !(iv_bdf_eq(&s[k].bdf, &d->bdf) && !strcmp(s[k].vm, p->vm)))
				k++;
			if (k == n) {
				memset(&s[n], 0, sizeof s[n]);
				s[n].vm = p->vm;
				s[n].bdf = d->bdf;
				s[n++].checked = true;
			}
			s[k].checked &= d->checked;
			for (int m = 0; m < IV_NKINDS; m++)
				s[k].pages[m] += d->dropped_pages[m];
			for (size_t m = 0; m < c->nf; m++) {
				const struct iv_finding *f = &c->f[m];
				if (!f->transient && f->pid == p->pid && iv_bdf_eq(&f->bdf, &d->bdf))
					s[k].pages[f->kind] += f->pages;
			}
		}
	return n;
}

/* the handler runs IV_TIMEOUT_GRACE (src/cmd) after the deadline */
#define IV_PROM_TIMEOUT_GRACE 0.5

#define HELP(f, name, type, text) fputs("# HELP " name " " text "\n# TYPE " name " " type "\n", f)

static void write_metrics(struct iv_run *run, const struct iv_check *c, FILE *f)
{
	char b[16];
	size_t ndevs = 0;
	for (size_t i = 0; i < c->nprocs; i++)
		ndevs += c->procs[i].ndevs;
	struct series *s = iv_xcalloc(ndevs ? ndevs : 1, sizeof *s);
	size_t n = collect(c, s);
	bool up = c->status != IV_UNKNOWN && !c->incomplete && !run->errs.n;

	HELP(f, "iommu_verify_build_info", "gauge", "The iommu-verify that wrote this file (always 1).");
	fprintf(f, "iommu_verify_build_info{version=\"");
	put_label(f, PACKAGE_VERSION);
	fputs("\"} 1\n", f);
	HELP(f, "iommu_verify_up", "gauge",
	     "1 if the last check saw everything it was to check, 0 if something could not be checked "
	     "(status unknown, or critical with parts unchecked).");
	fprintf(f, "iommu_verify_up %d\n", up);
	HELP(f, "iommu_verify_status", "gauge", "Overall status: 0 ok, 1 warning, 2 critical, 3 unknown.");
	fprintf(f, "iommu_verify_status %d\n", (int)c->status);
	HELP(f, "iommu_verify_finding_pages", "gauge",
	     "Pages (4 KiB) in findings of the last check, by kind, device and VM (QEMU -name; transient findings not counted).");
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < IV_NKINDS; k++) {
			fprintf(f, "iommu_verify_finding_pages{kind=\"%s\",bdf=\"%s\",vm=\"", iv_kinds[k].name,
				iv_bdf_str(&s[i].bdf, b));
			put_label(f, s[i].vm);
			fprintf(f, "\"} %" PRIu64 "\n", s[i].pages[k]);
		}
	HELP(f, "iommu_verify_device_checked", "gauge", "1 if the device's mappings could be checked, by device and VM.");
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "iommu_verify_device_checked{bdf=\"%s\",vm=\"", iv_bdf_str(&s[i].bdf, b));
		put_label(f, s[i].vm);
		fprintf(f, "\"} %d\n", s[i].checked ? 1 : 0);
	}
	HELP(f, "iommu_verify_process_info", "gauge", "The QEMU process of each VM the last check found (always 1).");
	for (size_t i = 0; i < c->nprocs; i++) {
		fprintf(f, "iommu_verify_process_info{pid=\"%d\",vm=\"", (int)c->procs[i].pid);
		put_label(f, c->procs[i].vm);
		fputs("\"} 1\n", f);
	}
	HELP(f, "iommu_verify_transient_findings", "gauge",
	     "Findings of the last check gone on the re-read (not counted in iommu_verify_finding_pages).");
	fprintf(f, "iommu_verify_transient_findings %" PRIu64 "\n", c->transient);
	HELP(f, "iommu_verify_not_checked", "gauge",
	     "Processes, devices and selections the last check could not check (its output names them).");
	fprintf(f, "iommu_verify_not_checked %u\n", c->nnotes);
	HELP(f, "iommu_verify_errors", "gauge", "Errors the last check reported (its standard error names them).");
	fprintf(f, "iommu_verify_errors %zu\n", run->errs.n + run->errs.dropped);
	HELP(f, "iommu_verify_pages_checked", "gauge", "IOVA pages (4 KiB) compared in the last check.");
	fprintf(f, "iommu_verify_pages_checked %" PRIu64 "\n", c->pages_checked);
	HELP(f, "iommu_verify_last_run_timestamp_seconds", "gauge", "When the last check started.");
	fprintf(f, "iommu_verify_last_run_timestamp_seconds %.3f\n", c->started);
	HELP(f, "iommu_verify_duration_seconds", "gauge", "How long the last check took.");
	fprintf(f, "iommu_verify_duration_seconds %.6f\n", c->duration);
	free(s);
}

int iv_report_prometheus(struct iv_run *run, const struct iv_check *c, const char *path)
{
	char tmp[PATH_MAX];
	struct stat st;
	if (!path[0])
		return iv_error(run, "--prometheus: the path is empty");
	/* Never rename over something that is not a metrics file (as root,
	 * --prometheus /dev/full would replace the device node). */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return iv_error(run, "%s: %s, not a regular file", path,
				S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO"
				: S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" : "a special file");
	if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp)
		return iv_error(run, "%s: path too long", path);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return iv_error(run, "%s: cannot create a temporary file beside it: %s", path, strerror(errno));
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return iv_error(run, "%s: %s", tmp, strerror(errno));
	}
	errno = 0;
	write_metrics(run, c, f);
	if (fflush(f) || ferror(f) || fchmod(fd, 0644) || fsync(fd)) {
		int e = errno ? errno : EIO;
		fclose(f);
		unlink(tmp);
		return iv_error(run, "%s: write failed: %s", tmp, strerror(e));
	}
	if (fclose(f)) {
		int e = errno;
		unlink(tmp);
		return iv_error(run, "%s: write failed: %s", tmp, strerror(e));
	}
	if (rename(tmp, path)) {
		int e = errno;
		unlink(tmp);
		return iv_error(run, "%s: rename failed: %s", path, strerror(e));
	}
	return 0;
}

/* -t: what the SIGALRM handler writes (rendered now: the handler may only
 * call async-signal-safe functions). */
static char to_path[PATH_MAX], to_tmp[PATH_MAX + 16], to_body[2048];
static size_t to_len;
static char *to_status;     /* the status digit in to_body */

void iv_report_prometheus_on_timeout(const char *path, double secs)
{
	struct stat st;
	struct timeval tv;
	to_len = 0;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return;                 /* iv_report_prometheus reports it */
	if (snprintf(to_path, sizeof to_path, "%s", path) >= (int)sizeof to_path ||
	    snprintf(to_tmp, sizeof to_tmp, "%s.timeout", path) >= (int)sizeof to_tmp)
		return;
	gettimeofday(&tv, NULL);
	int n = snprintf(to_body, sizeof to_body,
		"# HELP iommu_verify_build_info The iommu-verify that wrote this file (always 1).\n"
		"# TYPE iommu_verify_build_info gauge\n"
		"iommu_verify_build_info{version=\"%s\"} 1\n"
		"# HELP iommu_verify_up 1 if the last check saw everything it was to check, 0 if something could "
		"not be checked (status unknown, or critical with parts unchecked).\n"
		"# TYPE iommu_verify_up gauge\n"
		"iommu_verify_up 0\n"
		"# HELP iommu_verify_status Overall status: 0 ok, 1 warning, 2 critical, 3 unknown.\n"
		"# TYPE iommu_verify_status gauge\n"
		"iommu_verify_status 3\n"
		"# HELP iommu_verify_errors Errors the last check reported (its standard error names them).\n"
		"# TYPE iommu_verify_errors gauge\n"
		"iommu_verify_errors 1\n"
		"# HELP iommu_verify_last_run_timestamp_seconds When the last check started.\n"
		"# TYPE iommu_verify_last_run_timestamp_seconds gauge\n"
		"iommu_verify_last_run_timestamp_seconds %.3f\n"
		"# HELP iommu_verify_duration_seconds How long the last check took.\n"
		"# TYPE iommu_verify_duration_seconds gauge\n"
		"iommu_verify_duration_seconds %.6f\n",
		PACKAGE_VERSION, (double)tv.tv_sec + tv.tv_usec / 1e6, secs + IV_PROM_TIMEOUT_GRACE);
	to_len = n > 0 && (size_t)n < sizeof to_body ? (size_t)n : 0;
	to_status = strstr(to_body, "\niommu_verify_status 3\n");
	if (to_status)
		to_status += sizeof "\niommu_verify_status " - 1;
}

void iv_report_prometheus_timed_out(enum iv_status st)
{
	if (!to_len)
		return;
	if (to_status)
		*to_status = (char)('0' + (st & 3));   /* "iommu_verify_status 3" as rendered */
	int fd = open(to_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	bool ok = write(fd, to_body, to_len) == (ssize_t)to_len && fchmod(fd, 0644) == 0 && fsync(fd) == 0;
	if (close(fd) || !ok || rename(to_tmp, to_path))
		unlink(to_tmp);
}
