# store-full.sh: the disk under the database fills up while reminders are
# due.  convened logs one warning (not a line per attempt), waits longer
# and longer between attempts so the processor stays idle, /healthz says
# the database is failing and since when (still 200: a restart would not
# help), and once there is room again it goes back to work by itself:
# each reminder is sent exactly once.
#
# The state directory is a small tmpfs, mounted here when we may, or in a
# user and mount namespace of our own when we may not.  Where neither is
# allowed (an unprivileged container), a file size limit set on the
# running daemon with prlimit(1) makes its writes fail instead (EFBIG,
# an I/O error to SQLite), and lifting it is the space coming back.
# CONVENE_STORE_FULL=fsize picks that way anywhere.

can_mount() {
	d=$(mktemp -d "${TMPDIR:-/tmp}/convene-mount.XXXXXX")
	r=1
	if mount -t tmpfs -o size=1m tmpfs "$d" 2>/dev/null; then
		umount "$d"
		r=0
	fi
	rmdir "$d"
	return $r
}
how=${CONVENE_STORE_FULL:-}
if [ -z "$how" ]; then
	if can_mount; then
		how=tmpfs
	elif unshare -rm true 2>/dev/null; then
		CONVENE_STORE_FULL=tmpfs exec unshare -rm "${SHELL:-/bin/sh}" \
		    "$0"
	else
		how=fsize
	fi
fi

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"

unmount() {
	rc=$?
	if [ -n "$DAEMON_PID" ]; then
		kill -KILL "$DAEMON_PID" 2>/dev/null || true
		wait "$DAEMON_PID" 2>/dev/null || true
		DAEMON_PID=
	fi
	if [ "$how" = tmpfs ]; then
		umount "$T/state" 2>/dev/null || true
	fi
	if [ "$rc" -eq 0 ]; then
		cleanup
	else
		(exit "$rc") || cleanup
	fi
}
trap unmount EXIT

case $how in
tmpfs)
	mkdir "$T/state"
	mount -t tmpfs -o size=16m,mode=0750 tmpfs "$T/state" ||
	    fail "cannot mount a tmpfs on the state directory"
	start_daemon --test-clock
	;;
fsize)
	command -v prlimit >/dev/null || skip "no tmpfs and no prlimit"
	# The log through a pipe: the limit is on every file it writes.
	write_conf
	mkfifo "$T/log.fifo"
	cat "$T/log.fifo" >> "$T/daemon.log" &
	"$CONVENED" -d -f "$T/convened.conf" --test-clock 2>"$T/log.fifo" &
	DAEMON_PID=$!
	TEST_CLOCK=1
	wait_for healthy || fail "convened did not answer /healthz"
	;;
*)
	fail "CONVENE_STORE_FULL=$how: tmpfs or fsize"
	;;
esac
ok "the state directory fills up by $how"

api 201 POST /groups '{"slug": "access", "name": "Access Group",
    "lead_times": "PT30S"}'
for who in ann bob cat; do
	api 201 POST /people "{\"name\": \"$who\",
	    \"email\": \"$who@example.org\"}"
	api 201 POST /groups/access/members "{\"person\": $(jv 'd["id"]')}"
done
# The test moves the clock on to the due time; the rest runs in real
# time, as the daemon's holds and retries do.
t0=$(daemon_now)
start=$((t0 + 50))
due=$((start - 30))
local=$(TZ=Europe/London date -d "@$start" +%Y-%m-%dT%H:%M:%S)
api 201 POST /series "{\"group\": \"access\", \"title\": \"Access audit\",
    \"start\": \"$local\", \"duration_minutes\": 60}"
planned
api 200 GET /outbox
[ "$(ids 'm["state"] == "pending" and m["due_at"] == '"$due")" != "" ] &&
    [ "$(jv 'len(d["messages"])')" = 3 ] ||
    fail "three reminders due at $due wanted: $(cat "$T/body")"

# Take the write-ahead log back to nothing (as SQLite's own TRUNCATE
# checkpoint does), then fill the disk: the next write has no room.
truncate_wal() {
	"$PY" - "$T/state/convene.db" <<'PY' || fail "no truncating checkpoint"
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=10)
for i in range(100):
	busy, log, done = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
	if busy == 0:
		sys.exit(0)
	time.sleep(0.1)
sys.exit(1)
PY
}
truncate_wal
if [ "$how" = tmpfs ]; then
	dd if=/dev/zero of="$T/state/filler" bs=4k 2>/dev/null || true
	[ "$(df --output=avail "$T/state" | tail -n 1)" -eq 0 ] ||
	    fail "the disk is not full: $(df "$T/state")"
else
	prlimit --pid "$DAEMON_PID" --fsize=1: ||
	    fail "prlimit could not limit the daemon"
fi
[ "$(daemon_now)" -lt $((due - 2)) ] || fail "too slow: the reminders are due"
ok "the disk is full before the reminders are due"

# The claim of the three reminders fails from their due time on.
advance_to $((due + 2))

# Then five seconds of it: few log lines and little processor time.
ticks() {
	set -- $(sed 's/.*) //' "/proc/$DAEMON_PID/stat")
	echo $((${12} + ${13}))
}
lines0=$(wc -l < "$T/daemon.log")
cpu0=$(ticks)
sleep 5
lines=$(($(wc -l < "$T/daemon.log") - lines0))
cpu=$(($(ticks) - cpu0))
hz=$(getconf CLK_TCK)
[ "$lines" -lt 40 ] && [ "$cpu" -lt $((hz / 2)) ] ||
    fail "$lines log lines and $cpu/$hz s of processor time in 5 s"
[ "$(grep -c 'the database is failing' "$T/daemon.log")" = 1 ] ||
    fail "not one warning: $(grep 'failing' "$T/daemon.log")"
if grep -q 'no transaction is active' "$T/daemon.log"; then
	fail "a rollback without a transaction"
fi
ok "$lines log lines and $cpu/$hz s of processor time in 5 s"

expect_code 200 GET /healthz
[ "$(jv 'd["status"]')" = degraded ] && [ "$(jv 'd["database"]')" = failing ] ||
    fail "healthz: $(cat "$T/body")"
since=$(jv 'd["database_failing_since"]')
case $since in
20[0-9][0-9]-*T*Z) ;;
*) fail "healthz gave no time for the failure: $(cat "$T/body")" ;;
esac
case $(jv 'd["database_error"]') in
*full* | *I/O*) ;;
*) fail "healthz gave no reason: $(cat "$T/body")" ;;
esac
api 200 GET /outbox
[ "$(ids 'm["state"] == "pending"' | wc -w)" = 3 ] ||
    fail "not all pending while the disk is full: $(cat "$T/body")"
[ "$(spool_count '*')" = 0 ] || fail "sent while the disk was full"
ok "healthz says since $since, the reminders wait"

# Room again: each goes out once, without a restart.
if [ "$how" = tmpfs ]; then
	rm -f "$T/state/filler"
else
	prlimit --pid "$DAEMON_PID" --fsize=unlimited: ||
	    fail "prlimit could not lift the limit"
fi
sent() {
	[ "$(spool_count '*.eml')" = 3 ]
}
i=0
while ! sent; do
	i=$((i + 1))
	[ "$i" -lt 700 ] || fail "not sent 70 s after the disk had room"
	sleep 0.1
done
all_sent() {
	api 200 GET /outbox
	[ "$(ids 'm["state"] == "sent" and m["attempts"] == 1' | wc -w)" = 3 ]
}
wait_for all_sent || fail "not each sent once: $(cat "$T/body")"
[ "$(spool_count '*.2.*')" = 0 ] || fail "a second attempt reached the spool"
grep -q 'the database works again' "$T/daemon.log" ||
    fail "no line saying the database works again"
expect_code 200 GET /healthz
[ "$(jv 'd["status"]')" = ok ] || fail "healthz after: $(cat "$T/body")"
ok "the three reminders went out once when the disk had room"

# With nothing due, a failed write of a coordinator's starts an episode
# too: the reply is 503 with the reason (never a 201 for a person the
# disk had no room for), /healthz says so, and says it no longer once
# there is room, with no other write to prove it.
truncate_wal
if [ "$how" = tmpfs ]; then
	dd if=/dev/zero of="$T/state/filler" bs=4k 2>/dev/null || true
else
	prlimit --pid "$DAEMON_PID" --fsize=1: ||
	    fail "prlimit could not limit the daemon"
fi
failed_write() {
	# A new person needs room; the disk may take a few pages first.
	n=$(date +%s%N)
	code=$(curl -s -m 10 --unix-socket "$T/state/convened.sock" \
	    -o "$T/body" -w '%{http_code}' -H 'Content-Type: application/json' \
	    -d "{\"name\": \"Dee $n\", \"email\": \"dee$n@example.org\"}" \
	    http://localhost/api/v1/people)
	[ "$code" = 503 ] && grep -q "database: .*\(full\|I/O\)" "$T/body"
}
wait_for failed_write ||
    fail "writes still work on a full disk: $code $(cat "$T/body")"
expect_code 200 GET /healthz
[ "$(jv 'd["database"]')" = failing ] ||
    fail "healthz after a failed write: $(cat "$T/body")"
if [ "$how" = tmpfs ]; then
	rm -f "$T/state/filler"
else
	prlimit --pid "$DAEMON_PID" --fsize=unlimited: ||
	    fail "prlimit could not lift the limit"
fi
healthy_again() {
	expect_code 200 GET /healthz
	[ "$(jv 'd["status"]')" = ok ]
}
wait_for healthy_again || fail "healthz still says: $(cat "$T/body")"
[ "$(grep -c 'the database works again' "$T/daemon.log")" = 2 ] ||
    fail "not a line for each end: $(grep 'works again' "$T/daemon.log")"
ok "a failed write with nothing due: healthz back to ok by itself"

stop_daemon
pass
