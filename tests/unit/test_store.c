/*
 * test_store.c: the schema and its migrations.  A new database reaches the
 * newest version, an old one upgrades keeping its rows, one from a newer
 * convened or another program is refused, and integrity_check is ok after
 * each.  The files are the owner's alone whatever the umask.
 */
#include "config.h"

#include <sqlite3.h>
#include <errno.h>

#include <jansson.h>

#include "testlib.h"
#include "testdb.h"

#include "convene.h"
#include "log.h"
#include "store_int.h"
#include "util.h"

static char *
db_path(const char *name)
{
	char	*path = xprintf("%s/%s", test_dir, name);

	unlink(path);
	return (path);
}

/* Run SQL on the file behind the store's back, as another program would. */
static void
assert_healthy(struct store *st)
{
	char	*cause = NULL;

	if (store_check(st, &cause) != 0)
		fail_msg("store_check: %s", cause);
}

static void
test_fresh(void **state)
{
	struct store		*st;
	struct store_counts	 c;
	char			*path = db_path("fresh.db"), *cause = NULL;

	(void)state;
	st = store_open(path, &cause);
	if (st == NULL)
		fail_msg("%s", cause);
	assert_int_equal(store_version(st), STORE_SCHEMA_VERSION);
	assert_healthy(st);
	assert_int_equal(store_counts(st, &c), 0);
	assert_int_equal(c.groups, 0);
	assert_int_equal(store_audit(st, "test", "open", "store", NULL), 0);
	store_close(st);

	assert_int_equal(raw_int(path, "PRAGMA user_version"),
	    STORE_SCHEMA_VERSION);
	assert_int_equal(raw_int(path, "PRAGMA application_id"),
	    CONVENE_APPLICATION_ID);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM audit_log "
	    "WHERE actor = 'test' AND action = 'open'"), 1);

	/* Opening again changes nothing. */
	st = store_open(path, &cause);
	assert_non_null(st);
	assert_int_equal(store_version(st), STORE_SCHEMA_VERSION);
	assert_healthy(st);
	store_close(st);
	free(path);
}

static void
test_upgrade_from_1(void **state)
{
	struct store		*st;
	struct store_counts	 c;
	char			*path = db_path("v1.db"), *cause = NULL;

	(void)state;
	if (store_create_at(path, 1, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(raw_int(path, "PRAGMA user_version"), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name = 'api_tokens'"), 0);
	raw_exec(path, "INSERT INTO groups (slug, name, created_at) VALUES "
	    "('dp-steering', 'Direct Payments Steering Group', 0);"
	    "INSERT INTO people (name, email, created_at) VALUES "
	    "('Ada', 'ada@example.org', 0);"
	    "INSERT INTO memberships (group_id, person_id, role, joined_at) "
	    "VALUES (1, 1, 'co-chair', 0);");

	st = store_open(path, &cause);
	if (st == NULL)
		fail_msg("%s", cause);
	assert_int_equal(store_version(st), STORE_SCHEMA_VERSION);
	assert_healthy(st);
	assert_int_equal(store_counts(st, &c), 0);
	assert_int_equal(c.groups, 1);
	assert_int_equal(c.people, 1);
	assert_int_equal(c.memberships, 1);
	store_close(st);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name = 'api_tokens'"), 1);
	free(path);
}

/*
 * Each database has its own installation id, kept; the UID domain is set
 * once and a later base_url does not change it.
 */
static void
test_installation(void **state)
{
	struct store	*st;
	char		*path = db_path("inst.db");
	char		*other = db_path("inst2.db");
	char		*cause = NULL, *id, *d, *want;

	(void)state;
	if ((st = store_open(path, &cause)) == NULL)
		fail_msg("%s", cause);
	id = xstrdup(store_installation(st));
	assert_int_equal(strlen(id), STORE_INSTALL_LEN);
	assert_int_equal(strspn(id, "0123456789abcdef"), STORE_INSTALL_LEN);
	/* A new database is named after its installation. */
	d = store_uid_domain(st, "a.example.org", &cause);
	want = xprintf("%s.a.example.org", id);
	assert_non_null(d);
	assert_string_equal(d, want);
	free(d);
	store_close(st);

	if ((st = store_open(path, &cause)) == NULL)
		fail_msg("%s", cause);
	assert_string_equal(store_installation(st), id);
	d = store_uid_domain(st, "b.example.org", &cause);
	assert_non_null(d);
	assert_string_equal(d, want);
	free(d);
	store_close(st);

	if ((st = store_open(other, &cause)) == NULL)
		fail_msg("%s", cause);
	assert_string_not_equal(store_installation(st), id);
	/* A host that is an address does not name UIDs. */
	d = store_uid_domain(st, "127.0.0.1", &cause);
	assert_non_null(d);
	assert_non_null(strstr(d, ".convene.invalid"));
	assert_int_equal(strlen(d), STORE_INSTALL_LEN +
	    strlen(".convene.invalid"));
	free(d);
	store_close(st);
	free(want);
	free(id);
	free(path);
	free(other);
}

/*
 * A database from before version 6 keeps the UIDs its calendars have
 * seen, "series-N@" the base_url host of the first start after the
 * upgrade; and its people have no bounced address.
 */
static void
test_upgrade_from_5(void **state)
{
	struct store	*st;
	char		*path = db_path("v5.db"), *cause = NULL, *d;

	(void)state;
	if (store_create_at(path, 5, &cause) != 0)
		fail_msg("%s", cause);
	raw_exec(path, "INSERT INTO groups (slug, name, created_at) VALUES "
	    "('dp', 'DP', 0);"
	    "INSERT INTO people (name, email, created_at) VALUES "
	    "('Ada', 'ada@example.org', 0);"
	    "INSERT INTO series (group_id, title, dtstart, duration, "
	    "created_at, updated_at) VALUES (1, 'Steering', "
	    "'20260303T180000', 3600, 0, 0);");
	if ((st = store_open(path, &cause)) == NULL)
		fail_msg("%s", cause);
	assert_int_equal(store_version(st), STORE_SCHEMA_VERSION);
	assert_healthy(st);
	d = store_uid_domain(st, "old.example.org", &cause);
	assert_non_null(d);
	assert_string_equal(d, "old.example.org");
	free(d);
	d = store_uid_domain(st, "new.example.org", &cause);
	assert_string_equal(d, "old.example.org");
	free(d);
	store_close(st);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM people "
	    "WHERE email_bounce IS NULL"), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM installation"),
	    1);
	free(path);
}

/*
 * A bounce is kept with the person until their address changes; one for
 * an address they no longer have is not kept.
 */
static void
test_bounce(void **state)
{
	struct store		*st;
	struct person_in	 p;
	json_t			*row;
	char			*path = db_path("bounce.db"), *cause = NULL;
	long long		 id;

	(void)state;
	if ((st = store_open(path, &cause)) == NULL)
		fail_msg("%s", cause);
	memset(&p, 0, sizeof p);
	p.name = "Ada";
	p.email = "ada@example.org";
	p.quiet_start = p.quiet_end = -1;
	if ((row = store_person_create(st, &p, &cause)) == NULL)
		fail_msg("%s", cause);
	id = jint(row, "id");
	assert_true(json_is_null(json_object_get(row, "email_bounce")));
	json_decref(row);

	assert_int_equal(store_person_bounce(st, id, "old@example.org",
	    "550 no", 100, NULL), 0);
	row = store_person_get(st, id, NULL);
	assert_true(json_is_null(json_object_get(row, "email_bounce")));
	json_decref(row);

	assert_int_equal(store_person_bounce(st, id, "ada@example.org",
	    "550 no such user", 100, NULL), 0);
	/* The same address again, in other case, keeps it. */
	memset(&p, 0, sizeof p);
	p.email = "ADA@example.org";
	p.quiet_start = p.quiet_end = -2;
	row = store_person_update(st, id, &p, NULL);
	assert_non_null(row);
	assert_string_equal(jstr(row, "email_bounce"), "550 no such user");
	assert_int_equal(jint(row, "email_bounced_at"), 100);
	json_decref(row);
	/* A change of anything else keeps it too. */
	memset(&p, 0, sizeof p);
	p.name = "Ada Lovelace";
	p.quiet_start = p.quiet_end = -2;
	row = store_person_update(st, id, &p, NULL);
	assert_string_equal(jstr(row, "email_bounce"), "550 no such user");
	json_decref(row);
	/* A new address forgets it. */
	p.email = "ada.l@example.org";
	row = store_person_update(st, id, &p, NULL);
	assert_true(json_is_null(json_object_get(row, "email_bounce")));
	assert_true(json_is_null(json_object_get(row, "email_bounced_at")));
	json_decref(row);
	store_close(st);
	free(path);
}

static void
test_newer_refused(void **state)
{
	struct store	*st;
	char		*path = db_path("newer.db"), *cause = NULL, *want;

	(void)state;
	st = store_open(path, &cause);
	assert_non_null(st);
	store_close(st);
	raw_exec(path, "PRAGMA user_version = 99");

	st = store_open(path, &cause);
	assert_null(st);
	want = xprintf("%s has schema version 99, newer than this convened "
	    "knows (%d)", path, STORE_SCHEMA_VERSION);
	if (cause == NULL || strstr(cause, want) == NULL)
		fail_msg("wanted \"%s\", got \"%s\"", want, cause);
	free(want);
	free(cause);
	/* Refused, and left as it was. */
	assert_int_equal(raw_int(path, "PRAGMA user_version"), 99);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM "
	    "pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
	free(path);
}

static void
test_foreign_refused(void **state)
{
	struct store	*st;
	char		*path = db_path("other.db"), *cause = NULL;

	(void)state;
	raw_exec(path, "CREATE TABLE notes (x TEXT)");
	st = store_open(path, &cause);
	assert_null(st);
	assert_non_null(strstr(cause, "is not a convene database"));
	free(cause);
	cause = NULL;
	raw_exec(path, "PRAGMA application_id = 1234");
	st = store_open(path, &cause);
	assert_null(st);
	assert_non_null(strstr(cause, "(application_id 1234)"));
	free(cause);
	free(path);
}

static void
test_constraints(void **state)
{
	struct store	*st;
	char		*path = db_path("constraints.db"), *cause = NULL;
	sqlite3		*db;

	(void)state;
	st = store_open(path, &cause);
	assert_non_null(st);
	store_close(st);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	/* A slug is lower case letters, digits and hyphens. */
	assert_int_not_equal(sqlite3_exec(db, "INSERT INTO groups (slug, "
	    "name, created_at) VALUES ('Bad Slug', 'x', 0)", NULL, NULL,
	    NULL), SQLITE_OK);
	/* A role is one of the five. */
	assert_int_equal(sqlite3_exec(db, "INSERT INTO groups (slug, name, "
	    "created_at) VALUES ('g', 'G', 0); INSERT INTO people (name, "
	    "created_at) VALUES ('P', 0)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "INSERT INTO memberships "
	    "(group_id, person_id, role, joined_at) VALUES (1, 1, 'boss', 0)",
	    NULL, NULL, NULL), SQLITE_OK);
	/* Emails are unique whatever their case. */
	assert_int_equal(sqlite3_exec(db, "INSERT INTO people (name, email, "
	    "created_at) VALUES ('A', 'a@example.org', 0)", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "INSERT INTO people (name, "
	    "email, created_at) VALUES ('B', 'A@Example.org', 0)", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(db);
	free(path);
}

/* Whether a table's SQL still has an IN list of three values or more. */
static int
long_in_list(const char *sql)
{
	const char	*p, *end;
	int		 commas;

	for (p = sql; (p = strstr(p, " IN (")) != NULL; p = end) {
		p += strlen(" IN (");
		if ((end = strchr(p, ')')) == NULL)
			return (0);
		for (commas = 0; p < end; p++)
			commas += *p == ',';
		if (commas >= 2)
			return (1);
	}
	return (0);
}

/*
 * Schema 12: no CHECK lists three values or more with IN (which costs a
 * temporary table a row), on a new database as on an upgraded one; each
 * such constraint still refuses what it refused and takes what it
 * took, and every connection, the one that migrated too, reads the new
 * text.
 */
static void
test_checks_listed(void **state)
{
	static const struct {
		const char	*sql;
		int		 ok;
	} cases[] = {
		{ "INSERT INTO people (name, style, created_at) VALUES "
		    "('S', 'tiny', 0)", 0 },
		{ "INSERT INTO people (name, style, created_at) VALUES "
		    "('S', 'easyread', 0)", 1 },
		{ "INSERT INTO memberships (group_id, person_id, role, "
		    "joined_at) VALUES (1, 2, 'boss', 0)", 0 },
		{ "INSERT INTO memberships (group_id, person_id, role, "
		    "joined_at) VALUES (1, 2, 'observer', 0)", 1 },
		{ "UPDATE occurrences SET status = 'lost'", 0 },
		{ "UPDATE occurrences SET status = 'moved'", 1 },
		{ "INSERT INTO answers (person_id, occurrence_id, answer, "
		    "channel, at) VALUES (1, 1, 'perhaps', 'link', 0)", 0 },
		{ "INSERT INTO answers (person_id, occurrence_id, answer, "
		    "channel, at) VALUES (1, 1, 'maybe', 'fax', 0)", 0 },
		{ "INSERT INTO answers (person_id, occurrence_id, answer, "
		    "channel, at) VALUES (1, 1, 'maybe', 'api', 0)", 1 },
		{ "INSERT INTO access_requests (person_id, occurrence_id, "
		    "need, state, deadline_at, created_at, updated_at) VALUES "
		    "(1, 1, 'bsl', 'booked', 0, 0, 0)", 0 },
		{ "INSERT INTO access_requests (person_id, occurrence_id, "
		    "need, state, deadline_at, created_at, updated_at) VALUES "
		    "(1, 1, 'bsl', 'withdrawn', 0, 0, 0)", 1 },
		{ "INSERT INTO access_events (request_id, state, actor, at) "
		    "VALUES (1, 'booked', 'x', 0)", 0 },
		{ "INSERT INTO access_events (request_id, state, actor, at) "
		    "VALUES (1, 'unable', 'x', 0)", 1 },
		{ "INSERT INTO outbox (occurrence_id, person_id, kind, lead, "
		    "channel, sequence, due_at, next_at, created_at, "
		    "updated_at) VALUES (1, 1, 'poster', 'P1D', 'email', 0, 0, "
		    "0, 0, 0)", 0 },
		{ "INSERT INTO outbox (occurrence_id, person_id, kind, lead, "
		    "channel, sequence, due_at, next_at, created_at, "
		    "updated_at, state) VALUES (1, 1, 'nudge', 'P1D', 'email', "
		    "0, 0, 0, 0, 0, 'lost')", 0 },
		{ "INSERT INTO outbox (occurrence_id, person_id, kind, lead, "
		    "channel, sequence, due_at, next_at, created_at, "
		    "updated_at, state) VALUES (1, 1, 'nudge', 'P1D', 'email', "
		    "0, 0, 0, 0, 0, 'missed')", 1 },
		{ "INSERT INTO attendance (occurrence_id, person_id, status, "
		    "role, recorded_by, recorded_at) VALUES (1, 1, 'late', "
		    "'member', 'x', 0)", 0 },
		{ "INSERT INTO attendance (occurrence_id, person_id, status, "
		    "role, recorded_by, recorded_at) VALUES (1, 1, 'absent', "
		    "'boss', 'x', 0)", 0 },
		{ "INSERT INTO attendance (occurrence_id, person_id, status, "
		    "role, recorded_by, recorded_at) VALUES (1, 1, 'absent', "
		    "'supporter', 'x', 0)", 1 },
		{ "INSERT INTO group_rates (group_id, role, rate_pence) "
		    "VALUES (1, 'boss', 0)", 0 },
		{ "INSERT INTO group_rates (group_id, role, rate_pence) "
		    "VALUES (1, 'co-chair', 0)", 1 },
	};
	struct store	*st;
	sqlite3		*db;
	sqlite3_stmt	*stmt;
	const char	*names[] = { "checks.db", "checks-v11.db" };
	char		*path, *cause = NULL;
	size_t		 i, k;

	(void)state;
	for (k = 0; k < 2; k++) {
		path = db_path(names[k]);
		if (k == 1 && store_create_at(path, 11, &cause) != 0)
			fail_msg("%s", cause);
		if (k == 1)
			assert_int_equal(raw_int(path, "SELECT count(*) FROM "
			    "sqlite_schema WHERE sql LIKE '%answer IN (%'"),
			    1);
		if ((st = store_open(path, &cause)) == NULL)
			fail_msg("%s", cause);
		assert_healthy(st);
		/* The connection that migrated parsed the new text. */
		assert_int_equal(sqlite3_exec(st->db, "INSERT INTO "
		    "groups (slug, name, created_at) VALUES ('g', 'G', 0);"
		    "INSERT INTO people (name, created_at) VALUES ('P', 0);"
		    "INSERT INTO series (group_id, title, dtstart, duration, "
		    "created_at, updated_at) VALUES (1, 'M', "
		    "'20300101T100000', 3600, 0, 0);"
		    "INSERT INTO occurrences (series_id, recurrence_id, "
		    "start_at, end_at) VALUES (1, '20300101T100000', 0, 1)",
		    NULL, NULL, NULL), SQLITE_OK);
		assert_int_not_equal(sqlite3_exec(st->db, cases[6].sql,
		    NULL, NULL, NULL), SQLITE_OK);
		store_close(st);
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, "SELECT name, sql FROM "
		    "sqlite_schema WHERE type = 'table'", -1, &stmt, NULL),
		    SQLITE_OK);
		while (sqlite3_step(stmt) == SQLITE_ROW) {
			if (long_in_list((const char *)sqlite3_column_text(
			    stmt, 1)))
				fail_msg("%s: %s", sqlite3_column_text(stmt, 0),
				    sqlite3_column_text(stmt, 1));
		}
		sqlite3_finalize(stmt);
		for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			if ((sqlite3_exec(db, cases[i].sql, NULL, NULL,
			    NULL) == SQLITE_OK) != cases[i].ok)
				fail_msg("%s: %s", cases[i].sql, cases[i].ok ?
				    sqlite3_errmsg(db) : "taken");
		}
		sqlite3_close(db);
		free(path);
	}
}

static unsigned
file_mode(const char *path, const char *suffix)
{
	struct stat	 sb;
	char		*file = xprintf("%s%s", path, suffix);

	if (stat(file, &sb) == -1)
		fail_msg("%s: %s", file, strerror(errno));
	free(file);
	return ((unsigned)(sb.st_mode & 07777));
}

/* Personal data: 0600 for the database, its WAL and its shm, umask or not. */
static void
test_modes(void **state)
{
	struct store	*st;
	char		*path = db_path("modes.db"), *cause = NULL;
	sqlite3		*db;
	mode_t		 old;

	(void)state;
	old = umask(0);
	st = store_open(path, &cause);
	if (st == NULL)
		fail_msg("%s", cause);
	assert_int_equal(store_audit(st, "test", "modes", NULL, NULL), 0);
	assert_int_equal(file_mode(path, ""), 0600);
	assert_int_equal(file_mode(path, "-wal"), 0600);
	assert_int_equal(file_mode(path, "-shm"), 0600);
	store_close(st);

	/* Files another program left open to all are tightened. */
	free(path);
	path = db_path("loose.db");
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode = WAL; "
	    "CREATE TABLE t (x); INSERT INTO t VALUES (1)", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(file_mode(path, "-wal"), 0644);
	st = store_open(path, &cause);
	/* Not a convene database; its files are tightened all the same. */
	assert_null(st);
	free(cause);
	assert_int_equal(file_mode(path, ""), 0600);
	assert_int_equal(file_mode(path, "-wal"), 0600);
	assert_int_equal(file_mode(path, "-shm"), 0600);
	sqlite3_close(db);
	umask(old);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh),
		cmocka_unit_test(test_upgrade_from_1),
		cmocka_unit_test(test_upgrade_from_5),
		cmocka_unit_test(test_installation),
		cmocka_unit_test(test_bounce),
		cmocka_unit_test(test_newer_refused),
		cmocka_unit_test(test_foreign_refused),
		cmocka_unit_test(test_constraints),
		cmocka_unit_test(test_checks_listed),
		cmocka_unit_test(test_modes),
	};

	log_init(LOG_TARGET_STDERR, 0);
	return (cmocka_run_group_tests_name("store", tests, test_setup_dir,
	    test_remove_dir));
}
