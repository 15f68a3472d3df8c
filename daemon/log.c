/*
 * log.c: stderr, syslog or journal logging with errno preserved.
 *
 * Priorities are syslog's.  The verbosity says how far down they are
 * shown: debug at 1 and above, info at 0, warnings at -1, errors at
 * -2; fatal messages always, and the same for every target.  The
 * journal target sends MESSAGE= and PRIORITY= plus any structured fields
 * the caller adds, so that "journalctl MEETING=12" finds every line about
 * one meeting.
 */
#include "config.h"

#include <sys/uio.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#ifdef HAVE_SYSTEMD
#include <systemd/sd-journal.h>
#endif

#include "convene.h"
#include "log.h"

#define LOG_MAX_FIELDS	16	/* sent to the journal with a message */

static enum log_target	log_target = LOG_TARGET_STDERR;
static int		log_verbose;

void
log_init(enum log_target target, int verbose)
{
	log_target = target;
	log_verbose = verbose;
	if (target == LOG_TARGET_SYSLOG)
		openlog("convened", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
}

void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

int
log_getverbose(void)
{
	return (log_verbose);
}

enum log_target
log_gettarget(void)
{
	return (log_target);
}

/* The verbosity a log_level names; 0 (info) for a name it does not know. */
int
log_level_verbose(const char *level)
{
	if (strcmp(level, "debug") == 0)
		return (1);
	if (strcmp(level, "warning") == 0 || strcmp(level, "warn") == 0)
		return (-1);
	if (strcmp(level, "error") == 0)
		return (-2);
	return (0);
}

/* The least verbosity at which a priority is shown. */
static int
log_least(int pri)
{
	switch (pri) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
		return (INT_MIN);
	case LOG_ERR:
		return (-2);
	case LOG_WARNING:
		return (-1);
	case LOG_DEBUG:
		return (1);
	default:
		return (0);
	}
}

static const char *
log_prioname(int pri)
{
	switch (pri) {
	case LOG_CRIT:
		return ("fatal: ");
	case LOG_ERR:
	case LOG_WARNING:
		return ("warning: ");
	case LOG_DEBUG:
		return ("debug: ");
	default:
		return ("");
	}
}

#ifdef HAVE_SYSTEMD
/* One NAME=value more for the journal; -1 when memory ran out. */
static int
log_journal_add(char **s, int *n, const char *name, const char *value)
{
	if (asprintf(&s[*n], "%s=%s", name, value) == -1)
		return (-1);
	(*n)++;
	return (0);
}
#endif

/*
 * To the journal: MESSAGE=, PRIORITY= and the caller's fields.  -1 when
 * the journal refused, there is none or memory ran out, and the caller
 * falls back to stderr; nothing here logs, or allocates through util.c,
 * whose failures are logged.
 */
static int
log_journal(int pri, const struct log_field *fields, const char *msg)
{
#ifdef HAVE_SYSTEMD
	struct iovec	 iov[LOG_MAX_FIELDS + 3];
	char		*s[LOG_MAX_FIELDS + 3], prio[16];
	int		 n = 0, i, rc = -1;

	snprintf(prio, sizeof prio, "%d", pri);
	if (log_journal_add(s, &n, "MESSAGE", msg) != 0 ||
	    log_journal_add(s, &n, "PRIORITY", prio) != 0 ||
	    log_journal_add(s, &n, "SYSLOG_IDENTIFIER", "convened") != 0)
		goto out;
	for (i = 0; fields != NULL && fields[i].name != NULL &&
	    i < LOG_MAX_FIELDS; i++) {
		if (log_journal_add(s, &n, fields[i].name,
		    fields[i].value) != 0)
			goto out;
	}
	for (i = 0; i < n; i++) {
		iov[i].iov_base = s[i];
		iov[i].iov_len = strlen(s[i]);
	}
	rc = sd_journal_sendv(iov, n) < 0 ? -1 : 0;
out:
	for (i = 0; i < n; i++)
		free(s[i]);
	return (rc);
#else
	(void)pri;
	(void)fields;
	(void)msg;
	return (-1);
#endif
}

/* The single place a message leaves the process. */
static void
log_emit(int pri, const struct log_field *fields, const char *msg)
{
	const struct log_field	*f;

	if (log_verbose < log_least(pri))
		return;

	switch (log_target) {
	case LOG_TARGET_JOURNAL:
		if (log_journal(pri, fields, msg) == 0)
			return;
		/* The journal refused: fall back to stderr. */
		/* FALLTHROUGH */
	case LOG_TARGET_STDERR:
		fprintf(stderr, "convened: %s%s", log_prioname(pri), msg);
		for (f = fields; f != NULL && f->name != NULL; f++)
			fprintf(stderr, " %s=%s", f->name, f->value);
		fputc('\n', stderr);
		fflush(stderr);
		return;
	case LOG_TARGET_SYSLOG:
		syslog(pri, "%s%s", log_prioname(pri), msg);
		return;
	}
}

static void	log_vmsg(int, const struct log_field *, int, const char *,
		    va_list) __attribute__((__format__(printf, 4, 0)));

static void
log_vmsg(int pri, const struct log_field *fields, int with_errno,
    const char *fmt, va_list ap)
{
	char	 buf[2048];
	int	 saved_errno = errno;
	size_t	 len;

	/* Not formatted at all when it would not be written. */
	if (log_verbose < log_least(pri))
		return;
	vsnprintf(buf, sizeof buf, fmt, ap);
	if (with_errno) {
		len = strlen(buf);
		snprintf(buf + len, sizeof buf - len, ": %s",
		    strerror(saved_errno));
	}
	log_emit(pri, fields, buf);
	errno = saved_errno;
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_WARNING, NULL, 1, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_WARNING, NULL, 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_INFO, NULL, 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	log_vmsg(LOG_DEBUG, NULL, 0, fmt, ap);
	va_end(ap);
}

void
log_fields(int pri, const struct log_field *fields, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(pri, fields, 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_CRIT, NULL, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_CRIT, NULL, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
