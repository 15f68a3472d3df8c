# needs.sh: what members need to take part, from end to end.  A
# coordinator sets a Welsh member's standing needs; her yes by the link
# carries them to the meeting, with deadlines from the catalogue's lead
# days; the coordinator lists, arranges and refuses them through the API
# and convenectl, each reading audited; she is told by email in Welsh,
# the need's label in Welsh; a no withdraws what was carried and a later
# yes asks again; a text back YES carries them as a link does; another
# member ticks and unticks needs on the page to answer; a coordinator
# adds one; a meeting that moves moves its deadlines; a personal
# assistant, linked only with consent, is listed with the member and
# counted as coming when she says yes; and a meeting cancelled
# withdraws what was asked for there.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"

ctl() {
	"$CONVENECTL" -s "$T/state/convened.sock" "$@"
}
db() {
	sqlite3 -cmd ".timeout 5000" "$T/state/convene.db" "$1"
}

SECRET=inbound-secret-0123456789
printf '%s\n' "$SECRET" > "$T/inbound.secret"
chmod 600 "$T/inbound.secret"
write_conf
cat >> "$T/convened.conf" <<CONF
[sms]
inbound_secret_file = $T/inbound.secret
CONF
start_daemon

api 201 POST /groups '{"slug": "ild", "name": "Independent Living Group",
    "lead_times": "P1D"}'
api 201 POST /people '{"name": "Rhiannon Jones", "email":
    "rhiannon@example.org", "language": "cy"}'
rh=$(jv 'd["id"]')
api 201 POST /people '{"name": "Ann Smith", "email": "ann@example.org"}'
ann=$(jv 'd["id"]')
api 201 POST /people '{"name": "Out Sider", "email": "out@example.org"}'
out=$(jv 'd["id"]')
api 201 POST /people '{"name": "Bob Text", "phone": "07700 900123",
    "channels": "sms"}'
bob=$(jv 'd["id"]')
api 201 POST /groups/ild/members "{\"person\": $bob}"
api 201 POST /groups/ild/members "{\"person\": $rh}"
api 201 POST /groups/ild/members "{\"person\": $ann}"
start=$(TZ=Europe/London date -d "+30 days" '+%Y-%m-%dT18:00')
api 201 POST /series "{\"group\": \"ild\", \"title\": \"Steering\",
    \"start\": \"$start\"}"
api 200 GET "/occurrences?group=ild&days=60"
occ=$(jv 'd["occurrences"][0]["id"]')
start_at=$(jv 'd["occurrences"][0]["start_at"]')

# rsvp PERSON: the link to answer for the meeting, signed as messages are.
rsvp() {
	"$PY" - "$T/state/signing.key" "$1" "$occ" <<'PYEOF'
import base64, hashlib, hmac, sys, time
key = bytes.fromhex(open(sys.argv[1]).read().strip())
subject = "%s.%s" % (sys.argv[2], sys.argv[3])
exp = int(time.time()) + 86400
mac = hmac.new(key, b"rsvp:%s:%d" % (subject.encode(), exp),
    hashlib.sha512).digest()[:16]
print("%s.%d.%s" % (subject, exp,
    base64.urlsafe_b64encode(mac).decode().rstrip("=")))
PYEOF
}
# answer PERSON FORM: post the page to answer, sent on (303) to the page
# that says what was saved, in $T/page.
answer() {
	code=$(curl -sS -m 10 -L -o "$T/page" -w '%{http_code} %{num_redirects}' \
	    --data-raw "$2" "$BASE/rsvp/$(rsvp "$1")") || code=000
	[ "$code" = "200 1" ] ||
	    fail "answering $2 gave $code: $(cat "$T/page")"
}
# requests [QUERY]: "need:state" of the meeting's requests, sorted.
requests() {
	api 200 GET "/occurrences/$occ/requests${1:-}"
	jv '" ".join(sorted("%s:%s:%s" % (r["person"], r["need"], r["state"])
	    for r in d["requests"]))'
}
# mail_text ID: the text part of the email of outbox row ID, decoded.
mail_text() {
	"$PY" - "$T/state/spool/mail/$1.1.eml" <<'PYEOF'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
    policy=email.policy.default)
print("Subject: " + m["Subject"])
print(m.get_body(("plain",)).get_content())
PYEOF
}

# Standing needs, set by a coordinator; a code not in the catalogue, or
# "other" without its words, refused.
api 422 PUT "/people/$rh/needs" '{"needs": ["bsl", "telepathy"]}'
grep -q 'telepathy' "$T/body" || fail "the refusal: $(cat "$T/body")"
api 422 PUT "/people/$rh/needs" '{"needs": [{"need": "other"}]}'
api 422 PUT "/people/$rh/needs" '{"needs": "bsl"}'
api 200 PUT "/people/$rh/needs" '{"needs": ["bsl", {"need": "other",
    "detail": "Cadair gyda breichiau"}]}'
[ "$(jv '" ".join(n["need"] + "/" + n["set_by"] for n in d["needs"])')" = \
    "bsl/control other/control" ] || fail "standing needs: $(cat "$T/body")"
ctl person needs "$rh" > "$T/out" || fail "person needs"
grep -q 'British Sign Language (BSL) interpreter' "$T/out" &&
    grep -q 'Cadair gyda breichiau' "$T/out" ||
    fail "convenectl person needs: $(cat "$T/out")"
api 405 DELETE "/people/$rh/needs"
ok "standing needs set, read back and checked"

# Her yes by the link carries them, once, with their deadlines.
[ -z "$(requests)" ] || fail "requests before any answer: $(requests)"
answer "$rh" "answer=yes"
[ "$(requests)" = "$rh:bsl:requested $rh:other:requested" ] ||
    fail "carried: $(requests)"
answer "$rh" "answer=maybe"
[ "$(requests)" = "$rh:bsl:requested $rh:other:requested" ] ||
    fail "carried twice: $(requests)"
[ "$(jv '[r["deadline_at"] for r in d["requests"] if r["need"] == "bsl"][0]')" \
    = $((start_at - 14 * 86400)) ] || fail "bsl deadline: $(cat "$T/body")"
[ "$(jv '[len(r["history"]) for r in d["requests"]]')" = "1 1" ] ||
    fail "history: $(cat "$T/body")"
[ "$(jv '[r["standing"] for r in d["requests"]]')" = "1 1" ] ||
    fail "not marked as carried: $(cat "$T/body")"
ok "a yes by the link carries the standing needs, once, with deadlines"

# Every reading of needs is in the audit log, with who read what.
reads=$(db "SELECT count(*) FROM audit_log WHERE action = 'read needs'")
api 200 GET "/occurrences/$occ/requests?state=requested"
api 200 GET "/people/$rh/needs"
[ "$(db "SELECT count(*) FROM audit_log WHERE action = 'read needs'")" = \
    $((reads + 2)) ] || fail "reads not audited"
[ "$(db "SELECT actor || ' ' || object || ' ' || detail FROM audit_log
    WHERE action = 'read needs' ORDER BY id DESC LIMIT 1")" = \
    "control person $rh" ] || fail "the audit line"
api 422 GET "/occurrences/$occ/requests?state=booked"
ok "each reading of needs is audited"

# The coordinator arranges the interpreter: she is told, in Welsh.
ctl occurrence requests "$occ" > "$T/out" || fail "occurrence requests"
grep -q 'British Sign Language (BSL) interpreter.*requested' "$T/out" ||
    fail "the table: $(cat "$T/out")"
bsl=$(db "SELECT id FROM access_requests WHERE need = 'bsl'")
other=$(db "SELECT id FROM access_requests WHERE need = 'other'")
ctl request set "$bsl" arranged > "$T/out" || fail "request set"
grep -q "request $bsl, British Sign Language (BSL) interpreter for Rhiannon Jones: arranged" \
    "$T/out" || fail "request set said: $(cat "$T/out")"
wait_for sh -c "[ -n \"\$(sqlite3 '$T/state/convene.db' \"SELECT id FROM
    outbox WHERE kind = 'access' AND state = 'sent'\")\" ]" ||
    fail "no access message sent: $(db "SELECT * FROM outbox")"
id=$(db "SELECT id FROM outbox WHERE kind = 'access'")
[ "$(db "SELECT person_id || ' ' || channel || ' ' || lead FROM outbox
    WHERE id = $id")" = "$rh email r$bsl.$(db "SELECT max(id) FROM
    access_events WHERE request_id = $bsl")" ] ||
    fail "the access row: $(db "SELECT * FROM outbox WHERE id = $id")"
mail_text "$id" > "$T/mail" || fail "cannot read the access email"
grep -q "^Subject: Wedi'i drefnu: Dehonglydd Iaith Arwyddion Prydain (BSL) ar gyfer Steering" \
    "$T/mail" || fail "the Welsh subject: $(cat "$T/mail")"
grep -q "Dehonglydd Iaith Arwyddion Prydain (BSL)" "$T/mail" ||
    fail "no Welsh label: $(cat "$T/mail")"
grep -q "British Sign Language" "$T/mail" && fail "English in Welsh: $(cat "$T/mail")"
ok "arranged: she is told by email, in Welsh, with the Welsh label"

# Unable needs a reason; she is told that too, with the reason.
ctl request set "$bsl" unable 2> "$T/err" && fail "unable without a reason"
grep -q 'reason' "$T/err" || fail "the refusal: $(cat "$T/err")"
ctl request set "$bsl" requested 2> "$T/err" && fail "arranged to requested"
ctl request set "$bsl" unable --reason "Dim dehonglydd ar gael" \
    > "$T/out" || fail "unable with a reason"
wait_for sh -c "[ \"\$(sqlite3 '$T/state/convene.db' \"SELECT count(*) FROM
    outbox WHERE kind = 'access' AND state = 'sent'\")\" = 2 ]" ||
    fail "no second access message"
id=$(db "SELECT max(id) FROM outbox WHERE kind = 'access'")
mail_text "$id" > "$T/mail"
grep -q "^Subject: Dim yn bosibl: Dehonglydd Iaith Arwyddion" "$T/mail" &&
    grep -q "Dim dehonglydd ar gael" "$T/mail" ||
    fail "the unable email: $(cat "$T/mail")"
api 200 GET "/occurrences/$occ/requests?need=bsl"
[ "$(jv '[h["state"] + "/" + h["actor"] for h in d["requests"][0]["history"]]')" = \
    "requested/answer by link arranged/control unable/control" ] ||
    fail "history: $(cat "$T/body")"
[ "$(jv 'd["requests"][0]["reason"]')" = "Dim dehonglydd ar gael" ] ||
    fail "reason: $(cat "$T/body")"
api 404 POST /requests/9999 '{"state": "arranged"}'
api 405 DELETE "/requests/$bsl"
ok "unable only with a reason, said to her; the history kept"

# No withdraws what was carried and is open; a later yes asks again.
answer "$rh" "answer=no"
[ "$(requests)" = "$rh:bsl:unable $rh:other:withdrawn" ] ||
    fail "after no: $(requests)"
answer "$rh" "answer=yes"
[ "$(requests)" = "$rh:bsl:unable $rh:other:requested" ] ||
    fail "after yes again: $(requests)"
ok "no withdraws the needs carried; yes asks for them again"

# A text back carries them just the same.
ctl person needs "$bob" --set transport >/dev/null || fail "Bob's needs"
code=$(curl -sS -m 10 -o "$T/body" -w '%{http_code}' \
    "$BASE/sms/inbound?key=$SECRET&from=447700900123&text=YES+M$occ&id=k1")
[ "$code" = 200 ] || fail "the text back gave $code: $(cat "$T/body")"
[ "$(requests "?need=transport")" = "$bob:transport:requested" ] ||
    fail "a text back did not carry: $(requests)"
[ "$(jv 'd["requests"][0]["history"][0]["actor"]')" = "answer by sms" ] ||
    fail "carried by: $(cat "$T/body")"
ok "a yes by text carries the standing needs too"

# Ann ticks needs on the page to answer; what she unticks is withdrawn.
curl -sS -m 10 -o "$T/page" "$BASE/rsvp/$(rsvp "$ann")"
grep -q '<fieldset id="needs"' "$T/page" &&
    grep -q 'id="need-captions" value="captions">' "$T/page" ||
    fail "no needs on the page: $(cat "$T/page")"
answer "$ann" "answer=yes&needs_shown=1&need=captions&need=transport&need_other=A+quiet+seat"
grep -q '<dd>Speech-to-text or captions</dd>' "$T/page" &&
    grep -q '<dd>A quiet seat</dd>' "$T/page" ||
    fail "the page does not say what she needs: $(cat "$T/page")"
# (sorted as text: Rhiannon, 1, first)
[ "$(requests "?state=requested")" = \
    "$rh:other:requested $ann:captions:requested $ann:other:requested $ann:transport:requested $bob:transport:requested" ] ||
    fail "ticked: $(requests "?state=requested")"
answer "$ann" "answer=yes&needs_shown=1&need=transport"
[ "$(requests)" = "$rh:bsl:unable $rh:other:requested $ann:captions:withdrawn $ann:other:withdrawn $ann:transport:requested $bob:transport:requested" ] ||
    fail "unticked: $(requests)"
curl -sS -m 10 -o "$T/page" "$BASE/rsvp/$(rsvp "$ann")"
grep -q 'id="need-transport" value="transport" checked>' "$T/page" &&
    ! grep -q 'id="need-captions" value="captions" checked' "$T/page" ||
    fail "the page does not show her choice: $(cat "$T/page")"
# Too many words for anything else: named, linked, nothing changed.
long=$("$PY" -c 'print("a" * 501)')
code=$(curl -sS -m 10 -o "$T/page" -w '%{http_code}' --data-raw \
    "answer=no&needs_shown=1&need_other=$long" "$BASE/rsvp/$(rsvp "$ann")")
[ "$code" = 422 ] && grep -q 'href="#need-other">Say what else you need in 500 letters or fewer' \
    "$T/page" || fail "too long gave $code: $(cat "$T/page")"
[ "$(db "SELECT answer FROM answers WHERE person_id = $ann ORDER BY id
    DESC LIMIT 1")" = yes ] || fail "a refused form recorded an answer"
# A form without the needs fields leaves them as they are.
answer "$ann" "answer=maybe"
[ "$(requests "?need=transport")" = \
    "$ann:transport:requested $bob:transport:requested" ] ||
    fail "a form without needs changed them: $(requests)"
ok "needs ticked and unticked on the page to answer"

# A coordinator adds one; twice is one; bad ones refused.
api 201 POST "/occurrences/$occ/requests" "{\"person\": $ann,
    \"need\": \"largeprint\"}"
[ "$(jv 'd["label"]')" = "Large-print papers" ] || fail "$(cat "$T/body")"
api 200 POST "/occurrences/$occ/requests" "{\"person\": $ann,
    \"need\": \"largeprint\"}"
api 422 POST "/occurrences/$occ/requests" "{\"person\": $ann,
    \"need\": \"telepathy\"}"
api 422 POST "/occurrences/$occ/requests" "{\"person\": $ann,
    \"need\": \"other\"}"
api 422 POST "/occurrences/$occ/requests" "{\"person\": $out,
    \"need\": \"bsl\"}"
api 404 POST "/occurrences/9999/requests" "{\"person\": $ann,
    \"need\": \"bsl\"}"
[ "$(db "SELECT count(*) FROM access_requests WHERE need =
    'largeprint'")" = 1 ] || fail "added twice"
ok "a coordinator adds a request; twice is once"

# Her personal assistant: linked only with her consent recorded.
api 201 POST /people '{"name": "Pat Assistant", "phone": "07700 900555",
    "channels": "sms"}'
pa=$(jv 'd["id"]')
api 422 POST "/people/$rh/supporters" "{\"supporter\": $pa,
    \"role\": \"personal-assistant\"}"
grep -q 'consent' "$T/body" || fail "the refusal: $(cat "$T/body")"
api 422 POST "/people/$rh/supporters" "{\"supporter\": $rh,
    \"consent_by\": \"Rhiannon\"}"
api 422 POST "/people/$rh/supporters" "{\"supporter\": $pa,
    \"role\": \"chaperone\", \"consent_by\": \"Rhiannon\"}"
api 422 POST "/people/$rh/supporters" '{"supporter": 9999,
    "consent_by": "Rhiannon"}'
api 201 POST "/people/$rh/supporters" "{\"supporter\": $pa,
    \"role\": \"personal-assistant\", \"copy_reminders\": true,
    \"consent_by\": \"Rhiannon, by phone to the coordinator\"}"
[ "$(jv '[s["name"] + "/" + s["role"] + "/" + str(s["copy_reminders"])
    for s in d["supporters"]]')" = "Pat Assistant/personal-assistant/1" ] ||
    fail "supporters: $(cat "$T/body")"
api 200 GET "/people/$rh"
[ "$(jv '[s["supporter"] for s in d["supporters"]]')" = "$pa" ] ||
    fail "not listed with the person: $(cat "$T/body")"
[ "$(db "SELECT count(*) FROM audit_log WHERE action = 'read needs' AND
    object = 'supporters' AND detail = '$rh'")" -ge 1 ] ||
    fail "the supporters read not audited"
# Rhiannon and Bob said yes (Ann maybe): three coming, with Pat.
api 200 GET "/occurrences/$occ/answers"
[ "$(jv 'd["attending"]')" = 3 ] || fail "attending: $(cat "$T/body")"
ctl occurrence answers "$occ" > "$T/out" || fail "occurrence answers"
grep -q "^$rh .*Rhiannon.* yes .*Pat Assistant" "$T/out" ||
    fail "convenectl answers: $(cat "$T/out")"
api 200 DELETE "/people/$rh/supporters/$pa"
api 404 DELETE "/people/$rh/supporters/$pa"
api 200 GET "/occurrences/$occ/answers"
[ "$(jv 'd["attending"]')" = 2 ] || fail "attending after: $(cat "$T/body")"
ok "a personal assistant linked with consent, listed, counted as coming"

# The meeting moves a week on: so do its deadlines.
new=$(TZ=Europe/London date -d "+37 days" '+%Y-%m-%dT18:00')
ctl occurrence move "$occ" "$new" >/dev/null || fail "move"
api 200 GET "/occurrences/$occ"
moved=$(jv 'd["start_at"]')
[ "$moved" -gt "$start_at" ] || fail "not moved"
[ "$(db "SELECT deadline_at FROM access_requests WHERE need = 'bsl'")" = \
    $((moved - 14 * 86400)) ] || fail "the bsl deadline did not move"
[ "$(db "SELECT deadline_at FROM access_requests WHERE need =
    'largeprint'")" = $((moved - 3 * 86400)) ] ||
    fail "the large print deadline did not move"
ok "a meeting moved moves its deadlines"

# A catalogue of the council's own, read on SIGHUP: an interpreter now
# takes three weeks to book; the next move uses it.
cat >> "$T/convened.conf" <<CONF

[need bsl]
label = BSL interpreter
label_cy = Dehonglydd BSL
lead_days = 21

[need largeprint]
label = Large print
lead_days = 10
CONF
kill -HUP "$DAEMON_PID"
wait_for grep -q "configuration reloaded" "$T/daemon.log" ||
    fail "the catalogue was not reloaded"
new=$(TZ=Europe/London date -d "+38 days" '+%Y-%m-%dT18:00')
ctl occurrence move "$occ" "$new" >/dev/null || fail "move again"
api 200 GET "/occurrences/$occ"
moved=$(jv 'd["start_at"]')
[ "$(db "SELECT deadline_at FROM access_requests WHERE need = 'bsl'")" = \
    $((moved - 21 * 86400)) ] || fail "the new lead days were not used"
[ "$(db "SELECT deadline_at FROM access_requests WHERE need =
    'largeprint'")" = $((moved - 10 * 86400)) ] ||
    fail "the large print deadline: not the new lead days"
api 200 GET "/occurrences/$occ/requests?need=bsl"
[ "$(jv 'd["requests"][0]["label"]')" = "BSL interpreter" ] ||
    fail "the label: $(cat "$T/body")"
ok "the catalogue's lead days, reloaded, used when a meeting next moves"

# Cancelled: nothing stays asked for or booked there.
ctl occurrence cancel "$occ" --reason "no quorum" >/dev/null ||
    fail "cancel"
[ "$(requests "?state=requested")$(requests "?state=arranged")" = "" ] ||
    fail "open after the meeting was cancelled: $(requests)"
ok "a meeting cancelled withdraws what was asked for there"

ctl person needs "$rh" --set "" > "$T/out" || fail "clearing needs"
grep -q 'no standing needs' "$T/out" || fail "$(cat "$T/out")"
ctl occurrence requests "$occ" --state arranged > "$T/out" ||
    fail "requests --state"
grep -q 'no requests' "$T/out" || fail "$(cat "$T/out")"
stop_daemon
pass
