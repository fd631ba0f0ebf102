/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bdf.h - PCI addresses. */
#ifndef IV_BDF_H
#define IV_BDF_H
#include <stdint.h>
#include <stdbool.h>

struct iv_bdf { uint16_t seg; uint8_t bus, dev, fn; };

/* "SSSS:BB:DD.F" or "BB:DD.F" (segment 0). Returns 0 on success. */
int iv_bdf_parse(const char *s, struct iv_bdf *out);
/* Writes "SSSS:BB:DD.F" into buf (at least 16 bytes); returns buf. */
char *iv_bdf_str(const struct iv_bdf *b, char *buf);
static inline uint16_t iv_bdf_devid(const struct iv_bdf *b) { return (uint16_t)(b->bus << 8 | b->dev << 3 | b->fn); }
static inline uint8_t iv_bdf_devfn(const struct iv_bdf *b) { return (uint8_t)(b->dev << 3 | b->fn); }
static inline bool iv_bdf_eq(const struct iv_bdf *a, const struct iv_bdf *b)
{ return a->seg == b->seg && a->bus == b->bus && a->dev == b->dev && a->fn == b->fn; }
#endif
