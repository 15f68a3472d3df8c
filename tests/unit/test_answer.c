/*
 * test_answer.c: the answers store.  An answer is recorded, a ref
 * recorded once, the latest answer counts, the history comes oldest
 * first, an answer that is not yes, maybe or no is refused, answers
 * survive a meeting being moved, and the meetings ahead of a member that
 * a text with no code may answer (those a reminder, invitation, update or
 * gentle reminder asked about by SMS), and what a link to answer needs
 * of its person and meeting.
 */
#include "config.h"

#include <sqlite3.h>

#include <jansson.h>

#include "testlib.h"
#include "testdb.h"

#include "convene.h"
#include "log.h"
#include "util.h"

/* A store with Ann (1) and Bob (2) in a group with meeting 1. */
static struct store *
answer_store(const char *name, char **path)
{
	struct store	*st;
	char		*cause = NULL;

	*path = xprintf("%s/%s.db", test_dir, name);
	if ((st = store_open(*path, &cause)) == NULL)
		fail_msg("%s", cause);
	raw_exec(*path, "INSERT INTO people (name, phone, created_at) VALUES "
	    "('Ann', '+447700900001', 0), ('Bob', '+447700900002', 0);"
	    "INSERT INTO groups (slug, name, created_at) VALUES "
	    "('panel', 'Panel', 0);"
	    "INSERT INTO series (group_id, title, dtstart, duration, "
	    "created_at, updated_at) VALUES (1, 'Meeting', "
	    "'20300101T100000', 3600, 0, 0);"
	    "INSERT INTO occurrences (series_id, recurrence_id, start_at, "
	    "end_at) VALUES (1, '20300101T100000', 1893492000, 1893495600);");
	return (st);
}

static void
answer_set(struct answer_in *in, long long person, const char *answer,
    const char *ref, time_t at)
{
	memset(in, 0, sizeof *in);
	in->person_id = person;
	in->occurrence_id = 1;
	in->answer = answer;
	in->channel = "sms";
	in->ref = ref;
	in->at = at;
}

/* Recorded; the same ref again records nothing and says so. */
static void
test_add_duplicate(void **state)
{
	struct answer_in	 in;
	struct store		*st;
	char			*path, *cause = NULL;

	(void)state;
	st = answer_store("dup", &path);
	answer_set(&in, 1, "yes", "kannel:42", 1000);
	assert_int_equal(store_answer_add(st, &in, &cause), 0);
	answer_set(&in, 1, "no", "kannel:42", 1001);
	assert_int_equal(store_answer_add(st, &in, &cause),
	    STORE_ANSWER_DUPLICATE);
	/* No ref: each is recorded. */
	answer_set(&in, 1, "maybe", NULL, 1002);
	assert_int_equal(store_answer_add(st, &in, &cause), 0);
	answer_set(&in, 1, "maybe", NULL, 1003);
	assert_int_equal(store_answer_add(st, &in, &cause), 0);
	/* A text's ref is noted once. */
	assert_int_equal(store_answer_seen(st, "kannel:42", 1000, &cause), 0);
	assert_int_equal(store_answer_seen(st, "kannel:42", 1001, &cause),
	    STORE_ANSWER_DUPLICATE);
	assert_int_equal(store_answer_seen(st, "kannel:43", 1001, &cause), 0);
	store_close(st);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM answers"), 3);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM answers WHERE "
	    "answer = 'no'"), 0);
	free(path);
}

/* The latest answer counts, the later row on a tie; none is 0. */
static void
test_latest(void **state)
{
	struct answer_in	 in;
	struct store		*st;
	char			*path, *note, *cause = NULL;
	char			 answer[8];

	(void)state;
	st = answer_store("latest", &path);
	assert_int_equal(store_answer_latest(st, 1, 1, answer, &note,
	    &cause), 0);
	assert_null(note);

	answer_set(&in, 1, "yes", NULL, 1000);
	assert_int_equal(store_answer_add(st, &in, &cause), 0);
	answer_set(&in, 1, "no", NULL, 2000);
	in.note = "train strike";
	assert_int_equal(store_answer_add(st, &in, &cause), 0);
	/* Recorded later, but given an earlier time: not the latest. */
	answer_set(&in, 1, "maybe", NULL, 1500);
	assert_int_equal(store_answer_add(st, &in, &cause), 0);
	answer_set(&in, 2, "maybe", NULL, 3000);
	assert_int_equal(store_answer_add(st, &in, &cause), 0);

	assert_int_equal(store_answer_latest(st, 1, 1, answer, &note,
	    &cause), 1);
	assert_string_equal(answer, "no");
	assert_non_null(note);
	assert_string_equal(note, "train strike");
	free(note);

	/* The same time: the one recorded last. */
	answer_set(&in, 2, "yes", NULL, 3000);
	assert_int_equal(store_answer_add(st, &in, &cause), 0);
	assert_int_equal(store_answer_latest(st, 2, 1, answer, &note,
	    &cause), 1);
	assert_string_equal(answer, "yes");
	assert_null(note);

	/* Moved: the row keeps its id, and its answers. */
	raw_exec(path, "UPDATE occurrences SET start_at = start_at + 86400, "
	    "end_at = end_at + 86400, status = 'moved'");
	assert_int_equal(store_answer_latest(st, 1, 1, answer, &note,
	    &cause), 1);
	assert_string_equal(answer, "no");
	free(note);
	store_close(st);
	free(path);
}

/* The history, oldest first, with names, notes and channels. */
static void
test_list(void **state)
{
	struct answer_in	 in;
	struct store		*st;
	json_t			*a, *o;
	char			*path, *cause = NULL;

	(void)state;
	st = answer_store("list", &path);
	answer_set(&in, 2, "no", NULL, 3000);
	in.channel = "link";
	in.note = "away";
	assert_int_equal(store_answer_add(st, &in, &cause), 0);
	answer_set(&in, 1, "yes", "kannel:7", 1000);
	assert_int_equal(store_answer_add(st, &in, &cause), 0);
	answer_set(&in, 2, "maybe", NULL, 2000);
	assert_int_equal(store_answer_add(st, &in, &cause), 0);

	if ((a = store_answer_list(st, 1, &cause)) == NULL)
		fail_msg("%s", cause);
	assert_int_equal(json_array_size(a), 3);
	o = json_array_get(a, 0);
	assert_int_equal(json_integer_value(json_object_get(o, "person")), 1);
	assert_string_equal(json_string_value(json_object_get(o, "name")),
	    "Ann");
	assert_string_equal(json_string_value(json_object_get(o, "answer")),
	    "yes");
	assert_true(json_is_null(json_object_get(o, "note")));
	assert_string_equal(json_string_value(json_object_get(o,
	    "channel")), "sms");
	assert_int_equal(json_integer_value(json_object_get(o, "at")), 1000);
	o = json_array_get(a, 1);
	assert_string_equal(json_string_value(json_object_get(o, "answer")),
	    "maybe");
	o = json_array_get(a, 2);
	assert_string_equal(json_string_value(json_object_get(o, "name")),
	    "Bob");
	assert_string_equal(json_string_value(json_object_get(o, "note")),
	    "away");
	assert_string_equal(json_string_value(json_object_get(o,
	    "channel")), "link");
	json_decref(a);

	/* Another meeting has none. */
	assert_non_null(a = store_answer_list(st, 2, &cause));
	assert_int_equal(json_array_size(a), 0);
	json_decref(a);
	store_close(st);
	free(path);
}

/* Not yes, maybe or no; no such meeting; no such channel: refused. */
static void
test_refused(void **state)
{
	struct answer_in	 in;
	struct store		*st;
	char			*path, *cause = NULL;

	(void)state;
	st = answer_store("refused", &path);
	answer_set(&in, 1, "perhaps", NULL, 1000);
	assert_int_equal(store_answer_add(st, &in, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "perhaps"));
	free(cause);
	cause = NULL;
	answer_set(&in, 1, NULL, NULL, 1000);
	assert_int_equal(store_answer_add(st, &in, &cause), -1);
	free(cause);
	cause = NULL;
	answer_set(&in, 1, "yes", NULL, 1000);
	in.occurrence_id = 99;
	assert_int_equal(store_answer_add(st, &in, &cause), -1);
	free(cause);
	cause = NULL;
	answer_set(&in, 1, "yes", NULL, 1000);
	in.channel = "fax";
	assert_int_equal(store_answer_add(st, &in, &cause), -1);
	free(cause);
	store_close(st);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM answers"), 0);
	free(path);
}

/* Meetings ahead of a member, soonest first, and which were asked. */
static void
test_ahead(void **state)
{
	struct store	*st;
	json_t		*a;
	char		*path, *cause = NULL;

	(void)state;
	st = answer_store("ahead", &path);
	raw_exec(path, "INSERT INTO memberships (group_id, person_id, "
	    "joined_at) VALUES (1, 1, 0);"
	    "INSERT INTO occurrences (series_id, recurrence_id, start_at, "
	    "end_at) VALUES (1, 'b', 1893400000, 1893403600), "
	    "(1, 'c', 1000, 4600), (1, 'd', 1893300000, 1893303600);"
	    "UPDATE occurrences SET status = 'cancelled' WHERE id = 4;"
	    "INSERT INTO outbox (occurrence_id, person_id, kind, channel, "
	    "due_at, next_at, state, created_at, updated_at) VALUES "
	    "(1, 1, 'reminder', 'sms', 0, 0, 'sent', 0, 0), "
	    "(2, 1, 'reminder', 'email', 0, 0, 'sent', 0, 0), "
	    "(2, 2, 'reminder', 'sms', 0, 0, 'sent', 0, 0)");
	if ((a = store_answer_ahead(st, 1, 2000, &cause)) == NULL)
		fail_msg("%s", cause);
	/* 3 has begun, 4 is cancelled; 2 was asked by email only. */
	assert_int_equal(json_array_size(a), 2);
	assert_int_equal(jint(json_array_get(a, 0), "id"), 2);
	assert_int_equal(jint(json_array_get(a, 0), "asked"), 0);
	assert_int_equal(jint(json_array_get(a, 1), "id"), 1);
	assert_int_equal(jint(json_array_get(a, 1), "asked"), 1);
	json_decref(a);
	/* A gentle reminder to answer by SMS asks too. */
	raw_exec(path, "INSERT INTO outbox (occurrence_id, person_id, kind, "
	    "lead, channel, due_at, next_at, state, created_at, updated_at) "
	    "VALUES (2, 1, 'nudge', 'P7D', 'sms', 0, 0, 'sent', 0, 0)");
	assert_non_null(a = store_answer_ahead(st, 1, 2000, &cause));
	assert_int_equal(jint(json_array_get(a, 0), "id"), 2);
	assert_int_equal(jint(json_array_get(a, 0), "asked"), 1);
	json_decref(a);
	/* Bob is in no group. */
	assert_non_null(a = store_answer_ahead(st, 2, 2000, &cause));
	assert_int_equal(json_array_size(a), 0);
	json_decref(a);
	store_close(st);
	free(path);
}

/* A link's person and meeting at once: erased, absent, cancelled. */
static void
test_link(void **state)
{
	struct answer_link	 l;
	struct store		*st;
	char			*path;

	(void)state;
	st = answer_store("link", &path);
	raw_exec(path, "UPDATE people SET language = 'cy', style = "
	    "'easyread' WHERE id = 1;"
	    "UPDATE people SET erased_at = 5 WHERE id = 2");
	assert_int_equal(store_answer_link(st, 1, 1, &l), 1);
	assert_string_equal(l.language, "cy");
	assert_string_equal(l.style, "easyread");
	assert_string_equal(l.status, "scheduled");
	/* No such meeting: the person, and no status. */
	assert_int_equal(store_answer_link(st, 1, 99, &l), 1);
	assert_string_equal(l.status, "");
	/* Erased, or no such person: nobody. */
	assert_int_equal(store_answer_link(st, 2, 1, &l), 0);
	assert_int_equal(store_answer_link(st, 3, 1, &l), 0);
	raw_exec(path, "UPDATE occurrences SET status = 'cancelled'");
	assert_int_equal(store_answer_link(st, 1, 1, &l), 1);
	assert_string_equal(l.status, "cancelled");
	store_close(st);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_duplicate),
		cmocka_unit_test(test_latest),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_ahead),
		cmocka_unit_test(test_link),
	};

	log_init(LOG_TARGET_STDERR, 0);
	return (cmocka_run_group_tests_name("answer", tests, test_setup_dir,
	    test_remove_dir));
}
