/*
 * api_series.c: series of meetings under /api/v1/series and the meetings
 * they give under /api/v1/occurrences: a series is checked against its
 * group's lead times and time zone (a local time the clocks skip or pass
 * twice is said back as a note), changed whole or from one meeting on,
 * and a single meeting moved or cancelled.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "convene.h"
#include "log.h"
#include "sched.h"
#include "util.h"
#include "api_int.h"

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

/*
 * Rows (series or meetings, each with its group's slug) of the groups
 * the token is for; takes rows.
 */
static json_t *
api_seen(struct api_req *a, json_t *rows)
{
	json_t	*seen, *groups, *ok, *r, *g;
	size_t	 i;

	if (!api_scoped(a))
		return (rows);
	ok = json_object();
	if ((groups = store_group_list(a->ctx->store, NULL)) != NULL) {
		json_array_foreach(groups, i, g) {
			if (api_group_allowed(a, jint(g, "id")))
				json_object_set_new(ok, jstr(g, "slug"),
				    json_true());
		}
		json_decref(groups);
	}
	seen = json_array();
	json_array_foreach(rows, i, r) {
		if (json_object_get(ok, jstr(r, "group_slug")) != NULL)
			json_array_append(seen, r);
	}
	json_decref(ok);
	json_decref(rows);
	return (seen);
}

void
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
	if ((g = store_group_get(a->ctx->store, slug, &cause)) == NULL ||
	    !api_group_allowed(a, jint(g, "id"))) {
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

void
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
		if (!api_group_allowed(a, gid))
			return (api_fail(a, 404, "group: no such group"));
	}
	if ((rows = store_series_list(a->ctx->store, gid, &cause)) == NULL)
		return (api_refuse(a, 503, cause, "database"));
	api_reply(a, 200, json_pack("{s:o}", "series", api_seen(a, rows)));
}

void
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

void
api_series_change(struct api_req *a)
{
	api_series_edit(a, api_id(a->parts[1]));
}

void
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
		if (!api_group_allowed(a, gid))
			return (api_fail(a, 404, "group: no such group"));
	}
	if ((rows = store_occ_list(a->ctx->store, gid, now, now + nd * 86400,
	    &cause)) == NULL)
		return (api_refuse(a, 503, cause, "database"));
	api_reply(a, 200, json_pack("{s:o}", "occurrences",
	    api_seen(a, rows)));
}

void
api_occ_get(struct api_req *a)
{
	json_t	*o;
	char	*cause = NULL;

	if ((o = store_occ_get(a->ctx->store, api_id(a->parts[1]),
	    &cause)) == NULL)
		return (api_refuse(a, 404, cause, "no such occurrence"));
	api_reply(a, 200, o);
}

/*
 * GET /occurrences/ID/answers: who said they can come, every answer kept
 * with its time and channel, oldest first, and each person's latest (the
 * one that counts).  A note may say something personal: every read is
 * in the audit log.
 */
/*
 * Who is coming: each member whose latest answer is yes, and each of
 * their supporters (put in their row), once however many they come
 * with; -1 on error.
 */
static long long
api_occ_attending(struct api_req *a, json_t *latest, char **cause)
{
	json_t		*row, *sup, *s, *seen = json_object();
	char		 key[32];
	size_t		 i, j;

	json_array_foreach(latest, i, row) {
		if (strcmp(jstr(row, "answer"), "yes") != 0)
			continue;
		snprintf(key, sizeof key, "%lld", jint(row, "person"));
		json_object_set_new(seen, key, json_true());
		if ((sup = store_supporter_list(a->ctx->store, jint(row,
		    "person"), cause)) == NULL) {
			json_decref(seen);
			return (-1);
		}
		json_array_foreach(sup, j, s) {
			snprintf(key, sizeof key, "%lld", jint(s,
			    "supporter"));
			json_object_set_new(seen, key, json_true());
		}
		json_object_set_new(row, "supporters", sup);
	}
	j = json_object_size(seen);
	json_decref(seen);
	return ((long long)j);
}

void
api_occ_answers(struct api_req *a)
{
	json_t		*o, *hist, *latest, *row, *list;
	const char	*k;
	char		*cause = NULL, key[32];
	long long	 id = api_id(a->parts[1]), attending;
	size_t		 i;

	if ((o = store_occ_get(a->ctx->store, id, &cause)) == NULL)
		return (api_refuse(a, 404, cause, "no such occurrence"));
	json_decref(o);
	if ((hist = store_answer_list(a->ctx->store, id, &cause)) == NULL)
		return (api_refuse(a, 503, cause, "database"));
	/* Oldest first, so the last seen for a person is their latest. */
	latest = json_object();
	json_array_foreach(hist, i, row) {
		snprintf(key, sizeof key, "%lld", jint(row, "person"));
		json_object_set(latest, key, row);
	}
	list = json_array();
	json_object_foreach(latest, k, row)
		json_array_append_new(list, json_deep_copy(row));
	json_decref(latest);
	if ((attending = api_occ_attending(a, list, &cause)) < 0) {
		json_decref(list);
		json_decref(hist);
		return (api_refuse(a, 503, cause, "database"));
	}
	snprintf(key, sizeof key, "%lld", id);
	api_audit(a, "read answers", "occurrence", key);
	api_reply(a, 200, json_pack("{s:I, s:o, s:o, s:I}", "occurrence",
	    (json_int_t)id, "latest", list, "history", hist, "attending",
	    (json_int_t)attending));
}

/* POST /occurrences/ID/move or /occurrences/ID/cancel. */
void
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
