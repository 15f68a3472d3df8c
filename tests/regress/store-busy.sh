# store-busy.sh: another program (the sqlite3 shell) holds the database's
# write lock for several seconds.  convened never waits for it on the
# loop: /healthz keeps answering at once, an API write is refused with
# 503, Retry-After and the reason, and the reminders that fall due
# meanwhile, and the planning at start-up, wait and are done once the
# lock is gone, each reminder sent exactly once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"

command -v sqlite3 >/dev/null || skip "no sqlite3 shell"
write_conf
printf '[outbox]\nhorizon_days = 365\n' >> "$T/convened.conf"
# The test moves the clock on to the due time; the rest runs in real time.
start_daemon --test-clock
DB=$T/state/convene.db

# lock: BEGIN IMMEDIATE in a sqlite3 shell fed through a fifo, which
# holds the write lock until unlock stops it by PID.
LOCK_PID=
stop_lock() {
	rc=$?
	if [ -n "$LOCK_PID" ]; then
		kill "$LOCK_PID" 2>/dev/null || true
	fi
	if [ "$rc" -eq 0 ]; then
		cleanup
	else
		(exit "$rc") || cleanup
	fi
}
trap stop_lock EXIT
lock() {
	rm -f "$T/lock.fifo" "$T/lock.out"
	mkfifo "$T/lock.fifo"
	sqlite3 "$DB" < "$T/lock.fifo" > "$T/lock.out" 2>&1 &
	LOCK_PID=$!
	exec 7> "$T/lock.fifo"
	printf '.timeout 10000\nBEGIN IMMEDIATE;\nSELECT '"'"'locked'"'"';\n' >&7
	wait_for grep -q '^locked$' "$T/lock.out" ||
	    fail "the sqlite3 shell did not lock: $(cat "$T/lock.out")"
}
unlock() {
	kill "$LOCK_PID"
	wait "$LOCK_PID" 2>/dev/null || true
	LOCK_PID=
	exec 7>&-
}

# healthz_fast: /healthz answered within half a second, a few times.
healthz_fast() {
	for i in 1 2 3 4 5; do
		t=$(curl -sS -m 10 -o "$T/healthz" -w '%{time_total}' \
		    "$BASE/healthz") || fail "/healthz did not answer"
		"$PY" -c "import sys; sys.exit(0 if $t < 0.5 else 1)" ||
		    fail "/healthz took $t s while the database was locked"
	done
}

api 201 POST /groups '{"slug": "access", "name": "Access Group",
    "lead_times": "PT30S"}'
for who in ann bob cat; do
	api 201 POST /people "{\"name\": \"$who\",
	    \"email\": \"$who@example.org\"}"
	api 201 POST /groups/access/members "{\"person\": $(jv 'd["id"]')}"
done
t0=$(daemon_now)
start=$((t0 + 40))
due=$((start - 30))
local=$(TZ=Europe/London date -d "@$start" +%Y-%m-%dT%H:%M:%S)
api 201 POST /series "{\"group\": \"access\", \"title\": \"Access audit\",
    \"start\": \"$local\", \"duration_minutes\": 60}"
planned
api 200 GET /outbox
[ "$(ids 'm["state"] == "pending" and m["due_at"] == '"$due")" != "" ] &&
    [ "$(jv 'len(d["messages"])')" = 3 ] ||
    fail "three reminders due at $due wanted: $(cat "$T/body")"

lock
[ "$(daemon_now)" -lt $((due - 1)) ] || fail "too slow: the reminders are due"
ok "the write lock is held before the reminders are due"

# A write: refused at once, with when to try again and why.
t=$(curl -sS -m 10 --unix-socket "$T/state/convened.sock" -D "$T/headers" \
    -o "$T/body" -w '%{http_code} %{time_total}' \
    -H 'Content-Type: application/json' \
    -d '{"name": "Dee", "email": "dee@example.org"}' \
    http://localhost/api/v1/people)
set -- $t
[ "$1" = 503 ] || fail "a write under the lock gave $1: $(cat "$T/body")"
"$PY" -c "import sys; sys.exit(0 if $2 < 0.5 else 1)" ||
    fail "the refusal took $2 s"
grep -qi '^Retry-After: 1' "$T/headers" ||
    fail "no Retry-After: $(cat "$T/headers")"
grep -q '"reason": "database: busy: another program is writing to it' \
    "$T/body" || fail "no reason: $(cat "$T/body")"
ok "a write under the lock: 503 in $2 s, Retry-After and the reason"

# The reminders fall due under the lock (the clock moved on 2 s past
# their due time): for 2 s more nothing is sent, nothing stalls.
advance_to $((due + 2))
until=$(($(date +%s) + 2))
while [ "$(date +%s)" -le "$until" ]; do
	healthz_fast
done
[ "$(spool_count '*')" = 0 ] || fail "sent while the database was locked"
api 200 GET /outbox
[ "$(ids 'm["state"] == "pending"' | wc -w)" = 3 ] ||
    fail "not all pending under the lock: $(cat "$T/body")"
ok "/healthz answered within 0.5 s while the reminders fell due"

unlock
sent() {
	[ "$(spool_count '*.eml')" = 3 ]
}
wait_long sent || fail "not sent after the lock: $(spool_count '*.eml')"
all_sent() {
	api 200 GET /outbox
	[ "$(ids 'm["state"] == "sent" and m["attempts"] == 1' | wc -w)" = 3 ]
}
wait_for all_sent || fail "not each sent once: $(cat "$T/body")"
[ "$(spool_count '*.2.*')" = 0 ] || fail "a second attempt reached the spool"
api 201 POST /people '{"name": "Dee", "email": "dee@example.org"}'
ok "after the lock: the three reminders sent once, the write done"

# The planner under the lock: a weekly series' reminders are lost (as a
# crash in the middle of planning them would lose them), the daemon
# restarts, and the lock is taken before its pass at start-up, a second
# after it is ready.  The pass waits for the lock, /healthz does not, and
# once the lock goes every reminder is planned again.
"$PY" - > "$T/people.csv" <<'PY'
print("name,email")
for i in range(200):
    print("P%d,p%d@example.org" % (i, i))
PY
api 201 POST /groups '{"slug": "big", "name": "Big Group",
    "lead_times": "P1D"}'
curl -sS -m 120 --unix-socket "$T/state/convened.sock" -o "$T/body" \
    -H 'Content-Type: text/csv' --data-binary @"$T/people.csv" \
    "http://localhost/api/v1/import/people?group=big"
grep -q '"imported": 200' "$T/body" || fail "import: $(cat "$T/body")"
local=$(TZ=Europe/London date -d '+3 days' +%Y-%m-%dT18:00:00)
api 201 POST /series "{\"group\": \"big\", \"title\": \"Weekly\",
    \"start\": \"$local\", \"rrule\": \"FREQ=WEEKLY\"}"
series=$(jv 'd["id"]')
planned
far=$(($(date +%s) + 86400 + 600))
want=$(($(sqlite3 "$DB" "SELECT count(*) FROM occurrences WHERE
    series_id = $series AND status = 'scheduled' AND start_at > $far") * 200))
weekly() {
	sqlite3 "$DB" "SELECT count(*) FROM outbox o JOIN occurrences oc ON
	    oc.id = o.occurrence_id WHERE oc.series_id = $series AND
	    oc.start_at > $far AND o.kind = 'reminder' AND
	    o.state = 'pending'"
}
[ "$want" -gt 0 ] && [ "$(weekly)" = "$want" ] ||
    fail "$(weekly) reminders for the weekly series, wanted $want"
answers() {
	curl -fsS -m 2 -o /dev/null "$BASE/healthz"
}
# A busy machine may be slower than the second: then again.
tries=0
while :; do
	tries=$((tries + 1))
	[ "$tries" -le 5 ] || fail "the pass at start-up always came first"
	stop_daemon
	sqlite3 "$DB" "DELETE FROM outbox WHERE occurrence_id IN (SELECT id
	    FROM occurrences WHERE series_id = $series)"
	from=$(($(wc -l < "$T/daemon.log") + 1))
	"$CONVENED" -d -f "$T/convened.conf" 2>>"$T/daemon.log" &
	DAEMON_PID=$!
	wait_for answers || fail "convened did not start"
	lock
	n=$(weekly)
	[ "$n" = 0 ] && break
	echo "the pass at start-up came first ($n reminders): again"
	unlock
done
busy_planning() {
	tail -n "+$from" "$T/daemon.log" | grep -q "planning s[0-9]*: .*locked"
}
wait_for busy_planning || fail "the planner did not meet the lock"
healthz_fast
q=$(plan_queue)
[ "$q" -gt 0 ] || fail "nothing waits to be planned: '$q'"
[ "$(weekly)" = 0 ] || fail "planned under the lock"
ok "the pass at start-up waits for the lock; /healthz answers"
unlock
planned
[ "$(weekly)" = "$want" ] ||
    fail "$(weekly) reminders planned again for the weekly series, wanted $want"
ok "the lock gone, all $want reminders of the weekly series planned again"

stop_daemon
pass
