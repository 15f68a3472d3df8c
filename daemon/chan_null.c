/*
 * chan_null.c: a channel that accepts every message and sends nothing,
 * for dry runs, tests and benchmarks of everything but the network.
 */
#include "config.h"

#include <stdio.h>

#include "convene.h"

static void
chan_null_send(const struct chan_msg *m, chan_done_cb done, void *arg)
{
	char	id[64];

	snprintf(id, sizeof id, "null-%lld-%d", m->id, m->attempt);
	done(arg, CHAN_OK, id, NULL);
}

const struct chan_backend chan_null_backend = {
	"null", NULL, chan_null_send, NULL, NULL
};
