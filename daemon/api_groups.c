/*
 * api_groups.c: groups and their members under /api/v1/groups: a group's
 * name, time zone, lead times, whether its calendar feed is public and
 * what it pays (api_payments.c checks rates);
 * adding a member with a role (and, when asked, an invitation) and
 * taking one away.
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "convene.h"
#include "sched.h"
#include "util.h"
#include "api_int.h"

/* feed_public: true or false (or 1 or 0); *on stays -1 when absent. */
static int
api_feed_public(struct api_req *a, json_t *o, int *on)
{
	json_t	*v = json_object_get(o, "feed_public");

	*on = -1;
	if (v == NULL || json_is_null(v))
		return (0);
	if (json_is_boolean(v))
		*on = json_is_true(v);
	else if (json_is_integer(v) && (json_integer_value(v) == 0 ||
	    json_integer_value(v) == 1))
		*on = (int)json_integer_value(v);
	else {
		api_fail(a, 422, "feed_public: must be true or false");
		return (-1);
	}
	return (0);
}

/*
 * PATCH /groups/SLUG: whether its calendar feed is public, and what it
 * pays: payment_rate_pence, rates by role, pay_apologies.
 */
void
api_group_patch(struct api_req *a)
{
	json_t		*g = a->group;
	long long	 gid = json_integer_value(json_object_get(g, "id"));
	json_t		*body, *rates = NULL, *reply, *now;
	const char	*key;
	json_t		*v;
	char		*cause = NULL, *url;
	long long	 base;
	int		 on, pa;

	if ((body = api_body(a)) == NULL)
		return;
	if (json_object_size(body) == 1 &&
	    json_object_get(body, "report_members") != NULL) {
		api_group_report_members(a, body);
		goto out;
	}
	json_object_foreach(body, key, v) {
		if (strcmp(key, "feed_public") != 0 &&
		    strcmp(key, "payment_rate_pence") != 0 &&
		    strcmp(key, "rates") != 0 &&
		    strcmp(key, "pay_apologies") != 0) {
			api_fail(a, 422, "%s: only feed_public, "
			    "payment_rate_pence, rates and pay_apologies can "
			    "be changed here", key);
			goto out;
		}
	}
	if (api_feed_public(a, body, &on) != 0 ||
	    api_rates_parse(a, body, &base, &rates, &pa) != 0)
		goto out;
	if (on == -1 && base < 0 && rates == NULL && pa < 0) {
		api_fail(a, 422, "feed_public: this field is needed");
		goto out;
	}
	reply = json_pack("{s:s}", "slug", a->parts[1]);
	if (on != -1) {
		if (store_feed_public(a->ctx->store, gid, on, &cause) != 0) {
			json_decref(reply);
			api_refuse(a, 503, cause, "database");
			goto out;
		}
		api_audit(a, on ? "feed public" : "feed private", "group",
		    a->parts[1]);
		url = xprintf("%s/groups/%s.ics", a->ctx->conf->base_url,
		    a->parts[1]);
		json_object_set_new(reply, "feed_public", json_boolean(on));
		json_object_set_new(reply, "feed_url", json_string(url));
		free(url);
	}
	if (api_rates_apply(a, gid, base, rates, pa) != 0) {
		json_decref(reply);
		goto out;
	}
	if ((base >= 0 || rates != NULL || pa >= 0) &&
	    (now = store_rates_get(a->ctx->store, gid, NULL)) != NULL) {
		json_object_update(reply, now);
		json_decref(now);
	}
	api_reply(a, 200, reply);
out:
	json_decref(rates);
	json_decref(body);
}

/* Every group, or those a token limited to groups is for. */
void
api_groups_list(struct api_req *a)
{
	json_t	*row, *seen, *g;
	char	*cause = NULL;
	size_t	 i;

	if ((row = store_group_list(a->ctx->store, &cause)) == NULL)
		return (api_refuse(a, 503, cause, "database"));
	seen = json_array();
	json_array_foreach(row, i, g) {
		if (api_group_allowed(a, jint(g, "id")))
			json_array_append(seen, g);
	}
	json_decref(row);
	api_reply(a, 200, json_pack("{s:o}", "groups", seen));
}

void
api_groups_create(struct api_req *a)
{
	struct group_in	 g;
	json_t		*body, *row, *rates = NULL, *now;
	char		*cause = NULL, *leads = NULL;
	const char	*p;
	long long	 rate = 0, base;
	int		 public = -1, pa;

	/* A group it made would be one it could not see. */
	if (api_scoped(a))
		return (api_fail(a, 403, "a token for some groups cannot "
		    "make groups"));
	if ((body = api_body(a)) == NULL)
		return;
	memset(&g, 0, sizeof g);
	if (api_field(a, body, "slug", &g.slug, 1) != 0 ||
	    api_field(a, body, "name", &g.name, 1) != 0 ||
	    api_field(a, body, "time_zone", &g.time_zone, 0) != 0 ||
	    api_field(a, body, "lead_times", &g.lead_times, 0) != 0 ||
	    api_field(a, body, "contact", &g.contact, 0) != 0 ||
	    api_rates_parse(a, body, &base, &rates, &pa) != 0)
		goto out;
	if (base >= 0)
		rate = base;
	for (p = g.slug; *p != '\0'; p++) {
		if (!islower((unsigned char)*p) &&
		    !isdigit((unsigned char)*p) && *p != '-')
			break;
	}
	if (*p != '\0' || *g.slug == '\0' || strlen(g.slug) > 64) {
		api_fail(a, 422, "slug: use lower-case letters, digits and "
		    "hyphens, such as dp-steering");
		goto out;
	}
	if (!api_text_ok(a, "name", g.name, 200) ||
	    !api_text_ok(a, "contact", g.contact, 200))
		goto out;
	if (g.time_zone == NULL)
		g.time_zone = "Europe/London";
	if (sched_zone_valid(g.time_zone, &cause) != 0) {
		api_refuse(a, 422, cause, "time_zone");
		goto out;
	}
	if (g.lead_times == NULL)
		g.lead_times = "P7D,P1D";
	if (plan_leads_valid(g.lead_times, &leads, &cause) != 0) {
		api_refuse(a, 422, cause, "lead_times");
		goto out;
	}
	g.lead_times = leads;
	g.payment_rate_pence = rate;
	if (api_feed_public(a, body, &public) != 0)
		goto out;
	if ((row = store_group_create(a->ctx->store, &g, &cause)) == NULL) {
		api_refuse(a, 409, cause, "slug");
		goto out;
	}
	if (public == 1 && store_feed_public(a->ctx->store, json_integer_value(
	    json_object_get(row, "id")), 1, NULL) == 0)
		json_object_set_new(row, "feed_public", json_true());
	api_audit(a, "create", "group", g.slug);
	/* Rates by role and apologies: the group stands if these fail. */
	if ((rates != NULL || pa >= 0) && api_rates_apply(a, jint(row, "id"),
	    -1, rates, pa) != 0) {
		json_decref(row);
		goto out;
	}
	if ((now = store_rates_get(a->ctx->store, jint(row, "id"),
	    NULL)) != NULL) {
		json_object_update(row, now);
		json_decref(now);
	}
	api_reply(a, 201, row);
out:
	json_decref(rates);
	free(leads);
	json_decref(body);
}

void
api_group_delete(struct api_req *a)
{
	long long	 gid = json_integer_value(json_object_get(a->group,
			    "id"));
	char		*cause = NULL;
	json_t		*revoked, *name;
	size_t		 i;

	/* A token for this group alone goes with it (it would see all). */
	revoked = json_array();
	if (store_group_delete_scoped(a->ctx->store, gid, revoked,
	    &cause) != 0) {
		json_decref(revoked);
		return (api_refuse(a, 503, cause, "database"));
	}
	api_audit(a, "delete", "group", a->parts[1]);
	json_array_foreach(revoked, i, name)
		api_audit(a, "revoke", "token", json_string_value(name));
	api_reply(a, 200, json_pack("{s:s, s:o}", "deleted", a->parts[1],
	    "tokens_revoked", revoked));
}

void
api_group_get(struct api_req *a)
{
	json_t		*g = a->group;
	long long	 gid = json_integer_value(json_object_get(g, "id"));
	json_t		*members, *series, *pub;
	char		*cause = NULL;

	if ((pub = store_feed_group(a->ctx->store, a->parts[1],
	    NULL)) != NULL) {
		json_object_set_new(g, "feed_public", json_boolean(
		    json_integer_value(json_object_get(pub, "feed_public"))));
		json_decref(pub);
	}
	members = store_member_list(a->ctx->store, gid, &cause);
	series = store_series_list(a->ctx->store, gid, &cause);
	if (members == NULL || series == NULL) {
		json_decref(members);
		json_decref(series);
		return (api_refuse(a, 503, cause, "database"));
	}
	json_object_set_new(g, "members", members);
	json_object_set_new(g, "series", series);
	if ((pub = store_rates_get(a->ctx->store, gid, NULL)) != NULL) {
		json_object_update(g, pub);
		json_decref(pub);
	}
	api_reply(a, 200, json_incref(g));
}

const char *const api_roles[] = { "member", "co-chair",
	"buddy-chair", "coordinator", "observer", NULL };

void
api_member_remove(struct api_req *a)
{
	long long	 gid = json_integer_value(json_object_get(a->group,
			    "id"));
	long long	 pid = api_id(a->parts[3]);
	char		*cause = NULL, *detail;

	if (store_member_remove(a->ctx->store, gid, pid, &cause) != 0)
		return (api_refuse(a, 404, cause, "not a member"));
	detail = xprintf("%s: person %lld", a->parts[1], pid);
	api_audit(a, "remove", "membership", detail);
	free(detail);
	api_replan(a, gid, 0);
	api_kick(a);
	api_reply(a, 200, json_pack("{s:I}", "removed", (json_int_t)pid));
}

void
api_member_add(struct api_req *a)
{
	long long	 gid = json_integer_value(json_object_get(a->group,
			    "id"));
	long long	 pid = 0;
	json_t		*body = NULL, *person, *reply;
	const char	*role = NULL;
	const char *const *r;
	char		*cause = NULL, *detail;
	int		 invite;

	if ((body = api_body(a)) == NULL)
		return;
	if (api_int_field(a, body, "person", &pid, 1, LLONG_MAX) != 0 ||
	    api_field(a, body, "role", &role, 0) != 0 ||
	    api_bool(a, body, "invite", &invite) != 0)
		goto out;
	if (pid == 0) {
		api_fail(a, 422, "person: this field is needed");
		goto out;
	}
	if (role == NULL)
		role = "member";
	for (r = api_roles; *r != NULL && strcmp(*r, role) != 0; r++)
		;
	if (*r == NULL) {
		api_fail(a, 422, "role: one of member, co-chair, buddy-chair, "
		    "coordinator, observer");
		goto out;
	}
	if ((person = store_person_get(a->ctx->store, pid, &cause)) == NULL ||
	    !api_person_allowed(a, pid)) {
		json_decref(person);
		api_refuse(a, 404, cause, "person: no such person");
		goto out;
	}
	if (!json_is_null(json_object_get(person, "erased_at"))) {
		json_decref(person);
		api_fail(a, 422, "person: %lld was erased", pid);
		goto out;
	}
	json_decref(person);
	if (store_member_set(a->ctx->store, gid, pid, role, &cause) != 0) {
		api_refuse(a, 409, cause, "membership");
		goto out;
	}
	detail = xprintf("%s: person %lld as %s", a->parts[1], pid, role);
	api_audit(a, "add", "membership", detail);
	free(detail);
	api_replan(a, 0, pid);
	reply = json_pack("{s:I, s:s, s:i, s:i}", "person", (json_int_t)pid,
	    "role", role, "invited", 0, "invitations_waiting", 0);
	if (invite)
		api_invite(a, reply, gid, pid, 0);
	api_kick(a);
	api_reply(a, 201, reply);
out:
	json_decref(body);
}
