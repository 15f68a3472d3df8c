/*
 * bench_plan.c: how long the planner takes to plan the next reminders of
 * many members, and how much memory it needs.
 *
 *     bench_plan MEMBERS GROUPS [DIR]
 *
 * Makes a database of GROUPS groups with MEMBERS people spread evenly
 * among them, each group with a six-weekly series whose first meeting is
 * at 18:00 three days from now and lead times P7D and P1D (so three
 * reminders a member at any hour: the first meeting's P1D, both of the
 * second's; and the second's gentle reminder to answer, four rows in
 * all), then plans every series over the default 60-day horizon
 * and prints the time, the rows planned and the peak resident memory of
 * the process.
 */
#include "config.h"

#include <sys/resource.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "convene.h"
#include "log.h"
#include "sched.h"
#include "util.h"

static void
run(sqlite3 *db, const char *sql)
{
	char	*err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "bench_plan: %s: %s\n", sql, err);
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	struct rusage	 ru;
	struct tm	 tm;
	struct store	*st;
	sqlite3		*db;
	char		*path, *cause = NULL, *sql, start[32];
	const char	*dir = argc > 3 ? argv[3] : "/tmp";
	long		 members, groups;
	long		 rss0;
	time_t		 now = time(NULL), first = now + 3 * 86400;
	double		 t0, t1;
	sqlite3_stmt	*s;
	long long	 rows = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_plan MEMBERS GROUPS [DIR]\n");
		return (2);
	}
	members = atol(argv[1]);
	groups = atol(argv[2]);
	if (members < 1 || groups < 1 || groups > members) {
		fprintf(stderr, "bench_plan: MEMBERS >= GROUPS >= 1\n");
		return (2);
	}
	log_init(LOG_TARGET_STDERR, 0);
	sched_init();
	path = xprintf("%s/bench_plan.%ld.db", dir, (long)getpid());
	unlink(path);
	if ((st = store_open(path, &cause)) == NULL) {
		fprintf(stderr, "bench_plan: %s\n", cause);
		return (1);
	}
	store_close(st);

	/* The people and groups, written straight in: this is set-up. */
	localtime_r(&first, &tm);
	strftime(start, sizeof start, "%Y%m%dT180000", &tm);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return (1);
	run(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;"
	    "BEGIN");
	sql = xprintf("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
	    "SELECT i + 1 FROM n WHERE i < %ld) INSERT INTO groups (slug, "
	    "name, lead_times, created_at) SELECT 'g' || i, 'Group ' || i, "
	    "'P7D,P1D', 0 FROM n", groups);
	run(db, sql);
	free(sql);
	sql = xprintf("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
	    "SELECT i + 1 FROM n WHERE i < %ld) INSERT INTO people (name, "
	    "email, created_at) SELECT 'Person ' || i, 'p' || i || "
	    "'@example.org', 0 FROM n", members);
	run(db, sql);
	free(sql);
	sql = xprintf("INSERT INTO memberships (group_id, person_id, role, "
	    "joined_at) SELECT 1 + (id - 1) %% %ld, id, 'member', 0 FROM "
	    "people", groups);
	run(db, sql);
	free(sql);
	sql = xprintf("INSERT INTO series (group_id, title, dtstart, "
	    "duration, rrule, created_at, updated_at) SELECT id, 'Meeting of "
	    "' || name, '%s', 7200, 'FREQ=WEEKLY;INTERVAL=6', 0, 0 FROM "
	    "groups", start);
	run(db, sql);
	free(sql);
	run(db, "COMMIT");
	sqlite3_close(db);

	if ((st = store_open(path, &cause)) == NULL) {
		fprintf(stderr, "bench_plan: %s\n", cause);
		return (1);
	}
	getrusage(RUSAGE_SELF, &ru);
	rss0 = ru.ru_maxrss;
	t0 = mono_seconds();
	if (plan_all(st, now, 60 * 86400, &cause) != 0) {
		fprintf(stderr, "bench_plan: %s\n", cause ? cause : "failed");
		return (1);
	}
	t1 = mono_seconds();
	getrusage(RUSAGE_SELF, &ru);
	store_close(st);

	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM outbox", -1, &s,
	    NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) {
		rows = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	printf("plan: %ld members in %ld groups: %lld outbox rows in %.2f s "
	    "(%.0f rows/s), peak RSS %.1f MB (%.1f MB before planning)\n",
	    members, groups, rows, t1 - t0, rows / (t1 - t0),
	    ru.ru_maxrss / 1024.0, rss0 / 1024.0);
	unlink(path);
	sql = xprintf("%s-wal", path);
	unlink(sql);
	free(sql);
	sql = xprintf("%s-shm", path);
	unlink(sql);
	free(sql);
	free(path);
	return (rows > 0 ? 0 : 1);
}
