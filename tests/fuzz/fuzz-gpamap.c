/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-gpamap.c - the --gpa-map JSON file through iv_gpamap_from_file, then
 * lookups. Input: the file. A map that is accepted has at least one section,
 * each 4 KiB-aligned, with an HVA (or ramd) whose range does not wrap. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "iv.h"
#include "gpamap.h"
#include "fuzz-common.h"

static struct iv_run *const run = &fuzz_ctx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[4096];
	fuzz_init();
	fuzz_reset();
	fuzz_write("/gpa-map.json", data, size);
	fuzz_path(path, sizeof path, "/gpa-map.json");
	struct iv_gpa_map m;
	int r = iv_gpamap_from_file(run, path, &m);
	fuzz_expect_error(r, "iv_gpamap_from_file");
	if (r == 0) {
		if (m.n == 0)
			abort();
		for (size_t i = 0; i < m.n; i++) {
			const struct iv_gpa_section *s = &m.v[i];
			if (s->size == 0 || s->gpa + s->size - 1 < s->gpa ||
			    (i && s->gpa < m.v[i - 1].gpa + m.v[i - 1].size) ||
			    iv_gpamap_find(&m, s->gpa) != s || iv_gpamap_find(&m, s->gpa + s->size - 1) != s ||
			    ((s->gpa | s->size | s->hva) & (IV_PAGE_SIZE - 1)) ||
			    (!s->have_hva && s->type != IV_SEC_RAMD) || (s->have_hva && s->hva + s->size - 1 < s->hva))
				abort();
		}
		iv_gpamap_free(&m);
	}
	fuzz_reset();
	return 0;
}
