/*
 * ical.h: iCalendar text: a person's or a group's feed, and the
 * invitation, update or cancellation of one meeting for an email.
 */
#ifndef CONVENE_ICAL_H
#define CONVENE_ICAL_H

#include <stddef.h>

#include <jansson.h>

struct ical_feed {
	const char	*name;		/* X-WR-CALNAME */
	json_t		*series;	/* store_feed_series */
	json_t		*overrides;	/* store_feed_overrides */
	int		 alarms;	/* the person's own VALARMs */
	int		 links;		/* online join links (members') */
};
#define ICAL_ALARMS	0x1
#define ICAL_LINKS	0x2

char		*ical_url_host(const char *);
void		 ical_configure(const char *);
char		*ical_escape(const char *);
char		*ical_fold(const char *);
char		*ical_feed(const struct ical_feed *, size_t *, char **);
char		*ical_message(json_t *, const char *, const char *, char **);
char		*ical_series_message(json_t *, const char *, char **);

#endif
