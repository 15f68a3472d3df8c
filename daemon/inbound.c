/*
 * inbound.c: texts members send back, at /sms/inbound.  Every reminder
 * by SMS says "Reply YES M2, NO M2 or MAYBE M2"; Kannel's smsbox hands
 * each text it receives to an sms-service, which calls this address
 * (get-url with from=%p, text=%a and id=%I, or post-url with the text as
 * the body).  The address carries a secret, key=..., compared with the
 * one in [sms] inbound_secret_file in constant time: anyone else gets
 * 403.  With gateway = http the address takes a provider's form as
 * Twilio posts it (From, Body, MessageSid), signed with
 * X-Twilio-Signature (HMAC-SHA1 keyed with that secret over base_url,
 * the path called and the sorted parameters); unsigned or wrongly
 * signed requests get 403.
 *
 * The sender's number is made E.164 and matched to a person; a number
 * nobody has gets nothing and is logged.  reply.c reads the text in the
 * person's language.  An answer is recorded (store_answer_add, channel
 * "sms", ref "kannel:<id>", so a text smsbox sends again is recorded
 * once) for the meeting its code names when that is one of the person's
 * meetings ahead; with no code, for the one meeting ahead they were
 * asked about by SMS, or their one meeting ahead.  Every reply convene
 * sends back goes through the outbox: an rsvp confirmation of an
 * answer; and a "reply" row (its lead saying what: "which/M3,M5/REF",
 * "stop/REF", "start/REF", "help/REF") asking which meeting when that
 * is not clear, confirming STOP (sms is taken out of the person's
 * channels, so the next one is used) and START (sms put back first),
 * and answering HELP with the group's contact.  The gateway's id of
 * every text is noted in the store in the same transaction as what it
 * did, so a text sent again (smsbox retrying, a replay of a signed
 * request) does nothing.
 */
#include "config.h"

#include <sys/queue.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <nettle/hmac.h>
#include <sodium.h>

#include "convene.h"
#include "log.h"
#include "phone.h"
#include "reply.h"
#include "util.h"

#define INBOUND_ROUTE		"sms_inbound"
#define INBOUND_SECRET_MIN	16	/* bytes of a secret, at least */
#define INBOUND_SECRET_MAX	1024
#define INBOUND_ID_MAX		64	/* bytes of a gateway's message id */
#define INBOUND_TEXT_MAX	2048	/* bytes of a text read */

/* The secret, read again when the configuration changes. */
static const struct config	*inbound_conf;
static char			*inbound_secret;

/* One text as the gateway gave it. */
struct inbound_msg {
	const char	*key;
	const char	*from;
	const char	*id;
	char		*text;		/* UTF-8, NUL-terminated */
	char		 ref[INBOUND_ID_MAX + 8];	/* "kannel:<id>" */
	char		 phone[PHONE_E164_SIZE];
};

/* The secret of conf's inbound_secret_file, or NULL (logged). */
static const char *
inbound_secret_get(const struct config *conf)
{
	FILE	*f;
	char	 buf[INBOUND_SECRET_MAX + 2];
	size_t	 n;

	if (conf == inbound_conf)
		return (inbound_secret);
	if (inbound_secret != NULL) {
		sodium_memzero(inbound_secret, strlen(inbound_secret));
		free(inbound_secret);
	}
	inbound_secret = NULL;
	inbound_conf = conf;
	if (conf->sms_inbound_secret_file == NULL ||
	    *conf->sms_inbound_secret_file == '\0')
		return (NULL);
	if ((f = fopen(conf->sms_inbound_secret_file, "re")) == NULL) {
		log_warn("[sms] inbound_secret_file: %s",
		    conf->sms_inbound_secret_file);
		return (NULL);
	}
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	if (n < INBOUND_SECRET_MIN || n > INBOUND_SECRET_MAX)
		log_warnx("[sms] inbound_secret_file: %s must hold one line "
		    "of %d to %d characters; texts sent back are refused",
		    conf->sms_inbound_secret_file, INBOUND_SECRET_MIN,
		    INBOUND_SECRET_MAX);
	else
		inbound_secret = xstrdup(buf);
	sodium_memzero(buf, sizeof buf);
	return (inbound_secret);
}

/* Whether the key given is the secret, in time that does not tell. */
static int
inbound_key_ok(const char *secret, const char *key)
{
	unsigned char	a[crypto_generichash_BYTES];
	unsigned char	b[crypto_generichash_BYTES];

	if (secret == NULL || key == NULL)
		return (0);
	crypto_generichash(a, sizeof a, (const unsigned char *)secret,
	    strlen(secret), NULL, 0);
	crypto_generichash(b, sizeof b, (const unsigned char *)key,
	    strlen(key), NULL, 0);
	return (sodium_memcmp(a, b, sizeof a) == 0);
}

/*
 * HMAC-SHA1 of the pieces (NULL-terminated, each a NUL-ended string):
 * the signature a provider such as Twilio puts on the requests it makes.
 * Nettle's, as libsodium has no SHA-1.
 */
static void
inbound_hmac_sha1(const char *key, const char *const *pieces,
    unsigned char out[SHA1_DIGEST_SIZE])
{
	struct hmac_sha1_ctx	ctx;
	size_t			i;

	hmac_sha1_set_key(&ctx, strlen(key), (const uint8_t *)key);
	for (i = 0; pieces[i] != NULL; i++)
		hmac_sha1_update(&ctx, strlen(pieces[i]),
		    (const uint8_t *)pieces[i]);
	hmac_sha1_digest(&ctx, SHA1_DIGEST_SIZE, out);
	sodium_memzero(&ctx, sizeof ctx);
}

static int
inbound_kv_cmp(const void *a, const void *b)
{
	const struct evkeyval	*x = *(const struct evkeyval *const *)a;
	const struct evkeyval	*y = *(const struct evkeyval *const *)b;
	int			 c;

	if ((c = strcmp(x->key, y->key)) != 0)
		return (c);
	return (strcmp(x->value, y->value));
}

/*
 * X-Twilio-Signature: base64 of HMAC-SHA1, keyed with the secret, over
 * the full address the provider called then each POST parameter,
 * sorted by name, as its name followed by its value.
 */
static int
inbound_signature_ok(const char *secret, const char *url,
    struct evkeyvalq *form, const char *given)
{
	struct evkeyval		 *kv, **sorted;
	const char		**pieces;
	unsigned char		  mac[SHA1_DIGEST_SIZE];
	char			  b64[sodium_base64_ENCODED_LEN(
				      SHA1_DIGEST_SIZE,
				      sodium_base64_VARIANT_ORIGINAL)];
	size_t			  n = 0, i;
	int			  ok;

	if (secret == NULL || given == NULL)
		return (0);
	TAILQ_FOREACH(kv, form, next)
		n++;
	sorted = xcalloc(n + 1, sizeof *sorted);
	pieces = xcalloc(2 * n + 2, sizeof *pieces);
	n = 0;
	TAILQ_FOREACH(kv, form, next)
		sorted[n++] = kv;
	qsort(sorted, n, sizeof *sorted, inbound_kv_cmp);
	pieces[0] = url;
	for (i = 0; i < n; i++) {
		pieces[1 + 2 * i] = sorted[i]->key;
		pieces[2 + 2 * i] = sorted[i]->value;
	}
	inbound_hmac_sha1(secret, pieces, mac);
	sodium_bin2base64(b64, sizeof b64, mac, sizeof mac,
	    sodium_base64_VARIANT_ORIGINAL);
	ok = strlen(given) == strlen(b64) &&
	    sodium_memcmp(given, b64, strlen(b64)) == 0;
	free(sorted);
	free(pieces);
	return (ok);
}

/* UTF-16BE (UCS-2 as Kannel hands it over) as UTF-8; to be freed. */
static char *
inbound_utf16(const unsigned char *s, size_t len)
{
	char		*out = xcalloc(1, len / 2 * 3 + 4), *o = out;
	unsigned int	 c, lo;
	size_t		 i;

	for (i = 0; i + 1 < len; i += 2) {
		c = (unsigned int)s[i] << 8 | s[i + 1];
		if (c >= 0xd800 && c <= 0xdbff && i + 3 < len) {
			lo = (unsigned int)s[i + 2] << 8 | s[i + 3];
			if (lo >= 0xdc00 && lo <= 0xdfff) {
				c = 0x10000 + ((c - 0xd800) << 10) +
				    (lo - 0xdc00);
				i += 2;
			}
		}
		if (c >= 0xd800 && c <= 0xdfff)
			c = 0xfffd;
		if (c < 0x80)
			*o++ = (char)(c == 0 ? ' ' : c);
		else if (c < 0x800) {
			*o++ = (char)(0xc0 | c >> 6);
			*o++ = (char)(0x80 | (c & 0x3f));
		} else if (c < 0x10000) {
			*o++ = (char)(0xe0 | c >> 12);
			*o++ = (char)(0x80 | (c >> 6 & 0x3f));
			*o++ = (char)(0x80 | (c & 0x3f));
		} else {
			*o++ = (char)(0xf0 | c >> 18);
			*o++ = (char)(0x80 | (c >> 12 & 0x3f));
			*o++ = (char)(0x80 | (c >> 6 & 0x3f));
			*o++ = (char)(0x80 | (c & 0x3f));
		}
	}
	*o = '\0';
	return (out);
}

/* The text in UTF-8 from len bytes in charset (NULL: UTF-8). */
static char *
inbound_text(const char *s, size_t len, const char *charset)
{
	char	*t;

	if (len > INBOUND_TEXT_MAX)
		len = INBOUND_TEXT_MAX;
	if (charset != NULL && (strncasecmp(charset, "UTF-16", 6) == 0 ||
	    strncasecmp(charset, "UCS-2", 5) == 0 ||
	    strncasecmp(charset, "UCS2", 4) == 0))
		return (inbound_utf16((const unsigned char *)s, len));
	t = xcalloc(1, len + 1);
	memcpy(t, s, len);
	return (t);
}

/*
 * The value of name in a query or form, decoded with its length: UCS-2
 * text holds NUL bytes, which the parsed headers would cut it at.  NULL
 * when it is not there; to be freed.
 */
static char *
inbound_param(const char *query, const char *name, size_t *len)
{
	const char	*p, *e;
	char		*raw, *v;
	size_t		 n = strlen(name);

	for (p = query; p != NULL && *p != '\0'; p = *e == '&' ? e + 1 : e) {
		e = p + strcspn(p, "&");
		if ((size_t)(e - p) <= n || strncmp(p, name, n) != 0 ||
		    p[n] != '=')
			continue;
		raw = xcalloc(1, (size_t)(e - p) - n);
		memcpy(raw, p + n + 1, (size_t)(e - p) - n - 1);
		v = evhttp_uridecode(raw, 1, len);
		free(raw);
		if (v == NULL)
			fatal("evhttp_uridecode");
		return (v);
	}
	return (NULL);
}

/* A charset=... parameter of a Content-Type, copied to out. */
static const char *
inbound_charset(const char *type, char *out, size_t size)
{
	const char	*p;
	size_t		 n;

	if (type == NULL || (p = strcasestr(type, "charset=")) == NULL)
		return (NULL);
	p += 8;
	if (*p == '"')
		p++;
	n = strcspn(p, "\"; \t");
	if (n == 0 || n >= size)
		return (NULL);
	memcpy(out, p, n);
	out[n] = '\0';
	return (out);
}

/* An id the gateway gave: short, of letters, digits and -_.: only. */
static int
inbound_id_ok(const char *id)
{
	size_t	n;

	if (id == NULL)
		return (0);
	n = strlen(id);
	return (n >= 1 && n <= INBOUND_ID_MAX && strspn(id,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	    "-_.:") == n);
}

/*
 * The number a gateway gives: E.164, with or without its "+" (Kannel
 * gives international numbers as digits), or as the country writes it.
 */
static int
inbound_phone(const char *from, const char *country, char *out,
    char **cause)
{
	char	*plus;
	size_t	 n = strlen(from);
	int	 rc;

	if (n >= 8 && strspn(from, "0123456789") == n && from[0] != '0') {
		plus = xprintf("+%s", from);
		rc = phone_normalise(plus, country, out, PHONE_E164_SIZE,
		    cause);
		free(plus);
		return (rc);
	}
	return (phone_normalise(from, country, out, PHONE_E164_SIZE, cause));
}

/* An outbox row back to the person, sent as soon as may be. */
static int
inbound_queue(struct convene_ctx *ctx, long long person, long long occ,
    const char *kind, const char *lead, char **cause)
{
	struct outbox_in	o;

	memset(&o, 0, sizeof o);
	o.occurrence_id = occ;
	o.person_id = person;
	o.kind = kind;
	o.lead = lead;
	o.channel = "sms";
	o.due_at = o.now = clock_now();
	return (store_plan_insert(ctx->store, &o, cause));
}

/* A "reply" row: what/REF, or which/CODES/REF. */
static int
inbound_reply(struct convene_ctx *ctx, long long person, long long occ,
    const char *what, const char *codes, const char *ref, char **cause)
{
	char	*lead;
	int	 rc;

	if (codes != NULL)
		lead = xprintf("%s/%s/%s", what, codes, ref);
	else
		lead = xprintf("%s/%s", what, ref);
	rc = inbound_queue(ctx, person, occ, "reply", lead, cause);
	free(lead);
	return (rc);
}

/* A person's channels without sms ("feed" when none is left). */
static char *
inbound_without_sms(const char *channels)
{
	char	*copy, *tok, *sp, *out = xstrdup(""), *t;

	copy = xstrdup(channels);
	for (tok = strtok_r(copy, ",", &sp); tok != NULL;
	    tok = strtok_r(NULL, ",", &sp)) {
		tok += strspn(tok, " ");
		tok[strcspn(tok, " ")] = '\0';
		if (*tok == '\0' || strcmp(tok, "sms") == 0)
			continue;
		t = xprintf("%s%s%s", out, *out != '\0' ? "," : "", tok);
		free(out);
		out = t;
	}
	free(copy);
	if (*out == '\0') {
		free(out);
		out = xstrdup("feed");
	}
	return (out);
}

/* STOP or START: the person's channels without or with sms first. */
static int
inbound_channels(struct convene_ctx *ctx, json_t *person, int stop,
    const char *actor, int *changed, char **cause)
{
	struct person_in	 in;
	const char		*cur = jstr(person, "channels");
	char			*next, *rest, *detail;
	json_t			*row;
	long long		 id = jint(person, "id");

	*changed = 0;
	if (stop) {
		if (!list_has(cur, "sms"))
			return (0);
		next = inbound_without_sms(cur);
	} else {
		if (list_has(cur, "sms"))
			return (0);
		rest = inbound_without_sms(cur);
		next = strcmp(rest, "feed") == 0 ? xstrdup("sms") :
		    xprintf("sms,%s", rest);
		free(rest);
	}
	memset(&in, 0, sizeof in);
	in.channels = next;
	in.quiet_start = in.quiet_end = -2;
	if ((row = store_person_update(ctx->store, id, &in, cause)) == NULL) {
		free(next);
		return (-1);
	}
	json_decref(row);
	detail = xprintf("person %lld: channels %s, were %s (%s by SMS)",
	    id, next, cur, stop ? "STOP" : "START");
	store_audit(ctx->store, actor, stop ? "sms stop" : "sms start",
	    "person", detail);
	free(detail);
	free(next);
	replan_person(ctx->replan, id);
	*changed = 1;
	return (0);
}

/*
 * Which meeting an answer is for: *occ, or 0 with *codes ("M3,M5", to
 * be freed) to ask which, or 0 and no codes when there is none ahead.
 */
static int
inbound_meeting(struct convene_ctx *ctx, long long person, long long code,
    long long *occ, char **codes, char **cause)
{
	json_t		*ahead, *o;
	size_t		 i, nasked = 0;
	long long	 asked = 0;
	char		*t;

	*occ = 0;
	*codes = NULL;
	if ((ahead = store_answer_ahead(ctx->store, person, clock_now(),
	    cause)) == NULL)
		return (-1);
	json_array_foreach(ahead, i, o) {
		if (code != 0 && jint(o, "id") == code)
			*occ = code;
		if (jint(o, "asked")) {
			nasked++;
			asked = jint(o, "id");
		}
	}
	if (*occ == 0 && code == 0) {
		if (nasked == 1)
			*occ = asked;
		else if (json_array_size(ahead) == 1)
			*occ = jint(json_array_get(ahead, 0), "id");
	}
	if (*occ == 0 && json_array_size(ahead) > 0) {
		*codes = xstrdup("");
		json_array_foreach(ahead, i, o) {
			t = xprintf("%s%sM%lld", *codes, i > 0 ? "," : "",
			    jint(o, "id"));
			free(*codes);
			*codes = t;
		}
	}
	json_decref(ahead);
	return (0);
}

/* The person's next meeting, for a HELP reply's contact; 0: none. */
static long long
inbound_next(struct convene_ctx *ctx, long long person)
{
	json_t		*ahead;
	long long	 occ = 0;
	char		*cause = NULL;

	if ((ahead = store_answer_ahead(ctx->store, person, clock_now(),
	    &cause)) == NULL) {
		free(cause);
		return (0);
	}
	if (json_array_size(ahead) > 0)
		occ = jint(json_array_get(ahead, 0), "id");
	json_decref(ahead);
	return (occ);
}

/* An answer: recorded once, and confirmed, or which meeting asked. */
static int
inbound_answer(struct convene_ctx *ctx, json_t *person,
    const struct inbound_msg *m, const struct reply *r, char **cause)
{
	struct answer_in	 a;
	long long		 id = jint(person, "id"), occ;
	char			*codes = NULL;
	int			 rc;

	if (inbound_meeting(ctx, id, r->code, &occ, &codes, cause) != 0)
		return (-1);
	if (occ == 0) {
		if (codes == NULL) {
			log_info("sms: %s from person %lld, who has no "
			    "meeting ahead", r->answer, id);
			return (0);
		}
		log_info("sms: %s from person %lld: which meeting? (%s)",
		    r->answer, id, codes);
		rc = inbound_reply(ctx, id, 0, "which", codes, m->ref, cause);
		free(codes);
		return (rc);
	}
	memset(&a, 0, sizeof a);
	a.person_id = id;
	a.occurrence_id = occ;
	a.answer = r->answer;
	a.channel = "sms";
	a.ref = m->ref;
	a.at = clock_now();
	if (store_begin(ctx->store) != 0) {
		cause_set(cause, STORE_BUSY_CAUSE ": cannot begin");
		return (-1);
	}
	rc = store_answer_add(ctx->store, &a, cause);
	if (rc == 0)
		rc = inbound_queue(ctx, id, occ, "rsvp", m->ref, cause);
	if (store_end(ctx->store, rc >= 0) != 0 && rc >= 0) {
		cause_set(cause, "database: cannot commit");
		rc = -1;
	}
	if (rc == STORE_ANSWER_DUPLICATE)
		log_info("sms: %s from person %lld for M%lld: %s was "
		    "recorded before", r->answer, id, occ, m->ref);
	else if (rc == 0)
		log_info("sms: %s from person %lld for M%lld", r->answer, id,
		    occ);
	return (rc < 0 ? -1 : 0);
}

/* What the text says, done; -1 and *cause when the store failed. */
static int
inbound_handle(struct convene_ctx *ctx, struct inbound_msg *m,
    char **cause)
{
	struct reply_words	 w[2];
	struct reply		 r;
	json_t			*person;
	long long		 id;
	char			*actor;
	int			 rc = 0, changed;

	if ((id = store_person_find(ctx->store, NULL, m->phone)) == 0) {
		log_info("sms: a text from %s, a number no one has; ignored",
		    m->phone);
		return (0);
	}
	if ((person = store_person_get(ctx->store, id, cause)) == NULL)
		return (-1);
	reply_parse(m->text, strlen(m->text), w,
	    reply_words_get(ctx->tmpl, jstr(person, "language"), w), &r);
	actor = xprintf("sms from %s", m->phone);
	switch (r.kind) {
	case REPLY_ANSWER:
		rc = inbound_answer(ctx, person, m, &r, cause);
		break;
	case REPLY_STOP:
	case REPLY_START:
		rc = inbound_channels(ctx, person, r.kind == REPLY_STOP,
		    actor, &changed, cause);
		if (rc == 0 && changed)
			rc = inbound_reply(ctx, id, 0, r.kind == REPLY_STOP ?
			    "stop" : "start", NULL, m->ref, cause);
		log_info("sms: %s from person %lld%s",
		    reply_kind_name(r.kind), id, changed ? "" :
		    ": nothing to change");
		break;
	case REPLY_HELP:
		rc = inbound_reply(ctx, id, inbound_next(ctx, id), "help",
		    NULL, m->ref, cause);
		log_info("sms: help from person %lld", id);
		break;
	default:
		log_info("sms: a text from person %lld not understood", id);
		break;
	}
	free(actor);
	json_decref(person);
	if (rc == 0)
		outbox_kick(ctx->outbox);
	return (rc);
}

/*
 * A provider's form (gateway = http), as Twilio posts it: From, Body
 * and MessageSid, signed with X-Twilio-Signature over base_url and the
 * path called.  0 and m filled, or the HTTP status and *why.  The
 * signature covers MessageSid, noted once in the store: a request
 * replayed as it was does nothing.
 */
static int
inbound_provider(struct evhttp_request *req, struct convene_ctx *ctx,
    const char *secret, int isform, struct evkeyvalq *form,
    const char *body, struct inbound_msg *m, char **why)
{
	const char	*sig;
	char		*url, *raw;
	size_t		 rawlen;
	int		 ok;

	sig = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "X-Twilio-Signature");
	url = xprintf("%s%s", ctx->conf->base_url,
	    evhttp_request_get_uri(req));
	ok = isform && evhttp_request_get_command(req) == EVHTTP_REQ_POST &&
	    inbound_signature_ok(secret, url, form, sig);
	free(url);
	if (!ok) {
		*why = xstrdup(secret == NULL ? "texts sent back are not "
		    "taken: [sms] inbound_secret_file is not set" :
		    sig == NULL ? "the request is not signed "
		    "(X-Twilio-Signature)" : "the signature is not the "
		    "provider's, or base_url is not the address it called");
		log_warnx("sms: a text at /sms/inbound refused: %s", *why);
		return (403);
	}
	m->from = evhttp_find_header(form, "From");
	m->id = evhttp_find_header(form, "MessageSid");
	if ((raw = inbound_param(body, "Body", &rawlen)) != NULL) {
		m->text = inbound_text(raw, rawlen, NULL);
		free(raw);
	}
	if (m->from == NULL || m->text == NULL || !inbound_id_ok(m->id)) {
		*why = xstrdup("a text needs From, Body and MessageSid");
		return (400);
	}
	snprintf(m->ref, sizeof m->ref, "http:%s", m->id);
	return (0);
}

/* A text at /sms/inbound: the HTTP status, and why when not 200. */
static int
inbound_request(struct evhttp_request *req, struct convene_ctx *ctx,
    char **why)
{
	struct inbound_msg	 m;
	struct evkeyvalq	 q, form;
	struct evbuffer		*in;
	const char		*query, *type, *charset, *secret;
	char			 cs[32], *body = NULL, *cause = NULL, *raw;
	size_t			 len, rawlen;
	int			 code = 400, isform = 0, rc = -1;

	memset(&m, 0, sizeof m);
	TAILQ_INIT(&q);
	TAILQ_INIT(&form);
	query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	if (query != NULL && evhttp_parse_query_str(query, &q) != 0) {
		*why = xstrdup("the address's query cannot be read");
		goto out;
	}
	in = evhttp_request_get_input_buffer(req);
	len = evbuffer_get_length(in);
	body = xcalloc(1, len + 1);
	evbuffer_copyout(in, body, len);
	type = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Content-Type");
	if (type != NULL && strncasecmp(type,
	    "application/x-www-form-urlencoded", 33) == 0) {
		isform = 1;
		if (evhttp_parse_query_str(body, &form) != 0) {
			*why = xstrdup("the form cannot be read");
			goto out;
		}
	}
	secret = inbound_secret_get(ctx->conf);
	if (strcmp(ctx->conf->sms_gateway, "kannel") != 0) {
		code = inbound_provider(req, ctx, secret, isform, &form, body,
		    &m, why);
		if (code != 0)
			goto out;
		code = 400;
		goto have;
	}
	m.key = evhttp_find_header(&q, "key");
	if (!inbound_key_ok(secret, m.key)) {
		code = 403;
		*why = xstrdup(secret == NULL ? "texts sent back are not "
		    "taken: [sms] inbound_secret_file is not set" :
		    "the key in the address is not convene's");
		log_warnx("sms: a text at /sms/inbound refused: %s", *why);
		goto out;
	}
	m.from = evhttp_find_header(&q, "from");
	m.id = evhttp_find_header(&q, "id");
	if (isform) {
		if (m.from == NULL)
			m.from = evhttp_find_header(&form, "from");
		if (m.id == NULL)
			m.id = evhttp_find_header(&form, "id");
	}
	if (m.from == NULL)
		m.from = evhttp_find_header(evhttp_request_get_input_headers(
		    req), "X-Kannel-From");
	charset = evhttp_find_header(&q, "charset");
	if ((isform && (raw = inbound_param(body, "text", &rawlen)) !=
	    NULL) || (raw = inbound_param(query, "text", &rawlen)) != NULL) {
		m.text = inbound_text(raw, rawlen, charset);
		free(raw);
	} else if (len > 0 && !isform)
		m.text = inbound_text(body, len, charset != NULL ? charset :
		    inbound_charset(type, cs, sizeof cs));
	if (m.from == NULL || m.text == NULL || !inbound_id_ok(m.id)) {
		*why = xstrdup("a text needs from, text (or a body) and id, "
		    "the gateway's message id");
		goto out;
	}
	snprintf(m.ref, sizeof m.ref, "kannel:%s", m.id);
have:
	if (inbound_phone(m.from, ctx->conf->phone_country, m.phone,
	    &cause) != 0) {
		log_info("sms: a text from '%.40s', not a phone number (%s); "
		    "ignored", m.from, cause);
		code = 200;
		goto out;
	}
	/* Noted and handled at once: a text sent again is handled once. */
	if (store_begin(ctx->store) != 0)
		cause_set(&cause, STORE_BUSY_CAUSE ": cannot begin");
	else {
		rc = store_answer_seen(ctx->store, m.ref, clock_now(),
		    &cause);
		if (rc == STORE_ANSWER_DUPLICATE)
			log_info("sms: %s was handled before", m.ref);
		else if (rc == 0)
			rc = inbound_handle(ctx, &m, &cause);
		if (store_end(ctx->store, rc >= 0) != 0 && rc >= 0)
			cause_set(&cause, "database: cannot commit");
	}
	if (rc < 0 || cause != NULL) {
		if (cause == NULL)
			cause = xstrdup("database: failed");
		log_warnx("sms: a text from %s (%s): %s", m.phone, m.ref,
		    cause);
		*why = xprintf("the text could not be recorded: %s", cause);
		code = 503;
		goto out;
	}
	code = 200;
out:
	evhttp_clear_headers(&q);
	evhttp_clear_headers(&form);
	free(m.text);
	free(body);
	free(cause);
	return (code);
}

/*
 * Answered with an empty body: smsbox sends a service's answer to the
 * phone as a text, and convene's replies go through the outbox.
 */
static void
inbound_route(struct evhttp_request *req, const char *route,
    const char *rest, void *arg)
{
	struct convene_ctx	*ctx = arg;
	struct evbuffer		*buf;
	char			*why = NULL;
	int			 code;

	(void)rest;
	if ((code = inbound_request(req, ctx, &why)) != 200) {
		if (code == 503)
			evhttp_add_header(evhttp_request_get_output_headers(
			    req), "Retry-After", "5");
		http_error(req, route, code, why ? why : "refused");
		free(why);
		return;
	}
	if ((buf = evbuffer_new()) == NULL)
		fatal("evbuffer_new");
	if (strcmp(ctx->conf->sms_gateway, "kannel") != 0) {
		/* An empty TwiML answer: nothing sent from here. */
		evbuffer_add_printf(buf, "<Response/>\n");
		http_reply(req, route, 200, "text/xml; charset=utf-8", buf);
	} else
		http_reply(req, route, 200, "text/plain; charset=utf-8", buf);
	evbuffer_free(buf);
}

void
inbound_routes(struct http *h, struct convene_ctx *ctx)
{
	http_route_add(h, "/sms/inbound", INBOUND_ROUTE,
	    HTTP_GET | EVHTTP_REQ_POST, 0, inbound_route, ctx);
}
