# a11y.sh: every page a member can reach, checked in headless Chromium
# with axe-core against WCAG 2.2 AA, and the preferences form used by
# keyboard alone: the form, the form with a mistake, the saved page, a
# link that does not work, the stylesheet they share, and the form in
# Arabic (right to left) and in Welsh.  The page to say whether one can
# come likewise: in English, Welsh and Arabic, standard and Easy Read,
# with a mistake, a link that does not work, and answered by Tab, Space
# and Enter alone, then the page it is sent on to that says what was
# recorded, reloaded without posting again.  Both
# forms ask what the member needs (a box a need, anything else in their
# words), ticked by keyboard; a Welsh page shows a need already there
# and one already booked.  A member's own meetings and payments, reached
# from the preferences form and left by keyboard alone, in English,
# Arabic and Welsh, in Easy Read, and with nothing written down yet.
# The members' report of a group, with its chart, likewise, and in
# Welsh and Arabic (right to left), its chart's words drawn inside it,
# none over another, each in its own direction.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"

ctl() {
	"$CONVENECTL" -s "$T/state/convened.sock" "$@"
}

[ -x /usr/bin/chromium ] || fail "chromium is not installed"
need_node
write_conf
start_daemon
ctl person add "Rhiannon Jones" --email rhiannon@example.org \
    --phone "07700 900123" --channels email >/dev/null ||
    fail "cannot add a person"
ctl person add "Layla Haddad" --email layla@example.org --language ar \
    >/dev/null || fail "cannot add an Arabic speaker"
ctl person add "Aled Rhys" --email aled@example.org --phone "07700 900124" \
    --language cy >/dev/null || fail "cannot add a Welsh speaker"
url=$(ctl person link 1) || fail "person link failed"

# A meeting at a venue that can also be joined online, and the links to
# answer for six people: English, Arabic and Welsh, standard and Easy
# Read; the last, standard English, for the journey by keyboard.
api 201 POST /venues '{"name": "Town Hall, Room 2",
    "address": "1 High Street, Anytown AB1 2CD"}'
venue=$(jv 'd["id"]')
api 201 POST /groups '{"slug": "ild", "name": "Independent Living Group"}'
start=$(TZ=Europe/London date -d "+3 days" '+%Y-%m-%dT18:00')
api 201 POST /series "{\"group\": \"ild\", \"title\": \"Steering group\",
    \"start\": \"$start\", \"venue\": $venue,
    \"online_link\": \"https://meet.example.org/ild\"}"
api 200 GET "/occurrences?group=ild&days=30"
occ=$(jv 'd["occurrences"][0]["id"]')
for who in "Eve Easy en" "Nia Hawdd cy" "Sami Sahl ar"; do
	set -- $who
	ctl person add "$1 $2" --email "$1@example.org" --language "$3" \
	    --style easyread >/dev/null || fail "cannot add $1"
done
ctl person add "Kim Keys" --email kim@example.org >/dev/null ||
    fail "cannot add Kim"
# Aled needs an interpreter at every meeting; Nia has captions booked.
api 200 PUT /people/3/needs '{"needs": ["bsl", {"need": "other",
    "detail": "Seibiant bob awr"}]}'
api 201 POST /groups/ild/members '{"person": 5}'
api 201 POST "/occurrences/$occ/requests" '{"person": 5, "need": "captions"}'
api 200 POST "/requests/$(jv 'd["id"]')" '{"state": "arranged"}'
ctl person needs 1 --set "" >/dev/null || fail "cannot clear needs"
# rsvp PERSON: a link to answer for the meeting, signed as messages are.
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
# Easy Read in simpler words; Arabic right to left; both with the venue.
curl -sS -m 10 "$BASE/rsvp/$(rsvp 4)" > "$T/page"
grep -q '<p>Hello Eve Easy. Can you come to this meeting? Please tell us.</p>' \
    "$T/page" && grep -q '<legend>Can you come? Choose one.</legend>' \
    "$T/page" && grep -q '<dd>Town Hall, Room 2</dd>' "$T/page" &&
    grep -q '<dt>Online</dt>' "$T/page" ||
    fail "the Easy Read page: $(cat "$T/page")"
curl -sS -m 10 "$BASE/rsvp/$(rsvp 6)" > "$T/page"
grep -q '<html lang="ar" dir="rtl">' "$T/page" &&
    grep -q '<legend>هل تستطيع الحضور؟ اختر واحدًا.</legend>' "$T/page" &&
    grep -q '>نعم، سأحضر</label>' "$T/page" ||
    fail "the Arabic Easy Read page: $(cat "$T/page")"
curl -sS -m 10 "$BASE/rsvp/$(rsvp 5)" > "$T/page"
grep -q '<legend>Pa help sydd ei angen arnoch yn y cyfarfod hwn?</legend>' \
    "$T/page" && grep -q 'value="captions" checked>' "$T/page" &&
    grep -q "Trawsgrifio lleferydd neu gapsiynau <span class=\"hint\">wedi&#39;i drefnu</span>" \
    "$T/page" || fail "the Welsh Easy Read needs: $(cat "$T/page")"
curl -sS -m 10 "$BASE/rsvp/$(rsvp 3)" > "$T/page"
grep -q 'value="bsl" checked>' "$T/page" &&
    grep -q 'value="Seibiant bob awr"' "$T/page" ||
    fail "standing needs not ticked: $(cat "$T/page")"
ok "the page to answer in Easy Read words, and in Arabic right to left"
ok "needs in the member's language, ticked as they stand, booked said"
# What the attendance module writes: attended, apologies and absent, a
# payment owed and one paid, for people 1 to 4; Kim (7) has none.
now=$(date +%s)
for p in 1 2 3 4; do
	sqlite3 -cmd ".timeout 5000" "$T/state/convene.db" \
	    "INSERT INTO attendance VALUES ($occ, $p,
	    CASE $p WHEN 2 THEN 'apologies' WHEN 3 THEN 'absent' ELSE
	    'attended' END, '', 'member', NULL, 'test', $now);
	    INSERT INTO payments (occurrence_id, person_id, role, amount_pence,
	    owed_at, paid_on) VALUES ($occ, $p, 'member', 2500, $now,
	    CASE $p WHEN 1 THEN '2026-11-30' END);" ||
	    fail "cannot write attendance"
done
# The members' report of the group: its figures, its chart (an SVG in
# the page) and the chart's table.
api 200 PATCH /groups/ild '{"report_members": true}'
report=$(ctl report ild --from "$(date +%Y-%m-%d)" \
    --to "$(date -d '+10 days' +%Y-%m-%d)" --link) ||
    fail "report link failed"
for l in cy ar; do
	ctl report ild --from "$(date +%Y-%m-%d)" \
	    --to "$(date -d '+10 days' +%Y-%m-%d)" --link --lang "$l" \
	    > "$T/report-$l" || fail "report link in $l failed"
done
node "$top_srcdir/tests/regress/a11y.js" "$url" \
    "$BASE/preferences/1.1.AAAAAAAAAAAAAAAAAAAAAA" "$(ctl person link 2)" \
    "$(ctl person link 3)" "$report" --rsvp "$BASE/rsvp/$(rsvp 7)" \
    "$BASE/rsvp/$(rsvp 1)" "$BASE/rsvp/$(rsvp 4)" "$BASE/rsvp/$(rsvp 3)" \
    "$BASE/rsvp/$(rsvp 5)" "$BASE/rsvp/$(rsvp 2)" "$BASE/rsvp/$(rsvp 6)" \
    "$BASE/rsvp/1.$occ.1.AAAAAAAAAAAAAAAAAAAAAA" \
    --involvement "$(ctl person link 2)/involvement" \
    "$(ctl person link 3)/involvement" "$(ctl person link 4)/involvement" \
    "$(ctl person link 7)/involvement" --report "$report" \
    "$(cat "$T/report-cy")" "$(cat "$T/report-ar")" > "$T/a11y.out" 2>&1 || {
	cat "$T/a11y.out"
	fail "accessibility checks failed"
}
cat "$T/a11y.out"
grep -c '^ok: ' "$T/a11y.out" | grep -qx 31 || fail "not every check ran"
grep -q '^ok: page .*/report/.* (200): 0 violations' "$T/a11y.out" ||
    fail "the members' report was not checked"
for l in "en (ltr)" "cy (ltr)" "ar (rtl)"; do
	grep -q "^ok: report $l: 0 violations" "$T/a11y.out" ||
	    fail "the members' report in $l was not checked"
done
[ "$(sqlite3 "$T/state/convene.db" "SELECT group_concat(person_id || ':' ||
    answer || ':' || channel) FROM answers")" = "7:yes:link" ] ||
    fail "the answers recorded: $(sqlite3 "$T/state/convene.db" \
    "SELECT * FROM answers")"
[ "$(sqlite3 "$T/state/convene.db" "SELECT group_concat(person_id || ':' ||
    need || ':' || state) FROM access_requests WHERE person_id = 7")" = \
    "7:bsl:requested" ] || fail "the need ticked: $(sqlite3 \
    "$T/state/convene.db" "SELECT * FROM access_requests")"
[ "$(sqlite3 "$T/state/convene.db" "SELECT group_concat(need) FROM
    needs_standing WHERE person_id = 1")" = "bsl" ] ||
    fail "the need ticked on the preferences form: $(sqlite3 \
    "$T/state/convene.db" "SELECT * FROM needs_standing")"
stop_daemon
pass
