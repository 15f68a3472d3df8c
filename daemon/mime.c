/*
 * mime.c: an email as the bytes that go on the wire (RFC 5322 and MIME).
 * The SMTP channel sends them and the spool writes them, so a spooled
 * email is exactly what a mail server would have been given.
 *
 * Nothing a message holds can add a header: every header value loses its
 * control characters (CR and LF among them) before it is written, and a
 * subject or display name that is not plain ASCII is made of RFC 2047
 * encoded-words.
 * Every part is quoted-printable, so no line is longer than 76 bytes and
 * 8-bit text passes any relay; since quoted-printable never writes "=_",
 * a boundary that begins with it cannot occur in a part.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <sodium.h>

#include "convene.h"
#include "log.h"
#include "mime.h"
#include "util.h"

#define MIME_LINE	78	/* a header line's columns, RFC 5322 2.1.1 */
#define MIME_QP_LINE	76	/* an encoded line's, RFC 2045 6.7 */
#define MIME_WORD_BYTES	42	/* text in one encoded-word: 56 in base64 */

static const char mime_hex[] = "0123456789ABCDEF";

/*
 * A header value on one line: each run of control characters (CR, LF,
 * TAB, DEL and the rest) and spaces becomes one space, and the ends are
 * trimmed.
 */
static char *
mime_clean(const char *s)
{
	const unsigned char	*p;
	char			*out, *o;
	int			 space = 0;

	out = o = xcalloc(1, strlen(s) + 1);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p <= 0x20 || *p == 0x7f) {
			space = 1;
			continue;
		}
		if (space && o != out)
			*o++ = ' ';
		space = 0;
		*o++ = (char)*p;
	}
	*o = '\0';
	return (out);
}

/*
 * Can the value go as it is, folded at its spaces to stay within 78
 * columns after "Name: "?  Only printable ASCII that does not look like
 * an encoded-word can.
 */
static int
mime_plain_fits(const char *name, const char *v)
{
	const char	*p;
	size_t		 word = strlen(name) + 2;

	if (strstr(v, "=?") != NULL)
		return (0);
	for (p = v; *p != '\0'; p++) {
		if ((unsigned char)*p >= 0x7f)
			return (0);
		if (*p == ' ')
			word = 1;	/* a folded line starts with it */
		else if (++word > MIME_LINE)
			return (0);
	}
	return (1);
}

/* "Name: value", folded before a space when a line would be too long. */
static void
mime_header_plain(struct evbuffer *out, const char *name, const char *v)
{
	const char	*p, *end;
	size_t		 col, len;

	evbuffer_add_printf(out, "%s:", name);
	col = strlen(name) + 1;
	for (p = v; *p != '\0'; p = end) {
		/* The next word with the space before it. */
		end = strchr(p + 1, ' ');
		if (end == NULL)
			end = p + strlen(p);
		len = (size_t)(end - p);
		if (p == v) {
			evbuffer_add(out, " ", 1);
			col++;
		} else if (col + len > MIME_LINE) {
			evbuffer_add(out, "\r\n", 2);
			col = 0;
		}
		evbuffer_add(out, p, len);
		col += len;
	}
	evbuffer_add(out, "\r\n", 2);
}

/*
 * "Name: =?UTF-8?B?...?=", one encoded-word per folded line, each whole
 * UTF-8 characters (RFC 2047 5): a decoder joins them without the spaces.
 */
static void
mime_header_encoded(struct evbuffer *out, const char *name, const char *v)
{
	const unsigned char	*p = (const unsigned char *)v;
	char			 b64[MIME_WORD_BYTES * 2];
	size_t			 left = strlen(v), n;

	evbuffer_add_printf(out, "%s:", name);
	while (left > 0) {
		n = left < MIME_WORD_BYTES ? left : MIME_WORD_BYTES;
		/* Back off to the start of a character; no further than 3. */
		while (n < left && n > MIME_WORD_BYTES - 3 &&
		    (p[n] & 0xc0) == 0x80)
			n--;
		sodium_bin2base64(b64, sizeof b64, p, n,
		    sodium_base64_VARIANT_ORIGINAL);
		evbuffer_add_printf(out, "%s=?UTF-8?B?%s?=",
		    p == (const unsigned char *)v ? " " : "\r\n ", b64);
		p += n;
		left -= n;
	}
	evbuffer_add(out, "\r\n", 2);
}

/* An unstructured header (RFC 5322 3.2.5) that cannot make another. */
static void
mime_header_text(struct evbuffer *out, const char *name, const char *value)
{
	char	*v = mime_clean(value != NULL ? value : "");

	if (mime_plain_fits(name, v))
		mime_header_plain(out, name, v);
	else
		mime_header_encoded(out, name, v);
	free(v);
}

/* An address header, folded at its spaces to keep within 78 columns. */
static void
mime_header_address(struct evbuffer *out, const char *name,
    const char *value)
{
	char	*v = mime_clean(value);

	mime_header_plain(out, name, v);
	free(v);
}

/*
 * The address alone of "Name <address>" or of a bare address, as the
 * SMTP envelope wants it.
 */
char *
mime_envelope(const char *from)
{
	char	*v = mime_clean(from), *lt, *gt, *a;

	if ((lt = strrchr(v, '<')) != NULL &&
	    (gt = strchr(lt, '>')) != NULL) {
		*gt = '\0';
		a = xstrdup(lt + 1);
		free(v);
		return (a);
	}
	return (v);
}

/* The name of "Name <address>", without quotes; NULL if none. */
static char *
mime_from_name(const char *from)
{
	char	*v = mime_clean(from), *lt, *n, *e;

	if ((lt = strrchr(v, '<')) == NULL || strchr(lt, '>') == NULL) {
		free(v);
		return (NULL);
	}
	*lt = '\0';
	n = v;
	e = lt;
	while (e > n && e[-1] == ' ')
		e--;
	if (e - n >= 2 && *n == '"' && e[-1] == '"') {
		n++;
		e--;
	}
	*e = '\0';
	n = xstrdup(n);
	free(v);
	return (n);
}

/* The next byte's quoted-printable form, given the column it starts at. */
static size_t
mime_qp_token(const unsigned char *p, size_t col, char tok[4])
{
	int	eol = p[1] == '\0' || p[1] == '\r' || p[1] == '\n';

	/*
	 * Literal: printable ASCII but "=", and a space or tab not ending a
	 * line.  A "." or "From " opening a line is encoded too, for relays
	 * and mailbox files that would change them.
	 */
	if ((*p >= 33 && *p <= 126 && *p != '=' &&
	    !(col == 0 && *p == '.') &&
	    !(col == 0 && strncmp((const char *)p, "From ", 5) == 0)) ||
	    ((*p == ' ' || *p == '\t') && !eol)) {
		tok[0] = (char)*p;
		tok[1] = '\0';
		return (1);
	}
	tok[0] = '=';
	tok[1] = mime_hex[*p >> 4];
	tok[2] = mime_hex[*p & 0xf];
	tok[3] = '\0';
	return (3);
}

/*
 * Quoted-printable (RFC 2045 6.7).  CRLF, LF and a lone CR are each a
 * line break, written as CRLF; other lines are cut by soft breaks so that
 * none is longer than 76 bytes.
 */
static void
mime_qp(struct evbuffer *out, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	char			 tok[4];
	size_t			 col = 0, n;
	int			 eol;

	while (*p != '\0') {
		if (*p == '\r' || *p == '\n') {
			if (p[0] == '\r' && p[1] == '\n')
				p++;
			p++;
			evbuffer_add(out, "\r\n", 2);
			col = 0;
			continue;
		}
		eol = p[1] == '\0' || p[1] == '\r' || p[1] == '\n';
		n = mime_qp_token(p, col, tok);
		/* Room for a soft break's "=", unless the line ends here. */
		if (col + n > (eol ? MIME_QP_LINE : MIME_QP_LINE - 1)) {
			evbuffer_add(out, "=\r\n", 3);
			col = 0;
			n = mime_qp_token(p, col, tok);
		}
		evbuffer_add(out, tok, n);
		col += n;
		p++;
	}
}

/* A part's headers and its text in quoted-printable. */
static void
mime_part(struct evbuffer *out, const char *type, const char *text)
{
	evbuffer_add_printf(out, "Content-Type: %s\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n", type);
	mime_qp(out, text != NULL ? text : "");
}

/* End the message with a line end, if its text did not. */
static void
mime_crlf(struct evbuffer *out)
{
	struct evbuffer_ptr	 pos;
	char			 end[2];
	size_t			 len = evbuffer_get_length(out);

	if (len >= 2 && evbuffer_ptr_set(out, &pos, len - 2,
	    EVBUFFER_PTR_SET) == 0 && evbuffer_copyout_from(out, &pos, end,
	    2) == 2 && end[0] == '\r' && end[1] == '\n')
		return;
	evbuffer_add(out, "\r\n", 2);
}

/* A language tag or a method: letters, digits and "-", or nothing. */
static int
mime_token_ok(const char *s)
{
	size_t	n = s != NULL ? strlen(s) : 0;

	return (n > 0 && n <= 35 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == n);
}

/* The date in RFC 5322's form, in UTC and whatever the locale. */
static void
mime_date(time_t now, char *buf, size_t len)
{
	static const char *const days[] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	static const char *const months[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
		"Oct", "Nov", "Dec"
	};
	struct tm	tm;

	gmtime_r(&now, &tm);
	snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* "=_" and 24 random hex digits: never in quoted-printable text. */
static void
mime_boundary(char out[32])
{
	unsigned char	rnd[12];
	size_t		i;

	randombytes_buf(rnd, sizeof rnd);
	memcpy(out, "=_", 2);
	for (i = 0; i < sizeof rnd; i++) {
		out[2 + 2 * i] = mime_hex[rnd[i] >> 4];
		out[3 + 2 * i] = mime_hex[rnd[i] & 0xf];
	}
	out[2 + 2 * sizeof rnd] = '\0';
}

/* Bytes of a name in one encoded-word: 60 in base64, 72 in all. */
#define MIME_NAME_BYTES	45

/* A display name and address for a header, RFC 2047 when not ASCII. */
char *
msg_header_address(const char *name, const char *addr)
{
	const unsigned char	*p;
	char			*clean, *out, *b64;
	size_t			 len, i, j;
	int			 ascii = 1;

	if (name == NULL || *name == '\0')
		return (xprintf("<%s>", addr));
	len = strlen(name);
	clean = xcalloc(1, len + 1);
	for (i = j = 0; i < len; i++) {
		p = (const unsigned char *)name + i;
		if (*p < 0x20 || *p == 0x7f)
			continue;	/* no CR, LF or other controls */
		if (*p >= 0x80)
			ascii = 0;
		clean[j++] = (char)*p;
	}
	if (ascii) {
		/* A quoted string: escape what would end it. */
		out = xcalloc(1, 2 * j + 8 + strlen(addr) + 4);
		strcpy(out, "\"");
		for (i = 0; i < j; i++) {
			if (clean[i] == '"' || clean[i] == '\\')
				strcat(out, "\\");
			strncat(out, &clean[i], 1);
		}
		strcat(out, "\" <");
		strcat(out, addr);
		strcat(out, ">");
	} else {
		/*
		 * Encoded-words of at most 75 characters (RFC 2047 2), each
		 * whole UTF-8 characters, apart by spaces the header may be
		 * folded at; a decoder joins them without the spaces.
		 */
		char	*t;
		size_t	 n;

		out = xstrdup("");
		for (i = 0; i < j; i += n) {
			n = j - i < MIME_NAME_BYTES ? j - i : MIME_NAME_BYTES;
			while (i + n < j && n > 1 &&
			    ((unsigned char)clean[i + n] & 0xc0) == 0x80)
				n--;
			len = sodium_base64_encoded_len(n,
			    sodium_base64_VARIANT_ORIGINAL);
			b64 = xcalloc(1, len);
			sodium_bin2base64(b64, len,
			    (const unsigned char *)clean + i, n,
			    sodium_base64_VARIANT_ORIGINAL);
			t = xprintf("%s=?UTF-8?B?%s?= ", out, b64);
			free(out);
			free(b64);
			out = t;
		}
		t = xprintf("%s<%s>", out, addr);
		free(out);
		out = t;
	}
	free(clean);
	return (out);
}

/*
 * The whole message with CRLF line ends: headers, then one text/plain
 * part, or multipart/alternative with the text, then the HTML, then the
 * calendar invitation.  The caller frees it.
 */
char *
mime_message(const struct chan_msg *m, const char *from, time_t now)
{
	struct evbuffer	*out, *body;
	char		 date[64], boundary[32], *to, *s, *type, *addr, *name;
	size_t		 len;

	if ((out = evbuffer_new()) == NULL || (body = evbuffer_new()) == NULL)
		fatalx("mime: out of memory");
	addr = mime_envelope(from != NULL ? from : "");
	name = mime_from_name(from != NULL ? from : "");
	to = msg_header_address(name, addr);
	mime_header_address(out, "From", to);
	free(to);
	free(name);
	free(addr);
	to = msg_header_address(m->to_name, m->to != NULL ? m->to : "");
	mime_header_address(out, "To", to);
	free(to);
	mime_header_text(out, "Subject", m->subject);
	mime_date(now, date, sizeof date);
	evbuffer_add_printf(out, "Date: %s\r\n", date);
	if (m->message_id != NULL && *m->message_id != '\0') {
		s = mime_clean(m->message_id);
		evbuffer_add_printf(out, "Message-ID: %s\r\n", s);
		free(s);
	}
	evbuffer_add_printf(out, "MIME-Version: 1.0\r\n"
	    "Auto-Submitted: auto-generated\r\n");
	if (mime_token_ok(m->lang))
		evbuffer_add_printf(out, "Content-Language: %s\r\n", m->lang);

	if (m->html == NULL && m->ical == NULL) {
		mime_part(out, "text/plain; charset=utf-8", m->body);
		mime_crlf(out);
		goto done;
	}
	mime_boundary(boundary);
	evbuffer_add_printf(body, "--%s\r\n", boundary);
	mime_part(body, "text/plain; charset=utf-8", m->body);
	if (m->html != NULL) {
		evbuffer_add_printf(body, "\r\n--%s\r\n", boundary);
		mime_part(body, "text/html; charset=utf-8", m->html);
	}
	if (m->ical != NULL) {
		type = xprintf("text/calendar; charset=utf-8; method=%s",
		    mime_token_ok(m->ical_method) ? m->ical_method :
		    "REQUEST");
		evbuffer_add_printf(body, "\r\n--%s\r\n", boundary);
		mime_part(body, type, m->ical);
		free(type);
	}
	evbuffer_add_printf(body, "\r\n--%s--\r\n", boundary);
	evbuffer_add_printf(out, "Content-Type: multipart/alternative; "
	    "boundary=\"%s\"\r\n\r\n", boundary);
	evbuffer_add_buffer(out, body);
done:
	len = evbuffer_get_length(out);
	s = xcalloc(1, len + 1);
	evbuffer_remove(out, s, len);
	evbuffer_free(out);
	evbuffer_free(body);
	return (s);
}
