/*
 * fuzz_tmpl.c: a message template (tmpl.c), loaded as tmpl_load reads
 * one from en/ under each of the names whose last part picks how values
 * are written (text, html, subject, sms), and rendered when it loads.
 */
#include "config.h"

#include <sys/stat.h>

#include "fuzz.h"

#include "convene.h"
#include "log.h"
#include "tmpl.h"
#include "util.h"

static const char *const fuzz_names[] = {
	"fuzz.text", "fuzz.html", "fuzz.subject", "fuzz.sms"
};

static char	 fuzz_top[300];
static char	*fuzz_paths[4];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	*en;
	size_t	 i;

	fuzz_quiet();
	snprintf(fuzz_top, sizeof fuzz_top, "%s/templates", fuzz_dir());
	en = xprintf("%s/en", fuzz_top);
	if (mkdir(fuzz_top, 0700) == -1 || mkdir(en, 0700) == -1)
		fatal("mkdir");
	for (i = 0; i < 4; i++)
		fuzz_paths[i] = xprintf("%s/%s.tmpl", en, fuzz_names[i]);
	free(en);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Values as a meeting may have them: markup, lines, bad UTF-8. */
	static const struct tmpl_var vars[] = {
		{ "title", "Budget <b>&</b> \"plans\"" },
		{ "when", "Tuesday 3 March\n10:00" },
		{ "venue", "Caf\xc3\xa9 \xff\xfe Hall\r\nBcc: x@example.org" },
		{ "agenda", "" },
		{ "access", NULL },
		{ "person", "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85\t\x01\x7f" },
		{ "rsvp_link", "https://example.org/rsvp?a=1&b=2" },
		{ NULL, NULL }
	};
	struct tmpl_set	*set;
	char		*cause = NULL, *out;
	const char	*used;
	size_t		 i;
	int		 oneline;

	if (size > 65536)
		return (0);
	oneline = size == 0 || memchr(data, '\n', size - 1) == NULL;
	for (i = 0; i < 4; i++)
		fuzz_write(fuzz_paths[i], data, size);
	if ((set = tmpl_load(fuzz_top, msg_vars, NULL, &cause)) == NULL) {
		if (cause == NULL)
			abort();
		free(cause);
		return (0);
	}
	for (i = 0; i < 4; i++) {
		used = NULL;
		if ((out = tmpl_render(set, "cy", fuzz_names[i], vars, &used,
		    &cause)) == NULL || used == NULL)
			abort();
		/* A one-line subject stays one, whatever the values hold. */
		if (i == 2 && oneline && strpbrk(out, "\r\n") != NULL)
			abort();
		free(out);
	}
	tmpl_free(set);
	return (0);
}
