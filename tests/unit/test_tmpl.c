/*
 * test_tmpl.c: message templates: values filled in and escaped for mail
 * bodies, HTML, subjects and SMS; sections, standalone lines and
 * comments; every mistake reported with its file and line; the fallback
 * to English; and the templates convene ships.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>

#include "testlib.h"

#include "convene.h"
#include "log.h"
#include "tmpl.h"
#include "util.h"

/* The names the daemon passes to tmpl_load. */
static const char *const known[] = {
	"title", "when", "when_short", "old_when", "old_when_short", "venue",
	"address", "travel", "access", "online_link", "agenda", "reason",
	"rsvp_link", "code", "contact", "preferences_link", "group", "person",
	"lead", NULL
};

/* A meeting as it might really be, for the shipped templates. */
static const struct tmpl_var real[] = {
	{ "title", "DP Steering Group" },
	{ "when", "Thursday 12 March 2026, 6pm to 8pm" },
	{ "when_short", "Thu 12 Mar 18:00" },
	{ "old_when", "Tuesday 10 March 2026, 6pm to 8pm" },
	{ "old_when_short", "Tue 10 Mar 18:00" },
	{ "venue", "Civic Centre Room 2" },
	{ "address", "1 High Street, Anytown AB1 2CD" },
	{ "travel", "Bus 12 stops outside. The step-free door is on Park "
	    "Road." },
	{ "access", "step-free access and a hearing loop" },
	{ "online_link", "https://meet.example.org/dp-steering" },
	{ "agenda", "1. Direct Payments review\n2. Any other business" },
	{ "reason", "The room is not available." },
	{ "rsvp_link", "https://convene.example.org/r/K7Q2MX.9f8e7d6c" },
	{ "code", "K7Q2MX" },
	{ "replies", "1" },
	{ "contact", "Sam Patel, 020 7946 0123" },
	{ "preferences_link", "https://convene.example.org/p/9f8e7d6c" },
	{ "group", "the DP Steering Group" },
	{ "person", "Ana" },
	{ "lead", "tomorrow" },
	{ NULL, NULL }
};

static const char *const shipped[] = {
	"reminder.subject", "reminder.text", "reminder.sms",
	"update.subject", "update.text", "update.sms",
	"cancellation.subject", "cancellation.text", "cancellation.sms",
	NULL
};

/* A fresh folder under the test folder for one case; returns its path. */
static char *
case_dir(void)
{
	static int	 n;
	char		*dir;

	dir = xprintf("%s/case%d", test_dir, ++n);
	assert_int_equal(mkdir(dir, 0755), 0);
	return (dir);
}

/* Write DIR/lang/name.tmpl. */
static void
put(const char *dir, const char *lang, const char *name, const char *text)
{
	char	*sub, *rel;

	sub = xprintf("%s/%s", dir, lang);
	if (mkdir(sub, 0755) == -1)
		assert_int_equal(errno, EEXIST);
	rel = xprintf("%s/%s/%s.tmpl", dir + strlen(test_dir) + 1, lang,
	    name);
	test_file(rel, text, 0644);
	free(rel);
	free(sub);
}

/* Write DIR/rel, for files that are not templates. */
static void
put_other(const char *dir, const char *rel, const char *text)
{
	char	*r;

	r = xprintf("%s/%s", dir + strlen(test_dir) + 1, rel);
	test_file(r, text, 0644);
	free(r);
}

static struct tmpl_set *
load_ok(const char *dir)
{
	struct tmpl_set	*set;
	char		*cause = NULL;

	if ((set = tmpl_load(dir, known, NULL, &cause)) == NULL)
		fail_msg("%s", cause);
	assert_null(cause);
	return (set);
}

/* Load dir, which must fail; returns the cause, with DIR/ made "D/". */
static char *
load_bad(const char *dir)
{
	struct tmpl_set	*set;
	char		*cause = NULL, *at, *out;
	size_t		 len = strlen(dir);

	set = tmpl_load(dir, known, NULL, &cause);
	if (set != NULL)
		fail_msg("%s loaded, but should not have", dir);
	assert_non_null(cause);
	out = xcalloc(1, strlen(cause) + 1);
	for (at = cause; *at != '\0';) {
		if (strncmp(at, dir, len) == 0) {
			strcat(out, "D");
			at += len;
		} else
			strncat(out, at++, 1);
	}
	free(cause);
	return (out);
}

/* Render one English template of this name and text with these values. */
static char *
render_one(const char *name, const char *text, const struct tmpl_var *vars)
{
	struct tmpl_set	*set;
	const char	*used;
	char		*dir, *out, *cause = NULL;

	dir = case_dir();
	put(dir, "en", name, text);
	set = load_ok(dir);
	out = tmpl_render(set, "en", name, vars, &used, &cause);
	if (out == NULL)
		fail_msg("%s", cause);
	assert_string_equal(used, "en");
	tmpl_free(set);
	free(dir);
	return (out);
}

static void
expect(const char *name, const char *text, const struct tmpl_var *vars,
    const char *want)
{
	char	*got = render_one(name, text, vars);

	assert_string_equal(got, want);
	free(got);
}

static void
test_substitute(void **state)
{
	const struct tmpl_var	vars[] = {
		{ "person", "Ana" },
		{ "title", "DP Steering Group" },
		{ "when", "Thursday" },
		{ "code", NULL },
		{ "not_known", "ignored" },
		{ "person", "second value ignored" },
		{ NULL, NULL }
	};

	(void)state;
	expect("a.text", "Hello {{person}}, {{ title }} is on {{when}}."
	    "{{venue}}{{code}} { } }} {x}\n", vars,
	    "Hello Ana, DP Steering Group is on Thursday. { } }} {x}\n");
	expect("b.text", "[{{title}}]", NULL, "[]");
	expect("c.text", "", vars, "");
	expect("d.text", "{{title}}{{title}}", vars,
	    "DP Steering GroupDP Steering Group");
}

static void
test_escape_html(void **state)
{
	const struct tmpl_var	vars[] = {
		{ "title", "Tom & \"Jerry's\" <b>" },
		{ NULL, NULL }
	};

	(void)state;
	expect("a.html", "<p title=\"{{title}}\">{{title}}</p>\n", vars,
	    "<p title=\"Tom &amp; &quot;Jerry&#39;s&quot; &lt;b&gt;\">"
	    "Tom &amp; &quot;Jerry&#39;s&quot; &lt;b&gt;</p>\n");
}

static void
test_escape_subject(void **state)
{
	const struct tmpl_var	vars[] = {
		{ "title", "Hi\r\nBcc: x@y" },
		{ "when_short", "Thu\t12\x01\n\xe2\x80\xa8Mar\xc2\x85" },
		{ NULL, NULL }
	};
	char			*got, *dir, *cause;

	(void)state;
	got = render_one("reminder.subject", "Reminder: {{title}} on "
	    "{{when_short}}\n", vars);
	assert_string_equal(got, "Reminder: Hi  Bcc: x@y on Thu 12   Mar ");
	assert_null(strpbrk(got, "\r\n"));
	free(got);

	/* A subject template of two lines is refused. */
	dir = case_dir();
	put(dir, "en", "x.subject", "one\n{{title}}\n");
	cause = load_bad(dir);
	assert_string_equal(cause, "D/en/x.subject.tmpl:1: a subject is one "
	    "line; this template has more");
	free(cause);
	free(dir);
}

static void
test_escape_text(void **state)
{
	const struct tmpl_var	vars[] = {
		{ "agenda", "one\x01\ntwo\tthree\x7f\r\n\xc2\x85" "end\xff!" },
		{ "title", "DP" },
		{ NULL, NULL }
	};

	(void)state;
	expect("a.text", "[{{agenda}}]\n", vars,
	    "[one\ntwo\tthree\nend\xef\xbf\xbd!]\n");
	/* sms is text, less the newline that ends the file. */
	expect("a.sms", "[{{agenda}}] {{title}}\n", vars,
	    "[one\ntwo\tthree\nend\xef\xbf\xbd!] DP");
	expect("b.sms", "two\nlines\n\n", vars, "two\nlines\n");
	/* No escaping of markup outside html. */
	expect("a.easyread", "<{{title}}&>", vars, "<DP&>");
}

static void
test_sections(void **state)
{
	const char		*text = "{{#venue}}At {{venue}}{{#travel}} "
	    "({{travel}}){{/travel}}.{{/venue}}{{^venue}}Online"
	    "{{^online_link}} (link to follow){{/online_link}}.{{/venue}}";
	const struct tmpl_var	both[] = {
		{ "venue", "Hall" }, { "travel", "bus 12" }, { NULL, NULL }
	};
	const struct tmpl_var	venue[] = {
		{ "venue", "Hall" }, { "online_link", "x" }, { NULL, NULL }
	};
	const struct tmpl_var	empty[] = {
		{ "venue", "" }, { "travel", "bus 12" }, { NULL, NULL }
	};
	const struct tmpl_var	online[] = {
		{ "online_link", "x" }, { NULL, NULL }
	};

	(void)state;
	expect("a.text", text, both, "At Hall (bus 12).");
	expect("a.text", text, venue, "At Hall.");
	expect("a.text", text, empty, "Online (link to follow).");
	expect("a.text", text, online, "Online.");
	expect("a.text", text, NULL, "Online (link to follow).");

	/* Over several lines, with a tag and text on the same line. */
	expect("b.text", "a{{#venue}}\nb {{venue}}\n{{/venue}}c\n", venue,
	    "a\nb Hall\nc\n");
	expect("b.text", "a{{#venue}}\nb {{venue}}\n{{/venue}}c\n", NULL,
	    "ac\n");
	/* The same name twice, one after the other. */
	expect("c.text", "{{#venue}}1{{/venue}}{{^venue}}2{{/venue}}"
	    "{{#venue}}3{{/venue}}", venue, "13");
}

static void
test_standalone(void **state)
{
	const char		*text =
	    "Hello\n"
	    "{{#venue}}\n"
	    "  Where: {{venue}}\n"
	    "  {{#travel}}\n"
	    "  Travel: {{travel}}\n"
	    "  {{/travel}}\n"
	    "{{/venue}}\n"
	    "\t{{! a comment }}  \n"
	    "{{^venue}} {{#online_link}}\n"
	    "Online\n"
	    "{{/online_link}}{{/venue}}\n"
	    "{{! a comment\n"
	    "over two lines }}\n"
	    "Bye {{#venue}}now{{/venue}}\n"
	    "{{#code}}{{code}}{{/code}}\n"
	    "End\n"
	    "  {{! no newline after this }}";
	const struct tmpl_var	venue[] = {
		{ "venue", "Hall" }, { "travel", "bus" }, { NULL, NULL }
	};
	const struct tmpl_var	online[] = {
		{ "online_link", "x" }, { NULL, NULL }
	};

	(void)state;
	expect("a.text", text, venue,
	    "Hello\n  Where: Hall\n  Travel: bus\nBye now\n\nEnd\n");
	expect("a.text", text, online, "Hello\nOnline\nBye \n\nEnd\n");
	/* A line of only a tag at the very start, and one at the end. */
	expect("b.text", "{{#venue}}\n{{venue}}\n{{/venue}}", venue, "Hall\n");
	/* Text on the line keeps it; so does a {{name}}. */
	expect("c.text", "x {{#venue}}\n{{/venue}} y\n", venue, "x \n y\n");
	expect("d.text", " {{venue}} \n", NULL, "  \n");
}

static void
test_comments(void **state)
{
	(void)state;
	expect("a.text", "a{{! note }}b{{!x}}c{{ ! spaced }}d\n", NULL,
	    "abcd\n");
	/* Names in a comment are not checked; it ends at the first }}. */
	expect("b.text", "x{{! {{unknown_name }}y {{! a }} }}\n", NULL,
	    "xy  }}\n");
	expect("c.text", "x{{! one\ntwo }}y\n", NULL, "xy\n");
}

static void
test_unknown(void **state)
{
	char	*dir, *cause;

	(void)state;
	dir = case_dir();
	put(dir, "en", "a.text", "line one\nline two {{title}}\n\n"
	    "it is {{foo}}\n");
	cause = load_bad(dir);
	assert_string_equal(cause,
	    "D/en/a.text.tmpl:4: unknown placeholder {{foo}}");
	free(cause);
	free(dir);

	dir = case_dir();
	put(dir, "en", "a.text", "{{#title}}\n{{^bar}}\n{{/bar}}\n"
	    "{{/title}}\n{{ Title }}\n");
	cause = load_bad(dir);
	assert_string_equal(cause,
	    "D/en/a.text.tmpl:2: unknown placeholder {{^bar}}\n"
	    "D/en/a.text.tmpl:5: bad tag {{ Title }}: a name is lower-case "
	    "letters, digits and _, as in {{title}}");
	free(cause);
	free(dir);
}

/* One English template that must fail to load with this one mistake. */
static void
expect_error(const char *text, const char *want)
{
	char	*dir, *cause;

	dir = case_dir();
	put(dir, "en", "a.text", text);
	cause = load_bad(dir);
	assert_string_equal(cause, want);
	free(cause);
	free(dir);
}

static void
test_section_errors(void **state)
{
	(void)state;
	expect_error("a\n{{#venue}}\nb\n",
	    "D/en/a.text.tmpl:2: {{#venue}} is never closed");
	expect_error("{{#venue}}\n{{^travel}}\nx\n{{/venue}}\n",
	    "D/en/a.text.tmpl:4: {{/venue}} does not close {{^travel}} "
	    "from line 2");
	expect_error("{{#venue}}\nx\n{{/travel}}\n{{/venue}}\n",
	    "D/en/a.text.tmpl:3: {{/travel}} does not close {{#venue}} "
	    "from line 1");
	expect_error("x\n{{/venue}}\n",
	    "D/en/a.text.tmpl:2: {{/venue}} closes no section");
	expect_error("{{#venue}}{{#venue}}{{/venue}}\n",
	    "D/en/a.text.tmpl:1: {{#venue}} is inside a section of the same "
	    "name, opened on line 1");
	expect_error("ok\nHello {{title\n}}\n",
	    "D/en/a.text.tmpl:2: {{ is not closed with }} on its line");
	expect_error("ok\n\n{{! never closed\n",
	    "D/en/a.text.tmpl:3: comment {{! is never closed with }}");
	expect_error("{{{title}}}",
	    "D/en/a.text.tmpl:1: bad tag {{{title}}: a name is lower-case "
	    "letters, digits and _, as in {{title}}");
}

static void
test_all_errors(void **state)
{
	char	*dir, *cause, *p;
	int	 lines = 1;

	(void)state;
	dir = case_dir();
	put(dir, "en", "a.text", "{{foo}}\n{{#venue}}\n");
	put(dir, "en", "b.html", "fine\n\xff\n");
	put(dir, "en", "good.text", "{{title}}\n");
	put(dir, "fr", "c.text", "{{title}}\n");
	put(dir, "en_GB", "a.text", "{{title}}\n");
	put(dir, "en", "Bad", "x");
	cause = load_bad(dir);
	for (p = cause; *p != '\0'; p++)
		lines += *p == '\n';
	if (lines != 6)
		fail_msg("%d mistakes in \"%s\"", lines, cause);
	assert_non_null(strstr(cause,
	    "D/en/a.text.tmpl:1: unknown placeholder {{foo}}"));
	assert_non_null(strstr(cause,
	    "D/en/a.text.tmpl:2: {{#venue}} is never closed"));
	assert_non_null(strstr(cause,
	    "D/en/b.html.tmpl:2: not valid UTF-8 (byte 0xff)"));
	assert_non_null(strstr(cause,
	    "D: fr/c.text.tmpl has no en/c.text.tmpl to fall back on"));
	assert_non_null(strstr(cause,
	    "D/en_GB: not a language tag, such as en or pt-BR"));
	assert_non_null(strstr(cause, "D/en/Bad.tmpl: not a template name"));
	free(cause);
	free(dir);
}

/* What the renders of one test logged, in order. */
static char	*logged;

/* tmpl_render with stderr, where the log goes, kept in logged. */
static char *
render_logged(struct tmpl_set *set, const char *lang, const char *name,
    const char **used, char **cause)
{
	char	*path, *out, buf[1024], *all;
	FILE	*f;
	size_t	 n;
	int	 fd, saved;

	path = xprintf("%s/stderr", test_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd != -1);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved != -1 && dup2(fd, 2) != -1);
	close(fd);
	out = tmpl_render(set, lang, name, NULL, used, cause);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);

	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	all = xprintf("%s%s", logged ? logged : "", buf);
	free(logged);
	logged = all;
	free(path);
	return (out);
}

/* Render lang/name and check the text and the language used. */
static void
expect_lang(struct tmpl_set *set, const char *lang, const char *name,
    const char *want, const char *want_lang)
{
	const char	*used = "unset";
	char		*got, *cause = NULL;

	got = render_logged(set, lang, name, &used, &cause);
	if (got == NULL)
		fail_msg("%s", cause);
	assert_string_equal(got, want);
	assert_string_equal(used, want_lang);
	free(got);
}

static void
test_fallback(void **state)
{
	struct tmpl_set	*set;
	char		*dir, *want, *got, *cause = NULL;

	(void)state;
	dir = case_dir();
	put(dir, "en", "r.text", "Hello");
	put(dir, "en", "only.text", "English");
	put(dir, "fr", "r.text", "Bonjour");
	put(dir, "pt", "r.text", "Ol\xc3\xa1");
	set = load_ok(dir);
	assert_int_equal(tmpl_count(set), 4);

	expect_lang(set, "fr", "r.text", "Bonjour", "fr");
	expect_lang(set, "FR", "r.text", "Bonjour", "fr");
	expect_lang(set, "de", "r.text", "Hello", "en");
	expect_lang(set, "de", "r.text", "Hello", "en");
	expect_lang(set, "pt-BR", "r.text", "Ol\xc3\xa1", "pt");
	expect_lang(set, "pt-BR", "r.text", "Ol\xc3\xa1", "pt");
	expect_lang(set, "fr", "only.text", "English", "en");
	expect_lang(set, "fr", "only.text", "English", "en");
	expect_lang(set, "en-GB", "r.text", "Hello", "en");
	expect_lang(set, NULL, "r.text", "Hello", "en");
	expect_lang(set, "", "r.text", "Hello", "en");
	expect_lang(set, "x\ny", "r.text", "Hello", "en");
	expect_lang(set, "x\ny", "r.text", "Hello", "en");
	got = render_logged(set, "fr", "r.text", NULL, &cause);
	assert_string_equal(got, "Bonjour");
	free(got);

	/* Each fallback logged once, and nothing else. */
	want = xprintf("convened: no de/r.text.tmpl in %s; using en\n"
	    "convened: no pt-BR/r.text.tmpl in %s; using pt\n"
	    "convened: no fr/only.text.tmpl in %s; using en\n"
	    "convened: no en-GB/r.text.tmpl in %s; using en\n"
	    "convened: template r.text asked for in a language that is not "
	    "a tag; using en\n", dir, dir, dir, dir);
	assert_string_equal(logged, want);
	free(want);
	free(logged);
	logged = NULL;

	assert_true(tmpl_exists(set, "fr", "r.text"));
	assert_true(tmpl_exists(set, "FR", "r.text"));
	assert_true(tmpl_exists(set, "en", "only.text"));
	assert_true(tmpl_exists(set, NULL, "only.text"));
	assert_false(tmpl_exists(set, "de", "r.text"));
	assert_false(tmpl_exists(set, "fr", "only.text"));
	assert_false(tmpl_exists(set, "fr-CA", "r.text"));
	assert_false(tmpl_exists(set, "en", "r"));
	tmpl_free(set);
	free(dir);
}

static void
test_utf8(void **state)
{
	const struct tmpl_var	vars[] = {
		{ "title", "X" }, { "venue", "Y" }, { NULL, NULL }
	};

	(void)state;
	expect_error("ok\n\xc3\x28 bad\n",
	    "D/en/a.text.tmpl:2: not valid UTF-8 (byte 0xc3); save the file "
	    "as UTF-8");
	expect_error("overlong \xc0\xaf\n",
	    "D/en/a.text.tmpl:1: not valid UTF-8 (byte 0xc0); save the file "
	    "as UTF-8");
	expect_error("\n\nsurrogate \xed\xa0\x80\n",
	    "D/en/a.text.tmpl:3: not valid UTF-8 (byte 0xed); save the file "
	    "as UTF-8");
	expect_error("cut short \xe2\x82",
	    "D/en/a.text.tmpl:1: not valid UTF-8 (byte 0xe2); save the file "
	    "as UTF-8");
	expect_error("a\nb\x01\n",
	    "D/en/a.text.tmpl:2: control character U+0001; templates are "
	    "plain text");
	expect_error("a\rb\n",
	    "D/en/a.text.tmpl:1: control character U+000D; templates are "
	    "plain text");
	expect("a.text", "Caf\xc3\xa9 \xe2\x80\x93 \xe6\x97\xa5 "
	    "\xf0\x9f\x98\x80 {{title}}\n", vars,
	    "Caf\xc3\xa9 \xe2\x80\x93 \xe6\x97\xa5 \xf0\x9f\x98\x80 X\n");
	/* A byte order mark and CR LF line ends, as some editors save. */
	expect("b.text", "\xef\xbb\xbfHi {{title}}\r\n{{#venue}}\r\n"
	    "At {{venue}}\r\n{{/venue}}\r\n", vars, "Hi X\nAt Y\n");
}

static void
test_missing(void **state)
{
	struct tmpl_set	*set;
	const char	*used = "unset";
	char		*dir, *cause = NULL, *got;

	(void)state;
	/* No English at all. */
	dir = case_dir();
	put(dir, "fr", "r.text", "Bonjour");
	cause = load_bad(dir);
	assert_string_equal(cause, "D: no templates in D/en; English ones "
	    "are needed to fall back on");
	free(cause);
	free(dir);

	/* An en folder with no templates in it. */
	dir = case_dir();
	put(dir, "fr", "r.text", "Bonjour");
	got = xprintf("%s/en", dir);
	assert_int_equal(mkdir(got, 0755), 0);
	free(got);
	put_other(dir, "en/README", "x");
	cause = load_bad(dir);
	assert_string_equal(cause, "D: no templates in D/en; English ones "
	    "are needed to fall back on");
	free(cause);
	free(dir);

	/* No folder: English as built in, which fits the daemon's names. */
	dir = xprintf("%s/nowhere", test_dir);
	if ((set = tmpl_load(dir, msg_vars, msg_words, &cause)) == NULL)
		fail_msg("%s", cause);
	assert_true(tmpl_exists(set, "en", "reminder.text"));
	assert_false(tmpl_exists(set, "cy", "reminder.text"));
	assert_string_equal(tmpl_word_exact(set, "en", "date.clock"),
	    "{h}{ampm}");
	tmpl_free(set);
	free(dir);

	/* A path that cannot be a folder is not a missing one. */
	test_file("plain", "x", 0644);
	dir = xprintf("%s/plain/nowhere", test_dir);
	cause = load_bad(dir);
	assert_string_equal(cause, "D: cannot read: Not a directory");
	free(cause);
	free(dir);

	/* A template English lacks: NULL, a reason, no language. */
	dir = case_dir();
	put(dir, "en", "r.text", "Hello");
	put(dir, "fr", "r.text", "Bonjour");
	set = load_ok(dir);
	cause = NULL;
	assert_null(tmpl_render(set, "fr", "nope.text", NULL, &used, &cause));
	assert_null(used);
	assert_non_null(cause);
	got = xprintf("%s/en/nope.text.tmpl: no such template", dir);
	assert_string_equal(cause, got);
	free(got);
	free(cause);
	tmpl_free(set);
	free(dir);
}

static void
test_names(void **state)
{
	struct tmpl_set	*set;
	char		*dir;

	(void)state;
	/* Files that are not templates, and a README beside en/. */
	dir = case_dir();
	put(dir, "en", "r.text", "Hello");
	put(dir, "pt-BR", "r.text", "Ol\xc3\xa1");
	put_other(dir, "README", "x");
	put(dir, "en", ".hidden", "{{broken");
	put_other(dir, "en/notes.txt", "{{broken");
	put_other(dir, "en/r.text.tmpl~", "{{broken");
	set = load_ok(dir);
	assert_int_equal(tmpl_count(set), 2);
	assert_true(tmpl_exists(set, "pt-br", "r.text"));
	tmpl_free(set);
	free(dir);
}

/* What looks wrong in a rendered message, such as a gap; or NULL. */
static const char *
gap(const char *name, const char *got)
{
	size_t	len = strlen(got);

	if (strstr(got, "  ") != NULL || strstr(got, " ,") != NULL ||
	    strstr(got, " .") != NULL || strstr(got, " \n") != NULL)
		return ("has a space out of place");
	if (strstr(got, "\n\n\n") != NULL)
		return ("has two blank lines together");
	if (strstr(got, ":\n\n") != NULL || strstr(got, ":\n") == got +
	    len - 2)
		return ("has a label with nothing after it");
	if (strstr(name, ".text") == NULL)
		return (NULL);
	if (strncmp(got, "Hello", 5) != 0)
		return ("does not start with Hello");
	if (len < 2 || got[len - 1] != '\n' || got[len - 2] == '\n')
		return ("does not end with one newline");
	return (NULL);
}

static void
test_shipped(void **state)
{
	struct tmpl_set		*set;
	const char		*top, *used, *const *name, *p;
	const struct tmpl_var	 bare[] = {
		{ "title", "DP Steering Group" },
		{ "when", "Thursday 12 March 2026, 6pm to 8pm" },
		{ "when_short", "Thu 12 Mar 18:00" },
		{ "rsvp_link", "" },
		{ NULL, NULL }
	};
	char			*dir, *got, *cause = NULL;
	const char		*why;

	(void)state;
	if ((top = getenv("top_srcdir")) == NULL)
		top = ".";
	dir = xprintf("%s/conf/templates", top);
	/* The daemon's own names: the shipped set has words.ini too. */
	if ((set = tmpl_load(dir, msg_vars, msg_words, &cause)) == NULL)
		fail_msg("%s", cause);
	/* These nine at least; others may come with other messages. */
	assert_true(tmpl_count(set) >= 9);

	for (name = shipped; *name != NULL; name++) {
		assert_true(tmpl_exists(set, "en", *name));
		got = tmpl_render(set, "en", *name, real, &used, &cause);
		assert_non_null(got);
		assert_string_equal(used, "en");
		if (strstr(got, "{{") != NULL || strstr(got, "}}") != NULL)
			fail_msg("%s:\n%s", *name, got);
		if ((why = gap(*name, got)) != NULL)
			fail_msg("%s %s:\n%s", *name, why, got);
		if (strstr(*name, ".text") == NULL &&
		    strchr(got, '\n') != NULL)
			fail_msg("%s is not one line:\n%s", *name, got);
		if (strstr(*name, ".text") != NULL &&
		    (strstr(got, "DP Steering Group") == NULL ||
		    strstr(got, "Sam Patel") == NULL ||
		    strstr(got, "https://convene.example.org/p/") == NULL))
			fail_msg("%s lacks what it must say:\n%s", *name, got);
		free(got);

		/* With only what every meeting has, still no gaps. */
		got = tmpl_render(set, "en", *name, bare, &used, &cause);
		assert_non_null(got);
		if ((why = gap(*name, got)) != NULL)
			fail_msg("%s %s:\n%s", *name, why, got);
		free(got);
	}

	got = tmpl_render(set, "en", "reminder.subject", real, &used, &cause);
	assert_string_equal(got, "Reminder: DP Steering Group on "
	    "Thu 12 Mar 18:00");
	free(got);
	got = tmpl_render(set, "en", "reminder.text", real, &used, &cause);
	assert_non_null(strstr(got, "\n\nThis is a reminder: DP Steering "
	    "Group is tomorrow.\n\nWhen: Thursday 12 March 2026, 6pm to 8pm"
	    "\nWhere: Civic Centre Room 2\n"));
	free(got);

	/* One SMS: 160 characters of GSM-7 (one byte each in ASCII). */
	for (name = shipped; *name != NULL; name++) {
		if (strstr(*name, ".sms") == NULL)
			continue;
		got = tmpl_render(set, "en", *name, real, &used, &cause);
		if (strlen(got) > 160)
			fail_msg("%s is %zu long: %s", *name, strlen(got), got);
		for (p = got; *p != '\0'; p++) {
			if ((unsigned char)*p < 0x20 || (unsigned char)*p >
			    0x7e || strchr("`[\\]^{|}~", *p) != NULL)
				fail_msg("%s: '%c' is not basic GSM-7: %s",
				    *name, *p, got);
		}
		free(got);
	}
	got = tmpl_render(set, "en", "reminder.sms", real, &used, &cause);
	assert_string_equal(got, "Reminder: DP Steering Group, "
	    "Thu 12 Mar 18:00, Civic Centre Room 2. Can you come? Reply "
	    "YES K7Q2MX, NO K7Q2MX or MAYBE K7Q2MX.");
	free(got);
	tmpl_free(set);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_substitute),
		cmocka_unit_test(test_escape_html),
		cmocka_unit_test(test_escape_subject),
		cmocka_unit_test(test_escape_text),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_standalone),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_section_errors),
		cmocka_unit_test(test_all_errors),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_shipped),
	};

	log_init(LOG_TARGET_STDERR, 0);
	return (cmocka_run_group_tests_name("tmpl", tests, test_setup_dir,
	    test_remove_dir));
}
