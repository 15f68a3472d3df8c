/*
 * replan.c: planning again after a change, a little at a time.
 *
 * A change to a group, a person or a series is answered at once; what
 * it touches waits here to be planned, an occurrence REPLAN_MEMBERS
 * members at a time, each slice in its own transaction, as many as fit
 * in a short part of each turn of the loop, so that a group of thousands
 * never holds the loop for long.
 * The queue is held in memory and de-duplicated: a second change to
 * something still waiting adds nothing.  It needs no disk: a change is
 * committed before it is queued, and the planner's pass at start-up and
 * every hour plans every meeting inside the horizon again, so what a
 * stop or a crash drops from the queue is planned a moment after the
 * restart, as it was when a change planned in the request itself and a
 * crash rolled that plan back.  When the queue runs empty the outbox is
 * told, so that a reminder due now goes at once.  While the database is
 * busy (another program holds its write lock) or failing, what was being
 * planned stays first in the queue and is tried again after a wait that
 * doubles, from a second to ten: nothing is dropped for it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>

#include "convene.h"
#include "log.h"
#include "util.h"

#define REPLAN_SLICE	0.01	/* seconds of planning a turn, at most */
#define REPLAN_MEMBERS	250	/* members of a meeting a transaction */
#define REPLAN_YEARS	(10 * 366 * 86400LL)	/* a group's meetings ahead */
#define REPLAN_HOLD_MIN	1	/* seconds to wait for a busy database */
#define REPLAN_HOLD_MAX	10	/* ... doubling up to this */

struct replan {
	struct event_base	*base;
	struct store		*st;
	struct outbox		*ob;
	struct event		*ev;
	json_t			*fifo;		/* "g12", "p5", "o77" */
	json_t			*queued;	/* the same, as a set */
	json_t			*cursor;	/* "o77": last member planned */
	size_t			 head;
	int			 horizon;	/* seconds */
	int			 hold;		/* seconds, while busy */
	int			 stopped;
	unsigned long long	 planned;	/* occurrences, since start */
	void			(*idle)(void *);	/* ran empty */
	void			*idle_arg;
};

static void	replan_run(evutil_socket_t, short, void *);

struct replan *
replan_create(struct event_base *base, struct store *st, struct outbox *ob,
    int horizon)
{
	struct replan	*rp;

	rp = xcalloc(1, sizeof *rp);
	rp->horizon = horizon;
	rp->base = base;
	rp->st = st;
	rp->ob = ob;
	rp->fifo = json_array();
	rp->queued = json_object();
	rp->cursor = json_object();
	if ((rp->ev = evtimer_new(base, replan_run, rp)) == NULL)
		fatalx("replan: cannot make a timer");
	return (rp);
}

/* How far ahead a series' meetings are made, in seconds. */
void
replan_configure(struct replan *rp, int horizon)
{
	rp->horizon = horizon;
}

void
replan_free(struct replan *rp)
{
	if (rp == NULL)
		return;
	event_free(rp->ev);
	json_decref(rp->fifo);
	json_decref(rp->queued);
	json_decref(rp->cursor);
	free(rp);
}

/*
 * Call fn(arg) each time the queue runs empty, after the outbox is
 * told: for what depends on meetings, venues and members as planned.
 */
void
replan_on_idle(struct replan *rp, void (*fn)(void *), void *arg)
{
	rp->idle = fn;
	rp->idle_arg = arg;
}

/* Stop planning: what is left is planned by the pass after a restart. */
void
replan_stop(struct replan *rp)
{
	size_t	n = replan_depth(rp);

	rp->stopped = 1;
	event_del(rp->ev);
	if (n > 0)
		log_info("stopping with %zu changes not yet planned; the "
		    "planner's pass at start-up plans them", n);
}

/* Changes and occurrences waiting to be planned. */
size_t
replan_depth(const struct replan *rp)
{
	return (json_array_size(rp->fifo) - rp->head);
}

/* The next wait for a busy database: doubling up to REPLAN_HOLD_MAX. */
static int
replan_hold(struct replan *rp)
{
	if (rp->hold == 0)
		rp->hold = REPLAN_HOLD_MIN;
	else if ((rp->hold *= 2) > REPLAN_HOLD_MAX)
		rp->hold = REPLAN_HOLD_MAX;
	return (rp->hold);
}

static void
replan_schedule(struct replan *rp, time_t sec)
{
	struct timeval	tv = { sec, 0 };

	if (!rp->stopped && (sec > 0 || !evtimer_pending(rp->ev, NULL)))
		evtimer_add(rp->ev, &tv);
}

static void
replan_add(struct replan *rp, char kind, long long id)
{
	char	key[32];

	if (id <= 0)
		return;
	snprintf(key, sizeof key, "%c%lld", kind, id);
	if (json_object_get(rp->queued, key) != NULL) {
		/* Part planned before this change: from the start again. */
		json_object_del(rp->cursor, key);
		return;
	}
	json_object_set_new(rp->queued, key, json_true());
	json_array_append_new(rp->fifo, json_string(key));
	replan_schedule(rp, 0);
}

/* A series' meetings over the horizon, then their reminders. */
void
replan_series(struct replan *rp, long long series)
{
	replan_add(rp, 's', series);
}

/* Every meeting of a group from now on: after its members changed. */
void
replan_group(struct replan *rp, long long group)
{
	replan_add(rp, 'g', group);
}

/* Every meeting a person is asked to: after their preferences changed. */
void
replan_person(struct replan *rp, long long person)
{
	replan_add(rp, 'p', person);
}

/* The occurrences of a list of rows with an "id". */
void
replan_occurrences(struct replan *rp, json_t *rows)
{
	json_t	*r;
	size_t	 i;

	json_array_foreach(rows, i, r)
		replan_add(rp, 'o', json_integer_value(json_object_get(r,
		    "id")));
}

/* What a series, group or person touches, queued as its occurrences. */
static int
replan_expand(struct replan *rp, char kind, long long id, char **cause)
{
	json_t	*rows;
	time_t	 now = clock_now();

	if (kind == 's') {
		if (plan_series_expand(rp->st, id, now, rp->horizon, &rows,
		    cause) != 0)
			return (-1);
	} else if (kind == 'g')
		rows = store_occ_list(rp->st, id, now, now + REPLAN_YEARS,
		    cause);
	else
		rows = store_occ_of_person(rp->st, id, now, cause);
	if (rows == NULL)
		return (-1);
	replan_occurrences(rp, rows);
	json_decref(rows);
	return (0);
}

/* Let go of what has been planned, once it is most of the list. */
static void
replan_compact(struct replan *rp)
{
	json_t	*rest = json_array();
	size_t	 i;

	for (i = rp->head; i < json_array_size(rp->fifo); i++)
		json_array_append(rest, json_array_get(rp->fifo, i));
	json_decref(rp->fifo);
	rp->fifo = rest;
	rp->head = 0;
}

static void
replan_run(evutil_socket_t fd, short events, void *arg)
{
	struct replan	*rp = arg;
	const char	*key, *why;
	char		*cause, kind;
	double		 until = mono_seconds() + REPLAN_SLICE;
	long long	 id, after, next;
	int		 rc;

	while (!rp->stopped && replan_depth(rp) > 0) {
		key = json_string_value(json_array_get(rp->fifo, rp->head));
		kind = key[0];
		id = strtoll(key + 1, NULL, 10);
		cause = NULL;
		next = 0;
		if (kind == 'o') {
			after = json_integer_value(json_object_get(rp->cursor,
			    key));
			rc = plan_occurrence_slice(rp->st, id, clock_now(),
			    after, REPLAN_MEMBERS, &next, &cause);
		} else
			rc = replan_expand(rp, kind, id, &cause);
		if (rc != 0 && store_failing(rp->st, &why) != 0) {
			/* Busy or failing: first in line, after a wait. */
			log_debug("planning %s: %s; trying again in %d s", key,
			    cause ? cause : why, replan_hold(rp));
			free(cause);
			replan_schedule(rp, rp->hold);
			return;
		}
		rp->hold = 0;
		if (rc != 0) {
			/* What it was about is gone (deleted meanwhile). */
			log_warnx("planning after a change: %s", cause ?
			    cause : "the database refused");
		}
		free(cause);
		if (rc == 0 && next != 0) {
			/* More members: the next slice, first in line. */
			json_object_set_new(rp->cursor, key,
			    json_integer(next));
			if (mono_seconds() >= until)
				break;
			continue;
		}
		if (kind == 'o' && rc == 0)
			rp->planned++;
		json_object_del(rp->cursor, key);
		json_object_del(rp->queued, key);
		rp->head++;
		if (mono_seconds() >= until)
			break;
	}
	if (rp->head > 1024 && rp->head * 2 > json_array_size(rp->fifo))
		replan_compact(rp);
	if (replan_depth(rp) > 0) {
		replan_schedule(rp, 0);
		return;
	}
	json_array_clear(rp->fifo);
	rp->head = 0;
	outbox_kick(rp->ob);
	if (rp->idle != NULL)
		rp->idle(rp->idle_arg);
}

void
replan_metrics(struct evbuffer *b, void *arg)
{
	struct replan	*rp = arg;

	metrics_head(b, "convene_plan_queue", "gauge",
	    "Changes and meetings waiting to be planned again.");
	evbuffer_add_printf(b, "convene_plan_queue %zu\n", replan_depth(rp));
	metrics_head(b, "convene_plan_occurrences_total", "counter",
	    "Meetings planned again after a change or by the hourly pass.");
	evbuffer_add_printf(b, "convene_plan_occurrences_total %llu\n",
	    rp->planned);
}
