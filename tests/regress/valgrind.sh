# valgrind.sh: the daemon's whole life under valgrind (start, requests,
# a reload, a bad request, SIGTERM) with no error and no leak.
. "$(dirname "$0")/lib.sh"

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
