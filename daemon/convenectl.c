/*
 * convenectl.c: the control tool.  It speaks to convened's HTTP API over
 * the control socket and never opens the database itself, so that every
 * change goes through the daemon's checks and lands in its audit log.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "convene.h"
#include "log.h"

struct ctl {
	const char	*socket;
	int		 json;
};

struct ctl_reply {
	long		 code;
	char		*body;
	size_t		 len;
};

static void __attribute__((__noreturn__))
usage(void)
{
	fprintf(stderr,
	    "usage: convenectl [-j] [-f file | -s socket] command\n"
	    "commands:\n"
	    "  status    what the daemon is doing\n");
	exit(2);
}

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

/* One request to the daemon; exits with a clear message if it is away. */
static json_t *
ctl_request(struct ctl *ctl, const char *method, const char *path,
    long *code)
{
	CURL			*curl;
	CURLcode		 rc;
	struct ctl_reply	 r;
	json_error_t		 jerr;
	json_t			*obj;
	char			*url, errbuf[CURL_ERROR_SIZE] = "";

	memset(&r, 0, sizeof r);
	if ((curl = curl_easy_init()) == NULL) {
		fprintf(stderr, "convenectl: cannot start libcurl\n");
		exit(1);
	}
	url = xprintf("http://localhost%s", path);
	curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, ctl->socket);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, ctl_write);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(curl);
	free(url);
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
		exit(1);
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, code);
	curl_easy_cleanup(curl);
	obj = json_loadb(r.body ? r.body : "", r.len, 0, &jerr);
	if (obj == NULL) {
		fprintf(stderr, "convenectl: convened answered %ld with "
		    "something that is not JSON: %s\n", *code, jerr.text);
		free(r.body);
		exit(1);
	}
	free(r.body);
	if (*code >= 400) {
		fprintf(stderr, "convenectl: %s\n", json_string_value(
		    json_object_get(obj, "reason")) ?
		    json_string_value(json_object_get(obj, "reason")) :
		    "the daemon refused");
		json_decref(obj);
		exit(1);
	}
	return (obj);
}

static int
ctl_status(struct ctl *ctl)
{
	json_t	*o, *c;
	long	 code;
	char	*s;

	o = ctl_request(ctl, "GET", "/api/v1/status", &code);
	if (ctl->json) {
		s = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
		printf("%s\n", s);
		free(s);
		json_decref(o);
		return (0);
	}
	c = json_object_get(o, "counts");
	printf("convened %s, pid %lld, up %lld s\n",
	    json_string_value(json_object_get(o, "version")),
	    (long long)json_integer_value(json_object_get(o, "pid")),
	    (long long)json_integer_value(json_object_get(o,
	    "uptime_seconds")));
	printf("configuration: %s\n",
	    json_string_value(json_object_get(o, "configuration")));
	printf("database:      %s (schema version %lld)\n",
	    json_string_value(json_object_get(o, "database")),
	    (long long)json_integer_value(json_object_get(o,
	    "schema_version")));
	printf("listening:     %s\n",
	    json_string_value(json_object_get(o, "listening")));
	printf("held:          %lld groups, %lld people, %lld memberships\n",
	    (long long)json_integer_value(json_object_get(c, "groups")),
	    (long long)json_integer_value(json_object_get(c, "people")),
	    (long long)json_integer_value(json_object_get(c,
	    "memberships")));
	json_decref(o);
	return (0);
}

int
main(int argc, char **argv)
{
	struct ctl	 ctl;
	struct config	*conf = NULL;
	const char	*file = NULL, *env;
	char		*cause = NULL;
	int		 ch, rc;

	memset(&ctl, 0, sizeof ctl);
	while ((ch = getopt(argc, argv, "f:js:")) != -1) {
		switch (ch) {
		case 'f':
			file = optarg;
			break;
		case 'j':
			ctl.json = 1;
			break;
		case 's':
			ctl.socket = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();

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
			return (1);
		}
		ctl.socket = conf->control_socket;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "convenectl: cannot start libcurl\n");
		return (1);
	}
	if (strcmp(argv[0], "status") == 0) {
		if (argc != 1) {
			fprintf(stderr, "convenectl: status takes no "
			    "arguments\n");
			usage();
		}
		rc = ctl_status(&ctl);
	} else {
		fprintf(stderr, "convenectl: unknown command '%s'\n", argv[0]);
		usage();
	}
	curl_global_cleanup();
	config_free(conf);
	return (rc);
}
