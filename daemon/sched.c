/*
 * sched.c: meeting times.  A series is a local start, a duration and an
 * RRULE in its group's time zone; libical expands it there, so 18:00
 * stays 18:00 across the change between GMT and BST while the UTC instant
 * moves by an hour.  Also the words people read: "Thursday 12 March 2026
 * at 6pm".
 *
 * Wall-clock times are turned into instants here and nowhere else, one
 * meeting at a time, as RFC 5545 3.3.5 reads them: a time the clocks skip
 * is read with the offset in force before the change, a time they pass
 * twice is the first of the two.  libical expands rules on the floating
 * calendar only, so one odd day never shifts the meetings after it.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libical/ical.h>

#include "log.h"
#include "sched.h"
#include "util.h"

#define SCHED_MAX_ITER	100000	/* a runaway rule stops here */
#define SCHED_FIRST_YEARS 5	/* a rule must give a meeting this soon */

static const char *const sched_days[] = { "Sunday", "Monday", "Tuesday",
	"Wednesday", "Thursday", "Friday", "Saturday" };
static const char *const sched_months[] = { "January", "February", "March",
	"April", "May", "June", "July", "August", "September", "October",
	"November", "December" };

void
sched_init(void)
{
	icalerror_set_errors_are_fatal(0);
}

static icaltimezone *
sched_zone(const char *tzid, char **cause)
{
	icaltimezone	*tz;

	if (tzid == NULL || *tzid == '\0') {
		cause_set(cause, "time_zone: none given");
		return (NULL);
	}
	if (strcmp(tzid, "UTC") == 0)
		return (icaltimezone_get_utc_timezone());
	if ((tz = icaltimezone_get_builtin_timezone(tzid)) == NULL) {
		cause_set(cause, "time_zone: '%s' is not a known time zone "
		    "(such as Europe/London)", tzid);
		return (NULL);
	}
	return (tz);
}

/* Days from 1970-01-01 to a date of the proleptic Gregorian calendar. */
static long long
sched_days_from_civil(long long y, int m, int d)
{
	long long	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

/* The zone's offset from UTC, in seconds, at an instant. */
static int
sched_offset(icaltimezone *tz, time_t u)
{
	struct icaltimetype	ut;
	int			dst;

	if (tz == icaltimezone_get_utc_timezone())
		return (0);
	ut = icaltime_from_timet_with_zone(u, 0,
	    icaltimezone_get_utc_timezone());
	return (icaltimezone_get_utc_offset_of_utc_time(tz, &ut, &dst));
}

/*
 * The instant a wall-clock time names in the zone.  The offsets a day
 * either side are the only candidates; *kind says whether the time was
 * skipped (read with the offset before the gap) or passed twice (the
 * first of the two).
 */
static time_t
sched_wall(icaltimezone *tz, int y, int mo, int d, int h, int mi, int s,
    int *kind)
{
	time_t	l, u1, u2;
	int	ob, oa, v1, v2;

	l = (time_t)sched_days_from_civil(y, mo, d) * 86400 + h * 3600 +
	    mi * 60 + s;
	ob = sched_offset(tz, l - 86400);
	oa = sched_offset(tz, l + 86400);
	u1 = l - ob;
	u2 = l - oa;
	v1 = sched_offset(tz, u1) == ob;
	v2 = sched_offset(tz, u2) == oa;
	if (kind != NULL)
		*kind = SCHED_WALL_OK;
	if (ob == oa || (v1 && !v2))
		return (u1);
	if (v1 && v2) {
		if (kind != NULL)
			*kind = SCHED_WALL_TWICE;
		return (u1 < u2 ? u1 : u2);
	}
	if (v2)
		return (u2);
	if (kind != NULL)
		*kind = SCHED_WALL_GAP;
	return (u1);
}

/* The wall-clock time of an instant in the zone. */
static struct icaltimetype
sched_lt(icaltimezone *tz, time_t u)
{
	struct icaltimetype	lt = icaltime_null_time();
	struct tm		tm;
	time_t			l;

	l = u + sched_offset(tz, u);
	gmtime_r(&l, &tm);
	lt.year = tm.tm_year + 1900;
	lt.month = tm.tm_mon + 1;
	lt.day = tm.tm_mday;
	lt.hour = tm.tm_hour;
	lt.minute = tm.tm_min;
	lt.second = tm.tm_sec;
	return (lt);
}

static time_t
sched_wall_of(icaltimezone *tz, struct icaltimetype t, int *kind)
{
	return (sched_wall(tz, t.year, t.month, t.day, t.hour, t.minute,
	    t.second, kind));
}

int
sched_zone_valid(const char *tzid, char **cause)
{
	return (sched_zone(tzid, cause) == NULL ? -1 : 0);
}

static int
sched_days_in_month(int y, int m)
{
	static const int	days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
				    31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return (29);
	return (days[m - 1]);
}

/* Canonical local time; the fields were checked, so 15 bytes suffice. */
static void
sched_fmt_local(char out[SCHED_LOCAL_LEN], int y, int mo, int d, int h,
    int mi, int s)
{
	char	tmp[96];

	int	n;

	n = snprintf(tmp, sizeof tmp, "%04d%02d%02dT%02d%02d%02d", y, mo, d,
	    h, mi, s);
	if (n < 0 || n >= SCHED_LOCAL_LEN)
		n = 0;
	memcpy(out, tmp, n);
	out[n] = '\0';
}

/*
 * Read a local date and time: "2026-03-12T18:00", "2026-03-12 18:00:00"
 * or "20260312T180000"; out gets the canonical "20260312T180000".
 */
int
sched_parse_local(const char *in, char out[SCHED_LOCAL_LEN], char **cause)
{
	char		 d[15];
	const char	*p;
	size_t		 n = 0;
	int		 y, mo, day, h, mi, s;

	/* A date starts with its year and a time ends with a digit. */
	if (in == NULL || !isdigit((unsigned char)in[0]) ||
	    !isdigit((unsigned char)in[strlen(in) - 1]))
		goto bad;
	for (p = in; *p != '\0'; p++) {
		if (isdigit((unsigned char)*p)) {
			if (n == sizeof d - 1)
				goto bad;
			d[n++] = *p;
		} else if (strchr("-: T", *p) == NULL)
			goto bad;
	}
	d[n] = '\0';
	if (n != 12 && n != 14)
		goto bad;
	if (sscanf(d, "%4d%2d%2d%2d%2d", &y, &mo, &day, &h, &mi) != 5)
		goto bad;
	s = n == 14 ? atoi(d + 12) : 0;
	if (y < 1970 || y > 2200 || mo < 1 || mo > 12 || day < 1 ||
	    day > sched_days_in_month(y, mo)) {
		cause_set(cause, "'%s' is not a date on the calendar", in);
		return (-1);
	}
	if (h > 23 || mi > 59 || s > 59) {
		cause_set(cause, "'%s' is not a time of day", in);
		return (-1);
	}
	sched_fmt_local(out, y, mo, day, h, mi, s);
	return (0);
bad:
	cause_set(cause, "'%s' is not a date and time such as "
	    "2026-03-12T18:00", in ? in : "");
	return (-1);
}

static struct icaltimetype
sched_ical(const char *local, icaltimezone *tz)
{
	struct icaltimetype	t = icaltime_null_time();

	sscanf(local, "%4d%2d%2dT%2d%2d%2d", &t.year, &t.month, &t.day,
	    &t.hour, &t.minute, &t.second);
	t.is_date = 0;
	t.zone = tz;
	return (t);
}

/* The instant a canonical local time names in the zone. */
int
sched_local_to_utc(const char *tzid, const char *local, time_t *out,
    char **cause)
{
	icaltimezone	*tz;
	char		 canon[SCHED_LOCAL_LEN];

	if ((tz = sched_zone(tzid, cause)) == NULL)
		return (-1);
	if (sched_parse_local(local, canon, cause) != 0)
		return (-1);
	*out = sched_wall_of(tz, sched_ical(canon, NULL), NULL);
	return (0);
}

/* SCHED_WALL_GAP or _TWICE for a local time the clocks skip or pass twice. */
int
sched_wall_kind(const char *tzid, const char *local)
{
	icaltimezone	*tz;
	char		 canon[SCHED_LOCAL_LEN];
	int		 kind;

	if ((tz = sched_zone(tzid, NULL)) == NULL ||
	    sched_parse_local(local, canon, NULL) != 0)
		return (SCHED_WALL_OK);
	(void)sched_wall_of(tz, sched_ical(canon, NULL), &kind);
	return (kind);
}

/*
 * What a coordinator should be told of a local time the clocks skip or
 * pass twice, in plain words; NULL for any other time.
 */
char *
sched_wall_note(const char *tzid, const char *local)
{
	icaltimezone		*tz;
	struct icaltimetype	 w, at;
	char			 canon[SCHED_LOCAL_LEN];
	time_t			 t;
	int			 kind;

	if ((tz = sched_zone(tzid, NULL)) == NULL ||
	    sched_parse_local(local, canon, NULL) != 0)
		return (NULL);
	w = sched_ical(canon, NULL);
	t = sched_wall_of(tz, w, &kind);
	at = sched_lt(tz, t);
	if (kind == SCHED_WALL_GAP)
		return (xprintf("%02d:%02d on %d %s %d does not exist in %s "
		    "(the clocks go forward); that meeting is at %02d:%02d",
		    w.hour, w.minute, w.day, sched_months[w.month - 1], w.year,
		    tzid, at.hour, at.minute));
	if (kind == SCHED_WALL_TWICE)
		return (xprintf("%02d:%02d on %d %s %d happens twice in %s "
		    "(the clocks go back); that meeting is at the first "
		    "%02d:%02d, before the change", w.hour, w.minute, w.day,
		    sched_months[w.month - 1], w.year, tzid, w.hour,
		    w.minute));
	return (NULL);
}

/* The canonical local time of an instant in the zone. */
int
sched_utc_to_local(const char *tzid, time_t t, char out[SCHED_LOCAL_LEN],
    char **cause)
{
	icaltimezone		*tz;
	struct icaltimetype	 lt;

	if ((tz = sched_zone(tzid, cause)) == NULL)
		return (-1);
	lt = sched_lt(tz, t);
	sched_fmt_local(out, lt.year, lt.month, lt.day, lt.hour, lt.minute,
	    lt.second);
	return (0);
}

/*
 * A numbered weekday ("2TU") within what its period holds: libical
 * searches for thousands of years for a sixth Monday in a month.
 */
static int
sched_rrule_byday(const struct icalrecurrencetype *r, char **cause)
{
	int	i, pos, most;

	if (r->freq == ICAL_MONTHLY_RECURRENCE ||
	    (r->freq == ICAL_YEARLY_RECURRENCE &&
	    r->by_month[0] != ICAL_RECURRENCE_ARRAY_MAX))
		most = 5;
	else if (r->freq == ICAL_YEARLY_RECURRENCE)
		most = 53;
	else
		most = 0;
	for (i = 0; i < ICAL_BY_DAY_SIZE &&
	    r->by_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++) {
		pos = icalrecurrencetype_day_position(r->by_day[i]);
		if (pos == 0 || abs(pos) <= most)
			continue;
		if (most == 0)
			cause_set(cause, "rrule: BYDAY numbers a weekday (such "
			    "as 2TU) only in a MONTHLY or YEARLY rule");
		else
			cause_set(cause, "rrule: BYDAY asks for weekday number "
			    "%d, but a %s holds at most %d of each weekday",
			    pos, most == 5 ? "month" : "year", most);
		return (-1);
	}
	return (0);
}

/* Check an RRULE as people will write it for meetings. */
int
sched_rrule_valid(const char *rrule, char **cause)
{
	struct icalrecurrencetype	r;

	if (rrule == NULL || *rrule == '\0')
		return (0);	/* a single meeting */
	/* libical reads numbers loosely; only a rule's own characters. */
	if (strspn(rrule, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789=;,:+-") != strlen(rrule)) {
		cause_set(cause, "rrule: '%s' has characters a recurrence rule "
		    "cannot hold", rrule);
		return (-1);
	}
	icalerror_clear_errno();
	r = icalrecurrencetype_from_string(rrule);
	if (r.freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR) {
		icalerror_clear_errno();
		cause_set(cause, "rrule: '%s' is not a recurrence rule such as "
		    "FREQ=WEEKLY;INTERVAL=6", rrule);
		return (-1);
	}
	if (r.freq == ICAL_SECONDLY_RECURRENCE ||
	    r.freq == ICAL_MINUTELY_RECURRENCE ||
	    r.freq == ICAL_HOURLY_RECURRENCE) {
		cause_set(cause, "rrule: '%s' repeats more often than daily; "
		    "meetings repeat DAILY, WEEKLY, MONTHLY or YEARLY", rrule);
		return (-1);
	}
	if (r.interval < 1 || r.interval > 1000) {
		cause_set(cause, "rrule: INTERVAL must be from 1 to 1000");
		return (-1);
	}
	return (sched_rrule_byday(&r, cause));
}

static int
sched_cmp(const void *a, const void *b)
{
	const struct sched_occ	*x = a, *y = b;

	if (x->start != y->start)
		return (x->start < y->start ? -1 : 1);
	return (strcmp(x->recurrence_id, y->recurrence_id));
}

static void
sched_push(struct sched_occ **v, size_t *n, size_t *cap, const char *local,
    time_t start, int duration, int wall)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		if ((*v = reallocarray(*v, *cap, sizeof **v)) == NULL)
			fatal("reallocarray");
	}
	snprintf((*v)[*n].recurrence_id, SCHED_LOCAL_LEN, "%s", local);
	(*v)[*n].start = start;
	(*v)[*n].end = start + duration;
	(*v)[*n].wall = wall;
	(*n)++;
}

/*
 * The rule, read for expansion on the floating calendar: an UNTIL in UTC
 * becomes the zone's wall-clock time, and a rule with no end stops just
 * after limit so that libical never looks further than asked.
 */
static int
sched_rule(const char *rrule, icaltimezone *tz, time_t limit,
    struct icalrecurrencetype *r, char **cause)
{
	struct icaltimetype	lim;

	if (sched_rrule_valid(rrule, cause) != 0)
		return (-1);
	*r = icalrecurrencetype_from_string(rrule);
	if (!icaltime_is_null_time(r->until)) {
		if (r->until.is_date) {
			r->until.is_date = 0;
			r->until.hour = 23;
			r->until.minute = 59;
			r->until.second = 59;
		} else if (icaltime_is_utc(r->until))
			r->until = sched_lt(tz, icaltime_as_timet(r->until));
		r->until.zone = NULL;
	}
	if (r->count == 0 && limit != 0) {
		/* A day beyond: a wall-clock time is within 14 hours. */
		lim = sched_lt(icaltimezone_get_utc_timezone(), limit + 86400);
		if (icaltime_is_null_time(r->until) ||
		    icaltime_compare(lim, r->until) < 0)
			r->until = lim;
	}
	return (0);
}

/*
 * A rule whose parts never agree on a day ("the 31st of February") makes
 * libical search for thousands of years.  Every meeting of the rule lies
 * on a day its BYMONTH, BYMONTHDAY, BYYEARDAY and BYDAY (weekday only)
 * allow, so a daily walk of the first years with those parts alone,
 * bounded by UNTIL, tells cheaply whether the rule can give a meeting.
 */
static int
sched_rule_days(const char *rrule, struct icaltimetype start, char **cause)
{
	struct icalrecurrencetype	 r, d;
	icalrecur_iterator		*it;
	struct icaltimetype		 next;
	char				*copy, *tok, *save, *parts, *t;
	int				 i, found;

	r = icalrecurrencetype_from_string(rrule);
	icalrecurrencetype_clear(&d);
	d.freq = ICAL_DAILY_RECURRENCE;
	d.interval = 1;
	d.week_start = r.week_start;
	memcpy(d.by_month, r.by_month, sizeof d.by_month);
	memcpy(d.by_month_day, r.by_month_day, sizeof d.by_month_day);
	memcpy(d.by_year_day, r.by_year_day, sizeof d.by_year_day);
	for (i = 0; i < ICAL_BY_DAY_SIZE &&
	    r.by_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
		d.by_day[i] = (short)icalrecurrencetype_day_day_of_week(
		    r.by_day[i]);
	d.by_day[i] = ICAL_RECURRENCE_ARRAY_MAX;
	d.until = start;
	d.until.year += SCHED_FIRST_YEARS;
	if ((it = icalrecur_iterator_new(d, start)) == NULL)
		return (0);	/* libical's own check refuses it later */
	next = icalrecur_iterator_next(it);
	found = !icaltime_is_null_time(next);
	icalrecur_iterator_free(it);
	if (found)
		return (0);
	parts = xstrdup("");
	copy = xstrdup(rrule);
	for (tok = strtok_r(copy, ";", &save); tok != NULL;
	    tok = strtok_r(NULL, ";", &save)) {
		if (strncasecmp(tok, "BYMONTH=", 8) != 0 &&
		    strncasecmp(tok, "BYMONTHDAY=", 11) != 0 &&
		    strncasecmp(tok, "BYYEARDAY=", 10) != 0 &&
		    strncasecmp(tok, "BYDAY=", 6) != 0)
			continue;
		t = *parts == '\0' ? xstrdup(tok) :
		    xprintf("%s and %s", parts, tok);
		free(parts);
		parts = t;
	}
	cause_set(cause, "rrule: no day in the %d years from the start has "
	    "%s, so the rule gives no meeting", SCHED_FIRST_YEARS,
	    *parts ? parts : "the days the rule asks for");
	free(parts);
	free(copy);
	return (-1);
}

/*
 * BYSETPOS picks from the days a period offers; a position past the most
 * any period can offer picks nothing, and libical searches on for it.
 */
static int
sched_rule_setpos(const char *rrule, char **cause)
{
	struct icalrecurrencetype	r;
	int				i, most, days = 0, md = 0, per;

	r = icalrecurrencetype_from_string(rrule);
	if (r.by_set_pos[0] == ICAL_RECURRENCE_ARRAY_MAX)
		return (0);
	for (i = 0; r.by_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
		days++;
	for (i = 0; r.by_month_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
		md++;
	switch (r.freq) {
	case ICAL_DAILY_RECURRENCE:
		per = 1;
		break;
	case ICAL_WEEKLY_RECURRENCE:
		per = days ? days : 1;
		break;
	case ICAL_MONTHLY_RECURRENCE:
		per = md ? md : days ? days * 5 : 1;
		break;
	default:
		per = md ? md * 12 : days ? days * 53 : 366;
		break;
	}
	for (most = per, i = 0; r.by_hour[i] != ICAL_RECURRENCE_ARRAY_MAX;
	    i++)
		most = per * (i + 1);
	for (i = 0; r.by_set_pos[i] != ICAL_RECURRENCE_ARRAY_MAX; i++) {
		if (r.by_set_pos[i] == 0 || abs(r.by_set_pos[i]) > most) {
			cause_set(cause, "rrule: BYSETPOS=%d picks nothing: "
			    "each repeat of this rule offers at most %d "
			    "meetings", r.by_set_pos[i], most);
			return (-1);
		}
	}
	return (0);
}

/*
 * A series must give a meeting within its first years, found in bounded
 * time; the API asks this before it stores a rule.
 */
int
sched_series_check(const struct sched_series *s, char **cause)
{
	struct sched_series	 t;
	struct sched_occ	*occ = NULL;
	icaltimezone		*tz;
	char			 canon[SCHED_LOCAL_LEN];
	time_t			 from;
	size_t			 n = 0;

	if ((tz = sched_zone(s->tzid, cause)) == NULL)
		return (-1);
	if (sched_parse_local(s->dtstart, canon, cause) != 0)
		return (-1);
	if (s->rrule == NULL || *s->rrule == '\0')
		return (0);
	from = sched_wall_of(tz, sched_ical(canon, NULL), NULL);
	t = *s;
	t.rdates = "";
	if (sched_expand(&t, from, from + SCHED_FIRST_YEARS * 366 * 86400LL,
	    &occ, &n, cause) != 0)
		return (-1);
	free(occ);
	if (n == 0) {
		cause_set(cause, "rrule: '%s' gives no meeting in the %d "
		    "years from the start", s->rrule, SCHED_FIRST_YEARS);
		return (-1);
	}
	return (0);
}

/*
 * Every occurrence starting in [from, until): the rule's, less EXDATEs,
 * plus RDATEs (both canonical local times, comma-separated), in order.
 * Each meeting's wall-clock time is read on its own day.
 */
int
sched_expand(const struct sched_series *s, time_t from, time_t until,
    struct sched_occ **out, size_t *nout, char **cause)
{
	icaltimezone			*tz;
	struct icalrecurrencetype	 r;
	icalrecur_iterator		*it;
	struct icaltimetype		 start, next;
	struct sched_occ		*v = NULL;
	size_t				 n = 0, cap = 0, i, j;
	char				 local[SCHED_LOCAL_LEN];
	char				 canon[SCHED_LOCAL_LEN];
	const char			*p;
	time_t				 t;
	int				 iter = 0, wall;

	*out = NULL;
	*nout = 0;
	if ((tz = sched_zone(s->tzid, cause)) == NULL)
		return (-1);
	if (sched_parse_local(s->dtstart, canon, cause) != 0)
		return (-1);
	start = sched_ical(canon, NULL);
	if (s->rrule == NULL || *s->rrule == '\0') {
		t = sched_wall_of(tz, start, &wall);
		if (t >= from && t < until)
			sched_push(&v, &n, &cap, canon, t, s->duration, wall);
	} else {
		if (sched_rule(s->rrule, tz, until, &r, cause) != 0 ||
		    sched_rule_days(s->rrule, start, cause) != 0 ||
		    sched_rule_setpos(s->rrule, cause) != 0)
			return (-1);
		if ((it = icalrecur_iterator_new(r, start)) == NULL) {
			cause_set(cause, "rrule: '%s' cannot be expanded",
			    s->rrule);
			return (-1);
		}
		for (next = icalrecur_iterator_next(it);
		    !icaltime_is_null_time(next);
		    next = icalrecur_iterator_next(it)) {
			if (++iter > SCHED_MAX_ITER)
				break;
			t = sched_wall_of(tz, next, &wall);
			if (t >= until)
				break;
			if (t < from)
				continue;
			sched_fmt_local(local, next.year, next.month, next.day,
			    next.hour, next.minute, next.second);
			if (list_has(s->exdates, local))
				continue;
			sched_push(&v, &n, &cap, local, t, s->duration, wall);
		}
		icalrecur_iterator_free(it);
	}
	for (p = s->rdates; p != NULL && *p != '\0'; ) {
		snprintf(local, sizeof local, "%.*s", (int)strcspn(p, ","), p);
		t = sched_wall_of(tz, sched_ical(local, NULL), &wall);
		if (t >= from && t < until && !list_has(s->exdates, local))
			sched_push(&v, &n, &cap, local, t, s->duration, wall);
		p = strchr(p, ',');
		if (p != NULL)
			p++;
	}
	if (n > 1) {
		qsort(v, n, sizeof *v, sched_cmp);
		/* An RDATE on a day the rule has already. */
		for (i = 1, j = 0; i < n; i++) {
			if (strcmp(v[i].recurrence_id, v[j].recurrence_id) != 0)
				v[++j] = v[i];
		}
		n = j + 1;
	}
	*out = v;
	*nout = n;
	return (0);
}

/*
 * Whether the series has a meeting at rid, a canonical local time: one
 * its rule or RDATEs make, not struck out by its EXDATEs.  0 too when rid
 * cannot be read in the series' zone or the series cannot be expanded.
 */
int
sched_occurs(const struct sched_series *s, const char *rid)
{
	struct sched_occ	*occ = NULL;
	time_t			 t;
	size_t			 n = 0, i;
	int			 found = 0;

	if (sched_local_to_utc(s->tzid, rid, &t, NULL) != 0 ||
	    sched_expand(s, t, t + 1, &occ, &n, NULL) != 0)
		return (0);
	for (i = 0; i < n; i++) {
		if (strcmp(occ[i].recurrence_id, rid) == 0)
			found = 1;
	}
	free(occ);
	return (found);
}

/* "Thursday 12 March 2026 at 6pm", or "6:30pm"; noon and midnight said so. */
int
sched_words(time_t t, const char *tzid, char *buf, size_t len)
{
	icaltimezone		*tz;
	struct icaltimetype	 lt;
	char			 clock[32];
	int			 h, wd;

	if ((tz = sched_zone(tzid, NULL)) == NULL)
		return (-1);
	lt = sched_lt(tz, t);
	wd = icaltime_day_of_week(lt) - 1;
	h = lt.hour % 12 == 0 ? 12 : lt.hour % 12;
	if (lt.hour == 12 && lt.minute == 0)
		snprintf(clock, sizeof clock, "midday");
	else if (lt.hour == 0 && lt.minute == 0)
		snprintf(clock, sizeof clock, "midnight");
	else if (lt.minute == 0)
		snprintf(clock, sizeof clock, "%d%s", h, lt.hour < 12 ? "am" :
		    "pm");
	else
		snprintf(clock, sizeof clock, "%d:%02d%s", h, lt.minute,
		    lt.hour < 12 ? "am" : "pm");
	snprintf(buf, len, "%s %d %s %d at %s", sched_days[wd], lt.day,
	    sched_months[lt.month - 1], lt.year, clock);
	return (0);
}

/* "Thu 12 Mar 18:00": short enough for an SMS or a subject line. */
int
sched_short(time_t t, const char *tzid, char *buf, size_t len)
{
	icaltimezone		*tz;
	struct icaltimetype	 lt;
	int			 wd;

	if ((tz = sched_zone(tzid, NULL)) == NULL)
		return (-1);
	lt = sched_lt(tz, t);
	wd = icaltime_day_of_week(lt) - 1;
	snprintf(buf, len, "%.3s %d %.3s %02d:%02d", sched_days[wd], lt.day,
	    sched_months[lt.month - 1], lt.hour, lt.minute);
	return (0);
}

/* Minutes after local midnight, for quiet hours. */
int
sched_minute_of_day(time_t t, const char *tzid)
{
	icaltimezone		*tz;
	struct icaltimetype	 lt;

	if ((tz = sched_zone(tzid, NULL)) == NULL)
		return (-1);
	lt = sched_lt(tz, t);
	return (lt.hour * 60 + lt.minute);
}

/*
 * A lead time: "P7D", "P1DT2H", "PT30M", "PT10S", or "7d", "2h", "30m",
 * "10s".  Days count on the local calendar (P1D before 18:00 is 18:00 the
 * day before, even across a clock change); hours and less are elapsed.
 */
int
sched_lead_parse(const char *in, struct sched_lead *lead,
    char canon[SCHED_LEAD_LEN], char **cause)
{
	const char	*p = in;
	char		*ep;
	long		 v;
	int		 intime = 0, any = 0, iso;
	char		 unit;

	memset(lead, 0, sizeof *lead);
	if (in == NULL || *in == '\0')
		goto bad;
	iso = (*p == 'P');
	if (iso)
		p++;
	while (*p != '\0') {
		if (iso && *p == 'T' && !intime) {
			intime = 1;
			p++;
			continue;
		}
		if (!isdigit((unsigned char)*p))
			goto bad;
		v = strtol(p, &ep, 10);
		unit = (char)toupper((unsigned char)*ep);
		/* Each unit within a year, before anything is multiplied. */
		if (v < 0 || (unit == 'W' && v > 53) ||
		    (unit == 'D' && v > 366) || (unit == 'H' && v > 366 * 24) ||
		    (unit == 'M' && v > 366 * 1440) ||
		    (unit == 'S' && v > 366 * 86400) ||
		    lead->seconds > 366 * 86400 || lead->days > 366)
			goto bad;
		if (iso && ((unit == 'D' && intime) ||
		    (unit != 'D' && !intime)))
			goto bad;
		switch (unit) {
		case 'W':
			lead->days += (int)v * 7;
			break;
		case 'D':
			lead->days += (int)v;
			break;
		case 'H':
			lead->seconds += (int)v * 3600;
			break;
		case 'M':
			lead->seconds += (int)v * 60;
			break;
		case 'S':
			lead->seconds += (int)v;
			break;
		default:
			goto bad;
		}
		any = 1;
		p = ep + 1;
	}
	if (!any || lead->days > 366 || lead->seconds > 366 * 86400)
		goto bad;
	if (lead->days == 0 && lead->seconds == 0) {
		cause_set(cause, "lead time '%s' is zero", in);
		return (-1);
	}
	if (canon != NULL) {
		int	h = lead->seconds / 3600, m = lead->seconds / 60 % 60;
		int	s = lead->seconds % 60;

		snprintf(canon, SCHED_LEAD_LEN, "P%.0d%s%s%.0d%s%.0d%s%.0d%s",
		    lead->days, lead->days ? "D" : "",
		    lead->seconds ? "T" : "", h, h ? "H" : "", m, m ? "M" : "",
		    s, s ? "S" : "");
	}
	return (0);
bad:
	cause_set(cause, "'%s' is not a lead time such as P7D, P1D, PT2H "
	    "or 30m", in ? in : "");
	return (-1);
}

/* When a reminder with this lead falls due for a meeting at start. */
time_t
sched_due(time_t start, const char *tzid, const struct sched_lead *lead)
{
	icaltimezone		*tz;
	struct icaltimetype	 lt;

	if ((tz = sched_zone(tzid, NULL)) == NULL)
		return (start - lead->days * 86400 - lead->seconds);
	if (lead->days == 0)
		return (start - lead->seconds);
	lt = sched_lt(tz, start);
	icaltime_adjust(&lt, -lead->days, 0, 0, 0);
	return (sched_wall_of(tz, lt, NULL) - lead->seconds);
}
