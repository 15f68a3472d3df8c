/*
 * api_int.h: what the files of the JSON API share, and no other module:
 * the request as api.c parsed it, the helpers that read a body and say
 * what is wrong with it, and the handlers its route table names.  api.c
 * is the core; each api_*.c answers for one kind of thing.
 */
#ifndef CONVENE_API_INT_H
#define CONVENE_API_INT_H

#include <stddef.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

struct convene_ctx;

#define API_ROUTE	"api"
#define API_TOKEN_BYTES	24	/* 192 random bits */
#define API_RETRY_AFTER	"1"	/* seconds, when the database is busy */

struct api_req {
	struct convene_ctx	*ctx;		/* the route's arg */
	struct evhttp_request	*req;
	enum evhttp_cmd_type	 method;
	char			*parts[6];	/* path segments */
	int			 nparts;
	struct evkeyvalq	 query;
	char			 actor[512];	/* token name, or "control" */
	long long		 token;		/* its id; 0: control socket */
	json_t			*scope;		/* group ids; NULL: all */
	json_t			*group;		/* groups/SLUG/... */
	json_t			*person;	/* people/ID/... */
	long long		 id;		/* the person's */
};

/* api.c */
void		 api_reply(struct api_req *, int, json_t *);
void		 api_fail(struct api_req *, int, const char *, ...)
		    __attribute__((__format__(printf, 3, 4)));
void		 api_refuse(struct api_req *, int, char *, const char *);
json_t		*api_body(struct api_req *);
int		 api_field(struct api_req *, json_t *, const char *,
		    const char **, int);
int		 api_int_field(struct api_req *, json_t *, const char *,
		    long long *, long long, long long);
int		 api_bool(struct api_req *, json_t *, const char *, int *);
int		 api_text_ok(struct api_req *, const char *, const char *,
		    size_t);
long long	 api_id(const char *);
const char	*api_query(struct api_req *, const char *);
void		 api_audit(struct api_req *, const char *, const char *,
		    const char *);
void		 api_replan(struct api_req *, long long, long long);
void		 api_kick(struct api_req *);
void		 api_invite(struct api_req *, json_t *, long long, long long,
		    long long);
/*
 * What a token limited to groups may see and change: only its groups,
 * their series and meetings, and the people who belong to them; what it
 * may not see is answered 404, as if it were not there.  Every route
 * that names a group, a meeting or a person asks one of these (the
 * loaders in api.c do for paths under groups/SLUG, people/ID, series/ID,
 * occurrences/ID and requests/ID).
 */
int		 api_scoped(struct api_req *);
int		 api_group_allowed(struct api_req *, long long);
int		 api_person_allowed(struct api_req *, long long);
int		 api_occ_allowed(struct api_req *, long long);
/* A person seen by the token but also in groups it is not for. */
int		 api_person_shared(struct api_req *, long long);

/* api_groups.c */
extern const char *const api_roles[];
void		 api_groups_list(struct api_req *);
void		 api_groups_create(struct api_req *);
void		 api_group_get(struct api_req *);
void		 api_group_patch(struct api_req *);
void		 api_group_delete(struct api_req *);
void		 api_member_add(struct api_req *);
void		 api_member_remove(struct api_req *);

/* api_people.c */
void		 api_people_list(struct api_req *);
void		 api_people_create(struct api_req *);
void		 api_person_get(struct api_req *);
void		 api_person_edit(struct api_req *);
void		 api_person_delete(struct api_req *);
void		 api_person_test(struct api_req *);
void		 api_person_link(struct api_req *);
void		 api_person_feed(struct api_req *);
void		 api_import(struct api_req *);

/* api_venues.c */
void		 api_venues_list(struct api_req *);
void		 api_venues_create(struct api_req *);
int		 api_venue_exists(struct api_req *, long long);

/* api_series.c */
void		 api_series_list(struct api_req *);
void		 api_series_create(struct api_req *);
void		 api_series_change(struct api_req *);
void		 api_series_delete(struct api_req *);
void		 api_occ_list(struct api_req *);
void		 api_occ_get(struct api_req *);
void		 api_occ_answers(struct api_req *);
void		 api_occ_change(struct api_req *);

/* api_outbox.c */
void		 api_outbox(struct api_req *);

/* api_tokens.c */
void		 api_tokens_list(struct api_req *);
void		 api_tokens_create(struct api_req *);
void		 api_token_revoke(struct api_req *);

/* api_digest.c */
void		 api_digest(struct api_req *);

/* api_answers.c */
void		 api_answer_mail(struct api_req *);

/* api_needs.c */
int		 api_needs_audit(struct api_req *, const char *, long long);
void		 api_occ_requests(struct api_req *);
void		 api_occ_request_add(struct api_req *);
void		 api_request_set(struct api_req *);
void		 api_person_needs(struct api_req *);
void		 api_person_needs_set(struct api_req *);
json_t		*api_supporters(struct api_req *, long long);
void		 api_person_supporters(struct api_req *);
void		 api_person_supporter_add(struct api_req *);
void		 api_person_supporter_remove(struct api_req *);

/* api_attendance.c */
void		 api_occ_attendance(struct api_req *);
void		 api_occ_attend(struct api_req *);

/* api_report.c */
void		 api_group_report(struct api_req *);
void		 api_group_report_link(struct api_req *);
void		 api_group_report_members(struct api_req *, json_t *);

/* api_privacy.c */
void		 api_person_export(struct api_req *);
void		 api_person_erase(struct api_req *);

/* api_payments.c */
extern const char *const api_pay_cols[];
extern const size_t api_pay_ncols;
int		 api_rates_parse(struct api_req *, json_t *, long long *,
		    json_t **, int *);
int		 api_rates_apply(struct api_req *, long long, long long,
		    json_t *, int);
void		 api_payments_list(struct api_req *);
void		 api_payments_paid(struct api_req *);

#endif
