/*
 * convenectl.c: the control tool.  It speaks to convened's HTTP API over
 * the control socket and never opens the database itself, so that every
 * change goes through the daemon's checks and lands in its audit log.
 * A command is one or two words, its arguments and options, and one
 * request; the answer is printed as a table, or as JSON with -j.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "convene.h"
#include "csv.h"
#include "mailin.h"
#include "util.h"

#define CTL_OPTS_MAX	16	/* options of one command */
#define CTL_ATTEND_MAX	1001	/* a meeting and its people */
#define CTL_TIME_LEN	64	/* "Thu 2026-03-12 18:00 GMT" and room */

struct ctl {
	const char	*socket;
	const char	*addr;		/* what connect() is given */
	int		 json;
	int		 away;		/* the status when convened is */
	int		 progress;	/* show the upload on stderr */
	int		 raw;		/* a good answer to stdout as it is */
	int		 shown;		/* width of the progress line */
	curl_off_t	 last;		/* bytes shown on it */
};

struct ctl_reply {
	char		*body;
	size_t		 len;
};

/* How an option of a command becomes a JSON field or query parameter. */
enum ctl_type {
	CT_TEXT,			/* a string */
	CT_INT,				/* a whole number */
	CT_FLAG,			/* true when given */
	CT_LIST				/* repeatable: an array of strings */
};

struct ctl_opt {
	const char	*name;		/* --name */
	const char	*arg;		/* for the usage; NULL for a flag */
	const char	*key;		/* the API's name for it */
	enum ctl_type	 type;
};

struct ctl_cmd {
	const char		*noun;
	const char		*verb;		/* NULL: the noun alone */
	const char		*args;		/* positional, for the usage */
	int			 min;		/* positional arguments */
	int			 max;
	const struct ctl_opt	*opts;
	int			(*fn)(struct ctl *, char **, json_t *);
};

#ifndef nitems
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* A table of text: the heading row and then the rows, cell by cell. */
struct ctl_table {
	size_t		  ncols;
	size_t		  ncells;
	char		**cells;
};

/*
 * One column of a listing: its heading, the field it shows and how
 * (NULL: the field as it is, "-" when there is none).
 */
struct ctl_col {
	const char	 *head;
	const char	 *key;
	char		*(*fmt)(json_t *, const char *);
};

static const struct ctl_cmd	*ctl_find(const char *, const char *);

/* One command's usage after the prefix, wrapped at 80 columns. */
static void
ctl_cmd_usage(FILE *f, const char *prefix, const struct ctl_cmd *c)
{
	const struct ctl_opt	*o;
	char			*word;
	int			 col;

	col = fprintf(f, "%s%s%s%s%s%s", prefix, c->noun, c->verb ? " " : "",
	    c->verb ? c->verb : "", *c->args ? " " : "", c->args);
	for (o = c->opts; o != NULL && o->name != NULL; o++) {
		word = o->arg ? xprintf("[--%s %s]%s", o->name, o->arg,
		    o->type == CT_LIST ? "..." : "") :
		    xprintf("[--%s]", o->name);
		if (col + 1 + (int)strlen(word) > 79) {
			fprintf(f, "\n       ");
			col = 7;
		}
		col += fprintf(f, " %s", word);
		free(word);
	}
	fputc('\n', f);
}

static void __attribute__((__noreturn__))
ctl_usage(const struct ctl_cmd *c, const char *fmt, ...)
    __attribute__((__format__(printf, 2, 3)));

/* A mistake on one command's line: say what, show its usage, exit 2. */
static void __attribute__((__noreturn__))
ctl_usage(const struct ctl_cmd *c, const char *fmt, ...)
{
	va_list	 ap;

	if (fmt != NULL) {
		fprintf(stderr, "convenectl: ");
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	ctl_cmd_usage(stderr, "usage: convenectl [-hj] [-f file | -s socket] ",
	    c);
	exit(2);
}

/* Tables ------------------------------------------------------------ */

/* Add one cell, filling the rows left to right; the table owns it. */
static void
table_add(struct ctl_table *t, char *cell)
{
	char	**p;

	if (t->ncells % t->ncols == 0) {
		p = reallocarray(t->cells, t->ncells + t->ncols,
		    sizeof *t->cells);
		if (p == NULL) {
			fprintf(stderr, "convenectl: out of memory\n");
			exit(1);
		}
		t->cells = p;
	}
	t->cells[t->ncells++] = cell;
}

/* Rows under the heading, to say "no ..." rather than a bare heading. */
static size_t
table_rows(const struct ctl_table *t)
{
	return (t->ncells / t->ncols - 1);
}

/* Columns as wide as the terminal shows them: UTF-8 characters. */
static size_t
ctl_width(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return (n);
}

/* Print and free: columns two spaces apart, no trailing spaces. */
static void
table_print(struct ctl_table *t)
{
	size_t	*w, i, c, n;

	w = xcalloc(t->ncols, sizeof *w);
	for (i = 0; i < t->ncells; i++) {
		n = ctl_width(t->cells[i]);
		if (n > w[i % t->ncols])
			w[i % t->ncols] = n;
	}
	for (i = 0; i < t->ncells; i++) {
		c = i % t->ncols;
		fputs(t->cells[i], stdout);
		if (c == t->ncols - 1)
			putchar('\n');
		else
			printf("%*s", (int)(w[c] - ctl_width(t->cells[i]) + 2),
			    "");
		free(t->cells[i]);
	}
	free(t->cells);
	free(w);
}

/* Print the table if it has rows, and free it. */
static void
table_done(struct ctl_table *t)
{
	size_t	i;

	if (table_rows(t) > 0) {
		table_print(t);
		return;
	}
	for (i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->cells);
}

/* JSON values as text ---------------------------------------------- */

/* Any field as a cell: "-" when absent, null or empty. */
static char *
ctl_val(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	if (json_is_string(v) && *json_string_value(v) != '\0')
		return (xstrdup(json_string_value(v)));
	if (json_is_integer(v))
		return (xprintf("%lld", (long long)json_integer_value(v)));
	if (json_is_true(v))
		return (xstrdup("yes"));
	if (json_is_false(v))
		return (xstrdup("no"));
	return (xstrdup("-"));
}

/*
 * What an "invite" did: one member to each series (per_series), or each
 * member to a series; sent now, and waiting for the planner.
 */
static void
ctl_invited(json_t *o, int per_series)
{
	long long	 sent = jint(o, "invited");
	long long	 waiting = jint(o, "invitations_waiting");

	if (per_series)
		printf("invited to %lld series\n", sent);
	else
		printf("invited %lld %s to its first meeting\n", sent,
		    sent == 1 ? "member" : "members");
	if (waiting > 0)
		printf("%lld more %s when the meeting comes within the "
		    "planning horizon\n", waiting, waiting == 1 ?
		    "invitation goes" : "invitations go");
	else if (sent == 0)
		printf("(nobody to invite: everyone is invited already, or "
		    "hears only by calendar feed)\n");
}

/* What the daemon made of a time the clocks skip or pass twice. */
static void
ctl_notes(json_t *o)
{
	json_t	*n;
	size_t	 i;

	json_array_foreach(json_object_get(o, "notes"), i, n)
		printf("note: %s\n", json_string_value(n));
}

/*
 * An instant as the wall clock of the zone reads it (the machine's own
 * when tz is NULL).  TZ is set only for the call, then put back.
 */
static char *
ctl_time(time_t t, const char *tz)
{
	struct tm	 tm;
	char		 buf[CTL_TIME_LEN], *old = NULL;
	const char	*env;

	if (tz != NULL) {
		if ((env = getenv("TZ")) != NULL)
			old = xstrdup(env);
		setenv("TZ", tz, 1);
		tzset();
	}
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof buf, "%a %Y-%m-%d %H:%M %Z", &tm) == 0)
		snprintf(buf, sizeof buf, "%lld", (long long)t);
	if (tz != NULL) {
		if (old != NULL)
			setenv("TZ", old, 1);
		else
			unsetenv("TZ");
		tzset();
		free(old);
	}
	return (xstrdup(buf));
}

/* "20260312T180000", as the API keeps local times, for people. */
static char *
ctl_local(const char *s)
{
	if (strlen(s) != 15 || s[8] != 'T')
		return (xstrdup(s));
	return (xprintf("%.4s-%.2s-%.2s %.2s:%.2s", s, s + 4, s + 6, s + 9,
	    s + 11));
}

/* Cells the listings share: see struct ctl_col. */

/* An instant in the machine's zone. */
static char *
ctl_col_time(json_t *o, const char *key)
{
	return (ctl_time((time_t)jint(o, key), NULL));
}

/* An instant in the row's own zone. */
static char *
ctl_col_zoned(json_t *o, const char *key)
{
	return (ctl_time((time_t)jint(o, key), jstr(o, "time_zone")));
}

/* An instant, or "never" when there is none. */
static char *
ctl_col_never(json_t *o, const char *key)
{
	if (!json_is_integer(json_object_get(o, key)))
		return (xstrdup("never"));
	return (ctl_col_time(o, key));
}

/* A local time as the API keeps it. */
static char *
ctl_col_local(json_t *o, const char *key)
{
	return (ctl_local(jstr(o, key)));
}

/* A local time with its zone. */
static char *
ctl_col_start(json_t *o, const char *key)
{
	char	*start, *s;

	start = ctl_local(jstr(o, key));
	s = xprintf("%s %s", start, jstr(o, "time_zone"));
	free(start);
	return (s);
}

/* A recurrence rule, "once" when there is none. */
static char *
ctl_col_rule(json_t *o, const char *key)
{
	return (*jstr(o, key) ? ctl_val(o, key) : xstrdup("once"));
}

/* Seconds as whole minutes. */
static char *
ctl_col_minutes(json_t *o, const char *key)
{
	return (xprintf("%lld", jint(o, key) / 60));
}

/*
 * Print the rows as a table under the columns' headings, nothing when
 * there are no rows: the caller says so in its own words.
 */
static void
ctl_table(const struct ctl_col *cols, size_t ncols, json_t *rows)
{
	struct ctl_table	 t;
	json_t			*row;
	size_t			 i, c;

	memset(&t, 0, sizeof t);
	t.ncols = ncols;
	for (c = 0; c < ncols; c++)
		table_add(&t, xstrdup(cols[c].head));
	json_array_foreach(rows, i, row)
		for (c = 0; c < ncols; c++)
			table_add(&t, cols[c].fmt != NULL ?
			    cols[c].fmt(row, cols[c].key) :
			    ctl_val(row, cols[c].key));
	table_done(&t);
}

/* Command-line text as a JSON string: it must be UTF-8. */
static json_t *
ctl_jstr(const char *s)
{
	json_t	*v;

	if ((v = json_string(s)) == NULL) {
		fprintf(stderr, "convenectl: '%s' is not UTF-8 text\n", s);
		exit(2);
	}
	return (v);
}

/* -j: the daemon's answer as it came, for scripts; frees it. */
static int
ctl_print_json(json_t *o)
{
	char	*s;

	s = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
	printf("%s\n", s ? s : "null");
	free(s);
	json_decref(o);
	return (0);
}

/* Requests ---------------------------------------------------------- */

/* libcurl's writer: the answer gathered into one string. */
static size_t
ctl_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct ctl_reply	*r = arg;
	size_t			 n = size * nmemb;
	char			*p;

	if ((p = realloc(r->body, r->len + n + 1)) == NULL)
		return (0);
	r->body = p;
	memcpy(r->body + r->len, ptr, n);
	r->len += n;
	r->body[r->len] = '\0';
	return (n);
}

/* The upload on one line of a terminal, rewritten as bytes go out. */
static int
ctl_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct ctl	*ctl = arg;
	int		 n;

	if (ultotal <= 0 || (ulnow == ctl->last && ctl->shown != 0))
		return (0);
	ctl->last = ulnow;
	if (ulnow < ultotal)
		n = fprintf(stderr, "\rconvenectl: sent %lld of %lld bytes "
		    "(%d%%)", (long long)ulnow, (long long)ultotal,
		    (int)(ulnow * 100 / ultotal));
	else
		n = fprintf(stderr, "\rconvenectl: sent %lld bytes, waiting "
		    "for convened", (long long)ulnow);
	if (n > 0 && n < ctl->shown)
		fprintf(stderr, "%*s", ctl->shown - n, "");
	if (n > ctl->shown)
		ctl->shown = n;
	return (0);
}

/* One path segment or query value, escaped for the URL. */
static char *
ctl_escape(const char *s)
{
	CURL	*curl;
	char	*e, *r;

	if ((curl = curl_easy_init()) == NULL ||
	    (e = curl_easy_escape(curl, s, 0)) == NULL) {
		fprintf(stderr, "convenectl: cannot start libcurl\n");
		exit(1);
	}
	r = xstrdup(e);
	curl_free(e);
	curl_easy_cleanup(curl);
	return (r);
}

/* path?key=value&..., from the options, each value escaped. */
static char *
ctl_query(const char *path, json_t *opts)
{
	const char	*key;
	json_t		*v;
	char		*acc = xstrdup(path), *val, *e, *t;
	int		 first = 1;

	json_object_foreach(opts, key, v) {
		if (json_is_integer(v))
			val = xprintf("%lld", (long long)json_integer_value(v));
		else if (json_is_string(v))
			val = xstrdup(json_string_value(v));
		else
			continue;
		e = ctl_escape(val);
		t = xprintf("%s%c%s=%s", acc, first ? '?' : '&', key, e);
		free(acc);
		free(val);
		free(e);
		acc = t;
		first = 0;
	}
	return (acc);
}

/*
 * One request to the daemon: method, path, and a body of the given type
 * when body is not NULL.  Returns the JSON answer and sets *code; the
 * caller decides what a code of 400 or more means.  Exits with a clear
 * message when the daemon is away or answers with something unreadable.
 */
static json_t *
ctl_request(struct ctl *ctl, const char *method, const char *path,
    const char *body, size_t len, const char *type, long *code)
{
	CURL			*curl;
	CURLcode		 rc;
	struct curl_slist	*hdrs = NULL;
	struct ctl_reply	 r;
	json_error_t		 jerr;
	json_t			*obj;
	char			*url, *hdr = NULL, errbuf[CURL_ERROR_SIZE] = "";

	memset(&r, 0, sizeof r);
	if ((curl = curl_easy_init()) == NULL) {
		fprintf(stderr, "convenectl: cannot start libcurl\n");
		exit(1);
	}
	url = xprintf("http://localhost%s", path);
	curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, ctl->addr);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, ctl_write);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	if (body != NULL) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)len);
		hdr = xprintf("Content-Type: %s", type);
		hdrs = curl_slist_append(hdrs, hdr);
		/* The whole body at once: no waiting for "100 Continue". */
		hdrs = curl_slist_append(hdrs, "Expect:");
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
	}
	if (ctl->progress) {
		ctl->shown = 0;
		ctl->last = 0;
		curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION,
		    ctl_progress);
		curl_easy_setopt(curl, CURLOPT_XFERINFODATA, ctl);
		curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	}
	rc = curl_easy_perform(curl);
	if (ctl->shown > 0)
		fprintf(stderr, "\r%*s\r", ctl->shown, "");
	free(url);
	free(hdr);
	curl_slist_free_all(hdrs);
	if (rc != CURLE_OK) {
		if (access(ctl->socket, F_OK) == -1)
			fprintf(stderr, "convenectl: convened is not running: "
			    "%s: %s\n", ctl->socket, strerror(errno));
		else
			fprintf(stderr, "convenectl: cannot reach convened at "
			    "%s: %s\n", ctl->socket, *errbuf ? errbuf :
			    curl_easy_strerror(rc));
		curl_easy_cleanup(curl);
		free(r.body);
		exit(ctl->away);
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, code);
	curl_easy_cleanup(curl);
	if (ctl->raw && *code < 400) {
		if (r.len > 0 && fwrite(r.body, 1, r.len, stdout) != r.len) {
			fprintf(stderr, "convenectl: cannot write: %s\n",
			    strerror(errno));
			exit(1);
		}
		free(r.body);
		return (json_object());
	}
	obj = json_loadb(r.body ? r.body : "", r.len, 0, &jerr);
	free(r.body);
	if (obj == NULL && *code == 413)
		/* libevent's own page, before convened sees the request. */
		obj = json_pack("{s:s}", "reason", "the request is larger "
		    "than the daemon's max_body_size");
	else if (obj == NULL && *code >= 400)
		obj = json_pack("{s:s}", "reason", "the daemon refused the "
		    "request without saying why");
	if (obj == NULL) {
		fprintf(stderr, "convenectl: convened answered %ld with "
		    "something that is not JSON: %s\n", *code, jerr.text);
		exit(ctl->away);
	}
	return (obj);
}

/* Print the reason of a refusal; returns 1, the exit status. */
static int
ctl_refused(json_t *o)
{
	const char	*why = json_string_value(json_object_get(o, "reason"));

	fprintf(stderr, "convenectl: %s\n", why ? why : "the daemon refused");
	json_decref(o);
	return (1);
}

/*
 * A request with a JSON body (or none) whose refusal is printed for the
 * caller, who then gets NULL and exits 1.  Takes the body.
 */
static json_t *
ctl_call(struct ctl *ctl, const char *method, const char *path,
    json_t *body)
{
	json_t	*o;
	char	*s = NULL;
	long	 code = 0;

	if (body != NULL && (s = json_dumps(body, JSON_COMPACT)) == NULL) {
		fprintf(stderr, "convenectl: cannot make the request\n");
		exit(1);
	}
	json_decref(body);
	o = ctl_request(ctl, method, path, s, s ? strlen(s) : 0,
	    "application/json", &code);
	free(s);
	if (code >= 400) {
		ctl_refused(o);
		return (NULL);
	}
	return (o);
}

/*
 * A listing: GET the path (with the options as its query when opts is
 * not NULL) and print the array under key as a table, or "no what".
 */
static int
ctl_list(struct ctl *ctl, const char *path, json_t *opts, const char *key,
    const struct ctl_col *cols, size_t ncols, const char *what)
{
	json_t	*o, *rows;
	char	*url;

	url = opts != NULL ? ctl_query(path, opts) : xstrdup(path);
	o = ctl_call(ctl, "GET", url, NULL);
	free(url);
	if (o == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	rows = json_object_get(o, key);
	if (json_array_size(rows) == 0)
		printf("no %s\n", what);
	ctl_table(cols, ncols, rows);
	json_decref(o);
	return (0);
}

/* The options and arguments, as the body of a request. */
static json_t *
ctl_body(json_t *opts)
{
	return (json_deep_copy(opts));
}

/* Commands ---------------------------------------------------------- */

/* status: how the daemon is, for an administrator at a glance. */
static int
ctl_status(struct ctl *ctl, char **av, json_t *opts)
{
	json_t	*o, *c;

	if ((o = ctl_call(ctl, "GET", "/api/v1/status", NULL)) == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	c = json_object_get(o, "counts");
	printf("convened %s, pid %lld, up %lld s\n", jstr(o, "version"),
	    jint(o, "pid"), jint(o, "uptime_seconds"));
	printf("configuration: %s\n", jstr(o, "configuration"));
	printf("database:      %s (schema version %lld)\n",
	    jstr(o, "database"), jint(o, "schema_version"));
	printf("listening:     %s\n", jstr(o, "listening"));
	printf("held:          %lld groups, %lld people, %lld memberships\n",
	    jint(c, "groups"), jint(c, "people"),
	    jint(c, "memberships"));
	json_decref(o);
	return (0);
}

/*
 * token create: the token alone on stdout for a script to keep, the
 * warning on stderr, as the daemon never shows it again.
 */
static int
ctl_token_create(struct ctl *ctl, char **av, json_t *opts)
{
	json_t	*o, *body = ctl_body(opts);

	json_object_set_new(body, "name", ctl_jstr(av[0]));
	if ((o = ctl_call(ctl, "POST", "/api/v1/tokens", body)) == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	printf("%s\n", jstr(o, "token"));
	fflush(stdout);
	fprintf(stderr, "convenectl: that is the token '%s'; keep it safe: "
	    "it is not shown again\n", jstr(o, "name"));
	json_decref(o);
	return (0);
}

/* The groups a token is limited to, or "all". */
static char *
ctl_col_groups(json_t *o, const char *key)
{
	json_t	*v;
	char	*s = NULL, *t;
	size_t	 i;

	json_array_foreach(json_object_get(o, key), i, v) {
		t = xprintf("%s%s%s", s ? s : "", s ? "," : "",
		    json_string_value(v));
		free(s);
		s = t;
	}
	return (s != NULL ? s : xstrdup("all"));
}

/*
 * token list: names, the groups each is for and when each was last
 * used, never a secret.
 */
static int
ctl_token_list(struct ctl *ctl, char **av, json_t *opts)
{
	static const struct ctl_col	 cols[] = {
		{ "TOKEN", "name", NULL },
		{ "GROUPS", "groups", ctl_col_groups },
		{ "CREATED", "created_at", ctl_col_time },
		{ "LAST USED", "last_used_at", ctl_col_never }
	};

	return (ctl_list(ctl, "/api/v1/tokens", NULL, "tokens",
	    cols, nitems(cols), "tokens"));
}

/* token revoke: the next request with it is refused. */
static int
ctl_token_revoke(struct ctl *ctl, char **av, json_t *opts)
{
	json_t	*o;
	char	*name, *path;

	name = ctl_escape(av[0]);
	path = xprintf("/api/v1/tokens/%s", name);
	o = ctl_call(ctl, "DELETE", path, NULL);
	free(path);
	free(name);
	if (o == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	printf("revoked token %s\n", jstr(o, "revoked"));
	json_decref(o);
	return (0);
}

/* group list: one line a group, with how many belong. */
static int
ctl_group_list(struct ctl *ctl, char **av, json_t *opts)
{
	static const struct ctl_col	 cols[] = {
		{ "GROUP", "slug", NULL },
		{ "NAME", "name", NULL },
		{ "TIME ZONE", "time_zone", NULL },
		{ "LEAD TIMES", "lead_times", NULL },
		{ "MEMBERS", "members", NULL }
	};

	return (ctl_list(ctl, "/api/v1/groups", NULL, "groups",
	    cols, nitems(cols), "groups"));
}

/* group add: the options are already the API's fields. */
static int
ctl_group_add(struct ctl *ctl, char **av, json_t *opts)
{
	json_t	*o, *body = ctl_body(opts);

	json_object_set_new(body, "slug", ctl_jstr(av[0]));
	json_object_set_new(body, "name", ctl_jstr(av[1]));
	if ((o = ctl_call(ctl, "POST", "/api/v1/groups", body)) == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	printf("added group %s: %s\n", jstr(o, "slug"), jstr(o, "name"));
	json_decref(o);
	return (0);
}

/* group show: the group, then who belongs and what it meets for. */
static int
ctl_group_show(struct ctl *ctl, char **av, json_t *opts)
{
	static const struct ctl_col	 mcols[] = {
		{ "PERSON", "id", NULL },
		{ "NAME", "name", NULL },
		{ "ROLE", "role", NULL },
		{ "CHANNELS", "channels", NULL }
	};
	static const struct ctl_col	 scols[] = {
		{ "SERIES", "id", NULL },
		{ "TITLE", "title", NULL },
		{ "START", "dtstart", ctl_col_local },
		{ "RULE", "rrule", ctl_col_rule }
	};
	json_t				*o, *v, *rows;
	char				*slug, *path, *s;
	long long			 rate;
	size_t				 i;

	slug = ctl_escape(av[0]);
	path = xprintf("/api/v1/groups/%s", slug);
	o = ctl_call(ctl, "GET", path, NULL);
	free(path);
	free(slug);
	if (o == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	rate = jint(o, "payment_rate_pence");
	printf("group:        %s\n", jstr(o, "slug"));
	printf("name:         %s\n", jstr(o, "name"));
	printf("time zone:    %s\n", jstr(o, "time_zone"));
	printf("lead times:   %s\n", jstr(o, "lead_times"));
	printf("contact:      %s\n", *jstr(o, "contact") ?
	    jstr(o, "contact") : "-");
	printf("payment rate: \xc2\xa3%lld.%02lld\n", rate / 100, rate % 100);
	printf("public feed:  %s\n", json_is_true(json_object_get(o,
	    "feed_public")) ? "yes" : "no");
	s = ctl_time((time_t)jint(o, "created_at"), NULL);
	printf("created:      %s\n", s);
	free(s);

	rows = json_object_get(o, "members");
	printf("\nmembers: %zu\n", json_array_size(rows));
	ctl_table(mcols, nitems(mcols), rows);
	json_array_foreach(json_object_get(o, "members"), i, v) {
		if (*jstr(v, "email_bounce") != '\0')
			printf("email to %s (person %lld) at %s bounced: %s; "
			    "it is not used until the address is changed\n",
			    jstr(v, "name"), jint(v, "id"), jstr(v, "email"),
			    jstr(v, "email_bounce"));
		if (*jstr(v, "problem") == '\0')
			continue;
		printf("cannot reach %s (person %lld): %s\n",
		    jstr(v, "name"), jint(v, "id"),
		    jstr(v, "problem"));
	}

	rows = json_object_get(o, "series");
	printf("\nseries: %zu\n", json_array_size(rows));
	ctl_table(scols, nitems(scols), rows);
	json_decref(o);
	return (0);
}

/* group remove: its memberships and series go with it. */
static int
ctl_group_remove(struct ctl *ctl, char **av, json_t *opts)
{
	json_t	*o;
	char	*slug, *path;

	slug = ctl_escape(av[0]);
	path = xprintf("/api/v1/groups/%s", slug);
	o = ctl_call(ctl, "DELETE", path, NULL);
	free(path);
	free(slug);
	if (o == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	printf("removed group %s\n", av[0]);
	json_decref(o);
	return (0);
}

/* A number on the command line that names a person, series, ... */
static long long
ctl_id(const struct ctl_cmd *c, const char *what, const char *s)
{
	char		*ep;
	long long	 v;

	errno = 0;
	v = strtoll(s, &ep, 10);
	if (*s < '0' || *s > '9' || *ep != '\0' || errno != 0 || v < 1)
		ctl_usage(c, "%s: '%s' is not a number such as 12", what, s);
	return (v);
}

/* person list: how each person hears, at a glance. */
static int
ctl_person_list(struct ctl *ctl, char **av, json_t *opts)
{
	static const struct ctl_col	 cols[] = {
		{ "ID", "id", NULL },
		{ "NAME", "name", NULL },
		{ "EMAIL", "email", NULL },
		{ "PHONE", "phone", NULL },
		{ "LANGUAGE", "language", NULL },
		{ "STYLE", "style", NULL },
		{ "CHANNELS", "channels", NULL }
	};

	return (ctl_list(ctl, "/api/v1/people", NULL, "people",
	    cols, nitems(cols), "people"));
}

/* person add: says the number that names the person elsewhere. */
static int
ctl_person_add(struct ctl *ctl, char **av, json_t *opts)
{
	json_t	*o, *body = ctl_body(opts);

	json_object_set_new(body, "name", ctl_jstr(av[0]));
	if ((o = ctl_call(ctl, "POST", "/api/v1/people", body)) == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	printf("added person %lld: %s\n", jint(o, "id"),
	    jstr(o, "name"));
	json_decref(o);
	return (0);
}

/* person show: every preference, in words rather than minutes. */
static int
ctl_person_show(struct ctl *ctl, char **av, json_t *opts)
{
	json_t		*o, *qs, *qe;
	char		*path, *s;
	long long	 id;

	id = ctl_id(ctl_find("person", "show"), "ID", av[0]);
	path = xprintf("/api/v1/people/%lld", id);
	o = ctl_call(ctl, "GET", path, NULL);
	free(path);
	if (o == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	printf("person:      %lld\n", jint(o, "id"));
	printf("name:        %s\n", jstr(o, "name"));
#define LINE(label, key) do {						\
	s = ctl_val(o, key);						\
	printf("%-13s%s\n", label, s);					\
	free(s);							\
} while (0)
	LINE("email:", "email");
	LINE("phone:", "phone");
	LINE("language:", "language");
	LINE("style:", "style");
	LINE("channels:", "channels");
#undef LINE
	printf("lead times:  %s\n", *jstr(o, "lead_times") ?
	    jstr(o, "lead_times") : "the group's");
	qs = json_object_get(o, "quiet_start");
	qe = json_object_get(o, "quiet_end");
	if (json_is_string(qs) && json_is_string(qe))
		printf("quiet hours: %s-%s\n", json_string_value(qs),
		    json_string_value(qe));
	else
		printf("quiet hours: none\n");
	if (*jstr(o, "email_bounce") != '\0') {
		s = ctl_time((time_t)jint(o, "email_bounced_at"), NULL);
		printf("bounced:     %s: %s; email is not used until the "
		    "address is changed\n", s, jstr(o, "email_bounce"));
		free(s);
	}
	s = ctl_time((time_t)jint(o, "created_at"), NULL);
	printf("created:     %s\n", s);
	free(s);
	json_decref(o);
	return (0);
}

/* person change: PATCH, so fields not given are kept. */
static int
ctl_person_change(struct ctl *ctl, char **av, json_t *opts)
{
	const struct ctl_cmd	*c = ctl_find("person", "change");
	json_t			*o;
	char			*path;
	long long		 id;

	id = ctl_id(c, "ID", av[0]);
	if (json_object_size(opts) == 0)
		ctl_usage(c, "person change: give at least one option to "
		    "change");
	path = xprintf("/api/v1/people/%lld", id);
	o = ctl_call(ctl, "PATCH", path, ctl_body(opts));
	free(path);
	if (o == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	printf("changed person %lld: %s\n", jint(o, "id"),
	    jstr(o, "name"));
	json_decref(o);
	return (0);
}

/* person remove: their memberships and messages go with them. */
static int
ctl_person_remove(struct ctl *ctl, char **av, json_t *opts)
{
	json_t		*o;
	char		*path;
	long long	 id;

	id = ctl_id(ctl_find("person", "remove"), "ID", av[0]);
	path = xprintf("/api/v1/people/%lld", id);
	o = ctl_call(ctl, "DELETE", path, NULL);
	free(path);
	if (o == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	printf("removed person %lld\n", id);
	json_decref(o);
	return (0);
}

/* person export: everything held about someone, as JSON, for them. */
static int
ctl_person_export(struct ctl *ctl, char **av, json_t *opts)
{
	json_t		*o;
	char		*path;
	long long	 id;

	(void)opts;
	id = ctl_id(ctl_find("person", "export"), "ID", av[0]);
	path = xprintf("/api/v1/people/%lld/export", id);
	o = ctl_call(ctl, "GET", path, NULL);
	free(path);
	if (o == NULL)
		return (1);
	return (ctl_print_json(o));
}

/*
 * person erase: what is held about someone gone for good, their row
 * kept as "erased" so that what was counted still counts.
 */
static int
ctl_person_erase(struct ctl *ctl, char **av, json_t *opts)
{
	json_t		*o;
	char		*path;
	long long	 id;

	(void)opts;
	id = ctl_id(ctl_find("person", "erase"), "ID", av[0]);
	path = xprintf("/api/v1/people/%lld/data", id);
	o = ctl_call(ctl, "DELETE", path, NULL);
	free(path);
	if (o == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	printf("erased person %lld\n", id);
	json_decref(o);
	return (0);
}

/* person test: proves a channel reaches someone before a meeting does. */
static int
ctl_person_test(struct ctl *ctl, char **av, json_t *opts)
{
	json_t		*o;
	char		*path;
	long long	 id;

	id = ctl_id(ctl_find("person", "test"), "ID", av[0]);
	path = xprintf("/api/v1/people/%lld/test", id);
	o = ctl_call(ctl, "POST", path, json_object());
	free(path);
	if (o == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	printf("queued a test %s for person %lld\n", jstr(o, "queued"),
	    id);
	json_decref(o);
	return (0);
}

/* person link: the address a coordinator can pass on by hand. */
static int
ctl_person_link(struct ctl *ctl, char **av, json_t *opts)
{
	json_t		*o;
	char		*path;
	long long	 id;

	(void)opts;
	id = ctl_id(ctl_find("person", "link"), "ID", av[0]);
	path = xprintf("/api/v1/people/%lld/preferences", id);
	o = ctl_call(ctl, "GET", path, NULL);
	free(path);
	if (o == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	printf("%s\n", jstr(o, "url"));
	json_decref(o);
	return (0);
}

/* member add: also changes the role of someone who belongs already. */
static int
ctl_member_add(struct ctl *ctl, char **av, json_t *opts)
{
	json_t		*o, *body = ctl_body(opts);
	char		*slug, *path;
	long long	 id;

	id = ctl_id(ctl_find("member", "add"), "PERSON", av[1]);
	json_object_set_new(body, "person", json_integer(id));
	slug = ctl_escape(av[0]);
	path = xprintf("/api/v1/groups/%s/members", slug);
	o = ctl_call(ctl, "POST", path, body);
	free(path);
	free(slug);
	if (o == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	printf("added person %lld to %s as %s\n", id, av[0],
	    jstr(o, "role"));
	if (json_object_get(opts, "invite") != NULL)
		ctl_invited(o, 1);
	json_decref(o);
	return (0);
}

/* member remove: the person stays, only the membership goes. */
static int
ctl_member_remove(struct ctl *ctl, char **av, json_t *opts)
{
	json_t		*o;
	char		*slug, *path;
	long long	 id;

	id = ctl_id(ctl_find("member", "remove"), "PERSON", av[1]);
	slug = ctl_escape(av[0]);
	path = xprintf("/api/v1/groups/%s/members/%lld", slug, id);
	o = ctl_call(ctl, "DELETE", path, NULL);
	free(path);
	free(slug);
	if (o == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	printf("removed person %lld from %s\n", id, av[0]);
	json_decref(o);
	return (0);
}

/* What a venue offers, as a list people can read. */
static char *
ctl_access(json_t *v, const char *key)
{
	static const char *const keys[] = { "step_free", "hearing_loop",
		"accessible_toilet", "quiet_room", NULL };
	static const char *const words[] = { "step-free", "hearing loop",
		"accessible toilet", "quiet room", NULL };
	char	*acc = xstrdup(""), *t;
	size_t	 i;

	for (i = 0; keys[i] != NULL; i++) {
		if (jint(v, keys[i]) == 0 &&
		    !json_is_true(json_object_get(v, keys[i])))
			continue;
		t = xprintf("%s%s%s", acc, *acc ? ", " : "", words[i]);
		free(acc);
		acc = t;
	}
	if (*acc == '\0') {
		free(acc);
		acc = xstrdup("-");
	}
	return (acc);
}

/* venue list: what each venue offers, for choosing one. */
static int
ctl_venue_list(struct ctl *ctl, char **av, json_t *opts)
{
	static const struct ctl_col	 cols[] = {
		{ "ID", "id", NULL },
		{ "NAME", "name", NULL },
		{ "ACCESS", NULL, ctl_access },
		{ "ADDRESS", "address", NULL },
		{ "ONLINE", "online_link", NULL }
	};

	return (ctl_list(ctl, "/api/v1/venues", NULL, "venues",
	    cols, nitems(cols), "venues"));
}

/* venue add: the access flags are the API's booleans. */
static int
ctl_venue_add(struct ctl *ctl, char **av, json_t *opts)
{
	json_t	*o, *body = ctl_body(opts);

	json_object_set_new(body, "name", ctl_jstr(av[0]));
	if ((o = ctl_call(ctl, "POST", "/api/v1/venues", body)) == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	printf("added venue %lld: %s\n", jint(o, "id"), jstr(o, "name"));
	json_decref(o);
	return (0);
}

/* series list: the start as the group's clock reads it, and its zone. */
static int
ctl_series_list(struct ctl *ctl, char **av, json_t *opts)
{
	static const struct ctl_col	 cols[] = {
		{ "ID", "id", NULL },
		{ "GROUP", "group_slug", NULL },
		{ "TITLE", "title", NULL },
		{ "START", "dtstart", ctl_col_start },
		{ "RULE", "rrule", ctl_col_rule },
		{ "MINUTES", "duration", ctl_col_minutes },
		{ "VENUE", "venue_id", NULL }
	};

	return (ctl_list(ctl, "/api/v1/series", opts, "series",
	    cols, nitems(cols), "series"));
}

/* series add: the daemon plans the meetings and reminders at once. */
static int
ctl_series_add(struct ctl *ctl, char **av, json_t *opts)
{
	json_t	*o, *body = ctl_body(opts);

	json_object_set_new(body, "group", ctl_jstr(av[0]));
	json_object_set_new(body, "title", ctl_jstr(av[1]));
	json_object_set_new(body, "start", ctl_jstr(av[2]));
	if ((o = ctl_call(ctl, "POST", "/api/v1/series", body)) == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	printf("added series %lld: %s\n", jint(o, "id"),
	    jstr(o, "title"));
	ctl_notes(o);
	if (json_object_get(opts, "invite") != NULL)
		ctl_invited(o, 0);
	json_decref(o);
	return (0);
}

/* series change: the whole series, or from one meeting on. */
static int
ctl_series_change(struct ctl *ctl, char **av, json_t *opts)
{
	json_t		*o;
	char		*path;
	long long	 id;

	id = ctl_id(ctl_find("series", "change"), "ID", av[0]);
	path = xprintf("/api/v1/series/%lld", id);
	o = ctl_call(ctl, "PATCH", path, ctl_body(opts));
	free(path);
	if (o == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	printf("changed series %lld; members are told once what changed\n",
	    id);
	ctl_notes(o);
	json_decref(o);
	return (0);
}

/* series remove: its meetings go with it. */
static int
ctl_series_remove(struct ctl *ctl, char **av, json_t *opts)
{
	json_t		*o;
	char		*path;
	long long	 id;

	id = ctl_id(ctl_find("series", "remove"), "ID", av[0]);
	path = xprintf("/api/v1/series/%lld", id);
	o = ctl_call(ctl, "DELETE", path, NULL);
	free(path);
	if (o == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	printf("removed series %lld\n", id);
	json_decref(o);
	return (0);
}

/* What happened to a meeting, beyond its status. */
static char *
ctl_occ_note(json_t *o, const char *key)
{
	json_t	*from = json_object_get(o, "moved_from");
	char	*when, *note;

	if (!json_is_integer(from))
		return (ctl_val(o, "reason"));
	when = ctl_time((time_t)json_integer_value(from),
	    jstr(o, "time_zone"));
	note = xprintf("from %s%s%s", when, *jstr(o, "reason") ? ": " :
	    "", jstr(o, "reason"));
	free(when);
	return (note);
}

/* occurrence list: each meeting in its group's local time. */
static int
ctl_occ_list(struct ctl *ctl, char **av, json_t *opts)
{
	static const struct ctl_col	 cols[] = {
		{ "ID", "id", NULL },
		{ "GROUP", "group_slug", NULL },
		{ "START", "start_at", ctl_col_zoned },
		{ "STATUS", "status", NULL },
		{ "TITLE", "title", NULL },
		{ "NOTE", "reason", ctl_occ_note }
	};

	return (ctl_list(ctl, "/api/v1/occurrences", opts, "occurrences",
	    cols, nitems(cols), "meetings"));
}

/* Who comes with a member who said yes, by name; "-" for nobody. */
static char *
ctl_col_with(json_t *o, const char *key)
{
	json_t	*s;
	char	*acc = NULL, *t;
	size_t	 i;

	json_array_foreach(json_object_get(o, key), i, s) {
		t = xprintf("%s%s%s", acc != NULL ? acc : "", acc != NULL ?
		    ", " : "", jstr(s, "name"));
		free(acc);
		acc = t;
	}
	return (acc != NULL ? acc : xstrdup("-"));
}

/*
 * occurrence answers: who said they can come, each person's latest
 * answer (with who comes with them), or with --history every answer in
 * the order it came.
 */
static int
ctl_occ_answers(struct ctl *ctl, char **av, json_t *opts)
{
	static const struct ctl_col	 cols[] = {
		{ "PERSON", "person", NULL },
		{ "NAME", "name", NULL },
		{ "ANSWER", "answer", NULL },
		{ "BY", "channel", NULL },
		{ "AT", "at", ctl_col_time },
		{ "NOTE", "note", NULL },
		{ "WITH", "supporters", ctl_col_with }
	};
	const char	*key = json_is_true(json_object_get(opts, "history")) ?
			    "history" : "latest";
	char		*path;
	int		 rc;

	path = xprintf("/api/v1/occurrences/%lld/answers",
	    ctl_id(ctl_find("occurrence", "answers"), "ID", av[0]));
	rc = ctl_list(ctl, path, NULL, key, cols, nitems(cols), "answers");
	free(path);
	return (rc);
}

/* What a request says: the reason when unable, else the member's words. */
static char *
ctl_request_note(json_t *o, const char *key)
{
	(void)key;
	if (strcmp(jstr(o, "state"), "unable") == 0)
		return (ctl_val(o, "reason"));
	return (ctl_val(o, "detail"));
}

/*
 * occurrence requests: what each member needs to take part, soonest
 * deadline first, filtered by --state and --need.
 */
static int
ctl_occ_requests(struct ctl *ctl, char **av, json_t *opts)
{
	static const struct ctl_col	 cols[] = {
		{ "REQUEST", "id", NULL },
		{ "PERSON", "person", NULL },
		{ "NAME", "name", NULL },
		{ "NEED", "label", NULL },
		{ "STATE", "state", NULL },
		{ "DEADLINE", "deadline_at", ctl_col_time },
		{ "NOTE", "note", ctl_request_note }
	};
	char	*path;
	int	 rc;

	path = xprintf("/api/v1/occurrences/%lld/requests",
	    ctl_id(ctl_find("occurrence", "requests"), "ID", av[0]));
	rc = ctl_list(ctl, path, opts, "requests", cols, nitems(cols),
	    "requests");
	free(path);
	return (rc);
}

/* request set: a request moved on; the member hears of arranged/unable. */
static int
ctl_request_set(struct ctl *ctl, char **av, json_t *opts)
{
	json_t		*body = ctl_body(opts), *o;
	char		*path;
	long long	 id;

	id = ctl_id(ctl_find("request", "set"), "ID", av[0]);
	json_object_set_new(body, "state", ctl_jstr(av[1]));
	path = xprintf("/api/v1/requests/%lld", id);
	o = ctl_call(ctl, "POST", path, body);
	free(path);
	if (o == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	printf("request %lld, %s for %s: %s\n", id, jstr(o, "label"),
	    jstr(o, "name"), jstr(o, "state"));
	if (strcmp(jstr(o, "state"), "arranged") == 0 ||
	    strcmp(jstr(o, "state"), "unable") == 0)
		printf("%s is told in their own channel and language\n",
		    jstr(o, "name"));
	json_decref(o);
	return (0);
}

/*
 * person needs: a member's standing needs, carried to every meeting
 * they say they will come to; --set replaces them ("" for none), the
 * words of "other" in --detail.
 */
static int
ctl_person_needs(struct ctl *ctl, char **av, json_t *opts)
{
	static const struct ctl_col	 cols[] = {
		{ "NEED", "need", NULL },
		{ "LABEL", "label", NULL },
		{ "DETAIL", "detail", NULL },
		{ "SET BY", "set_by", NULL },
		{ "AT", "at", ctl_col_time }
	};
	json_t		*set = json_object_get(opts, "set"), *list, *o;
	const char	*detail = json_string_value(json_object_get(opts,
			    "detail"));
	char		*path, *copy, *tok, *save;
	long long	 id;

	id = ctl_id(ctl_find("person", "needs"), "ID", av[0]);
	path = xprintf("/api/v1/people/%lld/needs", id);
	if (set == NULL) {
		o = ctl_call(ctl, "GET", path, NULL);
		free(path);
	} else {
		list = json_array();
		copy = xstrdup(json_string_value(set));
		for (tok = strtok_r(copy, ", ", &save); tok != NULL;
		    tok = strtok_r(NULL, ", ", &save)) {
			if (strcmp(tok, "other") == 0)
				json_array_append_new(list, json_pack(
				    "{s:s, s:o}", "need", tok, "detail",
				    ctl_jstr(detail != NULL ? detail : "")));
			else
				json_array_append_new(list, ctl_jstr(tok));
		}
		free(copy);
		o = ctl_call(ctl, "PUT", path, json_pack("{s:o}", "needs",
		    list));
		free(path);
	}
	if (o == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	if (json_array_size(json_object_get(o, "needs")) == 0)
		printf("no standing needs\n");
	ctl_table(cols, nitems(cols), json_object_get(o, "needs"));
	json_decref(o);
	return (0);
}

/* 1 as "yes", else "no". */
static char *
ctl_col_yes(json_t *o, const char *key)
{
	return (xstrdup(jint(o, key) != 0 ? "yes" : "no"));
}

/* A member's supporters as a table, or that there are none. */
static int
ctl_supporters_print(struct ctl *ctl, json_t *o)
{
	static const struct ctl_col	 cols[] = {
		{ "ID", "supporter", NULL },
		{ "NAME", "name", NULL },
		{ "ROLE", "role", NULL },
		{ "COPIES", "copy_reminders", ctl_col_yes },
		{ "CONSENT BY", "consent_by", NULL },
		{ "AT", "consent_at", ctl_col_time }
	};

	if (o == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	if (json_array_size(json_object_get(o, "supporters")) == 0)
		printf("no supporters\n");
	ctl_table(cols, nitems(cols), json_object_get(o, "supporters"));
	json_decref(o);
	return (0);
}

/* person supporters: who comes with a member, linked with consent. */
static int
ctl_person_supporters(struct ctl *ctl, char **av, json_t *opts)
{
	json_t		*o;
	char		*path;
	long long	 id;

	(void)opts;
	id = ctl_id(ctl_find("person", "supporters"), "ID", av[0]);
	path = xprintf("/api/v1/people/%lld/supporters", id);
	o = ctl_call(ctl, "GET", path, NULL);
	free(path);
	return (ctl_supporters_print(ctl, o));
}

/*
 * person supporter-add: link a supporter with the member's consent
 * (--consent-by says who gave it); linking again changes the role and
 * whether they get copies of the member's reminders.
 */
static int
ctl_person_supporter_add(struct ctl *ctl, char **av, json_t *opts)
{
	const struct ctl_cmd	*c = ctl_find("person", "supporter-add");
	json_t			*o, *body = ctl_body(opts);
	char			*path;
	long long		 id, sup;

	id = ctl_id(c, "ID", av[0]);
	sup = ctl_id(c, "SUPPORTER", av[1]);
	json_object_set_new(body, "supporter", json_integer(sup));
	path = xprintf("/api/v1/people/%lld/supporters", id);
	o = ctl_call(ctl, "POST", path, body);
	free(path);
	return (ctl_supporters_print(ctl, o));
}

/* person supporter-remove: unlinked, their copies stop. */
static int
ctl_person_supporter_remove(struct ctl *ctl, char **av, json_t *opts)
{
	const struct ctl_cmd	*c = ctl_find("person", "supporter-remove");
	json_t			*o;
	char			*path;
	long long		 id, sup;

	(void)opts;
	id = ctl_id(c, "ID", av[0]);
	sup = ctl_id(c, "SUPPORTER", av[1]);
	path = xprintf("/api/v1/people/%lld/supporters/%lld", id, sup);
	o = ctl_call(ctl, "DELETE", path, NULL);
	free(path);
	return (ctl_supporters_print(ctl, o));
}

/* POST to /occurrences/ID/what, and say what became of the meeting. */
static int
ctl_occ_change(struct ctl *ctl, const char *what, json_t *body,
    long long id)
{
	json_t	*o;
	char	*path, *when;

	path = xprintf("/api/v1/occurrences/%lld/%s", id, what);
	o = ctl_call(ctl, "POST", path, body);
	free(path);
	if (o == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	when = ctl_time((time_t)jint(o, "start_at"),
	    jstr(o, "time_zone"));
	printf("%s %lld (%s): %s\n", jstr(o, "title"), id, when,
	    jstr(o, "status"));
	free(when);
	if (json_is_true(json_object_get(o, "unchanged")))
		printf("it is at that time and place already: nothing "
		    "changed and nobody is told\n");
	ctl_notes(o);
	json_decref(o);
	return (0);
}

/* occurrence move: START is in the group's local time. */
static int
ctl_occ_move(struct ctl *ctl, char **av, json_t *opts)
{
	json_t		*body = ctl_body(opts);
	long long	 id;

	id = ctl_id(ctl_find("occurrence", "move"), "ID", av[0]);
	json_object_set_new(body, "start", ctl_jstr(av[1]));
	return (ctl_occ_change(ctl, "move", body, id));
}

/* occurrence cancel: the members are told, with the reason. */
static int
ctl_occ_cancel(struct ctl *ctl, char **av, json_t *opts)
{
	long long	 id;

	id = ctl_id(ctl_find("occurrence", "cancel"), "ID", av[0]);
	return (ctl_occ_change(ctl, "cancel", ctl_body(opts), id));
}

/* A retry or a wait for the end of quiet hours. */
static char *
ctl_outbox_next(json_t *m, const char *key)
{
	if (strcmp(jstr(m, "state"), "pending") == 0 &&
	    jint(m, key) != jint(m, "due_at"))
		return (ctl_col_time(m, key));
	return (xstrdup("-"));
}

/* What kind of message, with its lead time for a reminder. */
static char *
ctl_outbox_kind(json_t *m, const char *key)
{
	if (*jstr(m, "lead") == '\0')
		return (ctl_val(m, key));
	return (xprintf("%s %s", jstr(m, key), jstr(m, "lead")));
}

/* Who it is for: the number and the name. */
static char *
ctl_outbox_person(json_t *m, const char *key)
{
	return (xprintf("%lld %s", jint(m, key), jstr(m, "person")));
}

/* A request's deadline, and whether it has passed. */
static char *
ctl_digest_by(json_t *o, const char *key)
{
	char	*when, *s;

	when = ctl_col_zoned(o, key);
	if (!jint(o, "overdue"))
		return (when);
	s = xprintf("%s (overdue)", when);
	free(when);
	return (s);
}

/*
 * digest: the access requests not yet booked, of one group or all,
 * soonest deadline first, as the coordinators' daily digest has them.
 */
static int
ctl_digest(struct ctl *ctl, char **av, json_t *opts)
{
	static const struct ctl_col	 cols[] = {
		{ "BOOK BY", "deadline_at", ctl_digest_by },
		{ "NEED", "need_label", NULL },
		{ "MEMBER", "member", NULL },
		{ "GROUP", "group_slug", NULL },
		{ "MEETING", "title", NULL },
		{ "START", "start_at", ctl_col_zoned },
		{ "DETAIL", "detail", NULL }
	};

	return (ctl_list(ctl, "/api/v1/digest", opts, "requests", cols,
	    nitems(cols), "access requests waiting"));
}

/* Who a supporter came with: "with 12", or "-". */
static char *
ctl_col_supporting(json_t *o, const char *key)
{
	if (jint(o, key) == 0)
		return (xstrdup("-"));
	return (xprintf("with %lld", jint(o, key)));
}

/* "12=apologies:ill" as {"person": 12, "status", "reason"}. */
static json_t *
ctl_attendance_mark(const struct ctl_cmd *c, const char *arg)
{
	json_t	*m;
	char	*s, *status, *reason;

	s = xstrdup(arg);
	if ((status = strchr(s, '=')) == NULL)
		ctl_usage(c, "'%s': write PERSON=attended, PERSON=apologies "
		    "or PERSON=absent, with :REASON if you like", arg);
	*status++ = '\0';
	if ((reason = strchr(status, ':')) != NULL)
		*reason++ = '\0';
	if (strcmp(status, "attended") != 0 &&
	    strcmp(status, "apologies") != 0 && strcmp(status, "absent") != 0)
		ctl_usage(c, "'%s': the status is attended, apologies or "
		    "absent", arg);
	m = json_pack("{s:I, s:s}", "person", (json_int_t)ctl_id(c,
	    "PERSON", s), "status", status);
	if (reason != NULL && *reason != '\0')
		json_object_set_new(m, "reason", ctl_jstr(reason));
	free(s);
	return (m);
}

/*
 * attendance: who came to a meeting, with --list; or recorded in one
 * call, once it has begun: --from-answers (yes attended, no apologies,
 * for those not yet recorded), then each PERSON=STATUS[:REASON] as
 * given; then the list as it stands and the counts.
 */
static int
ctl_attendance(struct ctl *ctl, char **av, json_t *opts)
{
	static const struct ctl_col	 cols[] = {
		{ "PERSON", "person", NULL },
		{ "NAME", "name", NULL },
		{ "STATUS", "status", NULL },
		{ "ROLE", "role", NULL },
		{ "SUPPORTING", "supporting", ctl_col_supporting },
		{ "REASON", "reason", NULL }
	};
	const struct ctl_cmd	*c = ctl_find("attendance", NULL);
	json_t			*body, *people, *o, *rows;
	char			*path;
	long long		 id;
	int			 list, i;

	id = ctl_id(c, "MEETING", av[0]);
	list = json_is_true(json_object_get(opts, "list"));
	if (list && (av[1] != NULL || json_object_get(opts,
	    "from_answers") != NULL))
		ctl_usage(c, "--list records nothing: leave out the rest");
	if (!list && av[1] == NULL && json_object_get(opts,
	    "from_answers") == NULL)
		ctl_usage(c, "nothing to record: give --from-answers, "
		    "PERSON=STATUS, or --list");
	path = xprintf("/api/v1/occurrences/%lld/attendance", id);
	if (list)
		o = ctl_call(ctl, "GET", path, NULL);
	else {
		body = ctl_body(opts);
		people = json_array();
		for (i = 1; av[i] != NULL; i++)
			json_array_append_new(people,
			    ctl_attendance_mark(c, av[i]));
		json_object_set_new(body, "people", people);
		o = ctl_call(ctl, "POST", path, body);
	}
	free(path);
	if (o == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	rows = json_object_get(o, "attendance");
	if (json_array_size(rows) == 0)
		printf("no attendance recorded\n");
	ctl_table(cols, nitems(cols), rows);
	printf("attended %lld, apologies %lld, absent %lld\n",
	    jint(o, "attended"), jint(o, "apologies"), jint(o, "absent"));
	json_decref(o);
	return (0);
}

/* A figure's value as the report table prints it. */
static char *
ctl_figure(json_t *v)
{
	if (json_is_integer(v))
		return (xprintf("%lld", (long long)json_integer_value(v)));
	if (json_is_real(v))
		return (xprintf("%.1f%%", json_real_value(v)));
	return (xstrdup("-"));
}

/*
 * report SLUG --from D --to D: the engagement report, as a table of
 * figures, or as CSV or SVG as the daemon writes them; --link for the
 * signed link to the members' report, --lang for its page in a language.
 */
static int
ctl_report(struct ctl *ctl, char **av, json_t *opts)
{
	json_t		*o, *fig, *q;
	char		*slug, *path, *url, *s1, *s2;
	const char	*format = NULL;
	size_t		 i;
	int		 link;

	link = json_is_true(json_object_get(opts, "link"));
	if (json_is_true(json_object_get(opts, "csv")))
		format = "csv";
	if (json_is_true(json_object_get(opts, "svg"))) {
		if (format != NULL || link)
			ctl_usage(ctl_find("report", NULL), "one of --csv, "
			    "--svg and --link");
		format = "svg";
	}
	if (link && format != NULL)
		ctl_usage(ctl_find("report", NULL), "one of --csv, --svg and "
		    "--link");
	if (!link && json_object_get(opts, "lang") != NULL)
		ctl_usage(ctl_find("report", NULL), "--lang only with --link");
	q = json_pack("{s:O?, s:O?, s:O?}", "from", json_object_get(opts,
	    "from"), "to", json_object_get(opts, "to"), "lang",
	    json_object_get(opts, "lang"));
	if (format != NULL)
		json_object_set_new(q, "format", json_string(format));
	slug = ctl_escape(av[0]);
	path = xprintf("/api/v1/groups/%s/report%s", slug, link ? "/link" :
	    "");
	url = ctl_query(path, q);
	free(slug);
	free(path);
	json_decref(q);
	ctl->raw = format != NULL;
	o = ctl_call(ctl, "GET", url, NULL);
	ctl->raw = 0;
	free(url);
	if (o == NULL)
		return (1);
	if (format != NULL) {
		json_decref(o);
		return (0);
	}
	if (ctl->json)
		return (ctl_print_json(o));
	if (link) {
		printf("%s\n", jstr(o, "url"));
		json_decref(o);
		return (0);
	}
	printf("%-44s %14s %14s\n", "FIGURE", jstr(o, "from"),
	    jstr(o, "previous_from"));
	json_array_foreach(json_object_get(o, "figures"), i, fig) {
		s1 = ctl_figure(json_object_get(fig, "this"));
		s2 = ctl_figure(json_object_get(fig, "previous"));
		printf("%-44s %14s %14s\n", jstr(fig, "label"), s1, s2);
		free(s1);
		free(s2);
	}
	json_decref(o);
	return (0);
}

/* outbox: what is due to whom, then how many in each state. */
static int
ctl_outbox(struct ctl *ctl, char **av, json_t *opts)
{
	static const struct ctl_col	 cols[] = {
		{ "ID", "id", NULL },
		{ "DUE", "due_at", ctl_col_time },
		{ "STATE", "state", NULL },
		{ "NEXT TRY", "next_at", ctl_outbox_next },
		{ "CHANNEL", "channel", NULL },
		{ "KIND", "kind", ctl_outbox_kind },
		{ "PERSON", "person_id", ctl_outbox_person },
		{ "MEETING", "occurrence_id", NULL },
		{ "TRIES", "attempts", NULL },
		{ "DELIVERY", "delivery", NULL },
		{ "REASON", "reason", NULL }
	};
	static const struct ctl_col	 ncols[] = {
		{ "STATE", "state", NULL },
		{ "MESSAGES", "n", NULL }
	};
	json_t				*o, *rows;
	char				*path;

	path = ctl_query("/api/v1/outbox", opts);
	o = ctl_call(ctl, "GET", path, NULL);
	free(path);
	if (o == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	rows = json_object_get(o, "messages");
	if (json_array_size(rows) == 0)
		printf("no messages\n");
	ctl_table(cols, nitems(cols), rows);
	rows = json_object_get(o, "counts");
	if (json_array_size(rows) > 0)
		putchar('\n');
	ctl_table(ncols, nitems(ncols), rows);
	json_decref(o);
	return (0);
}

/* feed show, feed rotate: the link a person's calendar subscribes to. */
static int
ctl_feed(struct ctl *ctl, const char *verb, const char *arg, int rotate)
{
	json_t		*o;
	char		*path;
	long long	 id;

	id = ctl_id(ctl_find("feed", verb), "PERSON", arg);
	path = xprintf("/api/v1/people/%lld/feed", id);
	o = ctl_call(ctl, rotate ? "POST" : "GET", path, rotate ?
	    json_object() : NULL);
	free(path);
	if (o == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	if (rotate)
		printf("a new link for person %lld; the old one no longer "
		    "works:\n", id);
	printf("%s\n", jstr(o, "feed_url"));
	json_decref(o);
	return (0);
}

static int
ctl_feed_show(struct ctl *ctl, char **av, json_t *opts)
{
	return (ctl_feed(ctl, "show", av[0], 0));
}

static int
ctl_feed_rotate(struct ctl *ctl, char **av, json_t *opts)
{
	return (ctl_feed(ctl, "rotate", av[0], 1));
}

/*
 * group rates SLUG: what a group pays, and with --base, --role ROLE=P
 * and --pay-apologies yes|no, a change to it; pence, whole numbers.
 */
static int
ctl_group_rates(struct ctl *ctl, char **av, json_t *opts)
{
	const struct ctl_cmd	*c = ctl_find("group", "rates");
	json_t			*o, *body = json_object(), *rates, *v;
	const char		*s, *eq, *role;
	char			*slug, *path, *name, *ep, money[CSV_PENCE_LEN];
	long long		 p;
	size_t			 i;

	if ((v = json_object_get(opts, "payment_rate_pence")) != NULL)
		json_object_set(body, "payment_rate_pence", v);
	if ((s = json_string_value(json_object_get(opts,
	    "pay_apologies"))) != NULL) {
		if (strcmp(s, "yes") != 0 && strcmp(s, "no") != 0)
			ctl_usage(c, "--pay-apologies: yes or no, not '%s'", s);
		json_object_set_new(body, "pay_apologies",
		    json_boolean(strcmp(s, "yes") == 0));
	}
	if ((v = json_object_get(opts, "rates")) != NULL) {
		rates = json_object();
		json_object_set_new(body, "rates", rates);
		for (i = 0; i < json_array_size(v); i++) {
			s = json_string_value(json_array_get(v, i));
			if ((eq = strchr(s, '=')) == NULL || eq == s)
				ctl_usage(c, "--role: give ROLE=PENCE, such as "
				    "co-chair=3000, or ROLE= for the base "
				    "rate");
			name = xcalloc(1, eq - s + 1);
			memcpy(name, s, eq - s);
			errno = 0;
			p = strtoll(eq + 1, &ep, 10);
			if (eq[1] == '\0')
				json_object_set_new(rates, name, json_null());
			else if (*ep != '\0' || errno != 0 || eq[1] == '-' ||
			    eq[1] == '+' || eq[1] == ' ')
				ctl_usage(c, "--role: '%s' is not whole pence, "
				    "such as 3000 for 30.00 pounds", eq + 1);
			else
				json_object_set_new(rates, name,
				    json_integer(p));
			free(name);
		}
	}
	slug = ctl_escape(av[0]);
	path = xprintf("/api/v1/groups/%s", slug);
	if (json_object_size(body) == 0) {
		json_decref(body);
		o = ctl_call(ctl, "GET", path, NULL);
	} else
		o = ctl_call(ctl, "PATCH", path, body);
	free(path);
	free(slug);
	if (o == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	csv_pence(jint(o, "payment_rate_pence"), money);
	printf("%s pays %s a meeting\n", av[0], money);
	json_object_foreach(json_object_get(o, "rates"), role, v) {
		csv_pence(json_integer_value(v), money);
		printf("  %s: %s\n", role, money);
	}
	printf("apologies: %s\n", json_is_true(json_object_get(o,
	    "pay_apologies")) ? "paid" : "not paid");
	json_decref(o);
	return (0);
}

/*
 * payments: the payments file finance loads, as CSV on the standard
 * output (the same file GET /api/v1/payments?format=csv gives) with its
 * total line unless --no-total, and the count and total on the
 * standard error.
 */
static int
ctl_payments(struct ctl *ctl, char **av, json_t *opts)
{
	static const char *const cols[] = { CSV_PAYMENT_COLS };
	json_t		*o, *q = json_deep_copy(opts);
	char		*url, total[CSV_PENCE_LEN], owed[CSV_PENCE_LEN];
	char		 paid[CSV_PENCE_LEN];
	int		 want_owed, want_paid, no_total;

	want_owed = json_is_true(json_object_get(q, "owed"));
	want_paid = json_is_true(json_object_get(q, "paid"));
	no_total = json_is_true(json_object_get(q, "no_total"));
	json_object_del(q, "owed");
	json_object_del(q, "paid");
	json_object_del(q, "no_total");
	if (want_owed && want_paid)
		ctl_usage(ctl_find("payments", NULL), "payments: --owed or "
		    "--paid, not both");
	if (want_owed || want_paid)
		json_object_set_new(q, "status", json_string(want_owed ?
		    "owed" : "paid"));
	url = ctl_query("/api/v1/payments", q);
	json_decref(q);
	o = ctl_call(ctl, "GET", url, NULL);
	free(url);
	if (o == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	csv_json(stdout, cols, nitems(cols), json_object_get(o, "payments"));
	if (!no_total)
		csv_payment_total(stdout, jint(o, "total_pence"));
	csv_pence(jint(o, "total_pence"), total);
	csv_pence(jint(o, "owed_pence"), owed);
	csv_pence(jint(o, "paid_pence"), paid);
	fprintf(stderr, "%lld payments, total %s (owed %s, paid %s)\n",
	    jint(o, "count"), total, owed, paid);
	json_decref(o);
	return (fflush(stdout) == 0 ? 0 : 1);
}

/* payments paid ID... --on DATE, or --group G --from D --to D. */
static int
ctl_payments_paid(struct ctl *ctl, char **av, json_t *opts)
{
	const struct ctl_cmd	*c = ctl_find("payments", "paid");
	json_t			*o, *body = ctl_body(opts), *ids, *v;
	char			*ep;
	long long		 id;
	size_t			 i;

	if (json_object_get(body, "paid_on") == NULL)
		ctl_usage(c, "payments paid: --on DATE is needed");
	if (*av != NULL) {
		ids = json_array();
		for (; *av != NULL; av++) {
			errno = 0;
			id = strtoll(*av, &ep, 10);
			if (**av == '\0' || *ep != '\0' || errno != 0 ||
			    id <= 0)
				ctl_usage(c, "payments paid: '%s' is not a "
				    "payment's number", *av);
			json_array_append_new(ids, json_integer(id));
		}
		json_object_set_new(body, "ids", ids);
	}
	if ((o = ctl_call(ctl, "POST", "/api/v1/payments/paid",
	    body)) == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	printf("marked %zu payments paid on %s\n", json_array_size(
	    json_object_get(o, "paid")), jstr(o, "paid_on"));
	if (json_array_size(json_object_get(o, "already_paid")) > 0) {
		printf("paid already, unchanged:");
		json_array_foreach(json_object_get(o, "already_paid"), i, v)
			printf(" %lld", (long long)json_integer_value(v));
		printf("\n");
	}
	json_decref(o);
	return (0);
}

/* group public SLUG on|off: whether /groups/SLUG.ics answers. */
static int
ctl_group_public(struct ctl *ctl, char **av, json_t *opts)
{
	json_t	*o, *body;
	char	*slug, *path;
	int	 on;

	if (strcmp(av[1], "on") == 0)
		on = 1;
	else if (strcmp(av[1], "off") == 0)
		on = 0;
	else
		ctl_usage(ctl_find("group", "public"), "group public: '%s' is "
		    "not on or off", av[1]);
	body = json_pack("{s:b}", "feed_public", on);
	slug = ctl_escape(av[0]);
	path = xprintf("/api/v1/groups/%s", slug);
	o = ctl_call(ctl, "PATCH", path, body);
	free(path);
	free(slug);
	if (o == NULL)
		return (1);
	if (ctl->json)
		return (ctl_print_json(o));
	if (on)
		printf("the calendar feed of %s is public: %s\n", av[0],
		    jstr(o, "feed_url"));
	else
		printf("the calendar feed of %s is not public\n", av[0]);
	json_decref(o);
	return (0);
}

/* A whole file, or standard input for "-", into memory. */
static char *
ctl_slurp(const char *file, size_t *len)
{
	FILE	*f;
	char	*buf = NULL, *p;
	size_t	 size = 0, n;

	*len = 0;
	if (strcmp(file, "-") == 0)
		f = stdin;
	else if ((f = fopen(file, "r")) == NULL) {
		fprintf(stderr, "convenectl: %s: %s\n", file, strerror(errno));
		return (NULL);
	}
	do {
		if (*len == size) {
			size = size ? size * 2 : 65536;
			if ((p = realloc(buf, size)) == NULL) {
				fprintf(stderr, "convenectl: %s: out of "
				    "memory\n", file);
				exit(1);
			}
			buf = p;
		}
		n = fread(buf + *len, 1, size - *len, f);
		*len += n;
	} while (n > 0);
	if (ferror(f)) {
		fprintf(stderr, "convenectl: %s: %s\n", file, strerror(errno));
		free(buf);
		buf = NULL;
	}
	if (f != stdin)
		fclose(f);
	return (buf);
}

/*
 * The daemon checks every line before it writes any; a refusal comes
 * with a report of each bad line, printed here as "line N: reason".
 */
static int
ctl_import(struct ctl *ctl, char **av, json_t *opts)
{
	json_t		*o, *e;
	const char	*why;
	char		*body, *path, *prefix;
	size_t		 len, i;
	long		 code = 0;

	if (strcmp(av[0], "people") != 0)
		ctl_usage(ctl_find("import", NULL), "import: only people can "
		    "be imported, not '%s'", av[0]);
	if ((body = ctl_slurp(av[1], &len)) == NULL)
		return (1);
	path = ctl_query("/api/v1/import/people", opts);
	ctl->progress = isatty(STDERR_FILENO);
	o = ctl_request(ctl, "POST", path, body, len, "text/csv", &code);
	ctl->progress = 0;
	free(path);
	free(body);
	if (code == 422 && json_is_array(json_object_get(o, "errors"))) {
		json_array_foreach(json_object_get(o, "errors"), i, e) {
			why = jstr(e, "reason");
			if (jint(e, "line") <= 0) {
				fprintf(stderr, "%s\n", why);
				continue;
			}
			/* The CSV reader's reasons name the line already. */
			prefix = xprintf("line %lld: ", jint(e, "line"));
			if (strncmp(why, prefix, strlen(prefix)) == 0)
				why += strlen(prefix);
			fprintf(stderr, "%s%s\n", prefix, why);
			free(prefix);
		}
		fprintf(stderr, "nothing was imported\n");
		json_decref(o);
		return (1);
	}
	if (code >= 400)
		return (ctl_refused(o));
	if (ctl->json)
		return (ctl_print_json(o));
	printf("imported %lld %s", jint(o, "imported"),
	    jint(o, "imported") == 1 ? "person" : "people");
	if (json_is_string(json_object_get(opts, "group")))
		printf(" into %s", jstr(opts, "group"));
	putchar('\n');
	json_decref(o);
	return (0);
}

/*
 * mail-in: one email on standard input, a calendar program's answer to
 * an invitation, recorded by the daemon.  The exit status is one a mail
 * server understands (sysexits.h): 0 recorded (or recorded before),
 * EX_DATAERR for a message that is no answer, EX_NOPERM for one that
 * did not go to an address convene signed, EX_TEMPFAIL when the daemon
 * cannot take it now, so that the server tries again.
 */
static int
ctl_mail_in(struct ctl *ctl, char **av, json_t *opts)
{
	struct mailin	 m;
	json_t		*body, *o;
	const char	*recipient, *why;
	char		*msg, *cause = NULL, *s, *token = NULL;
	size_t		 len;
	long		 code = 0;
	int		 rc;

	if ((msg = ctl_slurp("-", &len)) == NULL)
		return (EX_TEMPFAIL);
	rc = mailin_parse(msg, len, &m, &cause);
	free(msg);
	if (rc != 0) {
		fprintf(stderr, "convenectl: mail-in: %s; nothing recorded\n",
		    cause);
		free(cause);
		return (EX_DATAERR);
	}
	/* The envelope's recipient first, then the headers, the ORGANIZER. */
	recipient = json_string_value(json_object_get(opts, "recipient"));
	if (recipient != NULL)
		token = mailin_token(recipient);
	if (token == NULL && m.token != NULL)
		token = xstrdup(m.token);
	if (token == NULL && m.organizer != NULL)
		token = xstrdup(m.organizer);
	if (token == NULL) {
		fprintf(stderr, "convenectl: mail-in: the reply went to no "
		    "address convene signed; nothing recorded\n");
		mailin_free(&m);
		return (EX_NOPERM);
	}
	body = json_pack("{s:s,s:s,s:s}", "token", token, "uid", m.uid,
	    "answer", m.answer);
	if (m.recurrence_id != NULL)
		json_object_set_new(body, "recurrence_id",
		    ctl_jstr(m.recurrence_id));
	if (m.message_id != NULL)
		json_object_set_new(body, "ref", ctl_jstr(m.message_id));
	free(token);
	s = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (s == NULL) {
		fprintf(stderr, "convenectl: mail-in: cannot make the "
		    "request\n");
		mailin_free(&m);
		return (EX_TEMPFAIL);
	}
	o = ctl_request(ctl, "POST", "/api/v1/answers/mail", s, strlen(s),
	    "application/json", &code);
	free(s);
	why = json_string_value(json_object_get(o, "reason"));
	if (code == 200 || code == 201) {
		fprintf(stderr, "convenectl: mail-in: %s answered %s to "
		    "meeting %lld%s\n", m.attendee, m.answer,
		    jint(o, "occurrence"), code == 200 ?
		    ", as recorded before" : "");
		rc = 0;
	} else {
		fprintf(stderr, "convenectl: mail-in: %s; nothing recorded\n",
		    why != NULL ? why : "the daemon refused the answer");
		if (code == 403)
			rc = EX_NOPERM;
		else if (code == 400 || code == 404 || code == 422)
			rc = EX_DATAERR;
		else
			rc = EX_TEMPFAIL;
	}
	if (ctl->json && rc == 0)
		ctl_print_json(json_incref(o));
	json_decref(o);
	mailin_free(&m);
	return (rc);
}

/* The command table ------------------------------------------------- */

static const struct ctl_opt	ctl_group_opts[] = {
	{ "time-zone", "TZ", "time_zone", CT_TEXT },
	{ "lead-times", "LIST", "lead_times", CT_TEXT },
	{ "contact", "TEXT", "contact", CT_TEXT },
	{ "rate", "PENCE", "payment_rate_pence", CT_INT },
	{ "public-feed", NULL, "feed_public", CT_FLAG },
	{ NULL, NULL, NULL, CT_TEXT }
};

/* person add takes these from the second on: its name is an argument. */
static const struct ctl_opt	ctl_person_opts[] = {
	{ "name", "NAME", "name", CT_TEXT },
	{ "email", "EMAIL", "email", CT_TEXT },
	{ "phone", "PHONE", "phone", CT_TEXT },
	{ "language", "TAG", "language", CT_TEXT },
	{ "style", "STYLE", "style", CT_TEXT },
	{ "channels", "LIST", "channels", CT_TEXT },
	{ "lead-times", "LIST", "lead_times", CT_TEXT },
	{ "quiet-hours", "SPAN", "quiet_hours", CT_TEXT },
	{ NULL, NULL, NULL, CT_TEXT }
};

static const struct ctl_opt	ctl_token_opts[] = {
	{ "group", "SLUG", "groups", CT_LIST },
	{ NULL, NULL, NULL, CT_TEXT }
};

static const struct ctl_opt	ctl_member_opts[] = {
	{ "role", "ROLE", "role", CT_TEXT },
	{ "invite", NULL, "invite", CT_FLAG },
	{ NULL, NULL, NULL, CT_TEXT }
};

static const struct ctl_opt	ctl_venue_opts[] = {
	{ "address", "TEXT", "address", CT_TEXT },
	{ "travel", "TEXT", "travel", CT_TEXT },
	{ "online-link", "URL", "online_link", CT_TEXT },
	{ "step-free", NULL, "step_free", CT_FLAG },
	{ "hearing-loop", NULL, "hearing_loop", CT_FLAG },
	{ "accessible-toilet", NULL, "accessible_toilet", CT_FLAG },
	{ "quiet-room", NULL, "quiet_room", CT_FLAG },
	{ NULL, NULL, NULL, CT_TEXT }
};

static const struct ctl_opt	ctl_group_rates_opts[] = {
	{ "base", "PENCE", "payment_rate_pence", CT_INT },
	{ "role", "ROLE=PENCE", "rates", CT_LIST },
	{ "pay-apologies", "yes|no", "pay_apologies", CT_TEXT },
	{ NULL, NULL, NULL, CT_TEXT }
};

static const struct ctl_opt	ctl_payments_opts[] = {
	{ "group", "SLUG", "group", CT_TEXT },
	{ "from", "DATE", "from", CT_TEXT },
	{ "to", "DATE", "to", CT_TEXT },
	{ "owed", NULL, "owed", CT_FLAG },
	{ "paid", NULL, "paid", CT_FLAG },
	{ "no-total", NULL, "no_total", CT_FLAG },
	{ NULL, NULL, NULL, CT_TEXT }
};

static const struct ctl_opt	ctl_payments_paid_opts[] = {
	{ "on", "DATE", "paid_on", CT_TEXT },
	{ "group", "SLUG", "group", CT_TEXT },
	{ "from", "DATE", "from", CT_TEXT },
	{ "to", "DATE", "to", CT_TEXT },
	{ NULL, NULL, NULL, CT_TEXT }
};

static const struct ctl_opt	ctl_group_filter_opts[] = {
	{ "group", "SLUG", "group", CT_TEXT },
	{ NULL, NULL, NULL, CT_TEXT }
};

static const struct ctl_opt	ctl_series_opts[] = {
	{ "rrule", "RULE", "rrule", CT_TEXT },
	{ "duration", "MINUTES", "duration_minutes", CT_INT },
	{ "venue", "ID", "venue", CT_INT },
	{ "online-link", "URL", "online_link", CT_TEXT },
	{ "agenda", "TEXT", "agenda", CT_TEXT },
	{ "exdate", "DATE", "exdates", CT_LIST },
	{ "rdate", "DATE", "rdates", CT_LIST },
	{ "invite", NULL, "invite", CT_FLAG },
	{ NULL, NULL, NULL, CT_TEXT }
};

/* series change: the same, and which meeting the change starts from. */
static const struct ctl_opt	ctl_series_change_opts[] = {
	{ "title", "TEXT", "title", CT_TEXT },
	{ "start", "START", "start", CT_TEXT },
	{ "rrule", "RULE", "rrule", CT_TEXT },
	{ "duration", "MINUTES", "duration_minutes", CT_INT },
	{ "venue", "ID", "venue", CT_INT },
	{ "online-link", "URL", "online_link", CT_TEXT },
	{ "agenda", "TEXT", "agenda", CT_TEXT },
	{ "exdate", "DATE", "exdates", CT_LIST },
	{ "from", "OCCURRENCE", "from", CT_INT },
	{ "from-date", "DATE", "from_date", CT_TEXT },
	{ NULL, NULL, NULL, CT_TEXT }
};

static const struct ctl_opt	ctl_occ_list_opts[] = {
	{ "group", "SLUG", "group", CT_TEXT },
	{ "days", "N", "days", CT_INT },
	{ NULL, NULL, NULL, CT_TEXT }
};

static const struct ctl_opt	ctl_occ_answers_opts[] = {
	{ "history", NULL, "history", CT_FLAG },
	{ NULL, NULL, NULL, CT_TEXT }
};

static const struct ctl_opt	ctl_occ_requests_opts[] = {
	{ "state", "STATE", "state", CT_TEXT },
	{ "need", "CODE", "need", CT_TEXT },
	{ NULL, NULL, NULL, CT_TEXT }
};

static const struct ctl_opt	ctl_request_set_opts[] = {
	{ "reason", "TEXT", "reason", CT_TEXT },
	{ NULL, NULL, NULL, CT_TEXT }
};

static const struct ctl_opt	ctl_person_needs_opts[] = {
	{ "set", "CODE,...", "set", CT_TEXT },
	{ "detail", "TEXT", "detail", CT_TEXT },
	{ NULL, NULL, NULL, CT_TEXT }
};

static const struct ctl_opt	ctl_supporter_opts[] = {
	{ "consent-by", "WHO", "consent_by", CT_TEXT },
	{ "role", "ROLE", "role", CT_TEXT },
	{ "copy-reminders", NULL, "copy_reminders", CT_FLAG },
	{ NULL, NULL, NULL, CT_TEXT }
};

/* occurrence cancel takes these from the second on. */
static const struct ctl_opt	ctl_occ_opts[] = {
	{ "venue", "ID", "venue", CT_INT },
	{ "reason", "TEXT", "reason", CT_TEXT },
	{ NULL, NULL, NULL, CT_TEXT }
};

static const struct ctl_opt	ctl_outbox_opts[] = {
	{ "state", "STATE", "state", CT_TEXT },
	{ "person", "ID", "person", CT_INT },
	{ "occurrence", "ID", "occurrence", CT_INT },
	{ "limit", "N", "limit", CT_INT },
	{ NULL, NULL, NULL, CT_TEXT }
};

static const struct ctl_opt	ctl_attendance_opts[] = {
	{ "from-answers", NULL, "from_answers", CT_FLAG },
	{ "list", NULL, "list", CT_FLAG },
	{ NULL, NULL, NULL, CT_TEXT }
};

static const struct ctl_opt	ctl_report_opts[] = {
	{ "from", "DATE", "from", CT_TEXT },
	{ "to", "DATE", "to", CT_TEXT },
	{ "csv", NULL, "csv", CT_FLAG },
	{ "svg", NULL, "svg", CT_FLAG },
	{ "link", NULL, "link", CT_FLAG },
	{ "lang", "LANG", "lang", CT_TEXT },
	{ NULL, NULL, NULL, CT_TEXT }
};

static const struct ctl_opt	ctl_mail_in_opts[] = {
	{ "recipient", "ADDRESS", "recipient", CT_TEXT },
	{ NULL, NULL, NULL, CT_TEXT }
};

static const struct ctl_cmd	ctl_cmds[] = {
	{ "status", NULL, "", 0, 0, NULL, ctl_status },
	{ "token", "create", "NAME", 1, 1, ctl_token_opts, ctl_token_create },
	{ "token", "list", "", 0, 0, NULL, ctl_token_list },
	{ "token", "revoke", "NAME", 1, 1, NULL, ctl_token_revoke },
	{ "group", "list", "", 0, 0, NULL, ctl_group_list },
	{ "group", "add", "SLUG NAME", 2, 2, ctl_group_opts, ctl_group_add },
	{ "group", "show", "SLUG", 1, 1, NULL, ctl_group_show },
	{ "group", "remove", "SLUG", 1, 1, NULL, ctl_group_remove },
	{ "group", "public", "SLUG on|off", 2, 2, NULL, ctl_group_public },
	{ "group", "rates", "SLUG", 1, 1, ctl_group_rates_opts,
	    ctl_group_rates },
	{ "feed", "show", "PERSON", 1, 1, NULL, ctl_feed_show },
	{ "feed", "rotate", "PERSON", 1, 1, NULL, ctl_feed_rotate },
	{ "person", "list", "", 0, 0, NULL, ctl_person_list },
	{ "person", "add", "NAME", 1, 1, ctl_person_opts + 1,
	    ctl_person_add },
	{ "person", "show", "ID", 1, 1, NULL, ctl_person_show },
	{ "person", "change", "ID", 1, 1, ctl_person_opts,
	    ctl_person_change },
	{ "person", "remove", "ID", 1, 1, NULL, ctl_person_remove },
	{ "person", "test", "ID", 1, 1, NULL, ctl_person_test },
	{ "person", "link", "ID", 1, 1, NULL, ctl_person_link },
	{ "person", "needs", "ID", 1, 1, ctl_person_needs_opts,
	    ctl_person_needs },
	{ "person", "supporters", "ID", 1, 1, NULL, ctl_person_supporters },
	{ "person", "supporter-add", "ID SUPPORTER", 2, 2, ctl_supporter_opts,
	    ctl_person_supporter_add },
	{ "person", "supporter-remove", "ID SUPPORTER", 2, 2, NULL,
	    ctl_person_supporter_remove },
	{ "person", "export", "ID", 1, 1, NULL, ctl_person_export },
	{ "person", "erase", "ID", 1, 1, NULL, ctl_person_erase },
	{ "member", "add", "GROUP PERSON", 2, 2, ctl_member_opts,
	    ctl_member_add },
	{ "member", "remove", "GROUP PERSON", 2, 2, NULL,
	    ctl_member_remove },
	{ "venue", "list", "", 0, 0, NULL, ctl_venue_list },
	{ "venue", "add", "NAME", 1, 1, ctl_venue_opts, ctl_venue_add },
	{ "series", "list", "", 0, 0, ctl_group_filter_opts,
	    ctl_series_list },
	{ "series", "add", "GROUP TITLE START", 3, 3, ctl_series_opts,
	    ctl_series_add },
	{ "series", "change", "ID", 1, 1, ctl_series_change_opts,
	    ctl_series_change },
	{ "series", "remove", "ID", 1, 1, NULL, ctl_series_remove },
	{ "occurrence", "list", "", 0, 0, ctl_occ_list_opts, ctl_occ_list },
	{ "occurrence", "move", "ID START", 2, 2, ctl_occ_opts,
	    ctl_occ_move },
	{ "occurrence", "cancel", "ID", 1, 1, ctl_occ_opts + 1,
	    ctl_occ_cancel },
	{ "occurrence", "answers", "ID", 1, 1, ctl_occ_answers_opts,
	    ctl_occ_answers },
	{ "occurrence", "requests", "ID", 1, 1, ctl_occ_requests_opts,
	    ctl_occ_requests },
	{ "request", "set", "ID STATE", 2, 2, ctl_request_set_opts,
	    ctl_request_set },
	{ "attendance", NULL, "MEETING [PERSON=STATUS[:REASON] ...]", 1,
	    CTL_ATTEND_MAX, ctl_attendance_opts, ctl_attendance },
	{ "outbox", NULL, "", 0, 0, ctl_outbox_opts, ctl_outbox },
	{ "digest", NULL, "", 0, 0, ctl_group_filter_opts, ctl_digest },
	{ "report", NULL, "SLUG", 1, 1, ctl_report_opts, ctl_report },
	{ "import", NULL, "people FILE", 2, 2, ctl_group_filter_opts,
	    ctl_import },
	{ "mail-in", NULL, "", 0, 0, ctl_mail_in_opts, ctl_mail_in },
	{ "payments", "paid", "[ID ...]", 0, 10000, ctl_payments_paid_opts,
	    ctl_payments_paid },
	{ "payments", NULL, "", 0, 0, ctl_payments_opts, ctl_payments },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL }
};

/* The command named by its words; NULL when there is none. */
static const struct ctl_cmd *
ctl_find(const char *noun, const char *verb)
{
	const struct ctl_cmd	*c;

	for (c = ctl_cmds; c->noun != NULL; c++) {
		if (strcmp(c->noun, noun) != 0)
			continue;
		if (c->verb == NULL || (verb != NULL &&
		    strcmp(c->verb, verb) == 0))
			return (c);
	}
	return (NULL);
}

/*
 * Every command: asked for (help, -h, --help) on stdout with status 0;
 * for a command line that names none or a wrong one on stderr, status 2.
 */
static void __attribute__((__noreturn__))
usage(int asked)
{
	const struct ctl_cmd	*c;
	FILE			*f = asked ? stdout : stderr;

	fprintf(f,
	    "usage: convenectl [-hj] [-f file | -s socket] command "
	    "[argument ...]\n"
	    "commands:\n");
	for (c = ctl_cmds; c->noun != NULL; c++)
		ctl_cmd_usage(f, "  ", c);
	exit(asked ? 0 : 2);
}

/*
 * The options after the command words, with getopt_long, into a JSON
 * object keyed by the API's names; the arguments are left in *argv.
 * argv[0] is the word before them, which getopt skips.
 */
static json_t *
ctl_options(const struct ctl_cmd *c, int *argc, char ***argv)
{
	struct option		 lo[CTL_OPTS_MAX + 2];
	const struct ctl_opt	*o;
	json_t			*opts = json_object(), *a;
	char			*ep;
	long long		 v;
	int			 n = 0, ch;

	memset(lo, 0, sizeof lo);
	for (o = c->opts; o != NULL && o->name != NULL; o++, n++) {
		lo[n].name = o->name;
		lo[n].has_arg = o->type == CT_FLAG ? no_argument :
		    required_argument;
		lo[n].val = n + 1;
	}
	lo[n].name = "help";
	lo[n].val = 'h';
	(*argv)[0] = (char *)"convenectl";	/* for getopt's messages */
#ifdef __GLIBC__
	optind = 0;
#else
	optreset = 1;
	optind = 1;
#endif
	while ((ch = getopt_long(*argc, *argv, "", lo, NULL)) != -1) {
		if (ch == 'h') {
			ctl_cmd_usage(stdout, "usage: convenectl [-hj] "
			    "[-f file | -s socket] ", c);
			exit(0);
		}
		if (ch < 1 || ch > n)
			ctl_usage(c, NULL);
		o = &c->opts[ch - 1];
		switch (o->type) {
		case CT_TEXT:
			json_object_set_new(opts, o->key, ctl_jstr(optarg));
			break;
		case CT_INT:
			errno = 0;
			v = strtoll(optarg, &ep, 10);
			if (*optarg == '\0' || *ep != '\0' || errno != 0)
				ctl_usage(c, "--%s: '%s' is not a whole "
				    "number", o->name, optarg);
			json_object_set_new(opts, o->key, json_integer(v));
			break;
		case CT_FLAG:
			json_object_set_new(opts, o->key, json_true());
			break;
		case CT_LIST:
			if ((a = json_object_get(opts, o->key)) == NULL) {
				a = json_array();
				json_object_set_new(opts, o->key, a);
			}
			json_array_append_new(a, ctl_jstr(optarg));
			break;
		}
	}
	*argc -= optind;
	*argv += optind;
	if (*argc < c->min || *argc > c->max)
		ctl_usage(c, "%s%s%s: %s", c->noun, c->verb ? " " : "",
		    c->verb ? c->verb : "", *argc < c->min ?
		    "too few arguments" : "too many arguments");
	return (opts);
}

/*
 * The global options, then the command words, their options and
 * arguments; the socket is found only once the command line is sound.
 */
int
main(int argc, char **argv)
{
	const struct ctl_cmd	*c;
	struct ctl		 ctl;
	struct config		*conf = NULL;
	struct sockaddr_un	 sun;
	const char		*file = NULL, *env;
	char			*cause = NULL;
	json_t			*opts;
	int			 ch, rc, skip, dirfd;
	static const struct option lo[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};

	memset(&ctl, 0, sizeof ctl);
	ctl.away = 1;
	/* "+": stop at the command; its options are its own. */
	while ((ch = getopt_long(argc, argv, "+f:hjs:", lo, NULL)) != -1) {
		switch (ch) {
		case 'f':
			file = optarg;
			break;
		case 'h':
			usage(1);
		case 'j':
			ctl.json = 1;
			break;
		case 's':
			ctl.socket = optarg;
			break;
		default:
			usage(0);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage(0);
	if (argc == 1 && strcmp(argv[0], "help") == 0)
		usage(1);
	if ((c = ctl_find(argv[0], argc > 1 ? argv[1] : NULL)) == NULL) {
		for (c = ctl_cmds; c->noun != NULL &&
		    strcmp(c->noun, argv[0]) != 0; c++)
			;
		if (c->noun == NULL)
			fprintf(stderr, "convenectl: unknown command '%s'\n",
			    argv[0]);
		else if (argc > 1)
			fprintf(stderr, "convenectl: unknown command '%s %s'"
			    "\n", argv[0], argv[1]);
		else
			fprintf(stderr, "convenectl: %s: what to do is "
			    "missing, such as '%s %s'\n", argv[0], argv[0],
			    c->verb);
		usage(0);
	}
	/* A mail server tries again later when the daemon is away. */
	if (c->fn == ctl_mail_in)
		ctl.away = EX_TEMPFAIL;
	/* Leave the last command word as argv[0] for getopt to skip. */
	skip = c->verb != NULL ? 1 : 0;
	argc -= skip;
	argv += skip;
	opts = ctl_options(c, &argc, &argv);

	if (ctl.socket == NULL && (env = getenv("CONVENE_SOCKET")) != NULL &&
	    *env != '\0')
		ctl.socket = env;
	if (ctl.socket == NULL) {
		/* The same rules as convened: the file, or the default. */
		conf = file ? config_load(file, &cause) :
		    config_default(&cause);
		if (conf == NULL) {
			fprintf(stderr, "%s\n", cause);
			free(cause);
			json_decref(opts);
			return (ctl.away);
		}
		ctl.socket = conf->control_socket;
	}
	/* A path too long for a socket is reached through its folder. */
	if (unix_sockaddr(ctl.socket, &sun, &dirfd, &cause) != 0) {
		if (access(ctl.socket, F_OK) == -1)
			fprintf(stderr, "convenectl: convened is not running: "
			    "%s: %s\n", ctl.socket, strerror(errno));
		else
			fprintf(stderr, "convenectl: %s\n", cause);
		free(cause);
		json_decref(opts);
		config_free(conf);
		return (ctl.away);
	}
	ctl.addr = sun.sun_path;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "convenectl: cannot start libcurl\n");
		return (ctl.away);
	}
	rc = c->fn(&ctl, argv, opts);
	json_decref(opts);
	curl_global_cleanup();
	config_free(conf);
	return (rc);
}
