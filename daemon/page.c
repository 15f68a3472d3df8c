/*
 * page.c: the frame every HTML page shares.  Pages are plain
 * server-rendered HTML that works without JavaScript: one stylesheet
 * served from memory, a strict Content-Security-Policy, no referrer (the
 * address of a page reached by a signed link is itself the secret), and
 * every value escaped on its way out.
 */
#include "config.h"

#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "convene.h"
#include "log.h"
#include "util.h"

/*
 * Large, calm and high in contrast: body text at 1.25rem, a visible
 * focus ring, controls at least 44 pixels, and nothing that depends on
 * colour alone.
 */
static const char page_css[] =
	"html{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,"
	"Arial,sans-serif;font-size:100%;line-height:1.6;color:#1a1a1a;"
	"background:#fff}\n"
	"body{margin:0 auto;padding:1rem 1.25rem 3rem;max-width:40rem;"
	"font-size:1.25rem}\n"
	"h1{font-size:2rem;line-height:1.25;margin:1rem 0}\n"
	"h2{font-size:1.5rem;margin:2rem 0 .5rem}\n"
	"a{color:#0b4f9c;text-decoration:underline}\n"
	"a:visited{color:#5a2a82}\n"
	":focus-visible{outline:3px solid #1a1a1a;outline-offset:3px;"
	"box-shadow:0 0 0 6px #ffdd00}\n"
	"fieldset{border:0;padding:0;margin:0 0 2rem}\n"
	"legend{font-size:1.5rem;font-weight:700;margin-bottom:.5rem;"
	"padding:0}\n"
	".choice{display:flex;align-items:flex-start;gap:.75rem;"
	"margin:.75rem 0}\n"
	".choice input{width:1.75rem;height:1.75rem;margin:.2rem 0 0;"
	"flex:none}\n"
	".hint{display:block;color:#3d3d3d;font-size:1.1rem}\n"
	"label{font-weight:400}\n"
	".field{margin:0 0 1.5rem}\n"
	".field label{display:block;font-weight:700;margin-bottom:.25rem}\n"
	"select,input[type=time],input[type=text]{font:inherit;"
	"font-size:1.25rem;min-height:2.75rem;padding:.25rem .5rem;"
	"border:2px solid #1a1a1a;border-radius:0;background:#fff;"
	"color:#1a1a1a}\n"
	"button{font:inherit;font-size:1.25rem;font-weight:700;"
	"min-height:2.75rem;padding:.5rem 1.5rem;border:2px solid #0b3d2e;"
	"background:#00703c;color:#fff;cursor:pointer}\n"
	"button:hover{background:#005a30}\n"
	".problems{border:4px solid #b10e1e;padding:1rem 1.25rem;"
	"margin:1rem 0 2rem}\n"
	".problems h2{margin-top:0}\n"
	".error{display:block;color:#b10e1e;font-weight:700}\n"
	".done{border:4px solid #00703c;padding:1rem 1.25rem;"
	"margin:1rem 0 2rem}\n"
	"dt{font-weight:700}\n"
	"dd{margin:0 0 1rem}\n"
	"table{border-collapse:collapse;width:100%;margin:0 0 1.5rem}\n"
	"th,td{text-align:start;vertical-align:top;padding:.5rem .5rem "
	".5rem 0;border-bottom:1px solid #3d3d3d}\n";

/* Markup as it is, without a format to read (evbuffer_add_printf). */
void
page_add(struct evbuffer *b, const char *s)
{
	evbuffer_add(b, s, strlen(s));
}

/* Text made safe inside HTML elements and quoted attributes. */
void
page_esc(struct evbuffer *b, const char *s)
{
	const char	*run;

	if (s == NULL)
		return;
	for (run = s; *s != '\0'; s++) {
		const char	*rep = html_entity((unsigned char)*s);

		if (rep == NULL)
			continue;
		evbuffer_add(b, run, s - run);
		evbuffer_add(b, rep, strlen(rep));
		run = s + 1;
	}
	evbuffer_add(b, run, s - run);
}

/* The page's head and the start of its main landmark. */
void
page_begin(struct evbuffer *b, const char *lang, const char *title)
{
	page_add(b, "<!DOCTYPE html>\n<html lang=\"");
	page_esc(b, lang);
	evbuffer_add_printf(b, "\" dir=\"%s\">\n<head>\n<meta "
	    "charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width="
	    "device-width, initial-scale=1\">\n<meta name=\"referrer\" "
	    "content=\"no-referrer\">\n<title>", msg_is_rtl(lang) ? "rtl" :
	    "ltr");
	page_esc(b, title);
	page_add(b, " - convene</title>\n"
	    "<link rel=\"stylesheet\" href=\"/style.css\">\n</head>\n"
	    "<body>\n<main id=\"main\">\n");
}

void
page_end(struct evbuffer *b)
{
	page_add(b, "</main>\n</body>\n</html>\n");
}

/* Send a page with the headers every page carries. */
void
page_send(struct evhttp_request *req, const char *route, int code,
    struct evbuffer *b)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Security-Policy", "default-src 'none'; "
	    "style-src 'self'; form-action 'self'; frame-ancestors 'none'; "
	    "base-uri 'none'");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	http_reply(req, route, code, "text/html; charset=utf-8", b);
}

/* A whole page that says one thing, for errors. */
void
page_message(struct evhttp_request *req, const char *route, int code,
    const char *lang, const char *title, const char *text)
{
	struct evbuffer	*b;

	if ((b = evbuffer_new()) == NULL)
		fatal("evbuffer_new");
	page_begin(b, lang, title);
	page_add(b, "<h1>");
	page_esc(b, title);
	page_add(b, "</h1>\n<p>");
	page_esc(b, text);
	page_add(b, "</p>\n");
	page_end(b);
	page_send(req, route, code, b);
	evbuffer_free(b);
}

/*
 * What a member needs to take part, as a fieldset: a checkbox for each
 * need of the catalogue, its label in lang (and after it, in words,
 * how far a request for it has got), ticked when chosen; then a field
 * for anything else, in their own words.  needs_shown says the form
 * had them, so that a form without them changes nothing.
 */
void
page_needs(struct evbuffer *b, const struct config *conf, const char *lang,
    const struct page_needs *n)
{
	const struct need_kind	*k;
	json_t			*v;
	size_t			 i, j;
	int			 on;

	page_add(b, "<fieldset id=\"needs\" aria-describedby="
	    "\"needs-hint\">\n<legend>");
	page_esc(b, n->legend);
	page_add(b, "</legend>\n<p class=\"hint\" "
	    "id=\"needs-hint\">");
	page_esc(b, n->hint);
	page_add(b, "</p>\n<input type=\"hidden\" "
	    "name=\"needs_shown\" value=\"1\">\n");
	for (i = 0; conf != NULL && i < conf->nneeds; i++) {
		k = &conf->needs[i];
		on = 0;
		json_array_foreach(n->chosen, j, v)
			on |= json_is_string(v) && strcmp(json_string_value(v),
			    k->code) == 0;
		page_add(b, "<div class=\"choice\">\n<input "
		    "type=\"checkbox\" name=\"need\" id=\"need-");
		page_esc(b, k->code);
		page_add(b, "\" value=\"");
		page_esc(b, k->code);
		evbuffer_add_printf(b, "\"%s>\n<label for=\"need-", on ?
		    " checked" : "");
		page_esc(b, k->code);
		page_add(b, "\">");
		page_esc(b, config_need_label(k, lang));
		if (n->states != NULL && (v = json_object_get(n->states,
		    k->code)) != NULL) {
			page_add(b, " <span class=\"hint\">");
			page_esc(b, json_string_value(v));
			page_add(b, "</span>");
		}
		page_add(b, "</label>\n</div>\n");
	}
	page_add(b, "<div class=\"field\">\n<label "
	    "for=\"need-other\">");
	page_esc(b, n->other);
	page_add(b, "</label>\n<input type=\"text\" "
	    "id=\"need-other\" name=\"need_other\" maxlength=\"500\" "
	    "value=\"");
	page_esc(b, n->other_text);
	page_add(b, "\">\n</div>\n</fieldset>\n");
}

static void
page_stylesheet(struct evhttp_request *req, const char *route,
    const char *rest, void *arg)
{
	struct evbuffer	*b;

	if ((b = evbuffer_new()) == NULL)
		fatal("evbuffer_new");
	evbuffer_add_reference(b, page_css, sizeof page_css - 1, NULL, NULL);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Cache-Control", "public, max-age=86400");
	http_reply(req, route, 200, "text/css; charset=utf-8", b);
	evbuffer_free(b);
}

void
page_routes(struct http *h)
{
	http_route_add(h, "/style.css", "style", HTTP_GET, 0,
	    page_stylesheet, NULL);
}
