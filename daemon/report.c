/*
 * report.c: a group's engagement report.  The counts of a period (from
 * and to, dates in the group's time zone, both included) beside those
 * of the period of equal length before it, made into figures; written
 * as JSON, CSV, an SVG chart that is itself accessible (a title and a
 * description, the values written on the bars, each series its own
 * pattern and shape), and an HTML page with the chart and its numbers
 * in a table.  Coordinators see exact numbers.  Members, by a signed
 * link and only when their group lets them, see a count of 1 or 2 as
 * "fewer than 3", and a rate only when REPORT_RATE_MIN people or more
 * are behind it and neither those it counts nor the rest are 1 or 2.
 * Every word of the chart and the page is a [report] word of words.ini,
 * in the language the link asks for (?lang=), else English.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "convene.h"
#include "key.h"
#include "log.h"
#include "sched.h"
#include "tmpl.h"
#include "util.h"

#define REPORT_ROUTE	"report"
#define REPORT_MAX_DAYS	3660	/* ten years */
#define REPORT_LINK_LEN	120

/* The words of a page: [report] NAME in lang, else English. */
struct report_words {
	struct tmpl_set	*t;
	const char	*lang;
};

/* One {field} of a word and its value. */
/* What a figure is made of: a count, or a rate of two counts. */
struct report_fig {
	const char	*name;
	const char	*label;
	const char	*num;		/* a key of "counts" */
	const char	*den;		/* NULL: a count; else a rate */
	const char	*den2;		/* added to den */
};

static const struct report_fig report_figs[] = {
	{ "meetings", "Meetings", "meetings", NULL, NULL },
	{ "invitations_sent", "Invitations sent", "invitations_sent", NULL,
	    NULL },
	{ "members_asked", "Members asked to a meeting", "asked", NULL,
	    NULL },
	{ "answered", "Answers", "answered", NULL, NULL },
	{ "response_rate", "Response rate (%)", "answered", "asked", NULL },
	{ "yes", "Answered yes", "yes", NULL, NULL },
	{ "yes_rate", "Yes rate (%)", "yes", "asked", NULL },
	{ "maybe", "Answered maybe", "maybe", NULL, NULL },
	{ "maybe_rate", "Maybe rate (%)", "maybe", "asked", NULL },
	{ "no", "Answered no", "no", NULL, NULL },
	{ "no_rate", "No rate (%)", "no", "asked", NULL },
	{ "attended", "Attended", "attended", NULL, NULL },
	{ "absent", "Absent", "absent", NULL, NULL },
	{ "apologies", "Apologies (not counted as absent)", "apologies",
	    NULL, NULL },
	{ "attendance_rate", "Attendance rate (%)", "attended", "attended",
	    "absent" },
	{ "supporters", "Supporters who came", "supporters", NULL, NULL },
	{ "requests", "Access requests made", "requests", NULL, NULL },
	{ "requests_on_time", "Arranged before the deadline",
	    "requests_on_time", NULL, NULL },
	{ "requests_late", "Arranged late", "requests_late", NULL, NULL },
	{ "requests_unable", "Could not be arranged", "requests_unable",
	    NULL, NULL },
	{ "requests_open", "Still open", "requests_open", NULL, NULL },
	{ "on_time_rate", "Arranged on time (%)", "requests_on_time",
	    "requests", NULL },
	{ "messages_sent", "Messages sent", "messages_sent", NULL, NULL },
	{ "messages_dead", "Messages that failed", "messages_dead", NULL,
	    NULL },
	{ "failure_rate", "Failure rate (%)", "messages_dead",
	    "messages_sent", "messages_dead" },
	{ "members_unreached", "Members not reached while messages were due",
	    "unreached", NULL, NULL },
};

#define REPORT_NFIGS	(sizeof report_figs / sizeof report_figs[0])

static const char *
report_w(const struct report_words *w, const char *name)
{
	const char	*v = NULL;
	char		 key[80];

	snprintf(key, sizeof key, "report.%s", name);
	if (w->t != NULL)
		v = tmpl_word(w->t, w->lang, key, NULL);
	return (v != NULL ? v : name);
}

/* A word of the page, filled in and escaped. */
static void
report_put(struct evbuffer *b, const struct report_words *w,
    const char *name, const struct msg_field *f)
{
	static const struct msg_field	 none[] = { { NULL, NULL } };
	char					*s;

	s = msg_fill(report_w(w, name), f != NULL ? f : none);
	page_esc(b, s);
	free(s);
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static long long
report_days(int y, int m, int d)
{
	long long	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

static void
report_civil(long long z, char out[11])
{
	long long	 era, doe, yoe, y, doy, mp, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp + (mp < 10 ? 3 : -9);
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)(y + (m <= 2)) % 10000u,
	    (unsigned)m % 100u, (unsigned)d % 100u);
}

/* A date "YYYY-MM-DD" as days, or -1 when it is not one. */
static long long
report_date(const char *s)
{
	int	 y, m, d, n = 0;
	char	 canon[11];

	if (s == NULL || strlen(s) != 10 ||
	    sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
	    y < 1970 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31)
		return (-1);
	report_civil(report_days(y, m, d), canon);
	if (strcmp(canon, s) != 0)
		return (-1);
	return (report_days(y, m, d));
}

/* Local midnight at the start of a day, in the zone. */
static int
report_midnight(const char *tz, long long day, time_t *t, char **cause)
{
	char	 date[11], local[20];

	report_civil(day, date);
	snprintf(local, sizeof local, "%sT00:00", date);
	return (sched_local_to_utc(tz, local, t, cause));
}

static json_t *
report_value(json_t *counts, const struct report_fig *f, json_t **num,
    json_t **den)
{
	long long	 n, d;

	n = jint(counts, f->num);
	if (f->den == NULL)
		return (json_integer(n));
	d = jint(counts, f->den) + (f->den2 ? jint(counts, f->den2) : 0);
	*num = json_integer(n);
	*den = json_integer(d);
	if (d == 0)
		return (json_null());
	/* One decimal, rounded half up, from integers. */
	return (json_real((double)((n * 1000 + d / 2) / d) / 10.0));
}

/* The figures of this period beside the previous one's. */
static json_t *
report_figures(json_t *now, json_t *before)
{
	json_t		*a = json_array(), *o, *n1, *d1, *n2, *d2;
	json_t		*c1 = json_object_get(now, "counts");
	json_t		*c2 = json_object_get(before, "counts");
	size_t		 i;

	for (i = 0; i < REPORT_NFIGS; i++) {
		n1 = d1 = n2 = d2 = NULL;
		o = json_pack("{s:s, s:s, s:s, s:o, s:o}", "figure",
		    report_figs[i].name, "label", report_figs[i].label,
		    "unit", report_figs[i].den ? "percent" : "count",
		    "this", report_value(c1, &report_figs[i], &n1, &d1),
		    "previous", report_value(c2, &report_figs[i], &n2, &d2));
		if (n1 != NULL)
			json_object_set_new(o, "this_of", json_pack("[o, o]",
			    n1, d1));
		if (n2 != NULL)
			json_object_set_new(o, "previous_of", json_pack(
			    "[o, o]", n2, d2));
		json_array_append_new(a, o);
	}
	return (a);
}

/*
 * The report of a group for from..to, with the previous period; NULL
 * with *code (422 for bad dates, 503 for the database) and *cause.
 */
json_t *
report_make(struct store *st, json_t *group, const char *from,
    const char *to, int *code, char **cause)
{
	const char	*tz = jstr(group, "time_zone");
	long long	 f, t, days;
	time_t		 a, b, pa;
	char		 pf[11], pt[11];
	json_t		*now, *before, *members, *r;

	*code = 422;
	if ((f = report_date(from)) < 0 || (t = report_date(to)) < 0) {
		cause_set(cause, "from, to: dates as YYYY-MM-DD are needed");
		return (NULL);
	}
	if (t < f || (days = t - f + 1) > REPORT_MAX_DAYS) {
		cause_set(cause, "to: from 1 to %d days after from",
		    REPORT_MAX_DAYS);
		return (NULL);
	}
	if (report_midnight(tz, f, &a, cause) != 0 ||
	    report_midnight(tz, t + 1, &b, cause) != 0 ||
	    report_midnight(tz, f - days, &pa, cause) != 0)
		return (NULL);
	report_civil(f - days, pf);
	report_civil(f - 1, pt);
	*code = 503;
	if ((now = store_report(st, jint(group, "id"), a, b, cause)) == NULL)
		return (NULL);
	if ((before = store_report(st, jint(group, "id"), pa, a,
	    cause)) == NULL) {
		json_decref(now);
		return (NULL);
	}
	if ((members = store_report_members(st, jint(group, "id"),
	    cause)) == NULL) {
		json_decref(now);
		json_decref(before);
		return (NULL);
	}
	r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:O, s:O, s:O,"
	    " s:O, s:O, s:o}", "group", jstr(group, "slug"), "time_zone", tz,
	    "from", from, "to", to, "previous_from", pf, "previous_to", pt,
	    "figures", report_figures(now, before),
	    "needs", json_object_get(now, "needs"),
	    "previous_needs", json_object_get(before, "needs"),
	    "messages", json_object_get(now, "messages"),
	    "previous_messages", json_object_get(before, "messages"),
	    "meetings", json_object_get(now, "meetings"),
	    "members", members);
	json_decref(now);
	json_decref(before);
	return (r);
}

/* A value as the CSV and the coordinator's page write it. */
static char *
report_exact(json_t *v)
{
	if (json_is_integer(v))
		return (xprintf("%lld", (long long)json_integer_value(v)));
	if (json_is_real(v))
		return (xprintf("%.1f", json_real_value(v)));
	return (xstrdup(""));
}

/* A count as members see it. */
static char *
report_count(const struct report_words *w, long long n, int members)
{
	if (members && n > 0 && n < 3)
		return (xstrdup(report_w(w, "fewer")));
	return (xprintf("%lld", n));
}

/* Whether a rate of n out of d may be shown to members. */
static int
report_rate_ok(long long n, long long d)
{
	return (d >= REPORT_RATE_MIN && (n == 0 || n >= 3) &&
	    (d - n == 0 || d - n >= 3));
}

/* A figure's value as a page shows it: exact, or suppressed. */
static char *
report_shown(const struct report_words *w, json_t *fig, const char *which,
    int members)
{
	json_t	*v = json_object_get(fig, which), *of;
	char	 key[32];

	if (!members)
		return (json_is_null(v) ? xstrdup(report_w(w, "none")) :
		    report_exact(v));
	if (json_is_integer(v))
		return (report_count(w, json_integer_value(v), 1));
	snprintf(key, sizeof key, "%s_of", which);
	of = json_object_get(fig, key);
	if (json_is_null(v) || !report_rate_ok(json_integer_value(
	    json_array_get(of, 0)), json_integer_value(json_array_get(of, 1))))
		return (xstrdup(report_w(w, "too_few")));
	return (report_exact(v));
}

/* One CSV field, quoted when it must be. */
static void
report_csv_field(struct evbuffer *b, const char *s, int last)
{
	const char	*p;

	if (strpbrk(s, ",\"\r\n") == NULL)
		evbuffer_add_printf(b, "%s", s);
	else {
		evbuffer_add(b, "\"", 1);
		for (p = s; *p != '\0'; p++) {
			if (*p == '"')
				evbuffer_add(b, "\"", 1);
			evbuffer_add(b, p, 1);
		}
		evbuffer_add(b, "\"", 1);
	}
	evbuffer_add_printf(b, last ? "\r\n" : ",");
}

static void
report_csv_row(struct evbuffer *b, const char *name, json_t *v1, json_t *v2)
{
	char	*s1 = report_exact(v1), *s2 = report_exact(v2);

	report_csv_field(b, name, 0);
	report_csv_field(b, s1, 0);
	report_csv_field(b, s2, 1);
	free(s1);
	free(s2);
}

/* Look a row up by its keys in a previous period's array. */
static json_t *
report_match(json_t *rows, json_t *row, const char *const *keys)
{
	json_t		*r;
	size_t		 i;
	int		 k;

	json_array_foreach(rows, i, r) {
		for (k = 0; keys[k] != NULL; k++) {
			if (strcmp(jstr(r, keys[k]), jstr(row, keys[k])) != 0)
				break;
		}
		if (keys[k] == NULL)
			return (r);
	}
	return (NULL);
}

/*
 * A kind of row (a need, a channel with a style and a language) of
 * either period, each value as figure PREFIX.KEYS.VALUE: those of this
 * period first, then those only the previous one had.
 */
static void
report_csv_rows(struct evbuffer *b, const char *prefix, json_t *now,
    json_t *before, const char *const *keys, const char *const *vals)
{
	json_t		*r, *p, *zero = json_integer(0);
	size_t		 i;
	int		 k, pass;
	char		*name, *t;

	for (pass = 0; pass < 2; pass++) {
		json_array_foreach(pass == 0 ? now : before, i, r) {
			p = report_match(pass == 0 ? before : now, r, keys);
			if (pass == 1 && p != NULL)
				continue;
			name = xstrdup(prefix);
			for (k = 0; keys[k] != NULL; k++) {
				t = xprintf("%s.%s", name, jstr(r, keys[k]));
				free(name);
				name = t;
			}
			for (k = 0; vals[k] != NULL; k++) {
				t = xprintf("%s.%s", name, vals[k]);
				if (pass == 0)
					report_csv_row(b, t, json_object_get(
					    r, vals[k]), p ? json_object_get(p,
					    vals[k]) : zero);
				else
					report_csv_row(b, t, zero,
					    json_object_get(r, vals[k]));
				free(t);
			}
			free(name);
		}
	}
	json_decref(zero);
}

/* The report as CSV: figure, this period, previous period. */
char *
report_csv(json_t *r)
{
	static const char *const need_keys[] = { "need", NULL };
	static const char *const need_vals[] = { "requests", "on_time",
	    "late", "unable", "open", NULL };
	static const char *const msg_keys[] = { "channel", "style",
	    "language", NULL };
	static const char *const msg_vals[] = { "sent", "dead", NULL };
	struct evbuffer	*b;
	json_t		*fig, *m;
	size_t		 i, len;
	char		*out, *name;

	if ((b = evbuffer_new()) == NULL)
		fatal("evbuffer_new");
	evbuffer_add_printf(b, "figure,this period,previous period\r\n");
	report_csv_field(b, "period", 0);
	name = xprintf("%s to %s", jstr(r, "from"), jstr(r, "to"));
	report_csv_field(b, name, 0);
	free(name);
	name = xprintf("%s to %s", jstr(r, "previous_from"),
	    jstr(r, "previous_to"));
	report_csv_field(b, name, 1);
	free(name);
	json_array_foreach(json_object_get(r, "figures"), i, fig)
		report_csv_row(b, jstr(fig, "figure"), json_object_get(fig,
		    "this"), json_object_get(fig, "previous"));
	report_csv_rows(b, "requests", json_object_get(r, "needs"),
	    json_object_get(r, "previous_needs"), need_keys, need_vals);
	report_csv_rows(b, "messages", json_object_get(r, "messages"),
	    json_object_get(r, "previous_messages"), msg_keys, msg_vals);
	/* Members now: a snapshot, with no previous period. */
	json_array_foreach(json_object_get(r, "members"), i, m) {
		name = xprintf("members_now.%s.%s", jstr(m, "by"),
		    jstr(m, "value"));
		report_csv_field(b, name, 0);
		free(name);
		name = xprintf("%lld", jint(m, "n"));
		report_csv_field(b, name, 0);
		free(name);
		report_csv_field(b, "", 1);
	}
	len = evbuffer_get_length(b);
	out = xcalloc(1, len + 1);
	evbuffer_remove(b, out, len);
	evbuffer_free(b);
	return (out);
}

/* A meeting's date in the group's zone, as "YYYY-MM-DD". */
static void
report_meeting_date(json_t *m, const char *tz, char out[11])
{
	long long	 day;
	time_t		 t = (time_t)jint(m, "start_at"), mid;

	/* The local date: the last local midnight at or before it. */
	day = (long long)(t / 86400) + 1;
	while (day > 0 && (report_midnight(tz, day, &mid, NULL) != 0 ||
	    mid > t))
		day--;
	report_civil(day, out);
}

/* A meeting's two rates: percent, or -1 when there is none to show. */
static void
report_meeting_rates(json_t *m, int members, int rate[2], long long n[2],
    long long d[2])
{
	int	 k;

	n[0] = jint(m, "attended");
	d[0] = jint(m, "expected");
	n[1] = jint(m, "on_time");
	d[1] = jint(m, "requests");
	for (k = 0; k < 2; k++) {
		if (d[k] == 0 || (members && !report_rate_ok(n[k], d[k])))
			rate[k] = -1;
		else
			rate[k] = (int)((n[k] * 100 + d[k] / 2) / d[k]);
	}
}

#define SVG_W		640
#define SVG_H		360
#define SVG_LEFT	64
#define SVG_TOP		40
#define SVG_PLOT_H	220
#define SVG_BASE	(SVG_TOP + SVG_PLOT_H)

/*
 * Words in the chart: laid out as the chart is, left to right, but each
 * written in its own direction; in a language written right to left the
 * anchor is turned round, so that the words stay on the same side of x.
 */
static void
report_svg_words(struct evbuffer *b, const struct report_words *w, int x,
    int y, const char *anchor, const char *attrs, const char *text)
{
	if (msg_is_rtl(w->lang)) {
		if (strcmp(anchor, "start") == 0)
			anchor = "end";
		else if (strcmp(anchor, "end") == 0)
			anchor = "start";
	}
	evbuffer_add_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\""
	    "%s%s>", x, y, anchor, msg_is_rtl(w->lang) ? " direction=\"rtl\""
	    : "", attrs);
	page_esc(b, text);
	page_add(b, "</text>\n");
}

/* One meeting's two rates, told in words for the description. */
static void
report_svg_desc(struct evbuffer *b, const struct report_words *w,
    const char *date, const int rate[2])
{
	static const char *const names[2] = { "attendance", "arranged" };
	struct msg_field	 f[4];
	char			*said[2], pct[16];
	int			 k;

	for (k = 0; k < 2; k++) {
		snprintf(pct, sizeof pct, "%d", rate[k]);
		f[0].name = "name";
		f[0].value = report_w(w, names[k]);
		f[1].name = "rate";
		f[1].value = pct;
		f[2].name = NULL;
		said[k] = msg_fill(report_w(w, rate[k] < 0 ?
		    "chart_not_shown" : "chart_rate"), f);
	}
	f[0].name = "date";
	f[0].value = date;
	f[1].name = "attendance";
	f[1].value = said[0];
	f[2].name = "arranged";
	f[2].value = said[1];
	f[3].name = NULL;
	report_put(b, w, "chart_meeting", f);
	free(said[0]);
	free(said[1]);
}

/*
 * The chart: for each meeting of the period, a bar of its attendance
 * rate (hatched) and one of its requests arranged on time (dotted, and
 * marked with a diamond), each value written above its bar.
 */
void
report_svg(struct evbuffer *b, json_t *r, int members, struct tmpl_set *t,
    const char *lang)
{
	struct report_words	 w = { t, lang };
	struct msg_field	 f[3];
	json_t			*ms = json_object_get(r, "meetings"), *m;
	size_t			 i, n = json_array_size(ms);
	int			 rate[2], k, x, h, slot, bw, y;
	long long		 num[2], den[2];
	char			 date[11];
	const char		*tz = jstr(r, "time_zone");

	slot = n > 0 ? (SVG_W - SVG_LEFT - 20) / (int)n : 0;
	bw = slot > 0 ? (slot - 12) / 2 : 0;
	if (bw > 40)
		bw = 40;
	evbuffer_add_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "role=\"img\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
	    "aria-labelledby=\"report-title report-desc\">\n"
	    "<title id=\"report-title\">", SVG_W, SVG_H, SVG_W, SVG_H);
	f[0].name = "from";
	f[0].value = jstr(r, "from");
	f[1].name = "to";
	f[1].value = jstr(r, "to");
	f[2].name = NULL;
	report_put(b, &w, "chart_title", f);
	page_add(b, "</title>\n<desc id=\"report-desc\">");
	if (n == 0)
		report_put(b, &w, "chart_none", NULL);
	json_array_foreach(ms, i, m) {
		report_meeting_date(m, tz, date);
		report_meeting_rates(m, members, rate, num, den);
		if (i > 0)
			page_add(b, " ");
		report_svg_desc(b, &w, date, rate);
	}
	page_add(b, "</desc>\n<defs>\n"
	    "<pattern id=\"report-hatch\" width=\"8\" height=\"8\" "
	    "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
	    "<rect width=\"8\" height=\"8\" fill=\"#0b4f9c\"/>"
	    "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"#ffffff\" "
	    "stroke-width=\"3\"/></pattern>\n"
	    "<pattern id=\"report-dots\" width=\"8\" height=\"8\" "
	    "patternUnits=\"userSpaceOnUse\">"
	    "<rect width=\"8\" height=\"8\" fill=\"#8a4f00\"/>"
	    "<circle cx=\"4\" cy=\"4\" r=\"2\" fill=\"#ffffff\"/></pattern>\n"
	    "</defs>\n<g font-family=\"sans-serif\" font-size=\"13\" "
	    "fill=\"#1a1a1a\" direction=\"ltr\">\n");
	/* Axes, with their labels and the scale. */
	evbuffer_add_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" "
	    "y2=\"%d\" stroke=\"#1a1a1a\"/>\n<line x1=\"%d\" y1=\"%d\" "
	    "x2=\"%d\" y2=\"%d\" stroke=\"#1a1a1a\"/>\n", SVG_LEFT, SVG_TOP,
	    SVG_LEFT, SVG_BASE, SVG_LEFT, SVG_BASE, SVG_W - 10, SVG_BASE);
	for (k = 0; k <= 100; k += 50) {
		y = SVG_BASE - k * SVG_PLOT_H / 100;
		evbuffer_add_printf(b, "<text x=\"%d\" y=\"%d\" "
		    "text-anchor=\"end\">%d%%</text>\n", SVG_LEFT - 6, y + 4,
		    k);
	}
	{
		char	*rot = xprintf(" transform=\"rotate(-90 14 %d)\"",
		    SVG_TOP + SVG_PLOT_H / 2);

		report_svg_words(b, &w, 14, SVG_TOP + SVG_PLOT_H / 2,
		    "middle", rot, report_w(&w, "axis_rate"));
		free(rot);
	}
	report_svg_words(b, &w, SVG_LEFT + (SVG_W - SVG_LEFT) / 2, SVG_H - 40,
	    "middle", "", report_w(&w, "axis_date"));
	json_array_foreach(ms, i, m) {
		report_meeting_date(m, tz, date);
		report_meeting_rates(m, members, rate, num, den);
		x = SVG_LEFT + 10 + (int)i * slot;
		for (k = 0; k < 2; k++) {
			int	 bx = x + k * (bw + 2);

			h = rate[k] < 0 ? 0 : rate[k] * SVG_PLOT_H / 100;
			if (rate[k] >= 0)
				evbuffer_add_printf(b, "<rect x=\"%d\" "
				    "y=\"%d\" width=\"%d\" height=\"%d\" "
				    "fill=\"url(#report-%s)\" stroke=\""
				    "#1a1a1a\"/>\n", bx, SVG_BASE - h, bw, h,
				    k ? "dots" : "hatch");
			if (k == 1 && rate[k] >= 0)
				evbuffer_add_printf(b, "<path d=\"M%d %dl5 "
				    "5l-5 5l-5 -5z\" fill=\"#1a1a1a\"/>\n",
				    bx + bw / 2, SVG_BASE - h - 30);
			if (rate[k] < 0)
				report_svg_words(b, &w, bx + bw / 2,
				    SVG_BASE - h - 6, "middle", "",
				    report_w(&w, "not_applicable"));
			else
				evbuffer_add_printf(b, "<text x=\"%d\" "
				    "y=\"%d\" text-anchor=\"middle\">%d%%"
				    "</text>\n", bx + bw / 2, SVG_BASE - h - 6,
				    rate[k]);
		}
		evbuffer_add_printf(b, "<text x=\"%d\" y=\"%d\" "
		    "text-anchor=\"middle\">%s</text>\n", x + bw, SVG_BASE + 18,
		    date);
	}
	/* The key: the pattern and the shape of each, and its name. */
	evbuffer_add_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"16\" "
	    "height=\"16\" fill=\"url(#report-hatch)\" stroke=\"#1a1a1a\"/>"
	    "\n", SVG_LEFT, SVG_H - 24);
	report_svg_words(b, &w, SVG_LEFT + 22, SVG_H - 11, "start", "",
	    report_w(&w, "key_attendance"));
	evbuffer_add_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"16\" "
	    "height=\"16\" fill=\"url(#report-dots)\" stroke=\"#1a1a1a\"/>"
	    "\n<path d=\"M%d %dl5 5l-5 5l-5 -5z\" fill=\"#1a1a1a\"/>\n",
	    SVG_LEFT + 230, SVG_H - 24, SVG_LEFT + 258, SVG_H - 24);
	report_svg_words(b, &w, SVG_LEFT + 268, SVG_H - 11, "start", "",
	    report_w(&w, "key_arranged"));
	report_svg_words(b, &w, SVG_LEFT, 22, "start", " font-size=\"15\" "
	    "font-weight=\"bold\"", report_w(&w, "chart_heading"));
	page_add(b, "</g>\n</svg>\n");
}

/* The numbers of the chart, as a table beside it. */
static void
report_table_meetings(struct evbuffer *b, const struct report_words *w,
    json_t *r, int members)
{
	struct msg_field	 f[3];
	json_t			*m;
	size_t			 i;
	int			 rate[2], k;
	long long		 num[2], den[2];
	char			 date[11], sn[24], sd[24];

	page_add(b, "<table>\n<caption>");
	report_put(b, w, "table_caption", NULL);
	page_add(b, "</caption>\n<thead><tr><th scope=\"col\">");
	report_put(b, w, "meeting", NULL);
	page_add(b, "</th><th scope=\"col\">");
	report_put(b, w, "attendance", NULL);
	page_add(b, "</th><th scope=\"col\">");
	report_put(b, w, "arranged", NULL);
	page_add(b, "</th></tr></thead>\n<tbody>\n");
	json_array_foreach(json_object_get(r, "meetings"), i, m) {
		report_meeting_date(m, jstr(r, "time_zone"), date);
		report_meeting_rates(m, members, rate, num, den);
		evbuffer_add_printf(b, "<tr><th scope=\"row\">%s</th>", date);
		for (k = 0; k < 2; k++) {
			page_add(b, "<td>");
			if (rate[k] < 0)
				report_put(b, w, den[k] == 0 ? "none" :
				    "too_few", NULL);
			else {
				evbuffer_add_printf(b, "%d%%", rate[k]);
				if (!members) {
					snprintf(sn, sizeof sn, "%lld", num[k]);
					snprintf(sd, sizeof sd, "%lld", den[k]);
					f[0].name = "num";
					f[0].value = sn;
					f[1].name = "den";
					f[1].value = sd;
					f[2].name = NULL;
					page_add(b, " (");
					report_put(b, w, "of", f);
					page_add(b, ")");
				}
			}
			page_add(b, "</td>");
		}
		page_add(b, "</tr>\n");
	}
	page_add(b, "</tbody>\n</table>\n");
}

/* A language is offered when its templates are installed. */
int
report_lang_offered(struct tmpl_set *t, const char *l)
{
	if (strcmp(l, "en") == 0)
		return (1);
	return (t != NULL && tmpl_lang_valid(l, 0) &&
	    tmpl_exists(t, l, "reminder.subject"));
}

/*
 * Links to the page in each other language offered, each named in its
 * own language (its code, when it has no name for itself).
 */
static void
report_langs(struct evbuffer *b, const struct report_words *w,
    const char *self)
{
	const char	*name, *used;
	size_t		 i;

	if (w->t == NULL || self == NULL)
		return;
	page_add(b, "<nav aria-label=\"");
	report_put(b, w, "languages", NULL);
	page_add(b, "\">\n<ul>\n");
	for (i = 0; i < w->t->nlangs; i++) {
		if (strcasecmp(w->t->langs[i], w->lang) == 0 ||
		    !report_lang_offered(w->t, w->t->langs[i]))
			continue;
		used = NULL;
		name = tmpl_word(w->t, w->t->langs[i],
		    "report.language_name", &used);
		if (name == NULL || used == NULL ||
		    strcasecmp(used, w->t->langs[i]) != 0)
			name = w->t->langs[i];
		page_add(b, "<li><a href=\"");
		page_esc(b, self);
		page_add(b, "?lang=");
		page_esc(b, w->t->langs[i]);
		page_add(b, "\" hreflang=\"");
		page_esc(b, w->t->langs[i]);
		page_add(b, "\" lang=\"");
		page_esc(b, w->t->langs[i]);
		evbuffer_add_printf(b, "\" dir=\"%s\">", msg_is_rtl(
		    w->t->langs[i]) ? "rtl" : "ltr");
		page_esc(b, name);
		page_add(b, "</a></li>\n");
	}
	page_add(b, "</ul>\n</nav>\n");
}

/*
 * The report as a page in lang: links to it in the other languages
 * (self is its path), figures, the chart and its table.
 */
void
report_page(struct evbuffer *b, json_t *r, int members, struct tmpl_set *t,
    const char *lang, const char *self)
{
	static const char *const nk[] = { "requests", "on_time", "late",
	    "unable" };
	static const char *const nw[] = { "made", "on_time", "late",
	    "unable" };
	struct report_words	 w = { t, lang };
	struct msg_field	 f[5];
	json_t			*fig, *row;
	size_t			 i, j;
	char			*s1, *s2, min[16], key[64];

	page_begin(b, lang, report_w(&w, "title"));
	report_langs(b, &w, self);
	page_add(b, "<h1>");
	f[0].name = "group";
	f[0].value = jstr(r, "group");
	f[1].name = NULL;
	report_put(b, &w, "heading", f);
	page_add(b, "</h1>\n<p>");
	f[0].name = "from";
	f[0].value = jstr(r, "from");
	f[1].name = "to";
	f[1].value = jstr(r, "to");
	f[2].name = "previous_from";
	f[2].value = jstr(r, "previous_from");
	f[3].name = "previous_to";
	f[3].value = jstr(r, "previous_to");
	f[4].name = NULL;
	report_put(b, &w, "period", f);
	page_add(b, "</p>\n");
	if (members) {
		snprintf(min, sizeof min, "%d", REPORT_RATE_MIN);
		f[0].name = "min";
		f[0].value = min;
		f[1].name = NULL;
		page_add(b, "<p>");
		report_put(b, &w, "counts_only", f);
		page_add(b, "</p>\n");
	}
	page_add(b, "<h2>");
	report_put(b, &w, "figures", NULL);
	page_add(b, "</h2>\n<table>\n<caption>");
	report_put(b, &w, "figures_caption", NULL);
	page_add(b, "</caption>\n<thead><tr><th scope=\"col\">");
	report_put(b, &w, "figure", NULL);
	page_add(b, "</th><th scope=\"col\">");
	report_put(b, &w, "this", NULL);
	page_add(b, "</th><th scope=\"col\">");
	report_put(b, &w, "previous", NULL);
	page_add(b, "</th></tr></thead>\n<tbody>\n");
	json_array_foreach(json_object_get(r, "figures"), i, fig) {
		s1 = report_shown(&w, fig, "this", members);
		s2 = report_shown(&w, fig, "previous", members);
		snprintf(key, sizeof key, "fig_%s", jstr(fig, "figure"));
		page_add(b, "<tr><th scope=\"row\">");
		report_put(b, &w, key, NULL);
		page_add(b, "</th><td>");
		page_esc(b, s1);
		page_add(b, "</td><td>");
		page_esc(b, s2);
		page_add(b, "</td></tr>\n");
		free(s1);
		free(s2);
	}
	page_add(b, "</tbody>\n</table>\n<h2>");
	report_put(b, &w, "needs", NULL);
	page_add(b, "</h2>\n<table>\n<caption>");
	report_put(b, &w, "needs_caption", NULL);
	page_add(b, "</caption>\n<thead><tr><th scope=\"col\">");
	report_put(b, &w, "need", NULL);
	for (j = 0; j < 4; j++) {
		page_add(b, "</th><th scope=\"col\">");
		report_put(b, &w, nw[j], NULL);
	}
	page_add(b, "</th></tr></thead>\n<tbody>\n");
	json_array_foreach(json_object_get(r, "needs"), i, row) {
		page_add(b, "<tr><th scope=\"row\">");
		page_esc(b, jstr(row, "need"));
		page_add(b, "</th>");
		for (j = 0; j < 4; j++) {
			s1 = report_count(&w, jint(row, nk[j]), members);
			page_add(b, "<td>");
			page_esc(b, s1);
			page_add(b, "</td>");
			free(s1);
		}
		page_add(b, "</tr>\n");
	}
	page_add(b, "</tbody>\n</table>\n<h2>");
	report_put(b, &w, "by_meeting", NULL);
	page_add(b, "</h2>\n<figure>\n");
	report_svg(b, r, members, t, lang);
	page_add(b, "</figure>\n");
	report_table_meetings(b, &w, r, members);
	page_end(b);
}

/*
 * The link that opens a group's report for its members; with lang (one
 * offered), the page in that language.
 */
char *
report_link(const char *base_url, const unsigned char key[KEY_BYTES],
    long long group, const char *from, const char *to, const char *lang,
    time_t now, int days)
{
	char		 subject[64], sig[KEY_SIG_LEN];
	long long	 expiry = (long long)now + (long long)days * 86400;

	snprintf(subject, sizeof subject, "%lld.%s.%s", group, from, to);
	key_sign(key, "report", subject, expiry, sig);
	return (xprintf("%s/report/%s.%lld.%s%s%s", base_url, subject, expiry,
	    sig, lang != NULL ? "?lang=" : "", lang != NULL ? lang : ""));
}

/* The group, from and to of a good link; 0 when it is not one. */
static long long
report_link_group(const unsigned char key[KEY_BYTES], const char *rest,
    char from[11], char to[11])
{
	char		 subject[64], sig[KEY_SIG_LEN + 1];
	char		 canon[REPORT_LINK_LEN];
	long long	 id, expiry;
	int		 used = 0;

	if (strlen(rest) > REPORT_LINK_LEN - 1 ||
	    sscanf(rest, "%lld.%10[0-9-].%10[0-9-].%lld.%23[A-Za-z0-9_-]%n",
	    &id, from, to, &expiry, sig, &used) != 5 || rest[used] != '\0' ||
	    id <= 0 || report_date(from) < 0 || report_date(to) < 0)
		return (0);
	snprintf(canon, sizeof canon, "%lld.%s.%s.%lld.%s", id, from, to,
	    expiry, sig);
	if (strcmp(canon, rest) != 0)
		return (0);
	snprintf(subject, sizeof subject, "%lld.%s.%s", id, from, to);
	if (key_verify(key, "report", subject, expiry, sig, clock_now()) != 0)
		return (0);
	return (id);
}

/*
 * The language a link asks for (?lang=), when it is offered: as the set
 * spells it, which outlives the request; else English.
 */
static const char *
report_page_lang(struct evhttp_request *req, struct tmpl_set *t)
{
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	const char		*q = uri ? evhttp_uri_get_query(uri) : NULL;
	const char		*l, *lang = "en";
	struct evkeyvalq	 kv;
	size_t			 i;

	if (q == NULL || t == NULL || evhttp_parse_query_str(q, &kv) != 0)
		return (lang);
	if ((l = evhttp_find_header(&kv, "lang")) != NULL) {
		for (i = 0; i < t->nlangs; i++) {
			if (strcasecmp(t->langs[i], l) == 0 &&
			    report_lang_offered(t, t->langs[i]))
				lang = t->langs[i];
		}
	}
	evhttp_clear_headers(&kv);
	return (lang);
}

/* A page that says one thing, in the reader's words. */
static void
report_message(struct evhttp_request *req, int code,
    const struct report_words *w, const char *name)
{
	char	 text[64];

	snprintf(text, sizeof text, "%s_text", name);
	page_message(req, REPORT_ROUTE, code, w->lang, report_w(w, name),
	    report_w(w, text));
}

static void
report_route(struct evhttp_request *req, const char *route,
    const char *rest, void *arg)
{
	struct convene_ctx	*ctx = arg;
	struct report_words	 w;
	struct evbuffer		*b;
	json_t			*group = NULL, *r = NULL, *groups;
	char			 from[11], to[11], *cause = NULL, *self;
	long long		 id;
	size_t			 i;
	int			 code;

	w.t = ctx->tmpl;	/* as of this request */
	w.lang = report_page_lang(req, w.t);
	if ((id = report_link_group(ctx->signing_key, rest, from,
	    to)) == 0) {
		report_message(req, 403, &w, "bad_link");
		return;
	}
	if ((groups = store_group_list(ctx->store, &cause)) != NULL) {
		json_array_foreach(groups, i, r) {
			if (jint(r, "id") == id)
				group = json_incref(r);
		}
		json_decref(groups);
	}
	r = NULL;
	if (group == NULL || store_report_open(ctx->store, id, &cause) != 1) {
		report_message(req, 404, &w, "closed");
		goto out;
	}
	if ((r = report_make(ctx->store, group, from, to, &code,
	    &cause)) == NULL) {
		log_warnx("report of group %lld: %s", id, cause);
		report_message(req, 503, &w, "trouble");
		goto out;
	}
	if ((b = evbuffer_new()) == NULL)
		fatal("evbuffer_new");
	self = xprintf("/%s/%s", REPORT_ROUTE, rest);
	report_page(b, r, 1, w.t, w.lang, self);
	free(self);
	page_send(req, REPORT_ROUTE, 200, b);
	evbuffer_free(b);
out:
	free(cause);
	json_decref(group);
	json_decref(r);
}

void
report_routes(struct http *h, struct convene_ctx *ctx)
{
	http_route_add(h, "/report/", REPORT_ROUTE, HTTP_GET,
	    HTTP_ROUTE_PREFIX, report_route, ctx);
}
