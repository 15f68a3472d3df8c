/*
 * api_payments.c: involvement payments under /api/v1/payments, and a
 * group's rates (read and changed through /groups/SLUG): what finance
 * is asked to pay, as JSON or as CSV a spreadsheet loads, and marking
 * payments paid.  Amounts are whole pence; pounds are made from them
 * by integer division (csv_pence).  A paid payment is never changed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>

#include "convene.h"
#include "csv.h"
#include "log.h"
#include "sched.h"
#include "util.h"
#include "api_int.h"

#define API_PENCE_MAX	1000000		/* 10,000 pounds a meeting */
#define API_PAY_IDS_MAX	10000		/* payments marked at once */
#define API_DAY_SECS	86400

/* The columns of the payments CSV, which are the JSON rows' keys. */
const char *const api_pay_cols[] = { CSV_PAYMENT_COLS };
const size_t api_pay_ncols = sizeof api_pay_cols / sizeof api_pay_cols[0];

/* A role a rate may be set for: a membership's, or a supporter's. */
static int
api_rate_role(const char *role)
{
	const char *const *r;

	if (strcmp(role, "supporter") == 0)
		return (1);
	for (r = api_roles; *r != NULL; r++) {
		if (strcmp(*r, role) == 0)
			return (1);
	}
	return (0);
}

/* An amount in whole pence, or a 422 that says how to give one. */
static int
api_pence(struct api_req *a, const char *key, json_t *v, long long *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > API_PENCE_MAX) {
		api_fail(a, 422, "%s: give whole pence, from 0 to %d, as a "
		    "number without a decimal point (2500 for 25.00 pounds)",
		    key, API_PENCE_MAX);
		return (-1);
	}
	*out = json_integer_value(v);
	return (0);
}

/*
 * Read payment_rate_pence, rates and pay_apologies from a body: *base
 * and *pa stay -1 and *rates NULL when absent.  -1 with a reply when a
 * value is wrong.  *rates is the caller's to decref.
 */
int
api_rates_parse(struct api_req *a, json_t *body, long long *base,
    json_t **rates, int *pa)
{
	json_t		*v, *r;
	const char	*role;
	long long	 p;
	char		*key;

	*base = -1;
	*pa = -1;
	*rates = NULL;
	if ((v = json_object_get(body, "payment_rate_pence")) != NULL &&
	    api_pence(a, "payment_rate_pence", v, base) != 0)
		return (-1);
	if ((v = json_object_get(body, "pay_apologies")) != NULL) {
		if (!json_is_boolean(v)) {
			api_fail(a, 422, "pay_apologies: must be true or "
			    "false");
			return (-1);
		}
		*pa = json_is_true(v);
	}
	if ((v = json_object_get(body, "rates")) == NULL)
		return (0);
	if (!json_is_object(v)) {
		api_fail(a, 422, "rates: must be an object of roles and "
		    "pence, such as {\"co-chair\": 3000}");
		return (-1);
	}
	json_object_foreach(v, role, r) {
		if (!api_rate_role(role)) {
			api_fail(a, 422, "rates: %s is not a role; use member, "
			    "co-chair, buddy-chair, coordinator, observer or "
			    "supporter", role);
			return (-1);
		}
		if (json_is_null(r))
			continue;
		key = xprintf("rates: %s", role);
		if (api_pence(a, key, r, &p) != 0) {
			free(key);
			return (-1);
		}
		free(key);
	}
	*rates = json_incref(v);
	return (0);
}

/* Set what was parsed; -1 with a reply when it cannot be. */
int
api_rates_apply(struct api_req *a, long long group, long long base,
    json_t *rates, int pa)
{
	char	*cause = NULL, *detail;
	json_t	*now;

	if (base < 0 && rates == NULL && pa < 0)
		return (0);
	if (store_rates_set(a->ctx->store, group, base, rates, pa,
	    &cause) != 0) {
		api_refuse(a, 503, cause, "database");
		return (-1);
	}
	now = store_rates_get(a->ctx->store, group, NULL);
	detail = json_dumps(now, JSON_COMPACT | JSON_SORT_KEYS);
	api_audit(a, "rates", "group", detail ? detail : "");
	free(detail);
	json_decref(now);
	return (0);
}

/* A day as YYYY-MM-DD that is on the calendar; its midnight UTC. */
static int
api_day(const char *s, time_t *t)
{
	struct tm	tm;
	int		y, m, d, n = 0;
	char		back[16];

	if (s == NULL || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y,
	    &m, &d, &n) != 3 || n != 10 || y < 1970 || y > 9999)
		return (-1);
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	*t = timegm(&tm);
	/* 2026-02-30 comes back as another day. */
	strftime(back, sizeof back, "%Y-%m-%d", gmtime_r(t, &tm));
	return (strcmp(back, s) == 0 ? 0 : -1);
}

/*
 * The payments of a group (NULL: every group the token sees) for
 * meetings from one local day to another, both included, as rows keyed
 * by api_pay_cols; totals in pence into the reply o.  NULL with a reply
 * sent when the request is wrong.
 */
static json_t *
api_pay_rows(struct api_req *a, const char *slug, const char *from,
    const char *to, int which, json_t *o)
{
	json_t		*g = NULL, *rows, *r, *out;
	time_t		 tf = 0, tt = (time_t)253402300799LL;
	long long	 gid = 0, owed = 0, paid = 0, pence;
	char		*cause = NULL, local[SCHED_LOCAL_LEN], day[16];
	char		 money[CSV_PENCE_LEN];
	size_t		 i;

	if (from != NULL && api_day(from, &tf) != 0) {
		api_fail(a, 422, "from: give a day as YYYY-MM-DD");
		return (NULL);
	}
	if (to != NULL && api_day(to, &tt) != 0) {
		api_fail(a, 422, "to: give a day as YYYY-MM-DD");
		return (NULL);
	}
	if (slug != NULL) {
		g = store_group_get(a->ctx->store, slug, &cause);
		if (g == NULL || !api_group_allowed(a, jint(g, "id"))) {
			json_decref(g);
			api_refuse(a, 404, cause, "group: no such group");
			return (NULL);
		}
		gid = jint(g, "id");
		json_decref(g);
	}
	/* Local days: a day either side, then each meeting's own date. */
	if ((rows = store_payments(a->ctx->store, gid, tf - API_DAY_SECS,
	    tt + 2 * API_DAY_SECS, which, &cause)) == NULL) {
		api_refuse(a, 503, cause, "database");
		return (NULL);
	}
	out = json_array();
	json_array_foreach(rows, i, r) {
		if (!api_group_allowed(a, jint(r, "group_id")))
			continue;
		if (sched_utc_to_local(jstr(r, "time_zone"), (time_t)jint(r,
		    "start_at"), local, NULL) != 0)
			continue;
		snprintf(day, sizeof day, "%.4s-%.2s-%.2s", local, local + 4,
		    local + 6);
		if ((from != NULL && strcmp(day, from) < 0) ||
		    (to != NULL && strcmp(day, to) > 0))
			continue;
		pence = jint(r, "amount_pence");
		csv_pence(pence, money);
		if (json_is_null(json_object_get(r, "paid_on")))
			owed += pence;
		else
			paid += pence;
		json_array_append_new(out, json_pack("{s:s, s:I, s:s, s:s, "
		    "s:s, s:s, s:I, s:s, s:O, s:s, s:I}",
		    "person", jstr(r, "person"),
		    "person_id", (json_int_t)jint(r, "person_id"),
		    "meeting", jstr(r, "meeting"), "date", day,
		    "role", jstr(r, "role"), "amount", money,
		    "amount_pence", (json_int_t)pence,
		    "status", json_is_null(json_object_get(r, "paid_on")) ?
		    "owed" : "paid",
		    "paid_on", json_object_get(r, "paid_on"),
		    "group", jstr(r, "group_slug"),
		    "payment_id", (json_int_t)jint(r, "id")));
	}
	json_decref(rows);
	csv_pence(owed + paid, money);
	json_object_set_new(o, "count", json_integer(json_array_size(out)));
	json_object_set_new(o, "total", json_string(money));
	json_object_set_new(o, "total_pence", json_integer(owed + paid));
	json_object_set_new(o, "owed_pence", json_integer(owed));
	json_object_set_new(o, "paid_pence", json_integer(paid));
	return (out);
}

/* owed, paid or both, from ?status= (or "owed"/"paid" flags). */
static int
api_pay_which(struct api_req *a, const char *s, int *which)
{
	*which = STORE_PAY_ALL;
	if (s == NULL || strcmp(s, "all") == 0)
		return (0);
	if (strcmp(s, "owed") == 0)
		*which = STORE_PAY_OWED;
	else if (strcmp(s, "paid") == 0)
		*which = STORE_PAY_PAID;
	else {
		api_fail(a, 422, "status: one of owed, paid or all");
		return (-1);
	}
	return (0);
}

/* Whether the answer should be CSV: ?format=csv, or Accept: text/csv. */
static int
api_pay_csv(struct api_req *a)
{
	const char	*f = api_query(a, "format");
	const char	*acc;

	if (f != NULL)
		return (strcmp(f, "csv") == 0);
	acc = evhttp_find_header(evhttp_request_get_input_headers(a->req),
	    "Accept");
	return (acc != NULL && strstr(acc, "text/csv") != NULL);
}

/*
 * GET /payments?group=G&from=D&to=D&status=owed|paid[&format=csv]
 * [&total=no]
 */
void
api_payments_list(struct api_req *a)
{
	struct evbuffer	*b;
	const char	*slug = api_query(a, "group");
	const char	*from = api_query(a, "from");
	const char	*to = api_query(a, "to");
	const char	*fmt = api_query(a, "format");
	const char	*t;
	json_t		*o, *rows;
	char		*text = NULL, *detail;
	size_t		 len = 0;
	FILE		*f;
	int		 which, total;

	if (fmt != NULL && strcmp(fmt, "csv") != 0 &&
	    strcmp(fmt, "json") != 0)
		return (api_fail(a, 422, "format: csv or json"));
	/* A total line closes the file, unless ?total=no. */
	if ((t = api_query(a, "total")) != NULL && strcmp(t, "yes") != 0 &&
	    strcmp(t, "no") != 0)
		return (api_fail(a, 422, "total: yes or no"));
	total = t == NULL || strcmp(t, "yes") == 0;
	if (api_pay_which(a, api_query(a, "status"), &which) != 0)
		return;
	o = json_object();
	if ((rows = api_pay_rows(a, slug, from, to, which, o)) == NULL) {
		json_decref(o);
		return;
	}
	detail = xprintf("%s from %s to %s: %zu rows", slug ? slug :
	    "every group", from ? from : "the start", to ? to : "now",
	    json_array_size(rows));
	api_audit(a, "export", "payments", detail);
	free(detail);
	if (!api_pay_csv(a)) {
		json_object_set_new(o, "payments", rows);
		api_reply(a, 200, o);
		return;
	}
	if ((f = open_memstream(&text, &len)) == NULL)
		fatal("open_memstream");
	csv_json(f, api_pay_cols, api_pay_ncols, rows);
	if (total)
		csv_payment_total(f, jint(o, "total_pence"));
	fclose(f);
	if ((b = evbuffer_new()) == NULL)
		fatal("evbuffer_new");
	evbuffer_add(b, text, len);
	evhttp_add_header(evhttp_request_get_output_headers(a->req),
	    "Content-Disposition", "attachment; filename=\"payments.csv\"");
	http_reply(a->req, API_ROUTE, 200, "text/csv; charset=utf-8; "
	    "header=present", b);
	evbuffer_free(b);
	free(text);
	json_decref(rows);
	json_decref(o);
}

/*
 * POST /payments/paid {"ids": [..], "paid_on": "YYYY-MM-DD"}, or
 * {"group", "from", "to", "paid_on"} for every payment owed for its
 * meetings in that time.  Every payment must be one the token sees, or
 * none is marked; one paid already keeps its date.
 */
void
api_payments_paid(struct api_req *a)
{
	json_t		*body, *ids = NULL, *v, *row, *marked, *already;
	json_t		*scratch, *id;
	const char	*on = NULL, *slug = NULL, *from = NULL, *to = NULL;
	char		*cause = NULL, *detail;
	time_t		 t;
	size_t		 i;

	if ((body = api_body(a)) == NULL)
		return;
	if (api_field(a, body, "paid_on", &on, 1) != 0 ||
	    api_field(a, body, "group", &slug, 0) != 0 ||
	    api_field(a, body, "from", &from, 0) != 0 ||
	    api_field(a, body, "to", &to, 0) != 0)
		goto out;
	if (api_day(on, &t) != 0) {
		api_fail(a, 422, "paid_on: give the day paid as YYYY-MM-DD");
		goto out;
	}
	v = json_object_get(body, "ids");
	if ((v != NULL) == (slug != NULL)) {
		api_fail(a, 422, "ids: give either the payments' ids, or a "
		    "group with from and to");
		goto out;
	}
	if (slug != NULL) {
		if (from == NULL || to == NULL) {
			api_fail(a, 422, "%s: this field is needed with group",
			    from == NULL ? "from" : "to");
			goto out;
		}
		scratch = json_object();
		row = api_pay_rows(a, slug, from, to, STORE_PAY_OWED, scratch);
		json_decref(scratch);
		if (row == NULL)
			goto out;
		ids = json_array();
		json_array_foreach(row, i, v)
			json_array_append_new(ids, json_integer(jint(v,
			    "payment_id")));
		json_decref(row);
	} else {
		if (!json_is_array(v) || json_array_size(v) == 0 ||
		    json_array_size(v) > API_PAY_IDS_MAX) {
			api_fail(a, 422, "ids: a list of 1 to %d payment ids",
			    API_PAY_IDS_MAX);
			goto out;
		}
		json_array_foreach(v, i, id) {
			if (!json_is_integer(id) ||
			    json_integer_value(id) <= 0) {
				api_fail(a, 422, "ids: each is a payment's "
				    "number");
				goto out;
			}
			/* One the token may not see is not there. */
			row = store_payment_get(a->ctx->store,
			    json_integer_value(id), &cause);
			if (row == NULL || !api_group_allowed(a, jint(row,
			    "group_id"))) {
				json_decref(row);
				if (cause == NULL)
					cause = xprintf("ids: no payment %lld",
					    (long long)json_integer_value(id));
				api_refuse(a, 404, cause, "no such payment");
				goto out;
			}
			json_decref(row);
		}
		ids = json_incref(v);
	}
	marked = json_array();
	already = json_array();
	if (store_payments_paid(a->ctx->store, ids, on, a->actor, marked,
	    already, &cause) != 0) {
		json_decref(marked);
		json_decref(already);
		api_refuse(a, 503, cause, "database");
		goto out;
	}
	json_array_foreach(marked, i, v) {
		detail = xprintf("payment %lld on %s",
		    (long long)json_integer_value(v), on);
		api_audit(a, "paid", "payment", detail);
		free(detail);
	}
	api_reply(a, 200, json_pack("{s:s, s:o, s:o}", "paid_on", on, "paid",
	    marked, "already_paid", already));
out:
	json_decref(ids);
	json_decref(body);
}
