/* qmp.c - the GPA map from a running QEMU over QMP: `info mtree -f`,
 * `info ramblock` and (QEMU < 8.0) `gpa2hva`. Read-only commands only: never
 * gpa2hpa, which writes guest memory. */
#include "config.h"
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <json-c/json.h>
#include "gpamap.h"

#define QMP_MAX_REPLY (16u << 20)   /* bytes accepted for one reply */

struct qmp {
	int fd;
	const char *path;
	json_tokener *tok;
	char buf[65536];
	size_t start, end;
	size_t reply_bytes;
};

static double qmp_timeout(void)
{
	return iv_g && iv_g->timeout > 0 ? iv_g->timeout : 5.0;
}

static int qmp_connect(struct qmp *q, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	memset(q, 0, sizeof *q);
	q->path = path;
	q->fd = -1;
	if (strlen(path) >= sizeof sa.sun_path)
		return iv_error("%s: QMP socket path too long", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (q->fd < 0 || connect(q->fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		return iv_error("%s: cannot connect to QMP: %s", path, strerror(errno));
	q->tok = json_tokener_new();
	return 0;
}

static void qmp_close(struct qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	if (q->tok)
		json_tokener_free(q->tok);
	q->fd = -1;
	q->tok = NULL;
}

/* Wait for and read more bytes. 0 ok, -1 error (reported). */
static int qmp_fill(struct qmp *q, const char *what, double deadline)
{
	if (q->start == q->end)
		q->start = q->end = 0;
	if (q->end == sizeof q->buf) {
		memmove(q->buf, q->buf + q->start, q->end - q->start);
		q->end -= q->start;
		q->start = 0;
	}
	for (;;) {
		double left = deadline - iv_now();
		if (left <= 0)
			return iv_error("%s: %s: no reply from QEMU within %g s", q->path, what, qmp_timeout());
		struct pollfd p = { .fd = q->fd, .events = POLLIN };
		int r = poll(&p, 1, (int)(left * 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return iv_error("%s: %s: poll: %s", q->path, what, strerror(errno));
		if (r == 0)
			continue;
		ssize_t n = read(q->fd, q->buf + q->end, sizeof q->buf - q->end);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return iv_error("%s: %s: read: %s", q->path, what, strerror(errno));
		if (n == 0)
			return iv_error("%s: %s: QEMU closed the connection%s", q->path, what,
					q->reply_bytes ? " in the middle of a reply" : "");
		q->end += (size_t)n;
		return 0;
	}
}

/* Next JSON object that is not an event. Caller puts *out. */
static int qmp_recv(struct qmp *q, const char *what, json_object **out)
{
	double deadline = iv_now() + qmp_timeout();
	q->reply_bytes = 0;
	json_tokener_reset(q->tok);
	for (;;) {
		if (q->start == q->end && qmp_fill(q, what, deadline))
			return -1;
		size_t len = q->end - q->start;
		json_object *o = json_tokener_parse_ex(q->tok, q->buf + q->start, (int)len);
		enum json_tokener_error e = json_tokener_get_error(q->tok);
		size_t used = e == json_tokener_continue ? len : json_tokener_get_parse_end(q->tok);
		q->start += used;
		q->reply_bytes += used;
		if (q->reply_bytes > QMP_MAX_REPLY)
			return iv_error("%s: %s: reply larger than %u MiB", q->path, what, QMP_MAX_REPLY >> 20);
		if (e == json_tokener_continue)
			continue;
		if (e != json_tokener_success || !json_object_is_type(o, json_type_object)) {
			json_object_put(o);
			return iv_error("%s: %s: reply is not a JSON object (%s)", q->path, what,
					e != json_tokener_success ? json_tokener_error_desc(e) : "other JSON value");
		}
		json_tokener_reset(q->tok);
		if (json_object_object_get_ex(o, "event", NULL)) {
			json_object_put(o);
			q->reply_bytes = 0;
			continue;
		}
		*out = o;
		return 0;
	}
}

static int qmp_send(struct qmp *q, const char *what, json_object *cmd)
{
	const char *s = json_object_to_json_string_ext(cmd, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(s), off = 0;
	char *msg = iv_xmalloc(len + 2);
	memcpy(msg, s, len);
	msg[len++] = '\n';
	while (off < len) {
		ssize_t n = send(q->fd, msg + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(msg);
			return iv_error("%s: %s: send: %s", q->path, what, strerror(errno));
		}
		off += (size_t)n;
	}
	free(msg);
	return 0;
}

/* Runs one command; *ret is the "return" member (a new reference). */
static int qmp_exec(struct qmp *q, const char *execute, const char *hmp, json_object **ret)
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
		rc = iv_error("%s: %s: QEMU error %s: %s", q->path, what,
			      c ? json_object_get_string(c) : "?", d ? json_object_get_string(d) : "?");
	} else if (!json_object_object_get_ex(reply, "return", &x)) {
		rc = iv_error("%s: %s: reply has no \"return\"", q->path, what);
	} else {
		*ret = json_object_get(x);
	}
	json_object_put(reply);
	return rc;
}

/* HMP command; *text malloc'd. */
static int qmp_hmp(struct qmp *q, const char *line, char **text)
{
	json_object *r;
	if (qmp_exec(q, "human-monitor-command", line, &r))
		return -1;
	int rc = 0;
	if (!json_object_is_type(r, json_type_string))
		rc = iv_error("%s: %s: the reply is not a string", q->path, line);
	else
		*text = iv_xstrdup(json_object_get_string(r));
	json_object_put(r);
	return rc;
}

static int qmp_start(struct qmp *q)
{
	json_object *g, *r;
	if (qmp_recv(q, "greeting", &g))
		return -1;
	bool ok = json_object_object_get_ex(g, "QMP", NULL);
	json_object_put(g);
	if (!ok)
		return iv_error("%s: greeting: not a QMP greeting", q->path);
	if (qmp_exec(q, "qmp_capabilities", NULL, &r))
		return -1;
	json_object_put(r);
	return 0;
}

/* ---- HVA of each section ---- */
static bool block_matches(const char *idstr, const char *name)
{
	size_t a = strlen(idstr), b = strlen(name);
	return !strcmp(idstr, name) || (a > b && idstr[a - b - 1] == '/' && !strcmp(idstr + a - b, name));
}

/* From an 8.0+ ramblock with HVA: 1 set, 0 no (unique) block. */
static int hva_from_ramblock(struct iv_gpa_section *s, const struct iv_ramblock *rb, size_t nrb)
{
	const struct iv_ramblock *found = NULL;
	for (size_t i = 0; i < nrb; i++) {
		if (!rb[i].have_hva || !block_matches(rb[i].name, s->name))
			continue;
		if (found)
			return 0;   /* ambiguous (two vga.vram): ask gpa2hva */
		found = &rb[i];
	}
	if (!found)
		return 0;
	s->hva = found->hva + s->offset;
	s->have_hva = true;
	return 1;
}

/* "Host virtual address for 0x%lx (%s) is %p". 0 ok, 1 QEMU says no RAM there, -1 error. */
static int parse_gpa2hva(const char *text, const struct iv_gpa_section *s, uint64_t *hva)
{
	unsigned long long addr, p;
	int pos = 0;
	if (!strncmp(text, "No memory is mapped", 19) || strstr(text, "is not RAM"))
		return 1;
	if (sscanf(text, "Host virtual address for %llx (%n", &addr, &pos) != 1 || !pos || addr != s->gpa)
		return -1;
	size_t nl = strlen(s->name);
	if (strncmp(text + pos, s->name, nl) || strncmp(text + pos + nl, ") is ", 5))
		return -1;
	const char *v = text + pos + nl + 5;
	char *end;
	errno = 0;
	p = strtoull(v, &end, 16);
	if (errno || end == v || (*end && strcmp(end, "\r\n") && strcmp(end, "\n")))
		return -1;
	*hva = p;
	return 0;
}

static int hva_from_gpa2hva(struct qmp *q, struct iv_gpa_section *s)
{
	char cmd[64], *text;
	snprintf(cmd, sizeof cmd, "gpa2hva 0x%llx", (unsigned long long)s->gpa);
	if (qmp_hmp(q, cmd, &text))
		return -1;
	int r = parse_gpa2hva(text, s, &s->hva);
	if (r < 0)
		iv_error("%s: %s: unexpected reply '%.100s' (section '%s')", q->path, cmd, text, s->name);
	else if (r > 0 && s->type != IV_SEC_RAMD)
		r = iv_error("%s: %s: QEMU says '%.100s' for %s section '%s'", q->path, cmd, text,
			     s->type == IV_SEC_ROM ? "rom" : "ram", s->name);
	free(text);
	s->have_hva = r == 0;
	return r < 0 ? -1 : 0;
}

static int qmp_sections(struct qmp *q, struct iv_gpa_map *m)
{
	char *mtree = NULL, *rbtext = NULL, origin[4200];
	struct iv_ramblock *rb = NULL;
	size_t nrb = 0;
	int rc = qmp_hmp(q, "info mtree -f", &mtree);
	if (rc == 0) {
		snprintf(origin, sizeof origin, "%s: info mtree -f", q->path);
		rc = iv_mtree_parse(mtree, origin, m);
	}
	if (rc == 0)
		rc = qmp_hmp(q, "info ramblock", &rbtext);
	if (rc == 0) {
		snprintf(origin, sizeof origin, "%s: info ramblock", q->path);
		rc = iv_ramblock_parse(rbtext, origin, &rb, &nrb);
	}
	for (size_t i = 0; rc == 0 && i < m->n; i++)
		if (!hva_from_ramblock(&m->v[i], rb, nrb))
			rc = hva_from_gpa2hva(q, &m->v[i]);
	free(mtree);
	mtree = NULL;
	if (rc == 0)   /* alias names (isa-bios) need the tree: after HVAs, which match region names */
		rc = qmp_hmp(q, "info mtree", &mtree);
	if (rc == 0)
		iv_mtree_alias_names(mtree, m);
	free(mtree);
	free(rbtext);
	free(rb);
	return rc;
}

int iv_gpamap_from_qmp(const char *socket_path, struct iv_gpa_map *m)
{
	struct qmp q;
	memset(m, 0, sizeof *m);
	int rc = qmp_connect(&q, socket_path);
	if (rc == 0)
		rc = qmp_start(&q);
	if (rc == 0)
		rc = qmp_sections(&q, m);
	qmp_close(&q);
	if (rc)
		iv_gpamap_free(m);
	snprintf(m->how, sizeof m->how, "qmp");
	return rc;
}
