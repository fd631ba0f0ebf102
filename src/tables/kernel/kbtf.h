/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kbtf.h - struct member offsets by name from the kernel's BTF
 * (/sys/kernel/btf/vmlinux, or a vmlinux ELF with .BTF) via libbpf.
 * Nothing is hard-coded: one binary works across kernel versions. src/kbtf.c */
#ifndef IV_KBTF_H
#define IV_KBTF_H
#include "iv.h"

struct iv_kbtf;

/* A member of a struct, as laid out by the running kernel. */
struct iv_kmember {
	uint32_t offset;      /* bytes from the start of the struct (containing byte for bitfields) */
	uint32_t size;        /* bytes of the member's type (array: whole array) */
	uint32_t bit_offset;  /* bits from the start of the struct */
	uint32_t bit_size;    /* bitfield width, 0 for an ordinary member */
	uint32_t nelems;      /* array members: element count, else 0 */
};

/* Returns 0 (*out set), 1 when the file does not exist (reason in why,
 * nothing reported), -1 when it cannot be parsed (reported). */
int iv_kbtf_open(struct iv_run *run, const char *path, struct iv_kbtf **out, char *why, size_t whylen);
void iv_kbtf_close(struct iv_kbtf *b);
/* Size of struct sname; 0 and -1 (reported, naming the struct) if absent. */
int iv_kbtf_struct_size(struct iv_run *run, struct iv_kbtf *b, const char *sname, uint32_t *size);
/* Member mname of struct sname (members of anonymous structs/unions are
 * found too). Returns 0, or -1 after an error naming the struct and member. */
int iv_kbtf_member(struct iv_run *run, struct iv_kbtf *b, const char *sname, const char *mname, struct iv_kmember *out);
/* Whether struct sname exists and has member mname; reports nothing (a probe
 * for layouts that differ between kernel versions). */
bool iv_kbtf_has_member(struct iv_kbtf *b, const char *sname, const char *mname);
const char *iv_kbtf_name(const struct iv_kbtf *b);

#endif
