/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gpamap.c - GPA -> HVA section maps: the --gpa-map JSON file, sorting and
 * lookup, and the HMP texts `info mtree -f` and `info ramblock`. */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <json-c/json.h>
#include "gpamap.h"

#define IV_GPAMAP_MAX 100000u      /* sections / ramblocks accepted from QEMU */
#define IV_GPAMAP_FILE_MAX 100000u  /* sections accepted from a --gpa-map file */

void iv_gpamap_free(struct iv_gpa_map *m)
{
	free(m->v);
	m->v = NULL;
	m->n = m->cap = 0;
}

static struct iv_gpa_section *gpamap_add(struct iv_gpa_map *m)
{
	if (m->n >= m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		m->v = iv_xrealloc(m->v, m->cap * sizeof *m->v);
	}
	struct iv_gpa_section *s = &m->v[m->n++];
	memset(s, 0, sizeof *s);
	return s;
}

static int cmp_sec(const void *a, const void *b)
{
	const struct iv_gpa_section *x = a, *y = b;
	return x->gpa < y->gpa ? -1 : x->gpa > y->gpa;
}

int iv_gpamap_finish(struct iv_run *run, struct iv_gpa_map *m, const char *origin)
{
	if (m->n > 1)
		qsort(m->v, m->n, sizeof *m->v, cmp_sec);
	for (size_t i = 1; i < m->n; i++) {
		const struct iv_gpa_section *a = &m->v[i - 1], *b = &m->v[i];
		if (b->gpa - a->gpa < a->size)   /* b->gpa >= a->gpa (sorted); no wrap at 2^64 */
			return iv_error(run, "%s: sections '%s' [%#llx-%#llx] and '%s' [%#llx-%#llx] overlap", origin,
					a->name, (unsigned long long)a->gpa, (unsigned long long)(a->gpa + a->size - 1),
					b->name, (unsigned long long)b->gpa, (unsigned long long)(b->gpa + b->size - 1));
	}
	return 0;
}

const struct iv_gpa_section *iv_gpamap_find(const struct iv_gpa_map *m, uint64_t gpa)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {   /* first section with gpa > addr */
		size_t mid = lo + (hi - lo) / 2;
		if (m->v[mid].gpa <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct iv_gpa_section *s = &m->v[lo - 1];
	return gpa - s->gpa < s->size ? s : NULL;
}

/* ---- --gpa-map FILE ----
 * Bounded: at most IV_GPAMAP_FILE_BYTES are read; a scanner walks the
 * array and hands json-c one element (one flat object) at a time, so the
 * memory is the file, the sections and one small json-c object, whatever the
 * file holds. It also checks what json-c would not: nesting (a section is a
 * flat object), at most GPAMAP_MAX_FIELDS members, integers within INT64_MAX.
 * Errors name FILE:LINE:COLUMN (syntax) or the element and its position. */
#define IV_GPAMAP_FILE_BYTES (4 << 20)
#define GPAMAP_MAX_FIELDS 16

struct jfile {
	const char *path, *buf;
	size_t n, pos, idx;
};

static void line_col(const struct jfile *j, size_t off, unsigned long *line, unsigned long *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && i < j->n; i++) {
		if (j->buf[i] == '\n') {
			++*line;
			*col = 1;
		} else {
			++*col;
		}
	}
}

/* "FILE:LINE:COLUMN: cannot read the GPA map: MSG" at offset off. Returns -1. */
static int jerr(struct iv_run *run, const struct jfile *j, size_t off, const char *msg, const char *arg)
{
	unsigned long l, c;
	line_col(j, off, &l, &c);
	return iv_error(run, "%s:%lu:%lu: cannot read the GPA map: %s%s", j->path, l, c, msg, arg ? arg : "");
}

static void skip_ws(struct jfile *j)
{
	while (j->pos < j->n && strchr(" \t\r\n", j->buf[j->pos]) && j->buf[j->pos])
		j->pos++;
}

static int json_u64(json_object *o, uint64_t *out)
{
	if (json_object_is_type(o, json_type_string))
		return iv_parse_u64(json_object_get_string(o), out);
	if (json_object_is_type(o, json_type_int) && json_object_get_int64(o) >= 0) {
		*out = (uint64_t)json_object_get_int64(o);
		return 0;
	}
	return -1;
}

static int set_type(struct iv_gpa_section *s, const char *t)
{
	if (!strcmp(t, "ram"))
		s->type = IV_SEC_RAM;
	else if (!strcmp(t, "rom"))
		s->type = IV_SEC_ROM;
	else if (!strcmp(t, "ramd"))
		s->type = IV_SEC_RAMD;
	else
		return -1;
	return 0;
}

/* element errors: "FILE: element N: what (line L, column C)" */
static int ferr(struct iv_run *run, const struct jfile *j, size_t at, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int ferr(struct iv_run *run, const struct jfile *j, size_t at, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	unsigned long l, c;
	line_col(j, at, &l, &c);
	return iv_error(run, "%s: element %zu: %s (line %lu, column %lu)", j->path, j->idx, msg, l, c);
}

static int file_field(struct iv_run *run, const struct jfile *j, size_t at, struct iv_gpa_section *s, const char *key,
		      json_object *val, bool *have_type)
{
	const char *str = json_object_get_string(val);
	if (!strcmp(key, "gpa") || !strcmp(key, "size") || !strcmp(key, "hva")) {
		uint64_t v;
		if (json_u64(val, &v))
			return ferr(run, j, at, "field '%s': '%.40s' is not a number (\"0x...\")", key, str);
		if (key[0] == 'g')
			s->gpa = v;
		else if (key[0] == 's')
			s->size = v;
		else {
			s->hva = v;
			s->have_hva = true;
		}
	} else if (!strcmp(key, "name")) {
		if (!json_object_is_type(val, json_type_string) || strlen(str) >= sizeof s->name)
			return ferr(run, j, at, "field 'name': not a string of at most %zu characters", sizeof s->name - 1);
		snprintf(s->name, sizeof s->name, "%s", str);
	} else if (!strcmp(key, "readonly")) {
		if (!json_object_is_type(val, json_type_boolean))
			return ferr(run, j, at, "field 'readonly': '%.40s' is not true or false", str);
		s->readonly = json_object_get_boolean(val);
	} else if (!strcmp(key, "type")) {
		if (!json_object_is_type(val, json_type_string) || set_type(s, str))
			return ferr(run, j, at, "field 'type': '%.40s' is not ram, rom or ramd", str);
		*have_type = true;
	} else {
		return ferr(run, j, at, "unknown field '%.60s'", key);
	}
	return 0;
}

static int file_element(struct iv_run *run, const struct jfile *j, size_t at, json_object *o, struct iv_gpa_section *s)
{
	bool have_type = false;
	if (!json_object_is_type(o, json_type_object))
		return ferr(run, j, at, "%s", "not an object");
	json_object_object_foreach(o, key, val) {
		if (file_field(run, j, at, s, key, val, &have_type))
			return -1;
	}
	json_object *x;
	if (!json_object_object_get_ex(o, "gpa", &x) || !json_object_object_get_ex(o, "size", &x))
		return ferr(run, j, at, "%s", "'gpa' and 'size' are required");
	if (s->size == 0 || s->gpa + s->size - 1 < s->gpa)
		return ferr(run, j, at, "size %#llx at gpa %#llx is empty or wraps", (unsigned long long)s->size,
			    (unsigned long long)s->gpa);
	if (!have_type)
		s->type = s->readonly ? IV_SEC_ROM : IV_SEC_RAM;
	if (s->type == IV_SEC_ROM)
		s->readonly = true;
	if (!s->have_hva && s->type != IV_SEC_RAMD)
		return ferr(run, j, at, "%s section '%s' has no 'hva' (only ramd sections may omit it)",
			    s->type == IV_SEC_ROM ? "rom" : "ram", s->name);
	if ((s->gpa | s->size | s->hva) & (IV_PAGE_SIZE - 1))
		return ferr(run, j, at, "gpa %#llx, size %#llx or hva %#llx is not a multiple of 4 KiB",
			    (unsigned long long)s->gpa, (unsigned long long)s->size, (unsigned long long)s->hva);
	if (s->have_hva && s->hva + (s->size - 1) < s->hva)
		return ferr(run, j, at, "hva %#llx + size %#llx wraps", (unsigned long long)s->hva,
			    (unsigned long long)s->size);
	return 0;
}

/* Integer literal at p (len bytes): > INT64_MAX (or < INT64_MIN) is refused, not clamped. */
static bool int_out_of_range(const char *p, size_t len)
{
	if (len && *p == '-') {
		p++;
		len--;
	}
	while (len > 1 && *p == '0') {
		p++;
		len--;
	}
	return len > 19 || (len == 19 && memcmp(p, "9223372036854775807", 19) > 0);
}

/* Scans one element from j->pos (a flat object): sets *end past it. 0 ok, -1 error. */
static int scan_element(struct iv_run *run, struct jfile *j, size_t *end)
{
	size_t p = j->pos, fields = 0;
	int depth = 0;
	if (j->buf[p] != '{')
		return ferr(run, j, p, "%s", "not an object");
	while (p < j->n) {
		char c = j->buf[p];
		if (c == '"') {
			size_t q = p + 1;
			while (q < j->n && j->buf[q] != '"')
				q += j->buf[q] == '\\' ? 2 : 1;
			if (q >= j->n)
				return jerr(run, j, p, "unterminated string", NULL);
			p = q + 1;
			continue;
		}
		if (c == '{' || c == '[') {
			if (++depth > 1)
				return ferr(run, j, p, "%s", "a nested object or array (a section's fields are numbers, strings or booleans)");
		} else if (c == '}' || c == ']') {
			if (--depth <= 0) {
				*end = p + 1;
				return 0;
			}
		} else if (c == ':' && ++fields > GPAMAP_MAX_FIELDS) {
			return ferr(run, j, p, "more than %d fields", GPAMAP_MAX_FIELDS);
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			size_t q = p + 1;
			while (q < j->n && strchr("0123456789", j->buf[q]) && j->buf[q])
				q++;
			bool integer = q >= j->n || !strchr(".eE", j->buf[q]) || !j->buf[q];
			if (integer && int_out_of_range(j->buf + p, q - p))
				return ferr(run, j, p, "integer %.*s out of range (above INT64_MAX; use a \"0x...\" string)",
					    (int)(q - p > 40 ? 40 : q - p), j->buf + p);
			p = q;
			continue;
		}
		p++;
	}
	return jerr(run, j, p, "not valid JSON: ", "unexpected end of data");
}

/* Parses the element [j->pos, end) with json-c. */
static int parse_element(struct iv_run *run, struct jfile *j, size_t end, struct iv_gpa_map *m)
{
	json_tokener *tok = json_tokener_new_ex(4);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	size_t len = end - j->pos;
	json_object *o = json_tokener_parse_ex(tok, j->buf + j->pos, (int)len);
	enum json_tokener_error je = json_tokener_get_error(tok);
	size_t stop = json_tokener_get_parse_end(tok);
	if (je == json_tokener_continue)
		je = json_tokener_error_parse_eof;
	json_tokener_free(tok);
	int rc;
	if (!o || je != json_tokener_success)
		rc = jerr(run, j, j->pos + (stop < len ? stop : len), "not valid JSON: ",
			  json_tokener_error_desc(je == json_tokener_success ? json_tokener_error_parse_unexpected : je));
	else if (m->n >= IV_GPAMAP_FILE_MAX)
		rc = ferr(run, j, j->pos, "more than %u sections", IV_GPAMAP_FILE_MAX);
	else
		rc = file_element(run, j, j->pos, o, gpamap_add(m));
	json_object_put(o);
	j->pos = end;
	return rc;
}

static int parse_file(struct iv_run *run, struct jfile *j, struct iv_gpa_map *m)
{
	skip_ws(j);
	if (j->pos >= j->n || j->buf[j->pos] != '[')
		return iv_error(run, "%s: the GPA map must be a JSON array of sections", j->path);
	j->pos++;
	for (j->idx = 0;; j->idx++) {
		skip_ws(j);
		if (j->pos >= j->n)
			return jerr(run, j, j->pos, "not valid JSON: ", "unexpected end of data");
		if (j->buf[j->pos] == ']' && j->idx == 0) {
			j->pos++;
			break;
		}
		size_t end = j->pos;
		if (scan_element(run, j, &end) || parse_element(run, j, end, m))
			return -1;
		skip_ws(j);
		if (j->pos < j->n && j->buf[j->pos] == ',') {
			j->pos++;
			continue;
		}
		if (j->pos < j->n && j->buf[j->pos] == ']') {
			j->pos++;
			break;
		}
		return jerr(run, j, j->pos, "not valid JSON: ", "expected ',' or ']' after an element");
	}
	skip_ws(j);
	if (j->pos < j->n)
		return jerr(run, j, j->pos, "not valid JSON: ", "data after the array");
	if (m->n == 0)
		return iv_error(run, "%s: the GPA map has no sections (nothing could be compared)", j->path);
	return 0;
}

/* Reads at most IV_GPAMAP_FILE_BYTES (works for pipes too). *len set; NULL on error. */
static char *read_bounded(struct iv_run *run, const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		iv_error(run, "%s: cannot read the GPA map: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		iv_error(run, "%s: cannot read the GPA map: it is a directory", path);
		return NULL;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		close(fd);
		iv_error(run, "%s: cannot read the GPA map: %s", path, strerror(errno));
		return NULL;
	}
	char *buf = iv_xmalloc(IV_GPAMAP_FILE_BYTES + 1);
	size_t n = 0;
	ssize_t r = 0;
	while (n <= IV_GPAMAP_FILE_BYTES &&
	       ((r = read(fd, buf + n, IV_GPAMAP_FILE_BYTES + 1 - n)) > 0 || (r < 0 && errno == EINTR)))
		if (r > 0)
			n += (size_t)r;
	int e = errno;
	close(fd);
	if (r < 0)
		iv_error(run, "%s: read error: %s", path, strerror(e));
	else if (n > IV_GPAMAP_FILE_BYTES)
		iv_error(run, "%s: the GPA map is larger than %d MiB (a VM has at most a few thousand sections)",
			 path, IV_GPAMAP_FILE_BYTES >> 20);
	if (r < 0 || n > IV_GPAMAP_FILE_BYTES) {
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

int iv_gpamap_from_file(struct iv_run *run, const char *path, struct iv_gpa_map *m)
{
	memset(m, 0, sizeof *m);
	snprintf(m->how, sizeof m->how, "file");
	size_t n;
	char *buf = read_bounded(run, path, &n);
	if (!buf)
		return -1;
	struct jfile j = { path, buf, n, 0, 0 };
	const char *nul = memchr(buf, 0, n);
	int rc = nul ? jerr(run, &j, (size_t)(nul - buf), "a NUL byte (not a text file)", NULL) : parse_file(run, &j, m);
	free(buf);
	if (rc == 0)
		rc = iv_gpamap_finish(run, m, path);
	if (rc)
		iv_gpamap_free(m);
	return rc;
}

/* ---- HMP texts: a line iterator over a string (CRLF tolerated) ---- */
struct text_lines {
	const char *p, *end;
	unsigned long lineno;
	char buf[1024];
};

/* 1 line in t->buf, 0 end, -1 error (line too long). */
static int text_next(struct iv_run *run, struct text_lines *t, const char *origin)
{
	if (t->p >= t->end)
		return 0;
	const char *nl = memchr(t->p, '\n', (size_t)(t->end - t->p));
	size_t n = nl ? (size_t)(nl - t->p) : (size_t)(t->end - t->p);
	t->lineno++;
	if (n && t->p[n - 1] == '\r')
		n--;
	if (n >= sizeof t->buf)
		return iv_error(run, "%s:%lu: line longer than %zu characters", origin, t->lineno, sizeof t->buf - 1);
	memcpy(t->buf, t->p, n);
	t->buf[n] = 0;
	t->p = nl ? nl + 1 : t->end;
	return 1;
}

/* Lines in text (at least 1, at most max). */
static size_t count_lines(const char *text, size_t max)
{
	size_t n = 1;
	for (const char *p = text; n < max && (p = strchr(p, '\n')); p++)
		n++;
	return n;
}

static void text_init(struct text_lines *t, const char *text)
{
	t->p = text;
	t->end = text + strlen(text);
	t->lineno = 0;
}

/* ---- info mtree -f ---- */
static bool is_accel(const char *w)
{
	static const char *const acc[] = { "kvm", "tcg", "hvf", "whpx", "nvmm", "xen", "qtest", "hax" };
	for (size_t i = 0; i < sizeof acc / sizeof acc[0]; i++)
		if (!strcasecmp(w, acc[i]))
			return true;
	return false;
}

/* Name part of a row: strip trailing accelerator words, then " @%016x". */
static void row_name(char *name, uint64_t *offset)
{
	char *sp;
	while ((sp = strrchr(name, ' ')) && is_accel(sp + 1))
		*sp = 0;
	*offset = 0;
	sp = strrchr(name, ' ');
	if (sp && sp[1] == '@' && strlen(sp + 2) == 16 && strspn(sp + 2, "0123456789abcdef") == 16) {
		*offset = strtoull(sp + 2, NULL, 16);
		*sp = 0;
	}
}

/* "  %016x-%016x (prio N, [nv-]TYPE): NAME[ @%016x][ ACCEL]". 1 kept, 0 skipped, -1 bad. */
static int mtree_row(const char *line, struct iv_gpa_section *s)
{
	char a[17], b[17], type[16];
	int prio, pos = 0;
	if (sscanf(line, "  %16[0-9a-f]-%16[0-9a-f] (prio %d, %15[^)]): %n", a, b, &prio, type, &pos) != 4 ||
	    !pos || strlen(a) != 16 || strlen(b) != 16)
		return -1;
	const char *t = strncmp(type, "nv-", 3) ? type : type + 3;
	uint64_t start = strtoull(a, NULL, 16), end = strtoull(b, NULL, 16);
	if (end < start)
		return -1;
	if (!strcmp(t, "i/o") || !strcmp(t, "romd"))
		return 0;
	if (set_type(s, t))
		return -1;
	char name[1024];   /* a longer name is cut here and then refused below (-Wformat-truncation: intended) */
	snprintf(name, sizeof name, "%s", line + pos);
	row_name(name, &s->offset);
	if (!*name || strlen(name) >= sizeof s->name || end - start == UINT64_MAX)
		return -1;
	snprintf(s->name, sizeof s->name, "%s", name);
	s->gpa = start;
	s->size = end - start + 1;
	s->readonly = s->type == IV_SEC_ROM;
	return 1;
}

static bool known_mtree_line(const char *l)
{
	return !*l || !strncmp(l, "FlatView #", 10) || !strncmp(l, " AS \"", 5) ||
	       !strncmp(l, " Root memory region: ", 21) || !strcmp(l, "  No rendered FlatView") ||
	       (!strncmp(l, "  ", 2) && isxdigit((unsigned char)l[2]));
}

struct mtree_state { bool in_memory, done, found; };

static int mtree_line(struct iv_run *run, const char *origin, struct text_lines *t, struct mtree_state *st, struct iv_gpa_map *m)
{
	const char *l = t->buf;
	if (!known_mtree_line(l))
		return iv_error(run, "%s:%lu: not an 'info mtree -f' line: '%.80s'", origin, t->lineno, l);
	if (!strncmp(l, "FlatView #", 10)) {
		st->done = st->in_memory;
		st->in_memory = false;
	} else if (!strncmp(l, " AS \"memory\",", 13)) {
		st->in_memory = st->found = true;
	} else if (st->in_memory && !strncmp(l, "  ", 2) && isxdigit((unsigned char)l[2])) {
		if (m->n >= IV_GPAMAP_MAX)
			return iv_error(run, "%s:%lu: more than %u sections", origin, t->lineno, IV_GPAMAP_MAX);
		struct iv_gpa_section *s = gpamap_add(m);
		int r = mtree_row(l, s);
		if (r < 0)
			return iv_error(run, "%s:%lu: cannot parse flatview row '%.80s'", origin, t->lineno, l);
		if (r == 0)
			m->n--;
	}
	return 0;
}

int iv_mtree_parse(struct iv_run *run, const char *text, const char *origin, struct iv_gpa_map *m)
{
	struct text_lines t;
	struct mtree_state st = { false, false, false };
	int r = 0;
	memset(m, 0, sizeof *m);
	text_init(&t, text);
	/* reserve for every line (at most IV_GPAMAP_MAX): no doubling of a large array */
	m->cap = count_lines(text, IV_GPAMAP_MAX);
	m->v = iv_xmalloc(m->cap * sizeof *m->v);
	while (!st.done && (r = text_next(run, &t, origin)) > 0) {
		if (mtree_line(run, origin, &t, &st, m)) {
			r = -1;
			break;
		}
	}
	if (r >= 0 && !st.found)
		r = iv_error(run, "%s: no FlatView for AS \"memory\" in 'info mtree -f'", origin);
	if (r >= 0)
		r = iv_gpamap_finish(run, m, origin);
	if (r < 0)
		iv_gpamap_free(m);
	return r < 0 ? -1 : 0;
}

/* ---- info ramblock ---- */
#define RB_MAXTOK 24

/* Splits on blanks; returns token count or -1 when more than RB_MAXTOK. */
static int tokens(char *s, char *tok[RB_MAXTOK])
{
	int n = 0;
	for (char *p = strtok(s, " \t"); p; p = strtok(NULL, " \t")) {
		if (n == RB_MAXTOK)
			return -1;
		tok[n++] = p;
	}
	return n;
}

/* Row: NAME... PSIZE UNIT OFFSET USED TOTAL [HVA ro|rw]. 0 ok, -1 bad. */
static int ramblock_row(char *line, bool with_hva, struct iv_ramblock *b)
{
	char copy[1024], *tok[RB_MAXTOK];
	snprintf(copy, sizeof copy, "%s", line);
	int n = tokens(copy, tok), tail = with_hva ? 7 : 5;
	if (n < tail)   /* the name may be empty (QEMU 7.2: a vfio-pci BAR's block) */
		return -1;
	memset(b, 0, sizeof *b);
	int h = n - tail + 2;   /* first hex column */
	if (iv_parse_hex(tok[h], &b->offset) || iv_parse_hex(tok[h + 1], &b->used) ||
	    iv_parse_hex(tok[h + 2], &b->total))
		return -1;
	if (with_hva) {
		if (iv_parse_hex(tok[h + 3], &b->hva) || (strcmp(tok[h + 4], "ro") && strcmp(tok[h + 4], "rw")))
			return -1;
		b->have_hva = true;
		b->readonly = !strcmp(tok[h + 4], "ro");
	}
	/* the name is everything before the PSize column (it may hold blanks) */
	const char *start = line + strspn(line, " ");
	size_t len = (size_t)(tok[n - tail] - copy) - (size_t)(start - line);
	while (len && start[len - 1] == ' ')
		len--;
	if (len >= sizeof b->name)
		return -1;
	memcpy(b->name, start, len);
	b->name[len] = 0;
	return 0;
}

int iv_ramblock_parse(struct iv_run *run, const char *text, const char *origin, struct iv_ramblock **out, size_t *n)
{
	struct text_lines t;
	struct iv_ramblock *v = NULL;
	size_t cnt = 0;
	bool header = false, with_hva = false;
	int r;
	text_init(&t, text);
	size_t cap = count_lines(text, IV_GPAMAP_MAX);   /* exact: no doubling of a large array */
	v = iv_xmalloc(cap * sizeof *v);
	while ((r = text_next(run, &t, origin)) > 0) {
		if (!t.buf[strspn(t.buf, " ")])
			continue;
		if (!header) {
			if (!strstr(t.buf, "Block Name") || !strstr(t.buf, "Offset")) {
				r = iv_error(run, "%s:%lu: not the 'info ramblock' header: '%.80s'", origin, t.lineno, t.buf);
				break;
			}
			header = true;
			with_hva = strstr(t.buf, " HVA") != NULL;
			continue;
		}
		if (cnt >= IV_GPAMAP_MAX) {
			r = iv_error(run, "%s:%lu: more than %u RAM blocks", origin, t.lineno, IV_GPAMAP_MAX);
			break;
		}
		if (cnt >= cap) {
			cap *= 2;
			v = iv_xrealloc(v, cap * sizeof *v);
		}
		if (ramblock_row(t.buf, with_hva, &v[cnt])) {
			r = iv_error(run, "%s:%lu: cannot parse RAM block row '%.80s'", origin, t.lineno, t.buf);
			break;
		}
		cnt++;
	}
	if (r == 0 && !header)
		r = iv_error(run, "%s: empty 'info ramblock' output", origin);
	if (r < 0) {
		free(v);
		return -1;
	}
	*out = v;
	*n = cnt;
	return 0;
}

/* Alias naming is bounded: m->v is sorted by gpa, so each alias visits only the
 * sections inside it (binary search), and all aliases together visit at most
 * ALIAS_BUDGET sections (a hostile tree of 100 k aliases over 100 k sections
 * would otherwise cost 10^10 steps); past it, names stay as they are. */
#define ALIAS_BUDGET 4000000u

/* "      00000000000e0000-00000000000fffff (prio 1, rom): alias isa-bios @pc.bios 0000000000020000-000000000003ffff" */
static void alias_line(const char *line, struct iv_gpa_map *m, size_t *budget)
{
	unsigned long long start, end;
	char type[16], name[96], target[96];
	if (sscanf(line, " %llx-%llx (prio %*d, %15[^)]): alias %95s @%95s", &start, &end, type, name, target) != 5)
		return;
	if (strcmp(type, "rom") || !strncmp(name, "pam-", 4))
		return;
	size_t lo = 0, hi = m->n;
	while (lo < hi) {   /* first section with gpa >= start */
		size_t mid = lo + (hi - lo) / 2;
		if (m->v[mid].gpa < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < m->n && m->v[i].gpa <= end && *budget; i++, --*budget) {
		struct iv_gpa_section *s = &m->v[i];
		if (s->type == IV_SEC_ROM && !strcmp(s->name, target) && s->gpa + s->size - 1 <= end)
			snprintf(s->name, sizeof s->name, "%s", name);
	}
}

int iv_mtree_alias_names(const char *text, struct iv_gpa_map *m)
{
	bool in_memory = false;
	size_t budget = ALIAS_BUDGET;
	const char *p = text;
	while (p && *p && budget) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char line[512];
		if (n < sizeof line) {
			memcpy(line, p, n);
			line[n] = 0;
			if (n && line[n - 1] == '\r')
				line[n - 1] = 0;
			if (!strncmp(line, "address-space: ", 15))
				in_memory = !strcmp(line + 15, "memory");
			else if (in_memory && strstr(line, "): alias "))
				alias_line(line, m, &budget);
		}
		p = nl ? nl + 1 : NULL;
	}
	if (!budget)
		iv_warn("info mtree: more than %u alias look-ups; the remaining sections keep their region names",
			ALIAS_BUDGET);
	return 0;
}
