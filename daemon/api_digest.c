/*
 * api_digest.c: /api/v1/digest, the access requests not yet booked, of
 * one group (?group=SLUG) or of all, soonest deadline first, as the
 * coordinators' daily digest lists them: who asked for what, for which
 * meeting, and whether the date to book it by has passed.  A token for
 * some groups sees only theirs.  Each read is in the audit log: these
 * are health and disability data.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "convene.h"
#include "util.h"
#include "api_int.h"

#define API_DIGEST_MAX	10000	/* requests in one answer */

void
api_digest(struct api_req *a)
{
	const struct need_kind	*k;
	const char		*slug = api_query(a, "group");
	json_t			*g = NULL, *rows, *r, *seen;
	long long		 group = 0;
	char			*cause = NULL, *n;
	size_t			 i;

	if (slug != NULL) {
		if ((g = store_group_get(a->ctx->store, slug,
		    &cause)) == NULL)
			return (api_refuse(a, 404, cause, "no such group"));
		group = jint(g, "id");
		json_decref(g);
		if (!api_group_allowed(a, group))
			return (api_fail(a, 404, "no such group"));
	}
	rows = store_deadline_list(a->ctx->store, group, 0, clock_now(),
	    API_DIGEST_MAX, &cause);
	if (rows == NULL)
		return (api_refuse(a, 503, cause, "database"));
	/* The need's label in English beside its code. */
	seen = json_array();
	json_array_foreach(rows, i, r) {
		if (!api_group_allowed(a, jint(r, "group_id")))
			continue;
		k = config_need(a->ctx->conf, jstr(r, "need"));
		json_object_set_new(r, "need_label", json_string(k != NULL ?
		    config_need_label(k, "en") : jstr(r, "need")));
		json_array_append(seen, r);
	}
	json_decref(rows);
	n = xprintf("%zu requests", json_array_size(seen));
	api_audit(a, "digest", slug != NULL ? slug : "all groups", n);
	free(n);
	api_reply(a, 200, json_pack("{s:o}", "requests", seen));
}
