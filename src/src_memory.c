/* src_memory.c - page tables walked in physical memory (STUB: being written). */
#include "config.h"
#include <stdio.h>
#include "source.h"
static int dbg_open(const struct iv_bdf *b, uint32_t p, struct iv_table *t, void **h, char *why, size_t n)
{ (void)b; (void)p; (void)t; (void)h; snprintf(why, n, "not implemented"); return 1; }
static int dbg_walk(void *h, uint64_t lo, uint64_t hi, iv_leaf_fn fn, void *arg)
{ (void)h; (void)lo; (void)hi; (void)fn; (void)arg; return -1; }
static void dbg_close(void *h) { (void)h; }
const struct iv_source_ops iv_source_memory = { "memory", dbg_open, dbg_walk, dbg_close };
