# sigterm.sh: SIGTERM exits 0, removes the control socket and leaves the
# database whole, checkpointed and marked in the audit log.
. "$(dirname "$0")/lib.sh"

start_daemon
for i in 1 2 3 4 5; do
	expect_code 200 GET /healthz
done
[ -S "$T/state/convened.sock" ] || fail "no control socket"
stop_daemon

[ -e "$T/state/convened.sock" ] && fail "the control socket was left behind"
[ -s "$T/state/convene.db-wal" ] && fail "the WAL was not checkpointed"
r=$(sqlite3 "$T/state/convene.db" 'PRAGMA integrity_check')
[ "$r" = ok ] || fail "integrity_check: $r"
r=$(sqlite3 "$T/state/convene.db" \
    "SELECT group_concat(action, ',') FROM audit_log WHERE actor = 'convened'")
[ "$r" = "start,stop" ] || fail "audit log: $r"
grep -q "received SIGTERM, stopping" "$T/daemon.log" || fail "no word of SIGTERM"

# A restart finds the same database.
start_daemon
stop_daemon
r=$(sqlite3 "$T/state/convene.db" \
    "SELECT count(*) FROM audit_log WHERE action = 'start'")
[ "$r" = 2 ] || fail "after a restart, $r starts in the audit log"
pass
