/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-host.c - unit tests of the host side (procfs, pagemap, kpage*, GPA maps).
 *
 * Without arguments: the unit tests (uses $top_srcdir/tests/data, writes below
 * $top_builddir/tests/tmp/test-host). With arguments, a driver for the shell tests:
 *   test-host procs ROOT [PID...]        processes with VFIO devices
 *   test-host qmp SOCKET [TIMEOUT [PID [ROOT]]]  iv_gpamap_from_qmp (PID: peer and maps checks)
 *   test-host gpamap FILE                 iv_gpamap_from_file
 *   test-host infer ROOT PID SAMPLES      iv_gpamap_infer ("IOVA PFN" lines; pagemap
 *                                         entries read on stderr)
 * Sections print as "GPA SIZE TYPE RO OFFSET HVA|- NAME"; exit 3 on error. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "gpamap.h"
#include "host.h"

static struct iv_run ctx = { .opt = { .root = "", .timeout = 5.0 } };
static struct iv_run *const run = &ctx;   /* the run every call below passes */
static int fails;

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); fails++; } } while (0)
#define CHECK_EQ(a, b) do { unsigned long long a_ = (a), b_ = (b); if (a_ != b_) { \
	fprintf(stderr, "FAIL %s:%d: %s = %#llx, expected %#llx\n", __FILE__, __LINE__, #a, a_, b_); fails++; } } while (0)

static char tmp[4096], data[4096];

/* The last error message contains s. */
static bool last_error_has(const char *s)
{
	return ctx.errs.n && strstr(ctx.errs.v[ctx.errs.n - 1], s);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(99);
	}
	char *buf = iv_xmalloc(1 << 20);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static void put_file(const char *rel, const char *text)
{
	char p[8192], cmd[8300];
	snprintf(p, sizeof p, "%s/%s", tmp, rel);
	snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", p);
	if (system(cmd) != 0)
		exit(99);
	FILE *f = fopen(p, "w");
	if (!f)
		exit(99);
	fputs(text, f);
	fclose(f);
}

static void put_u64(const char *rel, uint64_t idx, uint64_t val)
{
	char p[8192];
	snprintf(p, sizeof p, "%s/%s", tmp, rel);
	int fd = open(p, O_WRONLY | O_CREAT, 0644);
	if (fd < 0 || pwrite(fd, &val, 8, (off_t)(idx * 8)) != 8)
		exit(99);
	close(fd);
}

static void print_map(const struct iv_gpa_map *m)
{
	static const char *const types[] = { "ram", "rom", "ramd" };
	for (size_t i = 0; i < m->n; i++) {
		const struct iv_gpa_section *s = &m->v[i];
		printf("%#llx %#llx %s %s %#llx ", (unsigned long long)s->gpa, (unsigned long long)s->size,
		       types[s->type], s->readonly ? "ro" : "rw", (unsigned long long)s->offset);
		if (s->have_hva)
			printf("%#llx", (unsigned long long)s->hva);
		else
			printf("-");
		printf(" %s\n", s->name);
	}
}

/* ---- info mtree -f ---- */
static void test_mtree_capture(void)
{
	char p[8192];
	struct iv_gpa_map m;
	snprintf(p, sizeof p, "%s/qmp-intel-host/info-mtree-f.txt", data);
	char *text = slurp(p);
	CHECK(iv_mtree_parse(run, text, "capture", &m) == 0);
	CHECK_EQ(m.n, 8);   /* FlatView #7: 4 ram + 4 rom rows, 17 i/o rows skipped */
	if (m.n == 8) {
		CHECK(!strcmp(m.v[7].name, "pc.bios"));
		CHECK_EQ(m.v[7].gpa, 0xfffc0000);
		CHECK_EQ(m.v[7].size, 0x40000);
		CHECK_EQ(m.v[7].type, IV_SEC_ROM);
		CHECK(m.v[7].readonly);
		CHECK_EQ(m.v[7].offset, 0);
		CHECK(!strcmp(m.v[1].name, "pc.ram"));
		CHECK_EQ(m.v[1].gpa, 0xc0000);
		CHECK_EQ(m.v[1].size, 0x1000);
		CHECK_EQ(m.v[1].type, IV_SEC_ROM);
		CHECK_EQ(m.v[1].offset, 0xc0000);
		CHECK_EQ(m.v[6].gpa, 0x100000);
		CHECK_EQ(m.v[6].size, 0x3ff00000);
		CHECK_EQ(m.v[6].type, IV_SEC_RAM);
		CHECK(!m.v[6].readonly);
		unsigned ram = 0, rom = 0;
		for (size_t i = 0; i < m.n; i++)
			m.v[i].type == IV_SEC_RAM ? ram++ : rom++;
		CHECK_EQ(ram, 4);
		CHECK_EQ(rom, 4);
		const struct iv_gpa_section *s = iv_gpamap_find(&m, 0xfffff000);
		CHECK(s == &m.v[7]);
		CHECK(iv_gpamap_find(&m, 0x40000000) == NULL);
		CHECK(iv_gpamap_find(&m, 0xc1fff) == &m.v[2]);
	}
	iv_gpamap_free(&m);
	free(text);
}

static void test_mtree_synth(void)
{
	struct iv_gpa_map m;
	const char *t =
		"FlatView #0\r\n"
		" AS \"memory\", root: system\r\n"
		" Root memory region: system\r\n"
		"  0000000000000000-000000000009ffff (prio 0, ram): pc.ram kvm\r\n"
		"  00000000000a0000-00000000000bffff (prio 1, i/o): vga-lowmem\r\n"
		"  00000000000c0000-00000000000c0fff (prio 0, rom): pc.ram @00000000000c0000 KVM\r\n"
		"  00000000febc0000-00000000febc0fff (prio 0, ramd): 0000:00:1a.0 BAR 0 mmaps[0] kvm\r\n"
		"  00000000ffc00000-00000000ffffffff (prio 0, romd): system.flash0 KVM\r\n"
		"  0000000100000000-000000013fffffff (prio 0, nv-ram): pc.ram @00000000c0000000 KVM\r\n"
		"  0000000140000000-0000000140000fff (prio 0, ram): my kvm-ish name tcgx\r\n"
		"\r\n"
		"FlatView #1\r\n"
		" AS \"I/O\", root: io\r\n";
	CHECK(iv_mtree_parse(run, t, "synth", &m) == 0);
	CHECK_EQ(m.n, 5);
	if (m.n == 5) {
		CHECK(!strcmp(m.v[0].name, "pc.ram"));
		CHECK(!strcmp(m.v[1].name, "pc.ram"));
		CHECK_EQ(m.v[1].offset, 0xc0000);
		CHECK(!strcmp(m.v[2].name, "0000:00:1a.0 BAR 0 mmaps[0]"));
		CHECK_EQ(m.v[2].type, IV_SEC_RAMD);
		CHECK_EQ(m.v[3].gpa, 0x100000000ULL);
		CHECK_EQ(m.v[3].offset, 0xc0000000ULL);
		CHECK_EQ(m.v[3].type, IV_SEC_RAM);
		CHECK(!strcmp(m.v[4].name, "my kvm-ish name tcgx"));
	}
	iv_gpamap_free(&m);

	/* malformed row in the memory view: error naming origin and line */
	CHECK(iv_mtree_parse(run, "FlatView #0\n AS \"memory\", root: system\n Root memory region: system\n"
			     "  0000000000000000-00000000000bffff (prio 0, ram): pc.ram\n"
			     "  0000000000100000-zz (prio 0, ram): pc.ram\n", "bad", &m) == -1);
	CHECK(last_error_has("bad:5: cannot parse flatview row"));
	CHECK(iv_mtree_parse(run, "FlatView #0\n AS \"memory\", root: system\n"
			     "  0000000000000000-00000000000bffff (prio 0, weird): pc.ram\n", "bad", &m) == -1);
	CHECK(last_error_has("bad:3:"));
	CHECK(iv_mtree_parse(run, "FlatView #0\n AS \"I/O\", root: io\n", "noas", &m) == -1);
	CHECK(last_error_has("noas: no FlatView for AS \"memory\""));
	CHECK(iv_mtree_parse(run, "Hello world\n", "junk", &m) == -1);
	CHECK(last_error_has("junk:1: not an 'info mtree -f' line"));
	CHECK(iv_mtree_parse(run, "FlatView #0\n AS \"memory\", root: system\n"
			     "  0000000000000000-00000000000bffff (prio 0, ram): a\n"
			     "  0000000000001000-0000000000001fff (prio 0, ram): b\n", "ovl", &m) == -1);
	CHECK(last_error_has("ovl: sections 'a'"));
}

/* ---- info ramblock ---- */
static void test_ramblock(void)
{
	char p[8192];
	struct iv_ramblock *rb;
	size_t n;
	snprintf(p, sizeof p, "%s/qmp-intel-host/info-ramblock.txt", data);
	char *text = slurp(p);
	CHECK(iv_ramblock_parse(run, text, "capture", &rb, &n) == 0);
	CHECK_EQ(n, 7);
	if (n == 7) {
		CHECK(!strcmp(rb[0].name, "pc.ram"));
		CHECK_EQ(rb[0].used, 0x40000000);
		CHECK(!strcmp(rb[1].name, "/rom@etc/acpi/tables"));
		CHECK_EQ(rb[1].offset, 0x400c0000);
		CHECK_EQ(rb[1].total, 0x200000);
		CHECK(!strcmp(rb[3].name, "0000:00:01.0/e1000e.rom"));
		CHECK(!strcmp(rb[2].name, "pc.bios"));
		CHECK_EQ(rb[2].offset, 0x40000000);
		CHECK(!rb[2].have_hva);
		free(rb);
	}
	free(text);
	const char *v8 =
		"              Block Name    PSize              Offset               Used              Total                HVA  RO\r\n"
		"                  pc.ram    4 KiB  0x0000000000000000 0x0000000008000000 0x0000000008000000 0x00007f684fe00000  rw\r\n"
		"   0000:00:02.0/vga.vram    4 KiB  0x0000000008080000 0x0000000001000000 0x0000000001000000 0x00007f684e800000  rw\r\n"
		"                 pc.bios    4 KiB  0x0000000008000000 0x0000000000040000 0x0000000000040000 0x00007f68dc200000  ro\r\n"
		"               ram-node0    2 MiB  0x0000000009200000 0x0000000040000000 0x0000000040000000 0x00007f6000000000  rw\r\n";
	CHECK(iv_ramblock_parse(run, v8, "v8", &rb, &n) == 0);
	CHECK_EQ(n, 4);
	if (n == 4) {
		CHECK(!strcmp(rb[1].name, "0000:00:02.0/vga.vram"));
		CHECK(rb[2].have_hva && rb[2].readonly);
		CHECK_EQ(rb[2].hva, 0x7f68dc200000);
		CHECK(!rb[0].readonly);
		CHECK_EQ(rb[3].used, 0x40000000);
		free(rb);
	}
	CHECK(iv_ramblock_parse(run, "              Block Name    PSize              Offset               Used              Total\n"
				"    pc.ram    4 KiB  0x0 0xzz 0x0\n", "rbbad", &rb, &n) == -1);
	CHECK(last_error_has("rbbad:2: cannot parse RAM block row"));
	CHECK(iv_ramblock_parse(run, "", "rbempty", &rb, &n) == -1);
	CHECK(last_error_has("rbempty: empty"));
}

/* ---- --gpa-map FILE ---- */
static int gpamap_text(const char *name, const char *json, struct iv_gpa_map *m)
{
	char rel[256], p[8192];
	snprintf(rel, sizeof rel, "gpamap/%s", name);
	put_file(rel, json);
	snprintf(p, sizeof p, "%s/%s", tmp, rel);
	return iv_gpamap_from_file(run, p, m);
}

static void test_gpamap_file(void)
{
	struct iv_gpa_map m;
	CHECK(gpamap_text("ok.json",
			  "[{\"gpa\":\"0xfffc0000\",\"size\":\"0x40000\",\"hva\":\"0x7f170e400000\",\"name\":\"pc.bios\",\"readonly\":true},"
			  " {\"gpa\":\"0x0\",\"size\":\"0x80000000\",\"hva\":\"0x7f0000000000\",\"name\":\"pc.ram\",\"readonly\":false},"
			  " {\"gpa\":\"0xfea00000\",\"size\":\"0x1000\",\"name\":\"bar\",\"type\":\"ramd\"}]", &m) == 0);
	CHECK_EQ(m.n, 3);
	CHECK(!strcmp(m.how, "file"));
	if (m.n == 3) {
		CHECK(!strcmp(m.v[0].name, "pc.ram"));
		CHECK_EQ(m.v[2].type, IV_SEC_ROM);
		CHECK(m.v[2].readonly && m.v[2].have_hva);
		CHECK_EQ(m.v[1].type, IV_SEC_RAMD);
		CHECK(!m.v[1].have_hva);
		const struct iv_gpa_section *s = iv_gpamap_find(&m, 0x7fffffff);
		CHECK(s == &m.v[0]);
		CHECK(iv_gpamap_find(&m, 0x80000000) == NULL);
	}
	iv_gpamap_free(&m);
	CHECK(gpamap_text("badhex.json", "[{\"gpa\":\"0x0\",\"size\":\"0x1000\",\"hva\":\"0x1000\"},{\"gpa\":\"0xzz\",\"size\":\"0x1000\"}]", &m) == -1);
	CHECK(last_error_has("gpamap/badhex.json: element 1: field 'gpa': '0xzz' is not a number"));
	CHECK(gpamap_text("unk.json", "[{\"gpa\":\"0x0\",\"size\":\"0x1000\",\"colour\":1}]", &m) == -1);
	CHECK(last_error_has("element 0: unknown field 'colour'"));
	CHECK(gpamap_text("type.json", "[{\"gpa\":\"0x0\",\"size\":\"0x1000\",\"type\":\"i/o\"}]", &m) == -1);
	CHECK(last_error_has("element 0: field 'type': 'i/o' is not ram, rom or ramd"));
	CHECK(gpamap_text("nosize.json", "[{\"gpa\":\"0x0\"}]", &m) == -1);
	CHECK(last_error_has("element 0: 'gpa' and 'size' are required"));
	CHECK(gpamap_text("ovl.json", "[{\"gpa\":\"0x0\",\"size\":\"0x2000\",\"name\":\"a\",\"hva\":\"0x10000\"},{\"gpa\":\"0x1000\",\"size\":\"0x1000\",\"name\":\"b\",\"hva\":\"0x20000\"}]", &m) == -1);
	CHECK(last_error_has("sections 'a' [0-0x1fff] and 'b' [0x1000-0x1fff] overlap"));
	CHECK(gpamap_text("obj.json", "{\"gpa\":\"0x0\"}", &m) == -1);
	CHECK(last_error_has("must be a JSON array"));
	CHECK(gpamap_text("broken.json", "[{\"gpa\":", &m) == -1);
	CHECK(last_error_has("gpamap/broken.json:1:9: cannot read the GPA map: not valid JSON"));
	/* issue 12.7 / 13.8: validated while parsing, positions named */
	CHECK(gpamap_text("empty.json", " [ ]\n", &m) == -1);
	CHECK(last_error_has("gpamap/empty.json: the GPA map has no sections"));
	CHECK(gpamap_text("nohva.json", "[{\"gpa\":\"0x0\",\"size\":\"0x1000\",\"name\":\"pc.ram\"}]", &m) == -1);
	CHECK(last_error_has("element 0: ram section 'pc.ram' has no 'hva' (only ramd sections may omit it) (line 1, column 2)"));
	CHECK(gpamap_text("unal.json", "[\n {\"gpa\":\"0x0\",\"size\":\"0x1800\",\"hva\":\"0x7f0000000000\"}]", &m) == -1);
	CHECK(last_error_has("element 0: gpa 0, size 0x1800 or hva 0x7f0000000000 is not a multiple of 4 KiB (line 2, column 2)"));
	CHECK(gpamap_text("hvawrap.json", "[{\"gpa\":\"0x0\",\"size\":\"0x2000\",\"hva\":\"0xfffffffffffff000\"}]", &m) == -1);
	CHECK(last_error_has("element 0: hva 0xfffffffffffff000 + size 0x2000 wraps"));
	CHECK(gpamap_text("bigint.json", "[{\"gpa\":0,\"hva\":4096,\n  \"size\":18446744073709551616}]", &m) == -1);
	CHECK(last_error_has("element 0: integer 18446744073709551616 out of range (above INT64_MAX"));
	CHECK(gpamap_text("bigint2.json", "[{\"gpa\":0,\"hva\":4096,\"size\":9223372036854775808}]", &m) == -1);
	CHECK(last_error_has("integer 9223372036854775808 out of range"));
	CHECK(gpamap_text("maxint.json", "[{\"gpa\":0,\"hva\":4096,\"size\":9223372036854775807}]", &m) == -1);
	CHECK(last_error_has("is not a multiple of 4 KiB"));   /* in range: parsed, then refused as unaligned */
	CHECK(gpamap_text("nest.json", "[{\"gpa\":[0,1],\"size\":\"0x1000\"}]", &m) == -1);
	CHECK(last_error_has("element 0: a nested object or array"));
	CHECK(gpamap_text("arr.json", "[[],[]]", &m) == -1);
	CHECK(last_error_has("arr.json: element 0: not an object (line 1, column 2)"));
	CHECK(gpamap_text("syntax.json", "[{\"gpa\":\"0x0\",\"size\":\"0x1000\",\"hva\":\"0x1000\"},\n\n   {\"gpa\" \"0x2000\"}]", &m) == -1);
	CHECK(last_error_has("gpamap/syntax.json:3:11: cannot read the GPA map: not valid JSON"));
	CHECK(gpamap_text("comma.json", "[{\"gpa\":\"0x0\",\"size\":\"0x1000\",\"hva\":\"0x1000\"} {}]", &m) == -1);
	CHECK(last_error_has("comma.json:1:47: cannot read the GPA map: not valid JSON: expected ',' or ']'"));
	CHECK(gpamap_text("trail.json", "[{\"gpa\":\"0x0\",\"size\":\"0x1000\",\"hva\":\"0x1000\"}] x", &m) == -1);
	CHECK(last_error_has("trail.json:1:48: cannot read the GPA map: not valid JSON: data after the array"));
	CHECK(gpamap_text("tcomma.json", "[{\"gpa\":\"0x0\",\"size\":\"0x1000\",\"hva\":\"0x1000\"},]", &m) == -1);
	CHECK(last_error_has("tcomma.json: element 1: not an object"));
	CHECK(gpamap_text("fields.json", "[{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,\"h\":1,\"i\":1,\"j\":1,"
			  "\"k\":1,\"l\":1,\"m\":1,\"n\":1,\"o\":1,\"p\":1,\"q\":1}]", &m) == -1);
	CHECK(last_error_has("element 0: more than 16 fields"));
	CHECK(gpamap_text("ramd.json", "[{\"gpa\":\"0xfea00000\",\"size\":4096,\"type\":\"ramd\"}]", &m) == 0);
	CHECK_EQ(m.n, 1);
	iv_gpamap_free(&m);
}

/* ---- pagemap and kpage* over sparse files below a root ---- */
static void test_pagemap(void)
{
	ctx.opt.root = tmp;
	put_file("proc/77/maps", "");
	put_file("proc/77/pagemap", "");
	for (uint64_t i = 0; i < 10000; i++)   /* every 3rd page present, PFN 0x1000+i (page 7: PFN 0) */
		if (i % 3 == 0)
			put_u64("proc/77/pagemap", i, IV_PM_PRESENT | (i == 9 ? 0 : 0x1000 + i));
	put_u64("proc/77/pagemap", 20000, IV_PM_PRESENT | 0x5);   /* the file goes on past page 12287 */
	struct iv_pagemap *pm = iv_pagemap_open(run, 77);
	CHECK(pm != NULL);
	if (!pm)
		return;
	ctx.st.pagemap_reads = ctx.st.pagemap_entries = 0;
	uint64_t e, bad = 0;
	for (uint64_t i = 0; i < 10000; i++) {
		if (iv_pagemap_get(pm, i * IV_PAGE_SIZE + 123, &e))
			bad++;
		uint64_t want = i % 3 ? 0 : IV_PM_PRESENT | (i == 9 ? 0 : 0x1000 + i);
		if (e != want)
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(ctx.st.pagemap_reads, 3);      /* 10000 sequential entries: 3 windows of 4096 */
	CHECK_EQ(ctx.st.pagemap_entries, 10000);
	uint64_t present, zero;
	iv_pagemap_counts(pm, &present, &zero);
	CHECK_EQ(present, 3334);
	CHECK_EQ(zero, 1);
	CHECK(iv_pagemap_get(pm, 0, &e) == 0);   /* back to window 0: one more pread */
	CHECK_EQ(ctx.st.pagemap_reads, 4);
	CHECK(iv_pagemap_get(pm, 20000 * IV_PAGE_SIZE, &e) == 0);
	CHECK_EQ(e, IV_PM_PRESENT | 0x5);
	CHECK(iv_pagemap_get(pm, 0x7fff00000000ULL, &e) == 0);   /* past EOF: not present */
	CHECK_EQ(e, 0);
	iv_pagemap_invalidate(pm);
	uint64_t before = ctx.st.pagemap_reads;
	CHECK(iv_pagemap_get(pm, 20000 * IV_PAGE_SIZE, &e) == 0);
	CHECK_EQ(ctx.st.pagemap_reads, before + 2);   /* the window at EOF: short read, then 0 */
	iv_pagemap_close(pm);
	CHECK(iv_pagemap_open(run, 78) == NULL);
	CHECK(last_error_has("/proc/78/pagemap: No such file"));

	put_file("proc/kpageflags", "");
	put_file("proc/kpagecount", "");
	put_u64("proc/kpageflags", 0x493ad, 0x101000000ULL);
	put_u64("proc/kpageflags", 0x493ae, 0x400005828ULL);
	put_u64("proc/kpagecount", 0x493ae, 1);
	put_u64("proc/kpagecount", 0x493ad, 0);
	put_u64("proc/kpageflags", 0x50000, 0x400005828ULL);   /* files end at PFN 0x50000 */
	put_u64("proc/kpagecount", 0x50000, 1);
	struct iv_kpage *k = iv_kpage_open(run);
	CHECK(k != NULL);
	if (!k)
		return;
	uint64_t f = 0, c = 7;
	ctx.st.kpage_reads = 0;
	CHECK(iv_kpage_flags(k, 0x493ad, &f) == 0);
	CHECK_EQ(f, 0x101000000ULL);
	CHECK(f >> IV_KPF_ZERO_PAGE & 1);
	CHECK(iv_kpage_flags(k, 0x493ae, &f) == 0);
	CHECK_EQ(f, 0x400005828ULL);
	CHECK(iv_kpage_count(k, 0x493ad, &c) == 0);
	CHECK_EQ(c, 0);
	CHECK(iv_kpage_count(k, 0x493ae, &c) == 0);
	CHECK_EQ(c, 1);
	CHECK_EQ(ctx.st.kpage_reads, 2);   /* one window per file */
	CHECK(iv_kpage_flags(k, 0x493ac, &f) == 0);
	CHECK_EQ(f, 0);
	CHECK(iv_kpage_flags(k, 0xfea00, &f) == 1);   /* beyond the file: no struct page (MMIO) */
	CHECK(iv_kpage_count(k, 0x10000000, &c) == 1);
	iv_kpage_close(k);
	ctx.opt.root = "";
}

/* ---- procfs over a hand-made root ---- */
static void test_procfs(void)
{
	ctx.opt.root = tmp;
	put_file("proc/55/stat", "55 (qemu) (x) S 1 55 55 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 100 10\n");
	put_file("proc/55/cmdline", "");
	put_file("proc/55/comm", "qemu) (x\n");
	put_file("proc/55/maps",
		 "7f16f7e00000-7f16fbe00000 rw-p 00000000 00:00 0 \n"
		 "55d0c0a00000-55d0c0e00000 r-xp 00001000 fe:01 1048602                    /usr/bin/qemu system\n"
		 "7f16f7e00000-zz rw-p 00000000 00:00 0\n");
	char p[8192], t[8192];
	snprintf(p, sizeof p, "%s/proc/55/fd", tmp);
	mkdir(p, 0755);
	snprintf(t, sizeof t, "%s/proc/55/fd/3", tmp);
	unlink(t);
	CHECK(symlink("/dev/vfio/vfio", t) == 0);
	snprintf(t, sizeof t, "%s/proc/55/fd/4", tmp);
	unlink(t);
	CHECK(symlink("/dev/vfio/devices/vfio3", t) == 0);
	put_file("sys/class/vfio-dev/vfio3/.keep", "");
	snprintf(t, sizeof t, "%s/sys/class/vfio-dev/vfio3/device", tmp);
	unlink(t);
	CHECK(symlink("../../../0000:3b:00.1", t) == 0);
	struct iv_proc *pr;
	pid_t pid = 55;
	int r = iv_procs_find(run, &pid, 1, &pr, NULL);
	CHECK_EQ(r, 1);
	if (r == 1) {
		CHECK(pr[0].ok);
		CHECK_EQ(pr[0].starttime, 987654);
		CHECK(!strcmp(pr[0].name, "qemu) (x"));
		CHECK_EQ(pr[0].ndevs, 1);
		CHECK_EQ(pr[0].devs[0].bdf.bus, 0x3b);
		CHECK_EQ(pr[0].devs[0].bdf.fn, 1);
		CHECK(iv_proc_same(run, &pr[0]) == 0);
		pr[0].starttime++;
		CHECK(iv_proc_same(run, &pr[0]) == -1);
		iv_procs_free(pr, 1);
	}
	put_file("proc/55/stat", "55 (qemu S 1 55\n");
	pid = 55;
	/* the process is in the list, not checkable (per-process isolation) */
	r = iv_procs_find(run, &pid, 1, &pr, NULL);
	CHECK_EQ(r, 1);
	if (r == 1) {
		CHECK(!pr[0].ok);
		CHECK(strstr(pr[0].reason, "cannot read the start time") != NULL);
		iv_procs_free(pr, 1);
	}
	CHECK(last_error_has("/proc/55/stat:1: no ')'"));
	ctx.opt.root = "";
}

static int count_map(struct iv_run *r, void *arg, const struct iv_map *m)
{
	(void)r;
	unsigned *n = arg;
	if (*n == 0 && (m->start != 0x7f16f7e00000ULL || strcmp(m->perms, "rw-p") || m->path[0]))
		return -1;
	if (*n == 1 && (strcmp(m->path, "/usr/bin/qemu system") || m->offset != 0x1000))
		return -1;
	(*n)++;
	return 0;
}

static void test_maps(void)
{
	unsigned n = 0;
	ctx.opt.root = tmp;
	CHECK(iv_maps_each(run, 55, count_map, &n) == -1);
	CHECK_EQ(n, 2);
	CHECK(last_error_has("/proc/55/maps:3: cannot parse maps line"));
	ctx.opt.root = "";
}

/* ---- driver ---- */
static int drv_procs(int argc, char **argv)
{
	pid_t pids[64];
	size_t n = 0;
	ctx.opt.root = argv[0];
	for (int i = 1; i < argc && n < 64; i++)
		pids[n++] = (pid_t)atoi(argv[i]);
	struct iv_proc *p;
	struct iv_procs_scan scan;
	int r = iv_procs_find(run, pids, n, &p, &scan), rc = 0;
	if (r < 0)
		return IV_UNKNOWN;
	if (scan.unreadable) {
		printf("unreadable %u: %s\n", scan.unreadable, scan.unreadable_why);
		rc = IV_UNKNOWN;
	}
	for (int i = 0; i < r; i++) {
		if (!p[i].ok) {
			printf("%d not ok: %s\n", (int)p[i].pid, p[i].reason);
			rc = IV_UNKNOWN;
			continue;
		}
		printf("%d %s %llu", (int)p[i].pid, p[i].name, p[i].starttime);
		for (size_t j = 0; j < p[i].ndevs; j++) {
			char b[16];
			printf(" %s(%d)", iv_bdf_str(&p[i].devs[j].bdf, b), p[i].devs[j].group);
		}
		printf("\n");
	}
	iv_procs_free(p, (size_t)r);
	return rc;
}

static int drv_map(int rc, struct iv_gpa_map *m)
{
	if (rc)
		return IV_UNKNOWN;
	printf("how=%s samples=%u agreed=%u\n", m->how, m->samples, m->agreed);
	print_map(m);
	iv_gpamap_free(m);
	return 0;
}

static int drv_infer(char **argv)
{
	struct iv_sample s[4096];
	size_t n = 0;
	ctx.opt.root = argv[0];
	FILE *f = fopen(argv[2], "r");
	if (!f)
		return IV_UNKNOWN;
	unsigned long long a, b;
	while (n < 4096 && fscanf(f, "%llx %llx", &a, &b) == 2) {
		s[n].iova = a;
		s[n++].pfn = b;
	}
	fclose(f);
	struct iv_gpa_map m;
	int rc = iv_gpamap_infer(run, (pid_t)atoi(argv[1]), s, n, &m);
	fprintf(stderr, "pagemap_entries=%llu\n", (unsigned long long)ctx.st.pagemap_entries);
	return drv_map(rc, &m);
}

static int driver(int argc, char **argv)
{
	struct iv_gpa_map m;
	if (!strcmp(argv[1], "procs") && argc >= 3)
		return drv_procs(argc - 2, argv + 2);
	if (!strcmp(argv[1], "qmp") && argc >= 3) {
		if (argc > 3)
			ctx.opt.timeout = atof(argv[3]);
		if (argc > 5)
			ctx.opt.root = argv[5];
		ctx.opt.stats = getenv("IV_TEST_STATS") != NULL;
		return drv_map(iv_gpamap_from_qmp(run, argv[2], argc > 4 ? (pid_t)atoi(argv[4]) : 0, &m), &m);
	}
	if (!strcmp(argv[1], "gpamap") && argc == 3)
		return drv_map(iv_gpamap_from_file(run, argv[2], &m), &m);
	if (!strcmp(argv[1], "infer") && argc == 5)
		return drv_infer(argv + 2);
	fprintf(stderr, "usage: test-host [procs ROOT [PID...] | qmp SOCKET [TIMEOUT [PID [ROOT]]] | gpamap FILE | infer ROOT PID SAMPLES]\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return driver(argc, argv);
	const char *src = getenv("top_srcdir"), *build = getenv("top_builddir");
	snprintf(data, sizeof data, "%s/tests/data", src ? src : "..");
	snprintf(tmp, sizeof tmp, "%s/tests/tmp/test-host", build ? build : ".");
	char cmd[8300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", tmp, tmp);
	if (system(cmd) != 0)
		return 99;
	test_mtree_capture();
	test_mtree_synth();
	test_ramblock();
	test_gpamap_file();
	test_pagemap();
	test_procfs();
	test_maps();
	printf("%s: %d failure(s)\n", argv[0], fails);
	return fails ? 1 : 0;
}
