/*
 * csv.h: reading CSV (RFC 4180) as spreadsheets export it, one record at a
 * time, each with the line it starts on.
 */
#ifndef CONVENE_CSV_H
#define CONVENE_CSV_H

#include <stddef.h>
#include <stdio.h>

#define CSV_FIELD_MAX	65536	/* bytes in one field */
#define CSV_FIELDS_MAX	256	/* fields in one record */

struct csv;	/* opaque */

/* Does not take ownership of the FILE, but reads ahead in it. */
struct csv	*csv_open(FILE *);
/*
 * Next record: returns 1 with *fields (NUL-terminated strings owned by the
 * reader, valid until the next call) and *nfields, and *line set to the
 * line the record starts on; 0 at end of input; -1 with *cause ("line N:
 * ...") and *line on malformed input, and again on every later call.
 */
int		 csv_next(struct csv *, char ***, size_t *, int *, char **);
/* Whether every field is empty or white space, as a blank line is. */
int		 csv_is_blank(char **, size_t);
/* Whether a header names each column once; -1 with *cause if not. */
int		 csv_header_check(char **, size_t, char **);
void		 csv_free(struct csv *);

#endif
