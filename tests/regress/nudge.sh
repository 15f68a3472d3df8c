# nudge.sh: a week before a meeting, each member who has not said
# whether they can come gets one gentle reminder (a nudge), in their own
# channel and language; one who answered (here by the link in their
# invitation) gets none, nor does an observer, nor anyone for a meeting
# planned less than a week ahead.  Moving the clock on past the meeting
# sends no second one.  The daemon runs on the test clock.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"

start_daemon --test-clock
# Stopped at 10:00 UTC two days on: the same day in London.
t0=$(( ($(date +%s) / 86400 + 2) * 86400 + 10 * 3600 ))
set_clock "$t0"

api 201 POST /groups '{"slug": "ild", "name": "Independent Living Group",
    "lead_times": "P1D"}'
api 201 POST /people '{"name": "Ann Smith", "email": "ann@example.org"}'
ann=$(jv 'd["id"]')
api 201 POST /people '{"name": "Bob Jones", "phone": "07700 900123",
    "channels": "sms"}'
bob=$(jv 'd["id"]')
api 201 POST /people '{"name": "Cai Owen", "email": "cai@example.org",
    "language": "cy"}'
cai=$(jv 'd["id"]')
api 201 POST /people '{"name": "Dee Fox", "email": "dee@example.org"}'
dee=$(jv 'd["id"]')
for p in "$ann" "$bob" "$cai"; do
	api 201 POST /groups/ild/members "{\"person\": $p}"
done
api 201 POST /groups/ild/members "{\"person\": $dee, \"role\": \"observer\"}"

# A meeting ten days on at 6pm, each member invited; another five days
# on, too soon for a nudge.
day=$(TZ=Europe/London date -d "@$((t0 + 10 * 86400))" +%Y-%m-%d)
api 201 POST /series "{\"group\": \"ild\", \"title\": \"Steering\",
    \"start\": \"${day}T18:00\", \"invite\": true}"
series=$(jv 'd["id"]')
soon=$(TZ=Europe/London date -d "@$((t0 + 5 * 86400))" +%Y-%m-%d)
api 201 POST /series "{\"group\": \"ild\", \"title\": \"Soon\",
    \"start\": \"${soon}T18:00\"}"
soon_series=$(jv 'd["id"]')
planned
wait_progress outbox_busy 0 || fail "the invitations were not sent"
api 200 GET "/occurrences?group=ild&days=30"
occ_of() {
	jv '[o["id"] for o in d["occurrences"] if o["series_id"] == '"$1"'][0]'
}
occ=$(occ_of "$series")
soon_occ=$(occ_of "$soon_series")

# nudges OCC: that meeting's nudges, "person:channel:state" sorted.
nudges() {
	api 200 GET "/outbox?limit=1000"
	jv '" ".join(sorted("%d:%s:%s" % (m["person_id"], m["channel"],
	    m["state"]) for m in d["messages"] if m["kind"] == "nudge" and
	    m["occurrence_id"] == '"$1"'))'
}
due=$(TZ=Europe/London date -d "$(TZ=Europe/London date -d \
    "@$((t0 + 3 * 86400))" +%Y-%m-%d) 18:00" +%s)
got=$(nudges "$occ")
[ "$got" = "$ann:email:pending $bob:sms:pending $cai:email:pending" ] ||
    fail "the nudges planned: '$got'"
api 200 GET "/outbox?limit=1000"
[ "$(jv '" ".join(sorted(set("%s@%d" % (m["lead"], m["due_at"])
    for m in d["messages"] if m["kind"] == "nudge")))')" = "P7D@$due" ] ||
    fail "not due a week before at 6pm ($due): $(cat "$T/body")"
[ -z "$(nudges "$soon_occ")" ] ||
    fail "a nudge for a meeting five days on: $(nudges "$soon_occ")"
ok "a nudge planned a week before for each member, not the observer"

# Ann answers yes by the link in her invitation.
api 200 GET "/outbox?limit=1000"
inv=$(ids 'm["kind"] == "invitation" and m["person_id"] == '"$ann")
"$PY" - "$T/state/spool/mail/$inv.1.eml" > "$T/link" <<'PYEOF' ||
import email, email.policy, re, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
    policy=email.policy.default)
t = re.findall(r"https?://[^\s<>\"]*/rsvp/[^\s<>\"]*",
    m.get_body(("plain",)).get_content())
if len(t) != 1:
    sys.exit("links: %r" % t)
print(t[0])
PYEOF
    fail "no link to answer in Ann's invitation $inv"
rsvp=$(cat "$T/link")
code=$(curl -sS -m 10 -o "$T/page" -w '%{http_code}' -X POST \
    --data-raw "answer=yes" "$rsvp") || code=000
[ "$code" = 303 ] || fail "POST $rsvp gave $code: $(cat "$T/page")"
[ "$(sqlite3 "$T/state/convene.db" "SELECT group_concat(person_id || ':' ||
    answer) FROM answers WHERE occurrence_id = $occ")" = "$ann:yes" ] ||
    fail "Ann's answer was not recorded"
ok "Ann said yes by the link in her invitation"

# A minute after the nudges are due: Bob's and Cai's go, Ann's is not.
advance $((due + 60 - t0))
planned
wait_progress outbox_busy 0 || fail "the nudges were not settled"
got=$(nudges "$occ")
[ "$got" = "$ann:email:skipped $bob:sms:sent $cai:email:sent" ] ||
    fail "the nudges when due: '$got'"
api 200 GET "/outbox?limit=1000"
[ "$(jv '[m["reason"] for m in d["messages"] if m["kind"] == "nudge"
    and m["person_id"] == '"$ann"']')" = "answered already" ] ||
    fail "Ann's nudge: $(cat "$T/body")"
bob_id=$(ids 'm["kind"] == "nudge" and m["person_id"] == '"$bob")
cai_id=$(ids 'm["kind"] == "nudge" and m["person_id"] == '"$cai")
ann_id=$(ids 'm["kind"] == "nudge" and m["person_id"] == '"$ann")
[ ! -e "$T/state/spool/mail/$ann_id.1.eml" ] || fail "Ann was nudged"

# Bob's text, in English, asks nothing that nobody reads.
sms=$T/state/spool/sms/$bob_id.1.sms
[ -f "$sms" ] || fail "no SMS for Bob: $(ls "$T/state/spool/sms")"
grep -q "We have not heard from you about Steering, " "$sms" &&
    grep -q "Can you come?" "$sms" || fail "Bob's SMS: $(cat "$sms")"
grep -q "YES" "$sms" && fail "a reply asked for with none read: $(cat "$sms")"

# Cai's email, in Welsh, with his own link to answer.
"$PY" - "$T/state/spool/mail/$cai_id.1.eml" "$BASE/rsvp/$cai.$occ." \
    > "$T/cai" <<'PYEOF' || fail "Cai's nudge: $(cat "$T/cai")"
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
    policy=email.policy.default)
text = m.get_body(("plain",)).get_content()
print(m["Subject"])
print(text)
if not m["Subject"].startswith("Allwch chi ddod? Steering ar "):
    sys.exit("subject")
if m["Content-Language"] != "cy":
    sys.exit("language")
if "Dydyn ni ddim wedi clywed gennych chi am Steering." not in text:
    sys.exit("text")
if sys.argv[2] not in text:
    sys.exit("no link " + sys.argv[2])
PYEOF
ok "Bob (SMS) and Cai (Welsh) nudged once each, Ann not"

# On past the reminders and the meeting: no second nudge.
advance $((10 * 86400))
planned
wait_progress outbox_busy 0 || fail "the outbox did not settle"
got=$(nudges "$occ")
[ "$got" = "$ann:email:skipped $bob:sms:sent $cai:email:sent" ] ||
    fail "the nudges after the meeting: '$got'"
api 200 GET "/outbox?limit=1000"
[ "$(jv 'len([m for m in d["messages"] if m["kind"] == "nudge"])')" = 3 ] ||
    fail "more nudges: $(cat "$T/body")"
[ "$(ls "$T/state/spool/mail" "$T/state/spool/sms" | grep -c \
    -e "^$bob_id\\." -e "^$cai_id\\.")" = 2 ] || fail "a nudge sent twice"
[ -z "$(nudges "$soon_occ")" ] || fail "a nudge for the meeting five days on"
ok "moved on past the meeting, no second nudge"

stop_daemon
pass
