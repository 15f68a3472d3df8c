# attendance.sh: a meeting's attendance, recorded once it has begun.
# Before the start it is refused with a reason.  Members answer by their
# links; with the clock past the start, one convenectl call records the
# meeting from the answers (yes attended, no apologies, a supporter with
# the member who came) with corrections listed, prints the table and
# the counts, apologies apart from absence; payments owed are written
# with it at the group's rate.  A correction by the API is audited;
# --list shows the result.  A token for another group finds no meeting.
# The daemon runs on the test clock.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"

ctl() {
	"$CONVENECTL" -s "$T/state/convened.sock" "$@"
}
db() {
	sqlite3 -cmd ".timeout 5000" "$T/state/convene.db" "$1"
}

write_conf
start_daemon --test-clock
t0=$(( ($(date +%s) / 86400 + 2) * 86400 + 10 * 3600 ))
set_clock "$t0"

api 201 POST /groups '{"slug": "ild", "name": "Independent Living Group",
    "payment_rate_pence": 2500}'
api 201 POST /groups '{"slug": "other", "name": "Another Group"}'
for n in Ann Bob Cat Dee Pat; do
	api 201 POST /people "{\"name\": \"$n Test\", \"email\":
	    \"$n@example.org\"}"
	eval "$(echo "$n" | tr 'A-Z' 'a-z')=$(jv 'd["id"]')"
done
api 201 POST /groups/ild/members "{\"person\": $ann}"
api 201 POST /groups/ild/members "{\"person\": $bob, \"role\": \"co-chair\"}"
api 201 POST /groups/ild/members "{\"person\": $cat}"
api 201 POST /groups/ild/members "{\"person\": $dee}"
ctl person supporter-add "$ann" "$pat" --consent-by member \
    --role personal-assistant > "$T/out" || fail "supporter-add: $(cat "$T/out")"

day=$(TZ=Europe/London date -d "@$((t0 + 2 * 86400))" +%Y-%m-%d)
api 201 POST /series "{\"group\": \"ild\", \"title\": \"Steering\",
    \"start\": \"${day}T18:00\"}"
api 200 GET "/occurrences?group=ild&days=30"
occ=$(jv 'd["occurrences"][0]["id"]')
start_at=$(jv 'd["occurrences"][0]["start_at"]')

# Not yet: the meeting has not begun.
api 409 POST "/occurrences/$occ/attendance" "{\"people\": [{\"person\":
    $ann, \"status\": \"attended\"}]}"
grep -q '"reason": "occurrence [0-9]* has not started' "$T/body" ||
    fail "the refusal: $(cat "$T/body")"
if ctl attendance "$occ" --from-answers > "$T/out" 2>&1; then
	fail "convenectl recorded before the start: $(cat "$T/out")"
fi
grep -q "^convenectl: occurrence $occ has not started" "$T/out" ||
    fail "convenectl's refusal: $(cat "$T/out")"
[ "$(db 'SELECT count(*) FROM attendance')" = 0 ] || fail "rows written"
ok "refused before the meeting starts, with the reason"

# rsvp PERSON: the link to answer, signed as messages are, for a day.
rsvp() {
	"$PY" - "$T/state/signing.key" "$1" "$occ" "$(daemon_now)" <<'PYEOF'
import base64, hashlib, hmac, sys
key = bytes.fromhex(open(sys.argv[1]).read().strip())
subject = "%s.%s" % (sys.argv[2], sys.argv[3])
exp = int(sys.argv[4]) + 86400
mac = hmac.new(key, b"rsvp:%s:%d" % (subject.encode(), exp),
    hashlib.sha512).digest()[:16]
print("%s.%d.%s" % (subject, exp,
    base64.urlsafe_b64encode(mac).decode().rstrip("=")))
PYEOF
}
answer() {
	code=$(curl -sS -m 10 -o "$T/page" -w '%{http_code}' --data-raw "$2" \
	    "$BASE/rsvp/$(rsvp "$1")") || code=000
	[ "$code" = 303 ] || fail "answering $2 gave $code: $(cat "$T/page")"
}
answer "$ann" "answer=yes"
answer "$bob" "answer=no"
answer "$cat" "answer=yes"
api 200 GET "/occurrences/$occ/answers"
[ "$(jv 'sorted(a["answer"] for a in d["latest"])')" = "no yes yes" ] ||
    fail "answers: $(cat "$T/body")"

# Ten minutes in: the meeting from the answers, Cat and Dee corrected.
advance_to $((start_at + 600))
ctl attendance "$occ" --from-answers "$cat=absent" "$dee=apologies:ill" \
    > "$T/out" 2>&1 || fail "attendance: $(cat "$T/out")"
grep -q "^PERSON  *NAME  *STATUS  *ROLE  *SUPPORTING  *REASON" "$T/out" &&
    grep -q "^$ann  *Ann Test  *attended  *member  *-  *-$" "$T/out" &&
    grep -q "^$bob  *Bob Test  *apologies  *co-chair  *-  *-$" "$T/out" &&
    grep -q "^$cat  *Cat Test  *absent  *member  *-  *-$" "$T/out" &&
    grep -q "^$dee  *Dee Test  *apologies  *member  *-  *ill$" "$T/out" &&
    grep -q "^$pat  *Pat Test  *attended  *supporter  *with $ann  *-$" \
    "$T/out" &&
    grep -q "^attended 2, apologies 2, absent 1$" "$T/out" ||
    fail "the table: $(cat "$T/out")"
[ "$(db "SELECT group_concat(person_id || ':' || role || ':' ||
    amount_pence, ' ') FROM (SELECT * FROM payments WHERE occurrence_id =
    $occ AND paid_on IS NULL ORDER BY person_id)")" = \
    "$ann:member:2500 $pat:supporter:2500" ] ||
    fail "payments: $(db 'SELECT * FROM payments')"
[ "$(db "SELECT count(*) FROM audit_log WHERE actor = 'control' AND
    action = 'record attendance' AND object LIKE 'occurrence:$occ person:%'")" \
    = 5 ] || fail "audit: $(db 'SELECT * FROM audit_log')"
ok "one call from answers with corrections; supporter with member; owed"

# Cat came after all: corrected by the API, audited, owed.
api 200 POST "/occurrences/$occ/attendance" "{\"people\": [{\"person\":
    $cat, \"status\": \"attended\"}]}"
[ "$(jv '[d["attended"], d["apologies"], d["absent"]]')" = "3 2 0" ] ||
    fail "the counts: $(cat "$T/body")"
[ "$(db "SELECT detail FROM audit_log WHERE action = 'correct attendance'
    AND object = 'occurrence:$occ person:$cat'")" = \
    "person $cat: absent -> attended" ] ||
    fail "audit: $(db 'SELECT * FROM audit_log')"
[ "$(db "SELECT amount_pence FROM payments WHERE person_id = $cat")" = \
    2500 ] || fail "Cat's payment: $(db 'SELECT * FROM payments')"
api 422 POST "/occurrences/$occ/attendance" "{\"people\": [{\"person\":
    $ann, \"status\": \"late\"}]}"
grep -q 'people\[0\].status: must be attended, apologies or absent' \
    "$T/body" || fail "a bad status: $(cat "$T/body")"
api 201 POST /people '{"name": "Eve Test", "email": "eve@example.org"}'
eve=$(jv 'd["id"]')
api 422 POST "/occurrences/$occ/attendance" "{\"people\": [{\"person\":
    $cat, \"status\": \"absent\"}, {\"person\": $eve, \"status\":
    \"attended\"}]}"
grep -q "\"reason\": \"person $eve is not a member of ild, nor supports one" \
    "$T/body" || fail "one in no group: $(cat "$T/body")"
ctl -j person export "$dee" > "$T/body" || fail "export"
[ "$(jv '["%s:%s" % (a["status"], a["reason"]) for a in
    d["attendance"]]')" = "apologies:ill" ] || fail "export: $(cat "$T/body")"
ctl attendance "$occ" --list > "$T/out" || fail "--list"
grep -q "^$cat  *Cat Test  *attended  *member" "$T/out" &&
    grep -q "^attended 3, apologies 2, absent 0$" "$T/out" ||
    fail "--list: $(cat "$T/out")"
ctl -j attendance "$occ" --list > "$T/body" || fail "-j --list"
[ "$(jv '["%d:%s:%d" % (a["person"], a["role"], a["supporting"])
    for a in d["attendance"] if a["supporting"]]')" = "$pat:supporter:$ann" ] ||
    fail "-j: $(cat "$T/body")"
ok "a correction by the API, audited and owed; --list"

# A token for another group: no such meeting, to read or to write.
ctl token create others --group other > "$T/to" 2>/dev/null ||
    fail "token create --group"
ctl token create ilds --group ild > "$T/ti" 2>/dev/null ||
    fail "token create --group"
expect_code 404 GET "/api/v1/occurrences/$occ/attendance" \
    -H "Authorization: Bearer $(cat "$T/to")"
grep -q '"reason": "no such occurrence"' "$T/body" ||
    fail "the other group's token: $(cat "$T/body")"
expect_code 404 POST "/api/v1/occurrences/$occ/attendance" \
    -H "Authorization: Bearer $(cat "$T/to")" \
    -H 'Content-Type: application/json' -d '{"from_answers": true}'
expect_code 200 GET "/api/v1/occurrences/$occ/attendance" \
    -H "Authorization: Bearer $(cat "$T/ti")"
[ "$(db "SELECT count(*) FROM audit_log WHERE actor = 'ilds' AND
    action = 'read attendance'")" = 1 ] || fail "the read not audited"
ok "a token for another group gets 404; its own group's reads"

pass
