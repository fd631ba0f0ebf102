/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bdf.c - PCI address parsing and formatting. */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "bdf.h"

static int hexval(const char *s, int n, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < n; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
		else return -1;
	}
	*out = v;
	return 0;
}

int iv_bdf_parse(const char *s, struct iv_bdf *out)
{
	unsigned seg = 0, bus, dev, fn;
	size_t n = strlen(s);
	if (n == 12) {
		if (s[4] != ':' || hexval(s, 4, &seg))
			return -1;
		s += 5;
	} else if (n != 7) {
		return -1;
	}
	if (s[2] != ':' || s[5] != '.' || hexval(s, 2, &bus) || hexval(s + 3, 2, &dev) ||
	    hexval(s + 6, 1, &fn) || dev > 31 || fn > 7)
		return -1;
	out->seg = (uint16_t)seg;
	out->bus = (uint8_t)bus;
	out->dev = (uint8_t)dev;
	out->fn = (uint8_t)fn;
	return 0;
}

char *iv_bdf_str(const struct iv_bdf *b, char *buf)
{
	snprintf(buf, 16, "%04x:%02x:%02x.%x", b->seg, b->bus, b->dev, b->fn);
	return buf;
}
