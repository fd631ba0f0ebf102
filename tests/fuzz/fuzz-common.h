/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-common.h - shared by the libFuzzer harnesses (tests/fuzz/fuzz-*.c).
 *
 * Each harness writes the fuzz input into a private --root tree
 * (mkdtemp under $TMPDIR, removed at exit) and calls the real parser or source
 * through its public interface, passing the run fuzz_ctx whose root is that
 * tree; fuzz_reset() frees the errors collected by iv_error() between runs
 * so that memory does not grow and LeakSanitizer sees no leak. */
#ifndef IV_FUZZ_COMMON_H
#define IV_FUZZ_COMMON_H
#include <stddef.h>
#include <stdint.h>
#include "iv.h"

/* The run every harness passes (root: the tree below). */
extern struct iv_run fuzz_ctx;
/* Create the root tree once (idempotent) and set up fuzz_ctx. */
void fuzz_init(void);
/* Free fuzz_ctx's errors, clear counters: call at the start and end of every run. */
void fuzz_reset(void);
/* Absolute path of REL (starting with '/') below the root (static buffer per call site: copy it). */
const char *fuzz_path(char *buf, size_t len, const char *rel);
/* Write data to REL below the root, creating directories. Aborts on failure
 * (a harness bug, not a finding). */
void fuzz_write(const char *rel, const void *data, size_t size);
void fuzz_write_str(const char *rel, const char *s);
/* Remove REL below the root if it exists. */
void fuzz_unlink(const char *rel);
/* r < 0 must come with a reported error (iv_error): else abort, naming what. */
void fuzz_expect_error(int r, const char *what);
/* Outcome counters, printed by the standalone driver (fuzz-driver.c): a run
 * that never reaches one of them is not testing what it claims. */
extern unsigned long fuzz_accepted, fuzz_rejected;
static inline void fuzz_outcome(int ok) { if (ok) fuzz_accepted++; else fuzz_rejected++; }
/* Lines of text (up to its first NUL): '\n'-separated, a last line without '\n' counts. */
unsigned fuzz_lines(const char *text);
/* A NUL-terminated malloc'd copy of the input (free it); aborts when out of memory. */
char *fuzz_text(const uint8_t *data, size_t size);
/* The root directory. */
const char *fuzz_root(void);

/* A leaf callback that counts and stops after FUZZ_MAX_LEAVES (a table whose
 * entries all point to one lower table legitimately maps 2^36 pages: that is a
 * long walk, not a hang, and not what a fuzzer should spend time on). */
#define FUZZ_MAX_LEAVES 100000
struct iv_leaf;
struct fuzz_walk { unsigned long n; uint64_t next; };
/* Also checks the source contract (include/source.h): page size a power of
 * two >= 4 KiB, IOVA aligned to it, ascending non-overlapping IOVAs, perm
 * bits only; a violation aborts (a finding). arg: struct fuzz_walk, zeroed. */
int fuzz_leaf_count(void *arg, const struct iv_leaf *l);

#endif
