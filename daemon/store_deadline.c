/*
 * store_deadline.c: what coordinators must know about access requests,
 * read from access_requests and written to the outbox.  A request still
 * asked for must be booked by its deadline_at; each coordinator of the
 * meeting's group (role 'coordinator' in the group of its series) gets
 * an alert once a request is due within the alert window, a flag once
 * per request and venue when the venue lacks what the need asks of it,
 * and a daily digest of every open request of their groups.  Rows are
 * added at most once each (WHERE NOT EXISTS: a digest has no meeting,
 * which the outbox's UNIQUE does not cover), in the coordinator's first
 * channel; the outbox sends them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "convene.h"
#include "log.h"
#include "store_int.h"
#include "util.h"

/* A meeting whose requests still matter: ahead, and not called off. */
#define LIVE(o) \
	o ".start_at > :now AND " o ".status IN ('scheduled', 'moved')"

/*
 * The coordinators who can be sent something, with their first channel,
 * as a table c (group_id, person_id, channel) made once a statement:
 * memberships has no index on role, and joined row by row it would be
 * read again for every request.
 */
#define COORDINATORS \
	"WITH c AS MATERIALIZED (SELECT m.group_id, p.id AS person_id, " \
	STORE_FIRST_CHANNEL " AS channel FROM memberships m JOIN people p " \
	"ON p.id = m.person_id WHERE m.role = 'coordinator' AND " \
	"p.erased_at IS NULL AND " STORE_FIRST_CHANNEL " IS NOT NULL) "

/* Requests of people not erased, in SQL: what is erased is not shown. */
#define KEPT(a) \
	"JOIN people r ON r.id = " a ".person_id AND r.erased_at IS NULL "

/*
 * Call fn(arg) whenever a row of access_requests is written on the
 * store's own connection, whoever wrote it (an answer carrying standing
 * needs, a coordinator's change, erasure): for a kick, not for work, as
 * it is called inside the write.
 */
void
store_deadline_watch(struct store *st, void (*fn)(void *), void *arg)
{
	st->requests_cb = fn;
	st->requests_arg = arg;
}

/*
 * Alerts: each request still asked for whose deadline is within the
 * window (or past), of a meeting ahead, to each coordinator, once.
 */
int
store_deadline_alerts(struct store *st, time_t now, time_t within,
    int *n, char **cause)
{
	sqlite3_stmt	*stmt;

	*n = 0;
	stmt = store_stmt(st, STMT_DEADLINE_ALERTS, COORDINATORS
	    "INSERT INTO outbox (occurrence_id, person_id, kind, lead, "
	    "channel, sequence, due_at, next_at, created_at, updated_at) "
	    "SELECT o.id, c.person_id, 'alert', 'r' || a.id, c.channel, 0, "
	    ":now, :now, :now, :now FROM access_requests a "
	    "JOIN occurrences o ON o.id = a.occurrence_id "
	    "JOIN series s ON s.id = o.series_id "
	    "JOIN c ON c.group_id = s.group_id " KEPT("a")
	    "WHERE a.state = 'requested' AND a.deadline_at <= :until AND "
	    LIVE("o") " AND NOT EXISTS (SELECT 1 FROM outbox x WHERE "
	    "x.occurrence_id = o.id AND x.person_id = c.person_id AND "
	    "x.kind = 'alert' AND x.lead = 'r' || a.id) "
	    "ON CONFLICT DO NOTHING");
	store_bind(stmt, ":now", SB_INT, (long long)now, ":until", SB_INT,
	    (long long)(now + within), NULL);
	if (store_done(st, stmt, cause) != 0)
		return (-1);
	*n = sqlite3_changes(st->db);
	return (0);
}

/*
 * Flags: each request asked for or booked, of a meeting ahead, whose
 * need asks for a venue fact its venue (the meeting's own, else its
 * series') lacks, to each coordinator, once per request and venue.
 * The codes asking each fact come as ",code,code," lists ("" none).
 */
int
store_deadline_flags(struct store *st, time_t now,
    const struct deadline_facts *f, int *n, char **cause)
{
	sqlite3_stmt	*stmt;

	*n = 0;
	stmt = store_stmt(st, STMT_DEADLINE_FLAGS, COORDINATORS
	    "INSERT INTO outbox (occurrence_id, person_id, kind, lead, "
	    "channel, sequence, due_at, next_at, created_at, updated_at) "
	    "SELECT o.id, c.person_id, 'flag', 'r' || a.id || '.v' || v.id, "
	    "c.channel, 0, :now, :now, :now, :now FROM access_requests a "
	    "JOIN occurrences o ON o.id = a.occurrence_id "
	    "JOIN series s ON s.id = o.series_id "
	    "JOIN venues v ON v.id = coalesce(o.venue_id, s.venue_id) "
	    "JOIN c ON c.group_id = s.group_id " KEPT("a")
	    "WHERE a.state IN ('requested', 'arranged') AND " LIVE("o") " AND "
	    "((v.step_free = 0 AND instr(:sf, ',' || a.need || ',') > 0) OR "
	    "(v.hearing_loop = 0 AND instr(:hl, ',' || a.need || ',') > 0) OR "
	    "(v.quiet_room = 0 AND instr(:qr, ',' || a.need || ',') > 0) OR "
	    "(v.accessible_toilet = 0 AND "
	    "instr(:at, ',' || a.need || ',') > 0)) AND "
	    "NOT EXISTS (SELECT 1 FROM outbox x WHERE x.occurrence_id = o.id "
	    "AND x.person_id = c.person_id AND x.kind = 'flag' AND "
	    "x.lead = 'r' || a.id || '.v' || v.id) ON CONFLICT DO NOTHING");
	store_bind(stmt, ":now", SB_INT, (long long)now,
	    ":sf", SB_TEXT, f->step_free, ":hl", SB_TEXT, f->hearing_loop,
	    ":qr", SB_TEXT, f->quiet_room, ":at", SB_TEXT,
	    f->accessible_toilet, NULL);
	if (store_done(st, stmt, cause) != 0)
		return (-1);
	*n = sqlite3_changes(st->db);
	return (0);
}

/*
 * The coordinators with open requests in their groups, who can be sent
 * something: [{"id", "group_id", "time_zone"}], the group being the
 * first (by id) of theirs with a request open; its zone sets the hour
 * of their digest.
 */
json_t *
store_deadline_coordinators(struct store *st, time_t now, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_DEADLINE_COORDS, COORDINATORS
	    "SELECT c.person_id AS id, min(g.id) AS group_id, g.time_zone "
	    "FROM c JOIN groups g ON g.id = c.group_id WHERE EXISTS (SELECT 1 "
	    "FROM series s JOIN occurrences o ON o.series_id = s.id "
	    "JOIN access_requests a ON a.occurrence_id = o.id " KEPT("a")
	    "WHERE s.group_id = g.id AND a.state = 'requested' AND "
	    LIVE("o") ") GROUP BY c.person_id "
	    "ORDER BY c.person_id");
	store_bind(stmt, ":now", SB_INT, (long long)now, NULL);
	return (store_rows(st, stmt, cause));
}

/* A coordinator's digest for a day (lead "YYYY-MM-DD"), once. */
int
store_deadline_digest(struct store *st, long long person, const char *day,
    time_t due, time_t now, int *n, char **cause)
{
	sqlite3_stmt	*stmt;

	*n = 0;
	stmt = store_stmt(st, STMT_DEADLINE_DIGEST, "INSERT INTO outbox "
	    "(occurrence_id, person_id, kind, lead, channel, sequence, due_at, "
	    "next_at, created_at, updated_at) SELECT NULL, p.id, 'digest', "
	    ":day, " STORE_FIRST_CHANNEL ", 0, :due, :due, :now, :now "
	    "FROM people p WHERE p.id = :p AND " STORE_FIRST_CHANNEL
	    " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM outbox x WHERE "
	    "x.person_id = p.id AND x.kind = 'digest' AND x.lead = :day)");
	store_bind(stmt, ":p", SB_INT, person, ":day", SB_TEXT, day,
	    ":due", SB_INT, (long long)due, ":now", SB_INT, (long long)now,
	    NULL);
	if (store_done(st, stmt, cause) != 0)
		return (-1);
	*n = sqlite3_changes(st->db);
	return (0);
}

/*
 * When the next open request comes within the alert window: the
 * nearest deadline_at beyond now + within, less within; 0 for none.
 */
int
store_deadline_next(struct store *st, time_t now, time_t within,
    time_t *next, char **cause)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	*next = 0;
	stmt = store_stmt(st, STMT_DEADLINE_NEXT, "SELECT min(deadline_at) "
	    "FROM access_requests WHERE state = 'requested' AND "
	    "deadline_at > :until");
	store_bind(stmt, ":until", SB_INT, (long long)(now + within), NULL);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL)
		*next = (time_t)sqlite3_column_int64(stmt, 0) - within;
	else if (rc != SQLITE_ROW)
		store_cause(st, cause, NULL);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return (rc == SQLITE_ROW ? 0 : -1);
}

/*
 * The open requests (still asked for) of meetings ahead, soonest
 * deadline first: of one group (0: every group), of the groups one
 * person coordinates (0: anyone's), at most limit.  Each row: id,
 * deadline_at, overdue (1 when it has passed), need, detail,
 * person_id, member (their name), occurrence_id, start_at, title,
 * group_id, group_slug, group_name, time_zone, contact.
 */
json_t *
store_deadline_list(struct store *st, long long group, long long coord,
    time_t now, int limit, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_DEADLINE_LIST, "SELECT a.id, "
	    "a.deadline_at, a.deadline_at <= :now AS overdue, a.need, "
	    "a.detail, a.person_id, p.name AS member, o.id AS occurrence_id, "
	    "o.start_at, s.title, g.id AS group_id, g.slug AS group_slug, "
	    "g.name AS group_name, g.time_zone, g.contact "
	    "FROM access_requests a JOIN people p ON p.id = a.person_id "
	    "JOIN occurrences o ON o.id = a.occurrence_id "
	    "JOIN series s ON s.id = o.series_id "
	    "JOIN groups g ON g.id = s.group_id "
	    "WHERE a.state = 'requested' AND " LIVE("o") " AND "
	    "p.erased_at IS NULL AND (:g = 0 OR g.id = :g) AND (:c = 0 OR "
	    "EXISTS (SELECT 1 FROM memberships m WHERE m.group_id = g.id AND "
	    "m.person_id = :c AND m.role = 'coordinator')) "
	    "ORDER BY a.deadline_at, o.start_at, a.id LIMIT :limit");
	store_bind(stmt, ":now", SB_INT, (long long)now, ":g", SB_INT, group,
	    ":c", SB_INT, coord, ":limit", SB_INT, (long long)limit, NULL);
	return (store_rows(st, stmt, cause));
}

/* The request an alert or flag is about: the id after 'r' in its lead. */
static long long
store_deadline_request(const char *lead)
{
	char		*end;
	long long	 id;

	if (lead[0] != 'r')
		return (0);
	id = strtoll(lead + 1, &end, 10);
	return (*end == '\0' || *end == '.' ? id : 0);
}

/*
 * What a digest, alert or flag says, as of now, in r->requests (the
 * need, its state and detail of an alert or flag are store_out_due's
 * own columns).  A digest
 * gets {"items": [...] (as store_deadline_list), "time_zone", "group"
 * ("" when the items span groups), "contact"} and takes its zone, group
 * and contact from the first group (by id) of its items; an alert or
 * flag {"member", "deadline_at", "venue_id" (the meeting's now, 0:
 * none)}, or NULL when the request is gone.
 */
int
store_deadline_fill(struct store *st, struct outbox_row *r, time_t now,
    char **cause)
{
	sqlite3_stmt	*stmt;
	json_t		*items, *it, *first = NULL, *o;
	long long	 id;
	size_t		 i;
	int		 one = 1;

	if (strcmp(r->kind, "digest") == 0) {
		if ((items = store_deadline_list(st, 0, r->person_id, now,
		    STORE_DEADLINE_ITEMS, cause)) == NULL)
			return (-1);
		json_array_foreach(items, i, it) {
			if (first == NULL ||
			    jint(it, "group_id") < jint(first, "group_id"))
				first = it;
			if (jint(it, "group_id") !=
			    jint(json_array_get(items, 0), "group_id"))
				one = 0;
		}
		o = json_pack("{s:o, s:s, s:s, s:s}", "items", items,
		    "time_zone", first != NULL ? jstr(first, "time_zone") :
		    "Europe/London", "group", first != NULL && one ?
		    jstr(first, "group_name") : "", "contact", first != NULL ?
		    jstr(first, "contact") : "");
		json_decref(r->requests);
		r->requests = o;
		r->time_zone = jstr(o, "time_zone");
		r->group_name = jstr(o, "group");
		r->contact = jstr(o, "contact");
		return (0);
	}
	if ((id = store_deadline_request(r->lead)) == 0)
		return (0);
	stmt = store_stmt(st, STMT_DEADLINE_FILL, "SELECT a.deadline_at, "
	    "p.name AS member, coalesce(o.venue_id, s.venue_id, 0) AS "
	    "venue_id "
	    "FROM access_requests a JOIN people p ON p.id = a.person_id "
	    "JOIN occurrences o ON o.id = a.occurrence_id "
	    "JOIN series s ON s.id = o.series_id WHERE a.id = :id");
	store_bind(stmt, ":id", SB_INT, id, NULL);
	o = store_row(st, stmt, cause);
	if (o == NULL && cause != NULL && *cause != NULL)
		return (-1);
	json_decref(r->requests);
	r->requests = o;
	return (0);
}
