/*
 * api_report.c: a group's engagement report for coordinators,
 * /api/v1/groups/SLUG/report?from=YYYY-MM-DD&to=YYYY-MM-DD, as JSON, or
 * with format=csv or format=svg; the exact numbers, counts only.  And
 * the members' report: whether a group shares it (PATCH /groups/SLUG
 * {"report_members": true}) and the signed link that opens it
 * (/groups/SLUG/report/link?from=...&to=...).  A token for other groups
 * finds no such group (404), as the loader in api.c answers.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>

#include "convene.h"
#include "log.h"
#include "util.h"
#include "api_int.h"

/* The report of the query's period, or NULL having answered. */
static json_t *
api_report_make(struct api_req *a)
{
	json_t	*r;
	char	*cause = NULL;
	int	 code;

	if ((r = report_make(a->ctx->store, a->group, api_query(a, "from"),
	    api_query(a, "to"), &code, &cause)) == NULL)
		api_refuse(a, code, cause, "database");
	return (r);
}

void
api_group_report(struct api_req *a)
{
	struct evbuffer	*b;
	const char	*format = api_query(a, "format");
	json_t		*r;
	char		*csv;

	if (format != NULL && strcmp(format, "json") != 0 &&
	    strcmp(format, "csv") != 0 && strcmp(format, "svg") != 0)
		return (api_fail(a, 422, "format: json, csv or svg"));
	if ((r = api_report_make(a)) == NULL)
		return;
	if (format == NULL || strcmp(format, "json") == 0) {
		api_reply(a, 200, r);
		return;
	}
	if ((b = evbuffer_new()) == NULL)
		fatal("evbuffer_new");
	if (strcmp(format, "csv") == 0) {
		csv = report_csv(r);
		evbuffer_add(b, csv, strlen(csv));
		free(csv);
		http_reply(a->req, API_ROUTE, 200, "text/csv; charset=utf-8",
		    b);
	} else {
		report_svg(b, r, 0, a->ctx->tmpl, "en");
		http_reply(a->req, API_ROUTE, 200, "image/svg+xml", b);
	}
	evbuffer_free(b);
	json_decref(r);
}

/* The signed link to the members' report, when the group shares it. */
void
api_group_report_link(struct api_req *a)
{
	json_t		*r;
	char		*cause = NULL, *url;
	const char	*lang = api_query(a, "lang");
	long long	 id = jint(a->group, "id");
	int		 open;

	if ((open = store_report_open(a->ctx->store, id, &cause)) < 0)
		return (api_refuse(a, 503, cause, "database"));
	if (!open)
		return (api_fail(a, 409, "the group does not share its report "
		    "with its members: PATCH it {\"report_members\": true}"));
	if (lang != NULL && !report_lang_offered(a->ctx->tmpl, lang))
		return (api_fail(a, 422, "lang: a language whose templates "
		    "are installed, such as en"));
	/* Made once, to check the dates as the page will. */
	if ((r = api_report_make(a)) == NULL)
		return;
	json_decref(r);
	url = report_link(a->ctx->conf->base_url, a->ctx->signing_key, id,
	    api_query(a, "from"), api_query(a, "to"), lang, clock_now(),
	    REPORT_LINK_DAYS);
	api_reply(a, 200, json_pack("{s:s, s:i}", "url", url, "days",
	    REPORT_LINK_DAYS));
	free(url);
}

/* PATCH /groups/SLUG {"report_members": true or false}. */
void
api_group_report_members(struct api_req *a, json_t *body)
{
	char	*cause = NULL;
	int	 on;

	if (!json_is_boolean(json_object_get(body, "report_members")))
		return (api_fail(a, 422, "report_members: must be true or "
		    "false"));
	(void)api_bool(a, body, "report_members", &on);
	if (store_report_members_set(a->ctx->store, jint(a->group, "id"), on,
	    &cause) != 0)
		return (api_refuse(a, 503, cause, "database"));
	api_audit(a, on ? "report shared" : "report not shared", "group",
	    a->parts[1]);
	api_reply(a, 200, json_pack("{s:s, s:b}", "slug", a->parts[1],
	    "report_members", on));
}
