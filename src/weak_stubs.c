/* weak_stubs.c - TEMPORARY weak definitions of host-side functions so the
 * tree links while they are being written; the real ones override them.
 * To be deleted when src/procfs.c, pagemap.c, gpamap*.c, qmp.c are complete. */
#include "config.h"
#include "host.h"
#include "gpamap.h"
#define W __attribute__((weak))
W int iv_procs_find(const pid_t *p, size_t n, struct iv_proc **o) { (void)p; (void)n; *o = NULL; return iv_error("process discovery not implemented yet"); }
W void iv_procs_free(struct iv_proc *p, size_t n) { (void)p; (void)n; }
W int iv_proc_same(const struct iv_proc *p) { (void)p; return 0; }
W struct iv_pagemap *iv_pagemap_open(pid_t pid) { (void)pid; iv_error("pagemap not implemented yet"); return NULL; }
W void iv_pagemap_close(struct iv_pagemap *pm) { (void)pm; }
W int iv_pagemap_get(struct iv_pagemap *pm, uint64_t va, uint64_t *e) { (void)pm; (void)va; (void)e; return -1; }
W void iv_pagemap_invalidate(struct iv_pagemap *pm) { (void)pm; }
W void iv_pagemap_counts(const struct iv_pagemap *pm, uint64_t *a, uint64_t *b) { (void)pm; *a = *b = 0; }
W struct iv_kpage *iv_kpage_open(void) { iv_error("kpageflags not implemented yet"); return NULL; }
W void iv_kpage_close(struct iv_kpage *k) { (void)k; }
W int iv_kpage_flags(struct iv_kpage *k, uint64_t p, uint64_t *f) { (void)k; (void)p; (void)f; return -1; }
W int iv_kpage_count(struct iv_kpage *k, uint64_t p, uint64_t *f) { (void)k; (void)p; (void)f; return -1; }
W void iv_kpage_invalidate(struct iv_kpage *k) { (void)k; }
W int iv_zero_pfn_probe(uint64_t *p) { (void)p; return 1; }
W void iv_gpamap_free(struct iv_gpa_map *m) { (void)m; }
W const struct iv_gpa_section *iv_gpamap_find(const struct iv_gpa_map *m, uint64_t g) { (void)m; (void)g; return NULL; }
W int iv_gpamap_from_file(const char *p, struct iv_gpa_map *m) { (void)p; (void)m; return iv_error("--gpa-map not implemented yet"); }
W int iv_gpamap_from_qmp(const char *p, struct iv_gpa_map *m) { (void)p; (void)m; return iv_error("--qmp not implemented yet"); }
W int iv_gpamap_infer(pid_t pid, const struct iv_sample *s, size_t n, struct iv_gpa_map *m) { (void)pid; (void)s; (void)n; (void)m; return iv_error("inference not implemented yet"); }
