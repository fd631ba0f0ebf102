/* SPDX-License-Identifier: GPL-2.0-or-later */
/* src_debugfs.c - Intel VT-d page tables from debugfs domain_translation_struct
 * (formats.md §1.4), all eras:
 *   5.6-5.17  global file, "Device %s with pasid %d @0x%llx" (decimal pasid)
 *   5.18-6.6  global file, "Device %s @0x%llx"; zeros below a superpage; from
 *             6.0 only the first device of each IOMMU group is listed
 *   6.7+      intel/<BDF>/domain_translation_struct and
 *             intel/<BDF>/<pasid hex>/domain_translation_struct,
 *             "Device %04x:%02x:%02x.%x [with pasid %x ]@0x%llx"; rows end at the leaf.
 * Files are streamed (they can be gigabytes); rows are parsed by a hand-rolled
 * scanner for the fixed layout "0x%013lx |\t0x%016llx\t...". */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "source.h"
#include "intel.h"
#include "sysfs.h"
#include "vtd_decode.h"


/* Checkpoints: every cp_stride-th row of the first full walk (IOVA, byte
 * offset, line number), so that later walks of a narrow range (check's
 * re-read of its findings) start near lo instead of at the block start. */
struct dbg_cp { uint64_t iova; off_t off; uint64_t lineno; };
#define CP_MAX 16384          /* 384 KiB; the stride doubles when full */

/* The rows of the device's block, read once when the handle is opened (a
 * debugfs dump is built again by the kernel for every open and every seek
 * back): each walk replays them. A row is its IOVA PFN, the raw leaf entry
 * and the entries above it (shared by the rows of one last-level table). */
struct dbg_row { uint64_t pfn, e; uint32_t up; uint8_t k; };
#define CACHE_MAX (1u << 20)  /* rows (24 MiB; the default size gate lets ~600 k through); a larger block is read again by each walk */

struct dbg_cache {
	bool on;              /* the rows are cached (else each walk streams the file) */
	struct dbg_row *rows;
	size_t n, cap;
	uint64_t (*up)[4];    /* entries above the leaf, from the table's top */
	size_t nup, upcap;
	char *err;            /* the first bad line of the block ("FILE:LINE: what"), after rows[n-1] */
	bool err_first;       /* ... and it is the block's first row: the open fails */
};

struct dbg_handle {
	struct iv_run *run;   /* the run it was opened with */
	char path[PATH_MAX];
	struct iv_bdf bdf;    /* what was opened (for a refresh) */
	uint32_t pasid;
	bool per_device;
	struct dbg_cache c;
	off_t off;            /* byte offset of the block's "Device" header */
	uint64_t lineno;      /* its line number */
	int levels;
	bool first_level;
	struct dbg_cp *cp;
	size_t ncp;
	uint64_t cp_stride;
	bool cp_done;         /* recorded by a walk that started at the block start */
};

/* ---- the row scanner (hot path) ---- */


/* SWAR: 8 lowercase hex digits at p (most significant first) -> *out; false if any byte is not [0-9a-f]. */
static inline bool hex8(const char *p, uint64_t *out)
{
	const uint64_t L = 0x0101010101010101ULL, H = 0x8080808080808080ULL;
	uint64_t x;
	memcpy(&x, p, 8);
	uint64_t y = x | H;
	uint64_t ge30 = (y - 0x30 * L) & H, ge3a = (y - 0x3a * L) & H;
	uint64_t ge61 = (y - 0x61 * L) & H, ge67 = (y - 0x67 * L) & H;
	uint64_t digit = ge30 & ~ge3a, lower = ge61 & ~ge67;
	uint64_t v = (x & 0x0f0f0f0f0f0f0f0fULL) + 9 * (lower >> 7);
	v = ((v & 0x0f000f000f000f00ULL) >> 8) | ((v & 0x000f000f000f000fULL) << 4);
	v = ((v & 0x00ff000000ff0000ULL) >> 16) | ((v & 0x000000ff000000ffULL) << 8);
	v = ((v & 0x0000ffff00000000ULL) >> 32) | ((v & 0x000000000000ffffULL) << 16);
	*out = v;
	return (digit | lower) == H && !(x & H);
}

static inline bool hex16(const char *p, uint64_t *out)
{
	uint64_t hi, lo;
	bool ok = (unsigned)hex8(p, &hi) & (unsigned)hex8(p + 8, &lo);   /* both halves: no branch */
	*out = hi << 32 | lo;
	return ok;
}

struct row {
	uint64_t pfn;
	int nf;             /* entry columns: 3..5 */
	uint64_t e[5];      /* PML5E, PML4E, PDPE, PDE, PTE */
	/* the previous row's upper columns (all but the last), as text: rows of
	 * one last-level table repeat them, so they are decoded once per table */
	int prev_nf;
	char prev[19 * 4];
	bool upper_ok;      /* row_leaf checked the upper entries of this text (leaf in the last column) */
};

/* Strict parse of "0x%013lx |\t0x%016llx(\t0x%016llx){2,4}". */
static inline __attribute__((always_inline)) const char *parse_row(const char *s, size_t len, struct row *r)
{
	if (len < 17 + 19 * 3 || len > 17 + 19 * 5 || (len - 17) % 19)
		return "wrong number of columns (expected IOVA_PFN and 3 to 5 entries)";
	int nf = (int)((len - 17) / 19), first = 0;
	size_t up = 19 * (size_t)(nf - 1);
	uint64_t a, b;   /* 13 digits: 0-7 and (overlapping) 5-12, SWAR */
	if (s[0] != '0' || s[1] != 'x' || !((unsigned)hex8(s + 2, &a) & (unsigned)hex8(s + 7, &b)))
		return "bad IOVA_PFN (expected 0x and 13 hex digits)";
	r->pfn = a << 20 | (b & 0xfffff);
	if (s[15] != ' ' || s[16] != '|' || s[17] != '\t')
		return "bad separator after IOVA_PFN (expected ' |<tab>')";
	if (r->prev_nf == nf && !memcmp(s + 17, r->prev, up))
		first = nf - 1;             /* same text as the previous (valid) row: same values */
	else
		r->upper_ok = false;
	r->nf = nf;
	r->prev_nf = 0;
	for (int i = first; i < r->nf; i++) {
		const char *p = s + 18 + 19 * i;
		if (i && p[-1] != '\t')
			return "bad column separator (expected a tab)";
		if (p[0] != '0' || p[1] != 'x' || !hex16(p + 2, &r->e[i]))
			return "bad entry (expected 0x and 16 hex digits)";
	}
	memcpy(r->prev, s + 17, up);
	r->prev_nf = nf;
	return NULL;
}

/* Levels of the table from a row: the index of the first non-zero column. */
static int row_levels(const struct row *r)
{
	int f = 0;
	while (f < r->nf && !r->e[f])
		f++;
	return 5 - f;
}

/* Row -> leaf, each entry decoded by the one VT-d decoder (walk/vtd_decode.h).
 * The upper entries are checked once per run of rows with the same upper
 * text (r->upper_ok). Returns NULL or what is wrong. */
static inline const char *row_leaf(struct row *r, int levels, bool fl, struct iv_leaf *lf)
{
	if (levels < 3 || levels > 5)   /* e.g. from a reserved AW when open saw no rows */
		return "cannot tell the table depth (expected 3 to 5 levels)";
	int top = 5 - levels, k = r->nf - 1;
	while (k >= 0 && !r->e[k])
		k--;
	if (k < top)
		return "no entry below the table's top level";
	struct iv_pte d;
	enum iv_pte_err e;
	if (!r->upper_ok || k != r->nf - 1) {
		for (int i = 0; i < top; i++)
			if (r->e[i])
				return "non-zero entry above the table's top level";
		for (int i = top; i < k; i++) {
			if ((e = iv_vtd_pte_decode(r->e[i], 5 - i, fl, &d)) != IV_PTE_OK)
				return iv_pte_problem(e);
			if (d.kind == IV_PTE_NONE)
				return fl ? "entry along the walk is not present (bit 0 clear)"
					  : "entry along the walk is not present (bits 1:0 clear)";
			if (d.kind == IV_PTE_LEAF)
				return "superpage bit set on a non-leaf entry";
		}
		r->upper_ok = k == r->nf - 1;
	}
	int level = 5 - k;
	if ((e = iv_vtd_pte_decode(r->e[k], level, fl, &d)) != IV_PTE_OK)
		return iv_pte_problem(e);
	if (d.kind == IV_PTE_NONE)
		return fl ? "leaf entry is not present (bit 0 clear)" : "leaf entry is not present (bits 1:0 clear)";
	if (d.kind == IV_PTE_TABLE)
		return level > 3 ? "leaf above level 3" : "leaf at level 2/3 without the superpage bit 7";
	lf->level = level;
	lf->size = d.size;
	lf->iova = r->pfn << IV_PAGE_SHIFT;
	if (lf->iova & (lf->size - 1))
		return "IOVA_PFN not aligned to the leaf's page size";
	lf->phys = d.addr;
	lf->perm = d.perm;
	lf->npath = k - top + 1;
	for (int i = 0; i < lf->npath; i++)
		lf->path[i] = r->e[top + i];
	return NULL;
}

/* ---- headers and other lines ---- */

struct hdr {
	struct iv_bdf bdf;
	bool bdf_ok, has_pasid;
	uint32_t pasid;
	uint64_t root;
};

/* "Device NAME @0xROOT" or "Device NAME with pasid P @0xROOT". */
static int parse_header(const char *line, bool pasid_hex, struct hdr *h)
{
	char name[64];
	const char *p = line + 7, *sp = strchr(p, ' ');
	memset(h, 0, sizeof h[0]);
	if (!sp || sp == p || (size_t)(sp - p) >= sizeof name)
		return -1;
	memcpy(name, p, (size_t)(sp - p));
	name[sp - p] = 0;
	h->bdf_ok = iv_bdf_parse(name, &h->bdf) == 0;
	p = sp + 1;
	if (!strncmp(p, "with pasid ", 11)) {
		char *end;
		p += 11;
		if (!(pasid_hex ? strchr("0123456789abcdef", *p) : strchr("0123456789", *p)) || !*p)
			return -1;
		errno = 0;
		unsigned long v = strtoul(p, &end, pasid_hex ? 16 : 10);
		if (errno || *end != ' ' || v > 0xfffff)
			return -1;
		h->has_pasid = true;
		h->pasid = (uint32_t)v;
		p = end + 1;
	}
	if (p[0] != '@' || p[1] != '0' || p[2] != 'x' || iv_parse_hex(p + 1, &h->root))
		return -1;
	return 0;
}

enum line_kind { L_SKIP, L_ROW, L_DEVICE, L_BAD };

static enum line_kind classify(const char *s)
{
	if (s[0] == '0' && s[1] == 'x')
		return L_ROW;
	if (!s[0] || !strncmp(s, "IOVA_PFN", 8) || !strncmp(s, "DMA Remapping is not enabled on ", 32))
		return L_SKIP;
	if (!strncmp(s, "Device ", 7))
		return L_DEVICE;
	return L_BAD;
}

static int bad_line(const struct iv_lines *l, const char *what)
{
	return iv_error(l->run, "%s:%llu: %s", l->name, (unsigned long long)l->lineno, what);
}

/* ---- finding the device's block ---- */

struct want {
	struct iv_bdf bdf;
	uint32_t pasid;
	bool per_device;        /* 6.7+ file: pasid in hex, one block for this device */
	struct iv_bdf *group;   /* other members of the device's IOMMU group */
	int ngroup;
};

struct found {
	uint64_t nlines;        /* lines in the file (0: the kernel printed nothing) */
	bool any, exact;
	off_t off;
	uint64_t lineno;
	struct hdr h;
};

static bool in_group(const struct want *w, const struct iv_bdf *b)
{
	for (int i = 0; i < w->ngroup; i++)
		if (iv_bdf_eq(&w->group[i], b))
			return true;
	return false;
}

/* One "Device" header line. Returns 1 for the device's own block (stop
 * scanning after it), 2 for a block of another member of its IOMMU group
 * (kept unless the device's own follows), 0 for another block, -1 error. */
static int scan_header(struct iv_lines *l, char *line, const struct want *w, struct found *f)
{
	struct hdr h;
	if (parse_header(line, w->per_device, &h))
		return bad_line(l, "malformed 'Device' header");
	uint32_t hp = h.has_pasid ? h.pasid : 0;
	if (w->per_device) {
		char b[16];
		if (!h.bdf_ok || !iv_bdf_eq(&h.bdf, &w->bdf) || hp != w->pasid)
			return iv_error(l->run, "%s:%llu: header is not for device %s pasid %x", l->name,
					(unsigned long long)l->lineno, iv_bdf_str(&w->bdf, b), w->pasid);
	} else if (!h.bdf_ok || hp != w->pasid) {
		return 0;
	}
	bool exact = iv_bdf_eq(&h.bdf, &w->bdf);
	if (!exact && (f->any || !in_group(w, &h.bdf)))
		return 0;
	off_t pos = lseek(l->fd, 0, SEEK_CUR);
	if (pos < 0)
		return iv_error(l->run, "%s: %s", l->name, strerror(errno));
	f->any = true;
	f->exact = exact;
	f->off = pos - (off_t)l->end + (off_t)(line - l->buf);
	f->lineno = l->lineno;
	f->h = h;
	return exact ? 1 : 2;
}

/* ---- the one read: find the block, cache its rows ---- */

static void cache_reset(struct dbg_cache *c)
{
	c->on = true;
	c->n = c->nup = 0;
	free(c->err);
	c->err = NULL;
	c->err_first = false;
}

static void cache_free(struct dbg_cache *c)
{
	free(c->rows);
	free(c->up);
	free(c->err);
	memset(c, 0, sizeof *c);
}

/* A bad line of the block: kept, and reported by the walk that reaches it
 * (by the open when it is the block's first row). */
static void cache_error(struct dbg_cache *c, const struct iv_lines *l, const char *what, bool first)
{
	char m[PATH_MAX + 256];
	snprintf(m, sizeof m, "%s:%llu: %s", l->name, (unsigned long long)l->lineno, what);
	c->err = iv_xstrdup(m);
	c->err_first = first;
}

struct blockread {
	struct row row;
	struct iv_leaf lf;
	uint64_t next;        /* lowest IOVA the next row may start at */
	bool any;             /* a row of the block was read */
	bool done;            /* the block's rows are over (error, cap): skip the rest */
};

static const char *cache_row(struct dbg_handle *h, struct blockread *br, const char *line, size_t len, bool *first)
{
	struct dbg_cache *c = &h->c;
	*first = !br->any;
	const char *err = parse_row(line, len, &br->row);
	if (err)
		return err;
	if (!br->any) {
		int lv = row_levels(&br->row);
		if (lv < 3 || lv > 5)
			return "cannot tell the table depth (expected 3 to 5 levels)";
		h->levels = lv;
	}
	*first = false;
	bool same_upper = br->row.upper_ok;
	if ((err = row_leaf(&br->row, h->levels, h->first_level, &br->lf)))
		return err;
	if (br->any && br->lf.iova < br->next)
		return "rows not in ascending IOVA order (or overlapping)";
	br->any = true;
	br->next = br->lf.iova + br->lf.size;
	if (!c->on)
		return NULL;
	if (c->n == CACHE_MAX) {     /* too large to keep: walks stream the file */
		c->on = false;
		free(c->rows);
		free(c->up);
		c->rows = NULL;
		c->up = NULL;
		c->n = c->cap = c->nup = c->upcap = 0;
		br->done = true;
		return NULL;
	}
	int top = 5 - h->levels, k = top + br->lf.npath - 1;
	uint64_t u[4] = { 0, 0, 0, 0 };
	for (int i = 0; i < k - top; i++)
		u[i] = br->row.e[top + i];
	if (!c->nup || !same_upper || memcmp(c->up[c->nup - 1], u, sizeof u)) {
		if (c->nup == c->upcap)
			c->up = iv_xrealloc(c->up, (c->upcap = c->upcap ? c->upcap * 2 : 64) * sizeof *c->up);
		memcpy(c->up[c->nup++], u, sizeof u);
	}
	if (c->n == c->cap)
		c->rows = iv_xrealloc(c->rows, (c->cap = c->cap ? c->cap * 2 : 1024) * sizeof *c->rows);
	c->rows[c->n++] = (struct dbg_row){ br->row.pfn, br->row.e[k], (uint32_t)(c->nup - 1), (uint8_t)k };
	return NULL;
}

/* Read a domain_translation_struct once: validate every line that is not a
 * table row, find the device's block (or the first of its IOMMU group's) and
 * cache its rows (h->c). Returns 0 (f filled if found) or -1. */
static int read_file(struct dbg_handle *h, const struct want *w, struct found *f)
{
	struct iv_lines l;
	struct blockread br;
	memset(f, 0, sizeof *f);
	memset(&br, 0, sizeof br);
	if (iv_lines_open(h->run, &l, h->path))
		return -1;
	bool seen = false, inblk = false;
	char *line;
	size_t len;
	int r;
	h->c.on = true;
	while ((r = iv_lines_next(&l, &line, &len)) > 0) {
		enum line_kind k = classify(line);
		if (k == L_ROW && !seen)
			r = bad_line(&l, "table row before any 'Device' header");
		else if (k == L_ROW && inblk && !br.done) {
			bool first;
			const char *err = cache_row(h, &br, line, len, &first);
			if (err) {
				cache_error(&h->c, &l, err, first);
				br.done = true;
			}
			if (br.done && f->exact)
				break;      /* the rest of the file is not the device's */
			continue;
		} else if (k == L_BAD && inblk && f->exact && !br.done) {
			cache_error(&h->c, &l, "unknown line (not a 'Device' header, table row or IOVA_PFN header)", false);
			break;
		} else if (k == L_BAD)
			r = bad_line(&l, "unknown line (not a 'Device' header, table row or IOVA_PFN header)");
		else if (k == L_DEVICE) {
			if (inblk && f->exact)
				break;      /* the end of the device's block */
			seen = true;
			r = scan_header(&l, line, w, f);
			if (r > 0) {    /* a new candidate block */
				inblk = true;
				cache_reset(&h->c);
				memset(&br, 0, sizeof br);
				r = 0;
			} else if (r == 0)
				inblk = false;
		} else
			continue;
		if (r)
			break;
	}
	f->nlines = l.lineno;
	iv_lines_close(&l);
	if (r < 0)
		return -1;
	if (h->c.err && h->c.err_first) {
		iv_error(h->run, "%s", h->c.err);
		return -1;
	}
	if (!br.any)
		h->levels = 0;
	return 0;
}

/* ---- streaming one block ---- */

struct block {
	struct iv_lines l;
	bool open;
};

static int block_open(struct block *b, const struct dbg_handle *h)
{
	int fd = open(h->path, O_RDONLY | O_CLOEXEC);
	b->open = false;
	if (fd < 0)
		return iv_error(h->run, "%s: %s", h->path, strerror(errno));
	if (lseek(fd, h->off, SEEK_SET) != h->off) {
		close(fd);
		return iv_error(h->run, "%s: cannot seek: %s", h->path, strerror(errno));
	}
	iv_lines_from_fd(h->run, &b->l, fd, h->path);
	b->l.lineno = h->lineno - 1;
	b->open = true;
	char *line;
	int r = iv_lines_next(&b->l, &line, NULL);
	if (r <= 0 || classify(line) != L_DEVICE) {
		iv_lines_close(&b->l);
		b->open = false;
		return r < 0 ? -1 : iv_error(h->run, "%s:%llu: file changed: 'Device' header expected", h->path,
					     (unsigned long long)h->lineno);
	}
	return 0;
}

/* Open at a checkpoint: its line must still be a row at its IOVA (the file
 * may have changed: then 1, and the caller walks from the block start). */
static int block_open_at(struct block *b, const struct dbg_handle *h, const struct dbg_cp *c, char **line,
			 size_t *len)
{
	int fd = open(h->path, O_RDONLY | O_CLOEXEC);
	b->open = false;
	if (fd < 0)
		return iv_error(h->run, "%s: %s", h->path, strerror(errno));
	if (lseek(fd, c->off, SEEK_SET) != c->off) {
		close(fd);
		return 1;
	}
	iv_lines_from_fd(h->run, &b->l, fd, h->path);
	b->l.lineno = c->lineno - 1;
	b->open = true;
	int r = iv_lines_next(&b->l, line, len);
	uint64_t a, x;
	if (r <= 0 || *len < 17 || classify(*line) != L_ROW || !((unsigned)hex8(*line + 2, &a) & (unsigned)hex8(*line + 7, &x)) ||
	    (a << 20 | (x & 0xfffff)) != c->iova >> IV_PAGE_SHIFT) {
		iv_lines_close(&b->l);
		b->open = false;
		return r < 0 ? -1 : 1;
	}
	return 0;
}

static void cp_add(struct dbg_handle *h, const struct iv_lines *l, const char *line, uint64_t iova)
{
	off_t pos = lseek(l->fd, 0, SEEK_CUR);
	if (pos < 0)
		return;
	if (h->ncp == CP_MAX) {      /* keep every other one */
		for (size_t i = 0; i < CP_MAX / 2; i++)
			h->cp[i] = h->cp[2 * i + 1];
		h->ncp = CP_MAX / 2;
		h->cp_stride *= 2;
	}
	if (!h->cp)
		h->cp = iv_xmalloc(CP_MAX * sizeof *h->cp);
	h->cp[h->ncp++] = (struct dbg_cp){ iova, pos - (off_t)l->end + (off_t)(line - l->buf), l->lineno };
}

/* The last checkpoint at or below lo, or NULL. */
static const struct dbg_cp *cp_find(const struct dbg_handle *h, uint64_t lo)
{
	if (!h->cp_done || !h->ncp || h->cp[0].iova > lo)
		return NULL;
	size_t a = 0, z = h->ncp;
	while (z - a > 1) {
		size_t m = a + (z - a) / 2;
		if (h->cp[m].iova <= lo)
			a = m;
		else
			z = m;
	}
	return &h->cp[a];
}

/* Next row of the block: 1 row, 0 end of block, -1 error. */
static int block_row_at(struct block *b, struct row *row, char **linep)
{
	char *line;
	size_t len;
	int r;
	while ((r = iv_lines_next(&b->l, &line, &len)) > 0) {
		enum line_kind k = classify(line);
		if (k == L_ROW) {
			const char *err = parse_row(line, len, row);
			if (err)
				return bad_line(&b->l, err);
			*linep = line;
			return 1;
		}
		if (k == L_DEVICE)
			return 0;
		if (k == L_BAD)
			return bad_line(&b->l, "unknown line (not a 'Device' header, table row or IOVA_PFN header)");
	}
	return r;
}


/* A walk over the cached rows: the same leaves, stops and errors as a walk
 * of the file. */
static int cache_walk(struct dbg_handle *h, uint64_t lo, uint64_t hi, iv_leaf_fn fn, void *arg)
{
	const struct dbg_cache *c = &h->c;
	int top = 5 - h->levels, r = 0;
	size_t a = 0, z = c->n;
	while (z - a > 1) {     /* the last row at or below lo (rows ascend) */
		size_t m = a + (z - a) / 2;
		if (c->rows[m].pfn <= lo >> IV_PAGE_SHIFT)
			a = m;
		else
			z = m;
	}
	for (size_t i = a; i < c->n; i++) {
		const struct dbg_row *w = &c->rows[i];
		struct iv_leaf lf;
		struct iv_pte d = { .kind = IV_PTE_NONE };
		int level = 5 - w->k;
		iv_vtd_pte_decode(w->e, level, h->first_level, &d);   /* checked when read */
		lf.level = level;
		lf.size = d.size;
		lf.iova = w->pfn << IV_PAGE_SHIFT;
		lf.phys = d.addr;
		lf.perm = d.perm;
		lf.npath = w->k - top + 1;
		memcpy(lf.path, c->up[w->up], sizeof c->up[0]);
		lf.path[lf.npath - 1] = w->e;
		h->run->st.leaves++;
		if (lf.iova > hi)
			return 0;
		if (lf.iova + lf.size - 1 < lo)
			continue;
		if ((r = fn(arg, &lf)) != 0)
			return r < 0 ? -1 : 0;
	}
	return c->err ? iv_error(h->run, "%s", c->err) : 0;
}

static int dbg_walk(void *hp, uint64_t lo, uint64_t hi, iv_leaf_fn fn, void *arg)
{
	struct dbg_handle *h = hp;
	if (h->c.on)
		return cache_walk(h, lo, hi, fn, arg);
	struct block b;
	struct row row = { .prev_nf = 0 };
	struct iv_leaf lf;
	uint64_t next = 0;   /* lowest IOVA the next row may start at */
	uint64_t nrows = 0;
	bool any = false, pending = false, record;
	int r;
	const struct dbg_cp *c = cp_find(h, lo);
	char *line = NULL;
	size_t len = 0;
	r = c ? block_open_at(&b, h, c, &line, &len) : 1;
	if (r < 0)
		return -1;
	if (r == 0) {
		pending = true;      /* the checkpoint's row is already read */
		record = false;
	} else {
		if (block_open(&b, h))
			return -1;
		record = !h->cp_done;
		if (record) {
			h->ncp = 0;
			h->cp_stride = 4096;
		}
	}
	for (;;) {
		if (pending) {
			const char *err = parse_row(line, len, &row);
			pending = false;
			r = err ? bad_line(&b.l, err) : 1;
		} else {
			r = block_row_at(&b, &row, &line);
		}
		if (r <= 0)
			break;
		const char *err = row_leaf(&row, h->levels, h->first_level, &lf);
		if (!err && any && lf.iova < next)
			err = "rows not in ascending IOVA order (or overlapping)";
		if (err) {
			r = bad_line(&b.l, err);
			break;
		}
		if (record && nrows++ % h->cp_stride == 0)
			cp_add(h, &b.l, line, lf.iova);
		h->run->st.leaves++;
		any = true;
		next = lf.iova + lf.size;
		if (lf.iova > hi)
			break;
		if (lf.iova + lf.size - 1 < lo)
			continue;
		if ((r = fn(arg, &lf)) != 0)
			break;
	}
	if (record && r == 0)
		h->cp_done = true;
	iv_lines_close(&b.l);
	return r < 0 ? -1 : 0;
}

/* ---- open ---- */

static bool exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* What the context / PASID entry says. Returns 1 (with why) when there is no table. */
static int from_context(const struct iv_intel_dev *d, struct iv_table *t, char *why, size_t whylen)
{
	t->mode = d->scalable ? IV_MODE_SCALABLE : IV_MODE_LEGACY;
	t->first_level = d->first_level;
	t->levels = d->levels;
	t->root = d->pgd;
	if (d->tt == IV_TT_PASSTHROUGH) {
		t->passthrough = true;
		snprintf(why, whylen, "pass-through (identity) domain: no page table");
		return 1;
	}
	if (d->tt != IV_TT_TRANSLATE) {
		snprintf(why, whylen, "%s entry type %u: no second- or first-level page table",
			 d->scalable ? "PASID" : "context",
			 d->scalable ? (unsigned)(d->pasid_entry[0] >> 6) & 7 : (unsigned)(d->ctx_lo >> 2) & 3);
		return 1;
	}
	return 0;
}

/* Pick the per-device file, else the global one. 0 found, 1 none. */
static int table_file(struct iv_run *run, const struct iv_bdf *bdf, uint32_t pasid, char *path, size_t len,
		      bool *per_device)
{
	char b[16];
	iv_bdf_str(bdf, b);
	if (pasid)
		iv_intel_path(run, path, len, "%s/%x/domain_translation_struct", b, pasid);
	else
		iv_intel_path(run, path, len, "%s/domain_translation_struct", b);
	*per_device = true;
	if (exists(path))
		return 0;
	*per_device = false;
	iv_intel_path(run, path, len, "domain_translation_struct");
	return exists(path) ? 0 : 1;
}

static int find_block(struct dbg_handle *h, const struct iv_bdf *bdf, uint32_t pasid, bool per_device,
		      struct found *f)
{
	struct want w = { *bdf, pasid, per_device, NULL, 0 };
	if (!per_device) {
		int g = iv_sysfs_group_of(h->run, bdf);
		w.ngroup = g >= 0 ? iv_sysfs_group_devices(h->run, g, &w.group) : 0;
		if (w.ngroup < 0)
			w.ngroup = 0;
	}
	int r = read_file(h, &w, f);
	free(w.group);
	h->off = f->off;
	h->lineno = f->lineno;
	return r;
}

static void dbg_close(void *hp);

/* gated (auto): the dump is opened only when iv_dump_gate lets it (dumpgate.c). */
static int dbg_open_ex(struct iv_run *run, const struct iv_bdf *bdf, uint32_t pasid, struct iv_table *t, void **handle, char *why,
		       size_t whylen, bool gated)
{
	char dir[PATH_MAX], b[16];
	struct iv_intel_dev d;
	struct stat st;
	iv_bdf_str(bdf, b);
	iv_intel_path(run, dir, sizeof dir, "%s", "");
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(why, whylen, "no Intel VT-d debugfs directory %.3000s", dir);
		return 1;
	}
	t->bdf = *bdf;
	t->pasid = pasid;
	t->vendor = IV_VENDOR_INTEL;
	t->source = "debugfs";
	int rd = iv_intel_device(run, bdf, pasid, &d);
	if (rd < 0)
		return -1;
	if (rd == 0 && from_context(&d, t, why, whylen))
		return 1;
	struct dbg_handle *h = iv_xcalloc(1, sizeof *h);
	h->run = run;
	bool per_device;
	if (table_file(run, bdf, pasid, h->path, sizeof h->path, &per_device)) {
		snprintf(why, whylen, "no domain_translation_struct for %s in %.3000s", b, dir);
		free(h);
		return 1;
	}
	int g = gated ? iv_dump_gate(run, bdf, per_device, why, whylen) : 0;
	if (g) {
		free(h);
		return g;
	}
	struct found f;
	h->first_level = t->first_level;
	h->bdf = *bdf;
	h->pasid = pasid;
	h->per_device = per_device;
	if (find_block(h, bdf, pasid, per_device, &f)) {
		dbg_close(h);
		return -1;
	}
	if (!f.any && per_device && f.nlines == 0) {
		/* 6.18+ (6.12.53+): a device whose context entry is no multi-level
		 * table (legacy pass-through) gets an empty file (field-notes §2) */
		t->passthrough = true;
		snprintf(why, whylen, "pass-through: %.3000s is empty (the kernel has no page table for it)",
			 h->path);
		dbg_close(h);
		return 1;
	}
	if (!f.any) {
		snprintf(why, whylen, "no table for %s pasid %u in %.3000s%s", b, pasid, h->path,
			 per_device ? " (the kernel printed nothing)" : "");
		dbg_close(h);
		return 1;
	}
	if (rd != 0)
		t->mode = f.h.has_pasid && per_device ? IV_MODE_SCALABLE : per_device ? IV_MODE_LEGACY : IV_MODE_UNKNOWN;
	if (h->levels)       /* from the block's first row */
		t->levels = h->levels;
	h->levels = t->levels;
	t->root = f.h.root;
	memcpy(t->origin, h->path, sizeof t->origin);
	*handle = h;
	return 0;
}

static void dbg_close(void *hp)
{
	struct dbg_handle *h = hp;
	if (h) {
		free(h->cp);
		cache_free(&h->c);
	}
	free(h);
}

static int dbg_open(struct iv_run *run, const struct iv_bdf *bdf, uint32_t pasid, struct iv_table *t, void **handle, char *why,
		    size_t whylen)
{
	return dbg_open_ex(run, bdf, pasid, t, handle, why, whylen, false);
}

static int dbg_open_gated(struct iv_run *run, const struct iv_bdf *bdf, uint32_t pasid, struct iv_table *t, void **handle,
			  char *why, size_t whylen)
{
	return dbg_open_ex(run, bdf, pasid, t, handle, why, whylen, true);
}

/* One more read of the file (check's re-read): the rows as they are now. The
 * block may have moved or gone (then the device maps nothing now). */
static int dbg_refresh(void *hp)
{
	struct dbg_handle *h = hp;
	struct found f;
	int levels = h->levels;
	if (!h->c.on)        /* too large to keep: every walk reads the file anyway */
		return 0;
	free(h->cp);
	h->cp = NULL;
	h->ncp = 0;
	h->cp_done = false;
	if (find_block(h, &h->bdf, h->pasid, h->per_device, &f))
		return -1;
	if (!f.any) {        /* no block any more: nothing mapped */
		cache_reset(&h->c);
		h->levels = levels;
		return 0;
	}
	if (!h->levels)
		h->levels = levels;
	return 0;
}

const struct iv_source_ops iv_source_debugfs = { "debugfs", dbg_open, dbg_walk, dbg_close, dbg_refresh, NULL };
const struct iv_source_ops iv_source_debugfs_auto = { "debugfs", dbg_open_gated, dbg_walk, dbg_close, dbg_refresh, NULL };
