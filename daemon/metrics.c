/*
 * metrics.c: counters kept in memory and rendered for /metrics in the
 * Prometheus text format.
 *
 * Routes are a short fixed list and status codes few, so a small table
 * searched in order is enough; nothing here allocates after start-up.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "convene.h"
#include "log.h"

#define METRICS_MAX_HTTP	128

struct metrics_http_count {
	const char		*route;		/* a static string */
	int			 code;
	unsigned long long	 count;
};

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

static void
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
	struct store_counts		 c;
	size_t				 i;
	long				 rss;

	metrics_head(b, "convene_build_info", "gauge",
	    "The running version of convened.");
	evbuffer_add_printf(b, "convene_build_info{version=\"%s\"} 1\n",
	    PACKAGE_VERSION);
	metrics_head(b, "convene_uptime_seconds", "gauge",
	    "Seconds since convened started.");
	evbuffer_add_printf(b, "convene_uptime_seconds %.3f\n",
	    mono_seconds() - ((double)convened->started_mono.tv_sec +
	    (double)convened->started_mono.tv_nsec / 1e9));
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
	metrics_head(b, "convene_database_schema_version", "gauge",
	    "Schema version of the open database.");
	evbuffer_add_printf(b, "convene_database_schema_version %d\n",
	    store_version(convened->store));
	if (store_counts(convened->store, &c) == 0) {
		metrics_head(b, "convene_groups", "gauge", "Groups held.");
		evbuffer_add_printf(b, "convene_groups %lld\n", c.groups);
		metrics_head(b, "convene_people", "gauge", "People held.");
		evbuffer_add_printf(b, "convene_people %lld\n", c.people);
	}
	if ((rss = rss_kib()) >= 0) {
		metrics_head(b, "process_resident_memory_bytes", "gauge",
		    "Resident memory size in bytes.");
		evbuffer_add_printf(b, "process_resident_memory_bytes %ld\n",
		    rss * 1024);
	}
}
