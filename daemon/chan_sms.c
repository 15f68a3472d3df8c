/*
 * chan_sms.c: the SMS channel, through an SMS gateway over HTTP.
 *
 * gateway = kannel asks Kannel's smsbox to send (GET on its sendsms
 * address, with the coding chosen from the text and a delivery report
 * address); gateway = http posts to a provider's API shaped by the field
 * options, as a form or JSON, with basic, bearer or no authentication.
 * Every request goes through libcurl's multi interface in the daemon's
 * loop: nothing here waits for the network.  The gateway's answer is one
 * of OK, TEMPFAIL (it is busy, down, slow, or refused our credentials) or
 * PERMFAIL (it refused the message itself, so the member's next channel
 * is tried).  Trouble with the gateway is logged once when it starts
 * and once when SMS goes again (chan_trouble_*), not at every message.
 *
 * Delivery reports come back to /sms/dlr at a signed address that names
 * the outbox row and attempt; chan_sms_dlr checks the signature and
 * records what the report says.
 */
#include "config.h"

#include <sys/queue.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "convene.h"
#include "curlev.h"
#include "gsm.h"
#include "key.h"
#include "log.h"
#include "util.h"

#define SMS_REPLY_MAX		65536	/* of a gateway's reply, kept */
#define SMS_DLR_LIFETIME	(8 * 86400)	/* a report may come late */

/* What the configuration says, copied so that a reload can change it. */
struct sms_conf {
	int		 kannel;
	char		*url;
	char		*user;		/* kannel, basic */
	char		*password;
	char		*token;		/* bearer */
	char		*from;
	char		*auth;
	int		 json;
	char		*field_to;
	char		*field_from;
	char		*field_text;
	char		*field_callback;
	char		*base_url;
	long		 timeout;
};

/* One request in flight. */
struct sms_xfer {
	long long		 id;
	int			 attempt;
	int			 kannel;
	chan_done_cb		 done;
	void			*arg;
	struct curl_slist	*headers;
	char			*url;
	char			*body;
	char			*reply;
	size_t			 replylen;
	char			 error[CURL_ERROR_SIZE];
};

static struct curlev		*sms_cv;
static struct sms_conf		 sms;
static struct chan_trouble	*sms_trouble;
static struct convene_ctx	*sms_ctx;	/* the key and the store */

static void
sms_conf_clear(struct sms_conf *c)
{
	free(c->url);
	free(c->user);
	if (c->password != NULL)
		explicit_bzero(c->password, strlen(c->password));
	free(c->password);
	if (c->token != NULL)
		explicit_bzero(c->token, strlen(c->token));
	free(c->token);
	free(c->from);
	free(c->auth);
	free(c->field_to);
	free(c->field_from);
	free(c->field_text);
	free(c->field_callback);
	free(c->base_url);
	memset(c, 0, sizeof *c);
}

/* The first line of the credentials file, without its line end. */
static char *
sms_read_secret(const char *path, char **cause)
{
	FILE	*f;
	char	 buf[1024];

	if ((f = fopen(path, "re")) == NULL) {
		cause_set(cause, "[sms] credentials_file: %s: %s", path,
		    strerror(errno));
		return (NULL);
	}
	if (fgets(buf, sizeof buf, f) == NULL) {
		fclose(f);
		cause_set(cause, "[sms] credentials_file: %s is empty", path);
		return (NULL);
	}
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return (xstrdup(buf));
}

/* Read the options and credentials into c; the one in use is kept. */
static int
sms_conf_load(const struct config *conf, struct sms_conf *c, char **cause)
{
	char	*secret = NULL, *colon;
	int	 need_pair, need_token;

	memset(c, 0, sizeof *c);
	c->kannel = strcmp(conf->sms_gateway, "kannel") == 0;
	if (!c->kannel && (*conf->sms_field_to == '\0' ||
	    *conf->sms_field_text == '\0')) {
		cause_set(cause, "[sms] field_to and field_text must name the "
		    "provider's fields for the number and the text");
		return (-1);
	}
	need_pair = c->kannel || strcmp(conf->sms_auth, "basic") == 0;
	need_token = !c->kannel && strcmp(conf->sms_auth, "bearer") == 0;
	if (need_pair || need_token) {
		if (*conf->sms_credentials_file == '\0') {
			cause_set(cause, "[sms] credentials_file is needed for "
			    "%s", c->kannel ? "Kannel's sendsms-user" :
			    need_pair ? "auth = basic" : "auth = bearer");
			return (-1);
		}
		if ((secret = sms_read_secret(conf->sms_credentials_file,
		    cause)) == NULL)
			return (-1);
	}
	if (need_pair) {
		if ((colon = strchr(secret, ':')) == NULL ||
		    colon == secret) {
			cause_set(cause, "[sms] credentials_file: %s does not "
			    "hold user:password on its first line",
			    conf->sms_credentials_file);
			explicit_bzero(secret, strlen(secret));
			free(secret);
			return (-1);
		}
		*colon = '\0';
		c->user = xstrdup(secret);
		c->password = xstrdup(colon + 1);
	} else if (need_token) {
		if (*secret == '\0') {
			cause_set(cause, "[sms] credentials_file: %s holds no "
			    "token", conf->sms_credentials_file);
			free(secret);
			return (-1);
		}
		c->token = xstrdup(secret);
	}
	if (secret != NULL) {
		explicit_bzero(secret, strlen(secret));
		free(secret);
	}
	c->url = xstrdup(conf->sms_gateway_url);
	c->from = xstrdup(conf->sms_from);
	c->auth = xstrdup(conf->sms_auth);
	c->json = strcmp(conf->sms_format, "json") == 0;
	c->field_to = xstrdup(conf->sms_field_to);
	c->field_from = xstrdup(conf->sms_field_from);
	c->field_text = xstrdup(conf->sms_field_text);
	c->field_callback = xstrdup(conf->sms_field_callback);
	c->base_url = xstrdup(conf->base_url);
	c->timeout = conf->sms_timeout;
	return (0);
}

/* Start, or on a reload take the new settings; what is in flight stays. */
static int
chan_sms_init(struct event_base *base, const struct config *conf,
    char **cause)
{
	struct sms_conf	next;

	if (sms_conf_load(conf, &next, cause) != 0)
		return (-1);
	if (sms_cv == NULL) {
		sms_cv = curlev_create(base, conf->sms_max_connections, cause);
		if (sms_cv == NULL) {
			sms_conf_clear(&next);
			return (-1);
		}
	} else
		curlev_limit(sms_cv, conf->sms_max_connections);
	if (sms_trouble == NULL)
		sms_trouble = chan_trouble_create("sms");
	sms_conf_clear(&sms);
	sms = next;
	return (0);
}

/* The signed address a delivery report for this attempt comes back to. */
static char *
sms_dlr_url(long long id, int attempt, int kannel)
{
	char		 subject[64], sig[KEY_SIG_LEN];
	long long	 expiry;

	if (sms.base_url == NULL || *sms.base_url == '\0' || sms_ctx == NULL)
		return (NULL);
	expiry = (long long)clock_now() + SMS_DLR_LIFETIME;
	snprintf(subject, sizeof subject, "%lld.%d", id, attempt);
	key_sign(sms_ctx->signing_key, "dlr", subject, expiry, sig);
	return (xprintf("%s/sms/dlr?id=%lld&a=%d&e=%lld&s=%s%s",
	    sms.base_url, id, attempt, expiry, sig,
	    kannel ? "&status=%d" : ""));
}

/* Append name=value to a query or form, escaped. */
static void
sms_param(CURL *easy, char **q, const char *name, const char *value)
{
	char	*n, *v, *next;

	n = curl_easy_escape(easy, name, 0);
	v = curl_easy_escape(easy, value, 0);
	if (n == NULL || v == NULL)
		fatalx("curl_easy_escape: out of memory");
	next = xprintf("%s%s%s=%s", *q != NULL ? *q : "",
	    *q != NULL && **q != '\0' ? "&" : "", n, v);
	curl_free(n);
	curl_free(v);
	free(*q);
	*q = next;
}

static size_t
sms_write(char *data, size_t size, size_t n, void *arg)
{
	struct sms_xfer	*x = arg;
	size_t		 len = size * n, keep = len;

	if (x->replylen + keep > SMS_REPLY_MAX)
		keep = SMS_REPLY_MAX - x->replylen;
	if (keep > 0) {
		x->reply = realloc(x->reply, x->replylen + keep + 1);
		if (x->reply == NULL)
			fatal("realloc");
		memcpy(x->reply + x->replylen, data, keep);
		x->replylen += keep;
		x->reply[x->replylen] = '\0';
	}
	return (len);
}

static void
sms_xfer_free(struct sms_xfer *x)
{
	curl_slist_free_all(x->headers);
	free(x->url);
	free(x->body);
	free(x->reply);
	free(x);
}

/* The gateway's id for the message from a JSON reply, if it gave one. */
static char *
sms_reply_id(const struct sms_xfer *x)
{
	static const char *const keys[] = { "sid", "id", "message_id", NULL };
	json_t		*root, *v;
	char		*id = NULL;
	size_t		 i;

	if (x->reply == NULL)
		return (NULL);
	if ((root = json_loadb(x->reply, x->replylen, 0, NULL)) == NULL)
		return (NULL);
	for (i = 0; keys[i] != NULL && id == NULL; i++) {
		v = json_object_get(root, keys[i]);
		if (json_is_string(v) && *json_string_value(v) != '\0' &&
		    strlen(json_string_value(v)) < 200)
			id = xstrdup(json_string_value(v));
		else if (json_is_integer(v))
			id = xprintf("%" JSON_INTEGER_FORMAT,
			    json_integer_value(v));
	}
	json_decref(root);
	return (id);
}

/*
 * What the gateway said, short and printable, for a reason: a JSON
 * reply's "message" or "error", else the first line of the reply.
 */
static char *
sms_reply_line(const struct sms_xfer *x)
{
	const char	*text;
	json_t		*root, *v;
	char		*s;
	size_t		 i, len;

	if (x->reply == NULL || x->replylen == 0)
		return (xstrdup("an empty reply"));
	text = x->reply;
	len = x->replylen;
	root = json_loadb(x->reply, x->replylen, 0, NULL);
	if ((v = json_object_get(root, "message")) == NULL)
		v = json_object_get(root, "error");
	if (json_is_string(v)) {
		text = json_string_value(v);
		len = strlen(text);
	}
	s = xcalloc(1, 121);
	for (i = 0; i < 120 && i < len && text[i] != '\n' &&
	    text[i] != '\r'; i++)
		s[i] = (text[i] >= 0x20 && text[i] < 0x7f) ? text[i] : '?';
	json_decref(root);
	return (s);
}

/* A finished request: one answer for the outbox. */
static void
sms_finished(CURL *easy, int result, void *arg)
{
	struct sms_xfer		*x = arg;
	enum chan_result	 r = CHAN_TEMPFAIL;
	long			 code = 0;
	char			*reason = NULL, *id = NULL, *line = NULL;
	char			 fallback[64], cause[32];

	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
	if (result == CURLE_ABORTED_BY_CALLBACK)
		reason = xstrdup("convened stopped before the SMS gateway "
		    "answered");
	else if (result == CURLE_OPERATION_TIMEDOUT)
		reason = xprintf("the SMS gateway did not answer within %ld "
		    "seconds", sms.timeout);
	else if (result != CURLE_OK)
		reason = xprintf("cannot reach the SMS gateway: %s",
		    *x->error != '\0' ? x->error :
		    curl_easy_strerror((CURLcode)result));
	else if (code == 401 || code == 403) {
		reason = xprintf("the SMS gateway refused convene's "
		    "credentials (it said %ld); check [sms] credentials_file",
		    code);
	} else if (code == 429 || code >= 500)
		reason = xprintf("the SMS gateway said %ld: it is busy or "
		    "unwell", code);
	else if (code >= 400) {
		r = CHAN_PERMFAIL;
		line = sms_reply_line(x);
		reason = xprintf("the SMS gateway refused the message (it "
		    "said %ld: %s)", code, line);
	} else if (code < 200 || code >= 300) {
		reason = xprintf("the SMS gateway said %ld, which convene "
		    "does not understand", code);
	} else if (x->kannel) {
		/* "0: Accepted for delivery" or "3: Queued for later...". */
		if (x->reply != NULL && (strncmp(x->reply, "0:", 2) == 0 ||
		    strncmp(x->reply, "3:", 2) == 0))
			r = CHAN_OK;
		else {
			line = sms_reply_line(x);
			reason = xprintf("the SMS gateway said %ld with an "
			    "unexpected reply: %s", code, line);
		}
	} else {
		r = CHAN_OK;
		id = sms_reply_id(x);
	}
	if (r == CHAN_OK && id == NULL) {
		snprintf(fallback, sizeof fallback, "sms:%lld.%d", x->id,
		    x->attempt);
		id = xstrdup(fallback);
	}
	if (r != CHAN_OK)
		log_debug("sms: row %lld attempt %d: %s", x->id, x->attempt,
		    reason);
	/* The cause of a failure: the gateway's code, else libcurl's. */
	if (result == CURLE_OK)
		snprintf(cause, sizeof cause, "code %ld", code);
	else
		snprintf(cause, sizeof cause, "curl %d", result);
	if (r == CHAN_OK)
		chan_trouble_ok(sms_trouble);
	else if (r == CHAN_PERMFAIL)
		chan_trouble_refused(sms_trouble, x->id, reason);
	else if (result != CURLE_ABORTED_BY_CALLBACK)
		chan_trouble_fail(sms_trouble, cause, "%s", reason);
	x->done(x->arg, r, r == CHAN_OK ? id : NULL, reason);
	free(reason);
	free(line);
	free(id);
	curl_easy_cleanup(easy);
	sms_xfer_free(x);
}

/* Kannel's sendsms: everything in the query of a GET. */
static void
sms_kannel_request(CURL *easy, struct sms_xfer *x, const struct chan_msg *m)
{
	struct gsm_count	 gc;
	char			*q = NULL, *dlr;

	gsm_count(m->body, &gc);
	sms_param(easy, &q, "username", sms.user);
	sms_param(easy, &q, "password", sms.password);
	sms_param(easy, &q, "to", m->to);
	sms_param(easy, &q, "text", m->body);
	if (*sms.from != '\0')
		sms_param(easy, &q, "from", sms.from);
	sms_param(easy, &q, "charset", "UTF-8");
	sms_param(easy, &q, "coding", gc.ucs2 ? "2" : "0");
	if ((dlr = sms_dlr_url(m->id, m->attempt, 1)) != NULL) {
		sms_param(easy, &q, "dlr-mask", "31");
		sms_param(easy, &q, "dlr-url", dlr);
		free(dlr);
	}
	x->url = xprintf("%s%s%s", sms.url, strchr(sms.url, '?') != NULL ?
	    "&" : "?", q);
	free(q);
	curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
}

/* A provider's API: a form or JSON posted with the configured fields. */
static void
sms_http_request(CURL *easy, struct sms_xfer *x, const struct chan_msg *m)
{
	json_t	*o;
	char	*dlr = NULL, *h;

	if (*sms.field_callback != '\0')
		dlr = sms_dlr_url(m->id, m->attempt, 0);
	if (sms.json) {
		o = json_object();
		json_object_set_new(o, sms.field_to, json_string(m->to));
		if (*sms.from != '\0' && *sms.field_from != '\0')
			json_object_set_new(o, sms.field_from,
			    json_string(sms.from));
		json_object_set_new(o, sms.field_text, json_string(m->body));
		if (dlr != NULL)
			json_object_set_new(o, sms.field_callback,
			    json_string(dlr));
		x->body = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		if (x->body == NULL)
			fatalx("json_dumps: out of memory");
		x->headers = curl_slist_append(x->headers,
		    "Content-Type: application/json");
	} else {
		sms_param(easy, &x->body, sms.field_to, m->to);
		if (*sms.from != '\0' && *sms.field_from != '\0')
			sms_param(easy, &x->body, sms.field_from, sms.from);
		sms_param(easy, &x->body, sms.field_text, m->body);
		if (dlr != NULL)
			sms_param(easy, &x->body, sms.field_callback, dlr);
		x->headers = curl_slist_append(x->headers, "Content-Type: "
		    "application/x-www-form-urlencoded");
	}
	free(dlr);
	x->headers = curl_slist_append(x->headers, "Accept: "
	    "application/json, text/plain;q=0.5");
	if (strcmp(sms.auth, "bearer") == 0) {
		h = xprintf("Authorization: Bearer %s", sms.token);
		x->headers = curl_slist_append(x->headers, h);
		explicit_bzero(h, strlen(h));
		free(h);
	} else if (strcmp(sms.auth, "basic") == 0) {
		curl_easy_setopt(easy, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(easy, CURLOPT_USERNAME, sms.user);
		curl_easy_setopt(easy, CURLOPT_PASSWORD, sms.password);
	}
	x->url = xstrdup(sms.url);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDS, x->body);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long)strlen(x->body));
}

static void
chan_sms_send(const struct chan_msg *m, chan_done_cb done, void *arg)
{
	struct sms_xfer	*x;
	CURL		*easy;
	char		*cause = NULL;

	if (sms_cv == NULL) {
		done(arg, CHAN_TEMPFAIL, NULL, "the SMS gateway is not set "
		    "up");
		return;
	}
	if ((easy = curl_easy_init()) == NULL) {
		done(arg, CHAN_TEMPFAIL, NULL, "libcurl: out of memory");
		return;
	}
	x = xcalloc(1, sizeof *x);
	x->id = m->id;
	x->attempt = m->attempt;
	x->kannel = sms.kannel;
	x->done = done;
	x->arg = arg;
	if (sms.kannel)
		sms_kannel_request(easy, x, m);
	else
		sms_http_request(easy, x, m);
	curl_easy_setopt(easy, CURLOPT_URL, x->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT, sms.timeout);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, sms_write);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, x->error);
	curl_easy_setopt(easy, CURLOPT_USERAGENT, "convened/" PACKAGE_VERSION);
	if (curlev_add(sms_cv, easy, sms_finished, x, &cause) != 0) {
		done(arg, CHAN_TEMPFAIL, NULL, cause);
		free(cause);
		curl_easy_cleanup(easy);
		sms_xfer_free(x);
	}
}

static size_t
chan_sms_inflight(void)
{
	return (curlev_active(sms_cv));
}

/* What is in flight hears TEMPFAIL; the connections close. */
static void
chan_sms_shutdown(void)
{
	curlev_free(sms_cv);
	sms_cv = NULL;
	sms_conf_clear(&sms);
	chan_trouble_free(sms_trouble);
	sms_trouble = NULL;
}

const struct chan_backend chan_sms_backend = {
	"sms-gateway", chan_sms_init, chan_sms_send, chan_sms_inflight,
	chan_sms_shutdown
};

/* What a report's status means: accepted, delivered, failed or NULL. */
static const char *
sms_dlr_state(const char *status)
{
	static const struct {
		const char	*word;
		const char	*state;
	} words[] = {
		/* Kannel's dlr-mask bits. */
		{ "1", "delivered" }, { "2", "failed" }, { "4", "accepted" },
		{ "8", "accepted" }, { "16", "failed" },
		/* Words providers use (Twilio's MessageStatus, SMPP). */
		{ "delivered", "delivered" }, { "delivrd", "delivered" },
		{ "failed", "failed" }, { "undelivered", "failed" },
		{ "undeliv", "failed" }, { "rejected", "failed" },
		{ "rejectd", "failed" }, { "expired", "failed" },
		{ "accepted", "accepted" }, { "sent", "accepted" },
		{ "queued", "accepted" }, { "sending", "accepted" },
		{ "buffered", "accepted" }, { "enroute", "accepted" },
	};
	size_t	i;

	for (i = 0; i < sizeof words / sizeof words[0]; i++) {
		if (strcasecmp(status, words[i].word) == 0)
			return (words[i].state);
	}
	return (NULL);
}

/* A whole decimal number of at most 18 digits, no leading zero, or -1. */
static long long
sms_number(const char *s)
{
	long long	n = 0;
	size_t		i;

	if (s == NULL || *s == '\0' || strlen(s) > 18 ||
	    (s[0] == '0' && s[1] != '\0'))
		return (-1);
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		n = n * 10 + (s[i] - '0');
	}
	return (n);
}

/*
 * A delivery report's address: id, attempt, expiry and signature, which
 * point into d until chan_sms_dlr_clear; -1 and *why when one is missing
 * or malformed.  d is always ready to clear.
 */
int
chan_sms_dlr_address(struct sms_dlr *d, const char *query, char **why)
{
	memset(d, 0, sizeof *d);
	d->query = xcalloc(1, sizeof *d->query);
	d->form = xcalloc(1, sizeof *d->form);
	TAILQ_INIT(d->query);
	TAILQ_INIT(d->form);
	if (query == NULL || evhttp_parse_query_str(query, d->query) != 0)
		goto fail;
	d->id = sms_number(evhttp_find_header(d->query, "id"));
	d->attempt = sms_number(evhttp_find_header(d->query, "a"));
	d->expiry = sms_number(evhttp_find_header(d->query, "e"));
	d->sig = evhttp_find_header(d->query, "s");
	if (d->id < 1 || d->attempt < 1 || d->attempt > 1000000 ||
	    d->expiry < 0 || d->sig == NULL)
		goto fail;
	return (0);
fail:
	*why = xstrdup("a delivery report needs id, a, e and s in its "
	    "address");
	return (-1);
}

/*
 * A report's status: in the body (len bytes and a NUL), as JSON or a
 * form, else in the address (Kannel).  d->status and d->state are set,
 * or -1 and *why.
 */
int
chan_sms_dlr_status(struct sms_dlr *d, const char *type, const char *body,
    size_t len, char **why)
{
	if (len > 0) {
		if (type != NULL && strncasecmp(type, "application/json",
		    16) == 0) {
			d->json = json_loadb(body, len, 0, NULL);
			d->status = json_string_value(json_object_get(d->json,
			    "status"));
		} else if (evhttp_parse_query_str(body, d->form) == 0) {
			d->status = evhttp_find_header(d->form,
			    "MessageStatus");
			if (d->status == NULL)
				d->status = evhttp_find_header(d->form,
				    "status");
		}
	}
	if (d->status == NULL)
		d->status = evhttp_find_header(d->query, "status");
	if (d->status == NULL) {
		*why = xstrdup("the delivery report has no status");
		return (-1);
	}
	if ((d->state = sms_dlr_state(d->status)) == NULL) {
		*why = xprintf("the delivery report's status is not one "
		    "convene knows (%.40s)", d->status);
		return (-1);
	}
	return (0);
}

void
chan_sms_dlr_clear(struct sms_dlr *d)
{
	json_decref(d->json);
	if (d->query != NULL)
		evhttp_clear_headers(d->query);
	if (d->form != NULL)
		evhttp_clear_headers(d->form);
	free(d->query);
	free(d->form);
	memset(d, 0, sizeof *d);
}

/*
 * A delivery report at /sms/dlr: the HTTP status to answer with, and
 * why when it is not 200.  The address is signed for one outbox row and
 * attempt, so a report can only speak of the message it was made for.
 */
static int
chan_sms_dlr(struct evhttp_request *req, struct convene_ctx *ctx, char **why)
{
	struct sms_dlr		 d;
	struct evbuffer		*in;
	const char		*query, *type, *status, *state, *s;
	char			*body = NULL, subject[64];
	long long		 id, attempt, expiry;
	size_t			 len;
	int			 code = 400;

	query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	if (chan_sms_dlr_address(&d, query, why) != 0)
		goto out;
	id = d.id;
	attempt = d.attempt;
	expiry = d.expiry;
	s = d.sig;
	snprintf(subject, sizeof subject, "%lld.%lld", id, attempt);
	if (key_verify(ctx->signing_key, "dlr", subject, expiry, s,
	    clock_now()) != 0) {
		code = 403;
		*why = xstrdup("this delivery report address is not signed "
		    "by convene, or has expired");
		goto out;
	}

	in = evhttp_request_get_input_buffer(req);
	len = evbuffer_get_length(in);
	body = xcalloc(1, len + 1);
	evbuffer_copyout(in, body, len);
	type = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Content-Type");
	if (chan_sms_dlr_status(&d, type, body, len, why) != 0)
		goto out;
	status = d.status;
	state = d.state;
	if (store_out_delivery(ctx->store, id, (int)attempt, state,
	    clock_now(), why) != 0) {
		code = 500;
		goto out;
	}
	if (strcmp(state, "failed") == 0)
		log_warnx("sms: the SMS of outbox row %lld was not delivered "
		    "(the gateway reported %.40s)", id, status);
	else
		log_debug("sms: outbox row %lld attempt %lld: %s", id,
		    attempt, state);
	code = 200;
out:
	chan_sms_dlr_clear(&d);
	free(body);
	return (code);
}

/* An SMS delivery report: answered at once, "ok" when it was recorded. */
static void
chan_sms_route_dlr(struct evhttp_request *req, const char *route,
    const char *rest, void *arg)
{
	struct evbuffer	*buf;
	char		*why = NULL;
	int		 code;

	if ((code = chan_sms_dlr(req, arg, &why)) != 200) {
		http_error(req, route, code, why ? why : "the delivery "
		    "report could not be recorded");
		free(why);
		return;
	}
	if ((buf = evbuffer_new()) == NULL)
		fatal("evbuffer_new");
	evbuffer_add(buf, "ok\n", 3);
	http_reply(req, route, 200, "text/plain; charset=utf-8", buf);
	evbuffer_free(buf);
}

/* Reports come back to /sms/dlr, signed with ctx's key. */
void
chan_sms_routes(struct http *h, struct convene_ctx *ctx)
{
	sms_ctx = ctx;
	http_route_add(h, "/sms/dlr", "sms_dlr", HTTP_GET | EVHTTP_REQ_POST,
	    0, chan_sms_route_dlr, ctx);
}
