/*
 * store_model.c: groups, people, memberships, venues, series and their
 * occurrences in SQLite.  The checks that need more than SQL (time zones,
 * rules, phone numbers) are the callers'; the constraints SQL can keep
 * (unique slugs and emails, roles, references) are kept here and turned
 * into reasons a person can read.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "convene.h"
#include "store_int.h"
#include "util.h"

#define GROUP_COLS \
	"id, slug, name, time_zone, lead_times, payment_rate_pence, " \
	"contact, created_at"
#define PERSON_COLS \
	"id, name, email, phone, language, style, channels, lead_times, " \
	"quiet_start, quiet_end, created_at, email_bounce, email_bounced_at, " \
	"erased_at"
#define SERIES_COLS \
	"s.id, s.group_id, g.slug AS group_slug, s.title, s.dtstart, " \
	"g.time_zone, s.duration, s.rrule, s.exdates, s.rdates, s.venue_id, " \
	"s.online_link, s.agenda, s.created_at, s.updated_at"
#define OCC_COLS \
	"o.id, o.series_id, s.title, g.slug AS group_slug, g.time_zone, " \
	"o.recurrence_id, o.start_at, o.end_at, o.status, o.moved_from, " \
	"o.reason, o.sequence, coalesce(o.venue_id, s.venue_id) AS venue_id"

json_t *
store_group_create(struct store *st, const struct group_in *g, char **cause)
{
	sqlite3_stmt	*stmt;
	json_t		*row;

	stmt = store_stmt(st, STMT_GROUP_INSERT, "INSERT INTO groups (slug, "
	    "name, time_zone, lead_times, payment_rate_pence, contact, "
	    "created_at) VALUES (:slug, :name, :tz, :leads, :rate, :contact, "
	    ":now) RETURNING " GROUP_COLS);
	store_bind(stmt, ":slug", SB_TEXT, g->slug, ":name", SB_TEXT, g->name,
	    ":tz", SB_TEXT, g->time_zone, ":leads", SB_TEXT, g->lead_times,
	    ":rate", SB_INT, g->payment_rate_pence, ":contact", SB_TEXT,
	    g->contact ? g->contact : "", ":now", SB_INT,
	    (long long)clock_now(), NULL);
	if ((row = store_row(st, stmt, NULL)) == NULL &&
	    !store_broke(st, cause))
		cause_set(cause, "slug: a group called '%s' exists already",
		    g->slug);
	return (row);
}

json_t *
store_group_list(struct store *st, char **cause)
{
	return (store_rows(st, store_stmt(st, STMT_GROUP_LIST, "SELECT "
	    GROUP_COLS ", (SELECT count(*) FROM memberships m WHERE "
	    "m.group_id = groups.id) AS members FROM groups ORDER BY slug"),
	    cause));
}

json_t *
store_group_get(struct store *st, const char *slug, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_GROUP_GET, "SELECT " GROUP_COLS
	    " FROM groups WHERE slug = :slug");
	store_bind(stmt, ":slug", SB_TEXT, slug, NULL);
	return (store_row(st, stmt, cause));
}

int
store_group_delete(struct store *st, long long id, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_GROUP_DELETE, "DELETE FROM groups WHERE "
	    "id = :id");
	store_bind(stmt, ":id", SB_INT, id, NULL);
	return (store_done(st, stmt, cause));
}

json_t *
store_person_create(struct store *st, const struct person_in *p,
    char **cause)
{
	sqlite3_stmt	*stmt;
	json_t		*row;
	char		 token[FEED_TOKEN_LEN + 1];

	stmt = store_stmt(st, STMT_PERSON_INSERT, "INSERT INTO people (name, "
	    "email, phone, language, style, channels, lead_times, quiet_start, "
	    "quiet_end, created_at, feed_token) VALUES (:name, :email, "
	    ":phone, coalesce(:language, 'en'), coalesce(:style, 'standard'), "
	    "coalesce(:channels, 'email'), :leads, :qs, :qe, :now, :token) "
	    "RETURNING " PERSON_COLS);
	store_bind(stmt, ":name", SB_TEXT, p->name, ":email", SB_TEXT,
	    p->email, ":phone", SB_TEXT, p->phone, ":language", SB_TEXT,
	    p->language, ":style", SB_TEXT, p->style, ":channels", SB_TEXT,
	    p->channels, ":leads", SB_TEXT, p->lead_times, NULL);
	if (p->quiet_start >= 0)
		store_bind(stmt, ":qs", SB_INT, (long long)p->quiet_start,
		    ":qe", SB_INT, (long long)p->quiet_end, NULL);
	store_feed_token_new(token);
	store_bind(stmt, ":now", SB_INT, (long long)clock_now(), ":token",
	    SB_TEXT, token, NULL);
	if ((row = store_row(st, stmt, NULL)) == NULL &&
	    !store_broke(st, cause)) {
		if (p->email != NULL && p->phone != NULL)
			cause_set(cause, "email or phone: someone has %s or %s "
			    "already", p->email, p->phone);
		else if (p->email != NULL)
			cause_set(cause, "email: someone has %s already",
			    p->email);
		else
			cause_set(cause, "phone: someone has %s already",
			    p->phone ? p->phone : "that number");
	}
	return (row);
}

/* Change only the fields given; NULL (or -2 for quiet hours) keeps. */
json_t *
store_person_update(struct store *st, long long id,
    const struct person_in *p, char **cause)
{
	sqlite3_stmt	*stmt;
	json_t		*row;

	stmt = store_stmt(st, STMT_PERSON_UPDATE, "UPDATE people SET "
	    "name = coalesce(:name, name), email = coalesce(:email, email), "
	    "phone = coalesce(:phone, phone), "
	    "language = coalesce(:language, language), "
	    "style = coalesce(:style, style), "
	    "channels = coalesce(:channels, channels), "
	    "lead_times = CASE WHEN :leads IS NULL THEN lead_times "
	    "  WHEN :leads = '' THEN NULL ELSE :leads END, "
	    "quiet_start = CASE :qset WHEN 1 THEN :qs ELSE quiet_start END, "
	    "quiet_end = CASE :qset WHEN 1 THEN :qe ELSE quiet_end END, "
	    "email_bounce = CASE WHEN :email != email THEN NULL ELSE "
	    "email_bounce END, "
	    "email_bounced_at = CASE WHEN :email != email THEN NULL ELSE "
	    "email_bounced_at END "
	    "WHERE id = :id RETURNING " PERSON_COLS);
	store_bind(stmt, ":id", SB_INT, id, ":name", SB_TEXT, p->name,
	    ":email", SB_TEXT, p->email, ":phone", SB_TEXT, p->phone,
	    ":language", SB_TEXT, p->language, ":style", SB_TEXT, p->style,
	    ":channels", SB_TEXT, p->channels, ":leads", SB_TEXT,
	    p->lead_times, ":qset", SB_INT, (long long)(p->quiet_start != -2),
	    NULL);
	if (p->quiet_start >= 0)
		store_bind(stmt, ":qs", SB_INT, (long long)p->quiet_start,
		    ":qe", SB_INT, (long long)p->quiet_end, NULL);
	row = store_row(st, stmt, NULL);
	if (row == NULL && !store_broke(st, cause))
		cause_set(cause, "no person %lld, or the email or phone is "
		    "someone else's", id);
	return (row);
}

json_t *
store_person_list(struct store *st, char **cause)
{
	return (store_rows(st, store_stmt(st, STMT_PERSON_LIST, "SELECT "
	    PERSON_COLS " FROM people ORDER BY id"), cause));
}

json_t *
store_person_get(struct store *st, long long id, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_PERSON_GET, "SELECT " PERSON_COLS
	    " FROM people WHERE id = :id");
	store_bind(stmt, ":id", SB_INT, id, NULL);
	return (store_row(st, stmt, cause));
}

/* The id of the person holding this email or phone; 0 for nobody. */
long long
store_person_find(struct store *st, const char *email, const char *phone)
{
	sqlite3_stmt	*stmt;
	long long	 id = 0;

	stmt = store_stmt(st, STMT_PERSON_FIND, "SELECT id FROM people WHERE "
	    "email = :email COLLATE NOCASE OR phone = :phone LIMIT 1");
	store_bind(stmt, ":email", SB_TEXT, email, ":phone", SB_TEXT, phone,
	    NULL);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		id = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return (id);
}

int
store_person_delete(struct store *st, long long id, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_PERSON_DELETE, "DELETE FROM people WHERE "
	    "id = :id");
	store_bind(stmt, ":id", SB_INT, id, NULL);
	return (store_done(st, stmt, cause));
}

int
store_member_set(struct store *st, long long group, long long person,
    const char *role, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_MEMBER_UPSERT, "INSERT INTO memberships "
	    "(group_id, person_id, role, joined_at) VALUES (:g, :p, :role, "
	    ":now) ON CONFLICT (group_id, person_id) DO UPDATE SET "
	    "role = excluded.role");
	store_bind(stmt, ":g", SB_INT, group, ":p", SB_INT, person,
	    ":role", SB_TEXT, role, ":now", SB_INT, (long long)clock_now(),
	    NULL);
	store_feed_changed(st);
	return (store_done(st, stmt, cause));
}

int
store_member_remove(struct store *st, long long group, long long person,
    char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_MEMBER_DELETE, "DELETE FROM memberships "
	    "WHERE group_id = :g AND person_id = :p");
	store_bind(stmt, ":g", SB_INT, group, ":p", SB_INT, person, NULL);
	store_feed_changed(st);
	if (store_done(st, stmt, cause) != 0)
		return (-1);
	if (sqlite3_changes(st->db) == 0) {
		cause_set(cause, "person %lld is not a member of this group",
		    person);
		return (-1);
	}
	return (0);
}

json_t *
store_member_list(struct store *st, long long group, char **cause)
{
	sqlite3_stmt	*stmt;

	/*
	 * A member the last message could not reach shows why, and one
	 * whose email bounced, that it did.
	 */
	stmt = store_stmt(st, STMT_MEMBER_LIST, "SELECT p.id, p.name, m.role, "
	    "p.channels, m.joined_at, p.email, p.email_bounce, "
	    "(SELECT o.reason FROM outbox o WHERE "
	    "o.person_id = p.id AND o.state = 'dead' AND NOT EXISTS (SELECT 1 "
	    "FROM outbox s WHERE s.person_id = p.id AND s.state = 'sent' AND "
	    "s.updated_at > o.updated_at) ORDER BY o.updated_at DESC, o.id "
	    "DESC LIMIT 1) AS problem FROM memberships m JOIN people p ON "
	    "p.id = m.person_id WHERE m.group_id = :g ORDER BY p.name");
	store_bind(stmt, ":g", SB_INT, group, NULL);
	return (store_rows(st, stmt, cause));
}

json_t *
store_venue_create(struct store *st, const struct venue_in *v, char **cause)
{
	sqlite3_stmt	*stmt;
	json_t		*row;

	stmt = store_stmt(st, STMT_VENUE_INSERT, "INSERT INTO venues (name, "
	    "address, travel, online_link, step_free, hearing_loop, "
	    "accessible_toilet, quiet_room, created_at) VALUES (:name, "
	    ":address, :travel, :link, :sf, :hl, :at, :qr, :now) RETURNING *");
	store_bind(stmt, ":name", SB_TEXT, v->name, ":address", SB_TEXT,
	    v->address ? v->address : "", ":travel", SB_TEXT,
	    v->travel ? v->travel : "", ":link", SB_TEXT,
	    v->online_link ? v->online_link : "", ":sf", SB_INT,
	    (long long)v->step_free, ":hl", SB_INT, (long long)v->hearing_loop,
	    ":at", SB_INT, (long long)v->accessible_toilet, ":qr", SB_INT,
	    (long long)v->quiet_room, ":now", SB_INT, (long long)clock_now(),
	    NULL);
	if ((row = store_row(st, stmt, NULL)) == NULL &&
	    !store_broke(st, cause))
		cause_set(cause, "name: a venue called '%s' exists already",
		    v->name);
	return (row);
}

json_t *
store_venue_list(struct store *st, char **cause)
{
	return (store_rows(st, store_stmt(st, STMT_VENUE_LIST, "SELECT * FROM "
	    "venues ORDER BY name"), cause));
}

json_t *
store_series_create(struct store *st, const struct series_in *s,
    char **cause)
{
	sqlite3_stmt	*stmt;
	json_t		*row, *full;
	long long	 id;

	stmt = store_stmt(st, STMT_SERIES_INSERT, "INSERT INTO series "
	    "(group_id, title, dtstart, duration, rrule, exdates, rdates, "
	    "venue_id, online_link, agenda, created_at, updated_at) VALUES "
	    "(:g, :title, :dtstart, :duration, :rrule, :exdates, :rdates, "
	    ":venue, :link, :agenda, :now, :now) RETURNING id");
	store_bind(stmt, ":g", SB_INT, s->group_id, ":title", SB_TEXT,
	    s->title, ":dtstart", SB_TEXT, s->dtstart, ":duration", SB_INT,
	    (long long)s->duration, ":rrule", SB_TEXT, s->rrule ? s->rrule : "",
	    ":exdates", SB_TEXT, s->exdates ? s->exdates : "", ":rdates",
	    SB_TEXT, s->rdates ? s->rdates : "", ":link", SB_TEXT,
	    s->online_link ? s->online_link : "", ":agenda", SB_TEXT,
	    s->agenda ? s->agenda : "", ":now", SB_INT, (long long)clock_now(),
	    NULL);
	if (s->venue_id > 0)
		store_bind(stmt, ":venue", SB_INT, s->venue_id, NULL);
	if ((row = store_row(st, stmt, NULL)) == NULL) {
		if (!store_broke(st, cause))
			cause_set(cause, "venue: no venue %lld", s->venue_id);
		return (NULL);
	}
	id = json_integer_value(json_object_get(row, "id"));
	json_decref(row);
	full = store_series_get(st, id, cause);
	return (full);
}

json_t *
store_series_get(struct store *st, long long id, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_SERIES_GET, "SELECT " SERIES_COLS
	    " FROM series s JOIN groups g ON g.id = s.group_id "
	    "WHERE s.id = :id");
	store_bind(stmt, ":id", SB_INT, id, NULL);
	return (store_row(st, stmt, cause));
}

json_t *
store_series_list(struct store *st, long long group, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_SERIES_LIST, "SELECT " SERIES_COLS
	    " FROM series s JOIN groups g ON g.id = s.group_id "
	    "WHERE :g IS NULL OR s.group_id = :g ORDER BY s.id");
	if (group > 0)
		store_bind(stmt, ":g", SB_INT, group, NULL);
	return (store_rows(st, stmt, cause));
}

/* Change the fields given (NULL, or 0 for numbers, keeps the old one). */
int
store_series_update(struct store *st, long long id, const struct series_in *s,
    char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_SERIES_UPDATE, "UPDATE series SET "
	    "title = coalesce(:title, title), "
	    "dtstart = coalesce(:dtstart, dtstart), "
	    "duration = coalesce(:duration, duration), "
	    "rrule = coalesce(:rrule, rrule), "
	    "exdates = coalesce(:exdates, exdates), "
	    "rdates = coalesce(:rdates, rdates), "
	    "venue_id = coalesce(:venue, venue_id), "
	    "online_link = coalesce(:link, online_link), "
	    "agenda = coalesce(:agenda, agenda), updated_at = :now, "
	    "sequence = sequence + 1 WHERE id = :id");
	store_bind(stmt, ":id", SB_INT, id, ":title", SB_TEXT, s->title,
	    ":dtstart", SB_TEXT, s->dtstart, ":rrule", SB_TEXT, s->rrule,
	    ":exdates", SB_TEXT, s->exdates, ":rdates", SB_TEXT, s->rdates,
	    ":link", SB_TEXT, s->online_link, ":agenda", SB_TEXT, s->agenda,
	    ":now", SB_INT, (long long)clock_now(), NULL);
	if (s->duration > 0)
		store_bind(stmt, ":duration", SB_INT, (long long)s->duration,
		    NULL);
	if (s->venue_id > 0)
		store_bind(stmt, ":venue", SB_INT, s->venue_id, NULL);
	return (store_done(st, stmt, cause));
}

int
store_series_delete(struct store *st, long long id, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_SERIES_DELETE, "DELETE FROM series WHERE "
	    "id = :id");
	store_bind(stmt, ":id", SB_INT, id, NULL);
	return (store_done(st, stmt, cause));
}

/* Add an occurrence, or follow its series' new time if still scheduled. */
int
store_occ_upsert(struct store *st, long long series, const char *rid,
    time_t start, time_t end, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_OCC_UPSERT, "INSERT INTO occurrences "
	    "(series_id, recurrence_id, start_at, end_at) VALUES (:s, :rid, "
	    ":start, :end) ON CONFLICT (series_id, recurrence_id) DO UPDATE "
	    "SET start_at = excluded.start_at, end_at = excluded.end_at, "
	    "sequence = sequence + 1, "
	    "status = CASE status WHEN 'removed' THEN 'scheduled' "
	    "  ELSE status END "
	    "WHERE (status = 'scheduled' AND (start_at != excluded.start_at "
	    "  OR end_at != excluded.end_at)) OR status = 'removed'");
	store_bind(stmt, ":s", SB_INT, series, ":rid", SB_TEXT, rid,
	    ":start", SB_INT, (long long)start, ":end", SB_INT,
	    (long long)end, NULL);
	if (store_done(st, stmt, cause) != 0)
		return (-1);
	if (sqlite3_changes(st->db) == 0)
		return (0);
	return (store_need_deadlines_rid(st, series, rid, cause));
}

/*
 * Occurrences of a series in [from, until) that its rule no longer makes
 * (the list of recurrence ids it does make is comma-separated) become
 * removed.
 */
int
store_occ_remove_missing(struct store *st, long long series, time_t from,
    time_t until, const char *keep, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_OCC_REMOVE_MISSING, "UPDATE occurrences "
	    "SET status = 'removed', sequence = sequence + 1 "
	    "WHERE series_id = :s AND status = 'scheduled' AND "
	    "start_at >= :from AND start_at < :until AND "
	    "instr(',' || :keep || ',', ',' || recurrence_id || ',') = 0");
	store_bind(stmt, ":s", SB_INT, series, ":from", SB_INT,
	    (long long)from, ":until", SB_INT, (long long)until, ":keep",
	    SB_TEXT, keep, NULL);
	return (store_done(st, stmt, cause));
}

/* Ids of a series' occurrences (or all, series 0) starting in a window. */
json_t *
store_occ_window(struct store *st, long long series, time_t from,
    time_t until, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_OCC_WINDOW, "SELECT id FROM occurrences "
	    "WHERE (:s = 0 OR series_id = :s) AND start_at >= :from AND "
	    "start_at < :until ORDER BY start_at");
	store_bind(stmt, ":s", SB_INT, series, ":from", SB_INT,
	    (long long)from, ":until", SB_INT, (long long)until, NULL);
	return (store_rows(st, stmt, cause));
}

/*
 * Meetings of a series moved or cancelled by hand on or after rid: gone
 * from it with a split.
 */
int
store_occ_remove_moved(struct store *st, long long series, const char *rid,
    char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_OCC_REMOVE_MOVED, "UPDATE occurrences SET "
	    "status = 'removed', sequence = sequence + 1 WHERE series_id = :s "
	    "AND status IN ('moved', 'cancelled') AND recurrence_id >= :rid");
	store_bind(stmt, ":s", SB_INT, series, ":rid", SB_TEXT, rid, NULL);
	return (store_done(st, stmt, cause));
}

/*
 * A meeting that had been moved or cancelled, carried over to the
 * scheduled meeting rid of another series (a split): moved to the same
 * time and venue, or cancelled, with the same reason.  The rows changed
 * (none when that series makes no such meeting).
 */
json_t *
store_occ_reattach(struct store *st, long long series, const char *rid,
    json_t *o, char **cause)
{
	sqlite3_stmt	*stmt;
	int		 moved = strcmp(jstr(o, "status"), "moved") == 0;

	stmt = store_stmt(st, STMT_OCC_REATTACH, "UPDATE occurrences SET "
	    "moved_from = CASE :moved WHEN 1 THEN start_at ELSE moved_from "
	    "END, start_at = coalesce(:start, start_at), "
	    "end_at = coalesce(:end, end_at), "
	    "venue_id = coalesce(:venue, venue_id), status = :status, "
	    "reason = :reason, sequence = sequence + 1 WHERE series_id = :s "
	    "AND recurrence_id = :rid AND status = 'scheduled' RETURNING id");
	store_bind(stmt, ":s", SB_INT, series, ":rid", SB_TEXT, rid,
	    ":moved", SB_INT, (long long)moved, ":status", SB_TEXT,
	    moved ? "moved" : "cancelled", ":reason", SB_TEXT,
	    jstr(o, "reason"), NULL);
	if (moved) {
		store_bind(stmt, ":start", SB_INT, jint(o, "start_at"),
		    ":end", SB_INT, jint(o, "end_at"), NULL);
		if (jint(o, "venue_id") > 0)
			store_bind(stmt, ":venue", SB_INT,
			    jint(o, "venue_id"), NULL);
	}
	return (store_rows(st, stmt, cause));
}

/* Upcoming occurrences of one group (or all), for coordinators. */
json_t *
store_occ_list(struct store *st, long long group, time_t from, time_t until,
    char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_OCC_LIST, "SELECT " OCC_COLS
	    " FROM occurrences o JOIN series s ON s.id = o.series_id "
	    "JOIN groups g ON g.id = s.group_id WHERE (:g = 0 OR "
	    "g.id = :g) AND o.start_at >= :from AND o.start_at < :until "
	    "ORDER BY o.start_at, o.id");
	store_bind(stmt, ":g", SB_INT, group, ":from", SB_INT,
	    (long long)from, ":until", SB_INT, (long long)until, NULL);
	return (store_rows(st, stmt, cause));
}

/* One occurrence with its group's lead times and its series' duration. */
#define OCC_GET \
	"SELECT " OCC_COLS ", s.group_id, g.lead_times, s.duration FROM " \
	"occurrences o JOIN series s ON s.id = o.series_id " \
	"JOIN groups g ON g.id = s.group_id WHERE o.id = :id"

/* The columns of OCC_GET and where each goes in struct occurrence. */
#define C(n, t, f)	STORE_COL(n, t, struct occurrence, f)
static const struct store_col store_occ_cols[] = {
	C("id", SC_LONG, id), C("series_id", SC_LONG, series_id),
	C("title", SC_TEXT, title), C("group_slug", SC_TEXT, group_slug),
	C("time_zone", SC_TEXT, time_zone),
	C("recurrence_id", SC_TEXT, recurrence_id),
	C("start_at", SC_TIME, start_at), C("end_at", SC_TIME, end_at),
	C("status", SC_TEXT, status), C("moved_from", SC_TIME, moved_from),
	C("reason", SC_TEXT, reason), C("sequence", SC_INT, sequence),
	C("venue_id", SC_LONG, venue_id), C("group_id", SC_LONG, group_id),
	C("lead_times", SC_TEXT, lead_times),
	C("duration", SC_INT, duration),
};
#undef C
#define STORE_OCC_NCOLS	(sizeof store_occ_cols / sizeof store_occ_cols[0])

json_t *
store_occ_get(struct store *st, long long id, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_OCC_GET, OCC_GET);
	store_bind(stmt, ":id", SB_INT, id, NULL);
	return (store_row(st, stmt, cause));
}

/*
 * The same as store_occ_get for the daemon's own use, in one allocation
 * that free() frees; NULL with no cause when there is none.
 */
struct occurrence *
store_occ_read(struct store *st, long long id, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_OCC_GET, OCC_GET);
	store_bind(stmt, ":id", SB_INT, id, NULL);
	return (store_row_fill(st, stmt, store_occ_cols, STORE_OCC_NCOLS,
	    sizeof(struct occurrence), cause));
}

int
store_occ_move(struct store *st, long long id, time_t start, time_t end,
    long long venue, const char *reason, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_OCC_MOVE, "UPDATE occurrences SET "
	    "moved_from = coalesce(moved_from, start_at), start_at = :start, "
	    "end_at = :end, venue_id = coalesce(:venue, venue_id), "
	    "status = 'moved', reason = :reason, sequence = sequence + 1 "
	    "WHERE id = :id");
	store_bind(stmt, ":id", SB_INT, id, ":start", SB_INT,
	    (long long)start, ":end", SB_INT, (long long)end, ":reason",
	    SB_TEXT, reason ? reason : "", NULL);
	if (venue > 0)
		store_bind(stmt, ":venue", SB_INT, venue, NULL);
	if (store_done(st, stmt, cause) != 0)
		return (-1);
	/* What must be booked before it moves with it. */
	return (store_need_deadlines(st, id, cause));
}

int
store_occ_cancel(struct store *st, long long id, const char *reason,
    char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_OCC_CANCEL, "UPDATE occurrences SET "
	    "status = 'cancelled', reason = :reason, sequence = sequence + 1 "
	    "WHERE id = :id");
	store_bind(stmt, ":id", SB_INT, id, ":reason", SB_TEXT,
	    reason ? reason : "", NULL);
	if (store_done(st, stmt, cause) != 0)
		return (-1);
	/* Nothing is booked for a meeting that is not happening. */
	return (store_need_cancelled(st, id, clock_now(), cause));
}

/* Occurrences from now on in the groups a person belongs to. */
json_t *
store_occ_of_person(struct store *st, long long person, time_t from,
    char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_OCC_OF_PERSON, "SELECT o.id FROM "
	    "occurrences o JOIN series s ON s.id = o.series_id JOIN "
	    "memberships m ON m.group_id = s.group_id WHERE m.person_id = :p "
	    "AND o.start_at >= :from");
	store_bind(stmt, ":p", SB_INT, person, ":from", SB_INT,
	    (long long)from, NULL);
	return (store_rows(st, stmt, cause));
}

/*
 * The API's tokens, without their hashes: names, when last used, and
 * the slugs of the groups each is limited to, space-separated (NULL:
 * every group).
 */
json_t *
store_token_list(struct store *st, char **cause)
{
	return (store_rows(st, store_stmt(st, STMT_TOKEN_LIST, "SELECT name, "
	    "created_at, last_used_at, (SELECT group_concat(slug, ' ') FROM "
	    "(SELECT g.slug FROM api_token_groups t JOIN groups g ON g.id = "
	    "t.group_id WHERE t.token_id = api_tokens.id ORDER BY g.slug)) "
	    "AS groups FROM api_tokens WHERE revoked_at IS NULL ORDER BY "
	    "name"), cause));
}

/*
 * Forget a token: the next request that carries it gets 401.  0 when it
 * is gone, 1 when there is no such token, -1 on error.  Its name is free
 * again; the audit log keeps the revocation.
 */
int
store_token_revoke(struct store *st, const char *name, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_TOKEN_REVOKE, "DELETE FROM api_tokens "
	    "WHERE name = :name");
	store_bind(stmt, ":name", SB_TEXT, name, NULL);
	if (store_done(st, stmt, cause) != 0)
		return (-1);
	if (sqlite3_changes(st->db) == 0) {
		cause_set(cause, "no token is called '%s'", name);
		return (1);
	}
	return (0);
}

/*
 * Remember that the mail server refused a person's address for good;
 * not if the address changed while the message was on its way.
 */
int
store_person_bounce(struct store *st, long long id, const char *email,
    const char *reason, time_t now, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_PERSON_BOUNCE, "UPDATE people SET "
	    "email_bounce = :reason, email_bounced_at = :now WHERE id = :id "
	    "AND email = :email");
	store_bind(stmt, ":id", SB_INT, id, ":email", SB_TEXT, email,
	    ":reason", SB_TEXT, reason != NULL && *reason != '\0' ? reason :
	    "refused", ":now", SB_INT, (long long)now, NULL);
	return (store_done(st, stmt, cause));
}
