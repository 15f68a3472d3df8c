/*
 * csv.h: reading CSV (RFC 4180) as spreadsheets export it, one record at a
 * time, each with the line it starts on; and writing it for them.
 */
#ifndef CONVENE_CSV_H
#define CONVENE_CSV_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

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

/* The columns of the payments file, as the API's rows name them. */
#define CSV_PAYMENT_COLS \
	"person", "person_id", "meeting", "date", "role", "amount", \
	"amount_pence", "status", "paid_on", "group", "payment_id"

#define CSV_PENCE_LEN	32	/* "-92233720368547758.08" and room */

/*
 * One record as RFC 4180 has it, ended by CRLF: a field with a comma, a
 * quote or a line end in quotes, its quotes doubled; a field a
 * spreadsheet would take for a formula (starting with = + - @, a tab or
 * CR) starts with ' so that it stays text.
 */
void		 csv_write(FILE *, const char *const *, size_t);
/*
 * Rows of JSON objects as CSV: a header of the column names, then each
 * row's values under them (text as it is, numbers in digits, null and
 * absent as empty), by csv_write.
 */
void		 csv_json(FILE *, const char *const *, size_t, json_t *);
/* Whole pence as pounds, "25.00", from integers only. */
void		 csv_pence(long long, char [CSV_PENCE_LEN]);
/*
 * The payments file's last line: "Total" under person, the sum under
 * amount and amount_pence, every other field (payment_id too) empty.
 */
void		 csv_payment_total(FILE *, long long);

#endif
