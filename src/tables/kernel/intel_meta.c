/* SPDX-License-Identifier: GPL-2.0-or-later */
/* intel_meta.c - VT-d units and context / PASID entries from debugfs
 * (iommu_regset, dmar_translation_struct; formats.md §1.2, §1.3, §2.3) with
 * /sys/class/iommu/dmarN/intel-iommu as a fallback for the units. */
#include "config.h"
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "intel.h"
#include "vtd_decode.h"
#include "sysfs.h"

#define PAGE_ADDR(v) ((v) & ~0xfffULL)

/* Hint mode (the *_hint entry points): a metadata file that cannot be opened
 * or parsed is not an error of the run; its first problem becomes the reason. */
static struct {
	bool on;
	char *why;
	size_t len;
} quiet;

static int meta_error(struct iv_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int meta_error(struct iv_run *run, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!quiet.on)
		return iv_error(run, "%s", msg);
	size_t used = quiet.len ? strlen(quiet.why) : 0;
	if (used + 1 < quiet.len)     /* every file's first problem, in order */
		snprintf(quiet.why + used, quiet.len - used, "%s%s", used ? "; " : "", msg);
	return -1;
}

/* iv_lines_open, reporting through meta_error. */
static int meta_open(struct iv_run *run, struct iv_lines *l, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return meta_error(run, "%s: %s", path, strerror(errno));
	iv_lines_from_fd(run, l, fd, path);
	return 0;
}

const char *iv_intel_path(struct iv_run *run, char *buf, size_t len, const char *fmt, ...)
{
	char rel[PATH_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rel, sizeof rel, fmt, ap);
	va_end(ap);
	snprintf(buf, len, "%s/iommu/intel%s%s", run->opt.debugfs, *rel ? "/" : "", rel);
	return buf;
}

/* ---- small parsing helpers ---- */

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* "0xA:0xB[:0xC]" -> n values (exactly n, all hex). */
static int parse_hexlist(char *s, int n, uint64_t *out)
{
	for (int i = 0; i < n; i++) {
		char *sep = strchr(s, ':');
		if ((i < n - 1) != (sep != NULL))
			return -1;
		if (sep)
			*sep = 0;
		if (iv_parse_hex(s, &out[i]))
			return -1;
		s = sep ? sep + 1 : s;
	}
	return 0;
}

/* Split s on tabs into at most max fields; returns the count. */
static int split_tabs(char *s, char **f, int max)
{
	int n = 0;
	for (;;) {
		if (n == max)
			return max + 1;
		f[n++] = s;
		char *t = strchr(s, '\t');
		if (!t)
			return n;
		*t = 0;
		s = t + 1;
	}
}

static void rstrip(char *s)
{
	size_t n = strlen(s);
	while (n && s[n - 1] == ' ')
		s[--n] = 0;
}

/* ---- decoding: the one VT-d decoder (walk/vtd_decode.h) ---- */

static void set_decoded(struct iv_intel_dev *d, const struct iv_vtd_entry *e)
{
	d->scalable = e->scalable;
	d->tt = e->kind == IV_VTD_TRANSLATE ? IV_TT_TRANSLATE : e->kind == IV_VTD_PASSTHROUGH ? IV_TT_PASSTHROUGH
										: IV_TT_OTHER;
	d->levels = e->levels;          /* reserved AW / FLPM: 0, unknown (reason kept) */
	d->depth_reason = e->levels ? NULL : e->reason;
	d->depth_reason_val = e->reason_val;
	d->first_level = e->first_level;
	d->pgd = e->pgd;
	d->domain_id = e->domain_id;
}

static void decode_legacy(struct iv_intel_dev *d)
{
	struct iv_vtd_entry e;
	iv_vtd_decode_context(d->ctx_lo, d->ctx_hi, &e);
	d->pasid = -1;
	set_decoded(d, &e);
}

static void decode_scalable(struct iv_intel_dev *d)
{
	struct iv_vtd_entry e;
	iv_vtd_decode_pasid(d->pasid_entry[0], d->pasid_entry[1], d->pasid_entry[2], &e);
	set_decoded(d, &e);
}

/* ---- dmar_translation_struct: a streaming parser with events ---- */

enum dmar_ev { EV_UNIT, EV_DISABLED, EV_ROW };
struct dmar_event {
	enum dmar_ev kind;
	const char *unit;
	uint64_t root;                 /* EV_UNIT */
	const struct iv_intel_dev *dev;  /* EV_ROW */
};
typedef int (*dmar_fn)(void *arg, const struct dmar_event *e);

struct dmar_state {
	struct iv_lines l;
	char unit[16];
	bool have_unit;
	uint64_t v420_root_hi, v420_root_lo;
	dmar_fn fn;
	void *arg;
};

static int dmar_bad(struct iv_run *run, struct dmar_state *s, const char *what)
{
	return meta_error(run, "%s:%llu: %s", s->l.name, (unsigned long long)s->l.lineno, what);
}

static int set_unit(struct iv_run *run, struct dmar_state *s, const char *name, size_t n)
{
	if (n == 0 || n >= sizeof s->unit)
		return dmar_bad(run, s, "bad IOMMU name in header");
	memcpy(s->unit, name, n);
	s->unit[n] = 0;
	s->have_unit = true;
	return 0;
}

/* "IOMMU dmar0: Root Table Address: 0x546000" (v5.3+) or
 * "IOMMU dmar2: Root Table Address:4362cc000" (v4.20-v5.2). */
static int dmar_header(struct iv_run *run, struct dmar_state *s, char *line)
{
	char *colon = strstr(line, ": Root Table Address:");
	uint64_t root;
	if (!colon)
		return dmar_bad(run, s, "unknown header line (expected 'IOMMU NAME: Root Table Address: 0x...')");
	char *a = colon + strlen(": Root Table Address:");
	if (*a == ' ')
		a++;
	if (iv_parse_hex(a, &root))
		return dmar_bad(run, s, "bad root table address");
	if (set_unit(run, s, line + 6, (size_t)(colon - (line + 6))))
		return -1;
	struct dmar_event e = { EV_UNIT, s->unit, root, NULL };
	return s->fn(s->arg, &e);
}

static int emit_row(struct iv_run *run, struct dmar_state *s, struct iv_intel_dev *d)
{
	if (!s->have_unit)
		return dmar_bad(run, s, "context entry before any 'IOMMU ...' header");
	snprintf(d->unit, sizeof d->unit, "%s", s->unit);
	struct dmar_event e = { EV_ROW, s->unit, 0, d };
	return s->fn(s->arg, &e);
}

/* v5.3+: BB:DD.F \t 0xhi:0xlo \t 0xhi:0xlo \t PASID \t 0xv2:0xv1:0xv0 */
static int dmar_row_v53(struct iv_run *run, struct dmar_state *s, char *line)
{
	char *f[6];
	struct iv_intel_dev d;
	uint64_t r[2], c[2], p[3];
	memset(&d, 0, sizeof d);
	if (split_tabs(line, f, 5) != 5 || iv_bdf_parse(f[0], &d.bdf) || parse_hexlist(f[1], 2, r) ||
	    parse_hexlist(f[2], 2, c) || parse_hexlist(f[4], 3, p))
		return dmar_bad(run, s, "malformed context entry row");
	rstrip(f[3]);
	char *end;
	long pasid = strtol(f[3], &end, 10);
	if (!*f[3] || *end || pasid < -1 || pasid > 0xfffff)
		return dmar_bad(run, s, "bad PASID column");
	d.root_hi = r[0]; d.root_lo = r[1];
	d.ctx_hi = c[0]; d.ctx_lo = c[1];
	d.pasid_entry[0] = p[2]; d.pasid_entry[1] = p[1]; d.pasid_entry[2] = p[0];
	if (pasid < 0) {
		decode_legacy(&d);
	} else {
		d.pasid = (int)pasid;
		decode_scalable(&d);
	}
	return emit_row(run, s, &d);
}

/* v4.20-v5.2: " Bus: %d H: %llx L: %llx" */
static int dmar_v420_root(struct iv_run *run, struct dmar_state *s, char *line)
{
	char *h = strstr(line, " H: "), *l = strstr(line, " L: ");
	if (!h || !l || l < h)
		return dmar_bad(run, s, "malformed root entry line");
	*l = 0;
	if (iv_parse_hex(h + 4, &s->v420_root_hi) || iv_parse_hex(l + 4, &s->v420_root_lo))
		return dmar_bad(run, s, "malformed root entry line");
	return 0;
}

/* v4.20-v5.2: "  %-5d\t%02x:%02x.%x\t%-6llx\t%llx" */
static int dmar_v420_row(struct iv_run *run, struct dmar_state *s, char *line)
{
	char *f[5];
	struct iv_intel_dev d;
	memset(&d, 0, sizeof d);
	if (split_tabs(line, f, 4) != 4 || iv_bdf_parse(f[1], &d.bdf))
		return dmar_bad(run, s, "malformed context entry row");
	rstrip(f[2]);
	if (iv_parse_hex(f[2], &d.ctx_hi) || iv_parse_hex(f[3], &d.ctx_lo))
		return dmar_bad(run, s, "malformed context entry row");
	d.root_hi = s->v420_root_hi;
	d.root_lo = s->v420_root_lo;
	decode_legacy(&d);
	return emit_row(run, s, &d);
}

static int dmar_line(struct iv_run *run, struct dmar_state *s, char *line)
{
	if (!*line || starts(line, "B.D.F\t") || starts(line, "Root Table Entries:") ||
	    starts(line, " Context Table Entries for Bus: ") || starts(line, "  Entry\t"))
		return 0;
	if (starts(line, "IOMMU "))
		return dmar_header(run, s, line);
	if (starts(line, "DMA Remapping is not enabled on ")) {
		const char *name = line + strlen("DMA Remapping is not enabled on ");
		struct dmar_event e = { EV_DISABLED, name, 0, NULL };
		return s->fn(s->arg, &e);
	}
	if (starts(line, " Bus: "))
		return dmar_v420_root(run, s, line);
	if (starts(line, "  "))
		return dmar_v420_row(run, s, line);
	if (isxdigit((unsigned char)line[0]) && isxdigit((unsigned char)line[1]) && line[2] == ':')
		return dmar_row_v53(run, s, line);
	return dmar_bad(run, s, "unknown line");
}

/* Stream dmar_translation_struct. Returns 1 if the file does not exist,
 * else the first non-zero callback result, 0 at the end, -1 on error. */
static int dmar_scan(struct iv_run *run, dmar_fn fn, void *arg)
{
	char p[PATH_MAX];
	struct dmar_state s;
	iv_intel_path(run, p, sizeof p, "dmar_translation_struct");
	if (access(p, F_OK) != 0)
		return 1;
	memset(&s, 0, sizeof s);
	if (meta_open(run, &s.l, p))
		return -1;
	s.fn = fn;
	s.arg = arg;
	char *line;
	int r;
	while ((r = iv_lines_next(&s.l, &line, NULL)) > 0) {
		r = dmar_line(run, &s, line);
		if (r)
			break;
	}
	iv_lines_close(&s.l);
	return r < 0 ? -1 : r;
}

/* ---- units ---- */

struct unit_set {
	struct iv_dmar_unit *v;
	size_t n;
};

static struct iv_dmar_unit *unit_get(struct unit_set *u, const char *name)
{
	for (size_t i = 0; i < u->n; i++)
		if (!strcmp(u->v[i].name, name))
			return &u->v[i];
	u->v = iv_xrealloc(u->v, (u->n + 1) * sizeof *u->v);
	struct iv_dmar_unit *x = &u->v[u->n++];
	memset(x, 0, sizeof *x);
	snprintf(x->name, sizeof x->name, "%s", name);
	return x;
}

static void regset_value(struct iv_dmar_unit *u, const char *reg, uint64_t v)
{
	if (!strcmp(reg, "CAP")) u->cap = v;
	else if (!strcmp(reg, "ECAP")) u->ecap = v;
	else if (!strcmp(reg, "GSTS")) u->gsts = v;
	else if (!strcmp(reg, "RTADDR")) u->rtaddr = v;
	else return;
	u->have_regs = true;
}

/* "NAME<spaces/tabs>0xOFF<tabs>0x%016llx" (formats.md §1.2 regex). */
static int regset_row(char *line, char *name, size_t nlen, uint64_t *val)
{
	size_t n = strcspn(line, " \t");
	if (n == 0 || n >= nlen)
		return -1;
	memcpy(name, line, n);
	name[n] = 0;
	char *p = line + n;
	p += strspn(p, " \t");
	if (p[0] != '0' || p[1] != 'x')
		return -1;
	size_t o = strspn(p + 2, "0123456789abcdef");
	if (o == 0)
		return -1;
	p += 2 + o;
	if (!strchr(" \t", *p) || !*p)
		return -1;
	p += strspn(p, " \t");
	if (strlen(p) != 18 || strspn(p + 2, "0123456789abcdef") != 16)
		return -1;
	return iv_parse_hex(p, val);
}

static int regset_line(struct iv_run *run, struct unit_set *u, struct iv_dmar_unit **cur, struct iv_lines *l, char *line)
{
	static const char hdr[] = "IOMMU: ", base[] = " Register Base Address: ";
	if (!*line || starts(line, "Name\t"))
		return 0;
	if (!strcmp(line, "IOMMU: Invalid base address")) {
		*cur = NULL;
		return 0;
	}
	if (starts(line, hdr)) {
		char *b = strstr(line, base);
		uint64_t a;
		if (!b || b == line + strlen(hdr) || (size_t)(b - line - strlen(hdr)) >= 16 ||
		    iv_parse_hex(b + strlen(base), &a))
			return meta_error(run, "%s:%llu: malformed unit header", l->name, (unsigned long long)l->lineno);
		*b = 0;
		*cur = unit_get(u, line + strlen(hdr));
		(*cur)->have_reg_base = true;
		(*cur)->reg_base = a;
		return 0;
	}
	char name[64];
	uint64_t v;
	if (regset_row(line, name, sizeof name, &v))
		return meta_error(run, "%s:%llu: unknown line in iommu_regset", l->name, (unsigned long long)l->lineno);
	if (!*cur)
		return meta_error(run, "%s:%llu: register row before any 'IOMMU: ...' header", l->name,
				(unsigned long long)l->lineno);
	regset_value(*cur, name, v);
	return 0;
}

static int read_regset(struct iv_run *run, struct unit_set *u)
{
	char p[PATH_MAX];
	struct iv_lines l;
	iv_intel_path(run, p, sizeof p, "iommu_regset");
	if (access(p, F_OK) != 0)
		return 0;
	if (meta_open(run, &l, p))
		return -1;
	struct iv_dmar_unit *cur = NULL;
	char *line;
	int r;
	while ((r = iv_lines_next(&l, &line, NULL)) > 0)
		if ((r = regset_line(run, u, &cur, &l, line)) < 0)
			break;
	iv_lines_close(&l);
	if (r < 0)
		return -1;
	for (size_t i = 0; i < u->n; i++) {
		struct iv_dmar_unit *x = &u->v[i];
		if (!x->have_regs)
			continue;
		x->have_root = true;
		x->root_table = PAGE_ADDR(x->rtaddr);
		x->scalable = ((x->rtaddr >> 10) & 3) == 1;
		x->have_enabled = true;
		x->enabled = (x->gsts >> 31) & 1;
	}
	return 0;
}

static int units_dmar_ev(void *arg, const struct dmar_event *e)
{
	struct unit_set *u = arg;
	struct iv_dmar_unit *x = unit_get(u, e->unit);
	switch (e->kind) {
	case EV_UNIT:
		if (!x->have_root) {
			x->have_root = true;
			x->root_table = e->root;
		}
		if (!x->have_enabled) {
			x->have_enabled = true;
			x->enabled = true;
		}
		break;
	case EV_DISABLED:
		x->have_enabled = true;
		x->enabled = false;
		break;
	case EV_ROW:
		if (e->dev->scalable)
			x->scalable = true;
		break;
	}
	return 0;
}

static void read_sysfs_unit(struct iv_run *run, struct unit_set *u, const char *name)
{
	char p[PATH_MAX], buf[64];
	uint64_t v;
	struct iv_dmar_unit *x = unit_get(u, name);
	if (!x->have_reg_base &&
	    iv_read_small(iv_path(run, p, sizeof p, "/sys/class/iommu/%s/intel-iommu/address", name), buf, sizeof buf) > 0 &&
	    !iv_parse_hex(buf, &v)) {
		x->have_reg_base = true;
		x->reg_base = v;
	}
	if (!x->have_regs &&
	    iv_read_small(iv_path(run, p, sizeof p, "/sys/class/iommu/%s/intel-iommu/cap", name), buf, sizeof buf) > 0 &&
	    !iv_parse_hex(buf, &v)) {
		x->cap = v;
		if (iv_read_small(iv_path(run, p, sizeof p, "/sys/class/iommu/%s/intel-iommu/ecap", name), buf, sizeof buf) > 0 &&
		    !iv_parse_hex(buf, &v))
			x->ecap = v;
	}
}

static void read_sysfs_units(struct iv_run *run, struct unit_set *u)
{
	char p[PATH_MAX];
	DIR *d = opendir(iv_path(run, p, sizeof p, "/sys/class/iommu"));
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)))
		if (starts(e->d_name, "dmar") && strlen(e->d_name) < 16)
			read_sysfs_unit(run, u, e->d_name);
	closedir(d);
}

static int cmp_unit(const void *a, const void *b)
{
	const struct iv_dmar_unit *x = a, *y = b;
	size_t lx = strlen(x->name), ly = strlen(y->name);
	if (lx != ly)
		return lx < ly ? -1 : 1;   /* dmar2 before dmar10 */
	return strcmp(x->name, y->name);
}

int iv_intel_units(struct iv_run *run, struct iv_dmar_unit **units, size_t *n)
{
	struct unit_set u = { NULL, 0 };
	if (read_regset(run, &u) < 0) {
		free(u.v);
		if (!quiet.on)
			return -1;
		u.v = NULL;           /* a hint: go on with dmar_translation_struct alone */
		u.n = 0;
	}
	if (dmar_scan(run, units_dmar_ev, &u) < 0) {
		free(u.v);
		return -1;
	}
	read_sysfs_units(run, &u);
	if (u.n)
		qsort(u.v, u.n, sizeof *u.v, cmp_unit);
	*units = u.v;
	*n = u.n;
	return 0;
}

/* ---- devices ---- */

struct dev_find {
	const struct iv_bdf *bdf;
	uint32_t pasid;
	const char *unit;   /* "" for any */
	struct iv_intel_dev *out;
};

static int find_dev_ev(void *arg, const struct dmar_event *e)
{
	struct dev_find *f = arg;
	if (e->kind != EV_ROW)
		return 0;
	const struct iv_intel_dev *d = e->dev;
	if (d->bdf.bus != f->bdf->bus || d->bdf.dev != f->bdf->dev || d->bdf.fn != f->bdf->fn)
		return 0;
	if (*f->unit && strcmp(f->unit, e->unit))
		return 0;
	if (d->pasid >= 0 ? (uint32_t)d->pasid != f->pasid : f->pasid != 0)
		return 0;
	*f->out = *d;
	f->out->bdf.seg = f->bdf->seg;
	return 1;
}

int iv_intel_device(struct iv_run *run, const struct iv_bdf *bdf, uint32_t pasid, struct iv_intel_dev *out)
{
	char unit[16];
	memset(out, 0, sizeof *out);
	iv_sysfs_iommu_of(run, bdf, unit, sizeof unit);
	struct dev_find f = { bdf, pasid, unit, out };
	int r = dmar_scan(run, find_dev_ev, &f);
	if (r < 0)
		return -1;
	return r == 1 && f.out->unit[0] ? 0 : 1;
}

struct dev_list {
	struct iv_intel_dev *v;
	size_t n;
};

static int list_dev_ev(void *arg, const struct dmar_event *e)
{
	struct dev_list *l = arg;
	if (e->kind != EV_ROW)
		return 0;
	for (size_t i = 0; i < l->n; i++)
		if (iv_bdf_eq(&l->v[i].bdf, &e->dev->bdf) && !strcmp(l->v[i].unit, e->dev->unit))
			return 0;   /* one entry per device (its first PASID row) */
	l->v = iv_xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n++] = *e->dev;
	return 0;
}

int iv_intel_devices(struct iv_run *run, struct iv_intel_dev **out, size_t *n)
{
	struct dev_list l = { NULL, 0 };
	int r = dmar_scan(run, list_dev_ev, &l);
	if (r < 0) {
		free(l.v);
		return -1;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

struct unit_find {
	const struct iv_bdf *bdf;
	char *unit;
	size_t len;
};

static int find_unit_ev(void *arg, const struct dmar_event *e)
{
	struct unit_find *f = arg;
	if (e->kind != EV_ROW || e->dev->bdf.bus != f->bdf->bus || e->dev->bdf.dev != f->bdf->dev ||
	    e->dev->bdf.fn != f->bdf->fn)
		return 0;
	snprintf(f->unit, f->len, "%s", e->unit);
	return 1;
}

int iv_intel_unit_of(struct iv_run *run, const struct iv_bdf *bdf, char *unit, size_t len)
{
	iv_sysfs_iommu_of(run, bdf, unit, len);
	if (*unit)
		return 0;
	struct unit_find f = { bdf, unit, len };
	bool was = quiet.on;
	quiet.on = true;              /* a hint: a malformed file only means "not found" */
	if (!was)
		quiet.len = 0;
	int r = dmar_scan(run, find_unit_ev, &f);
	quiet.on = was;
	return r == 1 && *unit ? 0 : 1;
}

/* ---- hint mode ---- */

static void quiet_begin(char *why, size_t whylen)
{
	quiet.on = true;
	quiet.why = why;
	quiet.len = whylen;
	if (whylen)
		why[0] = 0;
}

int iv_intel_units_hint(struct iv_run *run, struct iv_dmar_unit **units, size_t *n, char *why, size_t whylen)
{
	quiet_begin(why, whylen);
	int r = iv_intel_units(run, units, n);
	quiet.on = false;
	return r < 0 ? 1 : 0;
}

int iv_intel_device_hint(struct iv_run *run, const struct iv_bdf *bdf, uint32_t pasid, struct iv_intel_dev *out, char *why,
			 size_t whylen)
{
	quiet_begin(why, whylen);
	int r = iv_intel_device(run, bdf, pasid, out);
	quiet.on = false;
	return r < 0 ? 2 : r;
}

int iv_intel_devices_hint(struct iv_run *run, struct iv_intel_dev **out, size_t *n, char *why, size_t whylen)
{
	quiet_begin(why, whylen);
	int r = iv_intel_devices(run, out, n);
	quiet.on = false;
	return r < 0 ? 1 : 0;
}
