/*
 * tmpl.h: the messages convened sends, as templates: one file for each
 * language and kind of message, checked when loaded and filled in with a
 * meeting's details when a message goes out.
 */
#ifndef CONVENE_TMPL_H
#define CONVENE_TMPL_H

#include <stddef.h>

struct tmpl_set;

/* One value to fill in; an array of them ends with { NULL, NULL }. */
struct tmpl_var {
	const char	*name;
	const char	*value;		/* NULL or "": not set */
};

/*
 * tmpl_load(dir, known, words, cause): every DIR/<language>/<name>.tmpl,
 * whose placeholders must all be in known (NULL-terminated), and every
 * DIR/<language>/words.ini, whose words ("section.name") must all be in
 * words (NULL-terminated; a name ending in ? is one English may leave
 * out); NULL and every mistake, one a line, in *cause.  When DIR does
 * not exist, the English files built in are loaded instead, with a
 * warning; a DIR that exists is used, or refused, as it is.
 *
 * tmpl_render(set, lang, name, vars, used_lang, cause): the text, to be
 * freed; in lang, else its shorter tag (pt for pt-BR), else English.
 * *used_lang (when not NULL) is the language used, owned by the set.
 * NULL and *cause only when not even English has the template.  A
 * fallback is logged once per language and name, noted in the set, so a
 * set is for one thread.
 *
 * tmpl_exists(set, lang, name): 1 when lang itself has it, no fallback.
 *
 * tmpl_word(set, lang, key, used_lang): the word "section.name", owned by
 * the set, with the same fallback (logged once); NULL when English has
 * none.  tmpl_word_exact(set, lang, key): only lang's own, or NULL.
 */
/*
 * conf/templates/en as built into convened (tmpl_builtin.c, made by
 * contrib/tmpl-embed.sh), ending with a NULL name: tmpl_load uses it, and
 * warns, when DIR does not exist.
 */
struct tmpl_builtin {
	const char	*name;		/* reminder.text.tmpl, words.ini */
	const char	*data;
	size_t		 len;
};
extern const struct tmpl_builtin tmpl_builtin_en[];

struct tmpl_set	*tmpl_load(const char *, const char *const *,
		    const char *const *, char **);
void		 tmpl_free(struct tmpl_set *);
char		*tmpl_render(struct tmpl_set *, const char *, const char *,
		    const struct tmpl_var *, const char **, char **);
int		 tmpl_exists(struct tmpl_set *, const char *, const char *);
size_t		 tmpl_count(struct tmpl_set *);
const char	*tmpl_source(const struct tmpl_set *);
const char	*tmpl_word(struct tmpl_set *, const char *, const char *,
		    const char **);
const char	*tmpl_word_exact(struct tmpl_set *, const char *,
		    const char *);

#endif
