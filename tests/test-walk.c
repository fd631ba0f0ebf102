/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-walk.c - unit tests of the page-table walkers (src/tables/walk) on
 * tables held in memory: the walk engine with its page-read callback, the
 * VT-d (legacy second level, scalable first level) and AMD-Vi (v1 with a
 * skipped level and encoded page sizes, v2 through GCR3) start points, and
 * the one VT-d decoder. Exact leaves (IOVA, size, physical, permissions,
 * level), exact errors (cycle, table reached twice, unreadable page). */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "walk.h"
#include "vtd_decode.h"

static struct iv_run ctx = { .opt = { .root = "" } };
static struct iv_run *const run = &ctx;   /* the run every call below passes */
static int fails;

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); fails++; } } while (0)
#define CHECK_EQ(a, b) do { unsigned long long a_ = (a), b_ = (b); if (a_ != b_) { \
	fprintf(stderr, "FAIL %s:%d: %s = %#llx, expected %#llx\n", __FILE__, __LINE__, #a, a_, b_); fails++; } } while (0)
#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); if (strcmp(a_, b_)) { \
	fprintf(stderr, "FAIL %s:%d: %s\n  got      '%s'\n  expected '%s'\n", __FILE__, __LINE__, #a, a_, b_); \
	fails++; } } while (0)

/* ---- physical memory: a few pages, created by the first store ---- */

#define MAXPAGES 64
static struct { uint64_t pa; uint64_t w[512]; } pages[MAXPAGES];
static int npages, reads;

static uint64_t *page_at(uint64_t pa, bool create)
{
	for (int i = 0; i < npages; i++)
		if (pages[i].pa == pa)
			return pages[i].w;
	if (!create)
		return NULL;
	if (npages == MAXPAGES)
		abort();
	pages[npages].pa = pa;
	memset(pages[npages].w, 0, sizeof pages[npages].w);
	return pages[npages++].w;
}

static void q(uint64_t pa, uint64_t v)
{
	page_at(pa & IV_PAGE_MASK, true)[(pa & 0xfff) / 8] = v;
}

static const uint64_t *read_page(void *arg, uint64_t pa)
{
	(void)arg;
	reads++;
	const uint64_t *p = page_at(pa, false);
	if (!p)
		iv_error(run, "test-mem: physical address 0x%llx is not in memory", (unsigned long long)pa);
	return p;
}

static const struct iv_walk_mem mem = { read_page, NULL, "test-mem", &ctx };

static const char *perm_str(unsigned p)
{
	static const char *s[] = { "--", "r-", "-w", "rw" };
	return s[p & 3];
}

/* ---- leaves as text: "IOVA SIZE PHYS PERM LEVEL" joined by ", " ---- */

struct got { char s[4096]; int n, stop_after; struct iv_leaf first; };

static int collect(void *arg, const struct iv_leaf *l)
{
	struct got *g = arg;
	size_t used = strlen(g->s);
	if (!g->n)
		g->first = *l;
	snprintf(g->s + used, sizeof g->s - used, "%s%#llx %#llx %#llx %s %d", used ? ", " : "",
		 (unsigned long long)l->iova, (unsigned long long)l->size, (unsigned long long)l->phys,
		 perm_str(l->perm), l->level);
	return ++g->n == g->stop_after;
}

static int walk(const struct iv_pt *pt, uint64_t lo, uint64_t hi, struct got *g)
{
	memset(g, 0, sizeof *g);
	return iv_pt_walk(pt, lo, hi, collect, g);
}

static bool last_error_has(const char *s)
{
	bool ok = ctx.errs.n && strstr(ctx.errs.v[ctx.errs.n - 1], s);
	if (!ok)
		fprintf(stderr, "  last error: %s\n  expected to contain: %s\n",
			ctx.errs.n ? ctx.errs.v[ctx.errs.n - 1] : "(none)", s);
	return ok;
}

static void open_table(void *unused, struct iv_table *t)
{
	(void)unused;
	memset(t, 0, sizeof *t);
}


/* ---- VT-d legacy, 3 levels: 4 KiB (rw, r-, -w, one not present), 2 MiB, 1 GiB ---- */

static void test_vtd_legacy(void)
{
	q(0x100000, 0x101001);                  /* root entry, bus 0 */
	q(0x101100, 0x110001);                  /* context 00:02.0: TT 0, table 0x110000 */
	q(0x101108, 0x401);                     /* AW 1 (3 levels), DID 4 */
	q(0x110000, 0x111003);
	q(0x110008, 0x40000083);                /* 1 GiB at 0x40000000 */
	q(0x111000, 0x112003);
	q(0x111008, 0x600081);                  /* 2 MiB at 0x200000, read only */
	q(0x112000, 0x500003);
	q(0x112008, 0x501001);
	q(0x112018, 0x502002);
	q(0x112028, 0x503800);                  /* bits 1:0 clear: not present */
	struct iv_bdf bdf = { 0, 0, 2, 0 };
	struct iv_table t;
	struct iv_pt pt;
	char why[256] = "";
	open_table(NULL, &t);
	CHECK_EQ(iv_vtd_open(&mem, 0x100000, 0, &bdf, 0, &t, &pt, why, sizeof why), 0);
	CHECK_EQ(t.vendor, IV_VENDOR_INTEL);
	CHECK_EQ(t.mode, IV_MODE_LEGACY);
	CHECK_EQ(t.levels, 3);
	CHECK_EQ(t.root, 0x110000);
	CHECK(!t.first_level);
	struct got g;
	CHECK_EQ(walk(&pt, 0, UINT64_MAX, &g), 0);
	CHECK_STR(g.s, "0 0x1000 0x500000 rw 1, 0x1000 0x1000 0x501000 r- 1, 0x3000 0x1000 0x502000 -w 1, "
		       "0x200000 0x200000 0x600000 r- 2, 0x40000000 0x40000000 0x40000000 rw 3");
	CHECK_EQ(g.first.npath, 3);
	CHECK_EQ(g.first.path[0], 0x111003);
	CHECK_EQ(g.first.path[1], 0x112003);
	CHECK_EQ(g.first.path[2], 0x500003);
	CHECK_EQ(walk(&pt, 0x1000, 0x3fff, &g), 0);          /* a range */
	CHECK_STR(g.s, "0x1000 0x1000 0x501000 r- 1, 0x3000 0x1000 0x502000 -w 1");
	CHECK_EQ(walk(&pt, 0x300000, 0x300fff, &g), 0);      /* inside the 2 MiB leaf */
	CHECK_STR(g.s, "0x200000 0x200000 0x600000 r- 2");
	memset(&g, 0, sizeof g);
	g.stop_after = 2;
	CHECK_EQ(iv_pt_walk(&pt, 0, UINT64_MAX, collect, &g), 1);   /* stopped by the callback */
	CHECK_EQ(g.n, 2);
	CHECK_EQ(walk(&pt, 1ULL << 39, UINT64_MAX, &g), 0);  /* beyond 39 bits: nothing, nothing read */
	CHECK_EQ(g.n, 0);

	/* legacy: AW 5 is reserved, so the depth is unknown: an error naming the entry */
	q(0x101180, 0x110001);                  /* 00:03.0 */
	q(0x101188, 0x405);
	bdf.dev = 3;
	size_t ne = ctx.errs.n;
	CHECK_EQ(iv_vtd_open(&mem, 0x100000, 0, &bdf, 0, &t, &pt, why, sizeof why), -1);
	CHECK_EQ(ctx.errs.n, ne + 1);
	CHECK(last_error_has("test-mem: context entry 0x0000000000000405:0x0000000000110001 at 0x101180: "
			     "reserved AW 5: the table depth is unknown"));
	/* TT 2: pass-through, no table (a reason, not an error) */
	q(0x101200, 0x110009);                  /* 00:04.0 */
	q(0x101208, 0x401);
	bdf.dev = 4;
	CHECK_EQ(iv_vtd_open(&mem, 0x100000, 0, &bdf, 0, &t, &pt, why, sizeof why), 1);
	CHECK(t.passthrough);
	CHECK(strstr(why, "pass-through (context entry at 0x101200 has TT=2)") != NULL);
	CHECK_EQ(ctx.errs.n, ne + 1);
}

/* ---- VT-d scalable, first level (x86 format), 4 levels ---- */

static void test_vtd_first_level(void)
{
	q(0x130000, 0x120001);                  /* root entry bus 0: lower context table */
	q(0x120300, 0x121001);                  /* scalable context 00:03.0: PASID dir, PDTS 0 */
	q(0x121000, 0x122001);                  /* PASID dir [0] */
	q(0x122000, 0x41);                      /* PASID 0: P, PGTT 1 */
	q(0x122008, 7);                         /* DID 7 */
	q(0x122010, 0x123000);                  /* FLPTR, FLPM 0: 4 levels */
	q(0x123000, 0x124007);
	q(0x124000, 0x125003);
	q(0x125000, 0x126003);
	q(0x125008, 0x8000000000800081ULL);     /* 2 MiB, XD, read only */
	q(0x126000, 0x700081);                  /* 4 KiB; bit 7 is PAT at level 1 */
	q(0x126008, 0x701002);                  /* P clear: not present */
	struct iv_bdf bdf = { 0, 0, 3, 0 };
	struct iv_table t;
	struct iv_pt pt;
	char why[256] = "";
	open_table(NULL, &t);
	CHECK_EQ(iv_vtd_open(&mem, 0x130000, 1, &bdf, 0, &t, &pt, why, sizeof why), 0);
	CHECK_EQ(t.mode, IV_MODE_SCALABLE);
	CHECK(t.first_level);
	CHECK_EQ(t.levels, 4);
	CHECK_EQ(t.root, 0x123000);
	struct got g;
	CHECK_EQ(walk(&pt, 0, UINT64_MAX, &g), 0);
	CHECK_STR(g.s, "0 0x1000 0x700000 r- 1, 0x200000 0x200000 0x800000 r- 2");
	/* PASID beyond the directory (PDTS 0: 128 entries of 64 PASIDs) */
	CHECK_EQ(iv_vtd_open(&mem, 0x130000, 1, &bdf, 128 * 64, &t, &pt, why, sizeof why), 1);
	CHECK(strstr(why, "is beyond the PASID directory") != NULL);
	/* FLPM 2 is reserved: unknown depth, an error naming the entry */
	q(0x122010, 0x123008);
	size_t ne = ctx.errs.n;
	CHECK_EQ(iv_vtd_open(&mem, 0x130000, 1, &bdf, 0, &t, &pt, why, sizeof why), -1);
	CHECK_EQ(ctx.errs.n, ne + 1);
	CHECK(last_error_has("PASID entry 0x0000000000123008:0x0000000000000041 at 0x122000: reserved FLPM 2: "
			     "the table depth is unknown"));
	q(0x122010, 0x123000);
}

/* ---- AMD-Vi v1: a skipped level, encoded page sizes replicated; v2 through GCR3 ---- */

static void test_amd(void)
{
	q(0x140400, 0x141603);                  /* DTE 00:04.0: V, TV, Mode 3, root 0x141000 */
	q(0x141000, 0x6000000000142201ULL);     /* L3[0]: NextLevel 1 (level 2 skipped) */
	q(0x141010, 0x600000013ffffe01ULL);     /* L3[2], L3[3]: one 2 GiB page at 0x80000000 */
	q(0x141018, 0x600000013ffffe01ULL);
	q(0x142000, 0x2000000000900001ULL);     /* L1[0]: 4 KiB, read only */
	for (int i = 16; i < 32; i++)           /* L1[16..31]: one 64 KiB page, write only */
		q(0x142000 + 8 * (uint64_t)i, 0x4000000000a07e01ULL);
	struct iv_bdf bdf = { 0, 0, 4, 0 };
	struct iv_table t;
	struct iv_pt pt;
	char why[256] = "";
	open_table(NULL, &t);
	CHECK_EQ(iv_amd_open(&mem, 0x140000, &bdf, 0, &t, &pt, why, sizeof why), 0);
	CHECK_EQ(t.vendor, IV_VENDOR_AMD);
	CHECK_EQ(t.mode, IV_MODE_AMD_V1);
	CHECK_EQ(t.levels, 3);
	struct got g;
	CHECK_EQ(walk(&pt, 0, UINT64_MAX, &g), 0);
	CHECK_STR(g.s, "0 0x1000 0x900000 r- 1, 0x10000 0x10000 0xa00000 -w 1, "
		       "0x80000000 0x80000000 0x100000000 rw 3");
	CHECK_EQ(walk(&pt, 0x1f000, 0x90000000, &g), 0);     /* the end of the 64 KiB page on */
	CHECK_STR(g.s, "0x10000 0x10000 0xa00000 -w 1, 0x80000000 0x80000000 0x100000000 rw 3");

	/* v2: DTE GV with a one-level GCR3 table at 0x143000 -> x86 table at 0x144000 */
	uint64_t gcr3 = 0x143000;
	q(0x140500, 0x3 | 1ULL << 55 | ((gcr3 >> 12) & 7) << 58);      /* 00:05.0: V, TV, GV, GLX 0 */
	q(0x140508, ((gcr3 >> 15) & 0xffff) << 16 | ((gcr3 >> 31) & 0x1fffff) << 43);
	q(0x143000, 0x144001);
	q(0x144000, 0x145003);
	q(0x145000, 0x146003);
	q(0x146000, 0x147003);
	q(0x147008, 0xb00003);                  /* 4 KiB at 0x1000 */
	bdf.dev = 5;
	open_table(NULL, &t);
	CHECK_EQ(iv_amd_open(&mem, 0x140000, &bdf, 0, &t, &pt, why, sizeof why), 0);
	CHECK_EQ(t.mode, IV_MODE_AMD_V2);
	CHECK_EQ(t.levels, 4);
	CHECK_EQ(t.root, 0x144000);
	CHECK_EQ(walk(&pt, 0, UINT64_MAX, &g), 0);
	CHECK_STR(g.s, "0x1000 0x1000 0xb00000 rw 1");
}

/* ---- hostile tables: cycle, a table reached twice, an unreadable page ---- */

static void test_hostile(void)
{
	struct iv_pt pt = { &mem, 0x150000, 3, iv_pte_vtd_sl };
	struct got g;
	q(0x150000, 0x151003);                  /* L3[0] -> L2 0x151000, L3[1] -> L2 0x152000 */
	q(0x150008, 0x152003);
	q(0x151000, 0x153003);                  /* both L2 tables -> the same L1 */
	q(0x152000, 0x153003);
	q(0x153000, 0x500003);
	size_t ne = ctx.errs.n;
	CHECK_EQ(walk(&pt, 0, UINT64_MAX, &g), -1);
	CHECK_EQ(ctx.errs.n, ne + 1);
	CHECK(last_error_has("table entry 0x0000000000153003 at physical 0x152000 (level 2) points to the table "
			     "at 0x153000 that the entry at physical 0x151000 already points to: a table reached twice"));
	CHECK_STR(g.s, "0 0x1000 0x500000 rw 1");   /* what came before the error */
	/* a range that reaches the shared table once is fine */
	CHECK_EQ(walk(&pt, 0x40000000, 0x40000fff, &g), 0);
	CHECK_STR(g.s, "0x40000000 0x1000 0x500000 rw 1");

	/* an entry pointing to the top-level table */
	q(0x151008, 0x150003);
	CHECK_EQ(walk(&pt, 0, 0x3fffff, &g), -1);
	CHECK(last_error_has("table entry 0x0000000000150003 at physical 0x151008 (level 2) points back to the "
			     "level-3 table at 0x150000: a cycle"));

	/* empty tables may be shared: nothing to walk twice */
	pt.root = 0x160000;
	q(0x160000, 0x161003);
	q(0x160008, 0x161003);
	q(0x161ff8, 0);                          /* the page exists, all zero */
	ne = ctx.errs.n;
	CHECK_EQ(walk(&pt, 0, UINT64_MAX, &g), 0);
	CHECK_EQ(g.n, 0);
	CHECK_EQ(ctx.errs.n, ne);

	/* a wide fan-out onto one table ends at the second entry: one table read each */
	pt.root = 0x170000;
	pt.levels = 5;
	for (int i = 0; i < 512; i++) {
		q(0x170000 + 8 * (uint64_t)i, 0x171003);
		q(0x171000 + 8 * (uint64_t)i, 0x172003);
		q(0x172000 + 8 * (uint64_t)i, 0x173003);
		q(0x173000 + 8 * (uint64_t)i, 0x174003);
		q(0x174000 + 8 * (uint64_t)i, 0x1000003 + 0x1000 * (uint64_t)i);
	}
	reads = 0;
	CHECK_EQ(walk(&pt, 0, UINT64_MAX, &g), -1);
	CHECK_EQ(g.n, 512);
	CHECK_EQ(reads, 5);
	CHECK(last_error_has("entry 0x0000000000174003 at physical 0x173008 (level 2) points to the table at "
			     "0x174000 that the entry at physical 0x173000 already points to"));

	/* a table in no page */
	pt.root = 0x150000;
	pt.levels = 3;
	q(0x151008, 0x1f0003);
	CHECK_EQ(walk(&pt, 0x200000, 0x3fffff, &g), -1);
	CHECK(last_error_has("reading the level-1 table at 0x1f0000 (entry 0x00000000001f0003 at 0x151008)"));
	/* a bad entry: PS at level 4 */
	struct iv_pt p4 = { &mem, 0x180000, 4, iv_pte_vtd_sl };
	q(0x180000, 0x40000083);
	CHECK_EQ(walk(&p4, 0, UINT64_MAX, &g), -1);
	CHECK(last_error_has("second-level entry 0x0000000040000083 at physical 0x180000: page-size bit set at level 4"));
	/* second level: bit 7 in a level-1 entry is an error here as in the debugfs parser */
	struct iv_pt p3 = { &mem, 0x190000, 3, iv_pte_vtd_sl };
	q(0x190000, 0x191003);
	q(0x191000, 0x192003);
	q(0x192008, 0x500083);
	CHECK_EQ(walk(&p3, 0, UINT64_MAX, &g), -1);
	CHECK(last_error_has("second-level entry 0x0000000000500083 at physical 0x192008 (level 1): level-1 entry "
			     "with the superpage bit 7"));
	/* the x86 format reads it as PAT: a 4 KiB leaf */
	p3.decode = iv_pte_x86;
	CHECK_EQ(walk(&p3, 0, UINT64_MAX, &g), 0);
	CHECK_STR(g.s, "0x1000 0x1000 0x500000 rw 1");
}

/* ---- the one VT-d decoder ---- */

static void test_decoder(void)
{
	struct iv_vtd_entry e;
	iv_vtd_decode_context(0x110001, 0x402, &e);
	CHECK(e.present);
	CHECK_EQ(e.kind, IV_VTD_TRANSLATE);
	CHECK_EQ(e.levels, 4);
	CHECK_EQ(e.pgd, 0x110000);
	CHECK_EQ(e.domain_id, 4);
	CHECK(e.reason == NULL);
	for (unsigned aw = 0; aw < 8; aw++) {   /* AW 0 and 4-7: reserved, depth unknown with the reason */
		iv_vtd_decode_context(0x110001, aw, &e);
		CHECK_EQ(e.levels, aw >= 1 && aw <= 3 ? aw + 2 : 0);
		if (aw < 1 || aw > 3) {
			CHECK(e.reason && !strcmp(e.reason, "reserved AW"));
			CHECK_EQ(e.reason_val, aw);
		}
	}
	iv_vtd_decode_context(0x11000d, 0x401, &e);    /* TT 3 */
	CHECK_EQ(e.kind, IV_VTD_RESERVED);
	CHECK(e.reason && !strcmp(e.reason, "reserved TT"));
	iv_vtd_decode_context(0x110009, 0x407, &e);    /* TT 2, reserved AW: still pass-through */
	CHECK_EQ(e.kind, IV_VTD_PASSTHROUGH);
	CHECK_EQ(e.levels, 0);
	iv_vtd_decode_context(0x110201, 0x401, &e);
	CHECK_EQ(e.rsvd, 0x200);
	iv_vtd_decode_pasid(0x1038a5089, 9, 0, &e);    /* formats.md §1.4 sample: AW 2, PGTT 2 */
	CHECK(e.present && e.scalable && !e.first_level);
	CHECK_EQ(e.kind, IV_VTD_TRANSLATE);
	CHECK_EQ(e.levels, 4);
	CHECK_EQ(e.pgd, 0x1038a5000);
	CHECK_EQ(e.domain_id, 9);
	iv_vtd_decode_pasid(0x41, 0, 0x8000000000123004ULL, &e);   /* PGTT 1, FLPM 1 */
	CHECK(e.first_level);
	CHECK_EQ(e.levels, 5);
	CHECK_EQ(e.pgd, 0x123000);
	iv_vtd_decode_pasid(0x41, 0, 0x12300c, &e);    /* FLPM 3 */
	CHECK_EQ(e.levels, 0);
	CHECK(e.reason && !strcmp(e.reason, "reserved FLPM"));
	CHECK_EQ(e.reason_val, 3);
	iv_vtd_decode_pasid(0x1019, 0, 0, &e);         /* PGTT 0, AW 6 */
	CHECK_EQ(e.kind, IV_VTD_RESERVED);
	CHECK(e.reason && !strcmp(e.reason, "reserved PGTT"));
	CHECK_EQ(e.levels, 0);
	iv_vtd_decode_pasid(0x109, 0, 0, &e);          /* PGTT 4 */
	CHECK_EQ(e.kind, IV_VTD_PASSTHROUGH);
	iv_vtd_decode_pasid(0x149, 0, 0, &e);          /* PGTT 5 */
	CHECK_EQ(e.kind, IV_VTD_RESERVED);

	struct iv_pte d;
	CHECK_EQ(iv_vtd_pte_decode(0x500083, 1, false, &d), IV_PTE_E_PS_L1);
	CHECK_EQ(iv_vtd_pte_decode(0x500083, 1, true, &d), IV_PTE_OK);   /* x86: PAT */
	CHECK_EQ(d.kind, IV_PTE_LEAF);
	CHECK_EQ(iv_vtd_pte_decode(0x40000083, 4, false, &d), IV_PTE_E_PS_HIGH);
	CHECK_EQ(iv_vtd_pte_decode(0x40000083, 5, true, &d), IV_PTE_E_PS_HIGH);
	CHECK_EQ(iv_vtd_pte_decode(0x500002, 1, false, &d), IV_PTE_OK);  /* SL: W alone is present */
	CHECK_EQ(d.kind, IV_PTE_LEAF);
	CHECK_EQ(d.perm, IV_PERM_W);
	CHECK_EQ(iv_vtd_pte_decode(0x500002, 1, true, &d), IV_PTE_OK);   /* x86: P clear */
	CHECK_EQ(d.kind, IV_PTE_NONE);
	CHECK_EQ(iv_vtd_pte_decode(0x8000000000600083ULL, 2, true, &d), IV_PTE_OK);
	CHECK_EQ(d.kind, IV_PTE_LEAF);
	CHECK_EQ(d.addr, 0x600000);
	CHECK_EQ(d.size, 0x200000);
	CHECK_EQ(d.perm, IV_PERM_R | IV_PERM_W);
	CHECK_EQ(iv_vtd_pte_decode(0x40200003, 2, false, &d), IV_PTE_OK);
	CHECK_EQ(d.kind, IV_PTE_TABLE);
	CHECK_EQ(d.addr, 0x40200000);
	CHECK_EQ(d.next_level, 1);
}

int main(void)
{
	test_vtd_legacy();
	test_vtd_first_level();
	test_amd();
	test_hostile();
	test_decoder();
	if (fails) {
		fprintf(stderr, "test-walk: %d failure(s)\n", fails);
		return 1;
	}
	printf("test-walk: all passed\n");
	return 0;
}
