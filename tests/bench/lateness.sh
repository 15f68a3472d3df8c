# lateness.sh [PEOPLE] [SPREAD]: PEOPLE reminders (default 10,000) due
# within SPREAD seconds (default 60: the same minute; 1: the same second),
# sent through the null channel.  Prints how late each was handed to its
# channel (p50, p99) and, over the same window, the event loop's own
# latency, both from convened's /metrics histograms.
. "$(dirname "$0")/../regress/lib.sh"

N=${1:-10000}
SPREAD=${2:-60}
write_conf "max_body_size = 16777216"
printf '[outbox]\ndry_run = yes\n' >> "$T/convened.conf"
start_daemon
api() {
	curl -sS -m 300 --unix-socket "$T/state/convened.sock" "$@"
}
# Each person's own lead: 10 minutes plus 0 to SPREAD-1 seconds.
"$PY" - "$N" "$SPREAD" > "$T/people.csv" <<'PY'
import sys
n, spread = int(sys.argv[1]), int(sys.argv[2])
print("name,email,lead_times")
for i in range(n):
    print("P%d,p%d@example.org,PT%dS" % (i, i, 600 + i % spread))
PY
api -X POST http://localhost/api/v1/groups \
    -d '{"slug":"bench","name":"Bench","lead_times":"PT10M"}' >/dev/null
api -X POST -H 'Content-Type: text/csv' --data-binary @"$T/people.csv" \
    "http://localhost/api/v1/import/people?group=bench" > "$T/import.json"
grep -q "\"imported\": $N" "$T/import.json" || fail "import failed"
# The first reminders fall due 15 s after the series is made.
lead=$((15 + SPREAD))
start=$(TZ=Europe/London date -d "+$((600 + lead)) seconds" \
    +%Y-%m-%dT%H:%M:%S)
api -X POST http://localhost/api/v1/series -d "{\"group\":\"bench\",
    \"title\":\"Bench\",\"start\":\"$start\"}" >/dev/null
curl -s "$BASE/metrics" > "$T/before"
i=0
while :; do
	sent=$(sqlite3 "$T/state/convene.db" \
	    "SELECT count(*) FROM outbox WHERE state = 'sent'")
	[ "$sent" -ge "$N" ] && break
	i=$((i + 1))
	[ "$i" -lt $((10 * (lead + 120))) ] || fail "only $sent of $N sent"
	sleep 0.1
done
curl -s "$BASE/metrics" > "$T/after"
echo "lateness: $N reminders due within $SPREAD s, null channel"
echo "  lateness:  $("$PY" "$top_srcdir/tests/bench/hist.py" "$T/before" \
    "$T/after" convene_outbox_lateness_seconds)"
echo "  loop lag:  $("$PY" "$top_srcdir/tests/bench/hist.py" "$T/before" \
    "$T/after" convene_loop_lag_seconds)"
stop_daemon
pass
