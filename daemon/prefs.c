/*
 * prefs.c: the page where a member changes how they hear from their
 * groups: by email, by text message, both in an order, or only through
 * their calendar; the form their emails take (standard, plain text,
 * large print, Easy Read); their language; quiet hours for texts; and
 * what they need to take part at every meeting (standing needs, asked
 * for at each meeting they say they will come to).
 *
 * Every message carries a signed link to it,
 * /preferences/<person>.<expiry>.<signature>, so no password is needed
 * and the link works for one person only until it expires.  The form
 * is plain HTML that works by keyboard and without JavaScript; a
 * mistake is shown at the top, linked to its field, and nothing is
 * saved until the whole form is right.  What is right is what the API
 * takes: both check with person.c.
 *
 * The same link with /involvement after it opens a page that only
 * reads: the meetings the member took part in, as they were written
 * down (apologies are apologies, never an absence), and what their
 * group pays them, owed and paid, with the totals.  Nobody else's.
 */
#include "config.h"

#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "convene.h"
#include "key.h"
#include "log.h"
#include "person.h"
#include "sched.h"
#include "tmpl.h"
#include "util.h"

#define PREFS_ROUTE	"preferences"
#define PREFS_MAX_ERRORS 5
#define PREFS_OTHER_MAX	500	/* characters of a need in their words */

/*
 * The ways a member may hear from a group, as the channels column.  The
 * labels and hints are words of [page] in the templates' words.ini, so
 * the page is in the member's own language.
 */
static const struct {
	const char	*channels;
	const char	*label;
	const char	*hint;
	int		 email;		/* needs an email address */
	int		 sms;		/* needs a mobile number */
} prefs_ways[] = {
	{ "email", "how_email", NULL, 1, 0 },
	{ "sms", "how_sms", NULL, 0, 1 },
	{ "email,sms", "how_email_sms", NULL, 1, 1 },
	{ "sms,email", "how_sms_email", NULL, 1, 1 },
	{ "feed", "how_feed", "how_feed_hint", 0, 0 },
};

static const struct {
	const char	*style;
	const char	*label;
	const char	*hint;
} prefs_styles[] = {
	{ "standard", "style_standard", "style_standard_hint" },
	{ "plain", "style_plain", "style_plain_hint" },
	{ "large", "style_large", "style_large_hint" },
	{ "easyread", "style_easyread", "style_easyread_hint" },
};

/* Languages a member may choose, named in their own words. */
static const struct {
	const char	*code;
	const char	*name;
} prefs_langs[] = {
	{ "en", "English" },
	{ "cy", "Cymraeg" },
	{ "ar", "العربية" },
	{ "ur", "اردو" },
	{ "pl", "Polski" },
	{ "pa", "ਪੰਜਾਬੀ" },
	{ "bn", "বাংলা" },
	{ "gu", "ગુજરાતી" },
	{ "so", "Soomaali" },
	{ "ro", "Română" },
	{ "es", "Español" },
	{ "fr", "Français" },
	{ "pt", "Português" },
	{ "lt", "Lietuvių" },
	{ "tr", "Türkçe" },
	{ "zh", "中文" },
};

#define PREFS_N(a)	(sizeof (a) / sizeof (a)[0])

struct prefs_form {
	const char	*link;		/* ID.EXPIRY.SIGNATURE */
	const char	*channels;
	const char	*style;
	const char	*language;
	const char	*quiet_from;
	const char	*quiet_to;
	json_t		*needs;		/* the codes ticked */
	const char	*other;		/* anything else, in their words */
	struct {
		const char	*field;		/* the id it belongs to */
		const char	*text;
	} errors[PREFS_MAX_ERRORS];
	int		 nerrors;
};

/* A language is offered when its templates are installed. */
static int
prefs_lang_offered(struct tmpl_set *t, const char *code)
{
	if (strcmp(code, "en") == 0)
		return (1);
	return (t != NULL && tmpl_exists(t, code, "reminder.subject"));
}

/* A word of the page, [page] NAME, in lang (else English). */
static const char *
prefs_w(struct tmpl_set *t, const char *lang, const char *name)
{
	const char	*w = NULL;
	char		 key[64];

	snprintf(key, sizeof key, "page.%s", name);
	if (t != NULL)
		w = tmpl_word(t, lang, key, NULL);
	return (w != NULL ? w : name);
}

/* The language of a person's page: their own when it is offered. */
static const char *
prefs_page_lang(struct tmpl_set *t, json_t *person)
{
	const char	*l = json_string_value(json_object_get(person,
			    "language"));

	return (l != NULL && prefs_lang_offered(t, l) ? l : "en");
}

static int
prefs_way_possible(json_t *person, size_t i)
{
	if (prefs_ways[i].email && *jstr(person, "email") == '\0')
		return (0);
	if (prefs_ways[i].sms && *jstr(person, "phone") == '\0')
		return (0);
	return (1);
}

static void
prefs_error(struct prefs_form *f, const char *field, const char *text)
{
	if (f->nerrors < PREFS_MAX_ERRORS) {
		f->errors[f->nerrors].field = field;
		f->errors[f->nerrors].text = text;
		f->nerrors++;
	}
}

static const char *
prefs_error_for(const struct prefs_form *f, const char *field)
{
	int	i;

	for (i = 0; i < f->nerrors; i++) {
		if (strcmp(f->errors[i].field, field) == 0)
			return (f->errors[i].text);
	}
	return (NULL);
}

/* One radio button with its label and hint, tied together for AT. */
static void
prefs_radio(struct evbuffer *b, const char *name, const char *id,
    const char *value, const char *label, const char *hint, int checked)
{
	evbuffer_add_printf(b, "<div class=\"choice\">\n<input type=\"radio\" "
	    "name=\"%s\" id=\"%s\" value=\"", name, id);
	page_esc(b, value);
	evbuffer_add_printf(b, "\"%s%s%s%s>\n<label for=\"%s\">", checked ?
	    " checked" : "", hint ? " aria-describedby=\"" : "",
	    hint ? id : "", hint ? "-hint\"" : "", id);
	page_esc(b, label);
	if (hint != NULL) {
		evbuffer_add_printf(b, "<span class=\"hint\" id=\"%s-hint\">",
		    id);
		page_esc(b, hint);
		evbuffer_add_printf(b, "</span>");
	}
	evbuffer_add_printf(b, "</label>\n</div>\n");
}

static void
prefs_field_error(struct tmpl_set *t, struct evbuffer *b,
    const struct prefs_form *f, const char *lang, const char *field)
{
	const char	*e = prefs_error_for(f, field);

	if (e == NULL)
		return;
	evbuffer_add_printf(b, "<p class=\"error\" id=\"%s-error\">"
	    "<span>", field);
	page_esc(b, prefs_w(t, lang, "problem_label"));
	evbuffer_add_printf(b, "</span> ");
	page_esc(b, e);
	evbuffer_add_printf(b, "</p>\n");
}

/* The form, holding the values given (or the person's own). */
static void
prefs_render(struct tmpl_set *t, const struct config *conf,
    struct evbuffer *b, json_t *person, const struct prefs_form *f)
{
	struct page_needs	 pn;
	const char	*e, *lang = prefs_page_lang(t, person), *hello, *at;
	char		 id[32];
	size_t		 i;
	int		 n = 0;

	page_begin(b, lang, prefs_w(t, lang, f->nerrors ? "title_problem" :
	    "title"));
	evbuffer_add_printf(b, "<h1>");
	page_esc(b, prefs_w(t, lang, "title"));
	evbuffer_add_printf(b, "</h1>\n<p>");
	/* The member's name goes where the words have {name}. */
	hello = prefs_w(t, lang, "hello");
	if ((at = strstr(hello, "{name}")) != NULL) {
		char	*head = xcalloc(1, at - hello + 1);

		memcpy(head, hello, at - hello);
		page_esc(b, head);
		free(head);
		page_esc(b, jstr(person, "name"));
		page_esc(b, at + strlen("{name}"));
	} else
		page_esc(b, hello);
	evbuffer_add_printf(b, "</p>\n");
	if (f->nerrors > 0) {
		evbuffer_add_printf(b, "<div class=\"problems\" role=\"alert\" "
		    "aria-labelledby=\"problems-title\">\n<h2 id=\"problems-"
		    "title\">");
		page_esc(b, prefs_w(t, lang, "problem"));
		evbuffer_add_printf(b, "</h2>\n<ul>\n");
		for (n = 0; n < f->nerrors; n++) {
			evbuffer_add_printf(b, "<li><a href=\"#%s\">",
			    f->errors[n].field);
			page_esc(b, f->errors[n].text);
			evbuffer_add_printf(b, "</a></li>\n");
		}
		evbuffer_add_printf(b, "</ul>\n</div>\n");
	}
	evbuffer_add_printf(b, "<form method=\"post\" action=\"\" "
	    "novalidate>\n");

	e = prefs_error_for(f, "how");
	evbuffer_add_printf(b, "<fieldset id=\"how\"%s>\n<legend>", e ?
	    " aria-describedby=\"how-error\"" : "");
	page_esc(b, prefs_w(t, lang, "how"));
	evbuffer_add_printf(b, "</legend>\n");
	prefs_field_error(t, b, f, lang, "how");
	for (i = 0; i < PREFS_N(prefs_ways); i++) {
		if (!prefs_way_possible(person, i))
			continue;
		snprintf(id, sizeof id, "how-%zu", i);
		prefs_radio(b, "how", id, prefs_ways[i].channels,
		    prefs_w(t, lang, prefs_ways[i].label), prefs_ways[i].hint ?
		    prefs_w(t, lang, prefs_ways[i].hint) : NULL,
		    strcmp(f->channels, prefs_ways[i].channels) == 0);
	}
	evbuffer_add_printf(b, "</fieldset>\n");

	e = prefs_error_for(f, "style");
	evbuffer_add_printf(b, "<fieldset id=\"style\"%s>\n<legend>", e ?
	    " aria-describedby=\"style-error\"" : "");
	page_esc(b, prefs_w(t, lang, "style"));
	evbuffer_add_printf(b, "</legend>\n");
	prefs_field_error(t, b, f, lang, "style");
	for (i = 0; i < PREFS_N(prefs_styles); i++) {
		snprintf(id, sizeof id, "style-%s", prefs_styles[i].style);
		prefs_radio(b, "style", id, prefs_styles[i].style,
		    prefs_w(t, lang, prefs_styles[i].label),
		    prefs_w(t, lang, prefs_styles[i].hint),
		    strcmp(f->style, prefs_styles[i].style) == 0);
	}
	evbuffer_add_printf(b, "</fieldset>\n");

	evbuffer_add_printf(b, "<div class=\"field\">\n<label "
	    "for=\"language\">");
	page_esc(b, prefs_w(t, lang, "language"));
	evbuffer_add_printf(b, "</label>\n");
	prefs_field_error(t, b, f, lang, "language");
	evbuffer_add_printf(b, "<select id=\"language\" name=\"language\""
	    "%s>\n", prefs_error_for(f, "language") ? " aria-describedby=\""
	    "language-error\" aria-invalid=\"true\"" : "");
	for (i = 0; i < PREFS_N(prefs_langs); i++) {
		if (!prefs_lang_offered(t, prefs_langs[i].code))
			continue;
		evbuffer_add_printf(b, "<option value=\"%s\" lang=\"%s\"%s>",
		    prefs_langs[i].code, prefs_langs[i].code,
		    strcmp(f->language, prefs_langs[i].code) == 0 ?
		    " selected" : "");
		page_esc(b, prefs_langs[i].name);
		evbuffer_add_printf(b, "</option>\n");
	}
	evbuffer_add_printf(b, "</select>\n</div>\n");

	if (*jstr(person, "phone") != '\0') {
		e = prefs_error_for(f, "quiet_from");
		evbuffer_add_printf(b, "<fieldset id=\"quiet\" "
		    "aria-describedby=\"quiet-hint%s\">\n<legend>", e ?
		    " quiet_from-error" : "");
		page_esc(b, prefs_w(t, lang, "quiet"));
		evbuffer_add_printf(b, "</legend>\n<p class=\"hint\" "
		    "id=\"quiet-hint\">");
		page_esc(b, prefs_w(t, lang, "quiet_hint"));
		evbuffer_add_printf(b, "</p>\n");
		prefs_field_error(t, b, f, lang, "quiet_from");
		evbuffer_add_printf(b, "<div class=\"field\">\n<label "
		    "for=\"quiet_from\">");
		page_esc(b, prefs_w(t, lang, "quiet_from"));
		evbuffer_add_printf(b, "</label>\n<input type=\"time\" "
		    "id=\"quiet_from\" name=\"quiet_from\" value=\"");
		page_esc(b, f->quiet_from);
		evbuffer_add_printf(b, "\"%s>\n</div>\n<div class=\"field\">\n"
		    "<label for=\"quiet_to\">", e ? " aria-invalid=\"true\"" :
		    "");
		page_esc(b, prefs_w(t, lang, "quiet_to"));
		evbuffer_add_printf(b, "</label>\n<input type=\"time\" "
		    "id=\"quiet_to\" name=\"quiet_to\" value=\"");
		page_esc(b, f->quiet_to);
		evbuffer_add_printf(b, "\"%s>\n</div>\n</fieldset>\n", e ?
		    " aria-invalid=\"true\"" : "");
	}
	prefs_field_error(t, b, f, lang, "need-other");
	memset(&pn, 0, sizeof pn);
	pn.legend = prefs_w(t, lang, "needs");
	pn.hint = prefs_w(t, lang, "needs_hint");
	pn.other = prefs_w(t, lang, "needs_other");
	pn.other_text = f->other;
	pn.chosen = f->needs;
	page_needs(b, conf, lang, &pn);
	evbuffer_add_printf(b, "<button type=\"submit\">");
	page_esc(b, prefs_w(t, lang, "save"));
	evbuffer_add_printf(b, "</button>\n</form>\n");
	/* After the form, so that the form is the first thing Tab meets. */
	evbuffer_add_printf(b, "<p><a href=\"");
	page_esc(b, f->link);
	evbuffer_add_printf(b, "/involvement\">");
	page_esc(b, prefs_w(t, lang, "inv_link"));
	evbuffer_add_printf(b, "</a></p>\n");
	page_end(b);
}

/*
 * A word of the involvement page in lang; for a member who reads Easy
 * Read, NAME_easyread where that language has one.
 */
static const char *
prefs_we(struct tmpl_set *t, const char *lang, int easy, const char *name)
{
	const char	*w, *e, *used = NULL, *eused = NULL;
	char		 key[64];

	if (t == NULL)
		return (name);
	snprintf(key, sizeof key, "page.%s", name);
	if ((w = tmpl_word(t, lang, key, &used)) == NULL)
		return (name);
	if (easy) {
		snprintf(key, sizeof key, "page.%s_easyread", name);
		e = tmpl_word(t, lang, key, &eused);
		if (e != NULL && eused != NULL && used != NULL &&
		    strcmp(eused, used) == 0)
			return (e);
	}
	return (w);
}

/* Words with {key} in them, the text v put there, escaped. */
static void
prefs_fill(struct evbuffer *b, const char *words, const char *key,
    const char *v)
{
	const char	*at = strstr(words, key);
	char		*head;

	if (at == NULL) {
		page_esc(b, words);
		return;
	}
	head = xcalloc(1, at - words + 1);
	memcpy(head, words, at - words);
	page_esc(b, head);
	free(head);
	page_esc(b, v);
	page_esc(b, at + strlen(key));
}

/* A day, "2026-11-30", as "30 November 2026" in lang. */
static char *
prefs_day(struct tmpl_set *t, const char *lang, const char *day)
{
	static const char *const months[] = { "january", "february",
		"march", "april", "may", "june", "july", "august",
		"september", "october", "november", "december" };
	const char	*w = NULL;
	char		 key[32];
	int		 y, m, d;

	if (sscanf(day, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12)
		return (xstrdup(day));
	snprintf(key, sizeof key, "months.%s", months[m - 1]);
	if (t != NULL)
		w = tmpl_word(t, lang, key, NULL);
	return (xprintf("%d %s %d", d, w != NULL ? w : months[m - 1], y));
}

/* A meeting's day, local to its group. */
static void
prefs_meeting_day(struct evbuffer *b, struct tmpl_set *t, const char *lang,
    json_t *row)
{
	char	local[SCHED_LOCAL_LEN], day[16], *words;

	if (sched_utc_to_local(jstr(row, "time_zone"), (time_t)jint(row,
	    "start_at"), local, NULL) != 0)
		return;
	snprintf(day, sizeof day, "%.4s-%.2s-%.2s", local, local + 4,
	    local + 6);
	words = prefs_day(t, lang, day);
	page_esc(b, words);
	free(words);
}

/* Pounds from pence, "£25.00", kept left to right in any language. */
static void
prefs_money(struct evbuffer *b, long long pence)
{
	evbuffer_add_printf(b, "<span dir=\"ltr\">&pound;%lld.%02lld</span>",
	    pence / 100, pence % 100);
}

/* A table's head: its columns, named by words of the page. */
static void
prefs_thead(struct evbuffer *b, struct tmpl_set *t, const char *lang,
    int easy, const char *id, const char *const *cols)
{
	evbuffer_add_printf(b, "<table aria-labelledby=\"%s\">\n<thead>"
	    "\n<tr>", id);
	for (; *cols != NULL; cols++) {
		evbuffer_add_printf(b, "<th scope=\"col\">");
		page_esc(b, prefs_we(t, lang, easy, *cols));
		evbuffer_add_printf(b, "</th>");
	}
	evbuffer_add_printf(b, "</tr>\n</thead>\n<tbody>\n");
}

/*
 * The member's own meetings and payments, read through their link: what
 * was written down for them, and what they are owed and were paid.
 */
static void
prefs_involvement(struct tmpl_set *t, struct evbuffer *b, json_t *person,
    json_t *inv, const char *link)
{
	static const char *const acols[] = { "inv_when", "inv_meeting",
		"inv_group", "inv_status", NULL };
	static const char *const pcols[] = { "inv_when", "inv_meeting",
		"inv_amount", "inv_paid", NULL };
	const char	*lang = prefs_page_lang(t, person), *st;
	json_t		*att = json_object_get(inv, "attendance");
	json_t		*pay = json_object_get(inv, "payments");
	json_t		*r;
	long long	 owed = 0, paid = 0, p;
	char		*day;
	size_t		 i;
	int		 easy;

	easy = strcmp(jstr(person, "style"), "easyread") == 0;
	page_begin(b, lang, prefs_we(t, lang, easy, "inv_title"));
	evbuffer_add_printf(b, "<h1>");
	page_esc(b, prefs_we(t, lang, easy, "inv_title"));
	evbuffer_add_printf(b, "</h1>\n<p>");
	prefs_fill(b, prefs_we(t, lang, easy, "inv_hello"), "{name}",
	    jstr(person, "name"));
	evbuffer_add_printf(b, "</p>\n<h2 id=\"meetings\">");
	page_esc(b, prefs_we(t, lang, easy, "inv_meetings"));
	evbuffer_add_printf(b, "</h2>\n");
	if (json_array_size(att) == 0) {
		evbuffer_add_printf(b, "<p>");
		page_esc(b, prefs_we(t, lang, easy, "inv_meetings_none"));
		evbuffer_add_printf(b, "</p>\n");
	} else
		prefs_thead(b, t, lang, easy, "meetings", acols);
	json_array_foreach(att, i, r) {
		st = jstr(r, "status");
		evbuffer_add_printf(b, "<tr><td>");
		prefs_meeting_day(b, t, lang, r);
		evbuffer_add_printf(b, "</td><td>");
		page_esc(b, jstr(r, "meeting"));
		evbuffer_add_printf(b, "</td><td>");
		page_esc(b, jstr(r, "group_name"));
		evbuffer_add_printf(b, "</td><td>");
		page_esc(b, prefs_we(t, lang, easy, strcmp(st, "attended") ==
		    0 ? "inv_attended" : strcmp(st, "apologies") == 0 ?
		    "inv_apologies" : "inv_absent"));
		evbuffer_add_printf(b, "</td></tr>\n");
	}
	if (json_array_size(att) > 0)
		evbuffer_add_printf(b, "</tbody>\n</table>\n");

	evbuffer_add_printf(b, "<h2 id=\"payments\">");
	page_esc(b, prefs_we(t, lang, easy, "inv_payments"));
	evbuffer_add_printf(b, "</h2>\n");
	if (json_array_size(pay) == 0) {
		evbuffer_add_printf(b, "<p>");
		page_esc(b, prefs_we(t, lang, easy, "inv_payments_none"));
		evbuffer_add_printf(b, "</p>\n");
	} else
		prefs_thead(b, t, lang, easy, "payments", pcols);
	json_array_foreach(pay, i, r) {
		p = jint(r, "amount_pence");
		evbuffer_add_printf(b, "<tr><td>");
		prefs_meeting_day(b, t, lang, r);
		evbuffer_add_printf(b, "</td><td>");
		page_esc(b, jstr(r, "meeting"));
		evbuffer_add_printf(b, "</td><td>");
		prefs_money(b, p);
		evbuffer_add_printf(b, "</td><td>");
		if (json_is_string(json_object_get(r, "paid_on"))) {
			paid += p;
			day = prefs_day(t, lang, jstr(r, "paid_on"));
			prefs_fill(b, prefs_we(t, lang, easy, "inv_paid_on"),
			    "{date}", day);
			free(day);
		} else {
			owed += p;
			page_esc(b, prefs_we(t, lang, easy, "inv_owed"));
		}
		evbuffer_add_printf(b, "</td></tr>\n");
	}
	if (json_array_size(pay) > 0) {
		evbuffer_add_printf(b, "</tbody>\n</table>\n<dl>\n<dt>");
		page_esc(b, prefs_we(t, lang, easy, "inv_total"));
		evbuffer_add_printf(b, "</dt>\n<dd>");
		prefs_money(b, owed + paid);
		evbuffer_add_printf(b, "</dd>\n<dt>");
		page_esc(b, prefs_we(t, lang, easy, "inv_total_paid"));
		evbuffer_add_printf(b, "</dt>\n<dd>");
		prefs_money(b, paid);
		evbuffer_add_printf(b, "</dd>\n<dt>");
		page_esc(b, prefs_we(t, lang, easy, "inv_total_owed"));
		evbuffer_add_printf(b, "</dt>\n<dd>");
		prefs_money(b, owed);
		evbuffer_add_printf(b, "</dd>\n</dl>\n");
	}
	evbuffer_add_printf(b, "<p><a href=\"../");
	page_esc(b, link);
	evbuffer_add_printf(b, "\">");
	page_esc(b, prefs_we(t, lang, easy, "inv_back"));
	evbuffer_add_printf(b, "</a></p>\n");
	page_end(b);
}

/* The form as the person's row holds it now. */
static void
prefs_from_person(struct prefs_form *f, json_t *person, char qf[16],
    char qt[16])
{
	json_t	*qs = json_object_get(person, "quiet_start");
	json_t	*qe = json_object_get(person, "quiet_end");

	memset(f, 0, sizeof *f);
	f->channels = jstr(person, "channels");
	f->style = jstr(person, "style");
	f->language = jstr(person, "language");
	qf[0] = qt[0] = '\0';
	if (json_is_integer(qs) && json_is_integer(qe)) {
		person_time(json_integer_value(qs), qf);
		person_time(json_integer_value(qe), qt);
	}
	f->quiet_from = qf;
	f->quiet_to = qt;
	f->other = "";
}

/* The standing needs into the form: the codes, and "other"'s words. */
static void
prefs_needs_from(struct prefs_form *f, json_t *standing)
{
	json_t	*n;
	size_t	 i;

	f->needs = json_array();
	json_array_foreach(standing, i, n) {
		if (strcmp(jstr(n, "need"), "other") == 0)
			f->other = jstr(n, "detail");
		else
			json_array_append_new(f->needs,
			    json_string(jstr(n, "need")));
	}
}

/*
 * Check what was posted with the checks the API makes (person.c), into
 * c; each mistake is shown at its own field, in the page's language.
 */
static void
prefs_check(struct tmpl_set *t, struct prefs_form *f, json_t *person,
    const char *country, struct person_checked *c)
{
	struct person_text	 in;
	const char		*lang = prefs_page_lang(t, person);
	char			*quiet;

	memset(&in, 0, sizeof in);
	in.channels = f->channels;
	in.style = f->style;
	in.language = f->language;
	/* Neither time: no quiet hours; only one: not a span. */
	quiet = xprintf("%s%s%s", f->quiet_from, *f->quiet_from != '\0' ||
	    *f->quiet_to != '\0' ? "-" : "", f->quiet_to);
	in.quiet_hours = quiet;
	person_check(&in, person, country, c);
	if (c->why[PERSON_CHANNELS] != NULL || c->why[PERSON_REACH] != NULL)
		prefs_error(f, "how", prefs_w(t, lang, "error_how"));
	if (c->why[PERSON_STYLE] != NULL)
		prefs_error(f, "style", prefs_w(t, lang, "error_style"));
	if (c->why[PERSON_LANGUAGE] != NULL)
		prefs_error(f, "language", prefs_w(t, lang,
		    "error_language"));
	if (c->why[PERSON_QUIET_HOURS] != NULL)
		prefs_error(f, "quiet_from", prefs_w(t, lang, "error_quiet"));
	free(quiet);
}

/* What was saved, said back in full so the member can check it. */
static void
prefs_saved(struct tmpl_set *t, const struct config *conf,
    struct evbuffer *b, json_t *row, json_t *standing, const char *path)
{
	const struct need_kind	*k;
	json_t			*n;
	const char	*ch = jstr(row, "channels");
	const char	*st = jstr(row, "style");
	const char	*lg = jstr(row, "language");
	const char	*lang = prefs_page_lang(t, row);
	struct prefs_form f;
	char		 qf[16], qt[16];
	size_t		 i;

	/* In the language just chosen. */
	page_begin(b, lang, prefs_w(t, lang, "saved"));
	evbuffer_add_printf(b, "<div class=\"done\" role=\"status\">\n<h1>");
	page_esc(b, prefs_w(t, lang, "saved"));
	evbuffer_add_printf(b, "</h1>\n</div>\n<dl>\n<dt>");
	page_esc(b, prefs_w(t, lang, "saved_how"));
	evbuffer_add_printf(b, "</dt>\n<dd>");
	for (i = 0; i < PREFS_N(prefs_ways); i++) {
		if (strcmp(ch, prefs_ways[i].channels) == 0)
			page_esc(b, prefs_w(t, lang, prefs_ways[i].label));
	}
	evbuffer_add_printf(b, "</dd>\n<dt>");
	page_esc(b, prefs_w(t, lang, "saved_style"));
	evbuffer_add_printf(b, "</dt>\n<dd>");
	for (i = 0; i < PREFS_N(prefs_styles); i++) {
		if (strcmp(st, prefs_styles[i].style) == 0)
			page_esc(b, prefs_w(t, lang, prefs_styles[i].label));
	}
	evbuffer_add_printf(b, "</dd>\n<dt>");
	page_esc(b, prefs_w(t, lang, "language"));
	evbuffer_add_printf(b, "</dt>\n<dd>");
	for (i = 0; i < PREFS_N(prefs_langs); i++) {
		if (strcmp(lg, prefs_langs[i].code) == 0) {
			evbuffer_add_printf(b, "<span lang=\"%s\">",
			    prefs_langs[i].code);
			page_esc(b, prefs_langs[i].name);
			evbuffer_add_printf(b, "</span>");
		}
	}
	evbuffer_add_printf(b, "</dd>\n");
	/* Quiet hours, as the form offers them: to people with a phone. */
	if (*jstr(row, "phone") != '\0') {
		prefs_from_person(&f, row, qf, qt);
		evbuffer_add_printf(b, "<dt>");
		page_esc(b, prefs_w(t, lang, "quiet"));
		evbuffer_add_printf(b, "</dt>\n<dd>");
		if (*qf != '\0') {
			page_esc(b, prefs_w(t, lang, "quiet_from"));
			evbuffer_add_printf(b, " %s</dd>\n<dd>", qf);
			page_esc(b, prefs_w(t, lang, "quiet_to"));
			evbuffer_add_printf(b, " %s", qt);
		} else
			page_esc(b, prefs_w(t, lang, "quiet_none"));
		evbuffer_add_printf(b, "</dd>\n");
	}
	evbuffer_add_printf(b, "<dt>");
	page_esc(b, prefs_w(t, lang, "saved_needs"));
	evbuffer_add_printf(b, "</dt>\n");
	if (json_array_size(standing) == 0) {
		evbuffer_add_printf(b, "<dd>");
		page_esc(b, prefs_w(t, lang, "needs_none"));
		evbuffer_add_printf(b, "</dd>\n");
	}
	json_array_foreach(standing, i, n) {
		evbuffer_add_printf(b, "<dd>");
		if (strcmp(jstr(n, "need"), "other") == 0)
			page_esc(b, jstr(n, "detail"));
		else if ((k = config_need(conf, jstr(n, "need"))) != NULL)
			page_esc(b, config_need_label(k, lang));
		else
			page_esc(b, jstr(n, "need"));
		evbuffer_add_printf(b, "</dd>\n");
	}
	evbuffer_add_printf(b, "</dl>\n<p><a href=\"");
	page_esc(b, path);
	evbuffer_add_printf(b, "\">");
	page_esc(b, prefs_w(t, lang, "again"));
	evbuffer_add_printf(b, "</a></p>\n");
	page_end(b);
}

/* The person a link is for, or 0 when it is not a good link. */
static long long
prefs_link_person(const unsigned char key[KEY_BYTES], const char *rest)
{
	char		 subject[32], sig[KEY_SIG_LEN + 1];
	long long	 id, expiry;
	int		 used = 0;

	char		 canon[96];

	if (strlen(rest) > 80 ||
	    sscanf(rest, "%lld.%lld.%23[A-Za-z0-9_-]%n", &id, &expiry, sig,
	    &used) != 3 || rest[used] != '\0' || id <= 0)
		return (0);
	/* Only the link as it was made: no sign, no leading zero. */
	snprintf(canon, sizeof canon, "%lld.%lld.%s", id, expiry, sig);
	if (strcmp(canon, rest) != 0)
		return (0);
	snprintf(subject, sizeof subject, "%lld", id);
	if (key_verify(key, "prefs", subject, expiry, sig,
	    clock_now()) != 0)
		return (0);
	return (id);
}

/* The link that opens this page for a person, valid for some days. */
char *
prefs_link(const char *base_url, const unsigned char key[KEY_BYTES],
    long long person, time_t now, int days)
{
	char		 subject[32], sig[KEY_SIG_LEN];
	long long	 expiry = (long long)now + (long long)days * 86400;

	snprintf(subject, sizeof subject, "%lld", person);
	key_sign(key, "prefs", subject, expiry, sig);
	return (xprintf("%s/preferences/%lld.%lld.%s", base_url, person,
	    expiry, sig));
}

/* GET .../involvement: the member's own page; it changes nothing. */
static void
prefs_involvement_route(struct convene_ctx *ctx, struct evhttp_request *req,
    struct evbuffer *b, json_t *person, long long id, const char *link)
{
	struct tmpl_set	*t = ctx->tmpl;
	const char	*lang = prefs_page_lang(t, person);
	json_t		*inv;
	char		*cause = NULL;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
		page_message(req, PREFS_ROUTE, 405, lang, prefs_w(t, lang,
		    "unreadable"), prefs_w(t, lang, "unreadable_text"));
		return;
	}
	if ((inv = store_involvement(ctx->store, id, &cause)) == NULL) {
		log_warnx("involvement of person %lld: %s", id, cause ?
		    cause : "no answer");
		free(cause);
		page_message(req, PREFS_ROUTE, 503, lang, prefs_w(t, lang,
		    "inv_trouble"), prefs_w(t, lang, "not_saved_text"));
		return;
	}
	prefs_involvement(t, b, person, inv, link);
	json_decref(inv);
	page_send(req, PREFS_ROUTE, 200, b);
}

static void
prefs_route(struct evhttp_request *req, const char *route,
    const char *rest, void *arg)
{
	struct convene_ctx	*ctx = arg;
	struct tmpl_set		*t = ctx->tmpl;	/* as of this request */
	struct evkeyvalq	 q;
	struct evbuffer		*b, *in;
	struct prefs_form	 f;
	struct person_checked	 c;
	struct evkeyval		*kv;
	json_t			*person, *row, *standing = NULL, *want, *n;
	size_t			 i;
	int			 shown = 0;
	char			*body = NULL, *cause = NULL, qf[16], qt[16];
	const char		*v;
	char			*link, *sub;
	long long		 id;
	size_t			 len;

	memset(&c, 0, sizeof c);
	/* ID.EXPIRY.SIGNATURE, and /involvement for the reading page. */
	link = xstrdup(rest);
	if ((sub = strchr(link, '/')) != NULL)
		*sub++ = '\0';
	id = prefs_link_person(ctx->signing_key, link);
	if (id != 0 && sub != NULL && strcmp(sub, "involvement") != 0)
		id = 0;
	if (id == 0) {
		free(link);
		page_message(req, PREFS_ROUTE, 403, "en",
		    "This link does not work",
		    "The link may have expired, or it was not copied in full. "
		    "Each new message from your group has a fresh link. You "
		    "can also ask your group's coordinator to change how you "
		    "hear from them.");
		return;
	}
	/* An erased person's links stop working with the rest. */
	if (store_person_erased(ctx->store, id) ||
	    (person = store_person_get(ctx->store, id, NULL)) == NULL) {
		page_message(req, PREFS_ROUTE, 404, "en",
		    prefs_w(t, "en", "gone"), prefs_w(t, "en", "gone_text"));
		free(link);
		return;
	}
	if ((b = evbuffer_new()) == NULL)
		fatal("evbuffer_new");
	if (sub != NULL) {
		prefs_involvement_route(ctx, req, b, person, id, link);
		memset(&f, 0, sizeof f);
		goto out;
	}
	prefs_from_person(&f, person, qf, qt);
	f.link = link;
	standing = store_need_standing(ctx->store, id, NULL);
	prefs_needs_from(&f, standing);
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		prefs_render(t, ctx->conf, b, person, &f);
		page_send(req, PREFS_ROUTE, 200, b);
		goto out;
	}

	in = evhttp_request_get_input_buffer(req);
	len = evbuffer_get_length(in);
	body = xcalloc(1, len + 1);
	evbuffer_copyout(in, body, len);
	TAILQ_INIT(&q);
	if (memchr(body, '\0', len) != NULL ||
	    evhttp_parse_query_str(body, &q) != 0) {
		evhttp_clear_headers(&q);
		page_message(req, PREFS_ROUTE, 400, prefs_page_lang(t, person),
		    prefs_w(t, prefs_page_lang(t, person), "unreadable"),
		    prefs_w(t, prefs_page_lang(t, person), "unreadable_text"));
		goto out;
	}
	f.channels = (v = evhttp_find_header(&q, "how")) ? v : "";
	f.style = (v = evhttp_find_header(&q, "style")) ? v : "";
	f.language = (v = evhttp_find_header(&q, "language")) ? v : "";
	f.quiet_from = (v = evhttp_find_header(&q, "quiet_from")) ? v : "";
	f.quiet_to = (v = evhttp_find_header(&q, "quiet_to")) ? v : "";
	/* Needs: as ticked, when the form had them; else as they are. */
	if ((shown = evhttp_find_header(&q, "needs_shown") != NULL)) {
		json_array_clear(f.needs);
		TAILQ_FOREACH(kv, &q, next) {
			if (strcmp(kv->key, "need") == 0 &&
			    store_need_known(ctx->store, kv->value) &&
			    strcmp(kv->value, "other") != 0)
				json_array_append_new(f.needs,
				    json_string(kv->value));
		}
		f.other = (v = evhttp_find_header(&q, "need_other")) ? v : "";
	}
	prefs_check(t, &f, person, ctx->conf->phone_country, &c);
	/* Their words: UTF-8 (as JSON takes it), not too many. */
	if ((n = json_string(f.other)) == NULL ||
	    utf8_chars(f.other, strlen(f.other)) > PREFS_OTHER_MAX) {
		prefs_error(&f, "need-other", prefs_w(t, prefs_page_lang(t,
		    person), "error_needs"));
		f.other = "";
	}
	json_decref(n);
	if (*jstr(person, "phone") == '\0')
		c.in.quiet_start = c.in.quiet_end = -2;	/* keep */
	if (f.nerrors > 0) {
		prefs_render(t, ctx->conf, b, person, &f);
		page_send(req, PREFS_ROUTE, 422, b);
		evhttp_clear_headers(&q);
		goto out;
	}
	/* The choices and the needs ticked, saved as one. */
	want = NULL;
	if (shown) {
		want = json_array();
		json_array_foreach(f.needs, i, n)
			json_array_append_new(want, json_pack("{s:s, s:s}",
			    "need", json_string_value(n), "detail", ""));
		if (*f.other != '\0')
			json_array_append_new(want, json_pack("{s:s, s:s}",
			    "need", "other", "detail", f.other));
	}
	row = NULL;
	if (store_begin(ctx->store) != 0)
		cause_set(&cause, STORE_BUSY_CAUSE ": cannot begin");
	else {
		row = store_person_update(ctx->store, id, &c.in, &cause);
		if (row != NULL && want != NULL && store_need_standing_set(
		    ctx->store, id, want, "member", clock_now(), &cause) != 0) {
			json_decref(row);
			row = NULL;
		}
		if (store_end(ctx->store, row != NULL) != 0 && row != NULL) {
			cause_set(&cause, "database: cannot commit");
			json_decref(row);
			row = NULL;
		}
	}
	json_decref(want);
	if (row == NULL) {
		log_warnx("preferences of person %lld: %s", id, cause);
		/* Another program's write lock: try again in a moment. */
		if (cause != NULL && strncmp(cause, STORE_BUSY_CAUSE,
		    strlen(STORE_BUSY_CAUSE)) == 0)
			evhttp_add_header(evhttp_request_get_output_headers(
			    req), "Retry-After", "1");
		page_message(req, PREFS_ROUTE, 503, prefs_page_lang(t, person),
		    prefs_w(t, prefs_page_lang(t, person), "not_saved"),
		    prefs_w(t, prefs_page_lang(t, person), "not_saved_text"));
		evhttp_clear_headers(&q);
		goto out;
	}
	evhttp_clear_headers(&q);
	json_decref(standing);
	standing = store_need_standing(ctx->store, id, NULL);
	{
		char	*detail = xprintf("person %lld: %s, %s, %s", id,
		    jstr(row, "channels"), jstr(row, "style"),
		    jstr(row, "language"));

		store_audit(ctx->store, "preferences link", "update",
		    "person", detail);
		free(detail);
	}
	/* Planned a moment later: the page need not wait for it. */
	replan_person(ctx->replan, id);
	outbox_kick(ctx->outbox);
	prefs_saved(t, ctx->conf, b, row, standing, evhttp_uri_get_path(
	    evhttp_request_get_evhttp_uri(req)));
	json_decref(row);
	page_send(req, PREFS_ROUTE, 200, b);
out:
	json_decref(f.needs);
	json_decref(standing);
	person_checked_free(&c);
	free(cause);
	free(body);
	free(link);
	json_decref(person);
	evbuffer_free(b);
}

void
prefs_routes(struct http *h, struct convene_ctx *ctx)
{
	http_route_add(h, "/preferences/", PREFS_ROUTE,
	    HTTP_GET | EVHTTP_REQ_POST, HTTP_ROUTE_PREFIX, prefs_route, ctx);
}
