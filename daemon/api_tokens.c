/*
 * api_tokens.c: bearer tokens under /api/v1/tokens, over the control
 * socket only: a token is shown once when made, kept as a hash, listed
 * by name and revoked by name.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <jansson.h>
#include <sodium.h>

#include "convene.h"
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

/* Tokens: shown once, kept hashed, never listed with their secret. */
void
api_tokens_list(struct api_req *a)
{
	json_t	*list;
	char	*cause = NULL;

	if ((list = store_token_list(a->ctx->store, &cause)) == NULL)
		return (api_refuse(a, 503, cause, "database"));
	api_reply(a, 200, json_pack("{s:o}", "tokens", list));
}

void
api_tokens_create(struct api_req *a)
{
	unsigned char	 raw[API_TOKEN_BYTES], hash[32];
	char		 tok[API_TOKEN_BYTES * 2 + 1], *cause = NULL;
	const char	*name;
	json_t		*body;

	if ((body = api_body(a)) == NULL)
		return;
	if (api_field(a, body, "name", &name, 1) != 0 ||
	    !api_text_ok(a, "name", name, 100))
		goto out;
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(tok, sizeof tok, raw, sizeof raw);
	crypto_generichash(hash, sizeof hash, (unsigned char *)tok,
	    strlen(tok), NULL, 0);
	if (store_token_insert(a->ctx->store, name, hash, sizeof hash,
	    &cause) != 0) {
		api_refuse(a, 409, cause, "name");
		goto out;
	}
	api_audit(a, "create", "token", name);
	api_reply(a, 201, json_pack("{s:s, s:s, s:s}", "name", name, "token",
	    tok, "note", "keep it safe: it is not shown again"));
	sodium_memzero(tok, sizeof tok);
out:
	json_decref(body);
}
