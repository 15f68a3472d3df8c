/*
 * test_privacy.c: what is held about people, in a temporary database.
 * Retention clears the free text of meetings that ended before the
 * cut-off (answers' notes, access requests' detail and reason, their
 * history's reasons) and nothing of later meetings, keeps every row, and
 * works in batches that say when more is left.  A token limited to a
 * group sees that group's people only.  Erasure keeps the counted rows,
 * clears the rest, and scrubs the audit lines that name the person.
 */
#include "config.h"

#include <sqlite3.h>

#include <jansson.h>

#include "testlib.h"
#include "testdb.h"

#include "convene.h"
#include "log.h"
#include "util.h"

#define DAY	86400
#define NOW	2000000000LL	/* the tests' "now" */

/*
 * Ann (1) and Bob (2) in group 1, Cat (3) in group 2; meeting 1 ended
 * 400 days ago, meeting 2 ended 300 days ago, meeting 3 (group 2) is
 * tomorrow.  Each member answered with a note and asked for something,
 * with a detail, a reason and a history.
 */
static struct store *
privacy_store(const char *name, char **path)
{
	struct store	*st;
	char		*cause = NULL, *sql;

	*path = xprintf("%s/%s.db", test_dir, name);
	if ((st = store_open(*path, &cause)) == NULL)
		fail_msg("%s", cause);
	sql = xprintf(
	    "INSERT INTO people (name, email, phone, created_at) VALUES "
	    "('Ann Alpha', 'ann@example.org', '+447700900001', 0), "
	    "('Bob Beta', 'bob@example.org', '+447700900002', 0), "
	    "('Cat Gamma', 'cat@example.org', '+447700900003', 0);"
	    "INSERT INTO groups (slug, name, created_at) VALUES "
	    "('one', 'One', 0), ('two', 'Two', 0);"
	    "INSERT INTO memberships (group_id, person_id, joined_at) VALUES "
	    "(1, 1, 0), (1, 2, 0), (2, 3, 0);"
	    "INSERT INTO series (group_id, title, dtstart, duration, "
	    "created_at, updated_at) VALUES (1, 'One', '20300101T100000', "
	    "3600, 0, 0), (2, 'Two', '20300101T100000', 3600, 0, 0);"
	    "INSERT INTO occurrences (series_id, recurrence_id, start_at, "
	    "end_at) VALUES (1, 'a', %lld, %lld), (1, 'b', %lld, %lld), "
	    "(2, 'c', %lld, %lld);"
	    "INSERT INTO answers (person_id, occurrence_id, answer, note, "
	    "channel, at) VALUES (1, 1, 'yes', 'old note', 'link', 0), "
	    "(2, 1, 'no', 'old note too', 'link', 0), "
	    "(1, 2, 'yes', 'recent note', 'link', 0), "
	    "(3, 3, 'maybe', 'next note', 'link', 0);"
	    "INSERT INTO access_requests (person_id, occurrence_id, need, "
	    "detail, state, reason, deadline_at, created_at, updated_at) "
	    "VALUES (1, 1, 'bsl', 'old detail', 'unable', 'old reason', 0, "
	    "0, 0), (1, 2, 'other', 'recent detail', 'unable', "
	    "'recent reason', 0, 0, 0), (3, 3, 'bsl', 'next detail', "
	    "'requested', '', 0, 0, 0);"
	    "INSERT INTO access_events (request_id, at, actor, state, reason) "
	    "VALUES (1, 0, 'member', 'requested', ''), "
	    "(1, 1, 'control', 'unable', 'old event reason'), "
	    "(2, 1, 'control', 'unable', 'recent event reason');"
	    "INSERT INTO needs_standing (person_id, need, detail, set_by, at) "
	    "VALUES (1, 'bsl', 'standing detail', 'member', 0);"
	    "INSERT INTO supporters (person_id, supporter_id, consent_at, "
	    "consent_by, created_at) VALUES (1, 2, 0, 'member', 0);"
	    "INSERT INTO outbox (occurrence_id, person_id, kind, channel, "
	    "due_at, next_at, state, reason, created_at, updated_at) VALUES "
	    "(3, 1, 'reminder', 'email', 0, 0, 'pending', '', 0, 0), "
	    "(1, 1, 'reminder', 'email', 0, 0, 'dead', "
	    "'550 ann@example.org unknown', 0, 0);"
	    "INSERT INTO audit_log (at, actor, action, object, detail) VALUES "
	    "(0, 'control', 'update', 'person', '1'), "
	    "(0, 'preferences link', 'update', 'person', "
	    "'person 1: email, large, en'), "
	    "(0, 'control', 'add', 'membership', 'one: person 1 as member'), "
	    "(0, 'control', 'note', 'Ann Alpha', 'said ann@example.org'), "
	    "(0, 'control', 'update', 'person', '11'), "
	    "(0, 'control', 'add', 'membership', 'one: person 12 as member');",
	    NOW - 400 * DAY, NOW - 400 * DAY + 3600, NOW - 300 * DAY,
	    NOW - 300 * DAY + 3600, NOW + DAY, NOW + DAY + 3600);
	raw_exec(*path, sql);
	free(sql);
	return (st);
}

static int
count(const char *path, const char *sql)
{
	return (raw_int(path, sql));
}

/* Only what ended before the cut-off is cleared; every row stays. */
static void
test_retain(void **state)
{
	struct store	*st;
	char		*path, *cause = NULL;
	int		 more;

	(void)state;
	st = privacy_store("retain", &path);
	assert_int_equal(store_privacy_retain(st, NOW - 365 * DAY, 500, &more,
	    &cause), 2 + 1 + 1);
	assert_int_equal(more, 0);
	store_close(st);
	assert_int_equal(count(path, "SELECT count(*) FROM answers"), 4);
	assert_int_equal(count(path, "SELECT count(*) FROM answers WHERE "
	    "occurrence_id = 1 AND note IS NOT NULL"), 0);
	assert_int_equal(count(path, "SELECT count(*) FROM answers WHERE "
	    "occurrence_id != 1 AND note IS NOT NULL"), 2);
	assert_int_equal(count(path, "SELECT count(*) FROM access_requests"),
	    3);
	assert_int_equal(count(path, "SELECT count(*) FROM access_requests "
	    "WHERE id = 1 AND detail = '' AND reason = '' AND need = 'bsl' "
	    "AND state = 'unable'"), 1);
	assert_int_equal(count(path, "SELECT count(*) FROM access_requests "
	    "WHERE id = 2 AND detail = 'recent detail' AND reason = "
	    "'recent reason'"), 1);
	assert_int_equal(count(path, "SELECT count(*) FROM access_events"), 3);
	assert_int_equal(count(path, "SELECT count(*) FROM access_events "
	    "WHERE reason != ''"), 1);
	/* Standing needs belong to no meeting: kept. */
	assert_int_equal(count(path, "SELECT count(*) FROM needs_standing "
	    "WHERE detail = 'standing detail'"), 1);

	/* Once more: nothing left to clear. */
	st = store_open(path, &cause);
	assert_non_null(st);
	assert_int_equal(store_privacy_retain(st, NOW - 365 * DAY, 500, &more,
	    &cause), 0);
	/* A later cut-off reaches the meeting of 300 days ago. */
	assert_int_equal(store_privacy_retain(st, NOW - 200 * DAY, 500, &more,
	    &cause), 1 + 1 + 1);
	store_close(st);
	assert_int_equal(count(path, "SELECT count(*) FROM answers WHERE "
	    "note IS NOT NULL"), 1);
	free(path);
}

/* A batch clears at most limit rows a table, and says more is left. */
static void
test_retain_batches(void **state)
{
	struct store	*st;
	char		*path, *cause = NULL;
	int		 more, n, turns = 0;

	(void)state;
	st = privacy_store("batches", &path);
	assert_int_equal(store_privacy_retain(st, NOW - 365 * DAY, 1, &more,
	    &cause), 3);
	assert_int_equal(more, 1);
	assert_int_equal(count(path, "SELECT count(*) FROM answers WHERE "
	    "occurrence_id = 1 AND note IS NOT NULL"), 1);
	do {
		n = store_privacy_retain(st, NOW - 365 * DAY, 1, &more,
		    &cause);
		assert_true(n >= 0);
		turns++;
	} while (more && turns < 10);
	assert_int_equal(more, 0);
	store_close(st);
	assert_int_equal(count(path, "SELECT count(*) FROM answers WHERE "
	    "occurrence_id = 1 AND note IS NOT NULL"), 0);
	free(path);
}

/* A token for group one sees Ann and Bob, not Cat; none sees all. */
static void
test_scope(void **state)
{
	struct store	*st;
	char		*path, *cause = NULL;
	json_t		*groups, *seen;
	unsigned char	 hash[32] = { 1 };

	(void)state;
	st = privacy_store("scope", &path);
	assert_int_equal(store_token_insert(st, "one", hash, sizeof hash,
	    &cause), 0);
	groups = json_pack("[i]", 1);
	assert_int_equal(store_token_scope(st, "one", groups, &cause), 0);
	json_decref(groups);
	assert_non_null(groups = store_token_groups(st, 1, &cause));
	assert_int_equal(json_array_size(groups), 1);
	assert_int_equal(json_integer_value(json_array_get(groups, 0)), 1);
	json_decref(groups);
	assert_int_equal(store_token_sees_person(st, 1, 1), 1);
	assert_int_equal(store_token_sees_person(st, 1, 3), 0);
	assert_int_equal(store_token_shares_person(st, 1, 1), 0);
	raw_exec(path, "INSERT INTO memberships (group_id, person_id, "
	    "joined_at) VALUES (2, 1, 0)");
	assert_int_equal(store_token_shares_person(st, 1, 1), 1);
	assert_non_null(seen = store_token_people(st, 1, &cause));
	assert_int_equal(json_object_size(seen), 2);
	assert_non_null(json_object_get(seen, "1"));
	assert_non_null(json_object_get(seen, "2"));
	json_decref(seen);
	store_close(st);
	free(path);
}

/* Erased: counted rows stay, the rest goes, the audit names no one. */
static void
test_erase(void **state)
{
	struct store	*st;
	char		*path, *cause = NULL;
	json_t		*doc;

	(void)state;
	st = privacy_store("erase", &path);
	assert_non_null(doc = store_privacy_export(st, 1, &cause));
	assert_string_equal(jstr(json_object_get(doc, "person"), "name"),
	    "Ann Alpha");
	assert_int_equal(json_array_size(json_object_get(doc, "answers")), 2);
	assert_int_equal(json_array_size(json_object_get(doc,
	    "access_requests")), 2);
	assert_int_equal(json_array_size(json_object_get(json_array_get(
	    json_object_get(doc, "access_requests"), 0), "history")), 2);
	assert_int_equal(json_array_size(json_object_get(doc,
	    "needs_standing")), 1);
	assert_int_equal(json_array_size(json_object_get(doc, "supporters")),
	    1);
	assert_int_equal(json_array_size(json_object_get(doc, "messages")), 2);
	/* Person 1's lines, not 11's or 12's. */
	assert_int_equal(json_array_size(json_object_get(doc, "audit")), 4);
	json_decref(doc);
	assert_null(store_privacy_export(st, 99, &cause));
	assert_null(cause);

	assert_int_equal(store_privacy_erase(st, 99, "test", &cause), 1);
	free(cause);
	cause = NULL;
	assert_int_equal(store_person_erased(st, 1), 0);
	assert_int_equal(store_privacy_erase(st, 1, "test", &cause), 0);
	assert_int_equal(store_person_erased(st, 1), 1);
	assert_int_equal(store_person_erased(st, 2), 0);
	store_close(st);

	assert_int_equal(count(path, "SELECT count(*) FROM people WHERE id = 1 "
	    "AND name = 'erased' AND email IS NULL AND phone IS NULL AND "
	    "feed_token IS NULL AND erased_at IS NOT NULL"), 1);
	assert_int_equal(count(path, "SELECT count(*) FROM answers"), 4);
	assert_int_equal(count(path, "SELECT count(*) FROM answers WHERE "
	    "person_id = 1 AND note IS NOT NULL"), 0);
	assert_int_equal(count(path, "SELECT count(*) FROM answers WHERE "
	    "person_id != 1 AND note IS NOT NULL"), 2);
	assert_int_equal(count(path, "SELECT count(*) FROM access_requests "
	    "WHERE person_id = 1 AND detail = '' AND reason = ''"), 2);
	assert_int_equal(count(path, "SELECT count(*) FROM access_events "
	    "WHERE reason != ''"), 0);
	assert_int_equal(count(path, "SELECT count(*) FROM needs_standing"),
	    0);
	assert_int_equal(count(path, "SELECT count(*) FROM supporters"), 0);
	assert_int_equal(count(path, "SELECT count(*) FROM memberships WHERE "
	    "person_id = 1"), 0);
	assert_int_equal(count(path, "SELECT count(*) FROM memberships"), 2);
	/* The pending message goes, the dead one stays without its why. */
	assert_int_equal(count(path, "SELECT count(*) FROM outbox"), 1);
	assert_int_equal(count(path, "SELECT count(*) FROM outbox WHERE "
	    "reason != ''"), 0);
	assert_int_equal(count(path, "SELECT count(*) FROM audit_log WHERE "
	    "instr(detail, 'ann@') OR instr(object, 'Ann') OR "
	    "instr(detail, 'large')"), 0);
	assert_int_equal(count(path, "SELECT count(*) FROM audit_log WHERE "
	    "detail IN ('11', 'one: person 12 as member')"), 2);
	assert_int_equal(count(path, "SELECT count(*) FROM audit_log WHERE "
	    "actor = 'test' AND action = 'erase' AND detail = '1'"), 1);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retain),
		cmocka_unit_test(test_retain_batches),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_erase),
	};

	log_init(LOG_TARGET_STDERR, 0);
	return (cmocka_run_group_tests_name("privacy", tests, test_setup_dir,
	    test_remove_dir));
}
