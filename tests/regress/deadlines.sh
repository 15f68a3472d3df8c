# deadlines.sh: what coordinators are told about access requests, with a
# running daemon on the test's clock.  Each coordinator of a group gets
# one digest a day at 8am in the group's zone, listing the open requests
# soonest deadline first (none before 8am, none twice a day; by SMS, after
# the coordinator's quiet hours, in one text); an alert
# once when a request is two days from its deadline and still not
# booked; a flag at once when a step-free request is made for a meeting
# at a venue without step-free access; members get none of these.  The
# same list answers GET /api/v1/digest and convenectl digest.  Requests
# are made with the API, and nothing else sets the pass off; the clock
# is moved for the rest.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"

DB=$T/state/convene.db
sql() {
	sqlite3 -cmd '.timeout 5000' "$DB" "$1"
}
# at "YYYY-MM-DD HH:MM": the instant of a London wall-clock time.
at() {
	TZ=Europe/London date -d "$1" +%s
}
# rows WHERE: ids of outbox rows, in order.
rows() {
	sql "SELECT id FROM outbox WHERE $1 ORDER BY id" | tr '\n' ' ' |
	    sed 's/ $//'
}
# text ID: the plain text of a row's email in the spool.
text() {
	"$PY" - "$T/state/spool/mail/$1.1.eml" <<'PYEOF'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
    policy=email.policy.default)
print("Subject: " + m["Subject"])
print(m.get_body(("plain",)).get_content())
PYEOF
}
# kick: what the request-making code does after a change.
kick() {
	advance 0
	planned
	wait_progress outbox_busy 0 || fail "the outbox did not settle"
}

day0=$(TZ=Europe/London date -d "+3 days" +%Y-%m-%d)
day1=$(TZ=Europe/London date -d "$day0 + 1 day" +%Y-%m-%d)
mday=$(TZ=Europe/London date -d "$day0 + 20 days" +%Y-%m-%d)
write_conf "
[outbox]
horizon_days = 60"
start_daemon --test-clock="$(at "$day0 07:00")"

api 201 POST /groups '{"slug": "panel", "name": "Access Panel",
    "time_zone": "Europe/London"}'
api 201 POST /venues '{"name": "Old Hall", "step_free": false,
    "hearing_loop": true}'
venue=$(jv 'd["id"]')
api 201 POST /people '{"name": "Cora Price", "email": "cora@example.org"}'
cora=$(jv 'd["id"]')
api 201 POST /people '{"name": "Kit Morgan", "email": "kit@example.org"}'
kit=$(jv 'd["id"]')
api 201 POST /people '{"name": "Lee Hughes", "phone": "07700 900126",
    "channels": "sms", "quiet_hours": "07:30-12:30"}'
lee=$(jv 'd["id"]')
api 201 POST /people '{"name": "Dan Evans", "email": "dan@example.org"}'
dan=$(jv 'd["id"]')
api 201 POST /people '{"name": "Fay Khan", "email": "fay@example.org"}'
fay=$(jv 'd["id"]')
for p in "$cora" "$kit" "$lee"; do
	api 201 POST /groups/panel/members "{\"person\": $p,
	    \"role\": \"coordinator\"}"
done
for p in "$dan" "$fay"; do
	api 201 POST /groups/panel/members "{\"person\": $p}"
done
api 201 POST /series "{\"group\": \"panel\", \"title\": \"Access Panel\",
    \"start\": \"${mday}T18:00\", \"duration_minutes\": 120,
    \"venue\": $venue}"
planned
occ=$(sql "SELECT id FROM occurrences")
start=$(sql "SELECT start_at FROM occurrences WHERE id = $occ")
[ "$start" = "$(at "$mday 18:00")" ] || fail "the meeting starts at $start"

# Three requests, made out of their deadlines' order (the catalogue's
# lead days: BSL 14, captions 7, large print 3).  Nothing more is done:
# a request written is what sets the pass off.
api 201 POST "/occurrences/$occ/requests" "{\"person\": $fay,
    \"need\": \"captions\"}"
api 201 POST "/occurrences/$occ/requests" "{\"person\": $dan,
    \"need\": \"bsl\", \"detail\": \"Two interpreters, please\"}"
api 201 POST "/occurrences/$occ/requests" "{\"person\": $dan,
    \"need\": \"largeprint\"}"
[ "$(sql "SELECT group_concat(deadline_at - $start, ' ') FROM
    (SELECT deadline_at FROM access_requests ORDER BY id)")" = \
    "-604800 -1209600 -259200" ] ||
    fail "deadlines: $(sql "SELECT * FROM access_requests")"
ndigests() {
	rows "kind = 'digest'" | wc -w
}
wait_progress ndigests 3 || fail "no digests planned"
notices="kind IN ('digest', 'alert', 'flag')"
[ -z "$(rows "$notices AND person_id IN ($dan, $fay)")" ] ||
    fail "a member has a coordinator's notice: $(sql "SELECT * FROM outbox")"
[ -z "$(rows "$notices AND state != 'pending'")" ] ||
    fail "sent before 8am: $(sql "SELECT * FROM outbox WHERE $notices")"
digests=$(rows "kind = 'digest' AND lead = '$day0' AND
    due_at = $(at "$day0 08:00")")
set -- $digests
[ $# = 3 ] || fail "digests for $day0: '$digests'"
ok "at 7am, one digest a coordinator waits for 8am; members none"

# 8am: each coordinator's digest, the soonest deadline first.
set_clock "$(at "$day0 08:00")"
wait_progress outbox_busy 0 || fail "the outbox did not settle"
lees=$(rows "kind = 'digest' AND person_id = $lee")
[ "$(sql "SELECT state, next_at, reason FROM outbox WHERE id = $lees")" = \
    "pending|$(at "$day0 12:30")|waiting for the end of quiet hours" ] ||
    fail "Lee's digest in quiet hours: $(sql "SELECT * FROM outbox
    WHERE id = $lees")"
for id in $(rows "kind = 'digest' AND channel = 'email'"); do
	[ "$(sql "SELECT state FROM outbox WHERE id = $id")" = sent ] ||
	    fail "digest $id: $(sql "SELECT * FROM outbox WHERE id = $id")"
	text "$id" > "$T/digest.txt" || fail "digest $id is not in the spool"
	grep -q '^Subject: Access requests to book: 3$' "$T/digest.txt" ||
	    fail "subject: $(cat "$T/digest.txt")"
	a=$(grep -n '^British Sign Language (BSL) interpreter, for Dan Evans:$' \
	    "$T/digest.txt" | cut -d: -f1)
	b=$(grep -n '^Speech-to-text or captions, for Fay Khan:$' \
	    "$T/digest.txt" | cut -d: -f1)
	c=$(grep -n '^Large-print papers, for Dan Evans:$' "$T/digest.txt" |
	    cut -d: -f1)
	[ -n "$a" ] && [ -n "$b" ] && [ -n "$c" ] && [ "$a" -lt "$b" ] &&
	    [ "$b" -lt "$c" ] || fail "not by deadline: $(cat "$T/digest.txt")"
	grep -q '^Their words: Two interpreters, please$' "$T/digest.txt" ||
	    fail "no detail: $(cat "$T/digest.txt")"
done
to=$(sql "SELECT group_concat(p.email, ' ') FROM outbox o JOIN people p
    ON p.id = o.person_id WHERE o.kind = 'digest' ORDER BY o.id")
[ "$to" = "cora@example.org kit@example.org" ] || fail "digests to $to"
set_clock "$(at "$day0 12:30")"
wait_progress outbox_busy 0 || fail "the outbox did not settle"
sms=$T/state/spool/sms/$lees.1.sms
[ -f "$sms" ] || fail "Lee's digest is not in the SMS spool"
n=$(sms_length "$sms")
[ "$n" -le 160 ] && grep -q '^3 access requests open\. Next: British Sign Language (BSL) interpreter for Dan Evans, book by ' "$sms" ||
    fail "Lee's SMS ($n characters): $(cat "$sms")"
ok "at 8am a digest to each coordinator, by deadline; by SMS after quiet hours ($n characters)"

# The same list for the API and convenectl.
api 200 GET "/digest?group=panel"
[ "$(jv '[r["need"] for r in d["requests"]]')" = "bsl captions largeprint" ] ||
    fail "GET /digest: $(cat "$T/body")"
api 404 GET "/digest?group=nope"
"$CONVENECTL" -s "$T/state/convened.sock" digest --group panel > "$T/ctl" ||
    fail "convenectl digest failed: $(cat "$T/ctl")"
grep -n 'British Sign Language' "$T/ctl" | grep -q '^2:' &&
    grep -n 'Speech-to-text' "$T/ctl" | grep -q '^3:' &&
    grep -n 'Large-print' "$T/ctl" | grep -q '^4:' ||
    fail "convenectl digest, not by deadline: $(cat "$T/ctl")"
[ "$(sql "SELECT count(*) FROM audit_log WHERE action = 'digest'")" = 2 ] ||
    fail "the reads are not in the audit log"
# A token for another group sees none of them.
api 201 POST /groups '{"slug": "forum", "name": "Access Forum"}'
"$CONVENECTL" -s "$T/state/convened.sock" token create forum-only \
    --group forum > "$T/tok" || fail "token create: $(cat "$T/tok")"
expect_code 200 GET /api/v1/digest -H "Authorization: Bearer $(cat "$T/tok")"
grep -q '"requests": \[\]' "$T/body" || fail "another group's token: $(cat "$T/body")"
expect_code 404 GET "/api/v1/digest?group=panel" \
    -H "Authorization: Bearer $(cat "$T/tok")"
ok "GET /api/v1/digest and convenectl digest list them so"

# The rest of the day: no second digest; the next morning, one more.
set_clock "$(at "$day0 20:00")"
kick
[ -z "$(rows "kind = 'digest' AND lead = '$day0' AND
    id NOT IN ($(echo "$digests" | tr ' ' ','))")" ] ||
    fail "a second digest for $day0"
[ "$(rows "kind = 'digest' AND state = 'sent'")" = "$digests" ] ||
    fail "another digest sent on $day0"
set_clock "$(at "$day1 08:00")"
kick
set -- $(rows "kind = 'digest' AND lead = '$day1' AND state = 'sent'")
[ $# = 2 ] || fail "digests sent by email on $day1: $*"
set -- $(rows "kind = 'digest' AND lead = '$day1' AND person_id = $lee AND
    state = 'pending'")
[ $# = 1 ] || fail "Lee's digest for $day1 is not waiting"
[ "$(ls "$T/state/spool/mail" | grep -c -E "^($(rows "kind = 'digest'" |
    tr ' ' '|'))\\.")" = 4 ] || fail "not four digest emails"
ok "one digest a coordinator a day: none more on $day0, one on $day1"

# Two days before the BSL deadline: one alert a coordinator, at once.
dl=$((start - 14 * 86400))
set_clock $((dl - 2 * 86400 - 60))
kick
[ -z "$(rows "kind = 'alert'")" ] || fail "an alert too soon"
# (Lee's digest of $day1, held by quiet hours and not sent that day, is
# not sent days later.)
[ -n "$(rows "kind = 'digest' AND lead = '$day1' AND person_id = $lee AND
    state = 'skipped' AND reason = 'a later digest replaces it'")" ] ||
    fail "Lee's digest of $day1: $(sql "SELECT * FROM outbox
    WHERE kind = 'digest' AND person_id = $lee")"
set_clock $((dl - 2 * 86400))
kick
alerts=$(rows "kind = 'alert' AND state = 'sent'")
set -- $alerts
[ $# = 3 ] || fail "alerts: $(sql "SELECT * FROM outbox WHERE kind = 'alert'")"
[ -z "$(rows "kind = 'alert' AND person_id IN ($dan, $fay)")" ] ||
    fail "a member was alerted"
text "$(rows "kind = 'alert' AND person_id = $cora")" > "$T/alert.txt"
grep -q '^Subject: Urgent: book British Sign Language (BSL) interpreter for Dan Evans by ' \
    "$T/alert.txt" || fail "alert: $(cat "$T/alert.txt")"
advance 3600
kick
[ "$(rows "kind = 'alert'")" = "$alerts" ] || fail "a second alert"
ok "two days before its deadline, one alert a coordinator"

# A step-free request at a venue without step-free access: a flag at
# once, with no move of the clock or anything else to set it off.
api 201 POST "/occurrences/$occ/requests" "{\"person\": $fay,
    \"need\": \"step-free\"}"
req=$(sql "SELECT id FROM access_requests WHERE need = 'step-free'")
nflags() {
	rows "kind = 'flag' AND lead = 'r$req.v$venue' AND state = 'sent'" |
	    wc -w
}
wait_progress nflags 3 || fail "no flags sent"
flags=$(rows "kind = 'flag' AND lead = 'r$req.v$venue' AND state = 'sent'")
set -- $flags
[ $# = 3 ] || fail "flags: $(sql "SELECT * FROM outbox WHERE kind = 'flag'")"
[ "$(sql "SELECT max(sent_at) - min(created_at) FROM outbox
    WHERE kind = 'flag'")" = 0 ] || fail "the flags waited"
text "$(rows "kind = 'flag' AND person_id = $kit")" > "$T/flag.txt"
grep -q 'the venue does not have: step-free access' "$T/flag.txt" &&
    grep -q '^Where: Old Hall$' "$T/flag.txt" ||
    fail "flag: $(cat "$T/flag.txt")"
[ -z "$(rows "$notices AND person_id IN ($dan, $fay)")" ] ||
    fail "a member has a coordinator's notice"
ok "a step-free request at the Old Hall: flagged at once to each coordinator"

# A digest more than four hours late (convened was stopped) is left for
# the next day's; one less late is sent; with nothing open, none.
now=$(daemon_now)
d5=$(TZ=Europe/London date -d "@$((now + 86400))" +%Y-%m-%d)
d6=$(TZ=Europe/London date -d "$d5 + 1 day" +%Y-%m-%d)
late=$(rows "kind = 'digest' AND lead = '$d5' AND state = 'pending'")
set -- $late
[ $# = 3 ] || fail "no digests waiting for $d5: $(sql "SELECT * FROM outbox
    WHERE kind = 'digest'")"
set_clock "$(at "$d5 12:30")"
kick
[ "$(rows "kind = 'digest' AND lead = '$d5' AND state = 'skipped' AND
    reason = 'a later digest replaces it'")" = "$late" ] ||
    fail "late digests: $(sql "SELECT * FROM outbox WHERE kind = 'digest'")"
set_clock "$(at "$d6 11:00")"
kick
set -- $(rows "kind = 'digest' AND lead = '$d6' AND state = 'sent'")
[ $# = 2 ] || fail "digests 3 hours late not sent: $*"
set_clock "$(at "$d6 12:30")"
kick
set -- $(rows "kind = 'digest' AND lead = '$d6' AND state = 'sent'")
[ $# = 3 ] || fail "Lee's digest not sent 4.5 hours late after quiet hours"
set_clock "$(at "$d6 20:00")"
kick
set -- $(rows "kind = 'digest' AND state = 'pending'")
[ $# = 3 ] || fail "no digests waiting for the next day"
sql "UPDATE access_requests SET state = 'arranged'"
set_clock "$(at "$(TZ=Europe/London date -d "$d6 + 1 day" +%Y-%m-%d) 08:00")"
kick
[ -z "$(rows "kind = 'digest' AND state = 'pending'")" ] &&
    [ "$(rows "kind = 'digest' AND reason = 'no access request is open'")" = \
    "$*" ] || fail "with nothing open: $(sql "SELECT * FROM outbox
    WHERE kind = 'digest'")"
ok "a digest 4.5 hours late is skipped, 3 hours late sent, as is one after quiet hours; none with none open"

healthy || fail "convened stopped answering /healthz"
stop_daemon
pass
