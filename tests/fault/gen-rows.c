/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gen-rows.c - write a large, valid 6.7+ per-device domain_translation_struct
 * (device 0000:00:02.0, 4-level table, 4 KiB leaves at consecutive IOVAs and
 * PFNs) to stdout, for the bounded-memory test (tests/fault/fault-limits.sh).
 * Usage: gen-rows BYTES   (suffixes K, M, G; the output stops after the first
 * row that reaches BYTES). Fast: rows are formatted by hand. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *hex(char *p, uint64_t v, int n)
{
	static const char d[] = "0123456789abcdef";
	for (int i = n - 1; i >= 0; i--, v >>= 4)
		p[i] = d[v & 15];
	return p + n;
}

static char *entry(char *p, uint64_t v)
{
	*p++ = '0'; *p++ = 'x';
	return hex(p, v, 16);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen-rows BYTES\n");
		return 2;
	}
	char *end;
	unsigned long long want = strtoull(argv[1], &end, 10);
	switch (*end) {
	case 'G': want <<= 30; break;
	case 'M': want <<= 20; break;
	case 'K': want <<= 10; break;
	}
	static char buf[1 << 20];
	size_t n = (size_t)snprintf(buf, sizeof buf, "Device 0000:00:02.0 @0x942000\n"
				    "IOVA_PFN\t\tPML5E\t\t\tPML4E\t\t\tPDPE\t\t\tPDE\t\t\tPTE\n");
	unsigned long long out = 0;
	for (uint64_t pfn = 0x100;; pfn++) {
		char *p = buf + n;
		*p++ = '0'; *p++ = 'x';
		p = hex(p, pfn, 13);
		*p++ = ' '; *p++ = '|'; *p++ = '\t';
		p = entry(p, 0);
		*p++ = '\t';
		p = entry(p, 0x1000003 + ((pfn >> 27) << 12));
		*p++ = '\t';
		p = entry(p, 0x2000003 + ((pfn >> 18) << 12));
		*p++ = '\t';
		p = entry(p, 0x3000003 + ((pfn >> 9) << 12));
		*p++ = '\t';
		p = entry(p, ((0x100000000ULL + pfn) << 12) | 3);
		*p++ = '\n';
		n = (size_t)(p - buf);
		if (n > sizeof buf - 256 || out + n >= want) {
			size_t off = 0;
			while (off < n) {
				ssize_t w = write(1, buf + off, n - off);
				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0)
					return errno == EPIPE ? 0 : 1;
				off += (size_t)w;
			}
			out += n;
			n = 0;
			if (out >= want)
				return 0;
		}
	}
}
