/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.c - errors, paths, numbers, small files, the streaming line reader. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "iv.h"


void iv_run_init(struct iv_run *run)
{
	memset(run, 0, sizeof *run);
	run->opt.root = "";
	run->opt.timeout = 0;      /* no time limit; QMP sessions 5 s (src/host/qmp.c) */
}

void iv_run_free(struct iv_run *run)
{
	for (size_t i = 0; i < run->errs.n; i++)
		free(run->errs.v[i]);
	free(run->errs.v);
	run->errs.v = NULL;
	run->errs.n = run->errs.dropped = 0;
}

char *iv_escape(char *dst, size_t len, const char *src, const char *also)
{
	static const char hex[] = "0123456789abcdef";
	size_t k = 0;
	if (!len)
		return dst;
	for (const unsigned char *p = (const unsigned char *)(src ? src : ""); *p; p++) {
		bool esc = *p < 0x20 || *p == 0x7f || (also && strchr(also, *p));
		if (esc) {
			if (k + 4 >= len)
				break;
			dst[k++] = '\\';
			dst[k++] = 'x';
			dst[k++] = hex[*p >> 4];
			dst[k++] = hex[*p & 15];
		} else {
			if (k + 1 >= len)
				break;
			dst[k++] = (char)*p;
		}
	}
	dst[k] = 0;
	return dst;
}

int iv_error(struct iv_run *run, const char *fmt, ...)
{
	char msg[1024], esc[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "iommu-verify: %s\n", iv_escape(esc, sizeof esc, msg, NULL));
	if (run) {
		struct iv_errs *e = &run->errs;
		if (e->n < IV_MAX_ERRORS) {
			e->v = iv_xrealloc(e->v, (e->n + 1) * sizeof *e->v);
			/* kept for the JSON "errors" array until exit (gcc -fanalyzer reports a leak: false) */
			e->v[e->n++] = iv_xstrdup(msg);
		} else {
			e->dropped++;
		}
	}
	return -1;
}

void iv_warn(const char *fmt, ...)
{
	char msg[1024], esc[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "iommu-verify: warning: %s\n", iv_escape(esc, sizeof esc, msg, NULL));
}

const char *iv_path(const struct iv_run *run, char *buf, size_t len, const char *fmt, ...)
{
	char rel[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rel, sizeof rel, fmt, ap);
	va_end(ap);
	snprintf(buf, len, "%s%s", (run && run->opt.root) ? run->opt.root : "", rel);
	return buf;
}

int iv_parse_hex(const char *s, uint64_t *out)
{
	char *end;
	if (!s || !*s)
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 16);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int iv_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!s || !*s)
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return iv_parse_hex(s, out);
	if (*s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

ssize_t iv_read_small(const char *path, char *buf, size_t len)
{
	return iv_read_small_at(AT_FDCWD, path, buf, len);
}

ssize_t iv_read_small_at(int dirfd, const char *path, char *buf, size_t len)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t n = 0;
	while (n + 1 < len) {
		ssize_t r = read(fd, buf + n, len - 1 - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = 0;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = 0;
	return (ssize_t)n;
}

static void oom(void)
{
	fputs("iommu-verify: out of memory\n", stderr);
	exit(IV_UNKNOWN);
}
void *iv_xmalloc(size_t n) { void *p = malloc(n ? n : 1); if (!p) oom(); return p; }
void *iv_xcalloc(size_t n, size_t sz) { void *p = calloc(n ? n : 1, sz ? sz : 1); if (!p) oom(); return p; }
void *iv_xrealloc(void *p, size_t n) { p = realloc(p, n ? n : 1); if (!p) oom(); return p; }
char *iv_xstrdup(const char *s) { char *p = strdup(s); if (!p) oom(); return p; }

double iv_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- streaming line reader ---- */
#define IV_LINES_BUF (1u << 20)   /* 1 MiB: the longest line accepted */

void iv_lines_from_fd(struct iv_run *run, struct iv_lines *l, int fd, const char *name)
{
	memset(l, 0, sizeof *l);
	l->run = run;
	l->fd = fd;
	l->name = name;
	l->cap = IV_LINES_BUF;
	l->buf = iv_xmalloc(l->cap + 1);
	l->crlf_strip = true;
}

int iv_lines_open(struct iv_run *run, struct iv_lines *l, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return iv_error(run, "%s: %s", path, strerror(errno));
	iv_lines_from_fd(run, l, fd, path);
	return 0;
}

int iv_lines_next(struct iv_lines *l, char **line, size_t *len)
{
	for (;;) {
		char *nl = memchr(l->buf + l->start, '\n', l->end - l->start);
		if (nl || (l->eof && l->end > l->start)) {
			char *s = l->buf + l->start;
			size_t n = nl ? (size_t)(nl - s) : l->end - l->start;
			l->start += n + (nl ? 1 : 0);
			s[n] = 0;
			if (l->crlf_strip && n && s[n - 1] == '\r')
				s[--n] = 0;
			l->lineno++;
			*line = s;
			if (len)
				*len = n;
			return 1;
		}
		if (l->eof)
			return 0;
		/* compact and refill */
		if (l->start) {
			memmove(l->buf, l->buf + l->start, l->end - l->start);
			l->end -= l->start;
			l->start = 0;
		}
		if (l->end == l->cap)
			return iv_error(l->run, "%s:%llu: line longer than %u bytes", l->name,
					(unsigned long long)l->lineno + 1, IV_LINES_BUF);
		ssize_t r = read(l->fd, l->buf + l->end, l->cap - l->end);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return iv_error(l->run, "%s:%llu: read error: %s", l->name,
					(unsigned long long)l->lineno + 1, strerror(errno));
		}
		if (r == 0)
			l->eof = true;
		else if (l->run)
			l->run->st.bytes_read += (uint64_t)r;
		l->end += (size_t)r;
	}
}

void iv_lines_close(struct iv_lines *l)
{
	if (l->fd >= 0)
		close(l->fd);
	free(l->buf);
	l->buf = NULL;
	l->fd = -1;
}
