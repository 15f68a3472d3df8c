/* placeholder until the mail backend lands */
#include "config.h"
#include "convene.h"
static int
chan_mail_init(struct event_base *base, const struct config *conf, char **cause)
{
	(void)base; (void)conf;
	cause_set(cause, "no mail backend yet");
	return (-1);
}
static void
chan_mail_send(const struct chan_msg *m, chan_done_cb done, void *arg)
{
	(void)m;
	done(arg, CHAN_TEMPFAIL, NULL, "no backend");
}
const struct chan_backend chan_mail_backend = {
	"mail", chan_mail_init, chan_mail_send, NULL, NULL
};
