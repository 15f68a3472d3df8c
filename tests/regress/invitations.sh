# invitations.sh: invitations go out when a coordinator asks for them:
# to every member when a series is made with "invite", to one member
# who joins with "invite"; each in the member's own channel, at once, to
# the next meeting of the series, and never twice for one series.
# Without "invite" nobody is invited, only reminded.  An invitation by
# email carries a signed link to say whether one can come: opening it
# records nothing, posting the form does, the latest answer counts, and
# a forged, changed or expired link, or a cancelled meeting, takes none.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"

start_daemon

api 201 POST /groups '{"slug": "ild", "name": "Independent Living Group",
    "lead_times": "P1D"}'
api 201 POST /people '{"name": "Ann Smith", "email": "ann@example.org"}'
ann=$(jv 'd["id"]')
api 201 POST /people '{"name": "Bob Jones", "phone": "07700 900123",
    "channels": "sms"}'
bob=$(jv 'd["id"]')
api 201 POST /people '{"name": "Cat Evans", "email": "cat@example.org"}'
cat=$(jv 'd["id"]')
api 201 POST /people '{"name": "Dee Fox", "email": "dee@example.org",
    "channels": "feed"}'
api 201 POST /groups/ild/members "{\"person\": $ann}"
api 201 POST /groups/ild/members "{\"person\": $bob}"
api 201 POST /groups/ild/members '{"person": 4}'

# invitations: the invitation rows of the outbox, "person:state" sorted.
invitations() {
	api 200 GET "/outbox?limit=1000"
	jv '" ".join(sorted("%d:%s:%s" % (m["person_id"], m["channel"],
	    m["state"]) for m in d["messages"] if m["kind"] == "invitation"))'
}

start=$(TZ=Europe/London date -d "+3 days" '+%Y-%m-%dT18:00')
api 201 POST /series "{\"group\": \"ild\", \"title\": \"Steering\",
    \"start\": \"$start\", \"rrule\": \"FREQ=WEEKLY;COUNT=3\"}"
api 422 POST /series "{\"group\": \"ild\", \"title\": \"Bad\",
    \"start\": \"$start\", \"invite\": \"yes\"}"
grep -q '"reason": "invite: must be true or false"' "$T/body" ||
    fail "the bad invite field: $(cat "$T/body")"
[ -z "$(invitations)" ] || fail "invitations without asking: $(invitations)"
ok "no invitations unless asked for"

api 201 POST /series "{\"group\": \"ild\", \"title\": \"Review\",
    \"start\": \"$start\", \"rrule\": \"FREQ=WEEKLY;COUNT=2\",
    \"invite\": true}"
series=$(jv 'd["id"]')
[ "$(jv 'd["invited"]')" = 2 ] || fail "the reply: $(cat "$T/body")"
wait_for sh -c "[ \"\$(ls '$T/state/spool/mail' '$T/state/spool/sms' |
    grep -c -e '\\.eml\$' -e '\\.sms\$')\" -ge 2 ]" ||
    fail "no invitations in the spools"
wait_progress outbox_busy 0 || fail "the outbox did not settle"
got=$(invitations)
[ "$got" = "$ann:email:sent $bob:sms:sent" ] ||
    fail "invitations for the series: '$got'"
id=$(ids 'm["kind"] == "invitation" and m["person_id"] == '"$ann")
occ=$(msg "$id" occurrence_id)
api 200 GET "/occurrences?group=ild&days=30"
first=$(jv '[o["id"] for o in d["occurrences"] if o["series_id"] == '"$series"'][0]')
[ "$occ" = "$first" ] || fail "invited to meeting $occ, not the next, $first"
eml=$T/state/spool/mail/$id.1.eml
tr -d '\r' < "$eml" > "$T/inv.txt"
grep -q '^Subject: You are invited: Review on ' "$T/inv.txt" ||
    fail "subject: $(cat "$T/inv.txt")"
grep -q "You are invited to Review" "$T/inv.txt" || fail "$(cat "$T/inv.txt")"
sms=$(ls "$T/state/spool/sms"/*.sms | head -1)
grep -q "^Invitation: Review, " "$sms" || fail "SMS: $(cat "$sms")"
ok "a series made with invite: each member invited at once in their way"

# The link to answer: in the text and the HTML of the email, not in the
# SMS.  Opening it records nothing (a mail scanner fetches links); only
# the form, posted, records, and the latest answer counts.
"$PY" - "$eml" > "$T/links" <<'PYEOF' || fail "no link to answer: $(cat "$T/inv.txt")"
import email, email.policy, re, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
    policy=email.policy.default)
text = m.get_body(("plain",)).get_content()
html = m.get_body(("html",)).get_content()
t = re.findall(r"https?://[^\s<>\"]*/rsvp/[^\s<>\"]*", text)
h = re.findall(r'<a [^>]*href="(https?://[^"]*/rsvp/[^"]*)"', html)
if len(t) != 1 or h != t:
    sys.exit("text %r, html %r" % (t, h))
print(t[0])
PYEOF
rsvp=$(cat "$T/links")
grep -q '/rsvp/' "$sms" && fail "a link to answer in the SMS: $(cat "$sms")"
case $rsvp in
"$BASE/rsvp/$ann.$occ."*) ;;
*) fail "the link to answer is $rsvp" ;;
esac
answers() {
	sqlite3 "$T/state/convene.db" "SELECT group_concat(answer || ':' ||
	    channel, ' ') FROM (SELECT answer, channel FROM answers WHERE
	    person_id = $ann AND occurrence_id = $occ ORDER BY at, id)"
}
# page WANT METHOD URL [FORM [TYPE]]: the page in $T/page.
page() {
	if [ $# -ge 4 ]; then
		code=$(curl -sS -m 10 -o "$T/page" -w '%{http_code} %header{location}' -X "$2" \
		    -H "Content-Type: ${5:-application/x-www-form-urlencoded}" \
		    --data-raw "$4" "$3") || code=000
	else
		code=$(curl -sS -m 10 -o "$T/page" -w '%{http_code} %header{location}' -X "$2" \
		    "$3") || code=000
	fi
	location=${code#* }
	code=${code%% *}
	[ "$code" = "$1" ] || fail "$2 $3 gave $code, wanted $1: $(cat "$T/page")"
}
page 200 GET "$rsvp"
grep -q '<h1>Can you come?</h1>' "$T/page" &&
    grep -q '<dd>Review</dd>' "$T/page" &&
    grep -q '<legend>Can you come?</legend>' "$T/page" &&
    grep -q 'name="answer" id="answer-yes" value="yes">' "$T/page" &&
    grep -q '<textarea id="note" name="note"' "$T/page" &&
    grep -q '<form method="post"' "$T/page" ||
    fail "the page to answer: $(cat "$T/page")"
grep -q checked "$T/page" && fail "an answer chosen before any was given"
[ -z "$(answers)" ] || fail "opening the link recorded $(answers)"
ok "the link to answer is in the email; opening it records nothing"

# A saved answer sends the browser to the page's own address (Post,
# Redirect, Get): the page there says so, and a reload posts nothing.
page 303 POST "$rsvp" "answer=yes&note=I+need+a+BSL+interpreter"
[ "$location" = "${rsvp##*/}?saved=1" ] ||
    fail "the answer sent the browser to '$location'"
[ "$(answers)" = "yes:link" ] || fail "answers after yes: $(answers)"
page 200 GET "$rsvp?saved=1"
grep -q '<div class="done" role="status">' "$T/page" &&
    grep -q 'Thank you. We have your answer' "$T/page" &&
    grep -q '<dd>Yes, I will come</dd>' "$T/page" &&
    grep -q '<dd>I need a BSL interpreter</dd>' "$T/page" ||
    fail "the answer not said back: $(cat "$T/page")"
grep -q '<form' "$T/page" && fail "the saved page has the form again"
page 200 GET "$rsvp?saved=1"
[ "$(answers)" = "yes:link" ] || fail "a reload recorded: $(answers)"
page 200 GET "$rsvp"
grep -q 'value="yes" checked>' "$T/page" &&
    grep -q '>I need a BSL interpreter</textarea>' "$T/page" ||
    fail "the answer is not shown again: $(cat "$T/page")"
# As a browser does: the POST, then the GET it is sent to.
code=$(curl -sS -m 10 -L -o "$T/page" -w '%{http_code} %{num_redirects}' \
    --data-raw "answer=no" "$rsvp") || code=000
[ "$code" = "200 1" ] && grep -q '<dd>No, I cannot come</dd>' "$T/page" ||
    fail "the POST followed gave $code: $(cat "$T/page")"
[ "$(answers)" = "yes:link no:link" ] || fail "answers after no: $(answers)"
page 200 GET "$rsvp"
grep -q 'value="no" checked>' "$T/page" || fail "no is not the answer now"
ok "the form records yes, then no, and the latest counts"

# A coordinator sees each person's latest answer and the history, and
# every such read is in the audit log.
api 200 GET "/occurrences/$occ/answers"
[ "$(jv '[a["answer"] + ":" + a["channel"] for a in d["latest"]
    if a["person"] == '"$ann"']')" = "no:link" ] ||
    fail "latest: $(cat "$T/body")"
[ "$(jv '[a["answer"] for a in d["history"] if a["person"] == '"$ann"']')" \
    = "yes no" ] || fail "history: $(cat "$T/body")"
api 404 GET "/occurrences/999999/answers"
ctl_answers=$("$CONVENECTL" -s "$T/state/convened.sock" occurrence answers \
    "$occ") || fail "convenectl occurrence answers"
echo "$ctl_answers" | grep -q "^$ann  *Ann .* no  *link " ||
    fail "convenectl: $ctl_answers"
[ "$("$CONVENECTL" -s "$T/state/convened.sock" occurrence answers \
    "$occ" --history | grep -c "^$ann ")" = 2 ] || fail "--history"
reads=$(sqlite3 "$T/state/convene.db" "SELECT count(*) FROM audit_log
    WHERE action = 'read answers' AND detail = '$occ'")
[ "$reads" = 3 ] || fail "$reads reads of the answers in the audit log"
ok "a coordinator sees the latest answers and their history, audited"

page 422 POST "$rsvp" "answer=perhaps"
grep -q 'Choose yes, maybe or no.' "$T/page" &&
    grep -q 'href="#answer"' "$T/page" || fail "the mistake: $(cat "$T/page")"
page 415 POST "$rsvp" '{"answer": "yes"}' application/json
page 413 POST "$rsvp" "answer=yes&note=$(head -c 9000 /dev/zero | tr '\0' x)"
[ "$(answers)" = "yes:link no:link" ] || fail "recorded: $(answers)"
ok "a wrong answer, a form of another type and a long one record nothing"

# Forged, changed and expired links are refused.
pos=${rsvp##*/rsvp/}
sig=${pos##*.}
exp=$(echo "$pos" | cut -d. -f3)
case $sig in
*A) bad=${sig%?}B ;;
*) bad=${sig%?}A ;;
esac
page 403 GET "$BASE/rsvp/$ann.$occ.$exp.$bad"
grep -q 'This link does not work' "$T/page" || fail "no reason given"
page 403 POST "$BASE/rsvp/$ann.$occ.$exp.$bad" "answer=yes"
page 403 GET "$BASE/rsvp/$cat.$occ.$exp.$sig"
page 403 GET "$BASE/rsvp/$ann.$((occ + 1)).$exp.$sig"
page 403 GET "$BASE/rsvp/$ann.$occ.$((exp + 1)).$sig"
page 403 GET "$BASE/rsvp/0$ann.$occ.$exp.$sig"
page 403 GET "$BASE/rsvp/$ann.$occ.$exp"
page 403 GET "$BASE/rsvp/x"
old=$("$PY" - "$T/state/signing.key" "$ann" "$occ" <<'PYEOF'
import base64, hashlib, hmac, sys, time
key = bytes.fromhex(open(sys.argv[1]).read().strip())
subject = "%s.%s" % (sys.argv[2], sys.argv[3])
exp = int(time.time()) - 60
mac = hmac.new(key, b"rsvp:%s:%d" % (subject.encode(), exp),
    hashlib.sha512).digest()[:16]
print("%s.%d.%s" % (subject, exp,
    base64.urlsafe_b64encode(mac).decode().rstrip("=")))
PYEOF
)
page 403 GET "$BASE/rsvp/$old"
page 403 POST "$BASE/rsvp/$old" "answer=yes"
[ "$(answers)" = "yes:link no:link" ] || fail "recorded: $(answers)"
ok "forged, changed and expired links are refused and record nothing"

# A member who joins with invite: only them, to each series once.
"$CONVENECTL" -s "$T/state/convened.sock" member add ild "$cat" --invite \
    > "$T/out" || fail "member add --invite: $(cat "$T/out")"
grep -qx "invited to 2 series" "$T/out" || fail "convenectl: $(cat "$T/out")"
wait_progress outbox_busy 0 || fail "the outbox did not settle"
got=$(invitations)
n=$(echo "$got" | tr ' ' '\n' | grep -c "^$cat:email:")
[ "$n" = 2 ] || fail "Cat has $n invitations, not one a series: '$got'"
echo "$got" | tr ' ' '\n' | grep -c "^$ann:" | grep -qx 1 ||
    fail "Ann was invited again: '$got'"
api 201 POST /groups/ild/members "{\"person\": $cat, \"role\": \"co-chair\",
    \"invite\": true}"
wait_progress outbox_busy 0 || fail "the outbox did not settle"
[ "$(invitations)" = "$got" ] || fail "invited twice: $(invitations)"
ok "a member who joins with invite: invited once to each series"

# A first meeting beyond the planning horizon: the invitations wait, and
# go when the planner reaches the meeting (here: a longer horizon, after
# a restart, so the wait outlives the process too).
far=$(TZ=Europe/London date -d "+200 days" '+%Y-%m-%dT18:00')
"$CONVENECTL" -s "$T/state/convened.sock" series add ild "Far" "$far" \
    --invite > "$T/out" || fail "series add --invite: $(cat "$T/out")"
grep -qx "invited 0 members to its first meeting" "$T/out" &&
    grep -qx "3 more invitations go when the meeting comes within the \
planning horizon" "$T/out" || fail "convenectl: $(cat "$T/out")"
far_id=$(sed -n 's/^added series \([0-9]*\):.*/\1/p' "$T/out")
[ "$(sqlite3 "$T/state/convene.db" "SELECT group_concat(person_id) FROM \
    (SELECT person_id FROM invitations_asked WHERE series_id = $far_id \
    ORDER BY person_id)")" = "$ann,$bob,$cat" ] ||
    fail "the invitations waiting are not Ann's, Bob's and Cat's"
stop_daemon
sed -i 's/^\[outbox\]$/&\nhorizon_days = 250/' "$T/convened.conf"
grep -q '^horizon_days = 250$' "$T/convened.conf" ||
    printf '[outbox]\nhorizon_days = 250\n' >> "$T/convened.conf"
start_daemon
wait_for sh -c "[ \"\$(sqlite3 '$T/state/convene.db' \"SELECT count(*) \
    FROM outbox o JOIN occurrences oc ON oc.id = o.occurrence_id WHERE \
    oc.series_id = $far_id AND o.kind = 'invitation'\")\" = 3 ]" ||
    fail "the waiting invitations were not sent: $(invitations)"
[ "$(sqlite3 "$T/state/convene.db" "SELECT count(*) FROM \
    invitations_asked")" = 0 ] || fail "sent invitations are still waiting"
api 200 GET "/occurrences?group=ild&days=250"
farocc=$(jv '[o["id"] for o in d["occurrences"] if o["series_id"] == '"$far_id"'][0]')
[ "$(sqlite3 "$T/state/convene.db" "SELECT DISTINCT occurrence_id FROM \
    outbox WHERE kind = 'invitation' AND occurrence_id IN (SELECT id FROM \
    occurrences WHERE series_id = $far_id)")" = "$farocc" ] ||
    fail "the far invitations are not to its first meeting"
ok "a first meeting beyond the horizon: invitations wait, then go once"

# The feed-only member is never sent one.
echo "$got" | tr ' ' '\n' | grep -q "^4:" && fail "the feed-only member"
ok "a member who hears only through the feed gets no message"

# A cancelled meeting takes no answers: the link says so.
api 200 POST "/occurrences/$occ/cancel" '{"reason": "the room flooded"}'
page 404 GET "$rsvp"
grep -q 'This meeting is cancelled' "$T/page" || fail "$(cat "$T/page")"
page 404 POST "$rsvp" "answer=yes"
grep -q 'This meeting is cancelled' "$T/page" || fail "$(cat "$T/page")"
[ "$(answers)" = "yes:link no:link" ] || fail "recorded: $(answers)"
ok "the link to a cancelled meeting says so and records nothing"

stop_daemon
pass
