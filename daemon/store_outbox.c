/*
 * store_outbox.c: the outbox in SQLite.  Every message that will ever be
 * sent is a row first: the planner adds and withdraws rows, the
 * dispatcher claims due rows (marking them in flight before a channel is
 * called) and settles them with the channel's answer.  next_at is indexed
 * for pending rows only, so finding the nearest due row and a batch of due
 * rows stays cheap however many rows are settled.
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

/* The columns the planner's walks read, and where each goes. */
#define C(n, t, f)	STORE_COL(n, t, struct plan_member, f)
static const struct store_col store_member_cols[] = {
	C("id", SC_LONG, id), C("channels", SC_TEXT, channels),
	C("lead_times", SC_TEXT, lead_times),
	C("own_leads", SC_INT, own_leads),
};
#undef C
#define C(n, t, f)	STORE_COL(n, t, struct plan_pending, f)
static const struct store_col store_pending_cols[] = {
	C("id", SC_LONG, id), C("person_id", SC_LONG, person_id),
	C("kind", SC_TEXT, kind), C("lead", SC_TEXT, lead),
	C("channel", SC_TEXT, channel),
	C("sequence", SC_INT, sequence), C("fallback", SC_INT, fallback),
	C("member", SC_INT, member), C("observer", SC_INT, observer),
	C("channels", SC_TEXT, channels),
	C("lead_times", SC_TEXT, lead_times),
};
#undef C
#define NCOLS(t)	(sizeof (t) / sizeof (t)[0])

/*
 * Each member of a group with the lead times and channels that apply,
 * in the order of their ids: those after the id after, at most limit of
 * them (-1: every one).  Each is handed to cb straight from the
 * statement: nothing is built for a group of any size.  cb returns 0 to
 * go on; -1 stops the walk, which then returns -1.
 */
int
store_plan_members(struct store *st, long long group, long long after,
    int limit, plan_member_cb cb, void *arg, char **cause)
{
	struct plan_member	 m;
	sqlite3_stmt		*stmt;
	int			 rc, stop = 0;

	stmt = store_stmt(st, STMT_PLAN_MEMBERS, "SELECT p.id, p.channels, "
	    "coalesce(p.lead_times, g.lead_times) AS lead_times, "
	    "p.lead_times IS NOT NULL AS own_leads FROM "
	    "memberships m JOIN people p ON p.id = m.person_id JOIN groups g "
	    "ON g.id = m.group_id WHERE m.group_id = :g AND "
	    "m.person_id > :after AND p.erased_at IS NULL "
	    "ORDER BY p.id LIMIT :limit");
	if (!store_cols_ok(stmt, store_member_cols, NCOLS(store_member_cols)))
		fatalx("store_plan_members: the columns are not struct "
		    "plan_member's");
	store_bind(stmt, ":g", SB_INT, group, ":after", SB_INT, after,
	    ":limit", SB_INT, (long long)limit, NULL);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		store_point(stmt, store_member_cols,
		    NCOLS(store_member_cols), &m);
		if (cb(&m, arg) != 0) {
			stop = 1;
			break;
		}
	}
	if (!stop && rc != SQLITE_DONE)
		store_cause(st, cause, NULL);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return (stop || rc != SQLITE_DONE ? -1 : 0);
}

/*
 * Each pending reminder (not a supporter's copy: store_plan_copies looks
 * after those) and gentle reminder (nudge) of an occurrence,
 * which a new plan may withdraw, of the people whose id is after after
 * and at most upto, with its person as a member of the group (when they
 * are one still), handed to cb as store_plan_members does.  cb must not
 * change the outbox: the walk reads it.
 */
int
store_plan_pending(struct store *st, long long occ, long long group,
    long long after, long long upto, plan_pending_cb cb, void *arg,
    char **cause)
{
	struct plan_pending	 r;
	sqlite3_stmt		*stmt;
	int			 rc, stop = 0;

	stmt = store_stmt(st, STMT_PLAN_PENDING, "SELECT o.id, o.person_id, "
	    "o.kind, o.lead, o.channel, o.sequence, EXISTS (SELECT 1 FROM "
	    "outbox f WHERE f.occurrence_id = o.occurrence_id AND "
	    "f.person_id = o.person_id AND f.kind = o.kind AND f.lead = "
	    "o.lead AND f.sequence = o.sequence AND f.state = 'failed' AND "
	    "f.channel != o.channel) AS fallback, m.person_id IS NOT NULL AS "
	    "member, coalesce(m.role = 'observer', 0) AS observer, "
	    "p.channels, coalesce(p.lead_times, g.lead_times) AS lead_times "
	    "FROM outbox o LEFT JOIN memberships m ON m.group_id = :g AND "
	    "m.person_id = o.person_id LEFT JOIN people p ON p.id = "
	    "m.person_id LEFT JOIN groups g ON g.id = m.group_id "
	    "WHERE o.occurrence_id = :o AND o.kind IN ('reminder', 'nudge') "
	    "AND o.state = 'pending' AND o.person_id > :after AND "
	    "o.person_id <= :upto AND NOT " STORE_IS_COPY("o"));
	if (!store_cols_ok(stmt, store_pending_cols,
	    NCOLS(store_pending_cols)))
		fatalx("store_plan_pending: the columns are not struct "
		    "plan_pending's");
	store_bind(stmt, ":o", SB_INT, occ, ":g", SB_INT, group, ":after",
	    SB_INT, after, ":upto", SB_INT, upto, NULL);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		store_point(stmt, store_pending_cols,
		    NCOLS(store_pending_cols), &r);
		if (cb(&r, arg) != 0) {
			stop = 1;
			break;
		}
	}
	if (!stop && rc != SQLITE_DONE)
		store_cause(st, cause, NULL);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return (stop || rc != SQLITE_DONE ? -1 : 0);
}

/*
 * One row per (occurrence, person, kind, lead, channel, sequence): a row
 * withdrawn before can come back; one pending moves with its due time;
 * anything sent, failed or dead is left as it is.
 */
int
store_plan_insert(struct store *st, const struct outbox_in *o, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_PLAN_INSERT, "INSERT INTO outbox "
	    "(occurrence_id, person_id, kind, lead, channel, sequence, due_at, "
	    "next_at, created_at, updated_at) VALUES (:o, :p, :kind, :lead, "
	    ":channel, :seq, :due, :due, :now, :now) ON CONFLICT DO UPDATE SET "
	    "due_at = excluded.due_at, next_at = excluded.next_at, "
	    "state = 'pending', reason = '', updated_at = excluded.updated_at "
	    "WHERE state = 'skipped' OR (state = 'pending' AND attempts = 0 "
	    "AND due_at != excluded.due_at)");
	if (o->occurrence_id > 0)
		store_bind(stmt, ":o", SB_INT, o->occurrence_id, NULL);
	store_bind(stmt, ":p", SB_INT, o->person_id, ":kind", SB_TEXT,
	    o->kind, ":lead", SB_TEXT, o->lead ? o->lead : "", ":channel",
	    SB_TEXT, o->channel, ":seq", SB_INT, (long long)o->sequence,
	    ":due", SB_INT, (long long)o->due_at, ":now", SB_INT,
	    (long long)o->now, NULL);
	return (store_done(st, stmt, cause));
}

/* The first of email and sms in a person's list of channels, in SQL. */
#define FIRST_CHANNEL	STORE_FIRST_CHANNEL

/* Whether p was invited to series s already, in SQL. */
#define INVITED(s, p) \
	"EXISTS (SELECT 1 FROM outbox x JOIN occurrences xo ON " \
	"xo.id = x.occurrence_id WHERE x.person_id = " p " AND " \
	"x.kind = 'invitation' AND x.state != 'skipped' AND " \
	"xo.series_id = " s ")"

/* The asked-for invitations a call is about: group, person, series. */
#define ASKED_WHERE(a) \
	"(:g = 0 OR " a ".series_id IN (SELECT id FROM series WHERE " \
	"group_id = :g)) AND (:s = 0 OR " a ".series_id = :s) AND " \
	"(:p = 0 OR " a ".person_id = :p)"

/*
 * Send the invitations asked for whose meeting is now planned: the next
 * meeting of the series, to each member still in the group with a
 * channel, once a series.  Then forget those sent, and those of people
 * who have left.  Group, person or series 0 means any.  The number sent
 * and (if waiting is not NULL) the number still waiting, or -1.
 */
int
store_invite_flush(struct store *st, long long group, long long person,
    long long series, time_t now, int *waiting, char **cause)
{
	sqlite3_stmt	*stmt;
	int		 sent;

	stmt = store_stmt(st, STMT_PLAN_INVITE, "INSERT INTO outbox "
	    "(occurrence_id, person_id, kind, lead, channel, sequence, due_at, "
	    "next_at, created_at, updated_at) SELECT oc.id, p.id, "
	    "'invitation', '', " FIRST_CHANNEL ", oc.sequence, :now, :now, "
	    ":now, :now FROM invitations_asked a "
	    "JOIN series s ON s.id = a.series_id "
	    "JOIN occurrences oc ON oc.id = (SELECT n.id FROM occurrences n "
	    "WHERE n.series_id = s.id AND n.start_at > :now AND n.status IN "
	    "('scheduled', 'moved') ORDER BY n.start_at LIMIT 1) "
	    "JOIN memberships m ON m.group_id = s.group_id AND "
	    "m.person_id = a.person_id "
	    "JOIN people p ON p.id = a.person_id "
	    "WHERE " ASKED_WHERE("a") " AND " FIRST_CHANNEL " IS NOT NULL "
	    "AND NOT " INVITED("s.id", "p.id") " ON CONFLICT DO NOTHING");
	store_bind(stmt, ":g", SB_INT, group, ":p", SB_INT, person, ":s",
	    SB_INT, series, ":now", SB_INT, (long long)now, NULL);
	if (store_done(st, stmt, cause) != 0)
		return (-1);
	sent = sqlite3_changes(st->db);

	stmt = store_stmt(st, STMT_INVITE_FORGET, "DELETE FROM "
	    "invitations_asked AS a WHERE " ASKED_WHERE("a") " AND ("
	    INVITED("a.series_id", "a.person_id") " OR NOT EXISTS (SELECT 1 "
	    "FROM memberships m JOIN series s ON s.group_id = m.group_id "
	    "WHERE s.id = a.series_id AND m.person_id = a.person_id))");
	store_bind(stmt, ":g", SB_INT, group, ":p", SB_INT, person, ":s",
	    SB_INT, series, NULL);
	if (store_done(st, stmt, cause) != 0)
		return (-1);
	if (waiting == NULL)
		return (sent);

	stmt = store_stmt(st, STMT_INVITE_WAITING, "SELECT count(*) FROM "
	    "invitations_asked AS a WHERE " ASKED_WHERE("a"));
	store_bind(stmt, ":g", SB_INT, group, ":p", SB_INT, person, ":s",
	    SB_INT, series, NULL);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		cause_set(cause, "%s", sqlite3_errmsg(st->db));
		sqlite3_reset(stmt);
		return (-1);
	}
	*waiting = sqlite3_column_int(stmt, 0);
	sqlite3_reset(stmt);
	return (sent);
}

/*
 * Invite members to the next meeting of each series, once a series: a
 * member who joins, or every member when a series is made.  Group 0 is
 * none; person or series 0 means all of them.  The invitation is asked
 * for first, so that one whose meeting is beyond the horizon waits for
 * the planner to reach it.  The number sent now and the number waiting,
 * or -1.
 */
int
store_plan_invite(struct store *st, long long group, long long person,
    long long series, time_t now, int *waiting, char **cause)
{
	sqlite3_stmt	*stmt;
	int		 sent;

	if (store_begin(st) != 0) {
		cause_set(cause, "%s", sqlite3_errmsg(st->db));
		return (-1);
	}
	stmt = store_stmt(st, STMT_INVITE_ASK, "INSERT INTO invitations_asked "
	    "(series_id, person_id, asked_at) SELECT s.id, p.id, :now "
	    "FROM series s JOIN memberships m ON m.group_id = s.group_id "
	    "JOIN people p ON p.id = m.person_id "
	    "WHERE s.group_id = :g AND (:s = 0 OR s.id = :s) AND "
	    "(:p = 0 OR p.id = :p) AND " FIRST_CHANNEL " IS NOT NULL AND "
	    "NOT " INVITED("s.id", "p.id") " ON CONFLICT DO NOTHING");
	store_bind(stmt, ":g", SB_INT, group, ":p", SB_INT, person, ":s",
	    SB_INT, series, ":now", SB_INT, (long long)now, NULL);
	if (store_done(st, stmt, cause) != 0 || (sent = store_invite_flush(st,
	    group, person, series, now, waiting, cause)) < 0) {
		store_end(st, 0);
		return (-1);
	}
	if (store_end(st, 1) != 0) {
		cause_set(cause, "%s", sqlite3_errmsg(st->db));
		return (-1);
	}
	return (sent);
}

/*
 * The same as store_plan_insert for every member of a group who keeps
 * the group's lead times (those whose id is after after and at most
 * upto), in one statement: planning a large group is then one step, not
 * one per member.
 */
int
store_plan_insert_group(struct store *st, long long group, long long after,
    long long upto, const struct outbox_in *o, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_PLAN_INSERT_GROUP, "INSERT INTO outbox "
	    "(occurrence_id, person_id, kind, lead, channel, sequence, due_at, "
	    "next_at, created_at, updated_at) SELECT :o, id, :kind, :lead, "
	    "channel, :seq, :due, :due, :now, :now FROM (SELECT p.id, "
	    FIRST_CHANNEL " AS channel FROM memberships m JOIN people p ON "
	    "p.id = m.person_id WHERE m.group_id = :g AND m.person_id > "
	    ":after AND m.person_id <= :upto AND p.lead_times IS NULL AND "
	    "p.erased_at IS NULL) "
	    "WHERE channel IS NOT NULL ON CONFLICT DO UPDATE SET "
	    "due_at = excluded.due_at, next_at = excluded.next_at, "
	    "state = 'pending', reason = '', updated_at = excluded.updated_at "
	    "WHERE state = 'skipped' OR (state = 'pending' AND attempts = 0 "
	    "AND due_at != excluded.due_at)");
	store_bind(stmt, ":o", SB_INT, o->occurrence_id, ":g", SB_INT, group,
	    ":after", SB_INT, after, ":upto", SB_INT, upto,
	    ":kind", SB_TEXT, o->kind, ":lead", SB_TEXT, o->lead,
	    ":seq", SB_INT, (long long)o->sequence, ":due", SB_INT,
	    (long long)o->due_at, ":now", SB_INT, (long long)o->now, NULL);
	return (store_done(st, stmt, cause));
}

/*
 * The gentle reminder (kind nudge, lead o->lead) of an occurrence, due
 * at o->due_at, to each member of the group (those whose id is after
 * after and at most upto) who is not an observer, has a channel that
 * sends, has not answered, and has not been sent one for this meeting
 * already, whatever the channel or the meeting's sequence then: a
 * meeting moved, or a member who changed channel, is not nudged twice.
 * As store_plan_insert_group, one statement for the group.
 */
int
store_plan_nudge(struct store *st, long long group, long long after,
    long long upto, const struct outbox_in *o, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_PLAN_NUDGE, "INSERT INTO outbox "
	    "(occurrence_id, person_id, kind, lead, channel, sequence, due_at, "
	    "next_at, created_at, updated_at) SELECT :o, id, 'nudge', :lead, "
	    "channel, :seq, :due, :due, :now, :now FROM (SELECT p.id, "
	    FIRST_CHANNEL " AS channel FROM memberships m JOIN people p ON "
	    "p.id = m.person_id WHERE m.group_id = :g AND m.person_id > "
	    ":after AND m.person_id <= :upto AND m.role != 'observer' AND "
	    "NOT EXISTS (SELECT 1 FROM answers a WHERE a.occurrence_id = :o "
	    "AND a.person_id = p.id) AND NOT EXISTS (SELECT 1 FROM outbox x "
	    "WHERE x.occurrence_id = :o AND x.person_id = p.id AND x.kind = "
	    "'nudge' AND x.state NOT IN ('pending', 'skipped'))) "
	    "WHERE channel IS NOT NULL ON CONFLICT DO UPDATE SET "
	    "due_at = excluded.due_at, next_at = excluded.next_at, "
	    "state = 'pending', reason = '', updated_at = excluded.updated_at "
	    "WHERE state = 'skipped' OR (state = 'pending' AND attempts = 0 "
	    "AND due_at != excluded.due_at)");
	store_bind(stmt, ":o", SB_INT, o->occurrence_id, ":g", SB_INT, group,
	    ":after", SB_INT, after, ":upto", SB_INT, upto,
	    ":lead", SB_TEXT, o->lead, ":seq", SB_INT, (long long)o->sequence,
	    ":due", SB_INT, (long long)o->due_at, ":now", SB_INT,
	    (long long)o->now, NULL);
	return (store_done(st, stmt, cause));
}

/*
 * Copies of the reminders of an occurrence's members (those whose id is
 * after after and at most upto) to each supporter they asked to have
 * them (copy_reminders), in the supporter's first channel, with the
 * member's lead and due time: lead "LEAD/for:MEMBER", so that a
 * supporter who is a member too still gets their own reminder beside.
 * Made from the member's own reminders of o->sequence still to come, so
 * run after those are planned.  Neither may be erased.
 */
int
store_plan_copies(struct store *st, long long group, long long after,
    long long upto, const struct outbox_in *o, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_PLAN_COPIES, "INSERT INTO outbox "
	    "(occurrence_id, person_id, kind, lead, channel, sequence, due_at, "
	    "next_at, created_at, updated_at) SELECT :o, id, 'reminder', lead, "
	    "channel, :seq, due, due, :now, :now FROM (SELECT p.id, "
	    "b.lead || '/for:' || b.person_id AS lead, b.due, "
	    FIRST_CHANNEL " AS channel FROM (SELECT person_id, lead, "
	    "max(due_at) AS due FROM outbox WHERE occurrence_id = :o AND "
	    "kind = 'reminder' AND sequence = :seq AND state != 'skipped' AND "
	    "due_at > :now AND person_id > :after AND person_id <= :upto AND "
	    "instr(lead, '/') = 0 GROUP BY person_id, lead) b "
	    "JOIN memberships m ON m.group_id = :g AND m.person_id = "
	    "b.person_id JOIN people mp ON mp.id = b.person_id AND "
	    "mp.erased_at IS NULL JOIN supporters su ON su.person_id = "
	    "b.person_id AND su.copy_reminders = 1 JOIN people p ON p.id = "
	    "su.supporter_id AND p.erased_at IS NULL) "
	    "WHERE channel IS NOT NULL ON CONFLICT DO UPDATE SET "
	    "due_at = excluded.due_at, next_at = excluded.next_at, "
	    "state = 'pending', reason = '', updated_at = excluded.updated_at "
	    "WHERE state = 'skipped' OR (state = 'pending' AND attempts = 0 "
	    "AND due_at != excluded.due_at)");
	store_bind(stmt, ":o", SB_INT, o->occurrence_id, ":g", SB_INT, group,
	    ":after", SB_INT, after, ":upto", SB_INT, upto,
	    ":seq", SB_INT, (long long)o->sequence, ":now", SB_INT,
	    (long long)o->now, NULL);
	return (store_done(st, stmt, cause));
}

/*
 * Withdraw the pending copies (store_plan_copies) of the members after
 * after and at most upto that no longer apply: the member's own
 * reminder withdrawn (the member left, changed lead times, the meeting
 * moved), the supporter unlinked or copies turned off, either erased,
 * or the supporter's first channel changed.  Run before the copies are
 * planned again.
 */
int
store_plan_copies_skip(struct store *st, long long occ, long long group,
    long long after, long long upto, int seq, time_t now, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_PLAN_COPIES_SKIP, "UPDATE outbox SET "
	    "state = 'skipped', reason = 'a copy no longer wanted: the "
	    "member''s reminder withdrawn, or the supporter unlinked or "
	    "changed', updated_at = :now WHERE occurrence_id = :o AND "
	    "state = 'pending' AND " STORE_IS_COPY("outbox") " AND "
	    STORE_COPY_OF("outbox") " > :after AND " STORE_COPY_OF("outbox")
	    " <= :upto AND (sequence != :seq OR NOT EXISTS (SELECT 1 FROM "
	    "outbox b WHERE b.occurrence_id = outbox.occurrence_id AND "
	    "b.person_id = " STORE_COPY_OF("outbox") " AND b.kind = "
	    "'reminder' AND b.lead = " STORE_COPY_BASE("outbox") " AND "
	    "b.sequence = outbox.sequence AND b.state != 'skipped') OR "
	    "NOT EXISTS (SELECT 1 FROM supporters su JOIN memberships m ON "
	    "m.group_id = :g AND m.person_id = su.person_id JOIN people mp ON "
	    "mp.id = su.person_id AND mp.erased_at IS NULL JOIN people p ON "
	    "p.id = su.supporter_id AND p.erased_at IS NULL WHERE "
	    "su.person_id = " STORE_COPY_OF("outbox") " AND su.supporter_id "
	    "= outbox.person_id AND su.copy_reminders = 1 AND "
	    "(outbox.channel = " FIRST_CHANNEL " OR EXISTS (SELECT 1 FROM "
	    "outbox f WHERE f.occurrence_id = outbox.occurrence_id AND "
	    "f.person_id = outbox.person_id AND f.kind = 'reminder' AND "
	    "f.lead = outbox.lead AND f.sequence = outbox.sequence AND "
	    "f.state = 'failed' AND f.channel != outbox.channel))))");
	store_bind(stmt, ":o", SB_INT, occ, ":g", SB_INT, group,
	    ":after", SB_INT, after, ":upto", SB_INT, upto, ":seq", SB_INT,
	    (long long)seq, ":now", SB_INT, (long long)now, NULL);
	return (store_done(st, stmt, cause));
}

int
store_plan_skip(struct store *st, long long id, const char *reason,
    char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_PLAN_SKIP, "UPDATE outbox SET state = "
	    "'skipped', reason = :reason, updated_at = :now WHERE id = :id "
	    "AND state = 'pending'");
	store_bind(stmt, ":id", SB_INT, id, ":reason", SB_TEXT, reason,
	    ":now", SB_INT, (long long)clock_now(), NULL);
	return (store_done(st, stmt, cause));
}

/* Withdraw every pending reminder, update and nudge of an occurrence. */
int
store_plan_skip_occ(struct store *st, long long occ, const char *reason,
    char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_PLAN_SKIP_OCC, "UPDATE outbox SET state = "
	    "'skipped', reason = :reason, updated_at = :now WHERE "
	    "occurrence_id = :o AND kind IN ('reminder', 'update', 'nudge') "
	    "AND "
	    "state = 'pending'");
	store_bind(stmt, ":o", SB_INT, occ, ":reason", SB_TEXT, reason,
	    ":now", SB_INT, (long long)clock_now(), NULL);
	return (store_done(st, stmt, cause));
}

/*
 * After a crash: rows in flight go back to pending, to be sent once more.
 * After a clean stop there are none, and nothing is written: a start
 * need not wait for another program's write lock.
 */
int
store_out_recover(struct store *st, long long *n, char **cause)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	*n = 0;
	stmt = store_stmt(st, STMT_OUT_INFLIGHT, "SELECT EXISTS (SELECT 1 "
	    "FROM outbox WHERE state = 'sending')");
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && sqlite3_column_int(stmt, 0) == 0) {
		sqlite3_reset(stmt);
		return (0);
	}
	sqlite3_reset(stmt);
	stmt = store_stmt(st, STMT_OUT_RECOVER, "UPDATE outbox SET state = "
	    "'pending', reason = 'was in flight when convened stopped' "
	    "WHERE state = 'sending'");
	rc = store_done(st, stmt, cause);
	*n = sqlite3_changes(st->db);
	return (rc);
}

/* The nearest next_at of a pending row; 0 when there is none. */
int
store_out_next(struct store *st, time_t *t, char **cause)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	stmt = store_stmt(st, STMT_OUT_NEXT, "SELECT min(next_at) FROM outbox "
	    "WHERE state = 'pending'");
	*t = 0;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL)
		*t = (time_t)sqlite3_column_int64(stmt, 0);
	else if (rc != SQLITE_ROW)
		store_cause(st, cause, NULL);
	sqlite3_reset(stmt);
	return (rc == SQLITE_ROW ? 0 : -1);
}

/* The columns of store_out_due and where each goes in outbox_row. */
#define C(n, t, f)	STORE_COL(n, t, struct outbox_row, f)
static const struct store_col store_out_cols[] = {
	C("id", SC_LONG, id), C("occurrence_id", SC_LONG, occurrence_id),
	C("person_id", SC_LONG, person_id), C("kind", SC_TEXT, kind),
	C("lead", SC_TEXT, lead), C("channel", SC_TEXT, channel),
	C("sequence", SC_INT, sequence), C("due_at", SC_TIME, due_at),
	C("attempts", SC_INT, attempts), C("person", SC_TEXT, person),
	C("email", SC_TEXT, email), C("phone", SC_TEXT, phone),
	C("language", SC_TEXT, language), C("style", SC_TEXT, style),
	C("channels", SC_TEXT, channels),
	C("quiet_start", SC_INTN, quiet_start),
	C("quiet_end", SC_INTN, quiet_end),
	C("email_bounce", SC_TEXT, email_bounce),
	C("start_at", SC_TIME, start_at), C("end_at", SC_TIME, end_at),
	C("status", SC_TEXT, status),
	C("occ_sequence", SC_INT, occ_sequence),
	C("moved_from", SC_TIME, moved_from),
	C("occ_reason", SC_TEXT, occ_reason),
	C("series_id", SC_LONG, series_id),
	C("recurrence_id", SC_TEXT, recurrence_id),
	C("series_sequence", SC_INT, series_sequence),
	C("rrule", SC_TEXTN, rrule), C("rdates", SC_TEXT, rdates),
	C("reason", SC_TEXT, reason), C("title", SC_TEXT, title),
	C("agenda", SC_TEXT, agenda), C("group_slug", SC_TEXT, group_slug),
	C("online_link", SC_TEXT, online_link),
	C("group_name", SC_TEXT, group_name),
	C("time_zone", SC_TEXT, time_zone), C("contact", SC_TEXT, contact),
	C("venue", SC_TEXT, venue), C("address", SC_TEXT, address),
	C("travel", SC_TEXT, travel), C("step_free", SC_INT, step_free),
	C("hearing_loop", SC_INT, hearing_loop),
	C("accessible_toilet", SC_INT, accessible_toilet),
	C("quiet_room", SC_INT, quiet_room), C("answer", SC_TEXT, answer),
	C("need", SC_TEXT, need), C("access_status", SC_TEXT, access_status),
	C("note", SC_TEXT, note), C("copy_of", SC_LONG, copy_of),
	C("for_name", SC_TEXT, for_name),
};
#undef C
#define STORE_OUT_NCOLS	(sizeof store_out_cols / sizeof store_out_cols[0])

void
outbox_row_free(struct outbox_row *r)
{
	if (r == NULL)
		return;
	json_decref(r->notice_series);
	json_decref(r->notice_overrides);
	json_decref(r->requests);
	free(r);
}

/*
 * Up to limit due rows with all a message needs, nearest first; their
 * number in *n.  NULL on error; an empty batch is an array all the same.
 */
struct outbox_row **
store_out_due(struct store *st, time_t now, int limit, size_t *n,
    char **cause)
{
	struct outbox_row	**rows, *r;
	sqlite3_stmt		 *stmt;
	int			  rc = SQLITE_DONE;

	stmt = store_stmt(st, STMT_OUT_DUE, "SELECT o.id, o.occurrence_id, "
	    "o.person_id, o.kind, o.lead, o.channel, o.sequence, o.due_at, "
	    "o.attempts, p.name AS person, p.email, p.phone, p.language, "
	    "p.style, p.channels, p.quiet_start, p.quiet_end, p.email_bounce, "
	    "oc.start_at, oc.end_at, oc.status, oc.sequence AS occ_sequence, "
	    "oc.moved_from, oc.reason AS occ_reason, oc.series_id, "
	    "oc.recurrence_id, s.sequence AS series_sequence, s.rrule, "
	    "s.rdates, o.reason, "
	    "s.title, "
	    "s.agenda, g.slug AS group_slug, "
	    "coalesce(nullif(v.online_link, ''), s.online_link) AS "
	    "online_link, "
	    "g.name AS group_name, coalesce(g.time_zone, 'Europe/London') AS "
	    "time_zone, g.contact, v.name AS venue, v.address, v.travel, "
	    "v.step_free, v.hearing_loop, v.accessible_toilet, v.quiet_room, "
	    "CASE WHEN o.kind IN ('rsvp', 'nudge') THEN (SELECT a.answer "
	    "FROM answers a WHERE a.occurrence_id = o.occurrence_id AND "
	    "a.person_id = o.person_id ORDER BY a.at DESC, a.id DESC LIMIT 1) "
	    "END AS answer, "
	    "coalesce(ar.need, '') AS need, coalesce(ae.state, ar.state, '') "
	    "AS access_status, coalesce(CASE coalesce(ae.state, ar.state) "
	    "WHEN 'unable' THEN coalesce(ae.reason, ar.reason) ELSE "
	    "ar.detail END, '') AS note, "
	    /* a supporter's copy: whose, while it is still wanted */
	    "CASE WHEN " STORE_IS_COPY("o") " THEN " STORE_COPY_OF("o")
	    " ELSE 0 END AS copy_of, CASE WHEN " STORE_IS_COPY("o") " THEN "
	    "coalesce((SELECT mp.name FROM supporters su JOIN people mp ON "
	    "mp.id = su.person_id AND mp.erased_at IS NULL JOIN memberships "
	    "mm ON mm.person_id = su.person_id AND mm.group_id = s.group_id "
	    "WHERE su.person_id = " STORE_COPY_OF("o") " AND "
	    "su.supporter_id = o.person_id AND su.copy_reminders = 1 AND "
	    "p.erased_at IS NULL), '') ELSE '' END AS for_name "
	    "FROM outbox o JOIN people p ON p.id = o.person_id "
	    "LEFT JOIN occurrences oc ON oc.id = o.occurrence_id "
	    "LEFT JOIN series s ON s.id = oc.series_id "
	    "LEFT JOIN groups g ON g.id = s.group_id "
	    "LEFT JOIN venues v ON v.id = coalesce(oc.venue_id, s.venue_id) "
	    /* access, alert, flag: lead "r<request>[.<event>|.v<venue>]" */
	    "LEFT JOIN access_requests ar ON o.kind IN ('access', 'alert', "
	    "'flag') AND o.lead GLOB 'r[0-9]*' AND ar.id = "
	    "CAST(substr(o.lead, 2) AS INTEGER) "
	    "LEFT JOIN access_events ae ON o.kind = 'access' AND "
	    "ae.request_id = ar.id AND ae.id = CAST(substr(o.lead, "
	    "instr(o.lead, '.') + 1) AS INTEGER) "
	    "WHERE o.state = 'pending' AND o.next_at <= :now "
	    "ORDER BY o.next_at, o.id LIMIT :limit");
	*n = 0;
	if (!store_cols_ok(stmt, store_out_cols, STORE_OUT_NCOLS))
		fatalx("store_out_due: the columns are not struct "
		    "outbox_row's");
	store_bind(stmt, ":now", SB_INT, (long long)now, ":limit", SB_INT,
	    (long long)limit, NULL);
	rows = xcalloc(limit > 0 ? (size_t)limit : 1, sizeof *rows);
	while (*n < (size_t)limit &&
	    (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		r = store_fill(stmt, store_out_cols, STORE_OUT_NCOLS,
		    sizeof *r);
		r->need_label = "";
		rows[(*n)++] = r;
		/* What a coordinator's notice says, as of now. */
		if ((strcmp(r->kind, "digest") == 0 ||
		    strcmp(r->kind, "alert") == 0 ||
		    strcmp(r->kind, "flag") == 0) &&
		    store_deadline_fill(st, r, now, cause) != 0) {
			rc = SQLITE_ERROR;
			break;
		}
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		store_cause(st, cause, NULL);
		while (*n > 0)
			outbox_row_free(rows[--(*n)]);
		free(rows);
		rows = NULL;
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return (rows);
}

/*
 * Move a row on: state, reason, provider id; attempts counted when it
 * goes in flight; next_at for a retry or a deferral; the style and
 * language it went in (or would have) when it is sent or dead, which
 * the engagement report counts.
 */
int
store_out_set(struct store *st, const struct outbox_set *u, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_OUT_SET, "UPDATE outbox SET state = "
	    ":state, reason = coalesce(:reason, reason), provider_id = "
	    "coalesce(:provider, provider_id), attempts = attempts + :inc, "
	    "late = max(late, :late), next_at = coalesce(:next, next_at), "
	    "sent_at = CASE :state WHEN 'sent' THEN :now ELSE sent_at END, "
	    "style = coalesce(:style, style), "
	    "language = coalesce(:language, language), "
	    "updated_at = :now WHERE id = :id");
	store_bind(stmt, ":id", SB_INT, u->id, ":state", SB_TEXT, u->state,
	    ":reason", SB_TEXT, u->reason, ":provider", SB_TEXT,
	    u->provider_id, ":inc", SB_INT, (long long)u->attempt,
	    ":late", SB_INT, (long long)u->late, ":now", SB_INT,
	    (long long)u->now, ":style", SB_TEXT, u->style, ":language",
	    SB_TEXT, u->language, NULL);
	if (u->next_at > 0)
		store_bind(stmt, ":next", SB_INT, (long long)u->next_at, NULL);
	return (store_done(st, stmt, cause));
}

/*
 * The rows a token limited to groups (:t, 0 for none) sees: about its
 * groups' meetings, or, about no meeting, to its groups' people.
 */
#define STORE_OUT_SCOPE \
	"AND (:t = 0 OR CASE WHEN o.occurrence_id IS NULL THEN o.person_id " \
	"IN (SELECT m.person_id FROM memberships m JOIN api_token_groups g " \
	"ON g.group_id = m.group_id WHERE g.token_id = :t) ELSE " \
	"o.occurrence_id IN (SELECT x.id FROM occurrences x JOIN series s " \
	"ON s.id = x.series_id JOIN api_token_groups g ON g.group_id = " \
	"s.group_id WHERE g.token_id = :t) END) "

/*
 * Rows for coordinators: by state, person or occurrence (0: any), those
 * a token limited to groups sees (0: every row).
 */
json_t *
store_out_list(struct store *st, const char *state, long long person,
    long long occ, long long token, int limit, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_OUT_LIST, "SELECT o.id, o.occurrence_id, "
	    "o.person_id, p.name AS person, o.kind, o.lead, o.channel, "
	    "o.sequence, o.due_at, o.next_at, o.state, o.attempts, o.late, "
	    "o.reason, o.provider_id, o.sent_at, o.delivery, o.delivered_at "
	    "FROM outbox o JOIN people p "
	    "ON p.id = o.person_id WHERE (:state IS NULL OR o.state = :state) "
	    "AND (:p = 0 OR o.person_id = :p) AND (:o = 0 OR "
	    "o.occurrence_id = :o) " STORE_OUT_SCOPE
	    "ORDER BY o.due_at, o.id LIMIT :limit");
	store_bind(stmt, ":state", SB_TEXT, state, ":p", SB_INT, person,
	    ":o", SB_INT, occ, ":t", SB_INT, token, ":limit", SB_INT,
	    (long long)limit, NULL);
	return (store_rows(st, stmt, cause));
}

/*
 * How many rows are in each state, of one person or occurrence when given
 * (0: any), as the list beside them is.
 */
json_t *
store_out_counts(struct store *st, long long person, long long occ,
    long long token, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_OUT_COUNTS, "SELECT o.state, count(*) AS "
	    "n FROM outbox o WHERE (:p = 0 OR o.person_id = :p) AND (:o = 0 "
	    "OR o.occurrence_id = :o) " STORE_OUT_SCOPE
	    "GROUP BY o.state ORDER BY o.state");
	store_bind(stmt, ":p", SB_INT, person, ":o", SB_INT, occ, ":t",
	    SB_INT, token, NULL);
	return (store_rows(st, stmt, cause));
}

int
store_token_insert(struct store *st, const char *name, const void *hash,
    size_t len, char **cause)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	stmt = store_stmt(st, STMT_TOKEN_INSERT, "INSERT INTO api_tokens "
	    "(name, hash, created_at) VALUES (:name, :hash, :now)");
	store_bind(stmt, ":name", SB_TEXT, name, ":now", SB_INT,
	    (long long)clock_now(), NULL);
	sqlite3_bind_blob(stmt, sqlite3_bind_parameter_index(stmt, ":hash"),
	    hash, (int)len, SQLITE_TRANSIENT);
	rc = store_done(st, stmt, NULL);
	if (rc != 0)
		cause_set(cause, "name: a token called '%s' exists already",
		    name);
	return (rc);
}

/*
 * 1 when a token with this hash exists and is not revoked, its id in
 * *idp and its name in name.  Its last_used_at is written at most once
 * a minute: not a write a request.
 */
int
store_token_check(struct store *st, const void *hash, size_t len,
    long long *idp, char *name, size_t namelen)
{
	sqlite3_stmt	*stmt;
	const char	*v;
	long long	 id, last, now = (long long)clock_now();
	int		 rc, stale;

	stmt = store_stmt(st, STMT_TOKEN_CHECK, "SELECT id, "
	    "coalesce(last_used_at, 0), name FROM api_tokens WHERE hash = "
	    ":hash AND revoked_at IS NULL");
	sqlite3_bind_blob(stmt, sqlite3_bind_parameter_index(stmt, ":hash"),
	    hash, (int)len, SQLITE_TRANSIENT);
	rc = sqlite3_step(stmt);
	id = sqlite3_column_int64(stmt, 0);
	last = sqlite3_column_int64(stmt, 1);
	if (rc == SQLITE_ROW && name != NULL) {
		v = (const char *)sqlite3_column_text(stmt, 2);
		snprintf(name, namelen, "%s", v != NULL ? v : "token");
	}
	*idp = id;
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc != SQLITE_ROW)
		return (0);
	stale = now - last >= STORE_TOKEN_USED_EVERY || now < last;
	if (stale) {
		stmt = store_stmt(st, STMT_TOKEN_USED, "UPDATE api_tokens SET "
		    "last_used_at = :now WHERE id = :id");
		store_bind(stmt, ":now", SB_INT, now, ":id", SB_INT, id, NULL);
		if (store_done(st, stmt, NULL) != 0)
			log_warnx("%s: a token's last use was not kept",
			    st->path);
	}
	return (1);
}

/*
 * Record an SMS delivery report for a row's attempt.  A report never
 * takes a row back: "accepted" does not replace a final answer, and a
 * late "failed" from one attempt does not hide another's "delivered".
 */
int
store_out_delivery(struct store *st, long long id, int attempt,
    const char *delivery, time_t now, char **cause)
{
	sqlite3_stmt	*stmt;

	/*
	 * A report that the gateway has the text settles a row still
	 * waiting to be tried again (its answer was lost): no second SMS.
	 */
	stmt = store_stmt(st, STMT_OUT_DELIVERY, "UPDATE outbox SET "
	    "delivery = :d, delivered_at = CASE :d WHEN 'delivered' THEN "
	    "coalesce(delivered_at, :now) ELSE delivered_at END, "
	    "state = CASE WHEN :d != 'failed' AND state = 'pending' THEN "
	    "'sent' ELSE state END, "
	    "sent_at = CASE WHEN :d != 'failed' AND state = 'pending' THEN "
	    ":now ELSE sent_at END, "
	    "reason = CASE WHEN :d != 'failed' AND state = 'pending' THEN "
	    "'the gateway reported it had the text after its answer was "
	    "lost' ELSE reason END, "
	    "updated_at = :now WHERE id = :id AND channel = 'sms' AND "
	    "attempts >= :a AND CASE :d WHEN 'accepted' THEN delivery IN "
	    "('', 'accepted') WHEN 'failed' THEN delivery != 'delivered' "
	    "ELSE 1 END");
	store_bind(stmt, ":id", SB_INT, id, ":a", SB_INT, (long long)attempt,
	    ":d", SB_TEXT, delivery, ":now", SB_INT, (long long)now, NULL);
	return (store_done(st, stmt, cause));
}
