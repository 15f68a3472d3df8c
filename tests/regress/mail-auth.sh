# mail-auth.sh: with smtp_username set, a server that offers no AUTH
# gets nothing, not even MAIL FROM: libcurl would skip the login and send
# the mail without it.  The rows wait (TEMPFAIL, retried, never dropped)
# and the operator is warned once; when the server offers AUTH again
# each message goes once.  The operator's other way out, an empty
# smtp_username and a SIGHUP, sends without a login.  A server that
# offers AUTH only over TLS and then refuses STARTTLS gets nothing
# either.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"
. "$(dirname "$0")/mail-lib.sh"

smtpd_start auth --auth convene:right-horse
SP=$SMTP_PORT
smtp_ctl auth '{"no_auth": true}'
printf 'right-horse\n' > "$T/password"
chmod 600 "$T/password"
write_mail_conf "smtp://127.0.0.1:$SP/convene.test" \
    "smtp_username = convene
smtp_password_file = $T/password"
start_daemon

api 201 POST /people '{"name": "Ann Smith", "email": "ann@example.org"}'
ann=$(jv 'd["id"]')
api 201 POST /people '{"name": "Bob Jones", "email": "bob@example.org"}'
bob=$(jv 'd["id"]')

warned='convened: warning: mail: the mail server does not offer AUTH'
# at_least N CMD...: CMD prints a number at least N.
at_least() {
	n=$1
	shift
	[ "$("$@")" -ge "$n" ]
}
a=$(out_test "$ann")
b=$(out_test "$bob")
wait_long out_tried "$ann" "$a" 3 || fail "row $a: $(cat "$T/body")"
wait_long out_tried "$bob" "$b" 3 || fail "row $b: $(cat "$T/body")"
reason=$(out_row "$ann" "$a" reason)
case $reason in
*"does not offer AUTH"*"smtp_username is set, so nothing was sent") ;;
*)	fail "row $a: $reason" ;;
esac
[ "$(smtp_files auth)" = 0 ] || fail "mail went without a login"
# Six refusals on the server's side: not one MAIL FROM among them.
wait_for at_least 6 smtp_stat auth connections ||
    fail "$(cat "$T/auth/stats.json")"
[ "$(smtp_stat auth mail_commands)" = 0 ] ||
    fail "MAIL FROM went without a login: $(cat "$T/auth/stats.json")"
n=$(log_count "$warned")
[ "$n" = 1 ] || fail "$n warnings for six refusals, not one"
grep -q "$warned.*empty smtp_username.*messages wait and are retried" \
    "$T/daemon.log" || fail "the warning does not say what to do"
ok "no AUTH offered: nothing sent, rows retried, one warning: $reason"

# The server offers AUTH again: each message goes once, with the login.
smtp_ctl auth '{}'
wait_long out_state_is "$ann" "$a" sent || fail "row $a: $(cat "$T/body")"
wait_long out_state_is "$bob" "$b" sent || fail "row $b: $(cat "$T/body")"
[ "$(smtp_files auth)" = 2 ] || fail "$(smtp_files auth) messages, not 2"
"$PY" - "$T/auth/log.jsonl" <<'PY' || fail "not one message each"
import json, sys
got = sorted(json.loads(l)["rcpt_tos"][0] for l in open(sys.argv[1]))
if got != ["ann@example.org", "bob@example.org"]:
    sys.exit("received for %s" % got)
PY
n=$(log_count 'convened: mail: delivering again after [0-9]+ failures')
[ "$n" = 1 ] || fail "$n lines say mail goes again, not one"
ok "AUTH offered again: each message once; $(grep -o \
    'delivering again after [0-9]* failures' "$T/daemon.log")"

# The server forgets AUTH again, on a new connection: refused; then the
# operator empties smtp_username and sends a SIGHUP: sent without it.
smtpd_stop "$SMTP_PID"
smtp_ctl auth '{"no_auth": true}'
smtpd_start auth --auth convene:right-horse --port "$SP"
c=$(out_test "$ann")
wait_long out_tried "$ann" "$c" 2 || fail "row $c: $(cat "$T/body")"
[ "$(smtp_files auth)" = 2 ] || fail "mail went without a login"
n=$(log_count "$warned")
[ "$n" = 2 ] || fail "$n warnings, not one more for the new trouble"
write_mail_conf "smtp://127.0.0.1:$SP/convene.test"
kill -HUP "$DAEMON_PID"
wait_long out_state_is "$ann" "$c" sent || fail "row $c: $(cat "$T/body")"
[ "$(smtp_files auth)" = 3 ] || fail "$(smtp_files auth) messages, not 3"
ok "smtp_username emptied and SIGHUP: sent without a login"

# A server that offers STARTTLS, and AUTH only over TLS, but refuses
# STARTTLS when asked: with starttls = optional libcurl would go on in
# the clear without a login.  Nothing is sent.
smtpd_start tls --auth convene:right-horse \
    --tls "$top_srcdir/tests/regress/smtpd-cert.pem:$top_srcdir/tests/regress/smtpd-key.pem"
smtp_ctl tls '{"starttls": 454, "no_auth": true}'
write_mail_conf "smtp://127.0.0.1:$SMTP_PORT/convene.test" \
    "smtp_username = convene
smtp_password_file = $T/password"
kill -HUP "$DAEMON_PID"
wait_long at_least 2 log_count 'configuration reloaded' ||
    fail "no reload"
d=$(out_test "$ann")
wait_long out_tried "$ann" "$d" 2 || fail "row $d: $(cat "$T/body")"
reason=$(out_row "$ann" "$d" reason)
case $reason in
*"refused STARTTLS and offers no AUTH without it"*) ;;
*)	fail "row $d: $reason" ;;
esac
wait_for at_least 2 smtp_stat tls connections ||
    fail "$(cat "$T/tls/stats.json")"
[ "$(smtp_stat tls mail_commands)" = 0 ] ||
    fail "MAIL FROM went without TLS or a login: $(cat "$T/tls/stats.json")"
n=$(log_count 'convened: warning: mail: the mail server refused STARTTLS')
[ "$n" = 1 ] || fail "$n warnings for a refused STARTTLS, not one"
ok "STARTTLS refused, AUTH only over TLS: nothing sent; $reason"

healthy || fail "convened stopped answering /healthz"
stop_daemon
pass
