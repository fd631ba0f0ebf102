/* weak_stubs.c - TEMPORARY weak definitions of host-side functions so the
 * tree links while they are being written; the real ones override them.
 * To be deleted when src/procfs.c, pagemap.c, gpamap*.c, qmp.c are complete. */
#include "config.h"
#include "host.h"
#include "gpamap.h"
#define W __attribute__((weak))
W int iv_gpamap_from_qmp(const char *p, struct iv_gpa_map *m) { (void)p; (void)m; return iv_error("--qmp not implemented yet"); }
W int iv_gpamap_infer(pid_t pid, const struct iv_sample *s, size_t n, struct iv_gpa_map *m) { (void)pid; (void)s; (void)n; (void)m; return iv_error("inference not implemented yet"); }
