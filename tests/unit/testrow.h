/*
 * testrow.h: a due row for the tests of messages, written as JSON by
 * name (a fixture reads best so) and handed over as the struct
 * outbox_row the store fills.  A name missing from the JSON is "" or 0,
 * as a NULL column is; "rrule" missing is NULL, no series.
 */
#ifndef CONVENE_TESTROW_H
#define CONVENE_TESTROW_H

#include <jansson.h>

#include "convene.h"
#include "util.h"

/* r's strings and notice arrays are j's: keep j while r is used. */
static void __attribute__((unused))
test_row(json_t *j, struct outbox_row *r)
{
	json_t	*v;

	memset(r, 0, sizeof *r);
	r->id = jint(j, "id");
	r->occurrence_id = jint(j, "occurrence_id");
	r->person_id = jint(j, "person_id");
	r->kind = jstr(j, "kind");
	r->lead = jstr(j, "lead");
	r->channel = jstr(j, "channel");
	r->sequence = (int)jint(j, "sequence");
	r->due_at = (time_t)jint(j, "due_at");
	r->attempts = (int)jint(j, "attempts");
	r->reason = jstr(j, "reason");
	r->person = jstr(j, "person");
	r->email = jstr(j, "email");
	r->phone = jstr(j, "phone");
	r->language = jstr(j, "language");
	r->style = jstr(j, "style");
	r->channels = jstr(j, "channels");
	v = json_object_get(j, "quiet_start");
	r->quiet_start = json_is_integer(v) ? (int)json_integer_value(v) : -1;
	v = json_object_get(j, "quiet_end");
	r->quiet_end = json_is_integer(v) ? (int)json_integer_value(v) : -1;
	r->email_bounce = jstr(j, "email_bounce");
	r->start_at = (time_t)jint(j, "start_at");
	r->end_at = (time_t)jint(j, "end_at");
	r->status = jstr(j, "status");
	r->occ_sequence = (int)jint(j, "occ_sequence");
	r->moved_from = (time_t)jint(j, "moved_from");
	r->occ_reason = jstr(j, "occ_reason");
	r->series_id = jint(j, "series_id");
	r->recurrence_id = jstr(j, "recurrence_id");
	r->series_sequence = (int)jint(j, "series_sequence");
	r->rrule = json_string_value(json_object_get(j, "rrule"));
	r->rdates = jstr(j, "rdates");
	r->title = jstr(j, "title");
	r->agenda = jstr(j, "agenda");
	r->group_slug = jstr(j, "group_slug");
	r->online_link = jstr(j, "online_link");
	r->group_name = jstr(j, "group_name");
	r->time_zone = jstr(j, "time_zone");
	r->contact = jstr(j, "contact");
	r->venue = jstr(j, "venue");
	r->address = jstr(j, "address");
	r->travel = jstr(j, "travel");
	r->step_free = (int)jint(j, "step_free");
	r->hearing_loop = (int)jint(j, "hearing_loop");
	r->accessible_toilet = (int)jint(j, "accessible_toilet");
	r->quiet_room = (int)jint(j, "quiet_room");
	r->answer = jstr(j, "answer");
	r->access_status = jstr(j, "access_status");
	r->need = jstr(j, "need");
	r->need_label = jstr(j, "need_label");
	r->note = jstr(j, "note");
	r->copy_of = jint(j, "copy_of");
	r->for_name = jstr(j, "for_name");
	v = json_object_get(j, "notice_series");
	r->notice_series = json_is_array(v) ? v : NULL;
	v = json_object_get(j, "notice_overrides");
	r->notice_overrides = json_is_array(v) ? v : NULL;
	v = json_object_get(j, "requests");
	r->requests = json_is_object(v) ? v : NULL;
	/* A digest's zone and group are its requests'. */
	if (r->requests != NULL && strcmp(r->kind, "digest") == 0) {
		r->time_zone = jstr(v, "time_zone");
		r->group_name = jstr(v, "group");
	}
}

#endif
