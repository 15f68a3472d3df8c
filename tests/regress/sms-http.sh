# sms-http.sh: SMS through a provider's HTTP API (gateway = http).  The
# provider is a stand-in (sms-provider.py, Twilio-style), not a real one.
# Form fields and basic auth are as configured; 503 and a provider that
# hangs past the timeout are retried; 400 (an invalid number) falls back
# to the member's next channel or, with none, is dead with the reason; 401
# says the credentials were refused; a reply that is not HTTP is retried.
# Signed delivery reports are taken,
# forged, moved and expired ones refused.  After SIGHUP, JSON with a
# bearer token.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"

PROV_PID=
trap 'if [ -n "$PROV_PID" ]; then kill "$PROV_PID" 2>/dev/null || true; fi
    cleanup' EXIT

P=$(free_port)
"$PY" "$(dirname "$0")/sms-provider.py" "$P" "$T/provider.jsonl" \
    "ACtest:authsecret" "tok-3e9f" 2>>"$T/provider.log" &
PROV_PID=$!
wait_for curl -s -m 2 -o /dev/null -X POST "http://127.0.0.1:$P/" ||
    fail "the stand-in provider did not start"
rm -f "$T/provider.jsonl"

printf 'ACtest:authsecret\n' > "$T/sms.cred"
chmod 600 "$T/sms.cred"
sms_conf() {
	write_conf
	cat >> "$T/convened.conf" <<CONF
[sms]
gateway = http
gateway_url = http://127.0.0.1:$P/2010-04-01/Accounts/ACtest/Messages.json
credentials_file = $T/sms.cred
from = +447700900000
timeout = 2
$1

[outbox]
retry_base = 1
retry_max = 2
CONF
}
# Kannel needs its sendsms-user's credentials: refused at start.
write_conf
cat >> "$T/convened.conf" <<CONF
[sms]
gateway_url = http://127.0.0.1:$P/cgi-bin/sendsms
CONF
st=0
"$CONVENED" -d -f "$T/convened.conf" 2>"$T/start.err" || st=$?
[ "$st" -ne 0 ] || fail "started without Kannel's credentials"
grep -q "credentials_file is needed for Kannel's sendsms-user" \
    "$T/start.err" || fail "start-up message: $(cat "$T/start.err")"
ok "no credentials for Kannel: $(tail -n 1 "$T/start.err")"

sms_conf ""
# The test moves the clock on to due times; retries run in real time.
start_daemon --test-clock

# prov EXPR: a Python expression over the provider's requests, r.
prov() {
	"$PY" -c 'import json, sys
r = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
print(eval(sys.argv[2]))' "$T/provider.jsonl" "$1"
}

person() {
	api 201 POST /people "{\"name\": \"$1\", \"phone\": \"$2\",
	    \"email\": \"$3\", \"channels\": \"$4\"}"
	jv 'd["id"]'
}
ann=$(person "Ann Smith" "+447700900001" "ann@example.org" "sms")
cat=$(person "Cat Brown" "+447700900400" "cat@example.org" "sms,email")
dan=$(person "Dan Green" "+447700900410" "dan@example.org" "sms")
eve=$(person "Eve Black" "+447700900503" "eve@example.org" "sms")
fay=$(person "Fay White" "+447700900999" "fay@example.org" "sms")
hal=$(person "Hal Stone" "+447700900666" "hal@example.org" "sms")
gus=$(person "Gus Grey" "+447700900401" "gus@example.org" "sms")
for p in $ann $dan $eve $fay $gus $hal; do
	api 202 POST "/people/$p/test"
done
# Cat hears by SMS first, then email: a reminder (a test message would
# take email at once).
api 201 POST /groups '{"slug": "ild", "name": "Independent Living Group",
    "lead_times": "PT10S"}'
api 201 POST /groups/ild/members "{\"person\": $cat}"
start=$(($(daemon_now) + 20))
local=$(TZ=Europe/London date -d "@$start" +%Y-%m-%dT%H:%M:%S)
api 201 POST /series "{\"group\": \"ild\", \"title\": \"Planning\",
    \"start\": \"$local\", \"duration_minutes\": 60}"
# While the provider hangs on Fay's request, the loop answers at once.
hanging() { [ "$(prov 'len([x for x in r if x["fields"]["To"].endswith("999")])')" = 1 ]; }
wait_for hanging || fail "no request for Fay"
t=$(curl -s -o /dev/null -m 2 -w '%{time_total}' "$BASE/healthz")
"$PY" -c "import sys; sys.exit(float('$t') > 0.5)" ||
    fail "/healthz took $t s while the provider hung"

# row PERSON CHANNEL: the person's test row by that channel (last body).
row() {
	ids 'm["person_id"] == '"$1"' and m["channel"] == "'"$2"'"'
}
state_is() {
	api 200 GET /outbox
	[ "$(msg "$(row "$1" "$2")" state)" = "$3" ]
}

# Accepted: form fields, basic auth, the provider's sid as the id.
wait_for state_is "$ann" sms sent || fail "Ann's SMS: $(cat "$T/body")"
aid=$(row "$ann" sms)
sid=$(msg "$aid" provider_id)
case $sid in SM[0-9]*) ;; *) fail "provider id $sid, not the sid" ;; esac
q='[x for x in r if x["fields"].get("To") == "+447700900001"]'
[ "$(prov "len($q)")" = 1 ] || fail "Ann's requests: $(cat "$T/provider.jsonl")"
[ "$(prov "$q[0]['type']")" = application/x-www-form-urlencoded ] ||
    fail "content type: $(prov "$q[0]['type']")"
[ "$(prov "$q[0]['auth']")" = "Basic $(printf 'ACtest:authsecret' |
    base64)" ] || fail "auth: $(prov "$q[0]['auth']")"
[ "$(prov "$q[0]['path']")" = /2010-04-01/Accounts/ACtest/Messages.json ] ||
    fail "path: $(prov "$q[0]['path']")"
[ "$(prov "sorted($q[0]['fields'])")" = \
    "['Body', 'From', 'StatusCallback', 'To']" ] ||
    fail "fields: $(prov "$q[0]['fields']")"
[ "$(prov "$q[0]['fields']['From']")" = "+447700900000" ] || fail "From"
[ "$(prov "$q[0]['fields']['Body']")" = "A test message: messages reach you by text. You do not need to reply." ] ||
    fail "Body: $(prov "$q[0]['fields']['Body']")"
cb=$(prov "$q[0]['fields']['StatusCallback']")
case $cb in "$BASE/sms/dlr?id=$aid&a=1&e="*"&s="*) ;;
*) fail "callback $cb" ;; esac
ok "form post with basic auth, accepted as $sid"

# 400, with email to fall back on: failed, and the email goes.
advance_to $((start - 10))
wait_for state_is "$cat" email sent || fail "Cat's email: $(cat "$T/body")"
cid=$(row "$cat" sms)
[ "$(msg "$cid" state)" = failed ] || fail "Cat's SMS: $(cat "$T/body")"
msg "$cid" reason | grep -q "refused the message (it said 400: The 'To' number is not a valid phone number.); trying email" ||
    fail "Cat's reason: $(msg "$cid" reason)"
[ "$(spool_count "$(row "$cat" email).1.eml")" = 1 ] ||
    fail "no email for Cat: $(ls -R "$T/state/spool")"
ok "400 fell back to email: $(msg "$cid" reason)"

# 400 with no other channel: dead, saying why.
wait_for state_is "$dan" sms dead || fail "Dan's SMS: $(cat "$T/body")"
msg "$(row "$dan" sms)" reason |
    grep -q 'said 400.*no other channel to try' ||
    fail "Dan's reason: $(msg "$(row "$dan" sms)" reason)"
[ "$(prov 'len([x for x in r if x["fields"]["To"].endswith("410")])')" = 1 ] ||
    fail "a refused number was tried again"
ok "400 with no other channel: dead, tried once"

# 503 once: retried, then sent.
wait_for state_is "$eve" sms sent || fail "Eve's SMS: $(cat "$T/body")"
[ "$(msg "$(row "$eve" sms)" attempts)" = 2 ] || fail "Eve: $(cat "$T/body")"
grep -q "attempt 1: the SMS gateway said 503" "$T/daemon.log" ||
    fail "no 503 in the log"
ok "503 retried, sent at the second attempt"

# A provider that hangs: the loop keeps answering, the request times out
# and is retried.
wait_for state_is "$fay" sms sent || fail "Fay's SMS: $(cat "$T/body")"
[ "$(msg "$(row "$fay" sms)" attempts)" = 2 ] || fail "Fay: $(cat "$T/body")"
grep -q "attempt 1: the SMS gateway did not answer within 2 seconds" \
    "$T/daemon.log" || fail "no time-out in the log"
ok "a hanging provider timed out and the retry was sent"

# A reply that is not HTTP: retried, then sent.
wait_for state_is "$hal" sms sent || fail "Hal's SMS: $(cat "$T/body")"
[ "$(msg "$(row "$hal" sms)" attempts)" = 2 ] || fail "Hal: $(cat "$T/body")"
grep -q "row $(row "$hal" sms) tempfail" "$T/daemon.log" ||
    fail "no tempfail for the malformed reply"
ok "a malformed reply: retried, sent at the second attempt"

# 401: retried, and the reason says the credentials were refused.
wait_for state_is "$gus" sms pending || fail "Gus: $(cat "$T/body")"
msg "$(row "$gus" sms)" reason | grep -q "refused convene's credentials" ||
    fail "Gus's reason: $(msg "$(row "$gus" sms)" reason)"
grep -q "sms: the SMS gateway refused convene's credentials" \
    "$T/daemon.log" || fail "no warning for the operator"
ok "401: $(msg "$(row "$gus" sms)" reason)"
# Gus's row now waits for a retry that the running clock would make due
# within a second or two: stop the clock, so that the row is still
# waiting when its delivery report comes below.
set_clock "$(daemon_now)"

# Delivery reports.  The signature is HMAC-SHA-512-256 cut to 128 bits,
# made here from the key file to forge an expired one.
sign() {
	"$PY" -c 'import base64, hashlib, hmac, sys
k = bytes.fromhex(open(sys.argv[1]).read().strip())
m = ("dlr:%s:%s" % (sys.argv[2], sys.argv[3])).encode()
d = hmac.new(k, m, hashlib.sha512).digest()[:16]
print(base64.urlsafe_b64encode(d).decode().rstrip("="))' \
	    "$T/state/signing.key" "$1" "$2"
}
path=${cb#"$BASE"}
expect_code 200 POST "$path" -d "MessageSid=$sid&MessageStatus=sent"
api 200 GET /outbox
[ "$(msg "$aid" delivery)" = accepted ] || fail "delivery: $(cat "$T/body")"
expect_code 200 POST "$path" -d "MessageSid=$sid&MessageStatus=delivered"
[ "$(cat "$T/body")" = ok ] || fail "reply: $(cat "$T/body")"
api 200 GET /outbox
[ "$(msg "$aid" delivery)" = delivered ] || fail "delivery: $(cat "$T/body")"
# A late "sent" does not take it back.
expect_code 200 POST "$path" -d "MessageSid=$sid&MessageStatus=sent"
api 200 GET /outbox
[ "$(msg "$aid" delivery)" = delivered ] || fail "delivery: $(cat "$T/body")"
ok "Twilio-style reports: sent, then delivered, kept"

eid=$(row "$eve" sms)
expect_code 403 POST "$(echo "$path" | sed "s/id=$aid&/id=$eid\&/")" \
    -d "MessageStatus=failed"
grep -q "not signed by convene" "$T/body" || fail "reason: $(cat "$T/body")"
expect_code 403 POST "$(echo "$path" | sed 's/&a=1&/\&a=2\&/')" \
    -d "MessageStatus=failed"
sig=${path##*&s=}
bad=$(echo "$sig" | tr 'A-Za-z' 'B-ZAb-za')
expect_code 403 POST "${path%&s=*}&s=$bad" -d "MessageStatus=failed"
past=$(($(daemon_now) - 10))
expect_code 403 POST "/sms/dlr?id=$eid&a=2&e=$past&s=$(sign "$eid.2" "$past")" \
    -d "MessageStatus=failed"
api 200 GET /outbox
[ "$(msg "$eid" delivery)" = "" ] || fail "Eve's row changed: $(cat "$T/body")"
later=$(($(daemon_now) + 600))
expect_code 200 GET "/sms/dlr?id=$eid&a=2&e=$later&s=$(sign "$eid.2" "$later")&status=DELIVRD"
api 200 GET /outbox
[ "$(msg "$eid" delivery)" = delivered ] || fail "Eve: $(cat "$T/body")"
ok "reports for another row or attempt, forged or expired: 403"

# A row waiting to be tried again, as when a gateway took the text but
# its answer was lost: a report that it has the text settles the row,
# and no second SMS goes.
gid=$(row "$gus" sms)
wait_for state_is "$gus" sms pending || fail "Gus: $(cat "$T/body")"
expect_code 200 GET "/sms/dlr?id=$gid&a=1&e=$later&s=$(sign "$gid.1" "$later")&status=delivered"
api 200 GET /outbox
[ "$(msg "$gid" state)" = sent ] || fail "Gus's row: $(cat "$T/body")"
[ "$(msg "$gid" delivery)" = delivered ] || fail "Gus: $(cat "$T/body")"
# Counted once the row is settled: a retry may have gone (and been
# refused) before the report came.  Longer than retry_max, twice over,
# nothing more may go: the clock moved on past it, the outbox settled.
n=$(wc -l < "$T/provider.jsonl")
advance 5
wait_progress outbox_busy 0 || fail "the outbox did not settle"
[ "$(wc -l < "$T/provider.jsonl")" = "$n" ] || fail "the text went again"
api 200 GET /outbox
[ "$(msg "$gid" state)" = sent ] || fail "Gus's row after: $(cat "$T/body")"
ok "a report for a row waiting to be retried settles it: no second SMS"

expect_code 400 GET "/sms/dlr?id=$aid&a=1"
expect_code 400 GET "$path"
grep -q "no status" "$T/body" || fail "reason: $(cat "$T/body")"
expect_code 400 GET "$path&status=purple"
expect_code 405 PUT "$path&status=1"
ok "reports without a signature or status: 400"

# SIGHUP with no field for the number: refused, the old one kept.
sms_conf "field_to ="
kill -HUP "$DAEMON_PID"
wait_for grep -q "configuration not reloaded" "$T/daemon.log" ||
    fail "a reload without field_to was taken"
grep -q "field_to and field_text must name" "$T/daemon.log" ||
    fail "no reason for the refused reload"

# SIGHUP: JSON with a bearer token.
printf 'tok-3e9f\n' > "$T/sms.cred"
sms_conf "format = json
auth = bearer"
kill -HUP "$DAEMON_PID"
reloaded() {
	[ "$(grep -c 'SMS to the sms-gateway channel' "$T/daemon.log")" -ge 2 ]
}
wait_for reloaded || fail "no reload: $(tail "$T/daemon.log")"
api 202 POST "/people/$ann/test"
two() {
	api 200 GET "/outbox?person=$ann"
	[ "$(ids 'm["state"] == "sent"' | wc -w)" = 2 ]
}
wait_for two || fail "Ann's second SMS: $(cat "$T/body")"
a2=$(ids 'm["id"] != '"$aid")
q='[x for x in r if x["fields"].get("To") == "+447700900001"][-1]'
[ "$(prov "$q['type']")" = application/json ] || fail "type: $(prov "$q")"
[ "$(prov "$q['auth']")" = "Bearer tok-3e9f" ] || fail "auth: $(prov "$q")"
[ "$(prov "sorted($q['fields'])")" = \
    "['Body', 'From', 'StatusCallback', 'To']" ] || fail "fields: $(prov "$q")"
cb2=$(prov "$q['fields']['StatusCallback']")
expect_code 200 POST "${cb2#"$BASE"}" -H 'Content-Type: application/json' \
    -d '{"status": "failed"}'
api 200 GET "/outbox?person=$ann"
[ "$(msg "$a2" delivery)" = failed ] || fail "delivery: $(cat "$T/body")"
[ "$(msg "$a2" state)" = sent ] || fail "state: $(cat "$T/body")"
grep -q "the SMS of outbox row $a2 was not delivered" "$T/daemon.log" ||
    fail "no warning for a failed delivery"
ok "after SIGHUP: JSON with a bearer token; a failed report is shown"

healthy || fail "convened stopped answering /healthz"
stop_daemon
pass
