/*
 * convene.h: the daemon's own structures and prototypes: configuration,
 * the store, the outbox, channels, messages, HTTP and the modules that
 * add routes to it.  The building blocks under them, which need none of
 * this, have a header each (util.h, log.h, sched.h, ical.h, ...).
 *
 * One section per file, in the order the daemon starts them.  A type whose
 * lifetime one module owns is opaque here and defined in that module.
 */
#ifndef CONVENE_H
#define CONVENE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "key.h"

struct event_base;
struct evbuffer;
struct convene_ctx;

#define CONVENE_APPLICATION_ID	0x436f6e76	/* "Conv" */

/* config.c */
enum conf_type {
	CONF_STRING,
	CONF_PATH,		/* relative to state_directory */
	CONF_SECRET,		/* a file only its owner may read */
	CONF_INT,
	CONF_BOOL,
	CONF_LISTEN,		/* comma-separated address:port list */
	CONF_URL,
	CONF_ENUM
};

/*
 * What a member may ask for to take part, from the [need CODE] sections
 * (or the built-in catalogue when there are none): a label per language,
 * how many days ahead it must be booked, and the venue fact it needs
 * (NULL: none) so that a venue without it is flagged.
 */
struct need_label {
	char		*lang;
	char		*text;
};
struct need_kind {
	char			*code;
	int			 lead_days;
	char			*venue;	/* step_free, hearing_loop... or NULL */
	struct need_label	*labels;	/* English among them */
	size_t			 nlabels;
	int			 line;	/* of its section; 0: built in */
};

struct config {
	char		*path;		/* NULL: the embedded default */

	/* [daemon] */
	char		*state_directory;
	char		*database;
	char		*control_socket;
	int		 shutdown_timeout;
	char		*log_level;
	char		*templates;
	char		*phone_country;

	/* [http] */
	char		**listen;
	size_t		 nlisten;
	char		*base_url;
	int		 http_max_body;
	int		 http_max_headers;
	int		 http_timeout;
	int		 http_request_timeout;

	/* [mail] */
	char		*mail_spool;
	char		*smtp_url;
	char		*smtp_username;
	char		*smtp_password_file;
	char		*mail_from;
	char		*smtp_starttls;
	int		 smtp_max_connections;
	int		 smtp_timeout;

	/* [sms] */
	char		*sms_spool;
	char		*sms_gateway_url;
	char		*sms_credentials_file;
	char		*sms_gateway;
	char		*sms_from;
	char		*sms_auth;
	char		*sms_format;
	char		*sms_field_to;
	char		*sms_field_from;
	char		*sms_field_text;
	char		*sms_field_callback;
	int		 sms_max_connections;
	int		 sms_timeout;
	int		 sms_max_segments;
	char		*sms_inbound_secret_file;

	/* [outbox] */
	int		 horizon_days;
	int		 outbox_batch;
	int		 retry_base;
	int		 retry_max;
	int		 retry_lifetime;
	int		 dry_run;

	/* [security] */
	char		*signing_key_file;

	/* [privacy] */
	int		 retention_days;

	/* [deadlines] */
	int		 digest_hour;
	int		 alert_days;

	/* [need CODE] */
	struct need_kind *needs;
	size_t		 nneeds;
};

struct conf_option {
	const char	*section;
	const char	*name;
	enum conf_type	 type;
	size_t		 offset;
	long long	 min;
	long long	 max;
	const char	*const *choices;	/* CONF_ENUM */
	const char	*def;		/* NULL: derived, see the help */
	const char	*help;
};

extern const struct conf_option	conf_options[];

struct config	*config_default(char **);
struct config	*config_load(const char *, char **);
void		 config_free(struct config *);
const struct conf_option *config_find(const char *, const char *);
char		*config_value_string(const struct config *,
		    const struct conf_option *);
/*
 * A need of the catalogue by its code, or NULL.  "other" (free text,
 * booked by the day) is always there, whatever the file says.
 */
const struct need_kind *config_need(const struct config *, const char *);
/* Its label in a language, else in English. */
const char	*config_need_label(const struct need_kind *, const char *);

/*
 * store.c, store_model.c, store_feed.c, store_outbox.c, store_answer.c,
 * store_privacy.c, store_attendance.c: the store, the one place the
 * daemon keeps anything.  What follows is what a second backend would
 * have to provide.  The daemon's own reads come as structs (struct
 * occurrence, struct outbox_row) or as rows handed to a callback; the
 * JSON rows are the API's answers, for coordinators and feeds.
 * Functions return -1 or NULL with *cause set on error.
 */

/* store.c */
#define STORE_BUSY_CAUSE	"database: busy"	/* a cause's start */
#define STORE_SCHEMA_VERSION	12

struct store;
struct outbox_row;
struct store_counts {
	long long	groups;
	long long	people;
	long long	memberships;
};

/* Open (made or brought up to date) and close; the schema's version. */
struct store	*store_open(const char *, char **);
void		 store_close(struct store *);
int		 store_version(struct store *);
/* The loop serves from now on: wait little for others' write locks. */
void		 store_serving(struct store *);
/* Whether writes fail, since when and why; a probe; a check. */
time_t		 store_failing(struct store *, const char **);
void		 store_on_failing(struct store *, void (*)(void *), void *);
int		 store_probe(struct store *);
int		 store_check(struct store *, char **);
int		 store_counts(struct store *, struct store_counts *);
/* Who did what, kept. */
int		 store_audit(struct store *, const char *, const char *,
		    const char *, const char *);
int		 store_create_at(const char *, int, char **);
/* Transactions that nest; store_end commits when its int is 1. */
int		 store_begin(struct store *);
int		 store_end(struct store *, int);
#define STORE_INSTALL_LEN	32	/* 128 random bits in hex */
/* This installation's id, and the domain of the UIDs it makes. */
const char	*store_installation(struct store *);
char		*store_uid_domain(struct store *, const char *, char **);
/* A checkpoint that empties the write-ahead log, off the loop. */
void		 store_checkpoint_truncate(struct store *);
/* The outbox by state as the checkpoint thread last counted it. */
json_t		*store_out_counts_recent(struct store *);
void		 store_metrics(struct evbuffer *, void *);

/* store_model.c */
struct group_in {
	const char	*slug;
	const char	*name;
	const char	*time_zone;
	const char	*lead_times;
	long long	 payment_rate_pence;
	const char	*contact;
};

struct person_in {
	const char	*name;
	const char	*email;
	const char	*phone;		/* E.164 */
	const char	*language;
	const char	*style;
	const char	*channels;	/* "email,sms" or "feed" */
	const char	*lead_times;	/* NULL: the group's */
	int		 quiet_start;	/* minutes; -1 none, -2 keep */
	int		 quiet_end;
};

struct venue_in {
	const char	*name;
	const char	*address;
	const char	*travel;
	const char	*online_link;
	int		 step_free;
	int		 hearing_loop;
	int		 accessible_toilet;
	int		 quiet_room;
};

struct series_in {
	long long	 group_id;
	const char	*title;
	const char	*dtstart;	/* canonical local */
	int		 duration;
	const char	*rrule;
	const char	*exdates;
	const char	*rdates;
	long long	 venue_id;	/* 0: none */
	const char	*online_link;
	const char	*agenda;
};

/* A meeting as the planner reads it (store_occ_read). */
struct occurrence {
	long long	 id;
	long long	 series_id;
	const char	*title;
	const char	*group_slug;
	const char	*time_zone;	/* the group's */
	const char	*recurrence_id;	/* local, as its series made it */
	time_t		 start_at;
	time_t		 end_at;
	const char	*status;	/* scheduled, moved, cancelled... */
	time_t		 moved_from;	/* 0: never moved */
	const char	*reason;	/* of a move or cancellation */
	int		 sequence;	/* one more each change */
	long long	 venue_id;	/* its own, else the series'; 0: none */
	long long	 group_id;
	const char	*lead_times;	/* the group's */
	int		 duration;	/* seconds, the series' */
};

/* Groups, people, memberships, venues, series: the API's rows. */
json_t		*store_group_create(struct store *, const struct group_in *,
		    char **);
json_t		*store_group_list(struct store *, char **);
json_t		*store_group_get(struct store *, const char *, char **);
int		 store_group_delete(struct store *, long long, char **);
json_t		*store_person_create(struct store *, const struct person_in *,
		    char **);
json_t		*store_person_update(struct store *, long long,
		    const struct person_in *, char **);
json_t		*store_person_list(struct store *, char **);
json_t		*store_person_get(struct store *, long long, char **);
int		 store_person_delete(struct store *, long long, char **);
long long	 store_person_find(struct store *, const char *, const char *);
int		 store_person_bounce(struct store *, long long, const char *,
		    const char *, time_t, char **);
int		 store_member_set(struct store *, long long, long long,
		    const char *, char **);
int		 store_member_remove(struct store *, long long, long long,
		    char **);
json_t		*store_member_list(struct store *, long long, char **);
json_t		*store_venue_create(struct store *, const struct venue_in *,
		    char **);
json_t		*store_venue_list(struct store *, char **);
json_t		*store_series_create(struct store *, const struct series_in *,
		    char **);
json_t		*store_series_get(struct store *, long long, char **);
json_t		*store_series_list(struct store *, long long, char **);
int		 store_series_delete(struct store *, long long, char **);
int		 store_series_update(struct store *, long long,
		    const struct series_in *, char **);
/* A series' meetings as the planner expands and changes them. */
int		 store_occ_upsert(struct store *, long long, const char *,
		    time_t, time_t, char **);
int		 store_occ_remove_missing(struct store *, long long, time_t,
		    time_t, const char *, char **);
int		 store_occ_remove_moved(struct store *, long long,
		    const char *, char **);
json_t		*store_occ_reattach(struct store *, long long, const char *,
		    json_t *, char **);
/* Ids of meetings to plan: of a series in a window; of a person. */
json_t		*store_occ_window(struct store *, long long, time_t, time_t,
		    char **);
json_t		*store_occ_of_person(struct store *, long long, time_t,
		    char **);
/* Meetings for coordinators, and one for the API or for the planner. */
json_t		*store_occ_list(struct store *, long long, time_t, time_t,
		    char **);
json_t		*store_occ_get(struct store *, long long, char **);
struct occurrence *store_occ_read(struct store *, long long, char **);
int		 store_occ_move(struct store *, long long, time_t, time_t,
		    long long, const char *, char **);
int		 store_occ_cancel(struct store *, long long, const char *,
		    char **);
/* API tokens: listed without their hashes, revoked. */
json_t		*store_token_list(struct store *, char **);
int		 store_token_revoke(struct store *, const char *, char **);

/* store_feed.c */
#define FEED_TOKEN_LEN	32	/* 160 random bits in base32 */

/* What feeds show changed: a generation for their caches. */
void		 store_feed_changed(struct store *);
unsigned long long store_generation(struct store *);
/* A person's feed token: made, checked for form, kept. */
void		 store_feed_token_new(char [FEED_TOKEN_LEN + 1]);
int		 store_feed_token_valid(const char *);
int		 store_feed_token(struct store *, long long, int,
		    char [FEED_TOKEN_LEN + 1], char **);
/* Feeds: whose a token is, and the series and meetings they show. */
json_t		*store_feed_person(struct store *, const char *, char **);
json_t		*store_feed_group(struct store *, const char *, char **);
int		 store_feed_public(struct store *, long long, int, char **);
json_t		*store_feed_series(struct store *, long long, long long,
		    char **);
/* The series a notice of a change to a series carries. */
int		 store_feed_notice(struct store *, struct outbox_row *,
		    char **);
json_t		*store_feed_overrides(struct store *, long long, long long,
		    char **);

/* store_outbox.c */
struct outbox_in {
	long long	 occurrence_id;	/* 0: none (a test message) */
	long long	 person_id;
	const char	*kind;
	const char	*lead;
	const char	*channel;
	int		 sequence;
	time_t		 due_at;
	time_t		 now;
};

struct outbox_set {
	long long	 id;
	const char	*state;
	const char	*reason;	/* NULL: keep */
	const char	*provider_id;	/* NULL: keep */
	int		 attempt;	/* 1: count an attempt */
	int		 late;
	time_t		 next_at;	/* 0: keep */
	time_t		 now;
	const char	*style;		/* sent or dead in it; NULL: keep */
	const char	*language;	/* NULL: keep */
};

/* A member of a group as the planner reads one (store_plan_members). */
struct plan_member {
	long long	 id;
	const char	*channels;	/* "email,sms", "feed": in order */
	const char	*lead_times;	/* their own, else the group's */
	int		 own_leads;	/* lead_times are their own */
};

/* A pending reminder the planner may withdraw (store_plan_pending). */
struct plan_pending {
	long long	 id;
	long long	 person_id;
	const char	*kind;		/* reminder or nudge */
	const char	*lead;
	const char	*channel;
	int		 sequence;	/* of the meeting it was planned for */
	int		 fallback;	/* a later channel after a failure */
	int		 member;	/* the person is in the group still */
	int		 observer;	/* as an observer */
	const char	*channels;	/* theirs; "" when not a member */
	const char	*lead_times;	/* their own, else the group's */
};

/*
 * A due row with all its message needs (store_out_due): the reminder,
 * its person, and its meeting with the series, group and venue, which
 * are 0 and "" for a test message.  One allocation with its strings;
 * outbox_row_free frees it.
 */
struct outbox_row {
	long long	 id;
	long long	 occurrence_id;	/* 0: none (a test message) */
	long long	 person_id;
	const char	*kind;		/* reminder, invitation, update... */
	const char	*lead;		/* "P7D"; "series:what[/old]" */
	const char	*channel;
	int		 sequence;	/* of the meeting when planned */
	time_t		 due_at;
	int		 attempts;	/* made so far */
	const char	*reason;	/* why the last attempt failed */

	const char	*person;	/* the name */
	const char	*email;
	const char	*phone;
	const char	*language;
	const char	*style;
	const char	*channels;	/* "email,sms" */
	int		 quiet_start;	/* minutes of the day; -1: none */
	int		 quiet_end;
	const char	*email_bounce;	/* "": the address works */

	time_t		 start_at;	/* 0: no meeting */
	time_t		 end_at;
	const char	*status;	/* scheduled, moved, cancelled... */
	int		 occ_sequence;	/* the meeting's now */
	time_t		 moved_from;	/* 0: not moved */
	const char	*occ_reason;	/* of a move or cancellation */
	long long	 series_id;
	const char	*recurrence_id;
	int		 series_sequence;
	const char	*rrule;		/* NULL: no series */
	const char	*rdates;
	const char	*title;
	const char	*agenda;
	const char	*group_slug;
	const char	*online_link;	/* the venue's, else the series' */
	const char	*group_name;
	const char	*time_zone;
	const char	*contact;
	const char	*venue;
	const char	*address;
	const char	*travel;
	int		 step_free;
	int		 hearing_loop;
	int		 accessible_toilet;
	int		 quiet_room;

	/* What messages of kinds rsvp and access say. */
	const char	*answer;	/* rsvp, nudge: the latest, or "" */
	const char	*access_status;	/* "" from the store */
	const char	*need;
	const char	*need_label;
	const char	*note;

	/* A supporter's copy of a member's reminder (PLAN_COPY_MARK). */
	long long	 copy_of;	/* the member; 0: not a copy */
	const char	*for_name;	/* theirs; "": no longer wanted */

	/* A change to a series: as store_feed_notice has them, or NULL. */
	json_t		*notice_series;
	json_t		*notice_overrides;

	/* digest, alert, flag: as store_deadline_fill has them, or NULL. */
	json_t		*requests;
};

/* Called for each row of a walk; the strings last until it returns. */
typedef int	(*plan_member_cb)(const struct plan_member *, void *);
typedef int	(*plan_pending_cb)(const struct plan_pending *, void *);

/* The planner: members and pending reminders read, rows written. */
int		 store_plan_members(struct store *, long long, long long, int,
		    plan_member_cb, void *, char **);
int		 store_plan_pending(struct store *, long long, long long,
		    long long, long long, plan_pending_cb, void *, char **);
int		 store_plan_insert(struct store *, const struct outbox_in *,
		    char **);
int		 store_plan_insert_group(struct store *, long long, long long,
		    long long, const struct outbox_in *, char **);
int		 store_plan_skip(struct store *, long long, const char *,
		    char **);
int		 store_plan_nudge(struct store *, long long, long long,
		    long long, const struct outbox_in *, char **);
int		 store_plan_copies(struct store *, long long, long long,
		    long long, const struct outbox_in *, char **);
int		 store_plan_copies_skip(struct store *, long long, long long,
		    long long, long long, int, time_t, char **);
/* Invitations: asked for, then sent once their meeting is planned. */
int		 store_plan_invite(struct store *, long long, long long,
		    long long, time_t, int *, char **);
int		 store_invite_flush(struct store *, long long, long long,
		    long long, time_t, int *, char **);
int		 store_plan_skip_occ(struct store *, long long, const char *,
		    char **);
/* The dispatcher: recover, the next due time, claim, settle. */
int		 store_out_recover(struct store *, long long *, char **);
int		 store_out_next(struct store *, time_t *, char **);
struct outbox_row **store_out_due(struct store *, time_t, int, size_t *,
		    char **);
void		 outbox_row_free(struct outbox_row *);
int		 store_out_set(struct store *, const struct outbox_set *,
		    char **);
/* The outbox for coordinators. */
json_t		*store_out_list(struct store *, const char *, long long,
		    long long, long long, int, char **);
json_t		*store_out_counts(struct store *, long long, long long,
		    long long, char **);
/* API tokens, kept as hashes: made, and checked on each request. */
int		 store_token_insert(struct store *, const char *,
		    const void *, size_t, char **);
int		 store_token_check(struct store *, const void *, size_t,
		    long long *, char *, size_t);
/* An SMS delivery report for a row's attempt. */
int		 store_out_delivery(struct store *, long long, int,
		    const char *, time_t, char **);

/* store_answer.c */
struct answer_in {
	long long	 person_id;
	long long	 occurrence_id;
	const char	*answer;	/* "yes", "maybe" or "no" */
	const char	*note;		/* NULL: none */
	const char	*channel;	/* "link", "sms", "mail", "api" */
	const char	*ref;		/* NULL, or a key that may be
					   recorded once, such as
					   "kannel:<message id>" */
	time_t		 at;
};
#define STORE_ANSWER_DUPLICATE	1
/*
 * 0 recorded, STORE_ANSWER_DUPLICATE (ref seen before: nothing
 * recorded), -1 error with *cause.
 */
int		 store_answer_add(struct store *, const struct answer_in *,
		    char **);
/*
 * The latest answer of a person (first) to a meeting (second): 1 found
 * (answer copied, *note malloc'd or NULL), 0 none, -1 error.
 */
int		 store_answer_latest(struct store *, long long, long long,
		    char [8], char **, char **);
/*
 * What an answer by link needs to know of its person and meeting,
 * found at once: the person's language and style, the meeting's status
 * ("" when there is no such meeting).
 */
struct answer_link {
	char	language[64];
	char	style[16];
	char	status[16];
};
/* 1 a person not erased (*out filled), 0 none, -1 error. */
int		 store_answer_link(struct store *, long long, long long,
		    struct answer_link *);
/*
 * Every answer to one meeting, oldest first, for coordinators:
 * [{"person": id, "name": ..., "answer": ..., "note": ...,
 *   "channel": ..., "at": epoch}], NULL and *cause on error.
 */
json_t		*store_answer_list(struct store *, long long, char **);
/*
 * A person's meetings that have not begun (start after now), soonest
 * first, at most 20: [{"id": id, "asked": 1 when a reminder, invitation
 * or update about it went to them by SMS, else 0}].
 */
json_t		*store_answer_ahead(struct store *, long long, time_t,
		    char **);
/*
 * A text received, by the gateway's ref ("kannel:<id>"): 0 the first
 * time (noted), STORE_ANSWER_DUPLICATE after, -1 error.
 */
int		 store_answer_seen(struct store *, const char *, time_t,
		    char **);

/* store_need.c */
#define STORE_NEED_CODE_MAX	32	/* bytes of a catalogue code */
#define STORE_NEED_UNCHANGED	1	/* already so */
#define STORE_NEED_REFUSED	2	/* not a change that may be made */
struct need_in {
	long long	 person_id;
	long long	 occurrence_id;
	const char	*need;		/* a catalogue code, or "other" */
	const char	*detail;	/* NULL: none */
	const char	*actor;		/* "member", or the API's actor */
	time_t		 now;
};
/* The catalogue's lead days, kept for deadlines; again on a reload. */
void		 store_need_catalogue(struct store *,
		    const struct config *);
int		 store_need_known(struct store *, const char *);
int		 store_need_state_valid(const char *);
/* Asked for (made, or asked again when withdrawn); moved on. */
int		 store_need_request(struct store *, const struct need_in *,
		    long long *, char **);
int		 store_need_set(struct store *, long long, const char *,
		    const char *, const char *, time_t, char **);
/*
 * After an answer (person, meeting, channel), in its transaction:
 * standing needs carried to a yes or maybe, withdrawn on a no.
 */
int		 store_need_answered(struct store *, long long, long long,
		    const char *, time_t, char **);
/*
 * The member's choice on their page for one meeting (person, meeting):
 * these codes, and "other" in these words when not empty; the rest of
 * their open requests there withdrawn.
 */
int		 store_need_choose(struct store *, long long, long long,
		    const char *const *, size_t, const char *, time_t,
		    char **);
/* A meeting cancelled: its open requests withdrawn. */
int		 store_need_cancelled(struct store *, long long, time_t,
		    char **);
/* A meeting moved: its requests' deadlines from its start now. */
int		 store_need_deadlines(struct store *, long long, char **);
int		 store_need_deadlines_rid(struct store *, long long,
		    const char *, char **);
/*
 * A meeting's requests filtered by state and need (NULL: any); one
 * request; a person's at one meeting.  Each of the first two with its
 * "history": [{"at", "actor", "state", "reason"}].
 */
json_t		*store_need_list(struct store *, long long, const char *,
		    const char *, char **);
json_t		*store_need_get(struct store *, long long, char **);
json_t		*store_need_mine(struct store *, long long, long long,
		    char **);
/* A person's standing needs, read and replaced: [{"need", "detail"}]. */
json_t		*store_need_standing(struct store *, long long, char **);
int		 store_need_standing_set(struct store *, long long, json_t *,
		    const char *, time_t, char **);

/* Supporters who come with a member, linked with their consent. */
struct supporter_in {
	long long	 person_id;	/* the member */
	long long	 supporter_id;
	const char	*role;		/* personal-assistant, supporter */
	int		 copy_reminders;
	const char	*consent_by;	/* who gave the member's consent */
	time_t		 now;
};
int		 store_supporter_set(struct store *,
		    const struct supporter_in *, char **);
int		 store_supporter_remove(struct store *, long long, long long,
		    char **);
json_t		*store_supporter_list(struct store *, long long, char **);

/* store_attendance.c */
#define STORE_ATTEND_NONE	1	/* no such meeting */
#define STORE_ATTEND_EARLY	2	/* not begun, or cancelled */
#define STORE_ATTEND_REFUSED	3	/* not one who may be recorded */
struct attendance_mark {
	long long	 person_id;
	const char	*status;	/* attended, apologies, absent */
	const char	*reason;	/* NULL: none */
};
struct attendance_in {
	long long			 occurrence_id;
	int				 from_answers;
	const struct attendance_mark	*marks;
	size_t				 nmarks;
	const char			*actor;
	time_t				 now;
};
int		 store_attendance_valid(const char *);
/*
 * A meeting's attendance recorded (from answers, then the marks, then
 * supporters with their members), with its audit lines and payments
 * owed, in one transaction: 0 and the rows written in the int, -1
 * error, or STORE_ATTEND_* with *cause saying why.
 */
int		 store_attendance_record(struct store *,
		    const struct attendance_in *, int *, char **);
/*
 * [{"person", "name", "status", "reason", "role", "supporting" (NULL
 * or the member's id), "recorded_by", "recorded_at"}], by person.
 */
json_t		*store_attendance_list(struct store *, long long, char **);

/* store_privacy.c */
/* Tokens limited to groups: made, their groups, and whom they see. */
int		 store_token_create(struct store *, const char *, const void *,
		    size_t, json_t *, char **);
int		 store_token_scope(struct store *, const char *, json_t *,
		    char **);
json_t		*store_token_groups(struct store *, long long, char **);
int		 store_token_sees_person(struct store *, long long,
		    long long);
int		 store_token_shares_person(struct store *, long long,
		    long long);
json_t		*store_token_people(struct store *, long long, char **);
int		 store_group_delete_scoped(struct store *, long long, json_t *,
		    char **);
/* A new person in a group at once. */
json_t		*store_person_create_in(struct store *,
		    const struct person_in *, long long, const char *,
		    char **);
/* A person erased: 1; their data exported, or erased. */
int		 store_person_erased(struct store *, long long);
json_t		*store_privacy_export(struct store *, long long, char **);
int		 store_privacy_erase(struct store *, long long, const char *,
		    char **);
/* Free text about meetings that ended before a time cleared. */
int		 store_privacy_retain(struct store *, time_t, int, int *,
		    char **);

/* store_payment.c */
#define STORE_PAY_ALL	0
#define STORE_PAY_OWED	1
#define STORE_PAY_PAID	2
json_t		*store_rates_get(struct store *, long long, char **);
int		 store_rates_set(struct store *, long long, long long,
		    json_t *, int, char **);
int		 store_pay_rate(struct store *, long long, const char *,
		    long long *, char **);
json_t		*store_payments(struct store *, long long, time_t, time_t,
		    int, char **);
json_t		*store_payment_get(struct store *, long long, char **);
int		 store_payments_paid(struct store *, json_t *, const char *,
		    const char *, json_t *, json_t *, char **);
json_t		*store_involvement(struct store *, long long, char **);

/* store_deadline.c */
#define STORE_DEADLINE_ITEMS	200	/* requests a digest lists */
void		 store_deadline_watch(struct store *, void (*)(void *), void *);
/* The needs asking each venue fact, as ",code,code," ("": none). */
struct deadline_facts {
	const char	*step_free;
	const char	*hearing_loop;
	const char	*quiet_room;
	const char	*accessible_toilet;
};
int		 store_deadline_alerts(struct store *, time_t, time_t, int *,
		    char **);
int		 store_deadline_flags(struct store *, time_t,
		    const struct deadline_facts *, int *, char **);
json_t		*store_deadline_coordinators(struct store *, time_t, char **);
int		 store_deadline_digest(struct store *, long long, const char *,
		    time_t, time_t, int *, char **);
int		 store_deadline_next(struct store *, time_t, time_t, time_t *,
		    char **);
json_t		*store_deadline_list(struct store *, long long, long long,
		    time_t, int, char **);
int		 store_deadline_fill(struct store *, struct outbox_row *,
		    time_t, char **);

/* store_batch.c: group commit of writes that must be durable. */
struct store_batch;
struct event_base;
/*
 * Write in the batch's transaction, on its thread and connection: 0 or
 * more done, -1 and *cause not.
 */
typedef int	(*store_batch_write_cb)(struct store *, void *, char **);
/* After the commit, on the loop: what the write returned, or -1 and why. */
typedef void	(*store_batch_done_cb)(int, const char *, void *);
#define STORE_BATCH_MAX	256	/* writes a transaction at most */
struct store_batch *store_batch_create(struct event_base *, struct store *,
		    size_t, char **);
void		 store_batch_free(struct store_batch *);
void		 store_batch_add(struct store_batch *, store_batch_write_cb,
		    store_batch_done_cb, void *);
void		 store_batch_catalogue(struct store_batch *,
		    const struct config *);
void		 store_batch_flush(struct store_batch *);
void		 store_batch_metrics(struct evbuffer *, void *);

/* store_report.c */
json_t		*store_report(struct store *, long long, time_t, time_t,
		    char **);
json_t		*store_report_members(struct store *, long long, char **);
int		 store_report_open(struct store *, long long, char **);
int		 store_report_members_set(struct store *, long long, int,
		    char **);

/* plan.c */
#define PLAN_UNCHANGED	1	/* plan_move: already so */
/* A supporter's copy of a member's reminder: lead "P7D/for:12". */
#define PLAN_COPY_MARK	"/for:"
int		 plan_next_channel(const char *, const char *, char *, size_t);
int		 plan_leads_valid(const char *, char **, char **);
int		 plan_occurrence(struct store *, long long, time_t, char **);
int		 plan_occurrence_slice(struct store *, long long, time_t,
		    long long, int, long long *, char **);
int		 plan_series(struct store *, long long, time_t, int, char **);
int		 plan_series_expand(struct store *, long long, time_t, int,
		    json_t **, char **);
int		 plan_all(struct store *, time_t, int, char **);
int		 plan_person(struct store *, long long, time_t, char **);
int		 plan_group(struct store *, long long, time_t, char **);
int		 plan_move(struct store *, long long, const char *, long long,
		    const char *, time_t, char **);
int		 plan_cancel(struct store *, long long, const char *, time_t,
		    char **);
int		 plan_series_edit(struct store *, long long,
		    const struct series_in *, const char *, time_t, int,
		    json_t *, char **);

/* chan.c */
enum chan_result {
	CHAN_OK,
	CHAN_TEMPFAIL,
	CHAN_PERMFAIL
};

/*
 * A message ready for its channel.  The backend copies what it needs
 * before send returns: the caller frees the message at once.
 */
struct chan_msg {
	long long	 id;		/* the outbox row */
	int		 attempt;
	const char	*channel;	/* "email" or "sms" */
	const char	*kind;		/* "reminder", "update", ... */
	const char	*to;
	const char	*to_name;
	const char	*subject;	/* email only */
	const char	*body;		/* the text: the plain part, the SMS */
	const char	*html;		/* email: the HTML part, or NULL */
	const char	*ical;		/* email: a VCALENDAR, or NULL */
	const char	*ical_method;	/* "REQUEST" or "CANCEL" */
	const char	*lang;		/* the language used, such as "cy" */
	const char	*message_id;	/* "<...>" */
};

/*
 * done(arg, result, provider_id, reason) is called exactly once, and may
 * be called before send returns.
 */
typedef void (*chan_done_cb)(void *, enum chan_result, const char *,
    const char *);

struct chan_backend {
	const char	*name;
	int		(*init)(struct event_base *, const struct config *,
			    char **);
	void		(*send)(const struct chan_msg *, chan_done_cb, void *);
	size_t		(*inflight)(void);	/* NULL: never waits */
	void		(*shutdown)(void);	/* NULL: nothing held */
};

int		 chan_init(struct event_base *, const struct config *,
		    char **);
void		 chan_send(const struct chan_msg *, chan_done_cb, void *);
void		 chan_shutdown(void);
void		 chan_override(const struct chan_backend *);
const char	*chan_result_name(enum chan_result);
struct chan_trouble;
struct chan_trouble *chan_trouble_create(const char *);
void		 chan_trouble_free(struct chan_trouble *);
void		 chan_trouble_fail(struct chan_trouble *, const char *,
		    const char *, ...)
		    __attribute__((__format__(printf, 3, 4)));
void		 chan_trouble_ok(struct chan_trouble *);
void		 chan_trouble_refused(struct chan_trouble *, long long,
		    const char *);

/* msg.c */
struct tmpl_set;
extern const char *const msg_vars[];
extern const char *const msg_words[];
int		 msg_is_rtl(const char *);
void		 msg_set_key(const unsigned char *);
void		 msg_set_installation(const char *);
void		 msg_when(struct tmpl_set *, const char *, time_t, const char *,
		    char **, char **);
int		 msg_render(struct tmpl_set *, const struct config *,
		    const struct outbox_row *, int, struct chan_msg *, int *,
		    char **);
void		 msg_free(struct chan_msg *);
/* A growing string. */
struct msg_buf {
	char	*p;
	size_t	 len;
	size_t	 size;
};
void		 msg_add(struct msg_buf *, const char *, size_t);
void		 msg_adds(struct msg_buf *, const char *);
/* One {field} of a word and its value; a list ends with a NULL name. */
struct msg_field {
	const char	*name;
	const char	*value;
};
/* A word's {fields} filled in, to be freed; a field not given goes. */
char		*msg_fill(const char *, const struct msg_field *);

/* msg_html.c */
enum msg_style {
	MSG_STANDARD,
	MSG_PLAIN,
	MSG_LARGE,
	MSG_EASYREAD
};
size_t		 msg_url(const char *, size_t);
char		*msg_html(const char *, const char *, const char *,
		    enum msg_style);

/* outbox.c */
struct outbox;
struct outbox_stats {
	unsigned long long	sent;
	unsigned long long	retried;
	unsigned long long	failed;
	unsigned long long	dead;
	unsigned long long	skipped;
	unsigned long long	missed;
	unsigned long long	deferred;
};

struct outbox	*outbox_create(struct event_base *, struct store *,
		    const struct config *, struct tmpl_set *, char **);
void		 outbox_kick(struct outbox *);
void		 outbox_configure(struct outbox *, const struct config *,
		    struct tmpl_set *);
void		 outbox_stop(struct outbox *);
size_t		 outbox_inflight(struct outbox *);
const struct outbox_stats *outbox_stats(struct outbox *);
void		 outbox_metrics(struct evbuffer *, void *);
void		 outbox_free(struct outbox *);

/* replan.c */
struct replan;
struct replan	*replan_create(struct event_base *, struct store *,
		    struct outbox *, int);
void		 replan_configure(struct replan *, int);
void		 replan_on_idle(struct replan *, void (*)(void *), void *);
void		 replan_free(struct replan *);
void		 replan_stop(struct replan *);
size_t		 replan_depth(const struct replan *);
void		 replan_series(struct replan *, long long);
void		 replan_group(struct replan *, long long);
void		 replan_person(struct replan *, long long);
void		 replan_occurrences(struct replan *, json_t *);
void		 replan_metrics(struct evbuffer *, void *);

/* deadline.c */
#define DEADLINE_ALERT_WITHIN	(2 * 86400)	/* with no configuration */
#define DEADLINE_DIGEST_MINUTE	(8 * 60)	/* with no configuration */
#define DEADLINE_DIGEST_LATE	(4 * 3600)	/* still sent this late */
#define DEADLINE_DIGEST_STALE	(20 * 3600)	/* then the next day's */
struct deadline;
struct deadline_counts {
	int	alerts;
	int	flags;
	int	digests;
};
struct deadline	*deadline_create(struct event_base *, struct store *,
		    struct outbox *, const struct config *);
void		 deadline_configure(struct deadline *, const struct config *);
void		 deadline_kick(struct deadline *);
void		 deadline_stop(struct deadline *);
void		 deadline_free(struct deadline *);
int		 deadline_pass(struct store *, const struct config *, time_t,
		    struct deadline_counts *, time_t *, char **);
int		 deadline_digest_at(const char *, int, time_t, char [11],
		    time_t *);

/* http.c */
struct http;
struct http	*http_create(struct event_base *, struct convene_ctx *,
		    char **);
int		 http_listen(struct http *, const struct config *,
		    const int *, size_t, char **);
void		 http_configure(struct http *, const struct config *);
void		 http_stop_accepting(struct http *);
void		 http_free(struct http *);
struct evhttp_request;
void		 http_reply(struct evhttp_request *, const char *, int,
		    const char *, struct evbuffer *);
void		 http_reply_now(struct evhttp_request *, const char *, int,
		    const char *, struct evbuffer *);
const char	*http_date(void);
void		 http_json(struct evhttp_request *, const char *, int,
		    json_t *);
void		 http_error(struct evhttp_request *, const char *, int,
		    const char *);
int		 http_from_control(struct evhttp_request *);
/* A request answered later: NULL from http_unhold when it is gone. */
struct http_held;
struct http_held *http_hold(struct evhttp_request *);
struct evhttp_request *http_unhold(struct http_held *);
size_t		 http_inflight(struct http *);
char		*http_describe(struct http *);

/* Methods a route answers (EVHTTP_REQ_*, from <event2/http.h>). */
#define HTTP_GET	(EVHTTP_REQ_GET | EVHTTP_REQ_HEAD)
#define HTTP_ANY	(EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | \
			    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | \
			    EVHTTP_REQ_PATCH | EVHTTP_REQ_DELETE)
#define HTTP_ROUTE_PREFIX	0x1	/* the path starts with this */
#define HTTP_ROUTE_CONTROL	0x2	/* control socket only */
/* A request, its route's label, the path past the route's, its arg. */
typedef void	(*http_route_cb)(struct evhttp_request *, const char *,
		    const char *, void *);
void		 http_route_add(struct http *, const char *, const char *,
		    int, int, http_route_cb, void *);

/* api.c */
void		 api_routes(struct http *, struct convene_ctx *);

/* page.c */
void		 page_add(struct evbuffer *, const char *);
void		 page_esc(struct evbuffer *, const char *);
void		 page_begin(struct evbuffer *, const char *, const char *);
void		 page_end(struct evbuffer *);
void		 page_send(struct evhttp_request *, const char *, int,
		    struct evbuffer *);
void		 page_message(struct evhttp_request *, const char *, int,
		    const char *, const char *, const char *);
void		 page_routes(struct http *);
/* The needs of the catalogue as a member chooses them on a page. */
struct page_needs {
	const char	*legend;
	const char	*hint;
	const char	*other;		/* the label of "anything else" */
	const char	*other_text;	/* what it holds */
	json_t		*chosen;	/* the codes ticked */
	json_t		*states;	/* {code: how far it got}, or NULL */
};
void		 page_needs(struct evbuffer *, const struct config *,
		    const char *, const struct page_needs *);

/* prefs.c */
#define PREFS_LINK_DAYS	60	/* how long a link in a message works */

char		*prefs_link(const char *, const unsigned char [KEY_BYTES],
		    long long, time_t, int);
void		 prefs_routes(struct http *, struct convene_ctx *);

/* report.c */
#define REPORT_RATE_MIN		5	/* people behind a rate members see */
#define REPORT_LINK_DAYS	90
json_t		*report_make(struct store *, json_t *, const char *,
		    const char *, int *, char **);
char		*report_csv(json_t *);
void		 report_svg(struct evbuffer *, json_t *, int, struct tmpl_set *,
		    const char *);
void		 report_page(struct evbuffer *, json_t *, int,
		    struct tmpl_set *, const char *, const char *);
char		*report_link(const char *, const unsigned char [KEY_BYTES],
		    long long, const char *, const char *, const char *,
		    time_t, int);
int		 report_lang_offered(struct tmpl_set *, const char *);
void		 report_routes(struct http *, struct convene_ctx *);

/* rsvp.c */
char		*rsvp_link(const char *, const unsigned char [KEY_BYTES],
		    long long, long long, time_t);
void		 rsvp_routes(struct http *, struct convene_ctx *);
/* feed.c */
void		 feed_routes(struct http *, struct convene_ctx *);
char		*feed_url(struct store *, const char *, long long, int,
		    char **);
int		 feed_etag_matches(const char *, const char *);
void		 feed_cache_free(void);
size_t		 feed_cache_bytes(void);
size_t		 feed_cache_count(void);

/* metrics.c */
void		 metrics_http(const char *, int);
void		 metrics_render(struct evbuffer *);
typedef void	(*metrics_collector_cb)(struct evbuffer *, void *);
void		 metrics_add_collector(metrics_collector_cb, void *);
void		 metrics_head(struct evbuffer *, const char *, const char *,
		    const char *);
enum metrics_hist_id {
	METRICS_LATENESS,
	METRICS_LOOP_LAG,
	METRICS_HIST_MAX
};
void		 metrics_observe(enum metrics_hist_id, double);
void		 metrics_start(struct event_base *, const struct timespec *);
void		 metrics_stop(void);

/* convened.c */
/*
 * What the modules that answer requests share.  convened.c owns it and
 * swaps conf and tmpl in on SIGHUP: a module keeps this pointer, never
 * a copy of those two.
 */
struct convene_ctx {
	const struct config	*conf;
	struct tmpl_set		*tmpl;
	struct store		*store;
	struct outbox		*outbox;
	struct replan		*replan;	/* planning after a change */
	struct deadline		*deadline;	/* coordinators' notices */
	const unsigned char	*signing_key;	/* KEY_BYTES */
	struct store_batch	*batch;		/* durable answers */
	time_t			 started;
};

/* systemd.c */
#ifdef HAVE_SYSTEMD
int		 systemd_booted_us(void);
int		 systemd_journal_wanted(void);
void		 systemd_notify(const char *, ...)
		    __attribute__((__format__(printf, 1, 2)));
uint64_t	 systemd_watchdog_usec(void);
size_t		 systemd_listen_fds(int **);
#else
static inline int systemd_booted_us(void) { return (0); }
static inline int systemd_journal_wanted(void) { return (0); }
static inline void systemd_notify(const char *fmt, ...) { (void)fmt; }
static inline uint64_t systemd_watchdog_usec(void) { return (0); }
static inline size_t systemd_listen_fds(int **fds) { *fds = NULL; return (0); }
#endif

/* chan_sms.c */
void		 chan_sms_routes(struct http *, struct convene_ctx *);
struct evkeyvalq;
/* A delivery report as read, before its signature is checked. */
struct sms_dlr {
	long long		 id;		/* the outbox row */
	long long		 attempt;
	long long		 expiry;
	const char		*sig;
	const char		*status;	/* the gateway's word */
	const char		*state;		/* delivered/failed/accepted */
	struct evkeyvalq	*query;		/* what those point into */
	struct evkeyvalq	*form;
	json_t			*json;
};
int		 chan_sms_dlr_address(struct sms_dlr *, const char *,
		    char **);
int		 chan_sms_dlr_status(struct sms_dlr *, const char *,
		    const char *, size_t, char **);
void		 chan_sms_dlr_clear(struct sms_dlr *);

/* inbound.c */
/* Texts sent back, at /sms/inbound. */
void		 inbound_routes(struct http *, struct convene_ctx *);

#endif
