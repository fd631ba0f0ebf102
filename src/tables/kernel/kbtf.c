/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kbtf.c - struct member offsets by name from the kernel's BTF, with libbpf's
 * BTF API (btf__parse: raw /sys/kernel/btf/vmlinux or a vmlinux ELF). */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "kbtf.h"

struct iv_kbtf {
	struct btf *btf;
	char *path;
};

const char *iv_kbtf_name(const struct iv_kbtf *b) { return b->path; }

int iv_kbtf_open(struct iv_run *run, const char *path, struct iv_kbtf **out, char *why, size_t whylen)
{
	if (access(path, F_OK) != 0) {
		snprintf(why, whylen, "%s: %s (kernel without CONFIG_DEBUG_INFO_BTF: no struct layouts)", path,
			 strerror(errno));
		return 1;
	}
	struct btf *btf = btf__parse(path, NULL);
	if (!btf) {
		int e = errno;
		return iv_error(run, "%s: cannot parse BTF: %s", path, strerror(e ? e : EINVAL));
	}
	struct iv_kbtf *b = iv_xcalloc(1, sizeof *b);
	b->btf = btf;
	b->path = iv_xstrdup(path);
	*out = b;
	return 0;
}

void iv_kbtf_close(struct iv_kbtf *b)
{
	if (!b)
		return;
	btf__free(b->btf);
	free(b->path);
	free(b);
}

static const struct btf_type *find_struct(struct iv_run *run, struct iv_kbtf *b, const char *sname, int *id)
{
	*id = btf__find_by_name_kind(b->btf, sname, BTF_KIND_STRUCT);
	if (*id < 0) {
		iv_error(run, "%s: no struct %s in the kernel's BTF", b->path, sname);
		return NULL;
	}
	return btf__type_by_id(b->btf, (__u32)*id);
}

int iv_kbtf_struct_size(struct iv_run *run, struct iv_kbtf *b, const char *sname, uint32_t *size)
{
	int id;
	const struct btf_type *t = find_struct(run, b, sname, &id);
	if (!t)
		return -1;
	*size = t->size;
	return 0;
}

/* Search t's members, descending into anonymous structs and unions (bounded
 * depth, and a bounded number of members visited: a hostile BTF whose anonymous
 * members refer back to their struct must not make the search exponential). */
static int find_member(struct iv_kbtf *b, const struct btf_type *t, const char *mname, uint32_t base_bits,
		       int depth, unsigned *budget, struct iv_kmember *out)
{
	const struct btf_member *m = btf_members(t);
	for (__u16 i = 0; i < btf_vlen(t); i++) {
		if (*budget == 0)
			return 0;
		--*budget;
		const char *n = btf__name_by_offset(b->btf, m[i].name_off);
		uint32_t bits = base_bits + btf_member_bit_offset(t, i);
		if (n && *n) {
			if (strcmp(n, mname))
				continue;
			__s64 sz = btf__resolve_size(b->btf, m[i].type);
			int tid = btf__resolve_type(b->btf, m[i].type);
			if (sz < 0 || tid < 0)
				return -1;
			const struct btf_type *mt = btf__type_by_id(b->btf, (__u32)tid);
			out->bit_offset = bits;
			out->bit_size = btf_member_bitfield_size(t, i);
			out->offset = bits / 8;
			out->size = (uint32_t)sz;
			out->nelems = mt && btf_is_array(mt) ? btf_array(mt)->nelems : 0;
			return 1;
		}
		if (depth >= 8)
			continue;
		int tid = btf__resolve_type(b->btf, m[i].type);
		const struct btf_type *mt = tid < 0 ? NULL : btf__type_by_id(b->btf, (__u32)tid);
		if (mt && (btf_is_struct(mt) || btf_is_union(mt))) {
			int r = find_member(b, mt, mname, bits, depth + 1, budget, out);
			if (r)
				return r;
		}
	}
	return 0;
}

bool iv_kbtf_has_member(struct iv_kbtf *b, const char *sname, const char *mname)
{
	int id = btf__find_by_name_kind(b->btf, sname, BTF_KIND_STRUCT);
	if (id < 0)
		return false;
	struct iv_kmember m;
	unsigned budget = 1u << 16;
	return find_member(b, btf__type_by_id(b->btf, (__u32)id), mname, 0, 0, &budget, &m) == 1;
}

int iv_kbtf_member(struct iv_run *run, struct iv_kbtf *b, const char *sname, const char *mname, struct iv_kmember *out)
{
	int id;
	const struct btf_type *t = find_struct(run, b, sname, &id);
	if (!t)
		return -1;
	memset(out, 0, sizeof *out);
	unsigned budget = 1u << 16;
	int r = find_member(b, t, mname, 0, 0, &budget, out);
	if (r < 0)
		return iv_error(run, "%s: struct %s member %s: cannot resolve its type", b->path, sname, mname);
	if (r == 0)
		return iv_error(run, "%s: struct %s has no member '%s' in the kernel's BTF (kernel version "
				"not supported)", b->path, sname, mname);
	if (out->offset >= t->size || out->size > t->size - out->offset)
		return iv_error(run, "%s: struct %s member %s lies outside the struct (%u bytes)", b->path, sname,
				mname, t->size);
	return 0;
}
