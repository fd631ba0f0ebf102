/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iv.h - iommu-verify core: run context, errors, small utilities. */
#ifndef IV_H
#define IV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define IV_PAGE_SHIFT 12
#define IV_PAGE_SIZE  4096ULL
#define IV_PAGE_MASK  (~(IV_PAGE_SIZE - 1))

/* Exit statuses (Nagios plugin convention), used by every command. */
enum iv_status { IV_OK = 0, IV_WARNING = 1, IV_CRITICAL = 2, IV_UNKNOWN = 3 };

/* Where page tables come from. */
enum iv_source_kind { IV_SRC_AUTO = 0, IV_SRC_DEBUGFS, IV_SRC_MEMORY };

/* Counters of one run (--stats), incremented through the run or the handle
 * that carries it. */
struct iv_stats {
	uint64_t table_pages_read;  /* memory walker: distinct table pages read */
	uint64_t bytes_read;        /* all sources: bytes read from input files */
	uint64_t leaves;            /* leaf entries seen */
	uint64_t pagemap_reads;     /* pread calls on pagemap */
	uint64_t pagemap_entries;   /* pagemap entries read */
	uint64_t kpage_reads;       /* pread calls on kpageflags/kpagecount */
};

/* The options of one run: set by the command line (src/cmd), read-only below. */
struct iv_opts {
	const char *root;        /* "" for the live system, else a directory prefix */
	char debugfs[4096];      /* resolved debugfs mount point (real path) */
	bool json, pretty;
	bool nagios;             /* check --nagios: errors as one "IOMMU UNKNOWN - ..." line */
	enum iv_source_kind source;
	const char *memory;      /* --memory FILE (NULL: /proc/kcore below root) */
	bool have_vtd_root;
	uint64_t vtd_root;       /* --vtd-root ADDR */
	char vtd_root_unit[32];  /* optional @UNIT, "" for any */
	bool have_amd_devtab;
	uint64_t amd_devtab;     /* --amd-devtab ADDR */
	uint64_t debugfs_max_mib;   /* --debugfs-max-mib: bound on a dump's kernel buffer in auto (0: default) */
	bool debugfs_unsized_skip;  /* auto: skip a dump whose size cannot be estimated (check) */
	bool stats;
	double timeout;          /* -t/--timeout: the run's time limit in seconds (0: none; QMP 5 s) */
	double deadline;         /* iv_now() by which the run ends (0: none); waits stop there */
};

/* The errors of one run, kept for the JSON "errors" array and the Nagios
 * line (the first IV_MAX_ERRORS; the rest are counted). */
#define IV_MAX_ERRORS 100
struct iv_errs {
	char **v;
	size_t n, dropped;
};

/* One run of the tool: owned by main (on its stack), passed down to every
 * entry point; handles keep the pointer they were opened with. */
struct iv_bdf;
struct iv_dma_estimate;
struct iv_run {
	struct iv_opts opt;
	struct iv_stats st;
	struct iv_errs errs;
	/* The debugfs size gate's estimate of a domain's mappings (an
	 * iv_dma_estimator, include/source.h), set by the command layer: it needs
	 * the host layer. NULL: no estimate. */
	int (*dma_estimate)(struct iv_run *run, const struct iv_bdf *bdf, struct iv_dma_estimate *e,
			    char *why, size_t whylen);
	/* The size gate's second route: RAM of the checked process's guest memory
	 * map (iv_dump_set_map_hint, include/source.h); 0: none. */
	uint64_t dump_map_ram;
	char dump_map_how[16];
};
/* Defaults: root "" (the live system), no time limit (QMP sessions 5 s), no errors. */
void iv_run_init(struct iv_run *run);
/* Frees the error list. */
void iv_run_free(struct iv_run *run);


/* Report an error of the run: prints "iommu-verify: MSG" on stderr and keeps
 * MSG in run->errs (for JSON output and the Nagios line; run NULL: stderr
 * only). Always returns -1 so callers can `return iv_error(run, ...)`.
 * Input errors must name the file and line: "FILE:LINE: what is wrong". */
int iv_error(struct iv_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A warning on stderr only (not an error; does not change the exit status). */
void iv_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Copy src to dst (always NUL-terminated) with control characters, DEL and
 * the characters in also (e.g. "|" for the Nagios status line) written as
 * \xNN, so that text from outside (process names, QEMU strings, file names)
 * cannot forge lines or terminal escapes. Returns dst. */
char *iv_escape(char *dst, size_t len, const char *src, const char *also);

/* Path of a live-system file below the run's --root: iv_path(run, buf, sizeof buf, "/sys/..."). */
const char *iv_path(const struct iv_run *run, char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Parse a hex (0x optional) or decimal-with-0x-only number. Returns 0 on success. */
int iv_parse_u64(const char *s, uint64_t *out);        /* accepts 0x.. hex or decimal */
int iv_parse_hex(const char *s, uint64_t *out);        /* hex, optional 0x */

/* Read a whole small file (sysfs attribute etc.) into buf, strip trailing newline.
 * Returns length, or -1 with errno set. Does not report errors itself. */
ssize_t iv_read_small(const char *path, char *buf, size_t len);
/* The same, path relative to the directory fd dirfd (AT_FDCWD: as iv_read_small). */
ssize_t iv_read_small_at(int dirfd, const char *path, char *buf, size_t len);

/* xmalloc family: abort with a message on out-of-memory. */
void *iv_xmalloc(size_t n);
void *iv_xcalloc(size_t n, size_t sz);
void *iv_xrealloc(void *p, size_t n);
char *iv_xstrdup(const char *s);

/* Monotonic seconds. */
double iv_now(void);

/* Buffered line reader over a file descriptor: streams files of any size with a
 * bounded buffer. Lines longer than the buffer are an error (reported with the
 * file name and line number). */
struct iv_lines {
	struct iv_run *run;  /* errors and bytes_read go to this run (may be NULL) */
	int fd;
	const char *name;    /* file name for messages */
	char *buf;
	size_t cap, start, end;
	uint64_t lineno;
	bool eof;
	bool crlf_strip;     /* strip a trailing \r */
};
int iv_lines_open(struct iv_run *run, struct iv_lines *l, const char *path);   /* -1 and iv_error on failure */
void iv_lines_from_fd(struct iv_run *run, struct iv_lines *l, int fd, const char *name);
/* Next line, NUL-terminated, without the newline. Returns 1 line, 0 EOF, -1 error. */
int iv_lines_next(struct iv_lines *l, char **line, size_t *len);
void iv_lines_close(struct iv_lines *l);

#endif
