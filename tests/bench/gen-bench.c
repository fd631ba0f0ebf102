/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gen-bench.c - generate a VM-scale benchmark fixture for iommu-verify
 * (issue 6). Streams everything: memory stays small for any N.
 *
 * Usage: gen-bench [-n N] [-v 4k|2m|mix] [--pid PID] [--no-old] [--no-image] [--scale] OUTDIR
 *
 *   -n N      4k variant: the number of 4 KiB IOMMU leaves (plus 8 x 2 MiB);
 *             2m variant: guest RAM in 4 KiB pages, mapped with 2 MiB leaves
 *             except the first MiB, pc.bios and the orphan (default 1M;
 *             suffixes K and M = 1024, 1048576)
 *   -v        variant (default 4k); mix: like 4k, but RAM above 4 GiB alternates
 *             1 GiB mapped with 4 KiB leaves and 1 GiB mapped with 2 MiB leaves
 *             (N counts 4 KiB pages of guest RAM)
 *   --scale   for guests of a TiB (issue 14.5; the memory source only): no
 *             debugfs dumps (30 GB of text at 1 TiB), no AMD-Vi tables (the
 *             segment stays a hole), kpageflags/kpagecount only for the pages
 *             that check reads them for (the planted findings)
 *
 * OUTDIR/root is expected to hold the small files of tests/gen-root.py
 * (proc/PID/{cmdline,comm,stat,fd/}, sys/...); gen-bench (re)writes:
 *   root/proc/PID/pagemap, root/proc/PID/maps         (sparse: offset va/4096*8)
 *   root/proc/kpageflags, root/proc/kpagecount        (sparse: offset pfn*8)
 *   root/sys/kernel/debug/iommu/intel/dmar_translation_struct
 *   root/sys/kernel/debug/iommu/intel/0000:00:02.0/domain_translation_struct  (6.7+)
 *   debugfs-5.18/iommu/intel/{domain_translation_struct,dmar_translation_struct}
 *                                                     (5.18-6.6 global file; --debugfs DIR)
 *   image.elf   ELF64 ET_CORE EM_X86_64, PT_LOAD p_paddr = physical address:
 *               VT-d root table 0x765000 -> context table 0x76c000 -> 4-level
 *               second-level tables at 0x40000000 (--vtd-root 0x765000), and the
 *               AMD-Vi device table 0x80000000 (above the VT-d tables: the next GiB
 *               when they need more than 1 GiB) -> mode-4 v1 tables right after it
 *               (--amd-devtab: expect.json amd_devtab); the same mappings as the dumps
 *   gpa-map.json  the --gpa-map file
 *   expect.json   what dump and check must report (planted findings with exact
 *                 IOVAs, extent count, mapped bytes, pages, rows, file sizes)
 *
 * Guest layout: pc.ram 0-0xa0000 and 0x100000-(<= 3 GiB), pc.bios 0xfffc0000
 * (64 pages, read-only), pc.ram from 4 GiB; IOVA 0xd0000000 (in no section) is
 * an orphaned pin. Host PFNs come in runs of 1-64 pages with small gaps.
 * Planted: stale pages (IOMMU PFN != CPU PFN, old page kpagecount 0), zero-page
 * pages (IOMMU -> the zero page, CPU -> a real page), one orphaned pin. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEV        "0000:00:02.0"
#define DEVFN      0x10
#define DEVID      0x0010
#define RTADDR     0x765000ULL
#define CTX_PA     0x76c000ULL
#define VTD_BASE   0x40000000ULL          /* first page: the level-4 table (pgd) */
#define AMD_DEVTAB_MIN 0x80000000ULL      /* above the VT-d tables: 0x80000000, or the next GiB */
static uint64_t amd_devtab = AMD_DEVTAB_MIN;
#define AMD_DEVTAB amd_devtab
#define AMD_BASE   (AMD_DEVTAB + 0x1000)  /* mirrors the VT-d tables page for page */
#define ZERO_PFN   0x493adULL
#define ORPHAN_PFN 0x3e0000ULL
#define ORPHAN_IOVA 0xd0000000ULL
#define BIOS_IOVA  0xfffc0000ULL
#define BIOS_PAGES 64
#define LOW_LIMIT  0xc0000000ULL          /* guest RAM below 3 GiB */
#define HIGH_START 0x100000000ULL
#define HVA_RAM    0x7f1000000000ULL
#define HVA_BIOS   0x7f0f00000000ULL
#define PFN_START  0x400000ULL            /* guest pages from host 16 GiB */
#define PFN_NEW    0x4000000ULL           /* "new" CPU pages of stale mappings (256 GiB) */
#define SZ_4K      0x1000ULL
#define SZ_2M      0x200000ULL

#define PM_PRESENT (1ULL << 63)
#define PM_EXCL    (1ULL << 56)
#define PM_SDIRTY  (1ULL << 55)
#define KPF_NORMAL 0x400005828ULL         /* as tests/gen-root.py */
#define KPF_ZERO   0x101000000ULL
#define KPF_THP    ((1ULL << 22) | (1ULL << 15))

#define AMD_PR (1ULL << 0)
#define AMD_FC (1ULL << 60)
#define AMD_IR (1ULL << 61)
#define AMD_IW (1ULL << 62)

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("gen-bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static void *xmalloc(size_t n)
{
	void *p = calloc(1, n);
	if (!p)
		die("out of memory");
	return p;
}

static void mkdirs(const char *path)   /* mkdir -p of path's directory part */
{
	char b[4096];
	snprintf(b, sizeof b, "%s", path);
	for (char *p = b + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(b, 0755) && errno != EEXIST)
			die("mkdir %s: %s", b, strerror(errno));
		*p = '/';
	}
}

static int xopen(const char *path)
{
	mkdirs(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	return fd;
}

static void xpwrite(int fd, const void *buf, size_t len, uint64_t off, const char *name)
{
	const char *p = buf;
	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("%s: write: %s", name, n < 0 ? strerror(errno) : "short write");
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
}

static void wtext(const char *path, const char *text)
{
	int fd = xopen(path);
	xpwrite(fd, text, strlen(text), 0, path);
	close(fd);
}

/* ---- buffered text output ---- */
struct out {
	int fd;
	char name[4096];
	char *buf;
	size_t n, cap;
	uint64_t off;
};

static void out_open(struct out *o, const char *path)
{
	snprintf(o->name, sizeof o->name, "%s", path);
	o->fd = xopen(path);
	o->cap = 4u << 20;
	o->buf = xmalloc(o->cap);
	o->n = 0;
	o->off = 0;
}

static void out_flush(struct out *o)
{
	xpwrite(o->fd, o->buf, o->n, o->off, o->name);
	o->off += o->n;
	o->n = 0;
}

static char *out_reserve(struct out *o, size_t len)
{
	if (o->n + len > o->cap)
		out_flush(o);
	return o->buf + o->n;
}

static void out_str(struct out *o, const char *s)
{
	size_t len = strlen(s);
	memcpy(out_reserve(o, len), s, len);
	o->n += len;
}

static void out_close(struct out *o)
{
	out_flush(o);
	close(o->fd);
	free(o->buf);
}

static const char hexd[] = "0123456789abcdef";

static inline char *hexn(char *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 4)
		p[i] = hexd[v & 15];
	return p + n;
}

static inline char *col(char *p, uint64_t v)   /* "\t0x%016llx" */
{
	*p++ = '\t';
	*p++ = '0';
	*p++ = 'x';
	return hexn(p, v, 16);
}

/* One row: "0x%013lx |\t0x%016llx" + "\t0x%016llx" * (ncol - 1) + "\n". */
static void row(struct out *o, uint64_t iova_pfn, const uint64_t *e, int ncol)
{
	char *p = out_reserve(o, 32 + 19 * 5), *s = p;
	*p++ = '0';
	*p++ = 'x';
	p = hexn(p, iova_pfn, 13);
	*p++ = ' ';
	*p++ = '|';
	for (int i = 0; i < ncol; i++)
		p = col(p, e[i]);
	*p++ = '\n';
	o->n += (size_t)(p - s);
}

/* ---- sparse u64 files (pagemap, kpageflags, kpagecount) ---- */
struct sparse {
	int fd;
	char name[4096];
	uint64_t *buf;
	size_t n, cap;
	uint64_t first;
};

static void sp_open(struct sparse *s, const char *path)
{
	snprintf(s->name, sizeof s->name, "%s", path);
	s->fd = xopen(path);
	s->cap = 1u << 17;
	s->buf = xmalloc(s->cap * 8);
	s->n = 0;
}

static void sp_flush(struct sparse *s)
{
	if (s->n)
		xpwrite(s->fd, s->buf, s->n * 8, s->first * 8, s->name);
	s->n = 0;
}

static inline void sp_put(struct sparse *s, uint64_t idx, uint64_t v)
{
	if (s->n && idx == s->first + s->n && s->n < s->cap) {
		s->buf[s->n++] = v;
		return;
	}
	sp_flush(s);
	s->first = idx;
	s->buf[0] = v;
	s->n = 1;
}

static void sp_close(struct sparse *s)
{
	sp_flush(s);
	close(s->fd);
	free(s->buf);
}

/* ---- the guest ---- */
struct section { uint64_t gpa, size, hva; const char *name, *type; bool ro; };
struct region { uint64_t iova, n; bool big; unsigned perm; int sec; };  /* n leaves */
enum { P_STALE, P_ZERO, P_ORPHAN };
static const char *kind_name[] = { "stale", "zero_page", "orphaned_pin" };
struct plant { uint64_t iova, pages; int kind; };

static struct section secs[8];
static int nsecs;
static struct region regs[4096];
static int nregs;
static struct plant plants[16];
static int nplants;

static void add_sec(uint64_t gpa, uint64_t size, uint64_t hva, const char *name, const char *type, bool ro)
{
	secs[nsecs++] = (struct section){ gpa, size, hva, name, type, ro };
}

static void add_reg(uint64_t iova, uint64_t n, bool big, unsigned perm, int sec)
{
	if (n)
		regs[nregs++] = (struct region){ iova, n, big, perm, sec };
}

static void add_plant(uint64_t iova, uint64_t pages, int kind)
{
	plants[nplants++] = (struct plant){ iova, pages, kind };
}

static int plant_cmp(const void *a, const void *b)
{
	const struct plant *x = a, *y = b;
	return x->iova < y->iova ? -1 : x->iova > y->iova;
}

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

/* Lays out sections, regions and plants. */
static void layout(uint64_t n, bool v2m, bool mix)
{
	uint64_t low_top, high_end;
	if (mix) {
		/* 4K leaves below 3 GiB as the 4k variant; from 4 GiB alternately
		 * 1 GiB of 4K leaves and 1 GiB of 2M leaves (a 4K chunk first) */
		if (n < 3 * 262144)
			die("-n %" PRIu64 ": at least 768K pages for the mix variant, please", n);
		uint64_t rest = n - 160 - 1 - BIOS_PAGES;
		uint64_t low1 = (LOW_LIMIT - 0x100000) / SZ_4K, high = rest - low1;
		high -= high % 512;
		low_top = 0x100000 + low1 * SZ_4K;
		add_reg(0, 160, false, 3, 0);
		add_reg(0x100000, low1, false, 3, 1);
		add_reg(ORPHAN_IOVA, 1, false, 3, -1);
		add_reg(BIOS_IOVA, BIOS_PAGES, false, 1, 2);
		uint64_t a = HIGH_START, left = high;
		for (int k = 0; left; k++) {
			uint64_t c = left < 262144 ? left : 262144;
			if (nregs == (int)(sizeof regs / sizeof regs[0]))
				die("-n %" PRIu64 ": too many regions for the mix variant", n);
			if (k & 1)
				add_reg(a, c / 512, true, 3, 3);
			else
				add_reg(a, c, false, 3, 3);
			a += c * SZ_4K;
			left -= c;
		}
		high_end = a;
		add_plant(0x150000, 1, P_STALE);
		add_plant(0x100000 + (low1 / 2) * SZ_4K, 3, P_STALE);
		add_plant(BIOS_IOVA + 2 * SZ_4K, 2, P_ZERO);
		add_plant(ORPHAN_IOVA, 1, P_ORPHAN);
		if (high >= 262144) {
			add_plant(HIGH_START + 17 * SZ_4K, 1, P_ZERO);              /* in the first 4K chunk */
			add_plant(high_end - 3 * SZ_4K, 3, P_STALE);                /* the last chunk's end */
		}
	} else if (!v2m) {
		/* 4K leaves: 160 (0-0xa0000) + low1 + 1 orphan + 64 bios + high = n;
		 * 2 superpages at the end of low RAM, 6 at the end of high RAM. */
		if (n < 65536)
			die("-n %" PRIu64 ": at least 64K leaves, please", n);
		uint64_t rest = n - 160 - 1 - BIOS_PAGES;
		uint64_t cap_low = (LOW_LIMIT - 0x100000 - 2 * SZ_2M) / SZ_4K;
		uint64_t low1 = rest < cap_low ? rest : cap_low, high = rest - low1;
		uint64_t low_sp = align_up(0x100000 + low1 * SZ_4K, SZ_2M);
		low_top = low_sp + 2 * SZ_2M;
		uint64_t high_sp = align_up(HIGH_START + high * SZ_4K, SZ_2M);
		high_end = high_sp + 6 * SZ_2M;
		add_reg(0, 160, false, 3, 0);
		add_reg(0x100000, low1, false, 3, 1);
		add_reg(low_sp, 2, true, 3, 1);
		add_reg(ORPHAN_IOVA, 1, false, 3, -1);
		add_reg(BIOS_IOVA, BIOS_PAGES, false, 1, 2);
		add_reg(HIGH_START, high, false, 3, 3);
		add_reg(high_sp, 6, true, 3, 3);
		add_plant(0x150000, 1, P_STALE);
		add_plant(0x100000 + (low1 / 2) * SZ_4K, 3, P_STALE);
		add_plant(BIOS_IOVA + 2 * SZ_4K, 2, P_ZERO);
		add_plant(ORPHAN_IOVA, 1, P_ORPHAN);
		if (high >= 16) {
			add_plant(HIGH_START + (high / 2) * SZ_4K, 1, P_ZERO);
			add_plant(HIGH_START + (high - 1) * SZ_4K, 1, P_STALE);
		} else {
			add_plant(0x100000 + (low1 / 4 * 3) * SZ_4K, 1, P_ZERO);
			add_plant(0x100000 + (low1 - 1) * SZ_4K, 1, P_STALE);
		}
		add_plant(high_sp + 17 * SZ_4K, 1, P_STALE);
	} else {
		/* 2M leaves: 0-0xa0000 and 0x100000-0x200000 4K, then 2M up to
		 * 3 GiB, then from 4 GiB; pc.bios and the orphan 4K. */
		if (n < 8 * 512 + 416)
			die("-n %" PRIu64 ": at least %u pages for the 2m variant, please", n, 8 * 512 + 416);
		uint64_t sp = (n - 416) / 512, cap_low = (LOW_LIMIT - SZ_2M) / SZ_2M;
		uint64_t low_sp = sp < cap_low ? sp : cap_low, high_sp = sp - low_sp;
		low_top = SZ_2M + low_sp * SZ_2M;
		high_end = HIGH_START + high_sp * SZ_2M;
		add_reg(0, 160, false, 3, 0);
		add_reg(0x100000, 256, false, 3, 1);
		add_reg(SZ_2M, low_sp, true, 3, 1);
		add_reg(ORPHAN_IOVA, 1, false, 3, -1);
		add_reg(BIOS_IOVA, BIOS_PAGES, false, 1, 2);
		add_reg(HIGH_START, high_sp, true, 3, 3);
		add_plant(0x150000, 1, P_STALE);
		add_plant(SZ_2M + 3 * SZ_2M + 17 * SZ_4K, 1, P_STALE);
		add_plant(BIOS_IOVA + 2 * SZ_4K, 2, P_ZERO);
		add_plant(ORPHAN_IOVA, 1, P_ORPHAN);
		uint64_t last = high_sp ? high_end : low_top;   /* the last three pages of the last superpage */
		add_plant(last - 3 * SZ_4K, 3, P_STALE);
	}
	add_sec(0, 0xa0000, HVA_RAM, "pc.ram", "ram", false);
	add_sec(0x100000, low_top - 0x100000, HVA_RAM + 0x100000, "pc.ram", "ram", false);
	add_sec(BIOS_IOVA, BIOS_PAGES * SZ_4K, HVA_BIOS, "pc.bios", "rom", true);
	if (high_end > HIGH_START)
		add_sec(HIGH_START, high_end - HIGH_START, HVA_RAM + low_top, "pc.ram", "ram", false);
	qsort(plants, (size_t)nplants, sizeof *plants, plant_cmp);
	for (int i = 1; i < nplants; i++)
		if (plants[i - 1].iova + plants[i - 1].pages * SZ_4K >= plants[i].iova)
			die("internal: planted findings 0x%" PRIx64 " and 0x%" PRIx64 " touch", plants[i - 1].iova,
			    plants[i].iova);
}

/* ---- host PFNs: runs of 1-64 pages with gaps of 0-7 ---- */
static uint64_t rng_state = 0x2545f4914f6cdd1dULL, pfn_cur = PFN_START, pfn_left, pfn_new = PFN_NEW;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint64_t alloc_4k(void)
{
	if (!pfn_left) {
		pfn_cur += rng() % 8;
		pfn_left = 1 + rng() % 64;
	}
	pfn_left--;
	return pfn_cur++;
}

static uint64_t alloc_2m(void)
{
	pfn_cur = align_up(pfn_cur, 512);
	uint64_t p = pfn_cur;
	pfn_cur += 512;
	pfn_left = 0;
	return p;
}

/* ---- page tables: VT-d second level and AMD v1, built in IOVA order ---- */
struct table { bool have; uint64_t prefix; uint64_t idx; uint64_t vt[512], amd[512]; };
static struct table tl[5];           /* current table of each level 1..4 */
static uint64_t tnext, tcap;         /* bump allocator (pages) */
static int img_fd = -1;
static uint64_t off_root, off_vtd, off_dev, off_amd;   /* file offsets of the segments */
static uint64_t tables_written;
static bool scale;                   /* --scale */
static uint64_t pm_ram_bytes;        /* the guest RAM's HVA range, from HVA_RAM */

static uint64_t vtd_pa(uint64_t idx) { return VTD_BASE + idx * SZ_4K; }
static uint64_t amd_pa(uint64_t idx) { return AMD_BASE + idx * SZ_4K; }

static void tflush(int lv)
{
	struct table *t = &tl[lv];
	if (!t->have)
		return;
	if (img_fd >= 0) {
		xpwrite(img_fd, t->vt, sizeof t->vt, off_vtd + t->idx * SZ_4K, "image.elf");
		if (!scale)
			xpwrite(img_fd, t->amd, sizeof t->amd, off_amd + t->idx * SZ_4K, "image.elf");
	}
	tables_written++;
	t->have = false;
}

static struct table *table(int lv, uint64_t iova)
{
	uint64_t prefix = lv == 4 ? 0 : iova >> (12 + 9 * lv);
	struct table *t = &tl[lv];
	if (t->have && t->prefix == prefix)
		return t;
	tflush(lv);
	if (tnext == tcap)
		die("internal: more than %" PRIu64 " table pages", tcap);
	memset(t, 0, sizeof *t);
	t->have = true;
	t->prefix = prefix;
	t->idx = tnext++;
	if (lv < 4) {
		struct table *p = table(lv + 1, iova);
		unsigned i = (unsigned)(iova >> (12 + 9 * lv)) & 511;
		p->vt[i] = vtd_pa(t->idx) | 3;
		p->amd[i] = amd_pa(t->idx) | (uint64_t)lv << 9 | AMD_PR | AMD_IR | AMD_IW;
	}
	return t;
}

/* Sets the leaf and returns the debugfs path PML5E..PTE in e[0..4]. */
static void leaf(uint64_t iova, uint64_t pa, bool big, unsigned perm, uint64_t e[5])
{
	uint64_t amdp = AMD_PR | AMD_FC | AMD_IR | (perm & 2 ? AMD_IW : 0);
	if (big) {
		struct table *t = table(2, iova);
		unsigned i = (unsigned)(iova >> 21) & 511;
		t->vt[i] = pa | 0x80 | perm;
		t->amd[i] = pa | amdp;
		e[4] = 0;
	} else {
		struct table *t = table(1, iova);
		unsigned i = (unsigned)(iova >> 12) & 511;
		t->vt[i] = pa | perm;
		t->amd[i] = pa | amdp;
		e[4] = t->vt[i];
	}
	e[0] = 0;
	e[1] = tl[4].vt[(iova >> 39) & 511];
	e[2] = tl[3].vt[(iova >> 30) & 511];
	e[3] = tl[2].vt[(iova >> 21) & 511];
}

/* Headers first (libelf), contents by pwrite afterwards. */
static void image_begin(const char *path, uint64_t cap)
{
	img_fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (img_fd < 0)
		die("%s: %s", path, strerror(errno));
	if (elf_version(EV_CURRENT) == EV_NONE)
		die("libelf: %s", elf_errmsg(-1));
	Elf *e = elf_begin(img_fd, ELF_C_WRITE, NULL);
	if (!e)
		die("elf_begin: %s", elf_errmsg(-1));
	Elf64_Ehdr *eh = elf64_newehdr(e);
	Elf64_Phdr *ph = eh ? elf64_newphdr(e, 3) : NULL;
	if (!ph)
		die("elf64_newehdr/newphdr: %s", elf_errmsg(-1));
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_CORE;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof *eh;
	off_root = SZ_4K;
	off_vtd = off_root + 0x8000;
	off_dev = off_vtd + cap * SZ_4K;   /* the AMD segment starts with the device table page */
	off_amd = off_dev + SZ_4K;
	const uint64_t pa[3] = { RTADDR, VTD_BASE, AMD_DEVTAB };
	const uint64_t off[3] = { off_root, off_vtd, off_dev };
	const uint64_t sz[3] = { 0x8000, cap * SZ_4K, (cap + 1) * SZ_4K };
	for (int i = 0; i < 3; i++) {
		ph[i].p_type = PT_LOAD;
		ph[i].p_flags = PF_R | PF_W | PF_X;
		ph[i].p_offset = off[i];
		ph[i].p_vaddr = ph[i].p_paddr = pa[i];
		ph[i].p_filesz = ph[i].p_memsz = sz[i];
		ph[i].p_align = SZ_4K;
	}
	elf_flagelf(e, ELF_C_SET, ELF_F_LAYOUT);
	if (elf_update(e, ELF_C_WRITE) < 0)
		die("elf_update: %s", elf_errmsg(-1));
	elf_end(e);
	tcap = cap;
}

static void image_end(uint64_t cap)
{
	uint64_t q[2];
	/* root entry of bus 0 -> context table; context entry of devfn 0x10 */
	q[0] = CTX_PA | 1;
	q[1] = 0;
	xpwrite(img_fd, q, 16, off_root, "image.elf");
	q[0] = vtd_pa(0) | 1;           /* SLPTPTR, TT=0, P */
	q[1] = 4 << 8 | 2;              /* DID 4, AW 2 (4-level) */
	xpwrite(img_fd, q, 16, off_root + (CTX_PA - RTADDR) + DEVFN * 16, "image.elf");
	uint64_t dte[4] = { 1 | 2 | 4 << 9 | amd_pa(0) | AMD_IR | AMD_IW, 4, 0, 0 };
	xpwrite(img_fd, dte, sizeof dte, off_dev + DEVID * 32, "image.elf");
	if (ftruncate(img_fd, (off_t)(off_amd + cap * SZ_4K)))
		die("image.elf: ftruncate: %s", strerror(errno));
	close(img_fd);
}

/* ---- main ---- */
static uint64_t parse_n(const char *s)
{
	char *end;
	errno = 0;
	uint64_t v = strtoull(s, &end, 0);
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	if (errno || *end || !v)
		die("bad number '%s'", s);
	return v;
}

static void usage(void)
{
	fputs("usage: gen-bench [-n N] [-v 4k|2m|mix] [--pid PID] [--no-old] [--no-image] [--scale] OUTDIR\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	uint64_t n = 1 << 20;
	bool v2m = false, old = true, image = true, mix = false;
	int pid = 4242;
	const char *outdir = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			n = parse_n(argv[++i]);
		else if (!strcmp(argv[i], "-v") && i + 1 < argc) {
			i++;
			if (!strcmp(argv[i], "2m"))
				v2m = true;
			else if (!strcmp(argv[i], "mix"))
				mix = true;
			else if (strcmp(argv[i], "4k"))
				usage();
		} else if (!strcmp(argv[i], "--pid") && i + 1 < argc)
			pid = (int)parse_n(argv[++i]);
		else if (!strcmp(argv[i], "--no-old"))
			old = false;
		else if (!strcmp(argv[i], "--no-image"))
			image = false;
		else if (!strcmp(argv[i], "--scale"))
			scale = true, old = false;
		else if (argv[i][0] != '-' && !outdir)
			outdir = argv[i];
		else
			usage();
	}
	if (!outdir)
		usage();
	layout(n, v2m, mix);

	char p[4096], q[4096];
	const char *dbg = "root/sys/kernel/debug/iommu/intel";
	struct out d67, d518;
	struct sparse pm, kf, kc;
	snprintf(p, sizeof p, "%s/%s/%s/domain_translation_struct", outdir, dbg, DEV);
	if (!scale)
		out_open(&d67, p);
	else
		memset(&d67, 0, sizeof d67);
	if (old) {
		snprintf(p, sizeof p, "%s/debugfs-5.18/iommu/intel/domain_translation_struct", outdir);
		out_open(&d518, p);
	}
	snprintf(p, sizeof p, "%s/root/proc/%d/pagemap", outdir, pid);
	sp_open(&pm, p);
	snprintf(p, sizeof p, "%s/root/proc/kpageflags", outdir);
	sp_open(&kf, p);
	snprintf(p, sizeof p, "%s/root/proc/kpagecount", outdir);
	sp_open(&kc, p);

	/* table pages: 4K leaves / 512 + one per region start + upper levels */
	uint64_t cap = (v2m ? 64 : n / 512) + 4096;
	if (VTD_BASE + cap * SZ_4K > amd_devtab)   /* more than 1 GiB of tables (a TiB guest) */
		amd_devtab = align_up(VTD_BASE + cap * SZ_4K, 1ULL << 30);
	if (image) {
		snprintf(p, sizeof p, "%s/image.elf", outdir);
		image_begin(p, cap);
	} else {
		tcap = cap;
	}
	table(4, 0);   /* the pgd is the first table page: VTD_BASE / AMD_BASE */

	/* debugfs headers; the 5.18 file also lists two other devices */
	snprintf(p, sizeof p, "Device %s @0x%" PRIx64 "\n%-17s\t%-18s\t%-18s\t%-18s\t%-18s\t%-s\n", DEV,
		 vtd_pa(0), "IOVA_PFN", "PML5E", "PML4E", "PDPE", "PDE", "PTE");
	if (!scale)
		out_str(&d67, p);
	static const char old_hdr[] = "IOVA_PFN\t\tPML5E\t\t\tPML4E\t\t\tPDPE\t\t\tPDE\t\t\tPTE\n";
	if (old) {
		out_str(&d518, "Device 0000:00:01.0 @0x30000000\n");
		out_str(&d518, old_hdr);
		for (uint64_t i = 0; i < 64; i++) {
			uint64_t e[5] = { 0, 0x30001003, 0x30002003, 0x30003003, (0x200000 + i) << 12 | 3 };
			row(&d518, 0x10 + i, e, 5);
		}
		out_str(&d518, "\n");
		snprintf(p, sizeof p, "Device %s @0x%" PRIx64 "\n", DEV, vtd_pa(0));
		out_str(&d518, p);
		out_str(&d518, old_hdr);
	}

	/* expected extents (iv_coalesce_leaf's rule) and counters */
	uint64_t ext_n = 0, ext_iova = 0, ext_size = 0, ext_pfn = 0, ext_ps = 0, mapped = 0, pages = 0, rows = 0;
	unsigned ext_perm = 0;
	int pi = 0;
	for (int r = 0; r < nregs; r++) {
		const struct region *rg = &regs[r];
		const struct section *sec = rg->sec >= 0 ? &secs[rg->sec] : NULL;
		uint64_t lsize = rg->big ? SZ_2M : SZ_4K;
		for (uint64_t k = 0; k < rg->n; k++) {
			uint64_t iova = rg->iova + k * lsize, base;
			bool zero = false;
			while (pi < nplants && plants[pi].iova + plants[pi].pages * SZ_4K <= iova)
				pi++;
			if (!sec)
				base = ORPHAN_PFN;
			else if (rg->big)
				base = alloc_2m();
			else {
				base = alloc_4k();
				zero = pi < nplants && plants[pi].kind == P_ZERO && plants[pi].iova <= iova;
			}
			uint64_t ipfn = zero ? ZERO_PFN : base, e[5];
			leaf(iova, ipfn << 12, rg->big, rg->perm, e);
			if (!scale)
				row(&d67, iova >> 12, e, rg->big ? 4 : 5);
			if (old)
				row(&d518, iova >> 12, e, 5);
			rows++;
			/* extents */
			if (ext_n && iova == ext_iova + ext_size && rg->perm == ext_perm && lsize == ext_ps &&
			    ipfn == ext_pfn + (ext_size >> 12)) {
				ext_size += lsize;
			} else {
				ext_n++;
				ext_iova = iova;
				ext_size = lsize;
				ext_pfn = ipfn;
				ext_ps = lsize;
				ext_perm = rg->perm;
			}
			mapped += lsize;
			/* the CPU side, 4 KiB at a time */
			for (uint64_t s = 0; s < lsize / SZ_4K; s++) {
				uint64_t a = iova + s * SZ_4K, ip = ipfn + (zero ? 0 : s), cp = base + s;
				uint64_t flags = rg->big ? KPF_NORMAL | KPF_THP : KPF_NORMAL;
				pages++;
				while (pi < nplants && plants[pi].iova + plants[pi].pages * SZ_4K <= a)
					pi++;
				int kind = pi < nplants && plants[pi].iova <= a ? plants[pi].kind : -1;
				if (!sec) {
					sp_put(&kf, ip, KPF_NORMAL);
					sp_put(&kc, ip, 0);
					continue;
				}
				if (kind == P_STALE)
					cp = pfn_new++;
				sp_put(&pm, (sec->hva + (a - sec->gpa)) >> 12, PM_PRESENT | PM_EXCL | PM_SDIRTY | cp);
				if (scale && kind < 0)
					continue;    /* check reads no kpage entry for a page that agrees */
				if (kind == P_ZERO) {
					sp_put(&kf, ZERO_PFN, KPF_ZERO);
					sp_put(&kc, ZERO_PFN, 0);
				} else {
					sp_put(&kf, ip, flags);
					sp_put(&kc, ip, kind == P_STALE ? 0 : 1);
				}
				if (cp != ip) {
					sp_put(&kf, cp, KPF_NORMAL);
					sp_put(&kc, cp, 1);
				}
			}
		}
	}
	for (int lv = 1; lv <= 4; lv++)
		tflush(lv);
	if (old) {
		out_str(&d518, "\nDevice 0000:00:1f.2 @0x31000000\n");
		out_str(&d518, old_hdr);
		for (uint64_t i = 0; i < 16; i++) {
			uint64_t e[5] = { 0, 0x31001003, 0x31002003, 0x31003003, (0x300000 + i) << 12 | 3 };
			row(&d518, 0x20 + i, e, 5);
		}
		out_str(&d518, "\n");
		out_close(&d518);
	}
	uint64_t size67 = d67.off + d67.n, size518 = old ? d518.off : 0;
	if (!scale)
		out_close(&d67);
	sp_close(&pm);
	sp_close(&kf);
	sp_close(&kc);
	if (image)
		image_end(cap);

	/* dmar_translation_struct (legacy mode), in both debugfs trees */
	snprintf(q, sizeof q,
		 "IOMMU dmar0: Root Table Address: 0x%llx\n"
		 "B.D.F\tRoot_entry\t\t\t\tContext_entry\t\t\t\tPASID\tPASID_table_entry\n"
		 "00:02.0\t0x%016llx:0x%016llx\t0x%016llx:0x%016llx\t%-6d\t0x%016llx:0x%016llx:0x%016llx\n\n",
		 RTADDR, 0ULL, CTX_PA | 1, 4ULL << 8 | 2, (unsigned long long)vtd_pa(0) | 1, -1, 0ULL, 0ULL, 0ULL);
	snprintf(p, sizeof p, "%s/%s/dmar_translation_struct", outdir, dbg);
	wtext(p, q);
	if (old) {
		snprintf(p, sizeof p, "%s/debugfs-5.18/iommu/intel/dmar_translation_struct", outdir);
		wtext(p, q);
	}

	/* /proc/PID/maps */
	uint64_t ram_end = secs[nsecs - 1].hva + secs[nsecs - 1].size;
	pm_ram_bytes = ram_end - HVA_RAM;
	snprintf(q, sizeof q,
		 "55d0c0a00000-55d0c0e00000 r-xp 00000000 fe:01 1048602                    /usr/bin/qemu-system-x86_64\n"
		 "%llx-%llx rw-p 00000000 00:00 0 \n"
		 "%llx-%llx rw-p 00000000 00:00 0 \n"
		 "7f170e100000-7f170e200000 rw-s fea00000 00:09 11                         anon_inode:[vfio-device]\n"
		 "7ffd6b1d0000-7ffd6b1f1000 rw-p 00000000 00:00 0                          [stack]\n",
		 HVA_BIOS, HVA_BIOS + BIOS_PAGES * SZ_4K, HVA_RAM, (unsigned long long)ram_end);
	snprintf(p, sizeof p, "%s/root/proc/%d/maps", outdir, pid);
	wtext(p, q);

	/* gpa-map.json */
	struct out j;
	snprintf(p, sizeof p, "%s/gpa-map.json", outdir);
	out_open(&j, p);
	out_str(&j, "[\n");
	for (int i = 0; i < nsecs; i++) {
		snprintf(q, sizeof q,
			 " {\"gpa\": \"0x%" PRIx64 "\", \"size\": \"0x%" PRIx64 "\", \"hva\": \"0x%" PRIx64
			 "\", \"name\": \"%s\", \"readonly\": %s, \"type\": \"%s\"}%s\n",
			 secs[i].gpa, secs[i].size, secs[i].hva, secs[i].name, secs[i].ro ? "true" : "false",
			 secs[i].type, i + 1 < nsecs ? "," : "");
		out_str(&j, q);
	}
	out_str(&j, "]\n");
	out_close(&j);

	/* expect.json */
	snprintf(p, sizeof p, "%s/expect.json", outdir);
	out_open(&j, p);
	snprintf(q, sizeof q,
		 "{\"n\": %" PRIu64 ", \"variant\": \"%s\", \"pid\": %d, \"device\": \"%s\",\n"
		 " \"vtd_root\": \"0x%llx\", \"amd_devtab\": \"0x%llx\", \"zero_pfn\": \"0x%llx\",\n"
		 " \"rows\": %" PRIu64 ", \"pages\": %" PRIu64 ", \"extents\": %" PRIu64 ", \"mapped_bytes\": \"0x%" PRIx64
		 "\",\n \"table_pages\": %" PRIu64 ", \"dump67_bytes\": %" PRIu64 ", \"dump518_bytes\": %" PRIu64 ",\n"
		 " \"image_vtd_offset\": %" PRIu64 ", \"image_vtd_bytes\": %" PRIu64 ",\n"
		 " \"pagemap_offset\": %" PRIu64 ", \"pagemap_bytes\": %" PRIu64 ",\n"
		 " \"findings\": [\n",
		 n, v2m ? "2m" : mix ? "mix" : "4k", pid, DEV, RTADDR, (unsigned long long)AMD_DEVTAB, ZERO_PFN, rows, pages, ext_n, mapped,
		 tables_written, size67, size518, off_vtd, (uint64_t)(tables_written * SZ_4K), (uint64_t)(HVA_BIOS >> 12) * 8,
		 (uint64_t)((HVA_RAM + pm_ram_bytes) >> 12) * 8 - (uint64_t)(HVA_BIOS >> 12) * 8);
	out_str(&j, q);
	for (int i = 0; i < nplants; i++) {
		snprintf(q, sizeof q, "  {\"kind\": \"%s\", \"iova\": \"0x%" PRIx64 "\", \"pages\": %" PRIu64 "}%s\n",
			 kind_name[plants[i].kind], plants[i].iova, plants[i].pages, i + 1 < nplants ? "," : "");
		out_str(&j, q);
	}
	out_str(&j, " ]\n}\n");
	out_close(&j);
	return 0;
}
