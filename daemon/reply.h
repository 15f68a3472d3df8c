/*
 * reply.h: what a text message sent back to convene says: an answer to
 * a meeting (yes, maybe, no) with the meeting's code when it has one,
 * STOP, START, HELP, or something not understood.
 */
#ifndef CONVENE_REPLY_H
#define CONVENE_REPLY_H

#include <stddef.h>

struct tmpl_set;

enum reply_kind {
	REPLY_UNKNOWN,
	REPLY_ANSWER,
	REPLY_STOP,
	REPLY_START,
	REPLY_HELP
};

/* Bytes of a text that are read; the rest is not looked at. */
#define REPLY_MAX	640

/*
 * A language's words, each a list separated by commas ("ie, do"); a
 * word may be a few words ("na ddof").  NULL: none.  The English words
 * built in (YES, Y, NO, N, MAYBE, STOP, START, HELP) are understood
 * whatever the language and whatever the words files say.
 */
struct reply_words {
	const char	*yes;
	const char	*no;
	const char	*maybe;
	const char	*stop;
	const char	*start;
	const char	*help;
};

struct reply {
	enum reply_kind	 kind;
	const char	*answer;	/* "yes", "maybe", "no"; else NULL */
	long long	 code;		/* M123: 123; 0: no code */
};

/*
 * reply_parse(text, len, words, nwords, out): what the text says, in
 * the words of any of the nwords sets or the English built in.  Case,
 * spaces and punctuation around the words do not matter; a meeting
 * code (M2, "M 2") may come before or after the word; anything else in
 * the text makes it not understood, so that "no idea" is never taken
 * for NO.  Where two words match, the longer wins ("na ddof" over "na").
 */
void		 reply_parse(const char *, size_t, const struct reply_words *,
		    size_t, struct reply *);
/*
 * The [reply] words of a language's words.ini then, for another
 * language, English's: fills out[0..2), returns how many.
 */
size_t		 reply_words_get(struct tmpl_set *, const char *,
		    struct reply_words[2]);
const char	*reply_kind_name(enum reply_kind);

#endif
