/*
 * test_msg.c: outbox rows made into messages: every kind in every style
 * and language the project ships; the HTML part well formed, escaped and
 * marked with its language and direction; large print lines short; Easy
 * Read sentences short; the English SMS one segment; every SMS, with
 * the longest Welsh and Arabic titles, within max_segments parts with
 * its time, place and answers whole; a signed preferences link in
 * every email, and a signed link to answer in every invitation,
 * reminder, update, gentle reminder (nudge) and confirmation of an
 * answer (rsvp) by email; falling back to English by language,
 * by template and by word; and words files with mistakes refused.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "testlib.h"

#include "convene.h"
#include "gsm.h"
#include "ical.h"
#include "key.h"
#include "log.h"
#include "sched.h"
#include "tmpl.h"
#include "testrow.h"
#include "util.h"

#define START	1772560800LL	/* Tuesday 3 March 2026 18:00 in London */
#define MOVED	1771956000LL	/* Tuesday 24 February 2026 18:00 */

static const char *const kinds[] = {
	"reminder", "invitation", "update", "cancellation", "rsvp", "access",
	"nudge", "digest", "alert", "flag", "test", NULL
};
static const char *const styles[] = {
	"standard", "plain", "large", "easyread", NULL
};

/* Each language shipped, how it says Moved and Cancelled, its direction. */
static const struct {
	const char	*lang;
	const char	*moved;
	const char	*cancelled;
	const char	*tuesday;	/* in the date in words */
	const char	*brief;		/* the date in short */
	const char	*title;		/* a long title, repeated */
	const char	*venue;		/* a venue of a usual length */
	int		 rtl;
} langs[] = {
	{ "en", "Moved:", "Cancelled:", "Tuesday 3 March 2026 at 6pm",
	    "Tue 3 Mar 6pm", "Independent Living Delivery Group: the "
	    "review of the new transport scheme and the access audit",
	    "Civic Centre, Committee Room 2", 0 },
	{ "cy", "Wedi symud:", "Wedi canslo:",
	    "Dydd Mawrth 3 Mawrth 2026 am 6yp", "Mawrth 3 Maw 6yp",
	    "Grŵp Cyflawni Byw'n Annibynnol: adolygu'r cynllun trafnidiaeth "
	    "newydd a'r archwiliad mynediad i'r tŷ a'r ysgol",
	    "Canolfan Ddinesig, Ystafell Bwyllgor 2", 0 },
	{ "ar", "تغيير الموعد:", "ألغي:",
	    "الثلاثاء 3 مارس 2026 الساعة 6 مساءً",
	    "الثلاثاء 3 مارس 6 مساءً",
	    "مجموعة تنفيذ العيش المستقل: "
	    "مراجعة خطة النقل الجديدة وعقد "
	    "الرعاية المنزلية "
	    "وتدقيق إمكانية الوصول",
	    "مركز المدينة، قاعة اللجنة 2", 1 },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0 }
};

static struct tmpl_set	*set;
static struct config	 conf;
static struct config	*catalogue;
static unsigned char	 key[KEY_BYTES];

static char *
shipped_dir(void)
{
	const char	*top;

	if ((top = getenv("top_srcdir")) == NULL)
		top = ".";
	return (xprintf("%s/conf/templates", top));
}

/* A due row as store_out_due gives it: a meeting with everything set. */
static json_t *
row_new(const char *kind, const char *style, const char *lang,
    const char *channel)
{
	json_t	*row;

	row = json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:s,"
	    " s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
	    " s:s, s:I, s:I, s:I, s:I}",
	    "id", (json_int_t)41, "occurrence_id", (json_int_t)123,
	    "person_id", (json_int_t)7, "kind", kind, "lead", "P7D",
	    "channel", channel, "sequence", (json_int_t)0,
	    "person", "Ana Lewis", "email", "ana@example.org",
	    "phone", "+447700900123", "language", lang, "style", style,
	    "start_at", (json_int_t)START, "end_at", (json_int_t)(START + 7200),
	    "title", "Direct Payments Steering Group",
	    "agenda", "1. Direct Payments review\n2. Any other business",
	    "online_link", "https://meet.example.org/dp-steering",
	    "group_name", "Direct Payments Steering Group",
	    "time_zone", "Europe/London",
	    "contact", "Sam Patel on 020 7946 0123",
	    "venue", "Town Hall Room 2",
	    "address", "1 High Street, Anytown AB1 2CD",
	    "travel", "Bus 12 stops outside. The step-free door is on Park "
	    "Road.",
	    "step_free", (json_int_t)1, "hearing_loop", (json_int_t)1,
	    "accessible_toilet", (json_int_t)1, "quiet_room", (json_int_t)1);
	assert_non_null(row);
	json_object_set_new(row, "series_id", json_integer(9));
	json_object_set_new(row, "recurrence_id",
	    json_string("20260303T180000"));
	json_object_set_new(row, "series_sequence", json_integer(1));
	json_object_set_new(row, "occ_sequence", json_integer(2));
	json_object_set_new(row, "rrule",
	    json_string("FREQ=WEEKLY;INTERVAL=6"));
	json_object_set_new(row, "status", json_string(strcmp(kind,
	    "cancellation") == 0 ? "cancelled" : "scheduled"));
	json_object_set_new(row, "group_slug", json_string("dp-steering"));
	if (strcmp(kind, "update") == 0)
		json_object_set_new(row, "moved_from", json_integer(MOVED));
	if (strcmp(kind, "cancellation") == 0)
		json_object_set_new(row, "occ_reason",
		    json_string("The room is not available."));
	if (strcmp(kind, "rsvp") == 0)
		json_object_set_new(row, "answer", json_string("yes"));
	if (strcmp(kind, "access") == 0) {
		json_object_set_new(row, "need", json_string("bsl"));
		json_object_set_new(row, "access_status",
		    json_string("arranged"));
		json_object_set_new(row, "note",
		    json_string("Your interpreter is Jo Evans."));
	}
	if (strcmp(kind, "alert") == 0 || strcmp(kind, "flag") == 0) {
		json_object_set_new(row, "lead", json_string(strcmp(kind,
		    "flag") == 0 ? "r5.v2" : "r5"));
		json_object_set_new(row, "need", json_string(strcmp(kind,
		    "flag") == 0 ? "step-free" : "bsl"));
		json_object_set_new(row, "access_status",
		    json_string("requested"));
		json_object_set_new(row, "note",
		    json_string("Two interpreters, please."));
		json_object_set_new(row, "requests", json_pack("{s:s, s:I, "
		    "s:I}", "member", "Ben Okafor", "deadline_at",
		    (json_int_t)(START - 14 * 86400), "venue_id",
		    (json_int_t)2));
	}
	if (strcmp(kind, "digest") == 0) {
		/* No meeting of its own: the requests say which. */
		json_object_set_new(row, "lead", json_string("2026-02-10"));
		json_object_del(row, "occurrence_id");
		json_object_set_new(row, "requests", json_pack("{s:[{s:I, s:I,"
		    " s:s, s:s, s:s, s:I, s:s, s:s}, {s:I, s:I, s:s, s:s, s:s,"
		    " s:I, s:s, s:s}], s:s, s:s, s:s}", "items",
		    "deadline_at", (json_int_t)(START - 14 * 86400), "overdue",
		    (json_int_t)1, "need", "bsl", "detail",
		    "Two interpreters, please.", "member", "Ben Okafor",
		    "start_at", (json_int_t)START, "title",
		    "Direct Payments Steering Group", "time_zone",
		    "Europe/London",
		    "deadline_at", (json_int_t)(START - 3 * 86400), "overdue",
		    (json_int_t)0, "need", "largeprint", "detail", "",
		    "member", "Cara Lee", "start_at", (json_int_t)START,
		    "title", "Direct Payments Steering Group", "time_zone",
		    "Europe/London", "time_zone", "Europe/London", "group",
		    "Direct Payments Steering Group", "contact",
		    "Sam Patel on 020 7946 0123"));
	}
	return (row);
}

static void
render(json_t *row, struct chan_msg *m)
{
	struct outbox_row	 r;
	char			*cause = NULL;
	int			 permanent = 0;

	test_row(row, &r);
	if (msg_render(set, &conf, &r, 1, m, &permanent, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(permanent, 0);
}

/* Characters, not bytes, in n bytes of UTF-8. */
static size_t
chars(const char *s, size_t n)
{
	size_t	i, c = 0;

	for (i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return (c);
}

/* The first line longer than width, a web address or not; or NULL. */
static const char *
long_line(const char *text, size_t width)
{
	const char	*line, *nl;

	for (line = text; *line != '\0'; line = *nl ? nl + 1 : nl) {
		nl = line + strcspn(line, "\n");
		if (chars(line, nl - line) > width)
			return (line);
	}
	return (NULL);
}

/*
 * The text with each address in angle brackets joined again, as a
 * reader does with an address broken over lines (RFC 3986, appendix C).
 */
static char *
rejoin(const char *text)
{
	char	*s, *p, *q;
	int	 in = 0;

	s = xstrdup(text);
	for (p = q = s; *p != '\0'; p++) {
		if (*p == '<' && strncmp(p + 1, "http", 4) == 0)
			in = 1;
		else if (*p == '>')
			in = 0;
		if (in && *p == '\n')
			continue;
		*q++ = *p;
	}
	*q = '\0';
	return (s);
}

/*
 * The longest sentence's words: sentences end at . ! ? (Arabic's too)
 * and at line ends; words are parted by spaces.
 */
static size_t
longest_sentence(const char *text, char *which, size_t len)
{
	const char	*p, *start = text;
	size_t		 words = 0, most = 0, inword = 0;

	for (p = text;; p++) {
		if (*p == '\0' || *p == '\n' || *p == '.' || *p == '!' ||
		    *p == '?' || strncmp(p, "\xd8\x9f", 2) == 0) {
			words += inword;
			if (words > most) {
				most = words;
				snprintf(which, len, "%.*s", (int)(p - start),
				    start);
			}
			words = inword = 0;
			if (*p == '\0')
				break;
			start = p + 1;
			continue;
		}
		if (*p == ' ' || *p == '\t') {
			words += inword;
			inword = 0;
		} else
			inword = 1;
	}
	return (most);
}

/* Every tag opened is closed in order; void tags stand alone. */
static const char *
balanced(const char *html)
{
	static char	 why[256];
	char		 stack[64][16], name[16];
	const char	*p, *q;
	size_t		 depth = 0, n;
	int		 closing;

	for (p = html; (p = strchr(p, '<')) != NULL; p = q) {
		if (strncmp(p, "<!DOCTYPE html>", 15) == 0) {
			q = p + 15;
			continue;
		}
		closing = p[1] == '/';
		q = p + 1 + closing;
		n = strspn(q, "abcdefghijklmnopqrstuvwxyz0123456789");
		if (n == 0 || n >= sizeof name)
			return ("a < that is no tag");
		memcpy(name, q, n);
		name[n] = '\0';
		if ((q = strchr(q, '>')) == NULL)
			return ("a tag never ends");
		if (strcmp(name, "meta") == 0 || strcmp(name, "br") == 0)
			continue;
		if (!closing) {
			if (depth == 64)
				return ("too deep");
			snprintf(stack[depth++], sizeof stack[0], "%s", name);
			continue;
		}
		if (depth == 0 || strcmp(stack[depth - 1], name) != 0) {
			snprintf(why, sizeof why, "</%s> closes <%s>", name,
			    depth ? stack[depth - 1] : "nothing");
			return (why);
		}
		depth--;
	}
	return (depth == 0 ? NULL : "a tag is never closed");
}

/* A number after "name:" inside the rule for sel in the style sheet. */
static double
css_value(const char *html, const char *sel, const char *name)
{
	const char	*r, *end, *v;
	char		*want;

	want = xprintf("%s{", sel);
	r = strstr(html, want);
	free(want);
	if (r == NULL || (end = strchr(r, '}')) == NULL)
		return (0);
	want = xprintf("%s:", name);
	v = strstr(r, want);
	free(want);
	if (v == NULL || v > end)
		return (0);
	return (strtod(strchr(v, ':') + 1, NULL));
}

/* A preferences link in the text, and that it is signed for this person. */
static void
check_prefs(const char *what, const char *text)
{
	const char	*p;
	char		 sig[64];
	long long	 person, expiry;
	time_t		 now = time(NULL);

	p = strstr(text, "https://convene.example.org/preferences/");
	if (p == NULL)
		fail_msg("%s: no preferences link:\n%s", what, text);
	if (sscanf(p + strlen("https://convene.example.org/preferences/"),
	    "%lld.%lld.%63[A-Za-z0-9_-]", &person, &expiry, sig) != 3)
		fail_msg("%s: a preferences link of the wrong shape: %.80s",
		    what, p);
	assert_int_equal(person, 7);
	assert_true(expiry > now + 59 * 86400 && expiry <= now + 61 * 86400);
	assert_int_equal(key_verify(key, "prefs", "7", expiry, sig, now), 0);
	assert_int_not_equal(key_verify(key, "prefs", "8", expiry, sig, now),
	    0);
}

/* What looks wrong in rendered text, such as a gap; or NULL. */
static const char *
gap(const char *got)
{
	size_t	len = strlen(got);

	if (strstr(got, "{{") != NULL || strstr(got, "}}") != NULL)
		return ("has a tag left in it");
	if (strstr(got, "  ") != NULL && strstr(got, "\n  ") == NULL)
		return ("has two spaces together");
	if (strstr(got, " \n") != NULL || strstr(got, " ,") != NULL)
		return ("has a space out of place");
	if (strstr(got, "\n\n\n") != NULL)
		return ("has two blank lines together");
	if (len < 2 || got[len - 1] != '\n' || got[len - 2] == '\n')
		return ("does not end with one newline");
	return (NULL);
}

/* iCalendar text with its folded lines joined again. */
static char *
unfold(const char *s)
{
	char	*out = xstrdup(s), *o = out;

	for (; *s != '\0'; s++) {
		if (s[0] == '\r' && s[1] == '\n' && (s[2] == ' ' ||
		    s[2] == '\t')) {
			s += 2;
			continue;
		}
		*o++ = *s;
	}
	*o = '\0';
	return (out);
}

/*
 * The link to answer, signed for the person and the meeting until it
 * ends, in the text and as a link in the HTML of invitations, reminders,
 * updates, nudges and the confirmation of an answer, to change it (large
 * print wraps it in the text: the HTML has it whole); in no other
 * message.
 */
static void
check_rsvp(const char *what, const char *kind, const char *style,
    const struct chan_msg *m)
{
	char	*link, *href;
	int	 want = strcmp(kind, "invitation") == 0 ||
		    strcmp(kind, "reminder") == 0 ||
		    strcmp(kind, "update") == 0 ||
		    strcmp(kind, "nudge") == 0 || strcmp(kind, "rsvp") == 0;

	link = rsvp_link(conf.base_url, key, 7, 123, START + 7200);
	href = xprintf("href=\"%s\"", link);
	if (!want) {
		if (strstr(m->body, "/rsvp/") != NULL ||
		    (m->html != NULL && strstr(m->html, "/rsvp/") != NULL))
			fail_msg("%s: a link to answer:\n%s", what, m->body);
	} else {
		if (strcmp(style, "large") != 0 &&
		    strstr(m->body, link) == NULL)
			fail_msg("%s: no %s in the text:\n%s", what, link,
			    m->body);
		if (strcmp(style, "plain") != 0 &&
		    strstr(m->html, href) == NULL)
			fail_msg("%s: no %s in the HTML:\n%s", what, href,
			    m->html);
	}
	free(href);
	free(link);
}

/* One email in one kind, style and language, checked all over. */
static void
check_email(const char *kind, const char *style, size_t li)
{
	struct chan_msg	 m;
	json_t		*row;
	const char	*why, *bad;
	char		 what[128], sentence[512], *want, *flat, *p;
	size_t		 n;

	snprintf(what, sizeof what, "%s/%s.%s", langs[li].lang, kind, style);
	row = row_new(kind, style, langs[li].lang, "email");
	render(row, &m);
	/* MSG_SHOW=cy/reminder.easyread prints one, for translators. */
	if (getenv("MSG_SHOW") != NULL && strcmp(getenv("MSG_SHOW"),
	    what) == 0)
		printf("Subject: %s\n\n%s\n%s", m.subject, m.body,
		    m.html ? m.html : "");
	assert_string_equal(m.channel, "email");
	assert_string_equal(m.kind, kind);
	assert_string_equal(m.lang, langs[li].lang);
	assert_non_null(m.subject);
	if (strchr(m.subject, '\n') != NULL ||
	    strchr(m.subject, '\r') != NULL ||
	    strstr(m.subject, "{{") != NULL || *m.subject == '\0')
		fail_msg("%s: subject: %s", what, m.subject);
	if ((why = gap(m.body)) != NULL)
		fail_msg("%s %s:\n%s", what, why, m.body);
	flat = xstrdup(m.body);
	for (p = flat; *p != '\0'; p++) {
		if (*p == '\n')
			*p = ' ';
	}
	if (strcmp(kind, "test") != 0 && strstr(flat,
	    "Direct Payments Steering Group") == NULL)
		fail_msg("%s: no title:\n%s", what, m.body);
	free(flat);
	flat = rejoin(m.body);
	check_prefs(what, flat);
	free(flat);

	if (strcmp(kind, "update") == 0 &&
	    strncmp(m.subject, langs[li].moved, strlen(langs[li].moved)) != 0)
		fail_msg("%s: subject not '%s': %s", what, langs[li].moved,
		    m.subject);
	if (strcmp(kind, "cancellation") == 0 && strncmp(m.subject,
	    langs[li].cancelled, strlen(langs[li].cancelled)) != 0)
		fail_msg("%s: subject not '%s': %s", what,
		    langs[li].cancelled, m.subject);
	if (langs[li].tuesday != NULL && strcmp(kind, "test") != 0 &&
	    strstr(m.body, langs[li].tuesday) == NULL &&
	    strcmp(style, "large") != 0)
		fail_msg("%s: no '%s':\n%s", what, langs[li].tuesday, m.body);

	if (strcmp(style, "plain") == 0)
		assert_null(m.html);
	else {
		assert_non_null(m.html);
		if ((why = balanced(m.html)) != NULL)
			fail_msg("%s: HTML: %s:\n%s", what, why, m.html);
		want = xprintf("<html lang=\"%s\" dir=\"%s\">", langs[li].lang,
		    langs[li].rtl ? "rtl" : "ltr");
		if (strstr(m.html, want) == NULL)
			fail_msg("%s: no %s:\n%s", what, want, m.html);
		free(want);
		assert_non_null(strstr(m.html, "<meta charset=\"utf-8\">"));
		assert_non_null(strstr(m.html, "<title>"));
		assert_non_null(strstr(m.html, "<h1>"));
		assert_null(strstr(m.html, "<img"));
		assert_null(strstr(m.html, "src="));
		check_prefs(what, m.html);
		assert_non_null(strstr(m.html, "<a dir=\"ltr\" "
		    "href=\"https://convene.example.org/preferences/7."));
		if (css_value(m.html, ".m", "font-size") < (strcmp(style,
		    "standard") == 0 ? 1 : 1.5))
			fail_msg("%s: type too small:\n%s", what, m.html);
		if (strcmp(style, "standard") != 0 &&
		    css_value(m.html, ".m", "line-height") < 1.6)
			fail_msg("%s: lines too close:\n%s", what, m.html);
		if (strcmp(kind, "test") != 0 &&
		    strstr(m.html, "Direct Payments Steering Group") == NULL)
			fail_msg("%s: no title in the HTML", what);
	}
	check_rsvp(what, kind, style, &m);
	/* The meeting for the calendar, in every style, with its method. */
	if (strcmp(kind, "reminder") == 0 || strcmp(kind, "invitation") == 0 ||
	    strcmp(kind, "update") == 0 || strcmp(kind, "cancellation") == 0) {
		const char	*method = strcmp(kind, "cancellation") == 0 ?
		    "CANCEL" : "REQUEST";
		char		 sig[KEY_SIG_LEN], *reply;

		if (m.ical == NULL || m.ical_method == NULL ||
		    strcmp(m.ical_method, method) != 0)
			fail_msg("%s: no %s calendar part", what, method);
		/* Replies go to an address signed for person and meeting. */
		key_sign(key, "reply", "7.123", 0, sig);
		reply = xprintf(":mailto:coordinator+r.7.123.%s@"
		    "convene.example.org\r\n", sig);
		want = xprintf("METHOD:%s\r\n", method);
		flat = unfold(m.ical);
		if (strstr(flat, want) == NULL ||
		    strstr(m.ical, "UID:series-9@convene.example.org\r\n") ==
		    NULL || strstr(flat, "RECURRENCE-ID;TZID=Europe/London:"
		    "20260303T180000\r\n") == NULL ||
		    strstr(flat, "mailto:ana@example.org") == NULL ||
		    strstr(flat, reply) == NULL)
			fail_msg("%s: calendar part:\n%s", what, flat);
		free(want);
		free(reply);
		if (strcmp(kind, "cancellation") == 0 &&
		    strstr(flat, "STATUS:CANCELLED\r\n") == NULL)
			fail_msg("%s: not cancelled:\n%s", what, flat);
		free(flat);
	} else if (m.ical != NULL)
		fail_msg("%s: a calendar part in a %s message", what, kind);
	if (strcmp(style, "large") == 0 &&
	    (bad = long_line(m.body, 40)) != NULL)
		fail_msg("%s: a line over 40 characters: %.*s", what,
		    (int)strcspn(bad, "\n"), bad);
	if (strcmp(style, "easyread") == 0 && (n = longest_sentence(m.body,
	    sentence, sizeof sentence)) > 12)
		fail_msg("%s: a sentence of %zu words: %s", what, n, sentence);
	msg_free(&m);
	json_decref(row);
}

static void
test_every_email(void **state)
{
	size_t	k, s, l;

	(void)state;
	for (l = 0; langs[l].lang != NULL; l++) {
		for (k = 0; kinds[k] != NULL; k++) {
			for (s = 0; styles[s] != NULL; s++)
				check_email(kinds[k], styles[s], l);
		}
	}
}

static void
test_every_sms(void **state)
{
	struct chan_msg	 m;
	json_t		*row;
	size_t		 k, s, l;

	(void)state;
	for (l = 0; langs[l].lang != NULL; l++) {
		for (k = 0; kinds[k] != NULL; k++) {
			for (s = 0; styles[s] != NULL; s++) {
				row = row_new(kinds[k], styles[s],
				    langs[l].lang, "sms");
				render(row, &m);
				assert_string_equal(m.channel, "sms");
				assert_string_equal(m.to, "+447700900123");
				assert_null(m.html);
				assert_null(m.subject);
				assert_string_equal(m.lang, langs[l].lang);
				if (strchr(m.body, '\n') != NULL ||
				    strstr(m.body, "/rsvp/") != NULL ||
				    strstr(m.body, "{{") != NULL ||
				    strstr(m.body, "  ") != NULL)
					fail_msg("%s/%s: %s", langs[l].lang,
					    kinds[k], m.body);
				msg_free(&m);
				json_decref(row);
			}
		}
	}
}

/*
 * A supporter's copy of a member's reminder, in every language, style
 * and channel: it says whose it is, the subject too, and leaves out the
 * link and the reply that would answer for the member.  The member's
 * own reminder says nothing of a copy.
 */
static void
test_supporter_copy(void **state)
{
	static const char *const chans[] = { "email", "sms", NULL };
	struct chan_msg	 m;
	json_t		*row;
	size_t		 l, s, c;

	(void)state;
	for (l = 0; langs[l].lang != NULL; l++) {
		for (s = 0; styles[s] != NULL; s++) {
			for (c = 0; chans[c] != NULL; c++) {
				row = row_new("reminder", styles[s],
				    langs[l].lang, chans[c]);
				json_object_set_new(row, "lead",
				    json_string("P7D" PLAN_COPY_MARK "12"));
				json_object_set_new(row, "copy_of",
				    json_integer(12));
				json_object_set_new(row, "for_name",
				    json_string("Ann Quill"));
				render(row, &m);
				if (strstr(m.body, "Ann Quill") == NULL ||
				    (m.subject != NULL && strstr(m.subject,
				    "Ann Quill") == NULL) ||
				    strstr(m.body, "/rsvp/") != NULL ||
				    strstr(m.body, "YES") != NULL ||
				    strstr(m.body, "{{") != NULL)
					fail_msg("%s/%s/%s: %s", langs[l].lang,
					    styles[s], chans[c], m.body);
				/* The lead is the member's, said in words. */
				if (c == 0 && strchr(m.body, '7') == NULL)
					fail_msg("%s/%s: no lead: %s",
					    langs[l].lang, styles[s], m.body);
				msg_free(&m);
				json_object_set_new(row, "lead",
				    json_string("P7D"));
				json_object_set_new(row, "copy_of",
				    json_integer(0));
				render(row, &m);
				if (strstr(m.body, "Ann Quill") != NULL ||
				    (c == 1 && strstr(m.body, "YES") == NULL))
					fail_msg("%s/%s/%s: %s", langs[l].lang,
					    styles[s], chans[c], m.body);
				msg_free(&m);
				json_decref(row);
			}
		}
	}
}

/*
 * Where nothing reads the texts members send back, no text asks for one:
 * every reminder, invitation, update and nudge in every language leaves
 * the question out.
 */
static void
test_sms_no_reply_path(void **state)
{
	static const char *const langs[] = { "en", "cy", "ar" };
	static const char *const kinds[] = { "reminder", "invitation",
	    "update", "nudge" };
	struct chan_msg	 m;
	json_t		*row;
	const char	*saved = conf.sms_inbound_secret_file;
	size_t		 l, k;

	(void)state;
	for (l = 0; l < 3; l++) {
		for (k = 0; k < 4; k++) {
			conf.sms_inbound_secret_file = saved;
			row = row_new(kinds[k], "standard", langs[l], "sms");
			render(row, &m);
			if (strstr(m.body, "YES M123") == NULL)
				fail_msg("%s %s: no question with replies "
				    "read: %s", langs[l], kinds[k], m.body);
			msg_free(&m);
			conf.sms_inbound_secret_file = NULL;
			render(row, &m);
			if (strstr(m.body, "YES") != NULL ||
			    strstr(m.body, "M123") != NULL)
				fail_msg("%s %s: asks for a reply nothing "
				    "reads: %s", langs[l], kinds[k], m.body);
			msg_free(&m);
			json_decref(row);
		}
	}
	conf.sms_inbound_secret_file = saved;
}

/* One GSM-7 message, as a phone counts it. */
static int
gsm7_one(const char *s)
{
	struct gsm_count	gc;

	gsm_count(s, &gc);
	return (!gc.ucs2 && gc.segments == 1);
}

static void
test_sms_one_segment(void **state)
{
	struct chan_msg	 m;
	json_t		*row;
	const char	*const *k;

	(void)state;
	row = row_new("reminder", "standard", "en", "sms");
	render(row, &m);
	assert_string_equal(m.body, "Reminder: Direct Payments Steering "
	    "Group, Tue 3 Mar 6pm, Town Hall Room 2. Can you come? Reply "
	    "YES M123, NO M123 or MAYBE M123.");
	assert_true(gsm7_one(m.body));
	msg_free(&m);
	json_decref(row);

	/* Every English SMS is GSM-7; the check itself can say no. */
	for (k = kinds; *k != NULL; k++) {
		row = row_new(*k, "standard", "en", "sms");
		render(row, &m);
		if (!gsm7_one(m.body))
			fail_msg("%s: %zu: %s", *k, strlen(m.body), m.body);
		msg_free(&m);
		json_decref(row);
	}
	assert_false(gsm7_one("Caf\xc3\xa7 at 6"));
}

/* A series as store_feed_series gives it. */
static json_t *
series_new(long long id, const char *dtstart, const char *rrule,
    const char *exdates, long long sequence)
{
	return (json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:I, s:I,"
	    " s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)id,
	    "title", "Direct Payments Steering Group", "dtstart", dtstart,
	    "duration", (json_int_t)7200, "rrule", rrule, "exdates", exdates,
	    "rdates", "", "agenda", "", "sequence", (json_int_t)sequence,
	    "updated_at", (json_int_t)START, "time_zone", "Europe/London",
	    "group_name", "Direct Payments Steering Group", "online_link", "",
	    "venue", "Town Hall Room 2", "address", "1 High Street",
	    "travel", "", "lead_times", "P1D"));
}

/*
 * A change to a series from one meeting on: one message in every style,
 * language and channel that speaks of the meetings from then on and says
 * what changed; its calendar part has both series whole.
 */
static void
test_series_notice(void **state)
{
	struct chan_msg	 m;
	json_t		*row, *list;
	const char	*why, *bad, *p;
	char		 what[128], sentence[512], *flat;
	size_t		 s, l, n;

	(void)state;
	for (l = 0; langs[l].lang != NULL; l++) {
		for (s = 0; styles[s] != NULL; s++) {
			snprintf(what, sizeof what, "%s/series.%s",
			    langs[l].lang, styles[s]);
			row = row_new("update", styles[s], langs[l].lang,
			    "email");
			json_object_set_new(row, "lead",
			    json_string("series:time,place/8"));
			json_object_del(row, "moved_from");
			list = json_array();
			json_array_append_new(list, series_new(8,
			    "20260106T180000", "FREQ=WEEKLY;INTERVAL=6;"
			    "UNTIL=20260303T175959Z", "20260217T180000", 3));
			json_array_append_new(list, series_new(9,
			    "20260303T180000", "FREQ=WEEKLY;INTERVAL=6",
			    "20260414T180000", 0));
			json_object_set_new(row, "notice_series", list);
			json_object_set_new(row, "notice_overrides",
			    json_array());
			render(row, &m);
			if (getenv("MSG_SHOW") != NULL &&
			    strcmp(getenv("MSG_SHOW"), what) == 0)
				printf("Subject: %s\n\n%s\n%s", m.subject,
				    m.body, m.ical);
			if (strncmp(m.subject, langs[l].moved,
			    strlen(langs[l].moved)) == 0 ||
			    strchr(m.subject, '\n') != NULL ||
			    strstr(m.subject, "Direct Payments") == NULL)
				fail_msg("%s: subject: %s", what, m.subject);
			if ((why = gap(m.body)) != NULL)
				fail_msg("%s %s:\n%s", what, why, m.body);
			if (strcmp(styles[s], "large") != 0 &&
			    strstr(m.body, langs[l].tuesday) == NULL)
				fail_msg("%s: no '%s':\n%s", what,
				    langs[l].tuesday, m.body);
			if (strcmp(langs[l].lang, "en") == 0 &&
			    (strstr(m.body, "ew time") == NULL ||
			    strstr(m.body, "ew place") == NULL ||
			    strstr(m.body, "ew name") != NULL ||
			    strstr(m.body, "moved") != NULL))
				fail_msg("%s: not what changed:\n%s", what,
				    m.body);
			if (strcmp(styles[s], "large") == 0 &&
			    (bad = long_line(m.body, 40)) != NULL)
				fail_msg("%s: a line over 40: %.*s", what,
				    (int)strcspn(bad, "\n"), bad);
			if (strcmp(styles[s], "easyread") == 0 &&
			    (n = longest_sentence(m.body, sentence,
			    sizeof sentence)) > 12)
				fail_msg("%s: a sentence of %zu words: %s",
				    what, n, sentence);
			/* Both series whole: a client replaces what it had. */
			flat = unfold(m.ical);
			n = 0;
			for (p = flat; (p = strstr(p, "\r\nORGANIZER")) !=
			    NULL; p++)
				n++;
			if (strcmp(m.ical_method, "REQUEST") != 0 ||
			    strstr(flat, "METHOD:REQUEST\r\n") == NULL ||
			    strstr(flat, "UID:series-8@") == NULL ||
			    strstr(flat, "UID:series-9@") == NULL ||
			    strstr(flat, "RRULE:FREQ=WEEKLY;INTERVAL=6;"
			    "UNTIL=20260303T175959Z\r\nEXDATE;TZID="
			    "Europe/London:20260217T180000\r\n") == NULL ||
			    strstr(flat, "SEQUENCE:3\r\n") == NULL ||
			    strstr(flat, "EXDATE;TZID=Europe/London:"
			    "20260414T180000\r\n") == NULL ||
			    strstr(flat, "RECURRENCE-ID") != NULL || n != 2 ||
			    strstr(flat, "BEGIN:VTIMEZONE") == NULL)
				fail_msg("%s: calendar part:\n%s", what, flat);
			free(flat);
			msg_free(&m);

			/* The same by SMS: one line, one part in English. */
			json_object_set_new(row, "channel",
			    json_string("sms"));
			render(row, &m);
			if (strchr(m.body, '\n') != NULL ||
			    strstr(m.body, "{{") != NULL ||
			    strstr(m.body, "  ") != NULL ||
			    strstr(m.body, "Direct Payments") == NULL ||
			    (strcmp(langs[l].lang, "en") == 0 &&
			    !gsm7_one(m.body)))
				fail_msg("%s: SMS: %s", what, m.body);
			assert_null(m.ical);
			msg_free(&m);
			json_decref(row);
		}
	}
}

/* Parts of a text as a phone counts them. */
static size_t
sms_parts(const char *s)
{
	struct gsm_count	gc;

	gsm_count(s, &gc);
	return (gc.segments);
}

/* phrase repeated, spaced, to exactly n characters. */
static char *
long_text(const char *phrase, size_t n)
{
	char	*s, *p;
	size_t	 c = 0;

	s = xcalloc(1, n * 4 + 1);
	for (p = s; c < n;) {
		const char	*q;

		for (q = phrase; *q != '\0' && c < n; q++) {
			*p++ = *q;
			if (((unsigned char)q[1] & 0xc0) != 0x80)
				c++;
		}
		if (c < n) {
			*p++ = ' ';
			c++;
		}
	}
	assert_int_equal(utf8_chars(s, strlen(s)), n);
	return (s);
}

/*
 * Every kind in every language, with the longest title and a very long
 * travel note and contact, fits max_segments parts, and still holds the
 * time, the place and the answers to send; one that fits as it is keeps
 * its whole title.
 */
static void
test_sms_fits(void **state)
{
	static const int	 maxes[] = { 0, 4, 3 };	/* 0: the default */
	struct chan_msg		 m;
	json_t			*row;
	char			*title, *travel, *contact, *want;
	size_t			 k, l, i, max;
	int			 reply;

	(void)state;
	for (l = 0; langs[l].lang != NULL; l++) {
		title = long_text(langs[l].title, 200);
		travel = long_text(langs[l].title, 2000);
		contact = long_text(langs[l].venue, 200);
		for (i = 0; i < sizeof maxes / sizeof maxes[0]; i++) {
			conf.sms_max_segments = maxes[i];
			max = maxes[i] == 0 ? 4 : (size_t)maxes[i];
			for (k = 0; kinds[k] != NULL; k++) {
				row = row_new(kinds[k], "standard",
				    langs[l].lang, "sms");
				json_object_set_new(row, "title",
				    json_string(title));
				json_object_set_new(row, "travel",
				    json_string(travel));
				json_object_set_new(row, "contact",
				    json_string(contact));
				json_object_set_new(row, "venue",
				    json_string(langs[l].venue));
				render(row, &m);
				if (sms_parts(m.body) > max)
					fail_msg("%s %s: %zu parts, not %zu: "
					    "%s", langs[l].lang, kinds[k],
					    sms_parts(m.body), max, m.body);
				reply = strcmp(kinds[k], "reminder") == 0 ||
				    strcmp(kinds[k], "invitation") == 0 ||
				    strcmp(kinds[k], "update") == 0;
				if (strcmp(kinds[k], "test") != 0 &&
				    strstr(m.body, langs[l].brief) == NULL)
					fail_msg("%s %s: no time: %s",
					    langs[l].lang, kinds[k], m.body);
				if (reply && (strstr(m.body,
				    langs[l].venue) == NULL ||
				    strstr(m.body, "YES M123") == NULL ||
				    strstr(m.body, "NO M123") == NULL ||
				    strstr(m.body, "MAYBE M123") == NULL))
					fail_msg("%s %s: no place or answers: "
					    "%s", langs[l].lang, kinds[k],
					    m.body);
				msg_free(&m);
				json_decref(row);
			}
		}
		free(title);
		free(travel);
		free(contact);
	}

	/* A text that fits as it is is not cut: a title of 120. */
	conf.sms_max_segments = 0;
	title = long_text(langs[0].title, 120);
	row = row_new("invitation", "standard", "en", "sms");
	json_object_set_new(row, "title", json_string(title));
	render(row, &m);
	want = xprintf("Invitation: %s, %s, Town Hall Room 2.", title,
	    langs[0].brief);
	if (strncmp(m.body, want, strlen(want)) != 0)
		fail_msg("wanted %s in: %s", want, m.body);
	assert_int_equal(sms_parts(m.body), 2);
	free(want);
	free(title);
	msg_free(&m);
	json_decref(row);

	/* One part: what cannot fit goes whole, the essentials kept. */
	conf.sms_max_segments = 1;
	title = long_text(langs[2].title, 200);
	row = row_new("reminder", "standard", "ar", "sms");
	json_object_set_new(row, "title", json_string(title));
	render(row, &m);
	assert_true(sms_parts(m.body) > 1);
	assert_non_null(strstr(m.body, langs[2].brief));
	assert_non_null(strstr(m.body, "Town Hall Room 2"));
	assert_non_null(strstr(m.body, "MAYBE M123."));
	assert_null(strstr(m.body, title));
	free(title);
	msg_free(&m);
	json_decref(row);
	conf.sms_max_segments = 0;
}

/*
 * The time in words is sched_words' in English, whatever the hour, and
 * the subject says the same time of day the same way.
 */
static void
test_english_time(void **state)
{
	static const long long	 at[] = {
		START, START + 1800, START - 6 * 3600,	/* 6:30pm, midday */
		START + 6 * 3600,			/* midnight */
		1782234000LL,				/* BST, 6pm */
		1782232200LL,				/* BST, 5:30pm */
		1767261600LL				/* 1 Jan, 10am */
	};
	struct chan_msg	 m;
	json_t		*row;
	char		 words[128], wd[16], mon[16], clock[32], *want;
	int		 day, year;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof at / sizeof at[0]; i++) {
		row = row_new("reminder", "plain", "en", "email");
		json_object_set_new(row, "start_at", json_integer(at[i]));
		render(row, &m);
		assert_int_equal(sched_words((time_t)at[i], "Europe/London",
		    words, sizeof words), 0);
		want = xprintf("\nWhen: %s\n", words);
		if (strstr(m.body, want) == NULL)
			fail_msg("wanted %s in:\n%s", want, m.body);
		free(want);
		/* "Tuesday 3 March 2026 at 6pm": "Tue 3 Mar 6pm". */
		assert_int_equal(sscanf(words, "%15s %d %15s %d at %31s", wd,
		    &day, mon, &year, clock), 5);
		want = xprintf("Reminder: Direct Payments Steering Group on "
		    "%.3s %d %.3s %s", wd, day, mon, clock);
		assert_string_equal(m.subject, want);
		free(want);
		msg_free(&m);
		json_decref(row);
	}
}

/* A digit with an English am or pm after it, or NULL. */
static const char *
english_marker(const char *s)
{
	for (; *s != '\0'; s++) {
		if (s[0] >= '0' && s[0] <= '9' && (s[1] == 'a' ||
		    s[1] == 'p') && s[2] == 'm')
			return (s);
	}
	return (NULL);
}

/*
 * Subject, text, HTML and SMS say a time of day one way, the language's
 * own: never "16:47" in one and "4:47pm" in another, and in Welsh never
 * the English am or pm.
 */
static void
test_same_time(void **state)
{
	static const struct {
		long long	 at;
		const char	*said[3];	/* en, cy, ar */
	} t[] = {
		{ START, { "6pm", "6yp", "6 مساءً" } },
		{ START - 4380, { "4:47pm", "4:47yp", "4:47 مساءً" } },
		{ START - 28500, { "10:05am", "10:05yb",
		    "10:05 صباحًا" } },
		{ START - 21600, { "midday", "ganol dydd",
		    "الثانية عشرة "
		    "ظهرًا" } },
	};
	static const char *const said_kinds[] = {
		"reminder", "invitation", "update", "rsvp", "access", "nudge",
		NULL
	};
	struct chan_msg	 m;
	json_t		*row;
	const char	*said, *const *k;
	size_t		 i, l;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		for (l = 0; l < 3; l++) {
			said = t[i].said[l];
			for (k = said_kinds; *k != NULL; k++) {
				row = row_new(*k, "standard", langs[l].lang,
				    "email");
				json_object_set_new(row, "start_at",
				    json_integer(t[i].at));
				render(row, &m);
				if (strstr(m.subject, said) == NULL ||
				    strstr(m.body, said) == NULL ||
				    strstr(m.html, said) == NULL)
					fail_msg("%s %s: wanted '%s' in:\n%s\n"
					    "%s", langs[l].lang, *k, said,
					    m.subject, m.body);
				if (strstr(m.subject, "16:47") != NULL ||
				    strstr(m.subject, "18:00") != NULL)
					fail_msg("a 24-hour time: %s",
					    m.subject);
				if (l == 1 && (english_marker(m.subject) ||
				    english_marker(m.body)))
					fail_msg("am or pm in Welsh: %s\n%s",
					    m.subject, m.body);
				msg_free(&m);
				json_decref(row);

				row = row_new(*k, "standard", langs[l].lang,
				    "sms");
				json_object_set_new(row, "start_at",
				    json_integer(t[i].at));
				render(row, &m);
				if (strstr(m.body, said) == NULL ||
				    (l == 1 && english_marker(m.body)))
					fail_msg("%s %s SMS: wanted '%s' in %s",
					    langs[l].lang, *k, said, m.body);
				msg_free(&m);
				json_decref(row);
			}
		}
	}
}

/*
 * Large print: a long web address is broken over lines of the column's
 * width in angle brackets, whole again when they are joined; the HTML
 * links the whole address and lets it break anywhere.
 */
static void
test_large_url(void **state)
{
	const char	*link = "https://meet.example.org/j/83920571946?pwd="
	    "Q2xhc3NpY0Jvb2tDbHViTWVldGluZ1Bhc3N3b3JkMTIz&from=convene";
	struct chan_msg	 m;
	json_t		*row;
	const char	*bad;
	char		*joined, *want;
	size_t		 k;

	(void)state;
	for (k = 0; kinds[k] != NULL; k++) {
		row = row_new(kinds[k], "large", "en", "email");
		json_object_set_new(row, "online_link", json_string(link));
		render(row, &m);
		if ((bad = long_line(m.body, 40)) != NULL)
			fail_msg("%s: a line over 40 characters: %.*s",
			    kinds[k], (int)strcspn(bad, "\n"), bad);
		joined = rejoin(m.body);
		want = xprintf("<%s>", link);
		if (strstr(m.html, link) != NULL &&
		    strstr(joined, want) == NULL)
			fail_msg("%s: the address is not whole in:\n%s",
			    kinds[k], m.body);
		free(want);
		free(joined);
		assert_non_null(strstr(m.html, "max-width:40ch;"
		    "overflow-wrap:anywhere;"));
		assert_non_null(strstr(m.html, "padding:1.5rem;"
		    "overflow-wrap:anywhere;"));
		msg_free(&m);
		json_decref(row);
	}
	/* The reminder has the address; the standard style may break it. */
	row = row_new("reminder", "large", "en", "email");
	json_object_set_new(row, "online_link", json_string(link));
	render(row, &m);
	assert_non_null(strstr(m.html, "href=\"https://meet.example.org/j/"
	    "83920571946?pwd=Q2xhc3NpY0Jvb2tDbHViTWVldGluZ1Bhc3N3b3JkMTIz"
	    "&amp;from=convene\""));
	assert_non_null(strstr(m.body, "\n<https://meet.example.org/j/"));
	msg_free(&m);
	json_decref(row);
	row = row_new("reminder", "standard", "en", "email");
	render(row, &m);
	assert_non_null(strstr(m.html, "overflow-wrap:anywhere"));
	msg_free(&m);
	json_decref(row);
}

/*
 * A word after "and" takes its joined form where the language has one
 * (Welsh: "a thoiled", not "a toiled"); English has none.
 */
static void
test_joined_word(void **state)
{
	static const struct {
		const char	*lang, *want;
	} c[] = {
		{ "cy", "mynediad heb risiau a thoiled hygyrch." },
		{ "en", "step-free access and an accessible toilet." },
	};
	struct chan_msg	 m;
	json_t		*row;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		row = row_new("invitation", "plain", c[i].lang, "email");
		json_object_set_new(row, "hearing_loop", json_integer(0));
		json_object_set_new(row, "quiet_room", json_integer(0));
		render(row, &m);
		if (strstr(m.body, c[i].want) == NULL)
			fail_msg("%s: wanted \"%s\" in:\n%s", c[i].lang,
			    c[i].want, m.body);
		msg_free(&m);
		json_decref(row);
	}
}

/* Values are escaped for HTML; subjects stay one line. */
static void
test_escaping(void **state)
{
	struct chan_msg	 m;
	json_t		*row;

	(void)state;
	row = row_new("reminder", "standard", "en", "email");
	json_object_set_new(row, "title",
	    json_string("<script>alert(1)</script> & \"Co\"\r\nBcc: x@y"));
	json_object_set_new(row, "online_link",
	    json_string("https://meet.example.org/a?b=1&c=2"));
	render(row, &m);
	assert_null(strstr(m.html, "<script"));
	assert_non_null(strstr(m.html, "&lt;script&gt;alert(1)&lt;/script&gt;"
	    " &amp; &quot;Co&quot;"));
	assert_non_null(strstr(m.html, "<a dir=\"ltr\" "
	    "href=\"https://meet.example.org/a?b=1&amp;c=2\">"));
	assert_null(strchr(m.subject, '\n'));
	assert_null(strchr(m.subject, '\r'));
	assert_null(balanced(m.html));
	/* The key facts are a definition list; the heading is the subject. */
	assert_non_null(strstr(m.html, "<dt>When</dt>\n<dd>Tuesday 3 March "
	    "2026 at 6pm</dd>"));
	assert_non_null(strstr(m.html, "<h1>Reminder: &lt;script&gt;"));
	msg_free(&m);
	json_decref(row);

	/* The checks themselves can fail. */
	assert_non_null(balanced("<p><strong>x</p></strong>"));
	assert_non_null(balanced("<p>x"));
	assert_non_null(long_line("short\na line that is rather longer than "
	    "forty characters\n", 40));
	assert_non_null(long_line("https://example.org/a/very/long/address/"
	    "that/goes/on\n", 40));
}

/* Easy Read: the sentence counter says no to a wordy template. */
static void
test_easyread_counter(void **state)
{
	char	which[256];

	(void)state;
	assert_int_equal(longest_sentence("Hello Ana.\nThis is a reminder "
	    "about a meeting that we are holding next week at the Town "
	    "Hall.\n", which, sizeof which), 17);
	assert_int_equal(longest_sentence("One. Two words! Three more "
	    "words?\n", which, sizeof which), 3);
}

/* A language convene has no templates for: English, and m.lang says so. */
static void
test_missing_language(void **state)
{
	struct chan_msg	 m;
	json_t		*row;

	(void)state;
	row = row_new("reminder", "standard", "fr", "email");
	render(row, &m);
	assert_string_equal(m.lang, "en");
	assert_string_equal(m.subject, "Reminder: Direct Payments Steering "
	    "Group on Tue 3 Mar 6pm");
	assert_non_null(strstr(m.html, "<html lang=\"en\" dir=\"ltr\">"));
	msg_free(&m);
	json_decref(row);

	/* Not a language tag at all. */
	row = row_new("reminder", "standard", "<x>", "email");
	render(row, &m);
	assert_string_equal(m.lang, "en");
	msg_free(&m);
	json_decref(row);
}

/* Copy the shipped English set to dir/en. */
static void
copy_english(const char *dir)
{
	char	*cmd, *src = shipped_dir();

	cmd = xprintf("mkdir -p '%s' && cp -R '%s/en' '%s/'", dir, src, dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(src);
}

/* Make a folder under the test folder. */
static void
mkdir_in(const char *rel)
{
	char	*path;

	path = xprintf("%s/%s", test_dir, rel);
	if (mkdir(path, 0755) == -1)
		assert_int_equal(errno, EEXIST);
	free(path);
}

/* A language with one template and a few words: the rest from English. */
static void
test_partial_language(void **state)
{
	struct tmpl_set	*full = set;
	struct chan_msg	 m;
	json_t		*row;
	char		*dir, *cause = NULL;

	(void)state;
	dir = xprintf("%s/partial", test_dir);
	copy_english(dir);
	mkdir_in("partial/xx");
	test_file("partial/xx/reminder.subject.tmpl",
	    "Xx: {{title}}, {{when_short}}\n", 0644);
	test_file("partial/xx/words.ini", "[days_short]\ntuesday = Tu\n"
	    "[date]\nshort = {day}/{mon} {wd}\n", 0644);
	if ((set = tmpl_load(dir, msg_vars, msg_words, &cause)) == NULL)
		fail_msg("%s", cause);
	row = row_new("reminder", "standard", "xx", "email");
	render(row, &m);
	/* Its own subject and words; English's month, Mar. */
	assert_string_equal(m.subject, "Xx: Direct Payments Steering Group, "
	    "3/Mar Tu");
	/* The text is English's, and so is the language of the message. */
	assert_string_equal(m.lang, "en");
	assert_non_null(strstr(m.html, "<html lang=\"en\" dir=\"ltr\">"));
	assert_non_null(strstr(m.body, "This is a reminder: Direct Payments "
	    "Steering Group is in 7 days."));
	msg_free(&m);
	json_decref(row);
	tmpl_free(set);
	set = full;
	free(dir);
}

/*
 * A template that says the travel note: the note is cut first, to the
 * most that fits, and the title stays whole.
 */
static void
test_sms_travel(void **state)
{
	struct tmpl_set	*full = set;
	struct chan_msg	 m;
	json_t		*row;
	char		*dir, *cause = NULL, *travel, *cut;

	(void)state;
	dir = xprintf("%s/travel", test_dir);
	copy_english(dir);
	test_file("travel/en/reminder.sms.tmpl", "Reminder: {{title}}, "
	    "{{when_short}}, {{venue}}. {{travel}} Reply YES {{code}} or "
	    "NO {{code}}.\n", 0644);
	if ((set = tmpl_load(dir, msg_vars, msg_words, &cause)) == NULL)
		fail_msg("%s", cause);
	travel = long_text("Bus 12 stops outside and the step-free door is on "
	    "Park Road.", 2000);
	row = row_new("reminder", "standard", "en", "sms");
	json_object_set_new(row, "travel", json_string(travel));
	render(row, &m);
	assert_int_equal(sms_parts(m.body), 4);
	assert_non_null(strstr(m.body, "Reminder: Direct Payments Steering "
	    "Group, "));
	assert_non_null(strstr(m.body, "Bus 12 stops outside"));
	if ((cut = strstr(m.body, "... Reply YES M123 or NO M123.")) == NULL)
		fail_msg("the travel note is not cut: %s", m.body);
	/* Most of four parts of 153: the note is cut, not left out. */
	assert_true(cut - m.body > 500);
	free(travel);
	msg_free(&m);
	json_decref(row);
	tmpl_free(set);
	set = full;
	free(dir);
}

/* Load dir, which must fail; the cause must hold each of want. */
static void
load_fails(const char *dir, const char *const *want)
{
	struct tmpl_set	*bad;
	char		*cause = NULL;

	if ((bad = tmpl_load(dir, msg_vars, msg_words, &cause)) != NULL)
		fail_msg("%s loaded, but should not have", dir);
	for (; *want != NULL; want++) {
		if (strstr(cause, *want) == NULL)
			fail_msg("wanted '%s' in:\n%s", *want, cause);
	}
	free(cause);
}

/* A words file with mistakes is refused, each named by file and line. */
static void
test_broken_words(void **state)
{
	const char *const	 want1[] = {
		"/words1/cy/words.ini:2: unknown word [date] lnog",
		"/words1/cy/words.ini:4: [date] short is already set on line 3",
		"/words1/cy/words.ini:5: expected 'name = value'",
		"/words1/cy/words.ini:7: [days] monday: a { without its pair",
		"/words1/cy/words.ini:8: [days] tuesday is empty",
		"/words1/cy/words.ini:10: {weekday} is not a field",
		NULL
	};
	const char *const	 want2[] = {
		"/words2/en/words.ini: no [days] friday;",
		NULL
	};
	const char *const	 want3[] = {
		"/words3/en/words.ini: missing",
		NULL
	};
	char			*dir, *cmd;

	(void)state;
	dir = xprintf("%s/words1", test_dir);
	copy_english(dir);
	mkdir_in("words1/cy");
	test_file("words1/cy/words.ini", "[date]\nlnog = x\nshort = {day}\n"
	    "short = {day}\nthis line has no equals sign\n[days]\n"
	    "monday = Dydd {Llun\ntuesday =\n[lead]\n"
	    "days = mewn {weekday} diwrnod\n", 0644);
	load_fails(dir, want1);
	free(dir);

	/* English must have every word other languages fall back on. */
	dir = xprintf("%s/words2", test_dir);
	copy_english(dir);
	cmd = xprintf("sed -i -e '/^friday/d' '%s/en/words.ini'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	load_fails(dir, want2);
	free(dir);

	dir = xprintf("%s/words3", test_dir);
	copy_english(dir);
	cmd = xprintf("rm '%s/en/words.ini'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	load_fails(dir, want3);
	free(dir);
}

/* The Message-ID of row 1 rendered against a database at path. */
static char *
message_id_of(const char *path, int attempt)
{
	struct store	*st;
	struct outbox_row r;
	struct chan_msg	 m;
	json_t		*row;
	char		*cause = NULL, *id;
	int		 permanent = 0;

	if ((st = store_open(path, &cause)) == NULL)
		fail_msg("%s", cause);
	msg_set_installation(store_installation(st));
	row = row_new("reminder", "standard", "en", "email");
	json_object_set_new(row, "id", json_integer(1));
	test_row(row, &r);
	if (msg_render(set, &conf, &r, attempt, &m, &permanent,
	    &cause) != 0)
		fail_msg("%s", cause);
	id = xstrdup(m.message_id);
	msg_free(&m);
	json_decref(row);
	msg_set_installation(NULL);
	store_close(st);
	return (id);
}

/*
 * Message-IDs are unique across databases: row 1 of a new database is
 * not row 1 of the last one on this host.  A resend of a row keeps its
 * id, and the id is on the domain mail is sent from.
 */
static void
test_message_id(void **state)
{
	char	*a = xprintf("%s/mid-a.db", test_dir);
	char	*b = xprintf("%s/mid-b.db", test_dir);
	char	*a1, *a2, *b1;

	(void)state;
	a1 = message_id_of(a, 1);
	a2 = message_id_of(a, 2);
	b1 = message_id_of(b, 1);
	assert_string_equal(a1, a2);
	assert_string_not_equal(a1, b1);
	assert_true(strncmp(a1, "<convene.1.0.", 13) == 0);
	assert_non_null(strstr(a1, "@convene.example.org>"));
	assert_int_equal(strlen(a1), strlen("<convene.1.0.") +
	    STORE_INSTALL_LEN + strlen("@convene.example.org>"));
	free(a1);
	free(a2);
	free(b1);
	free(a);
	free(b);
}

static int
setup(void **state)
{
	char	*dir, *cause = NULL;

	if (test_setup_dir(state) != 0)
		return (-1);
	dir = shipped_dir();
	set = tmpl_load(dir, msg_vars, msg_words, &cause);
	if (set == NULL) {
		fprintf(stderr, "%s\n", cause);
		return (-1);
	}
	free(dir);
	memset(key, 0x5a, sizeof key);
	msg_set_key(key);
	memset(&conf, 0, sizeof conf);
	/* The built-in catalogue of needs, for their labels. */
	if ((catalogue = config_default(&cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		return (-1);
	}
	conf.needs = catalogue->needs;
	conf.nneeds = catalogue->nneeds;
	conf.base_url = "https://convene.example.org";
	conf.mail_from = "Coordinator <coordinator@convene.example.org>";
	/* Texts sent back are read, so texts ask for an answer. */
	conf.sms_inbound_secret_file = "/etc/convene/inbound.secret";
	ical_configure("convene.example.org");
	return (0);
}

static int
teardown(void **state)
{
	tmpl_free(set);
	config_free(catalogue);
	msg_set_key(NULL);
	ical_configure(NULL);
	return (test_remove_dir(state));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_email),
		cmocka_unit_test(test_every_sms),
		cmocka_unit_test(test_supporter_copy),
		cmocka_unit_test(test_sms_one_segment),
		cmocka_unit_test(test_sms_no_reply_path),
		cmocka_unit_test(test_sms_fits),
		cmocka_unit_test(test_sms_travel),
		cmocka_unit_test(test_series_notice),
		cmocka_unit_test(test_english_time),
		cmocka_unit_test(test_same_time),
		cmocka_unit_test(test_large_url),
		cmocka_unit_test(test_joined_word),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_easyread_counter),
		cmocka_unit_test(test_missing_language),
		cmocka_unit_test(test_partial_language),
		cmocka_unit_test(test_broken_words),
		cmocka_unit_test(test_message_id),
	};

	log_init(LOG_TARGET_STDERR, 0);
	if (sodium_init() < 0)
		return (1);
	return (cmocka_run_group_tests_name("msg", tests, setup, teardown));
}
