/*
 * phone.h: phone numbers as people write them, made into E.164 ("+" and
 * the digits) for the SMS gateway.
 */
#ifndef CONVENE_PHONE_H
#define CONVENE_PHONE_H

#include <stddef.h>

#define PHONE_E164_SIZE	17	/* "+", 15 digits and the NUL */

/*
 * out gets "+" and 8 to 15 digits; returns 0, or -1 with *cause naming the
 * input and what is wrong.  country_code ("44", no "+") is for numbers
 * written nationally with a leading 0; NULL or "" refuses those.
 */
int	phone_normalise(const char *, const char *, char *, size_t, char **);

#endif
