/*
 * test_sched.c: meeting times across the clock changes.  A six-weekly
 * series at 18:00 Europe/London from February to November stays at 18:00
 * local while its UTC instant moves by an hour for British Summer Time;
 * a one-day reminder before a meeting just after a change is due at 18:00
 * local the day before.
 */
#include "config.h"

#include "testlib.h"

#include "log.h"
#include "sched.h"

/* Seconds since the epoch of a UTC date and time. */
static time_t
utc(int y, int mo, int d, int h, int mi)
{
	struct tm	tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return (timegm(&tm));
}

static void
test_six_weekly_across_bst(void **state)
{
	struct sched_series	 s = {
		.tzid = "Europe/London",
		.dtstart = "2026-02-05T18:00",	/* a Thursday, in GMT */
		.duration = 7200,
		.rrule = "FREQ=WEEKLY;INTERVAL=6;COUNT=8",
	};
	/* 2026: BST from 29 March to 25 October. */
	static const struct {
		const char	*local;
		int		 utc_hour;
	} want[] = {
		{ "20260205T180000", 18 }, { "20260319T180000", 18 },
		{ "20260430T180000", 17 }, { "20260611T180000", 17 },
		{ "20260723T180000", 17 }, { "20260903T180000", 17 },
		{ "20261015T180000", 17 }, { "20261126T180000", 18 },
	};
	struct sched_occ	*occ;
	size_t			 n, i;
	char			*cause = NULL, local[SCHED_LOCAL_LEN];
	char			 words[128];
	struct tm		 tm;

	(void)state;
	if (sched_expand(&s, 0, utc(2100, 1, 1, 0, 0), &occ, &n, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(n, 8);
	for (i = 0; i < n; i++) {
		assert_string_equal(occ[i].recurrence_id, want[i].local);
		gmtime_r(&occ[i].start, &tm);
		if (tm.tm_hour != want[i].utc_hour)
			fail_msg("%s is %02d:%02d UTC, wanted %02d:00",
			    want[i].local, tm.tm_hour, tm.tm_min,
			    want[i].utc_hour);
		assert_int_equal(occ[i].end - occ[i].start, 7200);
		assert_int_equal(sched_utc_to_local("Europe/London",
		    occ[i].start, local, NULL), 0);
		assert_string_equal(local, want[i].local);
		assert_int_equal(sched_minute_of_day(occ[i].start,
		    "Europe/London"), 18 * 60);
	}
	assert_int_equal(sched_words(occ[2].start, "Europe/London", words,
	    sizeof words), 0);
	assert_string_equal(words, "Thursday 30 April 2026 at 6pm");
	assert_int_equal(sched_short(occ[2].start, "Europe/London", words,
	    sizeof words), 0);
	assert_string_equal(words, "Thu 30 Apr 18:00");
	free(occ);

	/* A window picks out only what starts inside it. */
	assert_int_equal(sched_expand(&s, utc(2026, 4, 1, 0, 0),
	    utc(2026, 7, 1, 0, 0), &occ, &n, &cause), 0);
	assert_int_equal(n, 2);
	assert_string_equal(occ[0].recurrence_id, "20260430T180000");
	free(occ);
}

static void
test_exdate_rdate_until(void **state)
{
	struct sched_series	 s = {
		.tzid = "Europe/London",
		.dtstart = "2026-01-08T10:30",
		.duration = 5400,
		.rrule = "FREQ=WEEKLY;INTERVAL=6;UNTIL=20260701T000000Z",
		.exdates = "20260219T103000",
		.rdates = "20260305T140000,20260402T103000",
	};
	struct sched_occ	*occ;
	size_t			 n;
	char			*cause = NULL;

	(void)state;
	if (sched_expand(&s, 0, utc(2100, 1, 1, 0, 0), &occ, &n, &cause) != 0)
		fail_msg("%s", cause);
	/* Jan 8, (Feb 19 excluded), Mar 5 14:00 added, Apr 2 once, May 14,
	 * Jun 25. */
	assert_int_equal(n, 5);
	assert_string_equal(occ[0].recurrence_id, "20260108T103000");
	assert_string_equal(occ[1].recurrence_id, "20260305T140000");
	assert_string_equal(occ[2].recurrence_id, "20260402T103000");
	assert_string_equal(occ[3].recurrence_id, "20260514T103000");
	assert_string_equal(occ[4].recurrence_id, "20260625T103000");
	free(occ);
}

/*
 * Whether a series meets at a local time: its rule's and RDATEs' times,
 * not its EXDATEs', and the time a meeting in a skipped hour is named by.
 */
static void
test_occurs(void **state)
{
	struct sched_series	 s = {
		.tzid = "Europe/London",
		.dtstart = "2026-01-08T10:30",
		.duration = 5400,
		.rrule = "FREQ=WEEKLY;INTERVAL=6;UNTIL=20260701T000000Z",
		.exdates = "20260219T103000",
		.rdates = "20260305T140000,20260402T103000",
	};
	struct sched_series	 bare = s, gap = {
		.tzid = "Europe/London",
		.dtstart = "2027-03-28T01:30",
		.duration = 3600,
		.rrule = "FREQ=WEEKLY;INTERVAL=6;COUNT=4",
	};

	(void)state;
	assert_true(sched_occurs(&s, "20260108T103000"));
	assert_true(sched_occurs(&s, "20260514T103000"));
	assert_true(sched_occurs(&s, "20260305T140000"));	/* RDATE */
	assert_true(sched_occurs(&s, "20260402T103000"));	/* both */
	assert_false(sched_occurs(&s, "20260219T103000"));	/* EXDATE */
	bare.exdates = "";
	assert_true(sched_occurs(&bare, "20260219T103000"));
	/* Not the rule's day, not its time, past its UNTIL. */
	assert_false(sched_occurs(&s, "20260115T103000"));
	assert_false(sched_occurs(&s, "20260108T113000"));
	assert_false(sched_occurs(&s, "20260305T103000"));
	assert_false(sched_occurs(&s, "20260806T103000"));
	/* What cannot be read is no meeting. */
	assert_false(sched_occurs(&s, "soon"));
	bare.tzid = "Europe/Nowhere";
	assert_false(sched_occurs(&bare, "20260108T103000"));
	/* 01:30 on the day the clocks skip it is still named 01:30. */
	assert_true(sched_occurs(&gap, "20270328T013000"));
	assert_true(sched_occurs(&gap, "20270509T013000"));
	assert_false(sched_occurs(&gap, "20270328T023000"));
}

static void
test_lead_across_change(void **state)
{
	struct sched_lead	 lead;
	char			 canon[SCHED_LEAD_LEN], *cause = NULL;
	time_t			 start, due;

	(void)state;
	assert_int_equal(sched_lead_parse("P1D", &lead, canon, &cause), 0);
	assert_string_equal(canon, "P1D");
	/* Sunday 29 March 2026, 18:00 BST: the clocks went forward at 01:00
	 * GMT that morning, so the day before had 23 hours to go. */
	assert_int_equal(sched_local_to_utc("Europe/London",
	    "2026-03-29T18:00", &start, &cause), 0);
	assert_int_equal(start, utc(2026, 3, 29, 17, 0));
	due = sched_due(start, "Europe/London", &lead);
	assert_int_equal(due, utc(2026, 3, 28, 18, 0));
	assert_int_equal(sched_minute_of_day(due, "Europe/London"), 18 * 60);
	assert_int_equal(start - due, 23 * 3600);

	/* Sunday 25 October 2026, 18:00 GMT: the day before had 25. */
	assert_int_equal(sched_local_to_utc("Europe/London",
	    "2026-10-25T18:00", &start, &cause), 0);
	due = sched_due(start, "Europe/London", &lead);
	assert_int_equal(due, utc(2026, 10, 24, 17, 0));
	assert_int_equal(start - due, 25 * 3600);

	/* Hours are hours. */
	assert_int_equal(sched_lead_parse("2h", &lead, canon, &cause), 0);
	assert_string_equal(canon, "PT2H");
	assert_int_equal(sched_due(start, "Europe/London", &lead),
	    start - 7200);
	assert_int_equal(sched_lead_parse("P7DT2H30M", &lead, canon, &cause),
	    0);
	assert_int_equal(lead.days, 7);
	assert_int_equal(lead.seconds, 9000);
	assert_string_equal(canon, "P7DT2H30M");
	assert_int_equal(sched_lead_parse("10s", &lead, canon, &cause), 0);
	assert_string_equal(canon, "PT10S");
}

static void
test_bad_input(void **state)
{
	struct sched_series	 s = {
		.tzid = "Europe/London", .dtstart = "2026-02-05T18:00",
		.duration = 3600, .rrule = "FREQ=WEEKLY;INTERVAL=6",
	};
	struct sched_occ	*occ;
	struct sched_lead	 lead;
	size_t			 n;
	char			*cause = NULL, canon[SCHED_LOCAL_LEN];
	time_t			 t;

	(void)state;
#define EXPECT(call, text) do {						\
	cause = NULL;							\
	assert_int_equal((call), -1);					\
	if (cause == NULL || strstr(cause, (text)) == NULL)		\
		fail_msg("wanted \"%s\", got \"%s\"", (text), cause);	\
	free(cause);							\
} while (0)
	EXPECT(sched_parse_local("2026-02-30T18:00", canon, &cause),
	    "'2026-02-30T18:00' is not a date on the calendar");
	EXPECT(sched_parse_local("2026-02-10T25:00", canon, &cause),
	    "is not a time of day");
	EXPECT(sched_parse_local("next Tuesday", canon, &cause),
	    "is not a date and time such as 2026-03-12T18:00");
	EXPECT(sched_parse_local("2026-02-10", canon, &cause),
	    "is not a date and time");
	EXPECT(sched_local_to_utc("Europe/Londn", "2026-02-10T18:00", &t,
	    &cause), "time_zone: 'Europe/Londn' is not a known time zone");
	EXPECT(sched_rrule_valid("FREQ=FORTNIGHTLY", &cause),
	    "rrule: 'FREQ=FORTNIGHTLY' is not a recurrence rule");
	EXPECT(sched_rrule_valid("FREQ=HOURLY", &cause),
	    "repeats more often than daily");
	/* libical takes this, and a feed would carry the second line. */
	EXPECT(sched_rrule_valid("FREQ=WEEKLY;INTERVAL=6\r\nBEGIN:VEVENT",
	    &cause), "has characters a recurrence rule cannot hold");
	EXPECT(sched_rrule_valid("FREQ=WEEKLY;INTERVAL=6 X", &cause),
	    "has characters a recurrence rule cannot hold");
	EXPECT(sched_lead_parse("soon", &lead, NULL, &cause),
	    "'soon' is not a lead time");
	EXPECT(sched_lead_parse("P1H", &lead, NULL, &cause),
	    "is not a lead time");
	EXPECT(sched_lead_parse("0s", &lead, NULL, &cause), "is zero");
	/* Too long to be a lead time, and never wrapped round. */
	EXPECT(sched_lead_parse("PT600000H", &lead, NULL, &cause),
	    "is not a lead time");
	EXPECT(sched_lead_parse("P400D", &lead, NULL, &cause),
	    "is not a lead time");
	s.rrule = "FREQ=WEEKLY;BYDAY=XX";
	EXPECT(sched_expand(&s, 0, 1, &occ, &n, &cause), "rrule:");
	assert_int_equal(sched_parse_local("2028-02-29 09:15:30", canon,
	    &cause), 0);
	assert_string_equal(canon, "20280229T091530");
#undef EXPECT
}

/*
 * Each meeting is read on its own day (RFC 5545 3.3.5): 01:30 on the
 * spring Sunday does not exist in London and is 02:30 BST that day only;
 * the meetings after it are at 01:30 again.  The instants are Python's
 * zoneinfo with fold=0.
 */
static void
test_wall_gap_london(void **state)
{
	struct sched_series	 s = {
		.tzid = "Europe/London",
		.dtstart = "2027-03-28T01:30",
		.duration = 3600,
		.rrule = "FREQ=WEEKLY;INTERVAL=6;COUNT=4",
	};
	const time_t	 want[] = { utc(2027, 3, 28, 1, 30),
	    utc(2027, 5, 9, 0, 30), utc(2027, 6, 20, 0, 30),
	    utc(2027, 8, 1, 0, 30) };
	struct sched_occ *occ;
	size_t		 n, i;
	char		*cause = NULL, *note, local[SCHED_LOCAL_LEN];
	time_t		 t;

	(void)state;
	if (sched_expand(&s, 0, utc(2100, 1, 1, 0, 0), &occ, &n, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++) {
		assert_int_equal(occ[i].start, want[i]);
		assert_int_equal(occ[i].wall, i == 0 ? SCHED_WALL_GAP :
		    SCHED_WALL_OK);
		assert_memory_equal(occ[i].recurrence_id + 8, "T013000", 7);
	}
	free(occ);
	assert_int_equal(sched_local_to_utc("Europe/London",
	    "2027-03-28T01:30", &t, NULL), 0);
	assert_int_equal(t, want[0]);
	assert_int_equal(sched_utc_to_local("Europe/London", t, local, NULL),
	    0);
	assert_string_equal(local, "20270328T023000");
	note = sched_wall_note("Europe/London", "2027-03-28T01:30");
	assert_non_null(note);
	assert_string_equal(note, "01:30 on 28 March 2027 does not exist in "
	    "Europe/London (the clocks go forward); that meeting is at 02:30");
	free(note);
	assert_null(sched_wall_note("Europe/London", "2027-05-09T01:30"));
}

/* A time passed twice is the first of the two, BST in London. */
static void
test_wall_twice_london(void **state)
{
	char	*note;
	time_t	 t;

	(void)state;
	assert_int_equal(sched_local_to_utc("Europe/London",
	    "2027-10-31T01:30", &t, NULL), 0);
	assert_int_equal(t, utc(2027, 10, 31, 0, 30));
	assert_int_equal(sched_local_to_utc("Europe/London",
	    "2027-10-31T02:30", &t, NULL), 0);
	assert_int_equal(t, utc(2027, 10, 31, 2, 30));
	note = sched_wall_note("Europe/London", "2027-10-31T01:30");
	assert_non_null(note);
	assert_non_null(strstr(note, "happens twice"));
	free(note);
}

/* Weekly at 02:30 in New York: only the spring Sunday is moved. */
static void
test_wall_new_york(void **state)
{
	struct sched_series	 s = {
		.tzid = "America/New_York",
		.dtstart = "2027-03-07T02:30",
		.duration = 3600,
		.rrule = "FREQ=WEEKLY;COUNT=4",
	};
	struct sched_series	 f = {
		.tzid = "America/New_York",
		.dtstart = "2027-10-31T01:30",
		.duration = 3600,
		.rrule = "FREQ=WEEKLY;COUNT=3",
	};
	const time_t	 want[] = { utc(2027, 3, 7, 7, 30),
	    utc(2027, 3, 14, 7, 30), utc(2027, 3, 21, 6, 30),
	    utc(2027, 3, 28, 6, 30) };
	const time_t	 fall[] = { utc(2027, 10, 31, 5, 30),
	    utc(2027, 11, 7, 5, 30), utc(2027, 11, 14, 6, 30) };
	struct sched_occ *occ;
	size_t		 n, i;
	char		*cause = NULL;

	(void)state;
	if (sched_expand(&s, 0, utc(2100, 1, 1, 0, 0), &occ, &n, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++)
		assert_int_equal(occ[i].start, want[i]);
	free(occ);
	if (sched_expand(&f, 0, utc(2100, 1, 1, 0, 0), &occ, &n, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++)
		assert_int_equal(occ[i].start, fall[i]);
	assert_int_equal(occ[1].wall, SCHED_WALL_TWICE);
	free(occ);
}

/* A one-day lead that lands in the gap is read the same way. */
static void
test_lead_into_gap(void **state)
{
	struct sched_lead	l;
	time_t			start;

	(void)state;
	assert_int_equal(sched_lead_parse("P1D", &l, NULL, NULL), 0);
	/* 01:30 on Monday 29 March 2027 is 00:30 UTC. */
	start = utc(2027, 3, 29, 0, 30);
	assert_int_equal(sched_due(start, "Europe/London", &l),
	    utc(2027, 3, 28, 1, 30));
}

/* A rule that gives no meeting is refused at once, naming its parts. */
static void
test_rule_no_meeting(void **state)
{
	struct sched_series	 s = {
		.tzid = "Europe/London",
		.dtstart = "2027-01-31T18:00",
		.duration = 3600,
		.rrule = "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2,4,6,9,11",
	};
	struct timespec	 t0, t1;
	char		*cause = NULL;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(sched_series_check(&s, &cause), -1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_non_null(strstr(cause, "BYMONTHDAY=31"));
	assert_non_null(strstr(cause, "BYMONTH=2,4,6,9,11"));
	free(cause);
	cause = NULL;
	/* Bounded work, not libical's search of thousands of years. */
	assert_true(t1.tv_sec - t0.tv_sec < 2);
	s.rrule = "FREQ=MONTHLY;BYSETPOS=7;BYDAY=MO";
	assert_int_equal(sched_series_check(&s, &cause), -1);
	assert_non_null(strstr(cause, "BYSETPOS=7"));
	free(cause);
	cause = NULL;
	s.rrule = "FREQ=MONTHLY;BYDAY=6MO";
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(sched_series_check(&s, &cause), -1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 2);
	assert_non_null(strstr(cause, "BYDAY"));
	free(cause);
	cause = NULL;
	s.rrule = "FREQ=WEEKLY;BYDAY=2TU";
	assert_int_equal(sched_series_check(&s, &cause), -1);
	free(cause);
	cause = NULL;
	s.rrule = "FREQ=MONTHLY;BYDAY=-1FR";
	assert_int_equal(sched_series_check(&s, &cause), 0);
	s.rrule = "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=-1";
	assert_int_equal(sched_series_check(&s, &cause), 0);
	s.rrule = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29";
	assert_int_equal(sched_series_check(&s, &cause), 0);
}

/* A date is read as written or refused: no sign is dropped. */
static void
test_signed_date(void **state)
{
	char	canon[SCHED_LOCAL_LEN], *cause = NULL;

	(void)state;
	assert_int_equal(sched_parse_local("-2027-03-28T18:00", canon,
	    &cause), -1);
	assert_non_null(strstr(cause, "-2027-03-28T18:00"));
	free(cause);
	assert_int_equal(sched_parse_local("2027-03-28T18:00-", canon,
	    NULL), -1);
	assert_int_equal(sched_parse_local("2027-03-28T18:00", canon,
	    NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_six_weekly_across_bst),
		cmocka_unit_test(test_exdate_rdate_until),
		cmocka_unit_test(test_occurs),
		cmocka_unit_test(test_lead_across_change),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_wall_gap_london),
		cmocka_unit_test(test_wall_twice_london),
		cmocka_unit_test(test_wall_new_york),
		cmocka_unit_test(test_lead_into_gap),
		cmocka_unit_test(test_rule_no_meeting),
		cmocka_unit_test(test_signed_date),
	};

	log_init(LOG_TARGET_STDERR, 0);
	sched_init();
	return (cmocka_run_group_tests_name("sched", tests, NULL, NULL));
}
