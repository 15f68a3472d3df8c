/*
 * phone.c: phone numbers as coordinators type them into spreadsheets, made
 * into E.164 for the SMS gateway.
 *
 * "07700 900123", "+44 (0)20 7946 0000" and "0044 20 7946 0000" are all
 * ordinary to a person; the gateway wants "+447700900123".  Spaces, tabs,
 * hyphens, dots and parentheses are dropped, and so are the no-break
 * spaces and dashes that word processors put in.  Anything else is
 * refused, with the number and the reason in words a coordinator can act
 * on: a number guessed at is a reminder sent to a stranger.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "phone.h"
#include "util.h"

#define PHONE_MIN_DIGITS	8	/* E.164, with the country code */
#define PHONE_MAX_DIGITS	15
#define PHONE_SCAN		32	/* digits kept while reading */
#define PHONE_SHOW_MAX		40	/* bytes of the input a cause quotes */

/* Separators beyond ASCII that spreadsheets and word processors put in. */
static const char *const phone_separators[] = {
	"\xc2\xa0",		/* U+00A0 no-break space */
	"\xe2\x80\x91",		/* U+2011 non-breaking hyphen */
	"\xe2\x80\x93",		/* U+2013 en dash */
	"\xe2\x80\xaf",		/* U+202F narrow no-break space */
	NULL
};

static void	phone_fail(char **, const char *, const char *, ...)
		    __attribute__((__format__(printf, 3, 4)));

/* Bytes in the UTF-8 character at s, or 0 where s is not UTF-8. */
static size_t
phone_utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return (1);
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return ((s[1] & 0xc0) == 0x80 ? 2 : 0);
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return (0);
		if ((s[0] == 0xe0 && s[1] < 0xa0) ||
		    (s[0] == 0xed && s[1] > 0x9f))
			return (0);	/* overlong, or a surrogate */
		return (3);
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return (0);
		if ((s[0] == 0xf0 && s[1] < 0x90) ||
		    (s[0] == 0xf4 && s[1] > 0x8f))
			return (0);	/* overlong, or past U+10FFFF */
		return (4);
	}
	return (0);
}

/* A cause quotes the input trimmed, cut short and printable. */
static char *
phone_show(const char *in)
{
	const unsigned char	*s = (const unsigned char *)in;
	char			*out, c;
	size_t			 len, i, n, o;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen((const char *)s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	out = xcalloc(1, PHONE_SHOW_MAX + 4);
	for (i = o = 0; i < len; i += n) {
		if ((n = phone_utf8_len(s + i)) == 0 || s[i] < 0x20 ||
		    s[i] == 0x7f) {
			n = 1;
			c = '?';	/* not printable, or not text */
		} else
			c = '\0';
		if (o + n > PHONE_SHOW_MAX) {
			memcpy(out + o, "...", 3);
			break;
		}
		if (c != '\0')
			out[o++] = c;
		else {
			memcpy(out + o, s + i, n);
			o += n;
		}
	}
	return (out);
}

/* Refuse in: the cause is the input, quoted, and then why. */
static void
phone_fail(char **cause, const char *in, const char *fmt, ...)
{
	va_list	 ap;
	char	*show, *why;

	va_start(ap, fmt);
	if (vasprintf(&why, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	show = phone_show(in);
	cause_set(cause, "'%s' %s", show, why);
	free(show);
	free(why);
}

/* Bytes of a separator at s that is not ASCII, or 0. */
static size_t
phone_separator(const char *s)
{
	size_t	i, n;

	for (i = 0; phone_separators[i] != NULL; i++) {
		n = strlen(phone_separators[i]);
		if (strncmp(s, phone_separators[i], n) == 0)
			return (n);
	}
	return (0);
}

/* Say what the character at s is, when it is not a digit or separator. */
static void
phone_refuse_char(char **cause, const char *in, const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 n;

	if (*s == '+')
		phone_fail(cause, in, "has a '+' that is not at its start");
	else if ((n = phone_utf8_len(u)) == 0)
		phone_fail(cause, in, "has a byte that is not text (0x%02x)",
		    u[0]);
	else if (u[0] < 0x20 || u[0] == 0x7f)
		phone_fail(cause, in, "has a control character (0x%02x) in it",
		    u[0]);
	else
		phone_fail(cause, in, "has a character that is not a digit: "
		    "'%.*s'", (int)n, s);
}

/* A default country code is 1 to 3 digits, and none starts with 0. */
static int
phone_country_valid(const char *cc)
{
	size_t	len = strlen(cc);

	if (len < 1 || len > 3 || strspn(cc, "0123456789") != len ||
	    cc[0] == '0')
		return (0);
	return (1);
}

/* The rules for UK numbers, which are most of convene's. */
static int
phone_check_uk(const char *in, const char *nsn, char **cause)
{
	size_t	len = strlen(nsn);

	if (nsn[0] == '0') {
		phone_fail(cause, in, "has a 0 after the country code 44 "
		    "that does not belong there: write +44 20 7946 0000 or "
		    "020 7946 0000, not +44 020 7946 0000");
		return (-1);
	}
	if (len < 9 || len > 10) {
		phone_fail(cause, in, "is too %s for a UK number: it has %zu "
		    "digits after the 44 or the first 0, and a UK number "
		    "has 9 or 10", len < 9 ? "short" : "long", len);
		return (-1);
	}
	return (0);
}

/* Turn what a person wrote into "+" and the digits, or say why not. */
int
phone_normalise(const char *in, const char *country_code, char *out,
    size_t outlen, char **cause)
{
	char		 digits[PHONE_SCAN], num[PHONE_MAX_DIGITS + 1];
	const char	*s, *cc = country_code;
	size_t		 nd = 0, n, skip, total, trunk = SIZE_MAX, i, o;
	int		 plus = 0, drop = 0, national = 0;

	if (outlen > 0)
		out[0] = '\0';
	if (outlen < PHONE_E164_SIZE) {
		cause_set(cause, "no room for a phone number: %zu bytes "
		    "given, %d needed", outlen, PHONE_E164_SIZE);
		return (-1);
	}
	if (cc != NULL && *cc != '\0' && !phone_country_valid(cc)) {
		cause_set(cause, "the default country code '%s' is not 1 to "
		    "3 digits (such as 44)", cc);
		return (-1);
	}
	if (in == NULL)
		in = "";
	for (s = in; *s == ' ' || *s == '\t'; s++)
		;
	if (*s == '\0') {
		cause_set(cause, "the phone number is empty");
		return (-1);
	}
	if (*s == '+') {
		plus = 1;
		s++;
	}
	for (; *s != '\0'; s += n) {
		n = 1;
		if (*s >= '0' && *s <= '9') {
			if (nd < sizeof digits)
				digits[nd] = *s;
			nd++;
		} else if (strncmp(s, "(0)", 3) == 0 && trunk == SIZE_MAX) {
			/* Perhaps "+44 (0)20": the trunk 0, kept for now. */
			if (nd < sizeof digits)
				digits[nd] = '0';
			trunk = nd++;
			n = 3;
		} else if (strchr(" \t-.()", *s) == NULL &&
		    (n = phone_separator(s)) == 0) {
			phone_refuse_char(cause, in, s);
			return (-1);
		}
	}
	if (nd == 0) {
		phone_fail(cause, in, "has no digits");
		return (-1);
	}

	if (plus || (nd >= 2 && digits[0] == '0' && digits[1] == '0')) {
		skip = plus ? 0 : 2;
		/* "(0)" just after a country code is dropped. */
		drop = trunk != SIZE_MAX && trunk > skip && trunk <= skip + 3;
		total = nd - skip - drop;
		if (total > 0 && digits[skip] == '0') {
			phone_fail(cause, in, "cannot be right: no country "
			    "code starts with 0");
			return (-1);
		}
	} else if (digits[0] == '0') {
		if (cc == NULL || *cc == '\0') {
			phone_fail(cause, in, "starts with 0, so it needs a "
			    "country, and no default country is set: write "
			    "it with + and its country code");
			return (-1);
		}
		national = 1;
		skip = 1;
		total = strlen(cc) + nd - 1;
	} else {
		phone_fail(cause, in, "does not start with 0, 00 or +, so "
		    "its country is unknown (a spreadsheet may have dropped "
		    "its first 0)");
		return (-1);
	}
	if (total < PHONE_MIN_DIGITS || total > PHONE_MAX_DIGITS) {
		phone_fail(cause, in, "is too %s for a phone number: it has "
		    "%zu digits with the country code, and a number has %d "
		    "to %d", total < PHONE_MIN_DIGITS ? "short" : "long",
		    total, PHONE_MIN_DIGITS, PHONE_MAX_DIGITS);
		return (-1);
	}

	/* Every digit was kept: total is at most 15. */
	o = 0;
	if (national) {
		o = strlen(cc);
		memcpy(num, cc, o);
	}
	for (i = skip; i < nd; i++) {
		if (drop && i == trunk)
			continue;
		num[o++] = digits[i];
	}
	num[o] = '\0';
	if (strncmp(num, "44", 2) == 0 &&
	    phone_check_uk(in, num + 2, cause) != 0)
		return (-1);
	snprintf(out, outlen, "+%s", num);
	return (0);
}
