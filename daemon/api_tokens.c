/*
 * api_tokens.c: bearer tokens under /api/v1/tokens, over the control
 * socket only: a token is shown once when made, kept as a hash, listed
 * by name (with the groups it is limited to) and revoked by name.  A
 * token made with "groups" sees only those groups; one made without
 * sees every group.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <jansson.h>
#include <sodium.h>

#include "convene.h"
#include "util.h"
#include "api_int.h"

/* DELETE /api/v1/tokens/NAME: the name decoded from the path. */
void
api_token_revoke(struct api_req *a)
{
	char	*name, *cause = NULL;
	int	 rc;

	if ((name = evhttp_uridecode(a->parts[1], 0, NULL)) == NULL)
		return (api_fail(a, 400, "the name is malformed"));
	rc = store_token_revoke(a->ctx->store, name, &cause);
	if (rc == 0) {
		api_audit(a, "revoke", "token", name);
		api_reply(a, 200, json_pack("{s:s}", "revoked", name));
	} else
		api_refuse(a, rc > 0 ? 404 : 503, cause, "database");
	free(name);
}

/*
 * Tokens: shown once, kept hashed, never listed with their secret; each
 * with "groups", the slugs it is limited to ([]: every group).
 */
void
api_tokens_list(struct api_req *a)
{
	json_t		*list, *t, *slugs;
	const char	*v;
	char		*copy, *tok, *save, *cause = NULL;
	size_t		 i;

	if ((list = store_token_list(a->ctx->store, &cause)) == NULL)
		return (api_refuse(a, 503, cause, "database"));
	json_array_foreach(list, i, t) {
		slugs = json_array();
		if ((v = json_string_value(json_object_get(t,
		    "groups"))) != NULL) {
			copy = xstrdup(v);
			for (tok = strtok_r(copy, " ", &save); tok != NULL;
			    tok = strtok_r(NULL, " ", &save))
				json_array_append_new(slugs,
				    json_string(tok));
			free(copy);
		}
		json_object_set_new(t, "groups", slugs);
	}
	api_reply(a, 200, json_pack("{s:o}", "tokens", list));
}

/*
 * "groups": a list of slugs, each a group there is, into their ids;
 * NULL (and a reply) when it is not.
 */
static json_t *
api_token_groups(struct api_req *a, json_t *body)
{
	json_t		*v = json_object_get(body, "groups"), *s, *g, *ids;
	char		*cause = NULL;
	size_t		 i;

	ids = json_array();
	if (v == NULL || json_is_null(v))
		return (ids);
	/* An empty list made by mistake must not mean every group. */
	if (!json_is_array(v) || json_array_size(v) == 0) {
		api_fail(a, 422, "groups: a list of group slugs (leave it out "
		    "for a token that sees every group)");
		goto fail;
	}
	json_array_foreach(v, i, s) {
		if (!json_is_string(s)) {
			api_fail(a, 422, "groups: a list of group slugs");
			goto fail;
		}
		if ((g = store_group_get(a->ctx->store, json_string_value(s),
		    &cause)) == NULL) {
			if (cause != NULL)
				api_refuse(a, 503, cause, "database");
			else
				api_fail(a, 422, "groups: no group is called "
				    "'%s'", json_string_value(s));
			goto fail;
		}
		json_array_append_new(ids, json_integer(jint(g, "id")));
		json_decref(g);
	}
	return (ids);
fail:
	json_decref(ids);
	return (NULL);
}

void
api_tokens_create(struct api_req *a)
{
	unsigned char	 raw[API_TOKEN_BYTES], hash[32];
	char		 tok[API_TOKEN_BYTES * 2 + 1], *cause = NULL;
	const char	*name;
	json_t		*body, *groups = NULL, *shown;

	if ((body = api_body(a)) == NULL)
		return;
	if (api_field(a, body, "name", &name, 1) != 0 ||
	    !api_text_ok(a, "name", name, 100))
		goto out;
	if ((groups = api_token_groups(a, body)) == NULL)
		goto out;
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(tok, sizeof tok, raw, sizeof raw);
	crypto_generichash(hash, sizeof hash, (unsigned char *)tok,
	    strlen(tok), NULL, 0);
	if (store_token_create(a->ctx->store, name, hash, sizeof hash,
	    groups, &cause) != 0) {
		api_refuse(a, 409, cause, "name");
		goto out;
	}
	api_audit(a, "create", "token", name);
	shown = json_object_get(body, "groups");
	api_reply(a, 201, json_pack("{s:s, s:s, s:o, s:s}", "name", name,
	    "token", tok, "groups", json_is_array(shown) ?
	    json_incref(shown) : json_array(), "note",
	    "keep it safe: it is not shown again"));
	sodium_memzero(tok, sizeof tok);
out:
	json_decref(groups);
	json_decref(body);
}
