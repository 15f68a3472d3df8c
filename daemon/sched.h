/*
 * sched.h: meeting times: series expanded in their group's time zone,
 * wall-clock times turned into instants, lead times, and the words
 * people read.
 */
#ifndef CONVENE_SCHED_H
#define CONVENE_SCHED_H

#include <stddef.h>
#include <time.h>

#define SCHED_LOCAL_LEN	32	/* "20260312T180000" and room */
#define SCHED_LEAD_LEN	32	/* "P7DT2H30M" */

/* A lead time: whole days on the local calendar, then elapsed seconds. */
struct sched_lead {
	int		 days;
	int		 seconds;
};

struct sched_series {
	const char	*tzid;
	const char	*dtstart;	/* local */
	int		 duration;	/* seconds */
	const char	*rrule;		/* "" or NULL: one meeting */
	const char	*exdates;	/* local, comma-separated */
	const char	*rdates;
};

/* How a wall-clock time fell: as usual, skipped, or passed twice. */
#define SCHED_WALL_OK		0
#define SCHED_WALL_GAP		1
#define SCHED_WALL_TWICE	2

struct sched_occ {
	char		 recurrence_id[SCHED_LOCAL_LEN];	/* local */
	time_t		 start;
	time_t		 end;
	int		 wall;		/* SCHED_WALL_* */
};

void		 sched_init(void);
int		 sched_zone_valid(const char *, char **);
int		 sched_parse_local(const char *, char [SCHED_LOCAL_LEN],
		    char **);
int		 sched_local_to_utc(const char *, const char *, time_t *,
		    char **);
int		 sched_utc_to_local(const char *, time_t,
		    char [SCHED_LOCAL_LEN], char **);
int		 sched_rrule_valid(const char *, char **);
int		 sched_series_check(const struct sched_series *, char **);
char		*sched_wall_note(const char *, const char *);
int		 sched_wall_kind(const char *, const char *);
int		 sched_expand(const struct sched_series *, time_t, time_t,
		    struct sched_occ **, size_t *, char **);
int		 sched_occurs(const struct sched_series *, const char *);
int		 sched_words(time_t, const char *, char *, size_t);
int		 sched_short(time_t, const char *, char *, size_t);
int		 sched_minute_of_day(time_t, const char *);
int		 sched_lead_parse(const char *, struct sched_lead *,
		    char [SCHED_LEAD_LEN], char **);
time_t		 sched_due(time_t, const char *, const struct sched_lead *);

#endif
