# rsvp.sh [--smoke]: durable answers by link.  A group of 2,000 members
# and a meeting; each member's signed link.  In one run, with wrk
# -t1 -c64 on the same daemon binary and configuration (synchronous =
# FULL):
#   healthz    GET /healthz, the anchor;
#   page       GET of the page to answer, as a browser asks for it
#              before answering (and, with ?saved=1, after);
#   group      POST of an answer, committed in groups (the daemon),
#              told 303 See Other once it is on disk;
#   each       POST of an answer, each committed alone (the daemon
#              started with --test-commit-each);
#   tmpfs      as group, with the state directory copied to /dev/shm,
#              where an fsync costs nothing: the answers without the
#              price of durability.
# Five rounds, alternating, each load 10 s; then the medians, p50 and
# p99 latency, the answers a commit held on average, and the ratios, of
# the medians and each round's.
# Every answer a load was told was recorded must be in the database.
# --smoke: 200 members, one round of 2 s, for make check; it checks that
# the answers were recorded, not how fast.
. "$(dirname "$0")/../regress/lib.sh"

DUR=10
ROUNDS=5
MEMBERS=2000
if [ "${1:-}" = --smoke ]; then
	DUR=2
	ROUNDS=1
	MEMBERS=200
fi
CONNS=64
command -v wrk >/dev/null 2>&1 || skip "wrk is not installed"
command -v sqlite3 >/dev/null 2>&1 || skip "sqlite3 is not installed"
LUA=$(dirname "$0")/rsvp.lua
DB=$T/state/convene.db
SHM=

write_conf
# Warnings only: a line a request would be part of what is measured.
sed -i 's/^log_level = debug$/log_level = warning/' "$T/convened.conf"
start_daemon

ctl() {
	"$CONVENECTL" -s "$T/state/convened.sock" "$@"
}

ctl group add dp "Direct Payments Steering Group" >/dev/null ||
    fail "group add"
"$PY" -c 'import sys
print("name,email,channels")
for i in range(int(sys.argv[1])):
    print("Member %d,m%d@example.org,feed" % (i, i))' "$MEMBERS" \
    > "$T/people.csv"
ctl import people "$T/people.csv" --group dp >/dev/null ||
    fail "import people"
ctl venue add "Town Hall" --address "1 High Street, Anytown, AB1 2CD" \
    --step-free --hearing-loop >/dev/null || fail "venue add"
ctl series add dp "Steering group" \
    "$(TZ=Europe/London date -d "+3 days" +%Y-%m-%dT18:00)" --venue 1 \
    >/dev/null || fail "series add"
occ=$(ctl -j occurrence list --days 30 | "$PY" -c 'import json, sys
print(json.load(sys.stdin)["occurrences"][0]["id"])') || fail "occurrence"

# Each member's link, signed as messages sign it.
sqlite3 -readonly "$DB" "SELECT id FROM people ORDER BY id" > "$T/people"
"$PY" - "$T/state/signing.key" "$occ" "$T/people" > "$T/links" <<'PYEOF'
import base64, hashlib, hmac, sys, time
key = bytes.fromhex(open(sys.argv[1]).read().strip())
exp = int(time.time()) + 7 * 86400
for person in open(sys.argv[3]).read().split():
    subject = "%s.%s" % (person, sys.argv[2])
    mac = hmac.new(key, b"rsvp:%s:%d" % (subject.encode(), exp),
        hashlib.sha512).digest()[:16]
    print("/rsvp/%s.%d.%s" % (subject, exp,
        base64.urlsafe_b64encode(mac).decode().rstrip("=")))
PYEOF
[ "$(wc -l < "$T/links")" -eq "$MEMBERS" ] || fail "links"
code=$(curl -sS -o "$T/body" -w '%{http_code}' -X POST \
    -d answer=yes "$BASE$(head -n 1 "$T/links")") || code=000
[ "$code" = 303 ] || fail "a link's POST gave $code"

# answers: rows in the answers table.
answers() {
	sqlite3 -readonly "$DB" "SELECT count(*) FROM answers"
}

# counter NAME: a counter of /metrics.
counter() {
	curl -fsS -m 10 "$BASE/metrics" | awk -v n="$1" '$1 == n { print $2 }'
}

# load NAME ROUND URL [GET|POST]: wrk's figures into $T/fig.NAME.
load() {
	out=$T/wrk.$1.$2
	if [ -n "${4:-}" ]; then
		before=$(answers)
		c0=$(counter convene_store_batch_commits_total)
		wrk -t1 -c$CONNS -d"${DUR}s" --latency -s "$LUA" "$BASE" \
		    -- "$T/links" "$4" > "$out" 2>&1 || fail "wrk $1: $(cat "$out")"
	else
		wrk -t1 -c$CONNS -d"${DUR}s" --latency "$3" > "$out" 2>&1 ||
		    fail "wrk $1: $(cat "$out")"
	fi
	# A reply later than wrk's 2 s is a time-out: a stall of this
	# shared machine, said but not failed; anything else fails.
	errs=$(grep -E 'Non-2xx|Socket errors: (connect|.*read|.*write) [1-9]' \
	    "$out" || true)
	[ -z "$errs" ] || fail "wrk $1: $errs"
	grep -E 'timeout [1-9]' "$out" | sed "s/^ */$1 round $2: /" || true
	n=$(awk '/requests in/ { print $1 }' "$out")
	if [ "${4:-}" = POST ]; then
		# Every reply said recorded; in flight at the end or given
		# up by wrk, maybe more.
		got=$(($(answers) - before))
		late=$(sed -n 's/.*timeout \([0-9]*\).*/\1/p' "$out")
		[ "$got" -ge "$n" ] &&
		    [ "$got" -le $((n + CONNS + ${late:-0})) ] ||
		    fail "$1: $n answers told recorded, $got in the database"
		per=$(($(counter convene_store_batch_commits_total) - c0))
		# Counted after the rows: one answer a commit is at most 1.
		[ "$1" != each ] || [ "$per" -ge "$got" ] ||
		    fail "each: $got answers in $per commits"
		per=$("$PY" -c 'import sys
print("%.1f" % (int(sys.argv[1]) / max(int(sys.argv[2]), 1)))' "$got" "$per")
	else
		per=-
	fi
	awk -v name="$1" -v per="$per" '/^Requests\/sec:/ { r = $2 }
	    $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
	    END { print name, r, p50, p99, per }' "$out" >> "$T/figures"
}

# restart [ARGS]: the same binary and database, started again.
restart() {
	stop_daemon
	start_daemon "$@"
}

# on_tmpfs: the daemon again, on a copy of its state directory in
# /dev/shm; on_disk: back on the disk.
on_tmpfs() {
	stop_daemon
	if [ -z "$SHM" ]; then
		SHM=$(mktemp -d /dev/shm/convene-bench.XXXXXX)
		cp -p "$T/state/convene.db" "$T/state/signing.key" "$SHM/"
		cp "$T/convened.conf" "$T/convened.conf.disk"
		sed "s|^state_directory = .*|state_directory = $SHM|" \
		    "$T/convened.conf.disk" > "$T/convened.conf.tmpfs"
	fi
	cp "$T/convened.conf.tmpfs" "$T/convened.conf"
	DB=$SHM/convene.db
	start_daemon
}
on_disk() {
	stop_daemon
	cp "$T/convened.conf.disk" "$T/convened.conf"
	DB=$T/state/convene.db
	start_daemon
}
trap 'rc=$?; [ -z "$SHM" ] || rm -rf "$SHM"; (exit $rc); cleanup' EXIT

: > "$T/figures"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	load healthz "$r" "$BASE/healthz"
	load page "$r" "" GET
	load group "$r" "" POST
	restart --test-commit-each
	load each "$r" "" POST
	on_tmpfs
	load tmpfs "$r" "" POST
	on_disk
	r=$((r + 1))
done
stop_daemon

echo "convened, $MEMBERS members, one meeting; wrk -t1 -c$CONNS" \
    "-d${DUR}s, $ROUNDS rounds; nproc $(nproc); synchronous = FULL"
"$PY" - "$T/figures" <<'PYEOF'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, rps, p50, p99, per = line.split()
    runs.setdefault(name, []).append((float(rps), p50, p99, per))
med = {}
for name in ("healthz", "page", "group", "each", "tmpfs"):
    r = sorted(runs[name])
    m = r[len(r) // 2]
    med[name] = statistics.median(x[0] for x in r)
    print("%-8s %7.0f req/s median (runs %s)  p50 %s  p99 %s%s" % (
        name, med[name], " ".join("%.0f" % x[0] for x in runs[name]),
        m[1], m[2], "" if m[3] == "-" else
        "  %s answers a commit" % m[3]))
# The ratios of the medians, and the median of each round's ratio
# (loads of one round ran within a minute of each other).
for a, b in (("group", "healthz"), ("group", "page"), ("group", "each"),
        ("group", "tmpfs")):
    per = [x[0] / y[0] for x, y in zip(runs[a], runs[b])]
    print("%s/%s %.2f of the medians, %.2f the median round (%s)" % (
        a, b, med[a] / med[b], statistics.median(per),
        " ".join("%.2f" % x for x in per)))
PYEOF
pass
