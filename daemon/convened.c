/*
 * convened.c: start-up, signals and shutdown of the convene daemon.
 *
 * One event_base runs everything.  Start-up reads the configuration, takes
 * the state directory's lock, opens and migrates the store, binds or
 * receives the sockets, then says READY=1.  SIGHUP swaps in a new
 * configuration only when all of it is valid; SIGTERM stops accepting,
 * lets work in flight finish within shutdown_timeout and closes the
 * database cleanly.  Started with --test-clock, it lets a test move its
 * clock over the control socket (POST /test/clock).
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>

#include "convene.h"
#include "curlev.h"
#include "ical.h"
#include "key.h"
#include "log.h"
#include "sched.h"
#include "tmpl.h"
#include "util.h"

#define PLAN_INTERVAL	3600	/* the horizon rolls forward hourly */
#define PLAN_RETRY	5	/* seconds, when the series were not listed */
#define RETAIN_BATCH	500	/* rows of a table cleared in one turn */
#define OPT_TEST_CLOCK	256	/* --test-clock, which has no letter */
#define OPT_COMMIT_EACH	257	/* --test-commit-each */

/*
 * The daemon's state, its own: the modules are handed what they use, the
 * request handlers through ctx, which on_reload keeps current.
 */
struct convened {
	struct event_base	*base;
	struct config		*conf;
	struct store		*store;
	struct http		*http;
	struct outbox		*outbox;
	struct replan		*replan;	/* planning after a change */
	struct deadline		*deadline;	/* coordinators' notices */
	struct store_batch	*batch;		/* group commit */
	struct tmpl_set		*tmpl;
	unsigned char		 signing_key[KEY_BYTES];
	time_t			 started;
	struct timespec		 started_mono;
	struct convene_ctx	 ctx;
};

static struct convened	*convened;

static struct event	*ev_sigterm, *ev_sigint, *ev_sighup;
static struct event	*ev_watchdog, *ev_drain, *ev_plan, *ev_retain;
static double		 drain_deadline;
static int		 stopping;
static int		 lock_fd = -1;
static int		 cmdline_verbose;
static int		 test_clock;	/* --test-clock: tests move the time */
static int		 commit_each;	/* --test-commit-each: no groups */

/* -v logs debug messages whatever log_level says. */
static int
verbosity(const struct config *conf)
{
	if (cmdline_verbose > 0)
		return (cmdline_verbose);
	return (log_level_verbose(conf->log_level));
}

static void __attribute__((__noreturn__))
usage(void)
{
	fprintf(stderr, "usage: convened [-dnVv] [-f file] "
	    "[--test-clock[=epoch]] [--test-commit-each]\n");
	exit(1);
}

static int
mkdir_p(const char *path, mode_t mode)
{
	char	*copy, *p;
	int	 rc = 0;

	copy = xstrdup(path);
	for (p = copy + 1; rc == 0; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		int end = (*p == '\0');
		*p = '\0';
		if (mkdir(copy, mode) == -1 && errno != EEXIST)
			rc = -1;
		if (end)
			break;
		*p = '/';
	}
	free(copy);
	return (rc);
}

/* Take away what mode does not allow; a missing file is not an error. */
static void
tighten(const char *path, mode_t mode)
{
	struct stat	sb;

	if (stat(path, &sb) == -1 || (sb.st_mode & 07777 & ~mode) == 0)
		return;
	if (chmod(path, sb.st_mode & 07777 & mode) == -1)
		log_warn("%s", path);
	else
		log_info("%s: mode %04o tightened to %04o", path,
		    (unsigned)(sb.st_mode & 07777),
		    (unsigned)(sb.st_mode & 07777 & mode));
}

/* One daemon per state directory: two would both send every message. */
static void
take_lock(const struct config *conf)
{
	char	*path, buf[32];
	int	 n;

	path = xprintf("%s/convened.lock", conf->state_directory);
	lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock_fd == -1)
		fatal("%s", path);
	if (flock(lock_fd, LOCK_EX | LOCK_NB) == -1) {
		n = read(lock_fd, buf, sizeof buf - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		fatalx("%s: another convened (pid %s) is using %s", path,
		    *buf ? buf : "?", conf->state_directory);
	}
	if (ftruncate(lock_fd, 0) == 0) {
		n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
		if (pwrite(lock_fd, buf, n, 0) != n)
			log_warn("%s", path);
	}
	free(path);
}

static void
set_status(void)
{
	struct store_counts	 c;
	char			*listen;

	if (convened->store == NULL || convened->http == NULL)
		return;
	listen = http_describe(convened->http);
	if (store_counts(convened->store, &c) == 0)
		systemd_notify("STATUS=Serving %lld groups and %lld people on "
		    "%s", c.groups, c.people, listen);
	else
		systemd_notify("STATUS=Serving on %s; the database did not "
		    "answer", listen);
	free(listen);
}

static void
drain_check(evutil_socket_t fd, short events, void *arg)
{
	struct timeval	tv = { 0, 50000 };
	size_t		n = http_inflight(convened->http) +
			    outbox_inflight(convened->outbox);

	if (n == 0 || mono_seconds() >= drain_deadline) {
		if (n != 0)
			log_warnx("shutdown: %zu requests or messages still "
			    "open after %d seconds; leaving them", n,
			    convened->conf->shutdown_timeout);
		event_base_loopexit(convened->base, NULL);
		return;
	}
	evtimer_add(ev_drain, &tv);
}

static void
on_stop(evutil_socket_t sig, short events, void *arg)
{
	if (stopping++) {
		log_info("second signal: stopping now");
		event_base_loopexit(convened->base, NULL);
		return;
	}
	log_info("received %s, stopping", sig == SIGINT ? "SIGINT" :
	    "SIGTERM");
	systemd_notify("STOPPING=1\nSTATUS=Stopping: finishing work in "
	    "flight");
	http_stop_accepting(convened->http);
	outbox_stop(convened->outbox);
	replan_stop(convened->replan);
	deadline_stop(convened->deadline);
	if (ev_plan != NULL)
		event_del(ev_plan);
	if (ev_retain != NULL)
		event_del(ev_retain);
	drain_deadline = mono_seconds() + convened->conf->shutdown_timeout;
	drain_check(-1, 0, NULL);
}

static int
same_string(const char *a, const char *b)
{
	return (strcmp(a ? a : "", b ? b : "") == 0);
}

/* Keep what only a restart can change, and say so when it differs. */
static void
keep_restart_only(struct config *next, struct config *cur)
{
	char	**a, **b, *tmp, *l1, *l2;
	size_t	  i;
	static const struct {
		const char	*name;
		size_t		 off;
	} keep[] = {
		{ "[daemon] state_directory",
		  offsetof(struct config, state_directory) },
		{ "[daemon] database", offsetof(struct config, database) },
		{ "[daemon] control_socket",
		  offsetof(struct config, control_socket) },
	};
	const struct conf_option *lo = config_find("http", "listen");

	for (i = 0; i < sizeof keep / sizeof keep[0]; i++) {
		a = (char **)((char *)next + keep[i].off);
		b = (char **)((char *)cur + keep[i].off);
		if (!same_string(*a, *b))
			log_warnx("%s changed to %s: it takes effect at the "
			    "next restart", keep[i].name, *a);
		tmp = *a;
		*a = *b;
		*b = tmp;
	}
	l1 = config_value_string(next, lo);
	l2 = config_value_string(cur, lo);
	if (strcmp(l1, l2) != 0) {
		log_warnx("[http] listen changed to %s: it takes effect at "
		    "the next restart", l1);
		{
			char	**tl = next->listen;
			size_t	  tn = next->nlisten;

			next->listen = cur->listen;
			next->nlisten = cur->nlisten;
			cur->listen = tl;
			cur->nlisten = tn;
		}
	}
	free(l1);
	free(l2);
}

static void
on_reload(evutil_socket_t sig, short events, void *arg)
{
	struct config	*next, *cur = convened->conf;
	struct tmpl_set	*tmpl;
	char		*cause = NULL, *line, *save;

	if (cur->path == NULL) {
		log_info("SIGHUP: running on the embedded default; nothing to "
		    "reload");
		return;
	}
	systemd_notify("RELOADING=1\nSTATUS=Reloading %s", cur->path);
	log_info("SIGHUP: reloading %s", cur->path);
	if ((next = config_load(cur->path, &cause)) == NULL) {
		for (line = strtok_r(cause, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save))
			log_warnx("%s", line);
		log_warnx("configuration not reloaded: keeping the one "
		    "loaded before");
		free(cause);
		systemd_notify("READY=1");
		set_status();
		return;
	}
	if ((tmpl = tmpl_load(next->templates, msg_vars, msg_words,
	    &cause)) == NULL) {
		for (line = strtok_r(cause, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save))
			log_warnx("%s", line);
		log_warnx("configuration not reloaded: the templates have "
		    "mistakes; keeping the ones loaded before");
		free(cause);
		config_free(next);
		systemd_notify("READY=1");
		set_status();
		return;
	}
	if (chan_init(convened->base, next, &cause) != 0) {
		log_warnx("%s", cause);
		log_warnx("configuration not reloaded: keeping the one "
		    "loaded before");
		free(cause);
		tmpl_free(tmpl);
		config_free(next);
		systemd_notify("READY=1");
		set_status();
		return;
	}
	keep_restart_only(next, cur);
	http_configure(convened->http, next);
	outbox_configure(convened->outbox, next, tmpl);
	replan_configure(convened->replan, next->horizon_days * 86400);
	deadline_configure(convened->deadline, next);
	tmpl_free(convened->tmpl);
	convened->tmpl = tmpl;
	convened->ctx.tmpl = tmpl;
	log_info("%zu templates loaded from %s", tmpl_count(tmpl),
	    tmpl_source(tmpl));
	log_setverbose(verbosity(next));
	convened->conf = next;
	convened->ctx.conf = next;
	store_batch_catalogue(convened->batch, next);
	config_free(cur);
	log_info("configuration reloaded");
	systemd_notify("READY=1");
	set_status();
}

/*
 * Free text about meetings that ended more than retention_days ago is
 * cleared, with the hourly pass: a batch a turn of the loop, the next
 * at once while there is more.
 */
static void
on_retain(evutil_socket_t fd, short events, void *arg)
{
	struct timeval	 zero = { 0, 0 };
	char		*cause = NULL;
	int		 days = convened->conf->retention_days, n, more;

	if (stopping || days == 0)
		return;
	n = store_privacy_retain(convened->store, clock_now() -
	    (time_t)days * 86400, RETAIN_BATCH, &more, &cause);
	if (n < 0) {
		if (store_failing(convened->store, NULL) == 0)
			log_warnx("retention: %s", cause);
		free(cause);
		return;
	}
	if (n > 0)
		log_info("retention: cleared the text of %d row%s about "
		    "meetings that ended more than %d days ago", n,
		    n == 1 ? "" : "s", days);
	if (more)
		evtimer_add(ev_retain, &zero);
}

/*
 * Roll the horizon forward: every series goes into the planning queue,
 * which records its meetings a series a turn of the loop and plans their
 * reminders a slice at a time, so that a large plan never holds the loop
 * for long; then wait an hour, or a few seconds when the database could
 * not list the series.
 */
static void
on_plan(evutil_socket_t fd, short events, void *arg)
{
	struct timeval	 tv = { PLAN_INTERVAL, 0 };
	json_t		*list, *s;
	char		*cause = NULL;
	size_t		 i;

	if (stopping)
		return;
	if ((list = store_series_list(convened->store, 0, &cause)) == NULL) {
		/* A failing database is logged once, by the store. */
		if (store_failing(convened->store, NULL) != 0)
			log_debug("planning: %s", cause);
		else
			log_warnx("planning: %s", cause);
		free(cause);
		tv.tv_sec = PLAN_RETRY;
		evtimer_add(ev_plan, &tv);
		return;
	}
	json_array_foreach(list, i, s)
		replan_series(convened->replan, jint(s, "id"));
	json_decref(list);
	/* The coordinators' notices too: a safety net for missed kicks. */
	deadline_kick(convened->deadline);
	evtimer_add(ev_plan, &tv);
	tv.tv_sec = 0;
	evtimer_add(ev_retain, &tv);
}

/* A change planned, or a request changed: a pass of the deadlines. */
static void
on_planned(void *arg)
{
	deadline_kick(arg);
}

/*
 * POST /test/clock, for tests only: {"advance": seconds} moves the clock
 * on (a running clock goes on running from there, a stopped one stays
 * stopped), {"set": epoch} stops it at a time, and either way what has
 * come due runs at once, as it would have had that time passed: the
 * outbox looks for due rows again and the horizon is planned again.  An
 * empty object only says the time.  Refused unless convened was started
 * with --test-clock, and, like every control route, over TCP.
 */
static void
on_test_clock(struct evhttp_request *req, const char *route,
    const char *rest, void *arg)
{
	struct convened	*cv = arg;
	struct evbuffer	*b = evhttp_request_get_input_buffer(req);
	struct timeval	 zero = { 0, 0 };
	json_error_t	 err;
	json_t		*o, *adv, *set;
	size_t		 len = evbuffer_get_length(b);

	if (!test_clock) {
		http_error(req, route, 403, "the clock is moved only by "
		    "tests: start convened with --test-clock");
		return;
	}
	o = len == 0 ? json_object() : json_loadb((const char *)
	    evbuffer_pullup(b, -1), len, JSON_REJECT_DUPLICATES, &err);
	if (!json_is_object(o)) {
		json_decref(o);
		http_error(req, route, 400, "the body must be a JSON object");
		return;
	}
	adv = json_object_get(o, "advance");
	set = json_object_get(o, "set");
	if ((adv != NULL && (!json_is_integer(adv) ||
	    json_integer_value(adv) < 0)) || (set != NULL &&
	    (!json_is_integer(set) || json_integer_value(set) <= 0)) ||
	    (adv != NULL && set != NULL)) {
		json_decref(o);
		http_error(req, route, 422, "give \"advance\" (seconds, 0 "
		    "or more) or \"set\" (seconds since the epoch)");
		return;
	}
	if (set != NULL)
		clock_set_fake((time_t)json_integer_value(set));
	else if (adv != NULL)
		clock_skip((time_t)json_integer_value(adv));
	if (adv != NULL || set != NULL) {
		log_info("test clock: now %lld", (long long)clock_now());
		outbox_kick(cv->outbox);
		/* Every series into the planning queue, at the new time. */
		if (!stopping)
			evtimer_add(ev_plan, &zero);
	}
	json_decref(o);
	http_json(req, route, 200, json_pack("{s:I}", "now",
	    (json_int_t)clock_now()));
}

/* Ping the watchdog from the loop itself: a stuck loop stops the pings. */
static void
on_watchdog(evutil_socket_t fd, short events, void *arg)
{
	systemd_notify("WATCHDOG=1");
}

/* Fork, and let the parent exit only once the child is ready or dead. */
static int
daemonize(void)
{
	int	 p[2], fd;
	pid_t	 pid;
	char	 c;

	if (pipe2(p, O_CLOEXEC) == -1)
		fatal("pipe");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid != 0) {
		close(p[1]);
		if (read(p[0], &c, 1) == 1)
			_exit(0);
		fprintf(stderr, "convened: did not start; see the system "
		    "log\n");
		_exit(1);
	}
	close(p[0]);
	if (setsid() == -1)
		fatal("setsid");
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	return (p[1]);
}

static void
daemonize_done(int fd)
{
	int	null;

	if (fd == -1)
		return;
	if (write(fd, "", 1) != 1)
		log_warn("daemonize: telling the parent");
	close(fd);
	if ((null = open("/dev/null", O_RDWR)) != -1) {
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
}

int
main(int argc, char **argv)
{
	struct convened	 state;
	struct config	*conf;
	struct event_config *evcfg;
	const char	*file = NULL;
	char		*cause = NULL, *line, *save, *host, *domain;
	int		 ch, foreground = 0, check = 0, ready_fd = -1;
	int		*fds;
	size_t		 nfds;
	uint64_t	 wd;
	enum log_target	 target;
	long long	 at;
	char		*ep;
	static const struct option longopts[] = {
		{ "test-clock", optional_argument, NULL, OPT_TEST_CLOCK },
		{ "test-commit-each", no_argument, NULL, OPT_COMMIT_EACH },
		{ NULL, 0, NULL, 0 }
	};

	while ((ch = getopt_long(argc, argv, "df:nvV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'd':
			foreground = 1;
			break;
		case 'f':
			file = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'v':
			cmdline_verbose++;
			break;
		case 'V':
			printf("convened %s\n", PACKAGE_VERSION);
			return (0);
		case OPT_TEST_CLOCK:
			test_clock = 1;
			if (optarg == NULL)
				break;
			errno = 0;
			at = strtoll(optarg, &ep, 10);
			if (errno != 0 || ep == optarg || *ep != '\0' ||
			    at <= 0) {
				fprintf(stderr, "convened: --test-clock=%s: "
				    "not seconds since the epoch\n", optarg);
				usage();
			}
			clock_set_fake((time_t)at);
			break;
		case OPT_COMMIT_EACH:
			commit_each = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	log_init(LOG_TARGET_STDERR, cmdline_verbose);
	conf = file ? config_load(file, &cause) : config_default(&cause);
	if (conf == NULL) {
		for (line = strtok_r(cause, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save))
			fprintf(stderr, "%s\n", line);
		free(cause);
		return (1);
	}
	if (check) {
		printf("configuration OK\n");
		config_free(conf);
		return (0);
	}

	if (foreground)
		target = LOG_TARGET_STDERR;
	else if (systemd_journal_wanted())
		target = LOG_TARGET_JOURNAL;
	else if (systemd_booted_us())
		target = LOG_TARGET_STDERR;
	else {
		target = LOG_TARGET_SYSLOG;
		ready_fd = daemonize();
	}
	log_init(target, verbosity(conf));
	signal(SIGPIPE, SIG_IGN);
	/* Past a file size limit, a write fails (EFBIG) and is retried. */
	signal(SIGXFSZ, SIG_IGN);

	memset(&state, 0, sizeof state);
	convened = &state;
	state.conf = conf;
	state.started = clock_now();
	clock_gettime(CLOCK_MONOTONIC, &state.started_mono);

	/*
	 * The state directory holds personal data: whatever umask we were
	 * started with, what we make is not for others, and a directory
	 * made looser before is tightened.
	 */
	umask(027);
	if (mkdir_p(conf->state_directory, 0750) == -1)
		fatal("%s", conf->state_directory);
	tighten(conf->state_directory, 0750);
	take_lock(conf);
	if (mkdir_p(conf->mail_spool, 0750) == -1)
		fatal("%s", conf->mail_spool);
	if (mkdir_p(conf->sms_spool, 0750) == -1)
		fatal("%s", conf->sms_spool);
	tighten(conf->mail_spool, 0750);
	tighten(conf->sms_spool, 0750);

	if (key_load(conf->signing_key_file, state.signing_key, &cause) != 0)
		fatalx("%s", cause);
	msg_set_key(state.signing_key);

	/*
	 * epoll's changelist folds the add/delete of a write event around
	 * each reply into one epoll_ctl, or none: a quarter more feeds a
	 * second under load.
	 */
	if ((evcfg = event_config_new()) == NULL)
		fatalx("event_config_new failed");
	event_config_set_flag(evcfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	state.base = event_base_new_with_config(evcfg);
	event_config_free(evcfg);
	if (state.base == NULL)
		fatalx("event_base_new failed");
	systemd_notify("STATUS=Opening %s", conf->database);
	if ((state.store = store_open(conf->database, &cause)) == NULL)
		fatalx("%s", cause);
	log_info("database %s at schema version %d", conf->database,
	    store_version(state.store));
	msg_set_installation(store_installation(state.store));
	host = ical_url_host(conf->base_url);
	if ((domain = store_uid_domain(state.store, host, &cause)) == NULL)
		fatalx("%s", cause);
	ical_configure(domain);
	free(domain);
	free(host);

	sched_init();
	if ((state.tmpl = tmpl_load(conf->templates, msg_vars,
	    msg_words, &cause)) == NULL) {
		for (line = strtok_r(cause, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save))
			log_warnx("%s", line);
		fatalx("cannot load the templates in %s", conf->templates);
	}
	log_info("%zu templates loaded from %s", tmpl_count(state.tmpl),
	    tmpl_source(state.tmpl));
	if (chan_init(state.base, conf, &cause) != 0)
		fatalx("%s", cause);
	if ((state.outbox = outbox_create(state.base, state.store, conf,
	    state.tmpl, &cause)) == NULL)
		fatalx("%s", cause);
	state.replan = replan_create(state.base, state.store, state.outbox,
	    conf->horizon_days * 86400);
	state.ctx.conf = conf;
	state.ctx.tmpl = state.tmpl;
	state.ctx.store = state.store;
	store_need_catalogue(state.store, conf);
	state.ctx.outbox = state.outbox;
	state.ctx.replan = state.replan;
	state.deadline = deadline_create(state.base, state.store,
	    state.outbox, conf);
	state.ctx.deadline = state.deadline;
	/* A change planned: what coordinators are told may change too. */
	replan_on_idle(state.replan, on_planned, state.deadline);
	/* A request made or changed, by whatever path: a pass at once. */
	store_deadline_watch(state.store, on_planned, state.deadline);
	if ((state.batch = store_batch_create(state.base, state.store,
	    commit_each ? 1 : STORE_BATCH_MAX, &cause)) == NULL)
		fatalx("%s", cause);
	state.ctx.batch = state.batch;
	state.ctx.signing_key = state.signing_key;
	state.ctx.started = state.started;

	systemd_notify("STATUS=Binding sockets");
	if ((state.http = http_create(state.base, &state.ctx,
	    &cause)) == NULL)
		fatalx("%s", cause);
	api_routes(state.http, &state.ctx);
	prefs_routes(state.http, &state.ctx);
	rsvp_routes(state.http, &state.ctx);
	report_routes(state.http, &state.ctx);
	page_routes(state.http);
	feed_routes(state.http, &state.ctx);
	chan_sms_routes(state.http, &state.ctx);
	inbound_routes(state.http, &state.ctx);
	http_route_add(state.http, "/test/clock", "test_clock",
	    HTTP_GET | EVHTTP_REQ_POST, HTTP_ROUTE_CONTROL, on_test_clock,
	    &state);
	nfds = systemd_listen_fds(&fds);
	if (http_listen(state.http, conf, fds, nfds, &cause) != 0)
		fatalx("%s", cause);
	free(fds);

	ev_sigterm = evsignal_new(state.base, SIGTERM, on_stop, NULL);
	ev_sigint = evsignal_new(state.base, SIGINT, on_stop, NULL);
	ev_sighup = evsignal_new(state.base, SIGHUP, on_reload, NULL);
	ev_drain = evtimer_new(state.base, drain_check, NULL);
	ev_plan = evtimer_new(state.base, on_plan, NULL);
	ev_retain = evtimer_new(state.base, on_retain, NULL);
	if (ev_sigterm == NULL || ev_sigint == NULL || ev_sighup == NULL ||
	    ev_drain == NULL || ev_plan == NULL || ev_retain == NULL)
		fatalx("cannot set up signal events");
	evsignal_add(ev_sigterm, NULL);
	evsignal_add(ev_sigint, NULL);
	evsignal_add(ev_sighup, NULL);

	if ((wd = systemd_watchdog_usec()) != 0) {
		struct timeval	tv;

		tv.tv_sec = (wd / 2) / 1000000;
		tv.tv_usec = (wd / 2) % 1000000;
		ev_watchdog = event_new(state.base, -1, EV_PERSIST,
		    on_watchdog, NULL);
		if (ev_watchdog == NULL)
			fatalx("cannot set up the watchdog");
		event_add(ev_watchdog, &tv);
		log_debug("watchdog every %llu ms",
		    (unsigned long long)(wd / 2000));
	}

	metrics_add_collector(store_metrics, state.store);
	metrics_add_collector(outbox_metrics, state.outbox);
	metrics_add_collector(replan_metrics, state.replan);
	metrics_add_collector(store_batch_metrics, state.batch);
	metrics_start(state.base, &state.started_mono);
	store_audit(state.store, "convened", "start", NULL, PACKAGE_VERSION);
	systemd_notify("READY=1");
	set_status();
	log_info("convened %s ready (%s)", PACKAGE_VERSION,
	    conf->path ? conf->path : "embedded default configuration");
	daemonize_done(ready_fd);
	store_serving(state.store);
	if (test_clock)
		log_warnx("--test-clock: the clock may be moved over the "
		    "control socket; for tests only");
	if (commit_each)
		log_warnx("--test-commit-each: each answer is committed "
		    "alone; for benchmarks only");
	/* What is due goes first; the horizon is planned a moment later. */
	outbox_kick(state.outbox);
	{
		struct timeval	tv = { 1, 0 };

		evtimer_add(ev_plan, &tv);
	}

	event_base_dispatch(state.base);

	systemd_notify("STATUS=Closing the database");
	/* Answers that wait are committed and answered while evhttp lives. */
	store_batch_free(state.batch);
	http_free(state.http);
	feed_cache_free();
	ical_configure(NULL);
	metrics_stop();
	/* In flight at a channel: told TEMPFAIL, resent after a restart. */
	chan_shutdown();
	replan_free(state.replan);
	store_deadline_watch(state.store, NULL, NULL);
	deadline_free(state.deadline);
	outbox_free(state.outbox);
	curlev_global_free();
	tmpl_free(state.tmpl);
	event_free(ev_plan);
	event_free(ev_retain);
	store_audit(state.store, "convened", "stop", NULL, NULL);
	store_close(state.store);
	msg_set_installation(NULL);
	if (ev_watchdog != NULL)
		event_free(ev_watchdog);
	event_free(ev_sigterm);
	event_free(ev_sigint);
	event_free(ev_sighup);
	event_free(ev_drain);
	event_base_free(state.base);
	log_info("stopped");
	config_free(state.conf);
	if (lock_fd != -1)
		close(lock_fd);
	return (0);
}
