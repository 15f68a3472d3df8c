/*
 * msg.c: an outbox row made into the message its channel sends: the
 * template for its kind in the member's language filled in with the
 * meeting's details, the time said in words in the group's time zone,
 * and headers that cannot be used to inject others.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "convene.h"
#include "log.h"
#include "tmpl.h"

/* Every placeholder a template may use. */
const char *const msg_vars[] = {
	"title", "when", "when_short", "old_when", "old_when_short", "venue",
	"address", "travel", "access", "online_link", "agenda", "reason",
	"rsvp_link", "code", "contact", "preferences_link", "group", "person",
	"lead", NULL
};

static const char *
msg_str(json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return (s != NULL ? s : "");
}

static long long
msg_int(json_t *o, const char *key)
{
	return (json_integer_value(json_object_get(o, key)));
}

/* "step-free access, a hearing loop and a quiet room". */
static char *
msg_access(json_t *row)
{
	const char	*have[4];
	char		*s, *t;
	int		 n = 0, i;

	if (msg_int(row, "step_free"))
		have[n++] = "step-free access";
	if (msg_int(row, "hearing_loop"))
		have[n++] = "a hearing loop";
	if (msg_int(row, "accessible_toilet"))
		have[n++] = "an accessible toilet";
	if (msg_int(row, "quiet_room"))
		have[n++] = "a quiet room";
	s = xstrdup("");
	for (i = 0; i < n; i++) {
		t = xprintf("%s%s%s", s, i == 0 ? "" : i == n - 1 ? " and " :
		    ", ", have[i]);
		free(s);
		s = t;
	}
	return (s);
}

/* "in 7 days", "tomorrow", "in 2 hours": how far ahead, in words. */
static char *
msg_lead(const char *lead)
{
	struct sched_lead	l;

	if (lead == NULL || *lead == '\0' ||
	    sched_lead_parse(lead, &l, NULL, NULL) != 0)
		return (xstrdup(""));
	if (l.days == 1 && l.seconds < 3600)
		return (xstrdup("tomorrow"));
	if (l.days > 1)
		return (xprintf("in %d days", l.days));
	if (l.days == 1 || l.seconds >= 3600)
		return (xprintf("in %d hour%s", l.days * 24 + l.seconds / 3600,
		    l.days * 24 + l.seconds / 3600 == 1 ? "" : "s"));
	if (l.seconds >= 60)
		return (xprintf("in %d minute%s", l.seconds / 60,
		    l.seconds / 60 == 1 ? "" : "s"));
	return (xstrdup("soon"));
}

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
		len = sodium_base64_encoded_len(j,
		    sodium_base64_VARIANT_ORIGINAL);
		b64 = xcalloc(1, len);
		sodium_bin2base64(b64, len, (const unsigned char *)clean, j,
		    sodium_base64_VARIANT_ORIGINAL);
		out = xprintf("=?UTF-8?B?%s?= <%s>", b64, addr);
		free(b64);
	}
	free(clean);
	return (out);
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
	free((char *)m->to);
	free((char *)m->to_name);
	free((char *)m->subject);
	free((char *)m->body);
	free((char *)m->message_id);
	memset(m, 0, sizeof *m);
}

/*
 * Render a due row (store_out_due's columns) for its channel.  -1 with
 * *permanent set when the person cannot be reached on this channel.
 */
int
msg_render(struct tmpl_set *tmpl, const struct config *conf, json_t *row,
    int attempt, struct chan_msg *m, int *permanent, char **cause)
{
	char		 when[128], when_short[64], old[128], old_short[64];
	char		 code[32], name[64], host[128];
	char		*access, *lead, *subject = NULL, *body = NULL;
	const char	*tz = msg_str(row, "time_zone");
	const char	*kind = msg_str(row, "kind");
	const char	*channel = msg_str(row, "channel"), *to;
	time_t		 start = (time_t)msg_int(row, "start_at");
	time_t		 from = (time_t)msg_int(row, "moved_from");
	int		 sms = strcmp(channel, "sms") == 0;

	memset(m, 0, sizeof *m);
	*permanent = 0;
	to = sms ? msg_str(row, "phone") : msg_str(row, "email");
	if (*to == '\0' || (!sms && !msg_address_ok(to))) {
		cause_set(cause, "%s has no %s", msg_str(row, "person"),
		    sms ? "phone number" : "usable email address");
		*permanent = 1;
		return (-1);
	}
	when[0] = when_short[0] = old[0] = old_short[0] = '\0';
	if (start != 0) {
		sched_words(start, tz, when, sizeof when);
		sched_short(start, tz, when_short, sizeof when_short);
	}
	if (from != 0) {
		sched_words(from, tz, old, sizeof old);
		sched_short(from, tz, old_short, sizeof old_short);
	}
	snprintf(code, sizeof code, "M%lld", msg_int(row, "occurrence_id"));
	access = msg_access(row);
	lead = msg_lead(msg_str(row, "lead"));
	{
		const struct tmpl_var vars[] = {
			{ "title", msg_str(row, "title") },
			{ "when", when },
			{ "when_short", when_short },
			{ "old_when", old },
			{ "old_when_short", old_short },
			{ "venue", msg_str(row, "venue") },
			{ "address", msg_str(row, "address") },
			{ "travel", msg_str(row, "travel") },
			{ "access", access },
			{ "online_link", msg_str(row, "online_link") },
			{ "agenda", msg_str(row, "agenda") },
			{ "reason", msg_str(row, "occ_reason") },
			{ "rsvp_link", "" },
			{ "code", code },
			{ "contact", msg_str(row, "contact") },
			{ "preferences_link", "" },
			{ "group", msg_str(row, "group_name") },
			{ "person", msg_str(row, "person") },
			{ "lead", lead },
			{ NULL, NULL }
		};

		if (sms) {
			snprintf(name, sizeof name, "%s.sms", kind);
			body = tmpl_render(tmpl, msg_str(row, "language"), name,
			    vars, NULL, cause);
		} else {
			snprintf(name, sizeof name, "%s.subject", kind);
			subject = tmpl_render(tmpl, msg_str(row, "language"),
			    name, vars, NULL, cause);
			snprintf(name, sizeof name, "%s.text", kind);
			body = tmpl_render(tmpl, msg_str(row, "language"), name,
			    vars, NULL, cause);
		}
	}
	free(access);
	free(lead);
	if (body == NULL || (!sms && subject == NULL)) {
		free(subject);
		free(body);
		return (-1);
	}
	if (gethostname(host, sizeof host) != 0 || *host == '\0')
		snprintf(host, sizeof host, "localhost");
	host[sizeof host - 1] = '\0';
	m->id = msg_int(row, "id");
	m->attempt = attempt;
	m->channel = sms ? "sms" : "email";
	m->to = xstrdup(to);
	m->to_name = xstrdup(msg_str(row, "person"));
	m->subject = subject;
	m->body = body;
	m->message_id = xprintf("<convene.%lld.%lld@%s>", msg_int(row, "id"),
	    msg_int(row, "sequence"), host);
	(void)conf;
	return (0);
}
