/*
 * msg_html.c: the HTML part of an email, built from the rendered text of
 * the same style (see msg.c), so that the two parts cannot say different
 * things and a translator edits one file.
 *
 * The HTML part is never written by hand.  Blank lines part paragraphs;
 * "Label: value" lines (a label of three words at most) make a
 * definition list; "- " lines a list; a line ending in ":" is set in
 * bold; http and https addresses become links showing the address.
 * Everything is HTML-escaped, the document carries the language and its
 * direction, a heading that is the subject, and a small style sheet for
 * the style; no images, nothing fetched.  Plain style has no HTML part.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "convene.h"
#include "util.h"

#define MSG_LABEL_WORDS	3			/* "Label: value" */

/* A style sheet for each style that has an HTML part. */
static const char *const msg_css[] = {
	/* standard */
	"body{margin:0;padding:0;background:#ffffff;color:#1a1a1a}\n"
	".m{font-family:Arial,Helvetica,sans-serif;font-size:1rem;"
	"line-height:1.5;max-width:70ch;margin:0 auto;padding:1rem;"
	"overflow-wrap:anywhere;word-wrap:break-word}\n"
	"h1{font-size:1.5rem;line-height:1.3;margin:0 0 1rem}\n"
	"p,ul,dl{margin:0 0 1rem}\n"
	"dt{font-weight:bold}\n"
	"dd{margin:0 0 0.5rem}\n"
	"a{color:#0b57d0;text-decoration:underline}\n",
	/* plain: no HTML */
	NULL,
	/* large */
	"body{margin:0;padding:0;background:#ffffff;color:#1a1a1a}\n"
	".m{font-family:Arial,Helvetica,sans-serif;font-size:1.5rem;"
	"line-height:1.6;max-width:40ch;margin:0 auto;padding:1.5rem;"
	"overflow-wrap:anywhere;word-wrap:break-word}\n"
	"h1{font-size:2rem;line-height:1.3;margin:0 0 1.5rem}\n"
	"p,ul,dl{margin:0 0 1.5rem}\n"
	"li{margin:0 0 0.75rem}\n"
	"dt{font-weight:bold}\n"
	"dd{margin:0 0 1rem}\n"
	"a{color:#0b57d0;text-decoration:underline}\n",
	/* easyread */
	"body{margin:0;padding:0;background:#fffdf5;color:#1a1a1a}\n"
	".m{font-family:Arial,Helvetica,sans-serif;font-size:1.5rem;"
	"line-height:1.8;max-width:36ch;margin:0 auto;padding:1.5rem;"
	"overflow-wrap:anywhere;word-wrap:break-word}\n"
	"h1{font-size:1.75rem;line-height:1.4;margin:0 0 2rem}\n"
	"p,ul,dl{margin:0 0 2rem}\n"
	"li{margin:0 0 1rem}\n"
	"dt{font-weight:bold}\n"
	"dd{margin:0 0 1.25rem}\n"
	"a{color:#0b57d0;text-decoration:underline}\n"
};

/*
 * Inline on the outer block too, for mail readers that drop <style>.
 * A long web address breaks anywhere rather than run past the column
 * (word-wrap is the older name some readers know).
 */
static const char *const msg_inline[] = {
	"font-size:1rem;line-height:1.5;max-width:70ch;"
	"overflow-wrap:anywhere;word-wrap:break-word",
	NULL,
	"font-size:1.5rem;line-height:1.6;max-width:40ch;"
	"overflow-wrap:anywhere;word-wrap:break-word",
	"font-size:1.5rem;line-height:1.8;max-width:36ch;"
	"overflow-wrap:anywhere;word-wrap:break-word"
};

/* Escape n bytes for HTML text and attributes alike. */
static void
msg_esc(struct msg_buf *b, const char *s, size_t n)
{
	size_t	i, from = 0;

	for (i = 0; i < n; i++) {
		const char	*rep = html_entity((unsigned char)s[i]);

		if (rep == NULL)
			continue;
		msg_add(b, s + from, i - from);
		msg_adds(b, rep);
		from = i + 1;
	}
	msg_add(b, s + from, n - from);
}

/* Length of an http(s) address at s, less trailing punctuation; or 0. */
size_t
msg_url(const char *s, size_t n)
{
	size_t	len;

	if (n > 8 && strncmp(s, "https://", 8) == 0)
		len = 8;
	else if (n > 7 && strncmp(s, "http://", 7) == 0)
		len = 7;
	else
		return (0);
	while (len < n && (unsigned char)s[len] > ' ' &&
	    strchr("<>\"'", s[len]) == NULL)
		len++;
	while (len > 0 && strchr(".,;:!?)", s[len - 1]) != NULL)
		len--;
	return (strchr(":/", s[len - 1]) != NULL &&
	    strncmp(s + len - 3, "://", 3) == 0 ? 0 : len);
}

/* Text escaped, with each web address made a link showing itself. */
static void
msg_html_text(struct msg_buf *b, const char *s, size_t n)
{
	size_t	i, from = 0, u;

	for (i = 0; i < n; i++) {
		if ((i > 0 && s[i - 1] != ' ' && s[i - 1] != '(') ||
		    (u = msg_url(s + i, n - i)) == 0)
			continue;
		msg_esc(b, s + from, i - from);
		msg_adds(b, "<a dir=\"ltr\" href=\"");
		msg_esc(b, s + i, u);
		msg_adds(b, "\">");
		msg_esc(b, s + i, u);
		msg_adds(b, "</a>");
		i += u - 1;
		from = i + 1;
	}
	msg_esc(b, s + from, n - from);
}

enum msg_line {
	MSG_LINE_TEXT,
	MSG_LINE_ITEM,
	MSG_LINE_LABEL
};

/* What a line is; for a label, the length of the label before ": ". */
static enum msg_line
msg_line_kind(const char *s, size_t n, size_t *label)
{
	const char	*c;
	size_t		 i, words = 1;

	if (n >= 2 && s[0] == '-' && s[1] == ' ')
		return (MSG_LINE_ITEM);
	for (c = NULL, i = 0; i + 1 < n; i++) {
		if (s[i] == ':' && s[i + 1] == ' ') {
			c = s + i;
			break;
		}
		if (s[i] == ' ')
			words++;
		if (strchr(".!?/", s[i]) != NULL)
			return (MSG_LINE_TEXT);
	}
	if (c == NULL || c == s || words > MSG_LABEL_WORDS ||
	    s[0] == ' ' || c[-1] == ' ' || i + 2 >= n)
		return (MSG_LINE_TEXT);
	*label = c - s;
	return (MSG_LINE_LABEL);
}

/*
 * One paragraph's lines: runs of text, list items and labels.  Two or
 * more labels together are a definition list (the key facts); a label
 * alone is a line of text with the label in bold.
 */
static void
msg_html_para(struct msg_buf *b, const char *s, size_t n)
{
	enum msg_line	*kinds, open = MSG_LINE_TEXT;
	const char	*line, *nl;
	size_t		*labels, len, i, nlines = 1;

	for (i = 0; i < n; i++)
		nlines += s[i] == '\n';
	kinds = xcalloc(nlines, sizeof *kinds);
	labels = xcalloc(nlines, sizeof *labels);
	for (i = 0, line = s; line < s + n; line = nl + 1, i++) {
		if ((nl = memchr(line, '\n', s + n - line)) == NULL)
			nl = s + n;
		kinds[i] = msg_line_kind(line, nl - line, &labels[i]);
	}
	nlines = i;
	for (i = 0; i < nlines; i++) {
		if (kinds[i] == MSG_LINE_LABEL &&
		    (i == 0 || kinds[i - 1] != MSG_LINE_LABEL) &&
		    (i + 1 == nlines || kinds[i + 1] != MSG_LINE_LABEL))
			kinds[i] = MSG_LINE_TEXT;	/* labels[i] kept */
		else if (kinds[i] != MSG_LINE_LABEL)
			labels[i] = 0;
	}
	for (i = 0, line = s; i < nlines; line = nl + 1, i++) {
		if ((nl = memchr(line, '\n', s + n - line)) == NULL)
			nl = s + n;
		len = nl - line;
		if (i > 0 && kinds[i] != open)
			msg_adds(b, open == MSG_LINE_ITEM ? "</ul>\n" :
			    open == MSG_LINE_LABEL ? "</dl>\n" : "</p>\n");
		if (i == 0 || kinds[i] != open)
			msg_adds(b, kinds[i] == MSG_LINE_ITEM ? "<ul>\n" :
			    kinds[i] == MSG_LINE_LABEL ? "<dl>\n" : "<p>");
		else if (kinds[i] == MSG_LINE_TEXT)
			msg_adds(b, "<br>\n");
		switch (kinds[i]) {
		case MSG_LINE_ITEM:
			msg_adds(b, "<li>");
			msg_html_text(b, line + 2, len - 2);
			msg_adds(b, "</li>\n");
			break;
		case MSG_LINE_LABEL:
			msg_adds(b, "<dt>");
			msg_esc(b, line, labels[i]);
			msg_adds(b, "</dt>\n<dd>");
			msg_html_text(b, line + labels[i] + 2,
			    len - labels[i] - 2);
			msg_adds(b, "</dd>\n");
			break;
		case MSG_LINE_TEXT:
			if (labels[i] > 0) {
				msg_adds(b, "<strong>");
				msg_esc(b, line, labels[i] + 1);
				msg_adds(b, "</strong>");
				msg_html_text(b, line + labels[i] + 1,
				    len - labels[i] - 1);
			} else if (len > 1 && line[len - 1] == ':') {
				msg_adds(b, "<strong>");
				msg_html_text(b, line, len);
				msg_adds(b, "</strong>");
			} else
				msg_html_text(b, line, len);
			break;
		}
		open = kinds[i];
	}
	if (nlines > 0)
		msg_adds(b, open == MSG_LINE_ITEM ? "</ul>\n" :
		    open == MSG_LINE_LABEL ? "</dl>\n" : "</p>\n");
	free(kinds);
	free(labels);
}

/* The HTML part: a whole document made from the text of the message. */
char *
msg_html(const char *text, const char *subject, const char *lang,
    enum msg_style style)
{
	struct msg_buf	 b = { NULL, 0, 0 };
	const char	*p, *end, *dir = msg_is_rtl(lang) ? "rtl" : "ltr";
	size_t		 n;

	msg_adds(&b, "<!DOCTYPE html>\n<html lang=\"");
	msg_esc(&b, lang, strlen(lang));
	msg_adds(&b, "\" dir=\"");
	msg_adds(&b, dir);
	msg_adds(&b, "\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>");
	msg_esc(&b, subject, strlen(subject));
	msg_adds(&b, "</title>\n<style>\n");
	msg_adds(&b, msg_css[style]);
	msg_adds(&b, "</style>\n</head>\n<body>\n<div class=\"m\" "
	    "role=\"article\" lang=\"");
	msg_esc(&b, lang, strlen(lang));
	msg_adds(&b, "\" dir=\"");
	msg_adds(&b, dir);
	msg_adds(&b, "\" style=\"");
	msg_adds(&b, msg_inline[style]);
	msg_adds(&b, "\">\n<h1>");
	msg_esc(&b, subject, strlen(subject));
	msg_adds(&b, "</h1>\n");
	for (p = text; *p != '\0'; p = end) {
		/* A paragraph ends at a line of nothing but blanks. */
		for (end = p; *end != '\0'; end++) {
			if (*end == '\n' && (end[1 + strspn(end + 1, " \t")] ==
			    '\n' || end[1 + strspn(end + 1, " \t")] == '\0'))
				break;
		}
		n = end - p;
		if (n > 0 && p[strspn(p, " \t\n")] != '\0' &&
		    (size_t)strspn(p, " \t\n") < n)
			msg_html_para(&b, p, n);
		while (*end == '\n' || *end == ' ' || *end == '\t')
			end++;
	}
	msg_adds(&b, "</div>\n</body>\n</html>\n");
	return (b.p);
}
