/*
 * curlev.h: libcurl's multi interface driven by the daemon's libevent
 * loop, one struct curlev per peer with its own connection limit.
 */
#ifndef CONVENE_CURLEV_H
#define CONVENE_CURLEV_H

#include <stddef.h>

#include <curl/curl.h>

struct event_base;
struct curlev;

/* done(easy, result, arg): result is the transfer's CURLcode. */
typedef void (*curlev_done_cb)(CURL *, int, void *);

int		 curlev_global_init(char **);
void		 curlev_global_free(void);
void		 curlev_global_keep(void);
struct curlev	*curlev_create(struct event_base *, long, char **);
void		 curlev_limit(struct curlev *, long);
int		 curlev_add(struct curlev *, CURL *, curlev_done_cb, void *,
		    char **);
size_t		 curlev_active(struct curlev *);
void		 curlev_free(struct curlev *);

#endif
