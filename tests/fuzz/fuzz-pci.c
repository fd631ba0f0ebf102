/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-pci.c - HMP `info pci` text (what a guest's QEMU answers; a hostile
 * peer controls every byte) through iv_info_pci_parse, against a reference
 * parser of QEMU's format written here independently:
 *   "  Bus %2d, device %3d, function %d:"  (blanks, then decimal digits)
 *   "      id \"%s\""                     (the id: up to the last '"' of the line)
 * A line that starts with "  Bus " and is longer must be a device line, an id
 * line after a device must have its closing quote: else an error "info pci:LINE: ...".
 * Properties: the parser returns 0 with exactly the reference's devices (segment 0,
 * dev <= 31, fn <= 7, the id NUL-terminated, < 128 bytes, without a line end), or
 * -1 with one error naming "info pci:LINE:" (the reference's line, within the
 * input's line count) after the devices before it; never both. A callback that
 * stops after K devices gets exactly the first K.
 * Input: the text (a NUL-terminated copy: the API takes a C string). */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "iv.h"
#include "host.h"
#include "fuzz-common.h"

static struct iv_run *const run = &fuzz_ctx;

#define MAXDEV 4096
struct dev { struct iv_bdf b; char id[128]; };
struct seen { struct dev *v; size_t n, stop; };

static int collect(void *arg, const struct iv_bdf *b, const char *id)
{
	struct seen *s = arg;
	size_t len = strnlen(id, 128);
	if (b->seg || b->dev > 31 || b->fn > 7 || len >= 128 || strpbrk(id, "\r\n")) {
		fprintf(stderr, "fuzz-pci: device %02x:%02x.%x seg %x, id of %zu bytes\n", b->bus, b->dev, b->fn, b->seg, len);
		abort();
	}
	if (s->n < MAXDEV) {
		s->v[s->n].b = *b;
		memcpy(s->v[s->n].id, id, len + 1);
	}
	s->n++;
	return s->stop && s->n >= s->stop;
}

/* ---- the reference ---- */
/* blanks (at least one), then decimal digits: the value (saturated), -1 when absent or > max */
static long ref_num(const char **p, const char *e, unsigned max)
{
	const char *s = *p;
	if (s >= e || *s != ' ')
		return -1;
	while (s < e && *s == ' ')
		s++;
	if (s >= e || *s < '0' || *s > '9')
		return -1;
	unsigned long v = 0;
	for (; s < e && *s >= '0' && *s <= '9'; s++)
		v = v > 100000 ? v : v * 10 + (unsigned)(*s - '0');
	*p = s;
	return v > max ? -1 : (long)v;
}

static bool ref_lit(const char **p, const char *e, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(e - *p) < n || memcmp(*p, lit, n))
		return false;
	*p += n;
	return true;
}

/* 0 ok, else the line of the error; devices in *out */
static unsigned ref_parse(const char *text, struct seen *out)
{
	struct iv_bdf cur = { 0, 0, 0, 0 };
	bool have = false;
	unsigned line = 0;
	const char *l = text;
	while (*l) {
		const char *nl = strchr(l, '\n'), *end = nl ? nl : l + strlen(l), *e = l;
		while (e < end && *e != '\r')
			e++;
		size_t n = (size_t)(e - l);
		line++;
		if (n > 6 && !memcmp(l, "  Bus ", 6)) {
			const char *p = l + 5;
			long bus = ref_num(&p, e, 255), dev = -1, fn = -1;
			if (bus >= 0 && ref_lit(&p, e, ", device"))
				dev = ref_num(&p, e, 31);
			if (dev >= 0 && ref_lit(&p, e, ", function"))
				fn = ref_num(&p, e, 7);
			if (fn < 0 || !ref_lit(&p, e, ":") || p != e)
				return line;
			cur = (struct iv_bdf){ 0, (uint8_t)bus, (uint8_t)dev, (uint8_t)fn };
			have = true;
		} else if (have && n > 10 && !memcmp(l, "      id \"", 10)) {
			const char *q = NULL;
			for (const char *s = l + 10; s < e; s++)
				if (*s == '"')
					q = s;
			if (!q)
				return line;
			size_t len = (size_t)(q - (l + 10));
			char id[128];
			snprintf(id, sizeof id, "%.*s", (int)len, l + 10);
			have = false;
			collect(out, &cur, id);
		}
		if (!nl)
			break;
		l = nl + 1;
	}
	return 0;
}

static bool same(const struct seen *a, const struct seen *b, size_t n)
{
	for (size_t i = 0; i < n && i < MAXDEV; i++)
		if (!iv_bdf_eq(&a->v[i].b, &b->v[i].b) || strcmp(a->v[i].id, b->v[i].id))
			return false;
	return true;
}

static void fail(const char *what, const char *text, int r, unsigned ref_line, const struct seen *got,
		 const struct seen *want)
{
	fprintf(stderr, "fuzz-pci: %s: parser %d (%s), reference %s line %u; devices %zu, reference %zu\n", what, r,
		fuzz_ctx.errs.n ? fuzz_ctx.errs.v[0] : "no error", ref_line ? "error at" : "ok,", ref_line, got->n,
		want->n);
	fprintf(stderr, "fuzz-pci: input: '%.300s'\n", text);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	fuzz_reset();
	char *text = fuzz_text(data, size);
	static struct dev got_v[MAXDEV], want_v[MAXDEV];
	struct seen got = { got_v, 0, 0 }, want = { want_v, 0, 0 };
	unsigned ref_line = ref_parse(text, &want);
	int r = iv_info_pci_parse(run, text, collect, &got);
	fuzz_expect_error(r, "iv_info_pci_parse");
	if (r != 0 && r != -1)
		fail("returned neither 0 nor -1", text, r, ref_line, &got, &want);
	if (r == 0 && fuzz_ctx.errs.n)
		fail("returned 0 and reported an error", text, r, ref_line, &got, &want);
	if ((r == 0) != (ref_line == 0))
		fail("accepts what the reference rejects, or the reverse", text, r, ref_line, &got, &want);
	if (got.n != want.n || !same(&got, &want, got.n))
		fail("devices differ from the reference", text, r, ref_line, &got, &want);
	if (r) {
		unsigned line = 0;
		int k = 0;
		if (fuzz_ctx.errs.n != 1 || sscanf(fuzz_ctx.errs.v[0], "info pci:%u: %n", &line, &k) != 1 || !k ||
		    line != ref_line || line < 1 || line > fuzz_lines(text))
			fail("the error does not name the reference's line as \"info pci:LINE: \"", text, r, ref_line, &got,
			     &want);
	}
	fuzz_outcome(r == 0);
	/* a callback that stops early: exactly the first K devices, and 0 unless an error came first */
	if (want.n) {
		size_t stop = 1 + size % (want.n < 4 ? want.n : 4);
		struct seen part = { got_v, 0, stop };
		fuzz_reset();
		int r2 = iv_info_pci_parse(run, text, collect, &part);
		if (part.n != stop || !same(&part, &want, stop) || r2 != 0 || fuzz_ctx.errs.n)
			fail("a callback stopping early", text, r2, ref_line, &part, &want);
	}
	free(text);
	fuzz_reset();
	return 0;
}
