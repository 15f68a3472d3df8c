# healthz.sh: the daemon answers /healthz, /metrics and JSON errors on
# loopback, the control socket is the administrator's, and a second daemon
# on the same state directory is refused.
. "$(dirname "$0")/lib.sh"

start_daemon

expect_code 200 GET /healthz
grep -q '"status": "ok"' "$T/body" || fail "healthz body: $(cat "$T/body")"
expect_code 200 HEAD /healthz -I
expect_code 405 POST /healthz
grep -q '"reason"' "$T/body" || fail "405 without a reason"

expect_code 404 GET /nothing/here
grep -q '"reason": "nothing is at /nothing/here"' "$T/body" ||
    fail "404 body: $(cat "$T/body")"

# A path that is not UTF-8 gets a JSON 404, and the daemon lives on.
"$PY" - "$PORT" > "$T/raw" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /x\xff\xfe HTTP/1.0\r\n\r\n")
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
sys.stdout.write(data.decode("utf-8", "replace"))
PY
grep -q '^HTTP/1.[01] 404' "$T/raw" || fail "non-UTF-8 path: $(cat "$T/raw")"
grep -q '"reason": "nothing is at /x??"' "$T/raw" ||
    fail "non-UTF-8 path: $(cat "$T/raw")"
healthy || fail "a non-UTF-8 path stopped the daemon"

# The API wants the control socket (or, later, a bearer token).
expect_code 401 GET /api/v1/status
code=$(curl -sS -o "$T/body" -w '%{http_code}' \
    --unix-socket "$T/state/convened.sock" http://localhost/api/v1/status)
[ "$code" = 200 ] || fail "status over the control socket gave $code"
grep -q '"schema_version": 12' "$T/body" || fail "status: $(cat "$T/body")"
mode=$(stat -c %a "$T/state/convened.sock")
[ "$mode" = 600 ] || fail "control socket mode is $mode"

expect_code 200 GET /metrics
grep -q '^convene_http_requests_total{route="healthz",code="200"} 4$' \
    "$T/body" || fail "metrics did not count healthz: $(cat "$T/body")"
grep -q '^convene_http_requests_total{route="not_found",code="404"} 2$' \
    "$T/body" || fail "metrics did not count the 404"
grep -q '^convene_uptime_seconds [0-9]' "$T/body" || fail "no uptime"
grep -q '^convene_database_schema_version 12$' "$T/body" ||
    fail "no schema version"
# Every family in its place: the store's and the outbox's lines come from
# the collectors they add; the outbox counts appear once they are made.
awk '/^# TYPE / && $3 != "convene_outbox_messages" { print $3 }' \
    "$T/body" > "$T/families"
printf '%s\n' convene_build_info convene_uptime_seconds \
    convene_http_requests_total convene_database_schema_version \
    convene_groups convene_people convene_outbox_settled_total \
    convene_plan_queue convene_plan_occurrences_total \
    convene_store_batch_commits_total convene_store_batch_writes_total \
    convene_outbox_lateness_seconds convene_loop_lag_seconds \
    process_resident_memory_bytes > "$T/want"
cmp -s "$T/want" "$T/families" ||
    fail "metric families: $(tr '\n' ' ' < "$T/families")"
[ "$(grep -c '^convene_outbox_settled_total{outcome=' "$T/body")" = 7 ] ||
    fail "outbox outcomes: $(cat "$T/body")"
grep -q '^convene_groups 0$' "$T/body" || fail "no group count"
grep -q '^convene_plan_queue 0$' "$T/body" || fail "no plan queue gauge"
ok "healthz, metrics and JSON errors"

# A second daemon on the same state directory must refuse to start.
if "$CONVENED" -d -f "$T/convened.conf" 2>"$T/second.log"; then
	fail "a second convened started on the same state directory"
fi
grep -q "another convened (pid $DAEMON_PID)" "$T/second.log" ||
    fail "second daemon said: $(cat "$T/second.log")"
healthy || fail "the first daemon stopped answering"
ok "a second daemon is refused"

stop_daemon
pass
