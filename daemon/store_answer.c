/*
 * store_answer.c: answers to meetings in SQLite.  A member says yes,
 * maybe or no by whichever way they have (a link, a text, the API);
 * every answer is kept with its time and channel, and the latest one
 * counts.  An answer may carry a ref, a key recorded once, so that a
 * gateway sending the same text again records nothing new.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "convene.h"
#include "store_int.h"
#include "util.h"

static int
store_answer_valid(const char *answer)
{
	return (answer != NULL && (strcmp(answer, "yes") == 0 ||
	    strcmp(answer, "maybe") == 0 || strcmp(answer, "no") == 0));
}

/*
 * Record one answer; a ref already recorded records nothing.  The
 * member's standing needs follow it in the same transaction
 * (store_need_answered).
 */
int
store_answer_add(struct store *st, const struct answer_in *in,
    char **cause)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if (!store_answer_valid(in->answer)) {
		cause_set(cause, "answer: \"%s\" is not yes, maybe or no",
		    in->answer != NULL ? in->answer : "");
		return (-1);
	}
	if (store_begin(st) != 0) {
		cause_set(cause, STORE_BUSY_CAUSE ": cannot begin");
		return (-1);
	}
	stmt = store_stmt(st, STMT_ANSWER_ADD, "INSERT INTO answers "
	    "(person_id, occurrence_id, answer, note, channel, ref, at) "
	    "VALUES (:person, :occ, :answer, :note, :channel, :ref, :at) "
	    "ON CONFLICT (ref) DO NOTHING");
	store_bind(stmt, ":person", SB_INT, in->person_id,
	    ":occ", SB_INT, in->occurrence_id,
	    ":answer", SB_TEXT, in->answer, ":note", SB_TEXT, in->note,
	    ":channel", SB_TEXT, in->channel, ":ref", SB_TEXT, in->ref,
	    ":at", SB_INT, (long long)in->at, NULL);
	if ((rc = store_done(st, stmt, cause)) == 0) {
		if (sqlite3_changes(st->db) == 0)
			rc = STORE_ANSWER_DUPLICATE;
		/* What the member needs follows the answer, whichever way. */
		else if (store_need_answered(st, in->person_id,
		    in->occurrence_id, in->channel, in->at, cause) != 0)
			rc = -1;
	}
	if (store_end(st, rc >= 0) != 0 && rc >= 0) {
		cause_set(cause, "database: cannot commit");
		return (-1);
	}
	return (rc);
}

/* The answer that counts: the latest, the later row on a tie. */
int
store_answer_latest(struct store *st, long long person, long long occ,
    char answer[8], char **note, char **cause)
{
	sqlite3_stmt	*stmt;
	const char	*s;
	int		 rc, found = 0;

	*note = NULL;
	stmt = store_stmt(st, STMT_ANSWER_LATEST, "SELECT answer, note "
	    "FROM answers WHERE occurrence_id = :occ AND person_id = "
	    ":person ORDER BY at DESC, id DESC LIMIT 1");
	store_bind(stmt, ":occ", SB_INT, occ, ":person", SB_INT, person,
	    NULL);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		s = (const char *)sqlite3_column_text(stmt, 0);
		snprintf(answer, 8, "%s", s != NULL ? s : "");
		if ((s = (const char *)sqlite3_column_text(stmt, 1)) != NULL)
			*note = xstrdup(s);
		found = 1;
	} else if (rc != SQLITE_DONE)
		store_cause(st, cause, NULL);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (-1);
	return (found);
}

/* A column's text into a buffer, cut short if need be; NULL is "". */
static void
store_answer_col(sqlite3_stmt *stmt, int col, char *buf, size_t size)
{
	const char	*s = (const char *)sqlite3_column_text(stmt, col);

	snprintf(buf, size, "%s", s != NULL ? s : "");
}

/*
 * The person (not erased) and meeting of a link to answer, in one
 * statement and no JSON: what a posted answer needs before it is
 * written.
 */
int
store_answer_link(struct store *st, long long person, long long occ,
    struct answer_link *out)
{
	sqlite3_stmt	*stmt;
	int		 rc, found = 0;

	memset(out, 0, sizeof *out);
	stmt = store_stmt(st, STMT_ANSWER_LINK, "SELECT p.language, p.style, "
	    "(SELECT o.status FROM occurrences o WHERE o.id = :occ) FROM "
	    "people p WHERE p.id = :person AND p.erased_at IS NULL");
	store_bind(stmt, ":occ", SB_INT, occ, ":person", SB_INT, person,
	    NULL);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		store_answer_col(stmt, 0, out->language, sizeof out->language);
		store_answer_col(stmt, 1, out->style, sizeof out->style);
		store_answer_col(stmt, 2, out->status, sizeof out->status);
		found = 1;
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (-1);
	return (found);
}

/* Every answer to a meeting, oldest first: the history, for coordinators. */
json_t *
store_answer_list(struct store *st, long long occ, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_ANSWER_LIST, "SELECT a.person_id AS "
	    "person, p.name, a.answer, a.note, a.channel, a.at FROM answers "
	    "a JOIN people p ON p.id = a.person_id WHERE a.occurrence_id = "
	    ":occ ORDER BY a.at, a.id");
	store_bind(stmt, ":occ", SB_INT, occ, NULL);
	return (store_rows(st, stmt, cause));
}

/* What a text with no meeting code may answer: meetings ahead. */
json_t *
store_answer_ahead(struct store *st, long long person, time_t now,
    char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_ANSWER_AHEAD, "SELECT o.id, EXISTS "
	    "(SELECT 1 FROM outbox x WHERE x.occurrence_id = o.id AND "
	    "x.person_id = :p AND x.channel = 'sms' AND x.state = 'sent' "
	    "AND x.kind IN ('reminder', 'invitation', 'update', 'nudge')) "
	    "AS asked "
	    "FROM occurrences o JOIN series s ON s.id = o.series_id JOIN "
	    "memberships m ON m.group_id = s.group_id WHERE m.person_id = :p "
	    "AND o.start_at > :now AND o.status IN ('scheduled', 'moved') "
	    "ORDER BY o.start_at, o.id LIMIT 20");
	store_bind(stmt, ":p", SB_INT, person, ":now", SB_INT,
	    (long long)now, NULL);
	return (store_rows(st, stmt, cause));
}

/* Note a text received; one noted before is not handled again. */
int
store_answer_seen(struct store *st, const char *ref, time_t now,
    char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_ANSWER_SEEN, "INSERT INTO texts_seen "
	    "(ref, at) VALUES (:ref, :at) ON CONFLICT (ref) DO NOTHING");
	store_bind(stmt, ":ref", SB_TEXT, ref, ":at", SB_INT,
	    (long long)now, NULL);
	if (store_done(st, stmt, cause) != 0)
		return (-1);
	return (sqlite3_changes(st->db) == 0 ? STORE_ANSWER_DUPLICATE : 0);
}
