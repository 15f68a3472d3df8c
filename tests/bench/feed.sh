# feed.sh [--smoke]: serving calendar feeds.  One member's feed (five
# groups, a monthly meeting in each: 60 meetings a year, with fifteen of
# them moved or cancelled) is fetched with wrk -t2 -c64 from convened and
# from nginx (one worker) serving the same bytes as a static file, side
# by side: requests a second, their ratio, latency p50 and p99.  Then the
# memory: convened's RSS after 10,000 people's feeds have each been
# fetched once and are kept.  --smoke runs each load for 2 s and the
# memory figure with 1,000 people, for make check.
. "$(dirname "$0")/../regress/lib.sh"

DUR=10
PEOPLE=10000
if [ "${1:-}" = --smoke ]; then
	DUR=2
	PEOPLE=1000
fi
command -v wrk >/dev/null 2>&1 || skip "wrk is not installed"
[ -x /usr/sbin/nginx ] || skip "nginx is not installed"
command -v sqlite3 >/dev/null 2>&1 || skip "sqlite3 is not installed"

write_conf "
[daemon]
log_level = info

[outbox]
horizon_days = 400"
# The [daemon] section may be given once: drop the debug level above.
sed -i '0,/^log_level = debug$/{/^log_level = debug$/d}' "$T/convened.conf"
start_daemon

ctl() {
	"$CONVENECTL" -s "$T/state/convened.sock" "$@"
}

ctl person add "Bench Member" --email bench@example.org \
    --lead-times P7D,P1D,PT2H >/dev/null || fail "person add"
ctl venue add "Town Hall" --address "1 High Street, Anytown, AB1 2CD" \
    --travel "Bus 12 to the Market Square; step-free from the stop" \
    --step-free --hearing-loop --accessible-toilet --quiet-room \
    >/dev/null || fail "venue add"
START=$(date -d "+2 days" +%Y-%m-%d)
for g in 1 2 3 4 5; do
	ctl group add "group-$g" "Co-production group $g" --lead-times P1D \
	    >/dev/null || fail "group add"
	ctl member add "group-$g" 1 >/dev/null || fail "member add"
	ctl series add "group-$g" "Group $g meeting: services, budgets" \
	    "${START}T1$g:00" --rrule "FREQ=MONTHLY" --venue 1 \
	    --online-link "https://meet.example.org/group-$g" \
	    --agenda "Minutes; actions, the budget and papers in Easy Read" \
	    >/dev/null || fail "series add"
done
# Three of each group's meetings moved or cancelled.
ids=$(ctl -j occurrence list --days 400 | "$PY" -c 'import json, sys
by = {}
for o in json.load(sys.stdin)["occurrences"]:
    by.setdefault(o["group_slug"], []).append(o["id"])
print(" ".join(" ".join(map(str, v[1:4])) for v in by.values()))')
n=0
for id in $ids; do
	n=$((n + 1))
	if [ $((n % 3)) -eq 0 ]; then
		ctl occurrence cancel "$id" --reason "not quorate" >/dev/null
	else
		day=$(ctl -j occurrence list --days 400 | "$PY" -c 'import json, sys
import datetime, zoneinfo
for o in json.load(sys.stdin)["occurrences"]:
    if o["id"] == int(sys.argv[1]):
        t = datetime.datetime.fromtimestamp(o["start_at"], zoneinfo.ZoneInfo("Europe/London"))
        print((t + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))' "$id")
		ctl occurrence move "$id" "$day" --reason "room booked" >/dev/null
	fi || fail "changing occurrence $id"
done
URL=$(ctl feed show 1) || fail "feed show"
curl -sf -o "$T/feed.ics" "$URL" || fail "fetching the feed"
SIZE=$(wc -c < "$T/feed.ics")
MEETINGS=$(ctl -j occurrence list --days 365 | "$PY" -c 'import json, sys
print(sum(o["status"] != "removed" for o in json.load(sys.stdin)["occurrences"]))')
echo "feed: $SIZE bytes, $MEETINGS meetings in the next 12 months," \
    "$(grep -c '^RECURRENCE-ID' "$T/feed.ics") moved or cancelled"

# nginx, one worker, on its own port and paths, serving the same bytes.
NPORT=$(free_port)
mkdir -p "$T/www" "$T/nginx"
cp "$T/feed.ics" "$T/www/feed.ics"
chmod 755 "$T" "$T/www"
chmod 644 "$T/www/feed.ics"
cat > "$T/nginx/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $T/nginx/body;
	proxy_temp_path $T/nginx/proxy;
	fastcgi_temp_path $T/nginx/fastcgi;
	uwsgi_temp_path $T/nginx/uwsgi;
	scgi_temp_path $T/nginx/scgi;
	types { text/calendar ics; }
	charset utf-8;
	charset_types text/calendar;
	server {
		listen 127.0.0.1:$NPORT;
		root $T/www;
		location / { add_header Cache-Control "private, max-age=300"; }
	}
}
NGINX
/usr/sbin/nginx -p "$T/nginx" -e "$T/nginx/error.log" \
    -c "$T/nginx/nginx.conf" 2>"$T/nginx.log" &
NGINX_PID=$!
stop_nginx() {
	[ -n "${NGINX_PID:-}" ] && kill "$NGINX_PID" 2>/dev/null
	NGINX_PID=
}
trap 'stop_nginx; cleanup' EXIT
wait_for curl -sf -o /dev/null "http://127.0.0.1:$NPORT/feed.ics" ||
    fail "nginx did not start: $(cat "$T/nginx.log" "$T/nginx/error.log")"
curl -s "http://127.0.0.1:$NPORT/feed.ics" | cmp -s - "$T/feed.ics" ||
    fail "nginx serves other bytes"

# load NAME URL: wrk's figures on one line.
load() {
	wrk -t2 -c64 -d"${DUR}s" --latency "$2" > "$T/wrk.$1" 2>&1 ||
	    fail "wrk $1: $(cat "$T/wrk.$1")"
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$T/wrk.$1")
	p50=$(awk '$1 == "50%" { print $2 }' "$T/wrk.$1")
	p99=$(awk '$1 == "99%" { print $2 }' "$T/wrk.$1")
	errs=$(grep -E 'Non-2xx|Socket errors' "$T/wrk.$1" || true)
	[ -z "$errs" ] || fail "wrk $1: $errs"
	printf '%-9s %10s requests/s   p50 %8s   p99 %8s\n' "$1" "$rps" \
	    "$p50" "$p99"
	eval "RPS_$1=$rps"
}
echo "wrk -t2 -c64 -d${DUR}s, $SIZE-byte feed:"
load convened "$URL"
load nginx "http://127.0.0.1:$NPORT/feed.ics"
stop_nginx
"$PY" -c 'import sys
print("ratio convened/nginx: %.2f" % (float(sys.argv[1]) / float(sys.argv[2])))' \
    "$RPS_convened" "$RPS_nginx"

# Memory: PEOPLE people in four groups, each feed fetched once.
"$PY" -c 'import sys
n = int(sys.argv[1])
print("name,email,channels")
for i in range(n):
    print("Person %d,p%d@example.org,feed" % (i, i))' "$PEOPLE" > "$T/people.csv"
for g in a b c d; do
	ctl group add "big-$g" "Large group $g" --lead-times P1D >/dev/null
	ctl series add "big-$g" "Large group $g meeting" "${START}T18:00" \
	    --rrule "FREQ=WEEKLY;INTERVAL=6" --venue 1 >/dev/null
done
"$PY" -c 'import sys
rows = open(sys.argv[1]).read().splitlines()
head, rows = rows[0], rows[1:]
for k, g in enumerate("abcd"):
    with open("%s.%s" % (sys.argv[1], g), "w") as f:
        f.write("\n".join([head] + rows[k::4]) + "\n")' "$T/people.csv"
for g in a b c d; do
	ctl import people "$T/people.csv.$g" --group "big-$g" >/dev/null ||
	    fail "import into big-$g"
done
RSS0=$(ps -o rss= -p "$DAEMON_PID" | tr -d ' ')
# Feed tokens read straight from the database, read-only: fetching them
# one API call at a time would measure the API, not the feeds.
sqlite3 -readonly "$T/state/convene.db" "SELECT feed_token FROM people \
    WHERE email LIKE 'p%@example.org'" > "$T/tokens"
[ "$(wc -l < "$T/tokens")" -eq "$PEOPLE" ] || fail "tokens"
"$PY" - "$PORT" "$T/tokens" <<'PYEOF' || fail "fetching every feed"
import http.client, sys, threading, time
port, toks = int(sys.argv[1]), open(sys.argv[2]).read().split()
bad, t0 = [], time.monotonic()
def run(part):
    c = http.client.HTTPConnection("127.0.0.1", port)
    for tok in part:
        c.request("GET", "/feed/%s.ics" % tok)
        r = c.getresponse()
        body = r.read()
        if r.status != 200 or not body.startswith(b"BEGIN:VCALENDAR"):
            bad.append(tok)
threads = [threading.Thread(target=run, args=(toks[i::8],)) for i in range(8)]
[t.start() for t in threads]
[t.join() for t in threads]
if bad:
    sys.exit("%d feeds failed" % len(bad))
print("fetched %d feeds once in %.1f s" % (len(toks), time.monotonic() - t0))
PYEOF
RSS1=$(ps -o rss= -p "$DAEMON_PID" | tr -d ' ')
echo "convened RSS: $RSS0 KiB before, $RSS1 KiB after $PEOPLE feeds kept" \
    "($(( (RSS1 - RSS0) * 1024 / PEOPLE )) bytes a feed)"
stop_daemon
pass
