/*
 * api.c: the JSON API for coordinators and convenectl, under /api/v1/.
 *
 * A request comes over the control socket (the administrator's) or
 * carries a bearer token made by "convenectl token create"; tokens are
 * kept only as hashes.  Every change is checked field by field, refused
 * whole with a reason that names the field, written in one transaction
 * with its audit line, and then planned, so the outbox follows at once.
 * Requests are dispatched by a table of (method, pattern, handler) rows
 * near the end of this file.
 */
#include "config.h"

#include <sys/queue.h>

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <sodium.h>

#include "convene.h"
#include "csv.h"
#include "log.h"
#include "phone.h"
#include "sched.h"
#include "util.h"

#define API_ROUTE	"api"
#define API_TOKEN_BYTES	24	/* 192 random bits */
#define API_RETRY_AFTER	"1"	/* seconds, when the database is busy */

struct api_req {
	struct convene_ctx	*ctx;		/* the route's arg */
	struct evhttp_request	*req;
	enum evhttp_cmd_type	 method;
	char			*parts[6];	/* path segments */
	int			 nparts;
	struct evkeyvalq	 query;
	char			 actor[96];
	json_t			*group;		/* groups/SLUG/... */
	json_t			*person;	/* people/ID/... */
	long long		 id;		/* the person's */
};

static void
api_reply(struct api_req *a, int code, json_t *obj)
{
	http_json(a->req, API_ROUTE, code, obj);
}

static void
api_fail(struct api_req *a, int code, const char *fmt, ...)
    __attribute__((__format__(printf, 3, 4)));

static void
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

/*
 * Refuse with the cause, or a fallback when there is none.  A database
 * that failed (a full disk) is the server's trouble, not the request's,
 * whatever the caller would have said: 503, to be tried again; in a
 * moment when another program holds its write lock.
 */
static void
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

static json_t *
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
static int
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

static int
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

static long long
api_id(const char *s)
{
	char		*ep;
	long long	 v;

	if (s == NULL || !isdigit((unsigned char)*s))
		return (0);
	v = strtoll(s, &ep, 10);
	return (*ep == '\0' ? v : 0);
}

static const char *
api_query(struct api_req *a, const char *key)
{
	return (evhttp_find_header(&a->query, key));
}

static void
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
static void
api_replan(struct api_req *a, long long group, long long person)
{
	if (group != 0)
		replan_group(a->ctx->replan, group);
	else
		replan_person(a->ctx->replan, person);
}

static void
api_kick(struct api_req *a)
{
	outbox_kick(a->ctx->outbox);
}

/* Text a person typed: no control characters, a sensible length. */
static int
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
static int
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
static void
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

/* Groups ------------------------------------------------------------ */

/* feed_public: true or false (or 1 or 0); *on stays -1 when absent. */
static int
api_feed_public(struct api_req *a, json_t *o, int *on)
{
	json_t	*v = json_object_get(o, "feed_public");

	*on = -1;
	if (v == NULL || json_is_null(v))
		return (0);
	if (json_is_boolean(v))
		*on = json_is_true(v);
	else if (json_is_integer(v) && (json_integer_value(v) == 0 ||
	    json_integer_value(v) == 1))
		*on = (int)json_integer_value(v);
	else {
		api_fail(a, 422, "feed_public: must be true or false");
		return (-1);
	}
	return (0);
}

/* PATCH /groups/SLUG: only whether its calendar feed is public. */
static void
api_group_patch(struct api_req *a)
{
	json_t		*g = a->group;
	json_t		*body;
	const char	*key;
	json_t		*v;
	char		*cause = NULL, *url;
	int		 on;

	if ((body = api_body(a)) == NULL)
		return;
	json_object_foreach(body, key, v) {
		if (strcmp(key, "feed_public") != 0) {
			api_fail(a, 422, "%s: only feed_public can be changed "
			    "here", key);
			goto out;
		}
	}
	if (api_feed_public(a, body, &on) != 0)
		goto out;
	if (on == -1) {
		api_fail(a, 422, "feed_public: this field is needed");
		goto out;
	}
	if (store_feed_public(a->ctx->store, json_integer_value(
	    json_object_get(g, "id")), on, &cause) != 0) {
		api_refuse(a, 503, cause, "database");
		goto out;
	}
	api_audit(a, on ? "feed public" : "feed private", "group",
	    a->parts[1]);
	url = xprintf("%s/groups/%s.ics", a->ctx->conf->base_url,
	    a->parts[1]);
	api_reply(a, 200, json_pack("{s:s, s:b, s:s}", "slug", a->parts[1],
	    "feed_public", on, "feed_url", url));
	free(url);
out:
	json_decref(body);
}

static void
api_groups_list(struct api_req *a)
{
	json_t	*row;
	char	*cause = NULL;

	if ((row = store_group_list(a->ctx->store, &cause)) == NULL)
		return (api_refuse(a, 503, cause, "database"));
	api_reply(a, 200, json_pack("{s:o}", "groups", row));
}

static void
api_groups_create(struct api_req *a)
{
	struct group_in	 g;
	json_t		*body, *row;
	char		*cause = NULL, *leads = NULL;
	const char	*p;
	long long	 rate = 0;
	int		 public = -1;

	if ((body = api_body(a)) == NULL)
		return;
	memset(&g, 0, sizeof g);
	if (api_field(a, body, "slug", &g.slug, 1) != 0 ||
	    api_field(a, body, "name", &g.name, 1) != 0 ||
	    api_field(a, body, "time_zone", &g.time_zone, 0) != 0 ||
	    api_field(a, body, "lead_times", &g.lead_times, 0) != 0 ||
	    api_field(a, body, "contact", &g.contact, 0) != 0 ||
	    api_int_field(a, body, "payment_rate_pence", &rate, 0,
	    1000000) != 0)
		goto out;
	for (p = g.slug; *p != '\0'; p++) {
		if (!islower((unsigned char)*p) &&
		    !isdigit((unsigned char)*p) && *p != '-')
			break;
	}
	if (*p != '\0' || *g.slug == '\0' || strlen(g.slug) > 64) {
		api_fail(a, 422, "slug: use lower-case letters, digits and "
		    "hyphens, such as dp-steering");
		goto out;
	}
	if (!api_text_ok(a, "name", g.name, 200) ||
	    !api_text_ok(a, "contact", g.contact, 200))
		goto out;
	if (g.time_zone == NULL)
		g.time_zone = "Europe/London";
	if (sched_zone_valid(g.time_zone, &cause) != 0) {
		api_refuse(a, 422, cause, "time_zone");
		goto out;
	}
	if (g.lead_times == NULL)
		g.lead_times = "P7D,P1D";
	if (plan_leads_valid(g.lead_times, &leads, &cause) != 0) {
		api_refuse(a, 422, cause, "lead_times");
		goto out;
	}
	g.lead_times = leads;
	g.payment_rate_pence = rate;
	if (api_feed_public(a, body, &public) != 0)
		goto out;
	if ((row = store_group_create(a->ctx->store, &g, &cause)) == NULL) {
		api_refuse(a, 409, cause, "slug");
		goto out;
	}
	if (public == 1 && store_feed_public(a->ctx->store, json_integer_value(
	    json_object_get(row, "id")), 1, NULL) == 0)
		json_object_set_new(row, "feed_public", json_true());
	api_audit(a, "create", "group", g.slug);
	api_reply(a, 201, row);
out:
	free(leads);
	json_decref(body);
}

static void
api_group_delete(struct api_req *a)
{
	long long	 gid = json_integer_value(json_object_get(a->group,
			    "id"));
	char		*cause = NULL;

	if (store_group_delete(a->ctx->store, gid, &cause) != 0)
		return (api_refuse(a, 503, cause, "database"));
	api_audit(a, "delete", "group", a->parts[1]);
	api_reply(a, 200, json_pack("{s:s}", "deleted", a->parts[1]));
}

static void
api_group_get(struct api_req *a)
{
	json_t		*g = a->group;
	long long	 gid = json_integer_value(json_object_get(g, "id"));
	json_t		*members, *series, *pub;
	char		*cause = NULL;

	if ((pub = store_feed_group(a->ctx->store, a->parts[1],
	    NULL)) != NULL) {
		json_object_set_new(g, "feed_public", json_boolean(
		    json_integer_value(json_object_get(pub, "feed_public"))));
		json_decref(pub);
	}
	members = store_member_list(a->ctx->store, gid, &cause);
	series = store_series_list(a->ctx->store, gid, &cause);
	if (members == NULL || series == NULL) {
		json_decref(members);
		json_decref(series);
		return (api_refuse(a, 503, cause, "database"));
	}
	json_object_set_new(g, "members", members);
	json_object_set_new(g, "series", series);
	api_reply(a, 200, json_incref(g));
}

static const char *const api_roles[] = { "member", "co-chair",
	"buddy-chair", "coordinator", "observer", NULL };

static void
api_member_remove(struct api_req *a)
{
	long long	 gid = json_integer_value(json_object_get(a->group,
			    "id"));
	long long	 pid = api_id(a->parts[3]);
	char		*cause = NULL;

	if (store_member_remove(a->ctx->store, gid, pid, &cause) != 0)
		return (api_refuse(a, 404, cause, "not a member"));
	api_audit(a, "remove", "membership", a->parts[3]);
	api_replan(a, gid, 0);
	api_kick(a);
	api_reply(a, 200, json_pack("{s:I}", "removed", (json_int_t)pid));
}

static void
api_member_add(struct api_req *a)
{
	long long	 gid = json_integer_value(json_object_get(a->group,
			    "id"));
	long long	 pid = 0;
	json_t		*body = NULL, *person, *reply;
	const char	*role = NULL;
	const char *const *r;
	char		*cause = NULL;
	int		 invite;

	if ((body = api_body(a)) == NULL)
		return;
	if (api_int_field(a, body, "person", &pid, 1, LLONG_MAX) != 0 ||
	    api_field(a, body, "role", &role, 0) != 0 ||
	    api_bool(a, body, "invite", &invite) != 0)
		goto out;
	if (pid == 0) {
		api_fail(a, 422, "person: this field is needed");
		goto out;
	}
	if (role == NULL)
		role = "member";
	for (r = api_roles; *r != NULL && strcmp(*r, role) != 0; r++)
		;
	if (*r == NULL) {
		api_fail(a, 422, "role: one of member, co-chair, buddy-chair, "
		    "coordinator, observer");
		goto out;
	}
	if ((person = store_person_get(a->ctx->store, pid, &cause)) == NULL) {
		api_refuse(a, 404, cause, "person: no such person");
		goto out;
	}
	json_decref(person);
	if (store_member_set(a->ctx->store, gid, pid, role, &cause) != 0) {
		api_refuse(a, 409, cause, "membership");
		goto out;
	}
	api_audit(a, "add", "membership", role);
	api_replan(a, 0, pid);
	reply = json_pack("{s:I, s:s, s:i, s:i}", "person", (json_int_t)pid,
	    "role", role, "invited", 0, "invitations_waiting", 0);
	if (invite)
		api_invite(a, reply, gid, pid, 0);
	api_kick(a);
	api_reply(a, 201, reply);
out:
	json_decref(body);
}

/* People ------------------------------------------------------------ */

static const char *const api_styles[] = { "standard", "plain", "large",
	"easyread", NULL };

/* "21:00-08:00" into minutes after midnight. */
static int
api_quiet(const char *s, int *start, int *end)
{
	int	h1, m1, h2, m2, n = 0;

	if (sscanf(s, "%2d:%2d-%2d:%2d%n", &h1, &m1, &h2, &m2, &n) != 4 ||
	    s[n] != '\0' || h1 > 23 || h2 > 23 || m1 > 59 || m2 > 59 ||
	    h1 < 0 || h2 < 0 || m1 < 0 || m2 < 0)
		return (-1);
	*start = h1 * 60 + m1;
	*end = h2 * 60 + m2;
	return (0);
}

/*
 * A person as the API shows it: quiet hours as "21:00" and "08:00", as
 * quiet_hours takes them, not the minutes the database keeps.
 */
static json_t *
api_person_out(json_t *row)
{
	const char *const	 keys[] = { "quiet_start", "quiet_end" };
	json_t			*v;
	size_t			 i;
	long long		 m;

	for (i = 0; i < 2; i++) {
		v = json_object_get(row, keys[i]);
		if (!json_is_integer(v))
			continue;
		m = json_integer_value(v);
		json_object_set_new(row, keys[i], json_sprintf("%02lld:%02lld",
		    m / 60 % 24, m % 60));
	}
	return (row);
}

/*
 * Check a person's fields (all, or those present for an update) into p;
 * the phone is normalised into phone, lead times into *leads.  Returns
 * -1 with *why set.
 */
static int
api_person_check(struct api_req *a, json_t *o, struct person_in *p,
    char phone[PHONE_E164_SIZE], char **leads, int update, char **why)
{
	static const char *const keys[] = { "name", "email", "phone",
		"language", "style", "channels", "lead_times", "quiet_hours",
		"group", "role", NULL };
	const char *const	*k, *const *s;
	const char		*v, *quiet = NULL, *ch;
	const char		*e;
	json_t			*val;
	char			*copy, *tok, *save;
	size_t			 n;

	memset(p, 0, sizeof *p);
	p->quiet_start = update ? -2 : -1;
	*leads = NULL;
	json_object_foreach(o, v, val) {
		for (k = keys; *k != NULL && strcmp(*k, v) != 0; k++)
			;
		if (*k == NULL) {
			*why = xprintf("%s: not a field of a person", v);
			return (-1);
		}
		if (!json_is_string(val) && !json_is_null(val)) {
			*why = xprintf("%s: must be text", v);
			return (-1);
		}
	}
#define GET(key) json_string_value(json_object_get(o, key))
	p->name = GET("name");
	p->email = GET("email");
	p->phone = GET("phone");
	p->language = GET("language");
	p->style = GET("style");
	p->channels = GET("channels");
	quiet = GET("quiet_hours");
#undef GET
	if (!update && (p->name == NULL || *p->name == '\0')) {
		*why = xstrdup("name: this field is needed");
		return (-1);
	}
	if (p->name != NULL && (*p->name == '\0' ||
	    utf8_chars(p->name, strlen(p->name)) > 200 ||
	    strpbrk(p->name, "\r\n\t") != NULL)) {
		*why = xstrdup("name: one line of at most 200 characters");
		return (-1);
	}
	if (p->email != NULL && *p->email == '\0')
		p->email = NULL;
	if (p->email != NULL) {
		e = strchr(p->email, '@');
		if (e == NULL || e == p->email || strchr(e, '.') == NULL ||
		    strchr(e + 1, '@') != NULL || strlen(p->email) > 254 ||
		    strpbrk(p->email, " \t\r\n<>(),;:\"[]\\") != NULL) {
			*why = xprintf("email: '%s' is not an email address",
			    p->email);
			return (-1);
		}
	}
	if (p->phone != NULL && *p->phone == '\0')
		p->phone = NULL;
	if (p->phone != NULL) {
		if (phone_normalise(p->phone, a->ctx->conf->phone_country,
		    phone, PHONE_E164_SIZE, why) != 0) {
			copy = xprintf("phone: %s", *why);
			free(*why);
			*why = copy;
			return (-1);
		}
		p->phone = phone;
	}
	if (p->language != NULL) {
		n = strspn(p->language, "abcdefghijklmnopqrstuvwxyz");
		if (n < 2 || n > 3 || (p->language[n] != '\0' &&
		    p->language[n] != '-') || strlen(p->language) > 35) {
			*why = xprintf("language: '%s' is not a language tag "
			    "such as en, cy or ar", p->language);
			return (-1);
		}
	}
	if (p->style != NULL) {
		for (s = api_styles; *s != NULL && strcmp(*s, p->style); s++)
			;
		if (*s == NULL) {
			*why = xprintf("style: '%s' is not one of standard, "
			    "plain, large or easyread", p->style);
			return (-1);
		}
	}
	if (p->channels != NULL) {
		copy = xstrdup(p->channels);
		n = 0;
		for (tok = strtok_r(copy, ",", &save); tok != NULL;
		    tok = strtok_r(NULL, ",", &save), n++) {
			if (strcmp(tok, "email") != 0 && strcmp(tok, "sms") !=
			    0 && strcmp(tok, "feed") != 0) {
				*why = xprintf("channels: '%s' is not email, "
				    "sms or feed", tok);
				free(copy);
				return (-1);
			}
		}
		free(copy);
		if (n == 0) {
			*why = xstrdup("channels: give email, sms or feed, "
			    "in the order to try them");
			return (-1);
		}
	}
	ch = p->channels ? p->channels : (update ? NULL : "email");
	if (ch != NULL && !update) {
		if (list_has(ch, "email") && p->email == NULL &&
		    !list_has(ch, "sms")) {
			*why = xstrdup("email: needed for the email channel");
			return (-1);
		}
		if (list_has(ch, "sms") && p->phone == NULL) {
			*why = xstrdup("phone: needed for the sms channel");
			return (-1);
		}
	}
	v = json_string_value(json_object_get(o, "lead_times"));
	if (v != NULL && *v != '\0' && plan_leads_valid(v, leads, why) != 0)
		return (-1);
	if (v != NULL && *v == '\0')
		*leads = xstrdup("");	/* back to the group's */
	p->lead_times = *leads;
	if (quiet != NULL && *quiet != '\0') {
		if (api_quiet(quiet, &p->quiet_start, &p->quiet_end) != 0) {
			*why = xprintf("quiet_hours: '%s' is not a span such "
			    "as 21:00-08:00", quiet);
			return (-1);
		}
	} else if (quiet != NULL)
		p->quiet_start = p->quiet_end = -1;
	return (0);
}

/* After a change, every channel listed must have its address. */
static int
api_person_reachable(struct api_req *a, long long id,
    const struct person_in *p, char **cause)
{
	json_t		*cur;
	const char	*ch, *email, *phone;
	int		 rc = 0;

	if ((cur = store_person_get(a->ctx->store, id, NULL)) == NULL)
		return (0);
	ch = p->channels ? p->channels :
	    json_string_value(json_object_get(cur, "channels"));
	email = p->email ? p->email :
	    json_string_value(json_object_get(cur, "email"));
	phone = p->phone ? p->phone :
	    json_string_value(json_object_get(cur, "phone"));
	if (list_has(ch, "sms") && phone == NULL) {
		cause_set(cause, "phone: needed for the sms channel");
		rc = -1;
	} else if (list_has(ch, "email") && email == NULL &&
	    !list_has(ch, "sms")) {
		cause_set(cause, "email: needed for the email channel");
		rc = -1;
	}
	json_decref(cur);
	return (rc);
}

static void
api_people_list(struct api_req *a)
{
	char	*cause = NULL;
	json_t	*row, *p1;
	size_t	 i;

	if ((row = store_person_list(a->ctx->store, &cause)) == NULL)
		return (api_refuse(a, 503, cause, "database"));
	json_array_foreach(row, i, p1)
		api_person_out(p1);
	api_reply(a, 200, json_pack("{s:o}", "people", row));
}

static void
api_people_create(struct api_req *a)
{
	struct person_in	 p;
	char			 phone[PHONE_E164_SIZE], *leads = NULL;
	char			*cause = NULL;
	json_t			*body, *row;

	if ((body = api_body(a)) == NULL)
		return;
	json_object_del(body, "group");
	json_object_del(body, "role");
	if (api_person_check(a, body, &p, phone, &leads, 0, &cause) != 0) {
		api_refuse(a, 422, cause, "person");
		goto out;
	}
	if ((row = store_person_create(a->ctx->store, &p, &cause)) == NULL) {
		api_refuse(a, 409, cause, "person");
		goto out;
	}
	api_audit(a, "create", "person", NULL);
	api_reply(a, 201, api_person_out(row));
out:
	free(leads);
	json_decref(body);
}

/*
 * GET /people/ID/feed: the person's calendar feed; POST makes a new
 * link, and the old one stops working at once.
 */
static void
api_person_feed(struct api_req *a)
{
	long long	 id = a->id;
	char		*url, *cause = NULL;
	int		 rotate = a->method == EVHTTP_REQ_POST;

	if ((url = feed_url(a->ctx->store, a->ctx->conf->base_url, id, rotate,
	    &cause)) == NULL)
		return (api_refuse(a, 503, cause, "database"));
	if (rotate)
		api_audit(a, "feed rotate", "person", a->parts[1]);
	api_reply(a, 200, json_pack("{s:I, s:s, s:b}", "person",
	    (json_int_t)id, "feed_url", url, "rotated", rotate));
	free(url);
}

/* POST /people/ID/test: a test message through the person's channel. */
static void
api_person_test(struct api_req *a)
{
	struct outbox_in	 in;
	long long		 id = a->id;
	char			*cause = NULL;
	const char		*chs;
	json_t			*row = a->person;

	a->person = NULL;
	chs = json_string_value(json_object_get(row, "channels"));
	memset(&in, 0, sizeof in);
	if (list_has(chs, "email") &&
	    !json_is_null(json_object_get(row, "email")))
		in.channel = "email";
	else if (list_has(chs, "sms") &&
	    !json_is_null(json_object_get(row, "phone")))
		in.channel = "sms";
	if (in.channel == NULL) {
		json_decref(row);
		return (api_fail(a, 422, "channels: this person hears "
		    "only through the calendar feed"));
	}
	in.person_id = id;
	in.kind = "test";
	in.lead = "";
	in.due_at = in.now = clock_now();
	if (store_plan_insert(a->ctx->store, &in, &cause) != 0) {
		json_decref(row);
		return (api_refuse(a, 503, cause, "database"));
	}
	api_audit(a, "test", "person", in.channel);
	api_kick(a);
	json_decref(row);
	api_reply(a, 202, json_pack("{s:s}", "queued", in.channel));
}

/* GET /people/ID/preferences: a link to the person's own page. */
static void
api_person_link(struct api_req *a)
{
	char	*link;
	json_t	*row;

	link = prefs_link(a->ctx->conf->base_url, a->ctx->signing_key,
	    a->id, clock_now(), PREFS_LINK_DAYS);
	api_audit(a, "link", "person", a->parts[1]);
	row = json_pack("{s:s, s:i}", "url", link, "days", PREFS_LINK_DAYS);
	free(link);
	api_reply(a, 200, row);
}

static void
api_person_get(struct api_req *a)
{
	json_t	*row = a->person;
	char	*url;

	a->person = NULL;
	if ((url = feed_url(a->ctx->store, a->ctx->conf->base_url, a->id, 0,
	    NULL)) != NULL)
		json_object_set_new(row, "feed_url", json_string(url));
	free(url);
	api_reply(a, 200, api_person_out(row));
}

static void
api_person_delete(struct api_req *a)
{
	char	*cause = NULL;

	if (store_person_delete(a->ctx->store, a->id, &cause) != 0)
		return (api_refuse(a, 503, cause, "database"));
	api_audit(a, "delete", "person", a->parts[1]);
	api_kick(a);
	api_reply(a, 200, json_pack("{s:I}", "deleted", (json_int_t)a->id));
}

static void
api_person_edit(struct api_req *a)
{
	struct person_in	 p;
	long long		 id = a->id;
	char			 phone[PHONE_E164_SIZE], *leads = NULL;
	char			*cause = NULL;
	json_t			*body, *row;

	if ((body = api_body(a)) == NULL)
		return;
	if (api_person_check(a, body, &p, phone, &leads, 1, &cause) != 0) {
		api_refuse(a, 422, cause, "person");
		goto out;
	}
	if (api_person_reachable(a, id, &p, &cause) != 0) {
		api_refuse(a, 422, cause, "channels");
		goto out;
	}
	if ((row = store_person_update(a->ctx->store, id, &p,
	    &cause)) == NULL) {
		api_refuse(a, 409, cause, "person");
		goto out;
	}
	api_audit(a, "update", "person", a->parts[1]);
	api_replan(a, 0, id);
	api_kick(a);
	api_reply(a, 200, api_person_out(row));
out:
	free(leads);
	json_decref(body);
}

/*
 * An email or phone the file gives twice, or that someone already has,
 * is a mistake of its line: found before anything is written.
 */
static void
api_import_dup(struct api_req *a, json_t *seen, const struct person_in *p,
    int line, char **cause)
{
	char		*key;
	const char	*v[2];
	int		 i;
	json_t		*prev;

	v[0] = p->email;
	v[1] = p->phone;
	for (i = 0; i < 2 && *cause == NULL; i++) {
		if (v[i] == NULL)
			continue;
		key = xstrdup(v[i]);
		for (char *c = key; *c != '\0'; c++)
			*c = (char)tolower((unsigned char)*c);
		if ((prev = json_object_get(seen, key)) != NULL)
			cause_set(cause, "%s: %s is also on line %lld",
			    i == 0 ? "email" : "phone", v[i],
			    (long long)json_integer_value(prev));
		else if (store_person_find(a->ctx->store, i == 0 ? v[i] : NULL,
		    i == 1 ? v[i] : NULL) != 0)
			cause_set(cause, "%s: someone has %s already",
			    i == 0 ? "email" : "phone", v[i]);
		else
			json_object_set_new(seen, key, json_integer(line));
		free(key);
	}
}

static void
api_import_badcol(json_t *errors, int line, const char *name)
{
	char	*why;

	why = xprintf("%s: not a column convene knows (name, email, phone, "
	    "language, style, channels, lead_times, quiet_hours, role)", name);
	json_array_append_new(errors, json_pack("{s:i, s:s}", "line", line,
	    "reason", why));
	free(why);
}

static const char *const api_import_columns[] = { "name", "email",
	"phone", "language", "style", "channels", "lead_times", "quiet_hours",
	"role", NULL };

/*
 * POST /api/v1/import/people[?group=slug]: a CSV file with a header
 * line.  Every line is checked first; one bad line imports nothing, and
 * the report names each bad line and why.
 */
static void
api_import(struct api_req *a)
{
	struct evbuffer		*b = evhttp_request_get_input_buffer(a->req);
	struct person_in	 p;
	FILE			*f;
	struct csv		*csv;
	char			**fields, **head = NULL, *cause = NULL;
	char			 phone[PHONE_E164_SIZE], *leads = NULL;
	const char		*slug = api_query(a, "group"), *role;
	json_t			*errors, *rows, *o, *g = NULL, *row, *seen;
	const char *const	*col;
	size_t			 nf, nhead = 0, i;
	long long		 gid = 0;
	int			 line, rc, ok, began;

	if (slug != NULL) {
		if ((g = store_group_get(a->ctx->store, slug, &cause)) == NULL)
			return (api_refuse(a, 404, cause, "group: no such "
			    "group"));
		gid = json_integer_value(json_object_get(g, "id"));
		json_decref(g);
	}
	f = fmemopen(evbuffer_pullup(b, -1), evbuffer_get_length(b), "r");
	if (f == NULL || evbuffer_get_length(b) == 0) {
		if (f != NULL)
			fclose(f);
		return (api_fail(a, 400, "the request needs a CSV body"));
	}
	csv = csv_open(f);
	errors = json_array();
	rows = json_array();
	seen = json_object();
	while ((rc = csv_next(csv, &fields, &nf, &line, &cause)) == 1) {
		if (csv_is_blank(fields, nf))
			continue;
		if (head == NULL) {
			head = xcalloc(nf, sizeof *head);
			for (i = 0; i < nf; i++) {
				head[i] = xstrdup(fields[i]);
				for (char *c = head[i]; *c; c++)
					*c = (char)tolower((unsigned char)*c);
			}
			nhead = nf;
			for (i = 0; i < nf; i++) {
				for (col = api_import_columns; *col != NULL &&
				    strcmp(*col, head[i]) != 0; col++)
					;
				if (*col == NULL)
					api_import_badcol(errors, line,
					    head[i]);
			}
			if (csv_header_check(head, nhead, &cause) != 0) {
				json_array_append_new(errors, json_pack(
				    "{s:i, s:s}", "line", line, "reason",
				    cause));
				free(cause);
				cause = NULL;
			}
			if (json_array_size(errors) != 0)
				break;
			continue;
		}
		o = json_object();
		for (i = 0; i < nf && i < nhead; i++) {
			if (*fields[i] != '\0')
				json_object_set_new(o, head[i],
				    json_string(fields[i]));
		}
		if (nf > nhead)
			cause = xprintf("%zu fields, but the header names %zu",
			    nf, nhead);
		json_object_set_new(o, "_line", json_integer(line));
		if (cause == NULL) {
			json_t *copy = json_deep_copy(o);

			json_object_del(copy, "_line");
			json_object_del(copy, "role");
			json_object_del(copy, "group");
			if (api_person_check(a, copy, &p, phone, &leads, 0,
			    &cause) == 0)
				api_import_dup(a, seen, &p, line, &cause);
			if (cause == NULL && (role = json_string_value(
			    json_object_get(o, "role"))) != NULL) {
				const char *const *r;

				for (r = api_roles; *r && strcmp(*r, role); r++)
					;
				if (*r == NULL)
					cause = xprintf("role: '%s' is not one "
					    "of member, co-chair, buddy-chair, "
					    "coordinator, observer", role);
			}
			free(leads);
			leads = NULL;
			json_decref(copy);
		}
		if (cause != NULL) {
			json_array_append_new(errors, json_pack("{s:i, s:s}",
			    "line", line, "reason", cause));
			free(cause);
			cause = NULL;
		}
		json_array_append_new(rows, o);
	}
	if (rc < 0) {
		json_array_append_new(errors, json_pack("{s:i, s:s}", "line",
		    line, "reason", cause ? cause : "cannot read"));
		free(cause);
		cause = NULL;
	}
	csv_free(csv);
	fclose(f);
	json_decref(seen);
	if (head == NULL && json_array_size(errors) == 0)
		json_array_append_new(errors, json_pack("{s:i, s:s}", "line",
		    1, "reason", "the file is empty: it needs a header line "
		    "such as name,email,phone"));
	if (json_array_size(errors) == 0) {
		/* All good so far: write every line, or none. */
		began = ok = store_begin(a->ctx->store) == 0;
		json_array_foreach(rows, i, o) {
			json_t *copy = json_deep_copy(o);

			line = (int)json_integer_value(json_object_get(o,
			    "_line"));
			json_object_del(copy, "_line");
			json_object_del(copy, "role");
			json_object_del(copy, "group");
			api_person_check(a, copy, &p, phone, &leads, 0, &cause);
			free(cause);
			cause = NULL;
			/* p points into copy: create before letting it go. */
			row = ok ? store_person_create(a->ctx->store, &p,
			    &cause) : NULL;
			json_decref(copy);
			free(leads);
			leads = NULL;
			if (row == NULL) {
				json_array_append_new(errors, json_pack(
				    "{s:i, s:s}", "line", line, "reason",
				    cause ? cause : "database"));
				free(cause);
				cause = NULL;
				ok = 0;
				break;
			}
			role = json_string_value(json_object_get(o, "role"));
			if (gid != 0 && store_member_set(a->ctx->store, gid,
			    json_integer_value(json_object_get(row, "id")),
			    role ? role : "member", &cause) != 0) {
				json_array_append_new(errors, json_pack(
				    "{s:i, s:s}", "line", line, "reason",
				    cause ? cause : "membership"));
				free(cause);
				cause = NULL;
				ok = 0;
			}
			json_decref(row);
		}
		if (ok)
			store_audit(a->ctx->store, a->actor, "import", "people",
			    slug);
		if ((!began || store_end(a->ctx->store, ok) != 0) &&
		    json_array_size(errors) == 0)
			json_array_append_new(errors, json_pack("{s:i, s:s}",
			    "line", 0, "reason", "the database refused the "
			    "import"));
	}
	for (i = 0; i < nhead; i++)
		free(head[i]);
	free(head);
	if (json_array_size(errors) != 0) {
		api_reply(a, 422, json_pack("{s:i, s:s, s:i, s:o, s:i}",
		    "status", 422, "reason", "nothing was imported: fix the "
		    "lines below and try again", "imported", 0, "errors",
		    errors, "lines", (int)json_array_size(rows)));
		json_decref(rows);
		return;
	}
	if (gid != 0)
		api_replan(a, gid, 0);
	api_kick(a);
	api_reply(a, 201, json_pack("{s:i, s:o}", "imported",
	    (int)json_array_size(rows), "errors", errors));
	json_decref(rows);
}

/* Venues ------------------------------------------------------------ */

static void
api_venues_list(struct api_req *a)
{
	json_t	*row;
	char	*cause = NULL;

	if ((row = store_venue_list(a->ctx->store, &cause)) == NULL)
		return (api_refuse(a, 503, cause, "database"));
	api_reply(a, 200, json_pack("{s:o}", "venues", row));
}

static void
api_venues_create(struct api_req *a)
{
	struct venue_in	 v;
	json_t		*body, *row;
	char		*cause = NULL;

	if ((body = api_body(a)) == NULL)
		return;
	memset(&v, 0, sizeof v);
	if (api_field(a, body, "name", &v.name, 1) != 0 ||
	    api_field(a, body, "address", &v.address, 0) != 0 ||
	    api_field(a, body, "travel", &v.travel, 0) != 0 ||
	    api_field(a, body, "online_link", &v.online_link, 0) != 0)
		goto out;
	if (!api_text_ok(a, "name", v.name, 200) ||
	    !api_text_ok(a, "address", v.address, 1000) ||
	    !api_text_ok(a, "travel", v.travel, 2000) ||
	    !api_text_ok(a, "online_link", v.online_link, 1000))
		goto out;
	if (v.online_link != NULL && *v.online_link != '\0' &&
	    strncmp(v.online_link, "https://", 8) != 0 &&
	    strncmp(v.online_link, "http://", 7) != 0) {
		api_fail(a, 422, "online_link: must start with https://");
		goto out;
	}
	v.step_free = json_is_true(json_object_get(body, "step_free"));
	v.hearing_loop = json_is_true(json_object_get(body, "hearing_loop"));
	v.accessible_toilet = json_is_true(json_object_get(body,
	    "accessible_toilet"));
	v.quiet_room = json_is_true(json_object_get(body, "quiet_room"));
	if ((row = store_venue_create(a->ctx->store, &v, &cause)) == NULL) {
		api_refuse(a, 409, cause, "venue");
		goto out;
	}
	api_audit(a, "create", "venue", v.name);
	api_reply(a, 201, row);
out:
	json_decref(body);
}

/* Series and occurrences -------------------------------------------- */

static int
api_venue_exists(struct api_req *a, long long id)
{
	json_t	*venues, *v;
	size_t	 i;
	int	 found = 0;

	if ((venues = store_venue_list(a->ctx->store, NULL)) == NULL)
		return (0);
	json_array_foreach(venues, i, v) {
		if (json_integer_value(json_object_get(v, "id")) == id)
			found = 1;
	}
	json_decref(venues);
	return (found);
}

/* "a,b" of local times into canonical "x,y"; NULL and *why on error. */
static char *
api_dates(json_t *v, const char *key, char **why)
{
	char	*acc = xstrdup(""), *t, canon[SCHED_LOCAL_LEN], *c = NULL;
	json_t	*d;
	size_t	 i;

	if (v == NULL || json_is_null(v))
		return (acc);
	if (!json_is_array(v)) {
		*why = xprintf("%s: a list of dates and times", key);
		free(acc);
		return (NULL);
	}
	json_array_foreach(v, i, d) {
		if (sched_parse_local(json_string_value(d), canon, &c) != 0) {
			*why = xprintf("%s: %s", key, c);
			free(c);
			free(acc);
			return (NULL);
		}
		t = xprintf("%s%s%s", acc, *acc ? "," : "", canon);
		free(acc);
		acc = t;
	}
	return (acc);
}

/*
 * A lead time as long as the shortest gap between two meetings of the
 * rule would remind of the next meeting before the last one has happened:
 * refuse it.
 * The gap is elapsed time over the first two years of meetings, so a week
 * shortened by a clock change counts as the hour shorter it is.
 */
static int
api_leads_fit(const struct sched_series *s, const char *leads, char **why)
{
	struct sched_series	 rule;
	struct sched_occ	*occ = NULL;
	struct sched_lead	 l;
	char			*copy, *tok, *save, words[128];
	size_t			 n, i, at = 0;
	time_t			 first, gap = 0;
	int			 rc = 0;

	if (s->rrule == NULL || *s->rrule == '\0')
		return (0);
	/* The rule's own rhythm: an extra date may fall where it likes. */
	rule = *s;
	rule.exdates = "";
	rule.rdates = "";
	if (sched_local_to_utc(s->tzid, s->dtstart, &first, NULL) != 0 ||
	    sched_expand(&rule, first, first + 2 * 366 * 86400LL, &occ, &n,
	    NULL) != 0 || n < 2) {
		free(occ);
		return (0);
	}
	copy = xstrdup(leads);
	for (tok = strtok_r(copy, ",", &save); tok != NULL && rc == 0;
	    tok = strtok_r(NULL, ",", &save)) {
		if (sched_lead_parse(tok, &l, NULL, NULL) != 0)
			continue;
		for (i = 1; i < n; i++) {
			if (sched_due(occ[i].start, s->tzid, &l) >
			    occ[i - 1].start)
				continue;
			gap = occ[i].start - occ[i - 1].start;
			at = i;
			rc = -1;
			break;
		}
		if (rc == 0)
			continue;
		if (sched_words(occ[at].start, s->tzid, words,
		    sizeof words) != 0)
			snprintf(words, sizeof words, "%s",
			    occ[at].recurrence_id);
		*why = xprintf("lead_times: %s is as long as the %lld days "
		    "%lld hours between two meetings or longer (the meeting "
		    "on %s comes %lld hours after the one before); a reminder "
		    "would be due before the meeting before it", tok,
		    (long long)(gap / 86400), (long long)(gap % 86400 / 3600),
		    words, (long long)(gap / 3600));
	}
	free(copy);
	free(occ);
	return (rc);
}

/*
 * What the coordinator should know of the meetings a series gives: any
 * local time the clocks skip or pass twice, over the next two years.
 */
static json_t *
api_wall_notes(const struct sched_series *s)
{
	struct sched_occ	*occ = NULL;
	json_t			*notes;
	char			*note;
	size_t			 n = 0, i;
	time_t			 first, now = clock_now();

	notes = json_array();
	if (sched_local_to_utc(s->tzid, s->dtstart, &first, NULL) != 0)
		return (notes);
	if (first < now)
		first = now;
	if (sched_expand(s, first, first + 2 * 366 * 86400LL, &occ, &n,
	    NULL) != 0)
		return (notes);
	for (i = 0; i < n && json_array_size(notes) < 20; i++) {
		if (occ[i].wall == SCHED_WALL_OK)
			continue;
		if ((note = sched_wall_note(s->tzid,
		    occ[i].recurrence_id)) != NULL)
			json_array_append_new(notes, json_string(note));
		free(note);
	}
	free(occ);
	return (notes);
}

static void
api_series_create(struct api_req *a)
{
	struct series_in	 in;
	struct sched_series	 s;
	char			 canon[SCHED_LOCAL_LEN];
	char			*cause = NULL, *ex = NULL, *rd = NULL;
	const char		*slug, *start;
	json_t			*body, *g = NULL, *row, *occs = NULL;
	long long		 minutes = 90, venue = 0;
	int			 invite;

	if ((body = api_body(a)) == NULL)
		return;
	memset(&in, 0, sizeof in);
	if (api_bool(a, body, "invite", &invite) != 0 ||
	    api_field(a, body, "group", &slug, 1) != 0 ||
	    api_field(a, body, "title", &in.title, 1) != 0 ||
	    api_field(a, body, "start", &start, 1) != 0 ||
	    api_field(a, body, "rrule", &in.rrule, 0) != 0 ||
	    api_field(a, body, "online_link", &in.online_link, 0) != 0 ||
	    api_field(a, body, "agenda", &in.agenda, 0) != 0 ||
	    api_int_field(a, body, "duration_minutes", &minutes, 1,
	    1440) != 0 ||
	    api_int_field(a, body, "venue", &venue, 1, LLONG_MAX) != 0)
		goto out;
	if (!api_text_ok(a, "title", in.title, 200) ||
	    !api_text_ok(a, "agenda", in.agenda, 4000))
		goto out;
	if ((g = store_group_get(a->ctx->store, slug, &cause)) == NULL) {
		api_refuse(a, 404, cause, "group: no such group");
		goto out;
	}
	if (sched_parse_local(start, canon, &cause) != 0) {
		api_fail(a, 422, "start: %s", cause);
		free(cause);
		goto out;
	}
	if (in.rrule != NULL && sched_rrule_valid(in.rrule, &cause) != 0) {
		api_refuse(a, 422, cause, "rrule");
		goto out;
	}
	if ((ex = api_dates(json_object_get(body, "exdates"), "exdates",
	    &cause)) == NULL || (rd = api_dates(json_object_get(body,
	    "rdates"), "rdates", &cause)) == NULL) {
		api_refuse(a, 422, cause, "dates");
		goto out;
	}
	if (venue != 0) {
		if (!api_venue_exists(a, venue)) {
			api_fail(a, 422, "venue: no venue %lld", venue);
			goto out;
		}
	}
	memset(&s, 0, sizeof s);
	s.tzid = json_string_value(json_object_get(g, "time_zone"));
	s.dtstart = canon;
	s.duration = (int)minutes * 60;
	s.rrule = in.rrule;
	s.exdates = ex;
	s.rdates = rd;
	if (sched_series_check(&s, &cause) != 0) {
		api_refuse(a, 422, cause, "rrule");
		goto out;
	}
	if (api_leads_fit(&s, json_string_value(json_object_get(g,
	    "lead_times")), &cause) != 0) {
		api_refuse(a, 422, cause, "lead_times");
		goto out;
	}
	in.group_id = json_integer_value(json_object_get(g, "id"));
	in.dtstart = canon;
	in.duration = (int)minutes * 60;
	in.exdates = ex;
	in.rdates = rd;
	in.venue_id = venue;
	if ((row = store_series_create(a->ctx->store, &in, &cause)) == NULL) {
		api_refuse(a, 409, cause, "series");
		goto out;
	}
	api_audit(a, "create", "series", in.title);
	/*
	 * Its meetings now, for the invitations; their reminders queued.
	 * When the database is busy the queue makes the meetings too.
	 */
	if (plan_series_expand(a->ctx->store, json_integer_value(
	    json_object_get(row, "id")), clock_now(),
	    a->ctx->conf->horizon_days * 86400, &occs, &cause) != 0) {
		log_warnx("planning a new series: %s", cause);
		free(cause);
		replan_series(a->ctx->replan, json_integer_value(
		    json_object_get(row, "id")));
	}
	replan_occurrences(a->ctx->replan, occs);
	json_decref(occs);
	json_object_set_new(row, "invited", json_integer(0));
	json_object_set_new(row, "invitations_waiting", json_integer(0));
	json_object_set_new(row, "notes", api_wall_notes(&s));
	if (invite)
		api_invite(a, row, in.group_id, 0, json_integer_value(
		    json_object_get(row, "id")));
	api_kick(a);
	api_reply(a, 201, row);
out:
	free(ex);
	free(rd);
	json_decref(g);
	json_decref(body);
}

/*
 * PATCH /api/v1/series/ID: change the whole series, or with "from" (an
 * occurrence of it) that meeting and every one after it.
 */
static void
api_series_edit(struct api_req *a, long long id)
{
	struct series_in	 ch;
	struct sched_series	 s;
	char			 canon[SCHED_LOCAL_LEN];
	char			*cause = NULL, *ex = NULL, *rd = NULL;
	const char		*start = NULL;
	json_t			*body, *row = NULL, *g = NULL, *o;
	json_t			*later = NULL;
	long long		 minutes = 0, venue = 0, from = 0;
	const char		*fromdate = NULL;
	char			 rid[SCHED_LOCAL_LEN] = "", day[64];

	if ((row = store_series_get(a->ctx->store, id, &cause)) == NULL)
		return (api_refuse(a, 404, cause, "no such series"));
	if ((body = api_body(a)) == NULL)
		goto out;
	memset(&ch, 0, sizeof ch);
	if (api_field(a, body, "title", &ch.title, 0) != 0 ||
	    api_field(a, body, "start", &start, 0) != 0 ||
	    api_field(a, body, "rrule", &ch.rrule, 0) != 0 ||
	    api_field(a, body, "online_link", &ch.online_link, 0) != 0 ||
	    api_field(a, body, "agenda", &ch.agenda, 0) != 0 ||
	    api_int_field(a, body, "duration_minutes", &minutes, 1,
	    1440) != 0 ||
	    api_int_field(a, body, "venue", &venue, 1, LLONG_MAX) != 0 ||
	    api_int_field(a, body, "from", &from, 1, LLONG_MAX) != 0 ||
	    api_field(a, body, "from_date", &fromdate, 0) != 0)
		goto out;
	if (!api_text_ok(a, "title", ch.title, 200) ||
	    !api_text_ok(a, "agenda", ch.agenda, 4000))
		goto out;
	if (start != NULL) {
		if (sched_parse_local(start, canon, &cause) != 0) {
			api_fail(a, 422, "start: %s", cause);
			free(cause);
			goto out;
		}
		ch.dtstart = canon;
	}
	if (ch.rrule != NULL && sched_rrule_valid(ch.rrule, &cause) != 0) {
		api_refuse(a, 422, cause, "rrule");
		goto out;
	}
	if (json_object_get(body, "exdates") != NULL && (ex = api_dates(
	    json_object_get(body, "exdates"), "exdates", &cause)) == NULL) {
		api_refuse(a, 422, cause, "exdates");
		goto out;
	}
	if (json_object_get(body, "rdates") != NULL && (rd = api_dates(
	    json_object_get(body, "rdates"), "rdates", &cause)) == NULL) {
		api_refuse(a, 422, cause, "rdates");
		goto out;
	}
	ch.exdates = ex;
	ch.rdates = rd;
	if (venue != 0 && !api_venue_exists(a, venue)) {
		api_fail(a, 422, "venue: no venue %lld", venue);
		goto out;
	}
	ch.venue_id = venue;
	ch.duration = (int)minutes * 60;
	g = store_group_get(a->ctx->store, json_string_value(
	    json_object_get(row, "group_slug")), NULL);
	memset(&s, 0, sizeof s);
	s.tzid = json_string_value(json_object_get(row, "time_zone"));
	s.dtstart = ch.dtstart ? ch.dtstart :
	    json_string_value(json_object_get(row, "dtstart"));
	s.duration = 3600;
	s.rrule = ch.rrule ? ch.rrule :
	    json_string_value(json_object_get(row, "rrule"));
	s.exdates = ex ? ex : json_string_value(json_object_get(row,
	    "exdates"));
	s.rdates = rd ? rd : json_string_value(json_object_get(row,
	    "rdates"));
	if (sched_series_check(&s, &cause) != 0) {
		api_refuse(a, 422, cause, "rrule");
		goto out;
	}
	if (g != NULL && api_leads_fit(&s, json_string_value(
	    json_object_get(g, "lead_times")), &cause) != 0) {
		api_refuse(a, 422, cause, "lead_times");
		goto out;
	}
	/* From a meeting: an occurrence's id, or the date it falls on. */
	if (from != 0) {
		if ((o = store_occ_get(a->ctx->store, from, NULL)) == NULL ||
		    json_integer_value(json_object_get(o, "series_id")) !=
		    id) {
			json_decref(o);
			api_fail(a, 422, "from: occurrence %lld is not one of "
			    "series %lld", from, id);
			goto out;
		}
		snprintf(rid, sizeof rid, "%s", json_string_value(
		    json_object_get(o, "recurrence_id")));
		json_decref(o);
	} else if (fromdate != NULL) {
		/* The day, at the series' own time of day. */
		snprintf(day, sizeof day, "%.10sT%s", fromdate,
		    json_string_value(json_object_get(row, "dtstart")) + 9);
		if (strlen(fromdate) != 10 ||
		    sched_parse_local(day, rid, &cause) != 0) {
			api_fail(a, 422, "from_date: '%s' is not a date such "
			    "as 2027-04-01", fromdate);
			free(cause);
			goto out;
		}
	}
	/* The notices with the edit; the meetings' reminders queued. */
	later = json_array();
	if (plan_series_edit(a->ctx->store, id, &ch, *rid ? rid : NULL,
	    clock_now(), a->ctx->conf->horizon_days * 86400, later,
	    &cause) != 0) {
		api_refuse(a, 422, cause, "the series could not be changed");
		goto out;
	}
	replan_occurrences(a->ctx->replan, later);
	api_kick(a);
	api_reply(a, 200, json_pack("{s:o?,s:o}", "series",
	    store_series_list(a->ctx->store, json_integer_value(
	    json_object_get(row, "group_id")), NULL), "notes",
	    api_wall_notes(&s)));
out:
	free(ex);
	free(rd);
	json_decref(g);
	json_decref(body);
	json_decref(row);
	json_decref(later);
}

static void
api_series_list(struct api_req *a)
{
	json_t		*rows, *g;
	char		*cause = NULL;
	const char	*slug = api_query(a, "group");
	long long	 gid = 0;

	if (slug != NULL) {
		if ((g = store_group_get(a->ctx->store, slug, &cause)) == NULL)
			return (api_refuse(a, 404, cause, "group: no such "
			    "group"));
		gid = json_integer_value(json_object_get(g, "id"));
		json_decref(g);
	}
	if ((rows = store_series_list(a->ctx->store, gid, &cause)) == NULL)
		return (api_refuse(a, 503, cause, "database"));
	api_reply(a, 200, json_pack("{s:o}", "series", rows));
}

static void
api_series_delete(struct api_req *a)
{
	json_t		*rows;
	char		*cause = NULL;
	long long	 id = api_id(a->parts[1]);

	if ((rows = store_series_get(a->ctx->store, id, &cause)) == NULL)
		return (api_refuse(a, 404, cause, "no such series"));
	json_decref(rows);
	if (store_series_delete(a->ctx->store, id, &cause) != 0)
		return (api_refuse(a, 503, cause, "database"));
	api_audit(a, "delete", "series", a->parts[1]);
	api_kick(a);
	api_reply(a, 200, json_pack("{s:I}", "deleted", (json_int_t)id));
}

static void
api_series_change(struct api_req *a)
{
	api_series_edit(a, api_id(a->parts[1]));
}

static void
api_occ_list(struct api_req *a)
{
	json_t		*rows, *g;
	char		*cause = NULL;
	const char	*slug = api_query(a, "group"), *days;
	long long	 gid = 0, nd = 90;
	time_t		 now = clock_now();

	if ((days = api_query(a, "days")) != NULL &&
	    ((nd = api_id(days)) < 1 || nd > 3660))
		return (api_fail(a, 400, "days: a number from 1 to 3660"));
	if (slug != NULL) {
		if ((g = store_group_get(a->ctx->store, slug, &cause)) == NULL)
			return (api_refuse(a, 404, cause, "group: no such "
			    "group"));
		gid = json_integer_value(json_object_get(g, "id"));
		json_decref(g);
	}
	if ((rows = store_occ_list(a->ctx->store, gid, now, now + nd * 86400,
	    &cause)) == NULL)
		return (api_refuse(a, 503, cause, "database"));
	api_reply(a, 200, json_pack("{s:o}", "occurrences", rows));
}

static void
api_occ_get(struct api_req *a)
{
	json_t	*o;
	char	*cause = NULL;

	if ((o = store_occ_get(a->ctx->store, api_id(a->parts[1]),
	    &cause)) == NULL)
		return (api_refuse(a, 404, cause, "no such occurrence"));
	api_reply(a, 200, o);
}

/* POST /occurrences/ID/move or /occurrences/ID/cancel. */
static void
api_occ_change(struct api_req *a)
{
	json_t		*body, *o, *notes;
	char		*cause = NULL, *note;
	const char	*start, *reason;
	long long	 id = api_id(a->parts[1]), venue = 0;
	time_t		 now = clock_now();
	int		 moved = -1;

	if ((body = api_body(a)) == NULL)
		return;
	if (strcmp(a->parts[2], "move") == 0) {
		if (api_field(a, body, "start", &start, 1) != 0 ||
		    api_field(a, body, "reason", &reason, 0) != 0 ||
		    api_int_field(a, body, "venue", &venue, 1,
		    LLONG_MAX) != 0 || !api_text_ok(a, "reason", reason, 500))
			goto out;
		if (venue != 0 && !api_venue_exists(a, venue)) {
			api_fail(a, 422, "venue: no venue %lld", venue);
			goto out;
		}
		if ((moved = plan_move(a->ctx->store, id, start, venue, reason,
		    now, &cause)) < 0) {
			api_refuse(a, 422, cause, "move");
			goto out;
		}
	} else if (strcmp(a->parts[2], "cancel") == 0) {
		if (api_field(a, body, "reason", &reason, 0) != 0 ||
		    !api_text_ok(a, "reason", reason, 500))
			goto out;
		if (plan_cancel(a->ctx->store, id, reason, now, &cause) != 0) {
			api_refuse(a, 422, cause, "cancel");
			goto out;
		}
	} else {
		api_fail(a, 404, "%s: not move or cancel", a->parts[2]);
		goto out;
	}
	api_kick(a);
	if ((o = store_occ_get(a->ctx->store, id, &cause)) == NULL) {
		api_refuse(a, 503, cause, "database");
		goto out;
	}
	if (moved >= 0) {
		/* Say what a skipped or doubled hour made of the time. */
		notes = json_array();
		if ((note = sched_wall_note(json_string_value(
		    json_object_get(o, "time_zone")), start)) != NULL)
			json_array_append_new(notes, json_string(note));
		free(note);
		json_object_set_new(o, "notes", notes);
		json_object_set_new(o, "unchanged", json_boolean(moved ==
		    PLAN_UNCHANGED));
	}
	api_reply(a, 200, o);
out:
	json_decref(body);
}

static const char *const api_states[] = { "pending", "sending", "sent",
	"failed", "dead", "skipped", "missed", NULL };

static void
api_outbox(struct api_req *a)
{
	const char	*state = api_query(a, "state"), *v;
	const char *const *s;
	long long	 person = 0, occ = 0, limit = 1000;
	json_t		*rows, *counts;
	char		*cause = NULL;

	if (state != NULL) {
		for (s = api_states; *s != NULL && strcmp(*s, state); s++)
			;
		if (*s == NULL)
			return (api_fail(a, 400, "state: one of pending, "
			    "sending, sent, failed, dead, skipped, missed"));
	}
	if ((v = api_query(a, "person")) != NULL &&
	    (person = api_id(v)) == 0)
		return (api_fail(a, 400, "person: a number"));
	if ((v = api_query(a, "occurrence")) != NULL &&
	    (occ = api_id(v)) == 0)
		return (api_fail(a, 400, "occurrence: a number"));
	if ((v = api_query(a, "limit")) != NULL &&
	    ((limit = api_id(v)) < 1 || limit > 100000))
		return (api_fail(a, 400, "limit: from 1 to 100000"));
	rows = store_out_list(a->ctx->store, state, person, occ, (int)limit,
	    &cause);
	counts = store_out_counts(a->ctx->store, person, occ, &cause);
	if (rows == NULL || counts == NULL) {
		json_decref(rows);
		json_decref(counts);
		return (api_refuse(a, 503, cause, "database"));
	}
	api_reply(a, 200, json_pack("{s:o, s:o}", "messages", rows, "counts",
	    counts));
}

/* DELETE /api/v1/tokens/NAME: the name decoded from the path. */
static void
api_token_revoke(struct api_req *a)
{
	char	*name, *cause = NULL;
	int	 rc;

	if ((name = evhttp_uridecode(a->parts[1], 0, NULL)) == NULL)
		return (api_fail(a, 400, "the name is malformed"));
	rc = store_token_revoke(a->ctx->store, name, &cause);
	if (rc == 0) {
		api_audit(a, "revoke", "token", name);
		api_reply(a, 200, json_pack("{s:s}", "revoked", name));
	} else
		api_refuse(a, rc > 0 ? 404 : 503, cause, "database");
	free(name);
}

/* Tokens: shown once, kept hashed, never listed with their secret. */
static void
api_tokens_list(struct api_req *a)
{
	json_t	*list;
	char	*cause = NULL;

	if ((list = store_token_list(a->ctx->store, &cause)) == NULL)
		return (api_refuse(a, 503, cause, "database"));
	api_reply(a, 200, json_pack("{s:o}", "tokens", list));
}

static void
api_tokens_create(struct api_req *a)
{
	unsigned char	 raw[API_TOKEN_BYTES], hash[32];
	char		 tok[API_TOKEN_BYTES * 2 + 1], *cause = NULL;
	const char	*name;
	json_t		*body;

	if ((body = api_body(a)) == NULL)
		return;
	if (api_field(a, body, "name", &name, 1) != 0 ||
	    !api_text_ok(a, "name", name, 100))
		goto out;
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(tok, sizeof tok, raw, sizeof raw);
	crypto_generichash(hash, sizeof hash, (unsigned char *)tok,
	    strlen(tok), NULL, 0);
	if (store_token_insert(a->ctx->store, name, hash, sizeof hash,
	    &cause) != 0) {
		api_refuse(a, 409, cause, "name");
		goto out;
	}
	api_audit(a, "create", "token", name);
	api_reply(a, 201, json_pack("{s:s, s:s, s:s}", "name", name, "token",
	    tok, "note", "keep it safe: it is not shown again"));
	sodium_memzero(tok, sizeof tok);
out:
	json_decref(body);
}

/* The control socket, or a bearer token we know. */
static int
api_auth(struct api_req *a)
{
	const char	*h;
	unsigned char	 hash[32];

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
	if (!store_token_check(a->ctx->store, hash, sizeof hash))
		return (0);
	snprintf(a->actor, sizeof a->actor, "token");
	return (1);
}

/* Before a row is chosen, what the path names must exist. */
static int
api_load_group(struct api_req *a)
{
	char	*cause = NULL;

	a->group = store_group_get(a->ctx->store, a->parts[1], &cause);
	if (a->group == NULL) {
		api_refuse(a, 404, cause, "no such group");
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
	{ EVHTTP_REQ_POST,	"occurrences/*/*",	api_occ_change },
	{ EVHTTP_REQ_GET,	"outbox",		api_outbox },
	{ EVHTTP_REQ_GET,	"tokens",		api_tokens_list },
	{ EVHTTP_REQ_POST,	"tokens",		api_tokens_create },
	{ EVHTTP_REQ_DELETE,	"tokens/*",		api_token_revoke },
};

/* A known path asked with a method it does not answer: 405, and why. */
static const struct api_allow {
	const char	*pattern;
	const char	*reason;
} api_allows[] = {
	{ "groups",		"use GET or POST" },
	{ "groups/*",		"use GET, PATCH or DELETE" },
	{ "groups/*/members/**", "POST to add a member, DELETE "
				".../members/ID to remove one" },
	{ "people",		"use GET or POST" },
	{ "people/*",		"use GET, PATCH or DELETE" },
	{ "people/*/feed",	"GET the feed's link, or POST for a new one" },
	{ "import/people",	"POST a CSV file" },
	{ "venues",		"use GET or POST" },
	{ "series/**",		"GET or POST /series, PATCH or DELETE "
				"/series/ID" },
	{ "occurrences/**",	"POST /occurrences/ID/move or "
				"/occurrences/ID/cancel" },
	{ "outbox",		"use GET" },
	{ "tokens",		"use GET or POST" },
	{ "tokens/*",		"use DELETE" },
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
	free(copy);
	evhttp_clear_headers(&a.query);
}

void
api_routes(struct http *h, struct convene_ctx *ctx)
{
	http_route_add(h, "/api/v1/", API_ROUTE, HTTP_ANY, HTTP_ROUTE_PREFIX,
	    api_dispatch, ctx);
}
