# socket-path.sh: a state directory so deep that the control socket's path
# is longer than a Unix socket address holds: the configuration is valid,
# the daemon binds its socket there, convenectl reaches it, and a restart
# replaces the stale socket.
. "$(dirname "$0")/lib.sh"

deep=$T/$(printf 'd%.0s' $(seq 60))/$(printf 'e%.0s' $(seq 60))
sock=$deep/convened.sock
[ "${#sock}" -gt 108 ] || fail "$sock is only ${#sock} bytes"
cat > "$T/convened.conf" <<CONF
[daemon]
state_directory = $deep
log_level = debug
templates = $top_srcdir/conf/templates

[http]
listen = 127.0.0.1:$PORT
CONF

out=$("$CONVENED" -n -f "$T/convened.conf" 2>&1) ||
    fail "-n refused a ${#sock}-byte socket path: $out"
[ "$out" = "configuration OK" ] || fail "-n said: $out"

# Before the first start, with no state directory, and after a stop.
not_running() {
	st=0
	"$CONVENECTL" -f "$T/convened.conf" status >"$T/out" 2>"$T/err" ||
	    st=$?
	[ "$st" -eq 1 ] || fail "status without a daemon exited $st"
	grep -q "^convenectl: convened is not running: $sock: " "$T/err" ||
	    fail "said: $(cat "$T/err")"
}
not_running

for run in first second; do
	start_daemon
	[ -S "$sock" ] || fail "no socket at $sock"
	"$CONVENECTL" -f "$T/convened.conf" status >"$T/out" 2>"$T/err" ||
	    fail "status over a ${#sock}-byte path: $(cat "$T/err")"
	grep -q "^convened [0-9.]*, pid $DAEMON_PID, up " "$T/out" ||
	    fail "status: $(cat "$T/out")"
	CONVENE_SOCKET=$sock "$CONVENECTL" -j status >"$T/json" ||
	    fail "status through CONVENE_SOCKET failed"
	grep -q "\"pid\": $DAEMON_PID" "$T/json" || fail "$(cat "$T/json")"
	ok "$run start: convenectl reached $sock (${#sock} bytes)"
	if [ "$run" = first ]; then
		# Leave the socket behind, as a crash does.
		kill -KILL "$DAEMON_PID"
		wait "$DAEMON_PID" || true
		DAEMON_PID=
		[ -S "$sock" ] || fail "the stale socket is gone"
	fi
done

# A second daemon does not steal the live socket.
sed "s/^listen = .*/listen = 127.0.0.1:$(free_port)/" "$T/convened.conf" \
    >"$T/other.conf"
st=0
"$CONVENED" -d -f "$T/other.conf" 2>"$T/err" || st=$?
[ "$st" -ne 0 ] || fail "a second daemon started on the same state"
"$CONVENECTL" -f "$T/convened.conf" status >/dev/null ||
    fail "the first daemon lost its socket"
stop_daemon
[ -e "$sock" ] && fail "the socket is left after a stop"
not_running
pass
