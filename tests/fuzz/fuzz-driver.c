/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-driver.c - a standalone main() for the libFuzzer harnesses
 * (LLVMFuzzerTestOneInput), so that `make check` runs them with gcc and
 * tests/sanitize.sh under ASan/UBSan, without clang.
 *
 *   check-NAME [-n MUTATIONS] [-s SEED] [-t SECONDS] [-d DICT] [-q] [-o CRASHDIR] FILE|DIR...
 *
 * Runs every FILE and every regular file of each DIR once, in name order (a
 * reproducible order), then MUTATIONS inputs made from them by a
 * deterministic mutator (xorshift64*, seed SEED, default 1): the same
 * command line always produces the same inputs; -t stops the mutations
 * early after SECONDS (default 5), the only thing a slow machine changes.
 * Mutations (1-4 stacked): bit flip, byte set to a delimiter or boundary
 * character, byte range deleted / inserted / duplicated, a dictionary word
 * (-d, libFuzzer's format) inserted or written over, a number replaced by a
 * boundary number, a line of another seed spliced in, a tail cut off.
 *
 * A harness reports a violated property by abort(); the sanitizers by their
 * own exit. Either way the input goes to CRASHDIR/crash-NAME-SEED-K (-o,
 * default .) and its stderr, captured per input with -q (otherwise the
 * parsers' error messages go to stderr), is printed. Exit 0 and one summary
 * line: "NAME: S seeds, M mutations, E execs in T s (R execs/s); accepted A, rejected B". */
#include "config.h"
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* libFuzzer's hook, when a harness defines it (none needs it yet) */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
/* the sanitizers' runtime, when linked: called before they exit on a report */
void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

#define MAX_LEN 65536

struct buf { uint8_t *p; size_t n; };
static struct buf *seeds;
static size_t nseeds;
static struct buf *words;
static size_t nwords;

/* the input being run, for the crash handler */
static const uint8_t *cur;
static size_t cur_n;
static unsigned long cur_k;
static const char *name = "fuzz", *crashdir = ".";
static unsigned long long seed = 1;
static int saved_err = -1, cap_fd = -1;

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("realloc");
	return p;
}

static void add_seed(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(path);
	struct buf b = { xrealloc(NULL, MAX_LEN), 0 };
	for (;;) {
		ssize_t r = read(fd, b.p + b.n, MAX_LEN - b.n);
		if (r < 0)
			die(path);
		if (r == 0 || (b.n += (size_t)r) == MAX_LEN)
			break;
	}
	close(fd);
	seeds = xrealloc(seeds, (nseeds + 1) * sizeof *seeds);
	seeds[nseeds++] = b;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_path(const char *path)
{
	struct stat st;
	if (stat(path, &st))
		die(path);
	if (!S_ISDIR(st.st_mode)) {
		add_seed(path);
		return;
	}
	DIR *d = opendir(path);
	if (!d)
		die(path);
	char **names = NULL;
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		names = xrealloc(names, (n + 1) * sizeof *names);
		if (asprintf(&names[n], "%s/%s", path, e->d_name) < 0)
			die("asprintf");
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmpstr);
	for (size_t i = 0; i < n; i++) {
		if (!stat(names[i], &st) && S_ISREG(st.st_mode))
			add_seed(names[i]);
		free(names[i]);
	}
	free(names);
}

/* libFuzzer dictionary: lines [name=]"text" with \\, \" and \xHH escapes; # comments */
static void load_dict(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		die(path);
	char line[4096];
	while (fgets(line, sizeof line, f)) {
		char *q = strchr(line, '"'), *e = strrchr(line, '"');
		if (line[strspn(line, " \t")] == '#' || !q || e == q)
			continue;
		struct buf w = { xrealloc(NULL, (size_t)(e - q)), 0 };
		for (char *s = q + 1; s < e; s++) {
			if (*s == '\\' && s + 1 < e && s[1] == 'x' && s + 3 < e) {
				char hex[3] = { s[2], s[3], 0 };
				w.p[w.n++] = (uint8_t)strtoul(hex, NULL, 16);
				s += 3;
			} else if (*s == '\\' && s + 1 < e) {
				w.p[w.n++] = (uint8_t)*++s;
			} else {
				w.p[w.n++] = (uint8_t)*s;
			}
		}
		words = xrealloc(words, (nwords + 1) * sizeof *words);
		words[nwords++] = w;
	}
	fclose(f);
}

/* ---- the mutator ---- */
static uint64_t rng = 1;
static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}
static size_t below(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

static const char special[] = "\0\n\r \t\",:=.-+0179afxX{}#@()/\\\xff\x80";
static const char *const numbers[] = {
	"0", "1", "7", "8", "31", "32", "255", "256", "65535", "65536", "4294967295", "4294967296",
	"18446744073709551615", "18446744073709551616", "-1", "+1", "0x", "0x0", "ffffffff", "100000000",
	"ffffffffffffffff", "10000000000000000", "0000000000000000", "fed9001c", "fed90020", " ",
};

static void insert(struct buf *b, size_t at, const void *p, size_t n)
{
	if (b->n + n > MAX_LEN)
		n = MAX_LEN - b->n;
	memmove(b->p + at + n, b->p + at, b->n - at);
	memcpy(b->p + at, p, n);
	b->n += n;
}

static void erase(struct buf *b, size_t at, size_t n)
{
	if (at + n > b->n)
		n = b->n - at;
	memmove(b->p + at, b->p + at + n, b->n - at - n);
	b->n -= n;
}

static void mutate_once(struct buf *b)
{
	size_t at = below(b->n + 1);
	switch (below(10)) {
	case 0:
		if (b->n)
			b->p[below(b->n)] ^= (uint8_t)(1u << below(8));
		break;
	case 1:
		if (b->n)
			b->p[below(b->n)] = (uint8_t)special[below(sizeof special - 1)];
		break;
	case 2:
		erase(b, at, 1 + below(below(2) ? 4 : 64));
		break;
	case 3: {
		uint8_t r[8];
		size_t n = 1 + below(sizeof r);
		for (size_t i = 0; i < n; i++)
			r[i] = below(2) ? (uint8_t)special[below(sizeof special - 1)] : (uint8_t)rnd();
		insert(b, at, r, n);
		break;
	}
	case 4: {   /* duplicate a range */
		if (!b->n)
			break;
		size_t from = below(b->n), n = 1 + below(b->n - from < 256 ? b->n - from : 256);
		uint8_t tmp[256];
		memcpy(tmp, b->p + from, n);
		insert(b, at, tmp, n);
		break;
	}
	case 5:
	case 6: {   /* a dictionary word, inserted or written over */
		if (!nwords)
			break;
		const struct buf *w = &words[below(nwords)];
		if (below(2) && at + w->n <= b->n)
			memcpy(b->p + at, w->p, w->n);
		else
			insert(b, at, w->p, w->n);
		break;
	}
	case 7: {   /* a number (a run of hex digits) replaced by a boundary number */
		size_t i = at, j;
		while (i < b->n && !isxdigit(b->p[i]))
			i++;
		for (j = i; j < b->n && (isxdigit(b->p[j]) || b->p[j] == 'x'); j++)
			;
		const char *num = numbers[below(sizeof numbers / sizeof numbers[0])];
		erase(b, i, j - i);
		insert(b, i, num, strlen(num));
		break;
	}
	case 8: {   /* a line of another seed spliced in at a line start */
		const struct buf *o = &seeds[below(nseeds)];
		if (!o->n)
			break;
		size_t s = below(o->n), e;
		while (s && o->p[s - 1] != '\n')
			s--;
		for (e = s; e < o->n && o->p[e] != '\n'; e++)
			;
		e += e < o->n;
		while (at && b->p[at - 1] != '\n')
			at--;
		uint8_t *tmp = xrealloc(NULL, e - s);
		memcpy(tmp, o->p + s, e - s);
		insert(b, at, tmp, e - s);
		free(tmp);
		break;
	}
	default:   /* cut the tail */
		b->n = at;
		break;
	}
}

/* ---- running one input ---- */
static void dump_crash(void)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/crash-%s-%llu-%lu", crashdir, name, seed, cur_k);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int out = saved_err >= 0 ? saved_err : 2;
	if (fd >= 0) {
		ssize_t w = write(fd, cur, cur_n);
		(void)w;
		close(fd);
	}
	if (cap_fd >= 0) {   /* what the failing input printed: the harness's reason, the sanitizer's report */
		char b[8192];
		ssize_t r = pread(cap_fd, b, sizeof b, 0);
		if (r > 0 && write(out, b, (size_t)r) < 0)
			r = 0;
	}
	dprintf(out, "%s: input %lu (seed %llu) failed; it is in %s (%zu bytes): reproduce with %s FILE\n", name,
		cur_k, seed, path, cur_n, name);
}

static void on_signal(int sig)
{
	dump_crash();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void run_one(const uint8_t *p, size_t n, unsigned long k)
{
	cur = p;
	cur_n = n;
	cur_k = k;
	if (cap_fd >= 0 && lseek(cap_fd, 0, SEEK_CUR) > 0) {
		if (ftruncate(cap_fd, 0) || lseek(cap_fd, 0, SEEK_SET))
			die("capture file");
	}
	/* exactly n bytes of its own: a read past the end is a heap overflow under ASan */
	uint8_t *copy = xrealloc(NULL, n);
	memcpy(copy, p, n);
	LLVMFuzzerTestOneInput(copy, n);
	free(copy);
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long mutations = 10000;
	double seconds = 5;
	bool quiet = false;
	int c;
	const char *b = strrchr(argv[0], '/');
	name = b ? b + 1 : argv[0];
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	while ((c = getopt(argc, argv, "n:s:t:d:qo:")) != -1) {
		switch (c) {
		case 'n': mutations = strtoul(optarg, NULL, 10); break;
		case 's': seed = strtoull(optarg, NULL, 10); break;
		case 't': seconds = strtod(optarg, NULL); break;
		case 'd': load_dict(optarg); break;
		case 'q': quiet = true; break;
		case 'o': crashdir = optarg; break;
		default:
			fprintf(stderr, "usage: %s [-n MUTATIONS] [-s SEED] [-t SECONDS] [-d DICT] [-q] [-o CRASHDIR] FILE|DIR...\n",
				name);
			return 2;
		}
	}
	for (int i = optind; i < argc; i++)
		add_path(argv[i]);
	if (!nseeds) {
		fprintf(stderr, "%s: no seed inputs\n", name);
		return 2;
	}
	rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	if (quiet) {   /* stderr of each input into a scratch file, shown only for a failure */
		char tmpl[] = "/tmp/fuzz-driver.XXXXXX";
		cap_fd = mkstemp(tmpl);
		if (cap_fd < 0)
			die("mkstemp");
		unlink(tmpl);
		saved_err = dup(2);
		if (saved_err < 0 || dup2(cap_fd, 2) < 0)
			die("dup");
	}
	signal(SIGABRT, on_signal);
	signal(SIGSEGV, on_signal);
	signal(SIGBUS, on_signal);
	signal(SIGFPE, on_signal);
	signal(SIGILL, on_signal);
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(dump_crash);

	double t0 = now();
	unsigned long k = 0, m = 0;
	for (size_t i = 0; i < nseeds; i++)
		run_one(seeds[i].p, seeds[i].n, k++);
	struct buf w = { xrealloc(NULL, MAX_LEN), 0 };
	for (; m < mutations; m++) {
		if ((m & 63) == 0 && now() - t0 > seconds)
			break;
		const struct buf *s = &seeds[below(nseeds)];
		memcpy(w.p, s->p, s->n);
		w.n = s->n;
		for (size_t j = 1 + below(4); j; j--)
			mutate_once(&w);
		run_one(w.p, w.n, k++);
	}
	double t = now() - t0;
	if (saved_err >= 0)
		dup2(saved_err, 2);
	fprintf(stderr, "%s: %zu seeds, %lu mutations (seed %llu), %lu execs in %.2f s (%.0f execs/s); accepted %lu, rejected %lu\n",
		name, nseeds, m, seed, k, t, t > 0 ? k / t : 0.0, fuzz_accepted, fuzz_rejected);
	free(w.p);
	for (size_t i = 0; i < nseeds; i++)
		free(seeds[i].p);
	free(seeds);
	for (size_t i = 0; i < nwords; i++)
		free(words[i].p);
	free(words);
	return 0;
}
