# file-modes.sh: the state directory and the database hold personal data.
# Started with umask 000 in a state directory and spools open to all,
# convened tightens the folders to 0750 and keeps its database,
# write-ahead log and shared memory file at 0600.
. "$(dirname "$0")/lib.sh"

umask 000
mkdir -m 0777 "$T/state"
mkdir -m 0750 "$T/state/spool"
mkdir -m 0777 "$T/state/spool/mail" "$T/state/spool/sms"
start_daemon

mode() {
	stat -c %a "$1"
}

[ "$(mode "$T/state")" = 750 ] ||
    fail "state directory mode $(mode "$T/state")"
for f in convene.db convene.db-wal convene.db-shm; do
	[ -e "$T/state/$f" ] || fail "no $f"
	[ "$(mode "$T/state/$f")" = 600 ] ||
	    fail "$f mode $(mode "$T/state/$f")"
done
for d in spool/mail spool/sms; do
	[ "$(mode "$T/state/$d")" = 750 ] ||
	    fail "$d mode $(mode "$T/state/$d")"
done
ok "modes after a start with umask 000"

stop_daemon
pass
