/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-ramblock.c - the QMP reply text of `info ramblock` (with and without the
 * 8.0+ HVA columns) through iv_ramblock_parse.
 * Input: the text (NUL-terminated copy).
 * Oracle on success: every name NUL-terminated inside name[], without leading or
 * trailing blanks (it may be empty: QEMU 7.2 prints a vfio-pci
 * BAR's RAM block without a name); all rows with or without an HVA alike; no HVA
 * or read-only flag on a row without the HVA columns. */
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
	char *text = fuzz_text(data, size);
	struct iv_ramblock *rb = NULL;
	size_t n = 0;
	int r = iv_ramblock_parse(run, text, "fuzz: info ramblock", &rb, &n);
	fuzz_expect_error(r, "iv_ramblock_parse");
	fuzz_outcome(r == 0);
	if (r == 0) {
		for (size_t i = 0; i < n; i++) {
			size_t len = strnlen(rb[i].name, sizeof rb[i].name);
			if (len == sizeof rb[i].name)
				abort();   /* unterminated */
			if (len && (rb[i].name[0] == ' ' || rb[i].name[len - 1] == ' '))
				abort();   /* blanks kept around the name */
			if (rb[i].have_hva != rb[0].have_hva)
				abort();   /* rows of one table disagree about the HVA columns */
			if (!rb[i].have_hva && (rb[i].hva || rb[i].readonly))
				abort();   /* an HVA or ro flag from nowhere */
		}
		free(rb);
	}
	free(text);
	fuzz_reset();
	return 0;
}
