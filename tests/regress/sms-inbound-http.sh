# sms-inbound-http.sh: texts sent back through a provider's HTTP API
# (gateway = http), posted as Twilio posts them: From, Body, MessageSid,
# signed with X-Twilio-Signature (HMAC-SHA1 of the address and the sorted
# parameters, keyed with the provider's token; computed here by Python's
# hmac, not convene's code).  A signed answer is recorded and confirmed
# through the stand-in provider; the same request replayed does nothing;
# unsigned, wrongly signed, tampered and Kannel-style requests get 403.
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

TOKEN=authtoken-0123456789abcdef
printf 'ACtest:authsecret\n' > "$T/sms.cred"
printf '%s\n' "$TOKEN" > "$T/inbound.secret"
chmod 600 "$T/sms.cred" "$T/inbound.secret"
write_conf
cat >> "$T/convened.conf" <<CONF
[sms]
gateway = http
gateway_url = http://127.0.0.1:$P/2010-04-01/Accounts/ACtest/Messages.json
credentials_file = $T/sms.cred
inbound_secret_file = $T/inbound.secret
from = +447700900000
timeout = 2
CONF
start_daemon

api 201 POST /groups '{"slug": "panel", "name": "Carers Panel"}'
api 201 POST /people '{"name": "Ann", "phone": "+447700900001",
    "channels": "sms"}'
ann=$(jv 'd["id"]')
api 201 POST /groups/panel/members "{\"person\": $ann}"
start=$(($(date +%s) + 86400))
local=$(TZ=Europe/London date -d "@$start" +%Y-%m-%dT%H:%M:%S)
api 201 POST /series "{\"group\": \"panel\", \"title\": \"Budget\",
    \"start\": \"$local\", \"duration_minutes\": 60}"

# post TOKEN [SENT-BODY] NAME=VALUE...: POST the form to /sms/inbound
# signed with TOKEN ("-": unsigned) over the parameters given; the body
# sent is SENT-BODY's parameters when not "", else the same.  Prints the
# status.
post() {
	"$PY" - "$BASE/sms/inbound" "$@" <<'PY'
import base64, hashlib, hmac, sys, urllib.error, urllib.parse, urllib.request
url, token, sent = sys.argv[1], sys.argv[2], sys.argv[3]
params = dict(a.split("=", 1) for a in sys.argv[4:])
body = dict(params)
if sent:
    body.update(dict(a.split("=", 1) for a in sent.split("&")))
req = urllib.request.Request(url, urllib.parse.urlencode(body).encode(),
    {"Content-Type": "application/x-www-form-urlencoded"})
if token != "-":
    s = url + "".join(k + params[k] for k in sorted(params))
    req.add_header("X-Twilio-Signature", base64.b64encode(hmac.new(
        token.encode(), s.encode(), hashlib.sha1).digest()).decode())
try:
    r = urllib.request.urlopen(req, timeout=10)
    print(r.status, r.headers.get("Content-Type"), r.read().decode().strip())
except urllib.error.HTTPError as e:
    print(e.code)
PY
}
db() {
	"$PY" -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for r in c.execute(sys.argv[2]):
	print(" ".join(str(x) for x in r))' "$T/state/convene.db" "$1"
}
answers() { db "SELECT count(*) FROM answers"; }
prov_count() {
	[ -f "$T/provider.jsonl" ] || { echo 0; return; }
	"$PY" -c 'import json, sys
n = 0
for l in open(sys.argv[1], encoding="utf-8"):
	r = json.loads(l)
	if sys.argv[2] in json.dumps(r, ensure_ascii=False):
		n += 1
print(n)' "$T/provider.jsonl" "$1"
}

sms="From=+447700900001 Body=Yes! MessageSid=SM0001 AccountSid=ACtest"
r=$(post "$TOKEN" "" $sms)
[ "$r" = "200 text/xml; charset=utf-8 <Response/>" ] || fail "signed: $r"
[ "$(answers)" = 1 ] || fail "answers: $(answers)"
[ "$(db "SELECT answer, channel, ref FROM answers")" = "yes sms http:SM0001" ] ||
    fail "answer: $(db "SELECT answer, channel, ref FROM answers")"
conf() { prov_count "Your answer: Yes, I will come."; }
wait_progress conf 1 || fail "no confirmation at the provider"
ok "a signed 'Yes!' recorded for the one meeting ahead and confirmed"

# The same signed request again: a replay does nothing.
r=$(post "$TOKEN" "" $sms)
[ "${r%% *}" = 200 ] || fail "replay: $r"
[ "$(answers)" = 1 ] || fail "the replay was recorded"
grep -q 'http:SM0001 was handled before' "$T/daemon.log" ||
    fail "the replay was not noticed"
[ "$(db "SELECT count(*) FROM outbox WHERE kind = 'rsvp'")" = 1 ] ||
    fail "the replay was confirmed again"
ok "the same signed request replayed: nothing recorded, nothing sent"

# Unsigned, signed with another token, tampered with after signing,
# Kannel's key in the address: 403, nothing recorded.
new="From=+447700900001 Body=no MessageSid=SM0002"
[ "$(post - "" $new)" = 403 ] || fail "unsigned taken"
[ "$(post wrong-token-0123456789 "" $new)" = 403 ] || fail "wrong token taken"
[ "$(post "$TOKEN" "Body=maybe" $new)" = 403 ] || fail "tampered body taken"
[ "$(post "$TOKEN" "From=+447700900002" $new)" = 403 ] ||
    fail "tampered sender taken"
r=$(curl -s -o /dev/null -w '%{http_code}' \
    "$BASE/sms/inbound?key=$TOKEN&from=447700900001&text=no&id=k1")
[ "$r" = 403 ] || fail "Kannel's form with gateway = http: $r"
[ "$(answers)" = 1 ] || fail "a refused request was recorded"
grep -q 'refused: the request is not signed' "$T/daemon.log" ||
    fail "the refusal was not logged"
ok "unsigned, wrong token, tampered body or sender, key= in the address: 403"

# Signed as it should be, the second text goes in.
r=$(post "$TOKEN" "" $new)
[ "${r%% *}" = 200 ] || fail "second: $r"
[ "$(db "SELECT answer FROM answers ORDER BY id DESC LIMIT 1")" = no ] ||
    fail "second answer: $(db "SELECT answer FROM answers")"
ok "a second signed text recorded"

healthy || fail "convened stopped answering /healthz"
stop_daemon
pass
