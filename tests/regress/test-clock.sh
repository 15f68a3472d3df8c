# test-clock.sh: /test/clock moves the daemon's clock only when convened
# was started with --test-clock, and only over the control socket; once
# moved, what has come due runs at once: a reminder due in an hour is
# sent, and meetings that came inside the planning horizon are planned,
# with no waiting for the outbox's or the planner's timer.  With
# --test-clock=EPOCH the clock stands at EPOCH from the start.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"

# clock_code [JSON]: POST /test/clock over the control socket; the code.
clock_code() {
	curl -sS -m 10 --unix-socket "$T/state/convened.sock" -o "$T/body" \
	    -w '%{http_code}' -X POST -d "${1:-}" \
	    http://localhost/test/clock || echo 000
}

# date_header: the daemon's time, from the Date header of a reply.
date_header() {
	d=$(curl -sS -m 10 -D - -o /dev/null "$BASE/healthz" |
	    sed -n 's/^[Dd]ate: \(.*\)\r$/\1/p')
	date -d "$d" +%s
}

write_conf "
[outbox]
horizon_days = 1"
start_daemon

# Without --test-clock: refused, saying why, and the clock runs on.
got=$(clock_code '{"advance": 86400}')
[ "$got" = 403 ] || fail "without --test-clock: $got: $(cat "$T/body")"
grep -q 'start convened with --test-clock' "$T/body" ||
    fail "no reason given: $(cat "$T/body")"
expect_code 401 POST /test/clock -d '{"advance": 86400}'
skew=$(( $(date_header) - $(date +%s) ))
[ "$skew" -ge -5 ] && [ "$skew" -le 5 ] ||
    fail "the clock moved without --test-clock: $skew s off"
ok "without --test-clock, 403 over the control socket, 401 over TCP"
stop_daemon

start_daemon --test-clock
grep -q 'test-clock.*for tests only' "$T/daemon.log" ||
    fail "no warning in the log: $(cat "$T/daemon.log")"
expect_code 401 POST /test/clock -d '{"advance": 86400}'
grep -q 'needs the control socket' "$T/body" || fail "$(cat "$T/body")"
for bad in '{"advance": -1}' '{"advance": "1"}' '{"set": 0}' \
    '{"advance": 1, "set": 1}'; do
	got=$(clock_code "$bad")
	[ "$got" = 422 ] || fail "$bad gave $got: $(cat "$T/body")"
done
got=$(clock_code '[1]')
[ "$got" = 400 ] || fail "a body not an object gave $got: $(cat "$T/body")"
skew=$(( $(date_header) - $(date +%s) ))
[ "$skew" -ge -5 ] && [ "$skew" -le 5 ] ||
    fail "a refused request moved the clock: $skew s off"
ok "over TCP 401; a bad body 422 or 400, and the clock is not moved"

# Moved on an hour, the clock runs on from there.
advance 3600
n0=$(daemon_now)
skew=$((n0 - $(date +%s) - 3600))
[ "$skew" -ge -5 ] && [ "$skew" -le 5 ] ||
    fail "moved on an hour, the clock is $skew s off that"
moved() {
	[ "$(daemon_now)" -gt "$n0" ]
}
wait_for moved || fail "the clock stopped at $n0"
ok "advanced an hour, the clock runs on from there"

# Stopped on the hour, away from midnight in London; moved on, it
# stays stopped.
t0=$(( ($(date +%s) / 86400 + 2) * 86400 + 10 * 3600 ))
set_clock "$t0"
[ "$(daemon_now)" = "$t0" ] ||
    fail "set to $t0, the daemon says $(cat "$T/clock")"
[ "$(date_header)" = "$t0" ] || fail "the Date header is not $t0"
advance 90
[ "$(daemon_now)" = $((t0 + 90)) ] || fail "not moved on: $(cat "$T/clock")"
ok "set to $t0 and moved on 90 s; the Date header follows"

# A daily meeting four hours on, reminded an hour before.
api 201 POST /groups '{"slug": "access", "name": "Access Forum",
    "lead_times": "PT1H"}'
api 201 POST /people '{"name": "Ann Smith", "email": "ann@example.org"}'
ann=$(jv 'd["id"]')
api 201 POST /groups/access/members "{\"person\": $ann}"
start=$((t0 + 4 * 3600))
local=$(TZ=Europe/London date -d "@$start" +%Y-%m-%dT%H:%M:%S)
api 201 POST /series "{\"group\": \"access\", \"title\": \"Access audit\",
    \"start\": \"$local\", \"duration_minutes\": 60,
    \"rrule\": \"FREQ=DAILY\"}"
api 200 GET /outbox
r=$(ids 'm["due_at"] == '"$((start - 3600))"' and m["state"] == "pending"')
[ -n "$r" ] && [ "$(jv 'len(d["messages"])')" = 1 ] ||
    fail "one reminder due at $((start - 3600)) wanted: $(cat "$T/body")"

# Three hours on, it is due: sent at once.
advance $((3 * 3600 - 90))
wait_progress "out_row $ann $r state" sent ||
    fail "not sent when due: $(cat "$T/body")"
[ "$(out_row "$ann" "$r" sent_at)" = $((start - 3600)) ] ||
    fail "not sent at its due time: $(cat "$T/body")"
[ -f "$T/state/spool/mail/$r.1.eml" ] ||
    fail "not in the spool: $(ls -R "$T/state/spool")"
ok "advanced to the due time, the reminder went at once"

# rows: how many outbox rows there are.
rows() {
	api 200 GET /outbox
	jv 'len(d["messages"])'
}
# Nearly a day on, the next day's meeting is inside the horizon, its
# reminder half an hour away: planned.
n=$(rows)
advance $((86400 - 1800))
wait_progress rows $((n + 1)) ||
    fail "the next day's meeting was not planned: $(cat "$T/body")"
api 200 GET /outbox
[ "$(ids 'm["due_at"] == '"$((start + 86400 - 3600))"' and
    m["state"] == "pending"')" != "" ] ||
    fail "no reminder for the next day's meeting: $(cat "$T/body")"
ok "advanced nearly a day, the next meeting was planned at once"

# Started at a time of the test's: the reminder's meeting has begun by
# then, so it is missed as the daemon starts, with nothing asked.
r2=$(ids 'm["due_at"] == '"$((start + 86400 - 3600))")
stop_daemon
t1=$((start + 2 * 86400))
start_daemon --test-clock="$t1"
[ "$(daemon_now)" = "$t1" ] || fail "started at $(cat "$T/clock"), not $t1"
wait_progress "out_row $ann $r2 state" missed ||
    fail "not missed at the start: $(cat "$T/body")"
ok "started with --test-clock=$t1, the clock stands there from the start"

healthy || fail "convened stopped answering /healthz"
stop_daemon
pass
