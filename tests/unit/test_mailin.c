/*
 * test_mailin.c: the REPLY is found in an email however it is wrapped
 * (nested multiparts, folded headers, base64 across lines, soft line
 * breaks of quoted-printable, a .ics file of no calendar type), the
 * signed token is taken from an address whatever surrounds it, and a
 * message that is no answer is refused with a reason.
 */
#include "config.h"

#include "testlib.h"

#include "mailin.h"
#include "util.h"

#define TOKEN	"r.12.345.yj6MB-p2MaBClxQ2Roq4Cw"

#define REPLY(partstat)							\
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"	\
	"METHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:series-3@example.org\r\n"	\
	"RECURRENCE-ID;TZID=Europe/London:20261206T180000\r\n"		\
	"DTSTAMP:20260101T120000Z\r\n"					\
	"ORGANIZER;CN=G:mailto:convene+" TOKEN "@example.org\r\n"	\
	"ATTENDEE;CN=\"Smith, Ann\";PARTSTAT=" partstat ";X-A=\"b:c\""	\
	":mailto:ann@example.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

static int
parse(const char *msg, struct mailin *m, char **cause)
{
	*cause = NULL;
	return (mailin_parse(msg, strlen(msg), m, cause));
}

static void
check_reply(const char *msg, const char *answer)
{
	struct mailin	 m;
	char		*cause;

	if (parse(msg, &m, &cause) != 0)
		fail_msg("refused: %s\n%s", cause, msg);
	assert_string_equal(m.answer, answer);
	assert_string_equal(m.uid, "series-3@example.org");
	assert_string_equal(m.recurrence_id, "20261206T180000");
	assert_string_equal(m.organizer, TOKEN);
	assert_string_equal(m.attendee, "mailto:ann@example.org");
	mailin_free(&m);
}

static void
check_refused(const char *msg, const char *why)
{
	struct mailin	 m;
	char		*cause;

	if (parse(msg, &m, &cause) == 0)
		fail_msg("taken:\n%s", msg);
	if (cause == NULL || strstr(cause, why) == NULL)
		fail_msg("'%s', not '%s'", cause ? cause : "(none)", why);
	free(cause);
}

static void
test_inline(void **state)
{
	(void)state;
	check_reply("To: x\nContent-Type: text/calendar; method=REPLY\n\n"
	    REPLY("ACCEPTED"), "yes");
	check_reply("Content-Type: text/calendar;\r\n\tcharset=utf-8;\r\n"
	    "\tmethod=REPLY\r\n\r\n" REPLY("TENTATIVE"), "maybe");
	check_reply("Subject: a\nContent-type: TEXT/CALENDAR\n\n"
	    REPLY("DECLINED"), "no");
}

static void
test_nested(void **state)
{
	(void)state;
	check_reply("Content-Type: multipart/mixed; boundary=\"a b\"\n\n"
	    "preamble\n--a b\nContent-Type: multipart/alternative;\n"
	    " boundary=inner\n\n--inner\nContent-Type: text/plain\n\nhi\n"
	    "--inner\nContent-Type: text/calendar; method=REPLY\n\n"
	    REPLY("ACCEPTED") "\n--inner--\n\n--a b--\nepilogue\n", "yes");
}

static void
test_encodings(void **state)
{
	(void)state;
	/* REPLY("DECLINED") in base64, broken over lines. */
	check_reply("Content-Type: multipart/mixed; boundary=x\n\n--x\n"
	    "Content-Type: application/octet-stream; name=\"invite.ics\"\n"
	    "Content-Transfer-Encoding: BASE64\n\n"
	    "QkVHSU46VkNBTEVOREFSDQpWRVJTSU9OOjIuMA0KUFJPRElEOi0vL3QvL3Qv\n"
	    "L0VODQpNRVRIT0Q6UkVQTFkNCkJFR0lOOlZFVkVOVA0KVUlEOnNlcmllcy0z\n"
	    "QGV4YW1wbGUub3JnDQpSRUNVUlJFTkNFLUlEO1RaSUQ9RXVyb3BlL0xvbmRv\n"
	    "bjoyMDI2MTIwNlQxODAwMDANCkRUU1RBTVA6MjAyNjAxMDFUMTIwMDAwWg0K\n"
	    "T1JHQU5JWkVSO0NOPUc6bWFpbHRvOmNvbnZlbmUrci4xMi4zNDUueWo2TUIt\n"
	    "cDJNYUJDbHhRMlJvcTRDd0BleGFtcGxlLm9yZw0KQVRURU5ERUU7Q049IlNt\n"
	    "aXRoLCBBbm4iO1BBUlRTVEFUPURFQ0xJTkVEO1gtQT0iYjpjIjptYWlsdG86\n"
	    "YW5uQGV4YW1wbGUub3JnDQpFTkQ6VkVWRU5UDQpFTkQ6VkNBTEVOREFSDQo=\n"
	    "--x--\n", "no");
	check_reply("Content-Type: application/ics\n"
	    "Content-Transfer-Encoding: quoted-printable\n\n"
	    "BEGIN:VCALENDAR\nMETHOD:REPLY\nBEGIN:VEVENT\nUID:series-3@exam=\n"
	    "ple.org\nRECURRENCE-ID;TZID=3DEurope/London:20261206T180000\n"
	    "ORGANIZER:mailto:convene+" TOKEN "@example.org\n"
	    "ATTENDEE;PARTSTAT=3DACCEPTED:mailto:ann@example.org=\t\n"
	    "\nEND:VEVENT\nEND:VCALENDAR\n", "yes");
}

static void
test_refused(void **state)
{
	(void)state;
	check_refused("", "not an email");
	check_refused("just words\n", "not an email");
	check_refused("From: a\n\nhello\n", "no calendar part");
	check_refused("Content-Type: multipart/mixed\n\n--x\n\n", "no "
	    "calendar part");
	check_refused("Content-Type: text/calendar\n\nBEGIN:VCALENDAR\n"
	    "METHOD:REQUEST\nBEGIN:VEVENT\nUID:u\nEND:VEVENT\n"
	    "END:VCALENDAR\n", "not a REPLY");
	check_refused("Content-Type: text/calendar\n\nBEGIN:VCALENDAR\n"
	    "BEGIN:VEVENT\nUID:u\nEND:VEVENT\nEND:VCALENDAR\n",
	    "not a REPLY");
	check_refused("Content-Type: text/calendar\n\n" REPLY("NEEDS-ACTION"),
	    "neither accepts");
	check_refused("Content-Type: text/calendar\n\nBEGIN:VCALENDAR\n"
	    "METHOD:REPLY\nBEGIN:VEVENT\nATTENDEE;PARTSTAT=ACCEPTED:x\n"
	    "END:VEVENT\nEND:VCALENDAR\n", "no event with a UID");
	check_refused("Content-Type: text/calendar\n\nnot a calendar\n",
	    "calendar part");
}

static void
test_headers(void **state)
{
	struct mailin	 m;
	char		*cause;

	(void)state;
	assert_int_equal(parse("Message-ID:\n <abc@example.org>\n"
	    "Delivered-To: convene+r.1.2.AAAAAAAAAAAAAAAAAAAAAA@example.org\n"
	    "To: \"G\" <convene+" TOKEN "@example.org>\n"
	    "Content-Type: text/calendar\n\n" REPLY("ACCEPTED"), &m, &cause),
	    0);
	assert_string_equal(m.message_id, "<abc@example.org>");
	assert_string_equal(m.token, "r.1.2.AAAAAAAAAAAAAAAAAAAAAA");
	mailin_free(&m);
	assert_int_equal(parse("To: a@example.org, \"G\" <convene+" TOKEN
	    "@example.org>\nContent-Type: text/calendar\n\n"
	    REPLY("ACCEPTED"), &m, &cause), 0);
	assert_null(m.message_id);
	assert_string_equal(m.token, TOKEN);
	mailin_free(&m);
}

static void
test_token(void **state)
{
	char	*t;

	(void)state;
	assert_string_equal(t = mailin_token("convene+" TOKEN "@x.org"),
	    TOKEN);
	free(t);
	assert_string_equal(t = mailin_token("<c+" TOKEN ">"), TOKEN);
	free(t);
	assert_string_equal(t = mailin_token("c+" TOKEN), TOKEN);
	free(t);
	assert_null(mailin_token("convene@example.org"));
	assert_null(mailin_token("convene+r.1.2.a/b@example.org"));
	assert_null(mailin_token("+x.1.2@example.org"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inline),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_token),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
