/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-classify.c - table-driven unit tests of the pure page classifier
 * (src/verify/classify.c): one row per kind and per precedence rule. Each row
 * gives every fact about a page; the test hands them out only when the
 * classifier asks (as the driver does) and checks the verdict and which facts
 * were asked for (the hot path, a consistent exclusive page, reads only the
 * pagemap). */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "../src/verify/classify.h"

static int fails, rows;

enum sec { S_NONE, S_RAM, S_ROM, S_RAMD, S_RAM_NOHVA };
#define A_PM    (1u << IV_NEED_PAGEMAP)
#define A_FLAGS (1u << IV_NEED_FLAGS)
#define A_COUNT (1u << IV_NEED_COUNT)
#define A_BAR   (1u << IV_NEED_BAR)
#define A_ANY   0x80000000u     /* do not check what was asked */

#define PFN    0x1234ULL
#define OTHER  0x5678ULL
#define P      IV_PM_PRESENT
#define X      IV_PM_EXCLUSIVE
#define SW     IV_PM_SWAP
#define ZERO   (1ULL << IV_KPF_ZERO_PAGE)
#define NOPAGE (1ULL << IV_KPF_NOPAGE)
#define RAMF   0x28ULL          /* uptodate|lru: an ordinary RAM page */
#define R      IV_PERM_R
#define RW     (IV_PERM_R | IV_PERM_W)
#define FINDING(k) IV_PC_FINDING, IV_K_##k
#define CLASS(c)   IV_PC_##c, 0

struct row {
	int line;
	const char *what;
	enum sec sec;
	bool authoritative, reserved, zero_listed;
	unsigned perm;
	uint64_t pm;               /* pagemap entry at the page's HVA */
	int flags_rc; uint64_t flags;
	int count_rc; uint64_t count;
	bool in_bar;
	enum iv_page_class cls; enum iv_kind kind;
	unsigned asked;            /* exactly these facts were asked for (or A_ANY) */
};

#define ROW __LINE__
static const struct row T[] = {
	/* --- outside every section */
	{ ROW, "reserved region beats everything", S_NONE, true, true, true, RW, 0, 0, ZERO, 0, 0, false, CLASS(RESERVED), 0 },
	{ ROW, "known zero PFN, no kpageflags read", S_NONE, true, false, true, RW, 0, 0, 0, 0, 1, false, FINDING(ZERO_PAGE), 0 },
	{ ROW, "zero page by kpageflags", S_NONE, true, false, false, RW, 0, 0, ZERO, 0, 1, false, FINDING(ZERO_PAGE), A_FLAGS },
	{ ROW, "zero page beats orphaned pin", S_NONE, true, false, false, RW, 0, 0, ZERO, 0, 0, false, FINDING(ZERO_PAGE), A_FLAGS },
	{ ROW, "RAM mapped by nobody: orphaned pin", S_NONE, true, false, false, RW, 0, 0, RAMF, 0, 0, false, FINDING(ORPHANED_PIN), A_FLAGS | A_BAR | A_COUNT },
	{ ROW, "orphaned pin under an inferred map too", S_NONE, false, false, false, RW, 0, 0, RAMF, 0, 0, false, FINDING(ORPHANED_PIN), A_FLAGS | A_BAR | A_COUNT },
	{ ROW, "RAM mapped by someone, authoritative: unbacked", S_NONE, true, false, false, RW, 0, 0, RAMF, 0, 3, false, FINDING(UNBACKED), A_FLAGS | A_BAR | A_COUNT },
	{ ROW, "no kpagecount entry, authoritative: unbacked", S_NONE, true, false, false, RW, 0, 0, RAMF, 1, 0, false, FINDING(UNBACKED), A_FLAGS | A_BAR | A_COUNT },
	{ ROW, "NOPAGE, authoritative: unbacked, count not read", S_NONE, true, false, false, RW, 0, 0, NOPAGE, 0, 0, false, FINDING(UNBACKED), A_FLAGS },
	{ ROW, "beyond kpageflags, authoritative: unbacked", S_NONE, true, false, false, RW, 0, 1, 0, 0, 0, false, FINDING(UNBACKED), A_FLAGS },
	{ ROW, "in a BAR, count 0, authoritative: unbacked, not orphaned", S_NONE, true, false, false, RW, 0, 0, RAMF, 0, 0, true, FINDING(UNBACKED), A_FLAGS | A_BAR },
	{ ROW, "inferred: NOPAGE is MMIO", S_NONE, false, false, false, RW, 0, 0, NOPAGE, 0, 0, false, CLASS(MMIO), A_FLAGS },
	{ ROW, "inferred: beyond the last RAM PFN is MMIO", S_NONE, false, false, false, RW, 0, 1, 0, 0, 0, false, CLASS(MMIO), A_FLAGS },
	{ ROW, "inferred: RAM inside a PCI BAR is MMIO", S_NONE, false, false, false, RW, 0, 0, RAMF, 0, 2, true, CLASS(MMIO), A_FLAGS | A_BAR },
	{ ROW, "inferred: in a BAR with count 0 (P2PDMA page): MMIO, not orphaned", S_NONE, false, false, false, RW, 0, 0, RAMF, 0, 0, true, CLASS(MMIO), A_FLAGS | A_BAR },
	{ ROW, "inferred: RAM outside BARs is not comparable", S_NONE, false, false, false, RW, 0, 0, RAMF, 0, 2, false, CLASS(UNVERIFIED), A_FLAGS | A_BAR | A_COUNT },
	/* --- ramd section (device memory declared by the map) */
	{ ROW, "ramd: no RAM behind (NOPAGE): MMIO", S_RAMD, true, false, false, RW, 0, 0, NOPAGE, 0, 0, false, CLASS(MMIO), A_FLAGS },
	{ ROW, "ramd: beyond the last RAM PFN: MMIO", S_RAMD, true, false, false, RW, 0, 1, 0, 0, 0, false, CLASS(MMIO), A_FLAGS },
	{ ROW, "ramd: RAM inside a BAR: MMIO", S_RAMD, true, false, false, RW, 0, 0, RAMF, 0, 1, true, CLASS(MMIO), A_FLAGS | A_BAR },
	{ ROW, "ramd over RAM: stale", S_RAMD, true, false, false, RW, 0, 0, RAMF, 0, 1, false, FINDING(STALE), A_FLAGS | A_BAR },
	{ ROW, "ramd over RAM mapped by nobody: stale", S_RAMD, true, false, false, RW, 0, 0, RAMF, 0, 0, false, FINDING(STALE), A_FLAGS | A_BAR },
	{ ROW, "ramd over the zero page: zero_page", S_RAMD, true, false, false, RW, 0, 0, ZERO, 0, 1, false, FINDING(ZERO_PAGE), A_FLAGS },
	{ ROW, "ramd in a reserved region is still verified", S_RAMD, true, true, false, RW, 0, 0, RAMF, 0, 1, false, FINDING(STALE), A_FLAGS | A_BAR },
	{ ROW, "ramd: known zero PFN, no kpageflags read", S_RAMD, true, false, true, RW, 0, 0, 0, 0, 1, false, FINDING(ZERO_PAGE), 0 },
	{ ROW, "ramd under an inferred map: same rules (RAM in no BAR: stale)", S_RAMD, false, false, false, RW, 0, 0, RAMF, 0, 1, false, FINDING(STALE), A_FLAGS | A_BAR },
	/* --- ram section without a host address */
	{ ROW, "no HVA: not comparable", S_RAM_NOHVA, true, false, false, RW, 0, 0, RAMF, 0, 1, false, CLASS(UNVERIFIED), A_FLAGS },
	{ ROW, "no HVA, zero page: zero_page", S_RAM_NOHVA, true, false, false, RW, 0, 0, ZERO, 0, 1, false, FINDING(ZERO_PAGE), A_FLAGS },
	/* --- ram/rom section with a host address */
	{ ROW, "same PFN, exclusive: consistent, only pagemap read", S_RAM, true, false, false, RW, P | X | PFN, 0, ZERO, 0, 0, false, CLASS(OK), A_PM },
	{ ROW, "same PFN, shared, not zero: consistent", S_RAM, true, false, false, RW, P | PFN, 0, RAMF, 0, 2, false, CLASS(OK), A_PM | A_FLAGS },
	{ ROW, "same PFN, shared zero page: zero_page_consistent", S_RAM, true, false, false, RW, P | PFN, 0, ZERO, 0, 9, false, FINDING(ZERO_PAGE_CONSISTENT), A_PM | A_FLAGS },
	{ ROW, "same PFN, known zero PFN: zero_page_consistent", S_RAM, true, false, true, RW, P | PFN, 0, 0, 0, 9, false, FINDING(ZERO_PAGE_CONSISTENT), A_PM },
	{ ROW, "rom, write granted: permission", S_ROM, true, false, false, RW, P | X | PFN, 0, RAMF, 0, 1, false, FINDING(PERMISSION), A_PM },
	{ ROW, "rom, read only: consistent", S_ROM, true, false, false, R, P | X | PFN, 0, RAMF, 0, 1, false, CLASS(OK), A_PM },
	{ ROW, "zero_page_consistent beats permission", S_ROM, true, false, false, RW, P | PFN, 0, ZERO, 0, 1, false, FINDING(ZERO_PAGE_CONSISTENT), A_PM | A_FLAGS },
	{ ROW, "other PFN: stale", S_RAM, true, false, false, RW, P | X | OTHER, 0, RAMF, 0, 1, false, FINDING(STALE), A_PM | A_FLAGS },
	{ ROW, "other PFN, IOMMU on the zero page: zero_page", S_RAM, true, false, false, RW, P | X | OTHER, 0, ZERO, 0, 1, false, FINDING(ZERO_PAGE), A_PM | A_FLAGS },
	{ ROW, "stale beats permission", S_ROM, true, false, false, RW, P | OTHER, 0, RAMF, 0, 1, false, FINDING(STALE), A_PM | A_FLAGS },
	{ ROW, "stale beats orphaned pin (count 0)", S_RAM, true, false, false, RW, P | OTHER, 0, RAMF, 0, 0, false, FINDING(STALE), A_PM | A_FLAGS },
	{ ROW, "stale to a PFN without RAM is still stale", S_RAM, true, false, false, RW, P | OTHER, 0, NOPAGE, 0, 0, true, FINDING(STALE), A_PM | A_FLAGS },
	{ ROW, "CPU page not present: cpu_not_present", S_RAM, true, false, false, RW, 0, 0, RAMF, 0, 1, false, FINDING(CPU_NOT_PRESENT), A_PM | A_FLAGS },
	{ ROW, "CPU page swapped: cpu_not_present", S_RAM, true, false, false, RW, SW | 0x77, 0, RAMF, 0, 1, false, FINDING(CPU_NOT_PRESENT), A_PM | A_FLAGS },
	{ ROW, "CPU page not present, IOMMU zero page: zero_page first", S_RAM, false, false, false, R, 0, 0, ZERO, 0, 1, false, FINDING(ZERO_PAGE), A_PM | A_FLAGS },
	{ ROW, "CPU page swapped, IOMMU zero page: zero_page", S_ROM, true, false, true, R, SW, 0, 0, 0, 1, false, FINDING(ZERO_PAGE), A_PM },
	{ ROW, "present and swap bits: treated as swapped", S_RAM, true, false, false, RW, P | SW | PFN, 0, RAMF, 0, 1, false, FINDING(CPU_NOT_PRESENT), A_PM | A_FLAGS },
	{ ROW, "reserved inside a section: classified as RAM", S_RAM, true, true, false, RW, P | X | OTHER, 0, RAMF, 0, 1, false, FINDING(STALE), A_PM | A_FLAGS },
	{ ROW, "in a BAR but in a RAM section and consistent: OK", S_RAM, false, false, false, RW, P | X | PFN, 0, NOPAGE, 0, 0, true, CLASS(OK), A_PM },
};

static void run_row(const struct row *t)
{
	static const struct iv_gpa_section secs[] = {
		[S_RAM] = { .gpa = 0x100000, .size = 0x100000, .hva = 0x7f0000000000, .name = "pc.ram",
			    .type = IV_SEC_RAM, .have_hva = true },
		[S_ROM] = { .gpa = 0x100000, .size = 0x100000, .hva = 0x7f0000000000, .name = "pc.bios",
			    .type = IV_SEC_ROM, .readonly = true, .have_hva = true },
		[S_RAMD] = { .gpa = 0x100000, .size = 0x100000, .hva = 0x7f0000000000, .name = "BAR 0",
			     .type = IV_SEC_RAMD, .have_hva = true },
		[S_RAM_NOHVA] = { .gpa = 0x100000, .size = 0x100000, .name = "pc.ram", .type = IV_SEC_RAM },
	};
	struct iv_page_facts f = {
		.iova = 0x123000, .pfn = PFN, .perm = t->perm, .reserved = t->reserved,
		.sec = t->sec == S_NONE ? NULL : &secs[t->sec],
		.map_authoritative = t->authoritative, .zero_listed = t->zero_listed,
	};
	struct iv_page_verdict v;
	unsigned asked = 0;
	enum iv_need n;
	int steps = 0;
	rows++;
	while ((n = iv_classify(&f, &v)) != IV_NEED_NONE) {
		if (asked & (1u << n) || ++steps > 8) {
			fprintf(stderr, "FAIL line %d (%s): asked twice for fact %d\n", t->line, t->what, n);
			fails++;
			return;
		}
		asked |= 1u << n;
		switch (n) {
		case IV_NEED_PAGEMAP:
			if (v.hva != 0x7f0000023000) {
				fprintf(stderr, "FAIL line %d (%s): pagemap asked at %#llx\n", t->line, t->what,
					(unsigned long long)v.hva);
				fails++;
			}
			f.have_pm = true; f.pm = t->pm; break;
		case IV_NEED_FLAGS: f.have_flags = true; f.flags_rc = t->flags_rc; f.flags = t->flags; break;
		case IV_NEED_COUNT: f.have_count = true; f.count_rc = t->count_rc; f.count = t->count; break;
		case IV_NEED_BAR: f.have_bar = true; f.in_bar = t->in_bar; break;
		case IV_NEED_NONE: break;
		}
	}
	bool bad = v.cls != t->cls || (t->cls == IV_PC_FINDING && v.kind != t->kind) ||
		   (!(t->asked & A_ANY) && asked != t->asked);
	if (bad) {
		fprintf(stderr, "FAIL line %d (%s): class %d kind %s asked %#x, expected class %d kind %s asked %#x\n",
			t->line, t->what, v.cls, v.cls == IV_PC_FINDING ? iv_kinds[v.kind].name : "-", asked,
			t->cls, t->cls == IV_PC_FINDING ? iv_kinds[t->kind].name : "-", t->asked);
		fails++;
	}
	/* the CPU PFN is reported exactly when a present pagemap entry was read */
	bool want_cpu = f.have_pm && (t->pm & P) && !(t->pm & SW);
	if (v.have_cpu_pfn != want_cpu || (want_cpu && v.cpu_pfn != (t->pm & IV_PM_PFN_MASK))) {
		fprintf(stderr, "FAIL line %d (%s): cpu pfn %d %#llx\n", t->line, t->what, v.have_cpu_pfn,
			(unsigned long long)v.cpu_pfn);
		fails++;
	}
	if (v.zero != (t->cls == IV_PC_FINDING && (t->kind == IV_K_ZERO_PAGE || t->kind == IV_K_ZERO_PAGE_CONSISTENT))) {
		fprintf(stderr, "FAIL line %d (%s): zero flag %d\n", t->line, t->what, v.zero);
		fails++;
	}
}

static const struct { enum iv_kind a, b, worse; } W[] = {
	{ IV_K_STALE, IV_K_ZERO_PAGE, IV_K_ZERO_PAGE },          /* same severity: the earlier kind */
	{ IV_K_ZERO_PAGE, IV_K_STALE, IV_K_ZERO_PAGE },
	{ IV_K_STALE, IV_K_CPU_NOT_PRESENT, IV_K_STALE },        /* critical over warning */
	{ IV_K_CPU_NOT_PRESENT, IV_K_STALE, IV_K_STALE },
	{ IV_K_ZERO_PAGE_CONSISTENT, IV_K_ORPHANED_PIN, IV_K_ORPHANED_PIN },
	{ IV_K_PERMISSION, IV_K_CPU_NOT_PRESENT, IV_K_CPU_NOT_PRESENT },
	{ IV_K_UNBACKED, IV_K_ZERO_PAGE_CONSISTENT, IV_K_ZERO_PAGE_CONSISTENT },
	{ IV_K_ORPHANED_PIN, IV_K_ORPHANED_PIN, IV_K_ORPHANED_PIN },
};

int main(void)
{
	for (size_t i = 0; i < sizeof T / sizeof T[0]; i++)
		run_row(&T[i]);
	for (size_t i = 0; i < sizeof W / sizeof W[0]; i++) {
		rows++;
		enum iv_kind k = iv_kind_worse(W[i].a, W[i].b);
		if (k != W[i].worse) {
			fprintf(stderr, "FAIL worse(%s, %s) = %s, expected %s\n", iv_kinds[W[i].a].name,
				iv_kinds[W[i].b].name, iv_kinds[k].name, iv_kinds[W[i].worse].name);
			fails++;
		}
	}
	/* every kind is reached by some row */
	for (int k = 0; k < IV_NKINDS; k++) {
		bool seen = false;
		for (size_t i = 0; i < sizeof T / sizeof T[0]; i++)
			seen |= T[i].cls == IV_PC_FINDING && (int)T[i].kind == k;
		if (!seen) {
			fprintf(stderr, "FAIL no row for kind %s\n", iv_kinds[k].name);
			fails++;
		}
	}
	printf("test-classify: %d rows, %d failures\n", rows, fails);
	return fails ? 1 : 0;
}
