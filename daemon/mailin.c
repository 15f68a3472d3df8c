/*
 * mailin.c: an email that answers an invitation, read for "convenectl
 * mail-in".  The message (RFC 5322, MIME) is walked part by part for an
 * iCalendar part, inline or attached, as text/calendar or
 * application/ics, in base64, quoted-printable or as it is; libical
 * reads it, and a REPLY (RFC 5546, 3.2.3) gives the UID, the
 * RECURRENCE-ID and the ATTENDEE's PARTSTAT.  The token of the signed
 * address the reply went to is taken from the recipient headers or the
 * ORGANIZER; the daemon checks it.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libical/ical.h>

#include "mailin.h"
#include "util.h"

#define MAILIN_DEPTH	8	/* multiparts within multiparts */

struct mailin_walk {
	struct mailin	*m;
	int		 calendars;	/* parts that were iCalendar */
	int		 found;		/* a REPLY */
	char		*why;		/* why the last one was not used */
};

static char *
mailin_strndup(const char *s, size_t n)
{
	char	*out = xcalloc(1, n + 1);

	memcpy(out, s, n);
	return (out);
}

/* The token of an address or a header: "r.P.M.SIG" after a "+". */
char *
mailin_token(const char *s)
{
	const char	*p, *e;

	for (p = s; (p = strstr(p, "+r.")) != NULL; p++) {
		for (e = p + 1; isalnum((unsigned char)*e) || *e == '.' ||
		    *e == '-' || *e == '_'; e++)
			;
		if (*e == '@' || *e == '\0' || *e == '>' ||
		    isspace((unsigned char)*e) || *e == ',')
			return (mailin_strndup(p + 1, e - (p + 1)));
	}
	return (NULL);
}

/* The first header of this name, unfolded and trimmed; NULL if none. */
static char *
mailin_header(const char *h, size_t len, const char *name)
{
	const char	*p = h, *end = h + len, *nl, *v;
	size_t		 n = strlen(name);
	char		*out, *q;

	while (p < end) {
		nl = memchr(p, '\n', end - p);
		if (nl == NULL)
			nl = end;
		if ((size_t)(nl - p) > n && p[n] == ':' &&
		    strncasecmp(p, name, n) == 0) {
			v = p + n + 1;
			/* Folded lines go on with a space or a tab. */
			while (nl < end && nl + 1 < end && (nl[1] == ' ' ||
			    nl[1] == '\t')) {
				nl = memchr(nl + 1, '\n', end - nl - 1);
				if (nl == NULL)
					nl = end;
			}
			out = mailin_strndup(v, nl - v);
			for (q = out; *q != '\0'; q++) {
				if (*q == '\n' || *q == '\t')
					*q = ' ';
			}
			while (*out == ' ')
				memmove(out, out + 1, strlen(out));
			q = out + strlen(out);
			while (q > out && q[-1] == ' ')
				*--q = '\0';
			return (out);
		}
		p = nl + 1;
	}
	return (NULL);
}

/* A parameter of a Content-Type or Content-Disposition; NULL if none. */
static char *
mailin_param(const char *v, const char *name)
{
	const char	*p = v, *e;
	size_t		 n = strlen(name);
	char		*out, *q;

	while ((p = strchr(p, ';')) != NULL) {
		p++;
		while (*p == ' ')
			p++;
		if (strncasecmp(p, name, n) != 0 || p[n] != '=')
			continue;
		p += n + 1;
		if (*p == '"') {
			p++;
			out = xcalloc(1, strlen(p) + 1);
			for (q = out; *p != '\0' && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				*q++ = *p;
			}
			*q = '\0';
			return (out);
		}
		e = p + strcspn(p, "; ");
		return (mailin_strndup(p, e - p));
	}
	return (NULL);
}

static int
mailin_b64(int c)
{
	if (c >= 'A' && c <= 'Z')
		return (c - 'A');
	if (c >= 'a' && c <= 'z')
		return (c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (c - '0' + 52);
	if (c == '+')
		return (62);
	if (c == '/')
		return (63);
	return (-1);
}

/* Base64, what is not of its alphabet skipped, up to the padding. */
static char *
mailin_base64(const char *s, size_t len)
{
	char		*out = xcalloc(1, len + 1), *q = out;
	unsigned int	 acc = 0;
	size_t		 i;
	int		 v, bits = 0;

	for (i = 0; i < len && s[i] != '='; i++) {
		if ((v = mailin_b64((unsigned char)s[i])) == -1)
			continue;
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			*q++ = (char)((acc >> bits) & 0xff);
		}
	}
	*q = '\0';
	return (out);
}

static int
mailin_hex(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	return (-1);
}

/* Quoted-printable: "=XX" an octet, "=" at the end of a line no break. */
static char *
mailin_qp(const char *s, size_t len)
{
	char	*out = xcalloc(1, len + 1), *q = out;
	size_t	 i, j;
	int	 hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] != '=') {
			*q++ = s[i];
			continue;
		}
		for (j = i + 1; j < len && (s[j] == ' ' || s[j] == '\t'); j++)
			;
		if (j == len || s[j] == '\n') {
			i = j;
			continue;
		}
		if (i + 2 < len && (hi = mailin_hex((unsigned char)
		    s[i + 1])) != -1 && (lo = mailin_hex((unsigned char)
		    s[i + 2])) != -1) {
			*q++ = (char)(hi * 16 + lo);
			i += 2;
		} else
			*q++ = s[i];
	}
	*q = '\0';
	return (out);
}

static void
mailin_why(struct mailin_walk *w, const char *why)
{
	free(w->why);
	w->why = xstrdup(why);
}

static const char *
mailin_partstat(icalproperty *p)
{
	icalparameter	*par;

	par = icalproperty_get_first_parameter(p, ICAL_PARTSTAT_PARAMETER);
	if (par == NULL)
		return (NULL);
	switch (icalparameter_get_partstat(par)) {
	case ICAL_PARTSTAT_ACCEPTED:
		return ("yes");
	case ICAL_PARTSTAT_TENTATIVE:
		return ("maybe");
	case ICAL_PARTSTAT_DECLINED:
		return ("no");
	default:
		return (NULL);
	}
}

/* An iCalendar object: the answer when it is a REPLY to one meeting. */
static void
mailin_calendar(struct mailin_walk *w, const char *text)
{
	icalcomponent	*root, *cal, *ev;
	icalproperty	*p;
	const char	*uid, *answer = NULL, *v;
	char		*attendee = NULL;

	w->calendars++;
	icalerror_set_errors_are_fatal(0);
	root = icalparser_parse_string(text);
	icalerror_clear_errno();
	if (root == NULL) {
		mailin_why(w, "the calendar part cannot be read");
		return;
	}
	cal = root;
	if (icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT)
		cal = icalcomponent_get_first_component(root,
		    ICAL_VCALENDAR_COMPONENT);
	if (cal == NULL) {
		mailin_why(w, "the calendar part holds no VCALENDAR");
		goto out;
	}
	if (icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY) ==
	    NULL || icalcomponent_get_method(cal) != ICAL_METHOD_REPLY) {
		mailin_why(w, "the calendar part is not a REPLY");
		goto out;
	}
	ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	if (ev == NULL || (uid = icalcomponent_get_uid(ev)) == NULL ||
	    *uid == '\0') {
		mailin_why(w, "the REPLY holds no event with a UID");
		goto out;
	}
	for (p = icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY);
	    p != NULL; p = icalcomponent_get_next_property(ev,
	    ICAL_ATTENDEE_PROPERTY)) {
		if ((answer = mailin_partstat(p)) != NULL) {
			v = icalproperty_get_attendee(p);
			attendee = xstrdup(v != NULL ? v : "");
			break;
		}
	}
	if (answer == NULL) {
		mailin_why(w, "the REPLY's ATTENDEE neither accepts, declines "
		    "nor answers tentatively");
		goto out;
	}
	w->found = 1;
	w->m->uid = xstrdup(uid);
	w->m->answer = answer;
	w->m->attendee = attendee;
	p = icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY);
	if (p != NULL && (v = icalproperty_get_value_as_string(p)) != NULL)
		w->m->recurrence_id = xstrdup(v);
	p = icalcomponent_get_first_property(ev, ICAL_ORGANIZER_PROPERTY);
	if (p != NULL && (v = icalproperty_get_organizer(p)) != NULL)
		w->m->organizer = mailin_token(v);
out:
	icalcomponent_free(root);
}

/* Whether a part is a calendar: by its type, or an .ics file's name. */
static int
mailin_is_calendar(const char *type, const char *ctype, const char *disp)
{
	char	*name;
	size_t	 n;
	int	 ics = 0;

	if (strcasecmp(type, "text/calendar") == 0 ||
	    strcasecmp(type, "application/ics") == 0 ||
	    strcasecmp(type, "text/x-vcalendar") == 0)
		return (1);
	if (strcasecmp(type, "application/octet-stream") != 0)
		return (0);
	name = mailin_param(ctype, "name");
	if (name == NULL && disp != NULL)
		name = mailin_param(disp, "filename");
	if (name != NULL && (n = strlen(name)) > 4 &&
	    strcasecmp(name + n - 4, ".ics") == 0)
		ics = 1;
	free(name);
	return (ics);
}

/* One entity: headers, a blank line and a body; a multipart's parts. */
static void
mailin_entity(struct mailin_walk *w, const char *p, size_t len, int depth)
{
	const char	*body, *end = p + len, *s, *e, *next;
	char		*ctype, *cte, *disp, *type, *boundary, *delim, *text;
	size_t		 hlen, blen, dlen;

	if (w->found || depth > MAILIN_DEPTH)
		return;
	if (len > 0 && *p == '\n') {
		hlen = 0;
		body = p + 1;
	} else if ((s = memmem(p, len, "\n\n", 2)) != NULL) {
		hlen = s - p + 1;
		body = s + 2;
	} else {
		hlen = len;
		body = end;
	}
	blen = end - body;
	ctype = mailin_header(p, hlen, "Content-Type");
	if (ctype == NULL)
		ctype = xstrdup("text/plain");
	type = mailin_strndup(ctype, strcspn(ctype, "; "));
	cte = mailin_header(p, hlen, "Content-Transfer-Encoding");
	disp = mailin_header(p, hlen, "Content-Disposition");
	if (strncasecmp(type, "multipart/", 10) == 0) {
		if ((boundary = mailin_param(ctype, "boundary")) == NULL ||
		    *boundary == '\0') {
			free(boundary);
			goto out;
		}
		delim = xprintf("--%s", boundary);
		dlen = strlen(delim);
		free(boundary);
		/* The delimiter begins a line; what follows it, its part. */
		s = NULL;
		for (e = body; e < end; e = next) {
			next = memchr(e, '\n', end - e);
			next = next != NULL ? next + 1 : end;
			if ((size_t)(end - e) < dlen ||
			    strncmp(e, delim, dlen) != 0)
				continue;
			if (s != NULL)
				mailin_entity(w, s, e > s ? e - s - 1 : 0,
				    depth + 1);
			if ((size_t)(end - e) >= dlen + 2 &&
			    strncmp(e + dlen, "--", 2) == 0) {
				s = NULL;
				break;
			}
			s = next;
		}
		free(delim);
	} else if (mailin_is_calendar(type, ctype, disp)) {
		if (cte != NULL && strcasecmp(cte, "base64") == 0)
			text = mailin_base64(body, blen);
		else if (cte != NULL &&
		    strcasecmp(cte, "quoted-printable") == 0)
			text = mailin_qp(body, blen);
		else
			text = mailin_strndup(body, blen);
		mailin_calendar(w, text);
		free(text);
	}
out:
	free(ctype);
	free(type);
	free(cte);
	free(disp);
}

/*
 * Read a message: 0 with *m filled when it holds a REPLY, else -1 and
 * why; nothing in it is trusted but what the daemon can check.
 */
int
mailin_parse(const char *msg, size_t len, struct mailin *m, char **cause)
{
	struct mailin_walk	 w;
	const char		*hdrs[] = { "Delivered-To", "X-Original-To",
				    "To", "Cc" };
	char			*text, *h, *q;
	size_t			 i, n, hlen;

	memset(m, 0, sizeof *m);
	memset(&w, 0, sizeof w);
	w.m = m;
	/* Lines end with LF alone here; a NUL is no end. */
	text = xcalloc(1, len + 1);
	for (i = n = 0; i < len; i++) {
		if (msg[i] == '\r' && i + 1 < len && msg[i + 1] == '\n')
			continue;
		text[n++] = msg[i] == '\0' ? ' ' : msg[i];
	}
	text[n] = '\0';
	q = strstr(text, "\n\n");
	hlen = q != NULL ? (size_t)(q - text + 1) : n;
	if (n == 0 || memchr(text, ':', hlen) == NULL) {
		free(text);
		cause_set(cause, "this is not an email");
		return (-1);
	}
	mailin_entity(&w, text, n, 0);
	if (!w.found) {
		if (w.calendars == 0)
			cause_set(cause, "the message has no calendar part");
		else
			cause_set(cause, "%s", w.why);
		free(w.why);
		free(text);
		mailin_free(m);
		return (-1);
	}
	free(w.why);
	if ((h = mailin_header(text, hlen, "Message-ID")) != NULL &&
	    *h != '\0')
		m->message_id = h;
	else
		free(h);
	for (i = 0; i < sizeof hdrs / sizeof hdrs[0] && m->token == NULL;
	    i++) {
		if ((h = mailin_header(text, hlen, hdrs[i])) != NULL)
			m->token = mailin_token(h);
		free(h);
	}
	free(text);
	return (0);
}

void
mailin_free(struct mailin *m)
{
	free(m->message_id);
	free(m->token);
	free(m->organizer);
	free(m->uid);
	free(m->recurrence_id);
	free(m->attendee);
	memset(m, 0, sizeof *m);
}
