/* SPDX-License-Identifier: GPL-2.0-or-later */
/* physmem.c - physical memory from an ELF core image (/proc/kcore, kdump
 * vmcore, QEMU dump-guest-memory) via libelf (formats.md §5), with a bounded
 * cache of 4 KiB table pages.
 *
 * Segments: PT_LOAD with p_paddr != -1. Segments whose p_vaddr is in the
 * kernel text mapping (>= 0xffffffff80000000: kcore KCORE_TEXT, vmcore _text)
 * duplicate RAM; they are kept in a second list consulted only when no RAM
 * segment covers an address. Bytes between p_filesz and p_memsz read as zero;
 * bytes beyond the end of a (non-kcore) file are an error ("truncated"), as is
 * any address no segment covers ("hole"). */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "iv.h"
#include "physmem.h"

#define KTEXT_VADDR    0xffffffff80000000ULL
#define CACHE_PAGES    1024u           /* 4 MiB of cached pages at most */
#define HASH_SLOTS     (2 * CACHE_PAGES)
#define BATCH_PAGES    8u              /* read-ahead: neighbouring pages in one pread */
#define HUGE_FILE      (1ULL << 46)    /* kcore's synthetic st_size is larger */
/* Program headers: at most PHDR_BASE plus one per 4 KiB of file (a segment
 * that carries data holds at least a page), and never more than PHDR_MAX
 * (about 40 MiB of segment tables); read PHDR_CHUNK at a time. */
#define PHDR_BASE      1024u
#define PHDR_MAX       (1u << 19)
#define PHDR_CHUNK     256u

struct seg {
	uint64_t pa, filesz, memsz, off;
	uint64_t avail;   /* bytes of filesz actually present in the file */
	size_t idx;       /* program header index, for messages */
};

struct vseg {
	uint64_t va, pa, memsz;      /* pa (uint64_t)-1: no physical address (vmalloc, modules) */
};

struct iv_physmem {
	struct iv_run *run;          /* errors and counters go to the run it was opened with */
	int fd;
	char *name;
	bool kcore;
	struct seg *ram, *text;      /* ram sorted by pa */
	size_t nram, ntext;
	/* page cache: open addressing, key = pa | 1, value = slot index */
	uint64_t *keys;
	uint32_t *slot;
	uint8_t *bufs;               /* CACHE_PAGES * 4 KiB, allocated lazily */
	uint8_t *counted;            /* per slot: already counted as a table page */
	uint32_t used;
	struct vseg *vsegs;          /* every PT_LOAD by p_vaddr, for iv_physmem_v2p */
	size_t nvseg;
};

const char *iv_physmem_name(const struct iv_physmem *pm) { return pm->name; }

/* ---- opening ---- */

static int check_kdump(struct iv_run *run, int fd, const char *path)
{
	char sig[8];
	ssize_t n = pread(fd, sig, sizeof sig, 0);
	if (n == (ssize_t)sizeof sig && !memcmp(sig, "KDUMP   ", 8))
		return iv_error(run, "%s: kdump-compressed dump, not ELF; convert it with 'makedumpfile -E' "
				"(or save /proc/vmcore with cp)", path);
	return 0;
}

/* libelf's last error, or what is wrong when libelf has none ("(no error)"
 * helps nobody). */
static const char *elf_why(const char *none)
{
	int e = elf_errno();
	return e ? elf_errmsg(e) : none;
}

static int check_ehdr(struct iv_run *run, Elf *e, const char *path)
{
	GElf_Ehdr eh;
	if (elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh))
		return iv_error(run, "%s: not an ELF file (%s)", path, elf_why("no ELF header"));
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return iv_error(run, "%s: not a 64-bit little-endian ELF image", path);
	if (eh.e_type != ET_CORE)
		return iv_error(run, "%s: ELF type %u is not ET_CORE (a core image is needed)", path, eh.e_type);
	if (eh.e_machine != EM_X86_64)
		return iv_error(run, "%s: ELF machine %u is not x86-64", path, eh.e_machine);
	return 0;
}

static int seg_cmp(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;
	return x->pa < y->pa ? -1 : x->pa > y->pa;
}

static int add_segment(struct iv_physmem *pm, const Elf64_Phdr *ph, size_t idx, uint64_t fsize, size_t *zero_pa)
{
	if (ph->p_type != PT_LOAD || ph->p_paddr == (Elf64_Addr)-1 || ph->p_memsz == 0)
		return 0;
	if (ph->p_filesz > ph->p_memsz || ph->p_paddr + ph->p_memsz < ph->p_paddr)
		return iv_error(pm->run, "%s: PT_LOAD at paddr 0x%llx: bad sizes (filesz 0x%llx, memsz 0x%llx)",
				pm->name, (unsigned long long)ph->p_paddr,
				(unsigned long long)ph->p_filesz, (unsigned long long)ph->p_memsz);
	struct seg s = { ph->p_paddr, ph->p_filesz, ph->p_memsz, ph->p_offset, ph->p_filesz, idx };
	if (s.filesz && s.off + s.filesz < s.off)
		return iv_error(pm->run, "%s: PT_LOAD at paddr 0x%llx: offset overflows", pm->name,
				(unsigned long long)s.pa);
	if (!pm->kcore && s.filesz) {
		if (s.off >= fsize)
			s.avail = 0;
		else if (s.off + s.filesz > fsize)
			s.avail = fsize - s.off;
		if (s.avail < s.filesz)
			iv_warn("%s: segment at paddr 0x%llx is cut short by the end of the file "
				"(truncated image): 0x%llx of 0x%llx bytes present", pm->name,
				(unsigned long long)s.pa, (unsigned long long)s.avail,
				(unsigned long long)s.filesz);
	}
	if (ph->p_paddr == 0)
		(*zero_pa)++;
	bool text = ph->p_vaddr >= KTEXT_VADDR;
	struct seg **list = text ? &pm->text : &pm->ram;
	size_t *n = text ? &pm->ntext : &pm->nram;
	if ((*n & (*n + 1)) == 0 || *n == 0)   /* grow at 1, 2, 4, ... */
		*list = iv_xrealloc(*list, (2 * *n + 2) * sizeof **list);
	(*list)[(*n)++] = s;
	return 0;
}

static void add_vsegment(struct iv_physmem *pm, const Elf64_Phdr *ph)
{
	if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
		return;
	if ((pm->nvseg & (pm->nvseg + 1)) == 0 || pm->nvseg == 0)
		pm->vsegs = iv_xrealloc(pm->vsegs, (2 * pm->nvseg + 2) * sizeof *pm->vsegs);
	pm->vsegs[pm->nvseg++] = (struct vseg){ ph->p_vaddr, ph->p_paddr, ph->p_memsz };
}

/* Two segments of one list that share physical addresses: the image is
 * ambiguous (one would silently shadow the other). The list is sorted by pa:
 * if any two overlap, two neighbours do. */
static int check_overlap(const struct iv_physmem *pm, const struct seg *l, size_t n, const char *what)
{
	for (size_t i = 1; i < n; i++) {
		const struct seg *a = &l[i - 1], *b = &l[i];
		if (b->pa - a->pa < a->memsz)
			return iv_error(pm->run, "%s: PT_LOAD segments overlap%s: program header %zu (paddr 0x%llx-0x%llx) and "
					"program header %zu (paddr 0x%llx-0x%llx)", pm->name, what, a->idx,
					(unsigned long long)a->pa, (unsigned long long)(a->pa + a->memsz - 1), b->idx,
					(unsigned long long)b->pa, (unsigned long long)(b->pa + b->memsz - 1));
	}
	return 0;
}

/* The program header table, read PHDR_CHUNK entries at a time with pread (not
 * through libelf, which would hold all of it in memory). */
static int read_segments(struct iv_physmem *pm, Elf *e, uint64_t fsize)
{
	size_t phnum, zero_pa = 0;
	GElf_Ehdr eh;
	if (!gelf_getehdr(e, &eh) || elf_getphdrnum(e, &phnum) != 0)
		return iv_error(pm->run, "%s: cannot read the program header count: %s", pm->name,
				elf_why("bad ELF header"));
	if (phnum && eh.e_phentsize != sizeof(Elf64_Phdr))
		return iv_error(pm->run, "%s: program header size %u, expected %zu", pm->name, eh.e_phentsize,
				sizeof(Elf64_Phdr));
	uint64_t bound = pm->kcore ? PHDR_MAX : PHDR_BASE + fsize / IV_PAGE_SIZE;
	if (bound > PHDR_MAX)
		bound = PHDR_MAX;
	if (phnum > bound)
		return iv_error(pm->run, "%s: %zu program headers, more than this image can hold (at most %llu for a "
				"file of %llu bytes: %u plus one per 4 KiB, at most %u)", pm->name, phnum,
				(unsigned long long)bound, (unsigned long long)fsize, PHDR_BASE, PHDR_MAX);
	uint64_t tabsz = (uint64_t)phnum * sizeof(Elf64_Phdr);
	if (!pm->kcore && (eh.e_phoff > fsize || tabsz > fsize - eh.e_phoff))
		return iv_error(pm->run, "%s: the program header table (%zu entries at offset 0x%llx) is beyond the end "
				"of the file (truncated image?)", pm->name, phnum, (unsigned long long)eh.e_phoff);
	Elf64_Phdr ph[PHDR_CHUNK];
	for (size_t i = 0; i < phnum; i += PHDR_CHUNK) {
		size_t n = phnum - i < PHDR_CHUNK ? phnum - i : PHDR_CHUNK, len = n * sizeof *ph, got = 0;
		uint64_t off = eh.e_phoff + (uint64_t)i * sizeof *ph;
		while (got < len) {
			ssize_t r = pread(pm->fd, (char *)ph + got, len - got, (off_t)(off + got));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return iv_error(pm->run, "%s: program header %zu: %s (truncated image?)", pm->name,
						i + got / sizeof *ph, r < 0 ? strerror(errno) : "end of file");
			got += (size_t)r;
		}
		for (size_t k = 0; k < n; k++) {
			if (add_segment(pm, &ph[k], i + k, fsize, &zero_pa))
				return -1;
			add_vsegment(pm, &ph[k]);
		}
	}
	if (pm->nram + pm->ntext == 0)
		return iv_error(pm->run, "%s: no PT_LOAD segment with a physical address", pm->name);
	if (pm->kcore && zero_pa > 1)
		return iv_error(pm->run, "%s: PT_LOAD segments have no physical addresses (kcore of a kernel "
				"before 4.11); not supported", pm->name);
	if (pm->nram > 1)
		qsort(pm->ram, pm->nram, sizeof *pm->ram, seg_cmp);
	if (pm->ntext > 1)
		qsort(pm->text, pm->ntext, sizeof *pm->text, seg_cmp);
	return check_overlap(pm, pm->ram, pm->nram, "") ||
	       check_overlap(pm, pm->text, pm->ntext, " (kernel text)") ? -1 : 0;
}

static bool looks_like_kcore(const char *path, const struct stat *st)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	return !strcmp(b, "kcore") || (uint64_t)st->st_size >= HUGE_FILE;
}

struct iv_physmem *iv_physmem_open(struct iv_run *run, const char *path)
{
	struct iv_physmem *pm = iv_xcalloc(1, sizeof *pm);
	pm->run = run;
	pm->name = iv_xstrdup(path);
	pm->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);   /* a FIFO must not block the open */
	if (pm->fd < 0) {
		iv_error(run, "%s: %s%s", path, strerror(errno),
			 errno == EPERM || errno == EACCES ? " (reading kcore needs root / CAP_SYS_RAWIO)" : "");
		free(pm->name);
		free(pm);
		return NULL;
	}
	struct stat st;
	Elf *e = NULL;
	int r = -1;
	if (fstat(pm->fd, &st) < 0) {
		iv_error(run, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		iv_error(run, "%s: is a directory, not a memory image (give the ELF file: a vmcore, a QEMU "
			 "dump-guest-memory file or /proc/kcore)", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		iv_error(run, "%s: not a regular file or block device (%s); a memory image must be seekable",
			 path, S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISSOCK(st.st_mode) ? "a socket"
			 : S_ISCHR(st.st_mode) ? "a character device" : "unknown file type");
		goto out;
	}
	int fl = fcntl(pm->fd, F_GETFL);
	if (fl < 0 || fcntl(pm->fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		iv_error(run, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (S_ISBLK(st.st_mode)) {      /* st_size is 0 for a block device: its size is where it ends */
		off_t end = lseek(pm->fd, 0, SEEK_END);
		if (end < 0) {
			iv_error(run, "%s: %s", path, strerror(errno));
			goto out;
		}
		st.st_size = end;
	}
	pm->kcore = looks_like_kcore(path, &st);
	if (check_kdump(run, pm->fd, path))
		goto out;
	elf_version(EV_CURRENT);
	e = elf_begin(pm->fd, ELF_C_READ, NULL);
	if (!e) {
		iv_error(run, "%s: %s", path, elf_why("libelf cannot read it"));
		goto out;
	}
	if (check_ehdr(run, e, path) == 0 && read_segments(pm, e, (uint64_t)st.st_size) == 0)
		r = 0;
out:
	if (e)
		elf_end(e);
	if (r) {
		iv_physmem_close(pm);
		return NULL;
	}
	return pm;
}

void iv_physmem_close(struct iv_physmem *pm)
{
	if (!pm)
		return;
	if (pm->fd >= 0)
		close(pm->fd);
	free(pm->ram);
	free(pm->text);
	free(pm->keys);
	free(pm->slot);
	free(pm->bufs);
	free(pm->counted);
	free(pm->vsegs);
	free(pm->name);
	free(pm);
}

/* ---- uncached reads ---- */

static const struct seg *find_seg(const struct iv_physmem *pm, uint64_t pa)
{
	size_t lo = 0, hi = pm->nram;
	while (lo < hi) {          /* first segment with pa > addr */
		size_t mid = lo + (hi - lo) / 2;
		if (pm->ram[mid].pa <= pa)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0 && pa - pm->ram[lo - 1].pa < pm->ram[lo - 1].memsz)
		return &pm->ram[lo - 1];
	for (size_t i = 0; i < pm->ntext; i++)
		if (pa >= pm->text[i].pa && pa - pm->text[i].pa < pm->text[i].memsz)
			return &pm->text[i];
	return NULL;
}

static int pread_full(struct iv_physmem *pm, void *buf, size_t len, uint64_t off, uint64_t pa)
{
	uint8_t *p = buf;
	while (len) {
		ssize_t n = pread(pm->fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return iv_error(pm->run, "%s: reading physical address 0x%llx (file offset 0x%llx): %s",
					pm->name, (unsigned long long)pa, (unsigned long long)off, strerror(errno));
		if (n == 0)
			return iv_error(pm->run, "%s: physical address 0x%llx: unexpected end of file at offset 0x%llx "
					"(truncated image?)", pm->name, (unsigned long long)pa,
					(unsigned long long)off);
		pm->run->st.bytes_read += (uint64_t)n;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
		pa += (uint64_t)n;
	}
	return 0;
}

/* Read the part of [pa, pa+len) inside one segment; returns bytes done or -1. */
static ssize_t read_in_seg(struct iv_physmem *pm, const struct seg *s, uint64_t pa, uint8_t *buf, size_t len)
{
	uint64_t rel = pa - s->pa;
	size_t n = len;
	if (n > s->memsz - rel)
		n = (size_t)(s->memsz - rel);
	if (rel < s->filesz) {
		size_t f = n;
		if (f > s->filesz - rel)
			f = (size_t)(s->filesz - rel);
		if (rel + f > s->avail)
			return iv_error(pm->run, "%s: physical address 0x%llx is beyond the end of the file "
					"(truncated image)", pm->name,
					(unsigned long long)(s->pa + (rel > s->avail ? rel : s->avail)));
		if (pread_full(pm, buf, f, s->off + rel, pa))
			return -1;
		memset(buf + f, 0, n - f);
	} else {
		memset(buf, 0, n);
	}
	return (ssize_t)n;
}

int iv_physmem_read(struct iv_physmem *pm, uint64_t pa, void *buf, size_t len)
{
	uint8_t *p = buf;
	while (len) {
		const struct seg *s = find_seg(pm, pa);
		if (!s)
			return iv_error(pm->run, "%s: physical address 0x%llx is not in the image (hole)",
					pm->name, (unsigned long long)pa);
		ssize_t n = read_in_seg(pm, s, pa, p, len);
		if (n < 0)
			return -1;
		p += n;
		pa += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- the page cache ---- */

static uint32_t hash_pa(uint64_t pa)
{
	return (uint32_t)(((pa >> IV_PAGE_SHIFT) * 0x9e3779b97f4a7c15ULL) >> 40) & (HASH_SLOTS - 1);
}

static void cache_reset(struct iv_physmem *pm)
{
	if (!pm->keys) {
		pm->keys = iv_xcalloc(HASH_SLOTS, sizeof *pm->keys);
		pm->slot = iv_xcalloc(HASH_SLOTS, sizeof *pm->slot);
		pm->bufs = iv_xmalloc((size_t)CACHE_PAGES * IV_PAGE_SIZE);
		pm->counted = iv_xcalloc(CACHE_PAGES, 1);
	} else {
		memset(pm->keys, 0, HASH_SLOTS * sizeof *pm->keys);
		memset(pm->counted, 0, CACHE_PAGES);
	}
	pm->used = 0;
}

/* Slot index of a cached page, or -1. */
static long cache_find(const struct iv_physmem *pm, uint64_t pa)
{
	if (!pm->keys)
		return -1;
	for (uint32_t h = hash_pa(pa);; h = (h + 1) & (HASH_SLOTS - 1)) {
		if (pm->keys[h] == 0)
			return -1;
		if (pm->keys[h] == (pa | 1))
			return pm->slot[h];
	}
}

static uint8_t *cache_insert(struct iv_physmem *pm, uint64_t pa)
{
	if (!pm->keys || pm->used == CACHE_PAGES)
		cache_reset(pm);      /* bounded: drop everything when full */
	uint32_t h = hash_pa(pa);
	while (pm->keys[h] != 0)
		h = (h + 1) & (HASH_SLOTS - 1);
	pm->keys[h] = pa | 1;
	pm->slot[h] = pm->used;
	return pm->bufs + (size_t)pm->used++ * IV_PAGE_SIZE;
}

/* Pages [pa, pa + n*4K) that can be read with one pread (same segment, in the file). */
static unsigned batch_len(const struct iv_physmem *pm, uint64_t pa)
{
	const struct seg *s = find_seg(pm, pa);
	if (!s)
		return 0;
	uint64_t rel = pa - s->pa;
	if (rel + IV_PAGE_SIZE > s->avail)
		return 0;
	uint64_t pages = (s->avail - rel) / IV_PAGE_SIZE;
	unsigned n = pages < BATCH_PAGES ? (unsigned)pages : BATCH_PAGES;
	for (unsigned i = 1; i < n; i++)      /* stop at the first page already cached */
		if (cache_find(pm, pa + i * IV_PAGE_SIZE) >= 0)
			return i;
	return n;
}

static int cache_fill(struct iv_physmem *pm, uint64_t pa)
{
	static uint8_t tmp[BATCH_PAGES * IV_PAGE_SIZE];
	unsigned n = batch_len(pm, pa);
	if (n == 0) {                 /* zero fill, segment edge, hole, truncation */
		if (iv_physmem_read(pm, pa, tmp, IV_PAGE_SIZE))
			return -1;
		n = 1;
	} else {
		const struct seg *s = find_seg(pm, pa);
		if (pread_full(pm, tmp, n * IV_PAGE_SIZE, s->off + (pa - s->pa), pa))
			return -1;
	}
	if (pm->keys && pm->used + n > CACHE_PAGES)
		cache_reset(pm);
	for (unsigned i = 0; i < n; i++)
		memcpy(cache_insert(pm, pa + i * IV_PAGE_SIZE), tmp + i * IV_PAGE_SIZE, IV_PAGE_SIZE);
	return 0;
}

const uint64_t *iv_physmem_page(struct iv_physmem *pm, uint64_t pa)
{
	if (pa & (IV_PAGE_SIZE - 1)) {
		iv_error(pm->run, "%s: table address 0x%llx is not page aligned", pm->name, (unsigned long long)pa);
		return NULL;
	}
	long i = cache_find(pm, pa);
	if (i < 0) {
		if (cache_fill(pm, pa))
			return NULL;
		i = cache_find(pm, pa);
	}
	if (!pm->counted[i]) {
		pm->counted[i] = 1;
		pm->run->st.table_pages_read++;
	}
	return (const uint64_t *)(const void *)(pm->bufs + (size_t)i * IV_PAGE_SIZE);
}

/* ---- kernel virtual addresses (kcore: the kernel image and the direct map) ---- */

int iv_physmem_v2p(const struct iv_physmem *pm, uint64_t va, uint64_t *pa, uint64_t *contig)
{
	for (size_t i = 0; i < pm->nvseg; i++) {
		const struct vseg *v = &pm->vsegs[i];
		if (va < v->va || va - v->va >= v->memsz)
			continue;
		if (v->pa == (uint64_t)-1)
			return 1;
		*pa = v->pa + (va - v->va);
		*contig = v->memsz - (va - v->va);
		return 0;
	}
	return 1;
}
