/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kmem.c - kernel virtual memory through an ELF core image (/proc/kcore):
 * virtual -> physical by the PT_LOAD segment holding the address
 * (iv_physmem_v2p), then physical reads (iv_physmem_read). */
#include "config.h"
#include <string.h>
#include "kmem.h"

static int v2p(struct iv_run *run, struct iv_physmem *pm, uint64_t va, uint64_t *pa, uint64_t *contig, const char *what)
{
	if (iv_physmem_v2p(pm, va, pa, contig) != 0)
		return iv_error(run, "%s: %s: kernel virtual address 0x%llx is not in the kernel image or the "
				"direct map (no PT_LOAD segment with a physical address holds it)",
				iv_physmem_name(pm), what, (unsigned long long)va);
	return 0;
}

int iv_kmem_v2p(struct iv_run *run, struct iv_physmem *pm, uint64_t va, uint64_t *pa, const char *what)
{
	uint64_t contig;
	return v2p(run, pm, va, pa, &contig, what);
}

int iv_kmem_read(struct iv_run *run, struct iv_physmem *pm, uint64_t va, void *buf, size_t len, const char *what)
{
	uint8_t *p = buf;
	while (len) {
		uint64_t pa, contig;
		if (v2p(run, pm, va, &pa, &contig, what))
			return -1;
		size_t n = contig < len ? (size_t)contig : len;
		if (iv_physmem_read(pm, pa, p, n))
			return iv_error(run, "%s: reading %s at kernel virtual address 0x%llx", iv_physmem_name(pm),
					what, (unsigned long long)va);
		p += n;
		va += n;
		len -= n;
	}
	return 0;
}

int iv_kmem_member_u64(struct iv_run *run, const void *obj, size_t objlen, const struct iv_kmember *m, uint64_t *out)
{
	uint64_t v = 0;
	if (m->bit_size) {
		uint32_t first = m->bit_offset / 8, shift = m->bit_offset % 8;
		if (m->bit_size > 56 || first >= objlen)
			return iv_error(run, "bitfield at bit %u (%u bits) cannot be read", m->bit_offset, m->bit_size);
		size_t n = objlen - first < 8 ? objlen - first : 8;
		memcpy(&v, (const uint8_t *)obj + first, n);       /* x86-64: little endian */
		*out = (v >> shift) & ((1ULL << m->bit_size) - 1);
		return 0;
	}
	if ((m->size != 1 && m->size != 2 && m->size != 4 && m->size != 8) || m->offset + m->size > objlen)
		return iv_error(run, "member at offset %u (%u bytes) is not an integer or pointer", m->offset, m->size);
	memcpy(&v, (const uint8_t *)obj + m->offset, m->size);
	*out = v;
	return 0;
}
