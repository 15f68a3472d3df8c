/*
 * gsm.h: how long a text is as an SMS: GSM 03.38 septets or UTF-16 code
 * units, and how many messages the phone will show.
 */
#ifndef CONVENE_GSM_H
#define CONVENE_GSM_H

#include <stddef.h>

struct gsm_count {
	int		 ucs2;		/* 1: the text needs UCS-2 */
	size_t		 units;		/* septets (an extension character
					   counts 2) or UTF-16 code units */
	size_t		 segments;	/* messages the phone will show */
	size_t		 per_segment;	/* 160 or 153, 70 or 67 */
};

void		 gsm_count(const char *, struct gsm_count *);

#endif
