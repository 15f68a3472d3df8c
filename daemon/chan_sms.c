/* placeholder until the sms backend lands */
#include "config.h"
#include "convene.h"
static int
chan_sms_init(struct event_base *base, const struct config *conf, char **cause)
{
	(void)base; (void)conf;
	cause_set(cause, "no sms backend yet");
	return (-1);
}
static void
chan_sms_send(const struct chan_msg *m, chan_done_cb done, void *arg)
{
	(void)m;
	done(arg, CHAN_TEMPFAIL, NULL, "no backend");
}
const struct chan_backend chan_sms_backend = {
	"sms", chan_sms_init, chan_sms_send, NULL, NULL
};
