/* SPDX-License-Identifier: GPL-2.0-or-later */
/* print.h - the single output layer for text and JSON (after iproute2's
 * json_print). JSON is streamed: memory does not grow with output size.
 * src/print.c */
#ifndef IV_PRINT_H
#define IV_PRINT_H
#include <stdint.h>
#include <stdbool.h>

enum { PRINT_TEXT = 1, PRINT_JSON = 2, PRINT_ANY = 3 };

void print_init(bool json, bool pretty);
bool print_is_json(void);
bool print_begun(void);      /* print_begin was called */
/* Begin/end the whole document (JSON: the top-level object). print_top
 * closes every object and array still open inside the document (opening the
 * document if it was not begun), so members can be added at the top level;
 * print_end closes everything and flushes: -1 if standard output had a write
 * error. The layer knows nothing of errors: the report side adds them
 * (iv_report_end in report.h). */
void print_begin(void);
void print_top(void);
int print_end(void);

void open_json_object(const char *key);     /* key NULL inside arrays */
void close_json_object(void);
void open_json_array(const char *key);
void close_json_array(void);

/* In text mode print fmt with the value (if fmt not NULL); in JSON mode emit key:value.
 * print_string's text output writes control characters of v as \\xNN. */
void print_string(int t, const char *key, const char *fmt, const char *v);
void print_u64(int t, const char *key, const char *fmt, uint64_t v);
void print_int(int t, const char *key, const char *fmt, long long v);
void print_hex(int t, const char *key, const char *fmt, uint64_t v);  /* JSON "0x..." string */
void print_bool(int t, const char *key, const char *fmt, bool v);
void print_null(int t, const char *key, const char *fmt);
void print_float(int t, const char *key, const char *fmt, double v);  /* JSON: always with a '.' or an
                                                                    * exponent; null if not finite */
/* Text only. */
void print_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
