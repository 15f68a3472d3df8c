# mail-trouble.sh: trouble with the SMTP server is logged once when it
# starts and once when mail goes again, not at every message and retry: a
# run of 451s, a refused connection and a server that stalls each give
# one warning however many messages wait and however often they are
# tried, and one line when delivery works again.  A recipient refused
# with 5xx is the message's own matter: one line for its row, no warning.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"
. "$(dirname "$0")/mail-lib.sh"

smtpd_start smtp
SP=$SMTP_PORT
MAIN_PID=$SMTP_PID
# One connection: the answers come back in the order the server gave
# them, so that a success cannot overtake the failure before it.
write_mail_conf "smtp://127.0.0.1:$SP/convene.test"
sed -i 's/^max_connections = 4$/max_connections = 1/' "$T/convened.conf"
start_daemon

api 201 POST /people '{"name": "Ann Smith", "email": "ann@example.org"}'
ann=$(jv 'd["id"]')
api 201 POST /people '{"name": "Bob Jones", "email": "bob@example.org"}'
bob=$(jv 'd["id"]')
api 201 POST /people '{"name": "Cat Lee", "email": "cat@example.org"}'
cat=$(jv 'd["id"]')

W='convened: warning: mail:'
R='; messages wait and are retried'
warnings() {
	log_count 'convened: warning: mail: '
}
again() {
	log_count 'convened: mail: delivering again after [0-9]+ failures? in'
}

# A run of 451s: three messages, each tried at least twice.
smtp_ctl smtp '{"fail_next": 1000, "fail_code": 451}'
a=$(out_test "$ann")
b=$(out_test "$bob")
c=$(out_test "$cat")
wait_long out_tried "$ann" "$a" 2 || fail "row $a: $(cat "$T/body")"
wait_long out_tried "$bob" "$b" 2 || fail "row $b: $(cat "$T/body")"
wait_long out_tried "$cat" "$c" 2 || fail "row $c: $(cat "$T/body")"
n=$(log_count "$W the mail server said 451 \(try again later\): 4.3.0 Try \
again later, the queue is full$R")
[ "$n" = 1 ] || fail "$n warnings for a run of 451s, not one"
[ "$(warnings)" = 1 ] || fail "other warnings: $(grep warning "$T/daemon.log")"
[ "$(again)" = 0 ] || fail "mail goes again while the server says 451"
smtp_ctl smtp '{}'
wait_long out_state_is "$ann" "$a" sent || fail "row $a: $(cat "$T/body")"
wait_long out_state_is "$bob" "$b" sent || fail "row $b: $(cat "$T/body")"
wait_long out_state_is "$cat" "$c" sent || fail "row $c: $(cat "$T/body")"
[ "$(smtp_files smtp)" = 3 ] || fail "$(smtp_files smtp) messages, not 3"
[ "$(again)" = 1 ] || fail "$(again) lines say mail goes again, not one"
[ "$(warnings)" = 1 ] || fail "warnings: $(grep warning "$T/daemon.log")"
ok "a run of 451s: one warning; $(grep -o 'delivering again after .*' \
    "$T/daemon.log")"

# Nothing listening: two messages, each tried at least twice.
smtpd_stop "$MAIN_PID"
a=$(out_test "$ann")
b=$(out_test "$bob")
wait_long out_tried "$ann" "$a" 2 || fail "row $a: $(cat "$T/body")"
wait_long out_tried "$bob" "$b" 2 || fail "row $b: $(cat "$T/body")"
n=$(log_count "$W the mail server cannot be reached: .*$R")
[ "$n" = 1 ] || fail "$n warnings for a refused connection, not one"
[ "$(warnings)" = 2 ] || fail "warnings: $(grep warning "$T/daemon.log")"
smtpd_start smtp --port "$SP"
MAIN_PID=$SMTP_PID
wait_long out_state_is "$ann" "$a" sent || fail "row $a: $(cat "$T/body")"
wait_long out_state_is "$bob" "$b" sent || fail "row $b: $(cat "$T/body")"
[ "$(again)" = 2 ] || fail "$(again) lines say mail goes again, not two"
[ "$(warnings)" = 2 ] || fail "warnings: $(grep warning "$T/daemon.log")"
ok "a refused connection: one warning, one line when the server was back"

# A server that takes the message and never answers: time-outs.
smtp_ctl smtp '{"stall": "data"}'
a=$(out_test "$ann")
wait_long out_tried "$ann" "$a" 2 || fail "row $a: $(cat "$T/body")"
n=$(log_count "$W the mail server did not take the message within 2 \
seconds$R")
[ "$n" = 1 ] || fail "$n warnings for a stalled server, not one"
smtp_ctl smtp '{}'
wait_long out_state_is "$ann" "$a" sent || fail "row $a: $(cat "$T/body")"
[ "$(again)" = 3 ] || fail "$(again) lines say mail goes again, not three"
[ "$(warnings)" = 3 ] || fail "warnings: $(grep warning "$T/daemon.log")"
ok "time-outs: one warning, one line when the server answered again"

# A recipient refused: one line for its row, not a warning.
smtp_ctl smtp '{"reject": ["cat@example.org"]}'
c=$(out_test "$cat")
wait_long out_state_is "$cat" "$c" dead || fail "row $c: $(cat "$T/body")"
n=$(log_count "convened: mail: outbox row $c refused: the mail server said \
550 \(refused\): 5.1.1 <cat@example.org>")
[ "$n" = 1 ] || fail "$n lines for row $c's refusal, not one"
[ "$(warnings)" = 3 ] || fail "warnings: $(grep warning "$T/daemon.log")"
ok "a refused recipient: one line for its row, no warning"

healthy || fail "convened stopped answering /healthz"
stop_daemon
pass
