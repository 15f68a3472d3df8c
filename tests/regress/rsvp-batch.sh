# rsvp-batch.sh: answers posted by link are committed in groups and told
# "recorded" only once they are on disk.  300 members post at once, 16
# at a time: every one is answered 303 See Other, to its own page with
# ?saved=1, and every answer is in the database as posted.  While
# another program holds the write lock, every answer posted is refused
# with 503 and Retry-After, and none is recorded.  Then 200 more answers,
# and the daemon is killed (SIGKILL) the moment the last reply is read:
# every answer that was told "recorded" is in the database.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"

command -v sqlite3 >/dev/null || skip "no sqlite3 shell"
N=300
write_conf
sed -i 's/^log_level = debug$/log_level = info/' "$T/convened.conf"
start_daemon
DB=$T/state/convene.db

ctl() {
	"$CONVENECTL" -s "$T/state/convened.sock" "$@"
}

api 201 POST /groups '{"slug": "dp", "name": "Direct Payments Group"}'
"$PY" -c 'import sys
print("name,email,channels")
for i in range(int(sys.argv[1])):
    print("Member %d,m%d@example.org,feed" % (i, i))' "$N" > "$T/people.csv"
ctl import people "$T/people.csv" --group dp >/dev/null ||
    fail "import people"
start=$(TZ=Europe/London date -d "+3 days" '+%Y-%m-%dT18:00')
api 201 POST /series "{\"group\": \"dp\", \"title\": \"Steering group\",
    \"start\": \"$start\"}"
api 200 GET "/occurrences?group=dp&days=30"
occ=$(jv 'd["occurrences"][0]["id"]')
sqlite3 -readonly "$DB" "SELECT id FROM people ORDER BY id" > "$T/people"
[ "$(wc -l < "$T/people")" -eq "$N" ] || fail "people: $(wc -l < "$T/people")"

# post.py MODE: answers posted by 16 threads, each on its own keep-alive
# connection.  MODE "ok": all 303 to ?saved=1, each answer as posted in the database
# (a random answer and a note naming the round); "busy": the write lock
# held meanwhile, all 503 with Retry-After and nothing recorded; "kill":
# as ok, and SIGKILL to the daemon as soon as the last reply is read,
# the database checked after.
post() {
	"$PY" - "$1" "$PORT" "$T/state/signing.key" "$occ" "$DB" \
	    "$DAEMON_PID" "$T/people" <<'PYEOF'
import base64, hashlib, hmac, http.client, os, random, signal, sqlite3
import sys, threading, time
mode, port, keyf, occ, db, pid, peoplef = sys.argv[1:]
key = bytes.fromhex(open(keyf).read().strip())
people = open(peoplef).read().split()
if mode == "kill":
    people = people[:200]
exp = int(time.time()) + 86400

def link(person):
    subject = "%s.%s" % (person, occ)
    mac = hmac.new(key, b"rsvp:%s:%d" % (subject.encode(), exp),
        hashlib.sha512).digest()[:16]
    return "/rsvp/%s.%d.%s" % (subject, exp,
        base64.urlsafe_b64encode(mac).decode().rstrip("="))

want = {p: (random.choice(["yes", "maybe", "no"]), "%s %s" % (mode, p))
    for p in people}
got, bad = {}, []
lock = threading.Lock()

def run(part):
    c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
    for p in part:
        a, n = want[p]
        c.request("POST", link(p), "answer=%s&note=%s" % (a,
            n.replace(" ", "+")),
            {"Content-Type": "application/x-www-form-urlencoded"})
        r = c.getresponse()
        body = r.read().decode()
        with lock:
            got[p] = (r.status, r.getheader("Retry-After"),
                r.getheader("Location") or "")

held = None
if mode == "busy":
    held = sqlite3.connect(db, isolation_level=None)
    held.execute("BEGIN IMMEDIATE")
before = sqlite3.connect(db).execute(
    "SELECT count(*) FROM answers").fetchone()[0]
threads = [threading.Thread(target=run, args=(people[i::16],))
    for i in range(16)]
[t.start() for t in threads]
[t.join() for t in threads]
if mode == "kill":
    os.kill(int(pid), signal.SIGKILL)
if held is not None:
    held.execute("ROLLBACK")
    held.close()
if len(got) != len(people):
    sys.exit("%d replies for %d answers" % (len(got), len(people)))
for p, (status, retry, where) in got.items():
    if mode == "busy":
        if status != 503 or retry != "1":
            bad.append("%s: %d, Retry-After %s" % (p, status, retry))
    elif status != 303 or where != link(p).split("/")[-1] + "?saved=1":
        bad.append("%s: %d, Location %s" % (p, status, where))
if bad:
    sys.exit("%d replies wrong: %s" % (len(bad), "; ".join(bad[:5])))
con = sqlite3.connect(db)
rows = con.execute("SELECT person_id, answer, note FROM answers WHERE "
    "occurrence_id = ? AND note LIKE ? || ' %'", (occ, mode)).fetchall()
after = con.execute("SELECT count(*) FROM answers").fetchone()[0]
if mode == "busy":
    if rows or after != before:
        sys.exit("%d answers recorded while the lock was held" %
            (after - before))
    print("%d answers refused, none recorded" % len(got))
    sys.exit(0)
have = {str(p): (a, n) for p, a, n in rows}
missing = [p for p in people if have.get(p) != want[p]]
if missing or len(rows) != len(people):
    sys.exit("%d answers told recorded are not in the database, %d rows "
        "for %d answers" % (len(missing), len(rows), len(people)))
print("%d answers recorded, every one in the database" % len(people))
PYEOF
}

# counter NAME: a counter of /metrics.
counter() {
	curl -fsS -m 10 "$BASE/metrics" | awk -v n="$1" '$1 == n { print $2 }'
}

post ok || fail "answers posted at once"
commits=$(counter convene_store_batch_commits_total)
writes=$(counter convene_store_batch_writes_total)
[ "$writes" -eq "$N" ] || fail "$writes batched writes for $N answers"
[ "$commits" -ge 1 ] && [ "$commits" -le "$N" ] ||
    fail "$commits commits for $N answers"
ok "$N answers at once, all recorded, in $commits commits"

post busy || fail "answers posted while the database is locked"
ok "answers refused with 503 while another program writes"

post kill || fail "answers told recorded before a SIGKILL"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
ok "every answer told recorded survives a SIGKILL"
[ "$(sqlite3 -readonly "$DB" 'PRAGMA integrity_check')" = ok ] ||
    fail "the database after SIGKILL"
pass
