/* fuzz-qmp.c - the QMP client (src/qmp.c: greeting, qmp_capabilities, events,
 * errors, `info mtree -f`, `info ramblock`, gpa2hva) against a server thread on a
 * Unix socket in the fuzz root that sends the fuzz input as its whole reply
 * stream, then closes its side. iv_gpamap_from_qmp must end with a map or a
 * reported error, never hang (the stream ends, and --timeout is 1 s).
 * Input: the bytes QEMU sends. */
#include "config.h"
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "iv.h"
#include "gpamap.h"
#include "fuzz-common.h"

static int lfd = -1;
static char sock[4096];
static const uint8_t *cur;
static size_t cur_size;
static sem_t served;

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
		size_t off = 0;
		while (off < cur_size) {
			ssize_t n = send(c, cur + off, cur_size - off, MSG_NOSIGNAL);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;    /* the client gave up (EPIPE): fine */
			off += (size_t)n;
		}
		shutdown(c, SHUT_WR);
		char buf[4096];
		while (read(c, buf, sizeof buf) > 0)
			;
		close(c);
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
	cur = data;
	cur_size = size;
	struct iv_gpa_map m;
	double t0 = iv_now();
	int r = iv_gpamap_from_qmp(sock, 0, &m);
	fuzz_expect_error(r, "iv_gpamap_from_qmp");
	if (r == 0)
		iv_gpamap_free(&m);
	while (sem_wait(&served) && errno == EINTR)
		;
	if (iv_now() - t0 > 3 * iv_g->timeout + 1) {
		fprintf(stderr, "fuzz-qmp: took %.1f s with a %.1f s timeout on a closed stream\n",
			iv_now() - t0, iv_g->timeout);
		abort();
	}
	fuzz_reset();
	return 0;
}
