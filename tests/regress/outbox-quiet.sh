# outbox-quiet.sh: an SMS due in a member's quiet hours waits, pending,
# until the minute they end (and no text is sent meanwhile); when quiet
# hours would last past the meeting's start, the SMS is sent when due.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"

# hhmm EPOCH: the local time of day in Europe/London.
hhmm() {
	TZ=Europe/London date -d "@$1" +%H:%M
}

# The daemon's clock is the test's: it stands still until moved.
start_daemon --test-clock="$(date +%s)"

t0=$(daemon_now)
# Cara's quiet hours end in ten minutes; her meeting is three hours away.
q1="$(hhmm $((t0 - 60)))-$(hhmm $((t0 + 600)))"
end1=$(((t0 + 600) / 60 * 60))
# Dev's quiet hours last until after his meeting, 30 s away.
q2="$(hhmm $((t0 - 60)))-$(hhmm $((t0 + 10800 + 60)))"

api 201 POST /groups '{"slug": "early", "name": "Disabled Residents Team",
    "lead_times": "PT2H59M50S"}'
api 201 POST /groups '{"slug": "late", "name": "Access Forum",
    "lead_times": "PT20S"}'
api 201 POST /people "{\"name\": \"Cara Lee\", \"phone\": \"07700 900124\",
    \"channels\": \"sms\", \"quiet_hours\": \"$q1\"}"
cara=$(jv 'd["id"]')
api 201 POST /people "{\"name\": \"Dev Patel\", \"phone\": \"07700 900125\",
    \"channels\": \"sms\", \"quiet_hours\": \"$q2\"}"
dev=$(jv 'd["id"]')
api 201 POST /groups/early/members "{\"person\": $cara}"
api 201 POST /groups/late/members "{\"person\": $dev}"

t1=$(daemon_now)
start1=$((t1 + 10800))
due1=$((start1 - 10790))
start2=$((t1 + 30))
due2=$((start2 - 20))
l1=$(TZ=Europe/London date -d "@$start1" +%Y-%m-%dT%H:%M:%S)
l2=$(TZ=Europe/London date -d "@$start2" +%Y-%m-%dT%H:%M:%S)
api 201 POST /series "{\"group\": \"early\", \"title\": \"Budget planning\",
    \"start\": \"$l1\", \"duration_minutes\": 60}"
api 201 POST /series "{\"group\": \"late\", \"title\": \"Access audit\",
    \"start\": \"$l2\", \"duration_minutes\": 60}"
planned

api 200 GET /outbox
r1=$(ids 'm["person_id"] == '"$cara"' and m["kind"] == "reminder"')
r2=$(ids 'm["person_id"] == '"$dev"' and m["kind"] == "reminder"')
set -- $r1 $r2
[ $# -eq 2 ] || fail "one reminder each wanted: $(cat "$T/body")"
[ "$(msg "$r1" due_at)" = "$due1" ] ||
    fail "Cara's reminder not due at $due1: $(cat "$T/body")"
[ "$(msg "$r2" due_at)" = "$due2" ] ||
    fail "Dev's reminder not due at $due2: $(cat "$T/body")"
[ "$(msg "$r1" channel) $(msg "$r2" channel)" = "sms sms" ] ||
    fail "not by SMS: $(cat "$T/body")"
ok "reminders by SMS due in 10 s, quiet hours $q1 and $q2"

set_clock $((due1 > due2 ? due1 : due2))
wait_progress outbox_busy 0 || fail "the outbox did not settle"
api 200 GET /outbox

# Cara: still pending, waiting for the end of her quiet hours.
st=$(msg "$r1" state)
why=$(msg "$r1" reason)
next=$(msg "$r1" next_at)
[ "$st" = pending ] || fail "Cara's reminder is $st: $(cat "$T/body")"
case $why in
*"quiet hours"*) ;;
*) fail "Cara's reminder waits for '$why', not quiet hours" ;;
esac
[ "$next" = "$end1" ] ||
    fail "Cara's reminder waits until $next, not $end1 (end of $q1)"
[ "$(msg "$r1" attempts)" = 0 ] || fail "Cara's reminder was tried"
[ "$(spool_count "$r1.*")" = 0 ] ||
    fail "an SMS in quiet hours: $(ls -R "$T/state/spool")"
TZ=Europe/London "$CONVENECTL" -s "$T/state/convened.sock" outbox \
    --person "$cara" > "$T/ctl" || fail "convenectl outbox failed"
grep -q "^$r1  *.*  *pending  *$(TZ=Europe/London date -d "@$next" \
    '+%a %Y-%m-%d %H:%M %Z')  *sms .*waiting for the end of quiet hours" \
    "$T/ctl" || fail "convenectl outbox, no next try: $(cat "$T/ctl")"
grep -q '^pending  *1$' "$T/ctl" && ! grep -q '^sent ' "$T/ctl" ||
    fail "convenectl outbox, not Cara's counts: $(cat "$T/ctl")"
ok "in quiet hours the SMS waits: '$why' until $(hhmm "$next") ($next)"

# Dev: quiet hours would outlast the meeting, so it went when due.
st=$(msg "$r2" state)
at=$(msg "$r2" attempts)
after=$(jv '[m["sent_at"] - m["due_at"] for m in d["messages"]
    if m["id"] == '"$r2"' and m["sent_at"]]')
[ "$st" = sent ] && [ "$at" = 1 ] ||
    fail "Dev's reminder is $st after $at attempts: $(cat "$T/body")"
[ -n "$after" ] && [ "$after" -ge 0 ] && [ "$after" -le 3 ] ||
    fail "Dev's reminder sent $after s after its due time"
sms="$T/state/spool/sms/$r2.1.sms"
[ -f "$sms" ] && [ "$(spool_count "$r2.*")" = 1 ] ||
    fail "Dev's SMS is not in the spool once: $(ls -R "$T/state/spool")"
grep -q '^To: +447700900125$' "$sms" || fail "Dev's SMS: $(cat "$sms")"
grep -q '^Reminder: Access audit,' "$sms" || fail "Dev's SMS: $(cat "$sms")"
[ "$(spool_count '*')" = 1 ] || fail "other files: $(ls -R "$T/state/spool")"
ok "quiet hours past the meeting's start: the SMS went when due"

# The minute Cara's quiet hours end, her SMS goes.
set_clock "$end1"
wait_progress outbox_busy 0 || fail "the outbox did not settle"
api 200 GET /outbox
[ "$(msg "$r1" state) $(msg "$r1" sent_at)" = "sent $end1" ] ||
    fail "Cara's reminder at the end of quiet hours: $(cat "$T/body")"
[ -f "$T/state/spool/sms/$r1.1.sms" ] ||
    fail "Cara's SMS is not in the spool: $(ls -R "$T/state/spool")"
ok "at the end of quiet hours ($(hhmm "$end1")) the SMS went"

healthy || fail "convened stopped answering /healthz"
stop_daemon
pass
