/*
 * store.c: the SQLite database, the only module that holds a sqlite3 handle.
 *
 * The schema lives here and nowhere else: an ordered list of migrations
 * keyed by PRAGMA user_version, each run in one transaction at start-up.
 * Statements are prepared once at open and their parameters bound by name;
 * an unknown name is a bug.  Errors are returned with a cause, never fatal:
 * a daemon must be able to say what went wrong and go on.
 */
#include "config.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "convene.h"
#include "log.h"

#define STORE_BUSY_MS	5000

/* Migration N takes a database at version N-1 to version N. */
static const char *const store_migrations[] = {
	/* 1: groups, people, memberships and the audit log. */
	"CREATE TABLE groups ("
	"  id INTEGER PRIMARY KEY,"
	"  slug TEXT NOT NULL UNIQUE"
	"    CHECK (length(slug) BETWEEN 1 AND 64"
	"      AND slug NOT GLOB '*[^a-z0-9-]*'),"
	"  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),"
	"  time_zone TEXT NOT NULL DEFAULT 'Europe/London',"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE TABLE people ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),"
	"  email TEXT UNIQUE COLLATE NOCASE,"
	"  phone TEXT UNIQUE,"
	"  language TEXT NOT NULL DEFAULT 'en',"
	"  style TEXT NOT NULL DEFAULT 'standard'"
	"    CHECK (style IN ('standard', 'plain', 'large', 'easyread')),"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE TABLE memberships ("
	"  group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
	"  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
	"  role TEXT NOT NULL DEFAULT 'member'"
	"    CHECK (role IN ('member', 'co-chair', 'buddy-chair',"
	"      'coordinator', 'observer')),"
	"  joined_at INTEGER NOT NULL,"
	"  PRIMARY KEY (group_id, person_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX memberships_person ON memberships(person_id);"
	"CREATE TABLE audit_log ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  object TEXT,"
	"  detail TEXT"
	");"
	"CREATE INDEX audit_log_at ON audit_log(at);",

	/* 2: bearer tokens for the API, kept only as hashes. */
	"CREATE TABLE api_tokens ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  hash BLOB NOT NULL UNIQUE,"
	"  created_at INTEGER NOT NULL,"
	"  last_used_at INTEGER,"
	"  revoked_at INTEGER"
	");",
};

#define STORE_NMIGRATIONS \
	(int)(sizeof store_migrations / sizeof store_migrations[0])

enum store_stmt {
	STMT_AUDIT,
	STMT_COUNT_GROUPS,
	STMT_COUNT_PEOPLE,
	STMT_COUNT_MEMBERSHIPS,
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_MAX
};

static const char *const store_sql[STMT_MAX] = {
	[STMT_AUDIT] = "INSERT INTO audit_log (at, actor, action, object, "
	    "detail) VALUES (:at, :actor, :action, :object, :detail)",
	[STMT_COUNT_GROUPS] = "SELECT count(*) FROM groups",
	[STMT_COUNT_PEOPLE] = "SELECT count(*) FROM people",
	[STMT_COUNT_MEMBERSHIPS] = "SELECT count(*) FROM memberships",
	[STMT_BEGIN] = "BEGIN IMMEDIATE",
	[STMT_COMMIT] = "COMMIT",
	[STMT_ROLLBACK] = "ROLLBACK",
};

struct store {
	sqlite3		*db;
	char		*path;
	int		 version;
	sqlite3_stmt	*stmt[STMT_MAX];
};

static int
store_pragma_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return (-1);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return (rc == SQLITE_ROW ? 0 : -1);
}

static int
store_exec(sqlite3 *db, const char *sql, const char *what, char **cause)
{
	char	*err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		cause_set(cause, "%s: %s", what,
		    err ? err : sqlite3_errmsg(db));
		sqlite3_free(err);
		return (-1);
	}
	return (0);
}

/* Open the file with the settings every connection of ours must have. */
static sqlite3 *
store_connect(const char *path, char **cause)
{
	sqlite3		*db = NULL;
	sqlite3_stmt	*st = NULL;
	const char	*mode;
	int		 rc;

	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		cause_set(cause, "%s: cannot open: %s", path,
		    db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, STORE_BUSY_MS);
	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st,
	    NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		cause_set(cause, "%s: %s", path, sqlite3_errmsg(db));
		goto fail;
	}
	mode = (const char *)sqlite3_column_text(st, 0);
	if (mode == NULL || strcmp(mode, "wal") != 0) {
		cause_set(cause, "%s: cannot use write-ahead logging (journal "
		    "mode is %s)", path, mode ? mode : "unknown");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (store_exec(db, "PRAGMA foreign_keys = ON;"
	    "PRAGMA synchronous = FULL;", path, cause) != 0)
		goto fail;
	return (db);
fail:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return (NULL);
}

/* Take the database from its version to target, one transaction a step. */
static int
store_migrate(sqlite3 *db, const char *path, int target, char **cause)
{
	int	version, appid, ntables, i;
	char	*sql;

	for (;;) {
		if (store_exec(db, "BEGIN IMMEDIATE", path, cause) != 0)
			return (-1);
		if (store_pragma_int(db, "PRAGMA user_version",
		    &version) != 0 ||
		    store_pragma_int(db, "PRAGMA application_id",
		    &appid) != 0 ||
		    store_pragma_int(db, "SELECT count(*) FROM sqlite_schema",
		    &ntables) != 0) {
			cause_set(cause, "%s: %s", path, sqlite3_errmsg(db));
			goto fail;
		}
		if (appid != CONVENE_APPLICATION_ID &&
		    (appid != 0 || ntables != 0)) {
			cause_set(cause, "%s is not a convene database "
			    "(application_id %d)", path, appid);
			goto fail;
		}
		if (version > STORE_NMIGRATIONS) {
			cause_set(cause, "%s has schema version %d, newer than "
			    "this convened knows (%d): run a newer convened, "
			    "or restore a backup", path, version,
			    STORE_NMIGRATIONS);
			goto fail;
		}
		if (version >= target) {
			store_exec(db, "COMMIT", path, NULL);
			return (0);
		}
		i = version + 1;
		log_info("migrating %s to schema version %d", path, i);
		if (store_exec(db, store_migrations[i - 1], path, cause) != 0)
			goto fail;
		sql = xprintf("PRAGMA application_id = %d; "
		    "PRAGMA user_version = %d;", CONVENE_APPLICATION_ID, i);
		if (store_exec(db, sql, path, cause) != 0) {
			free(sql);
			goto fail;
		}
		free(sql);
		if (store_exec(db, "COMMIT", path, cause) != 0)
			goto fail;
	}
fail:
	store_exec(db, "ROLLBACK", path, NULL);
	return (-1);
}

/* Make a database at an older schema version: for upgrade tests. */
int
store_create_at(const char *path, int version, char **cause)
{
	sqlite3	*db;
	int	 rc;

	if (version < 0 || version > STORE_NMIGRATIONS) {
		cause_set(cause, "no schema version %d", version);
		return (-1);
	}
	if ((db = store_connect(path, cause)) == NULL)
		return (-1);
	rc = store_migrate(db, path, version, cause);
	sqlite3_close(db);
	return (rc);
}

struct store *
store_open(const char *path, char **cause)
{
	struct store	*st;
	int		 i;

	st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	if ((st->db = store_connect(path, cause)) == NULL)
		goto fail;
	if (store_migrate(st->db, path, STORE_NMIGRATIONS, cause) != 0)
		goto fail;
	if (store_pragma_int(st->db, "PRAGMA user_version",
	    &st->version) != 0) {
		cause_set(cause, "%s: %s", path, sqlite3_errmsg(st->db));
		goto fail;
	}
	for (i = 0; i < STMT_MAX; i++) {
		if (sqlite3_prepare_v3(st->db, store_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmt[i], NULL) !=
		    SQLITE_OK) {
			cause_set(cause, "%s: preparing \"%s\": %s", path,
			    store_sql[i], sqlite3_errmsg(st->db));
			goto fail;
		}
	}
	return (st);
fail:
	store_close(st);
	return (NULL);
}

void
store_close(struct store *st)
{
	int	i;

	if (st == NULL)
		return;
	for (i = 0; i < STMT_MAX; i++)
		sqlite3_finalize(st->stmt[i]);
	if (st->db != NULL) {
		sqlite3_exec(st->db, "PRAGMA optimize", NULL, NULL, NULL);
		if (sqlite3_close(st->db) != SQLITE_OK)
			log_warnx("%s: close: %s", st->path,
			    sqlite3_errmsg(st->db));
	}
	free(st->path);
	free(st);
}

int
store_version(struct store *st)
{
	return (st->version);
}

/* Look a named parameter up; a name the statement lacks is a bug. */
static int
store_param(sqlite3_stmt *stmt, const char *name)
{
	int	i;

	if ((i = sqlite3_bind_parameter_index(stmt, name)) == 0)
		fatalx("store: \"%s\" has no parameter %s", sqlite3_sql(stmt),
		    name);
	return (i);
}

static int
store_bind_text(sqlite3_stmt *stmt, const char *name, const char *value)
{
	int	i = store_param(stmt, name);

	if (value == NULL)
		return (sqlite3_bind_null(stmt, i));
	return (sqlite3_bind_text(stmt, i, value, -1, SQLITE_TRANSIENT));
}

static int
store_bind_int64(sqlite3_stmt *stmt, const char *name, sqlite3_int64 value)
{
	return (sqlite3_bind_int64(stmt, store_param(stmt, name), value));
}

/* Run a prepared statement that returns no rows, and reset it. */
static int
store_step_done(struct store *st, enum store_stmt id)
{
	sqlite3_stmt	*stmt = st->stmt[id];
	int		 rc;

	rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		log_warnx("%s: %s: %s", st->path, sqlite3_sql(stmt),
		    sqlite3_errmsg(st->db));
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return (rc == SQLITE_DONE ? 0 : -1);
}

static int
store_count(struct store *st, enum store_stmt id, long long *out)
{
	sqlite3_stmt	*stmt = st->stmt[id];
	int		 rc;

	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(stmt, 0);
	else
		log_warnx("%s: %s", st->path, sqlite3_errmsg(st->db));
	sqlite3_reset(stmt);
	return (rc == SQLITE_ROW ? 0 : -1);
}

int
store_counts(struct store *st, struct store_counts *c)
{
	if (store_count(st, STMT_COUNT_GROUPS, &c->groups) != 0 ||
	    store_count(st, STMT_COUNT_PEOPLE, &c->people) != 0 ||
	    store_count(st, STMT_COUNT_MEMBERSHIPS, &c->memberships) != 0)
		return (-1);
	return (0);
}

int
store_audit(struct store *st, const char *actor, const char *action,
    const char *object, const char *detail)
{
	sqlite3_stmt	*stmt = st->stmt[STMT_AUDIT];

	if (store_step_done(st, STMT_BEGIN) != 0)
		return (-1);
	store_bind_int64(stmt, ":at", (sqlite3_int64)time(NULL));
	store_bind_text(stmt, ":actor", actor);
	store_bind_text(stmt, ":action", action);
	store_bind_text(stmt, ":object", object);
	store_bind_text(stmt, ":detail", detail);
	if (store_step_done(st, STMT_AUDIT) != 0) {
		store_step_done(st, STMT_ROLLBACK);
		return (-1);
	}
	return (store_step_done(st, STMT_COMMIT));
}

/* integrity_check and foreign_key_check; *cause says what is wrong. */
int
store_check(struct store *st, char **cause)
{
	sqlite3_stmt	*stmt;
	const char	*r;
	int		 rc, bad = 0;

	if (sqlite3_prepare_v2(st->db, "PRAGMA integrity_check", -1, &stmt,
	    NULL) != SQLITE_OK) {
		cause_set(cause, "%s", sqlite3_errmsg(st->db));
		return (-1);
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		r = (const char *)sqlite3_column_text(stmt, 0);
		if (r == NULL || strcmp(r, "ok") != 0) {
			cause_set(cause, "integrity_check: %s", r ? r : "?");
			bad = 1;
		}
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		cause_set(cause, "%s", sqlite3_errmsg(st->db));
		return (-1);
	}
	if (sqlite3_prepare_v2(st->db, "PRAGMA foreign_key_check", -1, &stmt,
	    NULL) != SQLITE_OK) {
		cause_set(cause, "%s", sqlite3_errmsg(st->db));
		return (-1);
	}
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		cause_set(cause, "foreign_key_check: a row of %s points "
		    "nowhere", sqlite3_column_text(stmt, 0));
		bad = 1;
	}
	sqlite3_finalize(stmt);
	return (bad ? -1 : 0);
}
