# outbox-downtime.sh: reminders fall due while convened is stopped.  On
# restart, one whose meeting is still ahead is sent once and marked late
# (a minute or more past due); one whose meeting has begun is recorded as
# missed and never sent.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"

# The daemon's clock is the test's: it stands at t1 and is moved on.
t1=$(date +%s)
start_daemon --test-clock="$t1"

api 201 POST /groups '{"slug": "transport", "name": "Transport Group",
    "lead_times": "PT77S"}'
api 201 POST /groups '{"slug": "housing", "name": "Housing Group",
    "lead_times": "PT8S"}'
api 201 POST /people '{"name": "Ann Smith", "email": "ann@example.org"}'
ann=$(jv 'd["id"]')
api 201 POST /groups/transport/members "{\"person\": $ann}"
api 201 POST /groups/housing/members "{\"person\": $ann}"

# Late means a minute or more past due, so A is due at +8 s and begins at
# +85 s; B is due at +10 s and begins at +18 s.  Stopped at once,
# restarted at +73 s: past both due times and B's start, 65 s after A's
# due time, 12 s before A begins.
startA=$((t1 + 85))
dueA=$((startA - 77))
startB=$((t1 + 18))
dueB=$((startB - 8))
lA=$(TZ=Europe/London date -d "@$startA" +%Y-%m-%dT%H:%M:%S)
lB=$(TZ=Europe/London date -d "@$startB" +%Y-%m-%dT%H:%M:%S)
api 201 POST /series "{\"group\": \"transport\", \"title\": \"Meeting A\",
    \"start\": \"$lA\", \"duration_minutes\": 60}"
api 201 POST /series "{\"group\": \"housing\", \"title\": \"Meeting B\",
    \"start\": \"$lB\", \"duration_minutes\": 60}"
planned
api 200 GET /outbox
ra=$(ids 'm["due_at"] == '"$dueA"' and m["state"] == "pending"')
rb=$(ids 'm["due_at"] == '"$dueB"' and m["state"] == "pending"')
set -- $ra $rb
[ $# -eq 2 ] && [ "$(jv 'len(d["messages"])')" = 2 ] ||
    fail "reminders due at $dueA and $dueB wanted: $(cat "$T/body")"

# Stopped before either is due (the clock stood still).
[ "$(daemon_now)" = "$t1" ] || fail "the clock moved: $(cat "$T/clock")"
stop_daemon
r=$(sqlite3 -readonly "$T/state/convene.db" "SELECT group_concat(state ||
    ':' || attempts, ' ') FROM outbox WHERE id IN ($ra, $rb)")
[ "$r" = "pending:0 pending:0" ] || fail "after the stop the rows are: $r"
[ "$(spool_count '*')" = 0 ] ||
    fail "sent before its time: $(ls -R "$T/state/spool")"
ok "stopped with both reminders pending, none sent"

start_daemon --test-clock=$((dueA + 65))

# settled: neither reminder is pending or in flight any more.
settled() {
	api 200 GET /outbox
	[ "$(ids 'm["state"] in ("pending", "sending")')" = "" ]
}
wait_for settled || fail "not settled after the restart: $(cat "$T/body")"
sleep 2
api 200 GET /outbox

st=$(msg "$ra" state)
[ "$st" = sent ] || fail "A's reminder is $st: $(cat "$T/body")"
[ "$(msg "$ra" late)" = 1 ] ||
    fail "A's reminder, sent over a minute past due, is not late"
[ "$(msg "$ra" attempts)" = 1 ] ||
    fail "A's reminder took $(msg "$ra" attempts) attempts"
eml="$T/state/spool/mail/$ra.1.eml"
[ -f "$eml" ] && [ "$(spool_count "$ra.*")" = 1 ] ||
    fail "A's reminder not in the spool once: $(ls -R "$T/state/spool")"
grep -q '^Subject: Reminder: Meeting A on ' "$eml" ||
    fail "A's email: $(cat "$eml")"
ok "A's reminder sent once after the restart, marked late"

st=$(msg "$rb" state)
why=$(msg "$rb" reason)
[ "$st" = missed ] || fail "B's reminder is $st, not missed: $(cat "$T/body")"
case $why in
*"had begun"*) ;;
*) fail "B's reminder missed for '$why'" ;;
esac
[ "$(msg "$rb" attempts)" = 0 ] || fail "B's reminder was tried"
[ "$(spool_count "$rb.*")" = 0 ] ||
    fail "B's reminder reached the spool: $(ls -R "$T/state/spool")"
[ "$(spool_count '*')" = 1 ] || fail "other files: $(ls -R "$T/state/spool")"
ok "B's reminder recorded as missed: $why"

healthy || fail "convened stopped answering /healthz"
stop_daemon
pass
