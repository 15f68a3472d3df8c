/*
 * systemd.c: everything convened asks of systemd, built only when
 * libsystemd is found: readiness and status (sd_notify), the watchdog,
 * sockets passed by socket activation, and whether stderr is the
 * journal (log.c writes to the journal itself, with fields).  Without
 * systemd each call is a no-op (see convene.h) and convened binds its
 * own sockets and logs to stderr or syslog.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "convene.h"
#include "log.h"
#include "util.h"

/* True when a service manager is waiting to hear from us. */
int
systemd_booted_us(void)
{
	const char	*s = getenv("NOTIFY_SOCKET");

	return (s != NULL && *s != '\0');
}

/* stderr is the journal's stream: systemd.exec(5), $JOURNAL_STREAM. */
int
systemd_journal_wanted(void)
{
	const char		*env = getenv("JOURNAL_STREAM");
	struct stat		 sb;
	unsigned long long	 dev, ino;

	if (env == NULL || sscanf(env, "%llu:%llu", &dev, &ino) != 2)
		return (0);
	if (fstat(STDERR_FILENO, &sb) == -1)
		return (0);
	return ((unsigned long long)sb.st_dev == dev &&
	    (unsigned long long)sb.st_ino == ino);
}

void
systemd_notify(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	if (!systemd_booted_us())
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	if (sd_notify(0, s) < 0)
		log_debug("sd_notify \"%s\" failed", s);
	free(s);
}

/* The watchdog interval systemd wants, in microseconds; 0 for none. */
uint64_t
systemd_watchdog_usec(void)
{
	uint64_t	usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0)
		return (0);
	return (usec);
}

/* Sockets passed by socket activation, from fd 3 on. */
size_t
systemd_listen_fds(int **fdsp)
{
	int	 n, i, *fds;

	*fdsp = NULL;
	if ((n = sd_listen_fds(1)) <= 0)
		return (0);
	fds = xcalloc(n, sizeof *fds);
	for (i = 0; i < n; i++)
		fds[i] = SD_LISTEN_FDS_START + i;
	*fdsp = fds;
	return ((size_t)n);
}
