/*
 * tmpl.h: the messages convened sends, as templates: one file for each
 * language and kind of message, checked when loaded and filled in with a
 * meeting's details when a message goes out.
 */
#ifndef CONVENE_TMPL_H
#define CONVENE_TMPL_H

#include <stddef.h>

#include "util.h"

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


/*
 * Inside the loader: shared by tmpl.c and words.c, not for callers.
 */
#define TMPL_FALLBACK	"en"
#define TMPL_WORDS	"words.ini"

/* One word of a language's words.ini: [section] name = value. */
struct tmpl_word {
	const char	*lang;		/* one of the set's langs */
	char		*key;		/* "section.name" */
	char		*value;
	int		 line;
};

struct tmpl_set {
	char			*dir;
	char			**known;
	size_t			 nknown;
	char			**langs;
	size_t			 nlangs;
	struct tmpl		*tmpls;
	size_t			 ntmpls;
	char			**wknown;	/* words; "x?" is optional */
	size_t			 nwknown;
	struct tmpl_word	*words;
	size_t			 nwords;
	struct tmpl_noted	*noted;
	size_t			 nnoted;
	int			 builtin;	/* built into convened */
	int			 sorted;	/* tmpls and words, by
						   language and name */
};

struct tmpl_buf {
	char	*p;
	size_t	 len;
	size_t	 size;
};

struct tmpl_parse {
	struct tmpl_set	*set;
	struct errlist	 errors;
	struct tmpl_err	*pending;	/* this file's, put in line order */
	size_t		 npending;
	char		**english;	/* every name seen in en/ */
	size_t		 nenglish;
	const struct tmpl_builtin *builtin; /* read from here, not files */
};

/* tmpl.c */
void		*tmpl_grow(void *, size_t, size_t);
void		 tmpl_buf_add(struct tmpl_buf *, const void *, size_t);
void		 tmpl_error(struct tmpl_parse *, const char *, int,
		    const char *, ...)
		    __attribute__((__format__(printf, 4, 5)));
void		 tmpl_ferror(struct tmpl_parse *, int, const char *, ...)
		    __attribute__((__format__(printf, 3, 4)));
size_t		 tmpl_flush(struct tmpl_parse *, const char *);
int		 tmpl_lang_valid(const char *, int);
int		 tmpl_lang_cmp(const char *, size_t, const char *);
int		 tmpl_namechar(int, int);
char		*tmpl_read(struct tmpl_parse *, const char *, size_t *);
size_t		 tmpl_clean(char *, size_t);
int		 tmpl_check_text(struct tmpl_parse *, const char *, size_t);
void		 tmpl_note(struct tmpl_set *, const char *, const char *,
		    const char *);

/* words.c */
void		 words_file(struct tmpl_parse *, const char *, const char *);
void		 words_check(struct tmpl_parse *);
void		 words_sort(struct tmpl_set *);

#endif
