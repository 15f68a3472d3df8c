/*
 * api_privacy.c: what is held about a person, under
 * /api/v1/people/ID/export (everything, as one JSON document, for
 * them) and /api/v1/people/ID/data (DELETE, or POST .../erase: erased).
 * Both need the control socket or a token for every group, since a
 * person's data spans every group they belong to; both are in the audit
 * log with who asked.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "convene.h"
#include "log.h"
#include "api_int.h"

/* GET /people/ID/export */
void
api_person_export(struct api_req *a)
{
	json_t	*doc;
	char	*cause = NULL;

	if (api_scoped(a))
		return (api_fail(a, 403, "a person's data spans their "
		    "groups: export it over the control socket or with a "
		    "token for every group"));
	if ((doc = store_privacy_export(a->ctx->store, a->id,
	    &cause)) == NULL)
		return (api_refuse(a, 404, cause, "no such person"));
	api_audit(a, "export", "person", a->parts[1]);
	api_reply(a, 200, doc);
}

/*
 * DELETE /people/ID/data, POST /people/ID/erase: the person stays, as
 * "erased", so that what was counted still counts; then the write-ahead
 * log is emptied, off the loop, so that it holds no page as it was.
 */
void
api_person_erase(struct api_req *a)
{
	char	*cause = NULL;
	int	 rc;

	if (api_scoped(a))
		return (api_fail(a, 403, "erasing a person needs the control "
		    "socket or a token for every group"));
	rc = store_privacy_erase(a->ctx->store, a->id, a->actor, &cause);
	if (rc != 0)
		return (api_refuse(a, rc > 0 ? 404 : 503, cause, "database"));
	store_checkpoint_truncate(a->ctx->store);
	log_info("person %lld erased by %s", a->id, a->actor);
	api_kick(a);
	api_reply(a, 200, json_pack("{s:I, s:b}", "erased",
	    (json_int_t)a->id, "checkpoint", 1));
}
