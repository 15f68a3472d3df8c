/*
 * chan.c: the channels behind one interface.  The dispatcher hands a
 * rendered message to the backend for its channel and hears back exactly
 * one of OK, TEMPFAIL or PERMFAIL; only TEMPFAIL is retried.  Which
 * backend serves email and SMS is the configuration's choice: the spool
 * until a server is configured, null for dry runs.
 */
#include "config.h"

#include <string.h>

#include "convene.h"
#include "log.h"

extern const struct chan_backend	chan_null_backend;
extern const struct chan_backend	chan_spool_backend;

static const struct chan_backend	*chan_email, *chan_sms;

/* Choose and start the backends; on failure nothing is changed. */
int
chan_init(const struct config *conf, char **cause)
{
	const struct chan_backend	*email, *sms;

	if (conf->dry_run)
		email = sms = &chan_null_backend;
	else
		email = sms = &chan_spool_backend;
	if (email->init != NULL && email->init(conf, cause) != 0)
		return (-1);
	if (sms != email && sms->init != NULL && sms->init(conf, cause) != 0)
		return (-1);
	chan_email = email;
	chan_sms = sms;
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
