/*
 * api_needs.c: what members need to take part, for coordinators, under
 * /api/v1/.  The requests of a meeting (GET, filtered by ?state= and
 * ?need=, each with its history) and one added for a member (POST
 * /occurrences/ID/requests); a request moved on (POST /requests/ID:
 * arranged, unable with the reason, withdrawn, requested again); a
 * member's standing needs (GET and PUT /people/ID/needs).  Needs are
 * health and disability data: every read of them goes through
 * api_needs_audit, which writes who read whose.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>
#include <jansson.h>

#include "convene.h"
#include "util.h"
#include "api_int.h"

#define API_NEED_DETAIL_MAX	500	/* characters */

/*
 * The one way needs are read: the audit line, then the caller may
 * answer.  What the reader may see is decided here too, as it grows.
 */
int
api_needs_audit(struct api_req *a, const char *object, long long id)
{
	char	detail[32];

	snprintf(detail, sizeof detail, "%lld", id);
	if (store_audit(a->ctx->store, a->actor, "read needs", object,
	    detail) != 0) {
		api_fail(a, 503, "database: the read could not be recorded");
		return (-1);
	}
	return (0);
}

/* A need's label in English, for coordinators; its code if unknown. */
static const char *
api_need_label(struct api_req *a, const char *code)
{
	const struct need_kind	*k = config_need(a->ctx->conf, code);
	const char		*l;

	if (k == NULL || (l = config_need_label(k, "en")) == NULL)
		return (code);
	return (l);
}

/* Each row given its label. */
static void
api_need_labels(struct api_req *a, json_t *rows)
{
	json_t	*row;
	size_t	 i;

	json_array_foreach(rows, i, row)
		json_object_set_new(row, "label", json_string(api_need_label(
		    a, jstr(row, "need"))));
}

/* A code the catalogue has, or "other" with its detail; 0 when good. */
static int
api_need_check(struct api_req *a, const char *key, const char *code,
    const char *detail)
{
	if (code == NULL || config_need(a->ctx->conf, code) == NULL) {
		api_fail(a, 422, "%s: \"%s\" is not in the catalogue of "
		    "needs", key, code != NULL ? code : "");
		return (-1);
	}
	if (!api_text_ok(a, "detail", detail, API_NEED_DETAIL_MAX))
		return (-1);
	if (strcmp(code, "other") == 0 && (detail == NULL ||
	    *detail == '\0')) {
		api_fail(a, 422, "detail: say what is needed");
		return (-1);
	}
	return (0);
}

/* GET /occurrences/ID/requests[?state=S][&need=CODE] */
void
api_occ_requests(struct api_req *a)
{
	json_t		*o, *list;
	const char	*state = api_query(a, "state");
	const char	*need = api_query(a, "need");
	char		*cause = NULL;
	long long	 id = api_id(a->parts[1]);

	if ((o = store_occ_get(a->ctx->store, id, &cause)) == NULL)
		return (api_refuse(a, 404, cause, "no such occurrence"));
	json_decref(o);
	if (state != NULL && !store_need_state_valid(state))
		return (api_fail(a, 422, "state: \"%s\" is not requested, "
		    "arranged, unable or withdrawn", state));
	if (api_needs_audit(a, "occurrence", id) != 0)
		return;
	list = store_need_list(a->ctx->store, id, state, need, &cause);
	if (list == NULL)
		return (api_refuse(a, 503, cause, "database"));
	api_need_labels(a, list);
	api_reply(a, 200, json_pack("{s:I, s:o}", "occurrence",
	    (json_int_t)id, "requests", list));
}

/* Whether the person is a member of the meeting's group. */
static int
api_need_member(struct api_req *a, long long group, long long person,
    char **cause)
{
	json_t	*list, *m;
	size_t	 i;
	int	 found = 0;

	if ((list = store_member_list(a->ctx->store, group, cause)) == NULL)
		return (-1);
	json_array_foreach(list, i, m) {
		if (jint(m, "id") == person)
			found = 1;
	}
	json_decref(list);
	return (found);
}

/* The request as it is now, answered with code. */
static void
api_need_reply(struct api_req *a, int code, long long id)
{
	json_t	*r;
	char	*cause = NULL;

	if (api_needs_audit(a, "request", id) != 0)
		return;
	if ((r = store_need_get(a->ctx->store, id, &cause)) == NULL)
		return (api_refuse(a, 503, cause, "database"));
	json_object_set_new(r, "label", json_string(api_need_label(a,
	    jstr(r, "need"))));
	api_reply(a, code, r);
}

/* POST /occurrences/ID/requests {"person", "need", "detail"} */
void
api_occ_request_add(struct api_req *a)
{
	struct need_in		 in;
	struct occurrence	*occ = NULL;
	json_t			*body, *p;
	const char		*need, *detail;
	char			*cause = NULL, *what;
	long long		 person = 0, id, occ_id = api_id(a->parts[1]);
	int			 rc;

	if ((body = api_body(a)) == NULL)
		return;
	if ((occ = store_occ_read(a->ctx->store, occ_id, &cause)) == NULL) {
		api_refuse(a, 404, cause, "no such occurrence");
		goto out;
	}
	if (api_int_field(a, body, "person", &person, 1, INT64_MAX) != 0 ||
	    api_field(a, body, "need", &need, 1) != 0 ||
	    api_field(a, body, "detail", &detail, 0) != 0)
		goto out;
	if (person == 0) {
		api_fail(a, 422, "person: this field is needed");
		goto out;
	}
	if (api_need_check(a, "need", need, detail) != 0)
		goto out;
	if ((p = store_person_get(a->ctx->store, person, &cause)) == NULL) {
		api_refuse(a, 422, cause, "person: no such person");
		goto out;
	}
	json_decref(p);
	if ((rc = api_need_member(a, occ->group_id, person, &cause)) != 1) {
		if (rc < 0)
			api_refuse(a, 503, cause, "database");
		else
			api_fail(a, 422, "person: %lld is not a member of %s",
			    person, occ->group_slug);
		goto out;
	}
	if (strcmp(occ->status, "cancelled") == 0) {
		api_fail(a, 409, "occurrence %lld is cancelled", occ_id);
		goto out;
	}
	memset(&in, 0, sizeof in);
	in.person_id = person;
	in.occurrence_id = occ_id;
	in.need = need;
	in.detail = detail;
	in.actor = a->actor;
	in.now = clock_now();
	rc = store_need_request(a->ctx->store, &in, &id, &cause);
	if (rc < 0) {
		api_refuse(a, 422, cause, "database");
		goto out;
	}
	if (rc == 0) {
		what = xprintf("%lld occurrence %lld person %lld %s", id,
		    occ_id, person, need);
		api_audit(a, "request", "access request", what);
		free(what);
	}
	api_need_reply(a, rc == 0 ? 201 : 200, id);
out:
	free(occ);
	json_decref(body);
}

/* POST /requests/ID {"state", "reason"} */
void
api_request_set(struct api_req *a)
{
	json_t		*body;
	const char	*state, *reason;
	char		*cause = NULL, *what;
	long long	 id = api_id(a->parts[1]);
	int		 rc;

	if (id == 0)
		return (api_fail(a, 404, "requests are numbered"));
	if ((body = api_body(a)) == NULL)
		return;
	if (api_field(a, body, "state", &state, 1) != 0 ||
	    api_field(a, body, "reason", &reason, 0) != 0 ||
	    !api_text_ok(a, "reason", reason, API_NEED_DETAIL_MAX))
		goto out;
	rc = store_need_set(a->ctx->store, id, state, reason, a->actor,
	    clock_now(), &cause);
	if (rc == -1 && cause != NULL && strstr(cause, "no such") != NULL) {
		api_refuse(a, 404, cause, "no such request");
		goto out;
	}
	if (rc == -1) {
		api_refuse(a, 503, cause, "database");
		goto out;
	}
	if (rc == STORE_NEED_REFUSED) {
		api_refuse(a, 422, cause, "state");
		goto out;
	}
	if (rc == 0) {
		what = xprintf("%lld %s", id, state);
		api_audit(a, "set", "access request", what);
		free(what);
		api_kick(a);
	}
	api_need_reply(a, 200, id);
out:
	json_decref(body);
}

/* A person's standing needs, labelled, as the API shows them. */
static void
api_needs_reply(struct api_req *a, int code)
{
	json_t	*list;
	char	*cause = NULL;

	if (api_needs_audit(a, "person", a->id) != 0)
		return;
	if ((list = store_need_standing(a->ctx->store, a->id, &cause)) ==
	    NULL)
		return (api_refuse(a, 503, cause, "database"));
	api_need_labels(a, list);
	api_reply(a, code, json_pack("{s:I, s:o}", "person",
	    (json_int_t)a->id, "needs", list));
}

/* GET /people/ID/needs */
void
api_person_needs(struct api_req *a)
{
	api_needs_reply(a, 200);
}

/*
 * PUT /people/ID/needs {"needs": ["bsl", {"need": "other", "detail":
 * "..."}]}: the whole list, replaced.
 */
void
api_person_needs_set(struct api_req *a)
{
	json_t		*body, *list, *v, *want;
	const char	*code, *detail;
	char		*cause = NULL, *what;
	size_t		 i;
	int		 rc;

	if ((body = api_body(a)) == NULL)
		return;
	list = json_object_get(body, "needs");
	if (!json_is_array(list)) {
		api_fail(a, 422, "needs: must be a list of needs");
		json_decref(body);
		return;
	}
	want = json_array();
	json_array_foreach(list, i, v) {
		detail = "";
		if (json_is_string(v))
			code = json_string_value(v);
		else if (json_is_object(v)) {
			if (api_field(a, v, "need", &code, 1) != 0 ||
			    api_field(a, v, "detail", &detail, 0) != 0)
				goto out;
			if (detail == NULL)
				detail = "";
		} else {
			api_fail(a, 422, "needs: each is a code or "
			    "{\"need\", \"detail\"}");
			goto out;
		}
		if (api_need_check(a, "needs", code, detail) != 0)
			goto out;
		json_array_append_new(want, json_pack("{s:s, s:s}", "need",
		    code, "detail", detail));
	}
	rc = store_need_standing_set(a->ctx->store, a->id, want, a->actor,
	    clock_now(), &cause);
	if (rc != 0) {
		api_refuse(a, rc == STORE_NEED_REFUSED ? 422 : 503, cause,
		    "database");
		goto out;
	}
	what = xprintf("%lld: %zu needs", a->id, json_array_size(want));
	api_audit(a, "set needs", "person", what);
	free(what);
	api_needs_reply(a, 200);
out:
	json_decref(want);
	json_decref(body);
}

/*
 * A member's supporters, read through the audit as needs are; NULL
 * when that failed, answered already.
 */
json_t *
api_supporters(struct api_req *a, long long person)
{
	json_t	*list;
	char	*cause = NULL;

	if ((list = store_supporter_list(a->ctx->store, person,
	    &cause)) == NULL) {
		api_refuse(a, 503, cause, "database");
		return (NULL);
	}
	/* Who comes with a member says something of their needs. */
	if (json_array_size(list) > 0 && api_needs_audit(a, "supporters",
	    person) != 0) {
		json_decref(list);
		return (NULL);
	}
	return (list);
}

static void
api_supporters_reply(struct api_req *a, int code)
{
	json_t	*list;

	if ((list = api_supporters(a, a->id)) == NULL)
		return;
	api_reply(a, code, json_pack("{s:I, s:o}", "person",
	    (json_int_t)a->id, "supporters", list));
}

/* GET /people/ID/supporters */
void
api_person_supporters(struct api_req *a)
{
	api_supporters_reply(a, 200);
}

/*
 * POST /people/ID/supporters {"supporter", "role", "copy_reminders",
 * "consent_by"}: linked only with the member's consent, recorded.
 */
void
api_person_supporter_add(struct api_req *a)
{
	struct supporter_in	 in;
	json_t			*body, *p;
	const char		*role, *by;
	char			*cause = NULL, *what;
	long long		 supporter = 0;
	int			 copy;

	if ((body = api_body(a)) == NULL)
		return;
	if (api_int_field(a, body, "supporter", &supporter, 1,
	    INT64_MAX) != 0 || api_field(a, body, "role", &role, 0) != 0 ||
	    api_bool(a, body, "copy_reminders", &copy) != 0 ||
	    api_field(a, body, "consent_by", &by, 0) != 0 ||
	    !api_text_ok(a, "consent_by", by, 200))
		goto out;
	if (supporter == 0) {
		api_fail(a, 422, "supporter: this field is needed");
		goto out;
	}
	if (supporter == a->id) {
		api_fail(a, 422, "supporter: not the member themself");
		goto out;
	}
	if (role == NULL)
		role = "supporter";
	if (strcmp(role, "personal-assistant") != 0 &&
	    strcmp(role, "supporter") != 0) {
		api_fail(a, 422, "role: personal-assistant or supporter");
		goto out;
	}
	if (by == NULL || *by == '\0') {
		api_fail(a, 422, "consent_by: a supporter is linked only with "
		    "the member's consent; say who gave it");
		goto out;
	}
	/* A token for some groups links only people it can see. */
	if (!api_person_allowed(a, supporter) || (p = store_person_get(
	    a->ctx->store, supporter, &cause)) == NULL) {
		api_refuse(a, 422, cause, "supporter: no such person");
		goto out;
	}
	json_decref(p);
	memset(&in, 0, sizeof in);
	in.person_id = a->id;
	in.supporter_id = supporter;
	in.role = role;
	in.copy_reminders = copy;
	in.consent_by = by;
	in.now = clock_now();
	if (store_supporter_set(a->ctx->store, &in, &cause) != 0) {
		api_refuse(a, 503, cause, "database");
		goto out;
	}
	what = xprintf("%lld: %lld as %s, consent by %s", a->id, supporter,
	    role, by);
	api_audit(a, "link supporter", "person", what);
	free(what);
	/* Copies of the member's reminders start or stop. */
	api_replan(a, 0, a->id);
	api_supporters_reply(a, 201);
out:
	json_decref(body);
}

/* DELETE /people/ID/supporters/SUPPORTER */
void
api_person_supporter_remove(struct api_req *a)
{
	char		*cause = NULL, *what;
	long long	 supporter = api_id(a->parts[3]);
	int		 rc;

	rc = store_supporter_remove(a->ctx->store, a->id, supporter, &cause);
	if (rc < 0)
		return (api_refuse(a, 503, cause, "database"));
	if (rc == 0)
		return (api_fail(a, 404, "%lld is not a supporter of %lld",
		    supporter, a->id));
	what = xprintf("%lld: %lld", a->id, supporter);
	api_audit(a, "unlink supporter", "person", what);
	free(what);
	api_replan(a, 0, a->id);
	api_supporters_reply(a, 200);
}
