/* SPDX-License-Identifier: GPL-2.0-or-later */
/* viommu.c - a guest with its own vIOMMU (field notes section 4): the host
 * IOMMU then maps guest IOVA, not GPA, to the host page of the GPA the guest's
 * tables translate it to, whenever the guest has translation on.
 *  - detection: the QEMU command line's -device intel-iommu / virtio-iommu* /
 *    amd-iommu (plain, driver=, or JSON);
 *  - the emulated Intel unit's GSTS register (HMP `xp /1wx 0xfed9001c`, a read
 *    without side effects, in the caller's QMP session): TES (bit 31) clear
 *    means IOVA == GPA;
 *  - the PFN set of the VM's RAM blocks (pagemap over each section's HVA
 *    range), for the check that needs no GPA: an IOMMU PFN in none of them is
 *    stale. */
#include "config.h"
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "host.h"
#include "gpamap.h"
#include "viommu_text.h"

#define VTD_BASE 0xfed90000ULL   /* Q35_HOST_BRIDGE_IOMMU_ADDR */
#define GSTS_ADDR (VTD_BASE + 0x1c)   /* DMAR_GSTS_REG */
#define RTADDR_REG 0x20
#define GSTS_TES (1u << 31)
#define GSTS_RTPS (1u << 30)
#define RTADDR_SMT (1ULL << 10)     /* scalable mode (TTM 01) */
#define RTADDR_TTM_HI (1ULL << 11)  /* TTM 1x: reserved / abort-DMA mode (older specs: extended root table) */
#define MAX_PFNSET_PFN (1ULL << 31)   /* bitmap of at most 256 MiB (8 TiB of host memory) */

/* The device driver named by one -device value, in buf. */
static void device_driver(const char *v, char *buf, size_t len)
{
	buf[0] = 0;
	if (*v == '{') {   /* JSON: {"driver":"intel-iommu",...} */
		const char *d = strstr(v, "\"driver\"");
		if (!d)
			return;
		d += 8;
		d += strspn(d, " \t");
		if (*d++ != ':')
			return;
		d += strspn(d, " \t");
		if (*d++ != '"')
			return;
		size_t n = strcspn(d, "\"");
		snprintf(buf, len, "%.*s", (int)n, d);
		return;
	}
	/* DRIVER[,prop=value...] or driver=DRIVER,... anywhere in the list */
	for (const char *p = v; *p;) {
		size_t n = strcspn(p, ",");
		if (!strncmp(p, "driver=", 7)) {
			snprintf(buf, len, "%.*s", (int)(n - 7), p + 7);
			return;
		}
		p += n;
		p += *p == ',';
	}
	size_t n = strcspn(v, ",");
	if (!memchr(v, '=', n))
		snprintf(buf, len, "%.*s", (int)n, v);
}

static bool is_viommu(const char *drv)
{
	return !strcmp(drv, "intel-iommu") || !strcmp(drv, "amd-iommu") || !strncmp(drv, "virtio-iommu", 12);
}

/* The value of property key in "drv,k=v,k2=v2" (not JSON), in buf; false when absent. */
static bool prop(const char *v, const char *key, char *buf, size_t len)
{
	size_t kl = strlen(key);
	for (const char *p = v; *p;) {
		size_t n = strcspn(p, ",");
		if (n > kl && !strncmp(p, key, kl) && p[kl] == '=') {
			snprintf(buf, len, "%.*s", (int)(n - kl - 1), p + kl + 1);
			return true;
		}
		p += n;
		p += *p == ',';
	}
	return false;
}

static bool json_prop(const char *v, const char *key, char *buf, size_t len)
{
	json_object *o = json_tokener_parse(v), *x;
	bool ok = false;
	if (o && json_object_object_get_ex(o, key, &x) &&
	    (json_object_is_type(x, json_type_string) || json_object_is_type(x, json_type_int))) {
		/* an integer (addr: a devfn) is marked with '#' */
		snprintf(buf, len, "%s%s", json_object_is_type(x, json_type_int) ? "#" : "", json_object_get_string(x));
		ok = true;
	}
	json_object_put(o);
	return ok;
}

/* QEMU's PCI addr property: "SLOT[.FN]" in hex (0x optional), or an integer
 * devfn (JSON, "#N" from json_prop): devfn, or -1. */
static int parse_addr(const char *s)
{
	char *end;
	bool devfn = *s == '#';
	s += devfn;
	errno = 0;
	unsigned long slot = strtoul(s, &end, devfn ? 10 : 16), fn = 0;
	if (errno || end == s || *s == '-' || *s == '+')
		return -1;
	if (devfn)
		return *end || slot > 255 ? -1 : (int)slot;
	if (*end == '.') {
		const char *f = end + 1;
		fn = strtoul(f, &end, 16);
		if (end == f)
			return -1;
	}
	return *end || slot > 31 || fn > 7 ? -1 : (int)(slot << 3 | fn);
}

/* One -device vfio-pci value: remember its host and guest address properties. */
static void vfio_dev(const char *val, struct iv_viommu *v)
{
	bool json = *val == '{';
	char host[128] = "", addr[32] = "";
	struct iv_viommu_dev d;
	memset(&d, 0, sizeof d);
	bool (*get)(const char *, const char *, char *, size_t) = json ? json_prop : prop;
	if (!get(val, "host", host, sizeof host) && get(val, "sysfsdev", host, sizeof host)) {
		const char *b = strrchr(host, '/');
		memmove(host, b ? b + 1 : host, strlen(b ? b + 1 : host) + 1);
	}
	if (!host[0] || iv_bdf_parse(host, &d.host) || v->ndev >= sizeof v->dev / sizeof v->dev[0])
		return;
	get(val, "id", d.id, sizeof d.id);
	get(val, "bus", d.bus, sizeof d.bus);
	d.addr = get(val, "addr", addr, sizeof addr) ? parse_addr(addr) : -1;
	v->dev[v->ndev++] = d;
}

void iv_viommu_cmdline_parse(const char *cl, size_t n, struct iv_viommu *v)
{
	char drv[64], *last = NULL;
	memset(v, 0, sizeof *v);
	v->translation = -1;
	bool next = false;
	for (size_t i = 0, len; i < n; i += len + 1) {
		const char *a = cl + i, *val = NULL;
		len = strnlen(a, n - i);
		if (len == n - i) {   /* the last argument, unterminated: a terminated copy */
			last = iv_xmalloc(len + 1);
			memcpy(last, a, len);
			last[len] = 0;
			a = last;
		}
		if (next)
			val = a;
		next = !strcmp(a, "-device") || !strcmp(a, "--device");
		if (!strncmp(a, "-device=", 8) || !strncmp(a, "--device=", 9))
			val = strchr(a, '=') + 1;
		if (!val)
			continue;
		device_driver(val, drv, sizeof drv);
		if (!strcmp(drv, "vfio-pci"))
			vfio_dev(val, v);
		if (is_viommu(drv) && !v->model[0]) {
			snprintf(v->model, sizeof v->model, "%s", drv);
			snprintf(v->how, sizeof v->how, "-device %s on the QEMU command line", drv);
		}
	}
	free(last);
}

int iv_viommu_cmdline(struct iv_run *run, pid_t pid, struct iv_viommu *v)
{
	char path[PATH_MAX], cl[65536];
	memset(v, 0, sizeof *v);
	v->translation = -1;
	ssize_t n = iv_read_small(iv_path(run, path, sizeof path, "/proc/%d/cmdline", (int)pid), cl, sizeof cl);
	if (n < 0)
		return iv_error(run, "%s: %s", path, strerror(errno));
	iv_viommu_cmdline_parse(cl, (size_t)n, v);
	return 0;
}

/* Hex digits at *s (no sign, blank or 0x: strtoull would take them): 0 with the value, -1 none or overflow. */
static int xp_hex(const char **s, uint64_t *v)
{
	static const char hex[] = "0123456789abcdefABCDEF";
	size_t n = strspn(*s, hex);
	uint64_t x = 0;
	if (!n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (x >> 60)
			return -1;
		char c = (*s)[i];
		x = x << 4 | (uint64_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	*s += n;
	*v = x;
	return 0;
}

/* "00000000fed9001c: 0x80000000" (max UINT32_MAX), "00000000fed90020: 0x0000000000765000" (viommu_text.h) */
int iv_viommu_xp_parse(const char *text, uint64_t addr, uint64_t *val, uint64_t max)
{
	const char *s = text;
	uint64_t a, x;
	if (xp_hex(&s, &a) || a != addr || *s++ != ':' || *s != ' ')
		return -1;
	s += strspn(s, " ");
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (xp_hex(&s, &x) || x > max || (*s && *s != '\r' && *s != '\n' && *s != ' '))
		return -1;
	*val = x;
	return 0;
}

static int parse_xp(const char *text, uint64_t addr, uint32_t *val)
{
	uint64_t x;
	int r = iv_viommu_xp_parse(text, addr, &x, UINT32_MAX);
	*val = (uint32_t)x;
	return r;
}

int iv_viommu_gsts(struct iv_qmp *q, struct iv_viommu *v)
{
	if (strcmp(v->model, "intel-iommu")) {
		snprintf(v->how + strlen(v->how), sizeof v->how - strlen(v->how),
			 "; its translation state cannot be read (only the emulated Intel unit's GSTS is)");
		return 0;
	}
	char cmd[64], *text = NULL;
	uint32_t gsts;
	uint64_t gsts_addr = (v->base ? v->base : VTD_BASE) + 0x1c;
	snprintf(cmd, sizeof cmd, "xp /1wx 0x%llx", (unsigned long long)gsts_addr);
	if (iv_qmp_hmp(q, cmd, &text)) {
		snprintf(v->how + strlen(v->how), sizeof v->how - strlen(v->how), "; GSTS unreadable (see errors)");
		return -1;
	}
	int rc = parse_xp(text, gsts_addr, &gsts);
	if (rc)
		snprintf(v->how + strlen(v->how), sizeof v->how - strlen(v->how), "; GSTS not understood ('%.40s')", text);
	else {
		v->have_gsts = true;
		v->gsts = gsts;
		v->translation = (gsts & GSTS_TES) != 0;
		snprintf(v->how + strlen(v->how), sizeof v->how - strlen(v->how), "; GSTS 0x%08x: translation %s",
			 gsts, v->translation ? "on (TES=1)" : "off (TES=0), IOVA == GPA");
	}
	free(text);
	return 0;
}

/* info mtree -f: a FlatView of an AS rooted at "vtd-..." (a device behind the
 * emulated Intel IOMMU); rows of an i/o region "vtd-XX.X-dmar" mean its DMA
 * is translated (off, the view is rendered from RAM through vtd-nodmar). */
void iv_viommu_mtree_vtd(const char *text, bool *vtd, bool *dmar, char *dev, size_t len)
{
	bool fv_vtd = false;
	*vtd = *dmar = false;
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		size_t n = strcspn(l, "\r\n");
		const char *root = NULL;
		if (!strncmp(l, "FlatView #", 10))
			fv_vtd = false;
		else if (!strncmp(l, " AS \"", 5) && (root = memmem(l, n, "\", root: ", 9)) &&
			 root + 13 <= l + n && !strncmp(root + 9, "vtd-", 4)) {
			fv_vtd = *vtd = true;
		} else if (fv_vtd && !strncmp(l, "  ", 2) && n > 5) {
			const char *t = memmem(l, n, ", i/o): vtd-", 12);
			if (t) {
				const char *name = t + 8;
				size_t k = strcspn(name, " \r\n");
				if (k > 5 && !strncmp(name + k - 5, "-dmar", 5)) {
					if (!*dmar)
						snprintf(dev, len, "%.*s", (int)k, name);
					*dmar = true;
				}
			}
		}
	}
}

int iv_viommu_mtree(struct iv_qmp *q, struct iv_viommu *v)
{
	char *text = NULL, dev[64] = "";
	bool vtd, dmar;
	if (iv_qmp_hmp(q, "info mtree -f", &text))
		return -1;
	iv_viommu_mtree_vtd(text, &vtd, &dmar, dev, sizeof dev);
	free(text);
	if (!vtd)
		return 0;
	snprintf(v->model, sizeof v->model, "intel-iommu");
	v->translation = -1;
	snprintf(v->how, sizeof v->how, "devices behind an emulated Intel IOMMU in info mtree -f%s%s%s",
		 dmar ? " (" : "", dev, dmar ? " translated)" : "");
	return 0;
}

/* ---- translation on: the guest's root table and its view of the devices ---- */

/* The start of the "intel_iommu" i/o region in the flat view of AS "memory". */
bool iv_viommu_mtree_base(const char *text, uint64_t *base)
{
	bool mem = false;
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		size_t n = strcspn(l, "\r\n");
		if (!strncmp(l, "FlatView #", 10))
			mem = false;
		else if (!strncmp(l, " AS \"memory\",", 13))
			mem = true;
		else if (mem && n > 40 && !strncmp(l, "  ", 2) && l[18] == '-') {
			const char *t = memmem(l, n, ", i/o): intel_iommu", 19);
			if (t && t + 19 == l + n) {
				char a[17];
				memcpy(a, l + 2, 16);
				a[16] = 0;   /* QEMU's %016 PRIx64: 16 hex digits (iv_parse_hex takes a 0x or a tab too) */
				return strspn(a, "0123456789abcdefABCDEF") == 16 && !iv_parse_hex(a, base);
			}
		}
	}
	return false;
}

static void add_why(struct iv_viommu *v, const char *fmt, const char *arg)
{
	if (!v->guest_why[0])
		snprintf(v->guest_why, sizeof v->guest_why, fmt, arg);
}

int iv_viommu_rtaddr(struct iv_qmp *q, struct iv_viommu *v)
{
	char cmd[64], *text = NULL;
	uint64_t a = (v->base ? v->base : VTD_BASE) + RTADDR_REG;
	v->have_rtaddr = false;
	snprintf(cmd, sizeof cmd, "xp /1gx 0x%llx", (unsigned long long)a);
	if (iv_qmp_hmp(q, cmd, &text)) {
		add_why(v, "%sRTADDR unreadable (see errors)", "");
		return -1;
	}
	if (iv_viommu_xp_parse(text, a, &v->rtaddr, UINT64_MAX) == 0)
		v->have_rtaddr = true;
	else {
		char t[64];
		snprintf(t, sizeof t, "%.40s", text);
		t[strcspn(t, "\r\n")] = 0;
		add_why(v, "RTADDR not understood ('%s')", t);
	}
	free(text);
	return 0;
}

struct pci_find { const char *id; struct iv_bdf b; int found; };

static int pci_find_id(void *arg, const struct iv_bdf *b, const char *id)
{
	struct pci_find *f = arg;
	if (!strcmp(f->id, id)) {
		f->found++;
		f->b = *b;
	}
	return 0;
}

/* One device's guest BDF from info pci (id=) or its addr= on the root bus. */
static void guest_bdf(struct iv_run *run, const char *pci, struct iv_viommu_dev *d)
{
	char b[16];
	if (d->id[0] && pci) {
		struct pci_find f = { d->id, { 0, 0, 0, 0 }, 0 };
		iv_info_pci_parse(run, pci, pci_find_id, &f);
		if (f.found == 1) {
			d->guest = f.b;
			d->have_guest = true;
			snprintf(d->how, sizeof d->how, "info pci: id \"%.40s\" at %s", d->id, iv_bdf_str(&f.b, b));
			return;
		}
		snprintf(d->how, sizeof d->how, "info pci lists %s device with id \"%.40s\"", f.found ? "more than one" : "no",
			 d->id);
		return;
	}
	bool root = !d->bus[0] || !strcmp(d->bus, "pcie.0") || !strcmp(d->bus, "pci.0");
	if (root && d->addr >= 0) {
		d->guest = (struct iv_bdf){ 0, 0, (uint8_t)(d->addr >> 3), (uint8_t)(d->addr & 7) };
		d->have_guest = true;
		snprintf(d->how, sizeof d->how, "addr= on the root bus: %s", iv_bdf_str(&d->guest, b));
		return;
	}
	snprintf(d->how, sizeof d->how, "%s", root ? "-device vfio-pci has neither id= nor addr="
		 : "-device vfio-pci is behind a bridge and has no id= (info pci cannot name it)");
}

int iv_viommu_guest(struct iv_run *run, struct iv_qmp *q, struct iv_viommu *v)
{
	char *text = NULL, *pci = NULL;
	int rc = 0;
	v->guest_why[0] = 0;
	if (iv_qmp_hmp(q, "info mtree -f", &text))
		return -1;
	bool found = iv_viommu_mtree_base(text, &v->base);
	free(text);
	if (!found)
		v->base = VTD_BASE;   /* QEMU's fixed address (Q35_HOST_BRIDGE_IOMMU_ADDR) */
	if (v->base != VTD_BASE) {   /* GSTS was read at QEMU's address: the state is not known */
		char b[96];
		snprintf(b, sizeof b, "info mtree -f has the intel_iommu region at 0x%llx, not at 0xfed90000 where GSTS "
			 "was read", (unsigned long long)v->base);
		add_why(v, "%s", b);
	}
	if (iv_viommu_rtaddr(q, v))
		rc = -1;
	else if (v->have_rtaddr && (v->rtaddr & RTADDR_TTM_HI))
		add_why(v, "%sRTADDR's translation table mode is not legacy or scalable (bit 11 set)", "");
	if (v->have_gsts && !(v->gsts & GSTS_RTPS))
		add_why(v, "%sGSTS.RTPS is clear: no root table is set", "");
	bool need_pci = false;
	for (size_t i = 0; i < v->ndev; i++)
		need_pci |= v->dev[i].id[0] != 0;
	if (need_pci && iv_qmp_hmp(q, "info pci", &pci))
		rc = -1;
	for (size_t i = 0; i < v->ndev; i++)
		guest_bdf(run, pci, &v->dev[i]);
	free(pci);
	if (v->have_rtaddr)
		snprintf(v->how + strlen(v->how), sizeof v->how - strlen(v->how), "; RTADDR 0x%llx",
			 (unsigned long long)v->rtaddr);
	return rc;
}

int iv_viommu_guest_bdf(const struct iv_viommu *v, const struct iv_bdf *h, struct iv_bdf *g, char *why, size_t len)
{
	char b[16];
	for (size_t i = 0; i < v->ndev; i++) {
		if (!iv_bdf_eq(&v->dev[i].host, h))
			continue;
		if (v->dev[i].have_guest) {
			*g = v->dev[i].guest;
			return 0;
		}
		snprintf(why, len, "the guest BDF of %s is unknown: %s", iv_bdf_str(h, b), v->dev[i].how);
		return 1;
	}
	snprintf(why, len, "the guest BDF of %s is unknown: no -device vfio-pci,host=%s on the QEMU command line",
		 iv_bdf_str(h, b), b);
	return 1;
}

/* l[0..n) as QEMU's "  Bus %2d, device %3d, function %d:", each number after
 * one or more blanks as decimal digits (no sign, no other white space: sscanf
 * took those, and wrapped 4294967296 to 0). 0 (v[3]), -1. */
static int pci_device_line(const char *l, size_t n, unsigned v[3])
{
	static const char fmt[] = "  Bus#, device#, function#:";   /* '#': blanks, digits */
	size_t i = 0;
	int k = 0;
	for (const char *f = fmt; *f; f++) {
		if (*f != '#') {
			if (i >= n || l[i++] != *f)
				return -1;
			continue;
		}
		size_t b = i, d;
		while (i < n && l[i] == ' ')
			i++;
		unsigned x = 0;
		for (d = i; i < n && l[i] >= '0' && l[i] <= '9'; i++)
			x = x > 999 ? x : x * 10 + (unsigned)(l[i] - '0');   /* saturated: only <= 255 matters */
		if (i == b || d == b || i == d)
			return -1;
		v[k++] = x;
	}
	return i == n ? 0 : -1;
}

/* "  Bus  0, device   3, function 0:" ... "      id \"hostdev0\"" */
int iv_info_pci_parse(struct iv_run *run, const char *text, int (*fn)(void *arg, const struct iv_bdf *b, const char *id), void *arg)
{
	struct iv_bdf cur = { 0, 0, 0, 0 };
	bool have = false;
	unsigned line = 0;
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		size_t n = strcspn(l, "\r\n");
		unsigned v[3];
		line++;
		if (n > 6 && !strncmp(l, "  Bus ", 6)) {
			if (pci_device_line(l, n, v) || v[0] > 255 || v[1] > 31 || v[2] > 7)
				return iv_error(run, "info pci:%u: not a device line: '%.*s'", line, (int)(n < 60 ? n : 60), l);
			cur = (struct iv_bdf){ 0, (uint8_t)v[0], (uint8_t)v[1], (uint8_t)v[2] };
			have = true;
		} else if (have && n > 10 && !strncmp(l, "      id \"", 10)) {
			const char *e = l + n;
			while (e > l + 10 && e[-1] != '"')
				e--;
			if (e == l + 10)
				return iv_error(run, "info pci:%u: unterminated id: '%.*s'", line, (int)(n < 60 ? n : 60), l);
			char id[128];
			snprintf(id, sizeof id, "%.*s", (int)(e - 1 - (l + 10)), l + 10);
			have = false;
			if (fn(arg, &cur, id))
				return 0;
		}
	}
	return 0;
}

/* The devices were compared with translation off (or through the guest's
 * tables): read GSTS (and RTADDR) again in a second short session to know
 * they stayed so. true when they changed or are unknown now. */
bool iv_viommu_changed(struct iv_qmp *q, const struct iv_viommu *before)
{
	struct iv_viommu now = *before;
	now.how[0] = 0;
	now.translation = -1;
	now.have_rtaddr = false;
	if (q && iv_viommu_gsts(q, &now) == 0 && before->translation == 1 && now.translation == 1)
		iv_viommu_rtaddr(q, &now);
	if (before->translation == 1)
		return now.translation != 1 || !now.have_rtaddr || now.rtaddr != before->rtaddr;
	return now.translation != 0;
}

/* ---- the VM's RAM-block PFN set ---- */
struct iv_pfnset { uint64_t *bits; uint64_t nwords; uint64_t pages; };

static int pfnset_add(struct iv_pfnset *s, uint64_t pfn)
{
	if (pfn >= MAX_PFNSET_PFN)
		return -1;
	uint64_t w = pfn / 64;
	if (w >= s->nwords) {
		uint64_t n = s->nwords ? s->nwords : 1024;
		while (n <= w)
			n *= 2;
		s->bits = iv_xrealloc(s->bits, n * sizeof *s->bits);
		memset(s->bits + s->nwords, 0, (n - s->nwords) * sizeof *s->bits);
		s->nwords = n;
	}
	s->bits[w] |= 1ULL << (pfn % 64);
	return 0;
}

bool iv_pfnset_has(const struct iv_pfnset *s, uint64_t pfn)
{
	uint64_t w = pfn / 64;
	return w < s->nwords && (s->bits[w] >> (pfn % 64) & 1);
}

void iv_pfnset_free(struct iv_pfnset *s)
{
	if (s)
		free(s->bits);
	free(s);
}

struct iv_pfnset *iv_pfnset_from_map(struct iv_pagemap *pm, const struct iv_gpa_map *m, char *why, size_t len)
{
	struct iv_pfnset *s = iv_xcalloc(1, sizeof *s);
	uint64_t present0, zero0, present1, zero1;
	bool any = false;
	iv_pagemap_counts(pm, &present0, &zero0);
	for (size_t i = 0; m && i < m->n; i++) {
		const struct iv_gpa_section *sec = &m->v[i];
		if (!sec->have_hva || sec->type == IV_SEC_RAMD)
			continue;
		any = true;
		for (uint64_t off = 0; off < sec->size; off += IV_PAGE_SIZE) {
			uint64_t e;
			if (iv_pagemap_get(pm, sec->hva + off, &e)) {
				snprintf(why, len, "pagemap unreadable (see errors)");
				goto fail;
			}
			if (!(e & IV_PM_PRESENT) || (e & IV_PM_SWAP))
				continue;
			if (pfnset_add(s, e & IV_PM_PFN_MASK)) {
				snprintf(why, len, "PFN 0x%" PRIx64 " beyond the set's limit", (uint64_t)(e & IV_PM_PFN_MASK));
				goto fail;
			}
			s->pages++;
		}
	}
	iv_pagemap_counts(pm, &present1, &zero1);
	if (!any) {
		snprintf(why, len, "no RAM block with a host address is known (give --qmp or --gpa-map)");
		goto fail;
	}
	if (zero1 > zero0) {
		snprintf(why, len, "pagemap PFNs read as 0: run as root (CAP_SYS_ADMIN)");
		goto fail;
	}
	iv_pagemap_invalidate(pm);
	return s;
fail:
	iv_pagemap_invalidate(pm);
	iv_pfnset_free(s);
	return NULL;
}
