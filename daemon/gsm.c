/*
 * gsm.c: how long a text is as an SMS.
 *
 * A phone sends a text in the GSM 03.38 default alphabet (7-bit septets)
 * when every character is in it or in its extension table, where each
 * extension character costs two septets (an escape and the character).
 * Anything else sends the whole text as UCS-2, counted in UTF-16 code
 * units, so a character beyond the Basic Multilingual Plane costs two.
 * One message holds 160 septets or 70 units; a longer text is split into
 * parts of 153 or 67, the rest of each part carrying the concatenation
 * header, and neither an escape pair nor a surrogate pair is ever split
 * between two parts.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "gsm.h"

#define GSM_SINGLE	160
#define GSM_PART	153
#define UCS2_SINGLE	70
#define UCS2_PART	67

/* The default alphabet beyond printable ASCII, as Unicode code points. */
static const uint32_t gsm_basic_extra[] = {
	0x000a, 0x000d,				/* LF, CR */
	0x00a1, 0x00a3, 0x00a4, 0x00a5, 0x00a7,	/* ¡ £ ¤ ¥ § */
	0x00bf, 0x00c4, 0x00c5, 0x00c6, 0x00c7,	/* ¿ Ä Å Æ Ç */
	0x00c9, 0x00d1, 0x00d6, 0x00d8, 0x00dc,	/* É Ñ Ö Ø Ü */
	0x00df, 0x00e0, 0x00e4, 0x00e5, 0x00e6,	/* ß à ä å æ */
	0x00e8, 0x00e9, 0x00ec, 0x00f1, 0x00f2,	/* è é ì ñ ò */
	0x00f6, 0x00f8, 0x00f9, 0x00fc,		/* ö ø ù ü */
	0x0393, 0x0394, 0x0398, 0x039b, 0x039e,	/* Γ Δ Θ Λ Ξ */
	0x03a0, 0x03a3, 0x03a6, 0x03a8, 0x03a9	/* Π Σ Φ Ψ Ω */
};

/* The extension table: each costs an escape septet as well. */
static const uint32_t gsm_extension[] = {
	0x000c, '^', '{', '}', '\\', '[', '~', ']', '|', 0x20ac
};

/* Septets for one code point: 1, 2 (extension), or 0 (not GSM-7). */
static int
gsm_septets(uint32_t c)
{
	size_t	i;

	for (i = 0; i < sizeof gsm_extension / sizeof gsm_extension[0]; i++) {
		if (gsm_extension[i] == c)
			return (2);
	}
	/* Printable ASCII is in the alphabet, all but the backquote. */
	if (c >= 0x20 && c <= 0x7e)
		return (c == '`' ? 0 : 1);
	for (i = 0; i < sizeof gsm_basic_extra / sizeof gsm_basic_extra[0];
	    i++) {
		if (gsm_basic_extra[i] == c)
			return (1);
	}
	return (0);
}

/*
 * The next code point of s at *i, moving *i past it.  A malformed
 * sequence counts as one U+FFFD for each byte, as a phone would show it.
 */
static uint32_t
gsm_next(const unsigned char *s, size_t *i)
{
	uint32_t	c = s[*i], min;
	size_t		n, k;

	if (c < 0x80) {
		(*i)++;
		return (c);
	}
	if ((c & 0xe0) == 0xc0) {
		n = 1;
		c &= 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 2;
		c &= 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 3;
		c &= 0x07;
		min = 0x10000;
	} else {
		(*i)++;
		return (0xfffd);
	}
	for (k = 1; k <= n; k++) {
		if ((s[*i + k] & 0xc0) != 0x80) {
			(*i)++;
			return (0xfffd);
		}
		c = (c << 6) | (s[*i + k] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
		(*i)++;
		return (0xfffd);
	}
	*i += n + 1;
	return (c);
}

/* Count parts of at most size, never splitting a character's units. */
static size_t
gsm_parts(const unsigned char *s, int ucs2, size_t size)
{
	size_t	i = 0, fill = 0, parts = 1, cost;
	uint32_t c;

	while (s[i] != '\0') {
		c = gsm_next(s, &i);
		if (ucs2)
			cost = c > 0xffff ? 2 : 1;
		else
			cost = (size_t)gsm_septets(c);
		if (fill + cost > size) {
			parts++;
			fill = 0;
		}
		fill += cost;
	}
	return (parts);
}

/* What a phone will make of a text: its coding, length and parts. */
void
gsm_count(const char *utf8, struct gsm_count *gc)
{
	const unsigned char	*s = (const unsigned char *)utf8;
	size_t			 i = 0, septets = 0, units = 0;
	uint32_t		 c;
	int			 n, ucs2 = 0;

	while (s[i] != '\0') {
		c = gsm_next(s, &i);
		if ((n = gsm_septets(c)) == 0)
			ucs2 = 1;
		septets += (size_t)n;
		units += c > 0xffff ? 2 : 1;
	}
	gc->ucs2 = ucs2;
	gc->units = ucs2 ? units : septets;
	if (gc->units <= (ucs2 ? UCS2_SINGLE : GSM_SINGLE)) {
		gc->segments = 1;
		gc->per_segment = ucs2 ? UCS2_SINGLE : GSM_SINGLE;
		return;
	}
	gc->per_segment = ucs2 ? UCS2_PART : GSM_PART;
	gc->segments = gsm_parts(s, ucs2, gc->per_segment);
}
