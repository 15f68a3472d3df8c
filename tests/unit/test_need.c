/*
 * test_need.c: access requests in the store.  A request is made with
 * its deadline and a first event, moves only as the states allow, each
 * move an event with its actor, and arranged or unable queue one access
 * message to the member in their first channel; a request asked for
 * twice is one.  Standing needs are carried to a yes or maybe once,
 * withdrawn by a no and asked again by a later yes, but not one the
 * member withdrew themselves; a meeting that moves moves its deadlines.
 * A supporter is linked only with consent recorded.
 */
#include "config.h"

#include <sqlite3.h>

#include <jansson.h>

#include "testlib.h"
#include "testdb.h"

#include "convene.h"
#include "log.h"
#include "util.h"

#define START	1893492000LL	/* meeting 1 */
#define DAY	86400LL

static struct config	*conf;

/* Ann (1, email then sms) in a group with meeting 1; Bob (2, a feed). */
static struct store *
need_store(const char *name, char **path)
{
	struct store	*st;
	char		*cause = NULL;

	*path = xprintf("%s/%s.db", test_dir, name);
	if ((st = store_open(*path, &cause)) == NULL)
		fail_msg("%s", cause);
	store_need_catalogue(st, conf);
	raw_exec(*path, "INSERT INTO people (name, email, phone, channels, "
	    "language, created_at) VALUES ('Ann', 'ann@example.org', "
	    "'+447700900001', 'email,sms', 'cy', 0), ('Bob', NULL, NULL, "
	    "'feed', 'en', 0);"
	    "INSERT INTO groups (slug, name, created_at) VALUES "
	    "('panel', 'Panel', 0);"
	    "INSERT INTO memberships (group_id, person_id, joined_at) VALUES "
	    "(1, 1, 0), (1, 2, 0);"
	    "INSERT INTO series (group_id, title, dtstart, duration, "
	    "created_at, updated_at) VALUES (1, 'Meeting', "
	    "'20300101T100000', 3600, 0, 0);"
	    "INSERT INTO occurrences (series_id, recurrence_id, start_at, "
	    "end_at) VALUES (1, '20300101T100000', 1893492000, 1893495600);");
	return (st);
}

static long long
need_ask(struct store *st, long long person, const char *need,
    const char *detail, int want)
{
	struct need_in	 in;
	long long	 id = 0;
	char		*cause = NULL;

	memset(&in, 0, sizeof in);
	in.person_id = person;
	in.occurrence_id = 1;
	in.need = need;
	in.detail = detail;
	in.actor = "control";
	in.now = 1000;
	assert_int_equal(store_need_request(st, &in, &id, &cause), want);
	free(cause);
	return (id);
}

static void
answer_by(struct store *st, long long person, const char *answer,
    const char *channel, time_t at)
{
	struct answer_in	 in;
	char			*cause = NULL;

	memset(&in, 0, sizeof in);
	in.person_id = person;
	in.occurrence_id = 1;
	in.answer = answer;
	in.channel = channel;
	in.at = at;
	if (store_answer_add(st, &in, &cause) != 0)
		fail_msg("%s", cause);
}

static void
need_answer(struct store *st, long long person, const char *answer,
    time_t at)
{
	answer_by(st, person, answer, "link", at);
}

static int
need_set(struct store *st, long long id, const char *state,
    const char *reason)
{
	char	*cause = NULL;
	int	 rc;

	rc = store_need_set(st, id, state, reason, "control", 2000, &cause);
	free(cause);
	return (rc);
}

/* Made with its deadline; the states move only as they may. */
static void
test_states(void **state)
{
	struct store	*st;
	json_t		*r;
	char		*path, *cause = NULL, sql[256];
	long long	 id;

	(void)state;
	st = need_store("states", &path);
	id = need_ask(st, 1, "bsl", NULL, 0);
	assert_true(id > 0);
	/* Asked again while it stands: the same request, unchanged. */
	assert_int_equal(need_ask(st, 1, "bsl", NULL, STORE_NEED_UNCHANGED),
	    id);
	need_ask(st, 1, "no-such-need", NULL, -1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM "
	    "access_requests"), 1);
	snprintf(sql, sizeof sql, "SELECT deadline_at = %lld FROM "
	    "access_requests", START - 14 * DAY);
	assert_int_equal(raw_int(path, sql), 1);

	assert_int_equal(need_set(st, id, "unable", NULL),
	    STORE_NEED_REFUSED);
	assert_int_equal(need_set(st, id, "booked", NULL),
	    STORE_NEED_REFUSED);
	assert_int_equal(need_set(st, id, "arranged", NULL), 0);
	assert_int_equal(need_set(st, id, "arranged", NULL),
	    STORE_NEED_UNCHANGED);
	assert_int_equal(need_set(st, id, "requested", NULL),
	    STORE_NEED_REFUSED);
	assert_int_equal(need_set(st, id, "unable", "no interpreter free"),
	    0);
	assert_int_equal(need_set(st, id, "arranged", NULL), 0);
	assert_int_equal(need_set(st, id, "withdrawn", NULL), 0);
	assert_int_equal(need_set(st, 99, "arranged", NULL), -1);
	/* Withdrawn, asked for again. */
	assert_int_equal(need_ask(st, 1, "bsl", NULL, 0), id);

	assert_non_null(r = store_need_get(st, id, &cause));
	assert_string_equal(jstr(r, "state"), "requested");
	assert_string_equal(jstr(r, "name"), "Ann");
	assert_int_equal(json_array_size(json_object_get(r, "history")), 6);
	/* Oldest first: asked for at 1000 twice, then the moves at 2000. */
	assert_string_equal(jstr(json_array_get(json_object_get(r,
	    "history"), 3), "reason"), "no interpreter free");
	json_decref(r);
	/* Arranged twice and unable once: three messages, in email. */
	assert_int_equal(raw_int(path, "SELECT count(*) FROM outbox WHERE "
	    "kind = 'access' AND person_id = 1 AND channel = 'email' AND "
	    "lead GLOB 'r1.*'"), 3);
	/* "other" wants its words; the catalogue's lead is 0 for it. */
	id = need_ask(st, 1, "other", "a chair with arms", 0);
	snprintf(sql, sizeof sql, "SELECT deadline_at = %lld FROM "
	    "access_requests WHERE need = 'other'", START);
	assert_int_equal(raw_int(path, sql), 1);
	/* Bob has only a feed: arranged, but no message. */
	id = need_ask(st, 2, "captions", NULL, 0);
	assert_int_equal(need_set(st, id, "arranged", NULL), 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM outbox WHERE "
	    "person_id = 2"), 0);
	store_close(st);
	free(path);
}

/* The due message says the state of its own event, with the reason. */
static void
test_message(void **state)
{
	struct outbox_row	**rows;
	struct store		*st;
	char			*path, *cause = NULL;
	size_t			 n, i;
	long long		 id;

	(void)state;
	st = need_store("message", &path);
	id = need_ask(st, 1, "largeprint", NULL, 0);
	assert_int_equal(need_set(st, id, "unable", "printer broken"), 0);
	assert_int_equal(need_set(st, id, "arranged", NULL), 0);
	assert_non_null(rows = store_out_due(st, 3000, 10, &n, &cause));
	assert_int_equal(n, 2);
	assert_string_equal(rows[0]->kind, "access");
	assert_string_equal(rows[0]->need, "largeprint");
	assert_string_equal(rows[0]->access_status, "unable");
	assert_string_equal(rows[0]->note, "printer broken");
	assert_string_equal(rows[1]->access_status, "arranged");
	assert_string_equal(rows[1]->note, "");
	for (i = 0; i < n; i++)
		outbox_row_free(rows[i]);
	free(rows);
	store_close(st);
	free(path);
}

/* Standing needs follow the answers: carried once, withdrawn, again. */
static void
test_carry(void **state)
{
	struct store	*st;
	json_t		*want, *l;
	char		*path, *cause = NULL;
	long long	 id;

	(void)state;
	st = need_store("carry", &path);
	want = json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]", "need",
	    "bsl", "detail", "", "need", "other", "detail", "a chair with arms",
	    "need", "transport", "detail", "");
	assert_int_equal(store_need_standing_set(st, 1, want, "member", 500,
	    &cause), 0);
	json_decref(want);
	want = json_pack("[{s:s, s:s}]", "need", "nonsense", "detail", "");
	assert_int_equal(store_need_standing_set(st, 1, want, "member", 500,
	    &cause), STORE_NEED_REFUSED);
	free(cause);
	cause = NULL;
	json_decref(want);
	assert_non_null(l = store_need_standing(st, 1, &cause));
	assert_int_equal(json_array_size(l), 3);
	json_decref(l);

	need_answer(st, 1, "yes", 1000);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM access_requests "
	    "WHERE standing = 1 AND state = 'requested'"), 3);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM access_requests "
	    "WHERE need = 'other' AND detail = 'a chair with arms'"), 1);
	/* Maybe, and yes again: nothing more. */
	need_answer(st, 1, "maybe", 1100);
	need_answer(st, 1, "yes", 1200);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM access_requests"),
	    3);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM access_events"),
	    3);
	/* The member withdraws transport for this meeting only. */
	assert_non_null(l = store_need_mine(st, 1, 1, &cause));
	id = jint(json_array_get(l, 2), "id");
	assert_string_equal(jstr(json_array_get(l, 2), "need"), "transport");
	json_decref(l);
	assert_int_equal(store_need_set(st, id, "withdrawn", NULL, "member",
	    1300, &cause), 0);
	/* No withdraws what was carried; a later yes asks again. */
	need_answer(st, 1, "no", 1400);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM access_requests "
	    "WHERE state = 'withdrawn'"), 3);
	need_answer(st, 1, "yes", 1500);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM access_requests "
	    "WHERE state = 'requested'"), 2);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM access_requests "
	    "WHERE need = 'transport' AND state = 'withdrawn'"), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM access_events "
	    "WHERE actor = 'answer by link'"), 7);
	/* An answer given an earlier time is not the latest: no change. */
	need_answer(st, 1, "no", 1450);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM access_requests "
	    "WHERE state = 'requested'"), 2);
	/* Bob has no standing needs: his answer makes nothing. */
	need_answer(st, 2, "yes", 1000);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM access_requests "
	    "WHERE person_id = 2"), 0);
	/* Then he has; his calendar's reply, by mail, carries them. */
	want = json_pack("[{s:s, s:s}]", "need", "breaks", "detail", "");
	assert_int_equal(store_need_standing_set(st, 2, want, "control", 500,
	    &cause), 0);
	json_decref(want);
	answer_by(st, 2, "maybe", "mail", 1100);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM access_requests "
	    "r JOIN access_events e ON e.request_id = r.id WHERE "
	    "r.person_id = 2 AND r.need = 'breaks' AND e.actor = "
	    "'answer by mail'"), 1);
	store_close(st);
	free(path);
}

/*
 * A meeting moved, or following its series, moves its deadlines; one
 * cancelled withdraws what is open there.
 */
static void
test_deadlines(void **state)
{
	struct store	*st;
	json_t		*l;
	char		*path, *cause = NULL, sql[256];

	(void)state;
	st = need_store("deadlines", &path);
	need_ask(st, 1, "bsl", NULL, 0);
	need_ask(st, 1, "transport", NULL, 0);
	assert_int_equal(store_occ_move(st, 1, START + 7 * DAY,
	    START + 7 * DAY + 3600, 0, "room", &cause), 0);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM access_requests "
	    "WHERE (need = 'bsl' AND deadline_at = %lld) OR (need = "
	    "'transport' AND deadline_at = %lld)", START - 7 * DAY,
	    START + 5 * DAY);
	assert_int_equal(raw_int(path, sql), 2);
	raw_exec(path, "UPDATE occurrences SET status = 'scheduled'");
	assert_int_equal(store_occ_upsert(st, 1, "20300101T100000",
	    START + DAY, START + DAY + 3600, &cause), 0);
	snprintf(sql, sizeof sql, "SELECT deadline_at = %lld FROM "
	    "access_requests WHERE need = 'bsl'", START - 13 * DAY);
	assert_int_equal(raw_int(path, sql), 1);
	/* Soonest deadline first; filtered by state and need. */
	assert_non_null(l = store_need_list(st, 1, NULL, NULL, &cause));
	assert_int_equal(json_array_size(l), 2);
	assert_string_equal(jstr(json_array_get(l, 0), "need"), "bsl");
	json_decref(l);
	assert_non_null(l = store_need_list(st, 1, "requested", "transport",
	    &cause));
	assert_int_equal(json_array_size(l), 1);
	json_decref(l);
	assert_non_null(l = store_need_list(st, 1, "arranged", NULL, &cause));
	assert_int_equal(json_array_size(l), 0);
	json_decref(l);
	/* Cancelled: what is open there is withdrawn, and says why. */
	assert_int_equal(need_set(st, 1, "arranged", NULL), 0);
	assert_int_equal(store_occ_cancel(st, 1, "no quorum", &cause), 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM access_requests "
	    "WHERE state = 'withdrawn'"), 2);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM access_events "
	    "WHERE actor = 'meeting cancelled'"), 2);
	store_close(st);
	free(path);
}

/* A supporter is linked only with consent, listed, and unlinked. */
static void
test_supporters(void **state)
{
	struct supporter_in	 in;
	struct store		*st;
	json_t			*l;
	char			*path, *cause = NULL;

	(void)state;
	st = need_store("supporters", &path);
	memset(&in, 0, sizeof in);
	in.person_id = 1;
	in.supporter_id = 2;
	in.role = "personal-assistant";
	in.now = 100;
	assert_int_equal(store_supporter_set(st, &in, &cause), -1);
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	in.consent_by = "Ann, in person";
	assert_int_equal(store_supporter_set(st, &in, &cause), 0);
	in.copy_reminders = 1;
	assert_int_equal(store_supporter_set(st, &in, &cause), 0);
	assert_non_null(l = store_supporter_list(st, 1, &cause));
	assert_int_equal(json_array_size(l), 1);
	assert_string_equal(jstr(json_array_get(l, 0), "name"), "Bob");
	assert_int_equal(jint(json_array_get(l, 0), "copy_reminders"), 1);
	json_decref(l);
	assert_int_equal(store_supporter_remove(st, 1, 2, &cause), 1);
	assert_int_equal(store_supporter_remove(st, 1, 2, &cause), 0);
	store_close(st);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_message),
		cmocka_unit_test(test_carry),
		cmocka_unit_test(test_deadlines),
		cmocka_unit_test(test_supporters),
	};
	char	*cause = NULL;
	int	 rc;

	log_init(LOG_TARGET_STDERR, 0);
	if ((conf = config_default(&cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		return (1);
	}
	rc = cmocka_run_group_tests_name("need", tests, test_setup_dir,
	    test_remove_dir);
	config_free(conf);
	return (rc);
}
