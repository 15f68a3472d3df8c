/*
 * fuzz_reply.c: texts sent back to convene (reply.c).  The first field
 * is the text, the next six, when there are any, a language's words for
 * yes, no, maybe, stop, start and help.  What comes out must be one of
 * the kinds, an answer only with yes, maybe or no, and the same with a
 * space before the text and a "!" after it.
 */
#include "config.h"

#include "fuzz.h"

#include "reply.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return (0);
}

static void
fuzz_check(const struct reply *r)
{
	switch (r->kind) {
	case REPLY_ANSWER:
		if (r->answer == NULL || (strcmp(r->answer, "yes") != 0 &&
		    strcmp(r->answer, "no") != 0 &&
		    strcmp(r->answer, "maybe") != 0))
			abort();
		break;
	case REPLY_UNKNOWN:
		if (r->code != 0)
			abort();
		/* FALLTHROUGH */
	case REPLY_STOP:
	case REPLY_START:
	case REPLY_HELP:
		if (r->answer != NULL)
			abort();
		break;
	default:
		abort();
	}
	if (r->code < 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reply_words	 w;
	struct reply		 r, again;
	char			*buf, *f[7], *t;
	size_t			 n;

	fuzz_fields(data, size, &buf, f, 7);
	w.yes = f[1];
	w.no = f[2];
	w.maybe = f[3];
	w.stop = f[4];
	w.start = f[5];
	w.help = f[6];
	n = strlen(f[0]);
	reply_parse(f[0], n, &w, 1, &r);
	fuzz_check(&r);
	if (n + 2 <= REPLY_MAX) {
		t = xprintf(" %s!", f[0]);
		reply_parse(t, n + 2, &w, 1, &again);
		if (again.kind != r.kind || again.code != r.code ||
		    again.answer != r.answer)
			abort();
		free(t);
	}
	free(buf);
	return (0);
}
