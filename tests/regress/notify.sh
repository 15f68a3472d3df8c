# notify.sh: under a service manager convened says READY=1 once serving,
# STATUS= lines, WATCHDOG=1 at half of WATCHDOG_USEC, and STOPPING=1.
# The manager here is a datagram socket this test reads.
. "$(dirname "$0")/lib.sh"

grep -q HAVE_SYSTEMD "$top_builddir/config.h" 2>/dev/null ||
    skip "built without libsystemd"

"$PY" "$top_srcdir/tests/regress/notify.py" "$T/notify.sock" "$T/notify.out" &
NPID=$!
wait_for test -e "$T/notify.out.ready" || fail "notify.py did not start"

write_conf
# No -d: under NOTIFY_SOCKET convened must stay in the foreground itself.
NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=400000 \
    ${WRAPPER:-} "$CONVENED" -f "$T/convened.conf" 2>>"$T/daemon.log" &
DAEMON_PID=$!
wait_for healthy || fail "convened did not answer"
wait_for grep -q '^READY=1$' "$T/notify.out" || fail "no READY=1"
grep -q '^STATUS=Serving 0 groups and 0 people on 127.0.0.1:' \
    "$T/notify.out" || fail "no serving STATUS: $(cat "$T/notify.out")"
grep -q '^STATUS=Opening ' "$T/notify.out" || fail "no opening STATUS"

# pings: how many WATCHDOG=1, or "three" once there are.
pings() {
	n=$(grep -c '^WATCHDOG=1$' "$T/notify.out" || true)
	if [ "$n" -ge 3 ]; then
		echo three
	else
		echo "$n"
	fi
}
wait_progress pings three ||
    fail "$(pings) WATCHDOG=1 at a 200 ms interval"
n=$(grep -c '^WATCHDOG=1$' "$T/notify.out")
ok "READY=1, STATUS= and $n watchdog pings"

kill -TERM "$DAEMON_PID"
st=0
wait "$DAEMON_PID" || st=$?
DAEMON_PID=
[ "$st" -eq 0 ] || fail "exit status $st"
grep -q '^STOPPING=1$' "$T/notify.out" || fail "no STOPPING=1"
# READY=1 came before any STOPPING=1.
r=$(grep -n '^READY=1$' "$T/notify.out" | head -1 | cut -d: -f1)
s=$(grep -n '^STOPPING=1$' "$T/notify.out" | head -1 | cut -d: -f1)
[ "$r" -lt "$s" ] || fail "STOPPING=1 before READY=1"
kill "$NPID" 2>/dev/null || true
wait "$NPID" 2>/dev/null || true

# Without WATCHDOG_USEC there are no pings.
rm -f "$T/notify.out" "$T/notify.out.ready" "$T/notify.sock"
"$PY" "$top_srcdir/tests/regress/notify.py" "$T/notify.sock" "$T/notify.out" &
NPID=$!
wait_for test -e "$T/notify.out.ready" || fail "notify.py did not start"
NOTIFY_SOCKET="$T/notify.sock" ${WRAPPER:-} "$CONVENED" -f "$T/convened.conf" \
    2>>"$T/daemon.log" &
DAEMON_PID=$!
wait_for grep -q '^READY=1$' "$T/notify.out" || fail "no READY=1"
sleep 0.5
grep -q '^WATCHDOG=1$' "$T/notify.out" && fail "pings without a watchdog"
stop_daemon
kill "$NPID" 2>/dev/null || true
wait "$NPID" 2>/dev/null || true
pass
