/*
 * chan.c: the channels behind one interface.  The dispatcher hands a
 * rendered message to the backend for its channel and hears back exactly
 * one of OK, TEMPFAIL or PERMFAIL; only TEMPFAIL is retried.  Which
 * backend serves email and SMS is the configuration's choice: SMTP when
 * smtp_url is set, the SMS gateway when gateway_url is, the spool until
 * then, null for dry runs.
 *
 * A backend's trouble (its server down, busy or refusing) is logged once
 * when it starts and once when delivery works again, not at every
 * message and retry: an outage of an hour would otherwise fill the log.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "convene.h"
#include "log.h"
#include "util.h"

#define CHAN_REFUSED_WINDOW	60	/* seconds */
#define CHAN_REFUSED_LOGGED	10	/* refusals a window at info level */

/* What has gone wrong with one backend, and since when. */
struct chan_trouble {
	char		*name;		/* the log's prefix: "mail" */
	char		*cause;		/* NULL: delivering */
	unsigned long	 failures;
	time_t		 since;
	time_t		 window;	/* refusals: this window's start */
	unsigned int	 refused;	/* refusals logged in the window */
};

extern const struct chan_backend	chan_null_backend;
extern const struct chan_backend	chan_spool_backend;
extern const struct chan_backend	chan_mail_backend;
extern const struct chan_backend	chan_sms_backend;

static const struct chan_backend	*chan_email, *chan_sms;
static const struct chan_backend	*chan_forced;	/* tests: all of it */
static const struct config		*chan_applied;	/* kept by the caller */

static const struct chan_backend *
chan_pick(const struct config *conf, int sms)
{
	if (conf->dry_run)
		return (&chan_null_backend);
	if (!sms && *conf->smtp_url != '\0')
		return (&chan_mail_backend);
	if (sms && *conf->sms_gateway_url != '\0')
		return (&chan_sms_backend);
	return (&chan_spool_backend);
}

/*
 * Choose and (re)start the backends.  A backend keeps what is in flight
 * across a reload; on failure the configuration in use is kept.
 */
int
chan_init(struct event_base *base, const struct config *conf, char **cause)
{
	const struct chan_backend	*email, *sms;

	email = chan_pick(conf, 0);
	sms = chan_pick(conf, 1);
	if (email->init != NULL && email->init(base, conf, cause) != 0)
		return (-1);
	if (sms != email && sms->init != NULL &&
	    sms->init(base, conf, cause) != 0) {
		/* Email took the new settings: give it back the old ones. */
		if (chan_applied != NULL && email == chan_email &&
		    email->init != NULL &&
		    email->init(base, chan_applied, NULL) != 0)
			log_warnx("email could not go back to the settings in "
			    "use");
		return (-1);
	}
	chan_email = email;
	chan_sms = sms;
	chan_applied = conf;
	log_info("email goes to the %s channel, SMS to the %s channel",
	    email->name, sms->name);
	return (0);
}

void
chan_send(const struct chan_msg *m, chan_done_cb done, void *arg)
{
	const struct chan_backend	*b;

	if ((b = chan_forced) == NULL)
		b = strcmp(m->channel, "sms") == 0 ? chan_sms : chan_email;
	if (b == NULL) {
		done(arg, CHAN_TEMPFAIL, NULL, "no channel is set up yet");
		return;
	}
	b->send(m, done, arg);
}

/* Let go of connections; what is in flight is told TEMPFAIL. */
void
chan_shutdown(void)
{
	const struct chan_backend	*all[] = {
		&chan_mail_backend, &chan_sms_backend, &chan_spool_backend,
		&chan_null_backend
	};
	size_t				 i;

	for (i = 0; i < sizeof all / sizeof all[0]; i++) {
		if (all[i]->shutdown != NULL)
			all[i]->shutdown();
	}
	chan_email = chan_sms = NULL;
	chan_applied = NULL;
	chan_forced = NULL;
}

/*
 * For tests only: every message goes to b, whatever its channel, until
 * chan_shutdown() or chan_override(NULL).
 */
void
chan_override(const struct chan_backend *b)
{
	chan_forced = b;
}

const char *
chan_result_name(enum chan_result r)
{
	switch (r) {
	case CHAN_OK:
		return ("ok");
	case CHAN_TEMPFAIL:
		return ("tempfail");
	case CHAN_PERMFAIL:
		return ("permfail");
	}
	return ("?");
}

struct chan_trouble *
chan_trouble_create(const char *name)
{
	struct chan_trouble	*t;

	t = xcalloc(1, sizeof *t);
	t->name = xstrdup(name);
	return (t);
}

void
chan_trouble_free(struct chan_trouble *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->cause);
	free(t);
}

/*
 * A temporary failure whose cause is named by key: a warning when the
 * cause is new, nothing more while it lasts, since every message waiting
 * would repeat it at each retry.
 */
void
chan_trouble_fail(struct chan_trouble *t, const char *key, const char *fmt,
    ...)
{
	va_list	 ap;
	char	*text;

	if (t->cause == NULL) {
		t->failures = 0;
		t->since = clock_now();
	}
	t->failures++;
	if (t->cause != NULL && strcmp(t->cause, key) == 0)
		return;
	free(t->cause);
	t->cause = xstrdup(key);
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	log_warnx("%s: %s; messages wait and are retried", t->name, text);
	free(text);
}

/* A message went: say so once if it ends a time of trouble. */
void
chan_trouble_ok(struct chan_trouble *t)
{
	if (t->cause == NULL)
		return;
	log_info("%s: delivering again after %lu failure%s in %lld seconds",
	    t->name, t->failures, t->failures == 1 ? "" : "s",
	    (long long)(clock_now() - t->since));
	free(t->cause);
	t->cause = NULL;
	t->failures = 0;
}

/*
 * A message refused for itself (an unknown address): the server works,
 * so this is no trouble of the channel's.  Each is logged, a few a
 * minute at info level and the rest at debug, so that a run of them
 * does not flood the log.
 */
void
chan_trouble_refused(struct chan_trouble *t, long long id,
    const char *reason)
{
	time_t	now = clock_now();

	if (now - t->window >= CHAN_REFUSED_WINDOW) {
		t->window = now;
		t->refused = 0;
	}
	if (t->refused >= CHAN_REFUSED_LOGGED) {
		log_debug("%s: outbox row %lld refused: %s", t->name, id,
		    reason);
		return;
	}
	t->refused++;
	log_info("%s: outbox row %lld refused: %s%s", t->name, id, reason,
	    t->refused == CHAN_REFUSED_LOGGED ? " (more refusals this "
	    "minute are logged at debug level)" : "");
}
