/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-cmdline.c - a QEMU process's /proc/PID/cmdline (NUL-separated
 * arguments; -device intel-iommu / virtio-iommu* / amd-iommu and
 * -device vfio-pci,host=|sysfsdev=,id=,bus=,addr=, plain, driver= or JSON)
 * through iv_viommu_cmdline_parse and, from a file under the fuzz --root,
 * iv_viommu_cmdline.
 * The buffer is passed without a trailing NUL (exactly size bytes: a read past
 * them is a heap overflow under ASan), and again NUL-terminated: the results
 * must be identical. Properties: model "" or a vIOMMU driver name; translation
 * unknown (-1); at most 16 devices, each with a valid host BDF (dev <= 31, fn <= 7),
 * id and bus NUL-terminated inside their arrays, addr -1 or a devfn (0..255), no
 * guest BDF yet; every string NUL-terminated. The file path agrees with the buffer
 * (iv_read_small drops trailing line ends; inputs under 64 KiB).
 * Input: the raw bytes. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "iv.h"
#include "host.h"
#include "../../src/host/viommu_text.h"
#include "fuzz-common.h"

static struct iv_run *const run = &fuzz_ctx;

static bool terminated(const char *s, size_t n)
{
	return memchr(s, 0, n) != NULL;
}

static void check(const struct iv_viommu *v, const char *what)
{
	const char *bad = NULL;
	if (!terminated(v->model, sizeof v->model) || !terminated(v->how, sizeof v->how) ||
	    !terminated(v->guest_why, sizeof v->guest_why))
		bad = "a string not terminated";
	else if (v->model[0] && strcmp(v->model, "intel-iommu") && strcmp(v->model, "amd-iommu") &&
		 strncmp(v->model, "virtio-iommu", 12))
		bad = "model not a vIOMMU";
	else if (v->translation != -1 || v->have_gsts || v->have_rtaddr || v->base)
		bad = "state set from a command line";
	else if (v->ndev > sizeof v->dev / sizeof v->dev[0])
		bad = "too many devices";
	for (size_t i = 0; !bad && i < v->ndev; i++) {
		const struct iv_viommu_dev *d = &v->dev[i];
		if (d->host.dev > 31 || d->host.fn > 7)
			bad = "host BDF out of range";
		else if (!terminated(d->id, sizeof d->id) || !terminated(d->bus, sizeof d->bus) ||
			 !terminated(d->how, sizeof d->how))
			bad = "a device string not terminated";
		else if (d->addr < -1 || d->addr > 255)
			bad = "addr not a devfn";
		else if (d->have_guest)
			bad = "guest BDF set from a command line";
	}
	if (bad) {
		fprintf(stderr, "fuzz-cmdline: %s: %s (model '%.32s', %zu devices)\n", what, bad, v->model, v->ndev);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	fuzz_reset();
	static struct iv_viommu a, b, c;
	char *raw = malloc(size ? size : 1), *term = malloc(size + 1);
	memcpy(raw, data, size);
	memcpy(term, data, size);
	term[size] = 0;
	iv_viommu_cmdline_parse(raw, size, &a);
	check(&a, "buffer without a trailing NUL");
	/* "a\0b" and "a\0b\0" are the same command line */
	iv_viommu_cmdline_parse(term, size && data[size - 1] == 0 ? size : size + 1, &b);
	check(&b, "NUL-terminated");
	if (memcmp(&a, &b, sizeof a)) {
		fprintf(stderr, "fuzz-cmdline: the trailing NUL changes the result ('%.32s' %zu devices, '%.32s' %zu)\n",
			a.model, a.ndev, b.model, b.ndev);
		abort();
	}
	fuzz_outcome(a.model[0] || a.ndev);
	if (size < 65535) {   /* through the file, as the tool reads it */
		size_t n = size;
		while (n && (data[n - 1] == '\n' || data[n - 1] == '\r'))
			n--;
		fuzz_write("/proc/1/cmdline", data, size);
		int r = iv_viommu_cmdline(run, 1, &c);
		iv_viommu_cmdline_parse(raw, n, &a);
		if (r || memcmp(&a, &c, sizeof a)) {
			fprintf(stderr, "fuzz-cmdline: iv_viommu_cmdline (%d) and the parse of the same bytes differ\n", r);
			abort();
		}
	}
	free(raw);
	free(term);
	fuzz_reset();
	return 0;
}
