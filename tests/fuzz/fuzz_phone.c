/*
 * fuzz_phone.c: phone numbers as people type them (phone.c).  The first
 * field is the number, the second the country calling code (none: 44);
 * a number taken must come out as "+" and 8 to 15 digits.
 */
#include "config.h"

#include "fuzz.h"

#include "phone.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*buf, *f[2], out[PHONE_E164_SIZE], *cause = NULL;
	size_t	 n, i;

	fuzz_fields(data, size, &buf, f, 2);
	if (phone_normalise(f[0], f[1] != NULL ? f[1] : "44", out,
	    sizeof out, &cause) == 0) {
		n = strlen(out);
		if (out[0] != '+' || n < 9 || n > 16)
			abort();
		for (i = 1; i < n; i++) {
			if (out[i] < '0' || out[i] > '9')
				abort();
		}
	} else if (cause == NULL)
		abort();
	free(cause);
	free(buf);
	return (0);
}
