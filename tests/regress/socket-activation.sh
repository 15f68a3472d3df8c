# socket-activation.sh: convened serves on the socket systemd passes
# (through systemd's own systemd-socket-activate) and binds no port of its
# own for HTTP; it still makes its control socket.
. "$(dirname "$0")/lib.sh"

command -v systemd-socket-activate >/dev/null ||
    skip "systemd-socket-activate is not installed"
grep -q HAVE_SYSTEMD "$top_builddir/config.h" 2>/dev/null ||
    skip "built without libsystemd"

CONF_PORT=$(free_port)
write_conf
sed -i "s/^listen = .*/listen = 127.0.0.1:$CONF_PORT/" "$T/convened.conf"

systemd-socket-activate -l "127.0.0.1:$PORT" \
    ${WRAPPER:-} "$CONVENED" -d -f "$T/convened.conf" 2>>"$T/daemon.log" &
DAEMON_PID=$!
# The first connection starts the daemon.
wait_for healthy || fail "no answer on the activated socket"
grep -q "serving on 127.0.0.1:$PORT (from systemd)" "$T/daemon.log" ||
    fail "the daemon did not take the passed socket"
if curl -fsS -m 2 "http://127.0.0.1:$CONF_PORT/healthz" >/dev/null 2>&1; then
	fail "the daemon bound its configured port as well"
fi
[ -S "$T/state/convened.sock" ] || fail "no control socket"
"$CONVENECTL" -s "$T/state/convened.sock" status > "$T/status.out" ||
    fail "convenectl status failed"
grep -q "^listening: *127.0.0.1:$PORT, unix:" "$T/status.out" ||
    fail "status: $(cat "$T/status.out")"
stop_daemon
pass
