/*
 * fuzz_words.c: the words a message is built from (tmpl.c's words.ini
 * reader, with inih).  The first field is en/words.ini, the second, when
 * there is one, cy/words.ini; every known word is looked up when they
 * load.
 */
#include "config.h"

#include <sys/stat.h>

#include "fuzz.h"

#include "convene.h"
#include "log.h"
#include "tmpl.h"
#include "util.h"

static char	 fuzz_top[300];
static char	*fuzz_en, *fuzz_cy;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	*en, *cy, *t;

	fuzz_quiet();
	snprintf(fuzz_top, sizeof fuzz_top, "%s/templates", fuzz_dir());
	en = xprintf("%s/en", fuzz_top);
	cy = xprintf("%s/cy", fuzz_top);
	if (mkdir(fuzz_top, 0700) == -1 || mkdir(en, 0700) == -1 ||
	    mkdir(cy, 0700) == -1)
		fatal("mkdir");
	t = xprintf("%s/fuzz.text.tmpl", en);
	fuzz_write(t, "{{title}}\n", 10);
	free(t);
	fuzz_en = xprintf("%s/words.ini", en);
	fuzz_cy = xprintf("%s/words.ini", cy);
	free(en);
	free(cy);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tmpl_set	*set;
	char		*buf, *f[2], *cause = NULL, *key;
	const char	*used, *w;
	size_t		 i;

	if (size > 65536)
		return (0);
	fuzz_fields(data, size, &buf, f, 2);
	fuzz_write(fuzz_en, f[0], strlen(f[0]));
	if (f[1] != NULL)
		fuzz_write(fuzz_cy, f[1], strlen(f[1]));
	else
		unlink(fuzz_cy);
	free(buf);
	if ((set = tmpl_load(fuzz_top, msg_vars, msg_words, &cause)) ==
	    NULL) {
		if (cause == NULL)
			abort();
		free(cause);
		return (0);
	}
	for (i = 0; msg_words[i] != NULL; i++) {
		key = xstrdup(msg_words[i]);
		key[strcspn(key, "?")] = '\0';
		used = NULL;
		w = tmpl_word(set, "cy", key, &used);
		if (w != NULL && (used == NULL || *w == '\0'))
			abort();
		(void)tmpl_word_exact(set, "cy", key);
		free(key);
	}
	tmpl_free(set);
	return (0);
}
