/*
 * store_privacy.c: what convene holds about a person, and who may see
 * it.  A token made for some groups sees only those groups and the
 * people who belong to them (api_token_groups; a token with no rows
 * sees every group).  A person's data can be exported whole as one JSON
 * document, or erased: their name, contact details and preferences
 * replaced, every free text they gave or that names them cleared, their
 * links and memberships gone, while the rows that are counted (answers,
 * attendance, payments, access requests, messages) stay so that totals
 * do not change.  Free text about a meeting long past (a note, a reason)
 * is cleared by the retention pass.
 *
 * Erasure and retention are rare and touch many tables: their
 * statements are prepared when they run and finalized after, not kept.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "convene.h"
#include "log.h"
#include "store_int.h"
#include "util.h"

/*
 * Audit rows about person :pid (text): the API's (object 'person',
 * detail the id or starting with it), the preferences link's ("person
 * ID: ...") and those naming them in a sentence ("... person ID ...").
 * The audit log has no index for these: every row is read, so the
 * cheapest test (are the digits there at all) comes first.
 */
#define STORE_AUDIT_ABOUT \
	"(instr(detail, :pid) > 0 AND ((object = 'person' AND " \
	"(detail = :pid OR detail LIKE :pid || ' %'))" \
	" OR detail LIKE 'person ' || :pid || ':%'" \
	" OR detail LIKE '% person ' || :pid || ' %'" \
	" OR detail LIKE '% person ' || :pid))"

/*
 * Audit rows whose detail or object (d) holds a person's name (of 3
 * characters or more: a shorter one would match too much), phone or
 * email (any case), given as n, p and e.
 */
#define STORE_AUDIT_NAMES(d, n, e, p) \
	"((length(" n ") >= 3 AND instr(" d ", " n ") > 0) OR " \
	"(" p " IS NOT NULL AND instr(" d ", " p ") > 0) OR " \
	"(" e " IS NOT NULL AND instr(" d ", '@') > 0 AND " \
	"instr(lower(" d "), lower(" e ")) > 0))"

/* A statement of this module's: prepared now, finalized by the caller. */
static sqlite3_stmt *
store_priv_prepare(struct store *st, const char *sql, char **cause)
{
	sqlite3_stmt	*stmt = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		cause_set(cause, "database: %s", sqlite3_errmsg(st->db));
		sqlite3_finalize(stmt);
		return (NULL);
	}
	return (stmt);
}

/*
 * Every row of a statement about the person, as JSON; NULL on error.
 * :name, :email and :phone are bound from their row, when given.
 */
static json_t *
store_priv_rows(struct store *st, const char *sql, long long person,
    json_t *row, char **cause)
{
	sqlite3_stmt	*stmt;
	json_t		*rows;
	char		 pid[32];

	if ((stmt = store_priv_prepare(st, sql, cause)) == NULL)
		return (NULL);
	snprintf(pid, sizeof pid, "%lld", person);
	if (sqlite3_bind_parameter_index(stmt, ":p") != 0)
		store_bind(stmt, ":p", SB_INT, person, NULL);
	if (sqlite3_bind_parameter_index(stmt, ":pid") != 0)
		store_bind(stmt, ":pid", SB_TEXT, pid, NULL);
	if (row != NULL && sqlite3_bind_parameter_index(stmt, ":name") != 0)
		store_bind(stmt, ":name", SB_TEXT, json_string_value(
		    json_object_get(row, "name")), ":email", SB_TEXT,
		    json_string_value(json_object_get(row, "email")),
		    ":phone", SB_TEXT, json_string_value(json_object_get(row,
		    "phone")), NULL);
	rows = store_rows(st, stmt, cause);
	sqlite3_finalize(stmt);
	return (rows);
}

/* Token scopes ------------------------------------------------------ */

/*
 * Limit a token, by name, to groups (an array of group ids); an empty
 * array leaves it seeing every group.  Inside the caller's transaction.
 */
int
store_token_scope(struct store *st, const char *name, json_t *groups,
    char **cause)
{
	sqlite3_stmt	*stmt;
	json_t		*g;
	size_t		 i;

	stmt = store_stmt(st, STMT_TOKEN_SCOPE, "INSERT OR IGNORE INTO "
	    "api_token_groups (token_id, group_id) SELECT id, :g FROM "
	    "api_tokens WHERE name = :name");
	json_array_foreach(groups, i, g) {
		store_bind(stmt, ":name", SB_TEXT, name, ":g", SB_INT,
		    (long long)json_integer_value(g), NULL);
		if (store_done(st, stmt, cause) != 0)
			return (-1);
	}
	return (0);
}

/*
 * A token and the groups it is limited to (none: every group), in one
 * transaction: never, even for a moment, one that sees every group.
 */
int
store_token_create(struct store *st, const char *name, const void *hash,
    size_t len, json_t *groups, char **cause)
{
	int	ok;

	if (store_begin(st) != 0) {
		store_cause(st, cause, NULL);
		return (-1);
	}
	ok = store_token_insert(st, name, hash, len, cause) == 0 &&
	    store_token_scope(st, name, groups, cause) == 0;
	if (store_end(st, ok) != 0) {
		if (ok)
			store_cause(st, cause, NULL);
		return (-1);
	}
	return (0);
}

/*
 * A new person and their membership of a group (as role), in one
 * transaction: for a token limited to groups, a person in none of them
 * would be one it could not see.  The person's row, or NULL.
 */
json_t *
store_person_create_in(struct store *st, const struct person_in *p,
    long long group, const char *role, char **cause)
{
	json_t	*row;
	int	 ok;

	if (store_begin(st) != 0) {
		store_cause(st, cause, NULL);
		return (NULL);
	}
	ok = (row = store_person_create(st, p, cause)) != NULL &&
	    store_member_set(st, group, jint(row, "id"), role, cause) == 0;
	if (store_end(st, ok) != 0) {
		if (ok)
			store_cause(st, cause, NULL);
		json_decref(row);
		return (NULL);
	}
	return (row);
}

/*
 * Remove a group, and with it every token limited to that group alone:
 * such a token, left with no group, would see every group.  A token
 * limited to others as well keeps them.  The names of the tokens
 * revoked are added to revoked.  One transaction; 0, or -1 with *cause.
 */
int
store_group_delete_scoped(struct store *st, long long group, json_t *revoked,
    char **cause)
{
	sqlite3_stmt	*stmt;
	json_t		*rows, *r;
	size_t		 i;
	int		 ok = 0;

	if (store_begin(st) != 0) {
		store_cause(st, cause, NULL);
		return (-1);
	}
	stmt = store_stmt(st, STMT_TOKEN_ORPHANS, "DELETE FROM api_tokens "
	    "WHERE id IN (SELECT token_id FROM api_token_groups GROUP BY "
	    "token_id HAVING count(*) = 1 AND max(group_id) = :g) "
	    "RETURNING name");
	store_bind(stmt, ":g", SB_INT, group, NULL);
	if ((rows = store_rows(st, stmt, cause)) == NULL)
		goto out;
	json_array_foreach(rows, i, r)
		json_array_append(revoked, json_object_get(r, "name"));
	json_decref(rows);
	ok = store_group_delete(st, group, cause) == 0;
out:
	if (store_end(st, ok) != 0) {
		if (ok)
			store_cause(st, cause, NULL);
		return (-1);
	}
	return (0);
}

/* The ids of the groups a token is limited to; [] for every group. */
json_t *
store_token_groups(struct store *st, long long token, char **cause)
{
	sqlite3_stmt	*stmt;
	json_t		*rows, *ids, *r;
	size_t		 i;

	stmt = store_stmt(st, STMT_TOKEN_GROUPS, "SELECT group_id FROM "
	    "api_token_groups WHERE token_id = :t ORDER BY group_id");
	store_bind(stmt, ":t", SB_INT, token, NULL);
	if ((rows = store_rows(st, stmt, cause)) == NULL)
		return (NULL);
	ids = json_array();
	json_array_foreach(rows, i, r)
		json_array_append_new(ids, json_integer(jint(r, "group_id")));
	json_decref(rows);
	return (ids);
}

/*
 * Whether a token limited to groups sees a person: they belong to one
 * of its groups.  1 yes, 0 no, -1 error.
 */
int
store_token_sees_person(struct store *st, long long token, long long person)
{
	sqlite3_stmt	*stmt;
	int		 rc, v = 0;

	stmt = store_stmt(st, STMT_TOKEN_SEES_PERSON, "SELECT EXISTS "
	    "(SELECT 1 FROM memberships m JOIN api_token_groups t ON "
	    "t.group_id = m.group_id WHERE t.token_id = :t AND "
	    "m.person_id = :p)");
	store_bind(stmt, ":t", SB_INT, token, ":p", SB_INT, person, NULL);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int(stmt, 0);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return (rc == SQLITE_ROW ? v : -1);
}

/*
 * Whether a person belongs to any group the token is not limited to:
 * such a person is not the token's alone to remove.  1, 0, -1 error.
 */
int
store_token_shares_person(struct store *st, long long token,
    long long person)
{
	sqlite3_stmt	*stmt;
	int		 rc, v = 0;

	stmt = store_stmt(st, STMT_TOKEN_SHARES_PERSON, "SELECT EXISTS "
	    "(SELECT 1 FROM memberships m WHERE m.person_id = :p AND "
	    "m.group_id NOT IN (SELECT group_id FROM api_token_groups WHERE "
	    "token_id = :t))");
	store_bind(stmt, ":t", SB_INT, token, ":p", SB_INT, person, NULL);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int(stmt, 0);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return (rc == SQLITE_ROW ? v : -1);
}

/* The ids of the people a limited token sees, as an object of "id": 1. */
json_t *
store_token_people(struct store *st, long long token, char **cause)
{
	sqlite3_stmt	*stmt;
	json_t		*rows, *set, *r;
	char		 key[32];
	size_t		 i;

	stmt = store_stmt(st, STMT_TOKEN_PEOPLE, "SELECT DISTINCT "
	    "m.person_id FROM memberships m JOIN api_token_groups t ON "
	    "t.group_id = m.group_id WHERE t.token_id = :t");
	store_bind(stmt, ":t", SB_INT, token, NULL);
	if ((rows = store_rows(st, stmt, cause)) == NULL)
		return (NULL);
	set = json_object();
	json_array_foreach(rows, i, r) {
		snprintf(key, sizeof key, "%lld", jint(r, "person_id"));
		json_object_set_new(set, key, json_true());
	}
	json_decref(rows);
	return (set);
}

/* Whether a person was erased: 1 yes, 0 no (or no such person). */
int
store_person_erased(struct store *st, long long person)
{
	sqlite3_stmt	*stmt;
	int		 rc, v = 0;

	stmt = store_stmt(st, STMT_PERSON_ERASED, "SELECT erased_at IS NOT "
	    "NULL FROM people WHERE id = :p");
	store_bind(stmt, ":p", SB_INT, person, NULL);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int(stmt, 0);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return (v);
}

/* Export ------------------------------------------------------------ */

static const struct {
	const char	*key;
	const char	*sql;
} store_export_parts[] = {
	{ "memberships", "SELECT g.id AS group_id, g.slug, g.name, m.role, "
	    "m.joined_at FROM memberships m JOIN groups g ON g.id = "
	    "m.group_id WHERE m.person_id = :p ORDER BY g.slug" },
	{ "answers", "SELECT a.id, a.occurrence_id, s.title, o.start_at, "
	    "a.answer, a.note, a.channel, a.at FROM answers a JOIN "
	    "occurrences o ON o.id = a.occurrence_id JOIN series s ON s.id = "
	    "o.series_id WHERE a.person_id = :p ORDER BY a.at, a.id" },
	{ "attendance", "SELECT t.occurrence_id, s.title, o.start_at, "
	    "t.status, t.reason, t.role, t.supporting, t.recorded_by, "
	    "t.recorded_at FROM attendance t JOIN occurrences o ON o.id = "
	    "t.occurrence_id JOIN series s ON s.id = o.series_id WHERE "
	    "t.person_id = :p ORDER BY o.start_at, t.occurrence_id" },
	{ "access_requests", "SELECT r.id, r.occurrence_id, s.title, "
	    "o.start_at, r.need, r.detail, r.state, r.reason, r.standing, "
	    "r.deadline_at, r.created_at, r.updated_at, (SELECT "
	    "json_group_array(json_object('at', e.at, 'actor', e.actor, "
	    "'state', e.state, 'reason', e.reason)) FROM (SELECT * FROM "
	    "access_events WHERE request_id = r.id ORDER BY at, id) e) AS "
	    "history FROM access_requests r JOIN occurrences o ON o.id = "
	    "r.occurrence_id JOIN series s ON s.id = o.series_id WHERE "
	    "r.person_id = :p ORDER BY r.id" },
	{ "needs_standing", "SELECT need, detail, set_by, at FROM "
	    "needs_standing WHERE person_id = :p ORDER BY need" },
	{ "supporters", "SELECT s.supporter_id, p.name, s.role, "
	    "s.copy_reminders, s.consent_at, s.consent_by, s.created_at FROM "
	    "supporters s JOIN people p ON p.id = s.supporter_id WHERE "
	    "s.person_id = :p ORDER BY s.supporter_id" },
	{ "supporting", "SELECT s.person_id, p.name, s.role, "
	    "s.copy_reminders, s.consent_at, s.created_at FROM supporters s "
	    "JOIN people p ON p.id = s.person_id WHERE s.supporter_id = :p "
	    "ORDER BY s.person_id" },
	{ "payments", "SELECT y.id, y.occurrence_id, s.title, o.start_at, "
	    "g.slug, y.role, y.amount_pence, y.owed_at, y.paid_on, y.paid_by "
	    "FROM payments y JOIN occurrences o ON o.id = y.occurrence_id "
	    "JOIN series s ON s.id = o.series_id JOIN groups g ON g.id = "
	    "s.group_id WHERE y.person_id = :p ORDER BY o.start_at, y.id" },
	{ "messages", "SELECT id, occurrence_id, kind, lead, channel, "
	    "state, attempts, reason, delivery, due_at, sent_at, "
	    "delivered_at, created_at, updated_at FROM outbox WHERE "
	    "person_id = :p ORDER BY id" },
	{ "audit", "SELECT id, at, actor, action, object, detail FROM "
	    "audit_log WHERE " STORE_AUDIT_ABOUT " OR "
	    STORE_AUDIT_NAMES("detail", ":name", ":email", ":phone") " OR "
	    STORE_AUDIT_NAMES("object", ":name", ":email", ":phone")
	    " ORDER BY id" },
};

#define STORE_EXPORT_NPARTS \
	(sizeof store_export_parts / sizeof store_export_parts[0])

/*
 * Everything held about a person, as one document; NULL with no cause
 * when there is no such person.  The access requests' history is a
 * JSON array within.
 */
json_t *
store_privacy_export(struct store *st, long long person, char **cause)
{
	json_t	*doc = NULL, *person_row, *rows, *r, *h;
	size_t	 i, j;

	rows = store_priv_rows(st, "SELECT * FROM people WHERE id = :p",
	    person, NULL, cause);
	if (rows == NULL)
		return (NULL);
	if (json_array_size(rows) == 0) {
		json_decref(rows);
		return (NULL);
	}
	person_row = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	doc = json_pack("{s:o}", "person", person_row);
	for (i = 0; i < STORE_EXPORT_NPARTS; i++) {
		rows = store_priv_rows(st, store_export_parts[i].sql, person,
		    person_row, cause);
		if (rows == NULL) {
			json_decref(doc);
			return (NULL);
		}
		json_array_foreach(rows, j, r) {
			if ((h = json_object_get(r, "history")) == NULL ||
			    !json_is_string(h))
				continue;
			json_object_set_new(r, "history", json_loads(
			    json_string_value(h), 0, NULL));
		}
		json_object_set_new(doc, store_export_parts[i].key, rows);
	}
	return (doc);
}

/* Erasure ----------------------------------------------------------- */

/*
 * What erasure does, in order, in one transaction.  The audit rows that
 * name the person (their id, or their old name, email or phone, bound
 * as :name, :email and :phone) are scrubbed before the person row loses
 * them.
 */
static const char *const store_erase_sql[] = {
	"UPDATE audit_log SET detail = CASE WHEN " STORE_AUDIT_ABOUT " OR "
	    STORE_AUDIT_NAMES("detail", ":name", ":email", ":phone")
	    " THEN 'person ' || :pid || ' (erased)' ELSE detail END, "
	    "object = CASE WHEN " STORE_AUDIT_NAMES("object", ":name",
	    ":email", ":phone") " THEN 'person' ELSE object END WHERE "
	    STORE_AUDIT_ABOUT " OR " STORE_AUDIT_NAMES("detail", ":name",
	    ":email", ":phone") " OR " STORE_AUDIT_NAMES("object", ":name",
	    ":email", ":phone"),
	"UPDATE people SET name = 'erased', email = NULL, phone = NULL, "
	    "feed_token = NULL, language = 'en', style = 'standard', "
	    "channels = 'feed', lead_times = NULL, quiet_start = NULL, "
	    "quiet_end = NULL, email_bounce = NULL, email_bounced_at = NULL, "
	    "erased_at = coalesce(erased_at, :now) WHERE id = :p",
	"UPDATE answers SET note = NULL WHERE person_id = :p AND note IS NOT "
	    "NULL",
	"UPDATE attendance SET reason = '' WHERE person_id = :p AND reason "
	    "!= ''",
	"UPDATE access_events SET reason = '' WHERE reason != '' AND "
	    "request_id IN (SELECT id FROM access_requests WHERE person_id = "
	    ":p)",
	"UPDATE access_requests SET detail = '', reason = '' WHERE "
	    "person_id = :p AND (detail != '' OR reason != '')",
	"DELETE FROM needs_standing WHERE person_id = :p",
	"DELETE FROM supporters WHERE person_id = :p OR supporter_id = :p",
	"DELETE FROM memberships WHERE person_id = :p",
	"DELETE FROM invitations_asked WHERE person_id = :p",
	"DELETE FROM outbox WHERE person_id = :p AND state = 'pending'",
	"UPDATE outbox SET reason = '' WHERE person_id = :p AND reason != ''",
};

#define STORE_ERASE_NSQL \
	(sizeof store_erase_sql / sizeof store_erase_sql[0])

/*
 * Erase what is held about a person (see the top of this file), with
 * the actor's audit line, in one transaction.  0 done, 1 no such
 * person, -1 error with *cause.  The caller then asks for a truncating
 * checkpoint (store_checkpoint_truncate), so that the write-ahead log
 * no longer holds the pages as they were.
 */
int
store_privacy_erase(struct store *st, long long person, const char *actor,
    char **cause)
{
	sqlite3_stmt	*stmt = NULL;
	char		*name = NULL, *email = NULL, *phone = NULL, pid[32];
	const char	*v;
	size_t		 i;
	int		 rc, ok = 0;

	if (store_begin(st) != 0) {
		store_cause(st, cause, NULL);
		return (-1);
	}
	if ((stmt = store_priv_prepare(st, "SELECT name, email, phone FROM "
	    "people WHERE id = :p", cause)) == NULL)
		goto out;
	store_bind(stmt, ":p", SB_INT, person, NULL);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		name = xstrdup((const char *)sqlite3_column_text(stmt, 0));
		if ((v = (const char *)sqlite3_column_text(stmt, 1)) != NULL)
			email = xstrdup(v);
		if ((v = (const char *)sqlite3_column_text(stmt, 2)) != NULL)
			phone = xstrdup(v);
	} else if (rc != SQLITE_DONE)
		store_cause(st, cause, NULL);
	sqlite3_finalize(stmt);
	stmt = NULL;
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			cause_set(cause, "no such person");
		store_end(st, 0);
		return (rc == SQLITE_DONE ? 1 : -1);
	}
	snprintf(pid, sizeof pid, "%lld", person);
	for (i = 0; i < STORE_ERASE_NSQL; i++) {
		if ((stmt = store_priv_prepare(st, store_erase_sql[i],
		    cause)) == NULL)
			goto out;
		if (sqlite3_bind_parameter_index(stmt, ":p") != 0)
			store_bind(stmt, ":p", SB_INT, person, NULL);
		if (sqlite3_bind_parameter_index(stmt, ":pid") != 0)
			store_bind(stmt, ":pid", SB_TEXT, pid, NULL);
		if (sqlite3_bind_parameter_index(stmt, ":now") != 0)
			store_bind(stmt, ":now", SB_INT,
			    (long long)clock_now(), NULL);
		if (sqlite3_bind_parameter_index(stmt, ":name") != 0)
			store_bind(stmt, ":name", SB_TEXT, name, ":email",
			    SB_TEXT, email, ":phone", SB_TEXT, phone, NULL);
		rc = store_done(st, stmt, cause);
		sqlite3_finalize(stmt);
		stmt = NULL;
		if (rc != 0)
			goto out;
	}
	store_feed_changed(st);
	if (store_audit(st, actor, "erase", "person", pid) != 0) {
		store_cause(st, cause, NULL);
		goto out;
	}
	ok = 1;
out:
	sqlite3_finalize(stmt);
	if (name != NULL)
		sodium_memzero(name, strlen(name));
	if (email != NULL)
		sodium_memzero(email, strlen(email));
	if (phone != NULL)
		sodium_memzero(phone, strlen(phone));
	free(name);
	free(email);
	free(phone);
	if (store_end(st, ok) != 0) {
		if (ok)
			store_cause(st, cause, NULL);
		return (-1);
	}
	return (0);
}

/* Retention --------------------------------------------------------- */

/*
 * Free text about meetings that ended before `before`: the notes of
 * answers, the detail and reason of access requests and the reasons of
 * their history.  The rows stay, so that what was counted still counts.
 * At most limit rows of each table a call (*more is 1 when one of them
 * had that many, and may have more); the number of rows cleared, or -1
 * with *cause.
 */
int
store_privacy_retain(struct store *st, time_t before, int limit, int *more,
    char **cause)
{
	static const char *const sql[] = {
		"UPDATE answers SET note = NULL WHERE id IN (SELECT a.id "
		    "FROM answers a JOIN occurrences o ON o.id = "
		    "a.occurrence_id WHERE o.end_at < :before AND a.note IS "
		    "NOT NULL LIMIT :limit)",
		"UPDATE access_events SET reason = '' WHERE id IN (SELECT "
		    "e.id FROM access_events e JOIN access_requests r ON r.id "
		    "= e.request_id JOIN occurrences o ON o.id = "
		    "r.occurrence_id WHERE o.end_at < :before AND e.reason != "
		    "'' LIMIT :limit)",
		"UPDATE access_requests SET detail = '', reason = '' WHERE id "
		    "IN (SELECT r.id FROM access_requests r JOIN occurrences o "
		    "ON o.id = r.occurrence_id WHERE o.end_at < :before AND "
		    "(r.detail != '' OR r.reason != '') LIMIT :limit)",
		"UPDATE attendance SET reason = '' WHERE (occurrence_id, "
		    "person_id) IN (SELECT t.occurrence_id, t.person_id FROM "
		    "attendance t JOIN occurrences o ON o.id = t.occurrence_id "
		    "WHERE o.end_at < :before AND t.reason != '' LIMIT :limit)",
	};
	sqlite3_stmt	*stmt;
	size_t		 i;
	int		 n = 0, c;

	*more = 0;
	if (store_begin(st) != 0) {
		store_cause(st, cause, NULL);
		return (-1);
	}
	for (i = 0; i < sizeof sql / sizeof sql[0]; i++) {
		if ((stmt = store_priv_prepare(st, sql[i], cause)) == NULL)
			goto fail;
		store_bind(stmt, ":before", SB_INT, (long long)before,
		    ":limit", SB_INT, (long long)limit, NULL);
		c = store_done(st, stmt, cause);
		sqlite3_finalize(stmt);
		if (c != 0)
			goto fail;
		c = sqlite3_changes(st->db);
		n += c;
		if (c >= limit)
			*more = 1;
	}
	if (store_end(st, 1) != 0) {
		store_cause(st, cause, NULL);
		return (-1);
	}
	return (n);
fail:
	store_end(st, 0);
	return (-1);
}
