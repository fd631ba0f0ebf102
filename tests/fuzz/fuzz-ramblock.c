/* fuzz-ramblock.c - the QMP reply text of `info ramblock` (with and without the
 * 8.0+ HVA columns) through iv_ramblock_parse.
 * Input: the text (NUL-terminated copy). */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "iv.h"
#include "gpamap.h"
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	fuzz_reset();
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = 0;
	struct iv_ramblock *rb = NULL;
	size_t n = 0;
	int r = iv_ramblock_parse(text, "fuzz: info ramblock", &rb, &n);
	fuzz_expect_error(r, "iv_ramblock_parse");
	if (r == 0) {
		for (size_t i = 0; i < n; i++)
			if (!rb[i].name[0] || strnlen(rb[i].name, sizeof rb[i].name) == sizeof rb[i].name)
				abort();
		free(rb);
	}
	free(text);
	fuzz_reset();
	return 0;
}
