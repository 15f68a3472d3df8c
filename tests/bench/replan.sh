# replan.sh [--smoke] [PEOPLE]: how the event loop and /healthz fare
# while a group of PEOPLE members (default 10,000; 300 with --smoke) is
# planned again: first a weekly series is added to it, then one member
# is removed (every meeting of the group planned again).  For each change:
# how long the API took to answer and the plan to be complete (as seen
# by polling the database), the loop's latency (convened's
# convene_loop_lag_seconds histogram), and how long /healthz took to
# answer, asked every 10 ms throughout.  It checks that /healthz was
# always answered and that every reminder the change calls for is in the
# outbox at the end.
. "$(dirname "$0")/../regress/lib.sh"

N=10000
if [ "${1:-}" = --smoke ]; then
	N=300
	shift
fi
N=${1:-$N}
write_conf "max_body_size = 16777216"
printf '[outbox]\ndry_run = yes\n' >> "$T/convened.conf"
start_daemon
api() {
	curl -sS -m 600 --unix-socket "$T/state/convened.sock" "$@"
}
db() {
	sqlite3 "$T/state/convene.db" "$@"
}
# One member in ten has lead times of their own.
"$PY" - "$N" > "$T/people.csv" <<'PY'
import sys
print("name,email,lead_times")
for i in range(int(sys.argv[1])):
    print("P%d,p%d@example.org,%s" % (i, i, "P2D" if i % 10 == 0 else ""))
PY
api -X POST http://localhost/api/v1/groups \
    -d '{"slug":"bench","name":"Bench","lead_times":"P6D,P1D"}' >/dev/null
api -X POST -H 'Content-Type: text/csv' --data-binary @"$T/people.csv" \
    "http://localhost/api/v1/import/people?group=bench" > "$T/import.json"
grep -q "\"imported\": $N" "$T/import.json" || fail "import failed"

# Meetings more than 9 days ahead have every member's every reminder.
far=$(($(date +%s) + 9 * 86400))
wanted() {
	db "SELECT (SELECT count(*) FROM occurrences oc JOIN series s ON
	    s.id = oc.series_id JOIN groups g ON g.id = s.group_id WHERE
	    g.slug = 'bench' AND oc.status = 'scheduled' AND
	    oc.start_at > $far) * (SELECT sum(CASE WHEN p.lead_times IS NULL
	    THEN 2 ELSE 1 END) FROM memberships m JOIN people p ON
	    p.id = m.person_id JOIN groups g ON g.id = m.group_id WHERE
	    g.slug = 'bench')"
}
have() {
	db "SELECT count(*) FROM outbox o JOIN occurrences oc ON
	    oc.id = o.occurrence_id WHERE o.kind = 'reminder' AND
	    o.state = 'pending' AND oc.start_at > $far"
}
# A daemon that plans after answering says how much is left to do.
settled() {
	curl -fsS -m 10 "$BASE/metrics" > "$T/m" || return 1
	grep -q '^convene_plan_queue ' "$T/m" || return 0
	grep -q '^convene_plan_queue 0$' "$T/m"
}

# measure NAME CMD...: run the change CMD with /healthz asked meanwhile.
measure() {
	name=$1
	shift
	wait_for settled || fail "planning did not settle before $name"
	curl -fsS "$BASE/metrics" > "$T/before"
	rm -f "$T/stop"
	"$PY" "$top_srcdir/tests/bench/healthz_poll.py" "$PORT" "$T/stop" \
	    "$T/healthz" &
	poller=$!
	t0=$("$PY" -c 'import time; print(time.monotonic())')
	"$@" > "$T/answer" && ! grep -q '"error"' "$T/answer" ||
	    fail "$name: $(cat "$T/answer")"
	t1=$("$PY" -c 'import time; print(time.monotonic())')
	wait_progress settled_state 0 || fail "$name: planning did not end"
	w=$(wanted)
	wait_progress have "$w" || fail "$name: $(have) reminders, wanted $w"
	t2=$("$PY" -c 'import time; print(time.monotonic())')
	curl -fsS "$BASE/metrics" > "$T/after"
	touch "$T/stop"
	wait "$poller"
	grep -q 'unanswered = 0$' "$T/healthz" ||
	    fail "$name: /healthz went unanswered: $(cat "$T/healthz")"
	echo "$name: $w reminders; API answered in $("$PY" -c \
	    "print('%.0f ms' % (($t1 - $t0) * 1000))"), all planned in $("$PY" \
	    -c "print('%.1f s' % ($t2 - $t0))")"
	echo "  loop lag:  $("$PY" "$top_srcdir/tests/bench/hist.py" \
	    "$T/before" "$T/after" convene_loop_lag_seconds)"
	echo "  healthz:   $(cat "$T/healthz")"
}
settled_state() {
	settled && echo 0 || echo 1
}

start=$(TZ=Europe/London date -d '+3 days' +%Y-%m-%dT18:00:00)
measure "series added to $N members" api -X POST \
    http://localhost/api/v1/series -d "{\"group\":\"bench\",
    \"title\":\"Bench\",\"start\":\"$start\",\"rrule\":\"FREQ=WEEKLY\"}"
grep -q '"id"' "$T/answer" || fail "series: $(cat "$T/answer")"
[ "$(wanted)" -gt 0 ] || fail "no meetings more than 8 days ahead"
gone=$(db "SELECT min(person_id) FROM memberships")
measure "member removed from $N" api -X DELETE \
    "http://localhost/api/v1/groups/bench/members/$gone"
grep -q '"removed"' "$T/answer" || fail "remove: $(cat "$T/answer")"
stop_daemon
pass
