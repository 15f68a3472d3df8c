/*
 * test_gsm.c: texts are counted as a phone counts them: GSM-7 when every
 * character is in the default alphabet or its extension table, UCS-2
 * otherwise, and split into the same number of parts.
 */
#include "config.h"

#include "testlib.h"

#include "gsm.h"
#include "util.h"

/* n copies of the UTF-8 character c, then tail. */
static char *
rep(const char *c, size_t n, const char *tail)
{
	size_t	 len = strlen(c), i;
	char	*s, *p;

	p = s = xcalloc(1, len * n + strlen(tail) + 1);
	for (i = 0; i < n; i++, p += len)
		memcpy(p, c, len);
	strcpy(p, tail);
	return (s);
}

static void
check(const char *text, int ucs2, size_t units, size_t segments,
    size_t per)
{
	struct gsm_count	gc;

	memset(&gc, 0xa5, sizeof gc);
	gsm_count(text, &gc);
	assert_int_equal(gc.ucs2, ucs2);
	assert_int_equal(gc.units, units);
	assert_int_equal(gc.segments, segments);
	assert_int_equal(gc.per_segment, per);
}

static void
check_rep(const char *c, size_t n, const char *tail, int ucs2, size_t units,
    size_t segments, size_t per)
{
	char	*s = rep(c, n, tail);

	check(s, ucs2, units, segments, per);
	free(s);
}

static void
test_gsm_boundaries(void **state)
{
	(void)state;
	check("", 0, 0, 1, 160);
	check("Hello", 0, 5, 1, 160);
	check_rep("a", 160, "", 0, 160, 1, 160);
	check_rep("a", 161, "", 0, 161, 2, 153);
	check_rep("a", 306, "", 0, 306, 2, 153);
	check_rep("a", 307, "", 0, 307, 3, 153);
	/* Extension characters count two. */
	check_rep("a", 158, "€", 0, 160, 1, 160);
	check_rep("a", 159, "€", 0, 161, 2, 153);
	check_rep("a", 159, "{", 0, 161, 2, 153);
}

static void
test_gsm_escape_not_split(void **state)
{
	char	*head, *tail;

	(void)state;
	/*
	 * 152 + 2 + 152 = 306 septets would fit two parts of 153, but the
	 * escape pair cannot straddle septets 153 and 154: the euro starts
	 * the second part, and the last septet spills into a third.
	 */
	tail = rep("a", 152, "");
	head = rep("€", 1, tail);
	check_rep("a", 152, head, 0, 306, 3, 153);
	/* One earlier, the pair fits at septets 152 and 153. */
	free(head);
	free(tail);
	tail = rep("a", 153, "");
	head = rep("€", 1, tail);
	check_rep("a", 151, head, 0, 306, 2, 153);
	free(head);
	free(tail);
}

static void
test_gsm_alphabet(void **state)
{
	(void)state;
	/* The whole default alphabet, one septet each. */
	check("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
	    " !\"#¤%&'()*+,-./0123456789:;<=>?"
	    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
	    "¿abcdefghijklmnopqrstuvwxyzäöñüà", 0, 127, 1, 160);
	/* The extension table, two septets each. */
	check("^{}\\[~]|€\f", 0, 20, 1, 160);
	check("Tea £2.50, café", 0, 15, 1, 160);
	check("Ç", 0, 1, 1, 160);
	/* Lower-case ç is not in the alphabet. */
	check("ç", 1, 1, 1, 70);
	check("`", 1, 1, 1, 70);
	check("\t", 1, 1, 1, 70);
}

static void
test_gsm_ucs2(void **state)
{
	(void)state;
	check("Meet at ‘The Hub’", 1, 17, 1, 70);
	check("6pm — 8pm", 1, 9, 1, 70);
	check("Cyfarfod yn y ŵyl", 1, 17, 1, 70);
	check("اجتماع المجموعة", 1, 15, 1, 70);
	/* Beyond the BMP: two units. */
	check("See you 👍", 1, 10, 1, 70);
	check_rep("ŵ", 70, "", 1, 70, 1, 70);
	check_rep("ŵ", 71, "", 1, 71, 2, 67);
	check_rep("ŵ", 134, "", 1, 134, 2, 67);
	check_rep("ŵ", 135, "", 1, 135, 3, 67);
	/* A GSM text with one non-GSM character is all UCS-2. */
	check_rep("a", 70, "’", 1, 71, 2, 67);
	check_rep("a", 68, "👍", 1, 70, 1, 70);
	check_rep("a", 69, "👍", 1, 71, 2, 67);
}

static void
test_gsm_surrogate_not_split(void **state)
{
	char	*s, *t;

	(void)state;
	/* 66 + 2 + 66 = 134 units; the pair cannot take units 67 and 68. */
	t = rep("ŵ", 66, "");
	s = rep("ŵ", 66, "👍");
	s = realloc(s, strlen(s) + strlen(t) + 1);
	strcat(s, t);
	check(s, 1, 134, 3, 67);
	free(s);
	s = rep("ŵ", 65, "👍");
	s = realloc(s, strlen(s) + strlen(t) + 2 + 1);
	strcat(s, t);
	strcat(s, "ŵ");
	check(s, 1, 134, 2, 67);
	free(s);
	free(t);
}

static void
test_gsm_malformed(void **state)
{
	(void)state;
	/* A stray byte is a replacement character: UCS-2. */
	check("ab\xff", 1, 3, 1, 70);
	check("ab\xc3", 1, 3, 1, 70);
	/* An overlong '/' is not a slash. */
	check("\xc0\xaf", 1, 2, 1, 70);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gsm_boundaries),
		cmocka_unit_test(test_gsm_escape_not_split),
		cmocka_unit_test(test_gsm_alphabet),
		cmocka_unit_test(test_gsm_ucs2),
		cmocka_unit_test(test_gsm_surrogate_not_split),
		cmocka_unit_test(test_gsm_malformed),
	};

	return (cmocka_run_group_tests_name("gsm", tests, NULL, NULL));
}
