/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kmem.h - kernel virtual memory read through an ELF core image's PT_LOAD
 * segments by p_vaddr (/proc/kcore: the kernel image and the direct map, with
 * KASLR already applied). src/kmem.c, over include/physmem.h. */
#ifndef IV_KMEM_H
#define IV_KMEM_H
#include "iv.h"
#include "physmem.h"
#include "kbtf.h"

/* Read len bytes at kernel virtual address va; what names the object in the
 * error message ("struct dmar_drhd_unit at 0x..."). 0, or -1 (reported). */
int iv_kmem_read(struct iv_run *run, struct iv_physmem *pm, uint64_t va, void *buf, size_t len, const char *what);
/* Physical address of va (the direct map, the kernel image). 0, or -1 after
 * an error naming what and va. */
int iv_kmem_v2p(struct iv_run *run, struct iv_physmem *pm, uint64_t va, uint64_t *pa, const char *what);
/* An unsigned member (1, 2, 4, 8 bytes or a bitfield) of the object at va,
 * from a copy of the object in obj (objlen bytes). 0, or -1 (reported). */
int iv_kmem_member_u64(struct iv_run *run, const void *obj, size_t objlen, const struct iv_kmember *m, uint64_t *out);

#endif
