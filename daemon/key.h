/*
 * key.h: the secret key that signs the links people are sent, and the
 * signatures made with it.
 */
#ifndef CONVENE_KEY_H
#define CONVENE_KEY_H

#include <time.h>

#define KEY_BYTES	32

#define KEY_SIG_LEN	23	/* 128 bits in URL-safe base64, and NUL */

int		 key_load(const char *, unsigned char [KEY_BYTES], char **);
void		 key_sign(const unsigned char [KEY_BYTES], const char *,
		    const char *, long long, char [KEY_SIG_LEN]);
int		 key_verify(const unsigned char [KEY_BYTES], const char *,
		    const char *, long long, const char *, time_t);

#endif
