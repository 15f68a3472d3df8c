/*
 * test_csv.c: CSV as spreadsheets write it is read record by record, each
 * with the line it starts on, and every malformed file is refused with
 * the line of its mistake.  What convene writes for finance is quoted
 * as RFC 4180 says, safe from formulas, read back whole by the reader,
 * with pounds made from pence.
 */
#include "config.h"

#include "testlib.h"

#include "csv.h"
#include "log.h"
#include "util.h"

#define CHECK(text, want)	check(text, sizeof(text) - 1, want, __LINE__)

#define SAVE_AS		"; save the spreadsheet as \"CSV UTF-8\"\n"
#define QUOTE_HINT	"put the whole field in quotes and double"

/*
 * Read len bytes of text: each record as its line and [field]s, with line
 * ends in fields shown as \n and \r, and a mistake as "! cause".
 */
static char *
render(const char *text, size_t len)
{
	struct csv	 *csv;
	FILE		 *f, *out;
	char		**fields, *cause = NULL, *again = NULL, *s = NULL;
	const char	 *p;
	size_t		  n, i, slen;
	int		  r, line, errline;

	assert_non_null(f = fmemopen((void *)text, len, "r"));
	assert_non_null(out = open_memstream(&s, &slen));
	csv = csv_open(f);
	while ((r = csv_next(csv, &fields, &n, &line, &cause)) == 1) {
		assert_null(cause);
		fprintf(out, "%d", line);
		for (i = 0; i < n; i++) {
			fputc('[', out);
			for (p = fields[i]; *p != '\0'; p++) {
				if (*p == '\n')
					fputs("\\n", out);
				else if (*p == '\r')
					fputs("\\r", out);
				else
					fputc(*p, out);
			}
			fputc(']', out);
		}
		fputc('\n', out);
	}
	if (r == 0) {
		assert_null(cause);
		assert_null(fields);
		assert_int_equal(n, 0);
		/* The end stays the end. */
		assert_int_equal(csv_next(csv, &fields, &n, &line, &cause), 0);
	} else {
		assert_int_equal(r, -1);
		assert_non_null(cause);
		fprintf(out, "! %s\n", cause);
		/* *line is the line the cause names. */
		assert_int_equal(sscanf(cause, "line %d:", &errline), 1);
		assert_int_equal(line, errline);
		/* Reading stops at the first mistake. */
		assert_int_equal(csv_next(csv, &fields, &n, &line, &again),
		    -1);
		assert_string_equal(cause, again);
		free(cause);
		free(again);
	}
	csv_free(csv);
	assert_int_equal(fclose(f), 0);		/* the FILE is still ours */
	assert_int_equal(fclose(out), 0);
	return (s);
}

/* Read text and compare with want; case is the test's source line. */
static void
check(const char *text, size_t len, const char *want, int line)
{
	char	*got;

	got = render(text, len);
	if (strcmp(got, want) != 0)
		fail_msg("case on line %d read as\n%s\nnot as wanted\n%s", line,
		    got, want);
	free(got);
}

static void
test_records(void **state)
{
	(void)state;
	CHECK("a,b,c\nd,e,f\n", "1[a][b][c]\n2[d][e][f]\n");
	CHECK("name,phone\r\nZo\xc3\xab,07700 900123\r\n",
	    "1[name][phone]\n2[Zo\xc3\xab][07700 900123]\n");
	CHECK("a\nb", "1[a]\n2[b]\n");
	CHECK("a\r\nb", "1[a]\n2[b]\n");
	CHECK("a\rb\r", "1[a]\n2[b]\n");		/* old Mac line ends */
	CHECK("a\r\n\nb\r\n", "1[a]\n2[]\n3[b]\n");
	CHECK(" a , b ", "1[ a ][ b ]\n");
	CHECK("", "");
}

static void
test_empty_fields(void **state)
{
	(void)state;
	CHECK(",,\n", "1[][][]\n");
	CHECK("a,\n", "1[a][]\n");
	CHECK(",a", "1[][a]\n");
	CHECK("a,,b\r\n", "1[a][][b]\n");
	CHECK("a,b\n,", "1[a][b]\n2[][]\n");
	CHECK("\"\",\n", "1[][]\n");
}

static void
test_blank_lines(void **state)
{
	char	*empty[] = { "" }, *three[] = { "", "", "" };
	char	*white[] = { " ", "\t", " \t " }, *some[] = { "", " x " };

	(void)state;
	CHECK("\n", "1[]\n");
	CHECK("a\n\n", "1[a]\n2[]\n");
	CHECK("a\n\n\nb\n", "1[a]\n2[]\n3[]\n4[b]\n");
	CHECK("\r\n\r\n", "1[]\n2[]\n");

	assert_true(csv_is_blank(NULL, 0));
	assert_true(csv_is_blank(empty, 1));
	assert_true(csv_is_blank(three, 3));
	assert_true(csv_is_blank(white, 3));
	assert_false(csv_is_blank(some, 2));
	assert_true(csv_is_blank(some, 1));
}

/* A header naming a column twice, in any case, is refused. */
static void
test_header_repeated(void **state)
{
	char	*good[] = { "name", "email", "phone" };
	char	*twice[] = { "name", "email", "phone", "email" };
	char	*cased[] = { "Email", "name", "EMAIL" };
	char	*blank[] = { "name", "", "" };
	char	*cause = NULL;

	(void)state;
	assert_int_equal(csv_header_check(good, 3, &cause), 0);
	assert_null(cause);
	assert_int_equal(csv_header_check(NULL, 0, &cause), 0);
	assert_int_equal(csv_header_check(blank, 3, &cause), 0);
	assert_null(cause);
	assert_int_equal(csv_header_check(twice, 4, &cause), -1);
	assert_string_equal(cause, "email: the header names this column "
	    "twice, as columns 2 and 4; name each column once");
	free(cause);
	cause = NULL;
	assert_int_equal(csv_header_check(cased, 3, &cause), -1);
	assert_non_null(strstr(cause, "columns 1 and 3"));
	free(cause);
}

static void
test_bom(void **state)
{
	(void)state;
	CHECK("\xef\xbb\xbfname,phone\n", "1[name][phone]\n");
	CHECK("\xef\xbb\xbf\"q,r\"\n", "1[q,r]\n");
	CHECK("\xef\xbb\xbf", "");
	CHECK("\xef\xbb\xbf\n", "1[]\n");
	/* Only at the start is it a byte order mark. */
	CHECK("a\n\xef\xbb\xbf" "b\n", "1[a]\n2[\xef\xbb\xbf" "b]\n");
	CHECK("\xff\xfe" "a\0,\0", "! line 1: the file is UTF-16 text"
	    SAVE_AS);
	CHECK("\xfe\xff\0a\0,", "! line 1: the file is UTF-16 text"
	    SAVE_AS);
}

static void
test_quoted(void **state)
{
	(void)state;
	CHECK("\"a,b\",\"say \"\"hi\"\"\",\"\"\n",
	    "1[a,b][say \"hi\"][]\n");
	CHECK("\"\"\"\"", "1[\"]\n");
	CHECK("a,\"b\"", "1[a][b]\n");
	/* A record on lines 2 to 4, then one that starts on line 5. */
	CHECK("head\n\"one\ntwo\nthree\",x\nnext\n",
	    "1[head]\n2[one\\ntwo\\nthree][x]\n5[next]\n");
	/* Line ends in a quoted field are read as LF, and counted. */
	CHECK("a\r\n\"b\r\nc\",d\r\ne\r\n", "1[a]\n2[b\\nc][d]\n4[e]\n");
	CHECK("\"b\rc\"\nd", "1[b\\nc]\n3[d]\n");
	CHECK("\"\n\n\"\nx", "1[\\n\\n]\n4[x]\n");
	CHECK("\"x\n\"\"y\"\"\n\",\"\n\"\nz",
	    "1[x\\n\"y\"\\n][\\n]\n5[z]\n");
}

static void
test_malformed(void **state)
{
	(void)state;
	CHECK("a,b\nc,d\"e\nf\n", "1[a][b]\n! line 2: field 2 has a quote "
	    "in it but does not start with one; " QUOTE_HINT " the quote "
	    "(\"\")\n");
	CHECK(" \"a\"", "! line 1: field 1 has a quote in it but does not "
	    "start with one; " QUOTE_HINT " the quote (\"\")\n");
	CHECK("a\n\"x\ny\"z,w\n", "1[a]\n! line 3: field 1 has text after "
	    "its closing quote; " QUOTE_HINT " each quote inside (\"\")\n");
	CHECK("\"a\" ,b", "! line 1: field 1 has text after its closing "
	    "quote; " QUOTE_HINT " each quote inside (\"\")\n");
	CHECK("a\nb,\"c\nd\ne\n", "1[a]\n! line 2: the quote that opens "
	    "field 2 is never closed\n");
	CHECK("x\n\n\"abc\"\"", "1[x]\n2[]\n! line 3: the quote that "
	    "opens field 1 is never closed\n");
	CHECK("a\nb\0c\n", "1[a]\n! line 2: a NUL byte, so this is not CSV "
	    "text" SAVE_AS);
	CHECK("\"a\n\0\"", "! line 2: a NUL byte, so this is not CSV text"
	    SAVE_AS);
}

static void
test_utf8(void **state)
{
	(void)state;
	CHECK("Zo\xc3\xab,\xc2\xa3" "5,\xe6\x97\xa5\xe6\x9c\xac,"
	    "\xf0\x9f\x98\x80,\xf4\x8f\xbf\xbf,\xef\xbf\xbd\n",
	    "1[Zo\xc3\xab][\xc2\xa3" "5][\xe6\x97\xa5\xe6\x9c\xac]"
	    "[\xf0\x9f\x98\x80][\xf4\x8f\xbf\xbf][\xef\xbf\xbd]\n");
	/* A spreadsheet saved as Latin-1 or Windows-1252. */
	CHECK("name\nZo\xeb,\xa3" "5\n", "1[name]\n! line 2: not UTF-8 "
	    "text" SAVE_AS);
	CHECK("a\nb\nc,\xa3" "5\n", "1[a]\n2[b]\n! line 3: not UTF-8 text"
	    SAVE_AS);
	CHECK("\"a\nb\xa3\"", "! line 2: not UTF-8 text" SAVE_AS);
	CHECK("\xc0\xaf", "! line 1: not UTF-8 text" SAVE_AS);
	CHECK("\xe0\x80\xaf", "! line 1: not UTF-8 text" SAVE_AS);
	CHECK("\xed\xa0\x80", "! line 1: not UTF-8 text" SAVE_AS);
	CHECK("\xf4\x90\x80\x80", "! line 1: not UTF-8 text" SAVE_AS);
	CHECK("\xf5\x80\x80\x80", "! line 1: not UTF-8 text" SAVE_AS);
	CHECK("\xbf", "! line 1: not UTF-8 text" SAVE_AS);
	CHECK("a\nb\xc3\nc", "1[a]\n! line 2: not UTF-8 text" SAVE_AS);
	CHECK("a\nb\xe2\x82", "1[a]\n! line 2: not UTF-8 text" SAVE_AS);
}

/* text of len bytes from the pieces, which are repeated n times each. */
static char *
build(size_t *len, const char *head, const char *piece, size_t n,
    const char *tail)
{
	char	*s, *p;
	size_t	 i;

	*len = strlen(head) + strlen(piece) * n + strlen(tail);
	p = s = xcalloc(1, *len + 1);
	p = stpcpy(p, head);
	for (i = 0; i < n; i++)
		p = stpcpy(p, piece);
	stpcpy(p, tail);
	return (s);
}

static void
test_limits(void **state)
{
	char	*text, *want, *field;
	size_t	 len;

	(void)state;
	field = build(&len, "", "a", CSV_FIELD_MAX, "");

	/* A field of 64 KiB, plain and quoted, and with "" in it. */
	text = build(&len, "", "a", CSV_FIELD_MAX, "\n");
	want = xprintf("1[%s]\n", field);
	check(text, len, want, __LINE__);
	free(text);
	text = build(&len, "\"", "a", CSV_FIELD_MAX, "\"");
	check(text, len, want, __LINE__);
	free(text);
	free(want);
	text = build(&len, "\"", "\"\"", CSV_FIELD_MAX, "\"");
	memset(field, '"', CSV_FIELD_MAX);
	want = xprintf("1[%s]\n", field);
	check(text, len, want, __LINE__);
	free(text);
	free(want);
	free(field);

	/* One byte more. */
	text = build(&len, "x\n", "a", CSV_FIELD_MAX + 1, "\n");
	check(text, len, "1[x]\n! line 2: field 1 is longer than 64 KiB\n",
	    __LINE__);
	free(text);
	text = build(&len, "x\ny,\"\n", "a", CSV_FIELD_MAX, "\"\n");
	check(text, len, "1[x]\n! line 2: field 2 is longer than 64 KiB; "
	    "is a closing quote missing?\n", __LINE__);
	free(text);

	/* 256 fields, then 257. */
	text = build(&len, "", ",", CSV_FIELDS_MAX - 1, "\n");
	want = build(&len, "1", "[]", CSV_FIELDS_MAX, "\n");
	check(text, strlen(text), want, __LINE__);
	free(text);
	free(want);
	text = build(&len, "a\n\"b\nc\"", ",", CSV_FIELDS_MAX, "\n");
	check(text, len, "1[a]\n! line 2: more than 256 fields in one "
	    "record\n", __LINE__);
	free(text);
}

/* A line end and a "" across the reader's read-ahead, wherever it ends. */
static void
test_read_ahead(void **state)
{
	char	*text, *want, *field;
	size_t	 k, len;

	(void)state;
	for (k = 4080; k < 4110; k++) {
		field = build(&len, "", "a", k, "");
		text = xprintf("%s\r\n\"b\"\"c\"\r\nd\r\n", field);
		want = xprintf("1[%s]\n2[b\"c]\n3[d]\n", field);
		check(text, strlen(text), want, __LINE__);
		free(field);
		free(text);
		free(want);
	}
}

static void
test_read_error(void **state)
{
	struct csv	 *csv;
	FILE		 *f;
	char		**fields, *cause = NULL;
	size_t		  n;
	int		  line = 0;

	(void)state;
	/* Open only for writing: reading it fails. */
	assert_non_null(f = fopen("/dev/null", "w"));
	csv = csv_open(f);
	assert_int_equal(csv_next(csv, &fields, &n, &line, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "line 1: cannot read: "));
	assert_int_equal(line, 1);
	free(cause);
	csv_free(csv);
	csv_free(NULL);
	assert_int_equal(fclose(f), 0);
}

/* What csv_write makes of n fields, as a string the caller frees. */
static char *
written(const char *const *fields, size_t n)
{
	FILE	*out;
	char	*s = NULL;
	size_t	 len;

	assert_non_null(out = open_memstream(&s, &len));
	csv_write(out, fields, n);
	assert_int_equal(fclose(out), 0);
	return (s);
}

static void
test_write(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;
	} cells[] = {
		{ "plain", "plain" },
		{ "", "" },
		{ "a, b", "\"a, b\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "two\nlines", "\"two\nlines\"" },
		{ "cr\r", "\"cr\r\"" },
		/* What a spreadsheet would run is kept as text. */
		{ "=1+2", "'=1+2" },
		{ "+44", "'+44" },
		{ "-5", "'-5" },
		{ "@SUM(A1)", "'@SUM(A1)" },
		{ "\tx", "'\tx" },
		{ "=HYPERLINK(\"http://x\"), \"Eve\"",
		    "\"'=HYPERLINK(\"\"http://x\"\"), \"\"Eve\"\"\"" },
		{ "a=b", "a=b" },
		{ "25.00", "25.00" },
		{ "Siân ap Dafydd", "Siân ap Dafydd" },
	};
	const char	*row[3];
	char		*s, *want;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof cells / sizeof cells[0]; i++) {
		row[0] = cells[i].in;
		s = written(row, 1);
		want = xprintf("%s\r\n", cells[i].out);
		if (strcmp(s, want) != 0)
			fail_msg("%s: wrote [%s], wanted [%s]", cells[i].in, s,
			    want);
		free(want);
		free(s);
	}
	row[0] = "a";
	row[1] = NULL;
	row[2] = "c";
	s = written(row, 3);
	assert_string_equal(s, "a,,c\r\n");
	free(s);
}

/* What is written is read back as it was, but for the formula mark. */
static void
test_write_read(void **state)
{
	const char *const row[] = { "Ann, \"A\"", "two\r\nlines", "=x", "",
	    "£5" };
	const char *const want[] = { "Ann, \"A\"", "two\nlines", "'=x", "",
	    "£5" };
	struct csv	 *csv;
	FILE		 *f;
	char		**fields, *cause = NULL, *s;
	size_t		  n, i, len;
	int		  line, at;

	(void)state;
	assert_non_null(f = open_memstream(&s, &len));
	csv_write(f, row, 5);
	csv_write(f, row, 5);
	assert_int_equal(fclose(f), 0);
	assert_non_null(f = fmemopen(s, len, "r"));
	csv = csv_open(f);
	for (line = 0; line < 2; line++) {
		assert_int_equal(csv_next(csv, &fields, &n, &at, &cause), 1);
		assert_int_equal(at, 1 + 2 * line);
		assert_int_equal(n, 5);
		for (i = 0; i < n; i++)
			assert_string_equal(fields[i], want[i]);
	}
	assert_int_equal(csv_next(csv, &fields, &n, &at, &cause), 0);
	assert_null(cause);
	csv_free(csv);
	fclose(f);
	free(s);
}

static void
test_pence(void **state)
{
	static const struct {
		long long	 pence;
		const char	*pounds;
	} cases[] = {
		{ 0, "0.00" }, { 5, "0.05" }, { 50, "0.50" }, { 2500, "25.00" },
		{ 2505, "25.05" }, { 100000099, "1000000.99" },
		{ -250, "-2.50" }, { -5, "-0.05" },
		{ 9223372036854775807LL, "92233720368547758.07" },
		{ -9223372036854775807LL - 1, "-92233720368547758.08" },
	};
	char	buf[CSV_PENCE_LEN];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		csv_pence(cases[i].pence, buf);
		assert_string_equal(buf, cases[i].pounds);
	}
}

/* JSON rows under a header: text, numbers, null and absent. */
static void
test_json(void **state)
{
	static const char *const cols[] = { CSV_PAYMENT_COLS };
	json_t	*rows;
	FILE	*f;
	char	*s;
	size_t	 len;

	(void)state;
	rows = json_pack("[{s:s, s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:n, "
	    "s:s, s:I}, {s:s}]", "person", "Ann", "person_id",
	    (json_int_t)1, "meeting", "Panel, June", "date", "2026-06-01",
	    "role", "co-chair", "amount", "30.00", "amount_pence",
	    (json_int_t)3000, "status", "owed", "paid_on", "group", "alpha",
	    "payment_id", (json_int_t)7, "person", "-Bob");
	assert_non_null(f = open_memstream(&s, &len));
	csv_json(f, cols, sizeof cols / sizeof cols[0], rows);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(s, "person,person_id,meeting,date,role,amount,"
	    "amount_pence,status,paid_on,group,payment_id\r\n"
	    "Ann,1,\"Panel, June\",2026-06-01,co-chair,30.00,3000,owed,,"
	    "alpha,7\r\n"
	    "'-Bob,,,,,,,,,,\r\n");
	free(s);
	json_decref(rows);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_empty_fields),
		cmocka_unit_test(test_blank_lines),
		cmocka_unit_test(test_header_repeated),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_quoted),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_read_ahead),
		cmocka_unit_test(test_read_error),
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_write_read),
		cmocka_unit_test(test_pence),
		cmocka_unit_test(test_json),
	};

	log_init(LOG_TARGET_STDERR, 0);
	return (cmocka_run_group_tests_name("csv", tests, NULL, NULL));
}
