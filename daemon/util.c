/*
 * util.c: small helpers every module uses: allocation that cannot return
 * NULL, the "cause" strings that carry a readable error up to the caller,
 * clocks, the length of text in characters, and the address of a Unix
 * socket.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "log.h"
#include "util.h"

char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		fatal("strdup");
	return (p);
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n, size)) == NULL)
		fatal("calloc");
	return (p);
}

char *
xprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	return (s);
}

/*
 * Characters (Unicode code points) in n bytes of UTF-8: every byte but a
 * continuation byte starts one.  Limits a person sees are in these, so
 * that Arabic or Welsh text gets the room English does.
 */
size_t
utf8_chars(const char *s, size_t n)
{
	size_t	i, c = 0;

	for (i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return (c);
}

/*
 * Whether word is one of the items of a comma-separated list ("email,sms"
 * has "sms", not "sm"); a NULL list has none.
 */
int
list_has(const char *list, const char *word)
{
	size_t		 len = strlen(word);
	const char	*p = list;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, word, len) == 0 &&
		    (p[len] == ',' || p[len] == '\0'))
			return (1);
		p = strchr(p, ',');
		if (p != NULL)
			p++;
	}
	return (0);
}

/*
 * Add one mistake to a list, on a line of its own: "FILE:LINE: reason",
 * "FILE: reason" when line is ERRLIST_NOLINE, the reason alone when file
 * is NULL.
 */
void
errlist_vadd(struct errlist *e, const char *file, int line, const char *fmt,
    va_list ap)
{
	char	*msg, *all;

	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("vasprintf");
	if (file == NULL)
		all = xprintf("%s%s%s", e->text ? e->text : "",
		    e->text ? "\n" : "", msg);
	else if (line == ERRLIST_NOLINE)
		all = xprintf("%s%s%s: %s", e->text ? e->text : "",
		    e->text ? "\n" : "", file, msg);
	else
		all = xprintf("%s%s%s:%d: %s", e->text ? e->text : "",
		    e->text ? "\n" : "", file, line, msg);
	free(e->text);
	free(msg);
	e->text = all;
	e->count++;
}

void
errlist_add(struct errlist *e, const char *file, int line, const char *fmt,
    ...)
{
	va_list	ap;

	va_start(ap, fmt);
	errlist_vadd(e, file, line, fmt, ap);
	va_end(ap);
}

/* Set *cause once: the first reason is the one the user needs. */
void
cause_set(char **cause, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 saved_errno = errno;

	if (cause == NULL || *cause != NULL) {
		errno = saved_errno;
		return;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	*cause = s;
	errno = saved_errno;
}

/* A string field of a JSON object, or "" when absent or not a string. */
const char *
jstr(json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return (s != NULL ? s : "");
}

/* A number field of a JSON object, or 0 when absent. */
long long
jint(json_t *o, const char *key)
{
	return ((long long)json_integer_value(json_object_get(o, key)));
}

double
mono_seconds(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

/*
 * The daemon's one clock for the time of day: every due time, deadline,
 * expiry and timestamp is read from clock_now() (or, with its fraction,
 * wall_seconds()), never from time(3) directly, so that a test can set
 * the time and move it on.  Left to the real clock are the monotonic
 * intervals (mono_seconds(): timeouts, uptime for /metrics) and the
 * absolute deadlines of threads waiting on a condition variable, which
 * pthread_cond_timedwait measures by CLOCK_REALTIME itself.
 */
static time_t	clock_fake;	/* 0: the real clock */
static time_t	clock_ahead;	/* seconds the running clock is put on */

time_t
clock_now(void)
{
	time_t	t;

	if ((t = __atomic_load_n(&clock_fake, __ATOMIC_RELAXED)) != 0)
		return (t);
	return (time(NULL) + __atomic_load_n(&clock_ahead, __ATOMIC_RELAXED));
}

double
wall_seconds(void)
{
	struct timespec	ts;
	time_t		t;

	if ((t = __atomic_load_n(&clock_fake, __ATOMIC_RELAXED)) != 0)
		return ((double)t);
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9 +
	    (double)__atomic_load_n(&clock_ahead, __ATOMIC_RELAXED));
}

/* For tests only: stop the clock at t; 0 goes back to the real one. */
void
clock_set_fake(time_t t)
{
	__atomic_store_n(&clock_fake, t, __ATOMIC_RELAXED);
}

/* For tests only: move the stopped clock on (starting it if need be). */
void
clock_advance(time_t seconds)
{
	clock_set_fake(clock_now() + seconds);
}

/*
 * For tests only: move the clock on, leaving it as it was, stopped or
 * running; a running clock goes on from the later time.
 */
void
clock_skip(time_t seconds)
{
	if (__atomic_load_n(&clock_fake, __ATOMIC_RELAXED) != 0)
		clock_advance(seconds);
	else
		__atomic_add_fetch(&clock_ahead, seconds, __ATOMIC_RELAXED);
}

/* Resident set size from /proc, for /metrics; -1 where there is none. */
long
rss_kib(void)
{
	FILE	*f;
	long	 pages, resident;

	if ((f = fopen("/proc/self/statm", "r")) == NULL)
		return (-1);
	if (fscanf(f, "%ld %ld", &pages, &resident) != 2) {
		fclose(f);
		return (-1);
	}
	fclose(f);
	return (resident * (sysconf(_SC_PAGESIZE) / 1024));
}

/* What a character becomes in HTML text or a quoted attribute; NULL: itself. */
const char *
html_entity(int c)
{
	switch (c) {
	case '&':
		return ("&amp;");
	case '<':
		return ("&lt;");
	case '>':
		return ("&gt;");
	case '"':
		return ("&quot;");
	case '\'':
		return ("&#39;");
	}
	return (NULL);
}

/*
 * The address of the Unix socket at path.  sun_path holds 108 bytes, and
 * a deep state directory makes a longer path: that is reached through its
 * folder, opened into *dirfd, as /proc/self/fd/N/name.  The caller closes
 * *dirfd (-1 when the path fits) once it has bound or connected.
 */
int
unix_sockaddr(const char *path, struct sockaddr_un *sun, int *dirfd,
    char **cause)
{
	const char	*name;
	char		*dir;
	int		 n;

	*dirfd = -1;
	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	if (strlen(path) < sizeof sun->sun_path) {
		memcpy(sun->sun_path, path, strlen(path));
		return (0);
	}
	if ((name = strrchr(path, '/')) == NULL) {
		cause_set(cause, "%s: path too long for a socket", path);
		return (-1);
	}
	if (name == path)
		dir = xstrdup("/");
	else
		dir = xprintf("%.*s", (int)(name - path), path);
	name++;
	*dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*dirfd == -1) {
		cause_set(cause, "%s: %s", dir, strerror(errno));
		free(dir);
		return (-1);
	}
	free(dir);
	n = snprintf(sun->sun_path, sizeof sun->sun_path,
	    "/proc/self/fd/%d/%s", *dirfd, name);
	if (n < 0 || (size_t)n >= sizeof sun->sun_path) {
		close(*dirfd);
		*dirfd = -1;
		cause_set(cause, "%s: the name is too long for a socket",
		    path);
		return (-1);
	}
	return (0);
}
