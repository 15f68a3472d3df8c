/*
 * test_ical.c: iCalendar text: TEXT escaping, folding at 75 octets that
 * never splits a UTF-8 sequence, and the REQUEST and CANCEL messages for
 * one meeting, which must carry the feed's UID, a RECURRENCE-ID and the
 * feed's SEQUENCE.
 */
#include "config.h"

#include "testlib.h"

#include <jansson.h>

#include "ical.h"
#include "log.h"
#include "sched.h"
#include "util.h"

static void
test_escape(void **state)
{
	char	*s;

	(void)state;
	s = ical_escape("a\\b;c,d\ne\r\x01" "f\tg");
	assert_string_equal(s, "a\\\\b\\;c\\,d\\nef\tg");
	free(s);
	s = ical_escape("");
	assert_string_equal(s, "");
	free(s);
}

/* Every physical line at most 75 octets; unfolding gives the input. */
static void
check_fold(const char *in)
{
	char	*f, *p, *line, *save, *u;
	size_t	 n;

	f = ical_fold(in);
	n = strlen(f);
	assert_true(n >= 2 && strcmp(f + n - 2, "\r\n") == 0);
	u = xcalloc(1, n + 1);
	p = xstrdup(f);
	for (line = strtok_r(p, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		n = strlen(line);
		assert_true(n > 0 && line[n - 1] == '\r');
		line[--n] = '\0';
		assert_true(n <= 75);
		/* No line starts inside a UTF-8 sequence. */
		assert_false(((unsigned char)line[*line == ' ' ? 1 : 0] &
		    0xc0) == 0x80);
		strcat(u, line == p ? line : line + 1);
	}
	assert_string_equal(u, in);
	free(u);
	free(p);
	free(f);
}

static void
test_fold(void **state)
{
	char	buf[1024], *f;
	size_t	i;

	(void)state;
	check_fold("SUMMARY:short");
	/* 75 exactly stays whole, 76 folds. */
	memset(buf, 'x', 75);
	buf[75] = '\0';
	f = ical_fold(buf);
	assert_string_equal(f + 75, "\r\n");
	free(f);
	memset(buf, 'x', 76);
	buf[76] = '\0';
	check_fold(buf);
	/* Two-, three- and four-byte sequences at every offset. */
	for (i = 0; i < 4; i++) {
		snprintf(buf, sizeof buf, "DESCRIPTION:%.*s", (int)i, "abc");
		while (strlen(buf) < 600)
			strcat(buf, "\xc2\xa3\xe2\x80\x94\xf0\x9f\x98\x80 "
			    "Caf\xc3\xa9 ");
		check_fold(buf);
	}
}

static json_t *
row(void)
{
	return (json_pack("{s:I, s:s, s:I, s:I, s:I, s:I, s:s, s:s, s:s, "
	    "s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "series_id", (json_int_t)7, "recurrence_id", "20260402T180000",
	    "series_sequence", (json_int_t)2, "occ_sequence", (json_int_t)3,
	    /* Moved to 19:00 BST on 3 April 2026: 18:00 UTC. */
	    "start_at", (json_int_t)1775239200,
	    "end_at", (json_int_t)1775244600,
	    "time_zone", "Europe/London", "title", "Steering group, budget",
	    "venue", "Town Hall", "address", "1 High St",
	    "online_link", "https://meet.example.org/dp",
	    "agenda", "Budget; papers", "group_name", "DP Steering; Group",
	    "group_slug", "dp", "person", "Ann Jones",
	    "email", "ann@example.org", "status", "moved",
	    "kind", "update"));
}

/*
 * ical_message on a meeting written as JSON by name: a name missing is
 * "" or 0, and "rrule" missing is NULL.
 */
static char *
message(json_t *j, const char *method, const char *organizer, char **cause)
{
	struct ical_meeting	m;

	memset(&m, 0, sizeof m);
	m.series_id = jint(j, "series_id");
	m.recurrence_id = jstr(j, "recurrence_id");
	m.start_at = (time_t)jint(j, "start_at");
	m.end_at = (time_t)jint(j, "end_at");
	m.time_zone = jstr(j, "time_zone");
	m.title = jstr(j, "title");
	m.rrule = json_string_value(json_object_get(j, "rrule"));
	m.rdates = jstr(j, "rdates");
	m.status = jstr(j, "status");
	m.series_sequence = (int)jint(j, "series_sequence");
	m.occ_sequence = (int)jint(j, "occ_sequence");
	m.group_name = jstr(j, "group_name");
	m.venue = jstr(j, "venue");
	m.address = jstr(j, "address");
	m.agenda = jstr(j, "agenda");
	m.online_link = jstr(j, "online_link");
	m.travel = jstr(j, "travel");
	m.step_free = (int)jint(j, "step_free");
	m.hearing_loop = (int)jint(j, "hearing_loop");
	m.accessible_toilet = (int)jint(j, "accessible_toilet");
	m.quiet_room = (int)jint(j, "quiet_room");
	m.person = jstr(j, "person");
	m.email = jstr(j, "email");
	return (ical_message(&m, method, organizer, cause));
}

/* The text unfolded, for looking for whole lines. */
static char *
unfold(const char *s)
{
	char	*u = xstrdup(s), *p, *q;

	for (p = q = u; *p != '\0'; ) {
		if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ') {
			p += 3;
			continue;
		}
		*q++ = *p++;
	}
	*q = '\0';
	return (u);
}

static void
test_request(void **state)
{
	json_t	*r = row();
	char	*s, *u, *cause = NULL;

	(void)state;
	ical_configure("convene.example.org");
	s = message(r, "REQUEST", "coord@example.org", &cause);
	assert_non_null(s);
	u = unfold(s);
	assert_non_null(strstr(u, "BEGIN:VCALENDAR\r\n"));
	assert_non_null(strstr(u, "\r\nMETHOD:REQUEST\r\n"));
	assert_non_null(strstr(u, "\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/London"
	    "\r\n"));
	assert_non_null(strstr(u, "\r\nBEGIN:DAYLIGHT\r\n"));
	assert_non_null(strstr(u, "\r\nBEGIN:STANDARD\r\n"));
	assert_non_null(strstr(u,
	    "\r\nUID:series-7@convene.example.org\r\n"));
	assert_non_null(strstr(u, "\r\nRECURRENCE-ID;TZID=Europe/London:"
	    "20260402T180000\r\n"));
	assert_non_null(strstr(u, "\r\nDTSTART;TZID=Europe/London:"
	    "20260403T190000\r\n"));
	assert_non_null(strstr(u, "\r\nDURATION:PT1H30M\r\n"));
	assert_non_null(strstr(u, "\r\nSEQUENCE:5\r\n"));
	assert_non_null(strstr(u, "\r\nSTATUS:CONFIRMED\r\n"));
	assert_non_null(strstr(u, "\r\nSUMMARY:Steering group\\, budget\r\n"));
	assert_non_null(strstr(u, "\r\nORGANIZER;CN=\"DP Steering; Group\":"
	    "mailto:coord@example.org\r\n"));
	assert_non_null(strstr(u, "\r\nATTENDEE;CN=Ann Jones;"
	    "ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:"
	    "mailto:ann@example.org\r\n"));
	assert_non_null(strstr(u, "\r\nEND:VCALENDAR\r\n"));
	free(u);
	free(s);
	json_decref(r);
}

static void
test_cancel(void **state)
{
	json_t	*r = row();
	char	*s, *u, *cause = NULL;

	(void)state;
	json_object_set_new(r, "status", json_string("cancelled"));
	json_object_set_new(r, "rrule", json_string(""));
	s = message(r, "CANCEL", "coord@example.org", &cause);
	assert_non_null(s);
	u = unfold(s);
	assert_non_null(strstr(u, "\r\nMETHOD:CANCEL\r\n"));
	assert_non_null(strstr(u, "\r\nSTATUS:CANCELLED\r\n"));
	/* A series of one meeting has no RECURRENCE-ID. */
	assert_null(strstr(u, "RECURRENCE-ID"));
	free(u);
	free(s);
	/* Bad calls are refused with a reason. */
	assert_null(message(r, "PUBLISH", "coord@example.org", &cause));
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	assert_null(message(r, "CANCEL", "a b@example.org", &cause));
	free(cause);
	cause = NULL;
	json_object_set_new(r, "time_zone", json_string("Mars/Olympus"));
	assert_null(message(r, "REQUEST", "coord@example.org", &cause));
	free(cause);
	json_decref(r);
	ical_configure(NULL);
}

/*
 * A meeting as its series made it carries the series' SEQUENCE, as the
 * feed's master event does; a series of extra dates alone still recurs,
 * so its meetings are named by RECURRENCE-ID.
 */
static void
test_sequence_rdates(void **state)
{
	json_t	*r = row();
	char	*s, *u, *cause = NULL;

	(void)state;
	ical_configure("convene.example.org");
	json_object_set_new(r, "status", json_string("scheduled"));
	json_object_set_new(r, "rrule", json_string(""));
	json_object_set_new(r, "rdates", json_string("20260402T180000"));
	s = message(r, "REQUEST", "coord@example.org", &cause);
	assert_non_null(s);
	u = unfold(s);
	assert_non_null(strstr(u, "\r\nSEQUENCE:2\r\n"));
	assert_non_null(strstr(u, "\r\nRECURRENCE-ID;TZID=Europe/London:"
	    "20260402T180000\r\n"));
	free(u);
	free(s);
	/* A join link is a URI: not escaped as text, and kept on its line. */
	json_object_set_new(r, "online_link",
	    json_string("https://meet.example.org/j?a=1,2;b\r\nX:1"));
	s = message(r, "REQUEST", "coord@example.org", &cause);
	u = unfold(s);
	assert_non_null(strstr(u,
	    "\r\nURL:https://meet.example.org/j?a=1,2;b  X:1\r\n"));
	assert_null(strstr(u, "\r\nX:1"));
	free(u);
	free(s);
	json_decref(r);
	ical_configure(NULL);
}

/*
 * A meeting moved by hand and then gone from its series (a split) was
 * an override: its cancellation has a SEQUENCE above the override's.
 */
static void
test_cancel_removed(void **state)
{
	json_t	*r = row();
	char	*s, *u, *cause = NULL;

	(void)state;
	json_object_set_new(r, "status", json_string("removed"));
	s = message(r, "CANCEL", "coord@example.org", &cause);
	assert_non_null(s);
	u = unfold(s);
	assert_non_null(strstr(u, "\r\nSEQUENCE:5\r\n"));
	assert_non_null(strstr(u, "\r\nSTATUS:CANCELLED\r\n"));
	assert_non_null(strstr(u, "\r\nRECURRENCE-ID;TZID="));
	free(u);
	free(s);
	json_decref(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_sequence_rdates),
		cmocka_unit_test(test_cancel_removed),
	};

	log_init(LOG_TARGET_STDERR, 0);
	sched_init();
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
