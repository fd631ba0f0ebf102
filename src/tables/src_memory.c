/* src_memory.c - page tables walked in physical memory (an ELF image:
 * /proc/kcore by default, --memory FILE): the walkers of walk/ (walk.h) read
 * the image through a page reader over physmem.c.
 *
 * Starting point: AMD-Vi when --amd-devtab is given; VT-d when --vtd-root is
 * given or debugfs lists units with a root table (include/intel.h); else the
 * kernel's own structures through kallsyms, BTF and kcore (include/ksym.h). With
 * --vtd-root, RTADDR bit 10 (SMT) in the value selects scalable mode; else the
 * unit's flag from debugfs, else the root entry decides (see walk/vtd.c). */
#include "config.h"
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "source.h"
#include "intel.h"
#include "ksym.h"
#include "physmem.h"
#include "walk.h"

/* ---- the source ---- */

struct mem_handle {
	struct iv_physmem *pm;
	struct iv_walk_mem mem;    /* the walkers' page reader: physmem's page cache */
	struct iv_pt pt;
};

static const uint64_t *mem_page(void *pm, uint64_t pa)
{
	return iv_physmem_page(pm, pa);
}

struct start {
	bool amd;
	uint64_t addr;     /* VT-d root table / AMD device table */
	int scalable;      /* VT-d: 1, 0, -1 unknown */
};

static int unit_scalable(const struct iv_dmar_unit *u)
{
	return u->scalable || (u->have_regs && (u->rtaddr & (1u << 10))) ? 1 : -1;
}

/* Root tables to try from debugfs: the device's unit first, else every unit of its segment. */
static int vtd_starts(const struct iv_bdf *bdf, struct start *s, int max)
{
	struct iv_dmar_unit *u;
	size_t n;
	char name[32] = "", p[4200];
	struct stat st;
	snprintf(p, sizeof p, "%s/iommu/intel", iv_g->debugfs);
	if (iv_g->have_vtd_root && stat(p, &st) != 0)
		return 1;               /* --vtd-root without debugfs: nothing to add */
	if (iv_intel_units(&u, &n))
		return -1;
	if (iv_intel_unit_of(bdf, name, sizeof name) != 0)
		name[0] = 0;
	int k = 0;
	for (size_t i = 0; i < n && k < max; i++) {
		if (iv_g->have_vtd_root) {
			bool named = iv_g->vtd_root_unit[0] ? !strcmp(u[i].name, iv_g->vtd_root_unit)
							    : !strcmp(u[i].name, name);
			if (named && unit_scalable(&u[i]) > 0)
				s[0].scalable = 1;
			continue;
		}
		if (!u[i].have_root || u[i].segment != bdf->seg || (name[0] && strcmp(u[i].name, name)))
			continue;
		s[k++] = (struct start){ false, u[i].root_table, unit_scalable(&u[i]) };
	}
	free(u);
	return iv_g->have_vtd_root ? 1 : k;
}

/* No start from the options or debugfs: the kernel's VT-d units (the device's
 * unit if sysfs names it, else every unit of its segment), else its AMD-Vi
 * device table. Returns the number of starts, 0 with the reason in why. */
static int ksym_starts(const struct iv_bdf *bdf, struct start *s, int max, char *why, size_t whylen)
{
	struct iv_dmar_unit *u;
	size_t n;
	char name[32] = "";
	int r = iv_ksym_intel_units(bdf, &u, &n, why, whylen);
	if (r)
		return r < 0 ? -1 : 0;
	if (iv_intel_unit_of(bdf, name, sizeof name) != 0)
		name[0] = 0;
	int k = 0;
	for (size_t i = 0; i < n && k < max; i++)
		if (u[i].have_root && u[i].segment == bdf->seg && (!name[0] || !strcmp(u[i].name, name)))
			s[k++] = (struct start){ false, u[i].root_table, unit_scalable(&u[i]) };
	free(u);
	if (n) {
		if (!k)
			snprintf(why, whylen, "no VT-d unit %s%shas a root table (kernel symbols)", name,
				 name[0] ? " " : "of this segment ");
		return k;
	}
	uint64_t devtab;
	r = iv_ksym_amd_devtab(bdf->seg, &devtab, why, whylen);
	if (r)
		return r < 0 ? -1 : 0;
	s[0] = (struct start){ true, devtab, -1 };
	return 1;
}

static int find_starts(const struct iv_bdf *bdf, struct start *s, int max, char *why, size_t whylen)
{
	if (iv_g->have_amd_devtab) {
		s[0] = (struct start){ true, iv_g->amd_devtab, -1 };
		return 1;
	}
	if (iv_g->have_vtd_root)
		s[0] = (struct start){ false, iv_g->vtd_root, iv_g->vtd_root & (1u << 10) ? 1 : -1 };
	int k = vtd_starts(bdf, s, max);
	if (k != 0)
		return k;
	char ks[512] = "";
	if ((k = ksym_starts(bdf, s, max, ks, sizeof ks)) != 0)
		return k;
	char p[4200];
	struct stat st;
	snprintf(p, sizeof p, "%s/iommu/amd", iv_g->debugfs);
	if (stat(p, &st) == 0)
		snprintf(why, whylen, "no AMD-Vi device table: give --amd-devtab ADDR "
			 "(the Device Table Base register, MMIO offset 0); kernel symbols: %s", ks);
	else
		snprintf(why, whylen, "no VT-d root table: give --vtd-root ADDR (RTADDR) or mount debugfs; "
			 "for AMD-Vi give --amd-devtab ADDR; kernel symbols: %s", ks);
	return 0;
}

static int mem_resolve(struct mem_handle *h, const struct start *s, int n, const struct iv_bdf *bdf,
		       uint32_t pasid, struct iv_table *t, char *why, size_t whylen)
{
	int r = 1;
	size_t used = 0;
	for (int i = 0; i < n && r == 1; i++) {
		char w[512] = "";
		t->passthrough = false;
		r = s[i].amd ? iv_amd_open(&h->mem, s[i].addr, bdf, pasid, t, &h->pt, w, sizeof w)
			     : iv_vtd_open(&h->mem, s[i].addr, s[i].scalable, bdf, pasid, t, &h->pt, w, sizeof w);
		if (r == 1 && used < whylen) {
			snprintf(why + used, whylen - used, "%s%s", used ? "; " : "", w);
			used += strlen(why + used);
		}
	}
	return r;
}

static int mem_open(const struct iv_bdf *bdf, uint32_t pasid, struct iv_table *t, void **handle,
		    char *why, size_t whylen)
{
	struct start s[8];
	int n = find_starts(bdf, s, 8, why, whylen);
	if (n <= 0)
		return n < 0 ? -1 : 1;
	char kc[4096];
	const char *path = iv_g->memory ? iv_g->memory : iv_path(kc, sizeof kc, "/proc/kcore");
	if (!iv_g->memory && access(path, F_OK) != 0) {
		/* no default image: this source is unavailable, not broken */
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return 1;
	}
	struct mem_handle *h = iv_xcalloc(1, sizeof *h);
	h->pm = iv_physmem_open(path);
	if (!h->pm) {
		free(h);
		return -1;
	}
	h->mem = (struct iv_walk_mem){ mem_page, h->pm, iv_physmem_name(h->pm) };
	t->bdf = *bdf;
	t->pasid = pasid;
	t->source = "memory";
	snprintf(t->origin, sizeof t->origin, "%s", path);
	why[0] = 0;
	int r = mem_resolve(h, s, n, bdf, pasid, t, why, whylen);
	if (r != 0) {
		iv_physmem_close(h->pm);
		free(h);
		return r;
	}
	*handle = h;
	return 0;
}

static int mem_walk(void *handle, uint64_t lo, uint64_t hi, iv_leaf_fn fn, void *arg)
{
	struct mem_handle *h = handle;
	return iv_pt_walk(&h->pt, lo, hi, fn, arg);
}

static void mem_close(void *handle)
{
	struct mem_handle *h = handle;
	if (!h)
		return;
	iv_physmem_close(h->pm);
	free(h);
}

const struct iv_source_ops iv_source_memory = { "memory", mem_open, mem_walk, mem_close };
