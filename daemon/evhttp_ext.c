/*
 * evhttp_ext.c: the two things convened does with evhttp that its public
 * API does not offer, in one place, each resting on how libevent 2.1
 * works inside.
 *
 * evhttp_ext_send_now sends a reply and writes it to the socket at once,
 * instead of arming a write event for the next turn of the loop: on a
 * keep-alive connection that saves two epoll_ctl calls and a wake-up per
 * reply.  It rests on evhttp_send_reply leaving the reply in the
 * connection's bufferevent, whose output a socket bufferevent keeps
 * frozen at its start (only the bufferevent drains it), and on evhttp
 * finishing the request when the bufferevent's write callback runs with
 * that output empty (evhttp_write_buffer, evhttp_write_cb).
 *
 * evhttp_ext_released says whether evhttp has let go of a connection
 * whose bufferevent the caller made (evhttp_set_bevcb) and keeps a
 * reference to.  It rests on evhttp clearing the bufferevent's read and
 * event callbacks when it resets or frees the connection
 * (evhttp_connection_reset_, bufferevent_free), and on their being set
 * for as long as it uses the connection.
 *
 * Both were written against libevent 2.1.12 and hold, unchanged, from
 * 2.1.9.  evhttp_ext_init checks the libevent in use; on any other it
 * says so once, evhttp_ext_send_now is evhttp_send_reply alone, and
 * evhttp_ext_known() is 0: the caller then keeps no connections of its
 * own and leaves them to evhttp's own time-outs.
 */
#include "config.h"

#include <stdint.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include "evhttp_ext.h"
#include "log.h"

/* The libevent versions whose insides are as described above. */
#define EVHTTP_EXT_FIRST	0x02010900	/* 2.1.9 */
#define EVHTTP_EXT_LAST		0x02010cff	/* 2.1.12 */

static int	evhttp_ext_ok;

/*
 * Check the libevent in use (event_get_version_number()): 1 when it is
 * one of those known, else 0, said once in the log.
 */
int
evhttp_ext_init(uint32_t version)
{
	evhttp_ext_ok = version >= EVHTTP_EXT_FIRST &&
	    version <= EVHTTP_EXT_LAST;
	if (!evhttp_ext_ok)
		log_warnx("http: libevent %u.%u.%u is not one this convened "
		    "knows (2.1.9 to 2.1.12): replies are written on the "
		    "loop's next turn, and a slow client is left to [http] "
		    "timeout rather than request_timeout",
		    (unsigned)(version >> 24), (unsigned)(version >> 16) & 0xff,
		    (unsigned)(version >> 8) & 0xff);
	return (evhttp_ext_ok);
}

int
evhttp_ext_known(void)
{
	return (evhttp_ext_ok);
}

/*
 * Send a reply and write it now.  A reply bigger than the socket takes
 * at once is left to evhttp's own write path.  The request is gone on
 * return.
 */
void
evhttp_ext_send_now(struct evhttp_request *req, int code, const char *reason,
    struct evbuffer *body)
{
	struct evhttp_connection	*evcon;
	struct bufferevent		*bev = NULL;
	struct evbuffer			*out;
	evutil_socket_t			 fd;
	int				 n;

	/* Taken first: evhttp may free the request once it is sent. */
	if (evhttp_ext_ok && (evcon = evhttp_request_get_connection(req)) !=
	    NULL)
		bev = evhttp_connection_get_bufferevent(evcon);
	evhttp_send_reply(req, code, reason, body);
	if (bev == NULL || (fd = bufferevent_getfd(bev)) == -1)
		return;
	out = bufferevent_get_output(bev);
	/* The bufferevent freezes its output's start: only it drains. */
	evbuffer_unfreeze(out, 1);
	n = evbuffer_write(out, fd);
	evbuffer_freeze(out, 1);
	if (n <= 0 || evbuffer_get_length(out) != 0)
		return;
	/* All gone: evhttp's write callback finishes the request. */
	bufferevent_disable(bev, EV_WRITE);
	bufferevent_trigger(bev, EV_WRITE, BEV_TRIG_IGNORE_WATERMARKS);
}

/*
 * Whether evhttp has let go of the connection of bev, a bufferevent the
 * caller keeps a reference to; always 0 when evhttp_ext_known() is not.
 */
int
evhttp_ext_released(struct bufferevent *bev)
{
	bufferevent_data_cb	readcb;
	bufferevent_event_cb	eventcb;

	if (!evhttp_ext_ok)
		return (0);
	bufferevent_getcb(bev, &readcb, NULL, &eventcb, NULL);
	return (readcb == NULL && eventcb == NULL);
}
