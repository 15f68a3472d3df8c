# mail-smtp-tls.sh: with starttls = required, a server that offers no
# STARTTLS gets no message in clear: not even MAIL FROM is sent, the row
# waits for a retry and its reason says TLS is unavailable.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"
. "$(dirname "$0")/mail-lib.sh"

smtpd_start smtp
write_mail_conf "smtp://127.0.0.1:$SMTP_PORT/convene.test"
sed -i 's/^starttls = optional$/starttls = required/' "$T/convened.conf"
start_daemon

api 201 POST /people '{"name": "Ann Smith", "email": "ann@example.org"}'
ann=$(jv 'd["id"]')
api 202 POST "/people/$ann/test"
waiting() {
	api 200 GET "/outbox?person=$ann"
	[ "$(jv 'd["messages"][0]["attempts"]')" -ge 1 ] &&
	    [ "$(jv 'd["messages"][0]["state"]')" = pending ]
}
wait_for waiting || fail "the row was not retried: $(cat "$T/body")"
reason=$(jv 'd["messages"][0]["reason"]')
case $reason in
"TLS is unavailable"*"nothing was sent") ;;
*)	fail "reason: $reason" ;;
esac
sleep 0.5
[ "$(smtp_stat smtp mail_commands)" = 0 ] ||
    fail "MAIL FROM went in clear: $(cat "$T/smtp/stats.json")"
[ "$(smtp_files smtp)" = 0 ] || fail "a message went in clear"
grep -q 'warning: mail: TLS is unavailable' "$T/daemon.log" ||
    fail "no warning for the operator"
ok "starttls = required, no STARTTLS offered: nothing sent; $reason"
stop_daemon
pass
