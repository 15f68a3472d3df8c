/*
 * test_util.c: the helpers under every module: whether a comma-separated
 * list has an item.
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_has),
	};

	log_init(LOG_TARGET_STDERR, 0);
	return (cmocka_run_group_tests_name("util", tests, NULL, NULL));
}
