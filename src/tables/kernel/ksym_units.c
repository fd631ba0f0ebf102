/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ksym_units.c - IOMMU starting points from the kernel's own data structures,
 * for kernels without IOMMU debugfs (every distribution kernel):
 *
 *   VT-d:   dmar_drhd_units (list_head) -> struct dmar_drhd_unit .list
 *           -> .iommu (struct intel_iommu) -> .root_entry (direct-map pointer)
 *   AMD-Vi: amd_iommu_pci_seg_list (6.0+) -> struct amd_iommu_pci_seg .list
 *           -> .dev_table; before 6.0 (and where struct amd_iommu_pci_seg has
 *           no dev_table, e.g. Debian's 5.10) the global amd_iommu_dev_table.
 *
 * Symbol addresses from /proc/kallsyms (src/ksym.c), member offsets by name
 * from /sys/kernel/btf/vmlinux (src/kbtf.c), memory from /proc/kcore or
 * --memory (src/kmem.c). Every list walk is bounded and loops are detected.
 * Discovery runs once per process. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ksym.h"
#include "kbtf.h"
#include "kmem.h"

#define MAX_UNITS     64          /* list entries walked at most */
#define MAX_SCOPE     1024        /* dmar_drhd_unit.devices_cnt at most */
#define MAX_STRUCT    65536       /* struct copies */
#define ECAP_SMTS     (1ULL << 43)


struct kseg {
	uint16_t id;
	uint64_t devtab;
};

enum { S_DMAR, S_SM, S_AMD_SEGS, S_AMD_DEVTAB, S_AMD_LAST_BDF, S_N };

static struct {
	bool done;
	int r;                        /* 0 usable, 1 unavailable (why), -1 error */
	char why[768];
	struct iv_ksym_unit *units;
	size_t nunits;
	struct kseg segs[MAX_UNITS];
	size_t nsegs;
	bool amd_syms;                /* an AMD-Vi symbol exists */
	size_t ignored;               /* dmar_drhd_units entries without an intel_iommu */
} K;

struct ctx {
	struct iv_physmem *pm;
	struct iv_kbtf *btf;
	struct iv_ksym_req *sym;
	uint32_t next_off;            /* list_head.next */
};

/* ---- helpers ---- */

static int read_u64(struct iv_run *run, struct ctx *c, uint64_t va, uint64_t *out, const char *what)
{
	return iv_kmem_read(run, c->pm, va, out, sizeof *out, what);
}

/* A copy of the struct at va (size from BTF). *obj malloc'd. */
static int read_struct(struct iv_run *run, struct ctx *c, const char *sname, uint64_t va, void **obj, uint32_t *size)
{
	char what[128];
	if (iv_kbtf_struct_size(run, c->btf, sname, size))
		return -1;
	if (*size == 0 || *size > MAX_STRUCT)
		return iv_error(run, "%s: struct %s has an implausible size %u", iv_kbtf_name(c->btf), sname, *size);
	snprintf(what, sizeof what, "struct %s at 0x%llx", sname, (unsigned long long)va);
	*obj = iv_xmalloc(*size);
	if (iv_kmem_read(run, c->pm, va, *obj, *size, what)) {
		free(*obj);
		return -1;
	}
	return 0;
}

/* Members resolved by name; NULL-terminated list of names, all required. */
static int members(struct iv_run *run, struct ctx *c, const char *sname, const char *const *names, struct iv_kmember *m)
{
	for (size_t i = 0; names[i]; i++)
		if (iv_kbtf_member(run, c->btf, sname, names[i], &m[i]))
			return -1;
	return 0;
}

static int get(struct iv_run *run, const void *obj, uint32_t size, const struct iv_kmember *m, const char *sname,
	       const char *mname, uint64_t va, uint64_t *out)
{
	if (iv_kmem_member_u64(run, obj, size, m, out))
		return iv_error(run, "struct %s at 0x%llx: member %s", sname, (unsigned long long)va, mname);
	return 0;
}

typedef int (*entry_fn)(struct iv_run *run, struct ctx *c, uint64_t obj_va, void *arg);

/* Walk the kernel list whose head is at head_va; each entry's struct starts
 * list_off bytes before its list_head. At most MAX_UNITS entries; an entry
 * seen twice (a loop that misses the head) is an error. */
static int walk_list(struct iv_run *run, struct ctx *c, const char *head_name, uint64_t head_va, uint32_t list_off,
		     entry_fn fn, void *arg)
{
	uint64_t seen[MAX_UNITS], cur;
	char what[160];
	snprintf(what, sizeof what, "list head %s.next", head_name);
	if (read_u64(run, c, head_va + c->next_off, &cur, what))
		return -1;
	size_t n = 0;
	while (cur != head_va) {
		if (cur == 0)
			return iv_error(run, "%s: list %s: NULL next pointer after %zu entries", iv_physmem_name(c->pm),
					head_name, n);
		for (size_t i = 0; i < n; i++)
			if (seen[i] == cur)
				return iv_error(run, "%s: list %s loops: entry 0x%llx comes again after %zu entries "
						"without returning to the head 0x%llx", iv_physmem_name(c->pm),
						head_name, (unsigned long long)cur, n, (unsigned long long)head_va);
		if (n == MAX_UNITS)
			return iv_error(run, "%s: list %s has more than %d entries (corrupt?)", iv_physmem_name(c->pm),
					head_name, MAX_UNITS);
		seen[n++] = cur;
		if (fn(run, c, cur - list_off, arg))
			return -1;
		snprintf(what, sizeof what, "%s entry %zu: list.next", head_name, n);
		if (read_u64(run, c, cur + c->next_off, &cur, what))
			return -1;
	}
	return 0;
}

static int list_empty(struct iv_run *run, struct ctx *c, const char *head_name, uint64_t head_va, bool *empty)
{
	uint64_t next;
	char what[160];
	snprintf(what, sizeof what, "list head %s.next", head_name);
	if (read_u64(run, c, head_va + c->next_off, &next, what))
		return -1;
	*empty = next == head_va;
	return 0;
}

/* ---- VT-d ---- */

enum { D_LIST, D_REG, D_DEVICES, D_DEVCNT, D_SEGMENT, D_INCALL, D_IOMMU, D_N };
static const char *const drhd_names[] = { "list", "reg_base_addr", "devices", "devices_cnt", "segment",
					  "include_all", "iommu", NULL };
enum { I_NAME, I_ROOT, I_ECAP, I_N };
static const char *const iommu_names[] = { "name", "root_entry", "ecap", NULL };
enum { SC_DEV, SC_BUS, SC_DEVFN, SC_N };
static const char *const scope_names[] = { "dev", "bus", "devfn", NULL };

struct dmar_walk {
	struct iv_kmember d[D_N], i[I_N], s[SC_N];
	uint32_t scope_size;
	bool sm;                      /* intel_iommu_sm */
};

static int read_scope(struct iv_run *run, struct ctx *c, struct dmar_walk *w, struct iv_ksym_unit *k, uint64_t devices,
		      uint64_t cnt, uint64_t unit_va)
{
	if (cnt == 0 || devices == 0)
		return 0;
	if (cnt > MAX_SCOPE)
		return iv_error(run, "struct dmar_drhd_unit at 0x%llx: devices_cnt %llu is implausible (more than %d)",
				(unsigned long long)unit_va, (unsigned long long)cnt, MAX_SCOPE);
	size_t len = (size_t)cnt * w->scope_size;
	uint8_t *buf = iv_xmalloc(len);
	char what[128];
	snprintf(what, sizeof what, "the device scope of struct dmar_drhd_unit at 0x%llx",
		 (unsigned long long)unit_va);
	if (iv_kmem_read(run, c->pm, devices, buf, len, what)) {
		free(buf);
		return -1;
	}
	k->scope = iv_xcalloc((size_t)cnt, sizeof *k->scope);
	for (uint64_t j = 0; j < cnt; j++) {
		const uint8_t *e = buf + j * w->scope_size;
		uint64_t dev, bus, devfn;
		if (get(run, e, w->scope_size, &w->s[SC_DEV], "dmar_dev_scope", "dev", devices, &dev) ||
		    get(run, e, w->scope_size, &w->s[SC_BUS], "dmar_dev_scope", "bus", devices, &bus) ||
		    get(run, e, w->scope_size, &w->s[SC_DEVFN], "dmar_dev_scope", "devfn", devices, &devfn)) {
			free(buf);
			return -1;
		}
		if (dev)                 /* an active entry: a device the kernel bound to it */
			k->scope[k->nscope++] = (uint16_t)((bus & 0xff) << 8 | (devfn & 0xff));
	}
	free(buf);
	return 0;
}

static int read_iommu(struct iv_run *run, struct ctx *c, struct dmar_walk *w, struct iv_ksym_unit *k, uint64_t va)
{
	void *o;
	uint32_t size;
	uint64_t root, ecap;
	if (read_struct(run, c, "intel_iommu", va, &o, &size))
		return -1;
	int r = -1;
	const struct iv_kmember *nm = &w->i[I_NAME];
	if (get(run, o, size, &w->i[I_ROOT], "intel_iommu", "root_entry", va, &root) ||
	    get(run, o, size, &w->i[I_ECAP], "intel_iommu", "ecap", va, &ecap))
		goto out;
	const char *name = (const char *)o + nm->offset;
	size_t nlen = strnlen(name, nm->size);
	if (nlen == 0 || nlen == nm->size || nlen >= sizeof k->u.name) {
		iv_error(run, "struct intel_iommu at 0x%llx: member name is not a short NUL-terminated string",
			 (unsigned long long)va);
		goto out;
	}
	for (size_t j = 0; j < nlen; j++)
		if (name[j] < 0x21 || name[j] > 0x7e) {
			iv_error(run, "struct intel_iommu at 0x%llx: member name has unprintable bytes",
				 (unsigned long long)va);
			goto out;
		}
	memcpy(k->u.name, name, nlen);
	k->u.name[nlen] = 0;
	k->u.scalable = w->sm && (ecap & ECAP_SMTS);
	if (root) {
		char what[128];
		snprintf(what, sizeof what, "%s: intel_iommu.root_entry", k->u.name);
		if (iv_kmem_v2p(run, c->pm, root, &k->u.root_table, what))
			goto out;
		if (k->u.root_table & (IV_PAGE_SIZE - 1)) {
			iv_error(run, "%s: root table 0x%llx (root_entry 0x%llx) is not page aligned", k->u.name,
				 (unsigned long long)k->u.root_table, (unsigned long long)root);
			goto out;
		}
		k->u.have_root = true;
	}
	r = 0;
out:
	free(o);
	return r;
}

static int drhd_entry(struct iv_run *run, struct ctx *c, uint64_t va, void *arg)
{
	struct dmar_walk *w = arg;
	void *o;
	uint32_t size;
	uint64_t v[D_N];
	if (read_struct(run, c, "dmar_drhd_unit", va, &o, &size))
		return -1;
	for (int i = D_REG; i < D_N; i++)
		if (get(run, o, size, &w->d[i], "dmar_drhd_unit", drhd_names[i], va, &v[i])) {
			free(o);
			return -1;
		}
	free(o);
	if (!v[D_IOMMU]) {            /* ignored unit (e.g. graphics-dedicated, disabled) */
		K.ignored++;
		return 0;
	}
	K.units = iv_xrealloc(K.units, (K.nunits + 1) * sizeof *K.units);
	struct iv_ksym_unit *k = &K.units[K.nunits];
	memset(k, 0, sizeof *k);
	k->u.segment = (uint16_t)v[D_SEGMENT];
	k->u.have_reg_base = true;
	k->u.reg_base = v[D_REG];
	k->include_all = v[D_INCALL] != 0;
	K.nunits++;
	if (read_scope(run, c, w, k, v[D_DEVICES], v[D_DEVCNT], va) || read_iommu(run, c, w, k, v[D_IOMMU]))
		return -1;
	return 0;
}

static int find_dmar(struct iv_run *run, struct ctx *c)
{
	struct iv_ksym_req *s = &c->sym[S_DMAR];
	bool empty;
	if (!s->found)
		return 0;
	if (list_empty(run, c, "dmar_drhd_units", s->addr, &empty))
		return -1;
	if (empty)
		return 0;
	struct dmar_walk w = { 0 };
	if (members(run, c, "dmar_drhd_unit", drhd_names, w.d) || members(run, c, "intel_iommu", iommu_names, w.i) ||
	    members(run, c, "dmar_dev_scope", scope_names, w.s) ||
	    iv_kbtf_struct_size(run, c->btf, "dmar_dev_scope", &w.scope_size))
		return -1;
	if (w.scope_size == 0 || w.scope_size > 256)
		return iv_error(run, "%s: struct dmar_dev_scope has an implausible size %u", iv_kbtf_name(c->btf),
				w.scope_size);
	if (c->sym[S_SM].found) {
		uint32_t sm;
		if (iv_kmem_read(run, c->pm, c->sym[S_SM].addr, &sm, sizeof sm, "intel_iommu_sm"))
			return -1;
		w.sm = sm != 0;
	}
	return walk_list(run, c, "dmar_drhd_units", s->addr, w.d[D_LIST].offset, drhd_entry, &w);
}

/* ---- AMD-Vi ---- */

static int devtab_value(struct iv_run *run, struct ctx *c, uint64_t va, uint64_t size, const char *what, uint64_t *out)
{
	uint64_t pa;
	if (iv_kmem_v2p(run, c->pm, va, &pa, what))
		return -1;
	if (pa & (IV_PAGE_SIZE - 1))
		return iv_error(run, "%s: device table 0x%llx is not page aligned", what, (unsigned long long)pa);
	uint64_t pages = size / IV_PAGE_SIZE;
	*out = pa | (pages >= 1 && pages <= 512 ? pages - 1 : 0);
	return 0;
}

enum { A_LIST, A_ID, A_DEVTAB, A_SIZE, A_N };
static const char *const seg_names[] = { "list", "id", "dev_table", "dev_table_size", NULL };

static int seg_entry(struct iv_run *run, struct ctx *c, uint64_t va, void *arg)
{
	const struct iv_kmember *m = arg;
	void *o;
	uint32_t size;
	uint64_t v[A_N];
	if (read_struct(run, c, "amd_iommu_pci_seg", va, &o, &size))
		return -1;
	for (int i = A_ID; i < A_N; i++)
		if (get(run, o, size, &m[i], "amd_iommu_pci_seg", seg_names[i], va, &v[i])) {
			free(o);
			return -1;
		}
	free(o);
	if (!v[A_DEVTAB])
		return 0;
	char what[96];
	snprintf(what, sizeof what, "amd_iommu_pci_seg %04llx: dev_table", (unsigned long long)v[A_ID]);
	struct kseg *s = &K.segs[K.nsegs];
	s->id = (uint16_t)v[A_ID];
	if (devtab_value(run, c, v[A_DEVTAB], v[A_SIZE], what, &s->devtab))
		return -1;
	K.nsegs++;
	return 0;
}

static int find_amd(struct iv_run *run, struct ctx *c)
{
	/* 6.0+ keeps the device tables in the segments. Some stable kernels
	 * (Debian's 5.10.2xx) backported the segment list and a struct
	 * amd_iommu_pci_seg with only list and id: their table is still the
	 * global amd_iommu_dev_table. Decided by member name, never by version. */
	bool per_seg = c->sym[S_AMD_SEGS].found &&
		       (iv_kbtf_has_member(c->btf, "amd_iommu_pci_seg", "dev_table") ||
			!c->sym[S_AMD_DEVTAB].found);
	if (per_seg) {
		struct iv_kmember m[A_N];
		bool empty;
		if (list_empty(run, c, "amd_iommu_pci_seg_list", c->sym[S_AMD_SEGS].addr, &empty))
			return -1;
		if (empty)
			return 0;
		if (members(run, c, "amd_iommu_pci_seg", seg_names, m))
			return -1;
		return walk_list(run, c, "amd_iommu_pci_seg_list", c->sym[S_AMD_SEGS].addr, m[A_LIST].offset,
				 seg_entry, m);
	}
	if (!c->sym[S_AMD_DEVTAB].found)
		return 0;
	uint64_t va, size = 0;                   /* before 6.0: one device table, segment 0 */
	if (read_u64(run, c, c->sym[S_AMD_DEVTAB].addr, &va, "amd_iommu_dev_table"))
		return -1;
	if (!va)
		return 0;
	if (c->sym[S_AMD_LAST_BDF].found) {      /* tbl_size(): a power of two of pages */
		uint16_t last;
		if (iv_kmem_read(run, c->pm, c->sym[S_AMD_LAST_BDF].addr, &last, sizeof last, "amd_iommu_last_bdf"))
			return -1;
		for (size = IV_PAGE_SIZE; size < ((uint64_t)last + 1) * 32; size <<= 1)
			;
	}
	K.segs[0].id = 0;
	if (devtab_value(run, c, va, size, "amd_iommu_dev_table", &K.segs[0].devtab))
		return -1;
	K.nsegs = 1;
	return 0;
}

/* ---- discovery ---- */

static int kcore_usable(struct iv_run *run, const char *path, char *why, size_t whylen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	int e = errno;
	char p[4096], lock[128] = "";
	if (e == ENOENT) {
		snprintf(why, whylen, "%s: %s (kernel without CONFIG_PROC_KCORE?)", path, strerror(e));
		return 1;
	}
	if (iv_read_small(iv_path(run, p, sizeof p, "/sys/kernel/security/lockdown"), lock, sizeof lock) > 0 &&
	    strstr(lock, "[confidentiality]"))
		snprintf(why, whylen, "%s: %s (kernel lockdown is in confidentiality mode: kcore is refused)",
			 path, strerror(e));
	else
		snprintf(why, whylen, "%s: %s%s", path, strerror(e),
			 e == EPERM || e == EACCES ? " (needs root / CAP_SYS_RAWIO, or lockdown)" : "");
	return 1;
}

static int discover(struct iv_run *run)
{
	char ks[4096], bt[4096], kc[4096];
	struct iv_ksym_req sym[S_N] = {
		[S_DMAR] = { "dmar_drhd_units", 0, false },
		[S_SM] = { "intel_iommu_sm", 0, false },
		[S_AMD_SEGS] = { "amd_iommu_pci_seg_list", 0, false },
		[S_AMD_DEVTAB] = { "amd_iommu_dev_table", 0, false },
		[S_AMD_LAST_BDF] = { "amd_iommu_last_bdf", 0, false },
	};
	const char *kcore = run->opt.memory ? run->opt.memory : iv_path(run, kc, sizeof kc, "/proc/kcore");
	int r = iv_ksym_lookup(run, iv_path(run, ks, sizeof ks, "/proc/kallsyms"), sym, S_N, K.why, sizeof K.why);
	if (r)
		return r;
	if (!sym[S_DMAR].found && !sym[S_AMD_SEGS].found && !sym[S_AMD_DEVTAB].found) {
		snprintf(K.why, sizeof K.why, "%.500s: no IOMMU driver symbol (dmar_drhd_units, "
			 "amd_iommu_pci_seg_list, amd_iommu_dev_table)", ks);
		return 1;
	}
	K.amd_syms = sym[S_AMD_SEGS].found || sym[S_AMD_DEVTAB].found;
	if (kcore_usable(run, kcore, K.why, sizeof K.why))
		return 1;
	struct ctx c = { .sym = sym };
	r = iv_kbtf_open(run, iv_path(run, bt, sizeof bt, "/sys/kernel/btf/vmlinux"), &c.btf, K.why, sizeof K.why);
	if (r)
		return r;
	struct iv_kmember next;
	r = -1;
	if (iv_kbtf_member(run, c.btf, "list_head", "next", &next))
		goto out;
	c.next_off = next.offset;
	if (!(c.pm = iv_physmem_open(run, kcore)))
		goto out;
	if (find_dmar(run, &c) || find_amd(run, &c))
		goto out;
	r = 0;
out:
	iv_physmem_close(c.pm);
	iv_kbtf_close(c.btf);
	if (r)
		snprintf(K.why, sizeof K.why, "error (see errors)");
	return r;
}

static int ensure(struct iv_run *run, char *why, size_t whylen)
{
	if (!K.done) {
		K.done = true;
		K.r = discover(run);
	}
	if (K.r)
		snprintf(why, whylen, "%s", K.why);
	return K.r;
}

int iv_ksym_units(struct iv_run *run, const struct iv_ksym_unit **units, size_t *n, char *why, size_t whylen)
{
	*units = NULL;
	*n = 0;
	int r = ensure(run, why, whylen);
	if (r)
		return r;
	*units = K.units;
	*n = K.nunits;
	if (K.nunits == 0)
		snprintf(why, whylen, "dmar_drhd_units has no VT-d unit in use");
	return 0;
}

int iv_ksym_amd_devtab(struct iv_run *run, uint16_t seg, uint64_t *devtab, char *why, size_t whylen)
{
	int r = ensure(run, why, whylen);
	if (r)
		return r;
	for (size_t i = 0; i < K.nsegs; i++)
		if (K.segs[i].id == seg) {
			*devtab = K.segs[i].devtab;
			return 0;
		}
	if (K.ignored)
		snprintf(why, whylen, "dmar_drhd_units lists %zu VT-d unit(s), none with an intel_iommu "
			 "(ignored or not initialised)", K.ignored);
	else if (!K.amd_syms)
		snprintf(why, whylen, "no AMD-Vi driver symbols");
	else if (K.nsegs)
		snprintf(why, whylen, "no AMD-Vi device table for PCI segment %04x", seg);
	else
		snprintf(why, whylen, "AMD-Vi has no device table (%s)",
			 K.nunits ? "VT-d host" : "IOMMU not initialised or disabled");
	return 1;
}
