/*
 * log.h: the one logging API of convene.
 *
 * Messages go to stderr in the foreground, to the journal (with structured
 * fields) when systemd started us, and to syslog otherwise.  errno is kept
 * across every call, so a caller can log and then still look at it.
 */
#ifndef CONVENE_LOG_H
#define CONVENE_LOG_H

#include <stdarg.h>

enum log_target {
	LOG_TARGET_STDERR,
	LOG_TARGET_SYSLOG,
	LOG_TARGET_JOURNAL
};

/* Structured fields for one message, as "NAME=value" strings. */
struct log_field {
	const char	*name;
	const char	*value;
};

void		 log_init(enum log_target, int);
void		 log_setverbose(int);
int		 log_getverbose(void);
enum log_target	 log_gettarget(void);
int		 log_level_verbose(const char *);
void		 log_warn(const char *, ...)
		    __attribute__((__format__(printf, 1, 2)));
void		 log_warnx(const char *, ...)
		    __attribute__((__format__(printf, 1, 2)));
void		 log_info(const char *, ...)
		    __attribute__((__format__(printf, 1, 2)));
void		 log_debug(const char *, ...)
		    __attribute__((__format__(printf, 1, 2)));
void		 log_fields(int, const struct log_field *, const char *, ...)
		    __attribute__((__format__(printf, 3, 4)));
void		 fatal(const char *, ...)
		    __attribute__((__format__(printf, 1, 2), __noreturn__));
void		 fatalx(const char *, ...)
		    __attribute__((__format__(printf, 1, 2), __noreturn__));

#endif
