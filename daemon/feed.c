/*
 * feed.c: the calendar feeds over HTTP: /feed/TOKEN.ics for a person
 * (every group they belong to, their own alarms) and /groups/SLUG.ics for
 * a group whose feed is public (no personal data at all).
 *
 * A feed rendered once is kept in memory with its ETag and the store's
 * generation at the time; any change a feed may show moves the
 * generation on, and a kept feed of an older generation is rendered
 * again on its next request.  Serving a kept feed touches no SQL: the
 * reply's body refers to the kept bytes, which live until the last reply
 * that refers to them is written.  The cache is bounded in bytes, the
 * least recently served feed going first.
 */
#include "config.h"

#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <sodium.h>

#include "convene.h"
#include "ical.h"
#include "log.h"
#include "util.h"

#define FEED_BUCKETS	16384		/* a power of two */
#define FEED_CACHE_MAX	(64UL << 20)	/* bytes of kept feeds */
#define FEED_NAME_MAX	80		/* a token or a slug */
#define FEED_ETAG_LEN	35		/* "32 hex digits" and NUL */
#define FEED_TYPE	"text/calendar; charset=utf-8"

struct feed_entry {
	char			 kind;		/* 'p' person, 'g' group */
	char			*name;		/* token or slug */
	uint32_t		 hash;
	unsigned long long	 gen;
	char			*body;
	size_t			 len;
	char			 length[24];	/* len, for Content-Length */
	char			 etag[FEED_ETAG_LEN];
	int			 refs;		/* the cache's, and replies' */
	int			 kept;		/* in the cache */
	struct feed_entry	*next;		/* in its bucket */
	TAILQ_ENTRY(feed_entry)	 lru;
};
TAILQ_HEAD(feed_lru, feed_entry);

static struct feed_entry	*feed_table[FEED_BUCKETS];
static struct feed_lru		 feed_lru = TAILQ_HEAD_INITIALIZER(feed_lru);
static size_t			 feed_bytes;
static size_t			 feed_count;

static uint32_t
feed_hash(char kind, const char *name)
{
	uint32_t	h = 2166136261u ^ (unsigned char)kind;

	for (; *name != '\0'; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return (h);
}

static void
feed_unref(struct feed_entry *e)
{
	if (--e->refs > 0)
		return;
	free(e->name);
	free(e->body);
	free(e);
}

/* Take an entry out of the cache; replies still writing keep it alive. */
static void
feed_forget(struct feed_entry *e)
{
	struct feed_entry	**pp;

	for (pp = &feed_table[e->hash & (FEED_BUCKETS - 1)]; *pp != NULL;
	    pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	}
	TAILQ_REMOVE(&feed_lru, e, lru);
	feed_bytes -= e->len;
	feed_count--;
	e->kept = 0;
	feed_unref(e);
}

static struct feed_entry *
feed_find(char kind, const char *name, uint32_t hash)
{
	struct feed_entry	*e;

	for (e = feed_table[hash & (FEED_BUCKETS - 1)]; e != NULL;
	    e = e->next) {
		if (e->hash == hash && e->kind == kind &&
		    strcmp(e->name, name) == 0)
			return (e);
	}
	return (NULL);
}

/* Keep an entry, making room by dropping the least recently served. */
static void
feed_keep(struct feed_entry *e)
{
	struct feed_entry	*old;
	size_t			 b = e->hash & (FEED_BUCKETS - 1);

	if (e->len > FEED_CACHE_MAX / 4)
		return;		/* too big to keep: served once, freed */
	while (feed_bytes + e->len > FEED_CACHE_MAX &&
	    (old = TAILQ_LAST(&feed_lru, feed_lru)) != NULL)
		feed_forget(old);
	e->refs++;
	e->kept = 1;
	e->next = feed_table[b];
	feed_table[b] = e;
	TAILQ_INSERT_HEAD(&feed_lru, e, lru);
	feed_bytes += e->len;
	feed_count++;
}

/* Drop every kept feed: at exit, or for a test. */
void
feed_cache_free(void)
{
	struct feed_entry	*e;

	while ((e = TAILQ_FIRST(&feed_lru)) != NULL)
		feed_forget(e);
}

size_t
feed_cache_bytes(void)
{
	return (feed_bytes);
}

size_t
feed_cache_count(void)
{
	return (feed_count);
}

/*
 * Render a feed from the store.  NULL with *code 404 when there is no
 * such feed (the same answer for a group that is not public), or 503.
 */
static struct feed_entry *
feed_render(struct store *st, char kind, const char *name, uint32_t hash,
    unsigned long long gen, int *code, char **cause)
{
	struct ical_feed	 f;
	struct feed_entry	*e = NULL;
	unsigned char		 h[16];
	json_t			*who;
	long long		 id;
	char			 hex[33];

	memset(&f, 0, sizeof f);
	*code = 404;
	if (kind == 'p') {
		if ((who = store_feed_person(st, name, cause)) == NULL)
			goto fail;
		id = json_integer_value(json_object_get(who, "id"));
		f.name = "My meetings";
		f.alarms = 1;
		f.links = 1;
		f.series = store_feed_series(st, id, 0, cause);
		f.overrides = store_feed_overrides(st, id, 0, cause);
	} else {
		if ((who = store_feed_group(st, name, cause)) == NULL ||
		    json_integer_value(json_object_get(who,
		    "feed_public")) != 1)
			goto fail;
		id = json_integer_value(json_object_get(who, "id"));
		f.name = json_string_value(json_object_get(who, "name"));
		f.series = store_feed_series(st, 0, id, cause);
		f.overrides = store_feed_overrides(st, 0, id, cause);
	}
	*code = 503;
	if (f.series == NULL || f.overrides == NULL)
		goto fail;
	e = xcalloc(1, sizeof *e);
	if ((e->body = ical_feed(&f, &e->len, cause)) == NULL) {
		free(e);
		e = NULL;
		goto fail;
	}
	e->body = realloc(e->body, e->len + 1);	/* give back the slack */
	if (e->body == NULL)
		fatal("realloc");
	e->kind = kind;
	e->name = xstrdup(name);
	e->hash = hash;
	e->gen = gen;
	e->refs = 1;		/* the caller's */
	crypto_generichash(h, sizeof h, (unsigned char *)e->body, e->len,
	    NULL, 0);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	snprintf(e->etag, sizeof e->etag, "\"%s\"", hex);
	snprintf(e->length, sizeof e->length, "%zu", e->len);
	*code = 200;
fail:
	json_decref(who);
	json_decref(f.series);
	json_decref(f.overrides);
	return (e);
}

/* Does If-None-Match name this ETag (or "*")?  Weak tags compare too. */
int
feed_etag_matches(const char *inm, const char *etag)
{
	const char	*p = inm;
	size_t		 n, elen = strlen(etag);

	while (*p != '\0') {
		p += strspn(p, " \t,");
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		n = strcspn(p, " \t,");
		if ((n == 1 && *p == '*') || (n == elen &&
		    strncmp(p, etag, n) == 0))
			return (1);
		p += n;
	}
	return (0);
}

static void
feed_body_done(const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	feed_unref(arg);
}

/* A slug as groups have them; anything else is no feed of ours. */
static int
feed_slug_valid(const char *s)
{
	size_t	n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-");

	return (n > 0 && n <= 64 && s[n] == '\0');
}

/*
 * GET or HEAD /feed/TOKEN.ics or /groups/SLUG.ics (rest is what follows
 * the prefix).  A malformed name is simply a feed that does not exist.
 */
static void
feed_serve(struct evhttp_request *req, const char *route, int group,
    const char *rest, struct convene_ctx *ctx)
{
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	struct feed_entry	*e;
	const char		*inm;
	char			 name[FEED_NAME_MAX + 1], *cause = NULL;
	char			 kind = group ? 'g' : 'p';
	unsigned long long	 gen;
	size_t			 n = strlen(rest);
	uint32_t		 hash;
	int			 code;

	if (n < 5 || n - 4 > FEED_NAME_MAX || strcmp(rest + n - 4,
	    ".ics") != 0)
		goto notfound;
	memcpy(name, rest, n - 4);
	name[n - 4] = '\0';
	if (group ? !feed_slug_valid(name) : !store_feed_token_valid(name))
		goto notfound;
	gen = store_generation(ctx->store);
	hash = feed_hash(kind, name);
	if ((e = feed_find(kind, name, hash)) != NULL && e->gen != gen) {
		feed_forget(e);
		e = NULL;
	}
	if (e != NULL) {
		e->refs++;
		TAILQ_REMOVE(&feed_lru, e, lru);
		TAILQ_INSERT_HEAD(&feed_lru, e, lru);
	} else {
		if ((e = feed_render(ctx->store, kind, name, hash, gen, &code,
		    &cause)) == NULL) {
			if (code == 404)
				goto notfound;
			log_warnx("feed: %s", cause ? cause : "cannot render");
			free(cause);
			http_error(req, route, 503, "the feed cannot be made "
			    "just now; try again later");
			return;
		}
		feed_keep(e);
	}
	evhttp_add_header(out, "Cache-Control", group ?
	    "public, max-age=300" : "private, max-age=300");
	evhttp_add_header(out, "ETag", e->etag);
	inm = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "If-None-Match");
	if (inm != NULL && feed_etag_matches(inm, e->etag)) {
		feed_unref(e);
		http_reply_now(req, route, 304, FEED_TYPE, NULL);
		return;
	}
	evhttp_add_header(out, "Content-Length", e->length);
	/* The reply refers to the kept bytes; the last one lets them go. */
	if (evbuffer_add_reference(evhttp_request_get_output_buffer(req),
	    e->body, e->len, feed_body_done, e) != 0)
		fatal("evbuffer_add_reference");
	http_reply_now(req, route, 200, FEED_TYPE, NULL);
	return;
notfound:
	free(cause);
	http_error(req, route, 404, group ? "no public calendar feed is "
	    "here" : "no calendar feed is here: the link may have been "
	    "replaced by a new one");
}

static void
feed_route_person(struct evhttp_request *req, const char *route,
    const char *rest, void *arg)
{
	feed_serve(req, route, 0, rest, arg);
}

static void
feed_route_group(struct evhttp_request *req, const char *route,
    const char *rest, void *arg)
{
	feed_serve(req, route, 1, rest, arg);
}

void
feed_routes(struct http *h, struct convene_ctx *ctx)
{
	http_route_add(h, "/feed/", "feed", HTTP_GET, HTTP_ROUTE_PREFIX,
	    feed_route_person, ctx);
	http_route_add(h, "/groups/", "group_feed", HTTP_GET,
	    HTTP_ROUTE_PREFIX, feed_route_group, ctx);
}

/* base_url/feed/TOKEN.ics for a person; rotate makes a new token. */
char *
feed_url(struct store *st, const char *base_url, long long person,
    int rotate, char **cause)
{
	char	tok[FEED_TOKEN_LEN + 1];

	if (store_feed_token(st, person, rotate, tok, cause) != 0)
		return (NULL);
	return (xprintf("%s/feed/%s.ics", base_url, tok));
}
