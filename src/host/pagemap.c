/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pagemap.c - /proc/PID/pagemap, /proc/kpageflags and /proc/kpagecount: files of
 * u64 entries, read through a window of entries (one pread per window). */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "host.h"

#define PM_WINDOW    4096u   /* pagemap entries per pread (32 KiB) */
#define KPAGE_WINDOW 512u    /* kpageflags/kpagecount entries per pread (4 KiB) */

/* A window of u64 entries over a file; entries past EOF do not exist. */
struct u64win {
	int fd;
	char name[PATH_MAX];
	uint64_t *buf;
	size_t cap, n;          /* capacity, valid entries in buf */
	uint64_t first;         /* index of buf[0] */
	bool valid;
	uint64_t *reads;        /* stats counter to bump per pread */
	struct iv_run *run;     /* errors and bytes_read (may be NULL) */
};

static int win_open(struct iv_run *run, struct u64win *w, const char *path, size_t cap, uint64_t *reads)
{
	memset(w, 0, sizeof *w);
	w->run = run;
	snprintf(w->name, sizeof w->name, "%s", path);
	w->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (w->fd < 0)
		return iv_error(run, "%s: %s", path, strerror(errno));
	w->cap = cap;
	w->buf = iv_xmalloc(cap * sizeof *w->buf);
	w->reads = reads;
	return 0;
}

static void win_close(struct u64win *w)
{
	if (w->fd >= 0)
		close(w->fd);
	free(w->buf);
	w->fd = -1;
	w->buf = NULL;
}

/* Fill the window starting at entry `first`: loops over EINTR and short reads
 * until the window is full or EOF. */
static int win_fill(struct u64win *w, uint64_t first)
{
	size_t want = w->cap * sizeof *w->buf, got = 0;
	char *p = (char *)w->buf;
	w->valid = false;
	if (first > (uint64_t)(LLONG_MAX / 8) - w->cap)
		return iv_error(w->run, "%s: entry %#llx is beyond any file offset", w->name, (unsigned long long)first);
	while (got < want) {
		ssize_t r = pread(w->fd, p + got, want - got, (off_t)(first * 8 + got));
		if (w->run && w->reads)
			(*w->reads)++;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return iv_error(w->run, "%s: read at offset %#llx: %s", w->name,
					(unsigned long long)(first * 8 + got), strerror(errno));
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (w->run)
			w->run->st.bytes_read += (uint64_t)r;
	}
	w->first = first;
	w->n = got / 8;   /* a partial trailing entry does not exist */
	w->valid = true;
	return 0;
}

/* Entry idx: 0 found, 1 beyond EOF, -1 error. */
static int win_get(struct u64win *w, uint64_t idx, uint64_t *val)
{
	if (!w->valid || idx < w->first || idx >= w->first + w->cap) {
		if (win_fill(w, idx - idx % w->cap))
			return -1;
	}
	if (idx - w->first >= w->n)
		return 1;
	*val = w->buf[idx - w->first];
	return 0;
}

/* ---- pagemap ---- */
struct iv_pagemap {
	struct iv_run *run;     /* the run it was opened with (stats; may be NULL) */
	struct u64win w;
	uint64_t present, present_zero;
	uint64_t dummy_reads;
};

struct iv_pagemap *iv_pagemap_open(struct iv_run *run, pid_t pid)
{
	char path[PATH_MAX];
	struct iv_pagemap *pm = iv_xcalloc(1, sizeof *pm);
	pm->run = run;
	uint64_t *reads = run ? &run->st.pagemap_reads : &pm->dummy_reads;
	if (pid == 0)
		snprintf(path, sizeof path, "/proc/self/pagemap");
	else
		iv_path(run, path, sizeof path, "/proc/%d/pagemap", (int)pid);
	if (win_open(run, &pm->w, path, PM_WINDOW, reads)) {
		free(pm);
		return NULL;
	}
	return pm;
}

void iv_pagemap_close(struct iv_pagemap *pm)
{
	if (!pm)
		return;
	win_close(&pm->w);
	free(pm);
}

int iv_pagemap_get(struct iv_pagemap *pm, uint64_t va, uint64_t *entry)
{
	uint64_t e = 0;
	int r = win_get(&pm->w, va >> IV_PAGE_SHIFT, &e);
	if (r < 0)
		return -1;
	if (r > 0)
		e = 0;   /* past EOF: outside the address space, not present */
	if (pm->run)
		pm->run->st.pagemap_entries++;
	if (e & IV_PM_PRESENT) {
		pm->present++;
		if (!(e & IV_PM_PFN_MASK))
			pm->present_zero++;
	}
	*entry = e;
	return 0;
}

int64_t iv_pagemap_span(struct iv_pagemap *pm, uint64_t va, uint64_t n, const uint64_t **ents)
{
	uint64_t e, idx = va >> IV_PAGE_SHIFT;
	int r = win_get(&pm->w, idx, &e);
	if (r)
		return r < 0 ? -1 : 0;
	uint64_t k = pm->w.first + pm->w.n - idx;
	*ents = pm->w.buf + (idx - pm->w.first);
	return (int64_t)(k < n ? k : n);
}

void iv_pagemap_consumed(struct iv_pagemap *pm, uint64_t k)
{
	if (pm->run)
		pm->run->st.pagemap_entries += k;
	pm->present += k;
}

void iv_pagemap_invalidate(struct iv_pagemap *pm)
{
	pm->w.valid = false;
}

void iv_pagemap_counts(const struct iv_pagemap *pm, uint64_t *present, uint64_t *present_zero_pfn)
{
	*present = pm->present;
	*present_zero_pfn = pm->present_zero;
}

/* ---- kpageflags / kpagecount ---- */
struct iv_kpage {
	struct u64win flags, count;
	uint64_t dummy_reads;
};

struct iv_kpage *iv_kpage_open(struct iv_run *run)
{
	char p[PATH_MAX];
	struct iv_kpage *k = iv_xcalloc(1, sizeof *k);
	uint64_t *reads = run ? &run->st.kpage_reads : &k->dummy_reads;
	k->count.fd = -1;
	if (win_open(run, &k->flags, iv_path(run, p, sizeof p, "/proc/kpageflags"), KPAGE_WINDOW, reads) ||
	    win_open(run, &k->count, iv_path(run, p, sizeof p, "/proc/kpagecount"), KPAGE_WINDOW, reads)) {
		iv_kpage_close(k);
		return NULL;
	}
	return k;
}

void iv_kpage_close(struct iv_kpage *k)
{
	if (!k)
		return;
	win_close(&k->flags);
	win_close(&k->count);
	free(k);
}

int iv_kpage_flags(struct iv_kpage *k, uint64_t pfn, uint64_t *flags)
{
	return win_get(&k->flags, pfn, flags);
}

int iv_kpage_count(struct iv_kpage *k, uint64_t pfn, uint64_t *count)
{
	return win_get(&k->count, pfn, count);
}

void iv_kpage_invalidate(struct iv_kpage *k)
{
	k->flags.valid = k->count.valid = false;
}

/* ---- the zero page of the live system ---- */
static int self_pfn(const void *va, uint64_t *pfn)
{
	uint64_t e;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	ssize_t r;
	do
		r = pread(fd, &e, sizeof e, (off_t)((uintptr_t)va >> IV_PAGE_SHIFT) * 8);
	while (r < 0 && errno == EINTR);
	close(fd);
	if (r != (ssize_t)sizeof e || !(e & IV_PM_PRESENT) || !(e & IV_PM_PFN_MASK))
		return 1;
	*pfn = e & IV_PM_PFN_MASK;
	return 0;
}

int iv_zero_pfn_probe(const struct iv_run *run, uint64_t *pfn)
{
	if (run && run->opt.root && run->opt.root[0])
		return 1;
	void *p = mmap(NULL, IV_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
#ifdef MADV_NOHUGEPAGE
	madvise(p, IV_PAGE_SIZE, MADV_NOHUGEPAGE);
#endif
	(void)*(volatile const char *)p;   /* read fault: maps the shared zero page */
	int r = self_pfn(p, pfn);
	munmap(p, IV_PAGE_SIZE);
	return r;
}
