/*
 * store_need.c: what members need to take part, in SQLite.  A request
 * is one need of one person at one meeting; it goes from requested to
 * arranged, unable (with the reason) or withdrawn, and every state it
 * takes is an event with its actor and time, so a coordinator can see
 * who did what when.  Its deadline is the meeting's start less the
 * need's lead days, computed again when the meeting moves.  A request
 * that becomes arranged or unable queues an "access" message to the
 * member (lead "r<request>.<event>"), in their first channel.
 *
 * Standing needs are a member's own list, carried to every meeting
 * they answer yes or maybe to, in the transaction that records the
 * answer (store_answer_add), once; an answer no withdraws what was
 * carried.  The store keeps the catalogue's lead days
 * (store_need_catalogue) to compute deadlines by itself.
 *
 * Supporters (a personal assistant, or another who comes with the
 * member) are linked to the member only with consent recorded.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "convene.h"
#include "store_int.h"
#include "util.h"

struct store_need_lead {
	char	code[STORE_NEED_CODE_MAX + 1];
	int	lead_days;
};

/* Keep the catalogue's codes and lead days; "other" is always known. */
void
store_need_catalogue(struct store *st, const struct config *conf)
{
	size_t	i, n = 0;

	free(st->leads);
	st->leads = NULL;
	st->nleads = 0;
	if (conf == NULL || conf->nneeds == 0)
		return;
	st->leads = xcalloc(conf->nneeds, sizeof *st->leads);
	for (i = 0; i < conf->nneeds; i++) {
		if (strlen(conf->needs[i].code) > STORE_NEED_CODE_MAX)
			continue;
		snprintf(st->leads[n].code, sizeof st->leads[n].code, "%s",
		    conf->needs[i].code);
		st->leads[n++].lead_days = conf->needs[i].lead_days;
	}
	st->nleads = n;
}

/* The catalogue of src, kept by dst too (a connection of a thread). */
void
store_need_catalogue_copy(struct store *dst, const struct store *src)
{
	free(dst->leads);
	dst->leads = NULL;
	dst->nleads = src->nleads;
	if (src->nleads == 0)
		return;
	dst->leads = xcalloc(src->nleads, sizeof *dst->leads);
	memcpy(dst->leads, src->leads, src->nleads * sizeof *dst->leads);
}

/* The lead days of a code: -1 when the catalogue does not have it. */
static int
store_need_lead(struct store *st, const char *code)
{
	size_t	i;

	if (strcmp(code, "other") == 0)
		return (0);
	for (i = 0; i < st->nleads; i++) {
		if (strcmp(st->leads[i].code, code) == 0)
			return (st->leads[i].lead_days);
	}
	return (-1);
}

int
store_need_known(struct store *st, const char *code)
{
	return (code != NULL && store_need_lead(st, code) >= 0);
}

/* Which state may follow which. */
static int
store_need_may(const char *from, const char *to)
{
	static const char *const moves[][2] = {
		{ "requested", "arranged" }, { "requested", "unable" },
		{ "requested", "withdrawn" }, { "arranged", "unable" },
		{ "arranged", "withdrawn" }, { "unable", "arranged" },
		{ "withdrawn", "requested" },
	};
	size_t	i;

	for (i = 0; i < sizeof moves / sizeof moves[0]; i++) {
		if (strcmp(moves[i][0], from) == 0 &&
		    strcmp(moves[i][1], to) == 0)
			return (1);
	}
	return (0);
}

int
store_need_state_valid(const char *s)
{
	return (s != NULL && (strcmp(s, "requested") == 0 ||
	    strcmp(s, "arranged") == 0 || strcmp(s, "unable") == 0 ||
	    strcmp(s, "withdrawn") == 0));
}

/* One row for a state taken: the id of the event, or -1. */
static long long
store_need_event(struct store *st, long long id, const char *state,
    const char *reason, const char *actor, time_t now, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_NEED_EVENT, "INSERT INTO access_events "
	    "(request_id, at, actor, state, reason) VALUES (:id, :at, "
	    ":actor, :state, :reason)");
	store_bind(stmt, ":id", SB_INT, id, ":at", SB_INT, (long long)now,
	    ":actor", SB_TEXT, actor != NULL ? actor : "", ":state", SB_TEXT,
	    state, ":reason", SB_TEXT, reason != NULL ? reason : "", NULL);
	if (store_done(st, stmt, cause) != 0)
		return (-1);
	return (sqlite3_last_insert_rowid(st->db));
}

/*
 * Tell the member in their first channel that a request is arranged or
 * unable: one message per event.  A member with only a feed gets none.
 */
static int
store_need_notify(struct store *st, long long id, long long event,
    time_t now, char **cause)
{
	sqlite3_stmt	*stmt;
	char		 lead[64];

	snprintf(lead, sizeof lead, "r%lld.%lld", id, event);
	stmt = store_stmt(st, STMT_NEED_NOTIFY, "INSERT INTO outbox "
	    "(occurrence_id, person_id, kind, lead, channel, sequence, due_at, "
	    "next_at, created_at, updated_at) SELECT r.occurrence_id, "
	    "r.person_id, 'access', :lead, " STORE_FIRST_CHANNEL ", "
	    "oc.sequence, :now, :now, :now, :now FROM access_requests r "
	    "JOIN people p ON p.id = r.person_id JOIN occurrences oc ON "
	    "oc.id = r.occurrence_id WHERE r.id = :id AND "
	    STORE_FIRST_CHANNEL " IS NOT NULL ON CONFLICT DO NOTHING");
	store_bind(stmt, ":lead", SB_TEXT, lead, ":id", SB_INT, id, ":now",
	    SB_INT, (long long)now, NULL);
	return (store_done(st, stmt, cause));
}

/* The state, standing flag and last actor of a request; 0 none, 1 found. */
static int
store_need_find(struct store *st, long long occ, long long person,
    const char *need, long long *id, char state[16], int *standing,
    char actor[64], char **cause)
{
	sqlite3_stmt	*stmt;
	const char	*s;
	int		 rc, found = 0;

	stmt = store_stmt(st, STMT_NEED_FIND, "SELECT r.id, r.state, "
	    "r.standing, coalesce((SELECT e.actor FROM access_events e WHERE "
	    "e.request_id = r.id ORDER BY e.id DESC LIMIT 1), '') "
	    "FROM access_requests r WHERE r.occurrence_id = :o AND "
	    "r.person_id = :p AND r.need = :need");
	store_bind(stmt, ":o", SB_INT, occ, ":p", SB_INT, person, ":need",
	    SB_TEXT, need, NULL);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(stmt, 0);
		s = (const char *)sqlite3_column_text(stmt, 1);
		snprintf(state, 16, "%s", s != NULL ? s : "");
		*standing = sqlite3_column_int(stmt, 2);
		s = (const char *)sqlite3_column_text(stmt, 3);
		snprintf(actor, 64, "%s", s != NULL ? s : "");
		found = 1;
	} else if (rc != SQLITE_DONE)
		store_cause(st, cause, NULL);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (-1);
	return (found);
}

/* Move a request to a state and record the event: its id, or -1. */
static long long
store_need_move_to(struct store *st, long long id, const char *state,
    const char *reason, const char *actor, time_t now, char **cause)
{
	sqlite3_stmt	*stmt;
	long long	 event;

	stmt = store_stmt(st, STMT_NEED_STATE, "UPDATE access_requests SET "
	    "state = :state, reason = :reason, updated_at = :now WHERE "
	    "id = :id");
	store_bind(stmt, ":id", SB_INT, id, ":state", SB_TEXT, state,
	    ":reason", SB_TEXT, strcmp(state, "unable") == 0 && reason !=
	    NULL ? reason : "", ":now", SB_INT, (long long)now, NULL);
	if (store_done(st, stmt, cause) != 0)
		return (-1);
	event = store_need_event(st, id, state, strcmp(state, "unable") ==
	    0 ? reason : "", actor, now, cause);
	if (event < 0)
		return (-1);
	if ((strcmp(state, "arranged") == 0 || strcmp(state, "unable") ==
	    0) && store_need_notify(st, id, event, now, cause) != 0)
		return (-1);
	return (event);
}

/*
 * Make a request, or ask again for one withdrawn (when again says so).
 * 0 made or asked again, STORE_NEED_UNCHANGED when it stands already,
 * -1 error; *id is the request's.
 */
static int
store_need_make(struct store *st, const struct need_in *in, int standing,
    int again, long long *id, char **cause)
{
	sqlite3_stmt	*stmt;
	char		 state[16], actor[64];
	int		 lead, rc, was_standing;
	long long	 start;

	*id = 0;
	if ((lead = store_need_lead(st, in->need)) < 0) {
		if (!standing) {
			cause_set(cause, "need: \"%s\" is not in the "
			    "catalogue", in->need);
			return (-1);
		}
		lead = 0;	/* taken out of the catalogue since */
	}
	rc = store_need_find(st, in->occurrence_id, in->person_id, in->need,
	    id, state, &was_standing, actor, cause);
	if (rc < 0)
		return (-1);
	if (rc == 1) {
		if (strcmp(state, "withdrawn") != 0 || !again)
			return (STORE_NEED_UNCHANGED);
		stmt = store_stmt(st, STMT_NEED_DETAIL, "UPDATE "
		    "access_requests SET detail = coalesce(:detail, detail) "
		    "WHERE id = :id");
		store_bind(stmt, ":id", SB_INT, *id, ":detail", SB_TEXT,
		    in->detail != NULL && *in->detail != '\0' ? in->detail :
		    NULL, NULL);
		if (store_done(st, stmt, cause) != 0)
			return (-1);
		return (store_need_move_to(st, *id, "requested", NULL,
		    in->actor, in->now, cause) < 0 ? -1 : 0);
	}
	stmt = store_stmt(st, STMT_NEED_OCC_START, "SELECT start_at FROM "
	    "occurrences WHERE id = :o");
	store_bind(stmt, ":o", SB_INT, in->occurrence_id, NULL);
	rc = sqlite3_step(stmt);
	start = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		store_cause(st, cause, NULL);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc == SQLITE_DONE)
		cause_set(cause, "occurrence %lld: no such meeting",
		    in->occurrence_id);
	if (rc != SQLITE_ROW)
		return (-1);
	stmt = store_stmt(st, STMT_NEED_INSERT, "INSERT INTO access_requests "
	    "(person_id, occurrence_id, need, detail, state, standing, "
	    "deadline_at, created_at, updated_at) VALUES (:p, :o, :need, "
	    ":detail, 'requested', :standing, :deadline, :now, :now)");
	store_bind(stmt, ":p", SB_INT, in->person_id, ":o", SB_INT,
	    in->occurrence_id, ":need", SB_TEXT, in->need, ":detail", SB_TEXT,
	    in->detail != NULL ? in->detail : "", ":standing", SB_INT,
	    (long long)(standing != 0), ":deadline", SB_INT,
	    start - lead * 86400LL, ":now", SB_INT, (long long)in->now, NULL);
	if (store_done(st, stmt, cause) != 0)
		return (-1);
	*id = sqlite3_last_insert_rowid(st->db);
	if (store_need_event(st, *id, "requested", NULL, in->actor, in->now,
	    cause) < 0)
		return (-1);
	return (0);
}

/* A request asked for (by the member on a page, or a coordinator). */
int
store_need_request(struct store *st, const struct need_in *in,
    long long *id, char **cause)
{
	int	rc;

	if (store_begin(st) != 0) {
		cause_set(cause, STORE_BUSY_CAUSE ": cannot begin");
		return (-1);
	}
	rc = store_need_make(st, in, 0, 1, id, cause);
	if (store_end(st, rc >= 0) != 0 && rc >= 0) {
		cause_set(cause, "database: cannot commit");
		return (-1);
	}
	return (rc);
}

/*
 * A request moved on to a state, with the reason when unable: 0 done,
 * STORE_NEED_UNCHANGED already so, STORE_NEED_REFUSED when that state
 * may not follow (*cause says why), -1 error or no such request.
 */
int
store_need_set(struct store *st, long long id, const char *state,
    const char *reason, const char *actor, time_t now, char **cause)
{
	sqlite3_stmt	*stmt;
	char		*from = NULL;
	const char	*s;
	int		 rc;

	if (!store_need_state_valid(state)) {
		cause_set(cause, "state: \"%s\" is not requested, arranged, "
		    "unable or withdrawn", state != NULL ? state : "");
		return (STORE_NEED_REFUSED);
	}
	if (strcmp(state, "unable") == 0 && (reason == NULL ||
	    *reason == '\0')) {
		cause_set(cause, "reason: say why it cannot be arranged");
		return (STORE_NEED_REFUSED);
	}
	if (store_begin(st) != 0) {
		cause_set(cause, STORE_BUSY_CAUSE ": cannot begin");
		return (-1);
	}
	stmt = store_stmt(st, STMT_NEED_STATE_OF, "SELECT state FROM "
	    "access_requests WHERE id = :id");
	store_bind(stmt, ":id", SB_INT, id, NULL);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && (s = (const char *)sqlite3_column_text(stmt,
	    0)) != NULL)
		from = xstrdup(s);
	else if (rc != SQLITE_DONE)
		store_cause(st, cause, NULL);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (from == NULL) {
		if (rc == SQLITE_DONE || rc == SQLITE_ROW)
			cause_set(cause, "request %lld: no such request", id);
		rc = -1;
	} else if (strcmp(from, state) == 0)
		rc = STORE_NEED_UNCHANGED;
	else if (!store_need_may(from, state)) {
		cause_set(cause, "state: a request %s cannot become %s",
		    from, state);
		rc = STORE_NEED_REFUSED;
	} else
		rc = store_need_move_to(st, id, state, reason, actor, now,
		    cause) < 0 ? -1 : 0;
	free(from);
	if (store_end(st, rc == 0) != 0 && rc == 0) {
		cause_set(cause, "database: cannot commit");
		return (-1);
	}
	return (rc);
}

/*
 * After an answer, in its transaction: yes or maybe carries the
 * member's standing needs to the meeting (a request withdrawn by an
 * earlier answer no is asked again); no withdraws the requests carried.
 * The latest answer is the one that counts.
 */
int
store_need_answered(struct store *st, long long person, long long occ,
    const char *channel, time_t now, char **cause)
{
	struct need_in	 in;
	sqlite3_stmt	*stmt;
	json_t		*rows, *row;
	char		 answer[8], *note = NULL, actor[64], state[16];
	char		 last[64];
	long long	 id;
	size_t		 i;
	int		 rc, standing;

	rc = store_answer_latest(st, person, occ, answer, &note, cause);
	free(note);
	if (rc != 1)
		return (rc);
	snprintf(actor, sizeof actor, "answer by %s", channel != NULL ?
	    channel : "?");
	if (strcmp(answer, "no") == 0) {
		stmt = store_stmt(st, STMT_NEED_CARRIED, "SELECT id FROM "
		    "access_requests WHERE occurrence_id = :o AND person_id = "
		    ":p AND standing = 1 AND state IN ('requested', "
		    "'arranged') ORDER BY id");
		store_bind(stmt, ":o", SB_INT, occ, ":p", SB_INT, person,
		    NULL);
		if ((rows = store_rows(st, stmt, cause)) == NULL)
			return (-1);
		json_array_foreach(rows, i, row) {
			if (store_need_move_to(st, jint(row, "id"),
			    "withdrawn", NULL, actor, now, cause) < 0) {
				json_decref(rows);
				return (-1);
			}
		}
		json_decref(rows);
		return (0);
	}
	if ((rows = store_need_standing(st, person, cause)) == NULL)
		return (-1);
	memset(&in, 0, sizeof in);
	in.person_id = person;
	in.occurrence_id = occ;
	in.actor = actor;
	in.now = now;
	rc = 0;
	json_array_foreach(rows, i, row) {
		in.need = jstr(row, "need");
		in.detail = jstr(row, "detail");
		/* Asked again only if an answer no withdrew it. */
		if ((rc = store_need_find(st, occ, person, in.need, &id,
		    state, &standing, last, cause)) < 0)
			break;
		rc = store_need_make(st, &in, 1, rc == 1 && standing &&
		    strncmp(last, "answer by ", 10) == 0, &id, cause);
		if (rc < 0)
			break;
	}
	json_decref(rows);
	return (rc < 0 ? -1 : 0);
}

/* Whether code is one of n codes. */
static int
store_need_in(const char *code, const char *const *codes, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (strcmp(codes[i], code) == 0)
			return (1);
	}
	return (0);
}

/*
 * What a member chose on their page for one meeting: the n needs of
 * codes and, when other is not empty, "other" in those words.  Each is
 * asked for (again, if withdrawn); every other open request of theirs
 * there is withdrawn.  Codes the catalogue lacks are passed over.
 */
int
store_need_choose(struct store *st, long long person, long long occ,
    const char *const *codes, size_t n, const char *other, time_t now,
    char **cause)
{
	struct need_in	 in;
	sqlite3_stmt	*stmt;
	json_t		*mine = NULL, *r;
	const char	*need;
	long long	 id;
	size_t		 i;
	int		 ok = 1, keep;

	if (store_begin(st) != 0) {
		cause_set(cause, STORE_BUSY_CAUSE ": cannot begin");
		return (-1);
	}
	memset(&in, 0, sizeof in);
	in.person_id = person;
	in.occurrence_id = occ;
	in.actor = "member";
	in.now = now;
	for (i = 0; ok && i < n; i++) {
		if (strcmp(codes[i], "other") == 0 ||
		    !store_need_known(st, codes[i]))
			continue;
		in.need = codes[i];
		ok = store_need_make(st, &in, 0, 1, &id, cause) >= 0;
	}
	if (ok && other != NULL && *other != '\0') {
		in.need = "other";
		in.detail = other;
		ok = store_need_make(st, &in, 0, 1, &id, cause) >= 0;
		if (ok) {
			/* Their words as they are now. */
			stmt = store_stmt(st, STMT_NEED_DETAIL, "UPDATE "
			    "access_requests SET detail = coalesce(:detail, "
			    "detail) WHERE id = :id");
			store_bind(stmt, ":id", SB_INT, id, ":detail",
			    SB_TEXT, other, NULL);
			ok = store_done(st, stmt, cause) == 0;
		}
	}
	if (ok)
		ok = (mine = store_need_mine(st, person, occ, cause)) != NULL;
	json_array_foreach(mine, i, r) {
		if (!ok)
			break;
		need = jstr(r, "need");
		if (strcmp(need, "other") == 0)
			keep = other != NULL && *other != '\0';
		else
			keep = store_need_in(need, codes, n);
		if (keep || (strcmp(jstr(r, "state"), "requested") != 0 &&
		    strcmp(jstr(r, "state"), "arranged") != 0))
			continue;
		ok = store_need_move_to(st, jint(r, "id"), "withdrawn", NULL,
		    "member", now, cause) >= 0;
	}
	json_decref(mine);
	if (store_end(st, ok) != 0) {
		cause_set(cause, "database: cannot commit");
		return (-1);
	}
	return (0);
}

/*
 * A meeting cancelled: what was asked for there and still open is
 * withdrawn, so that nobody books an interpreter for a meeting that is
 * not happening; the history says why.
 */
int
store_need_cancelled(struct store *st, long long occ, time_t now,
    char **cause)
{
	sqlite3_stmt	*stmt;
	json_t		*rows, *row;
	size_t		 i;
	int		 rc = 0;

	stmt = store_stmt(st, STMT_NEED_OPEN_OF_OCC, "SELECT id FROM "
	    "access_requests WHERE occurrence_id = :o AND state IN "
	    "('requested', 'arranged') ORDER BY id");
	store_bind(stmt, ":o", SB_INT, occ, NULL);
	if ((rows = store_rows(st, stmt, cause)) == NULL)
		return (-1);
	json_array_foreach(rows, i, row) {
		if (store_need_move_to(st, jint(row, "id"), "withdrawn", NULL,
		    "meeting cancelled", now, cause) < 0) {
			rc = -1;
			break;
		}
	}
	json_decref(rows);
	return (rc);
}

/* The deadlines of a meeting's requests, from its start now. */
int
store_need_deadlines(struct store *st, long long occ, char **cause)
{
	sqlite3_stmt	*stmt;
	json_t		*rows, *row;
	size_t		 i;
	int		 lead, rc = 0;

	stmt = store_stmt(st, STMT_NEED_OF_OCC, "SELECT r.id, r.need, "
	    "o.start_at FROM access_requests r JOIN occurrences o ON o.id = "
	    "r.occurrence_id WHERE r.occurrence_id = :o");
	store_bind(stmt, ":o", SB_INT, occ, NULL);
	if ((rows = store_rows(st, stmt, cause)) == NULL)
		return (-1);
	json_array_foreach(rows, i, row) {
		if ((lead = store_need_lead(st, jstr(row, "need"))) < 0)
			lead = 0;
		stmt = store_stmt(st, STMT_NEED_DEADLINE, "UPDATE "
		    "access_requests SET deadline_at = :d WHERE id = :id");
		store_bind(stmt, ":id", SB_INT, jint(row, "id"), ":d", SB_INT,
		    jint(row, "start_at") - lead * 86400LL, NULL);
		if ((rc = store_done(st, stmt, cause)) != 0)
			break;
	}
	json_decref(rows);
	return (rc);
}

/* The same for the meeting rid of a series, which followed its series. */
int
store_need_deadlines_rid(struct store *st, long long series, const char *rid,
    char **cause)
{
	sqlite3_stmt	*stmt;
	long long	 id = 0;
	int		 rc;

	stmt = store_stmt(st, STMT_NEED_OCC_RID, "SELECT id FROM occurrences "
	    "WHERE series_id = :s AND recurrence_id = :rid");
	store_bind(stmt, ":s", SB_INT, series, ":rid", SB_TEXT, rid, NULL);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		id = sqlite3_column_int64(stmt, 0);
	else if (rc != SQLITE_DONE)
		store_cause(st, cause, NULL);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (-1);
	return (id > 0 ? store_need_deadlines(st, id, cause) : 0);
}

/* The states a request took, oldest first. */
static json_t *
store_need_history(struct store *st, long long id, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_NEED_HISTORY, "SELECT at, actor, state, "
	    "reason FROM access_events WHERE request_id = :id ORDER BY at, "
	    "id");
	store_bind(stmt, ":id", SB_INT, id, NULL);
	return (store_rows(st, stmt, cause));
}

/* Each request's history put in it. */
static json_t *
store_need_with_history(struct store *st, json_t *rows, char **cause)
{
	json_t	*row, *h;
	size_t	 i;

	if (rows == NULL)
		return (NULL);
	json_array_foreach(rows, i, row) {
		if ((h = store_need_history(st, jint(row, "id"),
		    cause)) == NULL) {
			json_decref(rows);
			return (NULL);
		}
		json_object_set_new(row, "history", h);
	}
	return (rows);
}

#define STORE_NEED_COLS \
	"r.id, r.person_id AS person, p.name, r.occurrence_id AS " \
	"occurrence, r.need, r.detail, r.state, r.reason, r.standing, " \
	"r.deadline_at, r.created_at, r.updated_at"

/*
 * A meeting's requests for coordinators, soonest deadline first, each
 * with its history; state and need ("" or NULL: any) filter them.
 */
json_t *
store_need_list(struct store *st, long long occ, const char *state,
    const char *need, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_NEED_LIST, "SELECT " STORE_NEED_COLS
	    " FROM access_requests r JOIN people p ON p.id = r.person_id "
	    "WHERE r.occurrence_id = :o AND (:state IS NULL OR r.state = "
	    ":state) AND (:need IS NULL OR r.need = :need) ORDER BY "
	    "r.deadline_at, p.name, r.id");
	store_bind(stmt, ":o", SB_INT, occ, ":state", SB_TEXT,
	    state != NULL && *state != '\0' ? state : NULL, ":need", SB_TEXT,
	    need != NULL && *need != '\0' ? need : NULL, NULL);
	return (store_need_with_history(st, store_rows(st, stmt, cause),
	    cause));
}

/* One request with its history; NULL with no cause when there is none. */
json_t *
store_need_get(struct store *st, long long id, char **cause)
{
	sqlite3_stmt	*stmt;
	json_t		*row, *h;

	stmt = store_stmt(st, STMT_NEED_GET, "SELECT " STORE_NEED_COLS
	    " FROM access_requests r JOIN people p ON p.id = r.person_id "
	    "WHERE r.id = :id");
	store_bind(stmt, ":id", SB_INT, id, NULL);
	if ((row = store_row(st, stmt, cause)) == NULL)
		return (NULL);
	if ((h = store_need_history(st, id, cause)) == NULL) {
		json_decref(row);
		return (NULL);
	}
	json_object_set_new(row, "history", h);
	return (row);
}

/*
 * A person's requests at one meeting, for their own page, each with
 * who moved it last ("last_actor").
 */
json_t *
store_need_mine(struct store *st, long long person, long long occ,
    char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_NEED_MINE, "SELECT r.id, r.need, "
	    "r.detail, r.state, r.reason, r.standing, coalesce((SELECT "
	    "e.actor FROM access_events e WHERE e.request_id = r.id ORDER BY "
	    "e.id DESC LIMIT 1), '') AS last_actor FROM access_requests r "
	    "WHERE r.occurrence_id = :o AND r.person_id = :p ORDER BY r.id");
	store_bind(stmt, ":o", SB_INT, occ, ":p", SB_INT, person, NULL);
	return (store_rows(st, stmt, cause));
}

/* A person's standing needs: [{"need", "detail", "set_by", "at"}]. */
json_t *
store_need_standing(struct store *st, long long person, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_NEED_STANDING, "SELECT need, detail, "
	    "set_by, at FROM needs_standing WHERE person_id = :p ORDER BY "
	    "need");
	store_bind(stmt, ":p", SB_INT, person, NULL);
	return (store_rows(st, stmt, cause));
}

/*
 * A person's standing needs replaced by needs, [{"need", "detail"}]:
 * codes the catalogue has, or "other".
 */
int
store_need_standing_set(struct store *st, long long person, json_t *needs,
    const char *set_by, time_t now, char **cause)
{
	sqlite3_stmt	*stmt;
	json_t		*n;
	const char	*code;
	size_t		 i;
	int		 ok = 1;

	json_array_foreach(needs, i, n) {
		code = jstr(n, "need");
		if (!store_need_known(st, code)) {
			cause_set(cause, "needs: \"%s\" is not in the "
			    "catalogue", code);
			return (STORE_NEED_REFUSED);
		}
	}
	if (store_begin(st) != 0) {
		cause_set(cause, STORE_BUSY_CAUSE ": cannot begin");
		return (-1);
	}
	stmt = store_stmt(st, STMT_NEED_STANDING_CLEAR, "DELETE FROM "
	    "needs_standing WHERE person_id = :p");
	store_bind(stmt, ":p", SB_INT, person, NULL);
	ok = store_done(st, stmt, cause) == 0;
	json_array_foreach(needs, i, n) {
		if (!ok)
			break;
		stmt = store_stmt(st, STMT_NEED_STANDING_ADD, "INSERT INTO "
		    "needs_standing (person_id, need, detail, set_by, at) "
		    "VALUES (:p, :need, :detail, :by, :at) ON CONFLICT DO "
		    "UPDATE SET detail = excluded.detail");
		store_bind(stmt, ":p", SB_INT, person, ":need", SB_TEXT,
		    jstr(n, "need"), ":detail", SB_TEXT, jstr(n, "detail"),
		    ":by", SB_TEXT, set_by, ":at", SB_INT, (long long)now,
		    NULL);
		ok = store_done(st, stmt, cause) == 0;
	}
	if (store_end(st, ok) != 0) {
		cause_set(cause, "database: cannot commit");
		return (-1);
	}
	return (0);
}

/*
 * A supporter (a personal assistant, or someone else who comes with the
 * member), linked with the consent of the member, recorded: who gave it
 * (consent_by) and when.  0 linked (or changed), -1 error.
 */
int
store_supporter_set(struct store *st, const struct supporter_in *in,
    char **cause)
{
	sqlite3_stmt	*stmt;

	if (in->consent_by == NULL || *in->consent_by == '\0') {
		cause_set(cause, "consent_by: say who gave the member's "
		    "consent");
		return (-1);
	}
	stmt = store_stmt(st, STMT_SUPPORTER_SET, "INSERT INTO supporters "
	    "(person_id, supporter_id, role, copy_reminders, consent_at, "
	    "consent_by, created_at) VALUES (:p, :s, :role, :copy, :now, "
	    ":by, :now) ON CONFLICT DO UPDATE SET role = excluded.role, "
	    "copy_reminders = excluded.copy_reminders, consent_at = "
	    "excluded.consent_at, consent_by = excluded.consent_by");
	store_bind(stmt, ":p", SB_INT, in->person_id, ":s", SB_INT,
	    in->supporter_id, ":role", SB_TEXT, in->role, ":copy", SB_INT,
	    (long long)(in->copy_reminders != 0), ":now", SB_INT,
	    (long long)in->now, ":by", SB_TEXT, in->consent_by, NULL);
	return (store_done(st, stmt, cause));
}

/* A supporter unlinked: 1 done, 0 there was none, -1 error. */
int
store_supporter_remove(struct store *st, long long person,
    long long supporter, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_SUPPORTER_REMOVE, "DELETE FROM supporters "
	    "WHERE person_id = :p AND supporter_id = :s");
	store_bind(stmt, ":p", SB_INT, person, ":s", SB_INT, supporter, NULL);
	if (store_done(st, stmt, cause) != 0)
		return (-1);
	return (sqlite3_changes(st->db) > 0);
}

/*
 * A member's supporters: [{"supporter", "name", "role",
 * "copy_reminders", "consent_at", "consent_by"}].
 */
json_t *
store_supporter_list(struct store *st, long long person, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_SUPPORTER_LIST, "SELECT s.supporter_id AS "
	    "supporter, p.name, s.role, s.copy_reminders, s.consent_at, "
	    "s.consent_by FROM supporters s JOIN people p ON p.id = "
	    "s.supporter_id WHERE s.person_id = :p ORDER BY p.name, p.id");
	store_bind(stmt, ":p", SB_INT, person, NULL);
	return (store_rows(st, stmt, cause));
}
