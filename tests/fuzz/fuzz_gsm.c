/*
 * fuzz_gsm.c: how many SMS parts a text takes (gsm.c), on any bytes.
 * The count must hold the text: parts times their size at least the
 * units, and one part for a text that fits in one.
 */
#include "config.h"

#include "fuzz.h"

#include "gsm.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gsm_count	 gc;
	char			*s = fuzz_string(data, size);
	size_t			 single;

	memset(&gc, 0, sizeof gc);
	gsm_count(s, &gc);
	single = gc.ucs2 ? 70 : 160;
	if (gc.units > 0 && gc.segments == 0)
		abort();
	if (gc.segments * gc.per_segment < gc.units)
		abort();
	if (gc.units <= single && gc.segments > 1)
		abort();
	if (gc.units > strlen(s) * 2)
		abort();
	free(s);
	return (0);
}
