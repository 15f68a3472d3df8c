/*
 * test_plan.c: the planner against a real database.  A six-weekly series
 * at 18:00 Europe/London plans one reminder per member and lead time, due
 * at 18:00 local the day before even across a clock change; planning
 * again changes nothing; moving or cancelling one occurrence withdraws
 * exactly its reminders and plans notices; a member who leaves loses
 * theirs, whether the meeting is planned at once or in slices of members.
 * A week before, a gentle reminder (nudge) to each member who has not
 * answered, once.  A supporter who asked for copies of a member's
 * reminders gets one of each, withdrawn when they are unlinked.
 */
#include "config.h"

#include <sqlite3.h>

#include "testlib.h"

#include <jansson.h>

#include "convene.h"
#include "log.h"
#include "sched.h"
#include "util.h"

static struct store	*st;
static char		*dbpath;

static time_t
utc(int y, int mo, int d, int h, int mi)
{
	struct tm	tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return (timegm(&tm));
}

/* One number from SQL run on the file, as another reader would. */
static long long
q(const char *fmt, ...)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	va_list		 ap;
	char		*sql;
	long long	 v = -1;

	va_start(ap, fmt);
	if (vasprintf(&sql, fmt, ap) == -1)
		fail();
	va_end(ap);
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	free(sql);
	return (v);
}

static long long
id_of(json_t *row)
{
	long long	id = json_integer_value(json_object_get(row, "id"));

	json_decref(row);
	return (id);
}

static int
setup(void **state)
{
	struct group_in		 g = { "dp", "DP Steering", "Europe/London",
				    "P1D", 0, "" };
	struct person_in	 p;
	struct series_in	 s;
	char			*cause = NULL;
	long long		 gid, a, b, c;

	if (test_setup_dir(state) != 0)
		return (-1);
	dbpath = xprintf("%s/plan.db", test_dir);
	if ((st = store_open(dbpath, &cause)) == NULL)
		fail_msg("%s", cause);
	gid = id_of(store_group_create(st, &g, &cause));
	memset(&p, 0, sizeof p);
	p.quiet_start = -1;
	p.name = "Ada";
	p.email = "ada@example.org";
	a = id_of(store_person_create(st, &p, &cause));
	p.name = "Bo";
	p.email = NULL;
	p.phone = "+447700900123";
	p.channels = "sms";
	b = id_of(store_person_create(st, &p, &cause));
	p.name = "Cy";
	p.phone = "+447700900124";
	p.channels = "feed";
	c = id_of(store_person_create(st, &p, &cause));
	assert_int_equal(store_member_set(st, gid, a, "co-chair", &cause), 0);
	assert_int_equal(store_member_set(st, gid, b, "member", &cause), 0);
	assert_int_equal(store_member_set(st, gid, c, "member", &cause), 0);
	memset(&s, 0, sizeof s);
	s.group_id = gid;
	s.title = "Steering group";
	s.dtstart = "20260205T180000";
	s.duration = 7200;
	s.rrule = "FREQ=WEEKLY;INTERVAL=6;COUNT=8";
	/* An extra meeting on the Sunday the clocks go forward. */
	s.rdates = "20260329T180000";
	assert_int_equal(id_of(store_series_create(st, &s, &cause)), 1);
	return (0);
}

static int
teardown(void **state)
{
	store_close(st);
	free(dbpath);
	return (test_remove_dir(state));
}

static void
test_plan_and_replan(void **state)
{
	char		*cause = NULL;
	time_t		 now = utc(2026, 1, 1, 12, 0);

	(void)state;
	if (plan_series(st, 1, now, 400 * 86400, &cause) != 0)
		fail_msg("%s", cause);
	/* 9 meetings; Ada by email and Bo by SMS; Cy reads the feed. */
	assert_int_equal(q("SELECT count(*) FROM occurrences"), 9);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE kind = "
	    "'reminder'"), 18);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE person_id = 3"),
	    0);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE person_id = 2 "
	    "AND kind = 'reminder' AND channel = 'sms'"), 9);
	/* Every reminder at 18:00 London time the day before. */
	assert_int_equal(q("SELECT count(*) FROM outbox o JOIN occurrences c "
	    "ON c.id = o.occurrence_id WHERE o.kind = 'reminder' AND "
	    "strftime('%%H', o.due_at, 'unixepoch') != strftime('%%H', "
	    "c.start_at, 'unixepoch')"), 2);
	/* The Sunday of the change: due Saturday 18:00 GMT, 23 h before. */
	assert_int_equal(q("SELECT o.due_at FROM outbox o JOIN occurrences c "
	    "ON c.id = o.occurrence_id WHERE c.recurrence_id = "
	    "'20260329T180000' AND o.kind = 'reminder' LIMIT 1"),
	    (long long)utc(2026, 3, 28, 18, 0));
	/* And a nudge to each a week before, at 18:00 London time. */
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE kind = 'nudge' "
	    "AND lead = 'P7D'"), 18);
	assert_int_equal(q("SELECT o.due_at FROM outbox o JOIN occurrences c "
	    "ON c.id = o.occurrence_id WHERE c.recurrence_id = "
	    "'20260329T180000' AND o.kind = 'nudge' LIMIT 1"),
	    (long long)utc(2026, 3, 22, 18, 0));
	assert_int_equal(q("SELECT start_at FROM occurrences WHERE "
	    "recurrence_id = '20260329T180000'"),
	    (long long)utc(2026, 3, 29, 17, 0));
	/* Summer: 18:00 BST is 17:00 UTC, and so is the reminder. */
	assert_int_equal(q("SELECT o.due_at FROM outbox o JOIN occurrences c "
	    "ON c.id = o.occurrence_id WHERE c.recurrence_id = "
	    "'20260430T180000' AND o.kind = 'reminder' LIMIT 1"),
	    (long long)utc(2026, 4, 29, 17, 0));

	/* Planning again changes nothing. */
	assert_int_equal(plan_series(st, 1, now, 400 * 86400, &cause), 0);
	assert_int_equal(q("SELECT count(*) FROM outbox"), 36);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE state != "
	    "'pending'"), 0);
}

static void
test_move_and_cancel(void **state)
{
	char		*cause = NULL;
	time_t		 now = utc(2026, 1, 1, 12, 0);
	long long	 moved, cancelled;

	(void)state;
	moved = q("SELECT id FROM occurrences WHERE recurrence_id = "
	    "'20260611T180000'");
	cancelled = q("SELECT id FROM occurrences WHERE recurrence_id = "
	    "'20260723T180000'");
	cause = NULL;
	assert_int_equal(plan_move(st, moved, "2025-12-01T18:00", 0, NULL, now,
	    &cause), -1);
	assert_non_null(strstr(cause, "in the past"));
	free(cause);
	cause = NULL;
	if (plan_move(st, moved, "2026-06-12T14:00", 0, "the room flooded",
	    now, &cause) != 0)
		fail_msg("%s", cause);
	/* Exactly its two reminders withdrawn, two notices, two new. */
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE state = "
	    "'skipped' AND kind = 'reminder'"), 2);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE state = "
	    "'skipped' AND kind = 'reminder' AND occurrence_id = %lld AND "
	    "reason = 'meeting moved' AND sequence = 0", moved), 2);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE kind = 'update' "
	    "AND occurrence_id = %lld AND due_at = %lld", moved,
	    (long long)now), 2);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE kind = "
	    "'reminder' AND state = 'pending' AND occurrence_id = %lld AND "
	    "sequence = 1 AND due_at = %lld", moved,
	    (long long)utc(2026, 6, 11, 13, 0)), 2);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE state = "
	    "'pending' AND kind = 'reminder' AND occurrence_id != %lld",
	    moved), 16);

	assert_int_equal(plan_cancel(st, cancelled, "not enough members",
	    now, &cause), 0);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE state = "
	    "'skipped' AND kind = 'reminder' AND occurrence_id = %lld AND "
	    "reason = 'meeting cancelled'", cancelled), 2);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE kind = "
	    "'cancellation' AND occurrence_id = %lld", cancelled), 2);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE state = "
	    "'skipped' AND kind = 'reminder'"), 4);
	assert_int_equal(plan_cancel(st, cancelled, "again", now, &cause), -1);
	free(cause);
	cause = NULL;

	/* The series is planned again: the move and cancel hold. */
	assert_int_equal(plan_series(st, 1, now, 400 * 86400, &cause), 0);
	assert_int_equal(q("SELECT status FROM occurrences WHERE id = %lld",
	    moved) >= 0, 1);
	assert_int_equal(q("SELECT count(*) FROM occurrences WHERE status = "
	    "'moved' AND start_at = %lld", (long long)utc(2026, 6, 12, 13, 0)),
	    1);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE state = "
	    "'pending' AND kind = 'reminder'"), 16);
}

static void
test_member_leaves(void **state)
{
	char		*cause = NULL;
	time_t		 now = utc(2026, 1, 1, 12, 0);

	(void)state;
	assert_int_equal(store_member_remove(st, 1, 2, &cause), 0);
	assert_int_equal(plan_group(st, 1, now, &cause), 0);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE person_id = 2 "
	    "AND kind = 'reminder' AND state = 'pending'"), 0);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE person_id = 1 "
	    "AND kind = 'reminder' AND state = 'pending'"), 8);
	/* Coming back brings the reminders back. */
	assert_int_equal(store_member_set(st, 1, 2, "member", &cause), 0);
	assert_int_equal(plan_person(st, 2, now, &cause), 0);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE person_id = 2 "
	    "AND kind = 'reminder' AND state = 'pending'"), 8);
}

/* A meeting planned a member a transaction comes out as all at once. */
static void
test_slices(void **state)
{
	char		*cause = NULL;
	time_t		 now = utc(2026, 1, 1, 12, 0);
	long long	 occ, after, next;
	int		 slices;

	(void)state;
	occ = q("SELECT min(occurrence_id) FROM outbox WHERE person_id = 2 "
	    "AND kind = 'reminder' AND state = 'pending'");
	assert_int_equal(store_member_remove(st, 1, 2, &cause), 0);
	/* Ada, then Cy, then no one: Bo's reminder goes with Cy's slice. */
	for (after = 0, slices = 1;; after = next, slices++) {
		if (plan_occurrence_slice(st, occ, now, after, 1, &next,
		    &cause) != 0)
			fail_msg("%s", cause);
		if (slices == 1)
			assert_int_equal(q("SELECT count(*) FROM outbox WHERE "
			    "occurrence_id = %lld AND person_id = 2 AND "
			    "kind = 'reminder' AND state = 'pending'", occ),
			    1);
		if (next == 0)
			break;
	}
	assert_int_equal(slices, 3);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE occurrence_id = "
	    "%lld AND kind = 'reminder' AND state = 'pending'", occ), 1);
	/* Back, and planned in slices of two: Ada and Bo, then Cy. */
	assert_int_equal(store_member_set(st, 1, 2, "member", &cause), 0);
	for (after = 0, slices = 1;; after = next, slices++) {
		if (plan_occurrence_slice(st, occ, now, after, 2, &next,
		    &cause) != 0)
			fail_msg("%s", cause);
		if (next == 0)
			break;
	}
	assert_int_equal(slices, 2);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE occurrence_id = "
	    "%lld AND kind = 'reminder' AND state = 'pending'", occ), 2);
}

static void
test_channels_and_notices(void **state)
{
	struct person_in	 p;
	char			*cause = NULL;
	time_t			 now = utc(2026, 1, 1, 12, 0);
	long long		 occ;
	json_t			*row;

	(void)state;
	/* Ada lists SMS first now: her email reminders go, SMS come. */
	memset(&p, 0, sizeof p);
	p.quiet_start = -2;
	p.phone = "+447700900125";
	p.channels = "sms,email";
	row = store_person_update(st, 1, &p, &cause);
	assert_non_null(row);
	json_decref(row);
	assert_int_equal(plan_person(st, 1, now, &cause), 0);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE person_id = 1 "
	    "AND kind = 'reminder' AND state = 'pending' AND channel = "
	    "'email'"), 0);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE person_id = 1 "
	    "AND kind = 'reminder' AND state = 'pending' AND channel = "
	    "'sms'"), q("SELECT count(*) FROM outbox WHERE person_id = 2 "
	    "AND kind = 'reminder' AND state = 'pending'"));

	/* Moved, then cancelled: the update still waiting is withdrawn. */
	occ = q("SELECT id FROM occurrences WHERE recurrence_id = "
	    "'20260319T180000'");
	assert_int_equal(plan_move(st, occ, "2026-03-20T18:00", 0, NULL, now,
	    &cause), 0);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE occurrence_id = "
	    "%lld AND kind = 'update' AND state = 'pending'", occ), 2);
	assert_int_equal(plan_cancel(st, occ, "no room", now, &cause), 0);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE occurrence_id = "
	    "%lld AND kind = 'update' AND state = 'pending'", occ), 0);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE occurrence_id = "
	    "%lld AND kind = 'cancellation' AND state = 'pending'", occ), 2);
}

static void
test_series_edit(void **state)
{
	struct series_in	 ch;
	struct venue_in		 v;
	char			*cause = NULL;
	time_t			 now = utc(2026, 1, 1, 12, 0);
	long long		 before, venue;

	(void)state;
	before = q("SELECT count(*) FROM outbox WHERE kind != 'nudge'");
	memset(&ch, 0, sizeof ch);
	ch.dtstart = "20260903T140000";
	cause = NULL;
	assert_int_equal(plan_series_edit(st, 1, &ch, "20260904T180000", now,
	    400 * 86400, NULL, &cause), -1);
	assert_non_null(strstr(cause, "no meeting at 20260904T180000"));
	free(cause);
	cause = NULL;
	if (plan_series_edit(st, 1, &ch, "20260903T180000", now, 400 * 86400,
	    NULL, &cause) != 0)
		fail_msg("%s", cause);
	/* The old series stops before 3 September; a new one goes on. */
	assert_int_equal(q("SELECT count(*) FROM series"), 2);
	assert_int_equal(q("SELECT count(*) FROM occurrences WHERE "
	    "series_id = 1 AND status = 'removed'"), 3);
	assert_int_equal(q("SELECT count(*) FROM occurrences WHERE "
	    "series_id = 2 AND status = 'scheduled' AND "
	    "recurrence_id LIKE '%%T140000'"), 3);
	assert_int_equal(q("SELECT rrule = 'FREQ=WEEKLY;INTERVAL=6;COUNT=3' "
	    "FROM series WHERE id = 2"), 1);
	/* Their old reminders withdrawn, members told, new reminders. */
	assert_int_equal(q("SELECT count(*) FROM outbox o JOIN occurrences c "
	    "ON c.id = o.occurrence_id WHERE c.series_id = 1 AND "
	    "c.status = 'removed' AND o.kind = 'reminder' AND "
	    "o.state = 'pending'"), 0);
	/* Told once each (Ada, Bo; Cy reads the feed), not once a meeting. */
	assert_int_equal(q("SELECT count(*) FROM outbox o JOIN occurrences c "
	    "ON c.id = o.occurrence_id WHERE c.series_id = 2 AND "
	    "o.kind = 'update'"), 2);
	assert_int_equal(q("SELECT count(DISTINCT person_id) FROM outbox o "
	    "JOIN occurrences c ON c.id = o.occurrence_id WHERE "
	    "c.series_id = 2 AND o.kind = 'update' AND "
	    "o.lead = 'series:time/1'"), 2);
	assert_int_equal(q("SELECT count(*) FROM outbox o JOIN occurrences c "
	    "ON c.id = o.occurrence_id WHERE c.series_id = 2 AND "
	    "o.kind = 'reminder' AND o.state = 'pending' AND "
	    "strftime('%%H', o.due_at, 'unixepoch') = "
	    "strftime('%%H', c.start_at, 'unixepoch')"), 6);
	assert_int_equal(q("SELECT count(*) FROM outbox o JOIN occurrences c "
	    "ON c.id = o.occurrence_id WHERE c.series_id = 1 AND "
	    "o.kind = 'cancellation' AND c.status = 'removed'"), 0);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE kind != "
	    "'nudge'") - before, 8);

	/* A whole-series change of title tells nobody anything. */
	before = q("SELECT count(*) FROM outbox");
	memset(&ch, 0, sizeof ch);
	ch.title = "Steering group (new name)";
	assert_int_equal(plan_series_edit(st, 2, &ch, NULL, now, 400 * 86400,
	    NULL, &cause), 0);
	assert_int_equal(q("SELECT count(*) FROM outbox") - before, 0);
	assert_int_equal(q("SELECT count(*) FROM series WHERE title = "
	    "'Steering group (new name)'"), 1);

	/*
	 * A new place and a date left out: one notice of the place each,
	 * and the meeting that is off cancelled, as it is news of its own.
	 */
	memset(&v, 0, sizeof v);
	v.name = "Library";
	venue = id_of(store_venue_create(st, &v, &cause));
	before = q("SELECT max(id) FROM outbox");
	memset(&ch, 0, sizeof ch);
	ch.venue_id = venue;
	ch.exdates = "20261015T140000";
	assert_int_equal(plan_series_edit(st, 2, &ch, NULL, now, 400 * 86400,
	    NULL, &cause), 0);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE id > %lld AND "
	    "kind = 'update' AND lead = 'series:place'", before), 2);
	assert_int_equal(q("SELECT count(*) FROM outbox o JOIN occurrences c "
	    "ON c.id = o.occurrence_id WHERE o.id > %lld AND "
	    "o.kind = 'cancellation' AND c.recurrence_id = "
	    "'20261015T140000'", before), 2);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE id > %lld AND "
	    "kind IN ('update', 'cancellation')", before), 4);
}

/*
 * A split keeps what the coordinator said about the dates after it: the
 * dates left out stay out and the extra ones go with the new series, at
 * its new time; a meeting moved by hand keeps its move, or its members
 * are told it is gone; one cancelled stays cancelled; each member hears
 * once of the change.
 */
static void
test_series_split(void **state)
{
	struct series_in	 s;
	char			*cause = NULL;
	time_t			 now = utc(2027, 1, 1, 12, 0);
	long long		 old, new, kept, gone, off, mark;

	(void)state;
	memset(&s, 0, sizeof s);
	s.group_id = 1;
	s.title = "Fortnightly";
	s.dtstart = "20270107T180000";
	s.duration = 3600;
	s.rrule = "FREQ=WEEKLY;INTERVAL=2";
	s.exdates = "20270204T180000,20270318T180000,20270429T180000";
	s.rdates = "20270120T180000,20270324T180000";
	old = id_of(store_series_create(st, &s, &cause));
	assert_int_equal(plan_series(st, old, now, 400 * 86400, &cause), 0);
	kept = q("SELECT id FROM occurrences WHERE series_id = %lld AND "
	    "recurrence_id = '20270401T180000'", old);
	gone = q("SELECT id FROM occurrences WHERE series_id = %lld AND "
	    "recurrence_id = '20270415T180000'", old);
	assert_int_equal(plan_move(st, kept, "2027-04-02T17:30", 0, "room",
	    now, &cause), 0);
	assert_int_equal(plan_move(st, gone, "2027-04-16T10:00", 0, NULL,
	    now, &cause), 0);
	off = q("SELECT id FROM occurrences WHERE series_id = %lld AND "
	    "recurrence_id = '20270527T180000'", old);
	assert_int_equal(plan_cancel(st, off, "hall closed", now, &cause), 0);
	mark = q("SELECT max(id) FROM outbox");

	/* From 4 March: every four weeks, at 5pm. */
	memset(&s, 0, sizeof s);
	s.dtstart = "20270304T170000";
	s.rrule = "FREQ=WEEKLY;INTERVAL=4";
	if (plan_series_edit(st, old, &s, "20270304T180000", now,
	    400 * 86400, NULL, &cause) != 0)
		fail_msg("%s", cause);
	new = q("SELECT max(id) FROM series");
	assert_true(new > old);

	/* The dates before the split stay with the old series. */
	assert_int_equal(q("SELECT exdates = '20270204T180000' AND rdates = "
	    "'20270120T180000' AND rrule = 'FREQ=WEEKLY;INTERVAL=2;"
	    "UNTIL=20270304T175959Z' FROM series WHERE id = %lld", old), 1);
	/*
	 * After it: 29 April left out at the new time; 18 March is no
	 * meeting of the new rule, so no EXDATE for it; the extra meeting
	 * on 24 March at 5pm.
	 */
	assert_int_equal(q("SELECT exdates = '20270429T170000' AND rdates = "
	    "'20270324T170000' FROM series WHERE id = %lld", new), 1);
	assert_int_equal(q("SELECT count(*) FROM occurrences WHERE "
	    "recurrence_id LIKE '20270429%%' AND status IN ('scheduled', "
	    "'moved')"), 0);
	assert_int_equal(q("SELECT count(*) FROM occurrences WHERE "
	    "recurrence_id LIKE '20270324%%' AND status IN ('scheduled', "
	    "'moved')"), 1);
	assert_int_equal(q("SELECT start_at FROM occurrences WHERE "
	    "series_id = %lld AND recurrence_id = '20270324T170000' AND "
	    "status = 'scheduled'", new), utc(2027, 3, 24, 17, 0));

	/* 1 April keeps its move, 5:30pm on the 2nd, in the new series. */
	assert_int_equal(q("SELECT status = 'removed' FROM occurrences WHERE "
	    "id = %lld", kept), 1);
	assert_int_equal(q("SELECT start_at FROM occurrences WHERE "
	    "series_id = %lld AND recurrence_id = '20270401T170000' AND "
	    "status = 'moved' AND reason = 'room'", new),
	    utc(2027, 4, 2, 16, 30));
	assert_int_equal(q("SELECT count(*) FROM outbox o JOIN occurrences c "
	    "ON c.id = o.occurrence_id WHERE c.series_id = %lld AND "
	    "c.recurrence_id = '20270401T170000' AND o.kind = 'reminder' "
	    "AND o.state = 'pending' AND o.due_at = %lld", new,
	    (long long)utc(2027, 4, 1, 16, 30)), 2);
	/* 27 May stays cancelled, with no reminders, and nobody told again. */
	assert_int_equal(q("SELECT status = 'removed' FROM occurrences WHERE "
	    "id = %lld", off), 1);
	assert_int_equal(q("SELECT count(*) FROM occurrences WHERE "
	    "series_id = %lld AND recurrence_id = '20270527T170000' AND "
	    "status = 'cancelled' AND reason = 'hall closed'", new), 1);
	assert_int_equal(q("SELECT count(*) FROM outbox o JOIN occurrences c "
	    "ON c.id = o.occurrence_id WHERE c.series_id = %lld AND "
	    "c.recurrence_id = '20270527T170000' AND o.state = 'pending'",
	    new), 0);
	/* 15 April is no meeting of the new rule: those told hear it is off. */
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE id > %lld AND "
	    "kind = 'cancellation' AND occurrence_id = %lld", mark, gone), 2);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE id > %lld AND "
	    "kind = 'cancellation' AND occurrence_id != %lld", mark, gone), 0);

	/* One update each, about the series, not one a meeting. */
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE id > %lld AND "
	    "kind = 'update'", mark), 2);
	assert_int_equal(q("SELECT count(DISTINCT person_id) FROM outbox o "
	    "JOIN occurrences c ON c.id = o.occurrence_id WHERE o.id > %lld "
	    "AND o.kind = 'update' AND o.lead = 'series:time/%lld' AND "
	    "c.series_id = %lld AND c.recurrence_id = '20270304T170000'",
	    mark, old, new), 2);
}

/*
 * Lead times of one's own: a member's reminders follow them and those
 * of the old ones are withdrawn; two members with different lists each
 * get their own.  A reminder in a later channel after the first failed
 * stays planned.
 */
static void
test_own_leads(void **state)
{
	struct person_in	 p;
	char			*cause = NULL;
	time_t			 now = utc(2027, 1, 1, 12, 0);
	long long		 occ;
	json_t			*row;

	(void)state;
	occ = q("SELECT id FROM occurrences WHERE recurrence_id = "
	    "'20270304T170000' AND status = 'scheduled'");
	assert_true(occ > 0);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE occurrence_id = "
	    "%lld AND kind = 'reminder' AND state = 'pending' AND lead = "
	    "'P1D'", occ), 2);

	memset(&p, 0, sizeof p);
	p.quiet_start = -2;
	p.lead_times = "P2D,PT2H";
	row = store_person_update(st, 1, &p, &cause);
	assert_non_null(row);
	json_decref(row);
	p.lead_times = "P3D";
	row = store_person_update(st, 2, &p, &cause);
	assert_non_null(row);
	json_decref(row);
	if (plan_occurrence(st, occ, now, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE occurrence_id = "
	    "%lld AND kind = 'reminder' AND state = 'skipped' AND lead = "
	    "'P1D' AND reason LIKE 'no longer wanted%%'", occ), 2);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE occurrence_id = "
	    "%lld AND person_id = 1 AND kind = 'reminder' AND state = "
	    "'pending' AND lead IN ('P2D', 'PT2H')", occ), 2);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE occurrence_id = "
	    "%lld AND person_id = 2 AND kind = 'reminder' AND state = "
	    "'pending'", occ), 1);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE occurrence_id = "
	    "%lld AND person_id = 2 AND kind = 'reminder' AND state = "
	    "'pending' AND lead = 'P3D' AND due_at = %lld", occ,
	    (long long)utc(2027, 3, 1, 17, 0)), 1);

	/* Ada's SMS failed; the email that follows it is no stray. */
	q("UPDATE outbox SET state = 'failed' WHERE occurrence_id = %lld AND "
	    "person_id = 1 AND lead = 'P2D' AND channel = 'sms'", occ);
	q("INSERT INTO outbox (occurrence_id, person_id, kind, lead, channel, "
	    "sequence, due_at, next_at, created_at, updated_at) SELECT "
	    "occurrence_id, person_id, kind, lead, 'email', sequence, due_at, "
	    "next_at, created_at, updated_at FROM outbox WHERE occurrence_id = "
	    "%lld AND person_id = 1 AND lead = 'P2D' AND channel = 'sms'", occ);
	if (plan_occurrence(st, occ, now, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE occurrence_id = "
	    "%lld AND person_id = 1 AND lead = 'P2D' AND channel = 'email' "
	    "AND state = 'pending'", occ), 1);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE occurrence_id = "
	    "%lld AND person_id = 1 AND lead = 'P2D' AND channel = 'sms' "
	    "AND state = 'failed'", occ), 1);
}

/*
 * A meeting as the planner reads it: the group's zone and lead times,
 * the series' duration and venue.  A move to where it is already is no
 * move; an id that is none is no meeting and no error.
 */
static void
test_occ_read(void **state)
{
	struct occurrence	*o;
	char			*cause = NULL;
	time_t			 now = utc(2027, 1, 1, 12, 0);
	long long		 id, updates;

	(void)state;
	id = q("SELECT id FROM occurrences WHERE recurrence_id = "
	    "'20270304T170000' AND status = 'scheduled'");
	if ((o = store_occ_read(st, id, &cause)) == NULL)
		fail_msg("%s", cause ? cause : "no occurrence");
	assert_int_equal(o->id, id);
	assert_int_equal(o->series_id, q("SELECT max(id) FROM series"));
	assert_int_equal(o->group_id, 1);
	assert_string_equal(o->status, "scheduled");
	assert_string_equal(o->time_zone, "Europe/London");
	assert_string_equal(o->lead_times, "P1D");
	assert_string_equal(o->recurrence_id, "20270304T170000");
	assert_int_equal(o->start_at, utc(2027, 3, 4, 17, 0));
	assert_int_equal(o->end_at - o->start_at, o->duration);
	assert_int_equal(o->duration, 3600);
	assert_int_equal(o->moved_from, 0);
	assert_int_equal(o->venue_id, q("SELECT coalesce(o.venue_id, "
	    "s.venue_id, 0) FROM occurrences o JOIN series s ON s.id = "
	    "o.series_id WHERE o.id = %lld", id));
	assert_int_equal(o->sequence, q("SELECT sequence FROM occurrences "
	    "WHERE id = %lld", id));
	updates = q("SELECT count(*) FROM outbox WHERE kind = 'update'");
	assert_int_equal(plan_move(st, id, "2027-03-04T17:00", o->venue_id,
	    NULL, now, &cause), PLAN_UNCHANGED);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE kind = "
	    "'update'"), updates);
	free(o);
	assert_null(store_occ_read(st, 999999, &cause));
	assert_null(cause);
}

/* How many nudges of a meeting are in a state, of one person (0: any). */
static long long
nudges(long long occ, long long person, const char *state)
{
	return (q("SELECT count(*) FROM outbox WHERE occurrence_id = %lld AND "
	    "kind = 'nudge' AND (%lld = 0 OR person_id = %lld) AND "
	    "state = '%s'", occ, person, person, state));
}

/*
 * The gentle reminder: a week before, at the meeting's local time, to
 * each member with a channel who has not answered, an observer aside;
 * none for a meeting less than a week ahead.  A move takes the one
 * waiting along; one sent is never sent again, whatever the meeting
 * does; one who answered before it is planned gets none; one who
 * becomes an observer loses theirs; a cancelled meeting none.
 */
static void
test_nudges(void **state)
{
	struct person_in	 p;
	struct series_in	 s;
	struct answer_in	 a;
	char			*cause = NULL;
	time_t			 now = utc(2028, 1, 5, 12, 0);
	long long		 di, sid, o1, o2, o3;

	(void)state;
	memset(&p, 0, sizeof p);
	p.quiet_start = -1;
	p.name = "Di";
	p.email = "di@example.org";
	di = id_of(store_person_create(st, &p, &cause));
	assert_int_equal(store_member_set(st, 1, di, "observer", &cause), 0);
	memset(&s, 0, sizeof s);
	s.group_id = 1;
	s.title = "Nudged";
	s.dtstart = "20280110T180000";
	s.duration = 3600;
	s.rrule = "FREQ=WEEKLY;COUNT=3";
	sid = id_of(store_series_create(st, &s, &cause));
	if (plan_series(st, sid, now, 400 * 86400, &cause) != 0)
		fail_msg("%s", cause);
	o1 = q("SELECT id FROM occurrences WHERE series_id = %lld AND "
	    "recurrence_id = '20280110T180000'", sid);
	o2 = q("SELECT id FROM occurrences WHERE series_id = %lld AND "
	    "recurrence_id = '20280117T180000'", sid);
	o3 = q("SELECT id FROM occurrences WHERE series_id = %lld AND "
	    "recurrence_id = '20280124T180000'", sid);

	/* Five days ahead: none.  Ada and Bo by SMS; not Cy, nor Di. */
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE occurrence_id = "
	    "%lld AND kind = 'nudge'", o1), 0);
	assert_int_equal(nudges(o2, 0, "pending"), 2);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE occurrence_id = "
	    "%lld AND kind = 'nudge' AND lead = 'P7D' AND channel = 'sms' "
	    "AND sequence = 0 AND due_at = %lld AND person_id IN (1, 2)", o2,
	    (long long)utc(2028, 1, 10, 18, 0)), 2);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE kind = 'nudge' "
	    "AND person_id IN (3, %lld)", di), 0);
	/* Planning again changes nothing. */
	assert_int_equal(plan_series(st, sid, now, 400 * 86400, &cause), 0);
	assert_int_equal(q("SELECT count(*) FROM outbox o JOIN occurrences c "
	    "ON c.id = o.occurrence_id WHERE c.series_id = %lld AND "
	    "o.kind = 'nudge'", sid), 4);

	/* Bo answered the third: moved, it has a new nudge for Ada only. */
	memset(&a, 0, sizeof a);
	a.person_id = 2;
	a.occurrence_id = o3;
	a.answer = "yes";
	a.channel = "api";
	a.at = now;
	assert_int_equal(store_answer_add(st, &a, &cause), 0);
	assert_int_equal(plan_move(st, o3, "2028-01-25T18:00", 0, NULL, now,
	    &cause), 0);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE occurrence_id = "
	    "%lld AND kind = 'nudge' AND state = 'skipped' AND reason = "
	    "'meeting moved' AND sequence = 0", o3), 2);
	assert_int_equal(nudges(o3, 2, "pending"), 0);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE occurrence_id = "
	    "%lld AND person_id = 1 AND kind = 'nudge' AND state = "
	    "'pending' AND sequence = 1 AND due_at = %lld", o3,
	    (long long)utc(2028, 1, 18, 18, 0)), 1);

	/* Ada's for the second was sent: moved, Bo gets his, she none. */
	q("UPDATE outbox SET state = 'sent' WHERE occurrence_id = %lld AND "
	    "person_id = 1 AND kind = 'nudge'", o2);
	assert_int_equal(plan_move(st, o2, "2028-01-18T18:00", 0, NULL, now,
	    &cause), 0);
	assert_int_equal(nudges(o2, 1, "pending"), 0);
	assert_int_equal(nudges(o2, 1, "sent"), 1);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE occurrence_id = "
	    "%lld AND person_id = 2 AND kind = 'nudge' AND state = "
	    "'pending' AND sequence = 1", o2), 1);
	assert_int_equal(plan_series(st, sid, now, 400 * 86400, &cause), 0);
	assert_int_equal(nudges(o2, 1, "pending"), 0);

	/* Ada an observer now: her nudge waiting is withdrawn. */
	assert_int_equal(store_member_set(st, 1, 1, "observer", &cause), 0);
	assert_int_equal(plan_person(st, 1, now, &cause), 0);
	assert_int_equal(nudges(o3, 1, "pending"), 0);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE occurrence_id = "
	    "%lld AND person_id = 1 AND kind = 'nudge' AND sequence = 1 AND "
	    "reason LIKE 'no longer wanted%%'", o3), 1);
	assert_int_equal(store_member_set(st, 1, 1, "co-chair", &cause), 0);

	/* A cancelled meeting: Bo's nudge waiting is withdrawn. */
	assert_int_equal(plan_cancel(st, o2, "no room", now, &cause), 0);
	assert_int_equal(nudges(o2, 0, "pending"), 0);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE occurrence_id = "
	    "%lld AND person_id = 2 AND kind = 'nudge' AND reason = "
	    "'meeting cancelled'", o2), 1);
}

/* Pending rows of an occurrence: who, what lead; -1 any person. */
static long long
pending(long long occ, long long person, const char *lead)
{
	return (q("SELECT count(*) FROM outbox WHERE occurrence_id = %lld AND "
	    "kind = 'reminder' AND state = 'pending' AND (%lld < 0 OR "
	    "person_id = %lld) AND lead GLOB '%s'", occ, person, person,
	    lead));
}

static void
link_supporter(long long member, long long supporter, int copy)
{
	struct supporter_in	 in;
	char			*cause = NULL;

	memset(&in, 0, sizeof in);
	in.person_id = member;
	in.supporter_id = supporter;
	in.role = copy ? "personal-assistant" : "supporter";
	in.copy_reminders = copy;
	in.consent_by = "member";
	in.now = utc(2028, 12, 1, 12, 0);
	if (store_supporter_set(st, &in, &cause) != 0)
		fail_msg("%s", cause);
}

/*
 * Ada's supporters: Pat (no member, by email, copies), Sam (no copies)
 * and Bo (a member, by SMS, copies).  Each copy has Ada's lead and due
 * time and goes in the supporter's channel; Bo keeps his own beside.
 */
static void
test_supporter_copies(void **state)
{
	struct person_in	 p;
	struct series_in	 s;
	struct outbox_row	**rows;
	char			*cause = NULL;
	time_t			 now = utc(2029, 1, 1, 12, 0);
	long long		 pat, sam, sid, occ, own, total, i;
	size_t			 n, k;
	int			 found = 0;

	(void)state;
	memset(&p, 0, sizeof p);
	p.quiet_start = -1;
	p.name = "Pat";
	p.email = "pat@example.org";
	p.language = "cy";
	pat = id_of(store_person_create(st, &p, &cause));
	p.name = "Sam";
	p.email = "sam@example.org";
	p.language = NULL;
	sam = id_of(store_person_create(st, &p, &cause));
	link_supporter(1, pat, 1);
	link_supporter(1, sam, 0);
	link_supporter(1, 2, 1);
	memset(&s, 0, sizeof s);
	s.group_id = 1;
	s.title = "Copied";
	s.dtstart = "20290110T180000";
	s.duration = 3600;
	s.rrule = "FREQ=WEEKLY;COUNT=2";
	sid = id_of(store_series_create(st, &s, &cause));
	if (plan_series(st, sid, now, 400 * 86400, &cause) != 0)
		fail_msg("%s", cause);
	occ = q("SELECT id FROM occurrences WHERE series_id = %lld AND "
	    "recurrence_id = '20290117T180000'", sid);
	own = pending(occ, 1, "*");
	assert_true(own > 0);
	assert_int_equal(pending(occ, pat, "*/for:1"), own);
	assert_int_equal(pending(occ, pat, "*"), own);
	assert_int_equal(pending(occ, 2, "*/for:1"), own);
	assert_int_equal(pending(occ, 2, "P*[DHM]"), 1);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE person_id = "
	    "%lld", sam), 0);
	/* The same lead and due time as Ada's, in the supporter's channel. */
	assert_int_equal(q("SELECT count(*) FROM outbox c JOIN outbox a ON "
	    "a.occurrence_id = c.occurrence_id AND a.person_id = 1 AND "
	    "c.lead = a.lead || '/for:1' AND c.due_at = a.due_at AND "
	    "a.state = 'pending' WHERE c.occurrence_id = %lld AND "
	    "c.person_id = %lld AND c.channel = 'email'", occ, pat), own);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE occurrence_id = "
	    "%lld AND person_id = 2 AND lead GLOB '*/for:1' AND channel = "
	    "'sms'", occ), own);

	/* Planning again, or in slices of one member, changes nothing. */
	total = q("SELECT count(*) FROM outbox");
	assert_int_equal(plan_series(st, sid, now, 400 * 86400, &cause), 0);
	for (i = 0;; ) {
		long long	next;

		if (plan_occurrence_slice(st, occ, now, i, 1, &next,
		    &cause) != 0)
			fail_msg("%s", cause);
		if ((i = next) == 0)
			break;
	}
	assert_int_equal(q("SELECT count(*) FROM outbox"), total);
	assert_int_equal(pending(occ, pat, "*/for:1"), own);

	/* The dispatcher reads whose copy it is. */
	rows = store_out_due(st, utc(2029, 1, 18, 0, 0), 1000, &n, &cause);
	assert_non_null(rows);
	for (k = 0; k < n; k++) {
		if (rows[k]->copy_of != 0) {
			assert_int_equal(rows[k]->copy_of, 1);
			assert_string_equal(rows[k]->for_name, "Ada");
			assert_true(rows[k]->person_id == pat ||
			    rows[k]->person_id == 2);
			found += rows[k]->person_id == pat;
		}
		outbox_row_free(rows[k]);
	}
	free(rows);
	assert_true(found > 0);

	/* Pat unlinked, Bo's copies off: theirs are withdrawn. */
	assert_int_equal(store_supporter_remove(st, 1, pat, &cause), 1);
	link_supporter(1, 2, 0);
	/* Before the plan catches up, the dispatcher knows them unwanted. */
	rows = store_out_due(st, utc(2029, 1, 18, 0, 0), 1000, &n, &cause);
	assert_non_null(rows);
	for (k = 0, found = 0; k < n; k++) {
		if (rows[k]->copy_of != 0) {
			assert_string_equal(rows[k]->for_name, "");
			found++;
		}
		outbox_row_free(rows[k]);
	}
	free(rows);
	assert_true(found > 0);
	assert_int_equal(plan_person(st, 1, now, &cause), 0);
	assert_int_equal(pending(occ, pat, "*"), 0);
	assert_int_equal(pending(occ, 2, "*/for:1"), 0);
	assert_int_equal(pending(occ, 2, "P*[DHM]"), 1);
	assert_int_equal(pending(occ, 1, "*"), own);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE occurrence_id = "
	    "%lld AND person_id = %lld AND state = 'skipped' AND reason LIKE "
	    "'a copy no longer wanted%%'", occ, pat), own);

	/* Linked again, the copies come back; gone when Ada leaves. */
	link_supporter(1, pat, 1);
	assert_int_equal(plan_person(st, 1, now, &cause), 0);
	assert_int_equal(pending(occ, pat, "*/for:1"), own);
	assert_int_equal(store_member_remove(st, 1, 1, &cause), 0);
	assert_int_equal(plan_group(st, 1, now, &cause), 0);
	assert_int_equal(pending(occ, pat, "*"), 0);
	assert_int_equal(store_member_set(st, 1, 1, "co-chair", &cause), 0);
	assert_int_equal(plan_group(st, 1, now, &cause), 0);
	assert_int_equal(pending(occ, pat, "*/for:1"), own);

	/* Moved: withdrawn with Ada's, planned again for the new time. */
	assert_int_equal(plan_move(st, occ, "2029-01-18T18:00", 0, NULL, now,
	    &cause), 0);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE occurrence_id = "
	    "%lld AND person_id = %lld AND state = 'skipped' AND reason = "
	    "'meeting moved' AND sequence = 0", occ, pat), own);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE occurrence_id = "
	    "%lld AND person_id = %lld AND state = 'pending' AND sequence = "
	    "1", occ, pat), own);

	/* Pat erased: no copies to them. */
	q("UPDATE people SET erased_at = %lld WHERE id = %lld",
	    (long long)now, pat);
	assert_int_equal(plan_group(st, 1, now, &cause), 0);
	assert_int_equal(pending(occ, pat, "*"), 0);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE person_id = "
	    "%lld AND state = 'pending'", pat), 0);
	assert_int_equal(pending(occ, 1, "*"), own);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_and_replan),
		cmocka_unit_test(test_move_and_cancel),
		cmocka_unit_test(test_member_leaves),
		cmocka_unit_test(test_slices),
		cmocka_unit_test(test_channels_and_notices),
		cmocka_unit_test(test_series_edit),
		cmocka_unit_test(test_series_split),
		cmocka_unit_test(test_own_leads),
		cmocka_unit_test(test_occ_read),
		cmocka_unit_test(test_nudges),
		cmocka_unit_test(test_supporter_copies),
	};

	log_init(LOG_TARGET_STDERR, 0);
	sched_init();
	return (cmocka_run_group_tests_name("plan", tests, setup, teardown));
}
