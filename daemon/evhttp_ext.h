/*
 * evhttp_ext.h: what convened asks of evhttp beyond its public API, each
 * checked against the libevent it was written for; see evhttp_ext.c.
 */
#ifndef CONVENE_EVHTTP_EXT_H
#define CONVENE_EVHTTP_EXT_H

#include <stdint.h>

struct bufferevent;
struct evbuffer;
struct evhttp_request;

int	evhttp_ext_init(uint32_t);
int	evhttp_ext_known(void);
void	evhttp_ext_send_now(struct evhttp_request *, int, const char *,
	    struct evbuffer *);
int	evhttp_ext_released(struct bufferevent *);

#endif
