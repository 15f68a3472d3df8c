/*
 * fuzz_csv.c: the CSV reader (csv.c) on any bytes, as an import file:
 * every record until the end or the first mistake, the header checked
 * as the importer checks it.
 */
#include "config.h"

#include "fuzz.h"

#include "csv.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv	 *csv;
	FILE		 *f;
	char		**fields, *cause = NULL;
	size_t		  n, i;
	int		  line, ret, first = 1;

	/* fmemopen refuses a buffer of no bytes. */
	if (size == 0 || (f = fmemopen((void *)data, size, "r")) == NULL)
		return (0);
	csv = csv_open(f);
	while ((ret = csv_next(csv, &fields, &n, &line, &cause)) == 1) {
		if (n == 0 || n > CSV_FIELDS_MAX || line < 1)
			abort();
		for (i = 0; i < n; i++) {
			if (strlen(fields[i]) > CSV_FIELD_MAX)
				abort();
		}
		if (csv_is_blank(fields, n))
			continue;
		if (first && csv_header_check(fields, n, &cause) != 0) {
			free(cause);
			cause = NULL;
		}
		first = 0;
	}
	if (ret == -1) {
		if (cause == NULL)
			abort();
		free(cause);
		cause = NULL;
		/* Again on every later call. */
		if (csv_next(csv, &fields, &n, &line, &cause) != -1)
			abort();
		free(cause);
	}
	csv_free(csv);
	fclose(f);
	return (0);
}
