/*
 * api_people.c: people under /api/v1/people, and many at once from a CSV
 * file at /api/v1/import/people: a person's fields checked (person.c),
 * their calendar feed's link, a link to their preferences page, and a
 * test message through their channel.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>

#include "convene.h"
#include "csv.h"
#include "log.h"
#include "person.h"
#include "util.h"
#include "api_int.h"

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
	char			 hhmm[PERSON_TIME_LEN];

	for (i = 0; i < 2; i++) {
		v = json_object_get(row, keys[i]);
		if (!json_is_integer(v))
			continue;
		person_time(json_integer_value(v), hhmm);
		json_object_set_new(row, keys[i], json_string(hhmm));
	}
	return (row);
}

/* The mistake the API names first, for a new person and for a change. */
#define API_PERSON_N(t)	(sizeof (t) / sizeof (t)[0])
static const enum person_check_field api_person_new[] = { PERSON_NAME,
	PERSON_EMAIL, PERSON_PHONE, PERSON_LANGUAGE, PERSON_STYLE,
	PERSON_CHANNELS, PERSON_REACH, PERSON_LEAD_TIMES, PERSON_QUIET_HOURS };
static const enum person_check_field api_person_change[] = { PERSON_NAME,
	PERSON_EMAIL, PERSON_PHONE, PERSON_LANGUAGE, PERSON_STYLE,
	PERSON_CHANNELS, PERSON_LEAD_TIMES, PERSON_QUIET_HOURS, PERSON_REACH };

/*
 * Check a person given as JSON (every field for a new one, cur NULL;
 * those present for a change to cur) into c, freed with
 * person_checked_free whatever the result.  Returns -1 with *why set to
 * the first mistake.
 */
static int
api_person_check(struct api_req *a, json_t *o, json_t *cur,
    struct person_checked *c, char **why)
{
	static const char *const keys[] = { "name", "email", "phone",
		"language", "style", "channels", "lead_times", "quiet_hours",
		"group", "role", NULL };
	const char *const	*k;
	const char		*v;
	json_t			*val;
	struct person_text	 t;

	memset(c, 0, sizeof *c);
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
	t.name = GET("name");
	t.email = GET("email");
	t.phone = GET("phone");
	t.language = GET("language");
	t.style = GET("style");
	t.channels = GET("channels");
	t.lead_times = GET("lead_times");
	t.quiet_hours = GET("quiet_hours");
#undef GET
	if (person_check(&t, cur, a->ctx->conf->phone_country, c) == 0)
		return (0);
	*why = xstrdup(cur == NULL ? person_check_why(c, api_person_new,
	    API_PERSON_N(api_person_new)) : person_check_why(c,
	    api_person_change, API_PERSON_N(api_person_change)));
	return (-1);
}

/* Everyone, or those in the groups a token limited to groups is for. */
void
api_people_list(struct api_req *a)
{
	char	*cause = NULL, key[32];
	json_t	*row, *p1, *seen = NULL, *out;
	size_t	 i;

	if (api_scoped(a) && (seen = store_token_people(a->ctx->store,
	    a->token, &cause)) == NULL)
		return (api_refuse(a, 503, cause, "database"));
	if ((row = store_person_list(a->ctx->store, &cause)) == NULL) {
		json_decref(seen);
		return (api_refuse(a, 503, cause, "database"));
	}
	out = json_array();
	json_array_foreach(row, i, p1) {
		snprintf(key, sizeof key, "%lld", jint(p1, "id"));
		if (seen == NULL || json_object_get(seen, key) != NULL)
			json_array_append(out, api_person_out(p1));
	}
	json_decref(row);
	json_decref(seen);
	api_reply(a, 200, json_pack("{s:o}", "people", out));
}

/*
 * A new person; with "group" (and "role"), a member of it at once.  A
 * token limited to groups must name one of them: a person in none of
 * its groups would be one it could not see.
 */
void
api_people_create(struct api_req *a)
{
	struct person_checked	 c;
	char			*cause = NULL;
	const char		*slug = NULL, *role = NULL;
	const char *const	*r;
	json_t			*body, *row = NULL, *g = NULL;
	long long		 gid = 0;

	memset(&c, 0, sizeof c);
	if ((body = api_body(a)) == NULL)
		return;
	if (api_field(a, body, "group", &slug, api_scoped(a)) != 0 ||
	    api_field(a, body, "role", &role, 0) != 0)
		goto out;
	if (slug != NULL) {
		if ((g = store_group_get(a->ctx->store, slug, &cause)) ==
		    NULL || !api_group_allowed(a, jint(g, "id"))) {
			api_refuse(a, 404, cause, "group: no such group");
			goto out;
		}
		gid = jint(g, "id");
	}
	for (r = api_roles; role != NULL && *r != NULL &&
	    strcmp(*r, role) != 0; r++)
		;
	if (role != NULL && *r == NULL) {
		api_fail(a, 422, "role: one of member, co-chair, buddy-chair, "
		    "coordinator, observer");
		goto out;
	}
	json_object_del(body, "group");
	json_object_del(body, "role");
	if (api_person_check(a, body, NULL, &c, &cause) != 0) {
		api_refuse(a, 422, cause, "person");
		goto out;
	}
	row = gid == 0 ? store_person_create(a->ctx->store, &c.in, &cause) :
	    store_person_create_in(a->ctx->store, &c.in, gid, role != NULL ?
	    role : "member", &cause);
	if (row == NULL) {
		api_refuse(a, 409, cause, "person");
		goto out;
	}
	api_audit(a, "create", "person", NULL);
	if (gid != 0)
		api_replan(a, 0, jint(row, "id"));
	api_reply(a, 201, api_person_out(row));
out:
	person_checked_free(&c);
	json_decref(g);
	json_decref(body);
}

/*
 * GET /people/ID/feed: the person's calendar feed; POST makes a new
 * link, and the old one stops working at once.
 */
void
api_person_feed(struct api_req *a)
{
	long long	 id = a->id;
	char		*url, *cause = NULL;
	int		 rotate = a->method == EVHTTP_REQ_POST;

	if (rotate && !json_is_null(json_object_get(a->person, "erased_at")))
		return (api_fail(a, 422, "person %lld was erased", id));
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
void
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
void
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

void
api_person_get(struct api_req *a)
{
	json_t	*row = a->person, *sup;
	char	*url;

	a->person = NULL;
	if ((url = feed_url(a->ctx->store, a->ctx->conf->base_url, a->id, 0,
	    NULL)) != NULL)
		json_object_set_new(row, "feed_url", json_string(url));
	free(url);
	/* Who comes with them, listed with the person (api_needs.c). */
	if ((sup = api_supporters(a, a->id)) == NULL) {
		json_decref(row);
		return;
	}
	json_object_set_new(row, "supporters", sup);
	api_reply(a, 200, api_person_out(row));
}

void
api_person_delete(struct api_req *a)
{
	char	*cause = NULL;

	if (api_person_shared(a, a->id))
		return (api_fail(a, 403, "person %lld also belongs to groups "
		    "this token is not for", a->id));

	if (store_person_delete(a->ctx->store, a->id, &cause) != 0)
		return (api_refuse(a, 503, cause, "database"));
	api_audit(a, "delete", "person", a->parts[1]);
	api_kick(a);
	api_reply(a, 200, json_pack("{s:I}", "deleted", (json_int_t)a->id));
}

void
api_person_edit(struct api_req *a)
{
	struct person_checked	 c;
	long long		 id = a->id;
	char			*cause = NULL;
	json_t			*body, *row;

	memset(&c, 0, sizeof c);
	if (!json_is_null(json_object_get(a->person, "erased_at")))
		return (api_fail(a, 422, "person %lld was erased", id));
	if ((body = api_body(a)) == NULL)
		return;
	if (api_person_check(a, body, a->person, &c, &cause) != 0) {
		api_refuse(a, 422, cause, "person");
		goto out;
	}
	if ((row = store_person_update(a->ctx->store, id, &c.in,
	    &cause)) == NULL) {
		api_refuse(a, 409, cause, "person");
		goto out;
	}
	api_audit(a, "update", "person", a->parts[1]);
	api_replan(a, 0, id);
	api_kick(a);
	api_reply(a, 200, api_person_out(row));
out:
	person_checked_free(&c);
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
void
api_import(struct api_req *a)
{
	struct evbuffer		*b = evhttp_request_get_input_buffer(a->req);
	struct person_checked	 chk;
	FILE			*f;
	struct csv		*csv;
	char			**fields, **head = NULL, *cause = NULL;
	const char		*slug = api_query(a, "group"), *role;
	json_t			*errors, *rows, *o, *g = NULL, *row, *seen;
	const char *const	*col;
	size_t			 nf, nhead = 0, i;
	long long		 gid = 0;
	int			 line, rc, ok, began;

	if (slug == NULL && api_scoped(a))
		return (api_fail(a, 422, "group: a token for some groups "
		    "imports into one of them"));
	if (slug != NULL) {
		if ((g = store_group_get(a->ctx->store, slug, &cause)) == NULL)
			return (api_refuse(a, 404, cause, "group: no such "
			    "group"));
		gid = json_integer_value(json_object_get(g, "id"));
		json_decref(g);
		if (!api_group_allowed(a, gid))
			return (api_fail(a, 404, "group: no such group"));
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
			if (api_person_check(a, copy, NULL, &chk, &cause) == 0)
				api_import_dup(a, seen, &chk.in, line, &cause);
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
			person_checked_free(&chk);
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
			api_person_check(a, copy, NULL, &chk, &cause);
			free(cause);
			cause = NULL;
			/* chk points into copy: create before letting it go. */
			row = ok ? store_person_create(a->ctx->store, &chk.in,
			    &cause) : NULL;
			json_decref(copy);
			person_checked_free(&chk);
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
