/*
 * outbox.c: the dispatcher.  SQLite is the truth: one timer is armed for
 * the nearest pending row; when it fires, due rows are claimed in a
 * bounded batch and marked in flight (checked again first: a reminder for
 * a meeting that was moved or cancelled is withdrawn, as is a gentle
 * reminder to answer to a member who has answered; one whose meeting
 * has begun is recorded as missed, an SMS in quiet hours waits), then
 * handed to their channel.  Each answer settles its row: OK is sent,
 * TEMPFAIL retries with backoff and jitter until its lifetime or the
 * meeting runs out, PERMFAIL tries the member's next channel (and an
 * email address refused so is remembered: later email to it goes the
 * next way at once, until the address is changed).  Answers are settled
 * in one transaction per turn of the loop.
 *
 * A claim or a settling is all or nothing, and the counters move only once
 * its transaction is committed.  When the database fails (a full disk),
 * the dispatcher waits before trying again, a second, then twice as long
 * each time up to a minute, and goes back to work when a write succeeds.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/time.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>
#include <sodium.h>

#include "convene.h"
#include "log.h"
#include "sched.h"
#include "tmpl.h"
#include "util.h"

#define OUTBOX_LATE	60	/* seconds past due that count as late */
#define OUTBOX_HOLD_MIN	1	/* seconds to wait after a store failure */
#define OUTBOX_HOLD_MAX	60	/* ... doubling up to this */

struct outbox_job {
	struct outbox		*ob;		/* whose job it is */
	long long		 id;
	enum chan_result	 result;
	char			*provider_id;
	char			*reason;
	struct outbox_row	*row;
	int			 sent;		/* the channel had it */
	char			*lang;		/* the language it went in */
	TAILQ_ENTRY(outbox_job)	 entry;
};
TAILQ_HEAD(outbox_jobs, outbox_job);

struct outbox {
	struct event_base	*base;
	struct store		*st;
	const struct config	*conf;
	struct tmpl_set		*tmpl;
	struct event		*timer;
	struct event		*run_ev;
	struct event		*settle_ev;
	struct outbox_jobs	 done;
	size_t			 inflight;
	int			 stopping;
	int			 hold;	/* seconds; 0 while the store works */
	double			 hold_until;	/* wall_seconds() */
	struct outbox_stats	 stats;
};

/* Run the dispatcher on the loop's next turn. */
static void
outbox_soon(struct outbox *ob)
{
	struct timeval	zero = { 0, 0 };

	event_add(ob->run_ev, &zero);
}

/*
 * The store failed: nothing is touched again before hold_until, a second
 * after the first failure and twice as long after each next one.
 */
static void
outbox_hold(struct outbox *ob)
{
	if (ob->hold == 0)
		ob->hold = OUTBOX_HOLD_MIN;
	else if ((ob->hold *= 2) > OUTBOX_HOLD_MAX)
		ob->hold = OUTBOX_HOLD_MAX;
	ob->hold_until = wall_seconds() + ob->hold;
}

/* A transaction was committed: the store works. */
static void
outbox_unhold(struct outbox *ob)
{
	ob->hold = 0;
	ob->hold_until = 0;
}

/* Add what a committed transaction counted. */
static void
outbox_count(struct outbox *ob, const struct outbox_stats *d)
{
	ob->stats.sent += d->sent;
	ob->stats.retried += d->retried;
	ob->stats.failed += d->failed;
	ob->stats.dead += d->dead;
	ob->stats.skipped += d->skipped;
	ob->stats.missed += d->missed;
	ob->stats.deferred += d->deferred;
}

/* Arm the one timer for the nearest pending row. */
static void
outbox_arm(struct outbox *ob)
{
	struct timeval	tv;
	time_t		t;
	double		when, delay;

	if (ob->stopping)
		return;
	if (store_out_next(ob->st, &t, NULL) != 0) {
		outbox_hold(ob);
		t = 0;
	} else if (t == 0 && store_failing(ob->st, NULL) == 0) {
		evtimer_del(ob->timer);
		return;
	} else if (t == 0 && ob->hold_until == 0)
		outbox_hold(ob);	/* nothing due: a probe */
	when = (double)t;
	if (when < ob->hold_until)
		when = ob->hold_until;
	delay = when - wall_seconds();
	if (delay < 0)
		delay = 0;
	tv.tv_sec = (time_t)delay;
	tv.tv_usec = (suseconds_t)((delay - (double)tv.tv_sec) * 1e6);
	evtimer_add(ob->timer, &tv);
}

/* The end of a person's quiet hours after now, or 0 if not in them. */
static time_t
outbox_quiet_until(const struct outbox_row *row, time_t now)
{
	const char	*tz = row->time_zone;
	int		 s = row->quiet_start, e = row->quiet_end, m, i;
	time_t		 t;

	if (s < 0 || e < 0)
		return (0);
	if ((m = sched_minute_of_day(now, tz)) < 0 || s == e)
		return (0);
	if (s < e ? (m < s || m >= e) : (m < s && m >= e))
		return (0);
	/*
	 * The first whole minute after now that is outside them, found by
	 * walking the local clock: a clock change (even one whose gap
	 * swallows the end) is counted as it happens.
	 */
	for (i = 1; i <= 1500; i++) {
		t = now - now % 60 + (time_t)i * 60;
		if ((m = sched_minute_of_day(t, tz)) < 0)
			return (0);
		if (s < e ? (m < s || m >= e) : (m < s && m >= e))
			return (t);
	}
	return (0);
}

static int
outbox_settle_now(struct outbox *ob, long long id, const char *state,
    const char *reason, time_t now)
{
	struct outbox_set	u;

	memset(&u, 0, sizeof u);
	u.id = id;
	u.state = state;
	u.reason = reason;
	u.now = now;
	return (store_out_set(ob->st, &u, NULL));
}

static void
outbox_done(void *arg, enum chan_result r, const char *provider,
    const char *reason)
{
	struct outbox_job	*job = arg;
	struct outbox		*ob = job->ob;

	job->result = r;
	job->provider_id = provider ? xstrdup(provider) : NULL;
	job->reason = reason ? xstrdup(reason) : NULL;
	TAILQ_INSERT_TAIL(&ob->done, job, entry);
	event_active(ob->settle_ev, EV_WRITE, 0);
}

/*
 * The style a row's text goes in, for the report: an SMS is Easy Read
 * or standard whatever the email style; an email has the member's.
 */
static const char *
outbox_style(const struct outbox_row *row)
{
	const char	*style = row->style;

	if (strcmp(style, "plain") != 0 && strcmp(style, "large") != 0 &&
	    strcmp(style, "easyread") != 0)
		style = "standard";
	if (strcmp(row->channel, "sms") == 0 &&
	    strcmp(style, "easyread") != 0)
		style = "standard";
	return (style);
}

/*
 * Give up on a row's channel: the row is failed and a new one made for
 * the member's next channel, or, with none, the row is dead.  Counted in
 * d; -1 when the store failed.
 */
static int
outbox_next_channel(struct outbox *ob, const struct outbox_row *row,
    const char *reason, time_t now, struct outbox_stats *d)
{
	struct outbox_set	 u;
	struct outbox_in	 in;
	char			 next[8], *why;
	int			 rc;

	memset(&u, 0, sizeof u);
	u.id = row->id;
	u.now = now;
	if (plan_next_channel(row->channels, row->channel,
	    next, sizeof next) == 0) {
		u.state = "failed";
		why = xprintf("%s; trying %s", reason, next);
		u.reason = why;
		rc = store_out_set(ob->st, &u, NULL);
		free(why);
		if (rc != 0)
			return (-1);
		memset(&in, 0, sizeof in);
		in.occurrence_id = row->occurrence_id;
		in.person_id = row->person_id;
		in.kind = row->kind;
		in.lead = row->lead;
		in.channel = next;
		in.sequence = row->sequence;
		in.due_at = now;
		in.now = now;
		d->failed++;
		return (store_plan_insert(ob->st, &in, NULL));
	}
	u.state = "dead";
	u.style = outbox_style(row);
	u.language = row->language;
	why = xprintf("%s; no other channel to try", reason);
	u.reason = why;
	rc = store_out_set(ob->st, &u, NULL);
	free(why);
	d->dead++;
	return (rc);
}

/*
 * An email to an address that bounced goes another way at once: the
 * mail server is not asked again until the address is changed.  1 when
 * the row is settled so, -1 when the store failed.
 */
static int
outbox_bounced(struct outbox *ob, const struct outbox_row *row, time_t now,
    struct outbox_stats *d)
{
	const char	*bounce = row->email_bounce;
	char		*why;
	int		 rc;

	if (strcmp(row->channel, "email") != 0 || *bounce == '\0')
		return (0);
	why = xprintf("%s bounced before (%s)", row->email, bounce);
	rc = outbox_next_channel(ob, row, why, now, d);
	free(why);
	return (rc == 0 ? 1 : -1);
}

/*
 * Why a coordinator's notice need not go now, or NULL: a digest with no
 * request open, or too late; an alert or flag whose request
 * is gone or settled, or whose meeting is called off; a flag whose venue
 * changed or now has what the need asks (store_deadline_fill read them
 * as of now).
 */
static const char *
outbox_notice_stale(const struct config *conf, const struct outbox_row *row,
    time_t now)
{
	const struct need_kind	*k;
	const char		*kind = row->kind, *state, *v, *venue;
	json_t			*rq = row->requests;

	if (strcmp(kind, "digest") == 0) {
		/*
		 * Not sent for hours because convened was stopped, or held
		 * (quiet hours, retries) into the next day: the next day's
		 * says it all.
		 */
		if ((now - row->due_at > DEADLINE_DIGEST_LATE &&
		    row->attempts == 0 && *row->reason == '\0') ||
		    now - row->due_at > DEADLINE_DIGEST_STALE)
			return ("a later digest replaces it");
		return (json_array_size(json_object_get(rq, "items")) == 0 ?
		    "no access request is open" : NULL);
	}
	if (strcmp(kind, "alert") != 0 && strcmp(kind, "flag") != 0)
		return (NULL);
	if (rq == NULL)
		return ("the access request is gone");
	if (strcmp(row->status, "cancelled") == 0 ||
	    strcmp(row->status, "removed") == 0)
		return ("meeting cancelled");
	state = row->access_status;
	if (strcmp(kind, "alert") == 0)
		return (strcmp(state, "requested") != 0 ? "the access request "
		    "is no longer waiting" : NULL);
	if (strcmp(state, "requested") != 0 && strcmp(state, "arranged") != 0)
		return ("the access request is no longer open");
	if ((venue = strstr(row->lead, ".v")) == NULL ||
	    strtoll(venue + 2, NULL, 10) != jint(rq, "venue_id"))
		return ("the meeting's venue changed");
	if ((k = config_need(conf, row->need)) == NULL ||
	    (v = k->venue) == NULL)
		return (NULL);
	if ((strcmp(v, "step_free") == 0 && row->step_free) ||
	    (strcmp(v, "hearing_loop") == 0 && row->hearing_loop) ||
	    (strcmp(v, "quiet_room") == 0 && row->quiet_room) ||
	    (strcmp(v, "accessible_toilet") == 0 && row->accessible_toilet))
		return ("the venue now has what the need asks");
	return (NULL);
}

/*
 * Decide a claimed row's fate: 1 to send it, 0 when settled here (counted
 * in d), -1 when the store failed.
 */
static int
outbox_check(struct outbox *ob, const struct outbox_row *row, time_t now,
    struct outbox_stats *d)
{
	const char		*kind = row->kind;
	const char		*status = row->status, *why;
	time_t			 start = row->start_at;
	time_t			 quiet;
	long long		 id = row->id;
	struct outbox_set	 u;
	int			 r;

	if (strcmp(kind, "test") == 0) {
		if ((r = outbox_bounced(ob, row, now, d)) != 0)
			return (r < 0 ? -1 : 0);
		return (1);
	}
	if ((why = outbox_notice_stale(ob->conf, row, now)) != NULL) {
		if (outbox_settle_now(ob, id, "skipped", why, now) != 0)
			return (-1);
		d->skipped++;
		return (0);
	}
	if ((strcmp(kind, "reminder") == 0 ||
	    strcmp(kind, "invitation") == 0 ||
	    strcmp(kind, "nudge") == 0) &&
	    (strcmp(status, "cancelled") == 0 ||
	    strcmp(status, "removed") == 0)) {
		if (outbox_settle_now(ob, id, "skipped", "meeting cancelled",
		    now) != 0)
			return (-1);
		d->skipped++;
		return (0);
	}
	if ((strcmp(kind, "reminder") == 0 || strcmp(kind, "nudge") == 0) &&
	    row->sequence != row->occ_sequence) {
		if (outbox_settle_now(ob, id, "skipped", "meeting moved",
		    now) != 0)
			return (-1);
		d->skipped++;
		return (0);
	}
	/* A copy to a supporter unlinked (or the member gone) is not sent. */
	if (row->copy_of > 0 && *row->for_name == '\0') {
		if (outbox_settle_now(ob, id, "skipped", "a copy no longer "
		    "wanted: the supporter unlinked or changed", now) != 0)
			return (-1);
		d->skipped++;
		return (0);
	}
	/* A gentle reminder to answer, to someone who has, is not sent. */
	if (strcmp(kind, "nudge") == 0 && *row->answer != '\0') {
		if (outbox_settle_now(ob, id, "skipped", "answered already",
		    now) != 0)
			return (-1);
		d->skipped++;
		return (0);
	}
	/* An update overtaken by a later change says nothing true. */
	if (strcmp(kind, "update") == 0 &&
	    (row->sequence != row->occ_sequence ||
	    strcmp(status, "cancelled") == 0)) {
		if (outbox_settle_now(ob, id, "skipped", "overtaken by a "
		    "later change", now) != 0)
			return (-1);
		d->skipped++;
		return (0);
	}
	if (start != 0 && now >= start) {
		if (outbox_settle_now(ob, id, "missed", "the meeting had "
		    "begun before this could be sent", now) != 0)
			return (-1);
		d->missed++;
		return (0);
	}
	if ((r = outbox_bounced(ob, row, now, d)) != 0)
		return (r < 0 ? -1 : 0);
	if (strcmp(row->channel, "sms") == 0 &&
	    (quiet = outbox_quiet_until(row, now)) != 0) {
		if (start == 0 || quiet < start) {
			memset(&u, 0, sizeof u);
			u.id = id;
			u.state = "pending";
			u.reason = "waiting for the end of quiet hours";
			u.next_at = quiet;
			u.now = now;
			if (store_out_set(ob->st, &u, NULL) != 0)
				return (-1);
			d->deferred++;
			return (0);
		}
		/* Quiet hours end after the meeting starts: send now. */
	}
	return (1);
}

/* Say what failed: once an episode, which the store logs itself. */
static void
outbox_failed(struct outbox *ob, const char *what, const char *cause)
{
	char	*msg;

	outbox_hold(ob);
	msg = xprintf("outbox: %s failed%s%s; trying again in %d s", what,
	    cause ? ": " : "", cause ? cause : "", ob->hold);
	if (store_failing(ob->st, NULL) != 0)
		log_debug("%s", msg);
	else
		log_warnx("%s", msg);
	free(msg);
}

/* The store began to fail, whoever's write it was: probe for its end. */
static void
outbox_store_failing(void *arg)
{
	struct outbox	*ob = arg;

	struct timeval	 tv = { OUTBOX_HOLD_MIN, 0 };

	if (!ob->stopping && !evtimer_pending(ob->timer, NULL))
		evtimer_add(ob->timer, &tv);
}

/* Free an array of rows and those still in it (NULL: handed on). */
static void
outbox_rows_free(struct outbox_row **rows, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		outbox_row_free(rows[i]);
	free(rows);
}

/* Claim a batch of due rows and hand them to their channels. */
static void
outbox_run(evutil_socket_t fd, short events, void *arg)
{
	struct outbox		*ob = arg;
	struct outbox_job	*job;
	struct outbox_set	 u;
	struct outbox_stats	 d;
	struct chan_msg		 m;
	struct outbox_row	**rows, **send, *row;
	time_t			 now = clock_now();
	size_t			 i, n, ns = 0;
	char			*cause = NULL;
	int			 permanent, ok = 1, r;

	if (ob->stopping)
		return;
	if ((rows = store_out_due(ob->st, now, ob->conf->outbox_batch, &n,
	    &cause)) == NULL) {
		outbox_failed(ob, "finding due messages", cause);
		free(cause);
		outbox_arm(ob);
		return;
	}
	/* Nothing due while the store fails: see whether it works again. */
	if (n == 0 && store_failing(ob->st, NULL) != 0) {
		if (store_probe(ob->st) != 0)
			outbox_failed(ob, "writing to the database", NULL);
		else
			outbox_unhold(ob);
	}
	/* The rows claimed move from rows to send, and on to their jobs. */
	send = xcalloc(n > 0 ? n : 1, sizeof *send);
	memset(&d, 0, sizeof d);
	if (n > 0 && store_begin(ob->st) != 0)
		ok = 0;
	else if (n > 0) {
		for (i = 0; i < n; i++) {
			row = rows[i];
			if ((r = outbox_check(ob, row, now, &d)) < 0) {
				ok = 0;
				break;
			}
			if (r == 0)
				continue;
			memset(&u, 0, sizeof u);
			u.id = row->id;
			u.state = "sending";
			u.attempt = 1;
			u.late = now - row->due_at >= OUTBOX_LATE;
			u.now = now;
			if (store_out_set(ob->st, &u, NULL) != 0)
				ok = 0;
			send[ns++] = row;
			rows[i] = NULL;
			if (!ok)
				break;
		}
		if (store_end(ob->st, ok) == 0) {
			outbox_unhold(ob);
			outbox_count(ob, &d);
		} else
			ok = 0;
	}
	if (n > 0 && !ok) {
		/* Nothing was claimed: all of it waits for the store. */
		outbox_failed(ob, "claiming a batch", NULL);
		outbox_rows_free(send, ns);
		outbox_rows_free(rows, n);
		outbox_arm(ob);
		return;
	}
	for (i = 0; i < ns; i++) {
		row = send[i];
		if (row->attempts == 0)
			metrics_observe(METRICS_LATENESS, wall_seconds() -
			    (double)row->due_at);
		job = xcalloc(1, sizeof *job);
		job->ob = ob;
		job->id = row->id;
		job->row = row;
		send[i] = NULL;
		ob->inflight++;
		/* A change to a series: the series for its calendar part. */
		if (store_feed_notice(ob->st, row, &cause) != 0) {
			log_warnx("outbox: row %lld: %s", job->id, cause);
			free(cause);
			cause = NULL;
		}
		if (msg_render(ob->tmpl, ob->conf, row, row->attempts + 1, &m,
		    &permanent, &cause) != 0) {
			outbox_done(job, permanent ? CHAN_PERMFAIL :
			    CHAN_TEMPFAIL, NULL, cause ? cause :
			    "the message could not be made");
			free(cause);
			cause = NULL;
			continue;
		}
		job->sent = 1;
		job->lang = m.lang != NULL ? xstrdup(m.lang) : NULL;
		chan_send(&m, outbox_done, job);
		msg_free(&m);
	}
	outbox_rows_free(send, ns);
	outbox_rows_free(rows, n);
	/*
	 * A full batch: take the next on the loop's next turn, after it has
	 * polled its sockets and run its timers.  (event_active would run it
	 * in this same turn, starving everything else until the burst ends.)
	 */
	if (n == (size_t)ob->conf->outbox_batch)
		outbox_soon(ob);
	else if (ob->inflight == 0)
		outbox_arm(ob);
}

/* Seconds before retry number n: doubling from the base, with jitter. */
static time_t
outbox_backoff(const struct config *conf, int attempts)
{
	double	d = conf->retry_base;
	int	i;

	for (i = 1; i < attempts && d < conf->retry_max; i++)
		d *= 2;
	if (d > conf->retry_max)
		d = conf->retry_max;
	/* Between three quarters and the whole of it. */
	d = d * 0.75 + (d * 0.25) * (randombytes_uniform(1001) / 1000.0);
	return ((time_t)(d < 1 ? 1 : d));
}

/* One answer's rows, counted in d; -1 when the store failed. */
static int
outbox_settle_job(struct outbox *ob, struct outbox_job *job, time_t now,
    struct outbox_stats *d)
{
	struct outbox_set	 u;
	struct outbox_row	*row = job->row;
	char			*why, *was = NULL;
	time_t			 start = row->start_at;
	time_t			 due = row->due_at, retry;
	int			 attempts = row->attempts + 1;
	int			 rc;

	memset(&u, 0, sizeof u);
	u.id = job->id;
	u.now = now;
	switch (job->result) {
	case CHAN_OK:
		u.state = "sent";
		u.reason = "";
		u.provider_id = job->provider_id;
		u.style = outbox_style(row);
		u.language = job->lang != NULL ? job->lang : row->language;
		/* What held it up stays in view once it is sent. */
		if (attempts > 1 && *row->reason != '\0')
			u.reason = was = xprintf("sent on attempt %d; before "
			    "that: %s", attempts, row->reason);
		d->sent++;
		break;
	case CHAN_TEMPFAIL:
		retry = now + outbox_backoff(ob->conf, attempts);
		if (retry - due > ob->conf->retry_lifetime) {
			why = xprintf("gave up after %d attempts: %s",
			    attempts, job->reason);
			u.state = "dead";
			u.reason = why;
			u.style = outbox_style(row);
			u.language = job->lang != NULL ? job->lang :
			    row->language;
			rc = store_out_set(ob->st, &u, NULL);
			free(why);
			d->dead++;
			return (rc);
		}
		if (start != 0 && retry >= start) {
			why = xprintf("the meeting began before a retry: %s",
			    job->reason);
			u.state = "missed";
			u.reason = why;
			rc = store_out_set(ob->st, &u, NULL);
			free(why);
			d->missed++;
			return (rc);
		}
		u.state = "pending";
		u.reason = job->reason;
		u.next_at = retry;
		d->retried++;
		break;
	case CHAN_PERMFAIL:
		/* The mail server refused the address: remember it. */
		if (job->sent && strcmp(row->channel, "email") == 0 &&
		    store_person_bounce(ob->st, row->person_id,
		    row->email, job->reason, now, NULL) != 0)
			return (-1);
		return (outbox_next_channel(ob, row, job->reason, now, d));
	}
	rc = store_out_set(ob->st, &u, NULL);
	free(was);
	return (rc);
}

/*
 * Settle every answer that came in, in one transaction: all of them or,
 * when any write fails, none, kept to be tried again after a wait.
 */
static void
outbox_settle(evutil_socket_t fd, short events, void *arg)
{
	struct outbox		*ob = arg;
	struct outbox_job	*job;
	struct outbox_stats	 d;
	struct timeval		 retry = { 0, 0 };
	time_t			 now = clock_now();
	int			 ok;

	if (TAILQ_EMPTY(&ob->done))
		return;
	memset(&d, 0, sizeof d);
	ok = store_begin(ob->st) == 0;
	if (ok) {
		TAILQ_FOREACH(job, &ob->done, entry) {
			if (outbox_settle_job(ob, job, now, &d) != 0) {
				ok = 0;
				break;
			}
		}
		ok = store_end(ob->st, ok) == 0;
	}
	if (!ok) {
		/* Keep every answer, and the counters as they were. */
		outbox_failed(ob, "recording the channels' answers", NULL);
		retry.tv_sec = ob->hold;
		event_add(ob->settle_ev, &retry);
		return;
	}
	outbox_unhold(ob);
	outbox_count(ob, &d);
	while ((job = TAILQ_FIRST(&ob->done)) != NULL) {
		TAILQ_REMOVE(&ob->done, job, entry);
		log_debug("outbox: row %lld %s%s%s", job->id,
		    chan_result_name(job->result), job->reason ? ": " : "",
		    job->reason ? job->reason : "");
		ob->inflight--;
		outbox_row_free(job->row);
		free(job->provider_id);
		free(job->reason);
		free(job->lang);
		free(job);
	}
	if (ob->inflight == 0 && !event_pending(ob->run_ev, EV_TIMEOUT,
	    NULL))
		outbox_arm(ob);
}

static void
outbox_timer(evutil_socket_t fd, short events, void *arg)
{
	outbox_run(fd, events, arg);
}

struct outbox *
outbox_create(struct event_base *base, struct store *st,
    const struct config *conf, struct tmpl_set *tmpl, char **cause)
{
	struct outbox	*ob;
	long long	 n = 0;

	ob = xcalloc(1, sizeof *ob);
	ob->base = base;
	ob->st = st;
	ob->conf = conf;
	ob->tmpl = tmpl;
	TAILQ_INIT(&ob->done);
	ob->timer = evtimer_new(base, outbox_timer, ob);
	store_on_failing(st, outbox_store_failing, ob);
	ob->run_ev = event_new(base, -1, 0, outbox_run, ob);
	ob->settle_ev = event_new(base, -1, 0, outbox_settle, ob);
	if (ob->timer == NULL || ob->run_ev == NULL || ob->settle_ev == NULL)
		fatalx("outbox: cannot make events");
	if (store_out_recover(st, &n, cause) != 0) {
		outbox_free(ob);
		return (NULL);
	}
	if (n > 0)
		log_warnx("outbox: %lld messages were in flight when convened "
		    "stopped; each will be sent again", n);
	return (ob);
}

/* Something changed: look for the nearest due row again. */
void
outbox_kick(struct outbox *ob)
{
	if (ob != NULL && !ob->stopping)
		outbox_soon(ob);
}

void
outbox_configure(struct outbox *ob, const struct config *conf,
    struct tmpl_set *tmpl)
{
	ob->conf = conf;
	ob->tmpl = tmpl;
}

void
outbox_stop(struct outbox *ob)
{
	ob->stopping = 1;
	evtimer_del(ob->timer);
}

size_t
outbox_inflight(struct outbox *ob)
{
	return (ob ? ob->inflight : 0);
}

const struct outbox_stats *
outbox_stats(struct outbox *ob)
{
	return (&ob->stats);
}

/* The outbox's lines in /metrics (a metrics collector; arg is the outbox). */
void
outbox_metrics(struct evbuffer *b, void *arg)
{
	const struct outbox_stats	*os = outbox_stats(arg);

	metrics_head(b, "convene_outbox_settled_total", "counter",
	    "Messages settled since start, by outcome.");
	evbuffer_add_printf(b, "convene_outbox_settled_total{outcome="
	    "\"sent\"} %llu\n", os->sent);
	evbuffer_add_printf(b, "convene_outbox_settled_total{outcome="
	    "\"retried\"} %llu\n", os->retried);
	evbuffer_add_printf(b, "convene_outbox_settled_total{outcome="
	    "\"failed\"} %llu\n", os->failed);
	evbuffer_add_printf(b, "convene_outbox_settled_total{outcome="
	    "\"dead\"} %llu\n", os->dead);
	evbuffer_add_printf(b, "convene_outbox_settled_total{outcome="
	    "\"skipped\"} %llu\n", os->skipped);
	evbuffer_add_printf(b, "convene_outbox_settled_total{outcome="
	    "\"missed\"} %llu\n", os->missed);
	evbuffer_add_printf(b, "convene_outbox_settled_total{outcome="
	    "\"deferred\"} %llu\n", os->deferred);
}

void
outbox_free(struct outbox *ob)
{
	struct outbox_job	*job;

	if (ob == NULL)
		return;
	store_on_failing(ob->st, NULL, NULL);
	while ((job = TAILQ_FIRST(&ob->done)) != NULL) {
		TAILQ_REMOVE(&ob->done, job, entry);
		outbox_row_free(job->row);
		free(job->provider_id);
		free(job->reason);
		free(job->lang);
		free(job);
	}
	if (ob->timer != NULL)
		event_free(ob->timer);
	if (ob->run_ev != NULL)
		event_free(ob->run_ev);
	if (ob->settle_ev != NULL)
		event_free(ob->settle_ev);
	free(ob);
}
