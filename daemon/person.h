/*
 * person.h: what a person's fields may hold, checked in one place for the
 * JSON API, its CSV import and the preferences page (person.c).
 */
#ifndef CONVENE_PERSON_H
#define CONVENE_PERSON_H

#include <stddef.h>

#include <jansson.h>

#include "convene.h"
#include "phone.h"

/*
 * What can be wrong, one mistake each; the API names a new person's
 * first in this order (a change's with PERSON_REACH last).
 */
enum person_check_field {
	PERSON_NAME,
	PERSON_EMAIL,
	PERSON_PHONE,
	PERSON_LANGUAGE,
	PERSON_STYLE,
	PERSON_CHANNELS,
	PERSON_REACH,		/* a channel listed without its address */
	PERSON_LEAD_TIMES,
	PERSON_QUIET_HOURS,
	PERSON_NCHECKS
};

/* A person's fields as given; NULL is not given (on a change: kept). */
struct person_text {
	const char	*name;
	const char	*email;
	const char	*phone;
	const char	*language;
	const char	*style;
	const char	*channels;	/* "email,sms", "feed", ... */
	const char	*lead_times;	/* "": the group's */
	const char	*quiet_hours;	/* "21:00-08:00"; "": none */
};

/* What a check made of them: in points into the text and into this. */
struct person_checked {
	struct person_in	 in;
	char			 phone[PHONE_E164_SIZE];
	char			*leads;
	char			*why[PERSON_NCHECKS];	/* NULL: fine */
};

#define PERSON_TIME_LEN	6	/* "21:30" and NUL */

int		 person_check(const struct person_text *, json_t *,
		    const char *, struct person_checked *);
const char	*person_check_why(const struct person_checked *,
		    const enum person_check_field *, size_t);
void		 person_checked_free(struct person_checked *);
int		 person_quiet_parse(const char *, int *, int *);
void		 person_time(long long, char [PERSON_TIME_LEN]);

#endif
