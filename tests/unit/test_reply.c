/*
 * test_reply.c: reading texts sent back.  YES, NO, MAYBE, Y and N in any
 * case with stray spaces and punctuation, a meeting code before or
 * after, STOP, START, HELP; Welsh and Arabic words from the words files
 * of conf/templates with English understood in both; and texts that
 * must not be taken for an answer.
 */
#include "config.h"

#include "testlib.h"

#include "convene.h"
#include "log.h"
#include "reply.h"
#include "tmpl.h"
#include "util.h"

static struct tmpl_set	*set;

static int
load(void **state)
{
	const char	*top = getenv("top_srcdir");
	char		*dir, *cause = NULL;

	(void)state;
	dir = xprintf("%s/conf/templates", top != NULL ? top : ".");
	if ((set = tmpl_load(dir, msg_vars, msg_words, &cause)) == NULL)
		fail_msg("%s", cause);
	free(dir);
	return (0);
}

static int
unload(void **state)
{
	(void)state;
	tmpl_free(set);
	return (0);
}

/* What text says to a member whose language is lang. */
static struct reply
parse(const char *lang, const char *text)
{
	struct reply_words	w[2];
	struct reply		r;
	size_t			n;

	n = reply_words_get(set, lang, w);
	reply_parse(text, strlen(text), w, n, &r);
	return (r);
}

#define ANSWER(lang, text, want, num) do {				\
	struct reply r_ = parse(lang, text);				\
	if (r_.kind != REPLY_ANSWER || strcmp(r_.answer, want) != 0 ||	\
	    r_.code != (num))						\
		fail_msg("%s \"%s\": %s %s M%lld, not %s M%lld", lang,	\
		    text, reply_kind_name(r_.kind),			\
		    r_.answer ? r_.answer : "-", r_.code, want,		\
		    (long long)(num));					\
} while (0)

#define KIND(lang, text, want) do {					\
	struct reply r_ = parse(lang, text);				\
	if (r_.kind != (want))						\
		fail_msg("%s \"%s\": %s, not %s", lang, text,		\
		    reply_kind_name(r_.kind), reply_kind_name(want));	\
} while (0)

static void
test_english(void **state)
{
	(void)state;
	ANSWER("en", "YES", "yes", 0);
	ANSWER("en", "yes", "yes", 0);
	ANSWER("en", "Yes!", "yes", 0);
	ANSWER("en", " yes m2 ", "yes", 2);
	ANSWER("en", "YES, M2", "yes", 2);
	ANSWER("en", "YES M2.", "yes", 2);
	ANSWER("en", "yes m 2", "yes", 2);
	ANSWER("en", "M2 yes", "yes", 2);
	ANSWER("en", "m12345 - No", "no", 12345);
	ANSWER("en", "\"Maybe\"", "maybe", 0);
	ANSWER("en", "MAYBE M7", "maybe", 7);
	ANSWER("en", "y", "yes", 0);
	ANSWER("en", "N", "no", 0);
	ANSWER("en", "\tNo.\r\n", "no", 0);
	ANSWER("en", "Yes \xe2\x80\x94 M3 \xf0\x9f\x91\x8d", "yes", 3);
	KIND("en", "STOP", REPLY_STOP);
	KIND("en", "stop.", REPLY_STOP);
	KIND("en", "Stop all", REPLY_UNKNOWN);
	KIND("en", "unsubscribe", REPLY_STOP);
	KIND("en", "Start", REPLY_START);
	KIND("en", "help?", REPLY_HELP);
}

static void
test_not_understood(void **state)
{
	(void)state;
	KIND("en", "", REPLY_UNKNOWN);
	KIND("en", "   !!! ", REPLY_UNKNOWN);
	KIND("en", "M2", REPLY_UNKNOWN);
	KIND("en", "no idea what this is", REPLY_UNKNOWN);
	KIND("en", "yes no", REPLY_UNKNOWN);
	KIND("en", "yes m2 m3", REPLY_UNKNOWN);
	KIND("en", "yesterday", REPLY_UNKNOWN);
	KIND("en", "yes m0", REPLY_UNKNOWN);
	KIND("en", "yes m", REPLY_UNKNOWN);
	KIND("en", "yes m2x", REPLY_UNKNOWN);
	KIND("en", "yes m1234567890123456789", REPLY_UNKNOWN);
	KIND("en", "mm2 yes", REPLY_UNKNOWN);
	/* Invalid UTF-8 parts words; it never joins them. */
	ANSWER("en", "\xff" "yes" "\xc3", "yes", 0);
	KIND("en", "ye\xffs", REPLY_UNKNOWN);
	/* Welsh words are not English ones. */
	KIND("en", "ie", REPLY_UNKNOWN);
}

static void
test_welsh(void **state)
{
	(void)state;
	ANSWER("cy", "Ie", "yes", 0);
	ANSWER("cy", "do M4", "yes", 4);
	ANSWER("cy", "NA", "no", 0);
	ANSWER("cy", "naddo!", "no", 0);
	ANSWER("cy", "Na ddof, M9", "no", 9);
	ANSWER("cy", "Efallai", "maybe", 0);
	/* English whatever the language. */
	ANSWER("cy", "yes m2", "yes", 2);
	KIND("cy", "STOP", REPLY_STOP);
	KIND("cy", "stopio", REPLY_STOP);
	KIND("cy", "cymorth", REPLY_HELP);
	/* A Welsh speaker's letters in capitals. */
	ANSWER("cy", "EFALLAI", "maybe", 0);
}

static void
test_arabic(void **state)
{
	(void)state;
	ANSWER("ar", "نعم", "yes", 0);
	ANSWER("ar", "نعم M2", "yes", 2);
	ANSWER("ar", "M2 نعم", "yes", 2);
	/* Arabic-Indic digits, the Arabic comma, vowel marks. */
	ANSWER("ar", "لا M\xd9\xa2", "no", 2);
	ANSWER("ar", "لا\xd8\x8c M2", "no", 2);
	ANSWER("ar", "نَعَم", "yes", 0);
	ANSWER("ar", "ربما!", "maybe", 0);
	ANSWER("ar", "اجل", "yes", 0);
	ANSWER("ar", "YES", "yes", 0);
	KIND("ar", "توقف", REPLY_STOP);
	KIND("ar", "Stop", REPLY_STOP);
	/* A language with no words of its own: English. */
	ANSWER("pt", "yes M5", "yes", 5);
	KIND("pt", "sim", REPLY_UNKNOWN);
}

/* Words given by the caller: the longer wins, no set is needed. */
static void
test_words(void **state)
{
	struct reply_words	w = { .no = "na, na ddof", .yes = "ok" };
	struct reply		r;

	(void)state;
	reply_parse("na ddof", 7, &w, 1, &r);
	assert_int_equal(r.kind, REPLY_ANSWER);
	assert_string_equal(r.answer, "no");
	reply_parse("OK!", 3, &w, 1, &r);
	assert_string_equal(r.answer, "yes");
	reply_parse("ok", 2, NULL, 0, &r);
	assert_int_equal(r.kind, REPLY_UNKNOWN);
	reply_parse("no", 2, NULL, 0, &r);
	assert_string_equal(r.answer, "no");
	reply_parse(NULL, 0, NULL, 0, &r);
	assert_int_equal(r.kind, REPLY_UNKNOWN);
	/* Only the first REPLY_MAX bytes are read. */
	{
		char	*t = xcalloc(1, REPLY_MAX + 10);

		memset(t, ' ', REPLY_MAX + 9);
		memcpy(t, "yes", 3);
		memcpy(t + REPLY_MAX + 2, "no", 2);
		reply_parse(t, REPLY_MAX + 9, NULL, 0, &r);
		assert_int_equal(r.kind, REPLY_ANSWER);
		assert_string_equal(r.answer, "yes");
		free(t);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_english),
		cmocka_unit_test(test_not_understood),
		cmocka_unit_test(test_welsh),
		cmocka_unit_test(test_arabic),
		cmocka_unit_test(test_words),
	};

	log_init(LOG_TARGET_STDERR, 0);
	return (cmocka_run_group_tests_name("reply", tests, load, unload));
}
