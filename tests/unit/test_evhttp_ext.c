/*
 * test_evhttp_ext.c: what convened does with evhttp beyond its public
 * API, against a real evhttp server on loopback.  On the libevent it
 * knows, a reply sent with evhttp_ext_send_now is in the client's socket,
 * and the request finished, before the handler returns, a keep-alive
 * connection goes on serving, and a reply too big for the socket still
 * arrives whole; evhttp_ext_released tells a connection evhttp has let go
 * (the client closed it, after a request or before any) from one it
 * still serves.  On a libevent it does not know, the same calls take
 * the public path: the reply goes on the loop's next turn, and no
 * connection is said to be let go.
 */
#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>

#include <poll.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include "testlib.h"

#include "evhttp_ext.h"

#define BIG	(32 << 20)	/* more than a loopback socket takes at once */
#define KEPT	8

static struct event_base	*base;
static struct evhttp		*http;
static int			 port;
static int			 client = -1;
static size_t			 body_len = 100;
static int			 completed;
static ssize_t			 in_socket;	/* when the handler returned */
static int			 done_in_handler;
static struct bufferevent	*kept[KEPT];
static size_t			 nkept;

static void
complete(struct evhttp_request *req, void *arg)
{
	(void)req;
	(void)arg;
	completed++;
}

/* A reply of body_len bytes, sent now; then what the client has. */
static void
serve(struct evhttp_request *req, void *arg)
{
	struct evbuffer	*b = evbuffer_new();
	static char	 peek[1 << 16];
	char		*x;

	(void)arg;
	assert_non_null(b);
	x = malloc(body_len);
	assert_non_null(x);
	memset(x, 'x', body_len);
	evbuffer_add(b, x, body_len);
	free(x);
	completed = 0;
	evhttp_request_set_on_complete_cb(req, complete, NULL);
	evhttp_ext_send_now(req, 200, "OK", b);
	evbuffer_free(b);
	in_socket = recv(client, peek, sizeof peek, MSG_PEEK | MSG_DONTWAIT);
	done_in_handler = completed;
}

/* Each connection's bufferevent, kept as http.c keeps them. */
static struct bufferevent *
newconn(struct event_base *b, void *arg)
{
	struct bufferevent	*bev;

	(void)arg;
	bev = bufferevent_socket_new(b, -1, BEV_OPT_CLOSE_ON_FREE);
	assert_non_null(bev);
	assert_true(nkept < KEPT);
	bufferevent_incref(bev);
	kept[nkept++] = bev;
	return (bev);
}

static int
setup(void **state)
{
	struct evhttp_bound_socket	*bound;
	struct sockaddr_in		 sin;
	socklen_t			 len = sizeof sin;

	(void)state;
	if ((base = event_base_new()) == NULL ||
	    (http = evhttp_new(base)) == NULL)
		return (-1);
	evhttp_set_gencb(http, serve, NULL);
	evhttp_set_bevcb(http, newconn, NULL);
	if ((bound = evhttp_bind_socket_with_handle(http, "127.0.0.1",
	    0)) == NULL || getsockname(evhttp_bound_socket_get_fd(bound),
	    (struct sockaddr *)&sin, &len) != 0)
		return (-1);
	port = ntohs(sin.sin_port);
	return (0);
}

static int
teardown(void **state)
{
	(void)state;
	while (nkept > 0)
		bufferevent_decref(kept[--nkept]);
	evhttp_free(http);
	event_base_free(base);
	return (0);
}

static int
client_open(void)
{
	struct sockaddr_in	sin;
	int			fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* The kernel completes it: the server need not accept first. */
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(evutil_make_socket_nonblocking(fd), 0);
	return (fd);
}

static void
client_close(void)
{
	close(client);
	client = -1;
}

/* One turn of the loop, then a short wait for the client's socket. */
static void
turn(void)
{
	struct pollfd	pfd = { client, POLLIN, 0 };

	event_base_loop(base, EVLOOP_NONBLOCK);
	if (client != -1)
		(void)poll(&pfd, 1, 10);
}

/* Ask, and read the whole reply (head and body): its length in bytes. */
static size_t
ask(void)
{
	static const char	 req[] = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
	char			 buf[1 << 16];
	size_t			 got = 0, head = 0;
	ssize_t			 n;
	int			 i;

	assert_int_equal(send(client, req, sizeof req - 1, MSG_NOSIGNAL),
	    (ssize_t)(sizeof req - 1));
	for (i = 0; i < 3000 && (head == 0 || got < head + body_len); i++) {
		turn();
		while ((n = recv(client, buf, sizeof buf, MSG_DONTWAIT)) > 0) {
			/* The head is short: it ends in the first read. */
			if (head == 0 && got == 0) {
				buf[n - 1] = '\0';
				assert_non_null(strstr(buf, "\r\n\r\n"));
				head = strstr(buf, "\r\n\r\n") + 4 - buf;
			}
			got += (size_t)n;
		}
	}
	assert_true(head > 0);
	assert_int_equal(got, head + body_len);
	return (got);
}

static void
test_version(void **state)
{
	(void)state;
	assert_int_equal(evhttp_ext_init(0x02010900), 1);	/* 2.1.9 */
	assert_int_equal(evhttp_ext_init(0x02010c00), 1);	/* 2.1.12 */
	assert_int_equal(evhttp_ext_known(), 1);
	assert_int_equal(evhttp_ext_init(0x02010800), 0);	/* 2.1.8 */
	assert_int_equal(evhttp_ext_init(0x02020100), 0);	/* 2.2.1 */
	assert_int_equal(evhttp_ext_known(), 0);
	/* The one this test runs with is known. */
	assert_int_equal(evhttp_ext_init(event_get_version_number()), 1);
}

static void
test_send_now(void **state)
{
	size_t	len;
	int	i;

	(void)state;
	assert_int_equal(evhttp_ext_init(event_get_version_number()), 1);
	client = client_open();
	body_len = 100;
	/* Twice on one connection: the first reply left it fit to go on. */
	for (i = 0; i < 2; i++) {
		len = ask();
		assert_int_equal(in_socket, (ssize_t)len);
		assert_int_equal(done_in_handler, 1);
		assert_int_equal(completed, 1);
	}
	/* Too big for the socket: the rest goes evhttp's way, whole. */
	body_len = BIG;
	len = ask();
	assert_true(in_socket > 0 && in_socket < (ssize_t)len);
	assert_int_equal(done_in_handler, 0);
	for (i = 0; i < 3000 && completed == 0; i++)
		turn();
	assert_int_equal(completed, 1);
	body_len = 100;
	len = ask();
	assert_int_equal(in_socket, (ssize_t)len);
	client_close();
}

static void
test_send_unknown(void **state)
{
	(void)state;
	assert_int_equal(evhttp_ext_init(0x02020100), 0);
	client = client_open();
	body_len = 100;
	ask();
	/* Nothing written until the loop turns; the request still open. */
	assert_int_equal(in_socket, -1);
	assert_int_equal(done_in_handler, 0);
	assert_int_equal(completed, 1);
	ask();
	client_close();
	assert_int_equal(evhttp_ext_init(event_get_version_number()), 1);
}

/* Turn the loop until evhttp lets bev go, or give up. */
static int
released_after_turns(struct bufferevent *bev)
{
	int	i;

	for (i = 0; i < 500 && !evhttp_ext_released(bev); i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		(void)poll(NULL, 0, 2);
	}
	return (evhttp_ext_released(bev));
}

static void
test_released(void **state)
{
	struct bufferevent	*bev;
	int			 i;

	(void)state;
	assert_int_equal(evhttp_ext_init(event_get_version_number()), 1);
	body_len = 100;

	/* Served and kept alive: not let go, until the client closes. */
	client = client_open();
	ask();
	bev = kept[nkept - 1];
	for (i = 0; i < 20; i++)
		turn();
	assert_int_equal(evhttp_ext_released(bev), 0);
	client_close();
	assert_int_equal(released_after_turns(bev), 1);

	/* A connection that never asks anything, closed by its client. */
	client = client_open();
	for (i = 0; i < 500 && kept[nkept - 1] == bev; i++)
		turn();
	assert_true(kept[nkept - 1] != bev);
	bev = kept[nkept - 1];
	for (i = 0; i < 20; i++)
		turn();
	assert_int_equal(evhttp_ext_released(bev), 0);
	client_close();
	assert_int_equal(released_after_turns(bev), 1);

	/* On a libevent it does not know, none is said to be let go. */
	assert_int_equal(evhttp_ext_init(0x02020100), 0);
	assert_int_equal(evhttp_ext_released(bev), 0);
	assert_int_equal(evhttp_ext_init(event_get_version_number()), 1);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_send_now),
		cmocka_unit_test(test_send_unknown),
		cmocka_unit_test(test_released),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
