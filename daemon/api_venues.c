/*
 * api_venues.c: venues under /api/v1/venues: where a meeting is, how to
 * get there, and what access it offers.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "convene.h"
#include "api_int.h"

void
api_venues_list(struct api_req *a)
{
	json_t	*row;
	char	*cause = NULL;

	if ((row = store_venue_list(a->ctx->store, &cause)) == NULL)
		return (api_refuse(a, 503, cause, "database"));
	api_reply(a, 200, json_pack("{s:o}", "venues", row));
}

void
api_venues_create(struct api_req *a)
{
	struct venue_in	 v;
	json_t		*body, *row;
	char		*cause = NULL;

	if ((body = api_body(a)) == NULL)
		return;
	memset(&v, 0, sizeof v);
	if (api_field(a, body, "name", &v.name, 1) != 0 ||
	    api_field(a, body, "address", &v.address, 0) != 0 ||
	    api_field(a, body, "travel", &v.travel, 0) != 0 ||
	    api_field(a, body, "online_link", &v.online_link, 0) != 0)
		goto out;
	if (!api_text_ok(a, "name", v.name, 200) ||
	    !api_text_ok(a, "address", v.address, 1000) ||
	    !api_text_ok(a, "travel", v.travel, 2000) ||
	    !api_text_ok(a, "online_link", v.online_link, 1000))
		goto out;
	if (v.online_link != NULL && *v.online_link != '\0' &&
	    strncmp(v.online_link, "https://", 8) != 0 &&
	    strncmp(v.online_link, "http://", 7) != 0) {
		api_fail(a, 422, "online_link: must start with https://");
		goto out;
	}
	v.step_free = json_is_true(json_object_get(body, "step_free"));
	v.hearing_loop = json_is_true(json_object_get(body, "hearing_loop"));
	v.accessible_toilet = json_is_true(json_object_get(body,
	    "accessible_toilet"));
	v.quiet_room = json_is_true(json_object_get(body, "quiet_room"));
	if ((row = store_venue_create(a->ctx->store, &v, &cause)) == NULL) {
		api_refuse(a, 409, cause, "venue");
		goto out;
	}
	api_audit(a, "create", "venue", v.name);
	api_reply(a, 201, row);
out:
	json_decref(body);
}

/* Whether a series or a move names a venue that is there. */
int
api_venue_exists(struct api_req *a, long long id)
{
	json_t	*venues, *v;
	size_t	 i;
	int	 found = 0;

	if ((venues = store_venue_list(a->ctx->store, NULL)) == NULL)
		return (0);
	json_array_foreach(venues, i, v) {
		if (json_integer_value(json_object_get(v, "id")) == id)
			found = 1;
	}
	json_decref(venues);
	return (found);
}
