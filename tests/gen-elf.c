/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gen-elf.c - build small ELF core images with hand-made page tables, for the
 * memory-walk tests. Usage: gen-elf OUT.elf < DESCRIPTION
 *
 * DESCRIPTION, one directive a line ('#' comments; numbers in C syntax):
 *   layout kcore|vmcore|qemu   header style (default qemu):
 *       kcore:  PT_NOTE first, RAM segments with p_vaddr in the direct map,
 *               a vmalloc segment with p_paddr -1 (offset far beyond the file),
 *               and a kernel-text segment (p_vaddr 0xffffffff81000000)
 *               duplicating the first RAM page's paddr with garbage (0xee) bytes
 *       vmcore: PT_NOTE, text segment first (garbage, as above), RAM segments
 *       qemu:   PT_NOTE, p_vaddr = p_paddr
 *   ram PA SIZE          a RAM segment (page aligned), file backed, zero filled
 *   zero PA SIZE         a segment with p_filesz 0 (QEMU: p_offset -1): reads as zeros
 *   tail PA FILESZ MEMSZ a segment whose bytes beyond FILESZ read as zeros
 *   q PA VALUE           store a 64-bit little-endian word at physical PA
 *   fill PA N VALUE STEP store N words at PA, PA+8, ...: VALUE, VALUE+STEP, ...
 *   xnum                 write e_phnum = PN_XNUM with the count in section header 0
 *   directmap VADDR      kcore/vmcore: p_vaddr of physical 0 in the direct map
 *                        (default 0xffff888000000000; KASLR moves it)
 *   truncate N           cut N bytes off the end of the file
 *   pad N                N more PT_LOAD headers after the segments above: each
 *                        4 KiB with p_filesz 0 (no file bytes), at physical
 *                        0x100000000000 + 8 KiB * i; PN_XNUM when the count
 *                        needs it (hostile header counts)
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXSEG 64
#define DIRECT_MAP 0xffff888000000000ULL
#define KTEXT      0xffffffff81000000ULL

struct seg { uint64_t pa, filesz, memsz; uint8_t *data; };

static struct seg segs[MAXSEG];
static int nseg;
static char layout[16] = "qemu";
static int xnum;
static uint64_t cut;
static uint64_t pad;
#define PAD_PA 0x100000000000ULL
static uint64_t direct_map = DIRECT_MAP;

static void die(int line, const char *msg)
{
	fprintf(stderr, "gen-elf: line %d: %s\n", line, msg);
	exit(2);
}

static uint64_t num(const char *s, int line)
{
	char *end;
	errno = 0;
	uint64_t v = strtoull(s, &end, 0);
	if (errno || *end)
		die(line, "bad number");
	return v;
}

static void add_seg(uint64_t pa, uint64_t filesz, uint64_t memsz, int line)
{
	if (nseg == MAXSEG || filesz > memsz || (pa & 0xfff))
		die(line, "bad segment");
	segs[nseg].pa = pa;
	segs[nseg].filesz = filesz;
	segs[nseg].memsz = memsz;
	segs[nseg].data = filesz ? calloc(1, filesz) : NULL;
	if (filesz && !segs[nseg].data)
		die(line, "out of memory");
	nseg++;
}

static void store(uint64_t pa, uint64_t v, int line)
{
	for (int i = 0; i < nseg; i++)
		if (pa >= segs[i].pa && pa + 8 <= segs[i].pa + segs[i].filesz) {
			memcpy(segs[i].data + (pa - segs[i].pa), &v, 8);   /* x86-64: little endian */
			return;
		}
	die(line, "store outside every file-backed segment");
}

static void parse(FILE *in)
{
	char buf[512], *w[6];
	int line = 0;
	while (fgets(buf, sizeof buf, in)) {
		int n = 0;
		line++;
		char *hash = strchr(buf, '#');
		if (hash)
			*hash = 0;
		for (char *t = strtok(buf, " \t\r\n"); t && n < 6; t = strtok(NULL, " \t\r\n"))
			w[n++] = t;
		if (n == 0)
			continue;
		if (!strcmp(w[0], "layout") && n == 2)
			snprintf(layout, sizeof layout, "%s", w[1]);
		else if (!strcmp(w[0], "ram") && n == 3)
			add_seg(num(w[1], line), num(w[2], line), num(w[2], line), line);
		else if (!strcmp(w[0], "zero") && n == 3)
			add_seg(num(w[1], line), 0, num(w[2], line), line);
		else if (!strcmp(w[0], "tail") && n == 4)
			add_seg(num(w[1], line), num(w[2], line), num(w[3], line), line);
		else if (!strcmp(w[0], "q") && n == 3)
			store(num(w[1], line), num(w[2], line), line);
		else if (!strcmp(w[0], "fill") && n == 5) {
			uint64_t pa = num(w[1], line), cnt = num(w[2], line), v = num(w[3], line), st = num(w[4], line);
			for (uint64_t i = 0; i < cnt; i++)
				store(pa + 8 * i, v + st * i, line);
		} else if (!strcmp(w[0], "xnum") && n == 1)
			xnum = 1;
		else if (!strcmp(w[0], "pad") && n == 2)
			pad = num(w[1], line);
		else if (!strcmp(w[0], "truncate") && n == 2)
			cut = num(w[1], line);
		else if (!strcmp(w[0], "directmap") && n == 2)
			direct_map = num(w[1], line);
		else
			die(line, "unknown directive");
	}
}

static void wr(int fd, const void *p, size_t len, uint64_t off)
{
	const uint8_t *b = p;
	while (len) {
		ssize_t n = pwrite(fd, b, len, (off_t)off);
		if (n <= 0) {
			perror("gen-elf: write");
			exit(2);
		}
		b += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
}

static Elf64_Phdr load(uint64_t off, uint64_t vaddr, uint64_t pa, uint64_t filesz, uint64_t memsz)
{
	Elf64_Phdr p = { PT_LOAD, PF_R | PF_W | PF_X, off, vaddr, pa, filesz, memsz, 4096 };
	return p;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen-elf OUT.elf < DESCRIPTION\n");
		return 2;
	}
	parse(stdin);
	if (nseg == 0)
		die(0, "no segments");
	int kcore = !strcmp(layout, "kcore"), vmcore = !strcmp(layout, "vmcore");
	if (!kcore && !vmcore && strcmp(layout, "qemu"))
		die(0, "layout must be kcore, vmcore or qemu");
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	static const char note[] = "OSRELEASE=gen-elf\nPAGESIZE=4096\n";
	if (pad > (1ULL << 26))
		die(0, "pad: at most 2^26 headers");
	Elf64_Phdr *ph = calloc(MAXSEG + 3 + pad, sizeof *ph);
	if (!ph)
		die(0, "out of memory");
	uint64_t np = 0;
	int extra = kcore ? 2 : vmcore ? 1 : 0;
	uint64_t phoff = sizeof(Elf64_Ehdr), noteoff = phoff + (nseg + extra + 1 + pad) * sizeof(Elf64_Phdr);
	uint64_t notesz = 12 + 12 + ((sizeof note + 3) & ~3ULL);
	uint64_t data = (noteoff + notesz + 0xfff) & ~0xfffULL, garbage = data;
	ph[np++] = (Elf64_Phdr){ PT_NOTE, 0, noteoff, 0, 0, notesz, kcore ? 0 : notesz, 4 };
	if (extra) {            /* kernel text duplicating the first RAM page, with garbage bytes */
		ph[np++] = load(garbage, KTEXT, segs[0].pa, 4096, 4096);
		data += 4096;
	}
	for (int i = 0; i < nseg; i++) {
		uint64_t vaddr = kcore || vmcore ? direct_map + segs[i].pa : segs[i].pa;
		uint64_t off = segs[i].filesz ? data : (uint64_t)-1;
		ph[np++] = load(off, vaddr, segs[i].pa, segs[i].filesz, segs[i].memsz);
		if (segs[i].filesz)
			wr(fd, segs[i].data, segs[i].filesz, data);
		data += (segs[i].filesz + 0xfff) & ~0xfffULL;
	}
	for (uint64_t i = 0; i < pad; i++)
		ph[np++] = load((uint64_t)-1, PAD_PA + 0x2000 * i, PAD_PA + 0x2000 * i, 0, 4096);
	if (kcore)              /* vmalloc: no physical address, offset far beyond the file */
		ph[np++] = load(0x408000001000ULL, 0xffffc90000000000ULL, (uint64_t)-1, 0x100000, 0x100000);
	if (extra) {
		uint8_t g[4096];
		memset(g, 0xee, sizeof g);
		wr(fd, g, sizeof g, garbage);
	}
	/* note: "VMCOREINFO", type 0 */
	uint8_t nb[256] = { 0 };
	uint32_t hdr[3] = { 11, (uint32_t)sizeof note, 0 };
	memcpy(nb, hdr, 12);
	memcpy(nb + 12, "VMCOREINFO", 11);
	memcpy(nb + 24, note, sizeof note);
	wr(fd, nb, notesz, noteoff);
	wr(fd, ph, (size_t)np * sizeof *ph, phoff);
	free(ph);

	Elf64_Ehdr eh = { 0 };
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = phoff;
	eh.e_ehsize = sizeof eh;
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (Elf64_Half)np;
	if (np >= PN_XNUM)
		xnum = 1;
	if (xnum) {             /* PN_XNUM: the real count is in section header 0's sh_info */
		Elf64_Shdr sh = { 0 };
		sh.sh_info = (Elf64_Word)np;
		eh.e_phnum = PN_XNUM;
		eh.e_shoff = data;
		eh.e_shentsize = sizeof sh;
		eh.e_shnum = 1;
		wr(fd, &sh, sizeof sh, data);
		data += sizeof sh;
	}
	wr(fd, &eh, sizeof eh, 0);
	if (cut && ftruncate(fd, (off_t)(data > cut ? data - cut : 0)) < 0) {
		perror("gen-elf: truncate");
		return 2;
	}
	if (close(fd) < 0) {
		perror(argv[1]);
		return 2;
	}
	return 0;
}
