/*
 * test_phone.c: phone numbers in the forms people write them become E.164,
 * and every number that cannot be one is refused with its reason.
 */
#include "config.h"

#include "testlib.h"

#include "log.h"
#include "phone.h"

struct phone_case {
	const char	*in;
	const char	*cc;
	const char	*want;	/* the number, or the whole cause */
};

/* Run each case; the test line names the case that went wrong. */
static void
run_cases(const struct phone_case *c, size_t n, int ok)
{
	char	 out[PHONE_E164_SIZE];
	char	*cause;
	size_t	 i;
	int	 r;

	for (i = 0; i < n; i++) {
		cause = NULL;
		memset(out, 'x', sizeof out);
		r = phone_normalise(c[i].in, c[i].cc, out, sizeof out, &cause);
		if (ok && r != 0)
			fail_msg("'%s' (%s): refused: %s", c[i].in, c[i].cc,
			    cause);
		if (ok && strcmp(out, c[i].want) != 0)
			fail_msg("'%s' (%s): got %s, wanted %s", c[i].in,
			    c[i].cc, out, c[i].want);
		if (ok && cause != NULL)
			fail_msg("'%s': a cause without an error", c[i].in);
		if (!ok && r != -1)
			fail_msg("'%s' (%s): got %s, wanted the refusal %s",
			    c[i].in, c[i].cc, out, c[i].want);
		if (!ok && (cause == NULL || strcmp(cause, c[i].want) != 0))
			fail_msg("'%s' (%s): cause\n  %s\nwanted\n  %s",
			    c[i].in, c[i].cc, cause, c[i].want);
		if (!ok && out[0] != '\0')
			fail_msg("'%s': out not emptied on error", c[i].in);
		free(cause);
	}
}

static void
test_uk(void **state)
{
	static const struct phone_case	c[] = {
		{ "07700 900123", "44", "+447700900123" },
		{ "07700900123", "44", "+447700900123" },
		{ "  07700 900123\t", "44", "+447700900123" },
		{ "07700-900-123", "44", "+447700900123" },
		{ "07700.900.123", "44", "+447700900123" },
		{ "(020) 7946 0000", "44", "+442079460000" },
		{ "020 7946 0000", "44", "+442079460000" },
		{ "+44 7700 900123", "44", "+447700900123" },
		{ "+447700900123", NULL, "+447700900123" },
		{ "+44 (0)20 7946 0000", "44", "+442079460000" },
		{ "+44(0)2079460000", NULL, "+442079460000" },
		{ "+44 (0) 7700 900123", "44", "+447700900123" },
		{ "0044 20 7946 0000", "44", "+442079460000" },
		{ "0044 (0)20 7946 0000", "", "+442079460000" },
		{ "(0)20 7946 0000", "44", "+442079460000" },
		{ "+44 1632 96000", "44", "+44163296000" },	/* 9 digits */
		/* No-break space and dash, as word processors write them. */
		{ "07700\xc2\xa0" "900\xe2\x80\x93" "123", "44",
		    "+447700900123" },
	};

	(void)state;
	run_cases(c, sizeof c / sizeof c[0], 1);
}

static void
test_international(void **state)
{
	static const struct phone_case	c[] = {
		{ "+1 (415) 555-0100", "44", "+14155550100" },
		{ "+1 (415) 555-0100", NULL, "+14155550100" },
		{ "0033 1 23 45 67 89", "44", "+33123456789" },
		{ "0033 1 23 45 67 89", NULL, "+33123456789" },
		{ "+33 (0)1 23 45 67 89", "44", "+33123456789" },
		{ "+353 (0)1 234 5678", "44", "+35312345678" },
		{ "01 23 45 67 89", "33", "+33123456789" },
		{ "+12345678", NULL, "+12345678" },		/* 8: fewest */
		{ "+123456789012345", NULL, "+123456789012345" }, /* most */
	};

	(void)state;
	run_cases(c, sizeof c / sizeof c[0], 1);
}

static void
test_refused(void **state)
{
	static const struct phone_case	c[] = {
		{ "", "44", "the phone number is empty" },
		{ " \t ", "44", "the phone number is empty" },
		{ NULL, "44", "the phone number is empty" },
		{ "07700 9OO123", "44", "'07700 9OO123' has a character "
		    "that is not a digit: 'O'" },
		{ "020 7946 0000 ext 12", "44", "'020 7946 0000 ext 12' has "
		    "a character that is not a digit: 'e'" },
		{ "07700/900123", "44", "'07700/900123' has a character "
		    "that is not a digit: '/'" },
		{ "07700 90012\xef\xbc\x93", "44", "'07700 90012\xef\xbc\x93' "
		    "has a character that is not a digit: '\xef\xbc\x93'" },
		{ "07700 \xa3" "900123", "44", "'07700 ?900123' has a byte "
		    "that is not text (0xa3)" },
		{ "07700\r900123", "44", "'07700?900123' has a control "
		    "character (0x0d) in it" },
		{ "+44 7700 +900123", "44", "'+44 7700 +900123' has a '+' "
		    "that is not at its start" },
		{ "(+44) 7700 900123", "44", "'(+44) 7700 900123' has a '+' "
		    "that is not at its start" },
		{ "+", "44", "'+' has no digits" },
		{ " ( ) ", "44", "'( )' has no digits" },
		{ "07700 900123", NULL, "'07700 900123' starts with 0, so "
		    "it needs a country, and no default country is set: "
		    "write it with + and its country code" },
		{ "07700 900123", "", "'07700 900123' starts with 0, so "
		    "it needs a country, and no default country is set: "
		    "write it with + and its country code" },
		{ "7700 900123", "44", "'7700 900123' does not start with 0, "
		    "00 or +, so its country is unknown (a spreadsheet may "
		    "have dropped its first 0)" },
		{ "+0 20 7946 0000", "44", "'+0 20 7946 0000' cannot be "
		    "right: no country code starts with 0" },
		{ "000 44 20 7946", "44", "'000 44 20 7946' cannot be "
		    "right: no country code starts with 0" },
		{ "+1 234 567", NULL, "'+1 234 567' is too short for a "
		    "phone number: it has 7 digits with the country code, "
		    "and a number has 8 to 15" },
		{ "012", "44", "'012' is too short for a phone number: it "
		    "has 4 digits with the country code, and a number has 8 "
		    "to 15" },
		{ "00", "44", "'00' is too short for a phone number: it "
		    "has 0 digits with the country code, and a number has 8 "
		    "to 15" },
		{ "+1234567890123456", NULL, "'+1234567890123456' is too "
		    "long for a phone number: it has 16 digits with the "
		    "country code, and a number has 8 to 15" },
		{ "01234 567890 123456", "44", "'01234 567890 123456' is too "
		    "long for a phone number: it has 18 digits with the "
		    "country code, and a number has 8 to 15" },
		{ "0123456789012345678901234567890123456789012345", "44",
		    "'0123456789012345678901234567890123456789...' is too "
		    "long for a phone number: it has 47 digits with the "
		    "country code, and a number has 8 to 15" },
		{ "+44 20 7946 00", "44", "'+44 20 7946 00' is too short "
		    "for a UK number: it has 8 digits after the 44 or the "
		    "first 0, and a UK number has 9 or 10" },
		{ "020 7946 00", "44", "'020 7946 00' is too short for a "
		    "UK number: it has 8 digits after the 44 or the first "
		    "0, and a UK number has 9 or 10" },
		{ "+44 20 7946 00000", "44", "'+44 20 7946 00000' is too "
		    "long for a UK number: it has 11 digits after the 44 or "
		    "the first 0, and a UK number has 9 or 10" },
		{ "+44 020 7946 0000", "44", "'+44 020 7946 0000' has a 0 "
		    "after the country code 44 that does not belong there: "
		    "write +44 20 7946 0000 or 020 7946 0000, not +44 020 "
		    "7946 0000" },
		{ "07700 900123", "4a", "the default country code '4a' is "
		    "not 1 to 3 digits (such as 44)" },
		{ "+44 7700 900123", "044", "the default country code '044' "
		    "is not 1 to 3 digits (such as 44)" },
		{ "07700 900123", "1234", "the default country code '1234' "
		    "is not 1 to 3 digits (such as 44)" },
	};

	(void)state;
	run_cases(c, sizeof c / sizeof c[0], 0);
}

static void
test_outlen(void **state)
{
	char	 out[PHONE_E164_SIZE];
	char	*cause = NULL;

	(void)state;
	memset(out, 'x', sizeof out);
	assert_int_equal(phone_normalise("07700 900123", "44", out,
	    sizeof out - 1, &cause), -1);
	assert_string_equal(cause, "no room for a phone number: 16 bytes "
	    "given, 17 needed");
	assert_int_equal(out[0], '\0');
	free(cause);
	cause = NULL;

	memset(out, 'x', sizeof out);
	assert_int_equal(phone_normalise("07700 900123", "44", out, 0,
	    &cause), -1);
	assert_non_null(cause);
	assert_int_equal(out[0], 'x');		/* no room even for a NUL */
	free(cause);
	cause = NULL;

	/* Exactly enough room for the longest number there is. */
	assert_int_equal(phone_normalise("+123 456 789 012 345", NULL, out,
	    sizeof out, &cause), 0);
	assert_null(cause);
	assert_string_equal(out, "+123456789012345");

	/* A NULL cause is allowed: the caller only wants yes or no. */
	assert_int_equal(phone_normalise("0", "44", out, sizeof out, NULL),
	    -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uk),
		cmocka_unit_test(test_international),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_outlen),
	};

	log_init(LOG_TARGET_STDERR, 0);
	return (cmocka_run_group_tests_name("phone", tests, NULL, NULL));
}
