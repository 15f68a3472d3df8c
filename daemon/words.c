/*
 * words.c: the words a message is built from, one words.ini for each
 * language of the templates (see tmpl.c).
 *
 * Beside the templates, DIR/<language>/words.ini holds the words a
 * message is built from (names of days and months, how a time is said,
 * access facts): "[section]" then "name = value" lines, read with inih.
 * A value may hold {fields}, filled in by the caller.  Only words the
 * caller knows are allowed; English must have every one but those the
 * caller marks optional; another language may leave any out (English is
 * used, logged once) and may use only fields that the English words of
 * the same section use.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "tmpl.h"
#include "util.h"

/* While reading a words file: where inih has got to. */
struct words_parse {
	struct tmpl_parse	*p;
	const char		*lang;
	const char		*src;
	size_t			 len;
	size_t			 pos;
	int			 line;
};

/* Index of a known word ("x?", an optional one, matches x), or -1. */
static long
words_known(const struct tmpl_set *set, const char *key)
{
	size_t	i, len = strlen(key), klen;

	for (i = 0; i < set->nwknown; i++) {
		klen = strlen(set->wknown[i]);
		if (klen > 0 && set->wknown[i][klen - 1] == '?')
			klen--;
		if (klen == len && memcmp(set->wknown[i], key, len) == 0)
			return ((long)i);
	}
	return (-1);
}

/*
 * A word's {fields}: names of [a-z_], braces in pairs; with allowed (the
 * English words of its section), only fields found there.  The first
 * mistake, or NULL.
 */
static char *
words_fields(const char *v, const char *allowed)
{
	const char	*open, *close, *q;
	char		*f, *why = NULL;
	size_t		 n, i;

	for (q = v; (open = strpbrk(q, "{}")) != NULL; q = close + 1) {
		if (*open == '}' || (close = strchr(open, '}')) == NULL)
			return (xprintf("a %c without its pair; fields are "
			    "written {name}", *open));
		n = close - open - 1;
		for (i = 0; i < n && tmpl_namechar((unsigned char)open[1 + i],
		    i == 0); i++)
			;
		if (n == 0 || i != n)
			return (xprintf("bad field %.*s: a name is lower-case "
			    "letters and _, as in {day}", (int)(n + 2), open));
		f = xprintf("%.*s", (int)(n + 2), open);
		if (allowed != NULL && strstr(allowed, f) == NULL)
			why = xprintf("%s is not a field the English words of "
			    "this [section] use", f);
		free(f);
		if (why != NULL)
			return (why);
	}
	return (NULL);
}

/* fgets for inih over a file in memory, counting lines. */
static char *
words_reader(char *str, int num, void *arg)
{
	struct words_parse	*w = arg;
	const char		*nl, *s;
	size_t			 n;

	if (w->pos >= w->len)
		return (NULL);
	nl = memchr(w->src + w->pos, '\n', w->len - w->pos);
	n = (nl == NULL ? w->len : (size_t)(nl - w->src) + 1) - w->pos;
	w->line++;
	if (n + 1 > (size_t)num) {
		tmpl_ferror(w->p, w->line, "line is longer than %d bytes",
		    num - 2);
		w->pos += n;
		str[0] = '\0';
		return (str);
	}
	memcpy(str, w->src + w->pos, n);
	str[n] = '\0';
	w->pos += n;
	s = str + strspn(str, " \t");
	if (*s == '\0' || *s == '\n' || *s == '#' || *s == ';')
		return (str);
	/* Catch every line inih cannot read, not only the first. */
	if (s != str)
		tmpl_ferror(w->p, w->line, "a word is one line, not indented");
	else if (*s == '[' ? strchr(s, ']') == NULL : strchr(s, '=') == NULL)
		tmpl_ferror(w->p, w->line, "expected 'name = value' or "
		    "'[section]'");
	else
		return (str);
	str[0] = '\0';
	return (str);
}

/* One word read: known, set once, not empty, its fields well made. */
static int
words_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct words_parse	*w = arg;
	struct tmpl_set		*set = w->p->set;
	struct tmpl_word	*wd;
	char			*key, *why;
	size_t			 i;

	if (*section == '\0') {
		tmpl_ferror(w->p, w->line, "%s is not under a [section]",
		    name);
		return (1);
	}
	key = xprintf("%s.%s", section, name);
	for (i = 0; i < set->nwords; i++) {
		if (set->words[i].lang == w->lang &&
		    strcmp(set->words[i].key, key) == 0)
			break;
	}
	if (words_known(set, key) == -1)
		tmpl_ferror(w->p, w->line, "unknown word [%s] %s", section,
		    name);
	else if (*value == '\0')
		tmpl_ferror(w->p, w->line, "[%s] %s is empty; leave the line "
		    "out to use the English word", section, name);
	else if (i < set->nwords)
		tmpl_ferror(w->p, w->line, "[%s] %s is already set on line "
		    "%d", section, name, set->words[i].line);
	else if ((why = words_fields(value, NULL)) != NULL) {
		tmpl_ferror(w->p, w->line, "[%s] %s: %s", section, name, why);
		free(why);
	} else {
		set->words = tmpl_grow(set->words, set->nwords + 1,
		    sizeof *set->words);
		wd = &set->words[set->nwords++];
		wd->lang = w->lang;
		wd->key = key;
		wd->value = xstrdup(value);
		wd->line = w->line;
		return (1);
	}
	free(key);
	return (1);
}

/* Load a language's words.ini; mistakes go to p. */
void
words_file(struct tmpl_parse *p, const char *lang, const char *path)
{
	struct words_parse	 w;
	char			*src;
	size_t			 len;
	int			 ret;

	if ((src = tmpl_read(p, path, &len)) == NULL)
		return;
	len = tmpl_clean(src, len);
	if (tmpl_check_text(p, src, len) == 0) {
		memset(&w, 0, sizeof w);
		w.p = p;
		w.lang = lang;
		w.src = src;
		w.len = len;
		ret = ini_parse_stream(words_reader, &w, words_handler, &w);
		if (ret > 0 && p->npending == 0)
			tmpl_ferror(p, ret, "expected 'name = value' or "
			    "'[section]'");
	}
	tmpl_flush(p, path);
	free(src);
}

static int
words_sort_cmp(const void *a, const void *b)
{
	const struct tmpl_word	*x = a, *y = b;
	int			 c;

	if ((c = tmpl_lang_cmp(x->lang, strlen(x->lang), y->lang)) != 0)
		return (c);
	return (strcmp(x->key, y->key));
}

/* The words in the order words_find looks them up in, once loaded. */
void
words_sort(struct tmpl_set *set)
{
	if (set->nwords > 1)
		qsort(set->words, set->nwords, sizeof *set->words,
		    words_sort_cmp);
}

/* The word of exactly this language (any case) and key, or NULL. */
static struct tmpl_word *
words_find(struct tmpl_set *set, const char *lang, size_t langlen,
    const char *key)
{
	struct tmpl_word	*w;
	size_t			 i, lo = 0, hi = set->nwords;
	int			 c;

	if (!set->sorted) {
		/* Still loading. */
		for (i = 0; i < set->nwords; i++) {
			w = &set->words[i];
			if (tmpl_lang_cmp(lang, langlen, w->lang) == 0 &&
			    strcmp(w->key, key) == 0)
				return (w);
		}
		return (NULL);
	}
	while (lo < hi) {
		w = &set->words[lo + (hi - lo) / 2];
		if ((c = tmpl_lang_cmp(lang, langlen, w->lang)) == 0)
			c = strcmp(key, w->key);
		if (c == 0)
			return (w);
		if (c < 0)
			hi = w - set->words;
		else
			lo = w - set->words + 1;
	}
	return (NULL);
}

/*
 * Every required word in English; every other language's words with
 * only fields that English words of the same [section] have.
 */
void
words_check(struct tmpl_parse *p)
{
	struct tmpl_set		*set = p->set;
	struct tmpl_word	*w, *en;
	struct tmpl_buf		 allowed;
	char			*path, *base, *why;
	size_t			 i, j, len, nen = 0;

	for (i = 0; i < set->nwords; i++)
		nen += strcmp(set->words[i].lang, TMPL_FALLBACK) == 0;
	path = xprintf("%s/" TMPL_FALLBACK "/" TMPL_WORDS, set->dir);
	if (set->nwknown > 0 && nen == 0)
		tmpl_error(p, path, 0, "missing; English words are needed to "
		    "fall back on");
	for (i = 0; nen > 0 && i < set->nwknown; i++) {
		len = strlen(set->wknown[i]);
		if (len > 0 && set->wknown[i][len - 1] == '?')
			continue;
		if (words_find(set, TMPL_FALLBACK, strlen(TMPL_FALLBACK),
		    set->wknown[i]) == NULL) {
			base = xstrdup(set->wknown[i]);
			*strchr(base, '.') = '\0';
			tmpl_error(p, path, 0, "no [%s] %s; English must have "
			    "every word, as the other languages fall back on "
			    "it", base, base + strlen(base) + 1);
			free(base);
		}
	}
	free(path);
	for (i = 0; i < set->nwords; i++) {
		w = &set->words[i];
		if (strcmp(w->lang, TMPL_FALLBACK) == 0 ||
		    strchr(w->value, '{') == NULL)
			continue;
		len = strcspn(w->key, ".") + 1;
		memset(&allowed, 0, sizeof allowed);
		tmpl_buf_add(&allowed, "", 0);
		for (j = 0; j < set->nwords; j++) {
			en = &set->words[j];
			if (strcmp(en->lang, TMPL_FALLBACK) == 0 &&
			    strncmp(en->key, w->key, len) == 0) {
				tmpl_buf_add(&allowed, en->value,
				    strlen(en->value));
				tmpl_buf_add(&allowed, " ", 1);
			}
		}
		if ((why = words_fields(w->value, allowed.p)) != NULL) {
			path = xprintf("%s/%s/" TMPL_WORDS, set->dir, w->lang);
			tmpl_error(p, path, w->line, "%s", why);
			free(path);
			free(why);
		}
		free(allowed.p);
	}
}

/* A word in lang, else its shorter tag, else English: see tmpl.h. */
const char *
tmpl_word(struct tmpl_set *set, const char *lang, const char *key,
    const char **used_lang)
{
	struct tmpl_word	*w = NULL;
	char			*note;
	size_t			 len;

	if (used_lang != NULL)
		*used_lang = NULL;
	if (lang == NULL || *lang == '\0' || !tmpl_lang_valid(lang, 0))
		lang = TMPL_FALLBACK;
	for (len = strlen(lang); len > 0;) {
		if ((w = words_find(set, lang, len, key)) != NULL)
			break;
		while (len > 0 && lang[--len] != '-')
			;
	}
	if (len == 0)
		w = words_find(set, TMPL_FALLBACK, strlen(TMPL_FALLBACK), key);
	if (w == NULL)
		return (NULL);
	if (strcasecmp(w->lang, lang) != 0) {
		/* A language with no words at all: logged once, not a word. */
		for (len = 0; len < set->nwords; len++) {
			if (strcasecmp(set->words[len].lang, lang) == 0)
				break;
		}
		note = len == set->nwords ? xstrdup("word list") :
		    xprintf("word %s", key);
		tmpl_note(set, lang, note, w->lang);
		free(note);
	}
	if (used_lang != NULL)
		*used_lang = w->lang;
	return (w->value);
}

/* A word of this very language, no fallback: for optional forms. */
const char *
tmpl_word_exact(struct tmpl_set *set, const char *lang, const char *key)
{
	struct tmpl_word	*w;

	if (lang == NULL || *lang == '\0')
		lang = TMPL_FALLBACK;
	w = words_find(set, lang, strlen(lang), key);
	return (w != NULL ? w->value : NULL);
}
