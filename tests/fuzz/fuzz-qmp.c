/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-qmp.c - the QMP client (src/host/qmp.c: greeting, qmp_capabilities,
 * events, errors, `info mtree -f`, `info ramblock`, gpa2hva) against a server
 * thread on a Unix socket in the fuzz root that plays the fuzz input as QEMU's
 * reply stream. The server can misbehave the ways a hostile or stuck QEMU does
 * (issue 13.9): keep the connection open after the stream (the client must
 * give up at its deadline), never read the client's commands, send in small
 * chunks, slowly. iv_gpamap_from_qmp must end with a map or a reported error
 * within its one deadline (--timeout 0.2 s here, plus slack): longer aborts.
 *
 * Input: an optional flags byte (a first byte below 0x20 other than blanks),
 * then the bytes QEMU sends. Flags: 1 keep the connection open after the
 * stream, 2 never read, 4|8 chunk size (0 all at once, 4: 1 byte, 8: 7 bytes,
 * 12: 512 bytes), 16 slow (1 ms between chunks). Without it: all at once, then
 * close (the seeds recorded from fake-qmp.py). */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "iv.h"
#include "gpamap.h"
#include "fuzz-common.h"

static struct iv_run *const run = &fuzz_ctx;

#define F_KEEP_OPEN 1
#define F_NO_READ 2
#define F_CHUNK 12
#define F_SLOW 16
#define FUZZ_TIMEOUT 0.2

static int lfd = -1;
static char sock[4096];
static const uint8_t *cur;
static size_t cur_size;
static unsigned cur_flags;
static sem_t served;

static size_t chunk_size(unsigned flags)
{
	static const size_t sz[] = { SIZE_MAX, 1, 7, 512 };
	return sz[(flags & F_CHUNK) >> 2];
}

/* Plays cur[] on c until the client closes. */
static void serve_one(int c)
{
	size_t off = 0, chunk = chunk_size(cur_flags);
	bool closed_w = false;
	fcntl(c, F_SETFL, fcntl(c, F_GETFL) | O_NONBLOCK);
	for (;;) {
		bool more = off < cur_size;
		if (!more && !closed_w && !(cur_flags & F_KEEP_OPEN)) {
			shutdown(c, SHUT_WR);
			closed_w = true;
		}
		struct pollfd p = { .fd = c, .events = POLLRDHUP };
		if (more)
			p.events |= POLLOUT;
		if (!(cur_flags & F_NO_READ))
			p.events |= POLLIN;
		if (poll(&p, 1, 10000) <= 0) {
			fprintf(stderr, "fuzz-qmp: the client neither read nor closed for 10 s\n");
			abort();
		}
		if (p.revents & POLLIN) {
			char buf[4096];
			ssize_t n = read(c, buf, sizeof buf);
			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
				break;
		} else if (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) {
			break;   /* the client closed (never-read mode sees only this) */
		}
		if (more && (p.revents & POLLOUT)) {
			size_t len = cur_size - off < chunk ? cur_size - off : chunk;
			ssize_t n = send(c, cur + off, len, MSG_NOSIGNAL);
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				break;   /* the client gave up (EPIPE): fine */
			if (n > 0)
				off += (size_t)n;
			if (cur_flags & F_SLOW)
				nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
		}
	}
	close(c);
}

static void *server(void *arg)
{
	(void)arg;
	for (;;) {
		int c = accept(lfd, NULL, NULL);
		if (c < 0) {
			if (errno == EINTR)
				continue;
			perror("fuzz-qmp: accept");
			abort();
		}
		serve_one(c);
		sem_post(&served);
	}
	return NULL;
}

static void setup_once(void)
{
	if (lfd >= 0)
		return;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	fuzz_path(sock, sizeof sock, "/qmp.sock");
	if (strlen(sock) >= sizeof sa.sun_path)
		abort();
	strcpy(sa.sun_path, sock);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) || listen(lfd, 4)) {
		perror("fuzz-qmp: socket");
		abort();
	}
	sem_init(&served, 0, 0);
	pthread_t t;
	if (pthread_create(&t, NULL, server, NULL))
		abort();
	pthread_detach(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	setup_once();
	fuzz_reset();
	fuzz_ctx.opt.timeout = FUZZ_TIMEOUT;
	cur_flags = 0;
	if (size && data[0] < 0x20 && data[0] != '\t' && data[0] != '\n' && data[0] != '\r') {
		cur_flags = data[0];
		data++;
		size--;
	}
	cur = data;
	cur_size = size;
	struct iv_gpa_map m;
	double t0 = iv_now();
	int r = iv_gpamap_from_qmp(run, sock, 0, &m);
	double took = iv_now() - t0;
	fuzz_expect_error(r, "iv_gpamap_from_qmp");
	if (r == 0)
		iv_gpamap_free(&m);
	while (sem_wait(&served) && errno == EINTR)
		;
	/* one deadline for the whole session: sanitizers slow things down, hence the slack */
	if (took > FUZZ_TIMEOUT + 1.0) {
		fprintf(stderr, "fuzz-qmp: the session took %.2f s with a %.1f s timeout (flags %#x)\n", took,
			FUZZ_TIMEOUT, cur_flags);
		abort();
	}
	fuzz_reset();
	fuzz_ctx.opt.timeout = 1.0;
	return 0;
}
