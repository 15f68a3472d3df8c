/*
 * mailin.h: what "convenectl mail-in" finds in an email a calendar
 * program sent when a member answered an invitation (an iTIP REPLY).
 */
#ifndef CONVENE_MAILIN_H
#define CONVENE_MAILIN_H

#include <stddef.h>

struct mailin {
	char		*message_id;	/* NULL: none */
	char		*token;		/* "r.P.M.SIG" of a recipient header */
	char		*organizer;	/* the same, of the ORGANIZER */
	char		*uid;
	char		*recurrence_id;	/* NULL: none */
	const char	*answer;	/* "yes", "maybe" or "no" */
	char		*attendee;	/* who the reply says answered */
};

int		 mailin_parse(const char *, size_t, struct mailin *, char **);
void		 mailin_free(struct mailin *);
char		*mailin_token(const char *);

#endif
