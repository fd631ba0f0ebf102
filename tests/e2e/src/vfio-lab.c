/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vfio-lab.c - create known VFIO type1 IOMMU mappings for the iommu-verify
 * end-to-end tests (derived from the IOMMU lab's vfio-lab.c).
 *
 * Build (on the host):  gcc -static -O2 -Wall -o vfio-lab vfio-lab.c
 * Usage (in the guest): vfio-lab [--iommufd] [--clean | --big MIB] BDF OUTDIR
 *
 * Backends: VFIO type1 (default: /dev/vfio/vfio container + /dev/vfio/GROUP, VFIO_IOMMU_MAP_DMA), or
 * --iommufd (kernel with CONFIG_IOMMUFD and CONFIG_VFIO_DEVICE_CDEV): the device cdev
 * /dev/vfio/devices/vfioN (from /sys/bus/pci/devices/BDF/vfio-dev/), /dev/iommu, IOMMU_IOAS_ALLOC,
 * VFIO_DEVICE_BIND_IOMMUFD, VFIO_DEVICE_ATTACH_IOMMUFD_PT to the IOAS (the kernel allocates the
 * paging domain), then IOMMU_IOAS_MAP with a fixed IOVA for each buffer: the same mappings.
 *
 * Mappings made (IOVA == the "GPA" of the --gpa-map file):
 *   A  IOVA 0x100000  4 pages  RW, touched before mapping             (good)
 *   B  IOVA 0x200000  4 pages  PROT_READ anon, only read -> zero page, mapped READ-only, then
 *                               made writable and written (as QEMU loads a ROM image after the pin):
 *                               6.1: the IOMMU keeps the zero page, the CPU has the data -> zero_page;
 *                               >= 6.2: the read-only pin unshares the zero page -> consistent
 *   C  IOVA 0x300000  4 pages  RW, mapped, then MADV_DONTNEED + re-touched   (stale)
 *   D  IOVA 0x400000  4 pages  RW                                       (good)
 *   F  IOVA 0x500000  4 pages  like B but never written: 6.1: zero page in the IOMMU and for the
 *                               CPU (zero_page_consistent); >= 6.2: unshared, consistent
 *   E  IOVA 0x600000  2 MiB    MADV_HUGEPAGE, 2 MiB aligned (THP -> 2 MiB IOMMU superpage)
 * --clean: only A, D and E (no zero-page or stale mapping).
 * --big MIB: only one buffer G of MIB MiB at IOVA 0x40000000, MADV_NOHUGEPAGE, every page
 *   written before the map (boot with vfio_iommu_type1.disable_hugepages=1 so that VFIO maps
 *   it page by page: 4 KiB IOMMU pages); truth.json lists 16 sample pages, lookup-iovas them.
 *
 * Writes, then holds the mappings until OUTDIR/release exists (or SIGTERM/SIGINT):
 *   OUTDIR/gpa-map.json  [{"gpa":"0x100000","size":"0x4000","hva":"0x7f..","name":"A_rw_normal","readonly":false},...]
 *   OUTDIR/truth.json    {"pid":N,"bdf":"..","group":N,"backend":"type1|iommufd","cdev":"vfioN|","clean":false,"zero_pfn":"0x..","thp":true,
 *                         "pages":[{"name":..,"iova":..,"hva":..,"pfn_at_map":..,"pfn_after_map":..,"pfn_now":..,"readonly":..},...]}
 *                        pfn_at_map: pagemap before VFIO_IOMMU_MAP_DMA, pfn_after_map: right after it
 *                        (what the IOMMU must map), pfn_now: after B's write and C's MADV_DONTNEED
 *   OUTDIR/lookup-iovas  IOVAs worth a lookup (every page, but only pages 0, 1, 256, 511 of E)
 *   OUTDIR/ready         the pid (written last)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <linux/vfio.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* iommufd uAPI (include/uapi/linux/iommufd.h, vfio.h; the build host's headers may predate it) */
#define IOMMUFD_TYPE (';')
struct lab_ioas_alloc { uint32_t size, flags, out_ioas_id; };
struct lab_ioas_map { uint32_t size, flags, ioas_id, reserved; uint64_t user_va, length, iova; };
#define LAB_IOMMU_IOAS_ALLOC _IO(IOMMUFD_TYPE, 0x81)
#define LAB_IOMMU_IOAS_MAP _IO(IOMMUFD_TYPE, 0x85)
#define LAB_IOAS_MAP_FIXED_IOVA (1 << 0)
#define LAB_IOAS_MAP_WRITEABLE (1 << 1)
#define LAB_IOAS_MAP_READABLE (1 << 2)
struct lab_bind_iommufd { uint32_t argsz, flags; int32_t iommufd; uint32_t out_devid; };   /* minsz 16 */
struct lab_attach_pt { uint32_t argsz, flags, pt_id; };                                    /* minsz 12 */
#define LAB_VFIO_DEVICE_BIND_IOMMUFD _IO(VFIO_TYPE, VFIO_BASE + 18)
#define LAB_VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 19)

#define PG 4096UL
#define NPG 4
#define KPF_THP 22

#define die(...) do { fprintf(stderr, "vfio-lab: " __VA_ARGS__); fprintf(stderr, " (errno=%d %s)\n", errno, strerror(errno)); exit(1); } while (0)

static uint64_t pagemap_entry(const void *va)
{
	static int fd = -1;
	uint64_t e = 0;
	if (fd < 0 && (fd = open("/proc/self/pagemap", O_RDONLY)) < 0) die("open pagemap");
	if (pread(fd, &e, 8, ((uintptr_t)va / PG) * 8) != 8) die("pread pagemap");
	return e;
}

static uint64_t pfn_of(const void *va)
{
	uint64_t e = pagemap_entry(va);
	if (!(e >> 63 & 1)) return 0;
	return e & ((1ULL << 55) - 1);
}

static uint64_t kpageflags(uint64_t pfn)
{
	static int fd = -1;
	uint64_t f = 0;
	if (fd < 0 && (fd = open("/proc/kpageflags", O_RDONLY)) < 0) return 0;
	if (pread(fd, &f, 8, pfn * 8) != 8) return 0;
	return f;
}

static volatile sig_atomic_t stop;
static void on_sig(int s) { (void)s; stop = 1; }


static void hold(const char *outdir)
{
	char p[512];
	signal(SIGTERM, on_sig);
	signal(SIGINT, on_sig);
	snprintf(p, sizeof p, "%s/ready", outdir);
	FILE *r = fopen(p, "w");
	if (r) { fprintf(r, "%d\n", getpid()); fclose(r); }
	snprintf(p, sizeof p, "%s/release", outdir);
	/* hold the mappings (max 15 min) until released */
	for (int i = 0; i < 9000 && !stop && access(p, F_OK); i++) usleep(100000);
}

/* --big: one buffer of mib MiB in 4 KiB pages at IOVA 0x40000000 */
static int big(int container, const char *bdf, int groupno, const char *outdir, unsigned long mib)
{
	const uint64_t iova = 0x40000000;
	size_t size = mib << 20, npg = size / PG;
	char p[512];
	uint8_t *G = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (G == MAP_FAILED) die("mmap %lu MiB", mib);
	if (madvise(G, size, MADV_NOHUGEPAGE)) die("madvise NOHUGEPAGE");
	for (size_t i = 0; i < npg; i++) G[i * PG] = (uint8_t)i | 1;
	double t0 = 0, t1 = 0;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts); t0 = ts.tv_sec + ts.tv_nsec / 1e9;
	struct vfio_iommu_type1_dma_map dm = { .argsz = sizeof dm,
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE, .vaddr = (uintptr_t)G, .iova = iova, .size = size };
	if (ioctl(container, VFIO_IOMMU_MAP_DMA, &dm)) die("MAP_DMA big %lu MiB", mib);
	clock_gettime(CLOCK_MONOTONIC, &ts); t1 = ts.tv_sec + ts.tv_nsec / 1e9;
	snprintf(p, sizeof p, "%s/gpa-map.json", outdir);
	FILE *g = fopen(p, "w");
	if (!g) die("%s", p);
	fprintf(g, "[\n {\"gpa\":\"0x%" PRIx64 "\",\"size\":\"0x%zx\",\"hva\":\"%p\",\"name\":\"G_big\",\"readonly\":false}\n]\n",
		iova, size, (void *)G);
	fclose(g);
	/* 16 sample pages: the first, the last, and 14 spread in between */
	snprintf(p, sizeof p, "%s/truth.json", outdir);
	FILE *t = fopen(p, "w");
	snprintf(p, sizeof p, "%s/lookup-iovas", outdir);
	FILE *l = fopen(p, "w");
	if (!t || !l) die("%s", p);
	fprintf(t, "{\"pid\":%d,\"bdf\":\"%s\",\"group\":%d,\"big\":true,\"iova\":\"0x%" PRIx64 "\",\"size\":\"0x%zx\","
		"\"map_seconds\":%.3f,\"pages\":[", getpid(), bdf, groupno, iova, size, t1 - t0);
	for (size_t k = 0; k < 16; k++) {
		size_t j = k == 15 ? npg - 1 : k * (npg / 15);
		uint64_t pfn = pfn_of(G + j * PG);
		fprintf(t, "%s\n {\"name\":\"G_big\",\"index\":%zu,\"iova\":\"0x%" PRIx64 "\",\"hva\":\"%p\",\"pfn_at_map\":\"0x%"
			PRIx64 "\",\"pfn_after_map\":\"0x%" PRIx64 "\",\"pfn_now\":\"0x%" PRIx64 "\",\"readonly\":false}",
			k ? "," : "", j, iova + j * PG, (void *)(G + j * PG), pfn, pfn, pfn);
		fprintf(l, "0x%" PRIx64 "\n", iova + j * PG);
	}
	fprintf(t, "\n]}\n");
	fclose(t);
	fclose(l);
	hold(outdir);
	return 0;
}

int main(int argc, char **argv)
{
	int clean = 0, iommufd = 0;
	unsigned long big_mib = 0;
	if (argc > 1 && !strcmp(argv[1], "--iommufd")) { iommufd = 1; argv++; argc--; }
	if (argc > 1 && !strcmp(argv[1], "--clean")) { clean = 1; argv++; argc--; }
	if (argc > 2 && !strcmp(argv[1], "--big")) { big_mib = strtoul(argv[2], NULL, 0); argv += 2; argc -= 2; }
	if (argc < 3 || (iommufd && big_mib)) {
		fprintf(stderr, "usage: vfio-lab [--iommufd] [--clean | --big MIB] BDF OUTDIR (--big: type1 only)\n");
		return 2;
	}
	const char *bdf = argv[1], *outdir = argv[2];
	mkdir(outdir, 0755);
	char p[512], link[512], tgt[512];

	snprintf(link, sizeof link, "/sys/bus/pci/devices/%s/iommu_group", bdf);
	ssize_t tl = readlink(link, tgt, sizeof tgt - 1);
	if (tl < 0) die("readlink %s", link);
	tgt[tl] = 0;
	int groupno = atoi(basename(tgt));

	int container = -1, dev = -1, ifd = -1;
	uint32_t ioas = 0;
	char cdev[256] = "";
	if (iommufd) {
		/* the device's cdev: /sys/bus/pci/devices/BDF/vfio-dev/vfioN -> /dev/vfio/devices/vfioN */
		snprintf(p, sizeof p, "/sys/bus/pci/devices/%s/vfio-dev", bdf);
		DIR *vd = opendir(p);
		if (!vd) die("opendir %s (no CONFIG_VFIO_DEVICE_CDEV?)", p);
		for (struct dirent *e; (e = readdir(vd));)
			if (!strncmp(e->d_name, "vfio", 4)) snprintf(cdev, sizeof cdev, "%s", e->d_name);
		closedir(vd);
		if (!cdev[0]) die("no vfioN in %s", p);
		snprintf(p, sizeof p, "/dev/vfio/devices/%s", cdev);
		dev = open(p, O_RDWR);
		if (dev < 0) die("open %s", p);
		ifd = open("/dev/iommu", O_RDWR);
		if (ifd < 0) die("open /dev/iommu (no CONFIG_IOMMUFD?)");
		struct lab_bind_iommufd bind = { .argsz = sizeof bind, .iommufd = ifd };
		if (ioctl(dev, LAB_VFIO_DEVICE_BIND_IOMMUFD, &bind)) die("VFIO_DEVICE_BIND_IOMMUFD");
		struct lab_ioas_alloc al = { .size = sizeof al };
		if (ioctl(ifd, LAB_IOMMU_IOAS_ALLOC, &al)) die("IOMMU_IOAS_ALLOC");
		ioas = al.out_ioas_id;
		struct lab_attach_pt at = { .argsz = sizeof at, .pt_id = ioas };
		if (ioctl(dev, LAB_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at)) die("VFIO_DEVICE_ATTACH_IOMMUFD_PT ioas %u", ioas);
		fprintf(stderr, "vfio-lab: iommufd: %s bound (devid %u), attached to IOAS %u (hwpt %u)\n", p, bind.out_devid, ioas, at.pt_id);
	} else {
		container = open("/dev/vfio/vfio", O_RDWR);
		if (container < 0) die("open /dev/vfio/vfio");
		if (ioctl(container, VFIO_GET_API_VERSION) != VFIO_API_VERSION) die("api version");
		snprintf(p, sizeof p, "/dev/vfio/%d", groupno);
		int group = open(p, O_RDWR);
		if (group < 0) die("open %s", p);
		struct vfio_group_status gs = { .argsz = sizeof gs };
		if (ioctl(group, VFIO_GROUP_GET_STATUS, &gs)) die("GROUP_GET_STATUS");
		if (!(gs.flags & VFIO_GROUP_FLAGS_VIABLE)) die("group not viable (all devices must be bound to vfio-pci)");
		if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container)) die("GROUP_SET_CONTAINER");
		if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU)) die("SET_IOMMU type1");
		dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
		if (dev < 0) die("GET_DEVICE_FD");
	}

	if (big_mib)
		return big(container, bdf, groupno, outdir, big_mib);

	/* zero page reference: a private read-only anon page that was only read */
	volatile uint8_t *zp = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (zp == MAP_FAILED) die("mmap");
	(void)zp[0];
	uint64_t zero_pfn = pfn_of((void *)zp);

	size_t thp_sz = 2UL << 20;
	uint8_t *A = mmap(NULL, NPG * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *B = mmap(NULL, NPG * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *C = mmap(NULL, NPG * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *D = mmap(NULL, NPG * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *F = mmap(NULL, NPG * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *Eraw = mmap(NULL, 2 * thp_sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (A == MAP_FAILED || B == MAP_FAILED || C == MAP_FAILED || D == MAP_FAILED || F == MAP_FAILED || Eraw == MAP_FAILED) die("mmap");
	uint8_t *E = (uint8_t *)(((uintptr_t)Eraw + thp_sz - 1) & ~(thp_sz - 1));
	madvise(E, thp_sz, MADV_HUGEPAGE);
	memset(A, 'A', NPG * PG);
	volatile uint8_t s = 0;
	for (unsigned i = 0; i < NPG; i++) s += ((volatile uint8_t *)B)[i * PG] + ((volatile uint8_t *)F)[i * PG];
	memset(C, 'C', NPG * PG);
	memset(D, 'D', NPG * PG);
	memset(E, 'E', thp_sz);
	int thp = (int)(kpageflags(pfn_of(E)) >> KPF_THP & 1);

	enum { NM = 6 };
	struct mp { const char *name; uint8_t *va; uint64_t iova; size_t size; uint32_t flags; int use; } m[NM] = {
		{ "A_rw_normal",      A, 0x100000, NPG * PG, VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE, 1 },
		{ "B_ro_zeropage",    B, 0x200000, NPG * PG, VFIO_DMA_MAP_FLAG_READ, !clean },
		{ "C_rw_dontneed",    C, 0x300000, NPG * PG, VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE, !clean },
		{ "D_rw_normal",      D, 0x400000, NPG * PG, VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE, 1 },
		{ "F_ro_zero_unwritten", F, 0x500000, NPG * PG, VFIO_DMA_MAP_FLAG_READ, !clean },
		{ "E_rw_thp_2M",      E, 0x600000, thp_sz,   VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE, 1 },
	};
	static uint64_t at_map[NM][512], after_map[NM][512];
	for (int i = 0; i < NM; i++) {
		if (!m[i].use) continue;
		for (size_t j = 0; j < m[i].size / PG; j++) at_map[i][j] = pfn_of(m[i].va + j * PG);
		if (iommufd) {
			struct lab_ioas_map im = { .size = sizeof im, .ioas_id = ioas, .user_va = (uintptr_t)m[i].va,
				.length = m[i].size, .iova = m[i].iova,
				.flags = LAB_IOAS_MAP_FIXED_IOVA | LAB_IOAS_MAP_READABLE |
					 ((m[i].flags & VFIO_DMA_MAP_FLAG_WRITE) ? LAB_IOAS_MAP_WRITEABLE : 0) };
			if (ioctl(ifd, LAB_IOMMU_IOAS_MAP, &im)) die("IOMMU_IOAS_MAP %s", m[i].name);
			if (im.iova != m[i].iova) die("IOMMU_IOAS_MAP %s placed at 0x%llx", m[i].name, (unsigned long long)im.iova);
		} else {
			struct vfio_iommu_type1_dma_map dm = { .argsz = sizeof dm, .flags = m[i].flags,
				.vaddr = (uintptr_t)m[i].va, .iova = m[i].iova, .size = m[i].size };
			if (ioctl(container, VFIO_IOMMU_MAP_DMA, &dm)) die("MAP_DMA %s", m[i].name);
		}
		for (size_t j = 0; j < m[i].size / PG; j++) after_map[i][j] = pfn_of(m[i].va + j * PG);
	}
	if (!clean) {
		/* B: write the read-only buffer after the pin, like QEMU loading a ROM image */
		if (mprotect(B, NPG * PG, PROT_READ | PROT_WRITE)) die("mprotect");
		memset(B, 'B', NPG * PG);
		if (mprotect(B, NPG * PG, PROT_READ)) die("mprotect");
		/* C: zap the CPU mapping, then re-touch with new contents -> the CPU gets a new page */
		if (madvise(C, NPG * PG, MADV_DONTNEED)) die("madvise");
		memset(C, 'N', NPG * PG);
	}

	/* --gpa-map file: IOVA == "GPA" for each buffer */
	snprintf(p, sizeof p, "%s/gpa-map.json", outdir);
	FILE *g = fopen(p, "w");
	if (!g) die("%s", p);
	fprintf(g, "[");
	for (int i = 0, n = 0; i < NM; i++) {
		if (!m[i].use) continue;
		fprintf(g, "%s\n {\"gpa\":\"0x%" PRIx64 "\",\"size\":\"0x%zx\",\"hva\":\"%p\",\"name\":\"%s\",\"readonly\":%s}",
			n++ ? "," : "", m[i].iova, m[i].size, (void *)m[i].va, m[i].name,
			(m[i].flags & VFIO_DMA_MAP_FLAG_WRITE) ? "false" : "true");
	}
	fprintf(g, "\n]\n");
	fclose(g);

	/* ground truth for the test checks */
	snprintf(p, sizeof p, "%s/truth.json", outdir);
	FILE *t = fopen(p, "w");
	if (!t) die("%s", p);
	fprintf(t, "{\"pid\":%d,\"bdf\":\"%s\",\"group\":%d,\"backend\":\"%s\",\"cdev\":\"%s\",\"clean\":%s,\"zero_pfn\":\"0x%" PRIx64 "\",\"thp\":%s,\"pages\":[",
		getpid(), bdf, groupno, iommufd ? "iommufd" : "type1", cdev, clean ? "true" : "false", zero_pfn, thp ? "true" : "false");
	for (int i = 0, n = 0; i < NM; i++) {
		if (!m[i].use) continue;
		for (size_t j = 0; j < m[i].size / PG; j++)
			fprintf(t, "%s\n {\"name\":\"%s\",\"index\":%zu,\"iova\":\"0x%" PRIx64 "\",\"hva\":\"%p\",\"pfn_at_map\":\"0x%" PRIx64
				"\",\"pfn_after_map\":\"0x%" PRIx64 "\",\"pfn_now\":\"0x%" PRIx64 "\",\"readonly\":%s}",
				n++ ? "," : "", m[i].name, j, m[i].iova + j * PG, (void *)(m[i].va + j * PG), at_map[i][j],
				after_map[i][j], pfn_of(m[i].va + j * PG), (m[i].flags & VFIO_DMA_MAP_FLAG_WRITE) ? "false" : "true");
	}
	fprintf(t, "\n]}\n");
	fclose(t);
	snprintf(p, sizeof p, "%s/lookup-iovas", outdir);
	FILE *l = fopen(p, "w");
	if (!l) die("%s", p);
	for (int i = 0; i < NM; i++) {
		if (!m[i].use) continue;
		for (size_t j = 0; j < m[i].size / PG; j++)
			if (m[i].size == NPG * PG || j == 0 || j == 1 || j == 256 || j == 511)
				fprintf(l, "0x%" PRIx64 "\n", m[i].iova + j * PG);
	}
	fclose(l);

	hold(outdir);
	(void)dev; (void)s;
	return 0;
}
