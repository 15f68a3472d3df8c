/*
 * test_person.c: the one check of a person's fields that the JSON API,
 * its CSV import and the preferences page share.  Each field's mistake is
 * kept at its own place, all of them at once; a change keeps what it does
 * not give and is checked against the addresses the person has; quiet
 * hours are read by one parser.  The cases where the API and the page
 * used to answer differently are pinned here, each with the answer both
 * now give.
 */
#include "config.h"

#include <jansson.h>

#include "testlib.h"

#include "convene.h"
#include "log.h"
#include "person.h"

/* Only the field named is wrong, with this reason; or none when NCHECKS. */
static void
only_wrong(const struct person_checked *c, enum person_check_field f,
    const char *why)
{
	int	i;

	for (i = 0; i < PERSON_NCHECKS; i++) {
		if (i == (int)f) {
			if (c->why[i] == NULL)
				fail_msg("field %d: no mistake found, wanted "
				    "'%s'", i, why);
			assert_string_equal(c->why[i], why);
		} else if (c->why[i] != NULL)
			fail_msg("field %d: unexpected '%s'", i, c->why[i]);
	}
}

/* A new person who is right in every way. */
static struct person_text
good(void)
{
	struct person_text	t;

	memset(&t, 0, sizeof t);
	t.name = "Ann Jones";
	t.email = "ann@example.org";
	t.phone = "07700 900123";
	t.language = "cy";
	t.style = "large";
	t.channels = "sms,email";
	t.lead_times = "P7D, PT2H";
	t.quiet_hours = "21:30-08:00";
	return (t);
}

/* Check t as a new person: 0 or -1, and only field f wrong with why. */
static void
new_person(const struct person_text *t, enum person_check_field f,
    const char *why)
{
	struct person_checked	c;

	assert_int_equal(person_check(t, NULL, "44", &c), why ? -1 : 0);
	only_wrong(&c, f, why);
	person_checked_free(&c);
}

static void
test_good(void **state)
{
	struct person_text	t = good();
	struct person_checked	c;

	(void)state;
	assert_int_equal(person_check(&t, NULL, "44", &c), 0);
	only_wrong(&c, PERSON_NCHECKS, NULL);
	assert_string_equal(c.in.name, "Ann Jones");
	assert_string_equal(c.in.email, "ann@example.org");
	assert_string_equal(c.in.phone, "+447700900123");
	assert_string_equal(c.in.language, "cy");
	assert_string_equal(c.in.style, "large");
	assert_string_equal(c.in.channels, "sms,email");
	assert_string_equal(c.in.lead_times, "P7D,PT2H");
	assert_int_equal(c.in.quiet_start, 21 * 60 + 30);
	assert_int_equal(c.in.quiet_end, 8 * 60);
	person_checked_free(&c);

	/* Only a name: email by default, and that needs an address. */
	memset(&t, 0, sizeof t);
	t.name = "Bo";
	new_person(&t, PERSON_REACH, "email: needed for the email channel");
	t.channels = "feed";
	assert_int_equal(person_check(&t, NULL, "44", &c), 0);
	assert_null(c.in.email);
	assert_null(c.in.phone);
	assert_null(c.in.lead_times);
	assert_int_equal(c.in.quiet_start, -1);
	assert_int_equal(c.in.quiet_end, -1);
	person_checked_free(&c);

	/* Empty email and phone are none; empty lead times the group's. */
	t = good();
	t.email = "";
	t.channels = "sms";
	t.lead_times = "";
	t.quiet_hours = "";
	assert_int_equal(person_check(&t, NULL, "44", &c), 0);
	assert_null(c.in.email);
	assert_string_equal(c.in.lead_times, "");
	assert_int_equal(c.in.quiet_start, -1);
	person_checked_free(&c);
}

static void
test_each_mistake(void **state)
{
	struct person_text	t;

	(void)state;
	t = good(), t.name = NULL;
	new_person(&t, PERSON_NAME, "name: this field is needed");
	t = good(), t.name = "";
	new_person(&t, PERSON_NAME, "name: this field is needed");
	t = good(), t.name = "Ann\nJones";
	new_person(&t, PERSON_NAME, "name: one line of at most 200 "
	    "characters");
	t = good(), t.email = "ann.example.org";
	new_person(&t, PERSON_EMAIL, "email: 'ann.example.org' is not an "
	    "email address");
	t = good(), t.email = "ann@b@example.org";
	new_person(&t, PERSON_EMAIL, "email: 'ann@b@example.org' is not an "
	    "email address");
	t = good(), t.language = "english";
	new_person(&t, PERSON_LANGUAGE, "language: 'english' is not a "
	    "language tag such as en, cy or ar");
	t = good(), t.language = "";
	new_person(&t, PERSON_LANGUAGE, "language: '' is not a language tag "
	    "such as en, cy or ar");
	t = good(), t.style = "fancy";
	new_person(&t, PERSON_STYLE, "style: 'fancy' is not one of standard, "
	    "plain, large or easyread");
	t = good(), t.channels = "email,fax";
	new_person(&t, PERSON_CHANNELS, "channels: 'fax' is not email, sms "
	    "or feed");
	t = good(), t.channels = ",";
	new_person(&t, PERSON_CHANNELS, "channels: give email, sms or feed, "
	    "in the order to try them");
	t = good(), t.phone = NULL;
	new_person(&t, PERSON_REACH, "phone: needed for the sms channel");
	t = good(), t.lead_times = "soon";
	new_person(&t, PERSON_LEAD_TIMES, "'soon' is not a lead time such as "
	    "P7D, P1D, PT2H or 30m");
	t = good(), t.quiet_hours = "late";
	new_person(&t, PERSON_QUIET_HOURS, "quiet_hours: 'late' is not a "
	    "span such as 21:00-08:00");
}

/* A phone's own reason comes from phone.c, under the field's name. */
static void
test_phone_reason(void **state)
{
	struct person_text	t = good();
	struct person_checked	c;

	(void)state;
	t.phone = "12";
	assert_int_equal(person_check(&t, NULL, "44", &c), -1);
	assert_non_null(c.why[PERSON_PHONE]);
	assert_true(strncmp(c.why[PERSON_PHONE], "phone: ", 7) == 0);
	person_checked_free(&c);
}

/* Every mistake is kept, and the caller names the one it wants first. */
static void
test_all_at_once(void **state)
{
	static const enum person_check_field api[] = { PERSON_NAME,
		PERSON_STYLE, PERSON_QUIET_HOURS };
	static const enum person_check_field page[] = { PERSON_QUIET_HOURS,
		PERSON_STYLE };
	struct person_text	t = good();
	struct person_checked	c;

	(void)state;
	t.style = "fancy";
	t.language = "x";
	t.quiet_hours = "25:00-08:00";
	assert_int_equal(person_check(&t, NULL, "44", &c), -1);
	assert_non_null(c.why[PERSON_STYLE]);
	assert_non_null(c.why[PERSON_LANGUAGE]);
	assert_non_null(c.why[PERSON_QUIET_HOURS]);
	assert_null(c.why[PERSON_NAME]);
	assert_string_equal(person_check_why(&c, api, 3), c.why[PERSON_STYLE]);
	assert_string_equal(person_check_why(&c, page, 2),
	    c.why[PERSON_QUIET_HOURS]);
	assert_null(person_check_why(&c, api, 1));
	person_checked_free(&c);
}

/* A change keeps what it does not give; addresses come from the row. */
static void
test_change(void **state)
{
	struct person_text	 t;
	struct person_checked	 c;
	json_t			*phone_only, *email_only;

	(void)state;
	phone_only = json_pack("{s:s, s:n, s:s, s:s}", "name", "Cy",
	    "email", "phone", "+447700900123", "channels", "sms");
	email_only = json_pack("{s:s, s:s, s:n, s:s}", "name", "Di",
	    "email", "di@example.org", "phone", "channels", "email");
	memset(&t, 0, sizeof t);
	assert_int_equal(person_check(&t, phone_only, "44", &c), 0);
	assert_null(c.in.name);
	assert_null(c.in.channels);
	assert_null(c.in.lead_times);
	assert_int_equal(c.in.quiet_start, -2);
	assert_int_equal(c.in.quiet_end, -2);
	person_checked_free(&c);

	t.channels = "sms";
	assert_int_equal(person_check(&t, email_only, "44", &c), -1);
	only_wrong(&c, PERSON_REACH, "phone: needed for the sms channel");
	person_checked_free(&c);
	t.channels = "email";
	assert_int_equal(person_check(&t, phone_only, "44", &c), -1);
	only_wrong(&c, PERSON_REACH, "email: needed for the email channel");
	person_checked_free(&c);
	/* The address given with the change counts. */
	t.email = "cy@example.org";
	assert_int_equal(person_check(&t, phone_only, "44", &c), 0);
	person_checked_free(&c);
	/* A name may change, but not to nothing. */
	memset(&t, 0, sizeof t);
	t.name = "";
	assert_int_equal(person_check(&t, email_only, "44", &c), -1);
	only_wrong(&c, PERSON_NAME, "name: one line of at most 200 "
	    "characters");
	person_checked_free(&c);
	json_decref(phone_only);
	json_decref(email_only);
}

static void
test_quiet_parse(void **state)
{
	static const struct {
		const char	*in;
		int		 start;	/* -1: refused */
		int		 end;
	} cases[] = {
		{ "21:00-08:00", 1260, 480 },
		{ "00:00-23:59", 0, 1439 },
		{ "08:00-21:00", 480, 1260 },
		{ "9:00-17:30", 540, 1050 },
		{ "21:00-21:00", -1, 0 },
		{ "24:00-08:00", -1, 0 },
		{ "21:60-08:00", -1, 0 },
		{ "21:00", -1, 0 },
		{ "21:00-", -1, 0 },
		{ "-08:00", -1, 0 },
		{ "", -1, 0 },
		{ "21:00-08:00x", -1, 0 },
		{ "21:00 - 08:00", -1, 0 },
		{ " 9:00-17:00", -1, 0 },
		{ "+9:00-17:00", -1, 0 },
		{ "21:5-08:00", -1, 0 },
		{ "021:00-08:00", -1, 0 },
		{ "21:00-08:00-09:00", -1, 0 },
	};
	size_t	i;
	int	s, e;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		s = e = -7;
		if (person_quiet_parse(cases[i].in, &s, &e) != 0) {
			if (cases[i].start != -1)
				fail_msg("'%s': refused", cases[i].in);
			assert_int_equal(s, -7);
			continue;
		}
		if (cases[i].start == -1)
			fail_msg("'%s': taken as %d-%d", cases[i].in, s, e);
		assert_int_equal(s, cases[i].start);
		assert_int_equal(e, cases[i].end);
	}
}

static void
test_time(void **state)
{
	char	out[PERSON_TIME_LEN];

	(void)state;
	person_time(0, out);
	assert_string_equal(out, "00:00");
	person_time(480, out);
	assert_string_equal(out, "08:00");
	person_time(1439, out);
	assert_string_equal(out, "23:59");
	person_time(1440 + 65, out);
	assert_string_equal(out, "01:05");
}

/*
 * Where the API and the preferences page used to answer differently.
 * The page offered, and took, only the ways and languages on its form;
 * the API took any: both now take what the API took.  The API read
 * quiet hours with sscanf, so took signs, spaces, one-digit minutes and
 * a span that starts where it ends; the page took only "HH:MM" and not
 * such a span: both now take one or two digits for the hour, two for
 * the minutes, and a span that has a length.
 */
static void
test_used_to_differ(void **state)
{
	struct person_text	 t;
	struct person_checked	 c;
	json_t			*phone_only;
	int			 s, e;

	(void)state;
	phone_only = json_pack("{s:s, s:n, s:s, s:s}", "name", "Cy",
	    "email", "phone", "+447700900123", "channels", "sms");
	memset(&t, 0, sizeof t);
	t.style = "plain";
	t.language = "en";

	/* Channels the form has no button for: the API took them. */
	t.channels = "email,sms";	/* the page wanted an email too */
	assert_int_equal(person_check(&t, phone_only, "44", &c), 0);
	person_checked_free(&c);
	t.channels = "sms,feed";
	assert_int_equal(person_check(&t, phone_only, "44", &c), 0);
	person_checked_free(&c);

	/* A language tag with no templates installed: the API took it. */
	t.channels = "sms";
	t.language = "xx";
	assert_int_equal(person_check(&t, phone_only, "44", &c), 0);
	person_checked_free(&c);
	t.language = "pt-BR";
	assert_int_equal(person_check(&t, phone_only, "44", &c), 0);
	person_checked_free(&c);

	/* Quiet hours: now one reading for both. */
	t.language = "en";
	t.quiet_hours = "21:00-21:00";	/* the API took it */
	assert_int_equal(person_check(&t, phone_only, "44", &c), -1);
	only_wrong(&c, PERSON_QUIET_HOURS, "quiet_hours: '21:00-21:00' is "
	    "not a span such as 21:00-08:00");
	person_checked_free(&c);
	assert_int_equal(person_quiet_parse("+9:00-17:00", &s, &e), -1);
	assert_int_equal(person_quiet_parse("21:5-08:00", &s, &e), -1);
	t.quiet_hours = "7:00-9:30";	/* the page refused it */
	assert_int_equal(person_check(&t, phone_only, "44", &c), 0);
	assert_int_equal(c.in.quiet_start, 420);
	assert_int_equal(c.in.quiet_end, 570);
	person_checked_free(&c);
	json_decref(phone_only);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_each_mistake),
		cmocka_unit_test(test_phone_reason),
		cmocka_unit_test(test_all_at_once),
		cmocka_unit_test(test_change),
		cmocka_unit_test(test_quiet_parse),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_used_to_differ),
	};

	log_init(LOG_TARGET_STDERR, 0);
	return (cmocka_run_group_tests_name("person", tests, NULL, NULL));
}
