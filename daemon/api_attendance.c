/*
 * api_attendance.c: who came to a meeting, under
 * /api/v1/occurrences/ID/attendance.  GET lists it; POST records it for
 * the whole meeting in one call, the usual case once it has begun:
 *
 *	{"from_answers": true, "people": [{"person": 12, "status":
 *	    "absent"}, {"person": 13, "status": "apologies", "reason":
 *	    "ill"}]}
 *
 * from_answers marks the members not yet recorded by their latest
 * answer (yes attended, no apologies); the people listed are recorded
 * as listed after it, and the supporters of members who came with
 * them (store_attendance.c says exactly how).  All of it is one
 * transaction, each change an audit line; the reply is the list as it
 * then stands.  Apologies are their own status, never counted absent.
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

#define API_ATTEND_REASON_MAX	500	/* characters, as the schema */
#define API_ATTEND_PEOPLE_MAX	1000	/* people in one call */

/* The list and its counts: 200, or a refusal. */
static void
api_attend_reply(struct api_req *a, long long id)
{
	json_t		*list, *row;
	char		*cause = NULL;
	long long	 attended = 0, apologies = 0, absent = 0;
	size_t		 i;
	const char	*s;

	if ((list = store_attendance_list(a->ctx->store, id, &cause)) == NULL)
		return (api_refuse(a, 503, cause, "database"));
	json_array_foreach(list, i, row) {
		s = jstr(row, "status");
		if (strcmp(s, "attended") == 0)
			attended++;
		else if (strcmp(s, "apologies") == 0)
			apologies++;
		else
			absent++;
	}
	api_reply(a, 200, json_pack("{s:I, s:o, s:I, s:I, s:I}",
	    "occurrence", (json_int_t)id, "attendance", list,
	    "attended", (json_int_t)attended, "apologies",
	    (json_int_t)apologies, "absent", (json_int_t)absent));
}

/* GET /occurrences/ID/attendance */
void
api_occ_attendance(struct api_req *a)
{
	json_t		*o;
	char		*cause = NULL, key[32];
	long long	 id = api_id(a->parts[1]);

	if ((o = store_occ_get(a->ctx->store, id, &cause)) == NULL)
		return (api_refuse(a, 404, cause, "no such occurrence"));
	json_decref(o);
	snprintf(key, sizeof key, "%lld", id);
	api_audit(a, "read attendance", "occurrence", key);
	api_attend_reply(a, id);
}

/* One entry of "people": 0, or -1 with a reply. */
static int
api_attend_mark(struct api_req *a, json_t *e, size_t i,
    struct attendance_mark *m)
{
	json_t		*v;
	const char	*s;
	char		 key[48];

	snprintf(key, sizeof key, "people[%zu]", i);
	if (!json_is_object(e)) {
		api_fail(a, 422, "%s: must be an object {\"person\", "
		    "\"status\", \"reason\"}", key);
		return (-1);
	}
	v = json_object_get(e, "person");
	if (!json_is_integer(v) || json_integer_value(v) < 1) {
		api_fail(a, 422, "%s.person: must be a person's number", key);
		return (-1);
	}
	m->person_id = json_integer_value(v);
	s = json_string_value(json_object_get(e, "status"));
	if (!store_attendance_valid(s)) {
		api_fail(a, 422, "%s.status: must be attended, apologies or "
		    "absent", key);
		return (-1);
	}
	m->status = s;
	v = json_object_get(e, "reason");
	m->reason = NULL;
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_string(v)) {
			api_fail(a, 422, "%s.reason: must be text", key);
			return (-1);
		}
		m->reason = json_string_value(v);
		snprintf(key, sizeof key, "people[%zu].reason", i);
		if (!api_text_ok(a, key, m->reason, API_ATTEND_REASON_MAX))
			return (-1);
	}
	return (0);
}

/* POST /occurrences/ID/attendance */
void
api_occ_attend(struct api_req *a)
{
	struct attendance_in	 in;
	struct attendance_mark	*marks = NULL;
	json_t			*body, *people, *e;
	char			*cause = NULL;
	long long		 id = api_id(a->parts[1]);
	size_t			 i, n = 0;
	int			 from, changed, rc;

	if ((body = api_body(a)) == NULL)
		return;
	if (api_bool(a, body, "from_answers", &from) != 0)
		goto out;
	people = json_object_get(body, "people");
	if (people != NULL && !json_is_null(people)) {
		if (!json_is_array(people)) {
			api_fail(a, 422, "people: must be a list");
			goto out;
		}
		n = json_array_size(people);
	}
	if (n > API_ATTEND_PEOPLE_MAX) {
		api_fail(a, 422, "people: more than %d in one call",
		    API_ATTEND_PEOPLE_MAX);
		goto out;
	}
	if (!from && n == 0) {
		api_fail(a, 422, "nothing to record: give from_answers or "
		    "people");
		goto out;
	}
	marks = xcalloc(n > 0 ? n : 1, sizeof *marks);
	json_array_foreach(people, i, e) {
		if (api_attend_mark(a, e, i, &marks[i]) != 0)
			goto out;
	}
	memset(&in, 0, sizeof in);
	in.occurrence_id = id;
	in.from_answers = from;
	in.marks = marks;
	in.nmarks = n;
	in.actor = a->actor;
	in.now = clock_now();
	rc = store_attendance_record(a->ctx->store, &in, &changed, &cause);
	switch (rc) {
	case 0:
		api_attend_reply(a, id);
		break;
	case STORE_ATTEND_NONE:
		api_refuse(a, 404, cause, "no such occurrence");
		break;
	case STORE_ATTEND_EARLY:
		api_refuse(a, 409, cause, "the meeting has not started");
		break;
	case STORE_ATTEND_REFUSED:
		api_refuse(a, 422, cause, "refused");
		break;
	default:
		api_refuse(a, 503, cause, "database");
		break;
	}
out:
	free(marks);
	json_decref(body);
}
