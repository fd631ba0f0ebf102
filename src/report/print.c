/* SPDX-License-Identifier: GPL-2.0-or-later */
/* print.c - one print layer for text and JSON output (after iproute2's
 * json_print.c). JSON is written as it goes, so output of any size needs
 * constant memory; json-c escapes strings. */
#include "config.h"
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <json-c/json.h>
#include "iv.h"       /* iv_escape */
#include "print.h"

#define MAX_DEPTH 32

static struct {
	bool json, pretty;
	int depth;
	bool first[MAX_DEPTH];   /* no member written yet at this depth */
	char kind[MAX_DEPTH];    /* '{' or '[' */
	bool begun;
} P;

void print_init(bool json, bool pretty)
{
	memset(&P, 0, sizeof P);
	P.json = json || pretty;
	P.pretty = pretty;
}

bool print_is_json(void) { return P.json; }
bool print_begun(void) { return P.begun; }

static void indent(void)
{
	if (!P.pretty)
		return;
	fputc('\n', stdout);
	for (int i = 0; i < P.depth; i++)
		fputs("  ", stdout);
}

static void put_escaped(const char *s)
{
	json_object *o = json_object_new_string(s ? s : "");
	fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), stdout);
	json_object_put(o);
}

/* Separator and key before a value. */
static void member(const char *key)
{
	if (P.depth > 0) {
		if (!P.first[P.depth])
			fputc(',', stdout);
		P.first[P.depth] = false;
		indent();
	}
	if (key && P.depth > 0 && P.kind[P.depth] == '{') {
		put_escaped(key);
		fputs(P.pretty ? ": " : ":", stdout);
	}
}

static void push(char kind)
{
	fputc(kind, stdout);
	if (P.depth + 1 >= MAX_DEPTH) {
		fputs("iommu-verify: JSON nesting too deep\n", stderr);
		return;
	}
	P.depth++;
	P.first[P.depth] = true;
	P.kind[P.depth] = kind;
}

static void pop(void)
{
	if (P.depth == 0)
		return;
	char kind = P.kind[P.depth];
	bool empty = P.first[P.depth];
	P.depth--;
	if (!empty)
		indent();
	fputc(kind == '{' ? '}' : ']', stdout);
}

void print_begin(void)
{
	P.begun = true;
	if (P.json)
		push('{');
}

void print_top(void)
{
	if (!P.json)
		return;
	while (P.depth > 1)
		pop();
	if (P.depth == 0)
		push('{');
}

int print_end(void)
{
	if (P.json) {
		print_top();
		pop();
		fputc('\n', stdout);
	}
	return fflush(stdout) || ferror(stdout) ? -1 : 0;
}

void open_json_object(const char *key)
{
	if (!P.json)
		return;
	member(key);
	push('{');
}
void close_json_object(void) { if (P.json) pop(); }
void open_json_array(const char *key)
{
	if (!P.json)
		return;
	member(key);
	push('[');
}
void close_json_array(void) { if (P.json) pop(); }

void print_string(int t, const char *key, const char *fmt, const char *v)
{
	if (P.json) {
		if (t & PRINT_JSON) {
			member(key);
			put_escaped(v);
		}
	} else if ((t & PRINT_TEXT) && fmt) {
		char esc[4096];
		printf(fmt, iv_escape(esc, sizeof esc, v, NULL));   /* no forged lines or escapes */
	}
}

void print_u64(int t, const char *key, const char *fmt, uint64_t v)
{
	if (P.json) {
		if (t & PRINT_JSON) {
			member(key);
			printf("%" PRIu64, v);
		}
	} else if ((t & PRINT_TEXT) && fmt) {
		printf(fmt, v);
	}
}

void print_int(int t, const char *key, const char *fmt, long long v)
{
	if (P.json) {
		if (t & PRINT_JSON) {
			member(key);
			printf("%lld", v);
		}
	} else if ((t & PRINT_TEXT) && fmt) {
		printf(fmt, v);
	}
}

void print_hex(int t, const char *key, const char *fmt, uint64_t v)
{
	if (P.json) {
		if (t & PRINT_JSON) {
			member(key);
			printf("\"0x%" PRIx64 "\"", v);
		}
	} else if ((t & PRINT_TEXT) && fmt) {
		printf(fmt, v);
	}
}

void print_bool(int t, const char *key, const char *fmt, bool v)
{
	if (P.json) {
		if (t & PRINT_JSON) {
			member(key);
			fputs(v ? "true" : "false", stdout);
		}
	} else if ((t & PRINT_TEXT) && fmt) {
		printf(fmt, v ? "yes" : "no");
	}
}

void print_null(int t, const char *key, const char *fmt)
{
	if (P.json) {
		if (t & PRINT_JSON) {
			member(key);
			fputs("null", stdout);
		}
	} else if ((t & PRINT_TEXT) && fmt) {
		fputs(fmt, stdout);
	}
}

void print_float(int t, const char *key, const char *fmt, double v)
{
	if (P.json) {
		if (t & PRINT_JSON) {
			char num[64];
			member(key);
			if (!isfinite(v)) {
				fputs("null", stdout);    /* JSON has no NaN or infinity */
				return;
			}
			snprintf(num, sizeof num, "%.6g", v);
			/* always a float: "1.0", never "1" (schema: a number of seconds) */
			fputs(num, stdout);
			if (!strpbrk(num, ".eEn"))
				fputs(".0", stdout);
		}
	} else if ((t & PRINT_TEXT) && fmt) {
		printf(fmt, v);
	}
}

void print_text(const char *fmt, ...)
{
	if (P.json)
		return;
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}
