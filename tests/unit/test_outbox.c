/*
 * test_outbox.c: the dispatcher against a store whose writes fail.  Two
 * test messages go to the spool channel; a trigger refuses to move the
 * second one on, so claiming them or recording their answers fails part
 * way.  Then no row may move, nor any counter; once the trigger is gone
 * the next try, a second later, does it all, each message sent once.  A
 * database locked by another makes the dispatcher wait between tries.
 */
#include "config.h"

#include <sys/stat.h>

#include <sqlite3.h>

#include <event2/event.h>

#include "testlib.h"

#include "convene.h"
#include "log.h"
#include "store_int.h"
#include "tmpl.h"

struct convened	*convened;

static void
raw_exec(const char *path, const char *sql)
{
	sqlite3	*db;
	char	*err = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
	sqlite3_close(db);
}

static int
raw_int(const char *path, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	int		 v;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return (v);
}

/* Run the loop for ms milliseconds. */
static void
run_for(struct event_base *base, int ms)
{
	struct timeval	tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

struct env {
	struct convened	 cv;
	struct config	*conf;
	char		*db;
	int		 nfiles;
};

/* A daemon's worth of state with two test messages due now. */
static void
env_open(struct env *e, const char *name)
{
	struct outbox_in	 in;
	const char		*top = getenv("top_srcdir");
	char			*text, *cause = NULL;
	unsigned char		 key[KEY_BYTES];
	int			 p;

	memset(e, 0, sizeof *e);
	convened = &e->cv;
	text = xprintf("[daemon]\nstate_directory = %s/%s\ntemplates = "
	    "%s/conf/templates\n", test_dir, name, top ? top : ".");
	if ((e->conf = config_load(test_file("convened.conf", text, 0644),
	    &cause)) == NULL)
		fail_msg("%s", cause);
	free(text);
	text = xprintf("mkdir -p '%s' '%s'", e->conf->mail_spool,
	    e->conf->sms_spool);
	assert_int_equal(system(text), 0);
	free(text);
	e->cv.conf = e->conf;
	assert_non_null(e->cv.base = event_base_new());
	if ((e->cv.store = store_open(e->conf->database, &cause)) == NULL)
		fail_msg("%s", cause);
	e->db = e->conf->database;
	if ((e->cv.tmpl = tmpl_load(e->conf->templates, msg_vars, msg_words,
	    &cause)) == NULL)
		fail_msg("%s", cause);
	memset(key, 7, sizeof key);
	msg_set_key(key);
	raw_exec(e->db, "INSERT INTO people (name, email, created_at) VALUES "
	    "('Ann', 'ann@example.org', 0), ('Bob', 'bob@example.org', 0)");
	for (p = 1; p <= 2; p++) {
		memset(&in, 0, sizeof in);
		in.person_id = p;
		in.kind = "test";
		in.lead = "";
		in.channel = "email";
		in.due_at = in.now = time(NULL);
		assert_int_equal(store_plan_insert(e->cv.store, &in, NULL), 0);
	}
	if (chan_init(e->cv.base, e->conf, &cause) != 0)
		fail_msg("%s", cause);
}

static void
env_start(struct env *e)
{
	char	*cause = NULL;

	if ((e->cv.outbox = outbox_create(e->cv.base, e->cv.store, e->conf,
	    e->cv.tmpl, &cause)) == NULL)
		fail_msg("%s", cause);
	outbox_kick(e->cv.outbox);
}

static int
env_spooled(struct env *e)
{
	char	*cmd;
	FILE	*f;
	int	 n = -1;

	cmd = xprintf("ls '%s' | grep -c 'eml$'", e->conf->mail_spool);
	assert_non_null(f = popen(cmd, "r"));
	assert_int_equal(fscanf(f, "%d", &n), 1);
	pclose(f);
	free(cmd);
	return (n);
}

static void
env_close(struct env *e)
{
	outbox_stop(e->cv.outbox);
	chan_shutdown();
	outbox_free(e->cv.outbox);
	tmpl_free(e->cv.tmpl);
	store_close(e->cv.store);
	event_base_free(e->cv.base);
	config_free(e->conf);
	convened = NULL;
}

/* Recording the answers fails part way: none is recorded, none counted. */
static void
test_settle_all_or_nothing(void **state)
{
	struct env	e;

	(void)state;
	env_open(&e, "settle");
	/* The database refuses to record Bob's message as sent. */
	raw_exec(e.db, "CREATE TRIGGER refuse BEFORE UPDATE OF state ON "
	    "outbox WHEN NEW.state = 'sent' AND NEW.person_id = 2 BEGIN "
	    "SELECT RAISE(ABORT, 'refused for the test'); END");
	env_start(&e);
	run_for(e.cv.base, 500);

	/* Both handed to the channel; neither answer recorded nor counted. */
	assert_int_equal(env_spooled(&e), 2);
	assert_int_equal(raw_int(e.db, "SELECT count(*) FROM outbox WHERE "
	    "state = 'sending' AND attempts = 1"), 2);
	assert_int_equal(outbox_stats(e.cv.outbox)->sent, 0);
	assert_int_equal(outbox_inflight(e.cv.outbox), 2);

	/* The database takes them again: the answers go in on the retry. */
	raw_exec(e.db, "DROP TRIGGER refuse");
	run_for(e.cv.base, 2500);
	assert_int_equal(raw_int(e.db, "SELECT count(*) FROM outbox WHERE "
	    "state = 'sent' AND attempts = 1"), 2);
	assert_int_equal(outbox_stats(e.cv.outbox)->sent, 2);
	assert_int_equal(outbox_inflight(e.cv.outbox), 0);
	assert_int_equal(env_spooled(&e), 2);
	env_close(&e);
}

/* Claiming a batch fails part way: nothing is claimed, nothing sent. */
static void
test_claim_all_or_nothing(void **state)
{
	struct env	e;

	(void)state;
	env_open(&e, "claim");
	raw_exec(e.db, "CREATE TRIGGER refuse BEFORE UPDATE OF state ON "
	    "outbox WHEN NEW.state = 'sending' AND NEW.person_id = 2 BEGIN "
	    "SELECT RAISE(ABORT, 'refused for the test'); END");
	env_start(&e);
	run_for(e.cv.base, 500);
	assert_int_equal(raw_int(e.db, "SELECT count(*) FROM outbox WHERE "
	    "state = 'pending' AND attempts = 0"), 2);
	assert_int_equal(env_spooled(&e), 0);
	assert_int_equal(outbox_inflight(e.cv.outbox), 0);

	/* The next try, a second later, claims and sends both. */
	raw_exec(e.db, "DROP TRIGGER refuse");
	run_for(e.cv.base, 2500);
	assert_int_equal(raw_int(e.db, "SELECT count(*) FROM outbox WHERE "
	    "state = 'sent' AND attempts = 1"), 2);
	assert_int_equal(outbox_stats(e.cv.outbox)->sent, 2);
	assert_int_equal(env_spooled(&e), 2);
	env_close(&e);
}

static int
count_begin(unsigned type, void *arg, void *p, void *x)
{
	const char	*sql = sqlite3_sql(p);

	(void)type;
	(void)x;
	if (sql != NULL && strcmp(sql, "BEGIN IMMEDIATE") == 0)
		(*(int *)arg)++;
	return (0);
}

/* The database is locked by another: wait before each try, longer each. */
static void
test_begin_backs_off(void **state)
{
	struct env	 e;
	sqlite3		*other;
	int		 begins = 0;

	(void)state;
	env_open(&e, "begin");
	/* Fail at once when locked, and count the tries. */
	sqlite3_busy_timeout(e.cv.store->db, 0);
	sqlite3_trace_v2(e.cv.store->db, SQLITE_TRACE_STMT, count_begin,
	    &begins);
	env_start(&e);
	assert_int_equal(sqlite3_open(e.db, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL), SQLITE_OK);
	run_for(e.cv.base, 2500);
	/* Tries at 0 and 1 s (the next at 3 s); none sent, none counted. */
	assert_in_range(begins, 1, 3);
	assert_int_not_equal(store_failing(e.cv.store, NULL), 0);
	assert_int_equal(env_spooled(&e), 0);
	assert_int_equal(outbox_stats(e.cv.outbox)->sent, 0);

	/* Unlocked: the next try claims and sends both. */
	assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(other);
	run_for(e.cv.base, 3000);
	assert_int_equal(outbox_stats(e.cv.outbox)->sent, 2);
	assert_int_equal(env_spooled(&e), 2);
	assert_int_equal(store_failing(e.cv.store, NULL), 0);
	sqlite3_trace_v2(e.cv.store->db, 0, NULL, NULL);
	env_close(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_settle_all_or_nothing),
		cmocka_unit_test(test_claim_all_or_nothing),
		cmocka_unit_test(test_begin_backs_off),
	};

	log_init(LOG_TARGET_STDERR, 0);
	return (cmocka_run_group_tests_name("outbox", tests, test_setup_dir,
	    test_remove_dir));
}
