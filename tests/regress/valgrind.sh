# valgrind.sh: the daemon's whole life under valgrind (start, requests,
# answers by link, which are answered after their commit, a reload, a
# bad request, SIGTERM) with no error and no leak.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"

command -v valgrind >/dev/null || skip "valgrind is not installed"
[ "${SANITIZERS:-no}" = yes ] && skip "this build uses the sanitizers instead"

WRAPPER="valgrind --quiet --error-exitcode=99 --leak-check=full \
--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
--log-file=$T/valgrind.log"
write_conf
${WRAPPER} "$CONVENED" -d -f "$T/convened.conf" 2>>"$T/daemon.log" &
DAEMON_PID=$!
wait_for healthy || fail "convened under valgrind did not answer"
expect_code 200 GET /metrics
expect_code 404 GET /nope
expect_code 401 GET /api/v1/status
curl -sS --unix-socket "$T/state/convened.sock" \
    http://localhost/api/v1/status > /dev/null || fail "status"
api 201 POST /groups '{"slug": "ild", "name": "Independent Living Group"}'
api 201 POST /people '{"name": "Ann Smith", "email": "ann@example.org"}'
api 201 POST /series "{\"group\": \"ild\", \"title\": \"Steering\",
    \"start\": \"$(TZ=Europe/London date -d "+3 days" '+%Y-%m-%dT18:00')\"}"
api 200 GET "/occurrences?group=ild&days=30"
occ=$(jv 'd["occurrences"][0]["id"]')
link=$("$PY" - "$T/state/signing.key" "$occ" <<'PYEOF'
import base64, hashlib, hmac, sys, time
key = bytes.fromhex(open(sys.argv[1]).read().strip())
subject, exp = "1.%s" % sys.argv[2], int(time.time()) + 86400
mac = hmac.new(key, b"rsvp:%s:%d" % (subject.encode(), exp),
    hashlib.sha512).digest()[:16]
print("/rsvp/%s.%d.%s" % (subject, exp,
    base64.urlsafe_b64encode(mac).decode().rstrip("=")))
PYEOF
)
# Three at once: one commit, three replies after it.
pids=
for a in yes maybe no; do
	curl -sS -m 60 -o /dev/null -w '%{http_code}' -X POST \
	    -d "answer=$a&note=Late+$a" "$BASE$link" > "$T/code.$a" &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p" || true
done
for a in yes maybe no; do
	[ "$(cat "$T/code.$a")" = 303 ] ||
	    fail "answer $a by link gave $(cat "$T/code.$a")"
done
expect_code 422 POST "$link" -d "answer=perhaps"
expect_code 200 GET "$link?saved=1"
head -c 2000000 /dev/zero > "$T/big"
expect_code 413 POST /healthz --data-binary @"$T/big"
kill -HUP "$DAEMON_PID"
wait_for grep -q "configuration reloaded" "$T/daemon.log" || fail "no reload"
expect_code 200 GET /healthz

kill -TERM "$DAEMON_PID"
st=0
wait "$DAEMON_PID" || st=$?
DAEMON_PID=
[ -s "$T/valgrind.log" ] && cat "$T/valgrind.log"
[ "$st" -eq 0 ] || fail "convened under valgrind exited $st"
pass
