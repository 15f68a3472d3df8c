/*
 * util.h: small helpers every module uses: allocation that cannot return
 * NULL, the "cause" strings that carry a readable error up to the caller,
 * fields of JSON objects, clocks, the length of text in characters, and
 * the address of a Unix socket.
 */
#ifndef CONVENE_UTIL_H
#define CONVENE_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

struct sockaddr_un;

char		*xstrdup(const char *);
void		*xcalloc(size_t, size_t);
char		*xprintf(const char *, ...)
		    __attribute__((__format__(printf, 1, 2)));
/* Set *cause (when cause is not NULL) unless it is set already. */
void		 cause_set(char **, const char *, ...)
		    __attribute__((__format__(printf, 2, 3)));
size_t		 utf8_chars(const char *, size_t);
/* Whether a comma-separated list has this item. */
int		 list_has(const char *, const char *);

/*
 * The mistakes found reading a file, one a line: "FILE:LINE: reason",
 * "FILE: reason" (ERRLIST_NOLINE), or the reason alone (a NULL file).
 * Starts zeroed; the caller frees text.
 */
struct errlist {
	char		*text;		/* NULL: none yet */
	size_t		 count;
};
#define ERRLIST_NOLINE	(-1)
void		 errlist_add(struct errlist *, const char *, int,
		    const char *, ...)
		    __attribute__((__format__(printf, 4, 5)));
void		 errlist_vadd(struct errlist *, const char *, int,
		    const char *, va_list)
		    __attribute__((__format__(printf, 4, 0)));

/* A string field ("" when absent), a number field (0 when absent). */
const char	*jstr(json_t *, const char *);
long long	 jint(json_t *, const char *);
double		 mono_seconds(void);
double		 wall_seconds(void);
/* The time now; tests may stop and move it. */
time_t		 clock_now(void);
void		 clock_set_fake(time_t);
void		 clock_advance(time_t);
void		 clock_skip(time_t);
long		 rss_kib(void);
const char	*html_entity(int);
int		 unix_sockaddr(const char *, struct sockaddr_un *, int *,
		    char **);

#endif
