/*
 * test_batch.c: group commit.  Writes that join in one loop turn are
 * committed together at its end, and each writer is called back only
 * then; a write that fails is undone alone and the others are recorded;
 * a commit that fails, or a transaction SQLite undoes, fails every write
 * of the batch and records none; a cap splits a turn's writes into
 * several commits; and what waits is written when the batch is freed.
 * The writes run on a connection of the batch's own, off the loop, and
 * what they change that the loop's store watches is told to it.
 */
#include "config.h"

#include <sqlite3.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>

#include "testlib.h"
#include "testdb.h"

#include "convene.h"
#include "log.h"
#include "store_int.h"
#include "util.h"

/* One write of a test: an answer, and how it went. */
struct job {
	struct answer_in	 in;
	const char		*sql;	/* run first on the store's db */
	const char		*after;	/* and after the write */
	int			 rc;
	char			*cause;
	int			 called;
	int			*order;	/* callbacks so far, shared */
	int			 at;	/* this one's place among them */
};

static int	rows_seen;	/* answers on disk when a callback ran */
static const char *db_path;

static int
job_write(struct store *st, void *arg, char **cause)
{
	struct job	*j = arg;
	int		 rc;

	if (j->sql != NULL &&
	    sqlite3_exec(st->db, j->sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", j->sql, sqlite3_errmsg(st->db));
	rc = store_answer_add(st, &j->in, cause);
	if (j->after != NULL &&
	    sqlite3_exec(st->db, j->after, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", j->after, sqlite3_errmsg(st->db));
	return (rc);
}

static void
job_done(int rc, const char *cause, void *arg)
{
	struct job	*j = arg;

	j->called++;
	j->rc = rc;
	j->cause = cause != NULL ? xstrdup(cause) : NULL;
	j->at = (*j->order)++;
	/* Whatever was committed is seen by another connection already. */
	rows_seen = raw_int(db_path, "SELECT count(*) FROM answers");
}

/* A store with people 1 to 4 and meeting 1. */
static struct store *
batch_store(const char *name, char **path)
{
	struct store	*st;
	char		*cause = NULL;

	*path = xprintf("%s/%s.db", test_dir, name);
	if ((st = store_open(*path, &cause)) == NULL)
		fail_msg("%s", cause);
	raw_exec(*path, "INSERT INTO people (name, created_at) VALUES "
	    "('Ann', 0), ('Bob', 0), ('Cat', 0), ('Dee', 0);"
	    "INSERT INTO groups (slug, name, created_at) VALUES "
	    "('panel', 'Panel', 0);"
	    "INSERT INTO series (group_id, title, dtstart, duration, "
	    "created_at, updated_at) VALUES (1, 'Meeting', "
	    "'20300101T100000', 3600, 0, 0);"
	    "INSERT INTO occurrences (series_id, recurrence_id, start_at, "
	    "end_at) VALUES (1, '20300101T100000', 1893492000, 1893495600);");
	db_path = *path;
	return (st);
}

/*
 * Turn the loop until each of n jobs has been told: a committed batch
 * is told once the thread has synced the log, a turn or more later.
 */
static void
settle(struct event_base *base, struct job *j, size_t n)
{
	struct timeval	tv = { 10, 0 };
	size_t		i;

	for (i = 0; i < n; i++) {
		while (j[i].called == 0) {
			event_base_loopexit(base, &tv);
			if (event_base_loop(base, EVLOOP_ONCE) != 0 ||
			    event_base_got_exit(base))
				fail_msg("job %zu was never told", i);
		}
	}
}

static void
jobs_set(struct job *j, size_t n, int *order)
{
	size_t	i;

	memset(j, 0, n * sizeof *j);
	for (i = 0; i < n; i++) {
		j[i].in.person_id = (long long)(i % 4) + 1;
		j[i].in.occurrence_id = 1;
		j[i].in.answer = "yes";
		j[i].in.channel = "link";
		j[i].in.at = 1000 + (time_t)i;
		j[i].order = order;
	}
}

static long long
commits(struct store_batch *b)
{
	struct evbuffer	*m = evbuffer_new();
	const char	*s, *at;
	long long	 n;

	store_batch_metrics(m, b);
	evbuffer_add(m, "", 1);
	s = (const char *)evbuffer_pullup(m, -1);
	at = strstr(s, "\nconvene_store_batch_commits_total ");
	assert_non_null(at);
	n = atoll(at + strlen("\nconvene_store_batch_commits_total "));
	evbuffer_free(m);
	return (n);
}

/*
 * Four writes in one turn, the third with a note the CHECK refuses: one
 * commit, three recorded, the third told why alone; no callback before
 * the loop turns, and each after its commit.
 */
static void
test_one_fails_alone(void **state)
{
	struct event_base	*base;
	struct store_batch	*b;
	struct store		*st;
	struct job		 j[4];
	char			*path, note[1002];
	int			 order = 0, i;

	(void)state;
	st = batch_store("alone", &path);
	assert_non_null(base = event_base_new());
	b = store_batch_create(base, st, STORE_BATCH_MAX, NULL);
	jobs_set(j, 4, &order);
	memset(note, 'x', sizeof note - 1);
	note[sizeof note - 1] = '\0';
	j[2].in.note = note;
	for (i = 0; i < 4; i++)
		store_batch_add(b, job_write, job_done, &j[i]);
	for (i = 0; i < 4; i++)
		assert_int_equal(j[i].called, 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM answers"), 0);
	settle(base, j, 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(j[i].called, 1);
		assert_int_equal(j[i].at, i);
		if (i == 2) {
			assert_int_equal(j[i].rc, -1);
			assert_non_null(j[i].cause);
			assert_non_null(strstr(j[i].cause, "not allowed"));
		} else {
			assert_int_equal(j[i].rc, 0);
			assert_null(j[i].cause);
		}
		free(j[i].cause);
	}
	assert_int_equal(rows_seen, 3);
	assert_int_equal(commits(b), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM answers WHERE "
	    "person_id = 3"), 0);
	store_batch_free(b);
	event_base_free(base);
	store_close(st);
	free(path);
}

/*
 * The commit itself fails (a foreign key checked only at COMMIT): every
 * write of the batch is told so, and none is in the database.
 */
static void
test_commit_fails(void **state)
{
	struct event_base	*base;
	struct store_batch	*b;
	struct store		*st;
	struct job		 j[3];
	char			*path;
	int			 order = 0, i;

	(void)state;
	st = batch_store("commit", &path);
	assert_non_null(base = event_base_new());
	b = store_batch_create(base, st, STORE_BATCH_MAX, NULL);
	jobs_set(j, 3, &order);
	j[1].sql = "PRAGMA defer_foreign_keys = ON";
	j[1].in.person_id = 99;		/* nobody */
	for (i = 0; i < 3; i++)
		store_batch_add(b, job_write, job_done, &j[i]);
	settle(base, j, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(j[i].called, 1);
		assert_int_equal(j[i].rc, -1);
		assert_non_null(j[i].cause);
		assert_non_null(strstr(j[i].cause, "FOREIGN KEY"));
		free(j[i].cause);
	}
	assert_int_equal(raw_int(path, "SELECT count(*) FROM answers"), 0);
	assert_int_equal(commits(b), 0);
	/* The next batch commits. */
	jobs_set(j, 1, &order);
	store_batch_add(b, job_write, job_done, &j[0]);
	settle(base, j, 1);
	assert_int_equal(j[0].rc, 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM answers"), 1);
	store_batch_free(b);
	event_base_free(base);
	store_close(st);
	free(path);
}

/*
 * SQLite undoes the whole transaction in the middle of a batch (as it
 * may on a full disk or an I/O error): the writes before it, released
 * already, fail with the rest.
 */
static void
test_rolled_back(void **state)
{
	struct event_base	*base;
	struct store_batch	*b;
	struct store		*st;
	struct job		 j[3];
	char			*path;
	int			 order = 0, i;

	(void)state;
	st = batch_store("undone", &path);
	assert_non_null(base = event_base_new());
	b = store_batch_create(base, st, STORE_BATCH_MAX, NULL);
	jobs_set(j, 3, &order);
	j[1].after = "ROLLBACK";
	for (i = 0; i < 3; i++)
		store_batch_add(b, job_write, job_done, &j[i]);
	settle(base, j, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(j[i].called, 1);
		assert_int_equal(j[i].rc, -1);
		free(j[i].cause);
	}
	assert_int_equal(raw_int(path, "SELECT count(*) FROM answers"), 0);
	assert_int_equal(commits(b), 0);
	store_batch_free(b);
	event_base_free(base);
	store_close(st);
	free(path);
}

/* Another connection holds the write lock: all fail as busy. */
static void
test_busy(void **state)
{
	struct event_base	*base;
	struct store_batch	*b;
	struct store		*st;
	struct job		 j[2];
	sqlite3			*other;
	char			*path;
	int			 order = 0, i;

	(void)state;
	st = batch_store("busy", &path);
	store_serving(st);
	assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL), SQLITE_OK);
	assert_non_null(base = event_base_new());
	b = store_batch_create(base, st, STORE_BATCH_MAX, NULL);
	jobs_set(j, 2, &order);
	for (i = 0; i < 2; i++)
		store_batch_add(b, job_write, job_done, &j[i]);
	settle(base, j, 2);
	for (i = 0; i < 2; i++) {
		assert_int_equal(j[i].rc, -1);
		assert_non_null(j[i].cause);
		assert_int_equal(strncmp(j[i].cause, STORE_BUSY_CAUSE,
		    strlen(STORE_BUSY_CAUSE)), 0);
		free(j[i].cause);
	}
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM answers"), 0);
	store_batch_free(b);
	event_base_free(base);
	store_close(st);
	free(path);
}

static int	requests_told;	/* the loop's store heard of requests */
static int	requests_before;	/* ... before the done callback */

static void
requests_cb(void *arg)
{
	(void)arg;
	requests_told++;
}

static void
told_done(int rc, const char *cause, void *arg)
{
	requests_before = requests_told;
	job_done(rc, cause, arg);
}

static struct store *loop_store;

static int
told_write(struct store *st, void *arg, char **cause)
{
	/* Not the loop's connection. */
	assert_true(st != loop_store);
	assert_true(st->db != loop_store->db);
	return (job_write(st, arg, cause));
}

/*
 * What a write changes that feeds show (people) or coordinators are
 * told of (access requests) reaches the loop's store, before the done
 * callback runs; a write that changes neither tells nothing.
 */
static void
test_loop_told(void **state)
{
	struct event_base	*base;
	struct store_batch	*b;
	struct store		*st;
	struct job		 j[1];
	unsigned long long	 gen;
	char			*path;
	int			 order = 0;

	(void)state;
	st = batch_store("told", &path);
	loop_store = st;
	store_deadline_watch(st, requests_cb, NULL);
	assert_non_null(base = event_base_new());
	b = store_batch_create(base, st, STORE_BATCH_MAX, NULL);
	gen = store_generation(st);
	jobs_set(j, 1, &order);
	store_batch_add(b, told_write, told_done, &j[0]);
	settle(base, j, 1);
	assert_int_equal(j[0].rc, 0);
	assert_int_equal(store_generation(st), gen);
	assert_int_equal(requests_told, 0);

	jobs_set(j, 1, &order);
	j[0].after = "UPDATE people SET name = 'Ann B' WHERE id = 1";
	store_batch_add(b, told_write, told_done, &j[0]);
	settle(base, j, 1);
	assert_true(store_generation(st) > gen);
	assert_int_equal(requests_told, 0);

	jobs_set(j, 1, &order);
	j[0].after = "INSERT INTO access_requests (occurrence_id, person_id, "
	    "need, state, deadline_at, created_at, updated_at) VALUES "
	    "(1, 2, 'bsl', 'requested', 0, 0, 0)";
	store_batch_add(b, told_write, told_done, &j[0]);
	settle(base, j, 1);
	assert_int_equal(j[0].rc, 0);
	assert_true(requests_told > 0);
	assert_int_equal(requests_before, requests_told);
	store_batch_free(b);
	store_deadline_watch(st, NULL, NULL);
	event_base_free(base);
	store_close(st);
	free(path);
}

/*
 * The database fails under the thread (no room: its connection may not
 * grow the file): the writes that found no room are told so, and the
 * loop's store is failing too, for /healthz, until a write of its own
 * reaches the database.
 */
static void
test_failing_told(void **state)
{
	struct event_base	*base;
	struct store_batch	*b;
	struct store		*st;
	struct job		 j[12];
	const char		*why = NULL;
	char			*path, note[1001];
	int			 order = 0, i, failed = 0;

	(void)state;
	st = batch_store("full", &path);
	assert_non_null(base = event_base_new());
	b = store_batch_create(base, st, STORE_BATCH_MAX, NULL);
	jobs_set(j, 12, &order);
	memset(note, 'n', sizeof note - 1);
	note[sizeof note - 1] = '\0';
	/* Not below the file's size: as big as it is now. */
	j[0].sql = "PRAGMA max_page_count = 1";
	for (i = 0; i < 12; i++) {
		j[i].in.note = note;
		store_batch_add(b, job_write, job_done, &j[i]);
	}
	settle(base, j, 12);
	for (i = 0; i < 12; i++) {
		if (j[i].rc == -1) {
			assert_non_null(j[i].cause);
			assert_non_null(strstr(j[i].cause, "full"));
			failed++;
		}
		free(j[i].cause);
	}
	assert_true(failed > 0);
	assert_true(store_failing(st, &why) != 0);
	assert_non_null(why);
	assert_non_null(strstr(why, "full"));
	/* A write of the loop's own that works ends it. */
	assert_int_equal(store_probe(st), 0);
	assert_int_equal(store_failing(st, NULL), 0);
	store_batch_free(b);
	event_base_free(base);
	store_close(st);
	free(path);
}

/*
 * A cap of 2 commits five writes of one turn in three transactions,
 * and one of 1 each alone; what waits at free is written then.
 */
static void
test_cap_and_free(void **state)
{
	struct event_base	*base;
	struct store_batch	*b;
	struct store		*st;
	struct job		 j[5];
	char			*path;
	int			 order = 0, i;

	(void)state;
	st = batch_store("cap", &path);
	assert_non_null(base = event_base_new());
	b = store_batch_create(base, st, 2, NULL);
	jobs_set(j, 5, &order);
	for (i = 0; i < 5; i++)
		store_batch_add(b, job_write, job_done, &j[i]);
	while (order < 5)
		assert_int_equal(event_base_loop(base, EVLOOP_ONCE), 0);
	assert_int_equal(commits(b), 3);
	store_batch_free(b);
	b = store_batch_create(base, st, 1, NULL);
	jobs_set(j, 5, &order);
	order = 0;
	for (i = 0; i < 5; i++)
		store_batch_add(b, job_write, job_done, &j[i]);
	store_batch_free(b);	/* not a turn of the loop: the free */
	assert_int_equal(order, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(j[i].rc, 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM answers"), 10);
	event_base_free(base);
	store_close(st);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_fails_alone),
		cmocka_unit_test(test_commit_fails),
		cmocka_unit_test(test_rolled_back),
		cmocka_unit_test(test_busy),
		cmocka_unit_test(test_loop_told),
		cmocka_unit_test(test_failing_told),
		cmocka_unit_test(test_cap_and_free),
	};

	log_init(LOG_TARGET_STDERR, 0);
	return (cmocka_run_group_tests_name("batch", tests, test_setup_dir,
	    test_remove_dir));
}
