/*
 * store_report.c: the counts of a group's engagement report, read from
 * the rows convene keeps anyway: the meetings of a period (those that
 * start in it and were not called off), the messages about them, the
 * answers, the attendance and the access requests.  Only counts leave
 * this file, never a person.  A person erased keeps their answers,
 * attendance, requests and settled messages, so the counts of a period
 * do not change when someone is erased.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "convene.h"
#include "store_int.h"
#include "util.h"

/* The group's meetings that start in [:a, :b) and took place. */
#define REPORT_OCC \
	"occ AS (SELECT o.id FROM occurrences o JOIN series s ON s.id = " \
	"o.series_id WHERE s.group_id = :g AND o.start_at >= :a AND " \
	"o.start_at < :b AND o.status IN ('scheduled', 'moved'))"

/*
 * Who was asked to a meeting: sent a message about it that asks for an
 * answer, or who answered it anyway (by their calendar feed).
 */
#define REPORT_ASKED \
	"asked AS (SELECT x.occurrence_id, x.person_id FROM outbox x " \
	"WHERE x.occurrence_id IN (SELECT id FROM occ) AND x.state = " \
	"'sent' AND x.kind IN ('invitation', 'reminder', 'update', " \
	"'nudge') UNION SELECT a.occurrence_id, a.person_id FROM answers " \
	"a WHERE a.occurrence_id IN (SELECT id FROM occ))"

/* Each person's latest answer to each meeting. */
#define REPORT_LAST \
	"last AS (SELECT a.occurrence_id, a.person_id, a.answer FROM " \
	"answers a WHERE a.occurrence_id IN (SELECT id FROM occ) AND " \
	"a.id = (SELECT b.id FROM answers b WHERE b.occurrence_id = " \
	"a.occurrence_id AND b.person_id = a.person_id ORDER BY b.at " \
	"DESC, b.id DESC LIMIT 1))"

/*
 * When a request was arranged: its latest 'arranged' event, against
 * its deadline.  Withdrawn requests are not counted at all.
 */
#define REPORT_REQ \
	"req AS (SELECT r.id, r.occurrence_id, r.need, r.state, " \
	"r.deadline_at, (SELECT max(e.at) FROM access_events e WHERE " \
	"e.request_id = r.id AND e.state = 'arranged') AS arranged_at " \
	"FROM access_requests r WHERE r.occurrence_id IN (SELECT id FROM " \
	"occ) AND r.state != 'withdrawn')"

/* Messages about the group's meetings settled in [:a, :b). */
#define REPORT_MSG \
	"msg AS (SELECT x.person_id, x.channel, coalesce(x.style, " \
	"'unknown') AS style, coalesce(x.language, 'unknown') AS language, " \
	"x.state FROM outbox x JOIN occurrences o ON o.id = " \
	"x.occurrence_id JOIN series s ON s.id = o.series_id WHERE " \
	"s.group_id = :g AND x.state IN ('sent', 'dead') AND " \
	"coalesce(x.sent_at, x.updated_at) >= :a AND " \
	"coalesce(x.sent_at, x.updated_at) < :b)"

static json_t *
store_report_rows(struct store *st, enum store_stmt id, const char *sql,
    long long group, time_t a, time_t b, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, id, sql);
	store_bind(stmt, ":g", SB_INT, group, ":a", SB_INT, (long long)a,
	    ":b", SB_INT, (long long)b, NULL);
	return (store_rows(st, stmt, cause));
}

/*
 * The counts of one period [a, b) of a group, as one JSON object:
 * "counts" (one number a figure), "needs" (requests by kind of need),
 * "messages" (by channel, style and language) and "meetings" (each
 * meeting's attendance and requests arranged on time).  NULL on error.
 */
json_t *
store_report(struct store *st, long long group, time_t a, time_t b,
    char **cause)
{
	json_t	*counts, *needs = NULL, *msgs = NULL, *meetings = NULL, *r;

	counts = store_report_rows(st, STMT_REPORT_COUNTS, "WITH " REPORT_OCC
	    ", " REPORT_ASKED ", " REPORT_LAST ", " REPORT_REQ ", "
	    REPORT_MSG ", "
	    "due AS (SELECT x.person_id, max(x.state = 'sent') AS reached "
	    "FROM outbox x JOIN occurrences o ON o.id = x.occurrence_id JOIN "
	    "series s ON s.id = o.series_id WHERE s.group_id = :g AND "
	    "x.due_at >= :a AND x.due_at < :b AND x.state IN ('sent', "
	    "'failed', 'dead', 'missed') GROUP BY x.person_id) "
	    "SELECT (SELECT count(*) FROM occ) AS meetings, "
	    "(SELECT count(*) FROM outbox x JOIN occurrences o ON o.id = "
	    "x.occurrence_id JOIN series s ON s.id = o.series_id WHERE "
	    "s.group_id = :g AND x.kind = 'invitation' AND x.state = 'sent' "
	    "AND x.sent_at >= :a AND x.sent_at < :b) AS invitations_sent, "
	    "(SELECT count(*) FROM asked) AS asked, "
	    "(SELECT count(*) FROM asked k JOIN last l ON l.occurrence_id = "
	    "k.occurrence_id AND l.person_id = k.person_id) AS answered, "
	    "(SELECT count(*) FROM last WHERE answer = 'yes') AS yes, "
	    "(SELECT count(*) FROM last WHERE answer = 'maybe') AS maybe, "
	    "(SELECT count(*) FROM last WHERE answer = 'no') AS no, "
	    "(SELECT count(*) FROM attendance t WHERE t.occurrence_id IN "
	    "(SELECT id FROM occ) AND t.role != 'supporter' AND t.status = "
	    "'attended') AS attended, "
	    "(SELECT count(*) FROM attendance t WHERE t.occurrence_id IN "
	    "(SELECT id FROM occ) AND t.role != 'supporter' AND t.status = "
	    "'absent') AS absent, "
	    "(SELECT count(*) FROM attendance t WHERE t.occurrence_id IN "
	    "(SELECT id FROM occ) AND t.role != 'supporter' AND t.status = "
	    "'apologies') AS apologies, "
	    "(SELECT count(*) FROM attendance t WHERE t.occurrence_id IN "
	    "(SELECT id FROM occ) AND t.role = 'supporter' AND t.status = "
	    "'attended') AS supporters, "
	    "(SELECT count(*) FROM req) AS requests, "
	    "(SELECT count(*) FROM req WHERE state = 'arranged' AND "
	    "arranged_at <= deadline_at) AS requests_on_time, "
	    "(SELECT count(*) FROM req WHERE state = 'arranged' AND "
	    "(arranged_at IS NULL OR arranged_at > deadline_at)) AS "
	    "requests_late, "
	    "(SELECT count(*) FROM req WHERE state = 'unable') AS "
	    "requests_unable, "
	    "(SELECT count(*) FROM req WHERE state = 'requested') AS "
	    "requests_open, "
	    "(SELECT count(*) FROM msg WHERE state = 'sent') AS "
	    "messages_sent, "
	    "(SELECT count(*) FROM msg WHERE state = 'dead') AS "
	    "messages_dead, "
	    "(SELECT count(*) FROM due WHERE reached = 0) AS unreached",
	    group, a, b, cause);
	if (counts == NULL)
		return (NULL);
	needs = store_report_rows(st, STMT_REPORT_NEEDS, "WITH " REPORT_OCC
	    ", " REPORT_REQ " SELECT need, count(*) AS requests, "
	    "sum(state = 'arranged' AND arranged_at <= deadline_at) AS "
	    "on_time, sum(state = 'arranged' AND (arranged_at IS NULL OR "
	    "arranged_at > deadline_at)) AS late, sum(state = 'unable') AS "
	    "unable, sum(state = 'requested') AS open FROM req GROUP BY need "
	    "ORDER BY need", group, a, b, cause);
	if (needs == NULL)
		goto fail;
	msgs = store_report_rows(st, STMT_REPORT_MESSAGES, "WITH " REPORT_MSG
	    " SELECT channel, style, language, sum(state = 'sent') AS sent, "
	    "sum(state = 'dead') AS dead FROM msg GROUP BY channel, style, "
	    "language ORDER BY channel, style, language", group, a, b, cause);
	if (msgs == NULL)
		goto fail;
	meetings = store_report_rows(st, STMT_REPORT_MEETINGS, "WITH "
	    REPORT_OCC ", " REPORT_REQ " SELECT o.id, o.start_at, "
	    "(SELECT count(*) FROM attendance t WHERE t.occurrence_id = o.id "
	    "AND t.role != 'supporter' AND t.status = 'attended') AS "
	    "attended, (SELECT count(*) FROM attendance t WHERE "
	    "t.occurrence_id = o.id AND t.role != 'supporter' AND t.status "
	    "IN ('attended', 'absent')) AS expected, (SELECT count(*) FROM "
	    "req q WHERE q.occurrence_id = o.id) AS requests, (SELECT "
	    "count(*) FROM req q WHERE q.occurrence_id = o.id AND q.state = "
	    "'arranged' AND q.arranged_at <= q.deadline_at) AS on_time "
	    "FROM occurrences o WHERE o.id IN (SELECT id FROM occ) ORDER BY "
	    "o.start_at, o.id", group, a, b, cause);
	if (meetings == NULL)
		goto fail;
	r = json_pack("{s:O, s:o, s:o, s:o}", "counts", json_array_get(counts,
	    0), "needs", needs, "messages", msgs, "meetings", meetings);
	json_decref(counts);
	return (r);
fail:
	json_decref(counts);
	json_decref(needs);
	json_decref(msgs);
	return (NULL);
}

/*
 * The group's members now, by first channel, style and language, and
 * how many have no way a message can reach them (no feed, and no
 * address that works for any channel they chose).  A snapshot, not a
 * period's: an erased person is no longer a member.
 */
json_t *
store_report_members(struct store *st, long long group, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_REPORT_MEMBERS, "WITH mem AS (SELECT "
	    "CASE WHEN instr(p.channels, ',') > 0 THEN substr(p.channels, 1, "
	    "instr(p.channels, ',') - 1) ELSE p.channels END AS channel, "
	    "p.style, p.language, (instr(',' || p.channels || ',', ',feed,') "
	    "> 0 OR (instr(',' || p.channels || ',', ',email,') > 0 AND "
	    "p.email IS NOT NULL AND p.email_bounce IS NULL) OR "
	    "(instr(',' || p.channels || ',', ',sms,') > 0 AND p.phone IS "
	    "NOT NULL)) AS works FROM memberships m JOIN people p ON p.id = "
	    "m.person_id WHERE m.group_id = :g AND p.erased_at IS NULL) "
	    "SELECT 'channel' AS by, channel AS value, count(*) AS n FROM mem "
	    "GROUP BY channel UNION ALL SELECT 'style', style, count(*) FROM "
	    "mem GROUP BY style UNION ALL SELECT 'language', language, "
	    "count(*) FROM mem GROUP BY language UNION ALL SELECT 'total', "
	    "'members', count(*) FROM mem UNION ALL SELECT 'total', "
	    "'no_working_channel', count(*) FROM mem WHERE NOT works "
	    "ORDER BY 1, 2");
	store_bind(stmt, ":g", SB_INT, group, NULL);
	return (store_rows(st, stmt, cause));
}

/* Whether the group lets its members read its report: 1, 0, or -1. */
int
store_report_open(struct store *st, long long group, char **cause)
{
	sqlite3_stmt	*stmt;
	json_t		*row;
	int		 on;

	stmt = store_stmt(st, STMT_REPORT_OPEN, "SELECT report_members FROM "
	    "groups WHERE id = :g");
	store_bind(stmt, ":g", SB_INT, group, NULL);
	if ((row = store_row(st, stmt, cause)) == NULL)
		return (-1);
	on = json_integer_value(json_object_get(row, "report_members")) != 0;
	json_decref(row);
	return (on);
}

/* Let the group's members read its report, or stop them. */
int
store_report_members_set(struct store *st, long long group, int on,
    char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_REPORT_SET, "UPDATE groups SET "
	    "report_members = :on WHERE id = :g");
	store_bind(stmt, ":g", SB_INT, group, ":on", SB_INT,
	    (long long)(on != 0), NULL);
	return (store_done(st, stmt, cause));
}
