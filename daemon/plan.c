/*
 * plan.c: the planner.  For every occurrence inside the horizon, every
 * member, every lead time and the member's first channel, one outbox row;
 * and a week before, one gentle reminder (a nudge) to each member who is
 * not an observer and has not said whether they can come.  A member's
 * supporter who asked for copies gets one of each of the member's
 * reminders, in the supporter's own channel, with the same lead and due
 * time; it comes and goes with the member's own reminder.
 * Any change re-plans idempotently: rows that no longer apply are
 * withdrawn (skipped, with the reason), new ones are added, nothing sent
 * is touched.  A move or a cancel withdraws the meeting's pending
 * reminders and plans a notice to every member in their own channel.
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

#define PLAN_MAX_LEADS	8
#define PLAN_NUDGE_LEAD	"P7D"	/* the gentle reminder, before the start */

/* The first channel that sends something: "feed" means only the feed. */
static int
plan_first_channel(const char *channels, char *out, size_t len)
{
	const char	*p = channels;
	size_t		 n;

	while (p != NULL && *p != '\0') {
		n = strcspn(p, ",");
		if ((n == 5 && strncmp(p, "email", 5) == 0) ||
		    (n == 3 && strncmp(p, "sms", 3) == 0)) {
			snprintf(out, len, "%.*s", (int)n, p);
			return (0);
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return (-1);
}

/* The channel after this one in the person's list, for a fallback. */
int
plan_next_channel(const char *channels, const char *after, char *out,
    size_t len)
{
	const char	*p = channels;
	size_t		 n;
	int		 seen = 0;

	while (p != NULL && *p != '\0') {
		n = strcspn(p, ",");
		if (seen && ((n == 5 && strncmp(p, "email", 5) == 0) ||
		    (n == 3 && strncmp(p, "sms", 3) == 0))) {
			snprintf(out, len, "%.*s", (int)n, p);
			return (0);
		}
		if (strlen(after) == n && strncmp(p, after, n) == 0)
			seen = 1;
		p += n;
		if (*p == ',')
			p++;
	}
	return (-1);
}

/* Parse "P7D,P1D" into canonical leads; bad entries are dropped. */
static size_t
plan_leads(const char *list, char canon[][SCHED_LEAD_LEN],
    struct sched_lead *leads)
{
	char	*copy, *tok, *save;
	size_t	 n = 0;

	copy = xstrdup(list);
	for (tok = strtok_r(copy, ", ", &save); tok != NULL && n <
	    PLAN_MAX_LEADS; tok = strtok_r(NULL, ", ", &save)) {
		if (sched_lead_parse(tok, &leads[n], canon[n], NULL) == 0)
			n++;
	}
	free(copy);
	return (n);
}

/* Check a list of lead times as a person or group gives it. */
int
plan_leads_valid(const char *list, char **out, char **cause)
{
	char			*copy, *tok, *save, *acc = NULL, *t;
	char			 canon[SCHED_LEAD_LEN];
	struct sched_lead	 lead;
	size_t			 n = 0;

	copy = xstrdup(list);
	for (tok = strtok_r(copy, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save)) {
		if (sched_lead_parse(tok, &lead, canon, cause) != 0) {
			cause_set(cause, "lead_times: bad entry");
			goto fail;
		}
		if (++n > PLAN_MAX_LEADS) {
			cause_set(cause, "lead_times: at most %d",
			    PLAN_MAX_LEADS);
			goto fail;
		}
		t = xprintf("%s%s%s", acc ? acc : "", acc ? "," : "", canon);
		free(acc);
		acc = t;
	}
	if (n == 0) {
		cause_set(cause, "lead_times: give at least one, such as P1D");
		goto fail;
	}
	free(copy);
	if (out != NULL)
		*out = acc;
	else
		free(acc);
	return (0);
fail:
	free(copy);
	free(acc);
	return (-1);
}

/*
 * Lead times parsed once for a run of rows that share them (members
 * mostly keep the group's), and their due times for one start.
 */
struct plan_leadset {
	char			*list;		/* NULL: none parsed yet */
	char			 canon[PLAN_MAX_LEADS][SCHED_LEAD_LEN];
	struct sched_lead	 leads[PLAN_MAX_LEADS];
	time_t			 dues[PLAN_MAX_LEADS];
	size_t			 n;
};

/* Make set hold list's leads (and, with tz, their dues before start). */
static void
plan_leadset(struct plan_leadset *set, const char *list, time_t start,
    const char *tz)
{
	size_t	j;

	if (set->list != NULL && strcmp(set->list, list) == 0)
		return;
	free(set->list);
	set->list = xstrdup(list);
	set->n = plan_leads(list, set->canon, set->leads);
	for (j = 0; tz != NULL && j < set->n; j++)
		set->dues[j] = sched_due(start, tz, &set->leads[j]);
}

/* Is a pending reminder (lead, channel) one this plan wants still? */
static int
plan_wanted(const struct plan_pending *r, struct plan_leadset *set)
{
	char	first[8];
	size_t	j;

	if (!r->member)
		return (0);
	/* The first channel; a later one only as a fallback from a failure. */
	if (!list_has(r->channels, r->channel))
		return (0);
	if (!r->fallback && (plan_first_channel(r->channels, first,
	    sizeof first) != 0 || strcmp(first, r->channel) != 0))
		return (0);
	/* A nudge asks a member; an observer is not asked. */
	if (strcmp(r->kind, "nudge") == 0)
		return (!r->observer);
	plan_leadset(set, r->lead_times, 0, NULL);
	for (j = 0; j < set->n; j++) {
		if (strcmp(set->canon[j], r->lead) == 0)
			return (1);
	}
	return (0);
}

/* A reminder to withdraw, and why. */
struct plan_skip {
	long long	 id;
	const char	*why;
};

/* What planning one occurrence carries from row to row. */
struct plan_run {
	struct store		*st;
	struct outbox_in	 in;
	int			 seq;
	time_t			 start;
	const char		*tz;
	struct plan_leadset	 set;
	struct plan_skip	*skips;
	size_t			 nskips, maxskips;
	char			**cause;
};

/* A pending reminder: withdrawn (after the walk) if it no longer applies. */
static int
plan_pending_one(const struct plan_pending *r, void *arg)
{
	struct plan_run	*run = arg;
	const char	*why = NULL;

	if (r->sequence != run->seq)
		why = "meeting moved";
	else if (!plan_wanted(r, &run->set))
		why = "no longer wanted: membership or preferences changed";
	if (why == NULL)
		return (0);
	if (run->nskips == run->maxskips) {
		run->maxskips = run->maxskips ? run->maxskips * 2 : 64;
		run->skips = reallocarray(run->skips, run->maxskips,
		    sizeof *run->skips);
		if (run->skips == NULL)
			fatal("reallocarray");
	}
	run->skips[run->nskips].id = r->id;
	run->skips[run->nskips++].why = why;
	return (0);
}

/* A slice's members counted, and the last of them. */
struct plan_count {
	int		 n;
	long long	 last;
};

static int
plan_member_count(const struct plan_member *m, void *arg)
{
	struct plan_count	*c = arg;

	c->n++;
	c->last = m->id;
	return (0);
}

/* A member with lead times of their own: their reminders. */
static int
plan_member_own(const struct plan_member *m, void *arg)
{
	struct plan_run	*run = arg;
	char		 channel[8];
	size_t		 j;

	if (!m->own_leads)
		return (0);
	if (plan_first_channel(m->channels, channel, sizeof channel) != 0)
		return (0);	/* the calendar feed only */
	/* Members often share leads: work them out once. */
	plan_leadset(&run->set, m->lead_times, run->start, run->tz);
	for (j = 0; j < run->set.n; j++) {
		if (run->set.dues[j] <= run->in.now ||
		    run->set.dues[j] >= run->start)
			continue;
		run->in.person_id = m->id;
		run->in.lead = run->set.canon[j];
		run->in.channel = channel;
		run->in.due_at = run->set.dues[j];
		if (store_plan_insert(run->st, &run->in, run->cause) != 0)
			return (-1);
	}
	return (0);
}

/*
 * Plan one occurrence's reminders as things stand now; withdraw those
 * that no longer apply.  Runs inside the caller's transaction.  Only for
 * the members whose id comes after after, at most limit of them (-1:
 * every one); *next is the last id planned when more are left, else 0.
 */
static int
plan_occ_slice(struct store *st, long long occ_id, time_t now,
    long long after, int limit, long long *next, char **cause)
{
	char			 canon[PLAN_MAX_LEADS][SCHED_LEAD_LEN];
	struct sched_lead	 leads[PLAN_MAX_LEADS];
	struct plan_run		 run;
	struct plan_count	 count;
	struct occurrence	*occ;
	const char		*status;
	long long		 group, upto = LLONG_MAX;
	time_t			 due;
	size_t			 i, j, n = 0;
	int			 rc = -1;

	*next = 0;
	if ((occ = store_occ_read(st, occ_id, cause)) == NULL) {
		cause_set(cause, "no occurrence %lld", occ_id);
		return (-1);
	}
	memset(&run, 0, sizeof run);
	run.st = st;
	run.cause = cause;
	status = occ->status;
	run.tz = occ->time_zone;
	run.start = occ->start_at;
	run.seq = occ->sequence;
	group = occ->group_id;
	if (strcmp(status, "cancelled") == 0 || strcmp(status, "removed") ==
	    0) {
		rc = store_plan_skip_occ(st, occ_id, strcmp(status,
		    "cancelled") == 0 ? "meeting cancelled" :
		    "meeting no longer in its series", cause);
		goto done;
	}
	/* A full slice: the rest after its last member, another time. */
	if (limit > 0) {
		memset(&count, 0, sizeof count);
		if (store_plan_members(st, group, after, limit,
		    plan_member_count, &count, cause) != 0)
			goto done;
		if (count.n == limit)
			*next = upto = count.last;
	}

	/* Withdraw what no longer applies. */
	if (store_plan_pending(st, occ_id, group, after, upto,
	    plan_pending_one, &run, cause) != 0)
		goto done;
	for (i = 0; i < run.nskips; i++) {
		if (store_plan_skip(st, run.skips[i].id, run.skips[i].why,
		    cause) != 0)
			goto done;
	}

	/* Add what should be there. */
	run.in.occurrence_id = occ_id;
	run.in.kind = "reminder";
	run.in.sequence = run.seq;
	run.in.now = now;
	/* Everyone on the group's lead times, one statement a lead. */
	n = plan_leads(occ->lead_times, canon, leads);
	for (j = 0; j < n; j++) {
		due = sched_due(run.start, run.tz, &leads[j]);
		if (due <= now || due >= run.start)
			continue;
		run.in.lead = canon[j];
		run.in.due_at = due;
		if (store_plan_insert_group(st, group, after, upto, &run.in,
		    cause) != 0)
			goto done;
	}
	/* Then those with lead times of their own. */
	free(run.set.list);
	run.set.list = NULL;
	if (store_plan_members(st, group, after, limit, plan_member_own,
	    &run, cause) != 0)
		goto done;
	/* Copies of those reminders to supporters who asked for them. */
	if (store_plan_copies_skip(st, occ_id, group, after, upto, run.seq,
	    now, cause) != 0 || store_plan_copies(st, group, after, upto,
	    &run.in, cause) != 0)
		goto done;
	/*
	 * A week before, a gentle reminder to those who have not answered;
	 * none for a meeting planned less than a week ahead.
	 */
	n = plan_leads(PLAN_NUDGE_LEAD, canon, leads);
	due = n == 1 ? sched_due(run.start, run.tz, &leads[0]) : 0;
	if (due > now && due < run.start) {
		run.in.kind = "nudge";
		run.in.lead = canon[0];
		run.in.due_at = due;
		if (store_plan_nudge(st, group, after, upto, &run.in,
		    cause) != 0)
			goto done;
	}
	rc = 0;
done:
	free(run.set.list);
	free(run.skips);
	free(occ);
	return (rc);
}

/* Every member's reminders of one occurrence, in the caller's transaction. */
static int
plan_occ_locked(struct store *st, long long occ_id, time_t now,
    char **cause)
{
	long long	next;

	return (plan_occ_slice(st, occ_id, now, 0, -1, &next, cause));
}

int
plan_occurrence(struct store *st, long long occ_id, time_t now, char **cause)
{
	long long	next;

	return (plan_occurrence_slice(st, occ_id, now, 0, -1, &next, cause));
}

/*
 * One slice of an occurrence's members in a transaction of its own, so
 * that a large group is planned in short steps: the members after after,
 * at most limit; *next is where the next slice starts, or 0 at the end.
 */
int
plan_occurrence_slice(struct store *st, long long occ_id, time_t now,
    long long after, int limit, long long *next, char **cause)
{
	int	rc;

	*next = 0;
	if (store_begin(st) != 0) {
		cause_set(cause, "the database is busy");
		return (-1);
	}
	rc = plan_occ_slice(st, occ_id, now, after, limit, next, cause);
	return (store_end(st, rc == 0));
}

/*
 * Expand a series over [now, now + horizon), record its occurrences, and
 * plan each of them; or, with out, hand their ids back unplanned.
 */
static int
plan_series_in(struct store *st, long long series_id, time_t now,
    int horizon, json_t **out, char **cause)
{
	struct sched_series	 s;
	struct sched_occ	*occ = NULL;
	json_t			*row, *ids = NULL, *id;
	size_t			 n = 0, i;
	char			*keep = NULL, *t;
	int			 rc = -1;

	if ((row = store_series_get(st, series_id, cause)) == NULL) {
		cause_set(cause, "no series %lld", series_id);
		return (-1);
	}
	memset(&s, 0, sizeof s);
	s.tzid = jstr(row, "time_zone");
	s.dtstart = jstr(row, "dtstart");
	s.duration = (int)jint(row, "duration");
	s.rrule = jstr(row, "rrule");
	s.exdates = jstr(row, "exdates");
	s.rdates = jstr(row, "rdates");
	if (sched_expand(&s, now, now + horizon, &occ, &n, cause) != 0)
		goto fail;
	if (store_begin(st) != 0)
		goto fail;
	keep = xstrdup("");
	for (i = 0; i < n; i++) {
		if (store_occ_upsert(st, series_id, occ[i].recurrence_id,
		    occ[i].start, occ[i].end, cause) != 0) {
			store_end(st, 0);
			goto fail;
		}
		t = xprintf("%s%s%s", keep, i ? "," : "", occ[i].recurrence_id);
		free(keep);
		keep = t;
	}
	if (store_occ_remove_missing(st, series_id, now, now + horizon, keep,
	    cause) != 0 || (ids = store_occ_window(st, series_id, now,
	    now + horizon, cause)) == NULL) {
		store_end(st, 0);
		goto fail;
	}
	json_array_foreach(ids, i, id) {
		if (out == NULL && plan_occ_locked(st, jint(id, "id"), now,
		    cause) != 0) {
			store_end(st, 0);
			goto fail;
		}
	}
	/* Invitations that waited for a meeting inside the horizon. */
	if (json_array_size(ids) > 0 && store_invite_flush(st, 0, 0,
	    series_id, now, NULL, cause) < 0) {
		store_end(st, 0);
		goto fail;
	}
	if ((rc = store_end(st, 1)) == 0 && out != NULL) {
		*out = ids;
		ids = NULL;
	}
fail:
	free(keep);
	free(occ);
	json_decref(ids);
	json_decref(row);
	return (rc);
}

int
plan_series(struct store *st, long long series_id, time_t now, int horizon,
    char **cause)
{
	return (plan_series_in(st, series_id, now, horizon, NULL, cause));
}

/* Plan a series now, or with later its meetings' reminders afterwards. */
static int
plan_series_or_later(struct store *st, long long series_id, time_t now,
    int horizon, json_t *later, char **cause)
{
	json_t	*ids;

	if (later == NULL)
		return (plan_series(st, series_id, now, horizon, cause));
	if (plan_series_in(st, series_id, now, horizon, &ids, cause) != 0)
		return (-1);
	json_array_extend(later, ids);
	json_decref(ids);
	return (0);
}

/*
 * Only a series' meetings, and the invitations that waited for them:
 * *ids (rows with an "id") are the meetings whose reminders are still to
 * be planned, each with plan_occurrence.
 */
int
plan_series_expand(struct store *st, long long series_id, time_t now,
    int horizon, json_t **ids, char **cause)
{
	*ids = NULL;
	return (plan_series_in(st, series_id, now, horizon, ids, cause));
}

/* Every series: what the rolling horizon runs, hourly and at start. */
int
plan_all(struct store *st, time_t now, int horizon, char **cause)
{
	json_t	*list, *s;
	size_t	 i;
	int	 rc = 0;

	if ((list = store_series_list(st, 0, cause)) == NULL)
		return (-1);
	/* One transaction: a commit (and its fsync) per series adds up. */
	if (store_begin(st) != 0) {
		json_decref(list);
		return (-1);
	}
	json_array_foreach(list, i, s) {
		if (plan_series(st, jint(s, "id"), now, horizon,
		    cause) != 0) {
			log_warnx("planning series %lld: %s",
			    jint(s, "id"), cause ? *cause : "");
			rc = -1;
		}
	}
	json_decref(list);
	if (store_end(st, 1) != 0)
		rc = -1;
	return (rc);
}

/* Plan each listed occurrence (rows with an "id") in one transaction. */
static int
plan_ids(struct store *st, json_t *ids, time_t now, char **cause)
{
	json_t	*id;
	size_t	 i;
	int	 ok = 1;

	if (ids == NULL)
		return (-1);
	if (store_begin(st) != 0) {
		json_decref(ids);
		return (-1);
	}
	json_array_foreach(ids, i, id) {
		if (plan_occ_locked(st, jint(id, "id"), now, cause) != 0) {
			ok = 0;
			break;
		}
	}
	json_decref(ids);
	return (store_end(st, ok));
}

/* Re-plan what a person's change (membership, preferences) touches. */
int
plan_person(struct store *st, long long person, time_t now, char **cause)
{
	return (plan_ids(st, store_occ_of_person(st, person, now, cause), now,
	    cause));
}

/* Re-plan every occurrence of a group from now on. */
int
plan_group(struct store *st, long long group, time_t now, char **cause)
{
	return (plan_ids(st, store_occ_list(st, group, now,
	    now + 10 * 366 * 86400LL, cause), now, cause));
}

/* A notice to one member, in their first channel. */
static int
plan_notice_one(const struct plan_member *m, void *arg)
{
	struct plan_run	*run = arg;
	char		 channel[8];

	if (plan_first_channel(m->channels, channel, sizeof channel) != 0)
		return (0);
	run->in.person_id = m->id;
	run->in.channel = channel;
	return (store_plan_insert(run->st, &run->in, run->cause));
}

/*
 * A notice (update or cancellation) about a meeting (its id and
 * sequence) to every member of group, in their first channel; lead says
 * what a series notice is about.
 */
static int
plan_notices_lead(struct store *st, long long group, long long occ,
    int sequence, const char *kind, const char *lead, time_t now,
    char **cause)
{
	struct plan_run	run;

	memset(&run, 0, sizeof run);
	run.st = st;
	run.cause = cause;
	run.in.occurrence_id = occ;
	run.in.kind = kind;
	run.in.lead = lead;
	run.in.sequence = sequence;
	run.in.due_at = now;
	run.in.now = now;
	return (store_plan_members(st, group, 0, -1, plan_notice_one, &run,
	    cause));
}

/* A notice (update or cancellation) to every member, in their channel. */
static int
plan_notices(struct store *st, const struct occurrence *occ,
    const char *kind, time_t now, char **cause)
{
	return (plan_notices_lead(st, occ->group_id, occ->id, occ->sequence,
	    kind, "", now, cause));
}

/*
 * Move one occurrence: never into the past.  PLAN_UNCHANGED when it is
 * already at that time and place, so no one hears of a move that is not.
 */
int
plan_move(struct store *st, long long occ_id, const char *local,
    long long venue, const char *reason, time_t now, char **cause)
{
	struct occurrence	*occ;
	time_t			 start, duration;
	char			*why = NULL;
	int			 ok = 0;

	if ((occ = store_occ_read(st, occ_id, cause)) == NULL) {
		cause_set(cause, "no occurrence %lld", occ_id);
		return (-1);
	}
	if (strcmp(occ->status, "cancelled") == 0 ||
	    strcmp(occ->status, "removed") == 0) {
		cause_set(cause, "occurrence %lld is cancelled; it cannot be "
		    "moved", occ_id);
		goto done;
	}
	if (sched_local_to_utc(occ->time_zone, local, &start,
	    &why) != 0) {
		cause_set(cause, "start: %s", why);
		free(why);
		goto done;
	}
	if (start <= now) {
		cause_set(cause, "start: %s is in the past", local);
		goto done;
	}
	/* The time and place it has already: nothing to tell anyone. */
	if (start == occ->start_at && (venue == 0 ||
	    venue == occ->venue_id)) {
		free(occ);
		return (PLAN_UNCHANGED);
	}
	duration = occ->duration;
	if (store_begin(st) != 0)
		goto done;
	free(occ);
	occ = NULL;
	if (store_occ_move(st, occ_id, start, start + duration, venue, reason,
	    cause) == 0 && (occ = store_occ_read(st, occ_id, cause)) != NULL)
		ok = 1;
	if (ok)
		ok = store_plan_skip_occ(st, occ_id, "meeting moved",
		    cause) == 0 && plan_notices(st, occ, "update", now,
		    cause) == 0 && plan_occ_locked(st, occ_id, now, cause) == 0;
	if (ok)
		ok = store_audit(st, "api", "move", "occurrence", local) == 0;
	if (store_end(st, ok) != 0)
		ok = 0;
done:
	free(occ);
	return (ok ? 0 : -1);
}

int
plan_cancel(struct store *st, long long occ_id, const char *reason,
    time_t now, char **cause)
{
	struct occurrence	*occ;
	int			 ok = 0;

	if ((occ = store_occ_read(st, occ_id, cause)) == NULL) {
		cause_set(cause, "no occurrence %lld", occ_id);
		return (-1);
	}
	if (strcmp(occ->status, "cancelled") == 0) {
		cause_set(cause, "occurrence %lld is already cancelled",
		    occ_id);
		goto done;
	}
	if (occ->start_at <= now) {
		cause_set(cause, "occurrence %lld has already begun", occ_id);
		goto done;
	}
	if (store_begin(st) != 0)
		goto done;
	free(occ);
	occ = NULL;
	if (store_occ_cancel(st, occ_id, reason, cause) == 0 &&
	    (occ = store_occ_read(st, occ_id, cause)) != NULL)
		ok = store_plan_skip_occ(st, occ_id, "meeting cancelled",
		    cause) == 0 && plan_notices(st, occ, "cancellation", now,
		    cause) == 0;
	if (ok)
		ok = store_audit(st, "api", "cancel", "occurrence",
		    reason) == 0;
	if (store_end(st, ok) != 0)
		ok = 0;
done:
	free(occ);
	return (ok ? 0 : -1);
}

/* The rule without its COUNT and UNTIL parts; *count gets COUNT or 0. */
static char *
plan_rule_open(const char *rrule, int *count)
{
	char	*copy, *tok, *save, *out = xstrdup(""), *t;

	*count = 0;
	copy = xstrdup(rrule);
	for (tok = strtok_r(copy, ";", &save); tok != NULL;
	    tok = strtok_r(NULL, ";", &save)) {
		if (strncasecmp(tok, "COUNT=", 6) == 0) {
			*count = atoi(tok + 6);
			continue;
		}
		if (strncasecmp(tok, "UNTIL=", 6) == 0)
			continue;
		t = xprintf("%s%s%s", out, *out ? ";" : "", tok);
		free(out);
		out = t;
	}
	free(copy);
	return (out);
}

/* The meeting in list of this series on the same day, or NULL. */
static json_t *
plan_same_day(json_t *list, long long series, json_t *occ)
{
	json_t	*o;
	size_t	 i;

	json_array_foreach(list, i, o) {
		if (jint(o, "series_id") != series)
			continue;
		if (jint(o, "id") == jint(occ, "id") ||
		    strncmp(jstr(o, "recurrence_id"),
		    jstr(occ, "recurrence_id"), 8) == 0)
			return (o);
	}
	return (NULL);
}

static int
plan_notice_for(struct store *st, long long occ_id, const char *kind,
    time_t now, char **cause)
{
	struct occurrence	*occ;
	int			 rc;

	if ((occ = store_occ_read(st, occ_id, cause)) == NULL)
		return (-1);
	rc = plan_notices(st, occ, kind, now, cause);
	free(occ);
	return (rc);
}

/* A canonical local time "20260312T180000" as seconds, no zone applied. */
static int
plan_naive(const char *local, time_t *t)
{
	struct tm	tm;

	memset(&tm, 0, sizeof tm);
	if (sscanf(local, "%4d%2d%2dT%2d%2d%2d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return (-1);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*t = timegm(&tm);
	return (0);
}

/* A local time moved by shift seconds of wall-clock time. */
static void
plan_shift(const char *local, time_t shift, char out[SCHED_LOCAL_LEN])
{
	struct tm	tm;
	time_t		t;

	if (plan_naive(local, &t) != 0) {
		snprintf(out, SCHED_LOCAL_LEN, "%s", local);
		return;
	}
	t += shift;
	gmtime_r(&t, &tm);
	strftime(out, SCHED_LOCAL_LEN, "%Y%m%dT%H%M%S", &tm);
}

/*
 * The dates of a list (EXDATE or RDATE) on one side of a split: before
 * from, as they are; or from it on, moved by shift and, when s is given,
 * only those that are meetings of s (its rule and RDATEs, EXDATEs aside).
 */
static char *
plan_dates(const char *list, const char *from, int after, time_t shift,
    const struct sched_series *s)
{
	struct sched_series	 bare;
	char			*copy, *tok, *save, *out = xstrdup(""), *t;
	char			 local[SCHED_LOCAL_LEN];

	memset(&bare, 0, sizeof bare);
	if (s != NULL) {
		bare = *s;
		bare.exdates = "";
	}
	copy = xstrdup(list);
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if ((strcmp(tok, from) >= 0) != after)
			continue;
		if (after)
			plan_shift(tok, shift, local);
		else
			snprintf(local, sizeof local, "%s", tok);
		if (s != NULL && !sched_occurs(&bare, local))
			continue;
		t = xprintf("%s%s%s", out, *out ? "," : "", local);
		free(out);
		out = t;
	}
	free(copy);
	return (out);
}

/*
 * One notice a member for a change to a series: an update about occ,
 * the first meeting the change touches, whose lead says what changed
 * and, after a split, which series it was split from
 * ("series:time,place,title/ID"), so that the message speaks of the
 * series and its calendar part has both.
 */
static int
plan_series_notice(struct store *st, long long group, json_t *occ,
    const char *what, long long oldser, time_t now, char **cause)
{
	char	lead[SCHED_LEAD_LEN];

	if (oldser != jint(occ, "series_id"))
		snprintf(lead, sizeof lead, "series:%s/%lld", what, oldser);
	else
		snprintf(lead, sizeof lead, "series:%s", what);
	return (plan_notices_lead(st, group, jint(occ, "id"),
	    (int)jint(occ, "sequence"), "update", lead, now, cause));
}

/* Add a word to a comma-separated list of what changed, once. */
static void
plan_what_add(char **what, const char *word)
{
	char	*t;

	if (list_has(*what, word))
		return;
	t = xprintf("%s%s%s", *what, **what ? "," : "", word);
	free(*what);
	*what = t;
}

/* What a split changes that members see: "time", "place", "title". */
static char *
plan_what(json_t *row, const struct series_in *next, time_t shift)
{
	char	*what = xstrdup(""), *a, *b;
	int	 count;

	a = plan_rule_open(next->rrule, &count);
	b = plan_rule_open(jstr(row, "rrule"), &count);
	if (shift != 0 || next->duration != jint(row, "duration") ||
	    strcmp(a, b) != 0)
		plan_what_add(&what, "time");
	free(a);
	free(b);
	if (next->venue_id != jint(row, "venue_id") ||
	    strcmp(next->online_link, jstr(row, "online_link")) != 0)
		plan_what_add(&what, "place");
	if (strcmp(next->title, jstr(row, "title")) != 0)
		plan_what_add(&what, "title");
	return (what);
}

/*
 * A meeting moved or cancelled by hand stays so in the new series: it
 * goes to the meeting there that its own became (its date moved by the
 * same change of local time), at the moved time and venue, or
 * cancelled.  When there is no such meeting a moved one is gone, and
 * plan_notify_diff says so.
 */
static int
plan_keep_moved(struct store *st, json_t *moved, long long newid,
    time_t shift, time_t now, char **cause)
{
	json_t	*o, *got;
	char	 rid[SCHED_LOCAL_LEN];
	size_t	 i;
	int	 rc = 0;

	json_array_foreach(moved, i, o) {
		plan_shift(jstr(o, "recurrence_id"), shift, rid);
		if ((got = store_occ_reattach(st, newid, rid, o,
		    cause)) == NULL)
			return (-1);
		if (json_array_size(got) > 0)
			rc = plan_occ_locked(st, jint(json_array_get(got, 0),
			    "id"), now, cause);
		json_decref(got);
		if (rc != 0)
			return (-1);
	}
	return (0);
}

/* The meeting of series in list that b became after a split, or NULL. */
static json_t *
plan_became(json_t *list, long long series, json_t *b, time_t shift)
{
	json_t	*o;
	char	 rid[SCHED_LOCAL_LEN];
	size_t	 i;

	plan_shift(jstr(b, "recurrence_id"), shift, rid);
	json_array_foreach(list, i, o) {
		if (jint(o, "series_id") == series &&
		    strcmp(jstr(o, "recurrence_id"), rid) == 0)
			return (o);
	}
	return (plan_same_day(list, series, b));
}

static int
plan_live(json_t *o)
{
	return (o != NULL && (strcmp(jstr(o, "status"), "scheduled") == 0 ||
	    strcmp(jstr(o, "status"), "moved") == 0));
}

/*
 * After an edit: members hear once of the change (what, or for a whole
 * series whatever changed in the time or place of its meetings).  A
 * meeting gone with a new time or rule is in that notice; one moved by
 * hand, or any other gone, is cancelled on its own, with the UID and
 * RECURRENCE-ID its members were sent.
 */
static int
plan_notify_diff(struct store *st, json_t *before, long long group,
    long long oldser, long long newser, time_t shift, const char *what,
    time_t now, char **cause)
{
	json_t		*after, *a, *b, *match, *first = NULL;
	char		*found = xstrdup(what ? what : "");
	size_t		 i;
	int		 rc = 0, told = 0;

	if ((after = store_occ_list(st, group, now, now + 10 * 366 * 86400LL,
	    cause)) == NULL) {
		free(found);
		return (-1);
	}
	json_array_foreach(after, i, a) {
		if (!plan_live(a))
			continue;
		if (newser != oldser) {
			if (first == NULL && jint(a, "series_id") == newser)
				first = a;
			continue;
		}
		if (jint(a, "series_id") != oldser ||
		    strcmp(jstr(a, "status"), "scheduled") != 0)
			continue;
		if ((b = plan_same_day(before, oldser, a)) == NULL ||
		    !plan_live(b))
			continue;	/* a new meeting: reminders will do */
		if (jint(a, "start_at") != jint(b, "start_at"))
			plan_what_add(&found, "time");
		if (jint(a, "venue_id") != jint(b, "venue_id"))
			plan_what_add(&found, "place");
		if (first == NULL && (jint(a, "start_at") !=
		    jint(b, "start_at") || jint(a, "venue_id") !=
		    jint(b, "venue_id")))
			first = a;
	}
	if (first != NULL && *found != '\0') {
		if ((rc = plan_series_notice(st, group, first, found, oldser,
		    now, cause)) != 0)
			goto out;
		/* A new time or rule speaks for every meeting after it. */
		told = list_has(found, "time");
	}
	json_array_foreach(before, i, b) {
		if (jint(b, "series_id") != oldser || !plan_live(b))
			continue;
		/* A move was news of its own: its cancellation too. */
		if (told && strcmp(jstr(b, "status"), "scheduled") == 0)
			continue;
		match = newser != oldser ? plan_became(after, newser, b,
		    shift) : NULL;
		if (match == NULL)
			match = plan_same_day(after, oldser, b);
		if (plan_live(match))
			continue;
		if ((rc = plan_notice_for(st, jint(b, "id"),
		    "cancellation", now, cause)) != 0)
			goto out;
	}
out:
	free(found);
	json_decref(after);
	return (rc);
}

/* Is this local time one of the series' own meetings (by its rule)? */
static int
plan_is_instance(json_t *row, const char *rid)
{
	struct sched_series	 s;

	memset(&s, 0, sizeof s);
	s.tzid = jstr(row, "time_zone");
	s.dtstart = jstr(row, "dtstart");
	s.duration = (int)jint(row, "duration");
	s.rrule = jstr(row, "rrule");
	s.exdates = jstr(row, "exdates");
	s.rdates = "";
	return (sched_occurs(&s, rid));
}

/*
 * Edit a whole series, or (from an occurrence on) end the old series just
 * before that occurrence and carry on with a new one that has the
 * changes.  What the coordinator said about the dates from that meeting
 * on goes with the new series, moved by the same change of local time as
 * its start: the dates left out (EXDATE), the extra ones (RDATE) and the
 * meetings moved by hand.  Members hear once of the change, in the same
 * transaction.  With later, the meetings whose reminders are still to be
 * planned go there (rows with an "id", for plan_occurrence), so that a
 * large group's reminders need not hold up the edit.
 */
int
plan_series_edit(struct store *st, long long id, const struct series_in *ch,
    const char *from, time_t now, int horizon, json_t *later, char **cause)
{
	struct series_in	 next, old;
	struct sched_series	 s, ns;
	struct sched_occ	*occ = NULL;
	json_t			*row = NULL, *before = NULL, *moved = NULL;
	json_t			*made = NULL, *o;
	char			*open = NULL, *oldrule = NULL, *newrule = NULL;
	char			*oldex = NULL, *newex = NULL, *oldrd = NULL;
	char			*newrd = NULL, *what = NULL;
	char			 until[32];
	size_t			 n = 0, i;
	long long		 newid = id;
	time_t			 cut, t0, t1, shift = 0;
	struct tm		 tm;
	int			 count, ok = 0;

	if ((row = store_series_get(st, id, cause)) == NULL) {
		cause_set(cause, "no series %lld", id);
		return (-1);
	}
	before = store_occ_list(st, jint(row, "group_id"), now,
	    now + 10 * 366 * 86400LL, cause);
	if (before == NULL)
		goto out;
	if (store_begin(st) != 0)
		goto out;
	if (from == NULL || *jstr(row, "rrule") == '\0') {
		ok = store_series_update(st, id, ch, cause) == 0 &&
		    plan_series_or_later(st, id, now, horizon, later,
		    cause) == 0;
		goto done;
	}
	if (!plan_is_instance(row, from)) {
		cause_set(cause, "from: the series has no meeting at %s", from);
		goto done;
	}
	/* The old series stops one second before that meeting. */
	if (sched_local_to_utc(jstr(row, "time_zone"), from, &cut,
	    cause) != 0)
		goto done;
	cut -= 1;
	gmtime_r(&cut, &tm);
	strftime(until, sizeof until, "%Y%m%dT%H%M%SZ", &tm);
	open = plan_rule_open(jstr(row, "rrule"), &count);
	oldrule = xprintf("%s;UNTIL=%s", open, until);
	memset(&s, 0, sizeof s);
	s.tzid = jstr(row, "time_zone");
	s.dtstart = jstr(row, "dtstart");
	s.duration = (int)jint(row, "duration");
	s.rrule = oldrule;
	/* COUNT counts the rule's meetings, EXDATEs too, RDATEs not. */
	s.exdates = "";
	s.rdates = "";
	if (sched_expand(&s, 0, cut + 1, &occ, &n, cause) != 0)
		goto done;
	/* What is left of a COUNT goes with the new series. */
	if (count > 0 && (int)n >= count) {
		cause_set(cause, "from: the series has no meetings left after "
		    "this one");
		goto done;
	}
	newrule = count > 0 ? xprintf("%s;COUNT=%d", ch->rrule ? ch->rrule :
	    open, count - (int)n) : xstrdup(ch->rrule ? ch->rrule :
	    jstr(row, "rrule"));
	memset(&next, 0, sizeof next);
	next.group_id = jint(row, "group_id");
	next.title = ch->title ? ch->title : jstr(row, "title");
	next.dtstart = ch->dtstart ? ch->dtstart : from;
	next.duration = ch->duration > 0 ? ch->duration :
	    (int)jint(row, "duration");
	next.rrule = newrule;
	next.venue_id = ch->venue_id > 0 ? ch->venue_id :
	    jint(row, "venue_id");
	next.online_link = ch->online_link ? ch->online_link :
	    jstr(row, "online_link");
	next.agenda = ch->agenda ? ch->agenda : jstr(row, "agenda");
	/* The new start's change of wall-clock time, for the dates after. */
	if (plan_naive(from, &t0) != 0 || plan_naive(next.dtstart, &t1) != 0) {
		cause_set(cause, "start: '%s' is not a local time",
		    next.dtstart);
		goto done;
	}
	shift = t1 - t0;
	/* Dates before the split stay; from it on they go to the new one. */
	oldex = plan_dates(jstr(row, "exdates"), from, 0, 0, NULL);
	oldrd = plan_dates(jstr(row, "rdates"), from, 0, 0, NULL);
	newrd = ch->rdates ? xstrdup(ch->rdates) :
	    plan_dates(jstr(row, "rdates"), from, 1, shift, NULL);
	memset(&ns, 0, sizeof ns);
	ns.tzid = jstr(row, "time_zone");
	ns.dtstart = next.dtstart;
	ns.duration = next.duration;
	ns.rrule = newrule;
	ns.rdates = newrd;
	/* An EXDATE that matches no meeting would only confuse a client. */
	newex = ch->exdates ? xstrdup(ch->exdates) :
	    plan_dates(jstr(row, "exdates"), from, 1, shift, &ns);
	next.exdates = newex;
	next.rdates = newrd;
	memset(&old, 0, sizeof old);
	old.rrule = oldrule;
	old.exdates = oldex;
	old.rdates = oldrd;
	if (store_series_update(st, id, &old, cause) != 0)
		goto done;
	if ((made = store_series_create(st, &next, cause)) == NULL)
		goto done;
	newid = jint(made, "id");
	/* Meetings moved or cancelled from the split on, before they go. */
	moved = json_array();
	json_array_foreach(before, i, o) {
		if (jint(o, "series_id") == id && (strcmp(jstr(o, "status"),
		    "moved") == 0 || strcmp(jstr(o, "status"),
		    "cancelled") == 0) && strcmp(jstr(o, "recurrence_id"),
		    from) >= 0)
			json_array_append(moved, o);
	}
	ok = store_occ_remove_moved(st, id, from, cause) == 0 &&
	    plan_series_or_later(st, id, now, horizon, later, cause) == 0 &&
	    plan_series_or_later(st, newid, now, horizon, later,
	    cause) == 0 &&
	    plan_keep_moved(st, moved, newid, shift, now, cause) == 0;
	if (ok)
		what = plan_what(row, &next, shift);
done:
	if (ok)
		ok = plan_notify_diff(st, before, jint(row, "group_id"),
		    id, newid, shift, what, now, cause) == 0;
	if (ok)
		ok = store_audit(st, "api", "edit", "series", newid != id ?
		    "split" : "whole") == 0;
	if (store_end(st, ok) != 0)
		ok = 0;
out:
	free(occ);
	free(open);
	free(oldrule);
	free(newrule);
	free(oldex);
	free(newex);
	free(oldrd);
	free(newrd);
	free(what);
	json_decref(moved);
	json_decref(made);
	json_decref(before);
	json_decref(row);
	return (ok ? 0 : -1);
}
