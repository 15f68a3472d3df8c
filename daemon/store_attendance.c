/*
 * store_attendance.c: who came to a meeting, in SQLite.  A person is
 * recorded attended, apologies (with a reason, or none) or absent, once
 * the meeting has begun; a later record is a correction that overwrites
 * the row.  Each change is an audit line ("record attendance" or
 * "correct attendance", object "occurrence:ID person:ID", detail "person
 * ID: old -> new"), written in the same transaction as the row and as
 * the payment it owes.
 *
 * Who may be recorded: a member of the meeting's group (the row keeps
 * their role then), a supporter of one (role "supporter", supporting the
 * member), or anyone already recorded there (their row keeps its role).
 *
 * One call records a whole meeting, in this order:
 *  1. from answers, when asked: each member not yet recorded, nor
 *     listed in the call, whose latest answer is yes is attended, no is
 *     apologies (a no is notice given); maybe and no answer record
 *     nothing;
 *  2. the people the call lists, as listed, whatever was there;
 *  3. the supporters linked to each member the call records attended,
 *     attended with them, unless a supporter is a member of the group
 *     too, is listed in the call, or is recorded there already (then
 *     their own row stands; correct it by listing them).
 *
 * A payment is owed for attended, and for apologies when the group pays
 * apologies: the role's rate (group_rates), else the group's rate; none
 * when that is 0 or nothing is owed.  A payment marked paid is never
 * changed; the correction's audit line says so.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "convene.h"
#include "store_int.h"
#include "util.h"

/* The meeting as a call needs it. */
struct attend_occ {
	long long	 id;
	long long	 group;
	const char	*slug;
	long long	 rate;		/* the group's own */
	int		 pay_apologies;
	const char	*actor;
	time_t		 now;
};

/* What one person's row is, or is to be. */
struct attend_row {
	char		 status[16];
	char		*reason;
	char		 role[16];
	long long	 supporting;	/* 0: none */
};

int
store_attendance_valid(const char *status)
{
	return (status != NULL && (strcmp(status, "attended") == 0 ||
	    strcmp(status, "apologies") == 0 ||
	    strcmp(status, "absent") == 0));
}

/* The row as it stands: 1 found, 0 none, -1 error. */
static int
store_attend_get(struct store *st, const struct attend_occ *o,
    long long person, struct attend_row *r, char **cause)
{
	sqlite3_stmt	*stmt;
	json_t		*row;

	memset(r, 0, sizeof *r);
	stmt = store_stmt(st, STMT_ATTEND_ROW, "SELECT status, reason, role, "
	    "supporting FROM attendance WHERE occurrence_id = :occ AND "
	    "person_id = :p");
	store_bind(stmt, ":occ", SB_INT, o->id, ":p", SB_INT, person, NULL);
	if ((row = store_row(st, stmt, cause)) == NULL)
		return (cause != NULL && *cause != NULL ? -1 : 0);
	snprintf(r->status, sizeof r->status, "%s", jstr(row, "status"));
	r->reason = xstrdup(jstr(row, "reason"));
	snprintf(r->role, sizeof r->role, "%s", jstr(row, "role"));
	r->supporting = jint(row, "supporting");
	json_decref(row);
	return (1);
}

/*
 * The role a person has at the meeting if they are not recorded yet:
 * 1 (r's role and supporting set), 0 neither a member nor a supporter
 * of one, -1 error.
 */
static int
store_attend_role(struct store *st, const struct attend_occ *o,
    long long person, struct attend_row *r, char **cause)
{
	sqlite3_stmt	*stmt;
	json_t		*row;

	stmt = store_stmt(st, STMT_ATTEND_ROLE, "SELECT role FROM memberships "
	    "WHERE group_id = :g AND person_id = :p");
	store_bind(stmt, ":g", SB_INT, o->group, ":p", SB_INT, person, NULL);
	if ((row = store_row(st, stmt, cause)) != NULL) {
		snprintf(r->role, sizeof r->role, "%s", jstr(row, "role"));
		r->supporting = 0;
		json_decref(row);
		return (1);
	}
	if (*cause != NULL)
		return (-1);
	/* The member they support who came, else the first. */
	stmt = store_stmt(st, STMT_ATTEND_SUPPORTS, "SELECT s.person_id "
	    "AS member FROM supporters s JOIN memberships m ON m.person_id = "
	    "s.person_id AND m.group_id = :g LEFT JOIN attendance a ON "
	    "a.occurrence_id = :occ AND a.person_id = s.person_id AND "
	    "a.status = 'attended' WHERE s.supporter_id = :p ORDER BY "
	    "a.person_id IS NULL, s.person_id LIMIT 1");
	store_bind(stmt, ":g", SB_INT, o->group, ":occ", SB_INT, o->id,
	    ":p", SB_INT, person, NULL);
	if ((row = store_row(st, stmt, cause)) != NULL) {
		snprintf(r->role, sizeof r->role, "supporter");
		r->supporting = jint(row, "member");
		json_decref(row);
		return (1);
	}
	return (*cause != NULL ? -1 : 0);
}

/*
 * The payment a row owes, written: made or changed while unpaid,
 * dropped when nothing is owed.  *paid is the date of a payment already
 * made ("" when none), which is left as it is.
 */
static int
store_attend_pay(struct store *st, const struct attend_occ *o,
    long long person, const struct attend_row *r, char paid[16],
    char **cause)
{
	sqlite3_stmt	*stmt;
	json_t		*row;
	long long	 amount = 0;
	int		 owed;

	paid[0] = '\0';
	stmt = store_stmt(st, STMT_ATTEND_PAID, "SELECT paid_on FROM payments "
	    "WHERE occurrence_id = :occ AND person_id = :p AND paid_on IS "
	    "NOT NULL");
	store_bind(stmt, ":occ", SB_INT, o->id, ":p", SB_INT, person, NULL);
	if ((row = store_row(st, stmt, cause)) != NULL) {
		snprintf(paid, 16, "%s", jstr(row, "paid_on"));
		json_decref(row);
		return (0);
	}
	if (*cause != NULL)
		return (-1);

	owed = strcmp(r->status, "attended") == 0 ||
	    (strcmp(r->status, "apologies") == 0 && o->pay_apologies);
	if (owed) {
		stmt = store_stmt(st, STMT_ATTEND_RATE, "SELECT rate_pence "
		    "FROM group_rates WHERE group_id = :g AND role = :role");
		store_bind(stmt, ":g", SB_INT, o->group, ":role", SB_TEXT,
		    r->role, NULL);
		if ((row = store_row(st, stmt, cause)) != NULL) {
			amount = jint(row, "rate_pence");
			json_decref(row);
		} else if (*cause != NULL)
			return (-1);
		else
			amount = o->rate;
	}
	if (amount <= 0) {
		stmt = store_stmt(st, STMT_ATTEND_PAY_DROP, "DELETE FROM "
		    "payments WHERE occurrence_id = :occ AND person_id = :p "
		    "AND paid_on IS NULL");
		store_bind(stmt, ":occ", SB_INT, o->id, ":p", SB_INT, person,
		    NULL);
		return (store_done(st, stmt, cause));
	}
	stmt = store_stmt(st, STMT_ATTEND_PAY_SET, "INSERT INTO payments "
	    "(occurrence_id, person_id, role, amount_pence, owed_at) VALUES "
	    "(:occ, :p, :role, :amount, :now) ON CONFLICT (occurrence_id, "
	    "person_id) DO UPDATE SET role = excluded.role, amount_pence = "
	    "excluded.amount_pence WHERE paid_on IS NULL");
	store_bind(stmt, ":occ", SB_INT, o->id, ":p", SB_INT, person,
	    ":role", SB_TEXT, r->role, ":amount", SB_INT, amount,
	    ":now", SB_INT, (long long)o->now, NULL);
	return (store_done(st, stmt, cause));
}

/* "apologies (ill)", or the status alone. */
static char *
store_attend_says(const char *status, const char *reason)
{
	if (reason == NULL || *reason == '\0')
		return (xstrdup(status));
	return (xprintf("%s (%s)", status, reason));
}

/*
 * Record one person's status: the row, its audit line and its payment,
 * or nothing when the row already says so.  1 written, 0 unchanged,
 * STORE_ATTEND_REFUSED when the person may not be recorded there
 * (*cause says why), -1 error.
 */
static int
store_attend_put(struct store *st, const struct attend_occ *o,
    long long person, const char *status, const char *reason,
    char **cause)
{
	struct attend_row	 old, new;
	sqlite3_stmt		*stmt;
	char			 paid[16], *was = NULL, *now = NULL;
	char			*object = NULL, *detail = NULL;
	int			 found, rc = -1;

	if (reason == NULL)
		reason = "";
	if ((found = store_attend_get(st, o, person, &old, cause)) < 0)
		return (-1);
	memset(&new, 0, sizeof new);
	if (found) {
		if (strcmp(old.status, status) == 0 &&
		    strcmp(old.reason, reason) == 0) {
			free(old.reason);
			return (0);
		}
		snprintf(new.role, sizeof new.role, "%s", old.role);
		new.supporting = old.supporting;
	} else {
		switch (store_attend_role(st, o, person, &new, cause)) {
		case -1:
			return (-1);
		case 0:
			cause_set(cause, "person %lld is not a member of %s, "
			    "nor supports one", person, o->slug);
			return (STORE_ATTEND_REFUSED);
		}
	}
	snprintf(new.status, sizeof new.status, "%s", status);

	stmt = store_stmt(st, STMT_ATTEND_SET, "INSERT INTO attendance "
	    "(occurrence_id, person_id, status, reason, role, supporting, "
	    "recorded_by, recorded_at) VALUES (:occ, :p, :status, :reason, "
	    ":role, :supporting, :by, :at) ON CONFLICT (occurrence_id, "
	    "person_id) DO UPDATE SET status = excluded.status, reason = "
	    "excluded.reason, recorded_by = excluded.recorded_by, "
	    "recorded_at = excluded.recorded_at");
	store_bind(stmt, ":occ", SB_INT, o->id, ":p", SB_INT, person,
	    ":status", SB_TEXT, status, ":reason", SB_TEXT, reason,
	    ":role", SB_TEXT, new.role, NULL);
	if (new.supporting != 0)
		store_bind(stmt, ":supporting", SB_INT, new.supporting, NULL);
	else
		store_bind(stmt, ":supporting", SB_NULL, NULL);
	store_bind(stmt, ":by", SB_TEXT, o->actor, ":at", SB_INT,
	    (long long)o->now, NULL);
	if (store_done(st, stmt, cause) != 0)
		goto out;
	if (store_attend_pay(st, o, person, &new, paid, cause) != 0)
		goto out;

	now = store_attend_says(status, reason);
	object = xprintf("occurrence:%lld person:%lld", o->id, person);
	if (!found)
		detail = xprintf("person %lld: %s", person, now);
	else {
		was = store_attend_says(old.status, old.reason);
		detail = xprintf("person %lld: %s -> %s%s%s%s", person, was,
		    now, *paid != '\0' ? "; paid on " : "", paid,
		    *paid != '\0' ? ", unchanged" : "");
	}
	if (store_audit(st, o->actor, found ? "correct attendance" :
	    "record attendance", object, detail) != 0) {
		store_cause(st, cause, NULL);
		goto out;
	}
	rc = 1;
out:
	free(old.reason);
	free(was);
	free(now);
	free(object);
	free(detail);
	return (rc);
}

/* The meeting, checked: 0, or a refusal or error with *cause. */
static int
store_attend_occ(struct store *st, long long id, time_t now,
    struct attend_occ *o, json_t **keep, char **cause)
{
	sqlite3_stmt	*stmt;
	json_t		*row;

	stmt = store_stmt(st, STMT_ATTEND_OCC, "SELECT o.start_at, o.status, "
	    "s.group_id, g.slug, g.payment_rate_pence AS rate, "
	    "g.pay_apologies FROM occurrences o JOIN series s ON s.id = "
	    "o.series_id JOIN groups g ON g.id = s.group_id WHERE o.id = "
	    ":occ");
	store_bind(stmt, ":occ", SB_INT, id, NULL);
	if ((row = store_row(st, stmt, cause)) == NULL) {
		if (*cause != NULL)
			return (-1);
		cause_set(cause, "no such occurrence");
		return (STORE_ATTEND_NONE);
	}
	*keep = row;
	o->id = id;
	o->group = jint(row, "group_id");
	o->slug = jstr(row, "slug");
	o->rate = jint(row, "rate");
	o->pay_apologies = jint(row, "pay_apologies") != 0;
	if (strcmp(jstr(row, "status"), "cancelled") == 0 ||
	    strcmp(jstr(row, "status"), "removed") == 0) {
		cause_set(cause, "occurrence %lld is %s: nobody attends it",
		    id, jstr(row, "status"));
		return (STORE_ATTEND_EARLY);
	}
	if (jint(row, "start_at") > (long long)now) {
		cause_set(cause, "occurrence %lld has not started: attendance "
		    "is recorded from its start", id);
		return (STORE_ATTEND_EARLY);
	}
	return (0);
}

/* Whether the call lists a person. */
static int
store_attend_listed(const struct attendance_in *in, long long person)
{
	size_t	i;

	for (i = 0; i < in->nmarks; i++)
		if (in->marks[i].person_id == person)
			return (1);
	return (0);
}

/*
 * Step 1: the members' answers, for those not yet recorded nor listed
 * in the call (what it lists is recorded once, as listed).
 */
static int
store_attend_answers(struct store *st, const struct attend_occ *o,
    const struct attendance_in *in, json_t *attended, int *changed,
    char **cause)
{
	sqlite3_stmt	*stmt;
	json_t		*rows, *row;
	size_t		 i;
	int		 rc = 0, yes;

	stmt = store_stmt(st, STMT_ATTEND_ANSWERS, "SELECT person, answer "
	    "FROM (SELECT m.person_id AS person, (SELECT a.answer FROM "
	    "answers a WHERE a.occurrence_id = :occ AND a.person_id = "
	    "m.person_id ORDER BY a.at DESC, a.id DESC LIMIT 1) AS answer "
	    "FROM memberships m WHERE m.group_id = :g AND NOT EXISTS (SELECT "
	    "1 FROM attendance t WHERE t.occurrence_id = :occ AND "
	    "t.person_id = m.person_id)) WHERE answer IN ('yes', 'no') "
	    "ORDER BY person");
	store_bind(stmt, ":occ", SB_INT, o->id, ":g", SB_INT, o->group, NULL);
	if ((rows = store_rows(st, stmt, cause)) == NULL)
		return (-1);
	json_array_foreach(rows, i, row) {
		if (store_attend_listed(in, jint(row, "person")))
			continue;
		yes = strcmp(jstr(row, "answer"), "yes") == 0;
		rc = store_attend_put(st, o, jint(row, "person"), yes ?
		    "attended" : "apologies", NULL, cause);
		if (rc < 0)
			break;
		*changed += rc;
		rc = 0;
		if (yes)
			json_array_append_new(attended,
			    json_integer(jint(row, "person")));
	}
	json_decref(rows);
	return (rc);
}

/* Step 3: each member's supporters with them, as the top says. */
static int
store_attend_with(struct store *st, const struct attend_occ *o,
    const struct attendance_in *in, json_t *attended, int *changed,
    char **cause)
{
	sqlite3_stmt	*stmt;
	json_t		*rows, *row, *m;
	size_t		 i, j;
	long long	 s;
	int		 rc = 0;

	json_array_foreach(attended, i, m) {
		stmt = store_stmt(st, STMT_ATTEND_WITH, "SELECT "
		    "s.supporter_id AS supporter FROM supporters s WHERE "
		    "s.person_id = :m AND NOT EXISTS (SELECT 1 FROM "
		    "memberships x WHERE x.group_id = :g AND x.person_id = "
		    "s.supporter_id) AND NOT EXISTS (SELECT 1 FROM attendance "
		    "a WHERE a.occurrence_id = :occ AND a.person_id = "
		    "s.supporter_id) ORDER BY s.supporter_id");
		store_bind(stmt, ":m", SB_INT,
		    (long long)json_integer_value(m), ":g", SB_INT, o->group,
		    ":occ", SB_INT, o->id, NULL);
		if ((rows = store_rows(st, stmt, cause)) == NULL)
			return (-1);
		json_array_foreach(rows, j, row) {
			s = jint(row, "supporter");
			if (store_attend_listed(in, s))
				continue;
			/* They support this member, who came. */
			rc = store_attend_put(st, o, s, "attended", NULL,
			    cause);
			if (rc < 0)
				break;
			*changed += rc;
			rc = 0;
		}
		json_decref(rows);
		if (rc != 0)
			return (rc);
	}
	return (0);
}

/*
 * Record a meeting's attendance as the top of this file says, in one
 * transaction: 0 (with *changed, the rows written), -1 error, or
 * STORE_ATTEND_NONE, _EARLY, _REFUSED with *cause saying why; nothing
 * is written unless all of it is.
 */
int
store_attendance_record(struct store *st, const struct attendance_in *in,
    int *changed, char **cause)
{
	struct attend_occ	 o;
	json_t			*keep = NULL, *attended;
	size_t			 i, j;
	int			 rc;

	*changed = 0;
	for (i = 0; i < in->nmarks; i++) {
		if (!store_attendance_valid(in->marks[i].status)) {
			cause_set(cause, "status: \"%s\" is not attended, "
			    "apologies or absent", in->marks[i].status ?
			    in->marks[i].status : "");
			return (STORE_ATTEND_REFUSED);
		}
		for (j = 0; j < i; j++) {
			if (in->marks[j].person_id != in->marks[i].person_id)
				continue;
			cause_set(cause, "person %lld is listed twice",
			    in->marks[i].person_id);
			return (STORE_ATTEND_REFUSED);
		}
	}
	if (store_begin(st) != 0) {
		cause_set(cause, STORE_BUSY_CAUSE ": cannot begin");
		return (-1);
	}
	memset(&o, 0, sizeof o);
	o.actor = in->actor;
	o.now = in->now;
	attended = json_array();
	if ((rc = store_attend_occ(st, in->occurrence_id, in->now, &o, &keep,
	    cause)) != 0)
		goto out;
	if (in->from_answers && (rc = store_attend_answers(st, &o, in,
	    attended, changed, cause)) != 0)
		goto out;
	for (i = 0; i < in->nmarks; i++) {
		rc = store_attend_put(st, &o, in->marks[i].person_id,
		    in->marks[i].status, in->marks[i].reason, cause);
		if (rc < 0 || rc == STORE_ATTEND_REFUSED)
			goto out;
		*changed += rc;
		rc = 0;
		if (strcmp(in->marks[i].status, "attended") == 0)
			json_array_append_new(attended,
			    json_integer(in->marks[i].person_id));
	}
	rc = store_attend_with(st, &o, in, attended, changed, cause);
out:
	json_decref(attended);
	json_decref(keep);
	if (store_end(st, rc == 0) != 0 && rc == 0) {
		cause_set(cause, "database: cannot commit");
		return (-1);
	}
	if (rc != 0)
		*changed = 0;
	return (rc);
}

/* A meeting's attendance, by person. */
json_t *
store_attendance_list(struct store *st, long long occ, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_ATTEND_LIST, "SELECT a.person_id AS "
	    "person, p.name, a.status, a.reason, a.role, a.supporting, "
	    "a.recorded_by, a.recorded_at FROM attendance a JOIN people p ON "
	    "p.id = a.person_id WHERE a.occurrence_id = :occ ORDER BY "
	    "a.person_id");
	store_bind(stmt, ":occ", SB_INT, occ, NULL);
	return (store_rows(st, stmt, cause));
}
