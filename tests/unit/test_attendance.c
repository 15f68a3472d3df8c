/*
 * test_attendance.c: attendance in the store.  Nothing is recorded
 * before a meeting starts, nor for one who is neither a member nor a
 * supporter of one; a row keeps the role of the day; a correction
 * overwrites it and both are in the audit log; a payment is owed at the
 * role's rate (else the group's), for apologies only when the group
 * pays them, never at 0, and once paid no correction changes it.  A
 * member's supporter is recorded with them; answers give the first
 * draft; a person's export has their attendance and erasure keeps it.
 */
#include "config.h"

#include <sqlite3.h>

#include <jansson.h>

#include "testlib.h"
#include "testdb.h"

#include "convene.h"
#include "log.h"
#include "util.h"

#define START	1893492000LL	/* meeting 1 */
#define AFTER	(START + 600)

/*
 * Group 1 (rate 2000, co-chairs 3000): Ann (1, member), Bob (2,
 * co-chair), Cat (3, member); Dee (4) supports Ann; Eve (5) is in no
 * group.  Meeting 1 starts at START; meeting 2 is cancelled.
 */
static struct store *
att_store(const char *name, char **path)
{
	struct store	*st;
	char		*cause = NULL;

	*path = xprintf("%s/%s.db", test_dir, name);
	if ((st = store_open(*path, &cause)) == NULL)
		fail_msg("%s", cause);
	raw_exec(*path, "INSERT INTO people (name, created_at) VALUES "
	    "('Ann', 0), ('Bob', 0), ('Cat', 0), ('Dee', 0), ('Eve', 0);"
	    "INSERT INTO groups (slug, name, payment_rate_pence, created_at) "
	    "VALUES ('panel', 'Panel', 2000, 0);"
	    "INSERT INTO group_rates (group_id, role, rate_pence) VALUES "
	    "(1, 'co-chair', 3000);"
	    "INSERT INTO memberships (group_id, person_id, role, joined_at) "
	    "VALUES (1, 1, 'member', 0), (1, 2, 'co-chair', 0), "
	    "(1, 3, 'member', 0);"
	    "INSERT INTO supporters (person_id, supporter_id, consent_at, "
	    "consent_by, created_at) VALUES (1, 4, 0, 'Ann', 0);"
	    "INSERT INTO series (group_id, title, dtstart, duration, "
	    "created_at, updated_at) VALUES (1, 'Meeting', "
	    "'20300101T100000', 3600, 0, 0);"
	    "INSERT INTO occurrences (series_id, recurrence_id, start_at, "
	    "end_at) VALUES (1, '20300101T100000', 1893492000, 1893495600);"
	    "INSERT INTO occurrences (series_id, recurrence_id, start_at, "
	    "end_at, status) VALUES (1, '20300102T100000', 1893578400, "
	    "1893582000, 'cancelled');");
	return (st);
}

/* One call: from answers or not, then the marks; the store's result. */
static int
att_call(struct store *st, long long occ, time_t now, int from,
    const struct attendance_mark *marks, size_t n, int *changed)
{
	struct attendance_in	 in;
	char			*cause = NULL;
	int			 rc, ch = 0;

	memset(&in, 0, sizeof in);
	in.occurrence_id = occ;
	in.from_answers = from;
	in.marks = marks;
	in.nmarks = n;
	in.actor = "control";
	in.now = now;
	rc = store_attendance_record(st, &in, &ch, &cause);
	if (rc == -1)
		fail_msg("%s", cause);
	if (rc != 0)
		assert_non_null(cause);
	free(cause);
	if (changed != NULL)
		*changed = ch;
	return (rc);
}

static int
att_one(struct store *st, long long person, const char *status,
    const char *reason)
{
	struct attendance_mark	 m = { person, status, reason };

	return (att_call(st, 1, AFTER, 0, &m, 1, NULL));
}

static int
att_count(const char *path, const char *fmt, ...)
    __attribute__((__format__(printf, 2, 3)));

/* raw_int on a formatted statement. */
static int
att_count(const char *path, const char *fmt, ...)
{
	va_list	 ap;
	char	*sql;
	int	 v;

	va_start(ap, fmt);
	if (vasprintf(&sql, fmt, ap) == -1)
		fail_msg("vasprintf");
	va_end(ap);
	v = raw_int(path, sql);
	free(sql);
	return (v);
}

/* Not before the start, not a cancelled meeting, not a stranger. */
static void
test_refused(void **state)
{
	struct store		*st;
	struct attendance_mark	 m[2] = {
		{ 1, "attended", NULL }, { 5, "attended", NULL }
	};
	char			*path;

	(void)state;
	st = att_store("refused", &path);
	assert_int_equal(att_call(st, 1, START - 1, 1, m, 1, NULL),
	    STORE_ATTEND_EARLY);
	assert_int_equal(att_call(st, 2, AFTER + 86400, 0, m, 1, NULL),
	    STORE_ATTEND_EARLY);
	assert_int_equal(att_call(st, 99, AFTER, 0, m, 1, NULL),
	    STORE_ATTEND_NONE);
	/* Eve is nobody's: the whole call is refused, Ann's part too. */
	assert_int_equal(att_call(st, 1, AFTER, 0, m, 2, NULL),
	    STORE_ATTEND_REFUSED);
	m[1].person_id = 1;
	assert_int_equal(att_call(st, 1, AFTER, 0, m, 2, NULL),
	    STORE_ATTEND_REFUSED);
	m[1].person_id = 2;
	m[1].status = "late";
	assert_int_equal(att_call(st, 1, AFTER, 0, m, 2, NULL),
	    STORE_ATTEND_REFUSED);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM attendance"), 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM payments"), 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM audit_log"), 0);
	/* At the very start it may be. */
	assert_int_equal(att_call(st, 1, START, 0, m, 1, NULL), 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM attendance"), 2);
	store_close(st);
	free(path);
}

/* The role of the day and its rate; the supporter with their member. */
static void
test_roles(void **state)
{
	struct store		*st;
	struct attendance_mark	 m[3] = {
		{ 1, "attended", NULL }, { 2, "attended", NULL },
		{ 3, "absent", NULL }
	};
	json_t			*list;
	char			*path, *cause = NULL;
	int			 changed;

	(void)state;
	st = att_store("roles", &path);
	assert_int_equal(att_call(st, 1, AFTER, 0, m, 3, &changed), 0);
	assert_int_equal(changed, 4);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM attendance "
	    "WHERE person_id = 2 AND role = 'co-chair' AND status = "
	    "'attended' AND recorded_by = 'control'"), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM attendance "
	    "WHERE person_id = 4 AND role = 'supporter' AND supporting = 1 "
	    "AND status = 'attended'"), 1);
	assert_int_equal(raw_int(path, "SELECT amount_pence FROM payments "
	    "WHERE person_id = 1 AND role = 'member'"), 2000);
	assert_int_equal(raw_int(path, "SELECT amount_pence FROM payments "
	    "WHERE person_id = 2 AND role = 'co-chair'"), 3000);
	assert_int_equal(raw_int(path, "SELECT amount_pence FROM payments "
	    "WHERE person_id = 4 AND role = 'supporter'"), 2000);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM payments "
	    "WHERE person_id = 3"), 0);
	/* A role changed since does not change the day's. */
	raw_exec(path, "UPDATE memberships SET role = 'observer' WHERE "
	    "person_id = 2");
	assert_int_equal(att_one(st, 2, "apologies", NULL), 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM attendance "
	    "WHERE person_id = 2 AND role = 'co-chair'"), 1);

	assert_non_null(list = store_attendance_list(st, 1, &cause));
	assert_int_equal(json_array_size(list), 4);
	assert_string_equal(jstr(json_array_get(list, 3), "name"), "Dee");
	assert_int_equal(jint(json_array_get(list, 3), "supporting"), 1);
	assert_true(json_is_null(json_object_get(json_array_get(list, 0),
	    "supporting")));
	assert_string_equal(jstr(json_array_get(list, 1), "status"),
	    "apologies");
	json_decref(list);
	store_close(st);
	free(path);
}

/* Corrections overwrite and are audited; payments follow, unpaid. */
static void
test_corrections(void **state)
{
	struct store	*st;
	char		*path;

	(void)state;
	st = att_store("corrections", &path);
	assert_int_equal(att_one(st, 3, "attended", NULL), 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM payments WHERE "
	    "person_id = 3 AND amount_pence = 2000 AND paid_on IS NULL"), 1);
	assert_int_equal(att_one(st, 3, "apologies", "ill"), 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM attendance "
	    "WHERE person_id = 3 AND status = 'apologies' AND reason = "
	    "'ill'"), 1);
	/* The group does not pay apologies: nothing owed now. */
	assert_int_equal(raw_int(path, "SELECT count(*) FROM payments"), 0);
	/* The same again changes nothing, and says nothing. */
	assert_int_equal(att_one(st, 3, "apologies", "ill"), 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM audit_log"), 2);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM audit_log WHERE "
	    "actor = 'control' AND action = 'record attendance' AND object = "
	    "'occurrence:1 person:3' AND detail = 'person 3: attended'"), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM audit_log WHERE "
	    "action = 'correct attendance' AND object = 'occurrence:1 "
	    "person:3' AND detail = 'person 3: attended -> apologies "
	    "(ill)'"), 1);

	/* A group that pays apologies: owed once they are recorded. */
	raw_exec(path, "UPDATE groups SET pay_apologies = 1");
	assert_int_equal(att_one(st, 3, "apologies", "unwell"), 0);
	assert_int_equal(raw_int(path, "SELECT amount_pence FROM payments "
	    "WHERE person_id = 3"), 2000);
	assert_int_equal(att_one(st, 3, "absent", NULL), 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM payments"), 0);

	/* Paid: a correction is recorded and audited, the payment stands. */
	assert_int_equal(att_one(st, 1, "attended", NULL), 0);
	raw_exec(path, "UPDATE payments SET paid_on = '2030-01-05', paid_by "
	    "= 'treasurer' WHERE person_id = 1");
	raw_exec(path, "UPDATE groups SET payment_rate_pence = 9999");
	assert_int_equal(att_one(st, 1, "absent", "left at once"), 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM payments WHERE "
	    "person_id = 1 AND amount_pence = 2000 AND paid_on = "
	    "'2030-01-05' AND role = 'member'"), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM attendance "
	    "WHERE person_id = 1 AND status = 'absent'"), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM audit_log WHERE "
	    "action = 'correct attendance' AND detail = 'person 1: attended "
	    "-> absent (left at once); paid on 2030-01-05, unchanged'"), 1);
	assert_int_equal(att_one(st, 1, "attended", NULL), 0);
	assert_int_equal(raw_int(path, "SELECT amount_pence FROM payments "
	    "WHERE person_id = 1"), 2000);
	store_close(st);
	free(path);
}

/* A rate of 0 owes nothing; a role's own 0 beats the group's rate. */
static void
test_zero(void **state)
{
	struct store	*st;
	char		*path;

	(void)state;
	st = att_store("zero", &path);
	raw_exec(path, "INSERT INTO group_rates (group_id, role, rate_pence) "
	    "VALUES (1, 'supporter', 0)");
	assert_int_equal(att_one(st, 1, "attended", NULL), 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM attendance "
	    "WHERE person_id = 4"), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM payments WHERE "
	    "person_id = 4"), 0);
	raw_exec(path, "UPDATE groups SET payment_rate_pence = 0");
	assert_int_equal(att_one(st, 3, "attended", NULL), 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM payments WHERE "
	    "person_id = 3"), 0);
	/* A payment owed at the old rate goes when a correction owes 0. */
	assert_int_equal(att_one(st, 1, "apologies", NULL), 0);
	assert_int_equal(att_one(st, 1, "attended", NULL), 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM payments"), 0);
	store_close(st);
	free(path);
}

static void
att_answer(struct store *st, long long person, const char *answer,
    time_t at)
{
	struct answer_in	 in;
	char			*cause = NULL;

	memset(&in, 0, sizeof in);
	in.person_id = person;
	in.occurrence_id = 1;
	in.answer = answer;
	in.channel = "link";
	in.at = at;
	if (store_answer_add(st, &in, &cause) != 0)
		fail_msg("%s", cause);
}

/*
 * From answers: yes attended (with the supporter), no apologies, maybe
 * nothing; the listed people after; a second call keeps corrections.
 */
static void
test_answers(void **state)
{
	struct store		*st;
	struct attendance_mark	 m[2] = {
		{ 4, "absent", NULL }, { 3, "apologies", "train" }
	};
	char			*path;
	int			 changed;

	(void)state;
	st = att_store("answers", &path);
	att_answer(st, 1, "no", START - 900);
	att_answer(st, 1, "yes", START - 800);	/* the latest counts */
	att_answer(st, 2, "no", START - 700);
	att_answer(st, 3, "maybe", START - 600);
	assert_int_equal(att_call(st, 1, AFTER, 1, NULL, 0, &changed), 0);
	assert_int_equal(changed, 3);
	assert_int_equal(att_count(path, "SELECT count(*) FROM attendance "
	    "WHERE (person_id, status) IN (VALUES (1, 'attended'), "
	    "(2, 'apologies'), (4, 'attended'))"), 3);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM attendance"), 3);

	/* Dee listed absent is not recorded attended with Ann. */
	raw_exec(path, "DELETE FROM attendance; DELETE FROM payments");
	assert_int_equal(att_call(st, 1, AFTER, 1, m, 2, &changed), 0);
	assert_int_equal(changed, 4);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM attendance "
	    "WHERE person_id = 4 AND status = 'absent' AND role = "
	    "'supporter' AND supporting = 1"), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM attendance "
	    "WHERE person_id = 3 AND status = 'apologies' AND reason = "
	    "'train'"), 1);

	/* Listed, Ann's yes counts for nothing: recorded once, absent. */
	raw_exec(path, "DELETE FROM attendance; DELETE FROM audit_log");
	m[0].person_id = 1;
	assert_int_equal(att_call(st, 1, AFTER, 1, m, 1, &changed), 0);
	assert_int_equal(changed, 2);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM audit_log "
	    "WHERE object = 'occurrence:1 person:1'"), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM attendance "
	    "WHERE person_id = 1 AND status = 'absent'"), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM attendance "
	    "WHERE person_id = 4"), 0);
	raw_exec(path, "DELETE FROM attendance");
	assert_int_equal(att_call(st, 1, AFTER, 1, NULL, 0, NULL), 0);

	/* Again from answers: what was recorded stands. */
	assert_int_equal(att_one(st, 1, "absent", NULL), 0);
	assert_int_equal(att_call(st, 1, AFTER, 1, NULL, 0, &changed), 0);
	assert_int_equal(changed, 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM attendance "
	    "WHERE person_id = 1 AND status = 'absent'"), 1);
	/* Dee's own row stands: a supporter is corrected by listing. */
	assert_int_equal(raw_int(path, "SELECT count(*) FROM attendance "
	    "WHERE person_id = 4 AND status = 'attended'"), 1);
	store_close(st);
	free(path);
}

/* Exported with the person; erasure keeps the rows, not the reasons. */
static void
test_privacy(void **state)
{
	struct store	*st;
	json_t		*doc, *rows;
	char		*path, *cause = NULL;
	int		 more;

	(void)state;
	st = att_store("privacy", &path);
	assert_int_equal(att_one(st, 3, "apologies", "hospital"), 0);
	assert_int_equal(att_one(st, 1, "attended", NULL), 0);
	assert_non_null(doc = store_privacy_export(st, 3, &cause));
	rows = json_object_get(doc, "attendance");
	assert_int_equal(json_array_size(rows), 1);
	assert_string_equal(jstr(json_array_get(rows, 0), "status"),
	    "apologies");
	assert_string_equal(jstr(json_array_get(rows, 0), "reason"),
	    "hospital");
	assert_string_equal(jstr(json_array_get(rows, 0), "title"),
	    "Meeting");
	/* The audit lines about them are theirs too. */
	assert_int_equal(json_array_size(json_object_get(doc, "audit")), 1);
	json_decref(doc);

	assert_int_equal(store_privacy_erase(st, 3, "test", &cause), 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM attendance"), 3);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM attendance "
	    "WHERE person_id = 3 AND status = 'apologies' AND reason = ''"),
	    1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM audit_log WHERE "
	    "detail LIKE '%hospital%'"), 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM payments"), 2);

	/* Retention clears the reasons of meetings long past, not rows. */
	assert_int_equal(att_one(st, 2, "apologies", "away"), 0);
	assert_int_equal(store_privacy_retain(st, START, 100, &more, &cause),
	    0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM attendance "
	    "WHERE reason = 'away'"), 1);
	assert_true(store_privacy_retain(st, START + 86400, 100, &more,
	    &cause) >= 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM attendance "
	    "WHERE reason != ''"), 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM attendance"), 4);
	store_close(st);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_corrections),
		cmocka_unit_test(test_zero),
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_privacy),
	};

	log_init(LOG_TARGET_STDERR, 0);
	return (cmocka_run_group_tests_name("attendance", tests,
	    test_setup_dir, test_remove_dir));
}
