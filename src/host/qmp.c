/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qmp.c - the GPA map from a running QEMU over QMP: `info mtree -f`,
 * `info ramblock` and (QEMU < 8.0) `gpa2hva`. Read-only commands only: never
 * gpa2hpa, which writes guest memory.
 *
 * One short session (QEMU serves one monitor client at a time; Proxmox's own
 * client gives up after 5 s; libvirt holds its socket): connect, ask
 * everything, close. One deadline (5 s from the connect, or the run's -t deadline
 * when given) bounds the whole session: connect, every send and every reply.
 * The socket is non-blocking and every wait is a poll() against that deadline.
 *
 * Nothing QEMU says is trusted: the peer must run as root or as the VM's user
 * (SO_PEERCRED), every host address must lie inside its RAM block's used size
 * and inside a readable mapping of /proc/PID/maps, and cost is bounded
 * (sorted look-ups, a reply size limit, the deadline). */
#include "config.h"
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <json-c/json.h>
#include "gpamap.h"

#define QMP_MAX_REPLY (16u << 20)   /* bytes accepted for one reply */
#define QMP_MAX_MAPS  262144u       /* /proc/PID/maps entries considered (max_map_count is 65530) */

struct iv_qmp {
	struct iv_run *run;        /* the run it was opened with: options, errors */
	int fd;
	pid_t pid;                 /* the VM's process (0: no peer or maps checks) */
	char path[108];
	json_tokener *tok;
	double opened, deadline;   /* iv_now() at connect; the end of the whole session */
	unsigned commands;
	size_t start, end;
	size_t reply_bytes;
	unsigned flags;            /* IV_QMP_PEER_IS_PID */
	const struct iv_monitor_ops *ops;   /* not a socket (libvirt): HMP through ops, ctx */
	void *ctx;
	char buf[65536];
};

static double qmp_timeout(const struct iv_run *run)
{
	return run && run->opt.timeout > 0 ? run->opt.timeout : 5.0;
}

/* poll() milliseconds until the deadline, clamped (a huge --timeout must not overflow int). */
static int left_ms(const struct iv_qmp *q)
{
	double left = q->deadline - iv_now();
	if (left <= 0)
		return 0;
	return left >= 1e6 ? 1000000000 : (int)(left * 1000) + 1;
}

/* ---- peer credentials ---- */
/* The uids of PID (real and effective) from /proc/PID/status, or the owner of /proc/PID. */
static int vm_uids(struct iv_run *run, pid_t pid, uid_t *ruid, uid_t *euid)
{
	char path[PATH_MAX], buf[8192];
	ssize_t n = iv_read_small(iv_path(run, path, sizeof path, "/proc/%d/status", (int)pid), buf, sizeof buf);
	if (n > 0) {
		const char *u = strstr(buf, "\nUid:");
		unsigned long r, e;
		if (!u || sscanf(u + 5, "%lu %lu", &r, &e) != 2)
			return iv_error(run, "%s: no 'Uid:' line", path);
		*ruid = (uid_t)r;
		*euid = (uid_t)e;
		return 0;
	}
	struct stat st;
	if (stat(iv_path(run, path, sizeof path, "/proc/%d", (int)pid), &st))
		return iv_error(run, "%s: cannot tell the VM's user: %s", path, strerror(errno));
	*ruid = *euid = st.st_uid;
	return 0;
}

static int check_peer(struct iv_qmp *q)
{
	struct iv_run *run = q->run;
	struct ucred cr;
	socklen_t len = sizeof cr;
	if (getsockopt(q->fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) || len != sizeof cr)
		return iv_error(q->run, "%s: cannot get the QMP peer's credentials: %s", q->path, strerror(errno));
	if ((q->flags & IV_QMP_PEER_IS_PID) && q->pid > 0 && cr.pid != q->pid)
		return iv_error(q->run, "%s: QMP socket served by PID %d, not by the VM's process %d", q->path, (int)cr.pid,
				(int)q->pid);
	if (q->pid <= 0 || cr.uid == 0)
		return 0;
	uid_t r, e;
	if (vm_uids(run, q->pid, &r, &e))
		return -1;
	if (cr.uid != r && cr.uid != e)
		return iv_error(q->run, "%s: QMP socket served by uid %u, not by the VM's user (uid %u of PID %d)", q->path,
				(unsigned)cr.uid, (unsigned)e, (int)q->pid);
	return 0;
}

/* ---- connect, read, send: all against q->deadline ---- */
static int qmp_connect(struct iv_qmp *q, const char *path)
{
	struct iv_run *run = q->run;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	snprintf(q->path, sizeof q->path, "%s", path);
	if (strlen(path) >= sizeof sa.sun_path)
		return iv_error(q->run, "%s: QMP socket path too long", path);
	if (stat(path, &st))
		return iv_error(q->run, "%s: cannot connect to QMP: %s", path, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return iv_error(q->run, "%s: cannot connect to QMP: not a socket", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (q->fd < 0)
		return iv_error(q->run, "%s: socket: %s", path, strerror(errno));
	for (;;) {
		if (connect(q->fd, (struct sockaddr *)&sa, sizeof sa) == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EINPROGRESS) {
			/* AF_UNIX: EAGAIN while the listener's backlog is full (QEMU busy with another client) */
			int ms = left_ms(q);
			if (ms == 0)
				return iv_error(q->run, "%s: connect: QEMU did not accept the connection within %g s "
						"(another client holds the monitor, or nobody accepts)", path, qmp_timeout(run));
			if (errno == EINPROGRESS) {
				struct pollfd p = { .fd = q->fd, .events = POLLOUT };
				int err = 0;
				socklen_t l = sizeof err;
				if (poll(&p, 1, ms) > 0 && !getsockopt(q->fd, SOL_SOCKET, SO_ERROR, &err, &l) && !err)
					break;
				continue;
			}
			poll(NULL, 0, ms < 20 ? ms : 20);
			continue;
		}
		return iv_error(q->run, "%s: cannot connect to QMP: %s", path, strerror(errno));
	}
	q->tok = json_tokener_new();
	return check_peer(q);
}

/* Reads what is there into q->buf. 1 read, 0 nothing yet (EAGAIN), -1 error (reported). */
static int qmp_read_some(struct iv_qmp *q, const char *what)
{
	if (q->start == q->end)
		q->start = q->end = 0;
	if (q->end == sizeof q->buf && q->start) {
		memmove(q->buf, q->buf + q->start, q->end - q->start);
		q->end -= q->start;
		q->start = 0;
	}
	if (q->end == sizeof q->buf)
		return 0;
	ssize_t n = read(q->fd, q->buf + q->end, sizeof q->buf - q->end);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n < 0)
		return iv_error(q->run, "%s: %s: read: %s", q->path, what, strerror(errno));
	if (n == 0)
		return iv_error(q->run, "%s: %s: QEMU closed the connection%s", q->path, what,
				q->reply_bytes ? " in the middle of a reply" : "");
	q->end += (size_t)n;
	return 1;
}

/* Wait for and read more bytes. 0 ok, -1 error (reported). */
static int qmp_fill(struct iv_qmp *q, const char *what)
{
	struct iv_run *run = q->run;
	for (;;) {
		int ms = left_ms(q);
		if (ms == 0)
			return iv_error(q->run, "%s: %s: no reply from QEMU within %g s", q->path, what, qmp_timeout(run));
		struct pollfd p = { .fd = q->fd, .events = POLLIN };
		int r = poll(&p, 1, ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return iv_error(q->run, "%s: %s: poll: %s", q->path, what, strerror(errno));
		if (r == 0)
			continue;
		r = qmp_read_some(q, what);
		if (r)
			return r < 0 ? -1 : 0;
	}
}

/* Next JSON object that is not an event. Caller puts *out. */
static int qmp_recv(struct iv_qmp *q, const char *what, json_object **out)
{
	q->reply_bytes = 0;
	json_tokener_reset(q->tok);
	for (;;) {
		if (q->start == q->end && qmp_fill(q, what))
			return -1;
		size_t len = q->end - q->start;
		json_object *o = json_tokener_parse_ex(q->tok, q->buf + q->start, (int)len);
		enum json_tokener_error e = json_tokener_get_error(q->tok);
		size_t used = e == json_tokener_continue ? len : json_tokener_get_parse_end(q->tok);
		q->start += used;
		q->reply_bytes += used;
		if (q->reply_bytes > QMP_MAX_REPLY) {
			json_object_put(o);
			return iv_error(q->run, "%s: %s: reply larger than %u MiB", q->path, what, QMP_MAX_REPLY >> 20);
		}
		if (e == json_tokener_continue)
			continue;
		if (e != json_tokener_success || !json_object_is_type(o, json_type_object)) {
			json_object_put(o);
			return iv_error(q->run, "%s: %s: reply is not a JSON object (%s)", q->path, what,
					e != json_tokener_success ? json_tokener_error_desc(e) : "other JSON value");
		}
		json_tokener_reset(q->tok);
		if (q->reply_bytes > (1u << 20)) {   /* the tokener keeps its buffer's capacity: drop it */
			json_tokener_free(q->tok);
			q->tok = json_tokener_new();
		}
		if (json_object_object_get_ex(o, "event", NULL)) {
			json_object_put(o);
			q->reply_bytes = 0;
			continue;
		}
		*out = o;
		return 0;
	}
}

/* Sends all of msg; while the socket is full, keeps reading (QEMU may be
 * writing to us) and gives up at the deadline. */
static int qmp_send_bytes(struct iv_qmp *q, const char *what, const char *msg, size_t len)
{
	struct iv_run *run = q->run;
	size_t off = 0;
	while (off < len) {
		ssize_t n = send(q->fd, msg + off, len - off, MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			return iv_error(q->run, "%s: %s: send: %s", q->path, what, strerror(errno));
		if (n < 0 && errno == EINTR)
			continue;
		int ms = left_ms(q);
		if (ms == 0)
			return iv_error(q->run, "%s: %s: QEMU does not read its commands (send blocked until the %g s timeout)",
					q->path, what, qmp_timeout(run));
		bool room = q->end < sizeof q->buf || q->start > 0;
		struct pollfd p = { .fd = q->fd, .events = POLLOUT | (room ? POLLIN : 0) };
		int r = poll(&p, 1, ms);
		if (r < 0 && errno != EINTR)
			return iv_error(q->run, "%s: %s: poll: %s", q->path, what, strerror(errno));
		if (r > 0 && (p.revents & POLLIN) && qmp_read_some(q, what) < 0)
			return -1;
	}
	return 0;
}

static int qmp_send(struct iv_qmp *q, const char *what, json_object *cmd)
{
	const char *s = json_object_to_json_string_ext(cmd, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(s);
	char *msg = iv_xmalloc(len + 2);
	memcpy(msg, s, len);
	msg[len++] = '\n';
	int rc = qmp_send_bytes(q, what, msg, len);
	free(msg);
	q->commands++;
	return rc;
}

/* Runs one command; *ret is the "return" member (a new reference). */
static int qmp_exec(struct iv_qmp *q, const char *execute, const char *hmp, json_object **ret)
{
	const char *what = hmp ? hmp : execute;
	json_object *cmd = json_object_new_object(), *reply = NULL, *x;
	json_object_object_add(cmd, "execute", json_object_new_string(execute));
	if (hmp) {
		json_object *args = json_object_new_object();
		json_object_object_add(args, "command-line", json_object_new_string(hmp));
		json_object_object_add(cmd, "arguments", args);
	}
	int rc = qmp_send(q, what, cmd);
	json_object_put(cmd);
	if (rc || qmp_recv(q, what, &reply))
		return -1;
	if (json_object_object_get_ex(reply, "error", &x)) {
		json_object *c = NULL, *d = NULL;
		json_object_object_get_ex(x, "class", &c);
		json_object_object_get_ex(x, "desc", &d);
		rc = iv_error(q->run, "%s: %s: QEMU error %s: %.200s", q->path, what,
			      c ? json_object_get_string(c) : "?", d ? json_object_get_string(d) : "?");
	} else if (!json_object_object_get_ex(reply, "return", &x)) {
		rc = iv_error(q->run, "%s: %s: reply has no \"return\"", q->path, what);
	} else {
		*ret = json_object_get(x);
	}
	json_object_put(reply);
	return rc;
}

/* Read-only HMP commands: info, gpa2hva, xp. Never gpa2hpa (it writes guest memory). */
static bool hmp_allowed(const char *line)
{
	static const char *const ok[] = { "info ", "gpa2hva ", "xp " };
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (!strncmp(line, ok[i], strlen(ok[i])))
			return !strchr(line, '\n') && !strchr(line, ';');
	return false;
}

/* HMP command; *obj is the reply string (a new reference: the text stays in
 * json-c's string, not copied again: replies may be 16 MiB). */
static int qmp_hmp_obj(struct iv_qmp *q, const char *line, json_object **obj)
{
	json_object *r;
	if (!hmp_allowed(line))
		return iv_error(q->run, "%s: HMP command '%.60s' refused (only info, gpa2hva and xp are sent)", q->path, line);
	if (q->ops) {   /* libvirt: the same command, through its API; the same checks of the reply */
		char *text = NULL;
		q->commands++;
		if (iv_now() >= q->deadline)
			return iv_error(q->run, "%s: %s: the %g s session deadline passed", q->path, line, qmp_timeout(q->run));
		if (q->ops->hmp(q->ctx, line, q->deadline, &text))
			return -1;
		size_t n = strlen(text);
		if (n > QMP_MAX_REPLY) {
			free(text);
			return iv_error(q->run, "%s: %s: reply larger than %u MiB", q->path, line, QMP_MAX_REPLY >> 20);
		}
		*obj = json_object_new_string_len(text, (int)n);
		free(text);
		return 0;
	}
	if (qmp_exec(q, "human-monitor-command", line, &r))
		return -1;
	if (!json_object_is_type(r, json_type_string)) {
		json_object_put(r);
		return iv_error(q->run, "%s: %s: the reply is not a string", q->path, line);
	}
	*obj = r;
	return 0;
}

int iv_qmp_hmp(struct iv_qmp *q, const char *line, char **text)
{
	json_object *r;
	if (qmp_hmp_obj(q, line, &r))
		return -1;
	*text = iv_xstrdup(json_object_get_string(r));
	json_object_put(r);
	return 0;
}

static int qmp_start(struct iv_qmp *q)
{
	json_object *g, *r;
	if (qmp_recv(q, "greeting", &g))
		return -1;
	bool ok = json_object_object_get_ex(g, "QMP", NULL);
	json_object_put(g);
	if (!ok)
		return iv_error(q->run, "%s: greeting: not a QMP greeting", q->path);
	if (qmp_exec(q, "qmp_capabilities", NULL, &r))
		return -1;
	json_object_put(r);
	return 0;
}

void iv_qmp_close(struct iv_qmp *q)
{
	if (!q)
		return;
	if (q->ops)
		q->ops->close(q->ctx);
	if (q->fd >= 0 || q->ops) {
		if (q->fd >= 0)
			close(q->fd);
		if (q->run && q->run->opt.stats)
			fprintf(stderr, "stats: qmp_socket_held=%.3fs qmp_commands=%u (%s)\n", iv_now() - q->opened,
				q->commands, q->path);
	}
	if (q->tok)
		json_tokener_free(q->tok);
	free(q);
}

struct iv_qmp *iv_qmp_open_ops(struct iv_run *run, const struct iv_monitor_ops *ops, void *ctx, const char *label,
			       pid_t pid)
{
	struct iv_qmp *q = iv_xcalloc(1, sizeof *q);
	q->run = run;
	q->fd = -1;
	q->pid = pid;
	q->opened = iv_now();
	q->deadline = q->opened + qmp_timeout(run);
	if (run && run->opt.deadline > 0 && run->opt.deadline < q->deadline)
		q->deadline = run->opt.deadline;   /* -t: the whole run's limit, not per session */
	snprintf(q->path, sizeof q->path, "%s", label);
	if (ops->start && ops->start(ctx, q->deadline)) {
		ops->close(ctx);
		free(q);
		return NULL;
	}
	q->ops = ops;
	q->ctx = ctx;
	return q;
}

double iv_qmp_deadline(const struct iv_qmp *q)
{
	return q->deadline;
}

struct iv_qmp *iv_qmp_open(struct iv_run *run, const char *socket_path, pid_t pid)
{
	return iv_qmp_open_flags(run, socket_path, pid, 0);
}

struct iv_qmp *iv_qmp_open_flags(struct iv_run *run, const char *socket_path, pid_t pid, unsigned flags)
{
	struct iv_qmp *q = iv_xcalloc(1, sizeof *q);
	q->run = run;
	q->fd = -1;
	q->pid = pid;
	q->flags = flags;
	q->opened = iv_now();
	q->deadline = q->opened + qmp_timeout(run);
	if (run && run->opt.deadline > 0 && run->opt.deadline < q->deadline)
		q->deadline = run->opt.deadline;   /* -t: the whole run's limit, not per session */
	if (qmp_connect(q, socket_path) || qmp_start(q)) {
		iv_qmp_close(q);
		return NULL;
	}
	return q;
}

/* ---- HVA of each section ----
 * A section (region name, e.g. "vga.vram") belongs to the RAM block whose
 * idstr is the name or ends in "/name" ("0000:00:02.0/vga.vram"). Blocks are
 * indexed by their reversed idstr: both are then ranges of a sorted array
 * (O(log n) per section instead of a scan of every block). */
/* reverse(a) vs k (k already reversed) */
static int rev_cmp(const char *a, const char *k)
{
	size_t n = strlen(a);
	for (size_t i = 0;; i++) {
		int ca = i < n ? (unsigned char)a[n - 1 - i] : 0, ck = (unsigned char)k[i];
		if (ca != ck || !ca)
			return ca - ck;
	}
}

static int cmp_rbi(const void *a, const void *b)
{
	const struct iv_ramblock *x = *(const struct iv_ramblock *const *)a, *y = *(const struct iv_ramblock *const *)b;
	char k[sizeof y->name];
	size_t n = strlen(y->name);
	for (size_t i = 0; i < n; i++)
		k[i] = y->name[n - 1 - i];
	k[n] = 0;
	return rev_cmp(x->name, k);
}

/* First entry with reverse(name) >= k (or > k when after). */
static size_t rbi_bound(const struct iv_ramblock *const *v, size_t n, const char *k, bool after)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = rev_cmp(v[mid]->name, k);
		if (c < 0 || (after && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The one block of this name, or NULL (none, or ambiguous: two vga.vram). */
static const struct iv_ramblock *rb_find(const struct iv_ramblock *const *v, size_t n, const char *name)
{
	char k[200];
	size_t len = strlen(name), cnt = 0;
	const struct iv_ramblock *found = NULL;
	if (len + 2 > sizeof k || !len)
		return NULL;
	for (size_t i = 0; i < len; i++)
		k[i] = name[len - 1 - i];
	k[len] = 0;
	size_t a = rbi_bound(v, n, k, false), b = rbi_bound(v, n, k, true);   /* exact */
	cnt += b - a;
	if (b > a)
		found = v[a];
	k[len] = '/';   /* idstr ending in "/name": reversed, prefix "eman/" up to (not including) "eman0" */
	k[len + 1] = 0;
	a = rbi_bound(v, n, k, false);
	k[len] = '/' + 1;
	b = rbi_bound(v, n, k, false);
	cnt += b - a;
	if (b > a)
		found = v[a];
	return cnt == 1 ? found : NULL;
}

/* The section's range within its block: inside the used size, no wrap; a
 * read-only block makes the section read-only. 0 ok, -1 error. */
static int check_in_block(const struct iv_qmp *q, struct iv_gpa_section *s, const struct iv_ramblock *b)
{
	if (s->offset > b->used || s->size > b->used - s->offset)
		return iv_error(q->run, "%s: section '%s' [%#llx-%#llx] at offset %#llx is past the used size %#llx of "
				"RAM block '%s'", q->path, s->name, (unsigned long long)s->gpa,
				(unsigned long long)(s->gpa + s->size - 1), (unsigned long long)s->offset,
				(unsigned long long)b->used, b->name);
	if (b->readonly)
		s->readonly = true;
	return 0;
}

/* "Host virtual address for 0x%lx (%s) is 0x%lx". 0 ok, 1 QEMU says no RAM there, -1 error. */
static int parse_gpa2hva(const char *text, const struct iv_gpa_section *s, uint64_t *hva)
{
	unsigned long long addr;
	int pos = 0;
	if (!strncmp(text, "No memory is mapped", 19) || strstr(text, "is not RAM"))
		return 1;
	if (sscanf(text, "Host virtual address for %llx (%n", &addr, &pos) != 1 || !pos || addr != s->gpa)
		return -1;
	size_t nl = strlen(s->name);
	if (strncmp(text + pos, s->name, nl) || strncmp(text + pos + nl, ") is ", 5))
		return -1;
	const char *v = text + pos + nl + 5;
	size_t nd = v[0] == '0' && v[1] == 'x' ? strspn(v + 2, "0123456789abcdef") : 0;
	const char *end = v + 2 + nd;   /* "0x" and 1..16 hex digits: no sign, no blanks */
	if (!nd || nd > 16 || (*end && strcmp(end, "\r\n") && strcmp(end, "\n")))
		return -1;
	*hva = strtoull(v + 2, NULL, 16);
	return 0;
}

static int hva_from_gpa2hva(struct iv_qmp *q, struct iv_gpa_section *s)
{
	char cmd[64], *text;
	snprintf(cmd, sizeof cmd, "gpa2hva 0x%llx", (unsigned long long)s->gpa);
	if (iv_qmp_hmp(q, cmd, &text))
		return -1;
	int r = parse_gpa2hva(text, s, &s->hva);
	if (r < 0)
		iv_error(q->run, "%s: %s: unexpected reply '%.100s' (section '%s')", q->path, cmd, text, s->name);
	else if (r > 0 && s->type != IV_SEC_RAMD)
		r = iv_error(q->run, "%s: %s: QEMU says '%.100s' for %s section '%s'", q->path, cmd, text,
			     s->type == IV_SEC_ROM ? "rom" : "ram", s->name);
	free(text);
	s->have_hva = r == 0;
	return r < 0 ? -1 : 0;
}

static int section_hva(struct iv_qmp *q, struct iv_gpa_section *s, const struct iv_ramblock *const *rbi, size_t nrb)
{
	const struct iv_ramblock *b = rb_find(rbi, nrb, s->name);
	if (b && check_in_block(q, s, b))
		return -1;
	if (b && b->have_hva) {
		if (b->hva + s->offset < b->hva || b->hva + s->offset + (s->size - 1) < b->hva)
			return iv_error(q->run, "%s: RAM block '%s': HVA %#llx + offset %#llx + size %#llx wraps", q->path,
					b->name, (unsigned long long)b->hva, (unsigned long long)s->offset,
					(unsigned long long)s->size);
		s->hva = b->hva + s->offset;
		s->have_hva = true;
		return 0;
	}
	if (hva_from_gpa2hva(q, s))
		return -1;
	if (s->have_hva && s->hva + (s->size - 1) < s->hva)
		return iv_error(q->run, "%s: section '%s': HVA %#llx + size %#llx wraps", q->path, s->name,
				(unsigned long long)s->hva, (unsigned long long)s->size);
	return 0;
}

/* ---- every HVA range inside readable mappings of /proc/PID/maps ---- */
struct vmas { struct iv_map *v; size_t n; };

static int add_vma(struct iv_run *run, void *arg, const struct iv_map *m)
{
	struct vmas *a = arg;
	if (a->n >= QMP_MAX_MAPS)
		return iv_error(run, "more than %u mappings in the VM's /proc/PID/maps", QMP_MAX_MAPS);
	if (a->n == 0 || (a->n >= 64 && (a->n & (a->n - 1)) == 0))
		a->v = iv_xrealloc(a->v, (a->n ? a->n * 2 : 64) * sizeof *a->v);
	a->v[a->n++] = *m;
	return 0;
}

static int cmp_vma(const void *a, const void *b)
{
	const struct iv_map *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* [lo, hi] covered by contiguous readable mappings. */
static bool vmas_cover(const struct vmas *a, uint64_t lo, uint64_t hi)
{
	size_t l = 0, h = a->n;
	while (l < h) {   /* first mapping with end > lo */
		size_t mid = l + (h - l) / 2;
		if (a->v[mid].end <= lo)
			l = mid + 1;
		else
			h = mid;
	}
	uint64_t at = lo;
	for (size_t i = l; i < a->n; i++) {
		const struct iv_map *m = &a->v[i];
		if (m->start > at || m->perms[0] != 'r')
			return false;
		if (m->end - 1 >= hi)
			return true;
		at = m->end;
	}
	return false;
}

static int check_maps(struct iv_qmp *q, const struct iv_gpa_map *m)
{
	struct iv_run *run = q->run;
	struct vmas a = { NULL, 0 };
	char path[PATH_MAX];
	iv_path(q->run, path, sizeof path, "/proc/%d/maps", (int)q->pid);
	int rc = iv_maps_each(run, q->pid, add_vma, &a);
	if (rc == 0)
		qsort(a.v, a.n, sizeof *a.v, cmp_vma);
	for (size_t i = 0; rc == 0 && i < m->n; i++) {
		const struct iv_gpa_section *s = &m->v[i];
		if (!s->have_hva)
			continue;
		if (!vmas_cover(&a, s->hva, s->hva + s->size - 1))
			rc = iv_error(q->run, "%s: section '%s' [%#llx-%#llx]: HVA range %#llx-%#llx is not inside a readable "
				      "mapping of %s", q->path, s->name, (unsigned long long)s->gpa,
				      (unsigned long long)(s->gpa + s->size - 1), (unsigned long long)s->hva,
				      (unsigned long long)(s->hva + s->size - 1), path);
	}
	free(a.v);
	return rc;
}

int iv_qmp_gpamap(struct iv_qmp *q, struct iv_gpa_map *m)
{
	struct iv_run *run = q->run;
	/* memory: each reply text is freed once parsed (a hostile QEMU sends up to 16 MiB per reply) */
	json_object *text = NULL;
	char origin[200];
	struct iv_ramblock *rb = NULL;
	const struct iv_ramblock **rbi = NULL;
	size_t nrb = 0;
	memset(m, 0, sizeof *m);
	int rc = qmp_hmp_obj(q, "info mtree -f", &text);
	if (rc == 0) {
		snprintf(origin, sizeof origin, "%s: info mtree -f", q->path);
		rc = iv_mtree_parse(run, json_object_get_string(text), origin, m);
		json_object_put(text);
		if (rc == 0 && m->n == 0)   /* like an empty --gpa-map: nothing could be compared */
			rc = iv_error(q->run, "%s: no ram, rom or ramd section in address space \"memory\"", origin);
	}
	if (rc == 0 && (rc = qmp_hmp_obj(q, "info ramblock", &text)) == 0) {
		snprintf(origin, sizeof origin, "%s: info ramblock", q->path);
		rc = iv_ramblock_parse(run, json_object_get_string(text), origin, &rb, &nrb);
		json_object_put(text);
	}
	if (rc == 0 && nrb) {
		rbi = iv_xcalloc(nrb, sizeof *rbi);
		for (size_t i = 0; i < nrb; i++)
			rbi[i] = &rb[i];
		qsort(rbi, nrb, sizeof *rbi, cmp_rbi);
	}
	for (size_t i = 0; rc == 0 && i < m->n; i++)
		rc = section_hva(q, &m->v[i], rbi, nrb);
	free(rbi);
	free(rb);
	if (rc == 0 && q->pid > 0)
		rc = check_maps(q, m);
	/* alias names (isa-bios) need the tree: after HVAs, which match region names */
	if (rc == 0 && (rc = qmp_hmp_obj(q, "info mtree", &text)) == 0) {
		iv_mtree_alias_names(json_object_get_string(text), m);
		json_object_put(text);
	}
	if (rc)
		iv_gpamap_free(m);
	snprintf(m->how, sizeof m->how, "%s", q->ops ? "libvirt" : "qmp");
	return rc;
}

int iv_gpamap_from_qmp(struct iv_run *run, const char *socket_path, pid_t pid, struct iv_gpa_map *m)
{
	memset(m, 0, sizeof *m);
	snprintf(m->how, sizeof m->how, "qmp");
	struct iv_qmp *q = iv_qmp_open(run, socket_path, pid);
	if (!q)
		return -1;
	int rc = iv_qmp_gpamap(q, m);
	iv_qmp_close(q);
	return rc;
}
