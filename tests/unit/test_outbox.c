/*
 * test_outbox.c: the dispatcher against a store whose writes fail.  Two
 * test messages go to the spool channel; a trigger refuses to move the
 * second one on, so claiming them or recording their answers fails part
 * way.  Then no row may move, nor any counter; once the trigger is gone
 * the next try, a second later, does it all, each message sent once.  A
 * database locked by another makes the dispatcher wait between tries.
 *
 * Then each decision the dispatcher makes, with the clock stopped and
 * moved by hand and a fake channel that answers as each test says: sent;
 * retried with backoff and jitter; the next channel after a refusal;
 * dead after the retry lifetime; missed once the meeting has begun; an
 * SMS held to the end of quiet hours, never past the meeting; a message
 * in flight at a crash sent again, once; a gentle reminder to answer
 * skipped for one who has answered.
 */
#include "config.h"

#include <sys/stat.h>

#include <sqlite3.h>

#include <event2/event.h>

#include "testlib.h"
#include "testdb.h"

#include "convene.h"
#include "key.h"
#include "log.h"
#include "store_int.h"
#include "tmpl.h"
#include "util.h"

/* Run the loop for ms milliseconds. */
static void
run_for(struct event_base *base, int ms)
{
	struct timeval	tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

struct env {
	struct event_base *base;
	struct store	*store;
	struct tmpl_set	*tmpl;
	struct outbox	*outbox;
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
	assert_non_null(e->base = event_base_new());
	if ((e->store = store_open(e->conf->database, &cause)) == NULL)
		fail_msg("%s", cause);
	e->db = e->conf->database;
	if ((e->tmpl = tmpl_load(e->conf->templates, msg_vars, msg_words,
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
		assert_int_equal(store_plan_insert(e->store, &in, NULL), 0);
	}
	if (chan_init(e->base, e->conf, &cause) != 0)
		fail_msg("%s", cause);
}

static void
env_start(struct env *e)
{
	char	*cause = NULL;

	if ((e->outbox = outbox_create(e->base, e->store, e->conf,
	    e->tmpl, &cause)) == NULL)
		fail_msg("%s", cause);
	outbox_kick(e->outbox);
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
	outbox_stop(e->outbox);
	chan_shutdown();
	outbox_free(e->outbox);
	tmpl_free(e->tmpl);
	store_close(e->store);
	event_base_free(e->base);
	config_free(e->conf);
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
	run_for(e.base, 500);

	/* Both handed to the channel; neither answer recorded nor counted. */
	assert_int_equal(env_spooled(&e), 2);
	assert_int_equal(raw_int(e.db, "SELECT count(*) FROM outbox WHERE "
	    "state = 'sending' AND attempts = 1"), 2);
	assert_int_equal(outbox_stats(e.outbox)->sent, 0);
	assert_int_equal(outbox_inflight(e.outbox), 2);

	/* The database takes them again: the answers go in on the retry. */
	raw_exec(e.db, "DROP TRIGGER refuse");
	run_for(e.base, 2500);
	assert_int_equal(raw_int(e.db, "SELECT count(*) FROM outbox WHERE "
	    "state = 'sent' AND attempts = 1"), 2);
	assert_int_equal(outbox_stats(e.outbox)->sent, 2);
	assert_int_equal(outbox_inflight(e.outbox), 0);
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
	run_for(e.base, 500);
	assert_int_equal(raw_int(e.db, "SELECT count(*) FROM outbox WHERE "
	    "state = 'pending' AND attempts = 0"), 2);
	assert_int_equal(env_spooled(&e), 0);
	assert_int_equal(outbox_inflight(e.outbox), 0);

	/* The next try, a second later, claims and sends both. */
	raw_exec(e.db, "DROP TRIGGER refuse");
	run_for(e.base, 2500);
	assert_int_equal(raw_int(e.db, "SELECT count(*) FROM outbox WHERE "
	    "state = 'sent' AND attempts = 1"), 2);
	assert_int_equal(outbox_stats(e.outbox)->sent, 2);
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
	sqlite3_busy_timeout(e.store->db, 0);
	sqlite3_trace_v2(e.store->db, SQLITE_TRACE_STMT, count_begin,
	    &begins);
	env_start(&e);
	assert_int_equal(sqlite3_open(e.db, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL), SQLITE_OK);
	run_for(e.base, 2500);
	/* Tries at 0 and 1 s (the next at 3 s); none sent, none counted. */
	assert_in_range(begins, 1, 3);
	assert_int_not_equal(store_failing(e.store, NULL), 0);
	assert_int_equal(env_spooled(&e), 0);
	assert_int_equal(outbox_stats(e.outbox)->sent, 0);

	/* Unlocked: the next try claims and sends both. */
	assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(other);
	run_for(e.base, 3000);
	assert_int_equal(outbox_stats(e.outbox)->sent, 2);
	assert_int_equal(env_spooled(&e), 2);
	assert_int_equal(store_failing(e.store, NULL), 0);
	sqlite3_trace_v2(e.store->db, 0, NULL, NULL);
	env_close(&e);
}

/*
 * The decisions, with a stopped clock.  Monday 4 January 2027, 12:00 UTC
 * (and in London, whose winter time is UTC).
 */
#define T0		1799064000LL
#define HOUR		3600LL
#define DAY		86400LL
#define RETRY_BASE	60
#define RETRY_MAX	600
#define RETRY_LIFE	3600

/* What the fake channel was given, and what it answers. */
struct fake_sent {
	long long	 id;
	int		 attempt;
	char		 channel[8];
	char		 to[64];
	long long	 at;		/* clock_now() */
};
static struct fake_sent		 fake_log[64];
static int			 fake_n;
static enum chan_result		 fake_answers[8];
static int			 fake_nanswers;

static void
fake_send(const struct chan_msg *m, chan_done_cb done, void *arg)
{
	struct fake_sent	*f;
	enum chan_result	 r;

	assert_true(fake_n < (int)(sizeof fake_log / sizeof fake_log[0]));
	f = &fake_log[fake_n];
	f->id = m->id;
	f->attempt = m->attempt;
	snprintf(f->channel, sizeof f->channel, "%s", m->channel);
	snprintf(f->to, sizeof f->to, "%s", m->to);
	f->at = (long long)clock_now();
	/* The script's answers in turn; the last one from then on. */
	r = fake_answers[fake_n < fake_nanswers ? fake_n : fake_nanswers - 1];
	fake_n++;
	done(arg, r, r == CHAN_OK ? "fake-id" : NULL, r == CHAN_OK ? NULL :
	    "the fake channel said no");
}

static const struct chan_backend fake_backend = {
	"fake", NULL, fake_send, NULL, NULL
};

static void
fake_script(int n, ...)
{
	va_list	ap;
	int	i;

	va_start(ap, n);
	for (i = 0; i < n; i++)
		fake_answers[i] = va_arg(ap, enum chan_result);
	va_end(ap);
	fake_nanswers = n;
	fake_n = 0;
}

/*
 * A daemon's worth of state at T0, nothing due yet: Ann (email, then
 * SMS; quiet hours as given, -1 for none) in group g, whose meeting
 * begins at start.
 */
static void
fake_open(struct env *e, const char *name, long long start, int quiet_start,
    int quiet_end)
{
	const char	*top = getenv("top_srcdir");
	char		*text, *cause = NULL, qs[16], qe[16];
	unsigned char	 key[KEY_BYTES];

	memset(e, 0, sizeof *e);
	/*
	 * A dispatcher that keeps waking for a time its clock never reaches
	 * spins inside one turn of the loop: fail then, rather than hang.
	 */
	alarm(60);
	clock_set_fake((time_t)T0);
	text = xprintf("mkdir -p '%s/%s'", test_dir, name);
	assert_int_equal(system(text), 0);
	free(text);
	snprintf(qs, sizeof qs, quiet_start < 0 ? "NULL" : "%d", quiet_start);
	snprintf(qe, sizeof qe, quiet_end < 0 ? "NULL" : "%d", quiet_end);
	text = xprintf("[daemon]\nstate_directory = %s/%s\ntemplates = "
	    "%s/conf/templates\n[outbox]\nretry_base = %d\nretry_max = %d\n"
	    "retry_lifetime = %d\n", test_dir, name, top ? top : ".",
	    RETRY_BASE, RETRY_MAX, RETRY_LIFE);
	if ((e->conf = config_load(test_file("convened.conf", text, 0644),
	    &cause)) == NULL)
		fail_msg("%s", cause);
	free(text);
	assert_non_null(e->base = event_base_new());
	if ((e->store = store_open(e->conf->database, &cause)) == NULL)
		fail_msg("%s", cause);
	e->db = e->conf->database;
	if ((e->tmpl = tmpl_load(e->conf->templates, msg_vars, msg_words,
	    &cause)) == NULL)
		fail_msg("%s", cause);
	memset(key, 7, sizeof key);
	msg_set_key(key);
	text = xprintf("INSERT INTO groups (id, slug, name, time_zone, "
	    "created_at) VALUES (1, 'g', 'The group', 'Europe/London', 0); "
	    "INSERT INTO series (id, group_id, title, dtstart, duration, "
	    "created_at, updated_at) VALUES (1, 1, 'The meeting', "
	    "'20270111T100000', 3600, 0, 0); "
	    "INSERT INTO occurrences (id, series_id, recurrence_id, start_at, "
	    "end_at) VALUES (1, 1, '20270111T100000', %lld, %lld); "
	    "INSERT INTO people (id, name, email, phone, channels, "
	    "quiet_start, quiet_end, created_at) VALUES (1, 'Ann', "
	    "'ann@example.org', '+447700900001', 'email,sms', %s, %s, 0)",
	    start, start + HOUR, qs, qe);
	raw_exec(e->db, text);
	free(text);
	fake_script(1, CHAN_OK);
	chan_override(&fake_backend);
}

/* A reminder of the meeting to Ann, due at the time given. */
static void
fake_due(struct env *e, const char *channel, const char *lead, long long due)
{
	struct outbox_in	in;

	memset(&in, 0, sizeof in);
	in.occurrence_id = 1;
	in.person_id = 1;
	in.kind = "reminder";
	in.lead = lead;
	in.channel = channel;
	in.due_at = (time_t)due;
	in.now = clock_now();
	assert_int_equal(store_plan_insert(e->store, &in, NULL), 0);
}

/* Something changed: let the dispatcher do all it can now. */
static void
fake_turn(struct env *e)
{
	int	i;

	outbox_kick(e->outbox);
	for (i = 0; i < 10; i++)
		event_base_loop(e->base, EVLOOP_NONBLOCK);
}

static void
fake_close(struct env *e)
{
	env_close(e);
	clock_set_fake(0);
	alarm(0);
}

static long long
raw_ll(struct env *e, const char *fmt, ...)
{
	va_list	 ap;
	char	*sql;
	int	 v;

	va_start(ap, fmt);
	if (vasprintf(&sql, fmt, ap) == -1)
		fail();
	va_end(ap);
	v = raw_int(e->db, sql);
	free(sql);
	return (v);
}

/* A row's state. */
static const char *
row_state(struct env *e, long long id)
{
	static const char	*states[] = { "pending", "sending", "sent",
				    "failed", "dead", "skipped", "missed" };
	int			 i;

	i = (int)raw_ll(e, "SELECT CASE state WHEN 'pending' THEN 0 WHEN "
	    "'sending' THEN 1 WHEN 'sent' THEN 2 WHEN 'failed' THEN 3 WHEN "
	    "'dead' THEN 4 WHEN 'skipped' THEN 5 WHEN 'missed' THEN 6 END "
	    "FROM outbox WHERE id = %lld", id);
	return (states[i]);
}

static int
row_reason_is(struct env *e, long long id, const char *like)
{
	return ((int)raw_ll(e, "SELECT reason LIKE '%s' FROM outbox WHERE "
	    "id = %lld", like, id));
}

/* Sent when due and not before; the answer recorded at that time. */
static void
test_fake_ok(void **state)
{
	struct env	e;

	(void)state;
	fake_open(&e, "ok", T0 + 7 * DAY, -1, -1);
	fake_due(&e, "email", "1d", T0 + 100);
	env_start(&e);
	fake_turn(&e);
	assert_int_equal(fake_n, 0);
	assert_string_equal(row_state(&e, 1), "pending");

	clock_advance(99);
	fake_turn(&e);
	assert_int_equal(fake_n, 0);
	clock_advance(1);
	fake_turn(&e);
	assert_int_equal(fake_n, 1);
	assert_int_equal(fake_log[0].id, 1);
	assert_int_equal(fake_log[0].attempt, 1);
	assert_string_equal(fake_log[0].channel, "email");
	assert_string_equal(fake_log[0].to, "ann@example.org");
	assert_string_equal(row_state(&e, 1), "sent");
	assert_int_equal(raw_ll(&e, "SELECT attempts FROM outbox WHERE id = 1"),
	    1);
	assert_int_equal(raw_ll(&e, "SELECT sent_at FROM outbox WHERE id = 1"),
	    T0 + 100);
	assert_int_equal(raw_ll(&e, "SELECT provider_id = 'fake-id' FROM "
	    "outbox WHERE id = 1"), 1);
	assert_int_equal(outbox_stats(e.outbox)->sent, 1);
	assert_int_equal(outbox_inflight(e.outbox), 0);

	/* Sent is settled: it never goes again. */
	clock_advance(DAY);
	fake_turn(&e);
	assert_int_equal(fake_n, 1);
	fake_close(&e);
}

/*
 * TEMPFAIL: retried after retry_base doubling up to retry_max, each wait
 * between three quarters and the whole of it, and not a second sooner.
 */
static void
test_fake_backoff(void **state)
{
	struct env	 e;
	long long	 now, next, wait, full = RETRY_BASE;
	int		 attempt, jittered = 0;

	(void)state;
	fake_open(&e, "backoff", T0 + 7 * DAY, -1, -1);
	fake_due(&e, "email", "1d", T0);
	fake_script(1, CHAN_TEMPFAIL);
	env_start(&e);
	fake_turn(&e);
	for (attempt = 1; attempt <= 6; attempt++) {
		assert_int_equal(fake_n, attempt);
		assert_int_equal(fake_log[attempt - 1].attempt, attempt);
		assert_string_equal(row_state(&e, 1), "pending");
		assert_int_equal(raw_ll(&e, "SELECT attempts FROM outbox "
		    "WHERE id = 1"), attempt);
		assert_true(row_reason_is(&e, 1, "the fake channel said no"));
		now = (long long)clock_now();
		next = raw_ll(&e, "SELECT next_at FROM outbox WHERE id = 1");
		wait = next - now;
		assert_in_range(wait, full * 3 / 4, full);
		if (wait < full)
			jittered++;
		if ((full *= 2) > RETRY_MAX)
			full = RETRY_MAX;
		/* A second early: nothing goes. */
		clock_set_fake((time_t)next - 1);
		fake_turn(&e);
		assert_int_equal(fake_n, attempt);
		clock_advance(1);
		fake_turn(&e);
	}
	/* Seven tries and seven retries well inside the lifetime. */
	assert_int_equal(fake_n, 7);
	assert_int_equal(outbox_stats(e.outbox)->retried, 7);
	/* Six waits each drawn from 1001 values: not all the full one. */
	assert_true(jittered > 0);
	fake_close(&e);
}

/* Retried until the retry lifetime from its due time, then dead. */
static void
test_fake_dead(void **state)
{
	struct env	e;
	long long	next;
	int		n;

	(void)state;
	fake_open(&e, "dead", T0 + 7 * DAY, -1, -1);
	fake_due(&e, "email", "1d", T0);
	fake_script(1, CHAN_TEMPFAIL);
	env_start(&e);
	fake_turn(&e);
	for (n = 1; strcmp(row_state(&e, 1), "pending") == 0; n++) {
		assert_true(n < 50);
		next = raw_ll(&e, "SELECT next_at FROM outbox WHERE id = 1");
		/* Never a retry past the lifetime. */
		assert_true(next - T0 <= RETRY_LIFE);
		clock_set_fake((time_t)next);
		fake_turn(&e);
		assert_int_equal(fake_n, n + 1);
	}
	assert_string_equal(row_state(&e, 1), "dead");
	assert_true(row_reason_is(&e, 1, "gave up after % attempts: the "
	    "fake channel said no"));
	/* Given up only when the next wait would have gone past it. */
	assert_true((long long)clock_now() + RETRY_MAX - T0 > RETRY_LIFE);
	assert_int_equal(outbox_stats(e.outbox)->dead, 1);
	assert_int_equal(outbox_stats(e.outbox)->missed, 0);
	clock_advance(DAY);
	fake_turn(&e);
	assert_int_equal(fake_n, n);
	fake_close(&e);
}

/*
 * PERMFAIL: the email row fails and the next channel, SMS, is tried at
 * once; refused there too, with no channel left, the message is dead.
 * The refused address is remembered: the next email goes by SMS.
 */
static void
test_fake_fallback(void **state)
{
	struct env	e;

	(void)state;
	fake_open(&e, "fallback", T0 + 7 * DAY, -1, -1);
	fake_due(&e, "email", "1d", T0);
	fake_script(3, CHAN_PERMFAIL, CHAN_OK, CHAN_PERMFAIL);
	env_start(&e);
	fake_turn(&e);
	assert_int_equal(fake_n, 2);
	assert_string_equal(fake_log[0].channel, "email");
	assert_string_equal(fake_log[1].channel, "sms");
	assert_string_equal(fake_log[1].to, "+447700900001");
	assert_string_equal(row_state(&e, 1), "failed");
	assert_true(row_reason_is(&e, 1, "the fake channel said no; trying "
	    "sms"));
	assert_int_equal(raw_ll(&e, "SELECT count(*) FROM outbox WHERE id = 2 "
	    "AND channel = 'sms' AND state = 'sent' AND due_at = %lld AND "
	    "lead = '1d'", T0), 1);
	assert_int_equal(raw_ll(&e, "SELECT email_bounce IS NOT NULL FROM "
	    "people WHERE id = 1"), 1);
	assert_int_equal(outbox_stats(e.outbox)->failed, 1);
	assert_int_equal(outbox_stats(e.outbox)->sent, 1);

	/* The next email goes by SMS without asking the mail server. */
	clock_advance(HOUR);
	fake_due(&e, "email", "1h", T0 + HOUR);
	fake_turn(&e);
	assert_int_equal(fake_n, 3);
	assert_string_equal(fake_log[2].channel, "sms");
	assert_string_equal(row_state(&e, 3), "failed");
	/* Refused by SMS too, the last channel: dead. */
	assert_int_equal(raw_ll(&e, "SELECT count(*) FROM outbox WHERE id = 4 "
	    "AND channel = 'sms' AND state = 'dead' AND reason LIKE "
	    "'%%no other channel to try'"), 1);
	assert_int_equal(outbox_stats(e.outbox)->dead, 1);
	fake_close(&e);
}

/*
 * The meeting has begun when the row is claimed: missed, not sent.  A
 * retry that would come after the start is missed too.
 */
static void
test_fake_missed(void **state)
{
	struct env	e;

	(void)state;
	fake_open(&e, "missed", T0 + HOUR, -1, -1);
	fake_due(&e, "email", "1h", T0);
	fake_due(&e, "sms", "1h", T0);
	/* Down from before it was due until the meeting began. */
	clock_set_fake((time_t)(T0 + HOUR));
	env_start(&e);
	fake_turn(&e);
	assert_int_equal(fake_n, 0);
	assert_string_equal(row_state(&e, 1), "missed");
	assert_string_equal(row_state(&e, 2), "missed");
	assert_true(row_reason_is(&e, 1, "the meeting had begun%"));
	assert_int_equal(outbox_stats(e.outbox)->missed, 2);
	fake_close(&e);

	/* A second before the start it goes. */
	fake_open(&e, "missed2", T0 + HOUR, -1, -1);
	fake_due(&e, "email", "1h", T0);
	clock_set_fake((time_t)(T0 + HOUR - 1));
	env_start(&e);
	fake_turn(&e);
	assert_int_equal(fake_n, 1);
	assert_string_equal(row_state(&e, 1), "sent");
	fake_close(&e);

	/* Refused for now with the meeting due before any retry. */
	fake_open(&e, "missed3", T0 + RETRY_BASE * 3 / 4, -1, -1);
	fake_due(&e, "email", "1h", T0);
	fake_script(1, CHAN_TEMPFAIL);
	env_start(&e);
	fake_turn(&e);
	assert_int_equal(fake_n, 1);
	assert_string_equal(row_state(&e, 1), "missed");
	assert_true(row_reason_is(&e, 1, "the meeting began before a "
	    "retry: %"));
	assert_int_equal(outbox_stats(e.outbox)->missed, 1);
	assert_int_equal(outbox_stats(e.outbox)->retried, 0);
	fake_close(&e);
}

/*
 * Quiet hours from midnight (minute 0, not none) to 07:00: at 01:00 an
 * SMS waits until 07:00.
 */
static void
test_fake_quiet_midnight(void **state)
{
	struct env	e;
	long long	night = T0 + 13 * HOUR, morning = T0 + 19 * HOUR;

	(void)state;
	fake_open(&e, "quiet0", T0 + 7 * DAY, 0, 7 * 60);
	fake_due(&e, "sms", "1w", night);
	clock_set_fake((time_t)night);
	env_start(&e);
	fake_turn(&e);
	assert_int_equal(fake_n, 0);
	assert_string_equal(row_state(&e, 1), "pending");
	assert_int_equal(raw_ll(&e, "SELECT next_at FROM outbox WHERE id = 1"),
	    morning);
	assert_int_equal(outbox_stats(e.outbox)->deferred, 1);
	fake_close(&e);
}

/*
 * Quiet hours 22:00 to 07:00: at 23:00 an SMS waits until 07:00 while
 * an email goes; an SMS for a meeting before 07:00 goes at once.
 */
static void
test_fake_quiet(void **state)
{
	struct env	e;
	long long	late = T0 + 11 * HOUR, morning = T0 + 19 * HOUR;

	(void)state;
	fake_open(&e, "quiet", T0 + 7 * DAY, 22 * 60, 7 * 60);
	fake_due(&e, "sms", "1w", late);
	fake_due(&e, "email", "1w", late);
	clock_set_fake((time_t)late);
	env_start(&e);
	fake_turn(&e);
	assert_int_equal(fake_n, 1);
	assert_string_equal(fake_log[0].channel, "email");
	assert_string_equal(row_state(&e, 1), "pending");
	assert_int_equal(raw_ll(&e, "SELECT next_at FROM outbox WHERE id = 1"),
	    morning);
	assert_true(row_reason_is(&e, 1, "waiting for the end of quiet "
	    "hours"));
	assert_int_equal(outbox_stats(e.outbox)->deferred, 1);

	clock_set_fake((time_t)(morning - 1));
	fake_turn(&e);
	assert_int_equal(fake_n, 1);
	clock_advance(1);
	fake_turn(&e);
	assert_int_equal(fake_n, 2);
	assert_string_equal(fake_log[1].channel, "sms");
	assert_int_equal(fake_log[1].at, morning);
	assert_string_equal(row_state(&e, 1), "sent");
	fake_close(&e);

	/* The meeting is at 06:00: waiting would miss it. */
	fake_open(&e, "quiet2", morning - HOUR, 22 * 60, 7 * 60);
	fake_due(&e, "sms", "7h", late);
	clock_set_fake((time_t)late);
	env_start(&e);
	fake_turn(&e);
	assert_int_equal(fake_n, 1);
	assert_int_equal(fake_log[0].at, late);
	assert_string_equal(row_state(&e, 1), "sent");
	assert_int_equal(outbox_stats(e.outbox)->deferred, 0);
	fake_close(&e);
}

/* In flight when the daemon stopped: sent again at start, and once. */
static void
test_fake_recover(void **state)
{
	struct env	e;

	(void)state;
	fake_open(&e, "recover", T0 + 7 * DAY, -1, -1);
	fake_due(&e, "email", "1d", T0);
	raw_exec(e.db, "UPDATE outbox SET state = 'sending', attempts = 1");
	clock_advance(600);
	env_start(&e);
	assert_string_equal(row_state(&e, 1), "pending");
	assert_true(row_reason_is(&e, 1, "was in flight when convened "
	    "stopped"));
	fake_turn(&e);
	assert_int_equal(fake_n, 1);
	assert_int_equal(fake_log[0].attempt, 2);
	assert_string_equal(row_state(&e, 1), "sent");
	assert_int_equal(raw_ll(&e, "SELECT attempts FROM outbox WHERE id = 1"),
	    2);
	assert_true(row_reason_is(&e, 1, "sent on attempt 2; before that: "
	    "was in flight when convened stopped"));
	clock_advance(DAY);
	fake_turn(&e);
	assert_int_equal(fake_n, 1);
	fake_close(&e);
}

/*
 * A gentle reminder to answer (nudge) goes to a member who has not
 * answered; one who answered before it was due is skipped, not sent,
 * and so is one for a meeting cancelled since.  By SMS it keeps the
 * member's quiet hours.
 */
static void
test_fake_nudge(void **state)
{
	struct env		e;
	struct outbox_in	in;
	long long		occ;
	char			*sql;

	(void)state;
	fake_open(&e, "nudge", T0 + 7 * DAY, -1, -1);
	raw_exec(e.db, "INSERT INTO occurrences (id, series_id, "
	    "recurrence_id, start_at, end_at, status) SELECT 2, 1, "
	    "'20270118T100000', start_at + 7 * 86400, end_at + 7 * 86400, "
	    "'scheduled' FROM occurrences WHERE id = 1; "
	    "INSERT INTO occurrences (id, series_id, recurrence_id, start_at, "
	    "end_at, status) SELECT 3, 1, '20270125T100000', start_at + 14 * "
	    "86400, end_at + 14 * 86400, 'cancelled' FROM occurrences WHERE "
	    "id = 1");
	memset(&in, 0, sizeof in);
	in.person_id = 1;
	in.kind = "nudge";
	in.lead = "P7D";
	in.channel = "email";
	in.due_at = (time_t)(T0 + 100);
	in.now = clock_now();
	for (occ = 1; occ <= 3; occ++) {
		in.occurrence_id = occ;
		assert_int_equal(store_plan_insert(e.store, &in, NULL), 0);
	}
	/* Ann says she cannot come to the first before its nudge is due. */
	sql = xprintf("INSERT INTO answers (person_id, occurrence_id, answer, "
	    "channel, at) VALUES (1, 1, 'no', 'link', %lld)", T0 + 50);
	raw_exec(e.db, sql);
	free(sql);
	env_start(&e);
	clock_advance(100);
	fake_turn(&e);
	assert_int_equal(fake_n, 1);
	assert_int_equal(fake_log[0].id, 2);
	assert_string_equal(row_state(&e, 2), "sent");
	assert_string_equal(row_state(&e, 1), "skipped");
	assert_true(row_reason_is(&e, 1, "answered already"));
	assert_string_equal(row_state(&e, 3), "skipped");
	assert_true(row_reason_is(&e, 3, "meeting cancelled"));
	assert_int_equal(outbox_stats(e.outbox)->skipped, 2);
	assert_int_equal(outbox_stats(e.outbox)->sent, 1);
	fake_close(&e);

	/* By SMS in quiet hours, it waits for their end as a reminder does. */
	fake_open(&e, "nudge-quiet", T0 + 7 * DAY, 22 * 60, 7 * 60);
	in.occurrence_id = 1;
	in.channel = "sms";
	in.due_at = (time_t)(T0 + 11 * HOUR);
	assert_int_equal(store_plan_insert(e.store, &in, NULL), 0);
	clock_set_fake((time_t)(T0 + 11 * HOUR));
	env_start(&e);
	fake_turn(&e);
	assert_int_equal(fake_n, 0);
	assert_string_equal(row_state(&e, 1), "pending");
	assert_int_equal(raw_ll(&e, "SELECT next_at FROM outbox WHERE id = 1"),
	    T0 + 19 * HOUR);
	clock_set_fake((time_t)(T0 + 19 * HOUR));
	fake_turn(&e);
	assert_int_equal(fake_n, 1);
	assert_string_equal(row_state(&e, 1), "sent");
	fake_close(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_settle_all_or_nothing),
		cmocka_unit_test(test_claim_all_or_nothing),
		cmocka_unit_test(test_begin_backs_off),
		cmocka_unit_test(test_fake_ok),
		cmocka_unit_test(test_fake_backoff),
		cmocka_unit_test(test_fake_dead),
		cmocka_unit_test(test_fake_fallback),
		cmocka_unit_test(test_fake_missed),
		cmocka_unit_test(test_fake_quiet),
		cmocka_unit_test(test_fake_quiet_midnight),
		cmocka_unit_test(test_fake_recover),
		cmocka_unit_test(test_fake_nudge),
	};

	log_init(LOG_TARGET_STDERR, 0);
	return (cmocka_run_group_tests_name("outbox", tests, test_setup_dir,
	    test_remove_dir));
}
