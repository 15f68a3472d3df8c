/*
 * test_config.c: the configuration table, the shipped file and every kind
 * of mistake a person can make in a file, each reported as FILE:LINE.
 */
#include "config.h"

#include "testlib.h"

#include "convene.h"
#include "log.h"
#include "util.h"

static struct config *
load_text(const char *text, char **cause)
{
	const char	*path = test_file("convened.conf", text, 0644);

	*cause = NULL;
	return (config_load(path, cause));
}

/* Load text that must fail; the cause must contain want, with the path. */
static void
expect_error(const char *text, const char *want)
{
	struct config	*conf;
	char		*cause = NULL, *full;

	conf = load_text(text, &cause);
	if (conf != NULL)
		fail_msg("loaded, but wanted \"%s\"", want);
	assert_non_null(cause);
	full = xprintf("%s/convened.conf:%s", test_dir, want);
	if (strstr(cause, full) == NULL)
		fail_msg("wanted \"%s\", got \"%s\"", full, cause);
	free(full);
	free(cause);
}

static void
test_defaults(void **state)
{
	const struct conf_option	*o;
	struct config			*conf;
	char				*cause = NULL, *v, *want;

	(void)state;
	unsetenv("STATE_DIRECTORY");
	conf = config_default(&cause);
	assert_non_null(conf);
	assert_null(conf->path);
	assert_string_equal(conf->state_directory, LOCALSTATEDIR
	    "/lib/convene");
	assert_string_equal(conf->database, LOCALSTATEDIR
	    "/lib/convene/convene.db");
	assert_string_equal(conf->control_socket, LOCALSTATEDIR
	    "/lib/convene/convened.sock");
	assert_int_equal(conf->nlisten, 1);
	assert_string_equal(conf->listen[0], "127.0.0.1:8080");
	assert_string_equal(conf->base_url, "http://127.0.0.1:8080");
	assert_int_equal(conf->shutdown_timeout, 10);
	assert_int_equal(conf->http_max_body, 1048576);
	assert_int_equal(conf->http_max_headers, 8192);
	assert_int_equal(conf->http_timeout, 30);
	assert_int_equal(conf->http_request_timeout, 10);
	assert_string_equal(conf->log_level, "info");
	assert_string_equal(conf->mail_from, "convene@localhost");
	assert_string_equal(conf->smtp_url, "");
	assert_string_equal(conf->signing_key_file, LOCALSTATEDIR
	    "/lib/convene/signing.key");

	/* Every option with a default holds exactly that default. */
	for (o = conf_options; o->name != NULL; o++) {
		if (o->def == NULL)
			continue;
		v = config_value_string(conf, o);
		if ((o->type == CONF_PATH || o->type == CONF_SECRET) &&
		    *o->def != '\0' && *o->def != '/')
			want = xprintf("%s/%s", conf->state_directory, o->def);
		else
			want = xstrdup(o->def);
		if (strcmp(v, want) != 0)
			fail_msg("[%s] %s is '%s', default '%s'", o->section,
			    o->name, v, want);
		free(v);
		free(want);
	}
	config_free(conf);

	/* systemd's StateDirectory= decides when the file does not. */
	setenv("STATE_DIRECTORY", "/srv/a:/srv/b", 1);
	conf = config_default(&cause);
	assert_non_null(conf);
	assert_string_equal(conf->state_directory, "/srv/a");
	assert_string_equal(conf->database, "/srv/a/convene.db");
	config_free(conf);
	unsetenv("STATE_DIRECTORY");
}

/* conf/convened.conf shows every option with its true default. */
static void
test_shipped_file(void **state)
{
	const struct conf_option	*o;
	struct config			*conf, *def;
	const char			*srcdir = getenv("top_srcdir");
	char				*path, *cause = NULL, *a, *b, *needle;
	char				 line[512], section[64] = "";
	FILE				*in, *out;
	char				*text = NULL;
	size_t				 len = 0;
	int				 found;

	(void)state;
	path = xprintf("%s/conf/convened.conf", srcdir ? srcdir : ".");
	in = fopen(path, "r");
	if (in == NULL)
		fail_msg("cannot open %s", path);
	out = open_memstream(&text, &len);
	while (fgets(line, sizeof line, in) != NULL) {
		if (line[0] == '[')
			snprintf(section, sizeof section, "%.*s",
			    (int)strcspn(line + 1, "]"), line + 1);
		/* "#name = value": uncomment it; "#name =" stays out. */
		if (line[0] == '#' && line[1] >= 'a' && line[1] <= 'z' &&
		    strstr(line, " = ") != NULL &&
		    line[strlen(line) - 2] != '=')
			fputs(line + 1, out);
		else
			fputs(line, out);
	}
	fclose(in);
	fclose(out);

	for (o = conf_options; o->name != NULL; o++) {
		needle = xprintf("[%s]", o->section);
		a = strstr(text, needle);
		free(needle);
		if (a == NULL)
			fail_msg("no [%s] in %s", o->section, path);
		needle = xprintf("\n%s =", o->name);
		b = strstr(a, needle);
		found = b != NULL && (strchr(a + 1, '[') == NULL ||
		    b < strstr(a + 1, "\n["));
		needle[0] = '#';
		if (!found) {
			b = strstr(a, needle);
			found = b != NULL;
		}
		if (!found)
			fail_msg("%s does not show [%s] %s", path, o->section,
			    o->name);
		free(needle);
	}

	conf = load_text(text, &cause);
	if (conf == NULL)
		fail_msg("shipped file with defaults uncommented: %s", cause);
	def = config_default(&cause);
	assert_non_null(def);
	for (o = conf_options; o->name != NULL; o++) {
		a = config_value_string(conf, o);
		b = config_value_string(def, o);
		if (strcmp(a, b) != 0)
			fail_msg("%s shows [%s] %s = %s, default is %s", path,
			    o->section, o->name, a, b);
		free(a);
		free(b);
	}
	config_free(conf);
	config_free(def);
	free(text);
	free(path);
}

static void
test_good_file(void **state)
{
	struct config	*conf;
	char		*cause = NULL;
	const char	*secret;

	(void)state;
	secret = test_file("smtp-password", "hunter2\n", 0600);
	(void)secret;
	conf = load_text("# a comment\n"
	    "[daemon]\n"
	    "state_directory = /srv/convene\n"
	    "database = /srv/db/convene.db ; inline comment\n"
	    "log_level = debug\n"
	    "[http]\n"
	    "listen = 127.0.0.1:9000, [::1]:9001, localhost:9002\n"
	    "base_url = https://meet.example.org/\n"
	    "timeout = 3600\n"
	    "[mail]\n"
	    "smtp_url = smtps://mail.example.org:465\n"
	    "smtp_username = convene\n"
	    "smtp_password_file = smtp-password\n", &cause);
	/* The secret is relative to the state folder: not there. */
	assert_null(conf);
	assert_non_null(strstr(cause, "convened.conf:13: [mail] "
	    "smtp_password_file: cannot open /srv/convene/smtp-password"));
	free(cause);

	conf = load_text(
	    "[daemon]\n"
	    "state_directory = /srv/convene\n"
	    "database = /srv/db/convene.db ; inline comment\n"
	    "[http]\n"
	    "listen = 127.0.0.1:9000, [::1]:9001, localhost:9002\n"
	    "base_url = https://meet.example.org/\n"
	    "timeout = 3600\n", &cause);
	if (conf == NULL)
		fail_msg("%s", cause);
	assert_string_equal(conf->database, "/srv/db/convene.db");
	assert_string_equal(conf->control_socket,
	    "/srv/convene/convened.sock");
	assert_int_equal(conf->nlisten, 3);
	assert_string_equal(conf->listen[1], "[::1]:9001");
	assert_string_equal(conf->listen[2], "127.0.0.1:9002");
	assert_string_equal(conf->base_url, "https://meet.example.org");
	assert_int_equal(conf->http_timeout, 3600);
	config_free(conf);
}

static void
test_unknown_key(void **state)
{
	(void)state;
	expect_error("[http]\nlisten = 127.0.0.1:1\nlistne = 1\n",
	    "3: unknown option 'listne' in [http]");
	expect_error("[http]\nspool = x\n",
	    "2: unknown option 'spool' in [http] (it belongs in [mail])");
	expect_error("[htpp]\nlisten = 127.0.0.1:1\n",
	    "2: unknown section [htpp]");
	expect_error("listen = 127.0.0.1:1\n",
	    "1: 'listen' is outside any [section]");
}

static void
test_bad_type(void **state)
{
	(void)state;
	expect_error("[http]\n\n\ntimeout = thirty\n",
	    "4: [http] timeout: 'thirty' is not a whole number");
	expect_error("[http]\ntimeout = 30s\n",
	    "2: [http] timeout: '30s' is not a whole number");
	expect_error("[daemon]\nlog_level = loud\n",
	    "2: [daemon] log_level: 'loud' is not one of debug, info, "
	    "warning, error or warn");
	expect_error("[http]\nlisten = example.org:80\n",
	    "2: [http] listen: 'example.org' is not a numeric IPv4 address");
	expect_error("[http]\nlisten = 127.0.0.1\n",
	    "2: [http] listen: '127.0.0.1' has no port");
	expect_error("[http]\nbase_url = ftp://x\n",
	    "2: [http] base_url: 'ftp://x' is not a http:// or https://");
	expect_error("[mail]\nsmtp_url = http://mail\n",
	    "2: [mail] smtp_url: 'http://mail' is not a smtp:// or smtps://");
	expect_error("[daemon]\nstate_directory = relative/dir\n",
	    "2: [daemon] state_directory: 'relative/dir' is not an absolute");
}

static void
test_out_of_range(void **state)
{
	(void)state;
	expect_error("[http]\ntimeout = 0\n",
	    "2: [http] timeout: 0 is out of range (1 to 3600)");
	expect_error("[http]\nmax_body_size = 99999999999\n",
	    "2: [http] max_body_size: 99999999999 is out of range "
	    "(1024 to 16777216)");
	expect_error("[http]\nlisten = 127.0.0.1:65536\n",
	    "2: [http] listen: '65536' is not a port from 1 to 65535");
	expect_error("[daemon]\nphone_country = +44\n",
	    "2: [daemon] phone_country: '+44' is not a calling code");
	expect_error("[daemon]\nshutdown_timeout = -1\n",
	    "2: [daemon] shutdown_timeout: -1 is out of range (1 to 600)");
}

/* A path deeper than inih's line is read whole, comment and all. */
static void
test_long_value(void **state)
{
	struct config	*c;
	char		 dir[320], text[512];
	char		 path[] = "/tmp/convene-conf.XXXXXX";
	char		*cause = NULL;
	FILE		*f;
	int		 fd;

	(void)state;
	memset(dir, 'd', sizeof dir);
	dir[0] = '/';
	dir[sizeof dir - 1] = '\0';
	snprintf(text, sizeof text, "[daemon]\ntemplates = %s/t ; here\n",
	    dir);
	assert_true((fd = mkstemp(path)) != -1);
	assert_non_null(f = fdopen(fd, "w"));
	fputs(text, f);
	fclose(f);
	c = config_load(path, &cause);
	unlink(path);
	if (c == NULL)
		fail_msg("%s", cause);
	assert_int_equal(strlen(c->templates), strlen(dir) + 2);
	assert_memory_equal(c->templates, dir, strlen(dir));
	assert_string_equal(c->templates + strlen(dir), "/t");
	config_free(c);
}

static void
test_syntax(void **state)
{
	char	long_line[400];

	(void)state;
	expect_error("[http\nlisten = 127.0.0.1:1\n",
	    "1: expected 'name = value' or '[section]'");
	expect_error("[http]\nlisten\n",
	    "2: expected 'name = value' or '[section]'");
	expect_error("[http]\nlisten = 127.0.0.1:1\ntimeout = 5\n"
	    "timeout = 6\n", "4: [http] timeout is already set on line 3");
	expect_error("[http]\nlisten = 127.0.0.1:1\n  timeout = 5\n",
	    "3: this indented line continues 'listen' above");
	snprintf(long_line, sizeof long_line, "[mail]\n%0300d\n"
	    "[http]\ntimeout = 0\n", 7);
	expect_error(long_line, "2: line is longer than 198 characters and "
	    "is not 'name = value'");
	/* Every mistake is reported, not just the first. */
	expect_error(long_line, "4: [http] timeout: 0 is out of range");
	/* Two syntax errors and a bad value: all three, once each. */
	expect_error("[http]\ntimeout = 0\nbogus line\n[mail\n",
	    "2: [http] timeout: 0 is out of range");
	expect_error("[http]\ntimeout = 0\nbogus line\n[mail\n",
	    "3: expected 'name = value' or '[section]'");
	expect_error("[http]\ntimeout = 0\nbogus line\n[mail\n",
	    "4: expected 'name = value' or '[section]'");
	{
		struct config	*c;
		char		*cause = NULL, *q;
		int		 n = 0;

		c = load_text("[http]\ntimeout = 0\nbogus line\n", &cause);
		assert_null(c);
		for (q = cause; (q = strstr(q, "convened.conf:")) != NULL; q++)
			n++;
		if (n != 2)
			fail_msg("wanted two errors, got: %s", cause);
		free(cause);
	}
	expect_error("[mail]\nfrom = a\x01" "b\n",
	    "2: [mail] from: control characters are not allowed");
}

static void
test_unreadable(void **state)
{
	struct config	*conf;
	char		*cause = NULL, *path, *want;

	(void)state;
	path = xprintf("%s/missing.conf", test_dir);
	conf = config_load(path, &cause);
	assert_null(conf);
	want = xprintf("%s: cannot open: No such file or directory", path);
	assert_string_equal(cause, want);
	free(want);
	free(cause);
	free(path);

	cause = NULL;
	conf = config_load(test_dir, &cause);
	assert_null(conf);
	want = xprintf("%s: not a regular file", test_dir);
	assert_string_equal(cause, want);
	free(want);
	free(cause);
}

static void
test_secret_file(void **state)
{
	struct config	*conf;
	char		*cause = NULL, *text;
	const char	*secret;

	(void)state;
	secret = xstrdup(test_file("password", "hunter2\n", 0640));
	text = xprintf("[mail]\nsmtp_username = convene\n"
	    "smtp_password_file = %s\n", secret);
	expect_error(text, "3: [mail] smtp_password_file: ");
	conf = load_text(text, &cause);
	assert_null(conf);
	assert_non_null(strstr(cause, "is readable by group or others "
	    "(mode 0640); chmod 600 it"));
	free(cause);

	test_file("password", "hunter2\n", 0604);
	expect_error(text, "3: [mail] smtp_password_file: ");

	test_file("password", "hunter2\n", 0600);
	conf = load_text(text, &cause);
	if (conf == NULL)
		fail_msg("%s", cause);
	assert_string_equal(conf->smtp_password_file, secret);
	config_free(conf);
	free(text);
	free((char *)secret);

	text = xprintf("[security]\nsigning_key_file = %s/nope\n", test_dir);
	expect_error(text, "2: [security] signing_key_file: cannot open ");
	free(text);

	expect_error("[mail]\nsmtp_username = convene\n",
	    "2: [mail] smtp_username is set but smtp_password_file is not");
}

/*
 * Each log_level is accepted, and the log shows what it names: at
 * warning a warning is printed and an info line is not.
 */
static void
test_log_level(void **state)
{
	static const struct {
		const char	*level;
		int		 debug, info, warning;
	} t[] = {
		{ "debug", 1, 1, 1 },
		{ "info", 0, 1, 1 },
		{ "warning", 0, 0, 1 },
		{ "warn", 0, 0, 1 },
		{ "error", 0, 0, 0 },
	};
	struct config	*conf;
	char		*cause, *text, got[4096];
	const char	*path;
	size_t		 i, n;
	FILE		*f;
	int		 saved;

	(void)state;
	path = test_file("log", "", 0600);
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		text = xprintf("[daemon]\nlog_level = %s\n", t[i].level);
		conf = load_text(text, &cause);
		free(text);
		if (conf == NULL)
			fail_msg("log_level = %s: %s", t[i].level, cause);
		assert_string_equal(conf->log_level, t[i].level);

		fflush(stderr);
		saved = dup(STDERR_FILENO);
		assert_non_null(f = fopen(path, "w+"));
		assert_int_not_equal(dup2(fileno(f), STDERR_FILENO), -1);
		log_setverbose(log_level_verbose(conf->log_level));
		log_debug("a debug line");
		log_info("an info line");
		log_warnx("a warning line");
		fflush(stderr);
		dup2(saved, STDERR_FILENO);
		close(saved);
		log_setverbose(0);
		rewind(f);
		n = fread(got, 1, sizeof got - 1, f);
		got[n] = '\0';
		fclose(f);
		if ((strstr(got, "debug: a debug line") != NULL) !=
		    t[i].debug ||
		    (strstr(got, "convened: an info line") != NULL) !=
		    t[i].info ||
		    (strstr(got, "warning: a warning line") != NULL) !=
		    t[i].warning)
			fail_msg("log_level = %s logged \"%s\"", t[i].level,
			    got);
		config_free(conf);
	}
}

/* The built-in catalogue of needs, and one of the file's own. */
static void
test_needs(void **state)
{
	const struct need_kind	*k;
	struct config		*conf;
	char			*cause = NULL;

	(void)state;
	conf = config_default(&cause);
	assert_non_null(conf);
	assert_int_equal(conf->nneeds, 10);
	k = config_need(conf, "bsl");
	assert_non_null(k);
	assert_int_equal(k->lead_days, 14);
	assert_null(k->venue);
	assert_string_equal(config_need_label(k, "cy"),
	    "Dehonglydd Iaith Arwyddion Prydain (BSL)");
	assert_string_equal(config_need_label(k, "fr"),
	    "British Sign Language (BSL) interpreter");
	k = config_need(conf, "step-free");
	assert_non_null(k);
	assert_string_equal(k->venue, "step_free");
	assert_int_equal(config_need(conf, "captions")->lead_days, 7);
	assert_int_equal(config_need(conf, "transport")->lead_days, 2);
	assert_null(config_need(conf, "bogus"));
	k = config_need(conf, "other");
	assert_non_null(k);
	assert_int_equal(k->lead_days, 0);
	assert_string_equal(config_need_label(k, "en"), "Something else");
	config_free(conf);

	/* A file's catalogue replaces the built-in one. */
	conf = load_text("[need bsl]\nlabel = BSL interpreter\n"
	    "label_cy = Dehonglydd BSL\nlead_days = 21\n"
	    "[need loop]\nlabel = Hearing loop\nvenue = hearing_loop\n",
	    &cause);
	if (conf == NULL)
		fail_msg("%s", cause);
	assert_int_equal(conf->nneeds, 2);
	assert_int_equal(config_need(conf, "bsl")->lead_days, 21);
	assert_string_equal(config_need_label(config_need(conf, "bsl"),
	    "cy"), "Dehonglydd BSL");
	assert_string_equal(config_need(conf, "loop")->venue,
	    "hearing_loop");
	assert_int_equal(config_need(conf, "loop")->lead_days, 0);
	assert_null(config_need(conf, "captions"));
	assert_non_null(config_need(conf, "other"));
	config_free(conf);

	expect_error("[need bsl]\nlead_days = 14\n",
	    "1: [need bsl] has no label");
	expect_error("[need bsl]\nlabel = BSL\nlead_days = 400\n",
	    "3: [need bsl] lead_days: '400' is not a number of days");
	expect_error("[need bsl]\nlabel = BSL\nvenue = lift\n",
	    "3: [need bsl] venue: 'lift' is not one of");
	expect_error("[need bsl]\nlabel = BSL\ncolour = red\n",
	    "3: unknown option 'colour' in [need bsl]");
	expect_error("[need BSL!]\nlabel = BSL\n",
	    "2: [need BSL!]: a need's code is 1 to 32");
	expect_error("[need other]\nlabel = Other\n",
	    "2: [need other]: a need's code");
	expect_error("[need bsl]\nlabel = BSL\nlabel = Again\n",
	    "3: [need bsl] label is already set");
	expect_error("[need bsl]\nlabel = BSL\nlabel_X1 = x\n",
	    "3: [need bsl] label_X1: 'X1' is not a language tag");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_shipped_file),
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_bad_type),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_long_value),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_secret_file),
		cmocka_unit_test(test_log_level),
		cmocka_unit_test(test_needs),
	};

	log_init(LOG_TARGET_STDERR, 0);
	return (cmocka_run_group_tests_name("config", tests, test_setup_dir,
	    test_remove_dir));
}
