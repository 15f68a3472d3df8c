/*
 * rsvp.c: the page where a member says whether they can come to a
 * meeting: yes, maybe or no, with a note if they like.
 *
 * Invitations, reminders and updates carry a signed link to it,
 * /rsvp/<person>.<occurrence>.<expiry>.<signature>, that works for one
 * person and one meeting until the meeting ends.  Opening the link only
 * shows the meeting and the form, so a mail system that fetches every
 * link to scan it records nothing; only the form, posted, records an
 * answer (store_answer.c), and the latest answer counts.  Once it is
 * on disk the POST answers 303 See Other to the page's own address with
 * ?saved=1, where the page says the answer is saved and what it is, so
 * that a reload never posts again.  The page is
 * plain HTML in the member's language and, for Easy Read, in simpler
 * words; it works by keyboard and without JavaScript.
 *
 * The form also asks what the member needs to take part in this
 * meeting: the catalogue's needs as checkboxes, ticked for what they
 * asked for already or need at every meeting, and anything else in
 * their own words.  With a yes or maybe, what is ticked is asked for
 * and what is not is withdrawn (store_need_choose), in the answer's
 * transaction.
 */
#include "config.h"

#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "convene.h"
#include "key.h"
#include "log.h"
#include "tmpl.h"
#include "util.h"

#define RSVP_ROUTE	"rsvp"
#define RSVP_MAX_BODY	8192	/* bytes of a posted form */
#define RSVP_NOTE_MAX	1000	/* bytes of a note */
#define RSVP_OTHER_MAX	500	/* characters of a need in their words */
#define RSVP_NEEDS_MAX	64	/* needs ticked, at most */

static const char *const rsvp_answers[] = { "yes", "maybe", "no" };

#define RSVP_NANSWERS	(sizeof rsvp_answers / sizeof rsvp_answers[0])

/* What a page needs of its member and meeting. */
struct rsvp_page {
	struct tmpl_set		*t;
	const char		*lang;
	int			 easy;		/* Easy Read words */
	json_t			*person;
	struct occurrence	*occ;
	json_t			*series;	/* NULL: not found */
	json_t			*venue;		/* NULL: none */
	const char		*path;		/* of this page */
	const struct config	*conf;		/* the catalogue of needs */
	json_t			*mine;		/* their requests here */
};

/* A language is offered when its templates are installed. */
static const char *
rsvp_page_lang(struct tmpl_set *t, const char *l)
{
	if (*l != '\0' && t != NULL && (strcmp(l, "en") == 0 ||
	    tmpl_exists(t, l, "reminder.subject")))
		return (l);
	return ("en");
}

/* a, b and c one after the other in key, cut short to fit. */
static void
rsvp_key(char *key, size_t size, const char *a, const char *b,
    const char *c)
{
	const char	*parts[3] = { a, b, c };
	size_t		 i, n, len = 0;

	for (i = 0; i < 3; i++) {
		n = strlen(parts[i]);
		if (n > size - 1 - len)
			n = size - 1 - len;
		memcpy(key + len, parts[i], n);
		len += n;
	}
	key[len] = '\0';
}

/*
 * A word of the page, [page] NAME, in the page's language; for Easy
 * Read, NAME_easyread where that language has one.
 */
static const char *
rsvp_w(const struct rsvp_page *p, const char *name)
{
	const char	*w, *e, *used = NULL, *eused = NULL;
	char		 key[64];

	if (p->t == NULL)
		return (name);
	/* Made for every word of every page: no format to read. */
	rsvp_key(key, sizeof key, "page.", name, "");
	if ((w = tmpl_word(p->t, p->lang, key, &used)) == NULL)
		return (name);
	if (p->easy) {
		rsvp_key(key, sizeof key, "page.", name, "_easyread");
		e = tmpl_word(p->t, p->lang, key, &eused);
		if (e != NULL && eused != NULL && used != NULL &&
		    strcmp(eused, used) == 0)
			return (e);
	}
	return (w);
}

/* An answer in the page's words ("Yes, I will come"). */
static const char *
rsvp_answer_word(const struct rsvp_page *p, const char *answer)
{
	const char	*w = NULL;
	char		 key[32];

	rsvp_key(key, sizeof key, "answer.", answer, "");
	if (p->t != NULL)
		w = tmpl_word(p->t, p->lang, key, NULL);
	return (w != NULL ? w : answer);
}

/* Words with {name} in them, the member's name put there. */
static void
rsvp_hello(struct evbuffer *b, const struct rsvp_page *p, const char *name)
{
	const char	*hello = rsvp_w(p, name), *at;
	char		*head;

	if ((at = strstr(hello, "{name}")) == NULL) {
		page_esc(b, hello);
		return;
	}
	head = xcalloc(1, at - hello + 1);
	memcpy(head, hello, at - hello);
	page_esc(b, head);
	free(head);
	page_esc(b, jstr(p->person, "name"));
	page_esc(b, at + strlen("{name}"));
}

/* The meeting in plain words: what, when, where or that it is online. */
static void
rsvp_meeting(struct evbuffer *b, const struct rsvp_page *p)
{
	const struct occurrence	*o = p->occ;
	const char		*online = "";
	char			*when, *brief;

	msg_when(p->t, p->lang, o->start_at, o->time_zone, &when, &brief);
	page_add(b, "<dl>\n<dt>");
	page_esc(b, rsvp_w(p, "rsvp_what"));
	page_add(b, "</dt>\n<dd>");
	page_esc(b, o->title);
	page_add(b, "</dd>\n<dt>");
	page_esc(b, rsvp_w(p, "rsvp_when"));
	page_add(b, "</dt>\n<dd>");
	page_esc(b, when);
	page_add(b, "</dd>\n");
	free(when);
	free(brief);
	if (p->venue != NULL && *jstr(p->venue, "online_link") != '\0')
		online = jstr(p->venue, "online_link");
	else if (p->series != NULL)
		online = jstr(p->series, "online_link");
	if (p->venue != NULL) {
		page_add(b, "<dt>");
		page_esc(b, rsvp_w(p, "rsvp_where"));
		page_add(b, "</dt>\n<dd>");
		page_esc(b, jstr(p->venue, "name"));
		page_add(b, "</dd>\n");
		if (*jstr(p->venue, "address") != '\0') {
			page_add(b, "<dd>");
			page_esc(b, jstr(p->venue, "address"));
			page_add(b, "</dd>\n");
		}
	}
	if (*online != '\0') {
		page_add(b, "<dt>");
		page_esc(b, rsvp_w(p, "rsvp_online"));
		page_add(b, "</dt>\n<dd>");
		page_esc(b, rsvp_w(p, p->venue != NULL ? "rsvp_online_too" :
		    "rsvp_online_text"));
		page_add(b, "</dd>\n");
	}
	page_add(b, "</dl>\n");
}

/* Whether a request is open: asked for, or arranged. */
static int
rsvp_open(json_t *r)
{
	return (strcmp(jstr(r, "state"), "requested") == 0 ||
	    strcmp(jstr(r, "state"), "arranged") == 0);
}

/*
 * The needs as the member has them now: what they asked for here, and
 * what they need at every meeting unless they took it back here.
 */
static void
rsvp_needs_now(const struct rsvp_page *p, json_t *standing, json_t *chosen,
    const char **other)
{
	json_t		*r, *n;
	const char	*code;
	size_t		 i, j;
	int		 seen;

	*other = "";
	json_array_foreach(p->mine, i, r) {
		if (!rsvp_open(r))
			continue;
		if (strcmp(jstr(r, "need"), "other") == 0)
			*other = jstr(r, "detail");
		else
			json_array_append_new(chosen, json_string(jstr(r,
			    "need")));
	}
	json_array_foreach(standing, i, n) {
		code = jstr(n, "need");
		seen = 0;
		json_array_foreach(p->mine, j, r) {
			/* Withdrawn by an answer no: asked again by a yes. */
			if (strcmp(jstr(r, "need"), code) == 0 &&
			    (rsvp_open(r) || strncmp(jstr(r, "last_actor"),
			    "answer by ", 10) != 0))
				seen = 1;
		}
		if (seen)
			continue;
		if (strcmp(code, "other") == 0)
			*other = jstr(n, "detail");
		else
			json_array_append_new(chosen, json_string(code));
	}
}

/* The fieldset of needs, with how far each request has got. */
static void
rsvp_needs(struct evbuffer *b, const struct rsvp_page *p, json_t *chosen,
    const char *other)
{
	struct page_needs	 n;
	json_t			*states = json_object(), *r;
	const char		*w;
	char			 key[32];
	size_t			 i;

	json_array_foreach(p->mine, i, r) {
		if (strcmp(jstr(r, "state"), "arranged") != 0 &&
		    strcmp(jstr(r, "state"), "unable") != 0)
			continue;
		snprintf(key, sizeof key, "status.%s", jstr(r, "state"));
		if (p->t != NULL && (w = tmpl_word(p->t, p->lang, key,
		    NULL)) != NULL)
			json_object_set_new(states, jstr(r, "need"),
			    json_string(w));
	}
	memset(&n, 0, sizeof n);
	n.legend = rsvp_w(p, "rsvp_needs");
	n.hint = rsvp_w(p, "rsvp_needs_hint");
	n.other = rsvp_w(p, "rsvp_needs_other");
	n.other_text = other;
	n.chosen = chosen;
	n.states = states;
	page_needs(b, p->conf, p->lang, &n);
	json_decref(states);
}

/*
 * The form, the given answer, note and needs chosen; an error, when not
 * NULL, named at the top (linked to error_field) and at the question it
 * is about.
 */
static void
rsvp_render(struct evbuffer *b, const struct rsvp_page *p,
    const char *answer, const char *note, json_t *chosen, const char *other,
    const char *error, const char *error_field)
{
	char	 id[32];
	size_t	 i;
	int	 on_answer = error != NULL &&
		    strcmp(error_field, "answer") == 0;
	int	 on_note = error != NULL && strcmp(error_field, "note") == 0;

	page_begin(b, p->lang, rsvp_w(p, error != NULL ?
	    "rsvp_title_problem" : "rsvp_title"));
	page_add(b, "<h1>");
	page_esc(b, rsvp_w(p, "rsvp_title"));
	page_add(b, "</h1>\n<p>");
	rsvp_hello(b, p, "rsvp_hello");
	page_add(b, "</p>\n");
	if (error != NULL) {
		page_add(b, "<div class=\"problems\" role=\"alert\" "
		    "aria-labelledby=\"problems-title\">\n<h2 id=\"problems-"
		    "title\">");
		page_esc(b, rsvp_w(p, "problem"));
		evbuffer_add_printf(b, "</h2>\n<ul>\n<li><a href=\"#%s\">",
		    error_field);
		page_esc(b, error);
		page_add(b, "</a></li>\n</ul>\n</div>\n");
	}
	rsvp_meeting(b, p);
	evbuffer_add_printf(b, "<form method=\"post\" action=\"\" "
	    "novalidate>\n<fieldset id=\"answer\"%s>\n<legend>", on_answer ?
	    " aria-describedby=\"answer-error\"" : "");
	page_esc(b, rsvp_w(p, "rsvp_question"));
	page_add(b, "</legend>\n");
	if (on_answer) {
		page_add(b, "<p class=\"error\" id=\"answer-error\">"
		    "<span>");
		page_esc(b, rsvp_w(p, "problem_label"));
		page_add(b, "</span> ");
		page_esc(b, error);
		page_add(b, "</p>\n");
	}
	for (i = 0; i < RSVP_NANSWERS; i++) {
		snprintf(id, sizeof id, "answer-%s", rsvp_answers[i]);
		evbuffer_add_printf(b, "<div class=\"choice\">\n<input "
		    "type=\"radio\" name=\"answer\" id=\"%s\" value=\"%s\"%s>\n"
		    "<label for=\"%s\">", id, rsvp_answers[i],
		    strcmp(answer, rsvp_answers[i]) == 0 ? " checked" : "", id);
		page_esc(b, rsvp_answer_word(p, rsvp_answers[i]));
		page_add(b, "</label>\n</div>\n");
	}
	page_add(b, "</fieldset>\n");
	rsvp_needs(b, p, chosen, other);
	page_add(b, "<div class=\"field\">\n"
	    "<label for=\"note\">");
	page_esc(b, rsvp_w(p, "rsvp_note"));
	page_add(b, "</label>\n<span class=\"hint\" "
	    "id=\"note-hint\">");
	page_esc(b, rsvp_w(p, "rsvp_note_hint"));
	page_add(b, "</span>\n");
	if (on_note) {
		page_add(b, "<p class=\"error\" id=\"note-error\">"
		    "<span>");
		page_esc(b, rsvp_w(p, "problem_label"));
		page_add(b, "</span> ");
		page_esc(b, error);
		page_add(b, "</p>\n");
	}
	evbuffer_add_printf(b, "<textarea id=\"note\" name=\"note\" "
	    "rows=\"4\" aria-describedby=\"note-hint%s\"%s>", on_note ?
	    " note-error" : "", on_note ? " aria-invalid=\"true\"" : "");
	page_esc(b, note);
	page_add(b, "</textarea>\n</div>\n<button "
	    "type=\"submit\">");
	page_esc(b, rsvp_w(p, "rsvp_send"));
	page_add(b, "</button>\n</form>\n");
	page_end(b);
}

/* The answer that counts, said back in full after it was saved. */
static void
rsvp_recorded(struct evbuffer *b, const struct rsvp_page *p,
    const char *answer, const char *note)
{
	const struct need_kind	*k;
	json_t			*r;
	size_t			 i;
	int			 n = 0;

	page_begin(b, p->lang, rsvp_w(p, "rsvp_saved"));
	page_add(b, "<div class=\"done\" role=\"status\">\n<h1>");
	page_esc(b, rsvp_w(p, "rsvp_saved"));
	page_add(b, "</h1>\n</div>\n");
	rsvp_meeting(b, p);
	page_add(b, "<dl>\n<dt>");
	page_esc(b, rsvp_w(p, "rsvp_saved_answer"));
	page_add(b, "</dt>\n<dd>");
	page_esc(b, rsvp_answer_word(p, answer));
	page_add(b, "</dd>\n");
	if (*note != '\0') {
		page_add(b, "<dt>");
		page_esc(b, rsvp_w(p, "rsvp_saved_note"));
		page_add(b, "</dt>\n<dd>");
		page_esc(b, note);
		page_add(b, "</dd>\n");
	}
	json_array_foreach(p->mine, i, r) {
		if (!rsvp_open(r) || strcmp(answer, "no") == 0)
			continue;
		if (n++ == 0) {
			page_add(b, "<dt>");
			page_esc(b, rsvp_w(p, "rsvp_saved_needs"));
			page_add(b, "</dt>\n");
		}
		page_add(b, "<dd>");
		if (strcmp(jstr(r, "need"), "other") == 0)
			page_esc(b, jstr(r, "detail"));
		else if ((k = config_need(p->conf, jstr(r, "need"))) != NULL)
			page_esc(b, config_need_label(k, p->lang));
		else
			page_esc(b, jstr(r, "need"));
		page_add(b, "</dd>\n");
	}
	page_add(b, "</dl>\n<p><a href=\"");
	page_esc(b, p->path);
	page_add(b, "\">");
	page_esc(b, rsvp_w(p, "rsvp_again"));
	page_add(b, "</a></p>\n");
	page_end(b);
}

/*
 * The person and meeting a link is for; 0 when it is not a good link:
 * malformed, changed, signed by another key or expired.
 */
static int
rsvp_link_parse(const unsigned char key[KEY_BYTES], const char *rest,
    long long *person, long long *occ)
{
	char		 subject[64], sig[KEY_SIG_LEN + 1], canon[128];
	long long	 expiry;
	int		 used = 0;

	if (strlen(rest) > 100 ||
	    sscanf(rest, "%lld.%lld.%lld.%23[A-Za-z0-9_-]%n", person, occ,
	    &expiry, sig, &used) != 4 || rest[used] != '\0' || *person <= 0 ||
	    *occ <= 0)
		return (0);
	/* Only the link as it was made: no sign, no leading zero. */
	snprintf(canon, sizeof canon, "%lld.%lld.%lld.%s", *person, *occ,
	    expiry, sig);
	if (strcmp(canon, rest) != 0)
		return (0);
	snprintf(subject, sizeof subject, "%lld.%lld", *person, *occ);
	if (key_verify(key, "rsvp", subject, expiry, sig, clock_now()) != 0)
		return (0);
	return (1);
}

/* The link to this page for a person and a meeting, until expiry. */
char *
rsvp_link(const char *base_url, const unsigned char key[KEY_BYTES],
    long long person, long long occurrence, time_t expiry)
{
	char	 subject[64], sig[KEY_SIG_LEN];

	snprintf(subject, sizeof subject, "%lld.%lld", person, occurrence);
	key_sign(key, "rsvp", subject, (long long)expiry, sig);
	return (xprintf("%s/rsvp/%s.%lld.%s", base_url, subject,
	    (long long)expiry, sig));
}

/* Whether s is well-formed UTF-8, as the store's JSON needs. */
static int
rsvp_utf8(const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;
	int			 n;

	while (*u != '\0') {
		if (*u < 0x80)
			n = 0;
		else if (*u >= 0xc2 && *u <= 0xdf)
			n = 1;
		else if (*u >= 0xe0 && *u <= 0xef)
			n = 2;
		else if (*u >= 0xf0 && *u <= 0xf4)
			n = 3;
		else
			return (0);
		for (u++; n > 0; n--, u++) {
			if ((*u & 0xc0) != 0x80)
				return (0);
		}
	}
	return (1);
}

/* A form's type: urlencoded, with or without parameters. */
static int
rsvp_form_type(struct evhttp_request *req)
{
	const char	*type = evhttp_find_header(
			    evhttp_request_get_input_headers(req),
			    "Content-Type");
	const char	*want = "application/x-www-form-urlencoded";
	size_t		 n = strlen(want);

	if (type == NULL || strncasecmp(type, want, n) != 0)
		return (0);
	type += n;
	while (*type == ' ' || *type == '\t')
		type++;
	return (*type == '\0' || *type == ';');
}

/* The venue of a meeting, from the venues there are. */
static json_t *
rsvp_venue(struct store *st, long long id)
{
	json_t	*all, *v, *found = NULL;
	size_t	 i;

	if (id <= 0 || (all = store_venue_list(st, NULL)) == NULL)
		return (NULL);
	json_array_foreach(all, i, v) {
		if (json_integer_value(json_object_get(v, "id")) == id) {
			found = json_incref(v);
			break;
		}
	}
	json_decref(all);
	return (found);
}

/* An answer waiting for its batch's commit, and where to send its member. */
struct rsvp_wait {
	struct convene_ctx	*ctx;
	struct http_held	*held;
	struct answer_link	 link;		/* read by the write */
	struct answer_in	 a;
	char			 answer[8];
	char			*note;
	char			*saved;		/* the page, ?saved=1 */
	int			 shown;		/* the needs were on the form */
	char			*codes[RSVP_NEEDS_MAX];
	size_t			 ncodes;
	char			*other;
};

/* What rsvp_write found: saved, or why nothing was written. */
#define RSVP_SAVED		0
#define RSVP_GONE		1	/* the person erased, or nobody */
#define RSVP_NO_MEETING		2
#define RSVP_CANCELLED		3

/*
 * In the batch's transaction, on its thread: the person and meeting of
 * the link as they are now, then the answer, and with a yes or maybe
 * what is ticked, as one.
 */
static int
rsvp_write(struct store *st, void *arg, char **cause)
{
	struct rsvp_wait	*w = arg;

	switch (store_answer_link(st, w->a.person_id, w->a.occurrence_id,
	    &w->link)) {
	case 1:
		break;
	case 0:
		return (RSVP_GONE);
	default:
		cause_set(cause, "database: cannot read the person and "
		    "meeting");
		return (-1);
	}
	if (*w->link.status == '\0')
		return (RSVP_NO_MEETING);
	if (strcmp(w->link.status, "cancelled") == 0)
		return (RSVP_CANCELLED);
	if (store_answer_add(st, &w->a, cause) == -1)
		return (-1);
	if (w->shown && strcmp(w->answer, "no") != 0)
		return (store_need_choose(st, w->a.person_id,
		    w->a.occurrence_id, (const char *const *)w->codes,
		    w->ncodes, w->other, w->a.at, cause) == -1 ? -1 : 0);
	return (RSVP_SAVED);
}

/*
 * The batch committed, or failed: say which, if anyone still asks.  A
 * saved answer sends the member to the page that says so (rsvp_route).
 */
static void
rsvp_saved(int rc, const char *cause, void *arg)
{
	struct rsvp_wait	*w = arg;
	struct rsvp_page	 p;
	struct evhttp_request	*req;
	struct evkeyvalq	*h;
	size_t			 i;

	if (rc == -1)
		log_warnx("answer of person %lld to meeting %lld: %s",
		    w->a.person_id, w->a.occurrence_id, cause);
	else if (rc == RSVP_SAVED)
		log_info("person %lld answered %s to meeting %lld by link",
		    w->a.person_id, w->a.answer, w->a.occurrence_id);
	if ((req = http_unhold(w->held)) == NULL)
		goto out;
	h = evhttp_request_get_output_headers(req);
	memset(&p, 0, sizeof p);
	p.t = w->ctx->tmpl;	/* a reload may have come between */
	p.lang = rsvp_page_lang(p.t, w->link.language);
	p.easy = strcmp(w->link.style, "easyread") == 0;
	switch (rc) {
	case RSVP_SAVED:
		evhttp_add_header(h, "Location", w->saved);
		http_reply(req, RSVP_ROUTE, 303, "text/plain; charset=utf-8",
		    NULL);
		break;
	case RSVP_GONE:
		p.lang = "en";
		p.easy = 0;
		page_message(req, RSVP_ROUTE, 404, "en", rsvp_w(&p, "gone"),
		    rsvp_w(&p, "gone_text"));
		break;
	case RSVP_NO_MEETING:
		page_message(req, RSVP_ROUTE, 404, p.lang,
		    rsvp_w(&p, "rsvp_gone"), rsvp_w(&p, "rsvp_gone_text"));
		break;
	case RSVP_CANCELLED:
		page_message(req, RSVP_ROUTE, 404, p.lang,
		    rsvp_w(&p, "rsvp_cancelled"),
		    rsvp_w(&p, "rsvp_cancelled_text"));
		break;
	default:
		if (cause != NULL && strncmp(cause, STORE_BUSY_CAUSE,
		    strlen(STORE_BUSY_CAUSE)) == 0)
			evhttp_add_header(h, "Retry-After", "1");
		page_message(req, RSVP_ROUTE, 503, p.lang,
		    rsvp_w(&p, "rsvp_not_saved"), rsvp_w(&p, "not_saved_text"));
		break;
	}
out:
	for (i = 0; i < w->ncodes; i++)
		free(w->codes[i]);
	free(w->other);
	free(w->note);
	free(w->saved);
	free(w);
}

/* What the whole page shows beyond the member and the meeting. */
static void
rsvp_page_more(struct convene_ctx *ctx, struct rsvp_page *p, long long person)
{
	p->series = store_series_get(ctx->store, p->occ->series_id, NULL);
	p->venue = rsvp_venue(ctx->store, p->occ->venue_id);
	p->mine = store_need_mine(ctx->store, person, p->occ->id, NULL);
}

/*
 * A form the member must put right: the whole page again, and why.  p
 * has only the language so far (rsvp_post).
 */
static void
rsvp_problem(struct evhttp_request *req, struct convene_ctx *ctx,
    struct rsvp_page *p, long long person, long long occ,
    const char *answer, const char *note, json_t *chosen, const char *other,
    const char *error, const char *error_field)
{
	struct evbuffer	*b;

	if ((p->person = store_person_get(ctx->store, person, NULL)) == NULL ||
	    (p->occ = store_occ_read(ctx->store, occ, NULL)) == NULL) {
		/* Gone since the form was read. */
		page_message(req, RSVP_ROUTE, 404, p->lang,
		    rsvp_w(p, "rsvp_gone"), rsvp_w(p, "rsvp_gone_text"));
		return;
	}
	rsvp_page_more(ctx, p, person);
	if ((b = evbuffer_new()) == NULL)
		fatal("evbuffer_new");
	rsvp_render(b, p, answer, note, chosen, other, error, error_field);
	page_send(req, RSVP_ROUTE, 422, b);
	evbuffer_free(b);
}

/* A posted form as read: what it says, or what is wrong with it. */
enum rsvp_form_fault {
	RSVP_FORM_OK,
	RSVP_FORM_TYPE,		/* not a form: 415 */
	RSVP_FORM_LONG,		/* 413 */
	RSVP_FORM_UNREADABLE,	/* 400 */
	RSVP_FORM_ANSWER,	/* no answer, or not one of the three */
	RSVP_FORM_NOTE,		/* too long, or not UTF-8 */
	RSVP_FORM_NEEDS		/* "other" too long, or not UTF-8 */
};
struct rsvp_form {
	struct evkeyvalq	 q;
	const char		*answer;
	const char		*note;
	const char		*other;
	const char		*codes[RSVP_NEEDS_MAX];
	size_t			 ncodes;
	int			 shown;
	json_t			*chosen;	/* the codes, to show again */
};

/* Read the form of req into f; free it with rsvp_form_free. */
static enum rsvp_form_fault
rsvp_form_read(struct evhttp_request *req, struct rsvp_form *f)
{
	struct evkeyval		*kv;
	struct evbuffer		*in = evhttp_request_get_input_buffer(req);
	char			*body;
	size_t			 len = evbuffer_get_length(in), i;
	int			 known = 0;

	memset(f, 0, sizeof *f);
	TAILQ_INIT(&f->q);
	if (!rsvp_form_type(req))
		return (RSVP_FORM_TYPE);
	if (len > RSVP_MAX_BODY)
		return (RSVP_FORM_LONG);
	body = xcalloc(1, len + 1);
	evbuffer_copyout(in, body, len);
	if (memchr(body, '\0', len) != NULL ||
	    evhttp_parse_query_str(body, &f->q) != 0) {
		free(body);
		return (RSVP_FORM_UNREADABLE);
	}
	free(body);
	f->answer = evhttp_find_header(&f->q, "answer");
	if ((f->note = evhttp_find_header(&f->q, "note")) == NULL)
		f->note = "";
	f->shown = evhttp_find_header(&f->q, "needs_shown") != NULL;
	if ((f->other = evhttp_find_header(&f->q, "need_other")) == NULL)
		f->other = "";
	TAILQ_FOREACH(kv, &f->q, next) {
		if (strcmp(kv->key, "need") != 0 ||
		    f->ncodes == RSVP_NEEDS_MAX)
			continue;
		f->codes[f->ncodes++] = kv->value;
	}
	for (i = 0; f->answer != NULL && i < RSVP_NANSWERS; i++)
		known |= strcmp(f->answer, rsvp_answers[i]) == 0;
	if (!known || strlen(f->note) > RSVP_NOTE_MAX ||
	    !rsvp_utf8(f->note) || !rsvp_utf8(f->other) ||
	    utf8_chars(f->other, strlen(f->other)) > RSVP_OTHER_MAX) {
		f->chosen = json_array();
		for (i = 0; i < f->ncodes; i++)
			json_array_append_new(f->chosen,
			    json_string(f->codes[i]));
	}
	if (!known)
		return (RSVP_FORM_ANSWER);
	if (strlen(f->note) > RSVP_NOTE_MAX || !rsvp_utf8(f->note))
		return (RSVP_FORM_NOTE);
	if (f->chosen != NULL)
		return (RSVP_FORM_NEEDS);
	return (RSVP_FORM_OK);
}

static void
rsvp_form_free(struct rsvp_form *f)
{
	json_decref(f->chosen);
	evhttp_clear_headers(&f->q);
}

/*
 * A form to put right, in the member's language when the link still
 * leads to them and to a meeting that is on.
 */
static void
rsvp_post_fault(struct evhttp_request *req, struct convene_ctx *ctx,
    struct rsvp_page *p, long long person, long long occ,
    struct rsvp_form *f, enum rsvp_form_fault fault)
{
	struct answer_link	 l;

	/* An erased person's links stop working with the rest. */
	if (store_answer_link(ctx->store, person, occ, &l) != 1) {
		page_message(req, RSVP_ROUTE, 404, "en",
		    rsvp_w(p, "gone"), rsvp_w(p, "gone_text"));
		return;
	}
	p->lang = rsvp_page_lang(p->t, l.language);
	p->easy = strcmp(l.style, "easyread") == 0;
	p->path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	if (*l.status == '\0') {
		page_message(req, RSVP_ROUTE, 404, p->lang,
		    rsvp_w(p, "rsvp_gone"), rsvp_w(p, "rsvp_gone_text"));
		return;
	}
	if (strcmp(l.status, "cancelled") == 0) {
		page_message(req, RSVP_ROUTE, 404, p->lang,
		    rsvp_w(p, "rsvp_cancelled"),
		    rsvp_w(p, "rsvp_cancelled_text"));
		return;
	}
	switch (fault) {
	case RSVP_FORM_TYPE:
		page_message(req, RSVP_ROUTE, 415, p->lang,
		    rsvp_w(p, "unreadable"), rsvp_w(p, "unreadable_text"));
		break;
	case RSVP_FORM_LONG:
		page_message(req, RSVP_ROUTE, 413, p->lang,
		    rsvp_w(p, "unreadable"), rsvp_w(p, "rsvp_too_long"));
		break;
	case RSVP_FORM_UNREADABLE:
		page_message(req, RSVP_ROUTE, 400, p->lang,
		    rsvp_w(p, "unreadable"), rsvp_w(p, "unreadable_text"));
		break;
	case RSVP_FORM_ANSWER:
		rsvp_problem(req, ctx, p, person, occ, "", f->note, f->chosen,
		    f->other, rsvp_w(p, "rsvp_error"), "answer");
		break;
	case RSVP_FORM_NOTE:
		rsvp_problem(req, ctx, p, person, occ, f->answer, "",
		    f->chosen, f->other, rsvp_w(p, "rsvp_error_note"), "note");
		break;
	default:
		rsvp_problem(req, ctx, p, person, occ, f->answer, f->note,
		    f->chosen, "", rsvp_w(p, "error_needs"), "need-other");
		break;
	}
	free(p->occ);
	json_decref(p->series);
	json_decref(p->venue);
	json_decref(p->mine);
	json_decref(p->person);
}

/*
 * A POST.  A good form joins the batch at once: the write reads the
 * person and meeting itself, in its transaction, and the reply waits
 * for the commit (rsvp_saved).  Only a form to put right is answered
 * here, with the page.  rest is the link.
 */
static void
rsvp_route_post(struct evhttp_request *req, struct convene_ctx *ctx,
    struct rsvp_page *p, long long person, long long occ, const char *rest)
{
	struct rsvp_form	 f;
	struct rsvp_wait	*w;
	enum rsvp_form_fault	 fault;
	size_t			 i;

	if ((fault = rsvp_form_read(req, &f)) != RSVP_FORM_OK) {
		rsvp_post_fault(req, ctx, p, person, occ, &f, fault);
		rsvp_form_free(&f);
		return;
	}
	w = xcalloc(1, sizeof *w);
	w->ctx = ctx;
	w->held = http_hold(req);
	w->saved = xprintf("%s?saved=1", rest);
	w->note = xstrdup(f.note);
	w->a.person_id = person;
	w->a.occurrence_id = occ;
	snprintf(w->answer, sizeof w->answer, "%s", f.answer);
	w->a.answer = w->answer;
	w->a.note = *f.note != '\0' ? w->note : NULL;
	w->a.channel = "link";
	w->a.at = clock_now();
	w->shown = f.shown;
	for (i = 0; i < f.ncodes; i++)
		w->codes[i] = xstrdup(f.codes[i]);
	w->ncodes = f.ncodes;
	w->other = xstrdup(f.other);
	rsvp_form_free(&f);
	store_batch_add(ctx->batch, rsvp_write, rsvp_saved, w);
}

/* Whether a GET is the one a saved answer was sent to: ?saved=1. */
static int
rsvp_saved_query(struct evhttp_request *req)
{
	const char	*q;

	q = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	return (q != NULL && strcmp(q, "saved=1") == 0);
}

static void
rsvp_route(struct evhttp_request *req, const char *route,
    const char *rest, void *arg)
{
	struct convene_ctx	*ctx = arg;
	struct rsvp_page	 p;
	struct evbuffer		*b;
	json_t			*standing, *chosen;
	const char		*other;
	long long		 person, occ;
	char			 answer[8], *note = NULL;
	int			 found;

	memset(&p, 0, sizeof p);
	p.t = ctx->tmpl;	/* as of this request */
	p.conf = ctx->conf;
	p.lang = "en";
	if (!rsvp_link_parse(ctx->signing_key, rest, &person, &occ)) {
		page_message(req, RSVP_ROUTE, 403, "en",
		    "This link does not work",
		    "The link may have expired, or it was not copied in full. "
		    "A link to answer works until the meeting ends. You can "
		    "also tell your group's coordinator if you can come.");
		return;
	}
	if (evhttp_request_get_command(req) == EVHTTP_REQ_POST) {
		rsvp_route_post(req, ctx, &p, person, occ, rest);
		return;
	}
	/* An erased person's links stop working with the rest. */
	if (store_person_erased(ctx->store, person) ||
	    (p.person = store_person_get(ctx->store, person, NULL)) == NULL) {
		page_message(req, RSVP_ROUTE, 404, "en",
		    rsvp_w(&p, "gone"), rsvp_w(&p, "gone_text"));
		return;
	}
	p.lang = rsvp_page_lang(p.t, jstr(p.person, "language"));
	p.easy = strcmp(jstr(p.person, "style"), "easyread") == 0;
	p.path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	if ((p.occ = store_occ_read(ctx->store, occ, NULL)) == NULL) {
		page_message(req, RSVP_ROUTE, 404, p.lang,
		    rsvp_w(&p, "rsvp_gone"), rsvp_w(&p, "rsvp_gone_text"));
		goto out;
	}
	if (strcmp(p.occ->status, "cancelled") == 0) {
		page_message(req, RSVP_ROUTE, 404, p.lang,
		    rsvp_w(&p, "rsvp_cancelled"),
		    rsvp_w(&p, "rsvp_cancelled_text"));
		goto out;
	}
	rsvp_page_more(ctx, &p, person);
	if ((b = evbuffer_new()) == NULL)
		fatal("evbuffer_new");
	/* The answer that counts now: said back, or chosen in the form. */
	if ((found = store_answer_latest(ctx->store, person, occ, answer,
	    &note, NULL)) != 1)
		answer[0] = '\0';
	if (found == 1 && rsvp_saved_query(req))
		rsvp_recorded(b, &p, answer, note != NULL ? note : "");
	else {
		standing = store_need_standing(ctx->store, person, NULL);
		chosen = json_array();
		rsvp_needs_now(&p, standing, chosen, &other);
		rsvp_render(b, &p, answer, note != NULL ? note : "", chosen,
		    other, NULL, NULL);
		json_decref(chosen);
		json_decref(standing);
	}
	page_send(req, RSVP_ROUTE, 200, b);
	evbuffer_free(b);
out:
	free(note);
	free(p.occ);
	json_decref(p.series);
	json_decref(p.venue);
	json_decref(p.mine);
	json_decref(p.person);
}

void
rsvp_routes(struct http *h, struct convene_ctx *ctx)
{
	http_route_add(h, "/rsvp/", RSVP_ROUTE, HTTP_GET | EVHTTP_REQ_POST,
	    HTTP_ROUTE_PREFIX, rsvp_route, ctx);
}
