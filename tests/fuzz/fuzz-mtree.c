/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-mtree.c - the QMP reply text of `info mtree -f` through iv_mtree_parse,
 * then iv_gpamap_find over the result (sorted, non-overlapping); and through
 * the vIOMMU's readers of the same text (src/host/viommu.c):
 * iv_viommu_mtree_vtd (dmar implies vtd; the device named "vtd-...-dmar" as
 * in the text, or a prefix of it when truncated, "" without dmar) and
 * iv_viommu_mtree_base (found: the text has the row "  BASE-" with BASE as
 * 16 hex digits, ending in ", i/o): intel_iommu").
 * Input: the text (NUL-terminated copy; an embedded NUL ends it, as in a JSON string). */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "iv.h"
#include "gpamap.h"
#include "../../src/host/viommu_text.h"
#include "fuzz-common.h"

static struct iv_run *const run = &fuzz_ctx;

static void viommu_readers(const char *text)
{
	bool vtd = true, dmar = true;
	char dev[64] = "x", row[32];
	uint64_t base = 0;
	iv_viommu_mtree_vtd(text, &vtd, &dmar, dev, sizeof dev);
	size_t k = strnlen(dev, sizeof dev);
	if ((dmar && !vtd) || k == sizeof dev ||
	    (dmar && (strncmp(dev, "vtd-", 4) || strpbrk(dev, " \r\n") ||
		      (k < sizeof dev - 1 ? k < 8 || strcmp(dev + k - 5, "-dmar") : !strstr(text, dev)))) ||
	    (!dmar && strcmp(dev, "x"))) {
		fprintf(stderr, "fuzz-mtree: mtree_vtd: vtd %d dmar %d dev '%s'\n", vtd, dmar, dev);
		abort();
	}
	if (iv_viommu_mtree_base(text, &base)) {
		snprintf(row, sizeof row, "  %016llx-", (unsigned long long)base);
		if (!strcasestr(text, row) || !strstr(text, ", i/o): intel_iommu")) {
			fprintf(stderr, "fuzz-mtree: mtree_base: %#llx without its row\n", (unsigned long long)base);
			abort();
		}
	}
	fuzz_outcome(vtd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	fuzz_reset();
	char *text = fuzz_text(data, size);
	struct iv_gpa_map m;
	int r = iv_mtree_parse(run, text, "fuzz: info mtree -f", &m);
	fuzz_expect_error(r, "iv_mtree_parse");
	fuzz_outcome(r == 0);
	viommu_readers(text);
	if (r == 0) {
		for (size_t i = 0; i < m.n; i++) {
			const struct iv_gpa_section *s = &m.v[i];
			if (s->size == 0 || strnlen(s->name, sizeof s->name) == sizeof s->name ||
			    (i && s->gpa < m.v[i - 1].gpa + m.v[i - 1].size) ||
			    iv_gpamap_find(&m, s->gpa) != s || iv_gpamap_find(&m, s->gpa + s->size - 1) != s)
				abort();
		}
		iv_gpamap_find(&m, 0);
		iv_gpamap_find(&m, UINT64_MAX);
		iv_gpamap_free(&m);
	}
	free(text);
	fuzz_reset();
	return 0;
}
