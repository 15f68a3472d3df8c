# mail-stop.sh: SIGTERM while the mail server holds a message.  Once
# shutdown_timeout (1 second here) is over, a server that never greets,
# and one that never answers the end of DATA, are cut short within the
# second libcurl takes to ask, not after the 60-second time-out, and
# before the five seconds convened gives a connection to close; convened
# exits 0, and the row is sent once after the restart, saying what held
# it up.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"
. "$(dirname "$0")/mail-lib.sh"

smtpd_start smtp
write_mail_conf "smtp://127.0.0.1:$SMTP_PORT/convene.test"
# One connection: the first is the never-greeting server's, and the
# second message takes the one kept from the first restart.
sed -i -e 's/^timeout = 2$/timeout = 60/' \
    -e 's/^max_connections = 4$/max_connections = 1/' \
    -e 's/^shutdown_timeout = 5$/shutdown_timeout = 1/' "$T/convened.conf"
start_daemon
api 201 POST /people '{"name": "Ann Smith", "email": "ann@example.org"}'
ann=$(jv 'd["id"]')

stuck() {
	log_count 'did not close'
}

for stall in connect data; do
	smtp_ctl smtp "{\"stall\": \"$stall\"}"
	before=$(smtp_files smtp)
	id=$(out_test "$ann")
	if [ "$stall" = data ]; then
		wait_progress "smtp_stat smtp stalled" 1 ||
		    fail "the server was not given the message"
	else
		wait_progress "smtp_stat smtp open" 1 ||
		    fail "convened did not connect"
	fi
	t0=$(date +%s%N)
	stop_daemon
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ "$(stuck)" = 0 ] ||
	    fail "stalled at $stall: a connection was left: $(cat "$T/daemon.log")"
	[ "$ms" -lt 6000 ] || fail "stalled at $stall: $ms ms to stop"
	[ "$(smtp_files smtp)" = "$before" ] || fail "a message was taken"

	smtp_ctl smtp '{}'
	start_daemon
	wait_progress "out_row $ann $id state" sent ||
	    fail "row $id is not sent: $(cat "$T/body")"
	[ "$(smtp_files smtp)" = $((before + 1)) ] || fail "not one message"
	reason=$(out_row "$ann" "$id" reason)
	case $reason in
	*"in flight when convened stopped"*) ;;
	*)	fail "row $id: $reason" ;;
	esac
	ok "stalled at $stall: stopped in $ms ms; '$reason'"
done

stop_daemon
pass
