/*
 * fuzz.h: what the libFuzzer targets share: logging kept quiet, the input
 * as a string, the input cut into fields at NUL bytes, and a private
 * folder for targets whose parser reads files.
 */
#ifndef CONVENE_FUZZ_H
#define CONVENE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convene.h"
#include "log.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

/* The input as a string of its own: NUL-terminated, to be freed. */
static __attribute__((unused)) char *
fuzz_string(const uint8_t *data, size_t size)
{
	char	*s = xcalloc(1, size + 1);

	memcpy(s, data, size);
	return (s);
}

/*
 * The input cut at NUL bytes into at most max fields, each a string in
 * *buf (freed by the caller); fields not in the input are NULL.
 * Returns how many there are.
 */
static __attribute__((unused)) size_t
fuzz_fields(const uint8_t *data, size_t size, char **buf, char **f,
    size_t max)
{
	size_t	n = 0, i;
	char	*p;

	*buf = fuzz_string(data, size);
	for (i = 0; i < max; i++)
		f[i] = NULL;
	for (p = *buf; n < max; p += strlen(p) + 1) {
		f[n++] = p;
		if (p + strlen(p) >= *buf + size)
			break;
	}
	return (n);
}

static char	fuzz_dir_path[256];

static __attribute__((unused)) void
fuzz_dir_remove(void)
{
	char	cmd[300];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir_path);
	if (system(cmd) != 0)
		log_warnx("cannot remove %s", fuzz_dir_path);
}

/* A folder of our own, made once and removed at exit. */
static __attribute__((unused)) const char *
fuzz_dir(void)
{
	const char	*tmp = getenv("TMPDIR");

	if (fuzz_dir_path[0] == '\0') {
		snprintf(fuzz_dir_path, sizeof fuzz_dir_path,
		    "%s/convene-fuzz.XXXXXX", tmp != NULL ? tmp : "/tmp");
		if (mkdtemp(fuzz_dir_path) == NULL)
			fatal("mkdtemp");
		atexit(fuzz_dir_remove);
	}
	return (fuzz_dir_path);
}

/* Write size bytes to path, or die: the target cannot go on without. */
static __attribute__((unused)) void
fuzz_write(const char *path, const void *data, size_t size)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL)
		fatal("%s", path);
	if (size > 0 && fwrite(data, 1, size, f) != size)
		fatal("%s", path);
	if (fclose(f) != 0)
		fatal("%s", path);
}

/* Logging formats each message but shows none: a parser says a lot. */
static __attribute__((unused)) void
fuzz_quiet(void)
{
	log_init(LOG_TARGET_STDERR, -3);
}

#endif
