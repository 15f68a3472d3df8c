/*
 * curlev.c: libcurl's multi interface driven by the daemon's libevent
 * loop.  libcurl says which sockets to watch (CURLMOPT_SOCKETFUNCTION)
 * and when to wake it (CURLMOPT_TIMERFUNCTION); every readiness or
 * timeout is handed back through curl_multi_socket_action, and finished
 * transfers are collected in one place and reported to their owner.
 * Nothing here waits: name lookups use libcurl's threaded resolver.
 *
 * One struct curlev per peer (the SMS gateway), so each has its own
 * connection limit and connection cache.  At most that many transfers are
 * in libcurl at once; the rest wait here, in order, so that a transfer's
 * time-out counts from when it starts, not from when it joined the queue
 * (libcurl's own queue counts the wait too).
 *
 * Not for SMTP: libcurl waits for the reply to the end of DATA by blocking
 * inside the multi handle (curl issue 8555), so chan_mail.c runs its
 * transfers on threads instead.
 */
#include "config.h"

#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "curlev.h"
#include "log.h"
#include "util.h"

/* What we keep for each socket libcurl asks us to watch. */
struct curlev_sock {
	struct curlev		*cv;
	curl_socket_t		 fd;
	struct event		*ev;
	LIST_ENTRY(curlev_sock)	 entry;
};

/* What we keep for each transfer, found again through CURLOPT_PRIVATE. */
struct curlev_xfer {
	CURL			*easy;
	curlev_done_cb		 done;
	void			*arg;
	TAILQ_ENTRY(curlev_xfer) entry;
};
TAILQ_HEAD(curlev_xfers, curlev_xfer);

struct curlev {
	struct event_base	*base;
	CURLM			*multi;
	struct event		*timer;
	size_t			 limit;
	size_t			 running;
	size_t			 active;	/* running and waiting */
	LIST_HEAD(, curlev_sock) socks;
	struct curlev_xfers	 xfers;		/* in libcurl */
	struct curlev_xfers	 waiting;	/* for a free connection */
};

static void	curlev_start_waiting(struct curlev *);

static int	curlev_global_done;
static int	curlev_global_kept;

/* Report every finished transfer to its owner, who frees the handle. */
static void
curlev_collect(struct curlev *cv)
{
	struct curlev_xfer	*x;
	CURLMsg			*msg;
	CURL			*easy;
	CURLcode		 result;
	char			*priv;
	int			 left;

	while ((msg = curl_multi_info_read(cv->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		easy = msg->easy_handle;
		result = msg->data.result;
		priv = NULL;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
		x = (struct curlev_xfer *)priv;
		curl_multi_remove_handle(cv->multi, easy);
		curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
		if (x != NULL) {
			TAILQ_REMOVE(&cv->xfers, x, entry);
			cv->running--;
			cv->active--;
			x->done(easy, result, x->arg);
			free(x);
		} else
			curl_easy_cleanup(easy);
	}
	curlev_start_waiting(cv);
}

static void
curlev_action(struct curlev *cv, curl_socket_t fd, int flags)
{
	CURLMcode	rc;
	int		running;

	rc = curl_multi_socket_action(cv->multi, fd, flags, &running);
	if (rc != CURLM_OK)
		log_warnx("curl: %s", curl_multi_strerror(rc));
	curlev_collect(cv);
}

static void
curlev_on_socket(evutil_socket_t fd, short what, void *arg)
{
	struct curlev_sock	*s = arg;
	int			 flags = 0;

	if (what & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	curlev_action(s->cv, fd, flags);
}

static void
curlev_on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	curlev_action(arg, CURL_SOCKET_TIMEOUT, 0);
}

/* CURLMOPT_TIMERFUNCTION: arm, or with -1 disarm, our one timer. */
static int
curlev_timer_cb(CURLM *multi, long ms, void *userp)
{
	struct curlev	*cv = userp;
	struct timeval	 tv;

	(void)multi;
	if (ms < 0) {
		evtimer_del(cv->timer);
		return (0);
	}
	/* Zero means now, but not from inside libcurl: on the next turn. */
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(cv->timer, &tv);
	return (0);
}

/* CURLMOPT_SOCKETFUNCTION: watch a socket for what libcurl wants. */
static int
curlev_socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp,
    void *socketp)
{
	struct curlev		*cv = userp;
	struct curlev_sock	*s = socketp;
	short			 events = EV_PERSIST;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			LIST_REMOVE(s, entry);
			event_free(s->ev);
			free(s);
			curl_multi_assign(cv->multi, fd, NULL);
		}
		return (0);
	}
	if (what & CURL_POLL_IN)
		events |= EV_READ;
	if (what & CURL_POLL_OUT)
		events |= EV_WRITE;
	if (s == NULL) {
		s = xcalloc(1, sizeof *s);
		s->cv = cv;
		s->fd = fd;
		LIST_INSERT_HEAD(&cv->socks, s, entry);
		curl_multi_assign(cv->multi, fd, s);
	} else if (s->ev != NULL)
		event_free(s->ev);
	s->ev = event_new(cv->base, fd, events, curlev_on_socket, s);
	if (s->ev == NULL || event_add(s->ev, NULL) != 0) {
		log_warnx("curl: cannot watch socket %d", (int)fd);
		return (-1);
	}
	return (0);
}

/* libcurl once per process, before any other thread may use it. */
int
curlev_global_init(char **cause)
{
	const curl_version_info_data	*v;

	if (curlev_global_done)
		return (0);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		cause_set(cause, "libcurl cannot start");
		return (-1);
	}
	curlev_global_done = 1;
	v = curl_version_info(CURLVERSION_NOW);
	if (!(v->features & CURL_VERSION_ASYNCHDNS))
		log_warnx("this libcurl resolves names by blocking: use a "
		    "numeric address for the mail server and SMS gateway");
	return (0);
}

/* A thread that may still use libcurl: never clean libcurl up. */
void
curlev_global_keep(void)
{
	curlev_global_kept = 1;
}

void
curlev_global_free(void)
{
	if (curlev_global_done && !curlev_global_kept)
		curl_global_cleanup();
	curlev_global_done = 0;
}

struct curlev *
curlev_create(struct event_base *base, long max_connections, char **cause)
{
	struct curlev	*cv;

	if (curlev_global_init(cause) != 0)
		return (NULL);
	cv = xcalloc(1, sizeof *cv);
	cv->base = base;
	LIST_INIT(&cv->socks);
	TAILQ_INIT(&cv->xfers);
	TAILQ_INIT(&cv->waiting);
	if ((cv->multi = curl_multi_init()) == NULL ||
	    (cv->timer = evtimer_new(base, curlev_on_timer, cv)) == NULL) {
		cause_set(cause, "libcurl: cannot make a multi handle");
		curlev_free(cv);
		return (NULL);
	}
	curl_multi_setopt(cv->multi, CURLMOPT_SOCKETFUNCTION,
	    curlev_socket_cb);
	curl_multi_setopt(cv->multi, CURLMOPT_SOCKETDATA, cv);
	curl_multi_setopt(cv->multi, CURLMOPT_TIMERFUNCTION, curlev_timer_cb);
	curl_multi_setopt(cv->multi, CURLMOPT_TIMERDATA, cv);
	curlev_limit(cv, max_connections);
	return (cv);
}

/*
 * At most n transfers and connections at once, and as many connections
 * kept open for reuse; transfers beyond that wait their turn here.
 */
void
curlev_limit(struct curlev *cv, long n)
{
	cv->limit = n < 1 ? 1 : (size_t)n;
	curl_multi_setopt(cv->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, n);
	curl_multi_setopt(cv->multi, CURLMOPT_MAX_HOST_CONNECTIONS, n);
	curl_multi_setopt(cv->multi, CURLMOPT_MAXCONNECTS, n);
	curlev_start_waiting(cv);
}

/* Hand a transfer to libcurl. */
static CURLMcode
curlev_start(struct curlev *cv, struct curlev_xfer *x)
{
	CURLMcode	rc;

	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, (char *)x);
	curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
	if ((rc = curl_multi_add_handle(cv->multi, x->easy)) != CURLM_OK) {
		curl_easy_setopt(x->easy, CURLOPT_PRIVATE, NULL);
		return (rc);
	}
	TAILQ_INSERT_TAIL(&cv->xfers, x, entry);
	cv->running++;
	return (CURLM_OK);
}

/* Start waiting transfers while there is room; failures are reported. */
static void
curlev_start_waiting(struct curlev *cv)
{
	struct curlev_xfer	*x;

	while (cv->running < cv->limit &&
	    (x = TAILQ_FIRST(&cv->waiting)) != NULL) {
		TAILQ_REMOVE(&cv->waiting, x, entry);
		if (curlev_start(cv, x) != CURLM_OK) {
			cv->active--;
			x->done(x->easy, CURLE_FAILED_INIT, x->arg);
			free(x);
		}
	}
}

/*
 * Start a transfer, or queue it when the limit is reached.  done is
 * called exactly once, from the loop and never from inside this call,
 * with the handle, which it then owns.
 */
int
curlev_add(struct curlev *cv, CURL *easy, curlev_done_cb done, void *arg,
    char **cause)
{
	struct curlev_xfer	*x;
	CURLMcode		 rc;

	x = xcalloc(1, sizeof *x);
	x->easy = easy;
	x->done = done;
	x->arg = arg;
	if (cv->running >= cv->limit || !TAILQ_EMPTY(&cv->waiting))
		TAILQ_INSERT_TAIL(&cv->waiting, x, entry);
	else if ((rc = curlev_start(cv, x)) != CURLM_OK) {
		free(x);
		cause_set(cause, "libcurl: %s", curl_multi_strerror(rc));
		return (-1);
	}
	cv->active++;
	return (0);
}

size_t
curlev_active(struct curlev *cv)
{
	return (cv != NULL ? cv->active : 0);
}

/* Abandon what is in flight: each owner hears CURLE_ABORTED_BY_CALLBACK. */
void
curlev_free(struct curlev *cv)
{
	struct curlev_xfer	*x;
	struct curlev_sock	*s;
	size_t			 n = 0;

	if (cv == NULL)
		return;
	cv->limit = 0;		/* nothing waiting starts now */
	while ((x = TAILQ_FIRST(&cv->xfers)) != NULL) {
		TAILQ_REMOVE(&cv->xfers, x, entry);
		curl_multi_remove_handle(cv->multi, x->easy);
		curl_easy_setopt(x->easy, CURLOPT_PRIVATE, NULL);
		x->done(x->easy, CURLE_ABORTED_BY_CALLBACK, x->arg);
		free(x);
		n++;
	}
	while ((x = TAILQ_FIRST(&cv->waiting)) != NULL) {
		TAILQ_REMOVE(&cv->waiting, x, entry);
		x->done(x->easy, CURLE_ABORTED_BY_CALLBACK, x->arg);
		free(x);
		n++;
	}
	if (n > 0)
		log_debug("curl: %zu transfers abandoned", n);
	if (cv->multi != NULL)
		curl_multi_cleanup(cv->multi);
	/* Sockets libcurl closed without telling us. */
	while ((s = LIST_FIRST(&cv->socks)) != NULL) {
		LIST_REMOVE(s, entry);
		if (s->ev != NULL)
			event_free(s->ev);
		free(s);
	}
	if (cv->timer != NULL)
		event_free(cv->timer);
	free(cv);
}
