# sms-trouble.sh: trouble with the SMS gateway is logged once when it
# starts and once when SMS goes again, not at every message and retry: a
# gateway that is down and a run of 503s each give one warning however
# many messages wait and however often they are tried, and one line when
# delivery works again.  A number the gateway refuses is the message's
# own matter: one line for its row, no warning.  The provider is the
# stand-in of sms-http.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"

PROV_PID=
trap 'if [ -n "$PROV_PID" ]; then kill "$PROV_PID" 2>/dev/null || true; fi
    cleanup' EXIT

P=$(free_port)
printf 'ACtest:authsecret\n' > "$T/sms.cred"
chmod 600 "$T/sms.cred"
write_conf
# One connection: the answers come back in the order the gateway gave
# them, so that a success cannot overtake the failure before it.
cat >> "$T/convened.conf" <<CONF
[sms]
gateway = http
gateway_url = http://127.0.0.1:$P/2010-04-01/Accounts/ACtest/Messages.json
credentials_file = $T/sms.cred
from = +447700900000
timeout = 2
max_connections = 1

[outbox]
retry_base = 1
retry_max = 1
retry_lifetime = 60
CONF
start_daemon

person() {
	api 201 POST /people "{\"name\": \"$1\", \"phone\": \"$2\",
	    \"channels\": \"sms\"}"
	jv 'd["id"]'
}
ann=$(person "Ann Smith" "+447700900001")
bob=$(person "Bob Jones" "+447700900002")
dan=$(person "Dan Green" "+447700900410")

W='convened: warning: sms:'
R='; messages wait and are retried'
warnings() {
	log_count "$W"
}
again() {
	log_count 'convened: sms: delivering again after [0-9]+ failures? in'
}

# Nothing listening: two messages, each tried at least twice.
a=$(out_test "$ann")
b=$(out_test "$bob")
wait_long out_tried "$ann" "$a" 2 || fail "row $a: $(cat "$T/body")"
wait_long out_tried "$bob" "$b" 2 || fail "row $b: $(cat "$T/body")"
n=$(log_count "$W cannot reach the SMS gateway: .*$R")
[ "$n" = 1 ] || fail "$n warnings for a gateway that is down, not one"
[ "$(warnings)" = 1 ] || fail "warnings: $(grep warning "$T/daemon.log")"
[ "$(again)" = 0 ] || fail "SMS goes again while the gateway is down"
"$PY" "$(dirname "$0")/sms-provider.py" "$P" "$T/provider.jsonl" \
    "ACtest:authsecret" "tok-3e9f" 2>>"$T/provider.log" &
PROV_PID=$!
wait_long out_state_is "$ann" "$a" sent || fail "row $a: $(cat "$T/body")"
wait_long out_state_is "$bob" "$b" sent || fail "row $b: $(cat "$T/body")"
[ "$(again)" = 1 ] || fail "$(again) lines say SMS goes again, not one"
[ "$(warnings)" = 1 ] || fail "warnings: $(grep warning "$T/daemon.log")"
ok "a gateway that was down: one warning; $(grep -o \
    'sms: delivering again after .*' "$T/daemon.log")"

# A run of 503s.
echo 503 > "$T/provider.jsonl.fault"
a=$(out_test "$ann")
b=$(out_test "$bob")
wait_long out_tried "$ann" "$a" 2 || fail "row $a: $(cat "$T/body")"
wait_long out_tried "$bob" "$b" 2 || fail "row $b: $(cat "$T/body")"
n=$(log_count "$W the SMS gateway said 503: it is busy or unwell$R")
[ "$n" = 1 ] || fail "$n warnings for a run of 503s, not one"
[ "$(warnings)" = 2 ] || fail "warnings: $(grep warning "$T/daemon.log")"
rm "$T/provider.jsonl.fault"
wait_long out_state_is "$ann" "$a" sent || fail "row $a: $(cat "$T/body")"
wait_long out_state_is "$bob" "$b" sent || fail "row $b: $(cat "$T/body")"
[ "$(again)" = 2 ] || fail "$(again) lines say SMS goes again, not two"
[ "$(warnings)" = 2 ] || fail "warnings: $(grep warning "$T/daemon.log")"
ok "a run of 503s: one warning, one line when the gateway took SMS again"

# A number refused: one line for its row, not a warning.
d=$(out_test "$dan")
wait_long out_state_is "$dan" "$d" dead || fail "row $d: $(cat "$T/body")"
n=$(log_count "convened: sms: outbox row $d refused: the SMS gateway \
refused the message \(it said 400")
[ "$n" = 1 ] || fail "$n lines for row $d's refusal, not one"
[ "$(warnings)" = 2 ] || fail "warnings: $(grep warning "$T/daemon.log")"
ok "a refused number: one line for its row, no warning"

healthy || fail "convened stopped answering /healthz"
stop_daemon
pass
