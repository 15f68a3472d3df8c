/*
 * chan.c: the channels behind one interface.  The dispatcher hands a
 * rendered message to the backend for its channel and hears back exactly
 * one of OK, TEMPFAIL or PERMFAIL; only TEMPFAIL is retried.  Which
 * backend serves email and SMS is the configuration's choice: SMTP when
 * smtp_url is set, the SMS gateway when gateway_url is, the spool until
 * then, null for dry runs.
 */
#include "config.h"

#include <string.h>

#include "convene.h"
#include "log.h"

extern const struct chan_backend	chan_null_backend;
extern const struct chan_backend	chan_spool_backend;
extern const struct chan_backend	chan_mail_backend;
extern const struct chan_backend	chan_sms_backend;

static const struct chan_backend	*chan_email, *chan_sms;
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
