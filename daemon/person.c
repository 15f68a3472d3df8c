/*
 * person.c: what a person's fields may hold, checked in one place so that
 * the JSON API, its CSV import and the preferences page can never accept
 * different things: a name of one line, an email address, a phone number
 * (made E.164), a language tag, a style, the channels in the order to try
 * them (each with the address it needs), lead times, and quiet hours.
 *
 * Every field is checked and each mistake kept apart: the API names the
 * first, the preferences page shows each beside its own field, in the
 * member's language.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "convene.h"
#include "person.h"
#include "util.h"

static const char *const person_styles[] = { "standard", "plain", "large",
	"easyread", NULL };

/* "21:00" or "9:00": minutes after midnight, or -1. */
static int
person_minutes(const char *s, size_t len)
{
	size_t	h;

	for (h = 0; h < len && isdigit((unsigned char)s[h]); h++)
		;
	if (h < 1 || h > 2 || len != h + 3 || s[h] != ':' ||
	    !isdigit((unsigned char)s[h + 1]) ||
	    !isdigit((unsigned char)s[h + 2]))
		return (-1);
	if (atoi(s) > 23 || atoi(s + h + 1) > 59)
		return (-1);
	return (atoi(s) * 60 + atoi(s + h + 1));
}

/*
 * Quiet hours, "21:00-08:00" (an hour may have one digit), into minutes
 * after midnight; -1 when it is not such a span, or starts where it ends.
 */
int
person_quiet_parse(const char *s, int *start, int *end)
{
	const char	*dash = strchr(s, '-');
	int		 m1, m2;

	if (dash == NULL ||
	    (m1 = person_minutes(s, (size_t)(dash - s))) < 0 ||
	    (m2 = person_minutes(dash + 1, strlen(dash + 1))) < 0 ||
	    m1 == m2)
		return (-1);
	*start = m1;
	*end = m2;
	return (0);
}

/* Minutes after midnight as quiet hours show them: "08:00". */
void
person_time(long long m, char out[PERSON_TIME_LEN])
{
	int	day = (int)((m % 1440 + 1440) % 1440);

	snprintf(out, PERSON_TIME_LEN, "%02d:%02d", day / 60, day % 60);
}

static int
person_email_ok(const char *s)
{
	const char	*e = strchr(s, '@');

	return (e != NULL && e != s && strchr(e, '.') != NULL &&
	    strchr(e + 1, '@') == NULL && strlen(s) <= 254 &&
	    strpbrk(s, " \t\r\n<>(),;:\"[]\\") == NULL);
}

/* "en", "cy", "pt-BR": two or three small letters, then a subtag. */
static int
person_language_ok(const char *s)
{
	size_t	n = strspn(s, "abcdefghijklmnopqrstuvwxyz");

	return (n >= 2 && n <= 3 && (s[n] == '\0' || s[n] == '-') &&
	    strlen(s) <= 35);
}

/* Email, sms or feed, one or more, comma-separated; *why when not. */
static char *
person_channels_why(const char *s)
{
	char	*copy, *tok, *save, *why = NULL;
	size_t	 n = 0;

	copy = xstrdup(s);
	for (tok = strtok_r(copy, ",", &save); tok != NULL && why == NULL;
	    tok = strtok_r(NULL, ",", &save), n++) {
		if (strcmp(tok, "email") != 0 && strcmp(tok, "sms") != 0 &&
		    strcmp(tok, "feed") != 0)
			why = xprintf("channels: '%s' is not email, sms or "
			    "feed", tok);
	}
	free(copy);
	if (why == NULL && n == 0)
		why = xstrdup("channels: give email, sms or feed, in the "
		    "order to try them");
	return (why);
}

/* A field of the stored person, NULL when it has none. */
static const char *
person_cur(json_t *cur, const char *key)
{
	const char	*v = json_string_value(json_object_get(cur, key));

	return (v != NULL && *v != '\0' ? v : NULL);
}

/*
 * Check t, a new person's fields (cur NULL) or a change to the person cur
 * (as the store gives it: only the fields given change).  country is for
 * phone numbers written nationally.  Fills c, to be freed with
 * person_checked_free; returns 0, or -1 with each mistake in c->why.
 */
int
person_check(const struct person_text *t, json_t *cur, const char *country,
    struct person_checked *c)
{
	struct person_in	*p = &c->in;
	const char *const	*s;
	const char		*ch, *email, *phone;
	char			*why = NULL;
	int			 i;

	memset(c, 0, sizeof *c);
	p->quiet_start = p->quiet_end = cur != NULL ? -2 : -1;
	p->name = t->name;
	p->email = t->email != NULL && *t->email != '\0' ? t->email : NULL;
	p->phone = t->phone != NULL && *t->phone != '\0' ? t->phone : NULL;
	p->language = t->language;
	p->style = t->style;
	p->channels = t->channels;

	if (cur == NULL && (p->name == NULL || *p->name == '\0'))
		c->why[PERSON_NAME] = xstrdup("name: this field is needed");
	else if (p->name != NULL && (*p->name == '\0' ||
	    utf8_chars(p->name, strlen(p->name)) > 200 ||
	    strpbrk(p->name, "\r\n\t") != NULL))
		c->why[PERSON_NAME] = xstrdup("name: one line of at most 200 "
		    "characters");
	if (p->email != NULL && !person_email_ok(p->email))
		c->why[PERSON_EMAIL] = xprintf("email: '%s' is not an email "
		    "address", p->email);
	if (p->phone != NULL) {
		if (phone_normalise(p->phone, country, c->phone,
		    sizeof c->phone, &why) != 0) {
			c->why[PERSON_PHONE] = xprintf("phone: %s", why);
			free(why);
			why = NULL;
		} else
			p->phone = c->phone;
	}
	if (p->language != NULL && !person_language_ok(p->language))
		c->why[PERSON_LANGUAGE] = xprintf("language: '%s' is not a "
		    "language tag such as en, cy or ar", p->language);
	if (p->style != NULL) {
		for (s = person_styles; *s != NULL && strcmp(*s, p->style); s++)
			;
		if (*s == NULL)
			c->why[PERSON_STYLE] = xprintf("style: '%s' is not one "
			    "of standard, plain, large or easyread", p->style);
	}
	if (p->channels != NULL)
		c->why[PERSON_CHANNELS] = person_channels_why(p->channels);

	/* Every channel listed has its address (email may fall to sms). */
	ch = p->channels ? p->channels : cur != NULL ?
	    person_cur(cur, "channels") : "email";
	email = p->email ? p->email : person_cur(cur, "email");
	phone = p->phone ? p->phone : person_cur(cur, "phone");
	if (ch != NULL && list_has(ch, "sms") && phone == NULL)
		c->why[PERSON_REACH] = xstrdup("phone: needed for the sms "
		    "channel");
	else if (ch != NULL && list_has(ch, "email") &&
	    email == NULL && !list_has(ch, "sms"))
		c->why[PERSON_REACH] = xstrdup("email: needed for the email "
		    "channel");

	if (t->lead_times != NULL && *t->lead_times != '\0') {
		if (plan_leads_valid(t->lead_times, &c->leads, &why) != 0) {
			c->why[PERSON_LEAD_TIMES] = why;
			why = NULL;
		}
	} else if (t->lead_times != NULL)
		c->leads = xstrdup("");		/* back to the group's */
	p->lead_times = c->leads;
	if (t->quiet_hours != NULL && *t->quiet_hours != '\0') {
		if (person_quiet_parse(t->quiet_hours, &p->quiet_start,
		    &p->quiet_end) != 0)
			c->why[PERSON_QUIET_HOURS] = xprintf("quiet_hours: "
			    "'%s' is not a span such as 21:00-08:00",
			    t->quiet_hours);
	} else if (t->quiet_hours != NULL)
		p->quiet_start = p->quiet_end = -1;

	for (i = 0; i < PERSON_NCHECKS; i++) {
		if (c->why[i] != NULL)
			return (-1);
	}
	return (0);
}

/* The first mistake of those named in order, or NULL. */
const char *
person_check_why(const struct person_checked *c,
    const enum person_check_field *order, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (c->why[order[i]] != NULL)
			return (c->why[order[i]]);
	}
	return (NULL);
}

void
person_checked_free(struct person_checked *c)
{
	int	i;

	for (i = 0; i < PERSON_NCHECKS; i++) {
		free(c->why[i]);
		c->why[i] = NULL;
	}
	free(c->leads);
	c->leads = NULL;
}
