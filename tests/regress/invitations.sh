# invitations.sh: invitations go out when a coordinator asks for them:
# to every member when a series is made with "invite", to one member
# who joins with "invite"; each in the member's own channel, at once, to
# the next meeting of the series, and never twice for one series.
# Without "invite" nobody is invited, only reminded.
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

stop_daemon
pass
