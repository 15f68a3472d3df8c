/*
 * msg.c: an outbox row made into the message its channel sends, in the
 * member's style and language: the template for its kind filled in with
 * the meeting's details, the time said in words in the group's time
 * zone, and headers that cannot be used to inject others.
 *
 * Templates, in DIR/<language>/ (see tmpl.c):
 *
 *	<kind>.subject.tmpl		the subject, every style
 *	<kind>.text.tmpl		standard, plain and large text
 *	<kind>.easyread.text.tmpl	Easy Read text
 *	<kind>.sms.tmpl			a text message
 *	<kind>.easyread.sms.tmpl	Easy Read SMS, if any (else .sms)
 *	words.ini			days, months, how a time is said,
 *					access facts, answers, need labels
 *
 * for the kinds reminder, invitation, update, cancellation, rsvp, access,
 * nudge and test, and reply (a text back to a member who texted convene,
 * by SMS only).  A text message is made to fit [sms] max_segments parts as a
 * phone counts them (gsm.c): what can be shortened is, in the order of
 * msg_sms_cuts, and the time, the place and what to reply never are.
 * Large print is the standard text re-wrapped here to lines
 * of at most MSG_LARGE_WIDTH characters.  The HTML part is built from
 * the rendered text by msg_html.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "convene.h"
#include "gsm.h"
#include "ical.h"
#include "key.h"
#include "log.h"
#include "mime.h"
#include "sched.h"
#include "tmpl.h"
#include "util.h"

#define MSG_LARGE_WIDTH	40			/* characters a line */
#define MSG_PREFS_DAYS	60			/* a preferences link lasts */
#define MSG_SMS_SEGMENTS	4		/* [sms] max_segments unset */
#define MSG_ELLIPSIS	"..."			/* GSM-7, unlike U+2026 */

/*
 * The values a text message may shorten to fit, in the order it gives
 * them up: each down to min characters (a word kept whole where it can
 * be, then MSG_ELLIPSIS), or, when whole, left out altogether.  Only
 * after the travel note and the title are as short as they go does it
 * leave out the contact and the group: the time, the place (venue) and
 * the answers to send are never touched.
 */
static const struct {
	const char	*name;
	size_t		 min;
	int		 whole;
} msg_sms_cuts[] = {
	{ "travel", 0, 0 },
	{ "agenda", 0, 0 },
	{ "note", 0, 0 },
	{ "title", 24, 0 },
	{ "contact", 0, 1 },
	{ "group", 0, 1 },
};

/* Every placeholder a template may use. */
const char *const msg_vars[] = {
	"title", "when", "when_short", "old_when", "old_when_short", "venue",
	"address", "travel", "access", "access_list", "online_link", "agenda",
	"reason", "rsvp_link", "code", "contact", "preferences_link", "group",
	"person", "lead", "answer", "answer_yes", "answer_no", "answer_maybe",
	"need", "status", "status_requested", "status_arranged",
	"status_unable", "status_withdrawn", "note",
	"series_time", "series_place", "series_title",
	"reply_which", "reply_stop", "reply_start", "reply_help", "codes",
	"replies", "for_name", "member", "deadline", "overdue", "requests",
	"count", "missing",
	NULL
};

/* Every word of words.ini; "?": English may leave it out. */
const char *const msg_words[] = {
	"date.long", "date.short", "date.clock", "date.clock_minutes",
	"date.am", "date.pm", "date.midday", "date.midnight",
	"days.monday", "days.tuesday", "days.wednesday", "days.thursday",
	"days.friday", "days.saturday", "days.sunday",
	"days_short.monday", "days_short.tuesday", "days_short.wednesday",
	"days_short.thursday", "days_short.friday", "days_short.saturday",
	"days_short.sunday",
	"months.january", "months.february", "months.march", "months.april",
	"months.may", "months.june", "months.july", "months.august",
	"months.september", "months.october", "months.november",
	"months.december",
	"months_short.january", "months_short.february",
	"months_short.march", "months_short.april", "months_short.may",
	"months_short.june", "months_short.july", "months_short.august",
	"months_short.september", "months_short.october",
	"months_short.november", "months_short.december",
	"lead.tomorrow", "lead.soon", "lead.days", "lead.days_one?",
	"lead.days_two?", "lead.days_few?", "lead.days_many?", "lead.hours",
	"lead.hours_one?", "lead.hours_two?", "lead.hours_few?",
	"lead.hours_many?", "lead.minutes", "lead.minutes_one?",
	"lead.minutes_two?", "lead.minutes_few?", "lead.minutes_many?",
	"access.step_free", "access.hearing_loop", "access.accessible_toilet",
	"access.quiet_room", "access.list_and", "access.list_comma",
	"access.step_free_joined?", "access.hearing_loop_joined?",
	"access.accessible_toilet_joined?", "access.quiet_room_joined?",
	"answer.yes", "answer.no", "answer.maybe",
	"reply.yes?", "reply.no?", "reply.maybe?", "reply.stop?",
	"reply.start?", "reply.help?",
	"status.requested", "status.arranged", "status.unable",
	"status.withdrawn",
	"deadline.item", "deadline.by", "deadline.late", "deadline.meeting",
	"deadline.detail",
	"page.title", "page.title_problem", "page.hello", "page.problem",
	"page.problem_label", "page.how", "page.how_email", "page.how_sms",
	"page.how_email_sms", "page.how_sms_email", "page.how_feed",
	"page.how_feed_hint", "page.style", "page.style_standard",
	"page.style_standard_hint", "page.style_plain",
	"page.style_plain_hint", "page.style_large", "page.style_large_hint",
	"page.style_easyread", "page.style_easyread_hint", "page.language",
	"page.quiet", "page.quiet_hint", "page.quiet_from", "page.quiet_to",
	"page.quiet_none", "page.save", "page.error_how", "page.error_style",
	"page.error_language", "page.error_quiet", "page.saved",
	"page.saved_how", "page.saved_style", "page.again", "page.unreadable",
	"page.unreadable_text", "page.not_saved", "page.not_saved_text",
	"page.gone", "page.gone_text",
	"page.rsvp_title", "page.rsvp_title_problem", "page.rsvp_hello",
	"page.rsvp_hello_easyread?", "page.rsvp_what", "page.rsvp_when",
	"page.rsvp_where", "page.rsvp_online", "page.rsvp_online_text",
	"page.rsvp_online_too", "page.rsvp_question",
	"page.rsvp_question_easyread?", "page.rsvp_note",
	"page.rsvp_note_easyread?", "page.rsvp_note_hint",
	"page.rsvp_note_hint_easyread?", "page.rsvp_send",
	"page.rsvp_error", "page.rsvp_error_note", "page.rsvp_too_long",
	"page.rsvp_saved", "page.rsvp_saved_easyread?",
	"page.rsvp_saved_answer", "page.rsvp_saved_note", "page.rsvp_again",
	"page.needs", "page.needs_hint", "page.error_needs",
	"page.needs_other", "page.needs_none",
	"page.saved_needs", "page.rsvp_needs", "page.rsvp_needs_easyread?",
	"page.rsvp_needs_hint", "page.rsvp_needs_hint_easyread?",
	"page.rsvp_needs_other", "page.rsvp_needs_other_easyread?",
	"page.rsvp_saved_needs",
	"page.rsvp_not_saved", "page.rsvp_gone", "page.rsvp_gone_text",
	"page.rsvp_cancelled", "page.rsvp_cancelled_text",
	"page.inv_link", "page.inv_title", "page.inv_hello",
	"page.inv_hello_easyread?", "page.inv_meetings",
	"page.inv_meetings_none", "page.inv_when", "page.inv_meeting",
	"page.inv_group", "page.inv_status", "page.inv_status_easyread?",
	"page.inv_attended", "page.inv_apologies",
	"page.inv_apologies_easyread?", "page.inv_absent", "page.inv_payments",
	"page.inv_payments_none", "page.inv_amount", "page.inv_paid",
	"page.inv_paid_on", "page.inv_owed", "page.inv_owed_easyread?",
	"page.inv_total", "page.inv_total_paid", "page.inv_total_owed",
	"page.inv_back", "page.inv_trouble",
	"report.title", "report.heading", "report.period",
	"report.counts_only", "report.fewer", "report.too_few", "report.none",
	"report.of", "report.figures", "report.figures_caption",
	"report.figure", "report.this", "report.previous", "report.needs",
	"report.needs_caption", "report.need", "report.made", "report.on_time",
	"report.late", "report.unable", "report.by_meeting",
	"report.chart_title", "report.chart_none", "report.chart_meeting",
	"report.chart_rate", "report.chart_not_shown", "report.attendance",
	"report.arranged", "report.axis_rate", "report.axis_date",
	"report.not_applicable", "report.key_attendance",
	"report.key_arranged", "report.chart_heading", "report.table_caption",
	"report.meeting", "report.languages", "report.language_name",
	"report.bad_link", "report.bad_link_text", "report.closed",
	"report.closed_text", "report.trouble", "report.trouble_text",
	"report.fig_meetings", "report.fig_invitations_sent",
	"report.fig_members_asked", "report.fig_answered",
	"report.fig_response_rate", "report.fig_yes", "report.fig_yes_rate",
	"report.fig_maybe", "report.fig_maybe_rate", "report.fig_no",
	"report.fig_no_rate", "report.fig_attended", "report.fig_absent",
	"report.fig_apologies", "report.fig_attendance_rate",
	"report.fig_supporters", "report.fig_requests",
	"report.fig_requests_on_time", "report.fig_requests_late",
	"report.fig_requests_unable", "report.fig_requests_open",
	"report.fig_on_time_rate", "report.fig_messages_sent",
	"report.fig_messages_dead", "report.fig_failure_rate",
	"report.fig_members_unreached",
	NULL
};

static const char *const msg_day_keys[] = {
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
	"sunday"
};
static const char *const msg_month_keys[] = {
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december"
};

/* Languages written right to left, by their first subtag. */
static const char *const msg_rtl[] = {
	"ar", "arc", "ckb", "dv", "fa", "he", "ks", "ps", "sd", "ug", "ur",
	"yi", NULL
};

static const char *const msg_style_names[] = {
	"standard", "plain", "large", "easyread"
};

static unsigned char	msg_key[KEY_BYTES];
static int		msg_key_set;
static char		*msg_install;	/* names our Message-IDs */

/* Append n bytes, keeping the buffer a C string. */
void
msg_add(struct msg_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->size) {
		b->size = b->size == 0 ? 512 : b->size;
		while (b->len + n + 1 > b->size)
			b->size *= 2;
		if ((b->p = realloc(b->p, b->size)) == NULL)
			fatal("realloc");
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Append a C string. */
void
msg_adds(struct msg_buf *b, const char *s)
{
	msg_add(b, s, strlen(s));
}

/* Name messages after this installation (a copy is kept). */
void
msg_set_installation(const char *id)
{
	free(msg_install);
	msg_install = id != NULL ? xstrdup(id) : NULL;
}

/*
 * The Message-ID of a row: the same for every attempt at it (a resend
 * is known as one), different from every other database's (the
 * installation id), on the domain we send from, else this host's.
 */
static char *
msg_message_id(const struct config *conf, const struct outbox_row *row)
{
	char		 host[256], *from = NULL, *t;
	const char	*domain = NULL;

	if (conf != NULL && conf->mail_from != NULL &&
	    (from = mime_envelope(conf->mail_from)) != NULL &&
	    (domain = strrchr(from, '@')) != NULL && domain[1] != '\0')
		domain++;
	else {
		domain = NULL;
		if (gethostname(host, sizeof host) != 0 || *host == '\0')
			snprintf(host, sizeof host, "localhost");
		host[sizeof host - 1] = '\0';
	}
	t = xprintf("<convene.%lld.%d.%s@%s>", row->id,
	    row->sequence, msg_install != NULL ? msg_install :
	    "0", domain != NULL ? domain : host);
	free(from);
	return (t);
}

/* Sign links with this key (a copy is kept); NULL forgets it. */
void
msg_set_key(const unsigned char *key)
{
	if (key == NULL) {
		sodium_memzero(msg_key, sizeof msg_key);
		msg_key_set = 0;
		return;
	}
	memcpy(msg_key, key, KEY_BYTES);
	msg_key_set = 1;
}

/* A word in the language, else English; "" if none at all. */
static const char *
msg_word(struct tmpl_set *set, const char *lang, const char *section,
    const char *name)
{
	const char	*v;
	char		*key;

	key = xprintf("%s.%s", section, name);
	v = tmpl_word(set, lang, key, NULL);
	free(key);
	return (v != NULL ? v : "");
}

/* A word's {fields} filled in; a field not given is left out. */
char *
msg_fill(const char *pattern, const struct msg_field *f)
{
	struct msg_buf	 b = { NULL, 0, 0 };
	const char	*p, *close;
	size_t		 i, n;

	msg_add(&b, "", 0);
	for (p = pattern; *p != '\0';) {
		if (*p != '{' || (close = strchr(p, '}')) == NULL) {
			n = strcspn(p + 1, "{") + 1;
			msg_add(&b, p, n);
			p += n;
			continue;
		}
		n = close - p - 1;
		for (i = 0; f[i].name != NULL; i++) {
			if (strlen(f[i].name) == n &&
			    strncmp(f[i].name, p + 1, n) == 0) {
				msg_adds(&b, f[i].value);
				break;
			}
		}
		p = close + 1;
	}
	return (b.p);
}

/* Monday 0 to Sunday 6, of a date on the Gregorian calendar. */
static int
msg_weekday(int y, int m, int d)
{
	static const int	t[] = { 0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4 };

	if (m < 3)
		y--;
	return ((y + y / 4 - y / 100 + y / 400 + t[m - 1] + d + 6) % 7);
}

/*
 * The time in words ("Tuesday 3 March 2026 at 6pm") and short ("Tue 3
 * Mar 18:00") in the language, local to the zone.
 */
void
msg_when(struct tmpl_set *set, const char *lang, time_t t, const char *tz,
    char **words, char **brief)
{
	char	 local[SCHED_LOCAL_LEN], d[8], y[8], h[8], hh[8], mm[8];
	char	*clock;
	int	 yr, mo, dy, hr, mi, wd;

	*words = *brief = NULL;
	if (sched_utc_to_local(tz, t, local, NULL) != 0 ||
	    sscanf(local, "%4d%2d%2dT%2d%2d", &yr, &mo, &dy, &hr, &mi) != 5 ||
	    mo < 1 || mo > 12) {
		*words = xstrdup("");
		*brief = xstrdup("");
		return;
	}
	wd = msg_weekday(yr, mo, dy);
	snprintf(d, sizeof d, "%d", dy);
	snprintf(y, sizeof y, "%d", yr);
	snprintf(h, sizeof h, "%d", hr % 12 == 0 ? 12 : hr % 12);
	snprintf(hh, sizeof hh, "%02d", hr);
	snprintf(mm, sizeof mm, "%02d", mi);
	{
		const struct msg_field	f[] = {
			{ "weekday", msg_word(set, lang, "days",
			    msg_day_keys[wd]) },
			{ "wd", msg_word(set, lang, "days_short",
			    msg_day_keys[wd]) },
			{ "day", d },
			{ "month", msg_word(set, lang, "months",
			    msg_month_keys[mo - 1]) },
			{ "mon", msg_word(set, lang, "months_short",
			    msg_month_keys[mo - 1]) },
			{ "year", y },
			{ "h", h },
			{ "hh", hh },
			{ "mm", mm },
			{ "ampm", msg_word(set, lang, "date", hr < 12 ? "am" :
			    "pm") },
			{ "time", "" },
			{ NULL, NULL }
		};
		struct msg_field	 g[sizeof f / sizeof f[0]];

		if (hr == 12 && mi == 0)
			clock = xstrdup(msg_word(set, lang, "date", "midday"));
		else if (hr == 0 && mi == 0)
			clock = xstrdup(msg_word(set, lang, "date",
			    "midnight"));
		else
			clock = msg_fill(msg_word(set, lang, "date", mi == 0 ?
			    "clock" : "clock_minutes"), f);
		memcpy(g, f, sizeof g);
		g[10].value = clock;
		*words = msg_fill(msg_word(set, lang, "date", "long"), g);
		*brief = msg_fill(msg_word(set, lang, "date", "short"), g);
		free(clock);
	}
}

/*
 * A count in words, "in 7 days": the plural form the language has for n
 * (one, two, few, many, as in Arabic) if it has one, else the general.
 */
static char *
msg_count(struct tmpl_set *set, const char *lang, const char *what, int n)
{
	const char	*v, *used = NULL, *form = NULL, *cat = NULL;
	char		*key, num[16];

	key = xprintf("lead.%s", what);
	v = tmpl_word(set, lang, key, &used);
	free(key);
	if (n == 1)
		cat = "one";
	else if (n == 2)
		cat = "two";
	else if (n % 100 >= 3 && n % 100 <= 10)
		cat = "few";
	else if (n % 100 >= 11)
		cat = "many";
	if (cat != NULL && used != NULL) {
		key = xprintf("lead.%s_%s", what, cat);
		form = tmpl_word_exact(set, used, key);
		free(key);
	}
	snprintf(num, sizeof num, "%d", n);
	{
		const struct msg_field	f[] = {
			{ "n", num },
			{ NULL, NULL }
		};

		return (msg_fill(form != NULL ? form : v != NULL ? v : "", f));
	}
}

/*
 * "in 7 days", "tomorrow", "in 2 hours": how far ahead, in words.  A
 * supporter's copy ("P7D/for:12") says the member's lead.
 */
static char *
msg_lead(struct tmpl_set *set, const char *lang, const char *lead)
{
	struct sched_lead	l;
	const char		*mark;
	char			*own;
	int			hours, rc;

	if (lead == NULL || *lead == '\0')
		return (xstrdup(""));
	own = xstrdup(lead);
	if ((mark = strstr(lead, PLAN_COPY_MARK)) != NULL)
		own[mark - lead] = '\0';
	rc = sched_lead_parse(own, &l, NULL, NULL);
	free(own);
	if (rc != 0)
		return (xstrdup(""));
	hours = l.days * 24 + l.seconds / 3600;
	if (l.days == 1 && l.seconds < 3600)
		return (xstrdup(msg_word(set, lang, "lead", "tomorrow")));
	if (l.days > 1)
		return (msg_count(set, lang, "days", l.days));
	if (l.days == 1 || l.seconds >= 3600)
		return (msg_count(set, lang, "hours", hours));
	if (l.seconds >= 60)
		return (msg_count(set, lang, "minutes", l.seconds / 60));
	return (xstrdup(msg_word(set, lang, "lead", "soon")));
}

/*
 * A text back to a member who texted (kind reply): its lead is
 * "WHAT/REF", or "which/M3,M5/REF".  Whether it is WHAT; the codes.
 */
static int
msg_reply_is(const char *kind, const char *lead, const char *what)
{
	size_t	n = strlen(what);

	return (strcmp(kind, "reply") == 0 && strncmp(lead, what, n) == 0 &&
	    lead[n] == '/');
}

static char *
msg_reply_codes(const char *kind, const char *lead)
{
	const char	*p;
	char		*out, *o;
	size_t		 n;

	if (!msg_reply_is(kind, lead, "which"))
		return (xstrdup(""));
	p = lead + 6;
	n = strcspn(p, "/");
	out = o = xcalloc(1, n * 2 + 1);
	for (; n > 0; n--, p++) {
		*o++ = *p;
		if (*p == ',')
			*o++ = ' ';
	}
	return (out);
}

/*
 * "step-free access, a hearing loop and a quiet room"; as a list, one
 * "- " line a fact, for Easy Read.
 */
static char *
msg_access(struct tmpl_set *set, const char *lang,
    const struct outbox_row *row, int list)
{
	static const char *const facts[] = {
		"step_free", "hearing_loop", "accessible_toilet", "quiet_room"
	};
	const int	 on[4] = { row->step_free, row->hearing_loop,
			    row->accessible_toilet, row->quiet_room };
	char		*s, *t;
	size_t		 i, n = 0, have[4];

	for (i = 0; i < 4; i++) {
		if (on[i])
			have[n++] = i;
	}
	if (list) {
		s = xstrdup("");
		for (i = 0; i < n; i++) {
			t = xprintf("%s%s- %s", s, i == 0 ? "" : "\n",
			    msg_word(set, lang, "access", facts[have[i]]));
			free(s);
			s = t;
		}
		return (s);
	}
	s = xstrdup(n == 0 ? "" : msg_word(set, lang, "access",
	    facts[have[0]]));
	for (i = 1; i < n; i++) {
		struct msg_field	 f[3] = { { "a", NULL }, { "b", NULL },
					    { NULL, NULL } };
		char			*key;

		/* After "and" a word may change (Welsh: a thoiled). */
		if (i == n - 1) {
			key = xprintf("access.%s_joined", facts[have[i]]);
			f[1].value = tmpl_word_exact(set, lang, key);
			free(key);
		}
		if (f[1].value == NULL)
			f[1].value = msg_word(set, lang, "access",
			    facts[have[i]]);
		f[0].value = s;

		t = msg_fill(msg_word(set, lang, "access", i == n - 1 ?
		    "list_and" : "list_comma"), f);
		free(s);
		s = t;
	}
	return (s);
}

/* A code of the words file: lower-case letters and _, or 0. */
static int
msg_code_ok(const char *s)
{
	if (*s == '\0' || strlen(s) > 32)
		return (0);
	for (; *s != '\0'; s++) {
		if ((*s < 'a' || *s > 'z') && *s != '_')
			return (0);
	}
	return (1);
}

/*
 * A need's label in the member's language: the catalogue's, else the
 * row's, else its code (a need since taken out of the catalogue).
 */
static char *
msg_need(const struct config *conf, const char *lang,
    const struct outbox_row *row)
{
	const struct need_kind	*k;
	const char		*code = row->need;
	char			*s, *p;

	if (*code == '\0')
		return (xstrdup(""));
	if (conf != NULL && (k = config_need(conf, code)) != NULL)
		return (xstrdup(config_need_label(k, lang)));
	if (*row->need_label != '\0')
		return (xstrdup(row->need_label));
	s = xstrdup(code);
	for (p = s; *p != '\0'; p++) {
		if (*p == '_' || *p == '-')
			*p = ' ';
	}
	return (s);
}

/*
 * The signed link to a person's preferences page, good for
 * MSG_PREFS_DAYS; "" without a base URL, a key or a person.
 */
static char *
msg_prefs_link(const struct config *conf, const struct outbox_row *row)
{
	const unsigned char	*key = NULL;
	char			 sig[KEY_SIG_LEN], *subject, *link;
	long long		 person = row->person_id;
	long long		 expiry;

	if (msg_key_set)
		key = msg_key;
	if (key == NULL || conf == NULL || conf->base_url == NULL ||
	    *conf->base_url == '\0' || person <= 0)
		return (xstrdup(""));
	expiry = (long long)clock_now() + MSG_PREFS_DAYS * 86400LL;
	subject = xprintf("%lld", person);
	key_sign(key, "prefs", subject, expiry, sig);
	link = xprintf("%s/preferences/%s.%lld.%s", conf->base_url, subject,
	    expiry, sig);
	free(subject);
	return (link);
}

/*
 * The signed link to answer whether one can come (rsvp.c's page), good
 * until the meeting ends: for invitations, reminders, updates and
 * gentle reminders (nudge) by email, and in the confirmation of an
 * answer (rsvp), to change it; "" otherwise, or without a base URL or a
 * key.
 */
static char *
msg_rsvp_link(const struct config *conf, const struct outbox_row *row)
{
	char	 sig[KEY_SIG_LEN], *subject, *link;

	if (!msg_key_set || conf == NULL || conf->base_url == NULL ||
	    *conf->base_url == '\0' || row->person_id <= 0 ||
	    row->occurrence_id <= 0 || row->end_at == 0 ||
	    strcmp(row->channel, "sms") == 0 ||
	    (strcmp(row->kind, "invitation") != 0 &&
	    strcmp(row->kind, "reminder") != 0 &&
	    strcmp(row->kind, "update") != 0 &&
	    strcmp(row->kind, "nudge") != 0 &&
	    strcmp(row->kind, "rsvp") != 0))
		return (xstrdup(""));
	subject = xprintf("%lld.%lld", row->person_id, row->occurrence_id);
	key_sign(msg_key, "rsvp", subject, (long long)row->end_at, sig);
	link = xprintf("%s/rsvp/%s.%lld.%s", conf->base_url, subject,
	    (long long)row->end_at, sig);
	free(subject);
	return (link);
}

/*
 * The address a member's calendar replies to: the sender's, with
 * "+r.PERSON.MEETING.SIG" after its local part, signed with purpose
 * "reply", so that "convenectl mail-in" knows who answered which
 * meeting from the address alone, whatever the From of the reply says.
 * The sender's as it is without a key, a person or a meeting.
 */
static char *
msg_reply_address(const char *from, const struct outbox_row *row)
{
	char		 sig[KEY_SIG_LEN], *subject, *out;
	const char	*at = strrchr(from, '@');

	if (!msg_key_set || at == NULL || at == from ||
	    row->person_id <= 0 || row->occurrence_id <= 0)
		return (xstrdup(from));
	subject = xprintf("%lld.%lld", row->person_id, row->occurrence_id);
	key_sign(msg_key, "reply", subject, 0, sig);
	out = xprintf("%.*s+r.%s.%s%s", (int)(at - from), from, subject, sig,
	    at);
	free(subject);
	return (out);
}

/* Whether a language is written right to left. */
int
msg_is_rtl(const char *lang)
{
	size_t	i, n = strcspn(lang, "-");

	for (i = 0; msg_rtl[i] != NULL; i++) {
		if (strlen(msg_rtl[i]) == n &&
		    strncasecmp(msg_rtl[i], lang, n) == 0)
			return (1);
	}
	return (0);
}

/*
 * A word longer than a line, on lines of its own of at most width
 * characters, broken after a / . ? & = - _ or # where one comes late
 * enough.  A web address in it goes in angle brackets, as RFC 3986
 * (appendix C) has an address broken over lines: a reader joins the
 * lines without the breaks.
 */
static void
msg_wrap_long(struct msg_buf *b, const char *s, size_t n, size_t width)
{
	struct msg_buf	 t = { NULL, 0, 0 };
	const char	*p, *q, *last;
	size_t		 i, u = 0, c;

	for (i = 0; i < n; i++) {
		if ((i == 0 || s[i - 1] == '(') &&
		    (u = msg_url(s + i, n - i)) > 0)
			break;
	}
	msg_add(&t, s, i);
	if (u > 0) {
		msg_adds(&t, "<");
		msg_add(&t, s + i, u);
		msg_adds(&t, ">");
		msg_add(&t, s + i + u, n - i - u);
	}
	for (p = t.p; *p != '\0'; p = q) {
		last = NULL;
		for (q = p, c = 0; *q != '\0' && c < width; c++) {
			q++;
			while (((unsigned char)*q & 0xc0) == 0x80)
				q++;
			if (c + 1 > width / 2 && strchr("/.?&=-_#", q[-1]))
				last = q;
		}
		if (*q != '\0' && last != NULL)
			q = last;
		msg_add(b, p, q - p);
		if (*q != '\0')
			msg_adds(b, "\n");
	}
	free(t.p);
}

/*
 * Large print text: each line wrapped on spaces to at most width
 * characters; a word longer than that (a web address) broken on lines
 * of its own; a list item's following lines indented under its text.
 */
static char *
msg_wrap(const char *text, size_t width)
{
	struct msg_buf	 b = { NULL, 0, 0 };
	const char	*line, *nl, *w, *we, *end;
	size_t		 col, wl, indent;

	msg_add(&b, "", 0);
	for (line = text; *line != '\0'; line = *nl == '\0' ? nl : nl + 1) {
		nl = line + strcspn(line, "\n");
		indent = nl - line >= 2 && line[0] == '-' && line[1] == ' ' ?
		    2 : 0;
		col = 0;
		for (w = line; w < nl; w = we) {
			while (w < nl && *w == ' ')
				w++;
			if (w == nl)
				break;
			for (we = w; we < nl && *we != ' ';)
				we++;
			wl = utf8_chars(w, we - w);
			if (wl > width) {
				if (col > 0)
					msg_adds(&b, "\n");
				msg_wrap_long(&b, w, we - w, width);
				col = width;	/* the next word: a new line */
				continue;
			}
			if (col > 0 && col + 1 + wl > width) {
				msg_adds(&b, "\n");
				msg_add(&b, "  ", indent);
				col = indent;
			} else if (col > 0) {
				msg_adds(&b, " ");
				col++;
			}
			msg_add(&b, w, we - w);
			col += wl;
		}
		end = nl;
		if (*end == '\n')
			msg_adds(&b, "\n");
	}
	return (b.p);
}

/* The style a row asks for; standard when it names none we know. */
static enum msg_style
msg_style(const char *s)
{
	size_t	i;

	for (i = 0; i < sizeof msg_style_names / sizeof msg_style_names[0];
	    i++) {
		if (strcmp(s, msg_style_names[i]) == 0)
			return ((enum msg_style)i);
	}
	return (MSG_STANDARD);
}

/* An address fit for a header: printable ASCII, one @, no spaces. */
static int
msg_address_ok(const char *a)
{
	const char	*at = strchr(a, '@');

	if (at == NULL || at == a || at[1] == '\0' || strchr(at + 1, '@'))
		return (0);
	for (; *a != '\0'; a++) {
		if (*a <= 0x20 || *a >= 0x7f || strchr("<>(),;:\"[]\\", *a))
			return (0);
	}
	return (1);
}

void
msg_free(struct chan_msg *m)
{
	free((char *)m->kind);
	free((char *)m->to);
	free((char *)m->to_name);
	free((char *)m->subject);
	free((char *)m->body);
	free((char *)m->html);
	free((char *)m->ical);
	free((char *)m->lang);
	free((char *)m->message_id);
	memset(m, 0, sizeof *m);
}

/*
 * s cut to keep characters at most: at the last space when that keeps
 * more than half of them, with MSG_ELLIPSIS after; "" when keep is 0.
 */
static char *
msg_shorten(const char *s, size_t keep)
{
	const char	*p, *space = NULL;
	size_t		 n = 0;

	if (utf8_chars(s, strlen(s)) <= keep)
		return (xstrdup(s));
	if (keep == 0)
		return (xstrdup(""));
	for (p = s; *p != '\0'; p++) {
		if (((unsigned char)*p & 0xc0) == 0x80)
			continue;
		if (n == keep)
			break;
		if (*p == ' ' && n > keep / 2)
			space = p;
		n++;
	}
	if (space != NULL && *p != ' ')
		p = space;
	while (p > s && strchr(" ,;:-.", p[-1]) != NULL)
		p--;
	return (xprintf("%.*s%s", (int)(p - s), s, MSG_ELLIPSIS));
}

/* The template rendered; its parts as a phone counts them in *parts. */
static char *
msg_sms_render(struct tmpl_set *set, const char *lang, const char *name,
    const struct tmpl_var *vars, size_t *parts, const char **used,
    char **cause)
{
	struct gsm_count	 gc;
	char			*s;

	if ((s = tmpl_render(set, lang, name, vars, used, cause)) == NULL)
		return (NULL);
	gsm_count(s, &gc);
	*parts = gc.segments;
	return (s);
}

/* One value of msg_sms_cuts in a text being fitted. */
struct msg_cut {
	struct tmpl_var	*var;		/* NULL: the template has none */
	const char	*full;
	size_t		 len;		/* characters of full */
	size_t		 keep;		/* characters kept now */
	char		*own;
};

/*
 * The most characters of a value, from lo to hi, that let the text fit,
 * else lo; the value is left so.  lo itself is taken untried.
 */
static int
msg_sms_keep(struct tmpl_set *set, const char *lang, const char *name,
    struct tmpl_var *vars, size_t max, struct msg_cut *k, size_t lo,
    size_t hi, char **cause)
{
	char	*t, *try;
	size_t	 mid, parts;

	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		try = msg_shorten(k->full, mid);
		k->var->value = try;
		t = msg_sms_render(set, lang, name, vars, &parts, NULL, cause);
		free(try);
		k->var->value = k->own;
		if (t == NULL)
			return (-1);
		free(t);
		if (parts <= max)
			lo = mid;
		else
			hi = mid - 1;
	}
	free(k->own);
	k->own = msg_shorten(k->full, lo);
	k->var->value = k->own;
	k->keep = lo;
	return (0);
}

/*
 * A text message in at most max parts: the template rendered, then, for
 * as long as it is longer, each value of msg_sms_cuts given up in turn,
 * to the most of it that fits; then what a later cut made room for is
 * given back, the title first.  A text still too long with all of them
 * at their shortest goes as it is, the essentials whole, with a warning.
 */
static char *
msg_sms(struct tmpl_set *set, const char *lang, const char *name,
    struct tmpl_var *vars, size_t max, long long id, const char **used,
    char **cause)
{
	struct msg_cut	 cut[sizeof msg_sms_cuts / sizeof msg_sms_cuts[0]];
	char		*body = NULL;
	size_t		 c, v, parts, n = sizeof cut / sizeof cut[0];

	memset(cut, 0, sizeof cut);
	if ((body = msg_sms_render(set, lang, name, vars, &parts, used,
	    cause)) == NULL || parts <= max)
		return (body);
	for (c = 0; c < n; c++) {
		for (v = 0; vars[v].name != NULL; v++) {
			if (strcmp(vars[v].name, msg_sms_cuts[c].name) == 0 &&
			    vars[v].value != NULL) {
				cut[c].var = &vars[v];
				cut[c].full = vars[v].value;
				cut[c].own = xstrdup(cut[c].full);
				cut[c].len = cut[c].keep = utf8_chars(
				    cut[c].full, strlen(cut[c].full));
				vars[v].value = cut[c].own;
			}
		}
	}
	for (c = 0; c < n && parts > max; c++) {
		if (cut[c].var == NULL || cut[c].len <= msg_sms_cuts[c].min)
			continue;
		if (msg_sms_keep(set, lang, name, vars, max, &cut[c],
		    msg_sms_cuts[c].min, msg_sms_cuts[c].whole ?
		    msg_sms_cuts[c].min : cut[c].len - 1, cause) == -1)
			goto fail;
		free(body);
		if ((body = msg_sms_render(set, lang, name, vars, &parts,
		    used, cause)) == NULL)
			goto fail;
	}
	for (c = n; c-- > 0 && parts <= max;) {
		if (cut[c].var == NULL || msg_sms_cuts[c].whole ||
		    cut[c].keep == cut[c].len)
			continue;
		if (msg_sms_keep(set, lang, name, vars, max, &cut[c],
		    cut[c].keep, cut[c].len, cause) == -1)
			goto fail;
	}
	free(body);
	if ((body = msg_sms_render(set, lang, name, vars, &parts, used,
	    cause)) == NULL)
		goto fail;
	if (parts > max)
		log_warnx("message %lld: the text needs %zu parts with only "
		    "its essentials, more than max_segments %zu: a gateway "
		    "that cuts it loses its end", id, parts, max);
	else
		log_debug("message %lld: shortened to fit %zu parts", id, max);
	for (c = 0; c < n; c++)
		free(cut[c].own);
	return (body);

fail:
	for (c = 0; c < n; c++)
		free(cut[c].own);
	free(body);
	return (NULL);
}

/* Does the lead "series:time,place/ID" of a series notice name what? */
static int
msg_series_what(const char *lead, const char *what)
{
	char	*list = xstrdup(lead + 7);
	int	 found;

	list[strcspn(list, "/")] = '\0';
	found = list_has(list, what);
	free(list);
	return (found);
}

/* The template for a style, when English has it; else the general one. */
static void
msg_name(struct tmpl_set *set, char *buf, size_t len, const char *kind,
    const char *special, const char *part)
{
	if (special != NULL) {
		snprintf(buf, len, "%s.%s.%s", kind, special, part);
		if (tmpl_exists(set, "en", buf))
			return;
	}
	snprintf(buf, len, "%s.%s", kind, part);
}

/* The row's meeting, and its person, for the calendar part. */
static void
msg_meeting(const struct outbox_row *row, struct ical_meeting *m)
{
	memset(m, 0, sizeof *m);
	m->series_id = row->series_id;
	m->recurrence_id = row->recurrence_id;
	m->start_at = row->start_at;
	m->end_at = row->end_at;
	m->time_zone = row->time_zone;
	m->title = row->title;
	m->rrule = row->rrule;
	m->rdates = row->rdates;
	m->status = row->status;
	m->series_sequence = row->series_sequence;
	m->occ_sequence = row->occ_sequence;
	m->group_name = row->group_name;
	m->venue = row->venue;
	m->address = row->address;
	m->agenda = row->agenda;
	m->online_link = row->online_link;
	m->travel = row->travel;
	m->step_free = row->step_free;
	m->hearing_loop = row->hearing_loop;
	m->accessible_toilet = row->accessible_toilet;
	m->quiet_room = row->quiet_room;
	m->person = row->person;
	m->email = row->email;
	m->notice_series = row->notice_series;
	m->notice_overrides = row->notice_overrides;
}

/* What a coordinator's notice says beyond a meeting's details. */
struct msg_notice {
	char	*member;	/* who asked */
	char	*deadline;	/* to book by, in short */
	char	*overdue;	/* "1", or a digest's count of them; "" */
	char	*requests;	/* a digest's list */
	char	*count;		/* a digest's count of requests */
	char	*missing;	/* a flag: what the venue lacks */
	char	*title;		/* a digest: its first request's */
	char	*when;
	char	*when_short;
	char	*need;
};

/* A need's label by its code: the catalogue's, else the code. */
static char *
msg_need_code(const struct config *conf, const char *lang, const char *code)
{
	const struct need_kind	*k;
	char			*s, *p;

	if (conf != NULL && (k = config_need(conf, code)) != NULL)
		return (xstrdup(config_need_label(k, lang)));
	s = xstrdup(code);
	for (p = s; *p != '\0'; p++) {
		if (*p == '_' || *p == '-')
			*p = ' ';
	}
	return (s);
}

/* One word of [deadline] with its fields filled in, on a line. */
static void
msg_notice_line(struct msg_buf *b, struct tmpl_set *set, const char *lang,
    const char *name, const struct msg_field *f)
{
	char	*s;

	s = msg_fill(msg_word(set, lang, "deadline", name), f);
	msg_adds(b, s);
	msg_adds(b, "\n");
	free(s);
}

/*
 * A digest's list: each open request a paragraph, soonest deadline
 * first, its need and who asked, when to book it by (said to be
 * overdue once that has passed), the meeting and the member's words.
 */
static char *
msg_notice_list(struct tmpl_set *set, const struct config *conf,
    const char *lang, json_t *items)
{
	struct msg_buf	 b = { NULL, 0, 0 };
	json_t		*it;
	char		*need, *by, *by_short, *at, *at_short;
	const char	*tz;
	size_t		 i;

	msg_add(&b, "", 0);
	json_array_foreach(items, i, it) {
		tz = jstr(it, "time_zone");
		need = msg_need_code(conf, lang, jstr(it, "need"));
		msg_when(set, lang, (time_t)jint(it, "deadline_at"), tz, &by,
		    &by_short);
		msg_when(set, lang, (time_t)jint(it, "start_at"), tz, &at,
		    &at_short);
		{
			const struct msg_field	f[] = {
				{ "need", need },
				{ "member", jstr(it, "member") },
				{ "by", by_short },
				{ "title", jstr(it, "title") },
				{ "when", at },
				{ "detail", jstr(it, "detail") },
				{ NULL, NULL }
			};

			if (i > 0)
				msg_adds(&b, "\n");
			msg_notice_line(&b, set, lang, "item", f);
			msg_notice_line(&b, set, lang, jint(it, "overdue") ?
			    "late" : "by", f);
			msg_notice_line(&b, set, lang, "meeting", f);
			if (*jstr(it, "detail") != '\0')
				msg_notice_line(&b, set, lang, "detail", f);
		}
		free(need);
		free(by);
		free(by_short);
		free(at);
		free(at_short);
	}
	/* The template ends the value's line itself. */
	if (b.len > 0 && b.p[b.len - 1] == '\n')
		b.p[--b.len] = '\0';
	return (b.p);
}

/*
 * What a digest, alert or flag says (store_deadline_fill's requests):
 * every field "" for other kinds.
 */
static void
msg_notice(struct tmpl_set *set, const struct config *conf, const char *lang,
    const struct outbox_row *row, struct msg_notice *n)
{
	const struct need_kind	*k;
	json_t			*rq = row->requests, *items, *first, *it;
	char			*by;
	size_t			 i, late = 0;

	n->member = xstrdup(jstr(rq, "member"));
	n->deadline = xstrdup("");
	n->overdue = xstrdup("");
	n->requests = xstrdup("");
	n->count = xstrdup("");
	n->missing = xstrdup("");
	n->title = n->when = n->when_short = n->need = NULL;
	if (rq == NULL)
		return;
	if (strcmp(row->kind, "digest") != 0) {
		if (jint(rq, "deadline_at") != 0) {
			free(n->deadline);
			msg_when(set, lang, (time_t)jint(rq, "deadline_at"),
			    row->time_zone, &by, &n->deadline);
			free(by);
		}
		if (jint(rq, "deadline_at") <= (long long)clock_now()) {
			free(n->overdue);
			n->overdue = xstrdup("1");
		}
		if (strcmp(row->kind, "flag") == 0 && conf != NULL &&
		    (k = config_need(conf, row->need)) != NULL &&
		    k->venue != NULL) {
			free(n->missing);
			n->missing = xstrdup(msg_word(set, lang, "access",
			    k->venue));
		}
		return;
	}
	items = json_object_get(rq, "items");
	if ((first = json_array_get(items, 0)) == NULL)
		return;
	json_array_foreach(items, i, it)
		late += jint(it, "overdue") != 0;
	free(n->count);
	n->count = xprintf("%zu", json_array_size(items));
	if (late > 0) {
		free(n->overdue);
		n->overdue = xprintf("%zu", late);
	}
	free(n->requests);
	n->requests = msg_notice_list(set, conf, lang, items);
	free(n->member);
	n->member = xstrdup(jstr(first, "member"));
	free(n->deadline);
	msg_when(set, lang, (time_t)jint(first, "deadline_at"),
	    jstr(first, "time_zone"), &by, &n->deadline);
	free(by);
	n->title = xstrdup(jstr(first, "title"));
	msg_when(set, lang, (time_t)jint(first, "start_at"),
	    jstr(first, "time_zone"), &n->when, &n->when_short);
	n->need = msg_need_code(conf, lang, jstr(first, "need"));
}

static void
msg_notice_free(struct msg_notice *n)
{
	free(n->member);
	free(n->deadline);
	free(n->overdue);
	free(n->requests);
	free(n->count);
	free(n->missing);
	free(n->title);
	free(n->when);
	free(n->when_short);
	free(n->need);
}

/*
 * Render a due row (store_out_due's columns) for its channel, in the
 * person's style and language.  -1 with *permanent set when the person
 * cannot be reached on this channel.
 */
int
msg_render(struct tmpl_set *tmpl, const struct config *conf,
    const struct outbox_row *row, int attempt, struct chan_msg *m,
    int *permanent, char **cause)
{
	char		 code[32], name[96];
	char		*when, *when_short, *old, *old_short, *access, *lead;
	char		*access_list, *need, *prefs, *subject = NULL, *t;
	char		*body = NULL, *rsvp, *codes;
	struct msg_notice notice;
	const char	*tz = row->time_zone;
	const char	*kind = row->kind;
	const char	*lang = row->language;
	const char	*answer = row->answer;
	const char	*status = row->access_status;
	const char	*channel = row->channel, *to, *used = NULL;
	time_t		 start = row->start_at;
	time_t		 from = row->moved_from;
	enum msg_style	 style = msg_style(row->style);
	int		 sms = strcmp(channel, "sms") == 0;
	/* An update about a series ("series:WHAT" its lead): series.*. */
	const char	*lead_s = row->lead;
	int		 series = strcmp(kind, "update") == 0 &&
			    strncmp(lead_s, "series:", 7) == 0;
	const char	*tkind = series ? "series" : kind;
	/* A copy of a member's reminder to their supporter: whose. */
	const char	*for_name = row->copy_of > 0 && row->for_name != NULL ?
			    row->for_name : "";

	memset(m, 0, sizeof *m);
	*permanent = 0;
	to = sms ? row->phone : row->email;
	if (*to == '\0' || (!sms && !msg_address_ok(to))) {
		cause_set(cause, "%s has no %s", row->person,
		    sms ? "phone number" : "usable email address");
		*permanent = 1;
		return (-1);
	}
	if (!msg_code_ok(kind)) {
		cause_set(cause, "no message of kind '%s'", kind);
		*permanent = 1;
		return (-1);
	}
	if (start != 0)
		msg_when(tmpl, lang, start, tz, &when, &when_short);
	else {
		when = xstrdup("");
		when_short = xstrdup("");
	}
	if (from != 0)
		msg_when(tmpl, lang, from, tz, &old, &old_short);
	else {
		old = xstrdup("");
		old_short = xstrdup("");
	}
	code[0] = '\0';
	if (row->occurrence_id > 0)
		snprintf(code, sizeof code, "M%lld",
		    row->occurrence_id);
	access = msg_access(tmpl, lang, row, 0);
	access_list = msg_access(tmpl, lang, row, 1);
	lead = msg_lead(tmpl, lang, row->lead);
	need = msg_need(conf, lang, row);
	prefs = msg_prefs_link(conf, row);
	/* The answer is the member's to give, not their supporter's. */
	rsvp = *for_name != '\0' ? xstrdup("") : msg_rsvp_link(conf, row);
	codes = msg_reply_codes(kind, row->lead);
	/* A digest speaks first of its soonest request. */
	msg_notice(tmpl, conf, lang, row, &notice);
	if (notice.title != NULL) {
		free(when);
		free(when_short);
		free(need);
		when = notice.when;
		when_short = notice.when_short;
		need = notice.need;
		notice.when = notice.when_short = notice.need = NULL;
	}
	if (strcmp(answer, "yes") != 0 && strcmp(answer, "no") != 0 &&
	    strcmp(answer, "maybe") != 0)
		answer = "";
	if (strcmp(status, "requested") != 0 &&
	    strcmp(status, "arranged") != 0 &&
	    strcmp(status, "unable") != 0 && strcmp(status, "withdrawn") != 0)
		status = "";
	{
		struct tmpl_var vars[] = {
			{ "title", notice.title != NULL ? notice.title :
			    row->title },
			{ "when", when },
			{ "when_short", when_short },
			{ "old_when", old },
			{ "old_when_short", old_short },
			{ "venue", row->venue },
			{ "address", row->address },
			{ "travel", row->travel },
			{ "access", access },
			{ "access_list", access_list },
			{ "online_link", row->online_link },
			{ "agenda", row->agenda },
			{ "reason", row->occ_reason },
			{ "rsvp_link", rsvp },
			{ "code", code },
			{ "contact", row->contact },
			{ "preferences_link", prefs },
			{ "group", row->group_name },
			{ "person", row->person },
			{ "lead", lead },
			{ "answer", *answer == '\0' ? "" : msg_word(tmpl, lang,
			    "answer", answer) },
			{ "answer_yes", strcmp(answer, "yes") == 0 ? "1" : "" },
			{ "answer_no", strcmp(answer, "no") == 0 ? "1" : "" },
			{ "answer_maybe", strcmp(answer, "maybe") == 0 ? "1" :
			    "" },
			{ "need", need },
			{ "status", *status == '\0' ? "" : msg_word(tmpl, lang,
			    "status", status) },
			{ "status_requested", strcmp(status, "requested") ==
			    0 ? "1" : "" },
			{ "status_arranged", strcmp(status, "arranged") == 0 ?
			    "1" : "" },
			{ "status_unable", strcmp(status, "unable") == 0 ?
			    "1" : "" },
			{ "status_withdrawn", strcmp(status, "withdrawn") ==
			    0 ? "1" : "" },
			{ "note", row->note },
			{ "series_time", series && msg_series_what(lead_s,
			    "time") ? "1" : "" },
			{ "series_place", series && msg_series_what(lead_s,
			    "place") ? "1" : "" },
			{ "series_title", series && msg_series_what(lead_s,
			    "title") ? "1" : "" },
			{ "reply_which", msg_reply_is(kind, row->lead,
			    "which") ? "1" : "" },
			{ "reply_stop", msg_reply_is(kind, row->lead,
			    "stop") ? "1" : "" },
			{ "reply_start", msg_reply_is(kind, row->lead,
			    "start") ? "1" : "" },
			{ "reply_help", msg_reply_is(kind, row->lead,
			    "help") ? "1" : "" },
			{ "codes", codes },
			/* Texts sent back are read: a text may ask for one. */
			{ "for_name", for_name },
			{ "replies", *for_name == '\0' && conf != NULL &&
			    conf->sms_inbound_secret_file != NULL &&
			    *conf->sms_inbound_secret_file != '\0' ? "1" : "" },
			{ "member", notice.member },
			{ "deadline", notice.deadline },
			{ "overdue", notice.overdue },
			{ "requests", notice.requests },
			{ "count", notice.count },
			{ "missing", notice.missing },
			{ NULL, NULL }
		};

		if (sms) {
			msg_name(tmpl, name, sizeof name, tkind, style ==
			    MSG_EASYREAD ? "easyread" : NULL, "sms");
			body = msg_sms(tmpl, lang, name, vars, conf != NULL &&
			    conf->sms_max_segments > 0 ?
			    (size_t)conf->sms_max_segments : MSG_SMS_SEGMENTS,
			    row->id, &used, cause);
		} else {
			snprintf(name, sizeof name, "%s.subject", tkind);
			subject = tmpl_render(tmpl, lang, name, vars, NULL,
			    cause);
			msg_name(tmpl, name, sizeof name, tkind, style ==
			    MSG_EASYREAD ? "easyread" : NULL, "text");
			if (subject != NULL)
				body = tmpl_render(tmpl, lang, name, vars,
				    &used, cause);
		}
	}
	free(when);
	free(when_short);
	free(old);
	free(old_short);
	free(access);
	free(access_list);
	free(lead);
	free(need);
	free(prefs);
	free(rsvp);
	free(codes);
	msg_notice_free(&notice);
	if (body == NULL || (!sms && subject == NULL)) {
		free(subject);
		free(body);
		return (-1);
	}
	if (!sms && style != MSG_PLAIN)
		m->html = msg_html(body, subject, used, style);
	if (!sms && style == MSG_LARGE) {
		t = msg_wrap(body, MSG_LARGE_WIDTH);
		free(body);
		body = t;
	}
	/*
	 * The meeting itself for the member's calendar: the same UID and
	 * SEQUENCE as their feed, so a client files it with what it has.
	 * A message goes without it rather than not at all.
	 */
	if (!sms && row->start_at != 0 &&
	    (strcmp(kind, "reminder") == 0 ||
	    strcmp(kind, "invitation") == 0 || strcmp(kind, "update") == 0 ||
	    strcmp(kind, "cancellation") == 0)) {
		struct ical_meeting	 meeting;
		char			*icause = NULL, *organizer, *sender;

		m->ical_method = strcmp(kind, "cancellation") == 0 ? "CANCEL" :
		    "REQUEST";
		sender = mime_envelope(conf != NULL ? conf->mail_from :
		    "convene@localhost");
		organizer = msg_reply_address(sender, row);
		free(sender);
		msg_meeting(row, &meeting);
		/* A series change: each series whole, as clients keep them. */
		if (series && row->notice_series != NULL)
			m->ical = ical_series_message(&meeting, organizer,
			    &icause);
		else
			m->ical = ical_message(&meeting, m->ical_method,
			    organizer, &icause);
		free(organizer);
		if (m->ical == NULL) {
			log_warnx("message %lld goes without its calendar "
			    "part: %s", row->id, icause ? icause :
			    "unknown");
			m->ical_method = NULL;
		}
		free(icause);
	}
	m->id = row->id;
	m->attempt = attempt;
	m->channel = sms ? "sms" : "email";
	m->kind = xstrdup(kind);
	m->lang = xstrdup(used);
	m->to = xstrdup(to);
	m->to_name = xstrdup(row->person);
	m->subject = subject;
	m->body = body;
	m->message_id = msg_message_id(conf, row);
	return (0);
}
