/*
 * fuzz_config.c: convened.conf (config.c), written to a file and loaded
 * as convened -n would.  A file that loads is freed; one that does not
 * must say why.
 */
#include "config.h"

#include "fuzz.h"

#include "convene.h"
#include "util.h"

static char	*fuzz_path;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	fuzz_path = xprintf("%s/convened.conf", fuzz_dir());
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*conf;
	char		*cause = NULL;

	if (size > 65536)
		return (0);
	fuzz_write(fuzz_path, data, size);
	if ((conf = config_load(fuzz_path, &cause)) == NULL) {
		if (cause == NULL)
			abort();
		free(cause);
		return (0);
	}
	if (conf->nlisten == 0 || conf->state_directory[0] != '/')
		abort();
	config_free(conf);
	return (0);
}
