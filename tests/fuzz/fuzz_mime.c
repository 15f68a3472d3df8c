/*
 * fuzz_mime.c: a mail as mime.c writes it, from any values.  The input's
 * NUL-separated fields are from, to, to_name, subject, body, html, ical,
 * ical_method, lang and message_id (NULL when the input stops short).
 * Whatever they hold, every line must end in CRLF and the header must
 * stay the header: no value may start a line of its own there.
 */
#include "config.h"

#include "fuzz.h"

#include "convene.h"
#include "mime.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return (0);
}

/* The lines mime_message writes, folded lines and all. */
static int
fuzz_header_ok(const char *line, size_t n)
{
	static const char *const names[] = {
		"From:", "To:", "Subject:", "Date:", "Message-ID:",
		"MIME-Version:", "Auto-Submitted:", "Content-Language:",
		"Content-Type:", "Content-Transfer-Encoding:", NULL
	};
	size_t	i;

	if (n > 0 && (line[0] == ' ' || line[0] == '\t'))
		return (1);
	for (i = 0; names[i] != NULL; i++) {
		if (n >= strlen(names[i]) &&
		    strncmp(line, names[i], strlen(names[i])) == 0)
			return (1);
	}
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chan_msg	 m;
	char		*buf, *f[10], *out, *env;
	const char	*p, *nl;

	fuzz_fields(data, size, &buf, f, 10);
	memset(&m, 0, sizeof m);
	m.id = 1;
	m.attempt = 1;
	m.channel = "email";
	m.kind = "reminder";
	m.to = f[1];
	m.to_name = f[2];
	m.subject = f[3];
	m.body = f[4] != NULL ? f[4] : "";
	m.html = f[5];
	m.ical = f[6];
	m.ical_method = f[7];
	m.lang = f[8];
	m.message_id = f[9];
	out = mime_message(&m, f[0], 1767225600);
	for (p = out; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		if (nl == p || nl[-1] != '\r' ||
		    memchr(p, '\r', nl - p - 1) != NULL)
			abort();
	}
	if (*p != '\0')
		abort();
	/* The header: up to the first empty line. */
	for (p = out; strncmp(p, "\r\n", 2) != 0; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!fuzz_header_ok(p, nl - p))
			abort();
	}
	free(out);
	env = mime_envelope(f[0] != NULL ? f[0] : "");
	if (strpbrk(env, "\r\n") != NULL)
		abort();
	free(env);
	free(buf);
	return (0);
}
