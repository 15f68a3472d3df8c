/*
 * http.c: the HTTP server: listeners, limits, routing and JSON replies.
 *
 * evhttp serves every listener on the daemon's one loop.  TCP listeners
 * come from systemd (socket activation) or are bound here; the control
 * socket is a Unix socket only its owner can reach, and requests on it are
 * the administrator's.  Limits: the size of a request head and body, a
 * read/write stall timeout, and a deadline for a whole request, so a
 * client that trickles bytes cannot hold a connection for ever (on a
 * libevent that evhttp_ext.c knows; on another, evhttp's own time-out
 * alone).  The modules that serve paths add their routes
 * (http_route_add); http knows only its own /healthz, /metrics and
 * /api/v1/status.  Every reply leaves through http_send.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "convene.h"
#include "evhttp_ext.h"
#include "log.h"
#include "util.h"

#define HTTP_BACKLOG		512
#define HTTP_SWEEP_SECONDS	1

struct http_listener {
	struct evhttp_bound_socket	*bound;
	int				 fd;
	int				 is_unix;
	char				*name;
	char				*unlink_path;	/* ours to remove */
};

/* One accepted connection, watched for the whole-request deadline. */
struct http_conn {
	struct bufferevent		*bev;
	evutil_socket_t			 fd;	/* -1 until a request */
	double				 since;	/* start or last reply */
	int				 busy;		/* a request is out */
	int				 nodelay;	/* TCP_NODELAY is set */
	TAILQ_ENTRY(http_conn)		 entry;
};
TAILQ_HEAD(http_conns, http_conn);

struct http {
	struct event_base	*base;
	struct evhttp		*evh;
	struct http_listener	*listeners;
	size_t			 nlisteners;
	struct http_conns	 conns;
	size_t			 nconns;
	struct http_conn	**byfd;		/* looked up by descriptor */
	size_t			 nbyfd;
	struct event		*sweep;
	int			 request_timeout;
	size_t			 inflight;
	struct http_route	*routes;
	size_t			 nroutes;
	struct convene_ctx	*ctx;		/* for /healthz and status */
};

/* A route: a path, what may be asked of it, and whose it is. */
struct http_route {
	char		*path;
	size_t		 len;
	const char	*name;		/* label in /metrics */
	int		 methods;
	int		 flags;
	http_route_cb	 handler;
	void		*arg;
};

static void	http_healthz(struct evhttp_request *, const char *,
		    const char *, void *);
static void	http_metrics(struct evhttp_request *, const char *,
		    const char *, void *);
static void	http_status(struct evhttp_request *, const char *,
		    const char *, void *);

static const char *
http_reason(int code)
{
	switch (code) {
	case 200: return ("OK");
	case 201: return ("Created");
	case 202: return ("Accepted");
	case 204: return ("No Content");
	case 303: return ("See Other");
	case 304: return ("Not Modified");
	case 400: return ("Bad Request");
	case 401: return ("Unauthorized");
	case 403: return ("Forbidden");
	case 404: return ("Not Found");
	case 405: return ("Method Not Allowed");
	case 409: return ("Conflict");
	case 413: return ("Content Too Large");
	case 415: return ("Unsupported Media Type");
	case 422: return ("Unprocessable Content");
	case 500: return ("Internal Server Error");
	case 503: return ("Service Unavailable");
	default:  return ("Unknown");
	}
}

/*
 * A reply to HEAD says how long the body would be but sends none (evhttp
 * would send it, and the client would take it for the next reply).
 * Returns the body to send.
 */
static struct evbuffer *
http_head(struct evhttp_request *req, int code, struct evbuffer *body)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);
	struct evbuffer		*ob = evhttp_request_get_output_buffer(req);
	size_t			 n;
	char			 len[24];

	if (evhttp_request_get_command(req) != EVHTTP_REQ_HEAD)
		return (body);
	n = evbuffer_get_length(ob) + (body ? evbuffer_get_length(body) : 0);
	if (code != 204 && code != 304 &&
	    evhttp_find_header(h, "Content-Length") == NULL) {
		snprintf(len, sizeof len, "%zu", n);
		evhttp_add_header(h, "Content-Length", len);
	}
	evbuffer_drain(ob, evbuffer_get_length(ob));
	return (NULL);
}

/* Every reply leaves here, so that every reply is counted. */
static void
http_send(struct evhttp_request *req, const char *route, int code,
    const char *type, struct evbuffer *body, int now)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	if (evhttp_find_header(h, "Cache-Control") == NULL)
		evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "Date", http_date());
	metrics_http(route, code);
	body = http_head(req, code, body);
	if (now)
		evhttp_ext_send_now(req, code, http_reason(code), body);
	else
		evhttp_send_reply(req, code, http_reason(code), body);
}

void
http_reply(struct evhttp_request *req, const char *route, int code,
    const char *type, struct evbuffer *body)
{
	http_send(req, route, code, type, body, 0);
}

/*
 * As http_reply, and written to the socket at once rather than on the
 * loop's next turn (evhttp_ext_send_now): for the calendar feeds, asked
 * for often and answered from memory.  The request is gone on return.
 */
void
http_reply_now(struct evhttp_request *req, const char *route, int code,
    const char *type, struct evbuffer *body)
{
	http_send(req, route, code, type, body, 1);
}

/*
 * The Date header, made once a second rather than for every reply (evhttp
 * adds its own only when a reply has none).  The names are RFC 9110's,
 * whatever the locale.
 */
const char *
http_date(void)
{
	static const char	 day[7][4] = { "Sun", "Mon", "Tue", "Wed",
				    "Thu", "Fri", "Sat" };
	static const char	 mon[12][4] = { "Jan", "Feb", "Mar", "Apr",
				    "May", "Jun", "Jul", "Aug", "Sep", "Oct",
				    "Nov", "Dec" };
	static char		 buf[32];
	static time_t		 made = -1;
	struct tm		 tm;
	time_t			 now = clock_now();

	if (now != made && gmtime_r(&now, &tm) != NULL) {
		snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT",
		    day[tm.tm_wday], tm.tm_mday, mon[tm.tm_mon],
		    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
		made = now;
	}
	return (buf);
}

void
http_json(struct evhttp_request *req, const char *route, int code,
    json_t *obj)
{
	struct evbuffer	*buf = evbuffer_new();
	char		*s;

	if (buf == NULL)
		fatal("evbuffer_new");
	s = obj ? json_dumps(obj, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
	if (s == NULL) {
		/* A reply that could not be made is a fault of ours. */
		log_warnx("http: a %d reply could not be made into JSON",
		    code);
		code = 500;
		s = xstrdup("{\"status\": 500, \"error\": \"Internal Server "
		    "Error\", \"reason\": \"the reply could not be made\"}");
	}
	evbuffer_add_printf(buf, "%s\n", s);
	free(s);
	json_decref(obj);
	http_reply(req, route, code, "application/json", buf);
	evbuffer_free(buf);
}

/* Text made safe for JSON: bytes that are not UTF-8 become '?'. */
static char *
http_utf8(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	char			*out, *o;
	size_t			 n, i;

	out = o = xcalloc(1, strlen(s) + 1);
	while (*p != '\0') {
		if (*p < 0x80) {
			*o++ = (char)*p++;
			continue;
		}
		n = (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 :
		    (*p & 0xf8) == 0xf0 ? 4 : 0;
		for (i = 1; i < n && (p[i] & 0xc0) == 0x80; i++)
			;
		if (n == 0 || i != n || (n == 2 && *p < 0xc2)) {
			*o++ = '?';
			p++;
			continue;
		}
		memcpy(o, p, n);
		o += n;
		p += n;
	}
	return (out);
}

void
http_error(struct evhttp_request *req, const char *route, int code,
    const char *reason)
{
	char	*safe = http_utf8(reason);

	http_json(req, route, code, json_pack("{s:i, s:s, s:s}", "status",
	    code, "error", http_reason(code), "reason", safe));
	free(safe);
}

/*
 * Still 200 while the database fails: the daemon serves, holds its work
 * and goes on by itself when the database comes back, which a restart
 * would not make any sooner.  The body says so, and since when.
 */
static void
http_healthz(struct evhttp_request *req, const char *route, const char *rest,
    void *arg)
{
	struct convene_ctx	*ctx = arg;
	const char		*why = NULL;
	time_t			 since;
	struct tm		 tm;
	char			 at[32];

	since = ctx != NULL && ctx->store != NULL ?
	    store_failing(ctx->store, &why) : 0;
	if (since == 0) {
		http_json(req, route, 200, json_pack("{s:s, s:s}",
		    "status", "ok", "database", "ok"));
		return;
	}
	gmtime_r(&since, &tm);
	strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	http_json(req, route, 200, json_pack("{s:s, s:s, s:s, s:I, s:s}",
	    "status", "degraded", "database", "failing",
	    "database_failing_since", at,
	    "database_failing_seconds", (json_int_t)(clock_now() - since),
	    "database_error", why ? why : ""));
}

static void
http_metrics(struct evhttp_request *req, const char *route, const char *rest,
    void *arg)
{
	struct evbuffer	*buf = evbuffer_new();

	if (buf == NULL)
		fatal("evbuffer_new");
	metrics_render(buf);
	http_reply(req, route, 200, "text/plain; version=0.0.4; "
	    "charset=utf-8", buf);
	evbuffer_free(buf);
}

static void
http_status(struct evhttp_request *req, const char *route, const char *rest,
    void *arg)
{
	struct http		*h = arg;
	struct convene_ctx	*ctx = h->ctx;
	struct store_counts	 c;
	char			*listen;
	json_t			*obj;

	if (store_counts(ctx->store, &c) != 0) {
		http_error(req, route, 503, "the database did not answer");
		return;
	}
	listen = http_describe(h);
	obj = json_pack("{s:s, s:I, s:I, s:s, s:s, s:i, s:s, s:{s:I, s:I, "
	    "s:I}}",
	    "version", PACKAGE_VERSION,
	    "pid", (json_int_t)getpid(),
	    "uptime_seconds", (json_int_t)(clock_now() - ctx->started),
	    "configuration", ctx->conf->path ? ctx->conf->path :
	    "(embedded default)",
	    "database", ctx->conf->database,
	    "schema_version", store_version(ctx->store),
	    "listening", listen,
	    "counts", "groups", (json_int_t)c.groups,
	    "people", (json_int_t)c.people,
	    "memberships", (json_int_t)c.memberships);
	free(listen);
	http_json(req, route, 200, obj);
}

int
http_from_control(struct evhttp_request *req)
{
	struct evhttp_connection	*evcon;
	const struct sockaddr		*sa;

	evcon = evhttp_request_get_connection(req);
	if (evcon == NULL || (sa = evhttp_connection_get_addr(evcon)) == NULL)
		return (0);
	return (sa->sa_family == AF_UNIX);
}

static struct http_conn *
http_conn_find(struct http *h, struct bufferevent *bev)
{
	struct http_conn	*c;
	evutil_socket_t		 fd;
	size_t			 n;

	if (bev == NULL || (fd = bufferevent_getfd(bev)) < 0)
		return (NULL);
	if ((size_t)fd < h->nbyfd && (c = h->byfd[fd]) != NULL &&
	    c->bev == bev)
		return (c);
	/* Its first request: find it once, then by its descriptor. */
	TAILQ_FOREACH_REVERSE(c, &h->conns, http_conns, entry) {
		if (c->bev == bev)
			break;
	}
	if (c == NULL)
		return (NULL);
	if ((size_t)fd >= h->nbyfd) {
		n = h->nbyfd ? h->nbyfd : 64;
		while (n <= (size_t)fd)
			n *= 2;
		if ((h->byfd = reallocarray(h->byfd, n, sizeof *h->byfd)) ==
		    NULL)
			fatal("reallocarray");
		memset(h->byfd + h->nbyfd, 0, (n - h->nbyfd) *
		    sizeof *h->byfd);
		h->nbyfd = n;
	}
	if (c->fd >= 0 && (size_t)c->fd < h->nbyfd && h->byfd[c->fd] == c)
		h->byfd[c->fd] = NULL;
	h->byfd[fd] = c;
	c->fd = fd;
	return (c);
}

static void
http_complete(struct evhttp_request *req, void *arg)
{
	struct http		*h = arg;
	struct http_conn	*c;

	h->inflight--;
	evhttp_request_set_on_complete_cb(req, NULL, NULL);
	c = http_conn_find(h, evhttp_connection_get_bufferevent(
	    evhttp_request_get_connection(req)));
	if (c != NULL) {
		c->busy = 0;
		c->since = mono_seconds();
	}
}

/*
 * A request answered on a later event, after a group commit: its
 * connection's bufferevent is held, so that when the answer is ready
 * http_unhold can say whether evhttp let the connection go meanwhile,
 * and the request with it, which must then not be touched.  (While a
 * request waits for its answer evhttp 2.1 reads nothing more from its
 * connection, so only evhttp_free lets one go; convened answers what
 * waits before that.)
 */
struct http_held {
	struct evhttp_request	*req;
	struct bufferevent	*bev;
};

struct http_held *
http_hold(struct evhttp_request *req)
{
	struct evhttp_connection	*evcon;
	struct http_held		*held;

	held = xcalloc(1, sizeof *held);
	held->req = req;
	if ((evcon = evhttp_request_get_connection(req)) != NULL &&
	    (held->bev = evhttp_connection_get_bufferevent(evcon)) != NULL)
		bufferevent_incref(held->bev);
	return (held);
}

/* The request to answer now, or NULL when its connection is gone. */
struct evhttp_request *
http_unhold(struct http_held *held)
{
	struct evhttp_request	*req = held->req;

	if (held->bev != NULL) {
		if (evhttp_ext_released(held->bev))
			req = NULL;
		bufferevent_decref(held->bev);
	}
	free(held);
	if (req == NULL)
		log_debug("http: a connection closed before its answer");
	return (req);
}

/* Nagle plus delayed ACKs stall evhttp's split header/body writes. */
static void
http_nodelay(struct bufferevent *bev)
{
	int	one = 1, fd;

	if (bev != NULL && (fd = bufferevent_getfd(bev)) != -1)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/*
 * Two Content-Length fields that disagree leave the end of the body in
 * doubt (RFC 9112 6.3): evhttp reads as far as the first, a proxy in front
 * may have read to the last, and what is left over would be taken for
 * another request.  The same value twice is one length (RFC 9110 8.6).
 */
static int
http_length_ambiguous(struct evhttp_request *req)
{
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req);
	struct evkeyval		*kv;
	const char		*first = NULL;

	if (in == NULL)
		return (0);
	TAILQ_FOREACH(kv, in, next) {
		if (strcasecmp(kv->key, "Content-Length") != 0)
			continue;
		if (first == NULL)
			first = kv->value;
		else if (strcmp(first, kv->value) != 0)
			return (1);
	}
	return (0);
}

/*
 * Modules serve their own paths: each adds its routes at start-up, with
 * the methods it answers, whether the path is a prefix, whether only the
 * control socket may ask, and the label its replies are counted under (a
 * string that lives as long as the daemon: metrics keeps it).  The
 * handler is given the path past the route's own and arg.
 */
void
http_route_add(struct http *h, const char *path, const char *name,
    int methods, int flags, http_route_cb handler, void *arg)
{
	struct http_route	*r;

	h->routes = reallocarray(h->routes, h->nroutes + 1, sizeof *h->routes);
	if (h->routes == NULL)
		fatal("reallocarray");
	r = &h->routes[h->nroutes++];
	r->path = xstrdup(path);
	r->len = strlen(path);
	r->name = name;
	r->methods = methods;
	r->flags = flags;
	r->handler = handler;
	r->arg = arg;
}

/* The route for a path: the one named exactly, else the longest prefix. */
static const struct http_route *
http_route_find(struct http *h, const char *path)
{
	const struct http_route	*r, *best = NULL;
	size_t			 i;

	for (i = 0; i < h->nroutes; i++) {
		r = &h->routes[i];
		if (strcmp(r->path, path) == 0)
			return (r);
		if ((r->flags & HTTP_ROUTE_PREFIX) &&
		    strncmp(r->path, path, r->len) == 0 &&
		    (best == NULL || r->len > best->len))
			best = r;
	}
	return (best);
}

static void
http_dispatch(struct evhttp_request *req, void *arg)
{
	struct http			*h = arg;
	const struct http_route		*r;
	const struct evhttp_uri		*uri;
	struct evhttp_connection	*evcon;
	struct bufferevent		*bev;
	struct http_conn		*c;
	const char			*path;
	char				*why;

	evcon = evhttp_request_get_connection(req);
	bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
	if ((c = http_conn_find(h, bev)) != NULL) {
		if (!c->nodelay) {
			http_nodelay(bev);
			c->nodelay = 1;
		}
		c->busy = 1;
		c->since = -1;
	} else if (!evhttp_ext_known())
		http_nodelay(bev);	/* connections are not kept */
	h->inflight++;
	evhttp_request_set_on_complete_cb(req, http_complete, h);

	if (http_length_ambiguous(req)) {
		/* What follows on this connection cannot be trusted. */
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Connection", "close");
		http_error(req, "bad_request", 400, "the request has "
		    "Content-Length fields that differ");
		return;
	}
	uri = evhttp_request_get_evhttp_uri(req);
	path = uri ? evhttp_uri_get_path(uri) : NULL;
	if (path == NULL || *path != '/') {
		http_error(req, "bad_request", 400, "the request has no path");
		return;
	}
	if ((r = http_route_find(h, path)) == NULL) {
		why = xprintf("nothing is at %s", path);
		http_error(req, "not_found", 404, why);
		free(why);
		return;
	}
	if ((evhttp_request_get_command(req) & r->methods) == 0) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", (r->methods & EVHTTP_REQ_POST) ? "POST" :
		    "GET, HEAD");
		http_error(req, r->name, 405, "this method is not allowed "
		    "here");
		return;
	}
	if ((r->flags & HTTP_ROUTE_CONTROL) && !http_from_control(req)) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "WWW-Authenticate", "Bearer realm=\"convene\"");
		http_error(req, r->name, 401, "this needs the control "
		    "socket");
		return;
	}
	r->handler(req, r->name, path + r->len, r->arg);
}

/* evhttp asks us for each new connection's bufferevent: we keep a ref. */
static struct bufferevent *
http_newconn(struct event_base *base, void *arg)
{
	struct http		*h = arg;
	struct http_conn	*c;

	c = xcalloc(1, sizeof *c);
	c->bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		free(c);
		return (NULL);
	}
	bufferevent_incref(c->bev);
	c->fd = -1;
	c->since = mono_seconds();
	TAILQ_INSERT_TAIL(&h->conns, c, entry);
	h->nconns++;
	return (c->bev);
}

static void
http_conn_drop(struct http *h, struct http_conn *c)
{
	TAILQ_REMOVE(&h->conns, c, entry);
	h->nconns--;
	if (c->fd >= 0 && (size_t)c->fd < h->nbyfd && h->byfd[c->fd] == c)
		h->byfd[c->fd] = NULL;
	bufferevent_decref(c->bev);
	free(c);
}

/* Forget closed connections; cut those past the whole-request deadline. */
static void
http_sweep(evutil_socket_t fd, short events, void *arg)
{
	struct http		*h = arg;
	struct http_conn	*c, *next;
	double			 now = mono_seconds();
	int			 cfd;

	for (c = TAILQ_FIRST(&h->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (evhttp_ext_released(c->bev)) {
			http_conn_drop(h, c);
			continue;
		}
		if (c->busy || c->since < 0 ||
		    now - c->since < h->request_timeout)
			continue;
		if ((cfd = bufferevent_getfd(c->bev)) != -1) {
			log_debug("http: closing a connection that sent no "
			    "whole request in %d seconds", h->request_timeout);
			shutdown(cfd, SHUT_RDWR);
		}
		c->since = now;
	}
}

/* ctx: the store and configuration /healthz and the status tell of. */
struct http *
http_create(struct event_base *base, struct convene_ctx *ctx, char **cause)
{
	struct http	*h;
	struct timeval	 tv = { HTTP_SWEEP_SECONDS, 0 };

	h = xcalloc(1, sizeof *h);
	h->base = base;
	h->ctx = ctx;
	TAILQ_INIT(&h->conns);
	if ((h->evh = evhttp_new(base)) == NULL) {
		cause_set(cause, "evhttp_new failed");
		free(h);
		return (NULL);
	}
	evhttp_set_gencb(h->evh, http_dispatch, h);
	/* Connections are kept for request_timeout on a known libevent. */
	if (evhttp_ext_init(event_get_version_number()))
		evhttp_set_bevcb(h->evh, http_newconn, h);
	evhttp_set_allowed_methods(h->evh, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_PATCH | EVHTTP_REQ_OPTIONS);
	evhttp_set_default_content_type(h->evh, "application/json");
	http_configure(h, ctx->conf);
	http_route_add(h, "/healthz", "healthz", HTTP_GET, 0, http_healthz,
	    ctx);
	http_route_add(h, "/metrics", "metrics", HTTP_GET, 0, http_metrics,
	    NULL);
	http_route_add(h, "/api/v1/status", "api_status", HTTP_GET,
	    HTTP_ROUTE_CONTROL, http_status, h);
	h->sweep = event_new(base, -1, EV_PERSIST, http_sweep, h);
	if (h->sweep == NULL)
		fatal("event_new");
	event_add(h->sweep, &tv);
	return (h);
}

/* Limits that SIGHUP may change. */
void
http_configure(struct http *h, const struct config *conf)
{
	evhttp_set_max_body_size(h->evh, conf->http_max_body);
	evhttp_set_max_headers_size(h->evh, conf->http_max_headers);
	evhttp_set_timeout(h->evh, conf->http_timeout);
	h->request_timeout = conf->http_request_timeout;
}

static int
http_add_listener(struct http *h, int fd, int is_unix, const char *name,
    const char *unlink_path, char **cause)
{
	struct evhttp_bound_socket	*b;
	struct http_listener		*l;

	if (evutil_make_socket_nonblocking(fd) == -1 ||
	    evutil_make_socket_closeonexec(fd) == -1) {
		cause_set(cause, "%s: %s", name, strerror(errno));
		return (-1);
	}
	if ((b = evhttp_accept_socket_with_handle(h->evh, fd)) == NULL) {
		cause_set(cause, "%s: evhttp cannot accept on it", name);
		return (-1);
	}
	h->listeners = reallocarray(h->listeners, h->nlisteners + 1,
	    sizeof *h->listeners);
	if (h->listeners == NULL)
		fatal("reallocarray");
	l = &h->listeners[h->nlisteners++];
	l->bound = b;
	l->fd = fd;
	l->is_unix = is_unix;
	l->name = xstrdup(name);
	l->unlink_path = unlink_path ? xstrdup(unlink_path) : NULL;
	return (0);
}

static int
http_bind_tcp(struct http *h, const char *spec, char **cause)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	char			 host[INET6_ADDRSTRLEN + 1];
	const char		*colon;
	socklen_t		 len;
	int			 fd, one = 1, port;
	size_t			 hl;

	memset(&ss, 0, sizeof ss);
	colon = strrchr(spec, ':');	/* checked by config.c */
	port = atoi(colon + 1);
	if (spec[0] == '[') {
		hl = colon - spec - 2;
		memcpy(host, spec + 1, hl);
		host[hl] = '\0';
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		inet_pton(AF_INET6, host, &sin6->sin6_addr);
		len = sizeof *sin6;
	} else {
		hl = colon - spec;
		memcpy(host, spec, hl);
		host[hl] = '\0';
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		inet_pton(AF_INET, host, &sin->sin_addr);
		len = sizeof *sin;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		cause_set(cause, "cannot listen on %s: %s", spec,
		    strerror(errno));
		return (-1);
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, HTTP_BACKLOG) == -1) {
		cause_set(cause, "cannot listen on %s: %s", spec,
		    strerror(errno));
		close(fd);
		return (-1);
	}
	if (http_add_listener(h, fd, 0, spec, NULL, cause) != 0) {
		close(fd);
		return (-1);
	}
	return (0);
}

/* The control socket: refuse to steal a live one, replace a stale one. */
static int
http_bind_unix(struct http *h, const char *path, char **cause)
{
	struct sockaddr_un	 sun;
	struct stat		 sb;
	mode_t			 old;
	int			 fd = -1, probe, dirfd;
	char			*name;

	if (unix_sockaddr(path, &sun, &dirfd, cause) != 0)
		return (-1);
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode)) {
			cause_set(cause, "%s exists and is not a socket", path);
			goto fail;
		}
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe != -1 && connect(probe, (struct sockaddr *)&sun,
		    sizeof sun) == 0) {
			close(probe);
			cause_set(cause, "%s: another convened is listening "
			    "there", path);
			goto fail;
		}
		if (probe != -1)
			close(probe);
		unlink(path);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		cause_set(cause, "%s: %s", path, strerror(errno));
		goto fail;
	}
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		umask(old);
		cause_set(cause, "cannot listen on %s: %s", path,
		    strerror(errno));
		goto fail;
	}
	umask(old);
	if (dirfd != -1) {
		close(dirfd);
		dirfd = -1;
	}
	if (listen(fd, HTTP_BACKLOG) == -1) {
		cause_set(cause, "cannot listen on %s: %s", path,
		    strerror(errno));
		unlink(path);
		goto fail;
	}
	name = xprintf("unix:%s", path);
	if (http_add_listener(h, fd, 1, name, path, cause) != 0) {
		free(name);
		unlink(path);
		goto fail;
	}
	free(name);
	return (0);

fail:
	if (fd != -1)
		close(fd);
	if (dirfd != -1)
		close(dirfd);
	return (-1);
}

static char *
http_fd_name(int fd, int *is_unix)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;
	char			 host[INET6_ADDRSTRLEN];
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;

	*is_unix = 0;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return (xprintf("fd %d", fd));
	switch (ss.ss_family) {
	case AF_UNIX:
		*is_unix = 1;
		return (xprintf("unix:%s",
		    ((struct sockaddr_un *)&ss)->sun_path));
	case AF_INET:
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
		return (xprintf("%s:%d", host, ntohs(sin->sin_port)));
	case AF_INET6:
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
		return (xprintf("[%s]:%d", host, ntohs(sin6->sin6_port)));
	default:
		return (xprintf("fd %d", fd));
	}
}

/*
 * Serve on the sockets systemd passed, or bind the configured addresses;
 * then the control socket, unless systemd passed a Unix socket too.
 */
int
http_listen(struct http *h, const struct config *conf, const int *fds,
    size_t nfds, char **cause)
{
	size_t	 i;
	int	 is_unix, have_unix = 0;
	char	*name;

	for (i = 0; i < nfds; i++) {
		name = http_fd_name(fds[i], &is_unix);
		have_unix |= is_unix;
		if (http_add_listener(h, fds[i], is_unix, name, NULL,
		    cause) != 0) {
			free(name);
			return (-1);
		}
		log_info("serving on %s (from systemd)", name);
		free(name);
	}
	for (i = 0; nfds == 0 && i < conf->nlisten; i++) {
		if (http_bind_tcp(h, conf->listen[i], cause) != 0)
			return (-1);
		log_info("serving on %s", conf->listen[i]);
	}
	if (!have_unix) {
		if (http_bind_unix(h, conf->control_socket, cause) != 0)
			return (-1);
		log_info("control socket %s", conf->control_socket);
	}
	return (0);
}

/* Stop taking new connections; those open may finish. */
void
http_stop_accepting(struct http *h)
{
	size_t	i;

	for (i = 0; i < h->nlisteners; i++) {
		if (h->listeners[i].bound == NULL)
			continue;
		evhttp_del_accept_socket(h->evh, h->listeners[i].bound);
		h->listeners[i].bound = NULL;
		if (h->listeners[i].unlink_path != NULL)
			unlink(h->listeners[i].unlink_path);
	}
}

size_t
http_inflight(struct http *h)
{
	return (h->inflight);
}

char *
http_describe(struct http *h)
{
	char	*s, *t;
	size_t	 i;

	s = xstrdup("");
	for (i = 0; i < h->nlisteners; i++) {
		t = xprintf("%s%s%s", s, i ? ", " : "", h->listeners[i].name);
		free(s);
		s = t;
	}
	return (s);
}

void
http_free(struct http *h)
{
	struct http_conn	*c;
	size_t			 i;

	if (h == NULL)
		return;
	http_stop_accepting(h);
	if (h->sweep != NULL)
		event_free(h->sweep);
	evhttp_free(h->evh);
	while ((c = TAILQ_FIRST(&h->conns)) != NULL)
		http_conn_drop(h, c);
	for (i = 0; i < h->nlisteners; i++) {
		free(h->listeners[i].name);
		free(h->listeners[i].unlink_path);
	}
	free(h->listeners);
	for (i = 0; i < h->nroutes; i++)
		free(h->routes[i].path);
	free(h->routes);
	free(h->byfd);
	free(h);
}
