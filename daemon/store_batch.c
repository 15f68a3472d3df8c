/*
 * store_batch.c: group commit.  A write that must be durable before its
 * requester is told so (an answer to a meeting) joins the batch with the
 * function that writes it and the function that replies.  At the end of
 * the loop's turn, every write that joined in it is handed to the
 * batch's thread, which has a connection of its own: it opens one
 * transaction (BEGIN IMMEDIATE), runs each write inside a savepoint of
 * its own, so that a write that fails is undone alone, and commits once.
 * A thousand answers then cost one fsync, not a thousand, and neither
 * the writes nor the fsync are the loop's to wait for: it goes on
 * reading requests, which join the next transaction.
 *
 * The thread commits with synchronous = NORMAL, which in WAL mode writes
 * the transaction's frames to the log without syncing it, and then
 * fdatasyncs the log file itself: once that returns, every frame written
 * before it is on disk, which is what synchronous = FULL would have
 * waited for inside the commit, but without holding the write lock
 * meanwhile, so that the loop's own writes need not wait for a disk.
 * Only then is each requester told, on the loop, how its write went.
 * With a cap of one (convened --test-commit-each) each write commits
 * alone with synchronous = FULL, as a plain transaction would.
 *
 * A write runs on the thread: it may use the connection it is given,
 * its own argument, and nothing of the loop's.  Rows it changes that
 * the loop's store watches (store_feed_kind) are told to that store
 * before the replies.  A batch holds at most cap writes; what is left
 * over goes in the next.  When the transaction cannot begin, commit or
 * is undone by SQLite (busy, a full disk, an I/O error), or the log
 * cannot be synced, every write of the batch is told it failed; when
 * the database itself failed (a full disk, an I/O error, a lock held
 * too long; not a constraint), the loop's store begins an episode of
 * its own, which /healthz reports and the loop's probes end.
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

struct store_batch {
	struct store		*st;		/* the loop's */
	struct event		*ev;		/* the end of the loop's turn */
	size_t			 cap;
	struct store_batch_jobs	 jobs;		/* joined in this turn */

	/* The thread and what it shares with the loop, under lock. */
	struct store		*wst;		/* the thread's connection */
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 wake;		/* work, or stop */
	pthread_cond_t		 idle;		/* nothing queued or running */
	struct store_batch_jobs	 queue;		/* to write */
	struct store_batch_jobs	 done;		/* written, to be told */
	int			 busy;
	int			 stop;
	int			 changed;	/* STORE_CHANGED_*, to tell */
	char			*failing;	/* why the database failed */
	unsigned long long	 catalogue;	/* changes of the loop's */
	unsigned long long	 commits;
	unsigned long long	 writes;
	int			 pipe[2];	/* the thread's "done" */
	struct event		*pev;

	/* The thread's alone. */
	int			 fd;		/* the log, to sync */
	int			 wchanged;	/* from its connection's hook */
	unsigned long long	 wcatalogue;
};

static void	store_batch_run(evutil_socket_t, short, void *);
static void	store_batch_told(evutil_socket_t, short, void *);
static void	*store_batch_writer(void *);

/*
 * A batch of at most cap writes (1: one transaction each) on base, for
 * the database of st, with a thread and a connection of its own.
 */
struct store_batch *
store_batch_create(struct event_base *base, struct store *st, size_t cap,
    char **cause)
{
	struct store_batch	*b;

	b = xcalloc(1, sizeof *b);
	b->st = st;
	b->cap = cap > 0 ? cap : 1;
	b->fd = -1;
	b->pipe[0] = b->pipe[1] = -1;
	TAILQ_INIT(&b->jobs);
	TAILQ_INIT(&b->queue);
	TAILQ_INIT(&b->done);
	if ((b->wst = store_open_peer(st, cause)) == NULL) {
		free(b);
		return (NULL);
	}
	store_need_catalogue_copy(b->wst, st);
	if ((b->ev = event_new(base, -1, 0, store_batch_run, b)) == NULL)
		fatalx("event_new");
	if (pipe2(b->pipe, O_CLOEXEC | O_NONBLOCK) == -1)
		fatal("pipe2");
	if ((b->pev = event_new(base, b->pipe[0], EV_READ | EV_PERSIST,
	    store_batch_told, b)) == NULL || event_add(b->pev, NULL) != 0)
		fatalx("event_new");
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->wake, NULL);
	pthread_cond_init(&b->idle, NULL);
	if ((errno = pthread_create(&b->thread, NULL, store_batch_writer,
	    b)) != 0)
		fatal("pthread_create");
	return (b);
}

/* What waits is written and answered first. */
void
store_batch_free(struct store_batch *b)
{
	if (b == NULL)
		return;
	store_batch_flush(b);
	pthread_mutex_lock(&b->lock);
	b->stop = 1;
	pthread_cond_signal(&b->wake);
	pthread_mutex_unlock(&b->lock);
	pthread_join(b->thread, NULL);
	pthread_mutex_destroy(&b->lock);
	pthread_cond_destroy(&b->wake);
	pthread_cond_destroy(&b->idle);
	event_free(b->ev);
	event_free(b->pev);
	close(b->pipe[0]);
	close(b->pipe[1]);
	if (b->fd != -1)
		close(b->fd);
	store_close(b->wst);
	free(b->failing);
	free(b);
}

/*
 * Join the batch: write(st, arg, &cause) runs in the batch's transaction,
 * on the batch's thread, and done(rc, cause, arg) is called on the loop
 * once that has committed (rc what write returned, 0 or more) or failed
 * (rc -1, cause why).  done is never called from here.
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
	if (TAILQ_EMPTY(&b->jobs))
		event_active(b->ev, EV_TIMEOUT, 0);
	TAILQ_INSERT_TAIL(&b->jobs, j, entry);
}

/*
 * The catalogue of needs of the loop's store changes: conf's from now
 * on, for the thread's writes too.
 */
void
store_batch_catalogue(struct store_batch *b, const struct config *conf)
{
	pthread_mutex_lock(&b->lock);
	store_need_catalogue(b->st, conf);
	b->catalogue++;
	pthread_mutex_unlock(&b->lock);
}

/* Hand what joined to the thread. */
static void
store_batch_hand(struct store_batch *b)
{
	if (TAILQ_EMPTY(&b->jobs))
		return;
	pthread_mutex_lock(&b->lock);
	TAILQ_CONCAT(&b->queue, &b->jobs, entry);
	pthread_cond_signal(&b->wake);
	pthread_mutex_unlock(&b->lock);
}

/* The end of the loop's turn: what joined in it goes to the thread. */
static void
store_batch_run(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	store_batch_hand(arg);
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

/* On the loop: what the thread has written, told to whom asked. */
static void
store_batch_collect(struct store_batch *b)
{
	struct store_batch_jobs	 done;
	char			*failing;
	int			 changed;

	TAILQ_INIT(&done);
	pthread_mutex_lock(&b->lock);
	TAILQ_CONCAT(&done, &b->done, entry);
	changed = b->changed;
	b->changed = 0;
	failing = b->failing;
	b->failing = NULL;
	pthread_mutex_unlock(&b->lock);
	if (changed != 0)
		store_feed_notify(b->st, changed);
	/* /healthz says so, and the loop's probes look for the end. */
	if (failing != NULL)
		store_failing_begin(b->st, failing);
	free(failing);
	store_batch_reply(&done);
}

static void
store_batch_told(evutil_socket_t fd, short events, void *arg)
{
	char	buf[64];

	(void)events;
	while (read(fd, buf, sizeof buf) > 0)
		;
	store_batch_collect(arg);
}

/* Write, commit and answer everything that waits, now. */
void
store_batch_flush(struct store_batch *b)
{
	event_del(b->ev);
	store_batch_hand(b);
	pthread_mutex_lock(&b->lock);
	while (b->busy || !TAILQ_EMPTY(&b->queue))
		pthread_cond_wait(&b->idle, &b->lock);
	pthread_mutex_unlock(&b->lock);
	store_batch_collect(b);
}

/* Commits made and writes they held, for /metrics. */
void
store_batch_metrics(struct evbuffer *out, void *arg)
{
	struct store_batch	*b = arg;
	unsigned long long	 commits, writes;

	pthread_mutex_lock(&b->lock);
	commits = b->commits;
	writes = b->writes;
	pthread_mutex_unlock(&b->lock);
	evbuffer_add_printf(out, "# HELP convene_store_batch_commits_total "
	    "Transactions committed for batched writes.\n"
	    "# TYPE convene_store_batch_commits_total counter\n"
	    "convene_store_batch_commits_total %llu\n"
	    "# HELP convene_store_batch_writes_total Batched writes "
	    "committed.\n"
	    "# TYPE convene_store_batch_writes_total counter\n"
	    "convene_store_batch_writes_total %llu\n", commits, writes);
}

/* The thread's side. */

/* Rows its connection changes: what the loop's store must hear of. */
static void
store_batch_hook(void *arg, int op, const char *db, const char *table,
    sqlite3_int64 rowid)
{
	struct store_batch	*b = arg;

	(void)op;
	(void)db;
	(void)rowid;
	b->wchanged |= store_feed_kind(table);
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
store_batch_lost(struct store_batch_jobs *list, const char *why)
{
	struct store_batch_job	*j;

	TAILQ_FOREACH(j, list, entry) {
		j->rc = -1;
		free(j->cause);
		j->cause = xstrdup(why);
	}
}

/*
 * The log's file, opened once a commit has made it and kept open: SQLite
 * removes the log only when the last connection to the database closes,
 * and ours stay open while the batch lives; a checkpoint that empties it
 * truncates the same file.  Never the database's own file: closing a
 * descriptor of it would drop the locks SQLite holds on it.
 */
static int
store_batch_open(struct store_batch *b)
{
	char	*path;

	if (b->fd != -1)
		return (b->fd);
	path = xprintf("%s-wal", b->wst->path);
	b->fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	return (b->fd);
}

/* Sync the log after a commit with synchronous = NORMAL: 0, or errno. */
static int
store_batch_fsync(struct store_batch *b)
{
	int	fd;

	if ((fd = store_batch_open(b)) == -1)
		return (errno != 0 ? errno : EIO);
	if (fdatasync(fd) == -1)
		return (errno != 0 ? errno : EIO);
	return (0);
}

/* The writes of list in one transaction, on disk when this returns. */
static void
store_batch_write(struct store_batch *b, struct store_batch_jobs *list,
    size_t n)
{
	struct store_batch_job	*j;
	struct store		*st = b->wst;
	char			*cause = NULL;
	int			 lost = 0, err;

	if (store_begin(st) != 0) {
		cause = store_batch_why(st);
		store_batch_lost(list, cause);
		goto out;
	}
	TAILQ_FOREACH(j, list, entry) {
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
		store_batch_lost(list, cause);
		goto out;
	}
	if (store_end(st, 1) != 0) {
		cause = store_batch_why(st);
		store_batch_lost(list, cause);
		goto out;
	}
	/* With a cap of one the commit synced already. */
	if (b->cap > 1 && (err = store_batch_fsync(b)) != 0) {
		cause = xprintf("database: the log could not be synced: %s",
		    strerror(err));
		store_batch_lost(list, cause);
		goto out;
	}
	pthread_mutex_lock(&b->lock);
	b->commits++;
	b->writes += n;
	pthread_mutex_unlock(&b->lock);
out:
	if (cause != NULL)
		log_warnx("%s: %zu writes were not recorded: %s", st->path, n,
		    cause);
	free(cause);
}

/*
 * The thread: take what is queued, at most cap writes, write it in one
 * transaction, and hand it back to the loop through the pipe.  Whatever
 * is queued meanwhile makes the next transaction.
 */
static void *
store_batch_writer(void *arg)
{
	struct store_batch	*b = arg;
	struct store_batch_jobs	 list;
	struct store_batch_job	*j;
	size_t			 n;

	sqlite3_update_hook(b->wst->db, store_batch_hook, b);
	/* The log is synced here, after the commit, when batched. */
	if (b->cap > 1)
		sqlite3_exec(b->wst->db, "PRAGMA synchronous = NORMAL", NULL,
		    NULL, NULL);
	pthread_mutex_lock(&b->lock);
	for (;;) {
		while (!b->stop && TAILQ_EMPTY(&b->queue)) {
			pthread_cond_broadcast(&b->idle);
			pthread_cond_wait(&b->wake, &b->lock);
		}
		if (TAILQ_EMPTY(&b->queue))
			break;
		TAILQ_INIT(&list);
		for (n = 0; n < b->cap && (j = TAILQ_FIRST(&b->queue)) !=
		    NULL; n++) {
			TAILQ_REMOVE(&b->queue, j, entry);
			TAILQ_INSERT_TAIL(&list, j, entry);
		}
		if (b->wcatalogue != b->catalogue) {
			store_need_catalogue_copy(b->wst, b->st);
			b->wcatalogue = b->catalogue;
		}
		b->busy = 1;
		pthread_mutex_unlock(&b->lock);

		b->wchanged = 0;
		store_batch_write(b, &list, n);

		pthread_mutex_lock(&b->lock);
		b->busy = 0;
		b->changed |= b->wchanged;
		/* The database itself, not a constraint: tell the loop. */
		if (b->wst->failing_since != 0 && b->failing == NULL)
			b->failing = xstrdup(b->wst->failing_why != NULL ?
			    b->wst->failing_why : "the batch's writes failed");
		TAILQ_CONCAT(&b->done, &list, entry);
		while (write(b->pipe[1], "", 1) == -1 && errno == EINTR)
			;
	}
	pthread_cond_broadcast(&b->idle);
	pthread_mutex_unlock(&b->lock);
	return (NULL);
}
