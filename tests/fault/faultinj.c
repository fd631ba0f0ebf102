/* SPDX-License-Identifier: GPL-2.0-or-later */
/* faultinj.c - LD_PRELOAD fault-injection shim for the fault tests
 * (the tests/fault/fault-*.sh scripts). Built as tests/fault/faultinj.so by tests/fault/fault.am.
 *
 * Only files whose path contains FAULT_PATH are affected (all when unset; a
 * FAULT_PATH is required for anything to happen). The fds opened on them are
 * tracked, so read/pread faults hit only those files. Environment:
 *   FAULT_PATH=SUBSTRING   which files
 *   FAULT_OP=open|read|pread|close|fstatat   the operation to fail (open also covers openat)
 *   FAULT_ERRNO=NAME|NUMBER          errno of the failure (EACCES, ENOENT, ESRCH, EIO, ...)
 *   FAULT_AFTER=N          let N matching calls of FAULT_OP succeed first (default 0)
 *   FAULT_TIMES=M          fail M calls, then succeed again (default: all)
 *   FAULT_SHORT=N          every read/pread on a matching file returns at most N bytes
 *   FAULT_EINTR=1          every other read/pread on a matching file fails with EINTR first
 *   FAULT_SWAP=FILE        from the FAULT_SWAP_AFTER+1-th open (default 1: the second) of a
 *                          matching path on, open FILE instead (a file that changed between reads)
 *   FAULT_SWAP_ON_EOF=1    instead: swap every open after a read of a matching file reached
 *                          its end once (the first full pass is done; re-reads see FILE)
 *   FAULT_PREAD_SWAP=FILE  after FAULT_PREAD_SWAP_AFTER (default 0) preads on matching files,
 *                          further preads read the same offsets from FILE instead (a file kept
 *                          open whose contents change between reads: pagemap)
 *   FAULT_GEN=COMMAND      opening a matching path runs `sh -c COMMAND` and returns the read
 *                          end of a pipe from its stdout (a file of any size, generated as it
 *                          is read); lseek on it supports SEEK_CUR 0 and forward SEEK_SET (by
 *                          reading and discarding), like a regular file read front to back
 *   FAULT_LOG=FILE         append one line per injected fault / swap (for the tests' assertions);
 *                          every open of a matching path is logged too ("open N PATH")
 *   FAULT_TRACE_READS=1    log "read fd F: B bytes" when a matching file is closed (B: bytes
 *                          read from it by read/pread), to count how often a file is read
 * Counters are per process. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXFD 65536

static bool inited, active;
static const char *fpath, *fop, *fswap, *flog, *fgen;
static off_t gen_pos[MAXFD];
static pid_t gen_pid[MAXFD];
static int ferrno = EIO;
static long fafter, ftimes = -1, fshort, fswap_after = 1;
static bool feintr, fswap_on_eof, eof_seen, ftrace_reads;
static long long rbytes[MAXFD];
static const char *fpswap;
static long fpswap_after, preads_matched;
static int fpswap_fd = -1;
static long calls, injected, opens_matched;
static unsigned char tracked[MAXFD];
static unsigned char eintr_state[MAXFD], logged[MAXFD];

static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static ssize_t (*real_read)(int, void *, size_t);
static ssize_t (*real_pread)(int, void *, size_t, off_t);
static int (*real_close)(int);
static off_t (*real_lseek)(int, off_t, int);

static const struct { const char *n; int v; } errnames[] = {
	{ "EACCES", EACCES }, { "EPERM", EPERM }, { "ENOENT", ENOENT }, { "ESRCH", ESRCH },
	{ "EIO", EIO }, { "EINTR", EINTR }, { "ENOMEM", ENOMEM }, { "EMFILE", EMFILE },
	{ "EAGAIN", EAGAIN }, { "EINVAL", EINVAL }, { "ENXIO", ENXIO }, { "EFAULT", EFAULT },
};

static void logf_(const char *fmt, ...)
{
	if (!flog)
		return;
	FILE *f = fopen(flog, "a");
	if (!f)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

static void init(void)
{
	if (inited)
		return;
	real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	real_openat = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
	real_read = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
	real_pread = (ssize_t (*)(int, void *, size_t, off_t))dlsym(RTLD_NEXT, "pread");
	real_close = (int (*)(int))dlsym(RTLD_NEXT, "close");
	real_lseek = (off_t (*)(int, off_t, int))dlsym(RTLD_NEXT, "lseek");
	fpath = getenv("FAULT_PATH");
	fop = getenv("FAULT_OP");
	fswap = getenv("FAULT_SWAP");
	flog = getenv("FAULT_LOG");
	fgen = getenv("FAULT_GEN");
	const char *e = getenv("FAULT_ERRNO");
	if (e) {
		ferrno = atoi(e);
		for (size_t i = 0; i < sizeof errnames / sizeof errnames[0]; i++)
			if (!strcmp(e, errnames[i].n))
				ferrno = errnames[i].v;
		if (ferrno <= 0)
			ferrno = EIO;
	}
	if ((e = getenv("FAULT_AFTER"))) fafter = atol(e);
	if ((e = getenv("FAULT_TIMES"))) ftimes = atol(e);
	if ((e = getenv("FAULT_SHORT"))) fshort = atol(e);
	if ((e = getenv("FAULT_SWAP_AFTER"))) fswap_after = atol(e);
	fpswap = getenv("FAULT_PREAD_SWAP");
	if ((e = getenv("FAULT_PREAD_SWAP_AFTER"))) fpswap_after = atol(e);
	feintr = getenv("FAULT_EINTR") && atoi(getenv("FAULT_EINTR"));
	ftrace_reads = getenv("FAULT_TRACE_READS") && atoi(getenv("FAULT_TRACE_READS"));
	fswap_on_eof = getenv("FAULT_SWAP_ON_EOF") && atoi(getenv("FAULT_SWAP_ON_EOF"));
	active = fpath && *fpath;
	inited = true;
}

static bool matches(const char *p)
{
	return active && p && strstr(p, fpath);
}

/* Should this matching call of operation op fail? */
static bool fail_now(const char *op, const char *what)
{
	if (!fop || strcmp(fop, op))
		return false;
	long n = calls++;
	if (n < fafter || (ftimes >= 0 && injected >= ftimes))
		return false;
	injected++;
	logf_("fault: %s %s -> %s", op, what, strerror(ferrno));
	errno = ferrno;
	return true;
}

static int track(int fd)
{
	if (fd >= 0 && fd < MAXFD) {
		tracked[fd] = 1;
		rbytes[fd] = 0;
		eintr_state[fd] = 0;
		logged[fd] = 0;
	}
	return fd;
}

static int gen_open(void)
{
	int p[2];
	if (pipe(p))
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(p[1], 1);
		real_close(p[0]);
		real_close(p[1]);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", fgen, (char *)NULL);
		_exit(127);
	}
	real_close(p[1]);
	if (p[0] >= MAXFD)
		return -1;
	gen_pos[p[0]] = 0;
	gen_pid[p[0]] = pid;
	logf_("gen: fd %d pid %d: %s", p[0], (int)pid, fgen);
	return p[0];
}

static int do_open(int dirfd, bool at, const char *path, int flags, mode_t mode)
{
	init();
	if (matches(path)) {
		if (fail_now("open", path))
			return -1;
		long k = opens_matched++;
		logf_("open %ld %s", k + 1, path);
		if (fgen)
			return track(gen_open());
		if (fswap && (fswap_on_eof ? eof_seen : k >= fswap_after)) {
			logf_("swap: open %s -> %s", path, fswap);
			path = fswap;
			at = false;
		}
		int fd = at ? real_openat(dirfd, path, flags, mode) : real_open(path, flags, mode);
		return track(fd);
	}
	int fd = at ? real_openat(dirfd, path, flags, mode) : real_open(path, flags, mode);
	if (fd >= 0 && fd < MAXFD)
		tracked[fd] = 0;
	return fd;
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return do_open(AT_FDCWD, false, path, flags, mode);
}
int open64(const char *path, int flags, ...) __attribute__((alias("open")));

int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return do_open(dirfd, true, path, flags, mode);
}
int openat64(int dirfd, const char *path, int flags, ...) __attribute__((alias("openat")));

static bool io_fault(int fd, const char *op, size_t *len)
{
	if (fd < 0 || fd >= MAXFD || !tracked[fd])
		return false;
	if (feintr && !(eintr_state[fd] ^= 1)) {
		/* odd calls pass, even calls fail: the first call passes, so a
		 * caller that does not retry is caught on its second read */
	} else if (feintr) {
		if (!(logged[fd] & 1))
			logf_("fault: %s fd %d -> EINTR (logged once per file)", op, fd);
		logged[fd] |= 1;
		errno = EINTR;
		return true;
	}
	char what[32];
	snprintf(what, sizeof what, "fd %d", fd);
	if (fail_now(op, what))
		return true;
	if (fshort > 0 && *len > (size_t)fshort) {
		*len = (size_t)fshort;
		if (!(logged[fd] & 2))
			logf_("fault: %s fd %d -> short reads of %ld bytes (logged once per file)", op, fd, fshort);
		logged[fd] |= 2;
	}
	return false;
}

ssize_t read(int fd, void *buf, size_t len)
{
	init();
	if (io_fault(fd, "read", &len))
		return -1;
	ssize_t n = real_read(fd, buf, len);
	if (n > 0 && fd >= 0 && fd < MAXFD && tracked[fd])
		rbytes[fd] += n;
	if (n > 0 && fd >= 0 && fd < MAXFD && gen_pid[fd])
		gen_pos[fd] += n;
	if (n == 0 && len && fd >= 0 && fd < MAXFD && tracked[fd])
		eof_seen = true;
	return n;
}

ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
	init();
	if (io_fault(fd, "pread", &len))
		return -1;
	int ofd = fd;
	if (fpswap && fd >= 0 && fd < MAXFD && tracked[fd] && preads_matched++ >= fpswap_after) {
		if (fpswap_fd < 0) {
			fpswap_fd = real_open(fpswap, O_RDONLY);
			logf_("swap: pread %ld on fd %d -> %s", preads_matched, fd, fpswap);
		}
		if (fpswap_fd >= 0)
			fd = fpswap_fd;
	}
	ssize_t n = real_pread(fd, buf, len, off);
	if (n > 0 && ofd >= 0 && ofd < MAXFD && tracked[ofd])
		rbytes[ofd] += n;
	if (n == 0 && len && fd >= 0 && fd < MAXFD && tracked[fd])
		eof_seen = true;
	return n;
}
ssize_t pread64(int fd, void *buf, size_t len, off_t off) __attribute__((alias("pread")));

off_t lseek(int fd, off_t off, int whence)
{
	init();
	if (fd < 0 || fd >= MAXFD || !gen_pid[fd])
		return real_lseek(fd, off, whence);
	if (whence == SEEK_CUR && off == 0)
		return gen_pos[fd];
	if (whence == SEEK_SET && off >= gen_pos[fd]) {
		static char junk[65536];
		while (gen_pos[fd] < off) {
			size_t k = (size_t)(off - gen_pos[fd]) < sizeof junk ? (size_t)(off - gen_pos[fd]) : sizeof junk;
			ssize_t n = real_read(fd, junk, k);
			if (n <= 0)
				return n == 0 ? gen_pos[fd] : -1;
			gen_pos[fd] += n;
		}
		return off;
	}
	errno = ESPIPE;
	return -1;
}
off_t lseek64(int fd, off_t off, int whence) __attribute__((alias("lseek")));

int close(int fd)
{
	init();
	if (fd >= 0 && fd < MAXFD && gen_pid[fd]) {
		pid_t pid = gen_pid[fd];
		gen_pid[fd] = 0;
		int r = real_close(fd);
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		tracked[fd] = 0;
		return r;
	}
	if (fd >= 0 && fd < MAXFD && tracked[fd]) {
		tracked[fd] = 0;
		if (ftrace_reads)
			logf_("read fd %d: %lld bytes", fd, rbytes[fd]);
		if (fail_now("close", "fd")) {
			real_close(fd);
			errno = ferrno;
			return -1;
		}
	}
	return real_close(fd);
}

/* FAULT_OP=fstatat: fstatat(dirfd, name) on a matching path (dirfd's path + "/" + name),
 * e.g. FAULT_PATH=/proc/1234/fd/ to make another user's fd links unstattable (EACCES, as
 * without CAP_SYS_PTRACE). */
#include <sys/stat.h>
static int (*real_fstatat)(int, const char *, struct stat *, int);
int fstatat(int dirfd, const char *name, struct stat *st, int flags)
{
	if (!real_fstatat)
		real_fstatat = (int (*)(int, const char *, struct stat *, int))dlsym(RTLD_NEXT, "fstatat");
	if (active && fop && !strcmp(fop, "fstatat")) {
		char path[4096] = "", link[64];
		if (name[0] != '/' && dirfd != AT_FDCWD) {
			snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
			ssize_t n = readlink(link, path, sizeof path - 256);
			if (n < 0)
				n = 0;
			path[n] = 0;
			strcat(path, "/");
		}
		strncat(path, name, 255);
		if (matches(path) && fail_now("fstatat", path))
			return -1;
	}
	return real_fstatat(dirfd, name, st, flags);
}
int fstatat64(int dirfd, const char *name, struct stat64 *st, int flags)
{
	return fstatat(dirfd, name, (struct stat *)st, flags);   /* same layout on LP64 */
}
