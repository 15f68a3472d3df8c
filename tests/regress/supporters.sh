# supporters.sh: a member's personal assistant, linked with her consent
# by convenectl and asking for copies, gets a copy of each of her
# reminders: the same lead, in the assistant's own channel and language
# (Welsh here), saying whose reminder it is, with no link to answer and
# nothing of what the member needs.  A supporter without copies gets
# nothing; one who is a member too gets the copy beside his own
# reminder.  Unlinked, the assistant gets no later copy.  The daemon
# runs on the test clock.
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
start_daemon --test-clock
# Stopped at 10:00 UTC two days on: the same day in London.
t0=$(( ($(date +%s) / 86400 + 2) * 86400 + 10 * 3600 ))
set_clock "$t0"

api 201 POST /groups '{"slug": "ild", "name": "Independent Living Group",
    "lead_times": "P7D,P1D"}'
api 201 POST /people '{"name": "Ann Smith", "email": "ann@example.org"}'
ann=$(jv 'd["id"]')
api 201 POST /people '{"name": "Bob Jones", "phone": "07700 900123",
    "channels": "sms"}'
bob=$(jv 'd["id"]')
api 201 POST /people '{"name": "Pat Morgan", "email": "pat@example.org",
    "language": "cy"}'
pat=$(jv 'd["id"]')
api 201 POST /people '{"name": "Sam Lee", "email": "sam@example.org"}'
sam=$(jv 'd["id"]')
for p in "$ann" "$bob"; do
	api 201 POST /groups/ild/members "{\"person\": $p}"
done
# What Ann needs is hers: it is in no copy.
api 200 PUT "/people/$ann/needs" '{"needs": [{"need": "other",
    "detail": "A chair with arms"}]}'

# Linked by convenectl: never without the member's consent.
if ctl person supporter-add "$ann" "$pat" --copy-reminders \
    > "$T/out" 2>&1; then
	fail "a supporter linked without consent: $(cat "$T/out")"
fi
grep -q consent "$T/out" || fail "the refusal: $(cat "$T/out")"
ctl person supporter-add "$ann" "$pat" --consent-by member \
    --role personal-assistant --copy-reminders > "$T/out" ||
    fail "supporter-add Pat: $(cat "$T/out")"
ctl person supporter-add "$ann" "$sam" --consent-by "Ann, by phone" \
    > "$T/out" || fail "supporter-add Sam: $(cat "$T/out")"
ctl person supporter-add "$ann" "$bob" --consent-by member \
    --copy-reminders > "$T/out" || fail "supporter-add Bob: $(cat "$T/out")"
ctl person supporters "$ann" > "$T/out" || fail "person supporters"
grep -q "^ID  *NAME  *ROLE  *COPIES  *CONSENT BY" "$T/out" &&
    grep -q "^$pat  *Pat Morgan  *personal-assistant  *yes  *member" \
    "$T/out" &&
    grep -q "^$sam  *Sam Lee  *supporter  *no  *Ann, by phone" "$T/out" &&
    grep -q "^$bob  *Bob Jones  *supporter  *yes" "$T/out" ||
    fail "the table: $(cat "$T/out")"
ctl -j person supporters "$ann" > "$T/body" || fail "--json"
[ "$(jv '[s["copy_reminders"] for s in sorted(d["supporters"],
    key=lambda s: s["supporter"])]')" = "1 1 0" ] ||
    fail "copies: $(cat "$T/body")"
ok "supporters linked with consent by convenectl, and listed"

# A meeting ten days on at 6pm: reminders a week and a day before.
day=$(TZ=Europe/London date -d "@$((t0 + 10 * 86400))" +%Y-%m-%d)
api 201 POST /series "{\"group\": \"ild\", \"title\": \"Steering\",
    \"start\": \"${day}T18:00\"}"
planned
api 200 GET "/occurrences?group=ild&days=30"
occ=$(jv 'd["occurrences"][0]["id"]')
start_at=$(jv 'd["occurrences"][0]["start_at"]')

# reminders: the meeting's reminders, "person:lead:channel:state" sorted.
reminders() {
	api 200 GET "/outbox?occurrence=$occ&limit=1000"
	jv '" ".join(sorted("%d:%s:%s:%s" % (m["person_id"], m["lead"],
	    m["channel"], m["state"]) for m in d["messages"]
	    if m["kind"] == "reminder"))'
}
want="$ann:P1D:email:pending $ann:P7D:email:pending"
want="$want $bob:P1D/for:$ann:sms:pending $bob:P1D:sms:pending"
want="$want $bob:P7D/for:$ann:sms:pending $bob:P7D:sms:pending"
want="$want $pat:P1D/for:$ann:email:pending $pat:P7D/for:$ann:email:pending"
got=$(reminders)
[ "$got" = "$(echo "$want" | tr ' ' '\n' | sort | tr '\n' ' ' |
    sed 's/ $//')" ] || fail "the reminders planned: '$got'"
api 200 GET "/outbox?occurrence=$occ&limit=1000"
[ "$(jv 'len(set((m["due_at"], m["lead"].split("/")[0])
    for m in d["messages"]))')" = 2 ] ||
    fail "copies not due with Ann's: $(cat "$T/body")"
ok "copies planned for Pat and Bob with Ann's leads, none for Sam"

# A week before, at 6pm: Ann's reminder and the copies go.
due7=$((start_at - 7 * 86400))
advance $((due7 + 60 - t0))
planned
wait_progress outbox_busy 0 || fail "the reminders were not sent"
api 200 GET "/outbox?occurrence=$occ&limit=1000"
pat7=$(ids 'm["person_id"] == '"$pat"' and m["lead"] == "P7D/for:'"$ann"'"')
ann7=$(ids 'm["person_id"] == '"$ann"' and m["lead"] == "P7D" and
    m["kind"] == "reminder"')
bob7=$(ids 'm["person_id"] == '"$bob"' and m["lead"] == "P7D/for:'"$ann"'"')
[ "$(msg "$pat7" state)" = sent ] || fail "Pat's copy: $(cat "$T/body")"
"$PY" - "$T/state/spool/mail/$pat7.1.eml" > "$T/pat" <<'PYEOF' ||
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
    policy=email.policy.default)
text = m.get_body(("plain",)).get_content()
print(m["Subject"])
print(m["To"])
print(text)
if not m["Subject"].startswith(
    "Nodyn atgoffa (copi o nodyn Ann Smith): Steering ar "):
    sys.exit("subject")
if "pat@example.org" not in m["To"]:
    sys.exit("to")
if m["Content-Language"] != "cy":
    sys.exit("language")
if not text.startswith("Helo Pat Morgan,"):
    sys.exit("hello")
if "Copi yw hwn o nodyn atgoffa Ann Smith" not in text:
    sys.exit("whose")
if "Dyma nodyn i'ch atgoffa bod Steering ymhen 7 diwrnod." not in text:
    sys.exit("lead")
for no in ("/rsvp/", "A chair with arms", "BSL", "Rhowch wybod"):
    if no in text:
        sys.exit("has " + no)
PYEOF
    fail "Pat's copy: $(cat "$T/pat")"
"$PY" - "$T/state/spool/mail/$ann7.1.eml" > "$T/ann" <<'PYEOF' ||
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
    policy=email.policy.default)
text = m.get_body(("plain",)).get_content()
print(m["Subject"])
print(text)
if not m["Subject"].startswith("Reminder: Steering on "):
    sys.exit("subject")
if "copy" in text or "/rsvp/" not in text:
    sys.exit("text")
PYEOF
    fail "Ann's reminder: $(cat "$T/ann")"
sms=$T/state/spool/sms/$bob7.1.sms
grep -q "Copy of reminder for Ann Smith: Steering, " "$sms" ||
    fail "Bob's copy: $(cat "$sms")"
grep -q "YES" "$sms" && fail "Bob's copy asks him to answer: $(cat "$sms")"
[ "$(db "SELECT count(*) FROM outbox WHERE person_id = $sam")" = 0 ] ||
    fail "Sam was sent something"
ok "Pat's copy in Welsh says it is Ann's; Bob's by SMS; Sam none"

# Pat unlinked: her copy a day before is withdrawn, Ann's stays.
ctl person supporter-remove "$ann" "$pat" > "$T/out" ||
    fail "supporter-remove: $(cat "$T/out")"
grep -q "Pat Morgan" "$T/out" && fail "Pat still listed: $(cat "$T/out")"
if ctl person supporter-remove "$ann" "$pat" > "$T/out" 2>&1; then
	fail "unlinked twice: $(cat "$T/out")"
fi
planned
got=$(reminders)
echo "$got" | grep -q "$pat:P1D/for:$ann:email:skipped" &&
    echo "$got" | grep -q "$ann:P1D:email:pending" &&
    echo "$got" | grep -q "$bob:P1D/for:$ann:sms:pending" ||
    fail "after unlinking: '$got'"
due1=$((start_at - 86400))
advance $((due1 + 60 - due7 - 60))
planned
wait_progress outbox_busy 0 || fail "the reminders were not sent"
got=$(reminders)
echo "$got" | grep -q "$pat:P1D/for:$ann:email:skipped" &&
    echo "$got" | grep -q "$ann:P1D:email:sent" &&
    echo "$got" | grep -q "$bob:P1D/for:$ann:sms:sent" ||
    fail "a day before: '$got'"
api 200 GET "/outbox?person=$pat&limit=1000"
[ "$(jv 'len([m for m in d["messages"] if m["state"] == "sent"])')" = 1 ] ||
    fail "Pat's messages: $(cat "$T/body")"
[ "$(ls "$T/state/spool/mail" | grep -c -e "^$pat7\\.")" = 1 ] &&
    [ "$(jv 'len([m for m in d["messages"] if
    __import__("os").path.exists("'"$T"'/state/spool/mail/%d.1.eml"
    % m["id"])])')" = 1 ] || fail "Pat got a later copy"
ok "unlinked, Pat gets no later copy; Ann and Bob get theirs"

stop_daemon
pass
