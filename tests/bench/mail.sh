# mail.sh [--smoke] [N]: email throughput into a real SMTP server on
# loopback (aiosmtpd, keeping only a count), convened against msmtp.
#
# convened: N members (default 2000) each with a reminder due in the same
# second, timed from that second until /metrics counts N more sent; three
# runs, each a new meeting.  msmtp: the same message (the first convened
# sent, as the server received it) to as many recipients, one msmtp
# process a message one after the other, as a cron script would; its rate
# does not depend on the count, so it sends MSMTP_N of them (default 300)
# a run to keep the benchmark short.  Prints messages a second for each,
# the ratio, and medians over the runs.  --smoke: 100 messages, one run.
. "$(dirname "$0")/../regress/lib.sh"
. "$(dirname "$0")/../regress/mail-lib.sh"

N=2000
RUNS=3
MN=${MSMTP_N:-300}
if [ "${1:-}" = --smoke ]; then
	N=100
	RUNS=1
	MN=20
	shift
fi
N=${1:-$N}
[ "$MN" -le "$N" ] || MN=$N
command -v msmtp >/dev/null 2>&1 || skip "msmtp is not installed"

smtpd_start smtp --discard
write_mail_conf "smtp://127.0.0.1:$SMTP_PORT/convene.test"
sed -i -e 's/^log_level = debug$/log_level = info/' \
    -e 's/^timeout = 2$/timeout = 60/' \
    -e "s/^listen = .*/&\nmax_body_size = 16777216/" "$T/convened.conf"
start_daemon
api() {
	curl -sS -m 300 --unix-socket "$T/state/convened.sock" "$@"
}
"$PY" - "$N" > "$T/people.csv" <<'PY'
import sys
print("name,email")
for i in range(int(sys.argv[1])):
    print("Member %d,m%d@example.org" % (i, i))
PY
api -X POST http://localhost/api/v1/groups \
    -d '{"slug":"bench","name":"Bench","lead_times":"PT10M"}' >/dev/null
api -X POST -H 'Content-Type: text/csv' --data-binary @"$T/people.csv" \
    "http://localhost/api/v1/import/people?group=bench" > "$T/import.json"
grep -q "\"imported\": $N" "$T/import.json" || fail "import failed"

# sent_after DUE TARGET: seconds from DUE until /metrics counts TARGET sent.
sent_after() {
	"$PY" - "$BASE/metrics" "$1" "$2" <<'PY'
import re, sys, time, urllib.request
url, due, target = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
pat = re.compile(rb'^convene_outbox_settled_total\{outcome="sent"\} (\d+)$',
                 re.M)
deadline = time.time() + 600
while time.time() < deadline:
    m = pat.search(urllib.request.urlopen(url, timeout=10).read())
    if m and int(m.group(1)) >= target:
        print("%.3f" % (time.time() - due))
        sys.exit(0)
    time.sleep(0.005)
sys.exit(1)
PY
}

# rate COUNT SECONDS
rate() {
	"$PY" -c 'import sys
print("%.1f" % (int(sys.argv[1]) / float(sys.argv[2])))' "$1" "$2"
}

median() {
	"$PY" -c 'import statistics, sys
print("%.1f" % statistics.median(float(x) for x in sys.argv[1:]))' "$@"
}

echo "mail: $N messages a run to aiosmtpd on loopback, convened with" \
    "max_connections = 4; msmtp $MN a run"
sent=0
cv_rates=
ms_rates=
run=1
while [ "$run" -le "$RUNS" ]; do
	due=$(($(date +%s) + 3))
	start=$(TZ=Europe/London date -d "@$((due + 600))" +%Y-%m-%dT%H:%M:%S)
	api -X POST http://localhost/api/v1/series -d "{\"group\":\"bench\",
	    \"title\":\"Bench run $run\",\"start\":\"$start\"}" >/dev/null
	sent=$((sent + N))
	secs=$(sent_after "$due" "$sent") || fail "not all $N sent in run $run"
	cv=$(rate "$N" "$secs")
	cv_rates="$cv_rates $cv"
	if [ "$run" = 1 ]; then
		sleep 0.3	# stats.json is written every 0.2 s
		most=$(smtp_stat smtp max_open)
	fi

	[ -s "$T/smtp/new/1.eml" ] || fail "the server kept no message"
	t0=$(date +%s.%N)
	i=0
	while [ "$i" -lt "$MN" ]; do
		msmtp --host=127.0.0.1 --port="$SMTP_PORT" \
		    --from=convene@convene.test "m$i@example.org" \
		    < "$T/smtp/new/1.eml" || fail "msmtp failed"
		i=$((i + 1))
	done
	t1=$(date +%s.%N)
	ms=$(rate "$MN" "$("$PY" -c "print($t1 - $t0)")")
	ms_rates="$ms_rates $ms"
	echo "  run $run: convened $N in $secs s: $cv/s;" \
	    "msmtp $MN in $("$PY" -c "print('%.2f' % ($t1 - $t0))") s: $ms/s"
	run=$((run + 1))
done
sleep 0.5
want=$((RUNS * (N + MN)))
[ "$(smtp_stat smtp messages)" -ge "$want" ] ||
    fail "the server counted $(smtp_stat smtp messages), not $want"
cvm=$(median $cv_rates)
msm=$(median $ms_rates)
echo "mail: median convened $cvm messages/s, msmtp $msm messages/s:" \
    "$("$PY" -c "print('%.0f' % ($cvm / $msm))")x (the goal: 30x)"
# Every msmtp process is one connection; convened's are the rest.
echo "mail: convened used $(($(smtp_stat smtp connections) - RUNS * MN))" \
    "connections for $((RUNS * N)) messages, at most $most at once"
stop_daemon
pass
