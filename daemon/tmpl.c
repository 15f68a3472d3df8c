/*
 * tmpl.c: message templates, DIR/<language>/<name>.tmpl, in a small subset
 * of mustache.
 *
 * {{name}} fills in a value; {{#name}}...{{/name}} keeps what it holds
 * only when the value is set and not empty, {{^name}}...{{/name}} only
 * when it is not; {{! ... }} is a comment.  A line holding nothing but
 * section tags, comments and blanks goes away with its newline, so that
 * a template can be laid out one tag a line.  Each file is parsed once,
 * at load, into a flat list of nodes in which a section knows where it
 * ends, so rendering is one loop and cannot fail.  Every name must be one
 * the caller knows, and every mistake in every file is reported as
 * FILE:LINE; a set with a mistake in it is never handed back.
 *
 * The last dot-part of a template's name says how values are written:
 * "html" escapes markup; "subject" makes one line, so that no value can
 * add a mail header; anything else ("text", "sms") keeps newlines and tabs
 * and drops other control characters.  Bytes of a value that are not
 * UTF-8 become U+FFFD.  Subject and SMS templates lose the newline that
 * ends their file.
 *
 * The words of words.ini are loaded by words.c.
 *
 * When DIR does not exist, English as built into convened (tmpl_builtin.c,
 * made from conf/templates/en at build time) is loaded, with a warning,
 * so that a daemon with nothing installed still sends its messages.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ini.h>

#include "log.h"
#include "tmpl.h"
#include "util.h"

#define TMPL_BUILTIN	"(built in)"	/* where the built-in files are */
#define TMPL_SUFFIX	".tmpl"
#define TMPL_MAX_SIZE	(1024 * 1024)	/* bytes in one file */
#define TMPL_MAX_DEPTH	16		/* sections inside sections */
#define TMPL_MAX_NOTED	256		/* fallbacks logged, each once */
#define TMPL_MAX_LANG	35		/* characters in a language tag */

enum tmpl_escape {
	TMPL_ESC_TEXT,
	TMPL_ESC_HTML,
	TMPL_ESC_SUBJECT
};

enum tmpl_type {
	TMPL_TEXT,
	TMPL_VAR,
	TMPL_SECTION,
	TMPL_INVERTED
};

struct tmpl_node {
	enum tmpl_type	 type;
	size_t		 var;		/* index into the known names */
	size_t		 off;		/* TMPL_TEXT: text[off], len bytes */
	size_t		 len;
	size_t		 end;		/* sections: the node after them */
};

struct tmpl {
	const char		*lang;		/* one of the set's langs */
	char			*name;
	enum tmpl_escape	 esc;
	char			*text;
	struct tmpl_node	*nodes;
	size_t			 nnodes;
};

struct tmpl_noted {
	char	*lang;
	char	*name;
};

/* While loading: one token of a file, before sections are matched. */
enum tmpl_kind {
	TMPL_TOK_TEXT,
	TMPL_TOK_VAR,
	TMPL_TOK_OPEN,
	TMPL_TOK_INVERT,
	TMPL_TOK_CLOSE,
	TMPL_TOK_COMMENT
};

struct tmpl_tok {
	enum tmpl_kind	 kind;
	int		 line;
	size_t		 ostart;	/* text as read, or the tag's name */
	size_t		 oend;
	size_t		 start;		/* text kept after standalone lines */
	size_t		 end;
};

struct tmpl_err {
	int		 line;
	size_t		 seq;
	char		*msg;
};

/* realloc for n items of size bytes, or die. */
void *
tmpl_grow(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		fatalx("tmpl_grow: %zu * %zu bytes", n, size);
	if ((p = realloc(p, n * size == 0 ? 1 : n * size)) == NULL)
		fatal("realloc");
	return (p);
}

/* Append n bytes, keeping the buffer a C string. */
void
tmpl_buf_add(struct tmpl_buf *b, const void *s, size_t n)
{
	if (b->len + n + 1 > b->size) {
		b->size = b->size == 0 ? 256 : b->size;
		while (b->len + n + 1 > b->size)
			b->size *= 2;
		b->p = tmpl_grow(b->p, b->size, 1);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Add one mistake, as PATH:LINE: reason (PATH: reason when line is 0). */
void
tmpl_error(struct tmpl_parse *p, const char *path, int line,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	errlist_vadd(&p->errors, path, line > 0 ? line : ERRLIST_NOLINE, fmt,
	    ap);
	va_end(ap);
}

/* A mistake at a line of the file being loaded, to be sorted in. */
void
tmpl_ferror(struct tmpl_parse *p, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	p->pending = tmpl_grow(p->pending, p->npending + 1,
	    sizeof *p->pending);
	p->pending[p->npending].line = line;
	p->pending[p->npending].seq = p->npending;
	p->pending[p->npending++].msg = msg;
}

/* By line, and in the order found within a line. */
static int
tmpl_err_cmp(const void *a, const void *b)
{
	const struct tmpl_err	*ea = a, *eb = b;

	if (ea->line != eb->line)
		return (ea->line < eb->line ? -1 : 1);
	return (ea->seq < eb->seq ? -1 : ea->seq > eb->seq);
}

/* Report the file's mistakes in the order of its lines; how many. */
size_t
tmpl_flush(struct tmpl_parse *p, const char *path)
{
	size_t	i, n = p->npending;

	if (n == 0)
		return (0);
	qsort(p->pending, n, sizeof *p->pending, tmpl_err_cmp);
	for (i = 0; i < n; i++) {
		tmpl_error(p, path, p->pending[i].line, "%s",
		    p->pending[i].msg);
		free(p->pending[i].msg);
	}
	free(p->pending);
	p->pending = NULL;
	p->npending = 0;
	return (n);
}

/* Length of the UTF-8 sequence at s (1 to 4) and its code point, or 0. */
static size_t
tmpl_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t	c;
	size_t		len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return (1);
	}
	if (s[0] < 0xc2)
		return (0);
	else if (s[0] < 0xe0) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] < 0xf0) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] < 0xf5) {
		len = 4;
		c = s[0] & 0x07;
	} else
		return (0);
	if (len > n)
		return (0);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return (0);
	*cp = c;
	return (len);
}

/* C0, DEL and C1: what no message should carry as it is. */
static int
tmpl_control(uint32_t cp)
{
	return (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0));
}

/*
 * A language tag, [a-z]{2,3}(-[A-Za-z0-9]{1,8})*: a folder's name must
 * be so; one asked for may have its first part in capitals too.
 */
int
tmpl_lang_valid(const char *s, int folder)
{
	size_t	n, len = strlen(s);

	if (len > TMPL_MAX_LANG)
		return (0);
	for (n = 0; (s[n] >= 'a' && s[n] <= 'z') ||
	    (!folder && s[n] >= 'A' && s[n] <= 'Z'); n++)
		;
	if (n < 2 || n > 3)
		return (0);
	s += n;
	while (*s == '-') {
		s++;
		for (n = 0; (*s >= 'a' && *s <= 'z') ||
		    (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9');
		    n++)
			s++;
		if (n < 1 || n > 8)
			return (0);
	}
	return (*s == '\0');
}

/* A template name: dot-separated parts of [a-z0-9_-], such as a.text. */
static int
tmpl_name_valid(const char *s)
{
	size_t	n;

	do {
		for (n = 0; (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'; n++)
			s++;
		if (n == 0)
			return (0);
	} while (*s++ == '.');
	return (s[-1] == '\0');
}

/* A character of a name: [a-z_] first, then [a-z0-9_]. */
int
tmpl_namechar(int c, int first)
{
	return ((c >= 'a' && c <= 'z') || c == '_' ||
	    (!first && c >= '0' && c <= '9'));
}

/* Index of a known name, or -1. */
static long
tmpl_known(const struct tmpl_set *set, const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < set->nknown; i++) {
		if (strlen(set->known[i]) == len &&
		    memcmp(set->known[i], s, len) == 0)
			return ((long)i);
	}
	return (-1);
}

/* The line of src that byte off is on, for a mistake found late. */
static int
tmpl_line_at(const char *src, size_t off)
{
	int	line = 1;
	size_t	i;

	for (i = 0; i < off; i++) {
		if (src[i] == '\n')
			line++;
	}
	return (line);
}

/* Append a token covering src[start] to src[end]. */
static void
tmpl_tok_add(struct tmpl_tok **t, size_t *n, enum tmpl_kind kind, int line,
    size_t start, size_t end)
{
	*t = tmpl_grow(*t, *n + 1, sizeof **t);
	(*t)[*n].kind = kind;
	(*t)[*n].line = line;
	(*t)[*n].ostart = (*t)[*n].start = start;
	(*t)[*n].oend = (*t)[*n].end = end;
	(*n)++;
}

/* Split src into text and tags; mistakes in tags are reported here. */
static void
tmpl_tokenise(struct tmpl_parse *p, const char *src,
    size_t len, struct tmpl_tok **toks, size_t *ntoks)
{
	const char	*at, *close, *nl;
	size_t		 pos = 0, tag, q, name, nend, end;
	enum tmpl_kind	 kind;
	int		 line = 1;

	while (pos < len) {
		at = memmem(src + pos, len - pos, "{{", 2);
		tag = at == NULL ? len : (size_t)(at - src);
		if (tag > pos)
			tmpl_tok_add(toks, ntoks, TMPL_TOK_TEXT, line, pos,
			    tag);
		for (; pos < tag; pos++) {
			if (src[pos] == '\n')
				line++;
		}
		if (at == NULL)
			break;
		for (q = tag + 2; q < len && (src[q] == ' ' || src[q] == '\t');)
			q++;
		if (q < len && src[q] == '!') {
			close = memmem(src + q, len - q, "}}", 2);
			if (close == NULL) {
				tmpl_ferror(p, line, "comment {{! is "
				    "never closed with }}");
				return;
			}
			end = close - src + 2;
			tmpl_tok_add(toks, ntoks, TMPL_TOK_COMMENT, line, tag,
			    end);
			for (; pos < end; pos++) {
				if (src[pos] == '\n')
					line++;
			}
			continue;
		}
		close = memmem(src + q, len - q, "}}", 2);
		nl = memchr(src + q, '\n', len - q);
		if (close == NULL || (nl != NULL && nl < close)) {
			tmpl_ferror(p, line, "{{ is not closed with }} "
			    "on its line");
			pos = tag + 2;
			continue;
		}
		end = close - src;
		pos = end + 2;
		kind = TMPL_TOK_VAR;
		if (q < end && src[q] != '\0' &&
		    strchr("#^/", src[q]) != NULL) {
			kind = src[q] == '#' ? TMPL_TOK_OPEN :
			    src[q] == '^' ? TMPL_TOK_INVERT : TMPL_TOK_CLOSE;
			for (q++; q < end && (src[q] == ' ' || src[q] == '\t');)
				q++;
		}
		name = q;
		while (q < end && tmpl_namechar((unsigned char)src[q],
		    q == name))
			q++;
		nend = q;
		while (q < end && (src[q] == ' ' || src[q] == '\t'))
			q++;
		if (nend == name || q != end) {
			q = end - tag - 2;
			tmpl_ferror(p, line, "bad tag {{%.*s}}: a name "
			    "is lower-case letters, digits and _, as in "
			    "{{title}}", (int)(q > 60 ? 60 : q), src + tag + 2);
			continue;
		}
		tmpl_tok_add(toks, ntoks, kind, line, name, nend);
	}
}

/* Drop a standalone line: text tokens first to last, from lstart to to. */
static void
tmpl_cut(struct tmpl_tok *t, size_t ntoks, size_t first, size_t lstart,
    size_t last, size_t to)
{
	size_t	i;

	for (i = first; i <= last && i < ntoks; i++) {
		if (t[i].kind != TMPL_TOK_TEXT)
			continue;
		if (i == first && lstart > t[i].ostart) {
			if (t[i].end > lstart)
				t[i].end = lstart;
		} else if (i == last) {
			if (t[i].start < to)
				t[i].start = to;
		} else
			t[i].start = t[i].end;
		if (t[i].start > t[i].end)
			t[i].start = t[i].end;
	}
}

/*
 * The mustache "standalone" rule, a little wider: a line that holds
 * section tags or comments, no {{name}} and otherwise only blanks is
 * dropped with its newline.  A comment over several lines counts as one.
 */
static void
tmpl_standalone(const char *src, struct tmpl_tok *t, size_t ntoks)
{
	size_t	i, p, first = 0, lstart = 0;
	int	tags = 0, vars = 0, blank = 1;

	for (i = 0; i < ntoks; i++) {
		if (t[i].kind == TMPL_TOK_VAR) {
			vars = 1;
			continue;
		}
		if (t[i].kind != TMPL_TOK_TEXT) {
			tags = 1;
			continue;
		}
		for (p = t[i].ostart; p < t[i].oend; p++) {
			if (src[p] == '\n') {
				if (tags && !vars && blank)
					tmpl_cut(t, ntoks, first, lstart, i,
					    p + 1);
				first = i;
				lstart = p + 1;
				tags = vars = 0;
				blank = 1;
			} else if (src[p] != ' ' && src[p] != '\t')
				blank = 0;
		}
	}
	if (tags && !vars && blank)
		tmpl_cut(t, ntoks, first, lstart, ntoks, 0);
}

/* Append a node; var -1 (an unknown name) never has a value. */
static struct tmpl_node *
tmpl_node_add(struct tmpl *t, enum tmpl_type type, long var)
{
	struct tmpl_node	*n;

	t->nodes = tmpl_grow(t->nodes, t->nnodes + 1, sizeof *t->nodes);
	n = &t->nodes[t->nnodes++];
	memset(n, 0, sizeof *n);
	n->type = type;
	n->var = var < 0 ? SIZE_MAX : (size_t)var;
	return (n);
}

/* Turn tokens into nodes, matching sections and checking names. */
static void
tmpl_build(struct tmpl_parse *p, const char *src,
    struct tmpl_tok *toks, size_t ntoks, struct tmpl *t)
{
	struct tmpl_buf	 text = { NULL, 0, 0 };
	struct tmpl_tok	*k, *open[TMPL_MAX_DEPTH];
	size_t		 at[TMPL_MAX_DEPTH], depth = 0, i, d, len;
	const char	*name, *nl;
	long		 var;
	int		 merge = 0;

	for (i = 0; i < ntoks; i++) {
		k = &toks[i];
		name = src + k->ostart;
		len = k->oend - k->ostart;
		switch (k->kind) {
		case TMPL_TOK_COMMENT:
			break;
		case TMPL_TOK_TEXT:
			if (k->start == k->end)
				break;
			if (t->esc == TMPL_ESC_SUBJECT && (nl = memchr(src +
			    k->start, '\n', k->end - k->start)) != NULL) {
				tmpl_ferror(p, tmpl_line_at(src,
				    nl - src), "a subject is one line; this "
				    "template has more");
			}
			if (merge)
				t->nodes[t->nnodes - 1].len += k->end -
				    k->start;
			else {
				tmpl_node_add(t, TMPL_TEXT, -1)->off =
				    text.len;
				t->nodes[t->nnodes - 1].len = k->end -
				    k->start;
			}
			tmpl_buf_add(&text, src + k->start, k->end - k->start);
			merge = 1;
			break;
		case TMPL_TOK_VAR:
			if ((var = tmpl_known(p->set, name, len)) == -1)
				tmpl_ferror(p, k->line, "unknown "
				    "placeholder {{%.*s}}", (int)len, name);
			tmpl_node_add(t, TMPL_VAR, var);
			merge = 0;
			break;
		case TMPL_TOK_OPEN:
		case TMPL_TOK_INVERT:
			merge = 0;
			if ((var = tmpl_known(p->set, name, len)) == -1)
				tmpl_ferror(p, k->line, "unknown "
				    "placeholder {{%c%.*s}}", k->kind ==
				    TMPL_TOK_OPEN ? '#' : '^', (int)len, name);
			for (d = 0; d < depth; d++) {
				if (open[d]->oend - open[d]->ostart == len &&
				    memcmp(src + open[d]->ostart, name,
				    len) == 0)
					break;
			}
			if (d < depth) {
				tmpl_ferror(p, k->line, "{{%c%.*s}} is "
				    "inside a section of the same name, "
				    "opened on line %d", k->kind ==
				    TMPL_TOK_OPEN ? '#' : '^', (int)len, name,
				    open[d]->line);
				break;
			}
			if (depth == TMPL_MAX_DEPTH) {
				tmpl_ferror(p, k->line, "sections are "
				    "nested more than %d deep",
				    TMPL_MAX_DEPTH);
				break;
			}
			open[depth] = k;
			at[depth++] = t->nnodes;
			tmpl_node_add(t, k->kind == TMPL_TOK_OPEN ?
			    TMPL_SECTION : TMPL_INVERTED, var);
			break;
		case TMPL_TOK_CLOSE:
			merge = 0;
			for (d = depth; d > 0; d--) {
				if (open[d - 1]->oend - open[d - 1]->ostart ==
				    len && memcmp(src + open[d - 1]->ostart,
				    name, len) == 0)
					break;
			}
			if (depth == 0) {
				tmpl_ferror(p, k->line, "{{/%.*s}} "
				    "closes no section", (int)len, name);
				break;
			}
			if (d != depth) {
				k = open[depth - 1];
				tmpl_ferror(p, toks[i].line, "{{/%.*s}} "
				    "does not close {{%c%.*s}} from line %d",
				    (int)len, name, k->kind == TMPL_TOK_OPEN ?
				    '#' : '^', (int)(k->oend - k->ostart),
				    src + k->ostart, k->line);
				if (d == 0)
					break;
			}
			while (depth >= d && depth > 0)
				t->nodes[at[--depth]].end = t->nnodes;
			break;
		}
	}
	for (d = 0; d < depth; d++) {
		k = open[d];
		tmpl_ferror(p, k->line, "{{%c%.*s}} is never closed",
		    k->kind == TMPL_TOK_OPEN ? '#' : '^',
		    (int)(k->oend - k->ostart), src + k->ostart);
	}
	t->text = text.p;
}

/* Check a file is UTF-8 text: no control characters but tab and newline. */
int
tmpl_check_text(struct tmpl_parse *p, const char *src,
    size_t len)
{
	const unsigned char	*s = (const unsigned char *)src;
	size_t			 i, n;
	uint32_t		 cp;

	for (i = 0; i < len; i += n) {
		if ((n = tmpl_utf8(s + i, len - i, &cp)) == 0) {
			tmpl_ferror(p, tmpl_line_at(src, i), "not valid "
			    "UTF-8 (byte 0x%02x); save the file as UTF-8",
			    s[i]);
			return (-1);
		}
		if (tmpl_control(cp) && cp != '\n' && cp != '\t') {
			tmpl_ferror(p, tmpl_line_at(src, i), "control "
			    "character U+%04X; templates are plain text",
			    (unsigned)cp);
			return (-1);
		}
	}
	return (0);
}

/* A built-in file, by the name at the end of its path, as tmpl_read. */
static char *
tmpl_builtin_read(struct tmpl_parse *p, const char *path, size_t *lenp)
{
	const struct tmpl_builtin	*b;
	const char			*name = strrchr(path, '/');
	char				*buf;

	name = name == NULL ? path : name + 1;
	for (b = p->builtin; b->name != NULL; b++) {
		if (strcmp(b->name, name) == 0)
			break;
	}
	if (b->name == NULL) {
		tmpl_error(p, path, 0, "not built in");
		return (NULL);
	}
	buf = xcalloc(1, b->len + 1);
	memcpy(buf, b->data, b->len);
	*lenp = b->len;
	return (buf);
}

/* Read a whole file of at most TMPL_MAX_SIZE bytes. */
char *
tmpl_read(struct tmpl_parse *p, const char *path, size_t *lenp)
{
	struct stat	 sb;
	char		*buf;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd;

	if (p->builtin != NULL)
		return (tmpl_builtin_read(p, path, lenp));
	/* O_NONBLOCK: a FIFO named x.tmpl must not hang the load. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		tmpl_error(p, path, 0, "cannot open: %s", strerror(errno));
		return (NULL);
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		tmpl_error(p, path, 0, "not a regular file");
		close(fd);
		return (NULL);
	}
	if (sb.st_size > TMPL_MAX_SIZE) {
		tmpl_error(p, path, 0, "larger than %d bytes", TMPL_MAX_SIZE);
		close(fd);
		return (NULL);
	}
	buf = xcalloc(1, (size_t)sb.st_size + 1);
	while (len < (size_t)sb.st_size &&
	    (n = read(fd, buf + len, (size_t)sb.st_size - len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			tmpl_error(p, path, 0, "cannot read: %s",
			    strerror(errno));
			free(buf);
			close(fd);
			return (NULL);
		}
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	*lenp = len;
	return (buf);
}

/* A byte order mark and CR LF line ends are an editor's, not ours. */
size_t
tmpl_clean(char *src, size_t len)
{
	size_t	i, j;

	i = len >= 3 && memcmp(src, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	for (j = 0; i < len; i++) {
		if (src[i] != '\r' || i + 1 >= len || src[i + 1] != '\n')
			src[j++] = src[i];
	}
	src[j] = '\0';
	return (j);
}

/* Load one file into the set; mistakes go to p. */
static void
tmpl_file(struct tmpl_parse *p, const char *lang, const char *name,
    const char *path)
{
	struct tmpl	 t;
	struct tmpl_tok	*toks = NULL;
	const char	*part;
	char		*src;
	size_t		 len, ntoks = 0;
	int		 oneline = 0;

	memset(&t, 0, sizeof t);
	if ((src = tmpl_read(p, path, &len)) == NULL)
		return;
	part = strrchr(name, '.');
	part = part == NULL ? name : part + 1;
	if (strcmp(part, "html") == 0)
		t.esc = TMPL_ESC_HTML;
	else if (strcmp(part, "subject") == 0) {
		t.esc = TMPL_ESC_SUBJECT;
		oneline = 1;
	} else {
		t.esc = TMPL_ESC_TEXT;
		oneline = strcmp(part, "sms") == 0;
	}

	len = tmpl_clean(src, len);
	if (tmpl_check_text(p, src, len) != 0) {
		tmpl_flush(p, path);
		free(src);
		return;
	}
	if (oneline && len > 0 && src[len - 1] == '\n')
		src[--len] = '\0';

	tmpl_tokenise(p, src, len, &toks, &ntoks);
	tmpl_standalone(src, toks, ntoks);
	tmpl_build(p, src, toks, ntoks, &t);
	free(toks);
	free(src);
	if (tmpl_flush(p, path) != 0) {
		free(t.text);
		free(t.nodes);
		return;
	}
	t.lang = lang;
	t.name = xstrdup(name);
	if (t.text == NULL)
		t.text = xstrdup("");
	p->set->tmpls = tmpl_grow(p->set->tmpls, p->set->ntmpls + 1,
	    sizeof *p->set->tmpls);
	p->set->tmpls[p->set->ntmpls++] = t;
}

/* scandir: skip dot files, editors' and ours alike. */
static int
tmpl_scan_filter(const struct dirent *d)
{
	return (d->d_name[0] != '.');
}

/* Load every NAME.tmpl of one language folder. */
static void
tmpl_lang_dir(struct tmpl_parse *p, const char *lang, const char *dir)
{
	struct dirent	**ents;
	char		*name, *path;
	size_t		 len, slen = strlen(TMPL_SUFFIX);
	int		 i, n;

	if ((n = scandir(dir, &ents, tmpl_scan_filter, alphasort)) == -1) {
		tmpl_error(p, dir, 0, "cannot read: %s", strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		len = strlen(ents[i]->d_name);
		if (strcmp(ents[i]->d_name, TMPL_WORDS) == 0) {
			path = xprintf("%s/%s", dir, ents[i]->d_name);
			words_file(p, lang, path);
			free(path);
			free(ents[i]);
			continue;
		}
		if (len <= slen || strcmp(ents[i]->d_name + len - slen,
		    TMPL_SUFFIX) != 0) {
			free(ents[i]);
			continue;
		}
		name = xstrdup(ents[i]->d_name);
		name[len - slen] = '\0';
		path = xprintf("%s/%s", dir, ents[i]->d_name);
		if (!tmpl_name_valid(name))
			tmpl_error(p, path, 0, "not a template name: use "
			    "lower-case letters, digits, _ and -, with dots "
			    "between parts, as in reminder.text.tmpl");
		else {
			if (strcmp(lang, TMPL_FALLBACK) == 0) {
				p->english = tmpl_grow(p->english,
				    p->nenglish + 1, sizeof *p->english);
				p->english[p->nenglish++] = xstrdup(name);
			}
			tmpl_file(p, lang, name, path);
		}
		free(path);
		free(name);
		free(ents[i]);
	}
	free(ents);
}

/*
 * The first len bytes of lang against the language tag b, ignoring
 * case: the order templates and words are sorted in.
 */
int
tmpl_lang_cmp(const char *lang, size_t len, const char *b)
{
	size_t	i;
	int	 x, y;

	for (i = 0; i < len && b[i] != '\0'; i++) {
		x = (unsigned char)lang[i];
		y = (unsigned char)b[i];
		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return (x < y ? -1 : 1);
	}
	if (i < len)
		return (1);
	return (b[i] != '\0' ? -1 : 0);
}

static int
tmpl_sort_cmp(const void *a, const void *b)
{
	const struct tmpl	*x = a, *y = b;
	int			 c;

	if ((c = tmpl_lang_cmp(x->lang, strlen(x->lang), y->lang)) != 0)
		return (c);
	return (strcmp(x->name, y->name));
}

/* The template of exactly this language (any case) and name, or NULL. */
static struct tmpl *
tmpl_find(struct tmpl_set *set, const char *lang, size_t langlen,
    const char *name)
{
	struct tmpl	*t;
	size_t		 i, lo = 0, hi = set->ntmpls;
	int		 c;

	if (!set->sorted) {
		/* Still loading. */
		for (i = 0; i < set->ntmpls; i++) {
			t = &set->tmpls[i];
			if (tmpl_lang_cmp(lang, langlen, t->lang) == 0 &&
			    strcmp(t->name, name) == 0)
				return (t);
		}
		return (NULL);
	}
	while (lo < hi) {
		t = &set->tmpls[lo + (hi - lo) / 2];
		if ((c = tmpl_lang_cmp(lang, langlen, t->lang)) == 0)
			c = strcmp(name, t->name);
		if (c == 0)
			return (t);
		if (c < 0)
			hi = t - set->tmpls;
		else
			lo = t - set->tmpls + 1;
	}
	return (NULL);
}

/*
 * English as built into convened, for a daemon run with nothing
 * installed: each file as tmpl_lang_dir takes one from en/.
 */
static void
tmpl_builtin_load(struct tmpl_parse *p)
{
	const struct tmpl_builtin	*b;
	struct tmpl_set			*set = p->set;
	char				*name, *path;
	size_t				 len, slen = strlen(TMPL_SUFFIX);

	p->builtin = tmpl_builtin_en;
	set->builtin = 1;
	set->langs = tmpl_grow(set->langs, set->nlangs + 1,
	    sizeof *set->langs);
	set->langs[set->nlangs++] = xstrdup(TMPL_FALLBACK);
	for (b = p->builtin; b->name != NULL; b++) {
		path = xprintf(TMPL_BUILTIN "/" TMPL_FALLBACK "/%s", b->name);
		len = strlen(b->name);
		if (strcmp(b->name, TMPL_WORDS) == 0)
			words_file(p, TMPL_FALLBACK, path);
		else if (len > slen && strcmp(b->name + len - slen,
		    TMPL_SUFFIX) == 0) {
			name = xstrdup(b->name);
			name[len - slen] = '\0';
			p->english = tmpl_grow(p->english, p->nenglish + 1,
			    sizeof *p->english);
			p->english[p->nenglish++] = xstrdup(name);
			tmpl_file(p, TMPL_FALLBACK, name, path);
			free(name);
		}
		free(path);
	}
}

/* Load and check every template, or none: see tmpl.h. */
struct tmpl_set *
tmpl_load(const char *dir, const char *const *known,
    const char *const *words, char **cause)
{
	struct tmpl_parse	 p;
	struct tmpl_set		*set;
	struct dirent		**ents;
	struct stat		 sb;
	struct tmpl		*t;
	char			*path;
	size_t			 i, k, len;
	int			 j, n;

	set = xcalloc(1, sizeof *set);
	set->dir = xstrdup(dir);
	for (len = strlen(set->dir); len > 1 && set->dir[len - 1] == '/';)
		set->dir[--len] = '\0';
	for (i = 0; known != NULL && known[i] != NULL; i++)
		;
	set->nknown = i;
	set->known = xcalloc(i + 1, sizeof *set->known);
	for (i = 0; i < set->nknown; i++)
		set->known[i] = xstrdup(known[i]);
	for (i = 0; words != NULL && words[i] != NULL; i++)
		;
	set->nwknown = i;
	set->wknown = xcalloc(i + 1, sizeof *set->wknown);
	for (i = 0; i < set->nwknown; i++)
		set->wknown[i] = xstrdup(words[i]);

	memset(&p, 0, sizeof p);
	p.set = set;
	if (stat(set->dir, &sb) == -1 && errno == ENOENT) {
		log_warnx("%s does not exist: using the English templates "
		    "built into convened", set->dir);
		tmpl_builtin_load(&p);
		ents = NULL;
		n = 0;
	} else if ((n = scandir(set->dir, &ents, tmpl_scan_filter,
	    alphasort)) == -1) {
		cause_set(cause, "%s: cannot read: %s", set->dir,
		    strerror(errno));
		tmpl_free(set);
		return (NULL);
	}
	for (j = 0; j < n; j++) {
		path = xprintf("%s/%s", set->dir, ents[j]->d_name);
		if (stat(path, &sb) == -1 || !S_ISDIR(sb.st_mode))
			;	/* a README, say */
		else if (!tmpl_lang_valid(ents[j]->d_name, 1))
			tmpl_error(&p, path, 0, "not a language tag, such "
			    "as en or pt-BR");
		else {
			for (i = 0; i < set->nlangs; i++) {
				if (strcasecmp(set->langs[i],
				    ents[j]->d_name) == 0)
					break;
			}
			if (i < set->nlangs)
				tmpl_error(&p, path, 0, "the same language "
				    "as %s/%s", set->dir, set->langs[i]);
			else {
				set->langs = tmpl_grow(set->langs,
				    set->nlangs + 1, sizeof *set->langs);
				set->langs[set->nlangs] =
				    xstrdup(ents[j]->d_name);
				tmpl_lang_dir(&p, set->langs[set->nlangs++],
				    path);
			}
		}
		free(path);
		free(ents[j]);
	}
	free(ents);

	/*
	 * English is what every other language falls back on, so each
	 * template must be there too (a misspelt name shows up here).
	 */
	if (p.nenglish == 0)
		tmpl_error(&p, set->dir, 0, "no templates in %s/"
		    TMPL_FALLBACK "; English ones are needed to fall back on",
		    set->dir);
	for (i = 0; i < set->ntmpls; i++) {
		t = &set->tmpls[i];
		for (k = 0; k < p.nenglish; k++) {
			if (strcmp(p.english[k], t->name) == 0)
				break;
		}
		if (k == p.nenglish && p.nenglish > 0)
			tmpl_error(&p, set->dir, 0, "%s/%s" TMPL_SUFFIX
			    " has no " TMPL_FALLBACK "/%s" TMPL_SUFFIX
			    " to fall back on", t->lang, t->name, t->name);
	}
	for (k = 0; k < p.nenglish; k++)
		free(p.english[k]);
	free(p.english);
	words_check(&p);

	if (p.errors.text != NULL) {
		cause_set(cause, "%s", p.errors.text);
		free(p.errors.text);
		tmpl_free(set);
		return (NULL);
	}
	/* Looked up for every page and message: found by halves. */
	if (set->ntmpls > 1)
		qsort(set->tmpls, set->ntmpls, sizeof *set->tmpls,
		    tmpl_sort_cmp);
	words_sort(set);
	set->sorted = 1;
	log_debug("%zu templates and %zu words in %zu languages from %s",
	    set->ntmpls, set->nwords, set->nlangs, set->dir);
	return (set);
}

/* Free a set, NULL included; its languages go with it. */
void
tmpl_free(struct tmpl_set *set)
{
	size_t	i;

	if (set == NULL)
		return;
	for (i = 0; i < set->ntmpls; i++) {
		free(set->tmpls[i].name);
		free(set->tmpls[i].text);
		free(set->tmpls[i].nodes);
	}
	free(set->tmpls);
	for (i = 0; i < set->nwords; i++) {
		free(set->words[i].key);
		free(set->words[i].value);
	}
	free(set->words);
	for (i = 0; i < set->nwknown; i++)
		free(set->wknown[i]);
	free(set->wknown);
	for (i = 0; i < set->nlangs; i++)
		free(set->langs[i]);
	free(set->langs);
	for (i = 0; i < set->nknown; i++)
		free(set->known[i]);
	free(set->known);
	for (i = 0; i < set->nnoted; i++) {
		free(set->noted[i].lang);
		free(set->noted[i].name);
	}
	free(set->noted);
	free(set->dir);
	free(set);
}

/* Log a fallback the first time it happens for this language and name. */
void
tmpl_note(struct tmpl_set *set, const char *lang, const char *name,
    const char *used)
{
	size_t	i;

	for (i = 0; i < set->nnoted; i++) {
		if (strcasecmp(set->noted[i].lang, lang) == 0 &&
		    strcmp(set->noted[i].name, name) == 0)
			return;
	}
	if (set->nnoted == TMPL_MAX_NOTED)
		return;
	set->noted = tmpl_grow(set->noted, set->nnoted + 1,
	    sizeof *set->noted);
	set->noted[set->nnoted].lang = xstrdup(lang);
	set->noted[set->nnoted++].name = xstrdup(name);
	if (*lang == '\0')
		log_info("template %s asked for in a language that is not a "
		    "tag; using %s", name, used);
	else if (strncmp(name, "word ", 5) == 0)
		log_info("no %s in %s/%s/" TMPL_WORDS "; using %s", name,
		    set->dir, lang, used);
	else
		log_info("no %s/%s" TMPL_SUFFIX " in %s; using %s", lang, name,
		    set->dir, used);
}

/* lang, then lang less its last subtag and so on, then English. */
static struct tmpl *
tmpl_lookup(struct tmpl_set *set, const char *lang, const char *name)
{
	struct tmpl	*t;
	size_t		 len;

	if (lang == NULL || *lang == '\0')
		lang = TMPL_FALLBACK;
	if (!tmpl_lang_valid(lang, 0)) {
		if ((t = tmpl_find(set, TMPL_FALLBACK, strlen(TMPL_FALLBACK),
		    name)) != NULL)
			tmpl_note(set, "", name, t->lang);
		return (t);
	}
	for (len = strlen(lang); len > 0;) {
		if ((t = tmpl_find(set, lang, len, name)) != NULL)
			break;
		while (len > 0 && lang[--len] != '-')
			;
	}
	if (len == 0)
		t = tmpl_find(set, TMPL_FALLBACK, strlen(TMPL_FALLBACK), name);
	if (t != NULL && strcasecmp(t->lang, lang) != 0)
		tmpl_note(set, lang, name, t->lang);
	return (t);
}

/* Add a value, written for the template's kind of output. */
static void
tmpl_put(struct tmpl_buf *b, const char *value, enum tmpl_escape esc)
{
	const unsigned char	*s = (const unsigned char *)value;
	const char		*rep;
	size_t			 left = strlen(value), n;
	uint32_t		 cp;

	while (left > 0) {
		if ((n = tmpl_utf8(s, left, &cp)) == 0) {
			tmpl_buf_add(b, "\xef\xbf\xbd", 3);	/* U+FFFD */
			s++;
			left--;
			continue;
		}
		rep = NULL;
		if (esc == TMPL_ESC_SUBJECT && (tmpl_control(cp) ||
		    cp == 0x2028 || cp == 0x2029))
			rep = " ";
		else if (tmpl_control(cp) && cp != '\n' && cp != '\t')
			rep = "";
		else if (esc == TMPL_ESC_HTML && cp < 0x80)
			rep = html_entity((int)cp);
		if (rep != NULL)
			tmpl_buf_add(b, rep, strlen(rep));
		else
			tmpl_buf_add(b, s, n);
		s += n;
		left -= n;
	}
}

/* Fill a template in; only a missing one can fail. */
char *
tmpl_render(struct tmpl_set *set, const char *lang, const char *name,
    const struct tmpl_var *vars, const char **used_lang, char **cause)
{
	const struct tmpl	*t;
	const struct tmpl_node	*n;
	const char		**vals, *v;
	struct tmpl_buf		 b = { NULL, 0, 0 };
	size_t			 i;
	long			 k;
	int			 on;

	if (used_lang != NULL)
		*used_lang = NULL;
	if (name == NULL || (t = tmpl_lookup(set, lang, name)) == NULL) {
		cause_set(cause, "%s/" TMPL_FALLBACK "/%s" TMPL_SUFFIX
		    ": no such template", set->dir, name ? name : "(null)");
		return (NULL);
	}
	vals = xcalloc(set->nknown + 1, sizeof *vals);
	for (i = 0; vars != NULL && vars[i].name != NULL; i++) {
		k = tmpl_known(set, vars[i].name, strlen(vars[i].name));
		if (k != -1 && vals[k] == NULL)
			vals[k] = vars[i].value;
	}
	tmpl_buf_add(&b, "", 0);
	for (i = 0; i < t->nnodes;) {
		n = &t->nodes[i];
		v = n->var < set->nknown ? vals[n->var] : NULL;
		on = v != NULL && *v != '\0';
		switch (n->type) {
		case TMPL_TEXT:
			tmpl_buf_add(&b, t->text + n->off, n->len);
			break;
		case TMPL_VAR:
			if (on)
				tmpl_put(&b, v, t->esc);
			break;
		case TMPL_SECTION:
			if (!on) {
				i = n->end;
				continue;
			}
			break;
		case TMPL_INVERTED:
			if (on) {
				i = n->end;
				continue;
			}
			break;
		}
		i++;
	}
	free(vals);

	/* A subject is one line whatever the loader let through. */
	if (t->esc == TMPL_ESC_SUBJECT) {
		for (i = 0; i < b.len; i++) {
			if ((unsigned char)b.p[i] < 0x20 || b.p[i] == 0x7f)
				b.p[i] = ' ';
		}
	}
	if (used_lang != NULL)
		*used_lang = t->lang;
	return (b.p);
}

/* Whether this very language has it, to tell "translated" apart. */
int
tmpl_exists(struct tmpl_set *set, const char *lang, const char *name)
{
	if (lang == NULL || *lang == '\0')
		lang = TMPL_FALLBACK;
	return (name != NULL && tmpl_find(set, lang, strlen(lang),
	    name) != NULL);
}

/* Where the set came from, for the log: its folder, or convened itself. */
const char *
tmpl_source(const struct tmpl_set *set)
{
	return (set->builtin ? "the English built into convened" : set->dir);
}

/* How many templates, all languages together, for the log. */
size_t
tmpl_count(struct tmpl_set *set)
{
	return (set->ntmpls);
}
