/*
 * ical.c: iCalendar text, written by hand: a person's or a group's feed
 * (VCALENDAR with METHOD:PUBLISH) and the invitation, update or
 * cancellation of one meeting for an email's text/calendar part.
 *
 * A series is one master VEVENT (UID "series-ID@domain", the stored DTSTART,
 * RRULE, EXDATE and RDATE in the group's zone); a meeting moved or
 * cancelled is an override with the same UID, its RECURRENCE-ID and a
 * higher SEQUENCE.  The same UID, RECURRENCE-ID and SEQUENCE rule serve
 * the feed and the email, so a calendar matches one with the other.
 * libical gives only the VTIMEZONE, trimmed to the observances in force
 * from a year before the earliest meeting on.  Lines end in CRLF and fold
 * at 75 octets, never inside a UTF-8 sequence; TEXT values are escaped.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <libical/ical.h>

#include "ical.h"
#include "log.h"
#include "sched.h"
#include "util.h"

#define ICAL_LINE_MAX	75	/* octets on a line, CRLF not counted */
#define ICAL_MAX_LEADS	8

struct ical_buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

#define ICAL_ODD_PAST	(400 * 86400LL)	/* odd hours written: a year back */
#define ICAL_ODD_AHEAD	(3 * 366 * 86400LL)	/* and three ahead */

static char	*ical_host;

static void
ical_add(struct ical_buf *b, const char *s, size_t n)
{
	size_t	cap;

	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((b->p = realloc(b->p, cap)) == NULL)
			fatal("realloc");
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
ical_adds(struct ical_buf *b, const char *s)
{
	ical_add(b, s, strlen(s));
}

/* Fold one unfolded line into b: 75 octets, then CRLF and a space. */
static void
ical_fold_into(struct ical_buf *b, const char *s, size_t n)
{
	size_t	pos = 0, cut, limit = ICAL_LINE_MAX;

	while (n - pos > limit) {
		cut = pos + limit;
		/* Never split a UTF-8 sequence: back up to its first byte. */
		while (cut > pos && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
		if (cut == pos)
			cut = pos + limit;
		ical_add(b, s + pos, cut - pos);
		ical_add(b, "\r\n ", 3);
		pos = cut;
		limit = ICAL_LINE_MAX - 1;	/* the space counts */
	}
	ical_add(b, s + pos, n - pos);
	ical_add(b, "\r\n", 2);
}

/*
 * "NAME:value" as one folded content line.  The value is taken as it
 * is, but a control character can never end the line: whatever a value
 * holds stays inside its own property.
 */
static void
ical_line(struct ical_buf *b, const char *name, const char *value)
{
	struct ical_buf	 l = { NULL, 0, 0 };
	size_t		 i, start;

	ical_adds(&l, name);
	ical_add(&l, ":", 1);
	start = l.len;
	ical_adds(&l, value);
	for (i = start; i < l.len; i++) {
		if ((unsigned char)l.p[i] < 0x20 || l.p[i] == 0x7f)
			l.p[i] = ' ';
	}
	ical_fold_into(b, l.p, l.len);
	free(l.p);
}

static void
ical_linef(struct ical_buf *b, const char *name, const char *fmt, ...)
    __attribute__((__format__(printf, 3, 4)));

static void
ical_linef(struct ical_buf *b, const char *name, const char *fmt, ...)
{
	va_list	 ap;
	char	*v;

	va_start(ap, fmt);
	if (vasprintf(&v, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	ical_line(b, name, v);
	free(v);
}

/* A TEXT value: backslash, semicolon, comma and newline escaped. */
char *
ical_escape(const char *s)
{
	struct ical_buf		 b = { NULL, 0, 0 };
	const unsigned char	*p;

	ical_add(&b, "", 0);
	for (p = (const unsigned char *)s; p != NULL && *p != '\0'; p++) {
		switch (*p) {
		case '\\':
			ical_add(&b, "\\\\", 2);
			break;
		case ';':
			ical_add(&b, "\\;", 2);
			break;
		case ',':
			ical_add(&b, "\\,", 2);
			break;
		case '\n':
			ical_add(&b, "\\n", 2);
			break;
		default:
			/* Other control characters have no place in TEXT. */
			if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
				break;
			ical_add(&b, (const char *)p, 1);
			break;
		}
	}
	return (b.p);
}

/* One content line folded, with its CRLFs: for the tests. */
char *
ical_fold(const char *line)
{
	struct ical_buf	b = { NULL, 0, 0 };

	ical_fold_into(&b, line, strlen(line));
	return (b.p);
}

static void
ical_text(struct ical_buf *b, const char *name, const char *value)
{
	char	*e = ical_escape(value);

	ical_line(b, name, e);
	free(e);
}

/* A parameter value: quoted when it holds : ; or ,, never a DQUOTE. */
static char *
ical_param(const char *s)
{
	struct ical_buf		 b = { NULL, 0, 0 };
	const unsigned char	*p;
	int			 quote;

	quote = strpbrk(s, ":;,") != NULL;
	ical_add(&b, "\"", quote);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p < 0x20 || *p == 0x7f)
			continue;
		ical_add(&b, (const char *)p, 1);
	}
	ical_add(&b, "\"", quote);
	return (b.p);
}

/* The host part of a URL, or NULL: "https://h:8080/x" gives "h". */
char *
ical_url_host(const char *url)
{
	const char	*p;
	size_t		 n;

	if (url == NULL || (p = strstr(url, "://")) == NULL)
		return (NULL);
	p += 3;
	if ((n = strcspn(p, ":/?#")) == 0)
		return (NULL);
	return (xprintf("%.*s", (int)n, p));
}

/*
 * The domain that names our UIDs, "series-1@domain": the store's, set
 * once, never base_url's of the moment (a calendar would see every
 * meeting twice after a change).
 */
void
ical_configure(const char *domain)
{
	free(ical_host);
	ical_host = domain != NULL && *domain != '\0' ? xstrdup(domain) :
	    NULL;
}

static const char *
ical_uid_host(void)
{
	return (ical_host != NULL ? ical_host : "convene.invalid");
}

static int
ical_is_utc(const char *tzid)
{
	return (strcmp(tzid, "UTC") == 0);
}

/* NAME;TZID=zone:local, or NAME:localZ for UTC. */
static void
ical_dt(struct ical_buf *b, const char *name, const char *tzid,
    const char *local)
{
	char	*n;

	if (ical_is_utc(tzid)) {
		ical_linef(b, name, "%sZ", local);
		return;
	}
	n = xprintf("%s;TZID=%s", name, tzid);
	ical_line(b, n, local);
	free(n);
}

/* A list of local times (EXDATE, RDATE) in the zone. */
static void
ical_dtlist(struct ical_buf *b, const char *name, const char *tzid,
    const char *list)
{
	struct ical_buf	 v = { NULL, 0, 0 };
	const char	*p;
	size_t		 n;

	for (p = list; p != NULL && *p != '\0'; ) {
		n = strcspn(p, ",");
		if (v.len > 0)
			ical_add(&v, ",", 1);
		ical_add(&v, p, n);
		if (ical_is_utc(tzid))
			ical_add(&v, "Z", 1);
		p += n;
		if (*p == ',')
			p++;
	}
	if (v.len > 0 && ical_is_utc(tzid))
		ical_line(b, name, v.p);
	else if (v.len > 0)
		ical_dt(b, name, tzid, v.p);
	free(v.p);
}

static void
ical_utc(struct ical_buf *b, const char *name, time_t t)
{
	struct tm	tm;
	char		s[32];

	gmtime_r(&t, &tm);
	strftime(s, sizeof s, "%Y%m%dT%H%M%SZ", &tm);
	ical_line(b, name, s);
}

/* The local time of an instant in the zone, or "" when it has none. */
static int
ical_local(const char *tzid, time_t t, char out[SCHED_LOCAL_LEN])
{
	*out = '\0';
	return (sched_utc_to_local(tzid, t, out, NULL));
}

/*
 * An instant as DTSTART: the zone's wall-clock time, or UTC when that
 * time happens twice, since calendars differ on which of the two they
 * take and RFC 5545's first one is not always it.
 */
static void
ical_instant(struct ical_buf *b, const char *name, const char *tzid,
    time_t t)
{
	char	local[SCHED_LOCAL_LEN];

	if (ical_local(tzid, t, local) != 0 ||
	    sched_wall_kind(tzid, local) != SCHED_WALL_OK) {
		ical_utc(b, name, t);
		return;
	}
	ical_dt(b, name, tzid, local);
}

/* A duration in seconds as PT1H30M. */
static void
ical_duration(struct ical_buf *b, long long secs)
{
	char	s[64];
	int	n;

	n = snprintf(s, sizeof s, "PT");
	if (secs >= 3600)
		n += snprintf(s + n, sizeof s - n, "%lldH", secs / 3600);
	if (secs % 3600 >= 60)
		n += snprintf(s + n, sizeof s - n, "%lldM", secs % 3600 / 60);
	if (secs % 60 != 0 || secs == 0)
		snprintf(s + n, sizeof s - n, "%lldS", secs % 60);
	ical_line(b, "DURATION", s);
}

/* The latest onset of an observance; *open when its rule never ends. */
static struct icaltimetype
ical_zone_last(icalcomponent *c, int *open)
{
	struct icaltimetype		 last = icaltime_null_time(), t;
	struct icalrecurrencetype	 r;
	struct icaldatetimeperiodtype	 dp;
	icalproperty			*p;

	*open = 0;
	if ((p = icalcomponent_get_first_property(c,
	    ICAL_DTSTART_PROPERTY)) != NULL)
		last = icalproperty_get_dtstart(p);
	if ((p = icalcomponent_get_first_property(c,
	    ICAL_RRULE_PROPERTY)) != NULL) {
		r = icalproperty_get_rrule(p);
		if (icaltime_is_null_time(r.until) && r.count == 0)
			*open = 1;
		else if (!icaltime_is_null_time(r.until))
			last = r.until;
		else
			*open = 1;	/* a COUNT: keep it, it is rare */
	}
	for (p = icalcomponent_get_first_property(c, ICAL_RDATE_PROPERTY);
	    p != NULL;
	    p = icalcomponent_get_next_property(c, ICAL_RDATE_PROPERTY)) {
		dp = icalproperty_get_rdate(p);
		t = dp.time;
		if (!icaltime_is_null_time(t) && icaltime_compare(t, last) > 0)
			last = t;
	}
	last.zone = NULL;
	last.is_date = 0;
	return (last);
}

/*
 * The zone's VTIMEZONE with the observances that matter from the year
 * before from_year on: those with an open rule, those with an onset
 * since, and the last one before, which is in force at that time.
 */
static void
ical_vtimezone(struct ical_buf *b, const char *tzid, int from_year)
{
	icaltimezone		*tz;
	icalcomponent		*src, *vtz, *c, *before = NULL;
	struct icaltimetype	 cutoff = icaltime_null_time(), last, blast;
	icalproperty		*p;
	char			*s;
	int			 open, covered = 0;

	if (ical_is_utc(tzid) ||
	    (tz = icaltimezone_get_builtin_timezone(tzid)) == NULL ||
	    (src = icaltimezone_get_component(tz)) == NULL)
		return;
	cutoff.year = from_year - 1;
	cutoff.month = 1;
	cutoff.day = 1;
	blast = icaltime_null_time();
	vtz = icalcomponent_new(ICAL_VTIMEZONE_COMPONENT);
	icalcomponent_add_property(vtz, icalproperty_new_tzid(tzid));
	for (c = icalcomponent_get_first_component(src, ICAL_ANY_COMPONENT);
	    c != NULL;
	    c = icalcomponent_get_next_component(src, ICAL_ANY_COMPONENT)) {
		if (icalcomponent_isa(c) != ICAL_XSTANDARD_COMPONENT &&
		    icalcomponent_isa(c) != ICAL_XDAYLIGHT_COMPONENT)
			continue;
		last = ical_zone_last(c, &open);
		if (open || icaltime_compare(last, cutoff) >= 0) {
			icalcomponent_add_component(vtz,
			    icalcomponent_new_clone(c));
			p = icalcomponent_get_first_property(c,
			    ICAL_DTSTART_PROPERTY);
			if (p != NULL && icaltime_compare(
			    icalproperty_get_dtstart(p), cutoff) <= 0)
				covered = 1;
		} else if (before == NULL ||
		    icaltime_compare(last, blast) > 0) {
			before = c;
			blast = last;
		}
	}
	/* What was in force at the cutoff, unless a kept one says. */
	if (before != NULL && !covered)
		icalcomponent_add_component(vtz,
		    icalcomponent_new_clone(before));
	s = icalcomponent_as_ical_string_r(vtz);
	icalcomponent_free(vtz);
	if (s != NULL)
		ical_adds(b, s);	/* CRLF and folded by libical */
	free(s);
}

/* What LOCATION and DESCRIPTION say of a meeting: its group and venue. */
struct ical_place {
	const char	*group_name;
	const char	*venue;
	const char	*address;
	const char	*agenda;
	const char	*online_link;
	const char	*travel;
	int		 access[4];	/* as ical_description's facts */
};

/* A feed's series or override as a place. */
static void
ical_place_json(struct ical_place *p, json_t *row)
{
	p->group_name = jstr(row, "group_name");
	p->venue = jstr(row, "venue");
	p->address = jstr(row, "address");
	p->agenda = jstr(row, "agenda");
	p->online_link = jstr(row, "online_link");
	p->travel = jstr(row, "travel");
	p->access[0] = jint(row, "step_free") != 0;
	p->access[1] = jint(row, "hearing_loop") != 0;
	p->access[2] = jint(row, "accessible_toilet") != 0;
	p->access[3] = jint(row, "quiet_room") != 0;
}

/* A message's meeting as a place. */
static void
ical_place_meeting(struct ical_place *p, const struct ical_meeting *row)
{
	p->group_name = row->group_name;
	p->venue = row->venue;
	p->address = row->address;
	p->agenda = row->agenda;
	p->online_link = row->online_link;
	p->travel = row->travel;
	p->access[0] = row->step_free != 0;
	p->access[1] = row->hearing_loop != 0;
	p->access[2] = row->accessible_toilet != 0;
	p->access[3] = row->quiet_room != 0;
}

/* LOCATION: the venue and its address. */
static void
ical_location(struct ical_buf *b, const struct ical_place *p)
{
	char	*s;

	if (*p->venue == '\0')
		return;
	s = *p->address != '\0' ? xprintf("%s, %s", p->venue, p->address) :
	    xstrdup(p->venue);
	ical_text(b, "LOCATION", s);
	free(s);
}

/*
 * DESCRIPTION: what a member needs to get there and take part.  Without
 * links (a public feed) an online meeting's join link, which may carry
 * its passcode, is left to members' own feeds and messages.
 */
static void
ical_description(struct ical_buf *b, const struct ical_place *p,
    const char *note, int links)
{
	struct ical_buf	 d = { NULL, 0, 0 };
	static const char *const facts[] = {
		"step-free", "hearing loop", "accessible toilet", "quiet room"
	};
	size_t		 i, n = 0;

	ical_add(&d, "", 0);
	ical_adds(&d, p->group_name);
	if (note != NULL && *note != '\0') {
		ical_adds(&d, "\n");
		ical_adds(&d, note);
	}
	if (*p->agenda != '\0') {
		ical_adds(&d, "\nAgenda: ");
		ical_adds(&d, p->agenda);
	}
	if (*p->online_link != '\0' && links) {
		ical_adds(&d, "\nJoin online: ");
		ical_adds(&d, p->online_link);
	} else if (*p->online_link != '\0')
		ical_adds(&d, "\nOnline too: members are sent the link.");
	if (*p->travel != '\0') {
		ical_adds(&d, "\nGetting there: ");
		ical_adds(&d, p->travel);
	}
	for (i = 0; i < sizeof facts / sizeof facts[0]; i++) {
		if (!p->access[i])
			continue;
		ical_adds(&d, n++ ? ", " : "\nAccess: ");
		ical_adds(&d, facts[i]);
	}
	ical_text(b, "DESCRIPTION", d.p);
	free(d.p);
}

/* VALARMs, one a lead time: P7D is seven calendar days before. */
static void
ical_alarms(struct ical_buf *b, const char *leads, const char *title)
{
	struct sched_lead	 lead;
	char			 canon[SCHED_LEAD_LEN], *copy, *tok, *save;
	char			*what;
	int			 n = 0;

	if (leads == NULL || *leads == '\0')
		return;
	what = xprintf("Reminder: %s", title);
	copy = xstrdup(leads);
	for (tok = strtok_r(copy, ",", &save); tok != NULL &&
	    n < ICAL_MAX_LEADS; tok = strtok_r(NULL, ",", &save), n++) {
		if (sched_lead_parse(tok, &lead, canon, NULL) != 0)
			continue;
		ical_line(b, "BEGIN", "VALARM");
		ical_line(b, "ACTION", "DISPLAY");
		ical_text(b, "DESCRIPTION", what);
		ical_linef(b, "TRIGGER", "-%s", canon);
		ical_line(b, "END", "VALARM");
	}
	free(copy);
	free(what);
}

static void
ical_uid(struct ical_buf *b, long long series)
{
	ical_linef(b, "UID", "series-%lld@%s", series, ical_uid_host());
}

/* Does the series' own rule (or its RDATEs) make a meeting at rid? */
static int
ical_in_rule(json_t *s, const char *rid)
{
	struct sched_series	 ss;

	memset(&ss, 0, sizeof ss);
	ss.tzid = jstr(s, "time_zone");
	ss.dtstart = jstr(s, "dtstart");
	ss.duration = (int)jint(s, "duration");
	ss.rrule = jstr(s, "rrule");
	ss.exdates = jstr(s, "exdates");
	ss.rdates = jstr(s, "rdates");
	return (sched_occurs(&ss, rid));
}

static int
ical_recurs(json_t *s)
{
	return (*jstr(s, "rrule") != '\0' ||
	    *jstr(s, "rdates") != '\0');
}

/*
 * One meeting moved or cancelled, as an override of its series: or, for
 * a series of one meeting, as the meeting itself.
 */
static void
ical_override(struct ical_buf *b, json_t *s, json_t *o, int flags)
{
	struct ical_place	 place;
	const char		*tzid = jstr(s, "time_zone");
	const char		*status = jstr(o, "status");
	char			*note = NULL;
	int			 cancelled = strcmp(status, "cancelled") == 0;

	ical_place_json(&place, o);
	ical_line(b, "BEGIN", "VEVENT");
	ical_uid(b, jint(s, "id"));
	ical_utc(b, "DTSTAMP", (time_t)jint(s, "updated_at"));
	if (ical_recurs(s))
		ical_dt(b, "RECURRENCE-ID", tzid, jstr(o, "recurrence_id"));
	ical_instant(b, "DTSTART", tzid, (time_t)jint(o, "start_at"));
	ical_duration(b, jint(o, "end_at") - jint(o, "start_at"));
	ical_text(b, "SUMMARY", jstr(s, "title"));
	ical_location(b, &place);
	if (cancelled)
		note = xprintf("This meeting is cancelled%s%s.",
		    *jstr(o, "reason") ? ": " : "", jstr(o, "reason"));
	else if (*jstr(o, "reason") != '\0')
		note = xprintf("This meeting has moved: %s.",
		    jstr(o, "reason"));
	else
		note = xstrdup("This meeting has moved.");
	ical_description(b, &place, note, flags & ICAL_LINKS);
	free(note);
	if (*jstr(o, "online_link") != '\0' && (flags & ICAL_LINKS))
		ical_line(b, "URL", jstr(o, "online_link"));
	ical_linef(b, "SEQUENCE", "%lld", jint(s, "sequence") +
	    jint(o, "sequence"));
	ical_line(b, "STATUS", cancelled ? "CANCELLED" : "CONFIRMED");
	if ((flags & ICAL_ALARMS) && !cancelled)
		ical_alarms(b, jstr(s, "lead_times"), jstr(s, "title"));
	ical_line(b, "END", "VEVENT");
}

/* What a series' master and its odd-hour meetings share, to END. */
static void
ical_series_tail(struct ical_buf *b, json_t *s, int flags)
{
	struct ical_place	place;

	ical_place_json(&place, s);
	ical_text(b, "SUMMARY", jstr(s, "title"));
	ical_location(b, &place);
	ical_description(b, &place, NULL, flags & ICAL_LINKS);
	if (*jstr(s, "online_link") != '\0' && (flags & ICAL_LINKS))
		ical_line(b, "URL", jstr(s, "online_link"));
	ical_linef(b, "SEQUENCE", "%lld", jint(s, "sequence"));
	ical_line(b, "STATUS", "CONFIRMED");
	if (flags & ICAL_ALARMS)
		ical_alarms(b, jstr(s, "lead_times"), jstr(s, "title"));
	ical_line(b, "END", "VEVENT");
}

/*
 * Meetings of a series at a local time the clocks skip or pass twice,
 * each as an override whose DTSTART names the instant outright: ical.js
 * takes a skipped time with the offset after the gap and python icalendar
 * a doubled time as the second, so the wall-clock time alone would put
 * them an hour away from the meeting.  The RECURRENCE-ID is the rule's
 * own wall-clock time, which every reader matches to its own instance.
 */
static void
ical_odd_hours(struct ical_buf *b, json_t *s, json_t *overrides,
    size_t first, size_t last, int flags)
{
	struct sched_series	 ss;
	struct sched_occ	*occ = NULL;
	const char		*tzid = jstr(s, "time_zone");
	size_t			 n = 0, i, j;
	time_t			 now = clock_now();

	memset(&ss, 0, sizeof ss);
	ss.tzid = tzid;
	ss.dtstart = jstr(s, "dtstart");
	ss.duration = (int)jint(s, "duration");
	ss.rrule = jstr(s, "rrule");
	ss.exdates = jstr(s, "exdates");
	ss.rdates = jstr(s, "rdates");
	if (sched_expand(&ss, now - ICAL_ODD_PAST, now + ICAL_ODD_AHEAD, &occ,
	    &n, NULL) != 0)
		return;
	for (i = 0; i < n; i++) {
		if (occ[i].wall == SCHED_WALL_OK)
			continue;
		for (j = first; j < last; j++) {
			if (strcmp(jstr(json_array_get(overrides, j),
			    "recurrence_id"), occ[i].recurrence_id) == 0)
				break;
		}
		if (j < last)
			continue;	/* moved or cancelled: written above */
		ical_line(b, "BEGIN", "VEVENT");
		ical_uid(b, jint(s, "id"));
		ical_utc(b, "DTSTAMP", (time_t)jint(s, "updated_at"));
		ical_dt(b, "RECURRENCE-ID", tzid, occ[i].recurrence_id);
		ical_instant(b, "DTSTART", tzid, occ[i].start);
		ical_duration(b, jint(s, "duration"));
		ical_series_tail(b, s, flags);
	}
	free(occ);
}

/* A series: its master VEVENT, then the overrides of its meetings. */
static void
ical_series(struct ical_buf *b, json_t *s, json_t *overrides, size_t *oi,
    int flags)
{
	const char	*tzid = jstr(s, "time_zone");
	struct ical_buf	 extra = { NULL, 0, 0 };
	json_t		*o, *only = NULL;
	long long	 id = jint(s, "id");
	size_t		 first = *oi, i;
	time_t		 t;

	/* Overrides come sorted by series: this series' run of them. */
	while (*oi < json_array_size(overrides) &&
	    jint(json_array_get(overrides, *oi), "series_id") == id)
		(*oi)++;
	if (!ical_recurs(s)) {
		if (*oi > first)
			only = json_array_get(overrides, first);
		if (only != NULL) {
			ical_override(b, s, only, flags);
			return;
		}
	} else {
		/* A meeting moved that the rule no longer makes: an RDATE. */
		ical_add(&extra, "", 0);
		for (i = first; i < *oi; i++) {
			o = json_array_get(overrides, i);
			if (ical_in_rule(s, jstr(o, "recurrence_id")))
				continue;
			if (extra.len > 0)
				ical_add(&extra, ",", 1);
			ical_adds(&extra, jstr(o, "recurrence_id"));
		}
	}
	ical_line(b, "BEGIN", "VEVENT");
	ical_uid(b, id);
	ical_utc(b, "DTSTAMP", (time_t)jint(s, "updated_at"));
	if (!ical_recurs(s) && sched_local_to_utc(tzid, jstr(s, "dtstart"),
	    &t, NULL) == 0)
		ical_instant(b, "DTSTART", tzid, t);
	else
		ical_dt(b, "DTSTART", tzid, jstr(s, "dtstart"));
	ical_duration(b, jint(s, "duration"));
	if (*jstr(s, "rrule") != '\0')
		ical_line(b, "RRULE", jstr(s, "rrule"));
	ical_dtlist(b, "EXDATE", tzid, jstr(s, "exdates"));
	ical_dtlist(b, "RDATE", tzid, jstr(s, "rdates"));
	if (extra.len > 0)
		ical_dtlist(b, "RDATE", tzid, extra.p);
	free(extra.p);
	ical_series_tail(b, s, flags);
	if (ical_recurs(s)) {
		for (i = first; i < *oi; i++)
			ical_override(b, s, json_array_get(overrides, i),
			    flags);
		ical_odd_hours(b, s, overrides, first, *oi, flags);
	}
}

/* The group as ORGANIZER and the member as an ATTENDEE who may reply. */
static void
ical_who(struct ical_buf *b, const struct ical_meeting *row,
    const char *organizer)
{
	char	*cn, *n;

	cn = ical_param(*row->group_name ? row->group_name :
	    "convene");
	n = xprintf("ORGANIZER;CN=%s", cn);
	ical_linef(b, n, "mailto:%s", organizer);
	free(n);
	free(cn);
	if (*row->email != '\0') {
		cn = ical_param(row->person);
		n = xprintf("ATTENDEE;CN=%s;ROLE=REQ-PARTICIPANT;"
		    "PARTSTAT=NEEDS-ACTION;RSVP=TRUE", cn);
		ical_linef(b, n, "mailto:%s", row->email);
		free(n);
		free(cn);
	}
}

static void
ical_head(struct ical_buf *b, const char *method)
{
	ical_line(b, "BEGIN", "VCALENDAR");
	ical_line(b, "VERSION", "2.0");
	ical_linef(b, "PRODID", "-//convene//convened %s//EN",
	    PACKAGE_VERSION);
	ical_line(b, "CALSCALE", "GREGORIAN");
	ical_line(b, "METHOD", method);
}

/* The year of a canonical local time "20260312T180000". */
static int
ical_year(const char *local)
{
	return (atoi(local) / 10000);
}

/*
 * A feed: every series given with its overrides, one VTIMEZONE for each
 * zone used, and VALARMs when they are a person's own.  The text is
 * returned with its length.
 */
char *
ical_feed(const struct ical_feed *f, size_t *len, char **cause)
{
	struct ical_buf	 b = { NULL, 0, 0 };
	json_t		*zones, *s, *y;
	const char	*tzid;
	size_t		 i, oi = 0;
	int		 year;

	if (!json_is_array(f->series) || !json_is_array(f->overrides)) {
		cause_set(cause, "the feed has no series to show");
		return (NULL);
	}
	ical_head(&b, "PUBLISH");
	ical_text(&b, "X-WR-CALNAME", f->name);
	ical_line(&b, "REFRESH-INTERVAL;VALUE=DURATION", "PT1H");
	ical_line(&b, "X-PUBLISHED-TTL", "PT1H");
	/* Each zone once, from the earliest meeting's year. */
	zones = json_object();
	json_array_foreach(f->series, i, s) {
		tzid = jstr(s, "time_zone");
		year = ical_year(jstr(s, "dtstart"));
		y = json_object_get(zones, tzid);
		if (y == NULL || json_integer_value(y) > year)
			json_object_set_new(zones, tzid, json_integer(year));
	}
	json_object_foreach(zones, tzid, y)
		ical_vtimezone(&b, tzid, (int)json_integer_value(y));
	json_decref(zones);
	json_array_foreach(f->series, i, s) {
		/* Skip overrides of series not shown (there should be none). */
		while (oi < json_array_size(f->overrides) &&
		    jint(json_array_get(f->overrides, oi), "series_id") <
		    jint(s, "id"))
			oi++;
		ical_series(&b, s, f->overrides, &oi, (f->alarms ?
		    ICAL_ALARMS : 0) | (f->links ? ICAL_LINKS : 0));
	}
	ical_line(&b, "END", "VCALENDAR");
	*len = b.len;
	return (b.p);
}

/*
 * One meeting for an email's text/calendar part: REQUEST for an
 * invitation, a reminder or an update, CANCEL for a cancellation.  row
 * is the meeting of a row of store_out_due; when its series has an
 * empty rule and no RDATEs, the series is a single meeting and has no
 * RECURRENCE-ID.
 */
char *
ical_message(const struct ical_meeting *row, const char *method,
    const char *organizer, char **cause)
{
	struct ical_buf		 b = { NULL, 0, 0 };
	struct ical_place	 place;
	const char		*tzid = row->time_zone;
	int			 cancel, moved;

	if (method == NULL || (strcmp(method, "REQUEST") != 0 &&
	    strcmp(method, "CANCEL") != 0)) {
		cause_set(cause, "ical: the method must be REQUEST or CANCEL");
		return (NULL);
	}
	cancel = strcmp(method, "CANCEL") == 0;
	if (row->series_id <= 0 || *row->recurrence_id == '\0' ||
	    row->start_at == 0 || sched_zone_valid(tzid, NULL) != 0) {
		cause_set(cause, "ical: the message is not about a meeting");
		return (NULL);
	}
	if (organizer == NULL || *organizer == '\0' ||
	    strpbrk(organizer, " \r\n\"<>") != NULL) {
		cause_set(cause, "ical: '%s' is not an organizer address",
		    organizer ? organizer : "");
		return (NULL);
	}
	ical_head(&b, method);
	ical_vtimezone(&b, tzid, ical_year(row->recurrence_id));
	ical_line(&b, "BEGIN", "VEVENT");
	ical_uid(&b, row->series_id);
	ical_utc(&b, "DTSTAMP", clock_now());
	if (row->rrule == NULL || *row->rrule != '\0' ||
	    *row->rdates != '\0')
		ical_dt(&b, "RECURRENCE-ID", tzid,
		    row->recurrence_id);
	ical_instant(&b, "DTSTART", tzid, row->start_at);
	ical_duration(&b, row->end_at - row->start_at);
	ical_text(&b, "SUMMARY", row->title);
	ical_place_meeting(&place, row);
	ical_location(&b, &place);
	ical_description(&b, &place, NULL, 1);
	if (*row->online_link != '\0')
		ical_line(&b, "URL", row->online_link);
	ical_who(&b, row, organizer);
	/*
	 * The feed's rule: a meeting as its series made it is the master
	 * event, with the series' SEQUENCE; a moved or cancelled one is an
	 * override, with the series' and its own.  One gone from its series
	 * (a split) may have been an override: its cancellation outranks
	 * what was sent.
	 */
	moved = strcmp(row->status, "moved") == 0 ||
	    strcmp(row->status, "cancelled") == 0 ||
	    strcmp(row->status, "removed") == 0;
	ical_linef(&b, "SEQUENCE", "%d", row->series_sequence +
	    (moved ? row->occ_sequence : 0));
	ical_line(&b, "STATUS", cancel ||
	    strcmp(row->status, "cancelled") == 0 ? "CANCELLED" :
	    "CONFIRMED");
	ical_line(&b, "END", "VEVENT");
	ical_line(&b, "END", "VCALENDAR");
	return (b.p);
}

/*
 * A change to a series from one meeting on, for an email's calendar
 * part: a REQUEST with each series the row's notice_series holds (the
 * one it was split from, its rule now ending with UNTIL and a higher
 * SEQUENCE, and the new one), each whole, as in the feed.  A REQUEST
 * for a series without RECURRENCE-ID replaces every meeting a client
 * has of it, overrides too (RFC 5546, 3.2.2).
 */
char *
ical_series_message(const struct ical_meeting *row, const char *organizer,
    char **cause)
{
	struct ical_buf	 b = { NULL, 0, 0 }, one = { NULL, 0, 0 };
	struct ical_buf	 who = { NULL, 0, 0 };
	json_t		*series = row->notice_series;
	json_t		*over = row->notice_overrides;
	json_t		*s;
	const char	*p, *end;
	size_t		 i, oi = 0;
	int		 year = 0;

	if (!json_is_array(series) || json_array_size(series) == 0 ||
	    !json_is_array(over)) {
		cause_set(cause, "ical: the notice has no series");
		return (NULL);
	}
	if (organizer == NULL || *organizer == '\0' ||
	    strpbrk(organizer, " \r\n\"<>") != NULL) {
		cause_set(cause, "ical: '%s' is not an organizer address",
		    organizer ? organizer : "");
		return (NULL);
	}
	/* Who: in every VEVENT, just before its end. */
	ical_who(&who, row, organizer);
	ical_head(&b, "REQUEST");
	json_array_foreach(series, i, s) {
		if (year == 0 || ical_year(jstr(s, "dtstart")) < year)
			year = ical_year(jstr(s, "dtstart"));
	}
	ical_vtimezone(&b, jstr(json_array_get(series, 0), "time_zone"),
	    year);
	json_array_foreach(series, i, s) {
		while (oi < json_array_size(over) &&
		    jint(json_array_get(over, oi), "series_id") <
		    jint(s, "id"))
			oi++;
		ical_series(&one, s, over, &oi, ICAL_LINKS);
	}
	for (p = one.p; p != NULL && *p != '\0'; p = end) {
		if ((end = strstr(p, "\r\n")) == NULL)
			end = p + strlen(p);
		else
			end += 2;
		if (strncmp(p, "END:VEVENT\r\n", 12) == 0)
			ical_add(&b, who.p, who.len);
		ical_add(&b, p, end - p);
	}
	ical_line(&b, "END", "VCALENDAR");
	free(one.p);
	free(who.p);
	return (b.p);
}
