/*
 * test_curlev.c: libcurl in the event loop.  Transfers beyond the limit
 * wait their turn, and each one's time-out counts from when it starts:
 * ten requests to a server that takes 0.3 s a reply, two at a time with
 * a time-out of one second, all succeed (left to libcurl's own queue, the
 * later ones time out while they wait).
 */
#include "config.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <event2/http.h>

#include "testlib.h"

#include "curlev.h"

#define N	10

static struct event_base	*base;
static int			 finished, ok, timed_out, most, open_now;

static void
reply(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	open_now--;
	evhttp_send_reply(arg, 200, "OK", NULL);
}

/* Every request is answered 0.3 s later. */
static void
slow(struct evhttp_request *req, void *arg)
{
	struct timeval	tv = { 0, 300000 };

	(void)arg;
	if (++open_now > most)
		most = open_now;
	event_base_once(base, -1, EV_TIMEOUT, reply, req, &tv);
}

static size_t
sink(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return (size * n);
}

static void
done(CURL *easy, int result, void *arg)
{
	(void)arg;
	if (result == CURLE_OK)
		ok++;
	else if (result == CURLE_OPERATION_TIMEDOUT)
		timed_out++;
	curl_easy_cleanup(easy);
	if (++finished == N)
		event_base_loopexit(base, NULL);
}

static void
test_queue_timeout(void **state)
{
	struct evhttp			*http;
	struct evhttp_bound_socket	*bound;
	struct sockaddr_in		 sin;
	socklen_t			 len = sizeof sin;
	struct curlev			*cv;
	struct timeval			 limit = { 10, 0 };
	char				 url[64], *cause = NULL;
	CURL				*easy;
	int				 i;

	(void)state;
	assert_non_null(base = event_base_new());
	assert_non_null(http = evhttp_new(base));
	assert_non_null(bound = evhttp_bind_socket_with_handle(http,
	    "127.0.0.1", 0));
	assert_int_equal(getsockname(evhttp_bound_socket_get_fd(bound),
	    (struct sockaddr *)&sin, &len), 0);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", ntohs(sin.sin_port));
	evhttp_set_gencb(http, slow, NULL);
	assert_non_null(cv = curlev_create(base, 2, &cause));
	for (i = 0; i < N; i++) {
		assert_non_null(easy = curl_easy_init());
		curl_easy_setopt(easy, CURLOPT_URL, url);
		curl_easy_setopt(easy, CURLOPT_TIMEOUT, 1L);
		curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, sink);
		assert_int_equal(curlev_add(cv, easy, done, NULL, &cause), 0);
	}
	assert_int_equal(curlev_active(cv), N);
	event_base_loopexit(base, &limit);
	event_base_dispatch(base);
	assert_int_equal(finished, N);
	assert_int_equal(timed_out, 0);
	assert_int_equal(ok, N);
	assert_true(most <= 2);
	assert_int_equal(curlev_active(cv), 0);
	curlev_free(cv);
	evhttp_free(http);
	event_base_free(base);
	curlev_global_free();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue_timeout),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
