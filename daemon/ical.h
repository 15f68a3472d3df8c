/*
 * ical.h: iCalendar text: a person's or a group's feed, and the
 * invitation, update or cancellation of one meeting for an email.
 */
#ifndef CONVENE_ICAL_H
#define CONVENE_ICAL_H

#include <stddef.h>
#include <time.h>

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

/*
 * The meeting an email is about, and to whom, for its calendar part:
 * strings are "" when unknown, but rrule is NULL when no series is.
 */
struct ical_meeting {
	long long	 series_id;
	const char	*recurrence_id;	/* local */
	time_t		 start_at;
	time_t		 end_at;
	const char	*time_zone;
	const char	*title;
	const char	*rrule;		/* "" with no rdates: one meeting */
	const char	*rdates;
	const char	*status;	/* scheduled, moved, cancelled... */
	int		 series_sequence;
	int		 occ_sequence;
	const char	*group_name;
	const char	*venue;
	const char	*address;
	const char	*agenda;
	const char	*online_link;
	const char	*travel;
	int		 step_free;
	int		 hearing_loop;
	int		 accessible_toilet;
	int		 quiet_room;
	const char	*person;	/* the attendee */
	const char	*email;
	json_t		*notice_series;	/* a change to a series: as feeds */
	json_t		*notice_overrides;	/* have them, or NULL */
};

char		*ical_url_host(const char *);
void		 ical_configure(const char *);
char		*ical_escape(const char *);
char		*ical_fold(const char *);
char		*ical_feed(const struct ical_feed *, size_t *, char **);
char		*ical_message(const struct ical_meeting *, const char *,
		    const char *, char **);
char		*ical_series_message(const struct ical_meeting *, const char *,
		    char **);

#endif
