/*
 * test_payment.c: involvement payments in a temporary database.  A role
 * is paid its own rate, else the group's base rate; rates are changed
 * and taken back in one go.  Payments are listed by group, time and
 * whether paid, and their totals add up in pence; marking paid sets the
 * date once and never changes it after.  A member reads only their own
 * attendance and payments, and their export holds their payments.
 */
#include "config.h"

#include <sqlite3.h>

#include <jansson.h>

#include "testlib.h"
#include "testdb.h"

#include "convene.h"
#include "log.h"
#include "util.h"

/*
 * Ann (1) and Bob (2) in group one, Cat (3) in group two; meetings 1 and
 * 2 of group one (at 1000 and 2000), 3 of group two (at 3000).
 */
static struct store *
pay_store(const char *name, char **path)
{
	struct store	*st;
	char		*cause = NULL;

	*path = xprintf("%s/%s.db", test_dir, name);
	if ((st = store_open(*path, &cause)) == NULL)
		fail_msg("%s", cause);
	raw_exec(*path,
	    "INSERT INTO people (name, email, created_at) VALUES "
	    "('Ann', 'ann@example.org', 0), ('Bob', 'bob@example.org', 0), "
	    "('Cat', 'cat@example.org', 0);"
	    "INSERT INTO groups (slug, name, payment_rate_pence, created_at) "
	    "VALUES ('one', 'One', 2500, 0), ('two', 'Two', 1500, 0);"
	    "INSERT INTO series (group_id, title, dtstart, duration, "
	    "created_at, updated_at) VALUES (1, 'One', '20300101T100000', "
	    "3600, 0, 0), (2, 'Two', '20300101T100000', 3600, 0, 0);"
	    "INSERT INTO occurrences (series_id, recurrence_id, start_at, "
	    "end_at) VALUES (1, 'a', 1000, 1100), (1, 'b', 2000, 2100), "
	    "(2, 'c', 3000, 3100);"
	    "INSERT INTO attendance VALUES (1, 1, 'attended', '', 'co-chair', "
	    "NULL, 't', 0), (2, 1, 'apologies', '', 'co-chair', NULL, 't', 0), "
	    "(1, 2, 'absent', '', 'member', NULL, 't', 0), "
	    "(3, 3, 'attended', '', 'member', NULL, 't', 0);"
	    "INSERT INTO payments (occurrence_id, person_id, role, "
	    "amount_pence, owed_at) VALUES (1, 1, 'co-chair', 3000, 0), "
	    "(2, 1, 'co-chair', 3001, 0), (3, 3, 'member', 1500, 0);");
	return (st);
}

static void
test_rates(void **state)
{
	struct store	*st;
	json_t		*r, *rates;
	char		*path, *cause = NULL;
	long long	 p;

	(void)state;
	st = pay_store("rates", &path);
	/* No role's own rate: the base rate. */
	assert_int_equal(store_pay_rate(st, 1, "co-chair", &p, &cause), 0);
	assert_int_equal(p, 2500);
	rates = json_pack("{s:i, s:i}", "co-chair", 3000, "supporter", 0);
	assert_int_equal(store_rates_set(st, 1, -1, rates, 1, &cause), 0);
	json_decref(rates);
	assert_int_equal(store_pay_rate(st, 1, "co-chair", &p, &cause), 0);
	assert_int_equal(p, 3000);
	/* A rate of 0 is a rate: supporters are not paid here. */
	assert_int_equal(store_pay_rate(st, 1, "supporter", &p, &cause), 0);
	assert_int_equal(p, 0);
	assert_int_equal(store_pay_rate(st, 1, "member", &p, &cause), 0);
	assert_int_equal(p, 2500);
	/* Another group's rates are its own. */
	assert_int_equal(store_pay_rate(st, 2, "co-chair", &p, &cause), 0);
	assert_int_equal(p, 1500);
	assert_int_equal(store_pay_rate(st, 9, "member", &p, &cause), -1);
	free(cause);
	cause = NULL;
	assert_non_null(r = store_rates_get(st, 1, &cause));
	assert_int_equal(jint(r, "payment_rate_pence"), 2500);
	assert_true(json_is_true(json_object_get(r, "pay_apologies")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    r, "rates"), "co-chair")), 3000);
	json_decref(r);
	/* The base changes; null takes a role's own rate back. */
	rates = json_pack("{s:n}", "co-chair");
	assert_int_equal(store_rates_set(st, 1, 2600, rates, -1, &cause), 0);
	json_decref(rates);
	assert_int_equal(store_pay_rate(st, 1, "co-chair", &p, &cause), 0);
	assert_int_equal(p, 2600);
	assert_non_null(r = store_rates_get(st, 1, &cause));
	assert_true(json_is_true(json_object_get(r, "pay_apologies")));
	assert_int_equal(json_object_size(json_object_get(r, "rates")), 1);
	json_decref(r);
	/* A change the database refuses changes nothing. */
	rates = json_pack("{s:i, s:i}", "member", 100, "chair", 1);
	assert_int_equal(store_rates_set(st, 1, 1, rates, 0, &cause), -1);
	json_decref(rates);
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	assert_int_equal(store_pay_rate(st, 1, "member", &p, &cause), 0);
	assert_int_equal(p, 2600);
	assert_int_equal(raw_int(path, "SELECT pay_apologies FROM groups "
	    "WHERE id = 1"), 1);
	store_close(st);
	free(path);
}

/* The sum of amount_pence over rows, as a spreadsheet would add it. */
static long long
pay_sum(json_t *rows)
{
	json_t		*r;
	size_t		 i;
	long long	 t = 0;

	json_array_foreach(rows, i, r)
		t += jint(r, "amount_pence");
	return (t);
}

static void
test_list_and_paid(void **state)
{
	struct store	*st;
	json_t		*rows, *ids, *marked, *already;
	char		*path, *cause = NULL;

	(void)state;
	st = pay_store("paid", &path);
	assert_non_null(rows = store_payments(st, 0, 0, 10000, STORE_PAY_ALL,
	    &cause));
	assert_int_equal(json_array_size(rows), 3);
	assert_int_equal(pay_sum(rows), 7501);
	json_decref(rows);
	assert_non_null(rows = store_payments(st, 1, 0, 10000, STORE_PAY_ALL,
	    &cause));
	assert_int_equal(json_array_size(rows), 2);
	assert_int_equal(pay_sum(rows), 6001);
	assert_string_equal(jstr(json_array_get(rows, 0), "person"), "Ann");
	assert_int_equal(jint(json_array_get(rows, 0), "start_at"), 1000);
	json_decref(rows);
	/* From is in, until is out. */
	assert_non_null(rows = store_payments(st, 1, 1000, 2000,
	    STORE_PAY_ALL, &cause));
	assert_int_equal(json_array_size(rows), 1);
	json_decref(rows);

	ids = json_pack("[i, i]", 1, 3);
	marked = json_array();
	already = json_array();
	assert_int_equal(store_payments_paid(st, ids, "2026-11-30", "finance",
	    marked, already, &cause), 0);
	assert_int_equal(json_array_size(marked), 2);
	assert_int_equal(json_array_size(already), 0);
	json_decref(marked);
	json_decref(already);
	/* Again, with another day: paid is paid, the day stays. */
	marked = json_array();
	already = json_array();
	json_array_append_new(ids, json_integer(2));
	assert_int_equal(store_payments_paid(st, ids, "2026-12-25", "other",
	    marked, already, &cause), 0);
	assert_int_equal(json_array_size(marked), 1);
	assert_int_equal(json_integer_value(json_array_get(marked, 0)), 2);
	assert_int_equal(json_array_size(already), 2);
	json_decref(marked);
	json_decref(already);
	json_decref(ids);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM payments WHERE "
	    "id = 1 AND paid_on = '2026-11-30' AND paid_by = 'finance'"), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM payments WHERE "
	    "id = 2 AND paid_on = '2026-12-25'"), 1);

	assert_non_null(rows = store_payments(st, 0, 0, 10000, STORE_PAY_OWED,
	    &cause));
	assert_int_equal(json_array_size(rows), 0);
	json_decref(rows);
	assert_non_null(rows = store_payments(st, 0, 0, 10000, STORE_PAY_PAID,
	    &cause));
	assert_int_equal(pay_sum(rows), 7501);
	json_decref(rows);
	/* An erased person's payment stays, named so. */
	raw_exec(path, "UPDATE people SET name = 'x', erased_at = 1 WHERE "
	    "id = 3");
	assert_non_null(rows = store_payments(st, 2, 0, 10000, STORE_PAY_ALL,
	    &cause));
	assert_int_equal(json_array_size(rows), 1);
	assert_string_equal(jstr(json_array_get(rows, 0), "person"),
	    "erased");
	json_decref(rows);
	assert_non_null(rows = store_payment_get(st, 3, &cause));
	assert_int_equal(jint(rows, "group_id"), 2);
	json_decref(rows);
	assert_null(store_payment_get(st, 99, &cause));
	assert_null(cause);
	store_close(st);
	free(path);
}

static void
test_own(void **state)
{
	struct store	*st;
	json_t		*inv, *att, *pay, *doc;
	char		*path, *cause = NULL;

	(void)state;
	st = pay_store("own", &path);
	assert_non_null(inv = store_involvement(st, 1, &cause));
	att = json_object_get(inv, "attendance");
	pay = json_object_get(inv, "payments");
	assert_int_equal(json_array_size(att), 2);
	assert_int_equal(json_array_size(pay), 2);
	/* Newest first; Bob's absence at meeting 1 is not Ann's. */
	assert_string_equal(jstr(json_array_get(att, 0), "status"),
	    "apologies");
	assert_string_equal(jstr(json_array_get(att, 1), "status"),
	    "attended");
	assert_int_equal(pay_sum(pay), 6001);
	json_decref(inv);
	assert_non_null(inv = store_involvement(st, 2, &cause));
	assert_int_equal(json_array_size(json_object_get(inv, "attendance")),
	    1);
	assert_int_equal(json_array_size(json_object_get(inv, "payments")), 0);
	json_decref(inv);
	assert_non_null(doc = store_privacy_export(st, 1, &cause));
	assert_int_equal(json_array_size(json_object_get(doc, "payments")), 2);
	assert_int_equal(pay_sum(json_object_get(doc, "payments")), 6001);
	json_decref(doc);
	store_close(st);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_list_and_paid),
		cmocka_unit_test(test_own),
	};

	log_init(LOG_TARGET_STDERR, 0);
	return (cmocka_run_group_tests_name("payment", tests, test_setup_dir,
	    test_remove_dir));
}
