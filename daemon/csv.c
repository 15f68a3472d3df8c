/*
 * csv.c: an RFC 4180 reader for the spreadsheets coordinators import,
 * which says where each record starts and where each mistake is by line;
 * and a writer for the files finance teams load (csv_write).
 *
 * Fields are split on commas, and records on LF, CRLF or a lone CR (old
 * Mac exports); a field in double quotes may hold commas, "" for a quote,
 * and line ends, each of which counts as a line and is read as LF.  A
 * UTF-8 byte order mark at the start is dropped.  The text must be UTF-8,
 * without NUL bytes; a field is at most 64 KiB and a record at most 256
 * fields.  At the first mistake reading stops, since what follows a lost
 * quote cannot be trusted.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "log.h"
#include "util.h"

#define CSV_READ	4096	/* bytes read ahead from the FILE */
#define CSV_EOF		(-1)
#define CSV_ERR		(-2)

#define CSV_SAVE_AS	"save the spreadsheet as \"CSV UTF-8\""

struct csv {
	FILE		*f;
	unsigned char	 in[CSV_READ];
	size_t		 inpos;
	size_t		 inlen;
	int		 started;	/* the byte order mark was looked for */
	int		 eof;
	int		 line;		/* of the next byte */
	int		 utf8_need;	/* continuation bytes still to come */
	int		 utf8_lo;	/* and the range the next one is in */
	int		 utf8_hi;
	char		*error;		/* once set, every call returns it */
	int		 errline;

	char		*buf;		/* the fields, each NUL-ended */
	size_t		 len;
	size_t		 size;
	size_t		 off[CSV_FIELDS_MAX];
	char		*fields[CSV_FIELDS_MAX];
	size_t		 nfields;
};

static void	csv_error(struct csv *, int, const char *, ...)
		    __attribute__((__format__(printf, 3, 4)));

/* Keep the first mistake; reading stops there. */
static void
csv_error(struct csv *csv, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	*why;

	if (csv->error != NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&why, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	csv->error = xprintf("line %d: %s", line, why);
	csv->errline = line;
	free(why);
}

/* Read ahead; 1 when there is a byte, 0 at the end, -1 on an error. */
static int
csv_fill(struct csv *csv)
{
	if (csv->error != NULL)
		return (-1);
	if (csv->inpos < csv->inlen)
		return (1);
	if (csv->eof)
		return (0);
	csv->inpos = 0;
	csv->inlen = fread(csv->in, 1, sizeof csv->in, csv->f);
	if (csv->inlen == 0) {
		if (ferror(csv->f)) {
			csv_error(csv, csv->line, "cannot read: %s",
			    strerror(errno));
			return (-1);
		}
		csv->eof = 1;
		return (0);
	}
	if (!csv->started) {
		csv->started = 1;
		if (csv->inlen >= 3 && memcmp(csv->in, "\xef\xbb\xbf", 3) == 0)
			csv->inpos = 3;
		else if (csv->inlen >= 2 &&
		    (memcmp(csv->in, "\xff\xfe", 2) == 0 ||
		    memcmp(csv->in, "\xfe\xff", 2) == 0)) {
			csv_error(csv, csv->line, "the file is UTF-16 text; "
			    CSV_SAVE_AS);
			return (-1);
		}
		return (csv_fill(csv));
	}
	return (1);
}

/* Follow c through UTF-8's byte patterns; -1 where it strays from them. */
static int
csv_utf8(struct csv *csv, int c)
{
	if (csv->utf8_need > 0) {
		if (c < csv->utf8_lo || c > csv->utf8_hi)
			return (-1);
		csv->utf8_need--;
		csv->utf8_lo = 0x80;
		csv->utf8_hi = 0xbf;
		return (0);
	}
	if (c < 0x80)
		return (0);
	csv->utf8_lo = 0x80;
	csv->utf8_hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf)
		csv->utf8_need = 1;
	else if (c >= 0xe0 && c <= 0xef) {
		csv->utf8_need = 2;
		if (c == 0xe0)
			csv->utf8_lo = 0xa0;	/* not overlong */
		else if (c == 0xed)
			csv->utf8_hi = 0x9f;	/* not a surrogate */
	} else if (c >= 0xf0 && c <= 0xf4) {
		csv->utf8_need = 3;
		if (c == 0xf0)
			csv->utf8_lo = 0x90;	/* not overlong */
		else if (c == 0xf4)
			csv->utf8_hi = 0x8f;	/* not past U+10FFFF */
	} else
		return (-1);
	return (0);
}

/* The next byte, checked as text; CSV_EOF, or CSV_ERR with the error. */
static int
csv_getc(struct csv *csv)
{
	int	c;

	switch (csv_fill(csv)) {
	case -1:
		return (CSV_ERR);
	case 0:
		if (csv->utf8_need > 0) {
			csv_error(csv, csv->line, "not UTF-8 text; "
			    CSV_SAVE_AS);
			return (CSV_ERR);
		}
		return (CSV_EOF);
	}
	c = csv->in[csv->inpos++];
	if (c == '\0') {
		csv_error(csv, csv->line, "a NUL byte, so this is not CSV "
		    "text; " CSV_SAVE_AS);
		return (CSV_ERR);
	}
	if (csv_utf8(csv, c) != 0) {
		csv_error(csv, csv->line, "not UTF-8 text; " CSV_SAVE_AS);
		return (CSV_ERR);
	}
	return (c);
}

/* The next byte without taking it; CSV_EOF at the end or an error. */
static int
csv_peek(struct csv *csv)
{
	if (csv_fill(csv) != 1)
		return (CSV_EOF);
	return (csv->in[csv->inpos]);
}

/* Step over a line end that began with c: LF, CRLF or CR. */
static void
csv_eol(struct csv *csv, int c)
{
	if (c == '\r' && csv_peek(csv) == '\n')
		csv_getc(csv);
	csv->line++;
}

/* Room for one more byte of the record. */
static void
csv_room(struct csv *csv)
{
	size_t	size;

	if (csv->len < csv->size)
		return;
	size = csv->size == 0 ? 1024 : csv->size * 2;
	if ((csv->buf = realloc(csv->buf, size)) == NULL)
		fatal("realloc");
	csv->size = size;
}

/* Add c to the field being read; -1 when it grows past the limit. */
static int
csv_put(struct csv *csv, int c)
{
	if (csv->len - csv->off[csv->nfields - 1] >= CSV_FIELD_MAX)
		return (-1);
	csv_room(csv);
	csv->buf[csv->len++] = (char)c;
	return (0);
}

/* Read an unquoted field from c on; returns what ended it. */
static int
csv_plain(struct csv *csv, int c, int fline)
{
	for (;;) {
		switch (c) {
		case ',':
		case '\r':
		case '\n':
		case CSV_EOF:
		case CSV_ERR:
			return (c);
		case '"':
			csv_error(csv, csv->line, "field %zu has a quote in "
			    "it but does not start with one; put the whole "
			    "field in quotes and double the quote (\"\")",
			    csv->nfields);
			return (CSV_ERR);
		}
		if (csv_put(csv, c) != 0) {
			csv_error(csv, fline, "field %zu is longer than "
			    "64 KiB", csv->nfields);
			return (CSV_ERR);
		}
		c = csv_getc(csv);
	}
}

/* Read a field after its opening quote; returns what ended it. */
static int
csv_quoted(struct csv *csv, int fline)
{
	int	c;

	for (;;) {
		c = csv_getc(csv);
		if (c == CSV_ERR)
			return (CSV_ERR);
		if (c == CSV_EOF) {
			csv_error(csv, fline, "the quote that opens field %zu "
			    "is never closed", csv->nfields);
			return (CSV_ERR);
		}
		if (c == '"' && csv_peek(csv) != '"')
			break;
		if (c == '"')
			c = csv_getc(csv);	/* "" is one quote */
		else if (c == '\r' || c == '\n') {
			csv_eol(csv, c);
			c = '\n';
		}
		if (csv_put(csv, c) != 0) {
			csv_error(csv, fline, "field %zu is longer than "
			    "64 KiB; is a closing quote missing?",
			    csv->nfields);
			return (CSV_ERR);
		}
	}
	c = csv_getc(csv);
	if (c != ',' && c != '\r' && c != '\n' && c != CSV_EOF &&
	    c != CSV_ERR) {
		csv_error(csv, csv->line, "field %zu has text after its "
		    "closing quote; put the whole field in quotes and double "
		    "each quote inside (\"\")", csv->nfields);
		return (CSV_ERR);
	}
	return (c);
}

/* Start on a reader; the FILE stays the caller's to close. */
struct csv *
csv_open(FILE *f)
{
	struct csv	*csv;

	csv = xcalloc(1, sizeof *csv);
	csv->f = f;
	csv->line = 1;
	return (csv);
}

/* Read one record, or say where the input goes wrong. */
int
csv_next(struct csv *csv, char ***fields, size_t *nfields, int *line,
    char **cause)
{
	size_t	 i;
	int	 c, start, fline;

	*fields = NULL;
	*nfields = 0;
	csv->nfields = 0;
	csv->len = 0;
	if ((c = csv_getc(csv)) == CSV_EOF)
		return (0);
	start = csv->line;
	for (;;) {
		if (c == CSV_ERR)
			goto fail;
		if (csv->nfields == CSV_FIELDS_MAX) {
			csv_error(csv, start, "more than %d fields in one "
			    "record", CSV_FIELDS_MAX);
			goto fail;
		}
		csv->off[csv->nfields++] = csv->len;
		fline = csv->line;
		if (c == '"')
			c = csv_quoted(csv, fline);
		else
			c = csv_plain(csv, c, fline);
		csv_room(csv);
		csv->buf[csv->len++] = '\0';
		if (c != ',')
			break;
		c = csv_getc(csv);
	}
	if (c == CSV_ERR)
		goto fail;
	if (c == '\r' || c == '\n')
		csv_eol(csv, c);
	if (csv->error != NULL)
		goto fail;
	for (i = 0; i < csv->nfields; i++)
		csv->fields[i] = csv->buf + csv->off[i];
	*fields = csv->fields;
	*nfields = csv->nfields;
	*line = start;
	return (1);
fail:
	cause_set(cause, "%s", csv->error);
	*line = csv->errline;
	return (-1);
}

/* A blank line, or a row of empty cells: the importer skips it. */
int
csv_is_blank(char **fields, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (fields[i][strspn(fields[i], " \t")] != '\0')
			return (0);
	}
	return (1);
}

/*
 * A header line names each column once: with a name given twice (in any
 * case), which column holds the value cannot be known.  Returns -1 with
 * *cause naming the first such column and where it is.
 */
int
csv_header_check(char **fields, size_t n, char **cause)
{
	size_t	i, j;

	for (i = 1; i < n; i++) {
		if (*fields[i] == '\0')
			continue;
		for (j = 0; j < i; j++) {
			if (strcasecmp(fields[j], fields[i]) != 0)
				continue;
			cause_set(cause, "%s: the header names this column "
			    "twice, as columns %zu and %zu; name each column "
			    "once", fields[i], j + 1, i + 1);
			return (-1);
		}
	}
	return (0);
}

/* Let the reader go; the FILE is left as it is. */
void
csv_free(struct csv *csv)
{
	if (csv == NULL)
		return;
	free(csv->buf);
	free(csv->error);
	free(csv);
}

/* Write one record, quoted where it must be, safe from formulas. */
void
csv_write(FILE *out, const char *const *fields, size_t n)
{
	const char	*s, *p;
	size_t		 i;
	int		 quote;

	for (i = 0; i < n; i++) {
		if (i > 0)
			fputc(',', out);
		if ((s = fields[i]) == NULL)
			continue;
		quote = strpbrk(s, ",\"\r\n") != NULL;
		if (quote)
			fputc('"', out);
		if (*s != '\0' && strchr("=+-@\t\r", *s) != NULL)
			fputc('\'', out);
		for (p = s; *p != '\0'; p++) {
			if (*p == '"')
				fputc('"', out);
			fputc(*p, out);
		}
		if (quote)
			fputc('"', out);
	}
	fputs("\r\n", out);
}

/* JSON rows under a header, each cell as csv_write writes it. */
void
csv_json(FILE *out, const char *const *cols, size_t n, json_t *rows)
{
	const char	**cells;
	char		**owned;
	json_t		 *r, *v;
	size_t		  i, j;

	csv_write(out, cols, n);
	cells = xcalloc(n, sizeof *cells);
	owned = xcalloc(n, sizeof *owned);
	json_array_foreach(rows, i, r) {
		for (j = 0; j < n; j++) {
			v = json_object_get(r, cols[j]);
			if (json_is_string(v))
				cells[j] = json_string_value(v);
			else if (json_is_integer(v))
				cells[j] = owned[j] = xprintf("%lld",
				    (long long)json_integer_value(v));
			else
				cells[j] = "";
		}
		csv_write(out, cells, n);
		for (j = 0; j < n; j++) {
			free(owned[j]);
			owned[j] = NULL;
		}
	}
	free(cells);
	free(owned);
}

/* Pence as pounds and pence, by integer division alone. */
void
csv_pence(long long pence, char out[CSV_PENCE_LEN])
{
	unsigned long long	u;

	u = pence < 0 ? 0ULL - (unsigned long long)pence :
	    (unsigned long long)pence;
	snprintf(out, CSV_PENCE_LEN, "%s%llu.%02llu", pence < 0 ? "-" : "",
	    u / 100, u % 100);
}

void
csv_payment_total(FILE *f, long long pence)
{
	static const char *const cols[] = { CSV_PAYMENT_COLS };
	const char	*cell[sizeof cols / sizeof cols[0]];
	char		 money[CSV_PENCE_LEN], digits[CSV_PENCE_LEN];
	size_t		 i;

	csv_pence(pence, money);
	snprintf(digits, sizeof digits, "%lld", pence);
	for (i = 0; i < sizeof cols / sizeof cols[0]; i++) {
		if (strcmp(cols[i], "person") == 0)
			cell[i] = "Total";
		else if (strcmp(cols[i], "amount") == 0)
			cell[i] = money;
		else if (strcmp(cols[i], "amount_pence") == 0)
			cell[i] = digits;
		else
			cell[i] = "";
	}
	csv_write(f, cell, sizeof cols / sizeof cols[0]);
}
