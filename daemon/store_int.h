/*
 * store_int.h: what the store family (store.c, store_model.c,
 * store_outbox.c, store_feed.c, store_answer.c, store_need.c,
 * store_privacy.c, store_attendance.c, store_payment.c) shares and
 * nothing else may see: the sqlite3 handle, the statement cache and
 * the binding helpers.
 */
#ifndef CONVENE_STORE_INT_H
#define CONVENE_STORE_INT_H

#include <pthread.h>
#include <stddef.h>
#include <sqlite3.h>

#include <jansson.h>

#include "convene.h"

/* Every statement the store prepares, once, on first use. */
enum store_stmt {
	STMT_AUDIT,
	STMT_COUNT_GROUPS,
	STMT_COUNT_PEOPLE,
	STMT_COUNT_MEMBERSHIPS,
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_SAVEPOINT,
	STMT_RELEASE,
	STMT_ROLLBACK_TO,

	STMT_GROUP_INSERT,
	STMT_GROUP_LIST,
	STMT_GROUP_GET,
	STMT_GROUP_DELETE,
	STMT_PERSON_INSERT,
	STMT_PERSON_LIST,
	STMT_PERSON_GET,
	STMT_PERSON_UPDATE,
	STMT_PERSON_DELETE,
	STMT_PERSON_FIND,
	STMT_PERSON_BOUNCE,
	STMT_MEMBER_UPSERT,
	STMT_MEMBER_DELETE,
	STMT_MEMBER_LIST,
	STMT_VENUE_INSERT,
	STMT_VENUE_LIST,
	STMT_SERIES_INSERT,
	STMT_SERIES_LIST,
	STMT_SERIES_GET,
	STMT_SERIES_ALL,
	STMT_SERIES_DELETE,
	STMT_SERIES_UPDATE,
	STMT_OCC_UPSERT,
	STMT_OCC_WINDOW,
	STMT_OCC_REMOVE_MISSING,
	STMT_OCC_REMOVE_MOVED,
	STMT_OCC_REATTACH,
	STMT_OCC_LIST,
	STMT_OCC_GET,
	STMT_OCC_MOVE,
	STMT_OCC_CANCEL,
	STMT_OCC_OF_PERSON,
	STMT_PLAN_MEMBERS,
	STMT_PLAN_PENDING,
	STMT_PLAN_INSERT,
	STMT_PLAN_INSERT_GROUP,
	STMT_PLAN_SKIP,
	STMT_PLAN_SKIP_OCC,
	STMT_PLAN_NUDGE,
	STMT_PLAN_COPIES,
	STMT_PLAN_COPIES_SKIP,

	STMT_OUT_RECOVER,
	STMT_OUT_INFLIGHT,
	STMT_OUT_NEXT,
	STMT_OUT_DUE,
	STMT_OUT_DETAIL,
	STMT_OUT_SET,
	STMT_OUT_DEFER,
	STMT_OUT_LIST,
	STMT_OUT_COUNTS,
	STMT_OUT_INSERT_TEST,
	STMT_TOKEN_INSERT,
	STMT_TOKEN_CHECK,
	STMT_TOKEN_USED,
	STMT_TOKEN_LIST,
	STMT_TOKEN_REVOKE,
	STMT_PLAN_INVITE,
	STMT_INVITE_ASK,
	STMT_INVITE_FORGET,
	STMT_INVITE_WAITING,

	/* store_feed.c */
	STMT_FEED_TOKEN_GET,
	STMT_FEED_TOKEN_SET,
	STMT_FEED_PERSON,
	STMT_FEED_GROUP,
	STMT_FEED_PUBLIC,
	STMT_FEED_SERIES,
	STMT_FEED_OVERRIDES,
	STMT_OUT_DELIVERY,
	STMT_PROBE,

	/* store_answer.c */
	STMT_ANSWER_ADD,
	STMT_ANSWER_LATEST,
	STMT_ANSWER_LIST,
	STMT_ANSWER_AHEAD,
	STMT_ANSWER_SEEN,
	STMT_ANSWER_LINK,

	/* store_need.c */
	STMT_NEED_EVENT,
	STMT_NEED_NOTIFY,
	STMT_NEED_FIND,
	STMT_NEED_STATE,
	STMT_NEED_STATE_OF,
	STMT_NEED_DETAIL,
	STMT_NEED_OCC_START,
	STMT_NEED_INSERT,
	STMT_NEED_CARRIED,
	STMT_NEED_OF_OCC,
	STMT_NEED_DEADLINE,
	STMT_NEED_OCC_RID,
	STMT_NEED_OPEN_OF_OCC,
	STMT_NEED_HISTORY,
	STMT_NEED_LIST,
	STMT_NEED_GET,
	STMT_NEED_MINE,
	STMT_NEED_STANDING,
	STMT_NEED_STANDING_CLEAR,
	STMT_NEED_STANDING_ADD,
	STMT_SUPPORTER_SET,
	STMT_SUPPORTER_REMOVE,
	STMT_SUPPORTER_LIST,

	/* store_privacy.c */
	STMT_TOKEN_SCOPE,
	STMT_TOKEN_GROUPS,
	STMT_TOKEN_SEES_PERSON,
	STMT_TOKEN_SHARES_PERSON,
	STMT_TOKEN_PEOPLE,
	STMT_PERSON_ERASED,
	STMT_TOKEN_ORPHANS,

	/* store_attendance.c */
	STMT_ATTEND_OCC,
	STMT_ATTEND_ROW,
	STMT_ATTEND_ROLE,
	STMT_ATTEND_SUPPORTS,
	STMT_ATTEND_SET,
	STMT_ATTEND_PAID,
	STMT_ATTEND_RATE,
	STMT_ATTEND_PAY_DROP,
	STMT_ATTEND_PAY_SET,
	STMT_ATTEND_ANSWERS,
	STMT_ATTEND_WITH,
	STMT_ATTEND_LIST,

	/* store_deadline.c */
	STMT_DEADLINE_ALERTS,
	STMT_DEADLINE_FLAGS,
	STMT_DEADLINE_COORDS,
	STMT_DEADLINE_DIGEST,
	STMT_DEADLINE_NEXT,
	STMT_DEADLINE_LIST,
	STMT_DEADLINE_FILL,

	/* store_payment.c */
	STMT_PAY_GROUP,
	STMT_PAY_RATES,
	STMT_PAY_GROUP_SET,
	STMT_PAY_RATE_SET,
	STMT_PAY_RATE_DELETE,
	STMT_PAY_RATE_OF,
	STMT_PAY_LIST,
	STMT_PAY_GET,
	STMT_PAY_MARK,
	STMT_PAY_MINE,
	STMT_PAY_ATTENDED,

	/* store_report.c */
	STMT_REPORT_COUNTS,
	STMT_REPORT_NEEDS,
	STMT_REPORT_MESSAGES,
	STMT_REPORT_MEETINGS,
	STMT_REPORT_MEMBERS,
	STMT_REPORT_OPEN,
	STMT_REPORT_SET,
	STMT_MAX
};

struct store {
	sqlite3		*db;
	char		*path;
	int		 version;
	int		 depth;		/* nested store_begin */
	pthread_t	 ck_thread;	/* checkpoints, off the loop */
	pthread_mutex_t	 ck_lock;
	pthread_cond_t	 ck_cond;
	int		 ck_stop;
	int		 ck_running;
	int		 ck_truncate;	/* a truncating checkpoint is asked */
	json_t		*counts;	/* outbox by state, from the thread */
	unsigned long long generation;	/* of what feeds show */
	char		 install_id[STORE_INSTALL_LEN + 1];
	int		 peer;		/* a thread's (store_open_peer) */
	time_t		 failing_since;	/* writes fail since; 0: they work */
	char		*failing_why;
	sqlite3_int64	 failing_mark;	/* total changes at the last failure */
	int		 last_err;	/* of the last failed step; 0: none */
	char		 last_msg[256];
	void		(*failing_cb)(void *);	/* an episode began */
	void		*failing_arg;
	void		(*requests_cb)(void *);	/* access_requests changed */
	void		*requests_arg;
	sqlite3_stmt	*stmt[STMT_MAX];
	struct store_need_lead *leads;	/* the catalogue's lead days */
	size_t		 nleads;
};

/* The first of email and sms in a person's (p) channels, in SQL. */
#define STORE_FIRST_CHANNEL \
	"CASE WHEN instr(',' || p.channels || ',', ',email,') = 0 " \
	"  THEN CASE WHEN instr(',' || p.channels || ',', ',sms,') = 0 " \
	"    THEN NULL ELSE 'sms' END " \
	"WHEN instr(',' || p.channels || ',', ',sms,') = 0 THEN 'email' " \
	"WHEN instr(',' || p.channels || ',', ',email,') < " \
	"  instr(',' || p.channels || ',', ',sms,') THEN 'email' " \
	"ELSE 'sms' END"

/*
 * A copy of a member's reminder to their supporter: lead
 * "LEAD/for:MEMBER" (PLAN_COPY_MARK), in SQL for an outbox row o.
 */
#define STORE_IS_COPY(o) \
	"(" o ".kind = 'reminder' AND " o ".lead GLOB '*/for:[0-9]*')"
#define STORE_COPY_OF(o) \
	"CAST(substr(" o ".lead, instr(" o ".lead, '/for:') + 5) AS INTEGER)"
#define STORE_COPY_BASE(o) \
	"substr(" o ".lead, 1, instr(" o ".lead, '/for:') - 1)"

/* Seconds between writes of a token's last use. */
#define STORE_TOKEN_USED_EVERY	60

/* Types for store_bind's (name, type, value) triples. */
#define SB_TEXT		's'	/* const char *, NULL for NULL */
#define SB_INT		'i'	/* long long */
#define SB_NULL		'n'	/* no value */

/*
 * Where each column of a statement goes in a struct, in the order of
 * its SELECT: store_fill's table.  Strings are "" for NULL (SC_TEXT) or
 * stay NULL (SC_TEXTN); numbers are 0 for NULL, or -1 (SC_INTN).
 */
struct store_col {
	const char	*name;
	char		 type;
	size_t		 off;
};
#define SC_TEXT		's'	/* const char * */
#define SC_TEXTN	'z'	/* const char *, NULL for NULL */
#define SC_INT		'i'	/* int */
#define SC_INTN		'm'	/* int, -1 for NULL */
#define SC_LONG		'l'	/* long long */
#define SC_TIME		't'	/* time_t */
#define STORE_COL(n, t, s, f)	{ n, t, offsetof(s, f) }

sqlite3_stmt	*store_stmt(struct store *, enum store_stmt, const char *);
int		 store_cols_ok(sqlite3_stmt *, const struct store_col *,
		    size_t);
void		*store_fill(sqlite3_stmt *, const struct store_col *, size_t,
		    size_t);
void		 store_point(sqlite3_stmt *, const struct store_col *, size_t,
		    void *);
void		*store_row_fill(struct store *, sqlite3_stmt *,
		    const struct store_col *, size_t, size_t, char **);
void		 store_bind(sqlite3_stmt *, ...);
int		 store_done(struct store *, sqlite3_stmt *, char **);
json_t		*store_rows(struct store *, sqlite3_stmt *, char **);
json_t		*store_row(struct store *, sqlite3_stmt *, char **);
void		 store_cause(struct store *, char **, const char *);
int		 store_broke(struct store *, char **);
void		 store_feed_watch(struct store *);
/* What a change to a table means to the loop's store (store_feed.c). */
#define STORE_CHANGED_FEED	0x1	/* what feeds show */
#define STORE_CHANGED_REQUESTS	0x2	/* access requests */
int		 store_feed_kind(const char *);
void		 store_feed_notify(struct store *, int);
struct store	*store_open_peer(const struct store *, char **);
void		 store_failing_begin(struct store *, const char *);
void		 store_need_catalogue_copy(struct store *,
		    const struct store *);

#endif
