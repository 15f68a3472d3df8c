/*
 * fuzz_etag.c: If-None-Match against a feed's ETag (feed.c).  The first
 * field is the header as a calendar client sent it, the second the ETag.
 */
#include "config.h"

#include "fuzz.h"

#include "convene.h"
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
	char	*buf, *f[2], *twice;
	int	 m;

	fuzz_fields(data, size, &buf, f, 2);
	if (f[1] == NULL)
		f[1] = "\"0123456789abcdef\"";
	m = feed_etag_matches(f[0], f[1]);
	/* The ETag itself, or after another, always matches. */
	if (strpbrk(f[1], " \t,") == NULL && f[1][0] != '\0' &&
	    strncmp(f[1], "W/", 2) != 0) {
		twice = xprintf("%s, W/%s", f[0], f[1]);
		if (feed_etag_matches(twice, f[1]) != 1 ||
		    feed_etag_matches(f[1], f[1]) != 1)
			abort();
		free(twice);
	}
	(void)m;
	free(buf);
	return (0);
}
