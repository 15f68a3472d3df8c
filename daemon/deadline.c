/*
 * deadline.c: what coordinators are told about access requests, and
 * when.  A pass (deadline_pass) adds to the outbox, in one transaction:
 *
 *	alert	a request still asked for whose deadline is [deadlines]
 *		alert_days away or less (or past), once a request and
 *		coordinator, due at once;
 *	flag	a request whose need asks a venue fact (the catalogue's
 *		venue key) that its meeting's venue lacks, once a request,
 *		venue and coordinator, due at once;
 *	digest	every open request of a coordinator's groups, once a day,
 *		due at [deadlines] digest_hour local to the first of those
 *		groups; planned ahead, so the outbox's timer sends it on the
 *		minute, or up to DEADLINE_DIGEST_LATE late after a stop.
 *
 * The pass runs when kicked: whenever a row of access_requests is
 * written on the store's connection (store_deadline_watch, so no code
 * that makes or changes a request need remember to), when the planning
 * queue runs empty (a meeting moved, a venue or a group's members
 * changed), by deadline_kick from anyone else; with the planner's
 * hourly pass, and on a timer set for the moment the next open request
 * comes within the alert window.  Each statement is one indexed INSERT
 * ... SELECT, so a pass is cheap and may run often.  What a row says is
 * read when it is sent (store_deadline_fill), so a digest lists the
 * requests open then, and one with none left is not sent.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <jansson.h>

#include "convene.h"
#include "log.h"
#include "sched.h"
#include "util.h"

#define DEADLINE_INTERVAL	3600	/* a pass at least this often */
#define DEADLINE_RETRY		5	/* seconds, after a failed pass */

struct deadline {
	struct event_base	*base;
	struct store		*st;
	struct outbox		*ob;
	const struct config	*conf;
	struct event		*ev;
	int			 stopped;
};

static void	deadline_run(evutil_socket_t, short, void *);

struct deadline *
deadline_create(struct event_base *base, struct store *st, struct outbox *ob,
    const struct config *conf)
{
	struct deadline	*dl;

	dl = xcalloc(1, sizeof *dl);
	dl->base = base;
	dl->st = st;
	dl->ob = ob;
	dl->conf = conf;
	if ((dl->ev = evtimer_new(base, deadline_run, dl)) == NULL)
		fatalx("deadline: cannot make a timer");
	return (dl);
}

/* A new configuration (its catalogue of needs): a pass with it. */
void
deadline_configure(struct deadline *dl, const struct config *conf)
{
	dl->conf = conf;
	deadline_kick(dl);
}

/*
 * Run a pass soon, on the loop's next turn: for code that made or
 * changed an access request, or changed what one depends on.  Kicks
 * before that turn make one pass.
 */
void
deadline_kick(struct deadline *dl)
{
	struct timeval	tv = { 0, 0 };

	if (dl != NULL && !dl->stopped)
		evtimer_add(dl->ev, &tv);
}

void
deadline_stop(struct deadline *dl)
{
	if (dl == NULL)
		return;
	dl->stopped = 1;
	event_del(dl->ev);
}

void
deadline_free(struct deadline *dl)
{
	if (dl == NULL)
		return;
	event_free(dl->ev);
	free(dl);
}

/*
 * The digest of a zone at now: its day ("YYYY-MM-DD") and when it is
 * due, minute (after midnight) on that day, the first day whose digest
 * time is no more than DEADLINE_DIGEST_LATE ago.  -1 for a bad zone or
 * minute.
 */
int
deadline_digest_at(const char *tz, int minute, time_t now, char day[11],
    time_t *due)
{
	char		 local[SCHED_LOCAL_LEN], want[SCHED_LOCAL_LEN];
	struct tm	 tm;
	time_t		 from = now - DEADLINE_DIGEST_LATE, t;
	unsigned	 hh, mm;
	int		 y, m, d, i;

	if (minute < 0 || minute >= 24 * 60)
		return (-1);
	hh = (unsigned)minute / 60 % 24;
	mm = (unsigned)minute % 60;
	if (sched_utc_to_local(tz, from, local, NULL) != 0 ||
	    sscanf(local, "%4d%2d%2d", &y, &m, &d) != 3)
		return (-1);
	for (i = 0; i < 2; i++) {
		/* The calendar's next day, whatever the clocks do. */
		memset(&tm, 0, sizeof tm);
		tm.tm_year = y - 1900;
		tm.tm_mon = m - 1;
		tm.tm_mday = d + i;
		tm.tm_hour = 12;
		t = timegm(&tm);
		if (gmtime_r(&t, &tm) == NULL)
			return (-1);
		snprintf(want, sizeof want, "%04d%02d%02dT%02u%02u00",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, hh, mm);
		if (sched_local_to_utc(tz, want, due, NULL) != 0)
			return (-1);
		if (*due >= from) {
			snprintf(want, sizeof want, "%04d-%02d-%02d",
			    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
			snprintf(day, 11, "%.10s", want);
			return (0);
		}
	}
	return (-1);
}

/* Add ",code" to the list of needs asking a venue fact. */
static void
deadline_fact_add(char **list, const char *code)
{
	char	*t;

	t = xprintf("%s%s,", *list, code);
	free(*list);
	*list = t;
}

/*
 * One pass at now: alerts, flags and digests added (their numbers in
 * *c), and in *next when the next open request comes within the alert
 * window (0: none).  -1 with *cause when the store failed: nothing of
 * the pass is kept.
 */
int
deadline_pass(struct store *st, const struct config *conf, time_t now,
    struct deadline_counts *c, time_t *next, char **cause)
{
	struct deadline_facts	 f;
	char			*sf, *hl, *qr, *at, day[11];
	const char		*v;
	json_t			*coords, *p;
	time_t			 due, within = DEADLINE_ALERT_WITHIN;
	size_t			 i;
	int			 n, rc = -1, minute = DEADLINE_DIGEST_MINUTE;

	memset(c, 0, sizeof *c);
	*next = 0;
	if (conf != NULL) {
		within = (time_t)conf->alert_days * 86400;
		minute = conf->digest_hour * 60;
	}
	sf = xstrdup(",");
	hl = xstrdup(",");
	qr = xstrdup(",");
	at = xstrdup(",");
	for (i = 0; conf != NULL && i < conf->nneeds; i++) {
		if ((v = conf->needs[i].venue) == NULL)
			continue;
		if (strcmp(v, "step_free") == 0)
			deadline_fact_add(&sf, conf->needs[i].code);
		else if (strcmp(v, "hearing_loop") == 0)
			deadline_fact_add(&hl, conf->needs[i].code);
		else if (strcmp(v, "quiet_room") == 0)
			deadline_fact_add(&qr, conf->needs[i].code);
		else if (strcmp(v, "accessible_toilet") == 0)
			deadline_fact_add(&at, conf->needs[i].code);
	}
	f.step_free = sf;
	f.hearing_loop = hl;
	f.quiet_room = qr;
	f.accessible_toilet = at;

	if (store_begin(st) != 0) {
		cause_set(cause, "database: cannot begin a transaction");
		goto out;
	}
	if (store_deadline_alerts(st, now, within, &c->alerts, cause) != 0 ||
	    store_deadline_flags(st, now, &f, &c->flags, cause) != 0 ||
	    (coords = store_deadline_coordinators(st, now, cause)) == NULL) {
		store_end(st, 0);
		goto out;
	}
	json_array_foreach(coords, i, p) {
		if (deadline_digest_at(jstr(p, "time_zone"), minute, now, day,
		    &due) != 0) {
			log_warnx("deadline: group %lld: no digest time in "
			    "zone %s", jint(p, "group_id"),
			    jstr(p, "time_zone"));
			continue;
		}
		if (store_deadline_digest(st, jint(p, "id"), day, due, now, &n,
		    cause) != 0)
			break;
		c->digests += n;
	}
	if (i < json_array_size(coords)) {
		json_decref(coords);
		store_end(st, 0);
		goto out;
	}
	json_decref(coords);
	if (store_end(st, 1) != 0) {
		cause_set(cause, "database: the pass was not committed");
		goto out;
	}
	rc = store_deadline_next(st, now, within, next, cause);
out:
	free(sf);
	free(hl);
	free(qr);
	free(at);
	return (rc);
}

/* The timer: a pass, then a wait until the next is needed. */
static void
deadline_run(evutil_socket_t fd, short events, void *arg)
{
	struct deadline		*dl = arg;
	struct deadline_counts	 c;
	struct timeval		 tv = { DEADLINE_INTERVAL, 0 };
	time_t			 now = clock_now(), next;
	char			*cause = NULL;

	if (dl->stopped)
		return;
	if (deadline_pass(dl->st, dl->conf, now, &c, &next, &cause) != 0) {
		if (store_failing(dl->st, NULL) != 0)
			log_debug("deadline: %s", cause);
		else
			log_warnx("deadline: %s", cause ? cause :
			    "the pass failed");
		free(cause);
		tv.tv_sec = DEADLINE_RETRY;
		evtimer_add(dl->ev, &tv);
		return;
	}
	if (c.alerts + c.flags + c.digests > 0) {
		log_info("deadline: %d alerts, %d flags, %d digests planned",
		    c.alerts, c.flags, c.digests);
		outbox_kick(dl->ob);
	}
	if (next > now && next - now < DEADLINE_INTERVAL)
		tv.tv_sec = next - now;
	evtimer_add(dl->ev, &tv);
}
