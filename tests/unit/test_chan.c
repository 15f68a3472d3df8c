/*
 * test_chan.c: a channel's trouble is logged once when its cause starts,
 * again only when the cause changes, and once when delivery works again;
 * messages refused for themselves are logged ten a minute at info level
 * and the rest at debug.  The log goes to a file in place of stderr.
 * A delivery report's address and status are read apart from its
 * signature: each form a gateway uses, and each report refused.
 */
#include "config.h"

#include <fcntl.h>

#include "testlib.h"

#include "convene.h"
#include "log.h"
#include "util.h"

static char	log_path[256];
static int	saved_stderr = -1;

/* The log to a fresh file, from here on. */
static void
log_capture(void)
{
	int	fd;

	snprintf(log_path, sizeof log_path, "%s/log", test_dir);
	fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd != -1);
	if (saved_stderr == -1)
		saved_stderr = dup(STDERR_FILENO);
	assert_true(dup2(fd, STDERR_FILENO) != -1);
	close(fd);
	log_init(LOG_TARGET_STDERR, 1);
}

static void
log_release(void)
{
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
}

/* How many lines of the captured log hold s. */
static int
log_lines(const char *s)
{
	char	 line[1024];
	FILE	*f;
	int	 n = 0;

	fflush(stderr);
	f = fopen(log_path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL) {
		if (strstr(line, s) != NULL)
			n++;
	}
	fclose(f);
	return (n);
}

static void
test_trouble_once(void **state)
{
	struct chan_trouble	*t;
	int			 i;

	(void)state;
	log_capture();
	t = chan_trouble_create("mail");
	chan_trouble_ok(t);
	for (i = 0; i < 5; i++)
		chan_trouble_fail(t, "code 451", "the server said 451 (%d)", i);
	chan_trouble_fail(t, "curl 7", "cannot connect");
	chan_trouble_fail(t, "curl 7", "cannot connect");
	chan_trouble_ok(t);
	chan_trouble_ok(t);
	chan_trouble_fail(t, "curl 7", "cannot connect");
	chan_trouble_ok(t);
	chan_trouble_free(t);
	log_release();

	assert_int_equal(log_lines("warning: mail: "), 3);
	assert_int_equal(log_lines("warning: mail: the server said 451 (0); "
	    "messages wait and are retried"), 1);
	assert_int_equal(log_lines("warning: mail: cannot connect; "
	    "messages wait and are retried"), 2);
	assert_int_equal(log_lines("mail: delivering again after"), 2);
	assert_int_equal(log_lines("mail: delivering again after 7 "
	    "failures in "), 1);
	assert_int_equal(log_lines("mail: delivering again after 1 "
	    "failure in "), 1);
}

static void
test_refused_limited(void **state)
{
	struct chan_trouble	*t;
	int			 i;

	(void)state;
	log_capture();
	t = chan_trouble_create("sms");
	for (i = 1; i <= 12; i++)
		chan_trouble_refused(t, i, "the number is not valid");
	/* A refusal is no trouble: nothing to recover from. */
	chan_trouble_ok(t);
	chan_trouble_free(t);
	log_release();

	assert_int_equal(log_lines("convened: sms: outbox row "), 10);
	assert_int_equal(log_lines("convened: sms: outbox row 1 refused: "
	    "the number is not valid\n"), 1);
	assert_int_equal(log_lines("convened: sms: outbox row 10 refused: "
	    "the number is not valid (more refusals this minute are logged "
	    "at debug level)"), 1);
	assert_int_equal(log_lines("convened: debug: sms: outbox row "), 2);
	assert_int_equal(log_lines("warning"), 0);
	assert_int_equal(log_lines("delivering again"), 0);
}

/* The state a report says, or its reason for refusal ("!..."). */
static char *
dlr(const char *query, const char *type, const char *body)
{
	struct sms_dlr	 d;
	char		*why = NULL, *out;

	if (chan_sms_dlr_address(&d, query, &why) != 0)
		out = xprintf("!%s", why);
	else if (chan_sms_dlr_status(&d, type, body, strlen(body),
	    &why) != 0)
		out = xprintf("!%lld.%lld %s", d.id, d.attempt, why);
	else
		out = xprintf("%lld.%lld e=%lld s=%s %s (%s)", d.id,
		    d.attempt, d.expiry, d.sig, d.state, d.status);
	chan_sms_dlr_clear(&d);
	free(why);
	return (out);
}

#define DLR(q, t, b, want)	do {					\
	char	*got = dlr(q, t, b);					\
									\
	assert_string_equal(got, want);					\
	free(got);							\
} while (0)

static void
test_dlr_parse(void **state)
{
	(void)state;
	/* Kannel: the status in the address. */
	DLR("id=12&a=1&e=99&s=sig&status=1", NULL, "",
	    "12.1 e=99 s=sig delivered (1)");
	/* A Twilio-style form: MessageStatus before status. */
	DLR("id=12&a=2&e=99&s=sig", "application/x-www-form-urlencoded",
	    "status=sent&MessageStatus=undelivered",
	    "12.2 e=99 s=sig failed (undelivered)");
	/* JSON; when it has no status, the address's. */
	DLR("id=7&a=1&e=0&s=x", "application/json; charset=utf-8",
	    "{\"status\": \"DELIVRD\"}", "7.1 e=0 s=x delivered (DELIVRD)");
	DLR("id=7&a=1&e=0&s=x&status=queued", "application/json", "{not",
	    "7.1 e=0 s=x accepted (queued)");

	DLR("id=0&a=1&e=1&s=x&status=1", NULL, "", "!a delivery report "
	    "needs id, a, e and s in its address");
	DLR("id=01&a=1&e=1&s=x&status=1", NULL, "", "!a delivery report "
	    "needs id, a, e and s in its address");
	DLR("id=1&a=1000001&e=1&s=x&status=1", NULL, "", "!a delivery "
	    "report needs id, a, e and s in its address");
	DLR("id=1&a=1&e=1", NULL, "", "!a delivery report needs id, a, e "
	    "and s in its address");
	DLR(NULL, NULL, "", "!a delivery report needs id, a, e and s in "
	    "its address");
	DLR("id=1&a=1&e=1&s=x", NULL, "", "!1.1 the delivery report has "
	    "no status");
	DLR("id=1&a=1&e=1&s=x&status=purple", NULL, "", "!1.1 the delivery "
	    "report's status is not one convene knows (purple)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trouble_once),
		cmocka_unit_test(test_refused_limited),
		cmocka_unit_test(test_dlr_parse),
	};

	return (cmocka_run_group_tests(tests, test_setup_dir,
	    test_remove_dir));
}
