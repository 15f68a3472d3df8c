# convenectl.sh: convenectl status over the control socket, as text and
# as JSON, and a clear error when the daemon is not running; the usage
# when asked for, on stdout.
. "$(dirname "$0")/lib.sh"

write_conf
st=0
"$CONVENECTL" -f "$T/convened.conf" status >"$T/out" 2>"$T/err" || st=$?
[ "$st" -eq 1 ] || fail "status without a daemon exited $st"
grep -q "^convenectl: convened is not running: $T/state/convened.sock: " \
    "$T/err" || fail "said: $(cat "$T/err")"

start_daemon
"$CONVENECTL" -f "$T/convened.conf" status > "$T/out" ||
    fail "status failed"
grep -q "^convened [0-9.]*, pid $DAEMON_PID, up " "$T/out" ||
    fail "status: $(cat "$T/out")"
grep -q "^database: *$T/state/convene.db (schema version 12)$" "$T/out" ||
    fail "status: $(cat "$T/out")"
CONVENE_SOCKET="$T/state/convened.sock" "$CONVENECTL" -j status > "$T/json"
"$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["pid"] == int(sys.argv[2]), d
assert d["counts"]["groups"] == 0, d' "$T/json" "$DAEMON_PID" ||
    fail "JSON status: $(cat "$T/json")"

st=0
"$CONVENECTL" -s "$T/state/convened.sock" frobnicate >"$T/out" 2>"$T/err" ||
    st=$?
[ "$st" -eq 2 ] || fail "an unknown command exited $st"
grep -q "unknown command 'frobnicate'" "$T/err" || fail "said: $(cat "$T/err")"
grep -q '^usage: convenectl' "$T/err" && [ ! -s "$T/out" ] ||
    fail "no usage on stderr alone: $(cat "$T/out" "$T/err")"

# Asked for, the usage goes to stdout and is not a mistake.
for h in help -h --help; do
	st=0
	"$CONVENECTL" $h >"$T/out" 2>"$T/err" || st=$?
	[ "$st" -eq 0 ] || fail "convenectl $h exited $st: $(cat "$T/err")"
	[ ! -s "$T/err" ] || fail "convenectl $h wrote to stderr: $(cat "$T/err")"
	grep -q '^usage: convenectl \[-hj\]' "$T/out" &&
	    grep -q '^  outbox ' "$T/out" && grep -q '^  feed rotate ' "$T/out" ||
	    fail "convenectl $h: $(cat "$T/out")"
done
st=0
"$CONVENECTL" person add --help >"$T/out" 2>"$T/err" || st=$?
[ "$st" -eq 0 ] && [ ! -s "$T/err" ] ||
    fail "person add --help exited $st: $(cat "$T/err")"
grep -q '^usage: convenectl .* person add NAME' "$T/out" ||
    fail "person add --help: $(cat "$T/out")"
ok "help, -h, --help and a command's --help print the usage and exit 0"
stop_daemon
pass
