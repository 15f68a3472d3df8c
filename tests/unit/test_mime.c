/*
 * test_mime.c: the email as it goes on the wire: headers that nothing in
 * a message can add to (CR, LF and other controls in the subject, the
 * name, the ids), RFC 2047 subjects that decode to what was given and
 * stay within 78 columns, quoted-printable parts with no line over 76
 * bytes that decode to the text, a boundary found in no part, and the
 * parts in the order text, HTML, calendar.
 */
#include "config.h"

#include <sodium.h>

#include "testlib.h"

#include "convene.h"
#include "mime.h"

/* A message as msg_render makes one; tests change what they need. */
static struct chan_msg
base_msg(void)
{
	struct chan_msg	m;

	memset(&m, 0, sizeof m);
	m.id = 42;
	m.attempt = 1;
	m.channel = "email";
	m.kind = "reminder";
	m.to = "ann@example.org";
	m.to_name = "Ann Smith";
	m.subject = "Reminder: DP Steering Group on Thu 12 Mar 18:00";
	m.body = "Hello Ann,\n\nThe meeting is tomorrow.\n";
	m.message_id = "<convene.42.0@example.org>";
	return (m);
}

/* The header block: everything before the first empty line. */
static char *
headers_of(const char *msg)
{
	const char	*end = strstr(msg, "\r\n\r\n");

	assert_non_null(end);
	return (strndup(msg, (size_t)(end - msg) + 2));
}

/* Every line ends in CRLF, and none is longer than max bytes. */
static void
assert_lines(const char *s, size_t max)
{
	const char	*p, *nl;

	for (p = s; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		assert_true(nl > p && nl[-1] == '\r');
		assert_true((size_t)(nl - 1 - p) <= max);
		assert_null(memchr(p, '\r', (size_t)(nl - 1 - p)));
	}
}

/* How many header fields, and that each line starts one or folds. */
static int
count_fields(const char *hdr)
{
	const char	*p, *colon, *nl;
	int		 n = 0;

	for (p = hdr; *p != '\0'; p = nl + 2) {
		nl = strstr(p, "\r\n");
		assert_non_null(nl);
		if (*p == ' ' || *p == '\t')
			continue;	/* a folded line */
		colon = memchr(p, ':', (size_t)(nl - p));
		assert_non_null(colon);
		n++;
	}
	return (n);
}

/* A field's value, unfolded; NULL if absent. */
static char *
field(const char *hdr, const char *name)
{
	const char	*p, *nl;
	char		*out;
	size_t		 len = strlen(name), o = 0;

	for (p = hdr; *p != '\0'; p = nl + 2) {
		nl = strstr(p, "\r\n");
		if (strncasecmp(p, name, len) == 0 && p[len] == ':')
			break;
	}
	if (*p == '\0')
		return (NULL);
	out = calloc(1, strlen(p) + 1);
	p += len + 1;
	while (*p == ' ')
		p++;
	for (;;) {
		nl = strstr(p, "\r\n");
		memcpy(out + o, p, (size_t)(nl - p));
		o += (size_t)(nl - p);
		p = nl + 2;
		if (*p != ' ' && *p != '\t')
			break;
	}
	out[o] = '\0';
	return (out);
}

/* RFC 2047 B words joined, as a reader shows the subject. */
static char *
decode_words(const char *v)
{
	char		*out = calloc(1, strlen(v) + 1), *b64;
	const char	*p = v, *end;
	size_t		 o = 0, n;

	while (*p != '\0') {
		if (strncmp(p, "=?UTF-8?B?", 10) != 0) {
			out[o++] = *p++;
			continue;
		}
		p += 10;
		end = strstr(p, "?=");
		assert_non_null(end);
		b64 = strndup(p, (size_t)(end - p));
		assert_int_equal(sodium_base642bin((unsigned char *)out + o,
		    strlen(v) - o, b64, strlen(b64), NULL, &n, NULL,
		    sodium_base64_VARIANT_ORIGINAL), 0);
		free(b64);
		o += n;
		p = end + 2;
		/* Space between two encoded words is not text. */
		while (*p == ' ' && strncmp(p + 1, "=?UTF-8?B?", 10) == 0)
			p++;
	}
	out[o] = '\0';
	return (out);
}

/* Quoted-printable back to text with LF line ends. */
static char *
qp_decode(const char *s, size_t len)
{
	char		*out = calloc(1, len + 1);
	size_t		 i, o = 0;
	unsigned int	 c;

	for (i = 0; i < len; i++) {
		if (s[i] == '=' && i + 1 < len && s[i + 1] == '\r') {
			i += 2;		/* a soft break */
			continue;
		}
		if (s[i] == '=') {
			assert_int_equal(sscanf(s + i + 1, "%2X", &c), 1);
			out[o++] = (char)c;
			i += 2;
			continue;
		}
		if (s[i] == '\r')
			continue;
		out[o++] = s[i];
	}
	out[o] = '\0';
	return (out);
}

/* The part whose Content-Type starts with type: its text, decoded. */
static char *
part_text(const char *msg, const char *type)
{
	char		 want[128];
	const char	*p, *body, *end;

	snprintf(want, sizeof want, "Content-Type: %s", type);
	p = strstr(msg, want);
	if (p == NULL)
		return (NULL);
	assert_non_null(strstr(p, "Content-Transfer-Encoding: "
	    "quoted-printable\r\n"));
	body = strstr(p, "\r\n\r\n");
	assert_non_null(body);
	body += 4;
	/* To the next delimiter, whose CRLF is not the part's. */
	end = strstr(body, "\r\n--=_");
	if (end == NULL)
		end = body + strlen(body);
	return (qp_decode(body, (size_t)(end - body)));
}

static void
test_plain(void **state)
{
	struct chan_msg	 m = base_msg();
	char		*s, *h, *v;

	(void)state;
	s = mime_message(&m, "Convene <convene@example.org>", 1773338400);
	assert_lines(s, 78);
	h = headers_of(s);
	assert_int_equal(count_fields(h), 9);
	assert_string_equal(v = field(h, "From"),
	    "\"Convene\" <convene@example.org>");
	free(v);
	assert_string_equal(v = field(h, "To"), "\"Ann Smith\" "
	    "<ann@example.org>");
	free(v);
	assert_string_equal(v = field(h, "Subject"), m.subject);
	free(v);
	assert_string_equal(v = field(h, "Date"),
	    "Thu, 12 Mar 2026 18:00:00 +0000");
	free(v);
	assert_string_equal(v = field(h, "Message-ID"), m.message_id);
	free(v);
	assert_string_equal(v = field(h, "MIME-Version"), "1.0");
	free(v);
	assert_string_equal(v = field(h, "Auto-Submitted"), "auto-generated");
	free(v);
	assert_null(field(h, "Content-Language"));
	assert_string_equal(v = field(h, "Content-Type"),
	    "text/plain; charset=utf-8");
	free(v);
	assert_string_equal(v = part_text(s, "text/plain"), m.body);
	free(v);
	/* The text's own line end, then nothing more. */
	assert_string_equal(s + strlen(s) - 26, "The meeting is tomorrow.\r\n");
	free(h);
	free(s);
}

static void
test_injection(void **state)
{
	static const char *const subjects[] = {
		"Hello\r\nBcc: evil@example.org",
		"Hello\nBcc: evil@example.org",
		"Hello\rBcc: evil@example.org",
		"Hello\r\n\r\nbody in the headers",
		"Tab\tand\x01\x1f\x7f controls\r\n X-Folded: 1",
		"Caf\xc3\xa9\r\nBcc: evil@example.org",
		NULL
	};
	/* What a reader sees: each run of controls is one space. */
	static const char *const seen[] = {
		"Hello Bcc: evil@example.org",
		"Hello Bcc: evil@example.org",
		"Hello Bcc: evil@example.org",
		"Hello body in the headers",
		"Tab and controls X-Folded: 1",
		"Caf\xc3\xa9 Bcc: evil@example.org",
	};
	struct chan_msg	 m;
	char		*s, *h, *v, *d;
	int		 i;

	(void)state;
	for (i = 0; subjects[i] != NULL; i++) {
		m = base_msg();
		m.subject = subjects[i];
		m.to_name = "Ann\r\nBcc: evil@example.org";
		m.message_id = "<a@b>\r\nX-Injected: 1";
		m.lang = "cy\r\nX-Injected: 1";
		m.ical_method = "REQUEST\r\nX-Injected: 1";
		m.ical = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";
		s = mime_message(&m, "convene@example.org\r\nBcc: evil@x",
		    0);
		h = headers_of(s);
		/*
		 * From, To, Subject, Date, Message-ID, MIME-Version,
		 * Auto-Submitted, Content-Type; not Content-Language.
		 */
		assert_int_equal(count_fields(h), 8);
		assert_null(strstr(h, "\r\nBcc:"));
		assert_null(strstr(h, "\r\nX-Injected:"));
		assert_null(strstr(h, "\r\nX-Folded:"));
		assert_null(strstr(h, "\r\nbody"));
		assert_null(strstr(s, "\r\nX-Injected:"));
		assert_lines(s, 998);
		/* The text is kept, on one line. */
		v = field(h, "Subject");
		d = decode_words(v);
		assert_string_equal(d, seen[i]);
		free(d);
		free(v);
		assert_null(field(h, "Content-Language"));
		assert_non_null(strstr(s, "method=REQUEST\r\n"));
		v = field(h, "From");
		assert_string_equal(v, "<convene@example.org Bcc: evil@x>");
		free(v);
		v = field(h, "To");
		/* msg_header_address drops them from a name. */
		assert_string_equal(v, "\"AnnBcc: evil@example.org\" "
		    "<ann@example.org>");
		free(v);
		free(h);
		free(s);
	}
}

static void
test_subject_utf8(void **state)
{
	static const char *const subjects[] = {
		"Atgoffa: Grŵp Llywio Taliadau Uniongyrchol ddydd Iau 12 "
		    "Mawrth am 6yh — dewch â’ch cwestiynau",
		"\xe4\xbc\x9a\xe8\xae\xae\xe6\x8f\x90\xe9\x86\x92\xef\xbc\x9a"
		    "\xe7\x9b\xb4\xe6\x8e\xa5\xe4\xbb\x98\xe6\xac\xbe\xe6\x8c"
		    "\x87\xe5\xaf\xbc\xe5\xb0\x8f\xe7\xbb\x84\xe4\xbc\x9a\xe8"
		    "\xae\xae\xe5\xb0\x86\xe4\xba\x8e\xe6\x98\x8e\xe5\xa4\xa9"
		    "\xe4\xb8\x8b\xe5\x8d\x88\xe5\x85\xad\xe7\x82\xb9\xe4\xb8"
		    "\xbe\xe8\xa1\x8c\xf0\x9f\x93\x85\xf0\x9f\x93\x85\xf0\x9f"
		    "\x93\x85",
		"Caf\xc3\xa9",
		"Looks like a word =?UTF-8?B?SGk=?= but is not",
		"A plain subject that is long enough that it has to be folded "
		    "somewhere before the seventy-eighth column, twice over if "
		    "it goes on long enough like this one does",
		"Averyveryveryveryveryveryveryveryveryveryveryveryveryvery"
		    "veryveryveryverylongwordwithoutanyspaceatall",
		NULL
	};
	struct chan_msg	 m;
	char		*s, *h, *v, *d;
	int		 i;

	(void)state;
	for (i = 0; subjects[i] != NULL; i++) {
		m = base_msg();
		m.subject = subjects[i];
		s = mime_message(&m, "convene@example.org", 0);
		assert_lines(s, 78);
		h = headers_of(s);
		v = field(h, "Subject");
		d = decode_words(v);
		assert_string_equal(d, subjects[i]);
		/* Only plain ASCII goes as it is. */
		if (i < 4 || i == 5)
			assert_non_null(strstr(v, "=?UTF-8?B?"));
		else
			assert_string_equal(v, subjects[i]);
		free(d);
		free(v);
		free(h);
		free(s);
	}
}

static void
test_name_utf8(void **state)
{
	struct chan_msg	 m = base_msg();
	char		*s, *h, *v;

	(void)state;
	m.to_name = "Zo\xc3\xab \xc3\x9cn\xc3\xaf" "code";
	s = mime_message(&m, "Cyngor \"Sir\" <convene@example.org>", 0);
	h = headers_of(s);
	v = field(h, "To");
	assert_string_equal(v, "=?UTF-8?B?Wm/DqyDDnG7Dr2NvZGU=?= "
	    "<ann@example.org>");
	free(v);
	assert_string_equal(v = field(h, "From"),
	    "\"Cyngor \\\"Sir\\\"\" <convene@example.org>");
	free(v);
	free(h);
	free(s);
}

/* A long non-ASCII name: short encoded-words, folded lines, intact. */
static void
test_name_long(void **state)
{
	struct chan_msg	 m = base_msg();
	char		 name[512], *s, *h, *v, *dec, *p, *q;
	size_t		 i, o = 0;

	(void)state;
	for (i = 0; i < 70; i++) {	/* 70 two-byte, then 3 three-byte */
		name[o++] = '\xc5';
		name[o++] = '\xb5';
	}
	for (i = 0; i < 3; i++) {
		memcpy(name + o, "\xe2\x82\xac", 3);
		o += 3;
	}
	name[o] = '\0';
	m.to_name = name;
	s = mime_message(&m, "convene@example.org", 0);
	h = headers_of(s);
	assert_lines(h, 78);
	v = field(h, "To");
	for (p = v; (p = strstr(p, "=?UTF-8?B?")) != NULL; p = q + 2) {
		q = strstr(p + 10, "?=");
		assert_non_null(q);
		if (q + 2 - p > 75)
			fail_msg("an encoded-word of %d: %s", (int)(q + 2 - p),
			    v);
	}
	dec = decode_words(v);
	assert_non_null(strstr(dec, name));
	assert_non_null(strstr(dec, "<ann@example.org>"));
	free(dec);
	free(v);
	free(h);
	free(s);
}

static void
test_qp_long_lines(void **state)
{
	struct chan_msg	 m = base_msg();
	char		*body, *s, *v;
	size_t		 i;

	(void)state;
	body = calloc(1, 8000);
	/* A long line of ASCII, "=", spaces and Welsh; a trailing space. */
	for (i = 0; i < 3000; i++)
		strcat(body, i % 7 == 0 ? "= " : i % 5 == 0 ? "\xc5\xb5" : "a");
	strcat(body, " \n.starts with a dot\nFrom the start\n\ttab end\t\n"
	    "crlf\r\nlone cr\rend");
	m.body = body;
	s = mime_message(&m, "convene@example.org", 0);
	assert_lines(s, 76);
	/* 8-bit data never goes as it is. */
	for (i = 0; s[i] != '\0'; i++)
		assert_true((unsigned char)s[i] < 0x80);
	assert_null(strstr(s, "\r\n.starts"));
	assert_null(strstr(s, "\r\nFrom the"));
	v = part_text(s, "text/plain");
	/*
	 * Line ends come back as LF, whichever they were, and the message
	 * ends with one.
	 */
	body[strlen(body) - strlen("crlf\r\nlone cr\rend")] = '\0';
	strcat(body, "crlf\nlone cr\nend\n");
	assert_string_equal(v, body);
	free(v);
	free(s);
	free(body);
}

static void
test_multipart(void **state)
{
	struct chan_msg	 m = base_msg();
	char		*s, *h, *ct, *b, *v, *delim, *p;
	const char	*html = "<p>Hello =_ and --=_ and \xc3\xa9</p>\n";
	const char	*ical = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\n"
	    "DESCRIPTION:A long description that is longer than seventy-six "
	    "bytes on its line\r\nEND:VCALENDAR\r\n";
	int		 n;

	(void)state;
	m.html = html;
	m.ical = ical;
	m.ical_method = "REQUEST";
	m.lang = "cy";
	m.body = "Hello --=_ =_ \n";
	s = mime_message(&m, "convene@example.org", 0);
	assert_lines(s, 78);
	h = headers_of(s);
	assert_string_equal(v = field(h, "Content-Language"), "cy");
	free(v);
	ct = field(h, "Content-Type");
	assert_true(strncmp(ct, "multipart/alternative; boundary=\"", 33) == 0);
	b = strdup(ct + 33);
	assert_non_null(strchr(b, '"'));
	*strchr(b, '"') = '\0';
	assert_true(strlen(b) >= 20);
	delim = calloc(1, strlen(b) + 8);
	sprintf(delim, "\r\n--%s", b);
	/* The header, three parts and the close; nowhere else. */
	for (n = 0, p = s; (p = strstr(p + 1, b)) != NULL; n++)
		;
	assert_int_equal(n, 5);
	assert_non_null(strstr(s, delim));
	sprintf(delim, "--%s--\r\n", b);
	assert_string_equal(s + strlen(s) - strlen(delim), delim);
	/* In order: text, HTML, calendar. */
	assert_true(strstr(s, "Content-Type: text/plain; charset=utf-8") <
	    strstr(s, "Content-Type: text/html; charset=utf-8"));
	assert_true(strstr(s, "Content-Type: text/html; charset=utf-8") <
	    strstr(s, "Content-Type: text/calendar; charset=utf-8; "
	    "method=REQUEST\r\n"));
	assert_string_equal(v = part_text(s, "text/plain"), m.body);
	free(v);
	assert_string_equal(v = part_text(s, "text/html"), html);
	free(v);
	v = part_text(s, "text/calendar");
	assert_string_equal(v, "BEGIN:VCALENDAR\nMETHOD:REQUEST\n"
	    "DESCRIPTION:A long description that is longer than seventy-six "
	    "bytes on its line\nEND:VCALENDAR\n");
	free(v);
	free(ct);
	free(b);
	free(delim);
	free(h);
	free(s);

	/* A calendar only, with LF lines, cancelling: two parts. */
	m = base_msg();
	m.ical = "BEGIN:VCALENDAR\nMETHOD:CANCEL\nEND:VCALENDAR\n";
	m.ical_method = "CANCEL";
	s = mime_message(&m, "convene@example.org", 0);
	assert_lines(s, 78);
	assert_null(strstr(s, "text/html"));
	assert_non_null(strstr(s, "\r\nContent-Type: text/calendar; "
	    "charset=utf-8; method=CANCEL\r\n"));
	assert_non_null(strstr(s, "BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\n"));
	assert_true(strstr(s, "text/plain") < strstr(s, "text/calendar"));
	free(s);

	/* HTML only: two parts, and each message its own boundary. */
	m = base_msg();
	m.html = html;
	s = mime_message(&m, "convene@example.org", 0);
	v = mime_message(&m, "convene@example.org", 0);
	assert_null(strstr(s, "text/calendar"));
	assert_true(strstr(s, "text/plain") < strstr(s, "text/html"));
	h = strstr(s, "boundary=\"");
	b = strstr(v, "boundary=\"");
	assert_true(h != NULL && b != NULL && strncmp(h, b, 30) != 0);
	free(v);
	free(s);
}

static void
test_envelope(void **state)
{
	char	*a;

	(void)state;
	assert_string_equal(a = mime_envelope("convene@example.org"),
	    "convene@example.org");
	free(a);
	assert_string_equal(a = mime_envelope("Convene <c@example.org>"),
	    "c@example.org");
	free(a);
	assert_string_equal(a = mime_envelope(" \"A, B\" <c@example.org> "),
	    "c@example.org");
	free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_injection),
		cmocka_unit_test(test_subject_utf8),
		cmocka_unit_test(test_name_utf8),
		cmocka_unit_test(test_name_long),
		cmocka_unit_test(test_qp_long_lines),
		cmocka_unit_test(test_multipart),
		cmocka_unit_test(test_envelope),
	};

	if (sodium_init() < 0)
		return (1);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
