/*
 * store_batch.c: group commit.  A write that must be durable before its
 * requester is told so (an answer to a meeting) joins the batch with the
 * function that writes it and the function that replies.  At the end of
 * the loop's turn, once every request this turn read has joined, the
 * batch opens one transaction (BEGIN IMMEDIATE), runs each write inside
 * a savepoint of its own, so that a write that fails is undone alone,
 * and commits once: with synchronous = FULL the commit is on disk when
 * it returns, and only then is each requester told how its write went.
 * A thousand answers then cost one fsync, not a thousand.
 *
 * The writes run at the flush, not when they join: no transaction stays
 * open while other code runs on the loop, whose own transactions must
 * not be folded into a batch that may still fail.  A batch holds at most
 * cap writes; what is left over goes in the next, after the loop has
 * served its other events.  When the transaction cannot begin, commit
 * or is undone by SQLite (busy, a full disk, an I/O error), every write
 * of the batch is told it failed, and none was recorded.
 */
#include "config.h"

#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "convene.h"
#include "log.h"
#include "store_int.h"
#include "util.h"

struct store_batch_job {
	store_batch_write_cb		 write;
	store_batch_done_cb		 done;
	void				*arg;
	int				 rc;
	char				*cause;
	TAILQ_ENTRY(store_batch_job)	 entry;
};
TAILQ_HEAD(store_batch_jobs, store_batch_job);

struct store_batch {
	struct store		*st;
	struct event		*ev;
	size_t			 cap;
	struct store_batch_jobs	 jobs;
	size_t			 njobs;
	unsigned long long	 commits;
	unsigned long long	 writes;
};

static void	store_batch_run(evutil_socket_t, short, void *);

/* A batch of at most cap writes (1: one transaction each) on base. */
struct store_batch *
store_batch_create(struct event_base *base, struct store *st, size_t cap)
{
	struct store_batch	*b;

	b = xcalloc(1, sizeof *b);
	b->st = st;
	b->cap = cap > 0 ? cap : 1;
	TAILQ_INIT(&b->jobs);
	if ((b->ev = event_new(base, -1, 0, store_batch_run, b)) == NULL)
		fatalx("event_new");
	return (b);
}

/* What waits is written and answered first. */
void
store_batch_free(struct store_batch *b)
{
	if (b == NULL)
		return;
	store_batch_flush(b);
	event_free(b->ev);
	free(b);
}

/*
 * Join the batch: write(st, arg, &cause) runs in the batch's transaction,
 * and done(rc, cause, arg) is called once that has committed (rc what
 * write returned, 0 or more) or failed (rc -1, cause why).  done is never
 * called from here.
 */
void
store_batch_add(struct store_batch *b, store_batch_write_cb write,
    store_batch_done_cb done, void *arg)
{
	struct store_batch_job	*j;

	j = xcalloc(1, sizeof *j);
	j->write = write;
	j->done = done;
	j->arg = arg;
	TAILQ_INSERT_TAIL(&b->jobs, j, entry);
	b->njobs++;
	if (b->njobs == 1)
		event_active(b->ev, EV_TIMEOUT, 0);
}

/* Why the transaction failed, from its last failed step. */
static char *
store_batch_why(struct store *st)
{
	char	*cause = NULL;

	if (store_broke(st, &cause))
		return (cause);
	if (st->last_err != 0)
		return (xprintf("database: %s", st->last_msg));
	return (xstrdup("database: the transaction failed"));
}

/* Every job of a batch that did not commit fails, with why. */
static void
store_batch_lost(struct store_batch_jobs *done, const char *why)
{
	struct store_batch_job	*j;

	TAILQ_FOREACH(j, done, entry) {
		j->rc = -1;
		free(j->cause);
		j->cause = xstrdup(why);
	}
}

/*
 * One transaction of at most cap jobs; their done callbacks after it.
 * Returns the number of jobs taken.
 */
static size_t
store_batch_one(struct store_batch *b)
{
	struct store_batch_jobs	 done;
	struct store_batch_job	*j;
	struct store		*st = b->st;
	char			*cause = NULL;
	size_t			 n = 0;
	int			 lost = 0;

	TAILQ_INIT(&done);
	while (n < b->cap && (j = TAILQ_FIRST(&b->jobs)) != NULL) {
		TAILQ_REMOVE(&b->jobs, j, entry);
		b->njobs--;
		TAILQ_INSERT_TAIL(&done, j, entry);
		n++;
	}
	if (store_begin(st) != 0) {
		cause = store_batch_why(st);
		store_batch_lost(&done, cause);
		goto reply;
	}
	TAILQ_FOREACH(j, &done, entry) {
		if (store_begin(st) != 0) {
			cause = store_batch_why(st);
			lost = 1;
			break;
		}
		j->rc = j->write(st, j->arg, &j->cause);
		if (j->rc < 0 && j->cause == NULL)
			j->cause = xstrdup("database: the write failed");
		/* A failure undoes this write alone, or SQLite undid all. */
		if (store_end(st, j->rc >= 0) != 0 && j->rc >= 0) {
			j->rc = -1;
			j->cause = store_batch_why(st);
		}
		if (sqlite3_get_autocommit(st->db)) {
			cause = xstrdup(j->cause != NULL ? j->cause :
			    "database: the transaction was rolled back");
			lost = 1;
			break;
		}
	}
	if (lost) {
		if (st->depth > 0)
			store_end(st, 0);
		store_batch_lost(&done, cause);
		goto reply;
	}
	if (store_end(st, 1) != 0) {
		cause = store_batch_why(st);
		store_batch_lost(&done, cause);
		goto reply;
	}
	b->commits++;
	b->writes += n;
reply:
	if (cause != NULL)
		log_warnx("%s: %zu writes were not recorded: %s", st->path, n,
		    cause);
	free(cause);
	while ((j = TAILQ_FIRST(&done)) != NULL) {
		TAILQ_REMOVE(&done, j, entry);
		j->done(j->rc, j->cause, j->arg);
		free(j->cause);
		free(j);
	}
	return (n);
}

/* The end of the loop's turn: one batch, the next after other events. */
static void
store_batch_run(evutil_socket_t fd, short events, void *arg)
{
	struct store_batch	*b = arg;

	store_batch_one(b);
	if (b->njobs > 0)
		event_active(b->ev, EV_TIMEOUT, 0);
}

/* Write, commit and answer everything that waits, now. */
void
store_batch_flush(struct store_batch *b)
{
	while (b->njobs > 0)
		store_batch_one(b);
	event_del(b->ev);
}

/* Commits made and writes they held, for /metrics. */
void
store_batch_metrics(struct evbuffer *out, void *arg)
{
	struct store_batch	*b = arg;

	evbuffer_add_printf(out, "# HELP convene_store_batch_commits_total "
	    "Transactions committed for batched writes.\n"
	    "# TYPE convene_store_batch_commits_total counter\n"
	    "convene_store_batch_commits_total %llu\n"
	    "# HELP convene_store_batch_writes_total Batched writes "
	    "committed.\n"
	    "# TYPE convene_store_batch_writes_total counter\n"
	    "convene_store_batch_writes_total %llu\n", b->commits, b->writes);
}
