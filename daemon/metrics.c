/*
 * metrics.c: counters kept in memory and rendered for /metrics in the
 * Prometheus text format.
 *
 * Routes are a short fixed list and status codes few, so a small table
 * searched in order is enough; nothing here allocates after start-up.
 * Other modules' figures (the store's counts, the outbox's totals) are
 * written by collectors they add, so metrics depends on none of them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "convene.h"
#include "log.h"
#include "util.h"

#define METRICS_MAX_HTTP	128

struct metrics_http_count {
	const char		*route;		/* a static string */
	int			 code;
	unsigned long long	 count;
};

static const double	metrics_bounds[] = { 0.001, 0.002, 0.005, 0.01, 0.02,
			    0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60 };
#define METRICS_NBOUNDS	(sizeof metrics_bounds / sizeof metrics_bounds[0])
#define METRICS_PROBE	0.05	/* seconds between loop probes */

struct metrics_hist {
	const char		*name;
	const char		*help;
	unsigned long long	 bucket[METRICS_NBOUNDS + 1];
	unsigned long long	 count;
	double			 sum;
};

static struct metrics_hist	metrics_hists[METRICS_HIST_MAX] = {
	[METRICS_LATENESS] = { "convene_outbox_lateness_seconds",
	    "How long after its due time a message was handed to its "
	    "channel.", { 0 }, 0, 0 },
	[METRICS_LOOP_LAG] = { "convene_loop_lag_seconds",
	    "How late a 50 ms timer on the event loop fired: the loop's own "
	    "latency.", { 0 }, 0, 0 },
};
static struct event	*metrics_probe;
static double		 metrics_probe_due;
static double		 metrics_started;	/* monotonic seconds */

/* Other modules' lines, written in the order they were added. */
struct metrics_collector {
	metrics_collector_cb	 fn;
	void			*arg;
};
static struct metrics_collector	*metrics_collectors;
static size_t			 metrics_ncollectors;

static struct metrics_http_count	metrics_http_counts[METRICS_MAX_HTTP];
static size_t				metrics_nhttp;
static unsigned long long		metrics_http_dropped;

void
metrics_http(const char *route, int code)
{
	struct metrics_http_count	*m;
	size_t				 i;

	for (i = 0; i < metrics_nhttp; i++) {
		m = &metrics_http_counts[i];
		if (m->code == code && strcmp(m->route, route) == 0) {
			m->count++;
			return;
		}
	}
	if (metrics_nhttp == METRICS_MAX_HTTP) {
		metrics_http_dropped++;
		return;
	}
	m = &metrics_http_counts[metrics_nhttp++];
	m->route = route;
	m->code = code;
	m->count = 1;
}

void
metrics_observe(enum metrics_hist_id id, double v)
{
	struct metrics_hist	*h = &metrics_hists[id];
	size_t			 i;

	if (v < 0)
		v = 0;
	for (i = 0; i < METRICS_NBOUNDS && v > metrics_bounds[i]; i++)
		;
	h->bucket[i]++;
	h->count++;
	h->sum += v;
}

static void
metrics_probe_cb(evutil_socket_t fd, short events, void *arg)
{
	double	now = mono_seconds();

	metrics_observe(METRICS_LOOP_LAG, now - metrics_probe_due);
	metrics_probe_due = now + METRICS_PROBE;
}

/*
 * A module's lines for /metrics: fn writes them into the reply each
 * time it is rendered, after the HTTP counts and before the histograms.
 */
void
metrics_add_collector(metrics_collector_cb fn, void *arg)
{
	metrics_collectors = reallocarray(metrics_collectors,
	    metrics_ncollectors + 1, sizeof *metrics_collectors);
	if (metrics_collectors == NULL)
		fatal("reallocarray");
	metrics_collectors[metrics_ncollectors].fn = fn;
	metrics_collectors[metrics_ncollectors].arg = arg;
	metrics_ncollectors++;
}

/*
 * A timer every 50 ms that notes how late it fires; uptime counts from
 * started, a CLOCK_MONOTONIC time.
 */
void
metrics_start(struct event_base *base, const struct timespec *started)
{
	struct timeval	tv = { 0, (suseconds_t)(METRICS_PROBE * 1e6) };

	metrics_started = (double)started->tv_sec +
	    (double)started->tv_nsec / 1e9;

	metrics_probe = event_new(base, -1, EV_PERSIST, metrics_probe_cb,
	    NULL);
	if (metrics_probe == NULL)
		fatalx("metrics: event_new");
	metrics_probe_due = mono_seconds() + METRICS_PROBE;
	event_add(metrics_probe, &tv);
}

void
metrics_stop(void)
{
	if (metrics_probe != NULL)
		event_free(metrics_probe);
	metrics_probe = NULL;
	free(metrics_collectors);
	metrics_collectors = NULL;
	metrics_ncollectors = 0;
}

static void
metrics_render_hist(struct evbuffer *b, const struct metrics_hist *h)
{
	unsigned long long	cum = 0;
	size_t			i;

	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s histogram\n",
	    h->name, h->help, h->name);
	for (i = 0; i < METRICS_NBOUNDS; i++) {
		cum += h->bucket[i];
		evbuffer_add_printf(b, "%s_bucket{le=\"%g\"} %llu\n", h->name,
		    metrics_bounds[i], cum);
	}
	cum += h->bucket[METRICS_NBOUNDS];
	evbuffer_add_printf(b, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n"
	    "%s_count %llu\n", h->name, cum, h->name, h->sum, h->name,
	    h->count);
}

void
metrics_head(struct evbuffer *b, const char *name, const char *type,
    const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

void
metrics_render(struct evbuffer *b)
{
	struct metrics_http_count	*m;
	size_t				 i;
	long				 rss;

	metrics_head(b, "convene_build_info", "gauge",
	    "The running version of convened.");
	evbuffer_add_printf(b, "convene_build_info{version=\"%s\"} 1\n",
	    PACKAGE_VERSION);
	metrics_head(b, "convene_uptime_seconds", "gauge",
	    "Seconds since convened started.");
	evbuffer_add_printf(b, "convene_uptime_seconds %.3f\n",
	    mono_seconds() - metrics_started);
	metrics_head(b, "convene_http_requests_total", "counter",
	    "HTTP requests answered, by route and status code.");
	for (i = 0; i < metrics_nhttp; i++) {
		m = &metrics_http_counts[i];
		evbuffer_add_printf(b, "convene_http_requests_total{"
		    "route=\"%s\",code=\"%d\"} %llu\n", m->route, m->code,
		    m->count);
	}
	if (metrics_http_dropped != 0)
		evbuffer_add_printf(b, "convene_http_requests_total{route="
		    "\"other\",code=\"other\"} %llu\n", metrics_http_dropped);
	for (i = 0; i < metrics_ncollectors; i++)
		metrics_collectors[i].fn(b, metrics_collectors[i].arg);
	for (i = 0; i < METRICS_HIST_MAX; i++)
		metrics_render_hist(b, &metrics_hists[i]);
	if ((rss = rss_kib()) >= 0) {
		metrics_head(b, "process_resident_memory_bytes", "gauge",
		    "Resident memory size in bytes.");
		evbuffer_add_printf(b, "process_resident_memory_bytes %ld\n",
		    rss * 1024);
	}
}
