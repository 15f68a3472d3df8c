/*
 * fuzz_mailin.c: any email handed to "convenectl mail-in" (mailin.c).
 * The input is the message; a REPLY taken must have a UID and one of
 * the three answers, and a message refused must say why.
 */
#include "config.h"

#include "fuzz.h"

#include "mailin.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mailin	 m;
	char		*cause = NULL;

	if (mailin_parse((const char *)data, size, &m, &cause) == 0) {
		if (m.uid == NULL || m.answer == NULL ||
		    (strcmp(m.answer, "yes") != 0 &&
		    strcmp(m.answer, "maybe") != 0 &&
		    strcmp(m.answer, "no") != 0) || m.attendee == NULL)
			abort();
		mailin_free(&m);
	} else if (cause == NULL)
		abort();
	free(cause);
	return (0);
}
