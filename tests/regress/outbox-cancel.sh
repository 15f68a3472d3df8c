# outbox-cancel.sh: cancelling a meeting withdraws its pending reminders
# (skipped, "meeting cancelled") and sends each member a cancellation
# notice in their own channel at once; the email says why.  When the
# reminders' due time passes, nothing more reaches the spool.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"

# The daemon's clock is the test's: it stands still until moved.
start_daemon --test-clock="$(date +%s)"

title="Independent Living Delivery Group"
reason="The lift at the venue is broken"
api 201 POST /groups '{"slug": "il-delivery",
    "name": "Independent Living Delivery Group", "lead_times": "PT20S",
    "contact": "Sam on 020 7946 0000"}'
api 201 POST /people '{"name": "Ann Smith", "email": "ann@example.org"}'
ann=$(jv 'd["id"]')
api 201 POST /people '{"name": "Bob Jones", "phone": "07700 900123",
    "channels": "sms"}'
bob=$(jv 'd["id"]')
api 201 POST /groups/il-delivery/members "{\"person\": $ann}"
api 201 POST /groups/il-delivery/members "{\"person\": $bob}"

t0=$(daemon_now)
start=$((t0 + 40))
due=$((start - 20))
local=$(TZ=Europe/London date -d "@$start" +%Y-%m-%dT%H:%M:%S)
api 201 POST /series "{\"group\": \"il-delivery\", \"title\": \"$title\",
    \"start\": \"$local\", \"duration_minutes\": 120}"
api 200 GET '/occurrences?days=1'
[ "$(jv 'len(d["occurrences"])')" = 1 ] ||
    fail "one meeting wanted: $(cat "$T/body")"
occ=$(jv 'd["occurrences"][0]["id"]')
planned
api 200 GET "/outbox?occurrence=$occ"
reminders=$(ids 'm["kind"] == "reminder" and m["state"] == "pending"
    and m["due_at"] == '"$due")
set -- $reminders
[ $# -eq 2 ] || fail "two pending reminders wanted: $(cat "$T/body")"
ok "two reminders pending, due at $due"

api 200 POST "/occurrences/$occ/cancel" "{\"reason\": \"$reason\"}"
[ "$(jv 'd["status"]')" = cancelled ] ||
    fail "cancel answered: $(cat "$T/body")"
[ "$(jv 'd["reason"]')" = "$reason" ] ||
    fail "cancel reason: $(cat "$T/body")"
[ "$(daemon_now)" = "$t0" ] ||
    fail "the clock moved: cancelled at $(cat "$T/clock"), not $t0"

# The reminders are withdrawn at once, with the reason.
api 200 GET "/outbox?occurrence=$occ"
for id in $reminders; do
	st=$(msg "$id" state)
	why=$(msg "$id" reason)
	[ "$st" = skipped ] && [ "$why" = "meeting cancelled" ] ||
	    fail "reminder $id is $st ($why): $(cat "$T/body")"
done
ok "pending reminders skipped: meeting cancelled"

# A notice to each member in their channel, at once.
two_files() {
	[ "$(spool_count '*')" -ge 2 ]
}
wait_for two_files ||
    fail "no notices in the spool: $(ls -R "$T/state/spool")"
wait_progress outbox_busy 0 || fail "the outbox did not settle"
api 200 GET "/outbox?occurrence=$occ"
set -- $(ids 'm["kind"] == "cancellation"')
[ $# -eq 2 ] || fail "two cancellation notices wanted: $(cat "$T/body")"
for who in "$ann email mail eml" "$bob sms sms sms"; do
	set -- $who
	id=$(ids 'm["kind"] == "cancellation" and m["person_id"] == '"$1"'
	    and m["channel"] == "'"$2"'"')
	[ -n "$id" ] || fail "no $2 notice for person $1: $(cat "$T/body")"
	[ "$(msg "$id" state)" = sent ] ||
	    fail "notice $id is $(msg "$id" state): $(cat "$T/body")"
	[ -f "$T/state/spool/$3/$id.1.$4" ] ||
	    fail "no $3/$id.1.$4: $(ls -R "$T/state/spool")"
	[ "$(spool_count "$id.*")" = 1 ] || fail "notice $id more than once"
	eval "n_$2=\$T/state/spool/\$3/\$id.1.\$4"
done
[ "$(spool_count '*')" = 2 ] ||
    fail "not two files: $(ls -R "$T/state/spool")"
# An email's every line ends in CRLF; read it with plain line ends.
awk '!/\r$/ { bad++ } END { exit bad > 0 }' "$n_email" ||
    fail "a line of $n_email does not end in CRLF"
tr -d '\r' < "$n_email" > "$T/notice.txt"
n_email=$T/notice.txt
ok "one cancellation notice each, by email and by SMS"

short=$(when_short "$start")
grep -q "^Subject: Cancelled: $title on $short" "$n_email" ||
    fail "email subject: $(cat "$n_email")"
grep -q "^$title is cancelled\.\$" "$n_email" ||
    fail "email: $(cat "$n_email")"
grep -q "^Why: $reason\$" "$n_email" ||
    fail "the email does not say why: $(cat "$n_email")"
ok "the email says it is cancelled and why: $reason"

grep -q "^Cancelled: $title on $short\." "$n_sms" ||
    fail "SMS: $(cat "$n_sms")"
len=$(sms_length "$n_sms")
[ "$len" -le 160 ] || fail "SMS of $len characters: $(cat "$n_sms")"
ok "the SMS says it is cancelled, in $len characters"

# The due time passes: no reminder goes out.
set_clock $((due + 5))
wait_progress outbox_busy 0 || fail "the outbox did not settle"
api 200 GET "/outbox?occurrence=$occ"
for id in $reminders; do
	st=$(msg "$id" state)
	at=$(msg "$id" attempts)
	[ "$st" = skipped ] && [ "$at" = 0 ] ||
	    fail "reminder $id is $st after $at attempts: $(cat "$T/body")"
	[ "$(spool_count "$id.*")" = 0 ] ||
	    fail "reminder $id reached the spool"
done
[ "$(spool_count '*')" = 2 ] ||
    fail "more than the two notices: $(ls -R "$T/state/spool")"
ok "after the due time no reminder reached the spool"

healthy || fail "convened stopped answering /healthz"
stop_daemon
pass
