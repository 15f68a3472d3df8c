/*
 * test_util.c: the helpers under every module: whether a comma-separated
 * list has an item, and the list of mistakes found reading a file.
 */
#include "config.h"

#include "testlib.h"

#include "log.h"
#include "util.h"

/* Whole items only, anywhere in the list; NULL and "" have none. */
static void
test_list_has(void **state)
{
	(void)state;
	assert_true(list_has("email,sms", "email"));
	assert_true(list_has("email,sms", "sms"));
	assert_true(list_has("feed", "feed"));
	assert_true(list_has("time,place,title", "place"));

	/* A prefix or an extension of an item is not the item. */
	assert_false(list_has("email,sms", "sm"));
	assert_false(list_has("email,sms", "mail"));
	assert_false(list_has("emails,sms", "email"));
	assert_false(list_has("email,sms", "email,"));
	assert_false(list_has("sms", "smsx"));

	/* No white space is taken out: "a, b" has " b", not "b". */
	assert_false(list_has("email, sms", "sms"));
	assert_true(list_has("email, sms", " sms"));

	assert_false(list_has(NULL, "email"));
	assert_false(list_has("", "email"));
	/* An empty item is found where the list has one. */
	assert_true(list_has("a,,b", ""));
}

/* "FILE:LINE: reason", one a line, in the order added, and counted. */
static void
test_errlist(void **state)
{
	struct errlist	e;

	(void)state;
	memset(&e, 0, sizeof e);
	assert_null(e.text);
	errlist_add(&e, "a.conf", 3, "unknown option '%s'", "x");
	assert_string_equal(e.text, "a.conf:3: unknown option 'x'");
	assert_int_equal(e.count, 1);

	/* Line 0 is a line like any other, as a caller may report it. */
	errlist_add(&e, "a.conf", 0, "%d is %s", 7, "odd");
	/* No line, and no file. */
	errlist_add(&e, "en/x.tmpl", ERRLIST_NOLINE, "not a regular file");
	errlist_add(&e, NULL, 12, "%s", "no file: the line is not said");
	assert_string_equal(e.text,
	    "a.conf:3: unknown option 'x'\n"
	    "a.conf:0: 7 is odd\n"
	    "en/x.tmpl: not a regular file\n"
	    "no file: the line is not said");
	assert_int_equal(e.count, 4);
	free(e.text);

	/* A reason with a % in it is written as it is. */
	memset(&e, 0, sizeof e);
	errlist_add(&e, "b", 1, "%s", "100% sure");
	assert_string_equal(e.text, "b:1: 100% sure");
	free(e.text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_has),
		cmocka_unit_test(test_errlist),
	};

	log_init(LOG_TARGET_STDERR, 0);
	return (cmocka_run_group_tests_name("util", tests, NULL, NULL));
}
