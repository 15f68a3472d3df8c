/*
 * store_batch.c: group commit.  A write that must be durable before its
 * requester is told so (an answer to a meeting) joins the batch with the
 * function that writes it and the function that replies.  At the end of
 * the loop's turn, once every request this turn read has joined, the
 * batch opens one transaction (BEGIN IMMEDIATE), runs each write inside
 * a savepoint of its own, so that a write that fails is undone alone,
 * and commits once.  A thousand answers then cost one fsync, not a
 * thousand.
 *
 * The fsync itself is not the loop's to wait for.  The batch commits
 * with synchronous = NORMAL, which in WAL mode writes the transaction's
 * frames to the log without syncing it, and a thread of its own then
 * fdatasyncs the log file: once that returns, every frame written
 * before it is on disk, which is what synchronous = FULL would have
 * waited for inside the commit.  Only then is each requester told how
 * its write went; meanwhile the loop serves other requests, and the
 * next batch commits, to be covered by the next sync.  With a cap of
 * one (convened --test-commit-each) each write commits with
 * synchronous = FULL on the loop, as a plain transaction would.
 *
 * The writes run at the flush, not when they join: no transaction stays
 * open while other code runs on the loop, whose own transactions must
 * not be folded into a batch that may still fail.  A batch holds at most
 * cap writes; what is left over goes in the next, after the loop has
 * served its other events.  When the transaction cannot begin, commit
 * or is undone by SQLite (busy, a full disk, an I/O error), or the log
 * cannot be synced, every write of the batch is told it failed.
 */
#include "config.h"

#include <sys/queue.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* A batch committed, its requesters waiting for the log's sync. */
struct store_batch_held {
	unsigned long long		 seq;
	struct store_batch_jobs		 jobs;
	TAILQ_ENTRY(store_batch_held)	 entry;
};
TAILQ_HEAD(store_batch_helds, store_batch_held);

struct store_batch {
	struct store		*st;
	struct event		*ev;
	size_t			 cap;
	struct store_batch_jobs	 jobs;
	size_t			 njobs;
	unsigned long long	 commits;
	unsigned long long	 writes;

	/* The sync thread; none with a cap of one. */
	int			 threaded;
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 wake;
	int			 stop;
	unsigned long long	 seq;		/* the last batch committed */
	unsigned long long	 want;		/* to sync, under lock */
	unsigned long long	 synced;	/* synced, under lock */
	unsigned long long	 failed;	/* up to here, a sync failed */
	int			 failed_errno;
	int			 fd;		/* the log, for the thread */
	int			 pipe[2];	/* the thread's "synced" */
	struct event		*pev;
	struct store_batch_helds held;
};

static void	store_batch_run(evutil_socket_t, short, void *);
static void	store_batch_synced(evutil_socket_t, short, void *);
static void	*store_batch_syncer(void *);
static void	store_batch_sync_now(struct store_batch *);
static int	store_batch_open(struct store_batch *);

/* A batch of at most cap writes (1: one transaction each) on base. */
struct store_batch *
store_batch_create(struct event_base *base, struct store *st, size_t cap)
{
	struct store_batch	*b;

	b = xcalloc(1, sizeof *b);
	b->st = st;
	b->cap = cap > 0 ? cap : 1;
	b->fd = -1;
	TAILQ_INIT(&b->jobs);
	TAILQ_INIT(&b->held);
	if ((b->ev = event_new(base, -1, 0, store_batch_run, b)) == NULL)
		fatalx("event_new");
	if (b->cap == 1)
		return (b);
	if (pipe2(b->pipe, O_CLOEXEC | O_NONBLOCK) == -1)
		fatal("pipe2");
	if ((b->pev = event_new(base, b->pipe[0], EV_READ | EV_PERSIST,
	    store_batch_synced, b)) == NULL || event_add(b->pev, NULL) != 0)
		fatalx("event_new");
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->wake, NULL);
	if ((errno = pthread_create(&b->thread, NULL, store_batch_syncer,
	    b)) != 0)
		fatal("pthread_create");
	b->threaded = 1;
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
	if (b->threaded) {
		pthread_mutex_lock(&b->lock);
		b->stop = 1;
		pthread_cond_signal(&b->wake);
		pthread_mutex_unlock(&b->lock);
		pthread_join(b->thread, NULL);
		pthread_mutex_destroy(&b->lock);
		pthread_cond_destroy(&b->wake);
		event_free(b->pev);
		close(b->pipe[0]);
		close(b->pipe[1]);
	}
	if (b->fd != -1)
		close(b->fd);
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

/* Back to synchronous = FULL for every other write of the loop. */
static void
store_batch_full(struct store_batch *b)
{
	if (b->threaded && sqlite3_exec(b->st->db, "PRAGMA synchronous = "
	    "FULL", NULL, NULL, NULL) != SQLITE_OK)
		log_warnx("%s: synchronous = FULL: %s", b->st->path,
		    sqlite3_errmsg(b->st->db));
}

/* Tell each job of a list how it went, and free them. */
static void
store_batch_reply(struct store_batch_jobs *done)
{
	struct store_batch_job	*j;

	while ((j = TAILQ_FIRST(done)) != NULL) {
		TAILQ_REMOVE(done, j, entry);
		j->done(j->rc, j->cause, j->arg);
		free(j->cause);
		free(j);
	}
}

/* A batch committed: its jobs wait for the thread to sync the log. */
static void
store_batch_hold(struct store_batch *b, struct store_batch_jobs *done)
{
	struct store_batch_held	*h;

	h = xcalloc(1, sizeof *h);
	h->seq = ++b->seq;
	TAILQ_INIT(&h->jobs);
	TAILQ_CONCAT(&h->jobs, done, entry);
	TAILQ_INSERT_TAIL(&b->held, h, entry);
	/* Opened here, before the thread may use it: the log exists now. */
	store_batch_open(b);
	pthread_mutex_lock(&b->lock);
	b->want = h->seq;
	pthread_cond_signal(&b->wake);
	pthread_mutex_unlock(&b->lock);
}

/*
 * The log's file, or the database's when there is no log.  Kept open:
 * SQLite removes the log only when the last connection to the database
 * closes, and the loop's stays open while the batch lives; a checkpoint
 * that empties it truncates the same file.
 */
static int
store_batch_open(struct store_batch *b)
{
	char	*path;

	if (b->fd != -1)
		return (b->fd);
	path = xprintf("%s-wal", b->st->path);
	b->fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (b->fd == -1)
		b->fd = open(b->st->path, O_RDONLY | O_CLOEXEC);
	return (b->fd);
}

/* Sync the log, opened by the loop before it asked: 0, or an errno. */
static int
store_batch_fsync(struct store_batch *b)
{
	int	fd = b->fd;

	if (fd == -1)
		return (EIO);
	if (fdatasync(fd) == -1)
		return (errno != 0 ? errno : EIO);
	return (0);
}

/*
 * The thread: sync the log whenever a batch has been committed since
 * the last sync, then tell the loop through the pipe.  One sync covers
 * every batch committed before it began.
 */
static void *
store_batch_syncer(void *arg)
{
	struct store_batch	*b = arg;
	unsigned long long	 target;
	int			 err;

	for (;;) {
		pthread_mutex_lock(&b->lock);
		while (!b->stop && b->want == b->synced)
			pthread_cond_wait(&b->wake, &b->lock);
		if (b->want == b->synced) {
			pthread_mutex_unlock(&b->lock);
			break;
		}
		target = b->want;
		pthread_mutex_unlock(&b->lock);
		err = store_batch_fsync(b);
		pthread_mutex_lock(&b->lock);
		b->synced = target;
		if (err != 0) {
			b->failed = target;
			b->failed_errno = err;
		}
		pthread_mutex_unlock(&b->lock);
		while (write(b->pipe[1], "", 1) == -1 && errno == EINTR)
			;
	}
	return (NULL);
}

/* Answer the batches synced (or whose sync failed) up to seq. */
static void
store_batch_release(struct store_batch *b, unsigned long long synced,
    unsigned long long failed, int failed_errno)
{
	struct store_batch_held	*h;
	struct store_batch_job	*j;
	char			*why;

	while ((h = TAILQ_FIRST(&b->held)) != NULL && h->seq <= synced) {
		TAILQ_REMOVE(&b->held, h, entry);
		if (h->seq <= failed) {
			why = xprintf("database: the log could not be synced: "
			    "%s", strerror(failed_errno));
			log_warnx("%s: %s", b->st->path, why);
			TAILQ_FOREACH(j, &h->jobs, entry) {
				if (j->rc < 0)
					continue;
				j->rc = -1;
				j->cause = xstrdup(why);
			}
			free(why);
		}
		store_batch_reply(&h->jobs);
		free(h);
	}
}

/* The thread has synced: answer what it covered. */
static void
store_batch_synced(evutil_socket_t fd, short events, void *arg)
{
	struct store_batch	*b = arg;
	unsigned long long	 synced, failed;
	char			 buf[64];
	int			 err;

	(void)events;
	while (read(fd, buf, sizeof buf) > 0)
		;
	pthread_mutex_lock(&b->lock);
	synced = b->synced;
	failed = b->failed;
	err = b->failed_errno;
	b->failed = 0;
	pthread_mutex_unlock(&b->lock);
	store_batch_release(b, synced, failed, err);
}

/* At the end: sync here, and answer everything held. */
static void
store_batch_sync_now(struct store_batch *b)
{
	int	err;

	if (TAILQ_EMPTY(&b->held))
		return;
	/* The thread may be syncing too: two syncs do no harm. */
	err = store_batch_fsync(b);
	store_batch_release(b, b->seq, err != 0 ? b->seq : 0, err);
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
	/* The log is synced by the thread, after the commit. */
	if (b->threaded)
		sqlite3_exec(st->db, "PRAGMA synchronous = NORMAL", NULL, NULL,
		    NULL);
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
	if (b->threaded) {
		store_batch_hold(b, &done);
		store_batch_full(b);
		return (n);
	}
reply:
	store_batch_full(b);
	if (cause != NULL)
		log_warnx("%s: %zu writes were not recorded: %s", st->path, n,
		    cause);
	free(cause);
	store_batch_reply(&done);
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
	if (b->threaded)
		store_batch_sync_now(b);
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
