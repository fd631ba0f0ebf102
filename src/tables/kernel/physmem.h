/* SPDX-License-Identifier: GPL-2.0-or-later */
/* physmem.h - physical memory from an ELF image (/proc/kcore, kdump vmcore,
 * QEMU dump-guest-memory) via libelf, with a cache of 4 KiB table pages.
 * src/physmem.c */
#ifndef IV_PHYSMEM_H
#define IV_PHYSMEM_H
#include "iv.h"

struct iv_physmem;

/* Open an ELF image. Returns NULL after iv_error() on failure. */
struct iv_physmem *iv_physmem_open(struct iv_run *run, const char *path);   /* keeps run */
void iv_physmem_close(struct iv_physmem *pm);
/* Read len bytes at physical address pa. A read that falls (even partly) in a
 * hole is an error naming the address (reported), never zeros. 0 ok, -1 error. */
int iv_physmem_read(struct iv_physmem *pm, uint64_t pa, void *buf, size_t len);
/* A whole 4 KiB page (pa aligned), cached: each page is read from the file once
 * per run. Returns a pointer valid until the next call, NULL on error. */
const uint64_t *iv_physmem_page(struct iv_physmem *pm, uint64_t pa);
const char *iv_physmem_name(const struct iv_physmem *pm);

/* Kernel virtual address -> physical, through the PT_LOAD segment whose
 * p_vaddr range holds va (kcore: kernel image and direct map; KASLR is already
 * applied there). *contig: bytes from va to the end of that segment. Returns
 * 0, or 1 (nothing reported) when no segment holds va or it has no physical
 * address (p_paddr -1: vmalloc, modules). Reading is then iv_physmem_read. */
int iv_physmem_v2p(const struct iv_physmem *pm, uint64_t va, uint64_t *pa, uint64_t *contig);

#endif
