/*
 * api_answers.c: answers that come by email, under /api/v1/answers/mail,
 * over the control socket only.  "convenectl mail-in" reads a calendar
 * program's iTIP REPLY and posts what it found: the token of the address
 * the reply went to (msg.c signs one for each person and meeting), the
 * UID and RECURRENCE-ID of the event, the answer and the Message-ID.
 * The token says who answered which meeting; the From of a message,
 * which anyone can write, counts for nothing.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>
#include <jansson.h>
#include <sodium.h>

#include "convene.h"
#include "key.h"
#include "sched.h"
#include "util.h"
#include "api_int.h"

#define API_ANSWER_REF_MAX	998	/* a header line, at most */

/*
 * "r.PERSON.MEETING.SIG" as msg.c signs it: 0 and the two ids when the
 * signature is good.
 */
static int
api_answer_token(struct api_req *a, const char *token, long long *person,
    long long *occ)
{
	char		 good[KEY_SIG_LEN], *subject;
	const char	*sig;
	int		 n = 0, ok;

	*person = *occ = 0;
	if (sscanf(token, "r.%lld.%lld.%n", person, occ, &n) != 2 || n == 0 ||
	    *person <= 0 || *occ <= 0)
		return (-1);
	sig = token + n;
	if (strlen(sig) != KEY_SIG_LEN - 1)
		return (-1);
	subject = xprintf("%lld.%lld", *person, *occ);
	key_sign(a->ctx->signing_key, "reply", subject, 0, good);
	ok = sodium_memcmp(good, sig, KEY_SIG_LEN - 1) == 0;
	/* The token must be as signed: no leading zeros, no signs. */
	if (ok) {
		free(subject);
		subject = xprintf("r.%lld.%lld.%s", *person, *occ, sig);
		ok = strcmp(subject, token) == 0;
	}
	free(subject);
	return (ok ? 0 : -1);
}

/*
 * Whether a RECURRENCE-ID names the meeting: its local time as we sent
 * it ("20260312T180000"), or the same instant in UTC, as some programs
 * write it ("20260312T180000Z"), or a date for a date.
 */
static int
api_answer_same_meeting(const struct occurrence *occ, const char *rid)
{
	char	 local[SCHED_LOCAL_LEN], *cause = NULL;
	time_t	 t;
	size_t	 n = strlen(rid);

	if (strcmp(rid, occ->recurrence_id) == 0)
		return (1);
	if (n == 16 && rid[15] == 'Z') {
		if (sched_local_to_utc(occ->time_zone, occ->recurrence_id, &t,
		    &cause) != 0) {
			free(cause);
			return (0);
		}
		if (sched_utc_to_local("UTC", t, local, &cause) != 0) {
			free(cause);
			return (0);
		}
		return (strncmp(local, rid, 15) == 0);
	}
	return (n == 8 && strncmp(rid, occ->recurrence_id, 8) == 0);
}

/* Whether the person is a member of the group. */
static int
api_answer_member(struct api_req *a, long long group, long long person,
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

/*
 * POST /api/v1/answers/mail: {"token", "uid", "recurrence_id" (or
 * none), "answer" (yes, maybe or no), "ref" (the Message-ID, or none)}.
 * 201 recorded, 200 when the ref was recorded before (nothing more is),
 * 403 a token not signed here, 422 a reply to another meeting or one
 * that no longer is.
 */
void
api_answer_mail(struct api_req *a)
{
	struct answer_in	 in;
	struct occurrence	*occ = NULL;
	json_t			*body;
	const char		*token, *uid, *rid, *answer, *ref;
	char			*cause = NULL, *prefix = NULL, *dref = NULL;
	char			*detail;
	long long		 person, occ_id;
	int			 rc;

	if (!http_from_control(a->req))
		return (api_fail(a, 403, "answers by mail come over the "
		    "control socket only"));
	if ((body = api_body(a)) == NULL)
		return;
	if (api_field(a, body, "token", &token, 1) != 0 ||
	    api_field(a, body, "uid", &uid, 1) != 0 ||
	    api_field(a, body, "recurrence_id", &rid, 0) != 0 ||
	    api_field(a, body, "answer", &answer, 1) != 0 ||
	    api_field(a, body, "ref", &ref, 0) != 0)
		goto out;
	if (ref != NULL && (*ref == '\0' || strlen(ref) >
	    API_ANSWER_REF_MAX)) {
		api_fail(a, 422, "ref: must be 1 to %d characters",
		    API_ANSWER_REF_MAX);
		goto out;
	}
	if (strcmp(answer, "yes") != 0 && strcmp(answer, "maybe") != 0 &&
	    strcmp(answer, "no") != 0) {
		api_fail(a, 422, "answer: must be yes, maybe or no");
		goto out;
	}
	if (api_answer_token(a, token, &person, &occ_id) != 0) {
		api_fail(a, 403, "the reply address is not one convene "
		    "signed");
		goto out;
	}
	occ = store_occ_read(a->ctx->store, occ_id, &cause);
	if (occ == NULL) {
		api_refuse(a, 422, cause, "the meeting no longer exists");
		goto out;
	}
	rc = api_answer_member(a, occ->group_id, person, &cause);
	if (rc == -1) {
		api_refuse(a, 503, cause, "database");
		goto out;
	}
	if (rc == 0) {
		api_fail(a, 422, "person %lld is no longer a member of %s",
		    person, occ->group_slug);
		goto out;
	}
	prefix = xprintf("series-%lld@", occ->series_id);
	if (strncmp(uid, prefix, strlen(prefix)) != 0) {
		api_fail(a, 422, "the reply is about %s, not meeting %lld",
		    uid, occ_id);
		goto out;
	}
	if (rid != NULL && !api_answer_same_meeting(occ, rid)) {
		api_fail(a, 422, "the reply is about the meeting of %s, not "
		    "meeting %lld", rid, occ_id);
		goto out;
	}
	memset(&in, 0, sizeof in);
	in.person_id = person;
	in.occurrence_id = occ_id;
	in.answer = answer;
	in.channel = "mail";
	if (ref != NULL)
		in.ref = dref = xprintf("mail:%s", ref);
	in.at = clock_now();
	rc = store_answer_add(a->ctx->store, &in, &cause);
	if (rc == -1) {
		api_refuse(a, 500, cause, "database");
		goto out;
	}
	if (rc == 0) {
		detail = xprintf("%lld person %lld %s", occ_id, person,
		    answer);
		api_audit(a, "answer", "occurrence", detail);
		free(detail);
	}
	api_reply(a, rc == 0 ? 201 : 200, json_pack("{s:b,s:I,s:I,s:s}",
	    "recorded", rc == 0, "person", person, "occurrence", occ_id,
	    "answer", answer));
out:
	free(occ);
	free(prefix);
	free(dref);
	json_decref(body);
}
