/*
 * store_feed.c: what the calendar feeds read from SQLite, the secret
 * feed tokens of people and the public flag of groups, and a generation
 * number that changes whenever something a feed shows may have changed,
 * so that feeds can be kept rendered in memory and served without SQL.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "convene.h"
#include "store_int.h"
#include "util.h"

/* Columns a feed's events show, with the venue's; one row a series. */
#define FEED_SERIES_COLS \
	"s.id, s.title, s.dtstart, s.duration, s.rrule, s.exdates, " \
	"s.rdates, s.agenda, s.sequence, s.updated_at, g.time_zone, " \
	"g.name AS group_name, " \
	"coalesce(nullif(v.online_link, ''), s.online_link) AS online_link, " \
	"v.name AS venue, v.address, v.travel, v.step_free, v.hearing_loop, " \
	"v.accessible_toilet, v.quiet_room"

/* Tables whose rows a feed shows: a change to one makes feeds stale. */
static const char *const store_feed_tables[] = { "groups", "people",
	"venues", "series", "occurrences", NULL };

/* What a change to table means: STORE_CHANGED_*, or 0. */
int
store_feed_kind(const char *table)
{
	const char *const	*t;

	if (strcmp(table, "access_requests") == 0)
		return (STORE_CHANGED_REQUESTS);
	for (t = store_feed_tables; *t != NULL; t++) {
		if (strcmp(*t, table) == 0)
			return (STORE_CHANGED_FEED);
	}
	return (0);
}

/*
 * Changes of those kinds were made: feeds are made again, and what
 * coordinators are told may change (store_deadline_watch).  Called on
 * the loop, for its own connection's changes and another's.
 */
void
store_feed_notify(struct store *st, int kinds)
{
	if (kinds & STORE_CHANGED_FEED)
		st->generation++;
	if ((kinds & STORE_CHANGED_REQUESTS) && st->requests_cb != NULL)
		st->requests_cb(st->requests_arg);
}

/*
 * SQLite calls this for every row changed on the loop's connection.
 * memberships is a WITHOUT ROWID table, which the hook does not see:
 * store_member_set and store_member_remove call store_feed_changed.
 */
static void
store_feed_hook(void *arg, int op, const char *db, const char *table,
    sqlite3_int64 rowid)
{
	(void)op;
	(void)db;
	(void)rowid;
	store_feed_notify(arg, store_feed_kind(table));
}

void
store_feed_watch(struct store *st)
{
	st->generation = 1;
	sqlite3_update_hook(st->db, store_feed_hook, st);
}

void
store_feed_changed(struct store *st)
{
	st->generation++;
}

unsigned long long
store_generation(struct store *st)
{
	return (st->generation);
}

/* A new token: 160 random bits in lower-case base32, 32 characters. */
void
store_feed_token_new(char out[FEED_TOKEN_LEN + 1])
{
	static const char	 abc[] = "abcdefghijklmnopqrstuvwxyz234567";
	unsigned char		 raw[20];
	unsigned int		 acc = 0;
	int			 bits = 0;
	size_t			 i, n = 0;

	randombytes_buf(raw, sizeof raw);
	for (i = 0; i < sizeof raw; i++) {
		acc = (acc << 8) | raw[i];
		bits += 8;
		while (bits >= 5) {
			out[n++] = abc[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	out[n] = '\0';
	sodium_memzero(raw, sizeof raw);
}

/* Is this what a token looks like?  Checked before any SQL. */
int
store_feed_token_valid(const char *s)
{
	size_t	n = strspn(s, "abcdefghijklmnopqrstuvwxyz234567");

	return (n == FEED_TOKEN_LEN && s[n] == '\0');
}

/*
 * A person's feed token into out: the one held, made when there is none
 * yet (people from before feeds), or a new one when rotate is set.
 */
int
store_feed_token(struct store *st, long long person, int rotate,
    char out[FEED_TOKEN_LEN + 1], char **cause)
{
	sqlite3_stmt	*stmt;
	const char	*tok;
	int		 rc, found = 0;

	stmt = store_stmt(st, STMT_FEED_TOKEN_GET, "SELECT feed_token FROM "
	    "people WHERE id = :id");
	store_bind(stmt, ":id", SB_INT, person, NULL);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		found = 1;
		tok = (const char *)sqlite3_column_text(stmt, 0);
		if (tok != NULL && !rotate && store_feed_token_valid(tok)) {
			snprintf(out, FEED_TOKEN_LEN + 1, "%s", tok);
			found = 2;
		}
	} else if (rc != SQLITE_DONE)
		store_cause(st, cause, NULL);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (-1);
	if (!found) {
		cause_set(cause, "no person %lld", person);
		return (-1);
	}
	if (found == 2)
		return (0);
	store_feed_token_new(out);
	stmt = store_stmt(st, STMT_FEED_TOKEN_SET, "UPDATE people SET "
	    "feed_token = :tok WHERE id = :id");
	store_bind(stmt, ":tok", SB_TEXT, out, ":id", SB_INT, person, NULL);
	return (store_done(st, stmt, cause));
}

/* The person a token belongs to ({id, name}), or NULL. */
json_t *
store_feed_person(struct store *st, const char *token, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_FEED_PERSON, "SELECT id, name FROM people "
	    "WHERE feed_token = :tok");
	store_bind(stmt, ":tok", SB_TEXT, token, NULL);
	return (store_row(st, stmt, cause));
}

/* A group by its slug, with its public flag, or NULL. */
json_t *
store_feed_group(struct store *st, const char *slug, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_FEED_GROUP, "SELECT id, slug, name, "
	    "feed_public FROM groups WHERE slug = :slug");
	store_bind(stmt, ":slug", SB_TEXT, slug, NULL);
	return (store_row(st, stmt, cause));
}

int
store_feed_public(struct store *st, long long group, int on, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_FEED_PUBLIC, "UPDATE groups SET "
	    "feed_public = :on WHERE id = :g");
	store_bind(stmt, ":on", SB_INT, (long long)(on != 0), ":g", SB_INT,
	    group, NULL);
	return (store_done(st, stmt, cause));
}

/*
 * The series of every group a person belongs to (person > 0), or of one
 * group; with the person's lead times, else the group's.
 */
json_t *
store_feed_series(struct store *st, long long person, long long group,
    char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_FEED_SERIES, "SELECT " FEED_SERIES_COLS
	    ", coalesce(p.lead_times, g.lead_times) AS lead_times "
	    "FROM series s JOIN groups g ON g.id = s.group_id "
	    "LEFT JOIN venues v ON v.id = s.venue_id "
	    "LEFT JOIN people p ON p.id = :p "
	    "WHERE (:g IS NULL AND s.group_id IN (SELECT group_id FROM "
	    "memberships WHERE person_id = :p)) OR s.group_id = :g "
	    "ORDER BY s.id");
	if (person > 0)
		store_bind(stmt, ":p", SB_INT, person, NULL);
	else
		store_bind(stmt, ":g", SB_INT, group, NULL);
	return (store_rows(st, stmt, cause));
}

/* Meetings moved or cancelled of the same series, by series. */
json_t *
store_feed_overrides(struct store *st, long long person, long long group,
    char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_FEED_OVERRIDES, "SELECT o.series_id, "
	    "o.recurrence_id, o.start_at, o.end_at, o.status, o.sequence, "
	    "o.reason, o.moved_from, s.agenda, g.name AS group_name, "
	    "coalesce(nullif(v.online_link, ''), s.online_link) AS "
	    "online_link, v.name AS venue, v.address, v.travel, v.step_free, "
	    "v.hearing_loop, v.accessible_toilet, v.quiet_room "
	    "FROM occurrences o JOIN series s ON s.id = o.series_id "
	    "JOIN groups g ON g.id = s.group_id "
	    "LEFT JOIN venues v ON v.id = coalesce(o.venue_id, s.venue_id) "
	    "WHERE o.status IN ('moved', 'cancelled') AND "
	    "((:g IS NULL AND s.group_id IN (SELECT group_id FROM "
	    "memberships WHERE person_id = :p)) OR s.group_id = :g) "
	    "ORDER BY o.series_id, o.recurrence_id");
	if (person > 0)
		store_bind(stmt, ":p", SB_INT, person, NULL);
	else
		store_bind(stmt, ":g", SB_INT, group, NULL);
	return (store_rows(st, stmt, cause));
}

/*
 * For a notice of a change to a series (an update whose lead is
 * "series:WHAT" or, after a split, "series:WHAT/OLD"): that series as
 * a calendar should now have it and the one it was split from, with
 * their meetings moved or cancelled, put on the row as notice_series
 * and notice_overrides for the message's calendar part.
 */
int
store_feed_notice(struct store *st, struct outbox_row *row, char **cause)
{
	json_t		*series, *over, *ks, *ko, *o;
	const char	*lead = row->lead, *slash;
	long long	 newid = row->series_id, oldid = 0, id;
	size_t		 i;

	if (strncmp(lead, "series:", 7) != 0 || newid <= 0)
		return (0);
	if ((slash = strchr(lead, '/')) != NULL)
		oldid = strtoll(slash + 1, NULL, 10);
	series = store_feed_series(st, row->person_id, 0, cause);
	over = store_feed_overrides(st, row->person_id, 0, cause);
	if (series == NULL || over == NULL) {
		json_decref(series);
		json_decref(over);
		return (-1);
	}
	ks = json_array();
	ko = json_array();
	json_array_foreach(series, i, o) {
		id = jint(o, "id");
		if (id == newid || id == oldid)
			json_array_append(ks, o);
	}
	json_array_foreach(over, i, o) {
		id = jint(o, "series_id");
		if (id == newid || id == oldid)
			json_array_append(ko, o);
	}
	json_decref(row->notice_series);
	json_decref(row->notice_overrides);
	row->notice_series = ks;
	row->notice_overrides = ko;
	json_decref(series);
	json_decref(over);
	return (0);
}
