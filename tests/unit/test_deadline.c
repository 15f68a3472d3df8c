/*
 * test_deadline.c: what coordinators are told about access requests,
 * chosen from a temporary database.  An alert goes once to each
 * coordinator who can be reached for a request still asked for whose
 * deadline is two days away or less; a flag once per request and venue
 * when the venue lacks what the need asks, again when the venue
 * changes, never when the venue has it; a digest once a day, due at 8am
 * in the group's zone (BST and GMT alike); members get none of these;
 * the digest lists the open requests soonest deadline first; nothing
 * for a cancelled meeting or an erased member; and a due digest row
 * carries its list.
 */
#include "config.h"

#include <sqlite3.h>

#include <jansson.h>

#include "testlib.h"
#include "testdb.h"

#include "convene.h"
#include "log.h"
#include "sched.h"
#include "util.h"

#define DAY	86400LL
#define START	1893492000LL	/* Tuesday 1 January 2030 10:00 GMT */
#define NOW	(START - 10 * DAY)	/* Saturday 22 December 2029 10:00 */
#define EIGHT	1892620800LL	/* that day at 8am, GMT */
#define EIGHT_AM	(8 * 60)	/* the digest's minute of the day */

static struct config	*conf;

/*
 * Cora (1) and Eve (3, who takes only the feed) coordinate the panel;
 * Dan (2) and Fay (4) are members who asked for things at its meeting
 * (1), at the Hall (venue 1: a hearing loop, no step-free access).
 */
static struct store *
deadline_store(const char *name, char **path)
{
	struct store	*st;
	char		*cause = NULL, *sql;

	*path = xprintf("%s/%s.db", test_dir, name);
	if ((st = store_open(*path, &cause)) == NULL)
		fail_msg("%s", cause);
	sql = xprintf("INSERT INTO people (name, email, channels, created_at) "
	    "VALUES ('Cora', 'cora@example.org', 'email', 0), "
	    "('Dan', 'dan@example.org', 'email', 0), "
	    "('Eve', 'eve@example.org', 'feed', 0), "
	    "('Fay', 'fay@example.org', 'email,sms', 0);"
	    "INSERT INTO groups (slug, name, time_zone, created_at) VALUES "
	    "('panel', 'Panel', 'Europe/London', 0);"
	    "INSERT INTO memberships (group_id, person_id, role, joined_at) "
	    "VALUES (1, 1, 'coordinator', 0), (1, 2, 'member', 0), "
	    "(1, 3, 'coordinator', 0), (1, 4, 'co-chair', 0);"
	    "INSERT INTO venues (name, step_free, hearing_loop, created_at) "
	    "VALUES ('Hall', 0, 1, 0), ('Annex', 0, 0, 0), "
	    "('Centre', 1, 1, 0);"
	    "INSERT INTO series (group_id, title, dtstart, duration, "
	    "venue_id, created_at, updated_at) VALUES (1, 'Panel meeting', "
	    "'20300101T100000', 3600, 1, 0, 0);"
	    "INSERT INTO occurrences (series_id, recurrence_id, start_at, "
	    "end_at) VALUES (1, '20300101T100000', %lld, %lld);"
	    "INSERT INTO access_requests (person_id, occurrence_id, need, "
	    "detail, state, deadline_at, created_at, updated_at) VALUES "
	    "(2, 1, 'bsl', 'Two, please', 'requested', %lld, 0, 0), "
	    "(2, 1, 'step-free', '', 'requested', %lld, 0, 0), "
	    "(4, 1, 'hearing-loop', '', 'requested', %lld, 0, 0), "
	    "(4, 1, 'largeprint', '', 'arranged', %lld, 0, 0), "
	    "(4, 1, 'captions', '', 'requested', %lld, 0, 0);",
	    START, START + 3600, START - 14 * DAY, START, START,
	    START - 3 * DAY, START - 7 * DAY);
	raw_exec(*path, sql);
	free(sql);
	return (st);
}

static void
pass(struct store *st, time_t now, int alerts, int flags, int digests,
    time_t *next)
{
	struct deadline_counts	 c;
	time_t			 n;
	char			*cause = NULL;

	if (deadline_pass(st, conf, now, &c, next != NULL ? next : &n,
	    &cause) != 0)
		fail_msg("deadline_pass: %s", cause);
	if (c.alerts != alerts || c.flags != flags || c.digests != digests)
		fail_msg("at %lld: %d alerts, %d flags, %d digests; wanted "
		    "%d, %d, %d", (long long)now, c.alerts, c.flags,
		    c.digests, alerts, flags, digests);
}

static int
count(const char *path, const char *where)
{
	char	*sql;
	int	 n;

	sql = xprintf("SELECT count(*) FROM outbox WHERE %s", where);
	n = raw_int(path, sql);
	free(sql);
	return (n);
}

/* Alerts, flags and a digest, once each, to coordinators only. */
static void
test_once_each(void **state)
{
	struct store	*st;
	char		*path;
	time_t		 next;

	(void)state;
	st = deadline_store("once", &path);
	pass(st, NOW, 1, 1, 1, &next);
	assert_int_equal(count(path, "kind = 'alert' AND person_id = 1 AND "
	    "occurrence_id = 1 AND lead = 'r1' AND channel = 'email' AND "
	    "due_at = 1892628000"), 1);
	assert_int_equal(count(path, "kind = 'flag' AND person_id = 1 AND "
	    "lead = 'r2.v1'"), 1);
	assert_int_equal(count(path, "kind = 'digest' AND person_id = 1 AND "
	    "occurrence_id IS NULL AND lead = '2029-12-22' AND "
	    "due_at = 1892620800"), 1);
	/* Members, and a coordinator with no channel, get nothing. */
	assert_int_equal(count(path, "person_id != 1"), 0);
	assert_int_equal(count(path, "1"), 3);
	/* Again: nothing new. */
	pass(st, NOW, 0, 0, 0, NULL);
	pass(st, NOW + 3600, 0, 0, 0, NULL);
	/* Captions (deadline in 7 days) come within two days tomorrow. */
	assert_int_equal((long long)next, START - 9 * DAY);
	/* (A second before, the next morning's digest came.) */
	pass(st, next - 1, 0, 0, 1, NULL);
	pass(st, next, 1, 0, 0, NULL);
	assert_int_equal(count(path, "kind = 'alert' AND lead = 'r5'"), 1);
	assert_int_equal(count(path, "kind = 'digest' AND "
	    "lead = '2029-12-23'"), 1);
	/* Past the morning: the next digest is tomorrow's, due at 8am. */
	pass(st, next + 5 * 3600, 0, 0, 1, NULL);
	assert_int_equal(count(path, "kind = 'digest' AND "
	    "lead = '2029-12-24' AND due_at = 1892793600 AND "
	    "state = 'pending'"), 1);
	assert_int_equal(count(path, "person_id != 1"), 0);
	store_close(st);
	free(path);
}

/* A venue change checks again; a venue with the fact is no trouble. */
static void
test_venue(void **state)
{
	struct store	*st;
	char		*path;

	(void)state;
	st = deadline_store("venue", &path);
	pass(st, NOW, 1, 1, 1, NULL);
	raw_exec(path, "UPDATE occurrences SET venue_id = 2");
	/* The Annex lacks step-free access and the loop: two flags. */
	pass(st, NOW + 60, 0, 2, 0, NULL);
	assert_int_equal(count(path, "kind = 'flag' AND lead = 'r2.v2'"), 1);
	assert_int_equal(count(path, "kind = 'flag' AND lead = 'r3.v2'"), 1);
	raw_exec(path, "UPDATE occurrences SET venue_id = 3");
	pass(st, NOW + 120, 0, 0, 0, NULL);
	/* A request withdrawn is no longer flagged at a new venue. */
	raw_exec(path, "UPDATE access_requests SET state = 'withdrawn' "
	    "WHERE id = 2; UPDATE occurrences SET venue_id = NULL; "
	    "UPDATE series SET venue_id = 2");
	pass(st, NOW + 180, 0, 0, 0, NULL);
	assert_int_equal(count(path, "kind = 'flag'"), 3);
	store_close(st);
	free(path);
}

/* The list: soonest deadline first, overdue marked, per coordinator. */
static void
test_list(void **state)
{
	struct store	*st;
	json_t		*l;
	char		*path, *cause = NULL;

	(void)state;
	st = deadline_store("list", &path);
	l = store_deadline_list(st, 1, 0, NOW, 100, &cause);
	assert_non_null(l);
	assert_int_equal(json_array_size(l), 4);
	assert_int_equal(jint(json_array_get(l, 0), "id"), 1);
	assert_int_equal(jint(json_array_get(l, 1), "id"), 5);
	assert_int_equal(jint(json_array_get(l, 2), "id"), 2);
	assert_int_equal(jint(json_array_get(l, 3), "id"), 3);
	assert_int_equal(jint(json_array_get(l, 0), "overdue"), 1);
	assert_int_equal(jint(json_array_get(l, 1), "overdue"), 0);
	assert_string_equal(jstr(json_array_get(l, 0), "member"), "Dan");
	assert_string_equal(jstr(json_array_get(l, 0), "detail"),
	    "Two, please");
	assert_string_equal(jstr(json_array_get(l, 0), "title"),
	    "Panel meeting");
	json_decref(l);
	/* A member coordinates nothing; a coordinator sees the four. */
	l = store_deadline_list(st, 0, 2, NOW, 100, &cause);
	assert_int_equal(json_array_size(l), 0);
	json_decref(l);
	l = store_deadline_list(st, 0, 1, NOW, 100, &cause);
	assert_int_equal(json_array_size(l), 4);
	json_decref(l);
	/* An erased person's requests are not listed. */
	raw_exec(path, "UPDATE people SET erased_at = 1 WHERE id = 4");
	l = store_deadline_list(st, 0, 1, NOW, 100, &cause);
	assert_int_equal(json_array_size(l), 2);
	json_decref(l);
	raw_exec(path, "UPDATE people SET erased_at = NULL");
	/* Once the meeting has begun, or is cancelled: nothing. */
	l = store_deadline_list(st, 0, 0, START, 100, &cause);
	assert_int_equal(json_array_size(l), 0);
	json_decref(l);
	raw_exec(path, "UPDATE occurrences SET status = 'cancelled'");
	l = store_deadline_list(st, 0, 0, NOW, 100, &cause);
	assert_int_equal(json_array_size(l), 0);
	json_decref(l);
	pass(st, NOW, 0, 0, 0, NULL);
	assert_int_equal(count(path, "1"), 0);
	store_close(st);
	free(path);
}

/* A due digest row carries its list and its group's zone. */
static void
test_due_row(void **state)
{
	struct outbox_row	**rows, *r;
	struct store		*st;
	char			*path, *cause = NULL;
	size_t			 n, i, seen = 0;

	(void)state;
	st = deadline_store("due", &path);
	pass(st, NOW, 1, 1, 1, NULL);
	rows = store_out_due(st, NOW, 10, &n, &cause);
	assert_non_null(rows);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++) {
		r = rows[i];
		if (strcmp(r->kind, "digest") == 0) {
			assert_int_equal(json_array_size(json_object_get(
			    r->requests, "items")), 4);
			assert_string_equal(r->time_zone, "Europe/London");
			assert_string_equal(r->group_name, "Panel");
			seen++;
		} else if (strcmp(r->kind, "alert") == 0) {
			assert_string_equal(r->need, "bsl");
			assert_string_equal(r->access_status, "requested");
			assert_string_equal(r->note, "Two, please");
			assert_string_equal(jstr(r->requests, "member"),
			    "Dan");
			seen++;
		} else if (strcmp(r->kind, "flag") == 0) {
			assert_string_equal(r->need, "step-free");
			assert_int_equal(jint(r->requests, "venue_id"), 1);
			seen++;
		}
		outbox_row_free(r);
	}
	free(rows);
	assert_int_equal(seen, 3);
	store_close(st);
	free(path);
}

/*
 * [deadlines] as configured: an alert window of 8 days takes captions
 * (7 days ahead) at once, and a digest at 5pm is due at 5pm.
 */
static void
test_configured(void **state)
{
	struct store	*st;
	char		*path;
	time_t		 next;

	(void)state;
	st = deadline_store("configured", &path);
	conf->alert_days = 8;
	conf->digest_hour = 17;
	pass(st, NOW, 2, 1, 1, &next);
	conf->alert_days = 2;
	conf->digest_hour = 8;
	assert_int_equal(count(path, "kind = 'alert' AND lead = 'r5'"), 1);
	assert_int_equal(count(path, "kind = 'digest' AND lead = "
	    "'2029-12-22' AND due_at = 1892653200"), 1);
	store_close(st);
	free(path);
}

/* 8am in the zone, summer and winter, and across the clock change. */
static void
test_digest_at(void **state)
{
	char	day[11];
	time_t	due;

	(void)state;
	assert_int_equal(deadline_digest_at("Europe/London", EIGHT_AM, NOW,
	    day, &due), 0);
	assert_string_equal(day, "2029-12-22");
	assert_int_equal((long long)due, EIGHT);
	/* 8:30am BST: today's, due 7am UTC. */
	assert_int_equal(deadline_digest_at("Europe/London", EIGHT_AM,
	    1909121400, day, &due), 0);
	assert_string_equal(day, "2030-07-01");
	assert_int_equal((long long)due, 1909119600);
	/* 1pm BST: tomorrow's. */
	assert_int_equal(deadline_digest_at("Europe/London", EIGHT_AM,
	    1909137600, day, &due), 0);
	assert_string_equal(day, "2030-07-02");
	assert_int_equal((long long)due, 1909206000);
	/* The evening before the clocks go forward: 8am BST next. */
	assert_int_equal(deadline_digest_at("Europe/London", EIGHT_AM,
	    1901131200, day, &due), 0);
	assert_string_equal(day, "2030-03-31");
	assert_int_equal((long long)due, 1901170800);
	/* [deadlines] digest_hour = 17: at 1pm BST, today's at 4pm UTC. */
	assert_int_equal(deadline_digest_at("Europe/London", 17 * 60,
	    1909137600, day, &due), 0);
	assert_string_equal(day, "2030-07-01");
	assert_int_equal((long long)due, 1909152000);
	assert_int_equal(deadline_digest_at("Europe/London", 24 * 60, NOW,
	    day, &due), -1);
	assert_int_equal(deadline_digest_at("No/Such_Zone", EIGHT_AM, NOW,
	    day, &due), -1);
}

static int
setup(void **state)
{
	char	*cause = NULL;

	if (test_setup_dir(state) != 0)
		return (-1);
	sched_init();
	if ((conf = config_default(&cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		return (-1);
	}
	return (0);
}

static int
teardown(void **state)
{
	config_free(conf);
	return (test_remove_dir(state));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_once_each),
		cmocka_unit_test(test_venue),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_due_row),
		cmocka_unit_test(test_digest_at),
		cmocka_unit_test(test_configured),
	};

	log_init(LOG_TARGET_STDERR, 0);
	return (cmocka_run_group_tests_name("deadline", tests, setup,
	    teardown));
}
