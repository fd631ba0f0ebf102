/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gen-btf.c - write a small raw BTF blob (like /sys/kernel/btf/vmlinux) with
 * libbpf's BTF writer, for the kernel-symbol source tests.
 * Usage: gen-btf OUT < SPEC
 *
 * SPEC, one directive a line ('#' comments; numbers in C syntax):
 *   struct NAME SIZE              start a struct of SIZE bytes
 *   m NAME TYPE OFFSET            a member at byte OFFSET
 *   b NAME TYPE BITOFFSET BITS    a bitfield member
 * TYPE: u8 u16 u32 u64 int ptr char[N] struct:NAME (a struct defined above).
 * Structs are emitted in order, so struct:NAME must name an earlier one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>

#define MAXM 64
#define MAXS 32

struct mem { char name[64], type[64]; unsigned off, bits; };
struct st { char name[64]; unsigned size; int nm; struct mem m[MAXM]; int id; };

static struct st S[MAXS];
static int ns;

static void die(int line, const char *msg)
{
	fprintf(stderr, "gen-btf: line %d: %s\n", line, msg);
	exit(2);
}

static unsigned num(const char *s, int line)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 0);
	if (errno || *end)
		die(line, "bad number");
	return (unsigned)v;
}

static int base[8];    /* u8 u16 u32 u64 int char ptr */

static int type_id(struct btf *b, const char *t, int line)
{
	static const char *const names[] = { "u8", "u16", "u32", "u64", "int", "char", "ptr" };
	for (int i = 0; i < 7; i++)
		if (!strcmp(t, names[i]))
			return base[i];
	unsigned n;
	if (sscanf(t, "char[%u]", &n) == 1) {
		int id = btf__add_array(b, base[2], base[5], n);
		if (id < 0)
			die(line, "btf__add_array failed");
		return id;
	}
	if (!strncmp(t, "struct:", 7)) {
		for (int i = 0; i < ns; i++)
			if (!strcmp(S[i].name, t + 7) && S[i].id > 0)
				return S[i].id;
		die(line, "struct type not defined above");
	}
	die(line, "unknown type");
	return -1;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen-btf OUT < SPEC\n");
		return 2;
	}
	char buf[512], *w[6];
	int line = 0;
	while (fgets(buf, sizeof buf, stdin)) {
		int n = 0;
		line++;
		char *hash = strchr(buf, '#');
		if (hash)
			*hash = 0;
		for (char *t = strtok(buf, " \t\r\n"); t && n < 6; t = strtok(NULL, " \t\r\n"))
			w[n++] = t;
		if (n == 0)
			continue;
		if (!strcmp(w[0], "struct") && n == 3) {
			if (ns == MAXS)
				die(line, "too many structs");
			snprintf(S[ns].name, sizeof S[ns].name, "%s", w[1]);
			S[ns++].size = num(w[2], line);
		} else if ((!strcmp(w[0], "m") && n == 4) || (!strcmp(w[0], "b") && n == 5)) {
			if (ns == 0 || S[ns - 1].nm == MAXM)
				die(line, "member outside a struct, or too many");
			struct mem *m = &S[ns - 1].m[S[ns - 1].nm++];
			snprintf(m->name, sizeof m->name, "%s", w[1]);
			snprintf(m->type, sizeof m->type, "%s", w[2]);
			m->off = w[0][0] == 'm' ? num(w[3], line) * 8 : num(w[3], line);
			m->bits = w[0][0] == 'b' ? num(w[4], line) : 0;
		} else {
			die(line, "unknown directive");
		}
	}
	struct btf *b = btf__new_empty();
	if (!b)
		die(0, "btf__new_empty failed");
	base[0] = btf__add_int(b, "u8", 1, 0);
	base[1] = btf__add_int(b, "u16", 2, 0);
	base[2] = btf__add_int(b, "u32", 4, 0);
	base[3] = btf__add_int(b, "u64", 8, 0);
	base[4] = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	base[5] = btf__add_int(b, "char", 1, BTF_INT_CHAR);
	base[6] = btf__add_ptr(b, 0);            /* void * */
	for (int i = 0; i < 7; i++)
		if (base[i] < 0)
			die(0, "adding base types failed");
	for (int i = 0; i < ns; i++) {
		int tid[MAXM];
		for (int j = 0; j < S[i].nm; j++)   /* member types first: fields must follow their struct */
			tid[j] = type_id(b, S[i].m[j].type, 0);
		S[i].id = btf__add_struct(b, S[i].name, S[i].size);
		if (S[i].id < 0)
			die(0, "btf__add_struct failed");
		for (int j = 0; j < S[i].nm; j++)
			if (btf__add_field(b, S[i].m[j].name, tid[j], S[i].m[j].off, S[i].m[j].bits) < 0)
				die(0, "btf__add_field failed (bad offset or bitfield?)");
	}
	__u32 size;
	const void *raw = btf__raw_data(b, &size);
	FILE *f = fopen(argv[1], "wb");
	if (!raw || !f || fwrite(raw, 1, size, f) != size || fclose(f) != 0) {
		perror(argv[1]);
		return 2;
	}
	btf__free(b);
	return 0;
}
