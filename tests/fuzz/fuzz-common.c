/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-common.c - see fuzz-common.h. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "iv.h"
#include "source.h"
#include "fuzz-common.h"

struct iv_run fuzz_ctx;
unsigned long fuzz_accepted, fuzz_rejected;
static char root[512];

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	remove(p);
	return 0;
}

static void cleanup(void)
{
	if (root[0])
		nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void fuzz_init(void)
{
	if (!root[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(root, sizeof root, "%s/iv-fuzz.XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(root)) {
			perror("fuzz: mkdtemp");
			abort();
		}
		atexit(cleanup);
		fuzz_ctx.opt.root = root;
		snprintf(fuzz_ctx.opt.debugfs, sizeof fuzz_ctx.opt.debugfs, "%s/sys/kernel/debug", root);
		fuzz_ctx.opt.json = false;
		fuzz_ctx.opt.timeout = 1.0;
	}
}

const char *fuzz_root(void)
{
	return root;
}

void fuzz_reset(void)
{
	for (size_t i = 0; i < fuzz_ctx.errs.n; i++)
		free(fuzz_ctx.errs.v[i]);
	free(fuzz_ctx.errs.v);
	fuzz_ctx.errs.v = NULL;
	fuzz_ctx.errs.n = fuzz_ctx.errs.dropped = 0;
	memset(&fuzz_ctx.st, 0, sizeof fuzz_ctx.st);
}

char *fuzz_text(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = 0;
	return text;
}

const char *fuzz_path(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s%s", root, rel);
	return buf;
}

static void mkdirs(char *p)
{
	for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = 0;
		if (mkdir(p, 0755) && errno != EEXIST) {
			perror(p);
			abort();
		}
		*s = '/';
	}
}

void fuzz_write(const char *rel, const void *data, size_t size)
{
	char p[4096];
	fuzz_path(p, sizeof p, rel);
	mkdirs(p);
	/* a new file each time: truncating one with data makes ext4 (auto_da_alloc)
	 * flush it on close, milliseconds per input */
	unlink(p);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror(p);
		abort();
	}
	const char *d = data;
	while (size) {
		ssize_t n = write(fd, d, size);
		if (n <= 0) {
			perror(p);
			abort();
		}
		d += n;
		size -= (size_t)n;
	}
	close(fd);
}

void fuzz_write_str(const char *rel, const char *s)
{
	fuzz_write(rel, s, strlen(s));
}

void fuzz_unlink(const char *rel)
{
	char p[4096];
	unlink(fuzz_path(p, sizeof p, rel));
}

int fuzz_leaf_count(void *arg, const struct iv_leaf *l)
{
	struct fuzz_walk *w = arg;
	const char *bad = NULL;
	if (l->size < IV_PAGE_SIZE || (l->size & (l->size - 1)))
		bad = "page size not a power of two >= 4 KiB";
	else if (l->iova & (l->size - 1))
		bad = "IOVA not aligned to the page size";
	else if (w->n && l->iova < w->next)
		bad = "IOVAs not ascending (or overlapping)";
	else if (l->perm & ~3u)
		bad = "unknown permission bits";
	else if (l->npath < 0 || l->npath > 6)
		bad = "npath out of range";
	if (bad) {
		fprintf(stderr, "fuzz: leaf contract violated: %s (iova %#llx size %#llx perm %u, previous end %#llx)\n",
			bad, (unsigned long long)l->iova, (unsigned long long)l->size, l->perm,
			(unsigned long long)w->next);
		abort();
	}
	w->next = l->iova + l->size;
	if (w->next == 0)
		return 1;    /* the leaf ends at the top of the address space */
	return ++w->n >= FUZZ_MAX_LEAVES;
}

void fuzz_expect_error(int r, const char *what)
{
	if (r < 0 && fuzz_ctx.errs.n == 0 && fuzz_ctx.errs.dropped == 0) {
		fprintf(stderr, "fuzz: %s failed without reporting an error\n", what);
		abort();
	}
}

unsigned fuzz_lines(const char *text)
{
	unsigned n = 0;
	for (const char *l = text; *l; n++) {
		const char *e = strchr(l, '\n');
		if (!e)
			return n + 1;
		l = e + 1;
	}
	return n;
}
