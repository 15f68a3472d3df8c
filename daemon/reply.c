/*
 * reply.c: reading a text message sent back to convene.  People answer
 * a reminder as they type: "Yes!", " yes m2 ", "YES, M2", "Ie", "نعم".
 * The text is made into words first (letters and digits, lower case,
 * Arabic-Indic digits as ASCII, Arabic vowel marks dropped, an alef
 * with a hamza as a bare alef, everything else a space), then it must
 * be one known word, or phrase, with at most a meeting code before or
 * after it.  Nothing here knows of the store or the daemon: the words
 * come from the caller.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reply.h"
#include "tmpl.h"

/* Longest word or phrase of a words file that is looked at. */
#define REPLY_WORD_MAX	128

/* The English understood whatever the language. */
static const struct reply_words reply_english = {
	"yes, y", "no, n", "maybe", "stop, stopall, unsubscribe",
	"start, unstop", "help"
};

/* One code point at s (len > 0); its length, at least 1. */
static size_t
reply_utf8(const unsigned char *s, size_t len, unsigned int *cp)
{
	unsigned int	c = s[0], min;
	size_t		n, i;

	*cp = 0xfffd;
	if (c < 0x80) {
		*cp = c;
		return (1);
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return (1);
	if (n > len)
		return (1);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (1);
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return (1);
	*cp = c;
	return (n);
}

static size_t
reply_put(unsigned int c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return (1);
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return (2);
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return (3);
	}
	out[0] = (char)(0xf0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return (4);
}

/* Marks inside a word that change nothing: Arabic vowels, joiners. */
static int
reply_ignored(unsigned int c)
{
	return (c == 0x0640 || (c >= 0x064b && c <= 0x065f) ||
	    c == 0x0670 || (c >= 0x200b && c <= 0x200f) ||
	    (c >= 0x2060 && c <= 0x2064) || c == 0xfeff);
}

/* Signs and spaces that part words. */
static int
reply_separator(unsigned int c)
{
	if (c < 0x80)
		return (!isalnum((unsigned char)c));
	return ((c >= 0x80 && c <= 0xbf) || c == 0xd7 || c == 0xf7 ||
	    c == 0x060c || c == 0x061b || c == 0x061f ||
	    (c >= 0x066a && c <= 0x066d) || c == 0x06d4 ||
	    (c >= 0x2000 && c <= 0x206f) || (c >= 0x2190 && c <= 0x2bff) ||
	    (c >= 0x3000 && c <= 0x303f) || (c >= 0xff01 && c <= 0xff0f) ||
	    (c >= 0xff1a && c <= 0xff20) || c >= 0x1f000 || c == 0xfffd);
}

/*
 * The same letter in lower case, for the Latin letters Welsh uses; an
 * Arabic alef with a hamza or madda as the bare alef many people type.
 */
static unsigned int
reply_lower(unsigned int c)
{
	if (c == 0x0622 || c == 0x0623 || c == 0x0625)
		return (0x0627);
	if (c < 0x80)
		return ((unsigned int)tolower((int)c));
	if (c >= 0xc0 && c <= 0xde && c != 0xd7)
		return (c + 0x20);
	if (c == 0x0174 || c == 0x0176)
		return (c + 1);
	if (c == 0x0178)
		return (0xff);
	return (c);
}

static int
reply_digit(unsigned int c)
{
	if (c >= 0x0660 && c <= 0x0669)
		return ((int)(c - 0x0660));
	if (c >= 0x06f0 && c <= 0x06f9)
		return ((int)(c - 0x06f0));
	if (c >= 0xff10 && c <= 0xff19)
		return ((int)(c - 0xff10));
	return (-1);
}

/*
 * The words of in, in lower case, one space between them and none
 * around: out needs len + 1 bytes.  Returns the length.
 */
static size_t
reply_norm(const char *in, size_t len, char *out)
{
	const unsigned char	*s = (const unsigned char *)in;
	unsigned int		 c;
	size_t			 i = 0, n, o = 0;
	int			 d, space = 0;

	while (i < len) {
		n = reply_utf8(s + i, len - i, &c);
		i += n;
		if (reply_ignored(c))
			continue;
		if (reply_separator(c)) {
			space = o > 0;
			continue;
		}
		if (space) {
			out[o++] = ' ';
			space = 0;
		}
		if ((d = reply_digit(c)) >= 0)
			out[o++] = (char)('0' + d);
		else
			o += reply_put(reply_lower(c), out + o);
	}
	out[o] = '\0';
	return (o);
}

/*
 * A meeting code at *pos of the words t: "m2" or "m 2".  Returns 1 and
 * moves *pos past it (and a space after), 0 when there is none, -1 for
 * a code that names no meeting (M0, too many digits).
 */
static int
reply_code(const char *t, size_t *pos, long long *code)
{
	const char	*p = t + *pos, *d, *e;
	long long	 v = 0;

	if (p[0] != 'm')
		return (0);
	d = p + 1;
	if (*d == ' ')
		d++;
	e = d + strspn(d, "0123456789");
	if (e == d || (*e != '\0' && *e != ' '))
		return (0);
	if (e - d > 18)
		return (-1);
	for (; d < e; d++)
		v = v * 10 + (*d - '0');
	if (v <= 0)
		return (-1);
	*code = v;
	*pos = (size_t)(e - t) + (*e == ' ');
	return (1);
}

/* The length of the longest word of list that t starts with, or 0. */
static size_t
reply_match(const char *list, const char *t)
{
	const char	*p, *e;
	char		 w[REPLY_WORD_MAX + 1];
	size_t		 n, best = 0;

	if (list == NULL)
		return (0);
	for (p = list; *p != '\0'; p = *e == ',' ? e + 1 : e) {
		e = p + strcspn(p, ",");
		if ((size_t)(e - p) > REPLY_WORD_MAX)
			continue;
		n = reply_norm(p, (size_t)(e - p), w);
		if (n > best && strncmp(t, w, n) == 0 &&
		    (t[n] == '\0' || t[n] == ' '))
			best = n;
	}
	return (best);
}

/* The longest word at t in one set; keeps the first of equal lengths. */
static void
reply_best(const struct reply_words *rw, const char *t, size_t *best,
    enum reply_kind *kind, const char **answer)
{
	const struct {
		const char	*list;
		enum reply_kind	 kind;
		const char	*answer;
	} k[] = {
		{ rw->yes, REPLY_ANSWER, "yes" },
		{ rw->no, REPLY_ANSWER, "no" },
		{ rw->maybe, REPLY_ANSWER, "maybe" },
		{ rw->stop, REPLY_STOP, NULL },
		{ rw->start, REPLY_START, NULL },
		{ rw->help, REPLY_HELP, NULL },
	};
	size_t	i, n;

	for (i = 0; i < sizeof k / sizeof k[0]; i++) {
		if ((n = reply_match(k[i].list, t)) > *best) {
			*best = n;
			*kind = k[i].kind;
			*answer = k[i].answer;
		}
	}
}

void
reply_parse(const char *text, size_t len, const struct reply_words *words,
    size_t nwords, struct reply *out)
{
	char		 t[REPLY_MAX + 1];
	const char	*answer = NULL;
	enum reply_kind	 kind = REPLY_UNKNOWN;
	long long	 code = 0;
	size_t		 i, pos = 0, best = 0;
	int		 rc;

	memset(out, 0, sizeof *out);
	out->kind = REPLY_UNKNOWN;
	if (text == NULL)
		return;
	if (len > REPLY_MAX)
		len = REPLY_MAX;
	reply_norm(text, len, t);

	if ((rc = reply_code(t, &pos, &code)) < 0)
		return;
	for (i = 0; i < nwords; i++)
		reply_best(&words[i], t + pos, &best, &kind, &answer);
	reply_best(&reply_english, t + pos, &best, &kind, &answer);
	if (best == 0)
		return;
	pos += best;
	if (t[pos] == ' ')
		pos++;
	if (rc == 0 && reply_code(t, &pos, &code) < 0)
		return;
	if (t[pos] != '\0')
		return;
	out->kind = kind;
	out->answer = answer;
	out->code = code;
}

size_t
reply_words_get(struct tmpl_set *set, const char *lang,
    struct reply_words out[2])
{
	size_t	n = 0;

	if (lang == NULL || *lang == '\0')
		lang = TMPL_FALLBACK;
	for (;;) {
		out[n].yes = tmpl_word_exact(set, lang, "reply.yes");
		out[n].no = tmpl_word_exact(set, lang, "reply.no");
		out[n].maybe = tmpl_word_exact(set, lang, "reply.maybe");
		out[n].stop = tmpl_word_exact(set, lang, "reply.stop");
		out[n].start = tmpl_word_exact(set, lang, "reply.start");
		out[n].help = tmpl_word_exact(set, lang, "reply.help");
		n++;
		if (n == 2 || strcmp(lang, TMPL_FALLBACK) == 0)
			break;
		lang = TMPL_FALLBACK;
	}
	return (n);
}

const char *
reply_kind_name(enum reply_kind kind)
{
	switch (kind) {
	case REPLY_ANSWER:
		return ("answer");
	case REPLY_STOP:
		return ("stop");
	case REPLY_START:
		return ("start");
	case REPLY_HELP:
		return ("help");
	default:
		return ("unknown");
	}
}
