# crash.sh: kill -9 the daemon at 50 random moments while it sends 10,000
# reminders through the spool, restarting it each time.  At the end every
# reminder is sent, none is lost, and every duplicate file belongs to a
# row that was in flight at a kill (claimed more than once).
. "$(dirname "$0")/lib.sh"

N=${CRASH_PEOPLE:-10000}
KILLS=${CRASH_KILLS:-50}
write_conf "max_body_size = 4194304"
printf '[outbox]\nbatch = 64\n' >> "$T/convened.conf"
# The daemon's clock is the test's: it stands still until moved.
t0=$(date +%s)
start_daemon --test-clock="$t0"
api() {
	curl -sS -m 120 --unix-socket "$T/state/convened.sock" "$@"
}

"$PY" - "$N" > "$T/people.csv" <<'PY'
import sys
n = int(sys.argv[1])
print("name,email")
for i in range(n):
    print("Member %d,m%d@example.org" % (i, i))
PY
api -X POST http://localhost/api/v1/groups \
    -d '{"slug":"crash","name":"Crash test group","lead_times":"PT10M"}' \
    > "$T/group.json"
grep -q '"slug": "crash"' "$T/group.json" || fail "group: $(cat "$T/group.json")"
api -X POST -H 'Content-Type: text/csv' --data-binary @"$T/people.csv" \
    "http://localhost/api/v1/import/people?group=crash" > "$T/import.json"
grep -q "\"imported\": $N" "$T/import.json" ||
    fail "import: $(head -c 500 "$T/import.json")"
# The meeting 10 min 8 s ahead: every reminder falls due in 8 seconds,
# when the clock is moved on there.
due=$((t0 + 8))
start=$(TZ=Europe/London date -d "@$((due + 600))" +%Y-%m-%dT%H:%M:%S)
api -X POST http://localhost/api/v1/series -d "{\"group\":\"crash\",
    \"title\":\"Crash test\",\"start\":\"$start\"}" > "$T/series.json"
grep -q '"id"' "$T/series.json" || fail "series: $(cat "$T/series.json")"
planned
planned=$(sqlite3 "$T/state/convene.db" \
    "SELECT count(*) FROM outbox WHERE kind = 'reminder'")
[ "$planned" = "$N" ] || fail "$planned reminders planned, wanted $N"
ok "$N reminders planned"
set_clock "$due"

pending() {
	sqlite3 "$T/state/convene.db" \
	    "SELECT count(*) FROM outbox WHERE state IN ('pending','sending')"
}
sending() {
	[ "$(sqlite3 "$T/state/convene.db" "SELECT count(*) FROM outbox
	    WHERE state IN ('sending', 'sent')")" -gt 0 ]
}
# Wait until sending has begun, then kill at random moments, each from
# 10 to 60 ms into a run (start-up takes a few), until all are sent.
wait_for sending || fail "nothing was sent: $(pending) pending"
kills=0
while [ "$kills" -lt "$KILLS" ] && [ "$(pending)" != 0 ]; do
	kill -KILL "$DAEMON_PID" 2>/dev/null || true
	wait "$DAEMON_PID" 2>/dev/null || true
	kills=$((kills + 1))
	"$CONVENED" -d -f "$T/convened.conf" --test-clock="$due" \
	    2>>"$T/daemon.log" &
	DAEMON_PID=$!
	r=$(od -An -N1 -tu1 /dev/urandom | tr -d ' ')
	sleep "0.0$((10 + r % 50))"
done
wait_for healthy || fail "convened did not come back"
ok "$kills kills; $(pending) rows left in flight or pending"
# However slow the machine, the rows left drain while any still move.
wait_progress pending 0 || fail "rows still pending: $(pending)"
stop_daemon

[ "$kills" -ge 5 ] || fail "only $kills kills landed while sending"
sent=$(sqlite3 "$T/state/convene.db" \
    "SELECT count(*) FROM outbox WHERE state = 'sent'")
[ "$sent" = "$N" ] || fail "$sent of $N sent"

# Files: one per attempt; every row has the file of its last attempt.
ls "$T/state/spool/mail" | grep '\.eml$' | sed 's/\.eml$//' |
    awk -F. '{ print $1 "|" $2 }' | sort > "$T/files"
sqlite3 "$T/state/convene.db" "SELECT id || '|' || attempts FROM outbox" |
    sort > "$T/rows"
missing=$(comm -23 "$T/rows" "$T/files" | wc -l)
[ "$missing" -eq 0 ] || fail "$missing rows have no file for their last attempt"
files=$(wc -l < "$T/files")
dups=$((files - N))
# A duplicate is a file of an earlier attempt: its row was claimed again.
sqlite3 "$T/state/convene.db" \
    "SELECT id FROM outbox WHERE attempts > 1" | sort > "$T/reclaimed"
cut -d'|' -f1 "$T/files" | sort | uniq -d > "$T/duplicated"
stray=$(comm -23 "$T/duplicated" "$T/reclaimed" | wc -l)
[ "$stray" -eq 0 ] || fail "$stray duplicates of rows never claimed twice"
r=$(sqlite3 "$T/state/convene.db" 'PRAGMA integrity_check')
[ "$r" = ok ] || fail "integrity_check: $r"
inflight=$(grep -c 'messages were in flight' "$T/daemon.log" || true)
ok "$inflight of the kills found messages in flight"
ok "$N sent, none lost; $dups duplicate files over $kills kills, each of a row in flight at a kill ($(wc -l < "$T/reclaimed") rows claimed twice or more)"
pass
