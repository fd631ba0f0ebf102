/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2-vtd.c - tiny Multiboot v1 program for the nested (L2) guest of the e2e vIOMMU case
 * (issue 16.5). The nested QEMU runs with -device intel-iommu,caching-mode=on and the edu
 * device through vfio-pci; this program turns the emulated VT-d's translation on with its own
 * legacy tables, so the L1 host IOMMU maps guest IOVAs (not GPAs):
 *   root table 0x300000, context table 0x301000, second-level tables (3-level) from 0x302000
 *   IOVA 0x8000000-0x800ffff -> GPA 0x400000 (16 pages, RW; written by the CPU first)
 *   IOVA 0x8200000             -> GPA 0x2000000 (1 page, read-only)
 * Order: tables, RTADDR, SRTP, global context-cache and IOTLB invalidation, TE (QEMU replays
 * the tables into VFIO when translation turns on), a CPU write of the read-only page, one edu
 * DMA of it into the RW range (logged: what the device read), then the planted stale case:
 * the guest points IOVA 0x800f000 at GPA 0x600000 (was 0x40f000) WITHOUT invalidating, so QEMU
 * never hears of it and the L1 IOMMU keeps the old page: stale at IOVA 0x800f000, GPA 0x600000.
 * (A zero-page case cannot be made here: with translation off at boot VFIO pins all guest RAM
 * writable, so every page is populated before the guest can map one.)
 * Output on isa-debugcon 0x402: "L2-VTD: ..." lines, "L2-VTD READY" when the mappings stand
 * (then it halts).
 * Build: gcc -m32 -ffreestanding -fno-pic -fno-stack-protector -nostdlib -O2 -Wall -c l2-vtd.c
 *        ld -m elf_i386 -T l2-vtd.ld -o l2-vtd.elf l2-vtd.o
 */
#include <stdint.h>

__asm__(".section .multiboot,\"a\"\n"
	".align 4\n"
	".long 0x1BADB002\n.long 0\n.long -(0x1BADB002)\n"
	".text\n.globl _start\n_start:\n"
	"  cli\n  mov $stack_top, %esp\n  call cmain\n"
	"1: hlt\n  jmp 1b\n"
	".bss\n.align 16\nstack: .skip 16384\nstack_top:\n");

static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(p)); }
static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(p)); }
static inline uint32_t inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static void puts_(const char *s) { while (*s) outb(0x402, *s++); }
static void puthex(uint32_t v, int digits) { for (int i = digits - 1; i >= 0; i--) outb(0x402, "0123456789abcdef"[(v >> (i * 4)) & 15]); }
static uint32_t cfg_read(int dev, int reg) { outl(0xcf8, 0x80000000u | (dev << 11) | (reg & 0xfc)); return inl(0xcfc); }
static void cfg_write(int dev, int reg, uint32_t v) { outl(0xcf8, 0x80000000u | (dev << 11) | (reg & 0xfc)); outl(0xcfc, v); }

#define VTD 0xfed90000u
static volatile uint32_t *reg(uint32_t off) { return (volatile uint32_t *)(VTD + off); }
static int wait_bit(uint32_t off, uint32_t bit, int set)
{
	for (uint32_t i = 0; i < 100000000u; i++)
		if (((*reg(off) & bit) != 0) == set)
			return 0;
	puts_("L2-VTD: timeout on register 0x"); puthex(off, 3); puts_("\n");
	return -1;
}

static uint64_t *page(uint32_t pa) { uint64_t *p = (uint64_t *)pa; for (int i = 0; i < 512; i++) p[i] = 0; return p; }

#define ROOT 0x300000u
#define CTX  0x301000u
#define L3   0x302000u
#define L2T  0x303000u
#define L1   0x304000u
#define L1B  0x305000u
#define RW_IOVA 0x8000000u
#define RW_GPA  0x400000u
#define RO_IOVA 0x8200000u
#define RO_GPA  0x2000000u
#define STALE_GPA 0x600000u

static volatile uint32_t *edu;

void cmain(void)
{
	puts_("L2-VTD: started\n");
	int dev = -1;
	for (int d = 0; d < 32; d++) if (cfg_read(d, 0) == 0x11e81234u) { dev = d; break; }
	if (dev < 0) { puts_("L2-VTD: no edu device\nL2-VTD FAILED\n"); return; }
	cfg_write(dev, 0x04, cfg_read(dev, 0x04) | 0x6);   /* memory space + bus master */
	edu = (volatile uint32_t *)(cfg_read(dev, 0x10) & ~0xfu);
	puts_("L2-VTD: edu at 00:"); puthex(dev, 2); puts_(".0\n");
	uint32_t cap = *reg(0x08), ecap = *reg(0x10);
	puts_("L2-VTD: cap 0x"); puthex(cap, 8); puts_(" ecap 0x"); puthex(ecap, 8); puts_("\n");
	if (!(cap & (1u << 9))) { puts_("L2-VTD: 3-level tables not supported (SAGAW)\nL2-VTD FAILED\n"); return; }
	volatile uint8_t *rw = (volatile uint8_t *)RW_GPA;
	for (uint32_t i = 0; i < 16 * 4096; i++) rw[i] = (uint8_t)(i * 7 + 1);
	uint64_t *root = page(ROOT), *ctx = page(CTX), *l3 = page(L3), *l2 = page(L2T), *l1 = page(L1), *l1b = page(L1B);
	root[0] = CTX | 1;                                    /* bus 0 */
	ctx[dev * 8 * 2] = L3 | 1;                            /* devfn dev.0: TT 0 (second level) */
	ctx[dev * 8 * 2 + 1] = 1 | (1 << 8);                  /* AW 1 (39-bit, 3-level), domain 1 */
	l3[RW_IOVA >> 30] = L2T | 3;
	l2[(RW_IOVA >> 21) & 511] = L1 | 3;
	for (int i = 0; i < 16; i++) l1[((RW_IOVA >> 12) & 511) + i] = (RW_GPA + i * 4096u) | 3;
	l2[(RO_IOVA >> 21) & 511] = L1B | 3;
	l1b[(RO_IOVA >> 12) & 511] = RO_GPA | 1;              /* read-only */
	*reg(0x20) = ROOT; *reg(0x24) = 0;                    /* RTADDR: legacy mode */
	*reg(0x18) = 1u << 30;                                /* GCMD.SRTP */
	if (wait_bit(0x1c, 1u << 30, 1)) goto fail;
	*reg(0x28) = 0; *reg(0x2c) = (1u << 31) | (1u << 29); /* CCMD: ICC, global */
	if (wait_bit(0x2c, 1u << 31, 0)) goto fail;
	uint32_t iotlb = ((ecap >> 8) & 0x3ff) * 16 + 8;
	*reg(iotlb) = 0; *reg(iotlb + 4) = (1u << 31) | (1u << 28);   /* IOTLB: IVT, global */
	if (wait_bit(iotlb + 4, 1u << 31, 0)) goto fail;
	*reg(0x18) = 1u << 31;                                /* GCMD.TE */
	if (wait_bit(0x1c, 1u << 31, 1)) goto fail;
	puts_("L2-VTD: translation on, GSTS 0x"); puthex(*reg(0x1c), 8); puts_("\n");
	volatile uint8_t *ro = (volatile uint8_t *)RO_GPA;
	for (uint32_t i = 0; i < 4096; i++) ro[i] = 0xa5;    /* the CPU's first write: a new page */
	/* the device reads the read-only IOVA into its buffer and writes it to the RW IOVA */
	edu[0x80 / 4] = RO_IOVA; edu[0x84 / 4] = 0; edu[0x88 / 4] = 0x40000; edu[0x8c / 4] = 0;
	edu[0x90 / 4] = 2048; edu[0x94 / 4] = 0; edu[0x98 / 4] = 1;
	for (uint32_t i = 0; i < 200000000u && (edu[0x98 / 4] & 1); i++) ;
	edu[0x80 / 4] = 0x40000; edu[0x84 / 4] = 0; edu[0x88 / 4] = RW_IOVA; edu[0x8c / 4] = 0;
	edu[0x90 / 4] = 2048; edu[0x94 / 4] = 0; edu[0x98 / 4] = 1 | 2;
	for (uint32_t i = 0; i < 200000000u && (edu[0x98 / 4] & 1); i++) ;
	puts_("L2-VTD: device read of IOVA 0x8200000: first bytes 0x"); puthex(rw[0], 2); puthex(rw[1], 2);
	puts_(rw[0] == 0xa5 ? " (the CPU's data)\n" : rw[0] == 0 ? " (zeros: the zero page)\n" : " (other)\n");
	l1[((RW_IOVA >> 12) & 511) + 15] = STALE_GPA | 3;    /* no invalidation: QEMU is not told */
	puts_("L2-VTD: IOVA 0x800f000 now -> GPA 0x600000 in the guest's table, not invalidated\n");
	puts_("L2-VTD READY\n");
	return;
fail:
	puts_("L2-VTD FAILED\n");
}
