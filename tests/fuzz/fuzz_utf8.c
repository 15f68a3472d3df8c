/*
 * fuzz_utf8.c: text as UTF-8, counted in characters (util.c) and made a
 * display name for a mail header (msg.c).  A name must come out on one line,
 * without control characters, its encoded-words whole UTF-8 and at most
 * 75 characters each.
 */
#include "config.h"

#include "fuzz.h"

#include "mime.h"
#include "util.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*name, *out;
	const char	*p, *e;
	size_t		 i, want = 0;

	for (i = 0; i < size; i++)
		want += (data[i] & 0xc0) != 0x80;
	if (utf8_chars((const char *)data, size) != want)
		abort();

	/* The address is checked before it gets here; the name is not. */
	name = fuzz_string(data, size);
	out = msg_header_address(name, "someone@example.org");
	for (p = out; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
	}
	/* Encoded-words, unless the name went as a quoted string. */
	for (p = out; *out != '"' && (p = strstr(p, "=?UTF-8?B?")) != NULL;
	    p = e + 2) {
		if ((e = strstr(p + 10, "?=")) == NULL || e + 2 - p > 75)
			abort();
	}
	free(out);
	free(name);
	return (0);
}
