/*
 * config.c: the configuration file, read by libinih into a fresh struct and
 * checked against one table of options.
 *
 * Every option has a type, a range or a set of choices, a default and a
 * line of help; the embedded default is the table's defaults run through
 * the same checks as a file.  Every mistake is reported as FILE:LINE: what
 * and why, all of them at once, and a struct with a mistake in it is never
 * handed back: SIGHUP keeps the old one.
 */
#include "config.h"

#include <sys/stat.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convene.h"
#include "log.h"
#include "util.h"

#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR "/var"
#endif

#define CONF_OFF(f)	offsetof(struct config, f)

static const char *const conf_log_levels[] = { "debug", "info", "warning",
	"error", "warn", NULL };
static const char *const conf_http_schemes[] = { "http", "https", NULL };
static const char *const conf_smtp_schemes[] = { "smtp", "smtps", NULL };
static const char *const conf_starttls[] = { "required", "optional", NULL };
static const char *const conf_sms_gateways[] = { "kannel", "http", NULL };
static const char *const conf_sms_auths[] = { "basic", "bearer", "none",
	NULL };
static const char *const conf_sms_formats[] = { "form", "json", NULL };

const struct conf_option conf_options[] = {
	{ "daemon", "state_directory", CONF_PATH, CONF_OFF(state_directory),
	  0, 0, NULL, NULL,
	  "Folder for the database, spools and control socket. Default: "
	  "$STATE_DIRECTORY when systemd sets it, else "
	  LOCALSTATEDIR "/lib/convene." },
	{ "daemon", "database", CONF_PATH, CONF_OFF(database),
	  0, 0, NULL, "convene.db",
	  "SQLite database file, relative to state_directory." },
	{ "daemon", "control_socket", CONF_PATH, CONF_OFF(control_socket),
	  0, 0, NULL, "convened.sock",
	  "Unix socket for convenectl, relative to state_directory; "
	  "mode 0600." },
	{ "daemon", "shutdown_timeout", CONF_INT, CONF_OFF(shutdown_timeout),
	  1, 600, NULL, "10",
	  "Seconds to finish work in flight after SIGTERM." },
	{ "daemon", "log_level", CONF_ENUM, CONF_OFF(log_level),
	  0, 0, conf_log_levels, "info",
	  "debug, info, warning or error: the least that is logged "
	  "(each -v shows one level more)." },

	{ "daemon", "templates", CONF_PATH, CONF_OFF(templates),
	  0, 0, NULL, SYSCONFDIR "/convene/templates",
	  "Folder of message templates, one folder per language; "
	  "reloaded on SIGHUP." },

	{ "daemon", "phone_country", CONF_STRING, CONF_OFF(phone_country),
	  0, 0, NULL, "44",
	  "Calling code for phone numbers written the national way, "
	  "such as 07700 900123: 44 for the United Kingdom." },

	{ "http", "listen", CONF_LISTEN, CONF_OFF(listen),
	  0, 0, NULL, "127.0.0.1:8080",
	  "Comma-separated addresses to serve HTTP on: 127.0.0.1:8080, "
	  "[::1]:8080. Ignored when systemd passes sockets." },
	{ "http", "base_url", CONF_URL, CONF_OFF(base_url),
	  0, 0, conf_http_schemes, NULL,
	  "The address people reach convene at, used in links. Default: "
	  "http:// and the first listen address." },
	{ "http", "max_body_size", CONF_INT, CONF_OFF(http_max_body),
	  1024, 16777216, NULL, "1048576",
	  "Largest request body in bytes; larger gets 413." },
	{ "http", "max_header_size", CONF_INT, CONF_OFF(http_max_headers),
	  1024, 65536, NULL, "8192",
	  "Largest request head (request line and headers) in bytes." },
	{ "http", "timeout", CONF_INT, CONF_OFF(http_timeout),
	  1, 3600, NULL, "30",
	  "Seconds a connection may stay idle, or stall in a read or write, "
	  "before it is closed." },
	{ "http", "request_timeout", CONF_INT, CONF_OFF(http_request_timeout),
	  1, 600, NULL, "10",
	  "Seconds a client has to send a whole request, counted from "
	  "the connection's start or its previous reply, however slowly "
	  "it trickles in." },

	{ "mail", "spool", CONF_PATH, CONF_OFF(mail_spool),
	  0, 0, NULL, "spool/mail",
	  "Folder that receives each email as a file while smtp_url is "
	  "empty; relative to state_directory." },
	{ "mail", "smtp_url", CONF_URL, CONF_OFF(smtp_url),
	  0, 0, conf_smtp_schemes, "",
	  "SMTP server, smtp://host:587 or smtps://host:465; empty: "
	  "the spool." },
	{ "mail", "smtp_username", CONF_STRING, CONF_OFF(smtp_username),
	  0, 0, NULL, "",
	  "User name for SMTP AUTH; empty: no AUTH." },
	{ "mail", "smtp_password_file", CONF_SECRET,
	  CONF_OFF(smtp_password_file), 0, 0, NULL, "",
	  "File holding the SMTP password; must not be readable by group "
	  "or others." },
	{ "mail", "from", CONF_STRING, CONF_OFF(mail_from),
	  0, 0, NULL, "convene@localhost",
	  "Sender address of every email." },
	{ "mail", "starttls", CONF_ENUM, CONF_OFF(smtp_starttls),
	  0, 0, conf_starttls, "required",
	  "For smtp:// servers: required refuses to send without TLS; "
	  "optional uses it when the server offers it." },
	{ "mail", "max_connections", CONF_INT, CONF_OFF(smtp_max_connections),
	  1, 64, NULL, "4",
	  "Most connections open to the SMTP server at once; each is "
	  "reused for the next message." },
	{ "mail", "timeout", CONF_INT, CONF_OFF(smtp_timeout),
	  1, 3600, NULL, "60",
	  "Seconds one message may take to hand over before it counts as a "
	  "temporary failure." },

	{ "sms", "spool", CONF_PATH, CONF_OFF(sms_spool),
	  0, 0, NULL, "spool/sms",
	  "Folder that receives each SMS as a file while gateway_url is "
	  "empty; relative to state_directory." },
	{ "sms", "gateway_url", CONF_URL, CONF_OFF(sms_gateway_url),
	  0, 0, conf_http_schemes, "",
	  "SMS gateway's HTTP address; empty: the spool." },
	{ "sms", "credentials_file", CONF_SECRET,
	  CONF_OFF(sms_credentials_file), 0, 0, NULL, "",
	  "File holding the gateway's user:password or token; must not be "
	  "readable by group or others." },
	{ "sms", "gateway", CONF_ENUM, CONF_OFF(sms_gateway),
	  0, 0, conf_sms_gateways, "kannel",
	  "kannel: Kannel's sendsms interface, with delivery reports; http: "
	  "a provider's HTTP API, shaped by the options below." },
	{ "sms", "from", CONF_STRING, CONF_OFF(sms_from),
	  0, 0, NULL, "",
	  "Sender number or name; empty: the gateway's own." },
	{ "sms", "auth", CONF_ENUM, CONF_OFF(sms_auth),
	  0, 0, conf_sms_auths, "basic",
	  "For gateway = http: basic (user:password), bearer (a token) or "
	  "none." },
	{ "sms", "format", CONF_ENUM, CONF_OFF(sms_format),
	  0, 0, conf_sms_formats, "form",
	  "For gateway = http: the request body, form-encoded or JSON." },
	{ "sms", "field_to", CONF_STRING, CONF_OFF(sms_field_to),
	  0, 0, NULL, "To",
	  "For gateway = http: the field holding the number." },
	{ "sms", "field_from", CONF_STRING, CONF_OFF(sms_field_from),
	  0, 0, NULL, "From",
	  "For gateway = http: the field holding the sender." },
	{ "sms", "field_text", CONF_STRING, CONF_OFF(sms_field_text),
	  0, 0, NULL, "Body",
	  "For gateway = http: the field holding the text." },
	{ "sms", "field_callback", CONF_STRING, CONF_OFF(sms_field_callback),
	  0, 0, NULL, "StatusCallback",
	  "For gateway = http: the field holding the delivery report "
	  "address; empty: ask for none." },
	{ "sms", "max_connections", CONF_INT, CONF_OFF(sms_max_connections),
	  1, 64, NULL, "4",
	  "Most requests open to the gateway at once." },
	{ "sms", "timeout", CONF_INT, CONF_OFF(sms_timeout),
	  1, 600, NULL, "30",
	  "Seconds the gateway has to answer before the message counts as "
	  "a temporary failure." },
	{ "sms", "max_segments", CONF_INT, CONF_OFF(sms_max_segments),
	  1, 255, NULL, "4",
	  "Most parts a text may take; at most the gateway's own limit "
	  "(Kannel's max-messages)." },
	{ "sms", "inbound_secret_file", CONF_SECRET,
	  CONF_OFF(sms_inbound_secret_file), 0, 0, NULL, "",
	  "File holding the secret the gateway puts in the address of "
	  "/sms/inbound (key=...), or for gateway = http the token that "
	  "signs the provider's requests; must not be readable by group "
	  "or others. Empty: texts sent back are refused." },

	{ "outbox", "horizon_days", CONF_INT, CONF_OFF(horizon_days),
	  1, 730, NULL, "60",
	  "How far ahead meetings are planned, in days; the horizon rolls "
	  "forward by itself." },
	{ "outbox", "batch", CONF_INT, CONF_OFF(outbox_batch),
	  1, 10000, NULL, "256",
	  "Most messages claimed in one go, between turns of the event "
	  "loop." },
	{ "outbox", "retry_base", CONF_INT, CONF_OFF(retry_base),
	  1, 86400, NULL, "60",
	  "Seconds before the first retry of a temporary failure; each "
	  "retry waits twice as long, with jitter." },
	{ "outbox", "retry_max", CONF_INT, CONF_OFF(retry_max),
	  1, 86400, NULL, "3600",
	  "Longest wait between two retries, in seconds." },
	{ "outbox", "retry_lifetime", CONF_INT, CONF_OFF(retry_lifetime),
	  60, 2592000, NULL, "172800",
	  "Seconds after its due time a message is retried before it is "
	  "dead; never past its meeting's start." },
	{ "outbox", "dry_run", CONF_BOOL, CONF_OFF(dry_run),
	  0, 1, NULL, "no",
	  "yes: render every message and mark it sent without handing it "
	  "to any channel (for trials and benchmarks)." },

	{ "privacy", "retention_days", CONF_INT, CONF_OFF(retention_days),
	  0, 36500, NULL, "365",
	  "Days after a meeting ends that the notes of its answers and the "
	  "details and reasons of its access requests are kept; then they "
	  "are cleared and the rows, which count, stay. 0: kept for "
	  "ever." },

	{ "deadlines", "digest_hour", CONF_INT, CONF_OFF(digest_hour),
	  0, 23, NULL, "8",
	  "Hour of the day, in each group's time zone, at which its "
	  "coordinators get the digest of open access requests." },
	{ "deadlines", "alert_days", CONF_INT, CONF_OFF(alert_days),
	  1, 30, NULL, "2",
	  "Days before an open request's booking deadline that its "
	  "coordinators get an urgent alert, once." },

	{ "security", "signing_key_file", CONF_SECRET,
	  CONF_OFF(signing_key_file), 0, 0, NULL, NULL,
	  "File holding the key that signs links; must not be readable by "
	  "group or others. Empty: signing.key in state_directory, made on "
	  "first start." },

	{ NULL, NULL, 0, 0, 0, 0, NULL, NULL, NULL }
};

#define CONF_NOPTIONS	(sizeof conf_options / sizeof conf_options[0] - 1)

struct conf_parse {
	FILE		*f;
	const char	*file;
	int		 line;
	int		 toolong;	/* longer than inih reads */
	char		*longval;	/* the value of a long line, whole */
	int		 indented;	/* this line starts with white space */
	int		 seen[CONF_NOPTIONS];	/* line it was set on */
	int		 set[CONF_NOPTIONS];	/* and the value was good */
	struct config	*conf;
	struct errlist	 errors;
	int		 lasterror;	/* line of the last error reported */
	int		 section_line;	/* of the last [section] */
};

static void
conf_error(struct conf_parse *p, const char *fmt, ...)
    __attribute__((__format__(printf, 2, 3)));

static void
conf_error(struct conf_parse *p, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	errlist_vadd(&p->errors, p->file, p->line, fmt, ap);
	va_end(ap);
	p->lasterror = p->line;
}

const struct conf_option *
config_find(const char *section, const char *name)
{
	const struct conf_option	*o;

	for (o = conf_options; o->name != NULL; o++) {
		if (strcmp(o->section, section) == 0 &&
		    strcmp(o->name, name) == 0)
			return (o);
	}
	return (NULL);
}

static int
conf_section_known(const char *section)
{
	const struct conf_option	*o;

	for (o = conf_options; o->name != NULL; o++) {
		if (strcmp(o->section, section) == 0)
			return (1);
	}
	return (0);
}

static char **
conf_strp(struct config *conf, const struct conf_option *o)
{
	return ((char **)((char *)conf + o->offset));
}

static int *
conf_intp(struct config *conf, const struct conf_option *o)
{
	return ((int *)((char *)conf + o->offset));
}

static int
conf_has_control(const char *s)
{
	for (; *s != '\0'; s++) {
		if (iscntrl((unsigned char)*s))
			return (1);
	}
	return (0);
}

/*
 * The catalogue when the file has no [need CODE] section: code, lead
 * days, the venue fact it needs, and labels in English, Welsh and Arabic.
 */
static const struct {
	const char	*code;
	int		 lead_days;
	const char	*venue;
	const char	*en, *cy, *ar;
} conf_needs_builtin[] = {
	{ "bsl", 14, NULL,
	    "British Sign Language (BSL) interpreter",
	    "Dehonglydd Iaith Arwyddion Prydain (BSL)",
	    "مترجم لغة الإشارة "
	    "البريطانية (BSL)" },
	{ "captions", 7, NULL,
	    "Speech-to-text or captions",
	    "Trawsgrifio lleferydd neu gapsiynau",
	    "تحويل الكلام إلى نص "
	    "أو ترجمة مكتوبة" },
	{ "easyread", 7, NULL,
	    "Easy Read papers",
	    "Papurau Hawdd eu Darllen",
	    "أوراق بصيغة سهلة القراءة" },
	{ "largeprint", 3, NULL,
	    "Large-print papers",
	    "Papurau print bras",
	    "أوراق بخط كبير" },
	{ "transport", 2, NULL,
	    "Transport to and from the meeting",
	    "Trafnidiaeth i'r cyfarfod ac oddi yno",
	    "مواصلات من وإلى الاجتماع" },
	{ "hearing-loop", 0, "hearing_loop",
	    "A hearing loop",
	    "Dolen sain",
	    "حلقة سمعية" },
	{ "step-free", 0, "step_free",
	    "Step-free access",
	    "Mynediad heb risiau",
	    "مدخل بدون درج" },
	{ "personal-assistant", 0, NULL,
	    "My personal assistant coming with me",
	    "Fy nghynorthwyydd personol yn dod gyda fi",
	    "مساعدي الشخصي يحضر معي" },
	{ "quiet-room", 0, "quiet_room",
	    "A quiet room",
	    "Ystafell dawel",
	    "غرفة هادئة" },
	{ "breaks", 0, NULL,
	    "Regular breaks",
	    "Seibiannau rheolaidd",
	    "استراحات منتظمة" },
};

/* What a venue may have, as the venues table names it. */
static const char *const conf_venue_facts[] = { "step_free",
	"hearing_loop", "quiet_room", "accessible_toilet", NULL };

static struct need_label conf_other_labels[] = {
	{ "en", "Something else" },
	{ "cy", "Rhywbeth arall" },
	{ "ar", "شيء آخر" },
};
static const struct need_kind conf_need_other = {
	"other", 0, NULL, conf_other_labels,
	sizeof conf_other_labels / sizeof conf_other_labels[0], 0
};

static void
conf_need_label_add(struct need_kind *k, const char *lang, const char *text)
{
	if ((k->labels = reallocarray(k->labels, k->nlabels + 1,
	    sizeof *k->labels)) == NULL)
		fatal("reallocarray");
	k->labels[k->nlabels].lang = xstrdup(lang);
	k->labels[k->nlabels].text = xstrdup(text);
	k->nlabels++;
}

static struct need_kind *
conf_need_add(struct config *conf, const char *code, int line)
{
	struct need_kind	*k;

	if ((conf->needs = reallocarray(conf->needs, conf->nneeds + 1,
	    sizeof *conf->needs)) == NULL)
		fatal("reallocarray");
	k = &conf->needs[conf->nneeds++];
	memset(k, 0, sizeof *k);
	k->code = xstrdup(code);
	k->line = line;
	return (k);
}

static void
conf_needs_default(struct config *conf)
{
	struct need_kind	*k;
	size_t			 i;

	for (i = 0; i < sizeof conf_needs_builtin /
	    sizeof conf_needs_builtin[0]; i++) {
		k = conf_need_add(conf, conf_needs_builtin[i].code, 0);
		k->lead_days = conf_needs_builtin[i].lead_days;
		if (conf_needs_builtin[i].venue != NULL)
			k->venue = xstrdup(conf_needs_builtin[i].venue);
		conf_need_label_add(k, "en", conf_needs_builtin[i].en);
		conf_need_label_add(k, "cy", conf_needs_builtin[i].cy);
		conf_need_label_add(k, "ar", conf_needs_builtin[i].ar);
	}
}

static int
conf_need_code_ok(const char *s)
{
	size_t	n = strlen(s);

	return (n >= 1 && n <= 32 && strspn(s,
	    "abcdefghijklmnopqrstuvwxyz0123456789-") == n);
}

static int
conf_lang_ok(const char *s)
{
	size_t	n = strlen(s);

	return (n >= 2 && n <= 8 && strspn(s,
	    "abcdefghijklmnopqrstuvwxyz-") == n && s[0] != '-');
}

/* One line of a [need CODE] section. */
static int
conf_need_line(struct conf_parse *p, const char *code, const char *name,
    const char *value)
{
	struct need_kind	*k = NULL;
	const char		*lang = NULL;
	const char *const	*f;
	char			*ep;
	size_t			 i;
	long long		 n;

	if (!conf_need_code_ok(code) || strcmp(code, "other") == 0) {
		if (p->lasterror != p->line)
			conf_error(p, "[need %s]: a need's code is 1 to 32 of "
			    "a-z, 0-9 and '-', and not 'other'", code);
		return (0);
	}
	for (i = 0; i < p->conf->nneeds; i++) {
		if (strcmp(p->conf->needs[i].code, code) == 0)
			k = &p->conf->needs[i];
	}
	if (k == NULL)
		k = conf_need_add(p->conf, code, p->section_line);
	if (conf_has_control(value)) {
		conf_error(p, "[need %s] %s: control characters are not "
		    "allowed", code, name);
		return (0);
	}
	if (strcmp(name, "label") == 0)
		lang = "en";
	else if (strncmp(name, "label_", 6) == 0) {
		lang = name + 6;
		if (!conf_lang_ok(lang)) {
			conf_error(p, "[need %s] %s: '%s' is not a language "
			    "tag such as cy", code, name, lang);
			return (0);
		}
	}
	if (lang != NULL) {
		for (i = 0; i < k->nlabels; i++) {
			if (strcmp(k->labels[i].lang, lang) == 0) {
				conf_error(p, "[need %s] %s is already set",
				    code, name);
				return (0);
			}
		}
		if (*value == '\0' || strlen(value) > 200) {
			conf_error(p, "[need %s] %s: a label is 1 to 200 "
			    "characters", code, name);
			return (0);
		}
		conf_need_label_add(k, lang, value);
		return (1);
	}
	if (strcmp(name, "lead_days") == 0) {
		errno = 0;
		n = strtoll(value, &ep, 10);
		if (*value == '\0' || *ep != '\0' || errno == ERANGE ||
		    n < 0 || n > 365) {
			conf_error(p, "[need %s] lead_days: '%s' is not a "
			    "number of days from 0 to 365", code, value);
			return (0);
		}
		k->lead_days = (int)n;
		return (1);
	}
	if (strcmp(name, "venue") == 0) {
		for (f = conf_venue_facts; *f != NULL; f++) {
			if (strcmp(*f, value) == 0)
				break;
		}
		if (*f == NULL) {
			conf_error(p, "[need %s] venue: '%s' is not one of "
			    "step_free, hearing_loop, quiet_room, "
			    "accessible_toilet", code, value);
			return (0);
		}
		free(k->venue);
		k->venue = xstrdup(value);
		return (1);
	}
	conf_error(p, "unknown option '%s' in [need %s] (label, label_LANG, "
	    "lead_days or venue)", name, code);
	return (0);
}

const struct need_kind *
config_need(const struct config *conf, const char *code)
{
	size_t	i;

	if (code == NULL)
		return (NULL);
	if (strcmp(code, "other") == 0)
		return (&conf_need_other);
	for (i = 0; i < conf->nneeds; i++) {
		if (strcmp(conf->needs[i].code, code) == 0)
			return (&conf->needs[i]);
	}
	return (NULL);
}

const char *
config_need_label(const struct need_kind *k, const char *lang)
{
	const char	*en = k->code;
	size_t		 i;

	for (i = 0; i < k->nlabels; i++) {
		if (lang != NULL && strcmp(k->labels[i].lang, lang) == 0)
			return (k->labels[i].text);
		if (strcmp(k->labels[i].lang, "en") == 0)
			en = k->labels[i].text;
	}
	return (en);
}

/* Check one "address:port" and leave a normalised copy in *out. */
static int
conf_listen_one(const char *spec, char **out, char **why)
{
	char		 host[INET6_ADDRSTRLEN + 1];
	const char	*port, *end;
	char		*ep;
	long		 n;
	size_t		 len;
	unsigned char	 buf[sizeof(struct in6_addr)];
	int		 v6 = 0;

	if (spec[0] == '[') {
		if ((end = strchr(spec, ']')) == NULL || end[1] != ':') {
			*why = xprintf("'%s' is not [IPv6]:port", spec);
			return (-1);
		}
		len = end - spec - 1;
		port = end + 2;
		spec++;
		v6 = 1;
	} else {
		if ((end = strrchr(spec, ':')) == NULL) {
			*why = xprintf("'%s' has no port (address:port)", spec);
			return (-1);
		}
		len = end - spec;
		port = end + 1;
	}
	if (len == 0 || len >= sizeof host) {
		*why = xprintf("'%s' has no address", spec);
		return (-1);
	}
	memcpy(host, spec, len);
	host[len] = '\0';
	if (!v6 && strcmp(host, "localhost") == 0)
		snprintf(host, sizeof host, "127.0.0.1");
	if (inet_pton(v6 ? AF_INET6 : AF_INET, host, buf) != 1) {
		*why = xprintf("'%s' is not a numeric IP%s address (names are "
		    "not looked up)", host, v6 ? "v6" : "v4");
		return (-1);
	}
	errno = 0;
	n = strtol(port, &ep, 10);
	if (*port == '\0' || *ep != '\0' || errno != 0 || n < 1 ||
	    n > 65535) {
		*why = xprintf("'%s' is not a port from 1 to 65535", port);
		return (-1);
	}
	*out = v6 ? xprintf("[%s]:%ld", host, n) : xprintf("%s:%ld", host, n);
	return (0);
}

static void
conf_free_listen(struct config *conf)
{
	size_t	i;

	for (i = 0; i < conf->nlisten; i++)
		free(conf->listen[i]);
	free(conf->listen);
	conf->listen = NULL;
	conf->nlisten = 0;
}

static int
conf_set_listen(struct conf_parse *p, const struct conf_option *o,
    const char *value)
{
	char	*copy, *tok, *save, *one, *why = NULL;
	char	**list = NULL;
	size_t	 n = 0, i;

	copy = xstrdup(value);
	for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if (conf_listen_one(tok, &one, &why) != 0) {
			conf_error(p, "[%s] %s: %s", o->section, o->name, why);
			free(why);
			goto fail;
		}
		for (i = 0; i < n; i++) {
			if (strcmp(list[i], one) == 0)
				break;
		}
		if (i < n) {
			conf_error(p, "[%s] %s: %s is listed twice",
			    o->section, o->name, one);
			free(one);
			goto fail;
		}
		if ((list = reallocarray(list, n + 1, sizeof *list)) == NULL)
			fatal("reallocarray");
		list[n++] = one;
	}
	if (n == 0) {
		conf_error(p, "[%s] %s: needs at least one address:port",
		    o->section, o->name);
		goto fail;
	}
	free(copy);
	conf_free_listen(p->conf);
	p->conf->listen = list;
	p->conf->nlisten = n;
	return (0);
fail:
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
	free(copy);
	return (-1);
}

/* Parse one value into the struct; report what is wrong with it. */
static int
conf_set(struct conf_parse *p, const struct conf_option *o,
    const char *value)
{
	const char *const	*c;
	char			*ep, **sp;
	long long		 n;
	size_t			 len;

	if (conf_has_control(value)) {
		conf_error(p, "[%s] %s: control characters are not allowed",
		    o->section, o->name);
		return (-1);
	}
	switch (o->type) {
	case CONF_INT:
		errno = 0;
		n = strtoll(value, &ep, 10);
		if (*value == '\0' || *ep != '\0' || errno == ERANGE) {
			conf_error(p, "[%s] %s: '%s' is not a whole number",
			    o->section, o->name, value);
			return (-1);
		}
		if (n < o->min || n > o->max) {
			conf_error(p, "[%s] %s: %lld is out of range "
			    "(%lld to %lld)", o->section, o->name, n, o->min,
			    o->max);
			return (-1);
		}
		*conf_intp(p->conf, o) = (int)n;
		return (0);
	case CONF_BOOL:
		if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0 ||
		    strcmp(value, "on") == 0 || strcmp(value, "1") == 0)
			*conf_intp(p->conf, o) = 1;
		else if (strcmp(value, "no") == 0 ||
		    strcmp(value, "false") == 0 || strcmp(value, "off") == 0 ||
		    strcmp(value, "0") == 0)
			*conf_intp(p->conf, o) = 0;
		else {
			conf_error(p, "[%s] %s: '%s' is not yes or no",
			    o->section, o->name, value);
			return (-1);
		}
		return (0);
	case CONF_LISTEN:
		return (conf_set_listen(p, o, value));
	case CONF_ENUM:
		for (c = o->choices; *c != NULL; c++) {
			if (strcmp(*c, value) == 0)
				break;
		}
		if (*c == NULL) {
			char	*list = xstrdup(""), *t;

			for (c = o->choices; *c != NULL; c++) {
				t = xprintf("%s%s%s", list, c == o->choices ?
				    "" : c[1] == NULL ? " or " : ", ", *c);
				free(list);
				list = t;
			}
			conf_error(p, "[%s] %s: '%s' is not one of %s",
			    o->section, o->name, value, list);
			free(list);
			return (-1);
		}
		break;
	case CONF_URL:
		if (*value == '\0')
			break;
		for (c = o->choices; *c != NULL; c++) {
			len = strlen(*c);
			if (strncmp(value, *c, len) == 0 &&
			    strncmp(value + len, "://", 3) == 0 &&
			    value[len + 3] != '\0' && value[len + 3] != '/')
				break;
		}
		if (*c == NULL) {
			conf_error(p, "[%s] %s: '%s' is not a %s:// or %s:// "
			    "address", o->section, o->name, value,
			    o->choices[0], o->choices[1]);
			return (-1);
		}
		if (strpbrk(value, " \t\"<>") != NULL) {
			conf_error(p, "[%s] %s: '%s' has characters a URL "
			    "cannot hold", o->section, o->name, value);
			return (-1);
		}
		break;
	case CONF_PATH:
	case CONF_SECRET:
	case CONF_STRING:
		break;
	}
	sp = conf_strp(p->conf, o);
	free(*sp);
	*sp = xstrdup(value);
	return (0);
}

static int
conf_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct conf_parse		*p = arg;
	const struct conf_option	*o, *other;
	size_t				 i;

	if (p->toolong)
		return (1);	/* already reported by the reader */
	if (strcmp(value, "\001") == 0 && p->longval != NULL)
		value = p->longval;
	if (p->indented && p->lasterror != p->line) {
		conf_error(p, "this indented line continues '%s' above; "
		    "remove the leading white space", name);
		return (0);
	}
	if (*section == '\0') {
		conf_error(p, "'%s' is outside any [section]", name);
		return (0);
	}
	if (strncmp(section, "need ", 5) == 0)
		return (conf_need_line(p, section + 5, name, value));
	if ((o = config_find(section, name)) == NULL) {
		other = NULL;
		for (o = conf_options; o->name != NULL; o++) {
			if (strcmp(o->name, name) == 0) {
				other = o;
				break;
			}
		}
		if (!conf_section_known(section))
			conf_error(p, "unknown section [%s]", section);
		else if (other != NULL)
			conf_error(p, "unknown option '%s' in [%s] (it belongs "
			    "in [%s])", name, section, other->section);
		else
			conf_error(p, "unknown option '%s' in [%s]", name,
			    section);
		return (0);
	}
	i = o - conf_options;
	if (p->seen[i] != 0) {
		conf_error(p, "[%s] %s is already set on line %d",
		    o->section, o->name, p->seen[i]);
		return (0);
	}
	p->seen[i] = p->line;
	if (conf_set(p, o, value) != 0)
		return (0);
	p->set[i] = 1;
	return (1);
}

/*
 * A line longer than inih's buffer (a path deep in the file system): the
 * rest is read here, and inih is handed "name = \001" while the value
 * waits in longval for conf_handler.  Only "name = value" lines may be so
 * long; -1 for any other, with the line read to its end.
 */
static int
conf_long_line(struct conf_parse *p, char *str, int num)
{
	char	*line = NULL, *eq, *name, *value, *end;
	size_t	 cap = 0;
	ssize_t	 n;

	n = getline(&line, &cap, p->f);
	if (n < 0)
		n = 0;
	end = xprintf("%s%.*s", str, (int)n, n > 0 ? line : "");
	free(line);
	end[strcspn(end, "\r\n")] = '\0';
	name = end + strspn(end, " \t");
	if (*name == '[' || *name == '#' || *name == ';' ||
	    (eq = strpbrk(name, "=:")) == NULL) {
		free(end);
		return (-1);
	}
	*eq = '\0';
	value = eq + 1;
	value += strspn(value, " \t");
	while (eq > name && (eq[-1] == ' ' || eq[-1] == '\t'))
		*--eq = '\0';
	/* A comment after the value, as inih takes one: " ;". */
	if ((eq = strstr(value, " ;")) != NULL || (eq = strstr(value,
	    "\t;")) != NULL)
		*eq = '\0';
	for (eq = value + strlen(value); eq > value && (eq[-1] == ' ' ||
	    eq[-1] == '\t'); )
		*--eq = '\0';
	if (*name == '\0' || strlen(name) + 6 > (size_t)num) {
		free(end);
		return (-1);
	}
	free(p->longval);
	p->longval = xstrdup(value);
	snprintf(str, num, "%s = \001\n", name);
	free(end);
	return (0);
}

/* fgets for inih that counts lines and catches the ones it would split. */
static char *
conf_reader(char *str, int num, void *arg)
{
	struct conf_parse	*p = arg;
	size_t			 len;
	char			*s;

	if (fgets(str, num, p->f) == NULL)
		return (NULL);
	p->line++;
	p->toolong = 0;
	p->indented = (str[0] == ' ' || str[0] == '\t') &&
	    str[strspn(str, " \t\r\n")] != '\0' &&
	    str[strspn(str, " \t")] != '#' &&
	    str[strspn(str, " \t")] != ';';
	len = strlen(str);
	if (len > 0 && str[len - 1] != '\n' && !feof(p->f)) {
		if (conf_long_line(p, str, num) == 0)
			return (str);
		conf_error(p, "line is longer than %d characters and is not "
		    "'name = value'", num - 2);
		p->toolong = 1;
		str[0] = '\0';
		return (str);
	}
	/* Catch every line inih cannot read, not just its first. */
	s = str + strspn(str, " \t");
	if (*s == '\0' || *s == '\n' || *s == '\r' || *s == '#' || *s == ';')
		return (str);
	if (*s == '[')
		p->section_line = p->line;
	if (*s == '[' ? strchr(s, ']') == NULL :
	    strpbrk(s, "=:") == NULL)
		conf_error(p, "expected 'name = value' or '[section]'");
	return (str);
}

static int
conf_resolve(char **path, const char *dir)
{
	char	*abs;

	if (*path == NULL || **path == '\0' || **path == '/')
		return (0);
	abs = xprintf("%s/%s", dir, *path);
	free(*path);
	*path = abs;
	return (0);
}

/* A secret must be a regular file that only its owner can read. */
static void
conf_check_secret(struct conf_parse *p, const struct conf_option *o)
{
	const char	*path = *conf_strp(p->conf, o);
	struct stat	 sb;
	int		 fd;

	if (path == NULL || *path == '\0' || !p->set[o - conf_options])
		return;
	p->line = p->seen[o - conf_options];
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		conf_error(p, "[%s] %s: cannot open %s: %s", o->section,
		    o->name, path, strerror(errno));
		return;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode))
		conf_error(p, "[%s] %s: %s is not a regular file", o->section,
		    o->name, path);
	else if ((sb.st_mode & (S_IRWXG | S_IRWXO)) != 0)
		conf_error(p, "[%s] %s: %s is readable by group or others "
		    "(mode %04o); chmod 600 it", o->section, o->name, path,
		    (unsigned)(sb.st_mode & 07777));
	close(fd);
}

/* Fill what the file left out and check what depends on more than one. */
static void
conf_finish(struct conf_parse *p)
{
	struct config			*conf = p->conf;
	const struct conf_option	*o;
	const char			*env;
	char				*dir;
	size_t				 i;

	for (o = conf_options, i = 0; o->name != NULL; o++, i++) {
		/* A bad value was reported; the default keeps us sane. */
		if (p->set[i] || o->def == NULL)
			continue;
		p->line = 0;
		if (conf_set(p, o, o->def) != 0)
			fatalx("default of [%s] %s is invalid", o->section,
			    o->name);
	}

	if (conf->state_directory == NULL || *conf->state_directory == '\0') {
		free(conf->state_directory);
		env = getenv("STATE_DIRECTORY");
		if (env != NULL && *env != '\0') {
			/* systemd may list several, separated by ':'. */
			dir = xstrdup(env);
			dir[strcspn(dir, ":")] = '\0';
			conf->state_directory = dir;
		} else
			conf->state_directory = xstrdup(LOCALSTATEDIR
			    "/lib/convene");
	}
	if (conf->state_directory[0] != '/') {
		p->line = p->seen[config_find("daemon", "state_directory") -
		    conf_options];
		conf_error(p, "[daemon] state_directory: '%s' is not an "
		    "absolute path", conf->state_directory);
	}
	for (o = conf_options; o->name != NULL; o++) {
		if (o->type == CONF_PATH || o->type == CONF_SECRET) {
			if (o->offset != CONF_OFF(state_directory))
				conf_resolve(conf_strp(conf, o),
				    conf->state_directory);
		}
	}
	if (conf->signing_key_file == NULL ||
	    *conf->signing_key_file == '\0') {
		free(conf->signing_key_file);
		conf->signing_key_file = xprintf("%s/signing.key",
		    conf->state_directory);
	}
	i = strspn(conf->phone_country, "0123456789");
	if (i < 1 || i > 3 || conf->phone_country[i] != '\0' ||
	    conf->phone_country[0] == '0') {
		p->line = p->seen[config_find("daemon", "phone_country") -
		    conf_options];
		conf_error(p, "[daemon] phone_country: '%s' is not a calling "
		    "code such as 44", conf->phone_country);
	}
	if (conf->base_url == NULL)
		conf->base_url = xprintf("http://%s", conf->listen[0]);
	else if (conf->base_url[0] != '\0') {
		i = strlen(conf->base_url);
		if (conf->base_url[i - 1] == '/')
			conf->base_url[i - 1] = '\0';
	}
	if (conf->smtp_username != NULL && *conf->smtp_username != '\0' &&
	    *conf->smtp_password_file == '\0') {
		p->line = p->seen[config_find("mail", "smtp_username") -
		    conf_options];
		conf_error(p, "[mail] smtp_username is set but "
		    "smtp_password_file is not");
	}
	for (o = conf_options; o->name != NULL; o++) {
		if (o->type == CONF_SECRET)
			conf_check_secret(p, o);
	}
	if (conf->nneeds == 0)
		conf_needs_default(conf);
	for (i = 0; i < conf->nneeds; i++) {
		if (config_need_label(&conf->needs[i], "en") ==
		    conf->needs[i].code) {
			p->line = conf->needs[i].line;
			conf_error(p, "[need %s] has no label (the English "
			    "one)", conf->needs[i].code);
		}
	}
}

static struct config *
conf_run(const char *path, char **cause)
{
	struct conf_parse	 p;
	struct config		*conf;
	struct stat		 sb;
	int			 ret;

	memset(&p, 0, sizeof p);
	conf = xcalloc(1, sizeof *conf);
	p.conf = conf;
	if (path != NULL) {
		conf->path = xstrdup(path);
		p.file = path;
		if ((p.f = fopen(path, "re")) == NULL) {
			cause_set(cause, "%s: cannot open: %s", path,
			    strerror(errno));
			goto fail;
		}
		if (fstat(fileno(p.f), &sb) == -1 || !S_ISREG(sb.st_mode)) {
			cause_set(cause, "%s: not a regular file", path);
			goto fail;
		}
		ret = ini_parse_stream(conf_reader, &p, conf_handler, &p);
		if (ferror(p.f)) {
			cause_set(cause, "%s: cannot read: %s", path,
			    strerror(errno));
			goto fail;
		}
		/* inih returns the first line that failed, ours or its. */
		if (ret > 0 && p.errors.count == 0) {
			p.line = ret;
			conf_error(&p, "expected 'name = value' or "
			    "'[section]'");
		}
		fclose(p.f);
		p.f = NULL;
		free(p.longval);
		p.longval = NULL;
	}
	conf_finish(&p);
	if (p.errors.count != 0) {
		cause_set(cause, "%s", p.errors.text);
		goto fail;
	}
	free(p.errors.text);
	return (conf);
fail:
	if (p.f != NULL)
		fclose(p.f);
	free(p.longval);
	free(p.errors.text);
	config_free(conf);
	return (NULL);
}

struct config *
config_default(char **cause)
{
	return (conf_run(NULL, cause));
}

struct config *
config_load(const char *path, char **cause)
{
	return (conf_run(path, cause));
}

void
config_free(struct config *conf)
{
	const struct conf_option	*o;
	size_t				 i, j;

	if (conf == NULL)
		return;
	for (o = conf_options; o->name != NULL; o++) {
		switch (o->type) {
		case CONF_STRING:
		case CONF_PATH:
		case CONF_SECRET:
		case CONF_URL:
		case CONF_ENUM:
			free(*conf_strp(conf, o));
			break;
		case CONF_LISTEN:
			conf_free_listen(conf);
			break;
		case CONF_INT:
		case CONF_BOOL:
			break;
		}
	}
	for (i = 0; i < conf->nneeds; i++) {
		for (j = 0; j < conf->needs[i].nlabels; j++) {
			free(conf->needs[i].labels[j].lang);
			free(conf->needs[i].labels[j].text);
		}
		free(conf->needs[i].labels);
		free(conf->needs[i].code);
		free(conf->needs[i].venue);
	}
	free(conf->needs);
	free(conf->path);
	free(conf);
}

/* The value as the file would spell it; for -n -v and the tests. */
char *
config_value_string(const struct config *conf, const struct conf_option *o)
{
	char	*s, *t;
	size_t	 i;

	switch (o->type) {
	case CONF_INT:
		return (xprintf("%d", *(const int *)((const char *)conf +
		    o->offset)));
	case CONF_BOOL:
		return (xstrdup(*(const int *)((const char *)conf +
		    o->offset) ? "yes" : "no"));
	case CONF_LISTEN:
		s = xstrdup("");
		for (i = 0; i < conf->nlisten; i++) {
			t = xprintf("%s%s%s", s, i ? ", " : "",
			    conf->listen[i]);
			free(s);
			s = t;
		}
		return (s);
	default:
		s = *(char *const *)((const char *)conf + o->offset);
		return (xstrdup(s != NULL ? s : ""));
	}
}
