/*
 * api.c: the JSON API for coordinators and convenectl, under /api/v1/;
 * this is its core, shared by the files that answer for each kind of
 * thing (api_int.h): the request, authentication, reading a JSON body,
 * errors, and the route table.
 *
 * A request comes over the control socket (the administrator's) or
 * carries a bearer token made by "convenectl token create"; tokens are
 * kept only as hashes.  A token made for some groups sees only those
 * (api_group_allowed and its kin); the rest is not there for it.  Every
 * change is checked field by field, refused whole with a reason that
 * names the field, written in one transaction with its audit line, and
 * then planned, so the outbox follows at once.
 * Requests are dispatched by a table of (method, pattern, handler) rows
 * near the end of this file; the handlers are in api_groups.c,
 * api_people.c, api_venues.c, api_series.c, api_outbox.c,
 * api_tokens.c, api_answers.c, api_needs.c, api_privacy.c,
 * api_attendance.c, api_digest.c and api_payments.c.
 */
#include "config.h"

#include <sys/queue.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <sodium.h>

#include "convene.h"
#include "log.h"
#include "util.h"
#include "api_int.h"

void
api_fail(struct api_req *a, int code, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	http_error(a->req, API_ROUTE, code, s);
	free(s);
}

void
api_reply(struct api_req *a, int code, json_t *obj)
{
	http_json(a->req, API_ROUTE, code, obj);
}

/*
 * Refuse with the cause, or a fallback when there is none.  A database
 * that failed (a full disk) is the server's trouble, not the request's,
 * whatever the caller would have said: 503, to be tried again; in a
 * moment when another program holds its write lock.
 */
void
api_refuse(struct api_req *a, int code, char *cause, const char *fallback)
{
	if (cause != NULL && strncmp(cause, "database: ", 10) == 0)
		code = 503;
	if (cause != NULL && strncmp(cause, STORE_BUSY_CAUSE,
	    strlen(STORE_BUSY_CAUSE)) == 0)
		evhttp_add_header(evhttp_request_get_output_headers(a->req),
		    "Retry-After", API_RETRY_AFTER);
	api_fail(a, code, "%s", cause ? cause : fallback);
	free(cause);
}

json_t *
api_body(struct api_req *a)
{
	struct evbuffer	*b = evhttp_request_get_input_buffer(a->req);
	json_error_t	 err;
	json_t		*o;
	size_t		 len = evbuffer_get_length(b);

	if (len == 0) {
		api_fail(a, 400, "the request needs a JSON body");
		return (NULL);
	}
	o = json_loadb((const char *)evbuffer_pullup(b, -1), len,
	    JSON_REJECT_DUPLICATES, &err);
	if (o == NULL) {
		api_fail(a, 400, "the body is not JSON: %s (line %d, column "
		    "%d)", err.text, err.line, err.column);
		return (NULL);
	}
	if (!json_is_object(o)) {
		json_decref(o);
		api_fail(a, 400, "the body must be a JSON object");
		return (NULL);
	}
	return (o);
}

/* A string field; NULL when absent; -1 (and a reply) when not a string. */
int
api_field(struct api_req *a, json_t *o, const char *key, const char **out,
    int required)
{
	json_t	*v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required) {
			api_fail(a, 422, "%s: this field is needed", key);
			return (-1);
		}
		return (0);
	}
	if (!json_is_string(v)) {
		api_fail(a, 422, "%s: must be text", key);
		return (-1);
	}
	*out = json_string_value(v);
	return (0);
}

int
api_int_field(struct api_req *a, json_t *o, const char *key, long long *out,
    long long min, long long max)
{
	json_t	*v = json_object_get(o, key);

	if (v == NULL || json_is_null(v))
		return (0);
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max) {
		api_fail(a, 422, "%s: must be a whole number from %lld to "
		    "%lld", key, min, max);
		return (-1);
	}
	*out = json_integer_value(v);
	return (0);
}

long long
api_id(const char *s)
{
	char		*ep;
	long long	 v;

	if (s == NULL || !isdigit((unsigned char)*s))
		return (0);
	v = strtoll(s, &ep, 10);
	return (*ep == '\0' ? v : 0);
}

const char *
api_query(struct api_req *a, const char *key)
{
	return (evhttp_find_header(&a->query, key));
}

void
api_audit(struct api_req *a, const char *action, const char *object,
    const char *detail)
{
	store_audit(a->ctx->store, a->actor, action, object, detail);
}

/*
 * Plan again after a change: queued, so that the answer does not wait
 * for a large group's reminders.  The hourly plan brings the outbox in
 * line whatever happens to the queue.
 */
void
api_replan(struct api_req *a, long long group, long long person)
{
	if (group != 0)
		replan_group(a->ctx->replan, group);
	else
		replan_person(a->ctx->replan, person);
}

void
api_kick(struct api_req *a)
{
	outbox_kick(a->ctx->outbox);
}

/* Text a person typed: no control characters, a sensible length. */
int
api_text_ok(struct api_req *a, const char *key, const char *v, size_t max)
{
	const unsigned char	*p;

	if (v == NULL)
		return (1);
	if (utf8_chars(v, strlen(v)) > max) {
		api_fail(a, 422, "%s: longer than %zu characters", key, max);
		return (0);
	}
	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f) {
			api_fail(a, 422, "%s: has a control character", key);
			return (0);
		}
	}
	return (1);
}

/* An optional true or false field; *on is 0 when absent. */
int
api_bool(struct api_req *a, json_t *o, const char *key, int *on)
{
	json_t	*v = json_object_get(o, key);

	*on = 0;
	if (v == NULL || json_is_null(v))
		return (0);
	if (!json_is_boolean(v)) {
		api_fail(a, 422, "%s: must be true or false", key);
		return (-1);
	}
	*on = json_is_true(v);
	return (0);
}

/*
 * Invitations go out only when the coordinator asks, as a calendar asks
 * before it emails guests: to every member for a new series, or to one
 * new member.  One whose meeting is beyond the planning horizon waits
 * for the planner.  Puts "invited" (sent now) and "invitations_waiting"
 * in the reply.  A failure is logged; what was asked for still stands.
 */
void
api_invite(struct api_req *a, json_t *reply, long long group,
    long long person, long long series)
{
	char	*cause = NULL;
	int	 n, waiting = 0;

	if ((n = store_plan_invite(a->ctx->store, group, person, series,
	    clock_now(), &waiting, &cause)) < 0) {
		log_warnx("planning invitations: %s", cause ? cause :
		    "the database refused");
		free(cause);
		n = 0;
	}
	json_object_set_new(reply, "invited", json_integer(n));
	json_object_set_new(reply, "invitations_waiting",
	    json_integer(waiting));
}

/* Whether the request's token is limited to some groups. */
int
api_scoped(struct api_req *a)
{
	return (a->scope != NULL);
}

int
api_group_allowed(struct api_req *a, long long group)
{
	json_t	*g;
	size_t	 i;

	if (a->scope == NULL)
		return (1);
	json_array_foreach(a->scope, i, g) {
		if (json_integer_value(g) == group)
			return (1);
	}
	return (0);
}

/* A person belongs to one of the token's groups (an error: no). */
int
api_person_allowed(struct api_req *a, long long person)
{
	if (a->scope == NULL)
		return (1);
	return (store_token_sees_person(a->ctx->store, a->token,
	    person) == 1);
}

/* A meeting of one of the token's groups; one that is not: no. */
int
api_occ_allowed(struct api_req *a, long long occ)
{
	json_t	*o;
	int	 ok;

	if (a->scope == NULL)
		return (1);
	if ((o = store_occ_get(a->ctx->store, occ, NULL)) == NULL)
		return (0);
	ok = api_group_allowed(a, jint(o, "group_id"));
	json_decref(o);
	return (ok);
}

int
api_person_shared(struct api_req *a, long long person)
{
	if (a->scope == NULL)
		return (0);
	return (store_token_shares_person(a->ctx->store, a->token,
	    person) != 0);
}

/*
 * The control socket, or a bearer token we know: its name is the actor
 * in the audit log, and the groups it is limited to, if any, its scope.
 */
static int
api_auth(struct api_req *a)
{
	const char	*h;
	unsigned char	 hash[32];
	json_t		*groups;

	if (http_from_control(a->req)) {
		snprintf(a->actor, sizeof a->actor, "control");
		return (1);
	}
	h = evhttp_find_header(evhttp_request_get_input_headers(a->req),
	    "Authorization");
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return (0);
	h += 7;
	if (strlen(h) != API_TOKEN_BYTES * 2)
		return (0);
	crypto_generichash(hash, sizeof hash, (const unsigned char *)h,
	    strlen(h), NULL, 0);
	if (!store_token_check(a->ctx->store, hash, sizeof hash, &a->token,
	    a->actor, sizeof a->actor))
		return (0);
	/* Not knowing its groups, it sees none rather than every one. */
	if ((groups = store_token_groups(a->ctx->store, a->token,
	    NULL)) == NULL)
		groups = json_pack("[i]", 0);
	if (json_array_size(groups) == 0) {
		json_decref(groups);
		groups = NULL;
	}
	a->scope = groups;
	return (1);
}

/*
 * Before a row is chosen, what the path names must exist, and be seen
 * by the token: what a token limited to groups may not see is not there
 * for it.
 */
static int
api_load_group(struct api_req *a)
{
	char	*cause = NULL;

	a->group = store_group_get(a->ctx->store, a->parts[1], &cause);
	if (a->group == NULL) {
		api_refuse(a, 404, cause, "no such group");
		return (-1);
	}
	if (!api_group_allowed(a, jint(a->group, "id"))) {
		api_fail(a, 404, "no such group");
		return (-1);
	}
	return (0);
}

static int
api_load_person(struct api_req *a)
{
	char	*cause = NULL;

	if ((a->id = api_id(a->parts[1])) == 0) {
		api_fail(a, 404, "people are numbered");
		return (-1);
	}
	a->person = store_person_get(a->ctx->store, a->id, &cause);
	if (a->person == NULL) {
		api_refuse(a, 404, cause, "no such person");
		return (-1);
	}
	if (!api_person_allowed(a, a->id)) {
		api_fail(a, 404, "no such person");
		return (-1);
	}
	return (0);
}

/* A series or meeting of a group the token is not for: not there. */
static int
api_load_series(struct api_req *a)
{
	json_t	*row;
	int	 ok;

	if (!api_scoped(a) || (row = store_series_get(a->ctx->store,
	    api_id(a->parts[1]), NULL)) == NULL)
		return (0);
	ok = api_group_allowed(a, jint(row, "group_id"));
	json_decref(row);
	if (!ok) {
		api_fail(a, 404, "no such series");
		return (-1);
	}
	return (0);
}

static int
api_load_occurrence(struct api_req *a)
{
	json_t	*row;
	int	 ok;

	if (!api_scoped(a) || (row = store_occ_get(a->ctx->store,
	    api_id(a->parts[1]), NULL)) == NULL)
		return (0);
	ok = api_group_allowed(a, jint(row, "group_id"));
	json_decref(row);
	if (!ok) {
		api_fail(a, 404, "no such occurrence");
		return (-1);
	}
	return (0);
}

/* An access request about a meeting the token may not see: not there. */
static int
api_load_request(struct api_req *a)
{
	json_t	*row;
	int	 ok;

	if (!api_scoped(a) || (row = store_need_get(a->ctx->store,
	    api_id(a->parts[1]), NULL)) == NULL)
		return (0);
	ok = api_occ_allowed(a, jint(row, "occurrence"));
	json_decref(row);
	if (!ok) {
		api_fail(a, 404, "no such request");
		return (-1);
	}
	return (0);
}

/* Tokens are made, listed and revoked over the control socket only. */
static int
api_load_control(struct api_req *a)
{
	if (http_from_control(a->req))
		return (0);
	api_fail(a, 403, "tokens are managed over the control socket only");
	return (-1);
}

/*
 * Patterns are path segments after /api/v1/: "*" is any one segment,
 * a final "**" any number, none included.
 */
static const struct api_load {
	const char	*pattern;
	int		(*load)(struct api_req *);
} api_loads[] = {
	{ "groups/*/**",	api_load_group },
	{ "people/*/**",	api_load_person },
	{ "series/*/**",	api_load_series },
	{ "occurrences/*/**",	api_load_occurrence },
	{ "requests/*/**",	api_load_request },
	{ "tokens",		api_load_control },
	{ "tokens/*",		api_load_control },
};

static const struct api_route {
	enum evhttp_cmd_type	 method;
	const char		*pattern;
	void			(*fn)(struct api_req *);
} api_table[] = {
	{ EVHTTP_REQ_GET,	"groups",		api_groups_list },
	{ EVHTTP_REQ_POST,	"groups",		api_groups_create },
	{ EVHTTP_REQ_GET,	"groups/*",		api_group_get },
	{ EVHTTP_REQ_PATCH,	"groups/*",		api_group_patch },
	{ EVHTTP_REQ_DELETE,	"groups/*",		api_group_delete },
	{ EVHTTP_REQ_POST,	"groups/*/members",	api_member_add },
	{ EVHTTP_REQ_DELETE,	"groups/*/members/*",	api_member_remove },
	{ EVHTTP_REQ_GET,	"groups/*/report",	api_group_report },
	{ EVHTTP_REQ_GET,	"groups/*/report/link",	api_group_report_link },
	{ EVHTTP_REQ_GET,	"people",		api_people_list },
	{ EVHTTP_REQ_POST,	"people",		api_people_create },
	{ EVHTTP_REQ_GET,	"people/*",		api_person_get },
	{ EVHTTP_REQ_PATCH,	"people/*",		api_person_edit },
	{ EVHTTP_REQ_PUT,	"people/*",		api_person_edit },
	{ EVHTTP_REQ_DELETE,	"people/*",		api_person_delete },
	{ EVHTTP_REQ_POST,	"people/*/test",	api_person_test },
	{ EVHTTP_REQ_GET,	"people/*/preferences",	api_person_link },
	{ EVHTTP_REQ_GET,	"people/*/feed",	api_person_feed },
	{ EVHTTP_REQ_POST,	"people/*/feed",	api_person_feed },
	{ EVHTTP_REQ_GET,	"people/*/needs",	api_person_needs },
	{ EVHTTP_REQ_PUT,	"people/*/needs",	api_person_needs_set },
	{ EVHTTP_REQ_GET,	"people/*/supporters",	api_person_supporters },
	{ EVHTTP_REQ_POST,	"people/*/supporters",
	    api_person_supporter_add },
	{ EVHTTP_REQ_DELETE,	"people/*/supporters/*",
	    api_person_supporter_remove },
	{ EVHTTP_REQ_GET,	"people/*/export",	api_person_export },
	{ EVHTTP_REQ_DELETE,	"people/*/data",	api_person_erase },
	{ EVHTTP_REQ_POST,	"people/*/erase",	api_person_erase },
	{ EVHTTP_REQ_POST,	"import/people",	api_import },
	{ EVHTTP_REQ_GET,	"venues",		api_venues_list },
	{ EVHTTP_REQ_POST,	"venues",		api_venues_create },
	{ EVHTTP_REQ_GET,	"series",		api_series_list },
	{ EVHTTP_REQ_POST,	"series",		api_series_create },
	{ EVHTTP_REQ_PATCH,	"series/*",		api_series_change },
	{ EVHTTP_REQ_PUT,	"series/*",		api_series_change },
	{ EVHTTP_REQ_DELETE,	"series/*",		api_series_delete },
	{ EVHTTP_REQ_GET,	"occurrences",		api_occ_list },
	{ EVHTTP_REQ_GET,	"occurrences/*",	api_occ_get },
	{ EVHTTP_REQ_GET,	"occurrences/*/answers", api_occ_answers },
	{ EVHTTP_REQ_GET,	"occurrences/*/requests", api_occ_requests },
	{ EVHTTP_REQ_POST,	"occurrences/*/requests", api_occ_request_add },
	{ EVHTTP_REQ_GET,	"occurrences/*/attendance",
	    api_occ_attendance },
	{ EVHTTP_REQ_POST,	"occurrences/*/attendance", api_occ_attend },
	{ EVHTTP_REQ_POST,	"occurrences/*/*",	api_occ_change },
	{ EVHTTP_REQ_POST,	"requests/*",		api_request_set },
	{ EVHTTP_REQ_GET,	"outbox",		api_outbox },
	{ EVHTTP_REQ_GET,	"tokens",		api_tokens_list },
	{ EVHTTP_REQ_POST,	"tokens",		api_tokens_create },
	{ EVHTTP_REQ_DELETE,	"tokens/*",		api_token_revoke },
	{ EVHTTP_REQ_POST,	"answers/mail",		api_answer_mail },
	{ EVHTTP_REQ_GET,	"digest",		api_digest },
	{ EVHTTP_REQ_GET,	"payments",		api_payments_list },
	{ EVHTTP_REQ_POST,	"payments/paid",	api_payments_paid },
};

/* A known path asked with a method it does not answer: 405, and why. */
static const struct api_allow {
	const char	*pattern;
	const char	*reason;
} api_allows[] = {
	{ "groups",		"use GET or POST" },
	{ "groups/*",		"use GET, PATCH or DELETE" },
	{ "groups/*/report/**",	"use GET" },
	{ "groups/*/members/**", "POST to add a member, DELETE "
				".../members/ID to remove one" },
	{ "people",		"use GET or POST" },
	{ "people/*",		"use GET, PATCH or DELETE" },
	{ "people/*/feed",	"GET the feed's link, or POST for a new one" },
	{ "people/*/needs",	"use GET or PUT" },
	{ "people/*/supporters", "use GET or POST" },
	{ "people/*/supporters/*", "use DELETE" },
	{ "people/*/export",	"use GET" },
	{ "people/*/data",	"DELETE to erase what is held about them" },
	{ "people/*/erase",	"use POST" },
	{ "import/people",	"POST a CSV file" },
	{ "venues",		"use GET or POST" },
	{ "series/**",		"GET or POST /series, PATCH or DELETE "
				"/series/ID" },
	{ "occurrences/*/answers", "use GET" },
	{ "occurrences/*/requests", "use GET or POST" },
	{ "occurrences/*/attendance", "use GET or POST" },
	{ "requests/*",		"POST {\"state\", \"reason\"}" },
	{ "occurrences/**",	"POST /occurrences/ID/move or "
				"/occurrences/ID/cancel" },
	{ "outbox",		"use GET" },
	{ "tokens",		"use GET or POST" },
	{ "tokens/*",		"use DELETE" },
	{ "answers/mail",	"use POST" },
	{ "digest",		"use GET" },
	{ "payments",		"use GET" },
	{ "payments/paid",	"POST {\"ids\", \"paid_on\"}" },
};

#define API_NITEMS(t)	(sizeof (t) / sizeof (t)[0])

static int
api_match(const char *pattern, char *const *parts, int nparts)
{
	const char	*p = pattern, *e;
	size_t		 len;
	int		 i;

	for (i = 0;; i++) {
		e = strchr(p, '/');
		len = e != NULL ? (size_t)(e - p) : strlen(p);
		if (len == 2 && strncmp(p, "**", 2) == 0)
			return (1);
		if (i == nparts)
			return (0);
		if ((len != 1 || *p != '*') && (strlen(parts[i]) != len ||
		    strncmp(parts[i], p, len) != 0))
			return (0);
		if (e == NULL)
			return (i + 1 == nparts);
		p = e + 1;
	}
}

static void
api_dispatch(struct evhttp_request *req, const char *route, const char *rest,
    void *arg)
{
	struct api_req		 a;
	const struct api_route	*r;
	const struct api_load	*l;
	const struct api_allow	*w;
	const char		*q;
	char			*copy, *tok, *save;

	memset(&a, 0, sizeof a);
	a.ctx = arg;
	a.req = req;
	a.method = evhttp_request_get_command(req);
	TAILQ_INIT(&a.query);
	q = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	if (q != NULL && evhttp_parse_query_str(q, &a.query) != 0) {
		http_error(req, API_ROUTE, 400, "the query string is "
		    "malformed");
		return;
	}
	if (!api_auth(&a)) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "WWW-Authenticate", "Bearer realm=\"convene\"");
		http_error(req, API_ROUTE, 401, "this needs the control "
		    "socket or a bearer token");
		evhttp_clear_headers(&a.query);
		json_decref(a.scope);
		return;
	}
	copy = xstrdup(rest);
	for (tok = strtok_r(copy, "/", &save); tok != NULL && a.nparts < 6;
	    tok = strtok_r(NULL, "/", &save))
		a.parts[a.nparts++] = tok;
	if (a.nparts == 0) {
		api_fail(&a, 404, "nothing is at /api/v1/");
		goto out;
	}
	for (l = api_loads; l < api_loads + API_NITEMS(api_loads); l++) {
		if (api_match(l->pattern, a.parts, a.nparts) &&
		    l->load(&a) != 0)
			goto out;
	}
	for (r = api_table; r < api_table + API_NITEMS(api_table); r++) {
		if (r->method == a.method &&
		    api_match(r->pattern, a.parts, a.nparts)) {
			r->fn(&a);
			goto out;
		}
	}
	for (w = api_allows; w < api_allows + API_NITEMS(api_allows); w++) {
		if (api_match(w->pattern, a.parts, a.nparts)) {
			api_fail(&a, 405, "%s", w->reason);
			goto out;
		}
	}
	if (a.group != NULL || a.person != NULL)
		api_fail(&a, 404, "nothing is here");
	else
		api_fail(&a, 404, "nothing is at /api/v1/%s", rest);
out:
	json_decref(a.group);
	json_decref(a.person);
	json_decref(a.scope);
	free(copy);
	evhttp_clear_headers(&a.query);
}

void
api_routes(struct http *h, struct convene_ctx *ctx)
{
	http_route_add(h, "/api/v1/", API_ROUTE, HTTP_ANY, HTTP_ROUTE_PREFIX,
	    api_dispatch, ctx);
}
