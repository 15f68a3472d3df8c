/*
 * store_payment.c: what groups pay their members for taking part: a
 * group's base rate and a rate for each role, whether apologies are
 * paid, the payments owed and paid (written with attendance by
 * store_attendance), marking them paid, and what a member may read of
 * their own.  Money is whole pence here, never a fraction.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "convene.h"
#include "store_int.h"
#include "util.h"

/* The place a payment's meeting has, as a join on payments y. */
#define PAY_JOIN \
	"JOIN occurrences o ON o.id = y.occurrence_id " \
	"JOIN series s ON s.id = o.series_id " \
	"JOIN groups g ON g.id = s.group_id "

/*
 * A group's rates: {"payment_rate_pence", "pay_apologies", "rates":
 * {role: pence}}; NULL with no cause when there is no such group.
 */
json_t *
store_rates_get(struct store *st, long long group, char **cause)
{
	sqlite3_stmt	*stmt;
	json_t		*g, *rows, *r, *rates;
	size_t		 i;

	stmt = store_stmt(st, STMT_PAY_GROUP, "SELECT payment_rate_pence, "
	    "pay_apologies FROM groups WHERE id = :g");
	store_bind(stmt, ":g", SB_INT, group, NULL);
	if ((g = store_row(st, stmt, cause)) == NULL)
		return (NULL);
	json_object_set_new(g, "pay_apologies", json_boolean(jint(g,
	    "pay_apologies")));
	stmt = store_stmt(st, STMT_PAY_RATES, "SELECT role, rate_pence FROM "
	    "group_rates WHERE group_id = :g ORDER BY role");
	store_bind(stmt, ":g", SB_INT, group, NULL);
	if ((rows = store_rows(st, stmt, cause)) == NULL) {
		json_decref(g);
		return (NULL);
	}
	rates = json_object();
	json_array_foreach(rows, i, r)
		json_object_set_new(rates, jstr(r, "role"),
		    json_integer(jint(r, "rate_pence")));
	json_decref(rows);
	json_object_set_new(g, "rates", rates);
	return (g);
}

/*
 * Change a group's rates in one transaction: base (-1: as it is),
 * rates (role: pence, or null to pay the role the base rate again;
 * NULL: as they are), pay_apologies (-1: as it is).  The caller has
 * checked the roles and amounts.
 */
int
store_rates_set(struct store *st, long long group, long long base,
    json_t *rates, int pay_apologies, char **cause)
{
	sqlite3_stmt	*stmt;
	const char	*role;
	json_t		*v;
	int		 ok = 0;

	if (store_begin(st) != 0) {
		store_cause(st, cause, NULL);
		return (-1);
	}
	stmt = store_stmt(st, STMT_PAY_GROUP_SET, "UPDATE groups SET "
	    "payment_rate_pence = coalesce(:base, payment_rate_pence), "
	    "pay_apologies = coalesce(:pa, pay_apologies) WHERE id = :g");
	store_bind(stmt, ":g", SB_INT, group, NULL);
	if (base >= 0)
		store_bind(stmt, ":base", SB_INT, base, NULL);
	if (pay_apologies >= 0)
		store_bind(stmt, ":pa", SB_INT, (long long)pay_apologies, NULL);
	if (store_done(st, stmt, cause) != 0)
		goto out;
	json_object_foreach(rates, role, v) {
		if (json_is_integer(v)) {
			stmt = store_stmt(st, STMT_PAY_RATE_SET, "INSERT INTO "
			    "group_rates (group_id, role, rate_pence) VALUES "
			    "(:g, :role, :p) ON CONFLICT (group_id, role) DO "
			    "UPDATE SET rate_pence = excluded.rate_pence");
			store_bind(stmt, ":g", SB_INT, group, ":role", SB_TEXT,
			    role, ":p", SB_INT,
			    (long long)json_integer_value(v), NULL);
		} else {
			stmt = store_stmt(st, STMT_PAY_RATE_DELETE, "DELETE "
			    "FROM group_rates WHERE group_id = :g AND "
			    "role = :role");
			store_bind(stmt, ":g", SB_INT, group, ":role", SB_TEXT,
			    role, NULL);
		}
		if (store_done(st, stmt, cause) != 0)
			goto out;
	}
	ok = 1;
out:
	if (store_end(st, ok) != 0) {
		if (ok)
			cause_set(cause, "database: cannot commit");
		return (-1);
	}
	return (0);
}

/*
 * What a group pays a role for a meeting, in pence: the role's own
 * rate, else the group's base rate.  -1 with *cause when there is no
 * such group.
 */
int
store_pay_rate(struct store *st, long long group, const char *role,
    long long *pence, char **cause)
{
	sqlite3_stmt	*stmt;
	json_t		*row;

	stmt = store_stmt(st, STMT_PAY_RATE_OF, "SELECT coalesce((SELECT "
	    "rate_pence FROM group_rates WHERE group_id = :g AND role = "
	    ":role), payment_rate_pence) AS pence FROM groups WHERE id = :g");
	store_bind(stmt, ":g", SB_INT, group, ":role", SB_TEXT, role, NULL);
	if ((row = store_row(st, stmt, cause)) == NULL) {
		if (cause != NULL && *cause == NULL)
			cause_set(cause, "no such group");
		return (-1);
	}
	*pence = jint(row, "pence");
	json_decref(row);
	return (0);
}

/*
 * Payments for meetings that start from `from' until before `until'
 * (UTC), of one group (0: all), owed, paid or both (STORE_PAY_*), in
 * meeting order.  An erased person is named "erased".
 */
json_t *
store_payments(struct store *st, long long group, time_t from, time_t until,
    int which, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_PAY_LIST, "SELECT y.id, y.person_id, "
	    "CASE WHEN p.erased_at IS NOT NULL THEN 'erased' ELSE p.name END "
	    "AS person, s.title AS meeting, s.group_id, g.slug AS group_slug, "
	    "g.time_zone, o.start_at, y.occurrence_id, y.role, "
	    "y.amount_pence, y.paid_on, y.paid_by FROM payments y "
	    "JOIN people p ON p.id = y.person_id " PAY_JOIN
	    "WHERE (:g = 0 OR s.group_id = :g) AND o.start_at >= :from AND "
	    "o.start_at < :until AND (:which = 0 OR (:which = 1 AND "
	    "y.paid_on IS NULL) OR (:which = 2 AND y.paid_on IS NOT NULL)) "
	    "ORDER BY o.start_at, y.occurrence_id, p.name, y.person_id");
	store_bind(stmt, ":g", SB_INT, group, ":from", SB_INT,
	    (long long)from, ":until", SB_INT, (long long)until, ":which",
	    SB_INT, (long long)which, NULL);
	return (store_rows(st, stmt, cause));
}

/* One payment: its id, group and paid_on; NULL with no cause if none. */
json_t *
store_payment_get(struct store *st, long long id, char **cause)
{
	sqlite3_stmt	*stmt;

	stmt = store_stmt(st, STMT_PAY_GET, "SELECT y.id, s.group_id, "
	    "y.paid_on FROM payments y " PAY_JOIN "WHERE y.id = :id");
	store_bind(stmt, ":id", SB_INT, id, NULL);
	return (store_row(st, stmt, cause));
}

/*
 * Mark payments (an array of ids) paid on a day, by an actor, in one
 * transaction.  One paid already keeps its date: it is added to
 * already (when given), the others to marked.  -1 with *cause: none is.
 */
int
store_payments_paid(struct store *st, json_t *ids, const char *paid_on,
    const char *by, json_t *marked, json_t *already, char **cause)
{
	sqlite3_stmt	*stmt;
	json_t		*v, *row;
	size_t		 i;
	int		 ok = 0;

	if (store_begin(st) != 0) {
		store_cause(st, cause, NULL);
		return (-1);
	}
	json_array_foreach(ids, i, v) {
		stmt = store_stmt(st, STMT_PAY_MARK, "UPDATE payments SET "
		    "paid_on = :on, paid_by = :by WHERE id = :id AND "
		    "paid_on IS NULL RETURNING id");
		store_bind(stmt, ":on", SB_TEXT, paid_on, ":by", SB_TEXT, by,
		    ":id", SB_INT, (long long)json_integer_value(v), NULL);
		if ((row = store_row(st, stmt, cause)) != NULL) {
			json_array_append_new(marked, json_integer(
			    json_integer_value(v)));
			json_decref(row);
		} else if (cause != NULL && *cause != NULL)
			goto out;
		else if (already != NULL)
			json_array_append_new(already, json_integer(
			    json_integer_value(v)));
	}
	ok = 1;
out:
	if (store_end(st, ok) != 0) {
		if (ok)
			cause_set(cause, "database: cannot commit");
		json_array_clear(marked);
		return (-1);
	}
	return (0);
}

/*
 * What a member may read of their own: {"attendance": [...],
 * "payments": [...]}, newest meeting first, each with the meeting's
 * title, group, time zone and start.
 */
json_t *
store_involvement(struct store *st, long long person, char **cause)
{
	sqlite3_stmt	*stmt;
	json_t		*att, *pay;

	stmt = store_stmt(st, STMT_PAY_ATTENDED, "SELECT a.occurrence_id, "
	    "a.status, a.role, s.title AS meeting, g.name AS group_name, "
	    "g.time_zone, o.start_at FROM attendance a JOIN occurrences o ON "
	    "o.id = a.occurrence_id JOIN series s ON s.id = o.series_id JOIN "
	    "groups g ON g.id = s.group_id WHERE a.person_id = :p ORDER BY "
	    "o.start_at DESC, a.occurrence_id DESC");
	store_bind(stmt, ":p", SB_INT, person, NULL);
	if ((att = store_rows(st, stmt, cause)) == NULL)
		return (NULL);
	stmt = store_stmt(st, STMT_PAY_MINE, "SELECT y.id, y.occurrence_id, "
	    "y.role, y.amount_pence, y.paid_on, s.title AS meeting, g.name "
	    "AS group_name, g.time_zone, o.start_at FROM payments y " PAY_JOIN
	    "WHERE y.person_id = :p ORDER BY o.start_at DESC, y.id DESC");
	store_bind(stmt, ":p", SB_INT, person, NULL);
	if ((pay = store_rows(st, stmt, cause)) == NULL) {
		json_decref(att);
		return (NULL);
	}
	return (json_pack("{s:o, s:o}", "attendance", att, "payments", pay));
}
