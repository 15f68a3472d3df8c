# outbox-once.sh: every planned reminder reaches the spool exactly once, at
# its due time and not before: one file per outbox row, none for a second
# attempt, each row marked sent.  The email says the meeting's title and
# "When:" with the local time in words; the SMS fits in 160 characters.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"

# words EPOCH: the local time as convene says it in words.
words() {
	set -- $(TZ=Europe/London LC_ALL=C date -d "@$1" \
	    '+%A %-d %B %Y %-H %M')
	h=$5
	mm=$6
	if [ "$h" -eq 12 ] && [ "$mm" = 00 ]; then
		clock=midday
	elif [ "$h" -eq 0 ] && [ "$mm" = 00 ]; then
		clock=midnight
	else
		h12=$((h % 12))
		if [ "$h12" -eq 0 ]; then
			h12=12
		fi
		ap=am
		if [ "$h" -ge 12 ]; then
			ap=pm
		fi
		if [ "$mm" = 00 ]; then
			clock=$h12$ap
		else
			clock=$h12:$mm$ap
		fi
	fi
	echo "$1 $2 $3 $4 at $clock"
}

# The daemon's clock is the test's: it stands still until moved.
start_daemon --test-clock="$(date +%s)"

title="Direct Payments Steering Group"
api 201 POST /groups '{"slug": "dp-steering",
    "name": "Direct Payments Steering Group",
    "lead_times": "PT20S,PT10S", "contact": "Sam on 020 7946 0000"}'
api 201 POST /people '{"name": "Ann Smith", "email": "ann@example.org"}'
ann=$(jv 'd["id"]')
api 201 POST /people '{"name": "Bob Jones", "phone": "07700 900123",
    "channels": "sms"}'
bob=$(jv 'd["id"]')
api 201 POST /groups/dp-steering/members "{\"person\": $ann}"
api 201 POST /groups/dp-steering/members "{\"person\": $bob}"

t0=$(daemon_now)
start=$((t0 + 35))
local=$(TZ=Europe/London date -d "@$start" +%Y-%m-%dT%H:%M:%S)
api 201 POST /series "{\"group\": \"dp-steering\", \"title\": \"$title\",
    \"start\": \"$local\", \"duration_minutes\": 90}"
api 200 GET '/occurrences?days=1'
[ "$(jv 'len(d["occurrences"])')" = 1 ] ||
    fail "one meeting wanted: $(cat "$T/body")"
got=$(jv 'd["occurrences"][0]["start_at"]')
[ "$got" = "$start" ] || fail "local $local became $got, not $start"
occ=$(jv 'd["occurrences"][0]["id"]')

# Two members, two lead times: four reminders, pending, due when planned.
planned
api 200 GET /outbox
rows=$(ids 'm["kind"] == "reminder" and m["occurrence_id"] == '"$occ")
set -- $rows
[ $# -eq 4 ] || fail "4 reminders wanted, got: $(cat "$T/body")"
[ "$(ids 'm["state"] != "pending"')" = "" ] ||
    fail "reminders not pending: $(cat "$T/body")"
for who in "$ann email" "$bob sms"; do
	set -- $who
	for lead in 20 10; do
		id=$(ids 'm["person_id"] == '"$1"' and m["lead"] == "PT'"$lead"'S"
		    and m["channel"] == "'"$2"'"')
		[ -n "$id" ] || fail "no PT${lead}S reminder by $2 for $1"
		due=$(msg "$id" due_at)
		[ "$due" = "$((start - lead))" ] ||
		    fail "row $id is due at $due, not $((start - lead))"
	done
done
ok "four reminders planned: two members by email and SMS, two lead times"

# Nothing goes out before it is due: not a second before.
set_clock $((start - 20 - 1))
wait_progress outbox_busy 0 || fail "the outbox did not settle"
[ "$(spool_count '*')" = 0 ] ||
    fail "files before the first due time: $(ls -R "$T/state/spool")"
ok "nothing in the spool before the first due time"

# At each due time in turn: one file per row, first attempt only, all
# sent.
set_clock $((start - 20))
wait_progress outbox_busy 0 || fail "the outbox did not settle"
set_clock $((start - 10))
wait_progress outbox_busy 0 || fail "the outbox did not settle"
api 200 GET /outbox
for id in $rows; do
	st=$(msg "$id" state)
	[ "$st" = sent ] || fail "row $id is $st, not sent: $(cat "$T/body")"
	[ "$(msg "$id" attempts)" = 1 ] ||
	    fail "row $id took $(msg "$id" attempts) attempts"
	[ "$(msg "$id" late)" = 0 ] || fail "row $id marked late"
	[ "$(msg "$id" provider_id)" = "spool:$id.1" ] ||
	    fail "row $id provider $(msg "$id" provider_id)"
	after=$(jv '[m["sent_at"] - m["due_at"] for m in d["messages"]
	    if m["id"] == '"$id"']')
	[ "$after" -ge 0 ] && [ "$after" -le 3 ] ||
	    fail "row $id sent $after s after it was due"
	dir=mail
	ext=eml
	if [ "$(msg "$id" channel)" = sms ]; then
		dir=sms
		ext=sms
	fi
	[ "$(spool_count "$id.*")" = 1 ] ||
	    fail "row $id: not one file: $(ls -R "$T/state/spool")"
	[ -f "$T/state/spool/$dir/$id.1.$ext" ] ||
	    fail "row $id: no $dir/$id.1.$ext: $(ls -R "$T/state/spool")"
done
[ "$(spool_count '*.2.*')" = 0 ] ||
    fail "a second attempt: $(ls -R "$T/state/spool")"
[ "$(spool_count '*')" = 4 ] ||
    fail "not four files: $(ls -R "$T/state/spool")"
ok "each reminder in the spool exactly once, sent on time, no retry"

# The email: To, Subject with the title, When: in words, local time.
eid=$(ids 'm["person_id"] == '"$ann"' and m["lead"] == "PT20S"')
eml="$T/state/spool/mail/$eid.1.eml"
# Every line ends in CRLF; read it with plain line ends.
awk '!/\r$/ { bad++ } END { exit bad > 0 }' "$eml" ||
    fail "a line of $eml does not end in CRLF"
tr -d '\r' < "$eml" > "$T/mail.txt"
eml=$T/mail.txt
grep -q '^To: "Ann Smith" <ann@example.org>' "$eml" ||
    fail "To: $(cat "$eml")"
short=$(when_short "$start")
grep -q "^Subject: Reminder: $title on $short" "$eml" ||
    fail "subject (wanted '$short'): $(cat "$eml")"
grep -q "^This is a reminder: $title is soon\.\$" "$eml" ||
    fail "no reminder line: $(cat "$eml")"
w=$(words "$start")
grep -q "^When: $w\$" "$eml" || fail "wanted 'When: $w' in: $(cat "$eml")"
ok "email has the title and When: $w"

# The SMS: the title, the short local time, within 160 characters.
sid=$(ids 'm["person_id"] == '"$bob"' and m["lead"] == "PT10S"')
sms="$T/state/spool/sms/$sid.1.sms"
head -n 1 "$sms" | grep -q '^To: +447700900123$' ||
    fail "SMS to: $(cat "$sms")"
len=$(sms_length "$sms")
[ "$len" -gt 0 ] && [ "$len" -le 160 ] ||
    fail "SMS of $len characters: $(cat "$sms")"
# Nothing reads texts sent back here, so the text asks for no reply.
grep -qx "Reminder: $title, $short\." "$sms" ||
    fail "SMS text: $(cat "$sms")"
ok "SMS of $len characters with the title and $short"

# /metrics: four sent since start, and (counted off the loop every few
# seconds) four rows in the sent state.
counted() {
	curl -s -m 5 "$BASE/metrics" > "$T/metrics"
	grep -q '^convene_outbox_messages{state="sent"} 4$' "$T/metrics"
}
wait_for counted || fail "metrics: $(grep outbox "$T/metrics")"
grep -q '^convene_outbox_settled_total{outcome="sent"} 4$' "$T/metrics" ||
    fail "metrics: $(grep outbox "$T/metrics")"
ok "/metrics counts the four sent"

healthy || fail "convened stopped answering /healthz"
stop_daemon
pass
