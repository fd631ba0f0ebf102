/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-mtree.c - the QMP reply text of `info mtree -f` through iv_mtree_parse,
 * then iv_gpamap_find over the result (sorted, non-overlapping).
 * Input: the text (NUL-terminated copy; an embedded NUL ends it, as in a JSON string). */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "iv.h"
#include "gpamap.h"
#include "fuzz-common.h"

static struct iv_run *const run = &fuzz_ctx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	fuzz_reset();
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = 0;
	struct iv_gpa_map m;
	int r = iv_mtree_parse(run, text, "fuzz: info mtree -f", &m);
	fuzz_expect_error(r, "iv_mtree_parse");
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
