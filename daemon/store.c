/*
 * store.c: the SQLite database, the only module that holds a sqlite3 handle.
 *
 * The schema lives here and nowhere else: an ordered list of migrations
 * keyed by PRAGMA user_version, each run in one transaction at start-up.
 * Statements are prepared once at open and their parameters bound by name;
 * an unknown name is a bug.  Errors are returned with a cause, never fatal:
 * a daemon must be able to say what went wrong and go on.  A database that
 * cannot be written (a full disk, an I/O error, a read-only file) is one
 * episode: a warning when it starts, a line when it ends, and in between
 * store_failing says since when, for /healthz and for those who retry.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <sodium.h>

#include "convene.h"
#include "log.h"
#include "store_int.h"
#include "util.h"

/*
 * How long a connection waits for another's write lock.  The loop's waits
 * little once it serves (store_serving), so that a lock held elsewhere
 * (the sqlite3 shell, a backup) never holds every request: what wanted
 * to write is tried again on a timer, or refused with 503.  Start-up and
 * the checkpoint thread may wait.
 */
#define STORE_BUSY_MS		5000
#define STORE_LOOP_BUSY_MS	50
#define STORE_PEER_BUSY_MS	2000	/* a thread's, while someone waits */
#define STORE_COUNT_EVERY	5	/* seconds between outbox counts */

/* Migration N takes a database at version N-1 to version N. */
static const char *const store_migrations[] = {
	/* 1: groups, people, memberships and the audit log. */
	"CREATE TABLE groups ("
	"  id INTEGER PRIMARY KEY,"
	"  slug TEXT NOT NULL UNIQUE"
	"    CHECK (length(slug) BETWEEN 1 AND 64"
	"      AND slug NOT GLOB '*[^a-z0-9-]*'),"
	"  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),"
	"  time_zone TEXT NOT NULL DEFAULT 'Europe/London',"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE TABLE people ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),"
	"  email TEXT UNIQUE COLLATE NOCASE,"
	"  phone TEXT UNIQUE,"
	"  language TEXT NOT NULL DEFAULT 'en',"
	"  style TEXT NOT NULL DEFAULT 'standard'"
	"    CHECK (style IN ('standard', 'plain', 'large', 'easyread')),"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE TABLE memberships ("
	"  group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
	"  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
	"  role TEXT NOT NULL DEFAULT 'member'"
	"    CHECK (role IN ('member', 'co-chair', 'buddy-chair',"
	"      'coordinator', 'observer')),"
	"  joined_at INTEGER NOT NULL,"
	"  PRIMARY KEY (group_id, person_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX memberships_person ON memberships(person_id);"
	"CREATE TABLE audit_log ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  object TEXT,"
	"  detail TEXT"
	");"
	"CREATE INDEX audit_log_at ON audit_log(at);",

	/* 2: bearer tokens for the API, kept only as hashes. */
	"CREATE TABLE api_tokens ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  hash BLOB NOT NULL UNIQUE,"
	"  created_at INTEGER NOT NULL,"
	"  last_used_at INTEGER,"
	"  revoked_at INTEGER"
	");",

	/* 3: venues, series, occurrences, preferences and the outbox. */
	"ALTER TABLE groups ADD COLUMN lead_times TEXT NOT NULL"
	"  DEFAULT 'P7D,P1D';"
	"ALTER TABLE groups ADD COLUMN payment_rate_pence INTEGER NOT NULL"
	"  DEFAULT 0 CHECK (payment_rate_pence >= 0);"
	"ALTER TABLE groups ADD COLUMN contact TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE people ADD COLUMN channels TEXT NOT NULL"
	"  DEFAULT 'email';"
	"ALTER TABLE people ADD COLUMN lead_times TEXT;"
	"ALTER TABLE people ADD COLUMN quiet_start INTEGER"
	"  CHECK (quiet_start BETWEEN 0 AND 1439);"
	"ALTER TABLE people ADD COLUMN quiet_end INTEGER"
	"  CHECK (quiet_end BETWEEN 0 AND 1439);"
	"CREATE TABLE venues ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),"
	"  address TEXT NOT NULL DEFAULT '',"
	"  travel TEXT NOT NULL DEFAULT '',"
	"  online_link TEXT NOT NULL DEFAULT '',"
	"  step_free INTEGER NOT NULL DEFAULT 0,"
	"  hearing_loop INTEGER NOT NULL DEFAULT 0,"
	"  accessible_toilet INTEGER NOT NULL DEFAULT 0,"
	"  quiet_room INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE TABLE series ("
	"  id INTEGER PRIMARY KEY,"
	"  group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
	"  title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),"
	"  dtstart TEXT NOT NULL,"
	"  duration INTEGER NOT NULL CHECK (duration BETWEEN 60 AND 86400),"
	"  rrule TEXT NOT NULL DEFAULT '',"
	"  exdates TEXT NOT NULL DEFAULT '',"
	"  rdates TEXT NOT NULL DEFAULT '',"
	"  venue_id INTEGER REFERENCES venues(id) ON DELETE SET NULL,"
	"  online_link TEXT NOT NULL DEFAULT '',"
	"  agenda TEXT NOT NULL DEFAULT '',"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL"
	");"
	"CREATE INDEX series_group ON series(group_id);"
	"CREATE TABLE occurrences ("
	"  id INTEGER PRIMARY KEY,"
	"  series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,"
	"  recurrence_id TEXT NOT NULL,"
	"  start_at INTEGER NOT NULL,"
	"  end_at INTEGER NOT NULL,"
	"  venue_id INTEGER REFERENCES venues(id) ON DELETE SET NULL,"
	"  status TEXT NOT NULL DEFAULT 'scheduled'"
	"    CHECK (status IN ('scheduled', 'moved', 'cancelled', 'removed')),"
	"  moved_from INTEGER,"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  sequence INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (series_id, recurrence_id)"
	");"
	"CREATE INDEX occurrences_start ON occurrences(start_at);"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  occurrence_id INTEGER REFERENCES occurrences(id) ON DELETE CASCADE,"
	"  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('reminder', 'update',"
	"    'cancellation', 'test')),"
	"  lead TEXT NOT NULL DEFAULT '',"
	"  channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),"
	"  sequence INTEGER NOT NULL DEFAULT 0,"
	"  due_at INTEGER NOT NULL,"
	"  next_at INTEGER NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending'"
	"    CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'dead',"
	"      'skipped', 'missed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  late INTEGER NOT NULL DEFAULT 0,"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  provider_id TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  sent_at INTEGER,"
	"  UNIQUE (occurrence_id, person_id, kind, lead, channel, sequence)"
	");"
	"CREATE INDEX outbox_next ON outbox(next_at) WHERE state = 'pending';"
	"CREATE INDEX outbox_sending ON outbox(state) WHERE state = 'sending';"
	"CREATE INDEX outbox_person ON outbox(person_id);",

	/*
	 * 4: calendar feeds (a person's secret token, a group's public
	 * feed, a series' SEQUENCE), more kinds of message, and what the
	 * SMS gateway reports after it accepted a message.  SQLite cannot
	 * widen a CHECK in place, so the outbox is rebuilt.
	 */
	"ALTER TABLE people ADD COLUMN feed_token TEXT;"
	"CREATE UNIQUE INDEX people_feed_token ON people(feed_token)"
	"  WHERE feed_token IS NOT NULL;"
	"ALTER TABLE groups ADD COLUMN feed_public INTEGER NOT NULL"
	"  DEFAULT 0 CHECK (feed_public IN (0, 1));"
	"ALTER TABLE series ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE outbox_new ("
	"  id INTEGER PRIMARY KEY,"
	"  occurrence_id INTEGER REFERENCES occurrences(id) ON DELETE CASCADE,"
	"  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('reminder', 'invitation',"
	"    'update', 'cancellation', 'rsvp', 'access', 'test')),"
	"  lead TEXT NOT NULL DEFAULT '',"
	"  channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),"
	"  sequence INTEGER NOT NULL DEFAULT 0,"
	"  due_at INTEGER NOT NULL,"
	"  next_at INTEGER NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending'"
	"    CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'dead',"
	"      'skipped', 'missed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  late INTEGER NOT NULL DEFAULT 0,"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  provider_id TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  sent_at INTEGER,"
	"  delivery TEXT NOT NULL DEFAULT '',"
	"  delivered_at INTEGER,"
	"  UNIQUE (occurrence_id, person_id, kind, lead, channel, sequence)"
	");"
	"INSERT INTO outbox_new (id, occurrence_id, person_id, kind, lead,"
	"  channel, sequence, due_at, next_at, state, attempts, late, reason,"
	"  provider_id, created_at, updated_at, sent_at)"
	"  SELECT id, occurrence_id, person_id, kind, lead, channel, sequence,"
	"  due_at, next_at, state, attempts, late, reason, provider_id,"
	"  created_at, updated_at, sent_at FROM outbox;"
	"DROP TABLE outbox;"
	"ALTER TABLE outbox_new RENAME TO outbox;"
	"CREATE INDEX outbox_next ON outbox(next_at) WHERE state = 'pending';"
	"CREATE INDEX outbox_sending ON outbox(state) WHERE state = 'sending';"
	"CREATE INDEX outbox_person ON outbox(person_id);",

	/*
	 * 5: invitations asked for and not yet sent: the first meeting of
	 * the series is beyond the planning horizon, so there is nothing to
	 * invite to until the planner reaches it.
	 */
	"CREATE TABLE invitations_asked ("
	"  series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,"
	"  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
	"  asked_at INTEGER NOT NULL,"
	"  PRIMARY KEY (series_id, person_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX invitations_asked_person"
	"  ON invitations_asked(person_id);",

	/*
	 * 6: what names this installation whatever its configuration says:
	 * a random id in every Message-ID, the domain of every iCalendar
	 * UID (set once, at the first start); and an email address that
	 * bounced, so later messages go another way until it is changed.
	 */
	"CREATE TABLE installation ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  install_id TEXT NOT NULL"
	"    CHECK (length(install_id) = 32"
	"      AND install_id NOT GLOB '*[^0-9a-f]*'),"
	"  uid_domain TEXT CHECK (length(uid_domain) BETWEEN 1 AND 255),"
	"  created_at INTEGER NOT NULL"
	");"
	"ALTER TABLE people ADD COLUMN email_bounce TEXT;"
	"ALTER TABLE people ADD COLUMN email_bounced_at INTEGER;",

	/*
	 * 7: answers to meetings (yes, maybe, no), every one kept with its
	 * time and channel, the latest counting.  A ref, such as an SMS
	 * gateway's message id, is recorded once.  A moved meeting keeps
	 * its row and so its answers; occurrence rows go only with their
	 * series, and the answers with them.
	 */
	"CREATE TABLE answers ("
	"  id INTEGER PRIMARY KEY,"
	"  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
	"  occurrence_id INTEGER NOT NULL"
	"    REFERENCES occurrences(id) ON DELETE CASCADE,"
	"  answer TEXT NOT NULL CHECK (answer IN ('yes', 'maybe', 'no')),"
	"  note TEXT CHECK (length(note) <= 1000),"
	"  channel TEXT NOT NULL"
	"    CHECK (channel IN ('link', 'sms', 'mail', 'api')),"
	"  ref TEXT UNIQUE CHECK (length(ref) BETWEEN 1 AND 200),"
	"  at INTEGER NOT NULL"
	");"
	"CREATE INDEX answers_occurrence"
	"  ON answers(occurrence_id, person_id, at);"
	"CREATE INDEX answers_person ON answers(person_id);",

	/*
	 * 8: texts convene sends back to a member who texted it (which
	 * meeting did you mean, STOP and START done, HELP): a kind of
	 * message of their own, so the outbox is rebuilt to widen its CHECK.
	 * The gateway's id of every text handled, so that one sent again
	 * (a retry, a replay) is handled once.
	 */
	"CREATE TABLE texts_seen ("
	"  ref TEXT PRIMARY KEY CHECK (length(ref) BETWEEN 1 AND 200),"
	"  at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE outbox_new ("
	"  id INTEGER PRIMARY KEY,"
	"  occurrence_id INTEGER REFERENCES occurrences(id) ON DELETE CASCADE,"
	"  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('reminder', 'invitation',"
	"    'update', 'cancellation', 'rsvp', 'access', 'reply', 'test')),"
	"  lead TEXT NOT NULL DEFAULT '',"
	"  channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),"
	"  sequence INTEGER NOT NULL DEFAULT 0,"
	"  due_at INTEGER NOT NULL,"
	"  next_at INTEGER NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending'"
	"    CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'dead',"
	"      'skipped', 'missed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  late INTEGER NOT NULL DEFAULT 0,"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  provider_id TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  sent_at INTEGER,"
	"  delivery TEXT NOT NULL DEFAULT '',"
	"  delivered_at INTEGER,"
	"  UNIQUE (occurrence_id, person_id, kind, lead, channel, sequence)"
	");"
	"INSERT INTO outbox_new SELECT id, occurrence_id, person_id, kind,"
	"  lead, channel, sequence, due_at, next_at, state, attempts, late,"
	"  reason, provider_id, created_at, updated_at, sent_at, delivery,"
	"  delivered_at FROM outbox;"
	"DROP TABLE outbox;"
	"ALTER TABLE outbox_new RENAME TO outbox;"
	"CREATE INDEX outbox_next ON outbox(next_at) WHERE state = 'pending';"
	"CREATE INDEX outbox_sending ON outbox(state) WHERE state = 'sending';"
	"CREATE INDEX outbox_person ON outbox(person_id);",

	/*
	 * 9: what members need to take part.  A standing need is carried
	 * to every meeting its member says yes or maybe to; a request is
	 * one need at one meeting, with its booking deadline (the start
	 * less the need's lead days) and every state it took.  A supporter
	 * or personal assistant is linked to a member with the member's
	 * consent.  An API token may be limited to some groups.  An erased
	 * person keeps a row with nothing in it, so that counts stay.  The
	 * outbox gains the nudge to answer and the notices to coordinators.
	 */
	"CREATE TABLE needs_standing ("
	"  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
	"  need TEXT NOT NULL CHECK (length(need) BETWEEN 1 AND 32),"
	"  detail TEXT NOT NULL DEFAULT '' CHECK (length(detail) <= 500),"
	"  set_by TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  PRIMARY KEY (person_id, need)"
	") WITHOUT ROWID;"
	"CREATE TABLE access_requests ("
	"  id INTEGER PRIMARY KEY,"
	"  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
	"  occurrence_id INTEGER NOT NULL"
	"    REFERENCES occurrences(id) ON DELETE CASCADE,"
	"  need TEXT NOT NULL CHECK (length(need) BETWEEN 1 AND 32),"
	"  detail TEXT NOT NULL DEFAULT '' CHECK (length(detail) <= 500),"
	"  state TEXT NOT NULL DEFAULT 'requested'"
	"    CHECK (state IN ('requested', 'arranged', 'unable', 'withdrawn')),"
	"  reason TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 500),"
	"  standing INTEGER NOT NULL DEFAULT 0 CHECK (standing IN (0, 1)),"
	"  deadline_at INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  UNIQUE (occurrence_id, person_id, need)"
	");"
	"CREATE INDEX access_requests_open ON access_requests(deadline_at)"
	"  WHERE state = 'requested';"
	"CREATE INDEX access_requests_person ON access_requests(person_id);"
	"CREATE TABLE access_events ("
	"  id INTEGER PRIMARY KEY,"
	"  request_id INTEGER NOT NULL"
	"    REFERENCES access_requests(id) ON DELETE CASCADE,"
	"  at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  state TEXT NOT NULL"
	"    CHECK (state IN ('requested', 'arranged', 'unable', 'withdrawn')),"
	"  reason TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 500)"
	");"
	"CREATE INDEX access_events_request ON access_events(request_id);"
	"CREATE TABLE supporters ("
	"  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
	"  supporter_id INTEGER NOT NULL"
	"    REFERENCES people(id) ON DELETE CASCADE,"
	"  role TEXT NOT NULL DEFAULT 'supporter'"
	"    CHECK (role IN ('personal-assistant', 'supporter')),"
	"  copy_reminders INTEGER NOT NULL DEFAULT 0"
	"    CHECK (copy_reminders IN (0, 1)),"
	"  consent_at INTEGER NOT NULL,"
	"  consent_by TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (person_id, supporter_id),"
	"  CHECK (person_id <> supporter_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX supporters_supporter ON supporters(supporter_id);"
	"CREATE TABLE api_token_groups ("
	"  token_id INTEGER NOT NULL"
	"    REFERENCES api_tokens(id) ON DELETE CASCADE,"
	"  group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
	"  PRIMARY KEY (token_id, group_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX api_token_groups_group ON api_token_groups(group_id);"
	"ALTER TABLE people ADD COLUMN erased_at INTEGER;"
	"CREATE TABLE outbox_new ("
	"  id INTEGER PRIMARY KEY,"
	"  occurrence_id INTEGER REFERENCES occurrences(id) ON DELETE CASCADE,"
	"  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('reminder', 'invitation',"
	"    'update', 'cancellation', 'rsvp', 'access', 'reply', 'nudge',"
	"    'digest', 'alert', 'flag', 'test')),"
	"  lead TEXT NOT NULL DEFAULT '',"
	"  channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),"
	"  sequence INTEGER NOT NULL DEFAULT 0,"
	"  due_at INTEGER NOT NULL,"
	"  next_at INTEGER NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending'"
	"    CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'dead',"
	"      'skipped', 'missed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  late INTEGER NOT NULL DEFAULT 0,"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  provider_id TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  sent_at INTEGER,"
	"  delivery TEXT NOT NULL DEFAULT '',"
	"  delivered_at INTEGER,"
	"  UNIQUE (occurrence_id, person_id, kind, lead, channel, sequence)"
	");"
	"INSERT INTO outbox_new SELECT id, occurrence_id, person_id, kind,"
	"  lead, channel, sequence, due_at, next_at, state, attempts, late,"
	"  reason, provider_id, created_at, updated_at, sent_at, delivery,"
	"  delivered_at FROM outbox;"
	"DROP TABLE outbox;"
	"ALTER TABLE outbox_new RENAME TO outbox;"
	"CREATE INDEX outbox_next ON outbox(next_at) WHERE state = 'pending';"
	"CREATE INDEX outbox_sending ON outbox(state) WHERE state = 'sending';"
	"CREATE INDEX outbox_person ON outbox(person_id);",

	/*
	 * 10: the free text the retention pass clears, indexed alone, so
	 * that an hourly pass with nothing to clear reads nothing rather
	 * than every answer and request ever kept.
	 */
	"CREATE INDEX answers_noted ON answers(occurrence_id)"
	"  WHERE note IS NOT NULL;"
	"CREATE INDEX access_requests_texted ON access_requests(occurrence_id)"
	"  WHERE detail != '' OR reason != '';"
	"CREATE INDEX access_events_reasoned ON access_events(request_id)"
	"  WHERE reason != '';",

	/*
	 * 11: who took part, and what they are paid for it.  Attendance is
	 * one row a person a meeting (the role they had then, and for a
	 * supporter the member they came with); a payment is owed by it at
	 * the rate of the day, kept in pence, and marked paid with the
	 * date.  A group may pay a role at its own rate and may pay for
	 * apologies; it may let its members read its engagement report.
	 * A message keeps the style and language it was sent in, for the
	 * report to count how the group reaches people.
	 */
	"CREATE TABLE attendance ("
	"  occurrence_id INTEGER NOT NULL"
	"    REFERENCES occurrences(id) ON DELETE CASCADE,"
	"  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
	"  status TEXT NOT NULL"
	"    CHECK (status IN ('attended', 'apologies', 'absent')),"
	"  reason TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 500),"
	"  role TEXT NOT NULL DEFAULT 'member'"
	"    CHECK (role IN ('member', 'co-chair', 'buddy-chair',"
	"      'coordinator', 'observer', 'supporter')),"
	"  supporting INTEGER REFERENCES people(id) ON DELETE SET NULL,"
	"  recorded_by TEXT NOT NULL,"
	"  recorded_at INTEGER NOT NULL,"
	"  PRIMARY KEY (occurrence_id, person_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX attendance_person ON attendance(person_id);"
	"CREATE TABLE group_rates ("
	"  group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
	"  role TEXT NOT NULL"
	"    CHECK (role IN ('member', 'co-chair', 'buddy-chair',"
	"      'coordinator', 'observer', 'supporter')),"
	"  rate_pence INTEGER NOT NULL CHECK (rate_pence >= 0),"
	"  PRIMARY KEY (group_id, role)"
	") WITHOUT ROWID;"
	"ALTER TABLE groups ADD COLUMN pay_apologies INTEGER NOT NULL"
	"  DEFAULT 0 CHECK (pay_apologies IN (0, 1));"
	"ALTER TABLE groups ADD COLUMN report_members INTEGER NOT NULL"
	"  DEFAULT 0 CHECK (report_members IN (0, 1));"
	"CREATE TABLE payments ("
	"  id INTEGER PRIMARY KEY,"
	"  occurrence_id INTEGER NOT NULL"
	"    REFERENCES occurrences(id) ON DELETE CASCADE,"
	"  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
	"  role TEXT NOT NULL,"
	"  amount_pence INTEGER NOT NULL CHECK (amount_pence >= 0),"
	"  owed_at INTEGER NOT NULL,"
	"  paid_on TEXT CHECK (paid_on IS NULL OR paid_on GLOB"
	"    '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),"
	"  paid_by TEXT,"
	"  UNIQUE (occurrence_id, person_id)"
	");"
	"CREATE INDEX payments_person ON payments(person_id);"
	"ALTER TABLE outbox ADD COLUMN style TEXT;"
	"ALTER TABLE outbox ADD COLUMN language TEXT;",

	/*
	 * 12: CHECK constraints that list three or more values, as
	 * "state IN ('a', 'b', 'c')", made "(state = 'a' OR state = 'b' OR
	 * state = 'c')": the same test, but SQLite builds a temporary
	 * table for such a list at every row written, which was half of
	 * the cost of recording an answer.  The rows on disk do not
	 * change, so the tables' text is edited in place, as SQLite's
	 * documentation allows for constraints (store_migrate then moves
	 * the schema cookie on, so that every connection reads it again).
	 * Lists written from here on use OR.
	 */
	"PRAGMA writable_schema = ON;"
	"UPDATE sqlite_schema SET sql = replace(sql, 'style IN "
	"(''standard'', ''plain'', ''large'', ''easyread'')', '(style = "
	"''standard'' OR style = ''plain'' OR style = ''large'' OR style = "
	"''easyread'')') WHERE type = 'table' AND name = 'people';"
	"UPDATE sqlite_schema SET sql = replace(sql, 'role IN (''member'', "
	"''co-chair'', ''buddy-chair'',      ''coordinator'', "
	"''observer'')', '(role = ''member'' OR role = ''co-chair'' OR "
	"role = ''buddy-chair'' OR role = ''coordinator'' OR role = "
	"''observer'')') WHERE type = 'table' AND name = 'memberships';"
	"UPDATE sqlite_schema SET sql = replace(sql, 'status IN "
	"(''scheduled'', ''moved'', ''cancelled'', ''removed'')', '(status "
	"= ''scheduled'' OR status = ''moved'' OR status = ''cancelled'' "
	"OR status = ''removed'')') WHERE type = 'table' AND name = "
	"'occurrences';"
	"UPDATE sqlite_schema SET sql = replace(sql, 'answer IN (''yes'', "
	"''maybe'', ''no'')', '(answer = ''yes'' OR answer = ''maybe'' OR "
	"answer = ''no'')') WHERE type = 'table' AND name = 'answers';"
	"UPDATE sqlite_schema SET sql = replace(sql, 'channel IN "
	"(''link'', ''sms'', ''mail'', ''api'')', '(channel = ''link'' OR "
	"channel = ''sms'' OR channel = ''mail'' OR channel = ''api'')') "
	"WHERE type = 'table' AND name = 'answers';"
	"UPDATE sqlite_schema SET sql = replace(sql, 'state IN "
	"(''requested'', ''arranged'', ''unable'', ''withdrawn'')', "
	"'(state = ''requested'' OR state = ''arranged'' OR state = "
	"''unable'' OR state = ''withdrawn'')') WHERE type = 'table' AND "
	"name = 'access_requests';"
	"UPDATE sqlite_schema SET sql = replace(sql, 'state IN "
	"(''requested'', ''arranged'', ''unable'', ''withdrawn'')', "
	"'(state = ''requested'' OR state = ''arranged'' OR state = "
	"''unable'' OR state = ''withdrawn'')') WHERE type = 'table' AND "
	"name = 'access_events';"
	"UPDATE sqlite_schema SET sql = replace(sql, 'kind IN "
	"(''reminder'', ''invitation'',    ''update'', ''cancellation'', "
	"''rsvp'', ''access'', ''reply'', ''nudge'',    ''digest'', "
	"''alert'', ''flag'', ''test'')', '(kind = ''reminder'' OR kind = "
	"''invitation'' OR kind = ''update'' OR kind = ''cancellation'' OR "
	"kind = ''rsvp'' OR kind = ''access'' OR kind = ''reply'' OR kind "
	"= ''nudge'' OR kind = ''digest'' OR kind = ''alert'' OR kind = "
	"''flag'' OR kind = ''test'')') WHERE type = 'table' AND name = "
	"'outbox';"
	"UPDATE sqlite_schema SET sql = replace(sql, 'state IN "
	"(''pending'', ''sending'', ''sent'', ''failed'', ''dead'',      "
	"''skipped'', ''missed'')', '(state = ''pending'' OR state = "
	"''sending'' OR state = ''sent'' OR state = ''failed'' OR state = "
	"''dead'' OR state = ''skipped'' OR state = ''missed'')') WHERE "
	"type = 'table' AND name = 'outbox';"
	"UPDATE sqlite_schema SET sql = replace(sql, 'status IN "
	"(''attended'', ''apologies'', ''absent'')', '(status = "
	"''attended'' OR status = ''apologies'' OR status = ''absent'')') "
	"WHERE type = 'table' AND name = 'attendance';"
	"UPDATE sqlite_schema SET sql = replace(sql, 'role IN (''member'', "
	"''co-chair'', ''buddy-chair'',      ''coordinator'', "
	"''observer'', ''supporter'')', '(role = ''member'' OR role = "
	"''co-chair'' OR role = ''buddy-chair'' OR role = ''coordinator'' "
	"OR role = ''observer'' OR role = ''supporter'')') WHERE type = "
	"'table' AND name = 'attendance';"
	"UPDATE sqlite_schema SET sql = replace(sql, 'role IN (''member'', "
	"''co-chair'', ''buddy-chair'',      ''coordinator'', "
	"''observer'', ''supporter'')', '(role = ''member'' OR role = "
	"''co-chair'' OR role = ''buddy-chair'' OR role = ''coordinator'' "
	"OR role = ''observer'' OR role = ''supporter'')') WHERE type = "
	"'table' AND name = 'group_rates';"
	"PRAGMA writable_schema = OFF;",
};

#define STORE_NMIGRATIONS \
	(int)(sizeof store_migrations / sizeof store_migrations[0])
_Static_assert(sizeof store_migrations / sizeof store_migrations[0] ==
    STORE_SCHEMA_VERSION, "STORE_SCHEMA_VERSION: the last migration");

static const char *const store_sql_core[] = {
	[STMT_AUDIT] = ("INSERT INTO audit_log (at, actor, action, object, "
	    "detail) VALUES (:at, :actor, :action, :object, :detail)"),
	[STMT_COUNT_GROUPS] = "SELECT count(*) FROM groups",
	[STMT_COUNT_PEOPLE] = "SELECT count(*) FROM people",
	[STMT_COUNT_MEMBERSHIPS] = "SELECT count(*) FROM memberships",
	[STMT_BEGIN] = "BEGIN IMMEDIATE",
	[STMT_COMMIT] = "COMMIT",
	[STMT_ROLLBACK] = "ROLLBACK",
	[STMT_SAVEPOINT] = "SAVEPOINT nest",
	[STMT_RELEASE] = "RELEASE nest",
	[STMT_ROLLBACK_TO] = "ROLLBACK TO nest",
};

static void	store_checkpointer_start(struct store *);

static int
store_pragma_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return (-1);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return (rc == SQLITE_ROW ? 0 : -1);
}

static int
store_exec(sqlite3 *db, const char *sql, const char *what, char **cause)
{
	char	*err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		cause_set(cause, "%s: %s", what,
		    err ? err : sqlite3_errmsg(db));
		sqlite3_free(err);
		return (-1);
	}
	return (0);
}

/*
 * The database holds personal data: made 0600 whatever the umask, and it,
 * its write-ahead log and shared memory file (which SQLite creates with
 * the database's mode) tightened to 0600 when they were looser.
 */
static int
store_protect(const char *path, char **cause)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	struct stat	 sb;
	char		*file;
	size_t		 i;
	int		 fd;

	if (*path == ':' || strncmp(path, "file:", 5) == 0)
		return (0);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1) {
		cause_set(cause, "%s: %s", path, strerror(errno));
		return (-1);
	}
	close(fd);
	for (i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		file = xprintf("%s%s", path, suffix[i]);
		if (stat(file, &sb) == 0 && (sb.st_mode & 077) != 0 &&
		    chmod(file, sb.st_mode & 0700) == -1) {
			cause_set(cause, "%s: %s", file, strerror(errno));
			free(file);
			return (-1);
		}
		free(file);
	}
	return (0);
}

/*
 * Open the file with the settings every connection of ours must have.
 * The first connection protects the files; another must not touch them
 * itself: closing a descriptor of the file would drop the locks SQLite
 * holds on it for the first, in this process.
 */
static sqlite3 *
store_connect(const char *path, int first, char **cause)
{
	sqlite3		*db = NULL;
	sqlite3_stmt	*st = NULL;
	const char	*mode;
	int		 rc;

	if (first && store_protect(path, cause) != 0)
		return (NULL);
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		cause_set(cause, "%s: cannot open: %s", path,
		    db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, STORE_BUSY_MS);
	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st,
	    NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		cause_set(cause, "%s: %s", path, sqlite3_errmsg(db));
		goto fail;
	}
	mode = (const char *)sqlite3_column_text(st, 0);
	if (mode == NULL || strcmp(mode, "wal") != 0) {
		cause_set(cause, "%s: cannot use write-ahead logging (journal "
		    "mode is %s)", path, mode ? mode : "unknown");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	/*
	 * A 64 MiB page cache: planning large groups touches big indexes.
	 * What is deleted or overwritten is zeroed, not left in free space,
	 * so that an erased person's details are gone from the file.
	 */
	if (store_exec(db, "PRAGMA foreign_keys = ON;"
	    "PRAGMA cache_size = -65536;"
	    "PRAGMA secure_delete = ON;"
	    "PRAGMA synchronous = FULL;", path, cause) != 0)
		goto fail;
	return (db);
fail:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return (NULL);
}

/*
 * After a migration that edited sqlite_schema itself: the schema cookie
 * one on, so that every connection, this one too, parses it again.
 */
static int
store_schema_bump(sqlite3 *db, const char *path, char **cause)
{
	char	*sql;
	int	 v, rc;

	if (store_pragma_int(db, "PRAGMA schema_version", &v) != 0) {
		cause_set(cause, "%s: %s", path, sqlite3_errmsg(db));
		return (-1);
	}
	sql = xprintf("PRAGMA schema_version = %d", v + 1);
	rc = store_exec(db, sql, path, cause);
	free(sql);
	return (rc);
}

/* Take the database from its version to target, one transaction a step. */
static int
store_migrate(sqlite3 *db, const char *path, int target, char **cause)
{
	int	version, appid, ntables, i;
	char	*sql;

	for (;;) {
		if (store_exec(db, "BEGIN IMMEDIATE", path, cause) != 0)
			return (-1);
		if (store_pragma_int(db, "PRAGMA user_version",
		    &version) != 0 ||
		    store_pragma_int(db, "PRAGMA application_id",
		    &appid) != 0 ||
		    store_pragma_int(db, "SELECT count(*) FROM sqlite_schema",
		    &ntables) != 0) {
			cause_set(cause, "%s: %s", path, sqlite3_errmsg(db));
			goto fail;
		}
		if (appid != CONVENE_APPLICATION_ID &&
		    (appid != 0 || ntables != 0)) {
			cause_set(cause, "%s is not a convene database "
			    "(application_id %d)", path, appid);
			goto fail;
		}
		if (version > STORE_NMIGRATIONS) {
			cause_set(cause, "%s has schema version %d, newer than "
			    "this convened knows (%d): run a newer convened, "
			    "or restore a backup", path, version,
			    STORE_NMIGRATIONS);
			goto fail;
		}
		if (version >= target) {
			store_exec(db, "COMMIT", path, NULL);
			return (0);
		}
		i = version + 1;
		log_info("migrating %s to schema version %d", path, i);
		if (store_exec(db, store_migrations[i - 1], path, cause) != 0)
			goto fail;
		if (strstr(store_migrations[i - 1], "writable_schema") !=
		    NULL && store_schema_bump(db, path, cause) != 0)
			goto fail;
		sql = xprintf("PRAGMA application_id = %d; "
		    "PRAGMA user_version = %d;", CONVENE_APPLICATION_ID, i);
		if (store_exec(db, sql, path, cause) != 0) {
			free(sql);
			goto fail;
		}
		free(sql);
		if (store_exec(db, "COMMIT", path, cause) != 0)
			goto fail;
	}
fail:
	if (!sqlite3_get_autocommit(db))
		store_exec(db, "ROLLBACK", path, NULL);
	return (-1);
}

/* Make a database at an older schema version: for upgrade tests. */
int
store_create_at(const char *path, int version, char **cause)
{
	sqlite3	*db;
	int	 rc;

	if (version < 0 || version > STORE_NMIGRATIONS) {
		cause_set(cause, "no schema version %d", version);
		return (-1);
	}
	if ((db = store_connect(path, 1, cause)) == NULL)
		return (-1);
	rc = store_migrate(db, path, version, cause);
	sqlite3_close(db);
	return (rc);
}

/*
 * This database's installation id, made the first time it is opened:
 * 128 random bits, so two databases never name their messages alike.
 */
static int
store_installation_load(struct store *st, char **cause)
{
	unsigned char	 raw[STORE_INSTALL_LEN / 2];
	char		 hex[STORE_INSTALL_LEN + 1];
	sqlite3_stmt	*stmt = NULL;
	const char	*v;

	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
	if (sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO installation "
	    "(id, install_id, created_at) VALUES (1, ?1, ?2)", -1, &stmt,
	    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(stmt, 1, hex, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 2, (long long)clock_now());
	if (sqlite3_step(stmt) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(stmt);
	if (sqlite3_prepare_v2(st->db, "SELECT install_id FROM installation "
	    "WHERE id = 1", -1, &stmt, NULL) != SQLITE_OK ||
	    sqlite3_step(stmt) != SQLITE_ROW)
		goto fail;
	v = (const char *)sqlite3_column_text(stmt, 0);
	if (v == NULL || strlen(v) != STORE_INSTALL_LEN) {
		cause_set(cause, "%s: the installation id is damaged",
		    st->path);
		sqlite3_finalize(stmt);
		return (-1);
	}
	memcpy(st->install_id, v, STORE_INSTALL_LEN + 1);
	sqlite3_finalize(stmt);
	return (0);
fail:
	cause_set(cause, "%s: installation: %s", st->path,
	    sqlite3_errmsg(st->db));
	sqlite3_finalize(stmt);
	return (-1);
}

/* The installation id: 32 hexadecimal digits. */
const char *
store_installation(struct store *st)
{
	return (st->install_id);
}

/*
 * The domain of every iCalendar UID, chosen once and kept whatever
 * base_url later says: a calendar that saw "series-1@old" must go on
 * seeing it.  A database that already has series was naming them after
 * host (base_url's); a new one is named after the installation, and the
 * host when it is a name (not an address).
 */
char *
store_uid_domain(struct store *st, const char *host, char **cause)
{
	sqlite3_stmt	*stmt = NULL;
	const char	*v;
	char		*domain = NULL, *made = NULL;
	int		 has_series;

	if (host == NULL || *host == '\0')
		host = "convene.invalid";
	if (store_begin(st) != 0) {
		store_cause(st, cause, NULL);
		return (NULL);
	}
	if (sqlite3_prepare_v2(st->db, "SELECT uid_domain, EXISTS (SELECT 1 "
	    "FROM series) FROM installation WHERE id = 1", -1, &stmt,
	    NULL) != SQLITE_OK || sqlite3_step(stmt) != SQLITE_ROW)
		goto fail;
	if ((v = (const char *)sqlite3_column_text(stmt, 0)) != NULL) {
		domain = xstrdup(v);
		sqlite3_finalize(stmt);
		store_end(st, 1);
		return (domain);
	}
	has_series = sqlite3_column_int(stmt, 1);
	sqlite3_finalize(stmt);
	if (has_series)
		made = xstrdup(host);
	else if (host[strspn(host, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")] != '\0' ||
	    strpbrk(host, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == NULL)
		made = xprintf("%s.convene.invalid", st->install_id);
	else
		made = xprintf("%s.%s", st->install_id, host);
	if (sqlite3_prepare_v2(st->db, "UPDATE installation SET uid_domain "
	    "= ?1 WHERE id = 1", -1, &stmt, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(stmt, 1, made, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(stmt);
	stmt = NULL;
	if (store_end(st, 1) != 0)
		goto fail;
	log_info("calendar UIDs are named after %s from now on", made);
	return (made);
fail:
	cause_set(cause, "%s: installation: %s", st->path,
	    sqlite3_errmsg(st->db));
	sqlite3_finalize(stmt);
	if (st->depth > 0)
		store_end(st, 0);
	free(made);
	return (NULL);
}

struct store *
store_open(const char *path, char **cause)
{
	struct store	*st;

	st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	if ((st->db = store_connect(path, 1, cause)) == NULL)
		goto fail;
	if (store_migrate(st->db, path, STORE_NMIGRATIONS, cause) != 0)
		goto fail;
	if (store_pragma_int(st->db, "PRAGMA user_version",
	    &st->version) != 0) {
		cause_set(cause, "%s: %s", path, sqlite3_errmsg(st->db));
		goto fail;
	}
	if (store_installation_load(st, cause) != 0)
		goto fail;
	store_feed_watch(st);
	store_checkpointer_start(st);
	return (st);
fail:
	store_close(st);
	return (NULL);
}

/*
 * A second connection to a database store_open has opened (and brought
 * up to date), for a thread of its own: no checkpoints (the loop's
 * store has a thread for them) and no hook; the install id as the
 * loop's.
 */
struct store *
store_open_peer(const struct store *main, char **cause)
{
	struct store	*st;

	st = xcalloc(1, sizeof *st);
	st->path = xstrdup(main->path);
	if ((st->db = store_connect(st->path, 0, cause)) == NULL) {
		store_close(st);
		return (NULL);
	}
	sqlite3_wal_autocheckpoint(st->db, 0);
	sqlite3_busy_timeout(st->db, STORE_PEER_BUSY_MS);
	st->peer = 1;
	st->version = main->version;
	memcpy(st->install_id, main->install_id, sizeof st->install_id);
	return (st);
}

/*
 * Count the outbox by state on the thread's own connection: a scan of
 * every row, which /metrics must not make on the loop.
 */
static void
store_count_states(struct store *st, sqlite3 *db)
{
	sqlite3_stmt	*stmt;
	json_t		*counts;

	if (sqlite3_prepare_v2(db, "SELECT state, count(*) FROM outbox "
	    "GROUP BY state ORDER BY state", -1, &stmt, NULL) != SQLITE_OK)
		return;
	counts = json_object();
	while (sqlite3_step(stmt) == SQLITE_ROW)
		json_object_set_new(counts, (const char *)sqlite3_column_text(
		    stmt, 0), json_integer(sqlite3_column_int64(stmt, 1)));
	sqlite3_finalize(stmt);
	pthread_mutex_lock(&st->ck_lock);
	json_decref(st->counts);
	st->counts = counts;
	pthread_mutex_unlock(&st->ck_lock);
}

/* The outbox counted by state a few seconds ago, or NULL: a copy. */
json_t *
store_out_counts_recent(struct store *st)
{
	json_t	*c = NULL;

	if (!st->ck_running)
		return (NULL);
	pthread_mutex_lock(&st->ck_lock);
	if (st->counts != NULL)
		c = json_deep_copy(st->counts);
	pthread_mutex_unlock(&st->ck_lock);
	return (c);
}

/*
 * Checkpoints copy the WAL back into the database and fsync it: work that
 * can take a while, so a thread with its own connection does it every
 * second, and the loop's connection never checkpoints by itself.
 */
static void *
store_checkpointer(void *arg)
{
	struct store	*st = arg;
	sqlite3		*db;
	struct timespec	 ts;
	int		 stop = 0, ticks = 0, truncate;

	if (sqlite3_open_v2(st->path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		log_warnx("%s: the checkpoint thread cannot open it",
		    st->path);
		sqlite3_close(db);
		return (NULL);
	}
	sqlite3_busy_timeout(db, STORE_BUSY_MS);
	/* It writes no row, but is like every connection of ours. */
	sqlite3_exec(db, "PRAGMA secure_delete = ON", NULL, NULL, NULL);
	store_count_states(st, db);
	while (!stop) {
		pthread_mutex_lock(&st->ck_lock);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		if (!st->ck_stop)
			pthread_cond_timedwait(&st->ck_cond, &st->ck_lock, &ts);
		stop = st->ck_stop;
		pthread_mutex_unlock(&st->ck_lock);
		pthread_mutex_lock(&st->ck_lock);
		truncate = st->ck_truncate;
		pthread_mutex_unlock(&st->ck_lock);
		/*
		 * After an erasure: every frame copied back and the log
		 * emptied, so that no old page stays in it; tried again
		 * each second until it is done.
		 */
		if (truncate && sqlite3_wal_checkpoint_v2(db, NULL,
		    SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) == SQLITE_OK) {
			pthread_mutex_lock(&st->ck_lock);
			st->ck_truncate = 0;
			pthread_mutex_unlock(&st->ck_lock);
		} else
			sqlite3_wal_checkpoint_v2(db, NULL,
			    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		if (++ticks % STORE_COUNT_EVERY == 0)
			store_count_states(st, db);
	}
	sqlite3_close(db);
	return (NULL);
}

/*
 * Ask for the write-ahead log to be copied back and emptied, off the
 * loop: on the checkpoint thread at once, or here when there is none.
 */
void
store_checkpoint_truncate(struct store *st)
{
	if (!st->ck_running) {
		if (sqlite3_wal_checkpoint_v2(st->db, NULL,
		    SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) != SQLITE_OK)
			log_warnx("%s: checkpoint: %s", st->path,
			    sqlite3_errmsg(st->db));
		return;
	}
	pthread_mutex_lock(&st->ck_lock);
	st->ck_truncate = 1;
	pthread_cond_signal(&st->ck_cond);
	pthread_mutex_unlock(&st->ck_lock);
}

static void
store_checkpointer_start(struct store *st)
{
	pthread_mutex_init(&st->ck_lock, NULL);
	pthread_cond_init(&st->ck_cond, NULL);
	sqlite3_wal_autocheckpoint(st->db, 0);
	if (pthread_create(&st->ck_thread, NULL, store_checkpointer,
	    st) != 0) {
		log_warn("checkpoint thread");
		sqlite3_wal_autocheckpoint(st->db, 1000);
		return;
	}
	st->ck_running = 1;
}

static void
store_checkpointer_stop(struct store *st)
{
	if (!st->ck_running)
		return;
	pthread_mutex_lock(&st->ck_lock);
	st->ck_stop = 1;
	pthread_cond_signal(&st->ck_cond);
	pthread_mutex_unlock(&st->ck_lock);
	pthread_join(st->ck_thread, NULL);
	st->ck_running = 0;
	json_decref(st->counts);
	st->counts = NULL;
}

void
store_close(struct store *st)
{
	int	i;

	if (st == NULL)
		return;
	store_checkpointer_stop(st);
	for (i = 0; i < STMT_MAX; i++)
		sqlite3_finalize(st->stmt[i]);
	if (st->db != NULL) {
		sqlite3_exec(st->db, "PRAGMA optimize", NULL, NULL, NULL);
		if (sqlite3_close(st->db) != SQLITE_OK)
			log_warnx("%s: close: %s", st->path,
			    sqlite3_errmsg(st->db));
	}
	free(st->failing_why);
	free(st->leads);
	free(st->path);
	free(st);
}

int
store_version(struct store *st)
{
	return (st->version);
}

/* The statement for id, prepared on its first use and kept. */
sqlite3_stmt *
store_stmt(struct store *st, enum store_stmt id, const char *sql)
{
	if (st->stmt[id] == NULL &&
	    sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &st->stmt[id], NULL) != SQLITE_OK)
		fatalx("store: preparing \"%s\": %s", sql,
		    sqlite3_errmsg(st->db));
	return (st->stmt[id]);
}

/*
 * Bind (name, type, value) triples ending with NULL; a name the
 * statement lacks is a bug, caught the first time the code runs.
 */
void
store_bind(sqlite3_stmt *stmt, ...)
{
	va_list		 ap;
	const char	*name, *s;
	int		 type, i;

	va_start(ap, stmt);
	while ((name = va_arg(ap, const char *)) != NULL) {
		type = va_arg(ap, int);
		if ((i = sqlite3_bind_parameter_index(stmt, name)) == 0)
			fatalx("store: \"%s\" has no parameter %s",
			    sqlite3_sql(stmt), name);
		switch (type) {
		case SB_TEXT:
			s = va_arg(ap, const char *);
			if (s == NULL)
				sqlite3_bind_null(stmt, i);
			else
				sqlite3_bind_text(stmt, i, s, -1,
				    SQLITE_TRANSIENT);
			break;
		case SB_INT:
			sqlite3_bind_int64(stmt, i, va_arg(ap, long long));
			break;
		case SB_NULL:
			sqlite3_bind_null(stmt, i);
			break;
		default:
			fatalx("store_bind: bad type %c", type);
		}
	}
	va_end(ap);
}

/* Errors that say the database cannot be used, not that a request is bad. */
static int
store_trouble(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_NOMEM:
	case SQLITE_READONLY:
	case SQLITE_IOERR:
	case SQLITE_CORRUPT:
	case SQLITE_FULL:
	case SQLITE_CANTOPEN:
	case SQLITE_PROTOCOL:
	case SQLITE_NOTADB:
		return (1);
	}
	return (0);
}

/*
 * A step failed for want of a working database: the first failure of an
 * episode is logged, the others (every retry) only at debug level.
 */
static void
store_failed(struct store *st)
{
	store_failing_begin(st, sqlite3_errmsg(st->db));
}

/*
 * An episode begins, or goes on: from a failure of st's connection, or
 * of another's on the same database (the batch's thread).  It ends at
 * st's next write that reaches the database (store_recovered).
 */
void
store_failing_begin(struct store *st, const char *msg)
{
	st->failing_mark = sqlite3_total_changes64(st->db);
	if (st->failing_since != 0) {
		log_debug("%s: still failing: %s", st->path, msg);
		return;
	}
	st->failing_since = clock_now();
	free(st->failing_why);
	st->failing_why = xstrdup(msg);
	/* A thread's connection: the loop's store says it, once. */
	if (st->peer)
		return;
	log_warnx("%s: the database is failing: %s; what needs it waits and "
	    "is tried again", st->path, msg);
	if (st->failing_cb != NULL)
		st->failing_cb(st->failing_arg);
}

/*
 * Who to tell when an episode begins, whoever's write failed, so that
 * someone probes for its end even when nothing else would write.
 */
void
store_on_failing(struct store *st, void (*cb)(void *), void *arg)
{
	st->failing_cb = cb;
	st->failing_arg = arg;
}

/*
 * The smallest committed write there is: the end of an episode when it
 * works.  A statement that changes a row to itself still needs room in
 * the log, as every other write does.
 */
int
store_probe(struct store *st)
{
	int	ok;

	if (store_begin(st) != 0)
		return (-1);
	ok = store_done(st, store_stmt(st, STMT_PROBE, "UPDATE installation "
	    "SET created_at = created_at"), NULL) == 0;
	return (store_end(st, ok));
}

/*
 * A write reached the database: the end of an episode, if one was going
 * on.  (A statement that changed nothing proves nothing: under a full
 * disk an UPDATE that matches no row still succeeds.)
 */
static void
store_recovered(struct store *st, sqlite3_stmt *stmt)
{
	if (st->failing_since == 0 || stmt == st->stmt[STMT_ROLLBACK] ||
	    !sqlite3_get_autocommit(st->db) ||
	    sqlite3_total_changes64(st->db) <= st->failing_mark)
		return;
	if (!st->peer)
		log_info("%s: the database works again, after %lld seconds",
		    st->path, (long long)(clock_now() - st->failing_since));
	st->failing_since = 0;
	free(st->failing_why);
	st->failing_why = NULL;
}

/*
 * The loop runs from here on: its connection waits little for another's
 * write lock (start-up, with nothing to answer yet, may wait longer).
 */
void
store_serving(struct store *st)
{
	sqlite3_busy_timeout(st->db, STORE_LOOP_BUSY_MS);
}

/* Since when the database has been failing, and why; 0 while it works. */
time_t
store_failing(struct store *st, const char **why)
{
	if (why != NULL)
		*why = st->failing_why;
	return (st->failing_since);
}

/* The reason a step failed, put so a person can act on it. */
void
store_cause(struct store *st, char **cause, const char *what)
{
	const char	*msg = sqlite3_errmsg(st->db);
	int		 ext = sqlite3_extended_errcode(st->db);

	st->last_err = ext;
	snprintf(st->last_msg, sizeof st->last_msg, "%s", msg);
	if (store_trouble(ext))
		store_failed(st);

	if (ext == SQLITE_CONSTRAINT_UNIQUE ||
	    ext == SQLITE_CONSTRAINT_PRIMARYKEY)
		cause_set(cause, "%s already exists (%s)", what ? what :
		    "that", msg);
	else if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
		cause_set(cause, "%s refers to something that does not exist",
		    what ? what : "that");
	else if (ext == SQLITE_CONSTRAINT_CHECK ||
	    ext == SQLITE_CONSTRAINT_NOTNULL)
		cause_set(cause, "%s: a value is not allowed (%s)", what ?
		    what : "that", msg);
	else if ((ext & 0xff) == SQLITE_BUSY || (ext & 0xff) == SQLITE_LOCKED)
		cause_set(cause, STORE_BUSY_CAUSE ": another program is "
		    "writing to it (%s)", msg);
	else
		cause_set(cause, "database: %s", msg);
}

/* Step a statement that returns no rows; reset it whatever happens. */
int
store_done(struct store *st, sqlite3_stmt *stmt, char **cause)
{
	int	rc;

	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		store_recovered(st, stmt);
	else {
		if ((rc & 0xff) != SQLITE_CONSTRAINT && !store_trouble(rc))
			log_warnx("%s: %s: %s", st->path, sqlite3_sql(stmt),
			    sqlite3_errmsg(st->db));
		store_cause(st, cause, NULL);
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return (rc == SQLITE_DONE ? 0 : -1);
}

/*
 * Did the last store_row fail for the database's sake (a full disk, an
 * I/O error), not for the data's (a constraint, no such row)?  Then the
 * cause says so, and a caller does not blame the data.
 */
int
store_broke(struct store *st, char **cause)
{
	if (st->last_err == 0 || (st->last_err & 0xff) == SQLITE_CONSTRAINT)
		return (0);
	if ((st->last_err & 0xff) == SQLITE_BUSY ||
	    (st->last_err & 0xff) == SQLITE_LOCKED)
		cause_set(cause, STORE_BUSY_CAUSE ": another program is "
		    "writing to it (%s)", st->last_msg);
	else
		cause_set(cause, "database: %s", st->last_msg);
	return (1);
}

static json_t *
store_row_json(sqlite3_stmt *stmt)
{
	json_t	*o = json_object();
	int	 i, n = sqlite3_column_count(stmt);

	for (i = 0; i < n; i++) {
		const char	*name = sqlite3_column_name(stmt, i);

		switch (sqlite3_column_type(stmt, i)) {
		case SQLITE_INTEGER:
			json_object_set_new(o, name, json_integer(
			    sqlite3_column_int64(stmt, i)));
			break;
		case SQLITE_FLOAT:
			json_object_set_new(o, name, json_real(
			    sqlite3_column_double(stmt, i)));
			break;
		case SQLITE_NULL:
			json_object_set_new(o, name, json_null());
			break;
		default:
			json_object_set_new(o, name, json_string((const char *)
			    sqlite3_column_text(stmt, i)));
			break;
		}
	}
	return (o);
}

/* Every row as a JSON object keyed by column name; NULL on error. */
json_t *
store_rows(struct store *st, sqlite3_stmt *stmt, char **cause)
{
	json_t	*a = json_array();
	int	 rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		json_array_append_new(a, store_row_json(stmt));
	if (rc != SQLITE_DONE) {
		store_cause(st, cause, NULL);
		json_decref(a);
		a = NULL;
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return (a);
}

/* Do the statement's columns match the table, name for name? */
int
store_cols_ok(sqlite3_stmt *stmt, const struct store_col *cols, size_t n)
{
	size_t	i;

	if (sqlite3_column_count(stmt) != (int)n)
		return (0);
	for (i = 0; i < n; i++) {
		if (strcmp(sqlite3_column_name(stmt, (int)i),
		    cols[i].name) != 0)
			return (0);
	}
	return (1);
}

/* One column into its place in base: a string points at text. */
static void
store_col_set(sqlite3_stmt *stmt, const struct store_col *col, int c,
    char *base, const char *text)
{
	int	null = sqlite3_column_type(stmt, c) == SQLITE_NULL;

	switch (col->type) {
	case SC_TEXT:
	case SC_TEXTN:
		*(const char **)(base + col->off) = null &&
		    col->type == SC_TEXTN ? NULL : text;
		break;
	case SC_INT:
		*(int *)(base + col->off) = sqlite3_column_int(stmt, c);
		break;
	case SC_INTN:
		*(int *)(base + col->off) = null ? -1 :
		    sqlite3_column_int(stmt, c);
		break;
	case SC_LONG:
		*(long long *)(base + col->off) =
		    sqlite3_column_int64(stmt, c);
		break;
	case SC_TIME:
		*(time_t *)(base + col->off) =
		    (time_t)sqlite3_column_int64(stmt, c);
		break;
	default:
		fatalx("store: column %s of no known type", col->name);
	}
}

/*
 * The row the statement is on into the struct at dst as the table
 * says, its strings SQLite's own: good until the statement steps on or
 * is reset.  Nothing is allocated.
 */
void
store_point(sqlite3_stmt *stmt, const struct store_col *cols, size_t ncols,
    void *dst)
{
	const char	*v;
	size_t		 i;

	for (i = 0; i < ncols; i++) {
		v = NULL;
		if (cols[i].type == SC_TEXT || cols[i].type == SC_TEXTN) {
			v = (const char *)sqlite3_column_text(stmt, (int)i);
			if (v == NULL)
				v = "";
		}
		store_col_set(stmt, &cols[i], (int)i, dst, v);
	}
}

/*
 * The row the statement is on as a struct of size bytes, filled as the
 * table says, in one allocation with its strings: free() frees it all.
 */
void *
store_fill(sqlite3_stmt *stmt, const struct store_col *cols, size_t ncols,
    size_t size)
{
	const unsigned char	*v;
	char			*base, *p;
	size_t			 i, len = 0, n;

	for (i = 0; i < ncols; i++) {
		if (cols[i].type != SC_TEXT && cols[i].type != SC_TEXTN)
			continue;
		if (sqlite3_column_text(stmt, (int)i) != NULL)
			len += (size_t)sqlite3_column_bytes(stmt, (int)i);
		len++;
	}
	base = xcalloc(1, size + len);
	p = base + size;
	for (i = 0; i < ncols; i++) {
		if (cols[i].type != SC_TEXT && cols[i].type != SC_TEXTN) {
			store_col_set(stmt, &cols[i], (int)i, base, NULL);
			continue;
		}
		v = sqlite3_column_text(stmt, (int)i);
		n = v != NULL ? (size_t)sqlite3_column_bytes(stmt, (int)i) : 0;
		if (n > 0)
			memcpy(p, v, n);
		p[n] = '\0';
		store_col_set(stmt, &cols[i], (int)i, base, p);
		p += n + 1;
	}
	return (base);
}

/*
 * The first row, as a JSON object or (cols given) as store_fill makes
 * it, or NULL with no cause when there is none.
 */
static void *
store_first(struct store *st, sqlite3_stmt *stmt,
    const struct store_col *cols, size_t ncols, size_t size, char **cause)
{
	void	*o = NULL;
	int	 rc;

	st->last_err = 0;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		o = cols != NULL ? store_fill(stmt, cols, ncols, size) :
		    (void *)store_row_json(stmt);
		/*
		 * Run it to its end: an INSERT ... RETURNING outside a
		 * transaction commits there, and a commit that fails (a full
		 * disk) must not pass for a row made.
		 */
		while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
			;
	}
	if (rc == SQLITE_DONE)
		store_recovered(st, stmt);
	else {
		store_cause(st, cause, NULL);
		if (cols != NULL)
			free(o);
		else
			json_decref(o);
		o = NULL;
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return (o);
}

/* The first row, or NULL with no cause when there is none. */
json_t *
store_row(struct store *st, sqlite3_stmt *stmt, char **cause)
{
	return (store_first(st, stmt, NULL, 0, 0, cause));
}

/*
 * The first row as a struct of size bytes filled as cols says (see
 * store_fill), or NULL with no cause when there is none.  The columns
 * must be the table's, name for name: anything else is a bug.
 */
void *
store_row_fill(struct store *st, sqlite3_stmt *stmt,
    const struct store_col *cols, size_t ncols, size_t size, char **cause)
{
	if (!store_cols_ok(stmt, cols, ncols))
		fatalx("store: \"%s\" has not the columns its struct has",
		    sqlite3_sql(stmt));
	return (store_first(st, stmt, cols, ncols, size, cause));
}

static int
store_core(struct store *st, enum store_stmt id)
{
	return (store_done(st, store_stmt(st, id, store_sql_core[id]), NULL));
}

/*
 * Transactions nest: the outermost is BEGIN IMMEDIATE ... COMMIT, an
 * inner one a savepoint, so a failure inside undoes only its own part.
 */
int
store_begin(struct store *st)
{
	if (st->depth > 0) {
		if (store_core(st, STMT_SAVEPOINT) != 0)
			return (-1);
		st->depth++;
		return (0);
	}
	st->depth++;
	if (store_done(st, store_stmt(st, STMT_BEGIN,
	    store_sql_core[STMT_BEGIN]), NULL) != 0) {
		st->depth--;
		return (-1);
	}
	return (0);
}

/*
 * Commit (or release) when ok; otherwise roll back this level only.  Some
 * errors (a full disk, I/O, SQLITE_BUSY) make SQLite roll the whole
 * transaction back by itself: then there is nothing left to end, and
 * saying ROLLBACK would only fail again.
 */
int
store_end(struct store *st, int ok)
{
	if (st->depth <= 0) {
		log_warnx("store: a transaction ended that had not begun");
		return (-1);
	}
	if (--st->depth > 0) {
		if (sqlite3_get_autocommit(st->db))
			return (-1);
		if (!ok) {
			store_core(st, STMT_ROLLBACK_TO);
			store_core(st, STMT_RELEASE);
			return (-1);
		}
		return (store_core(st, STMT_RELEASE));
	}
	if (sqlite3_get_autocommit(st->db))
		return (-1);
	if (ok && store_done(st, store_stmt(st, STMT_COMMIT,
	    store_sql_core[STMT_COMMIT]), NULL) == 0)
		return (0);
	if (!sqlite3_get_autocommit(st->db))
		store_done(st, store_stmt(st, STMT_ROLLBACK,
		    store_sql_core[STMT_ROLLBACK]), NULL);
	return (-1);
}

static int
store_count(struct store *st, enum store_stmt id, long long *out)
{
	sqlite3_stmt	*stmt = store_stmt(st, id, store_sql_core[id]);
	int		 rc;

	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(stmt, 0);
	else
		log_warnx("%s: %s", st->path, sqlite3_errmsg(st->db));
	sqlite3_reset(stmt);
	return (rc == SQLITE_ROW ? 0 : -1);
}

int
store_counts(struct store *st, struct store_counts *c)
{
	if (store_count(st, STMT_COUNT_GROUPS, &c->groups) != 0 ||
	    store_count(st, STMT_COUNT_PEOPLE, &c->people) != 0 ||
	    store_count(st, STMT_COUNT_MEMBERSHIPS, &c->memberships) != 0)
		return (-1);
	return (0);
}

/* The store's lines in /metrics (a metrics collector; arg is the store). */
void
store_metrics(struct evbuffer *b, void *arg)
{
	struct store		*st = arg;
	struct store_counts	 c;
	json_t			*states, *row;
	const char		*state;

	metrics_head(b, "convene_database_schema_version", "gauge",
	    "Schema version of the open database.");
	evbuffer_add_printf(b, "convene_database_schema_version %d\n",
	    store_version(st));
	if (store_counts(st, &c) == 0) {
		metrics_head(b, "convene_groups", "gauge", "Groups held.");
		evbuffer_add_printf(b, "convene_groups %lld\n", c.groups);
		metrics_head(b, "convene_people", "gauge", "People held.");
		evbuffer_add_printf(b, "convene_people %lld\n", c.people);
	}
	/* Counted off the loop every few seconds: a scan of every row. */
	if ((states = store_out_counts_recent(st)) != NULL) {
		metrics_head(b, "convene_outbox_messages", "gauge",
		    "Outbox rows by state, counted in the last few seconds.");
		json_object_foreach(states, state, row)
			evbuffer_add_printf(b, "convene_outbox_messages{state="
			    "\"%s\"} %lld\n", state,
			    (long long)json_integer_value(row));
		json_decref(states);
	}
}

/* Record who did what; inside the caller's transaction when there is one. */
int
store_audit(struct store *st, const char *actor, const char *action,
    const char *object, const char *detail)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	stmt = store_stmt(st, STMT_AUDIT, store_sql_core[STMT_AUDIT]);
	if (store_begin(st) != 0)
		return (-1);
	store_bind(stmt, ":at", SB_INT, (long long)clock_now(),
	    ":actor", SB_TEXT, actor, ":action", SB_TEXT, action,
	    ":object", SB_TEXT, object, ":detail", SB_TEXT, detail, NULL);
	rc = store_done(st, stmt, NULL);
	return (store_end(st, rc == 0));
}

/* integrity_check and foreign_key_check; *cause says what is wrong. */
int
store_check(struct store *st, char **cause)
{
	sqlite3_stmt	*stmt;
	const char	*r;
	int		 rc, bad = 0;

	if (sqlite3_prepare_v2(st->db, "PRAGMA integrity_check", -1, &stmt,
	    NULL) != SQLITE_OK) {
		cause_set(cause, "%s", sqlite3_errmsg(st->db));
		return (-1);
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		r = (const char *)sqlite3_column_text(stmt, 0);
		if (r == NULL || strcmp(r, "ok") != 0) {
			cause_set(cause, "integrity_check: %s", r ? r : "?");
			bad = 1;
		}
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		cause_set(cause, "%s", sqlite3_errmsg(st->db));
		return (-1);
	}
	if (sqlite3_prepare_v2(st->db, "PRAGMA foreign_key_check", -1, &stmt,
	    NULL) != SQLITE_OK) {
		cause_set(cause, "%s", sqlite3_errmsg(st->db));
		return (-1);
	}
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		cause_set(cause, "foreign_key_check: a row of %s points "
		    "nowhere", sqlite3_column_text(stmt, 0));
		bad = 1;
	}
	sqlite3_finalize(stmt);
	return (bad ? -1 : 0);
}
