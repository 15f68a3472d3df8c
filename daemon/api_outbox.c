/*
 * api_outbox.c: /api/v1/outbox, the messages and their states, for one
 * person or meeting or all, with counts by state; for a token limited to
 * groups, those about its groups' meetings and people.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "convene.h"
#include "api_int.h"

static const char *const api_states[] = { "pending", "sending", "sent",
	"failed", "dead", "skipped", "missed", NULL };

void
api_outbox(struct api_req *a)
{
	const char	*state = api_query(a, "state"), *v;
	const char *const *s;
	long long	 person = 0, occ = 0, limit = 1000;
	json_t		*rows, *counts;
	char		*cause = NULL;

	if (state != NULL) {
		for (s = api_states; *s != NULL && strcmp(*s, state); s++)
			;
		if (*s == NULL)
			return (api_fail(a, 400, "state: one of pending, "
			    "sending, sent, failed, dead, skipped, missed"));
	}
	if ((v = api_query(a, "person")) != NULL &&
	    (person = api_id(v)) == 0)
		return (api_fail(a, 400, "person: a number"));
	if ((v = api_query(a, "occurrence")) != NULL &&
	    (occ = api_id(v)) == 0)
		return (api_fail(a, 400, "occurrence: a number"));
	if ((v = api_query(a, "limit")) != NULL &&
	    ((limit = api_id(v)) < 1 || limit > 100000))
		return (api_fail(a, 400, "limit: from 1 to 100000"));
	/* A person or meeting a token may not see is not there for it. */
	if ((person != 0 && !api_person_allowed(a, person)) ||
	    (occ != 0 && !api_occ_allowed(a, occ)))
		return (api_fail(a, 404, "no such %s", person != 0 &&
		    !api_person_allowed(a, person) ? "person" :
		    "occurrence"));
	rows = store_out_list(a->ctx->store, state, person, occ,
	    api_scoped(a) ? a->token : 0, (int)limit, &cause);
	counts = store_out_counts(a->ctx->store, person, occ,
	    api_scoped(a) ? a->token : 0, &cause);
	if (rows == NULL || counts == NULL) {
		json_decref(rows);
		json_decref(counts);
		return (api_refuse(a, 503, cause, "database"));
	}
	api_reply(a, 200, json_pack("{s:o, s:o}", "messages", rows, "counts",
	    counts));
}
