/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-xp.c - HMP `xp /1wx ADDR` and `xp /1gx ADDR` output (the emulated VT-d
 * unit's GSTS and RTADDR, read from the guest's QEMU) through
 * iv_viommu_xp_parse, against a reference of QEMU's format written here:
 *   ADDR ':' blanks [0x] VALUE, then the end, a blank or a line end
 * with ADDR and VALUE hex digits (no sign, no other white space, no overflow).
 * The address expected is the one the input starts with when it starts with
 * hex digits (so that the value is reached), else GSTS's 0xfed9001c; each input
 * is parsed with the 32-bit maximum (GSTS) and without one (RTADDR).
 * Property: accepted exactly when the reference accepts, with its value.
 * Input: the text (a NUL-terminated copy). */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "iv.h"
#include "../../src/host/viommu_text.h"
#include "fuzz-common.h"

static int hexdig(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* hex digits at *p: 1 with the value, 0 none or overflow */
static int ref_hex(const char **p, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;
	if (hexdig(*s) < 0)
		return 0;
	for (; hexdig(*s) >= 0; s++) {
		if (x >> 60)
			return 0;
		x = x << 4 | (uint64_t)hexdig(*s);
	}
	*p = s;
	*v = x;
	return 1;
}

static int ref_xp(const char *text, uint64_t addr, uint64_t max, uint64_t *val)
{
	const char *p = text;
	uint64_t a, x;
	if (!ref_hex(&p, &a) || a != addr || *p++ != ':' || *p != ' ')
		return -1;
	while (*p == ' ')
		p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && hexdig(p[2]) >= 0)
		p += 2;
	if (!ref_hex(&p, &x) || x > max || (*p && *p != ' ' && *p != '\r' && *p != '\n'))
		return -1;
	*val = x;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	uint64_t addr = 0xfed9001c;
	const char *p = text;
	ref_hex(&p, &addr);
	static const uint64_t maxes[] = { UINT32_MAX, UINT64_MAX };
	for (int i = 0; i < 2; i++) {
		uint64_t got = 0x5a5a5a5a5a5a5a5aULL, want = 0;
		int r = iv_viommu_xp_parse(text, addr, &got, maxes[i]);
		int rr = ref_xp(text, addr, maxes[i], &want);
		if (r != rr || (r == 0 && got != want)) {
			fprintf(stderr, "fuzz-xp: addr %#llx max %#llx: parser %d (%#llx), reference %d (%#llx); input '%.200s'\n",
				(unsigned long long)addr, (unsigned long long)maxes[i], r, (unsigned long long)got, rr,
				(unsigned long long)want, text);
			abort();
		}
		fuzz_outcome(r == 0);
	}
	free(text);
	return 0;
}
