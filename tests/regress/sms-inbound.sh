# sms-inbound.sh: texts sent back through a real Kannel.  fakesmsc plays
# the members' phones and types each reply; smsbox's sms-service hands it
# to /sms/inbound with the secret, the sender and Kannel's message id.
# YES with no code answers the one meeting asked about by SMS; a code
# picks the meeting; Welsh and Arabic words are understood; each answer
# is recorded and confirmed by a text at the phone, in the member's
# language; with several meetings and no code, a text asks which; the
# same message id again records once; STOP takes sms out of the
# member's channels (audited) and is confirmed once; START puts it back;
# HELP answers with the group's contact; a number nobody has gets
# nothing; a wrong or missing secret gets 403; the same message id
# after a restart does nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"
. "$(dirname "$0")/sms-lib.sh"

SECRET=inbound-secret-0123456789
printf '%s\n' "$SECRET" > "$T/inbound.secret"
chmod 600 "$T/inbound.secret"

kannel_conf
cat >> "$T/kannel.conf" <<CONF

# Every text received goes to convened; what convened answers is not
# sent (max-messages = 0): its replies go through its outbox.
group = sms-service
keyword = default
catch-all = true
get-url = "http://127.0.0.1:$PORT/sms/inbound?key=$SECRET&from=%p&text=%a&id=%I&charset=%C"
max-messages = 0
CONF
for b in "$KANNEL_BEARERBOX" "$KANNEL_SMSBOX" "$KANNEL_FAKESMSC"; do
	[ -x "$b" ] || fail "$b is missing: install kannel and kannel-extras"
done
start_bearerbox
start_smsbox
start_phone

write_conf
cat >> "$T/convened.conf" <<CONF
[sms]
gateway = kannel
gateway_url = http://127.0.0.1:$K_SEND/cgi-bin/sendsms
credentials_file = $T/sms.cred
inbound_secret_file = $T/inbound.secret
timeout = 5
CONF
start_daemon --test-clock

api 201 POST /groups '{"slug": "panel", "name": "Carers Panel",
    "lead_times": "PT30S", "contact": "Sam on 020 7946 0000"}'
person() {
	api 201 POST /people "$1"
	pid=$(jv 'd["id"]')
	api 201 POST /groups/panel/members "{\"person\": $pid}"
	echo "$pid"
}
bob=$(person '{"name": "Bob", "phone": "07700 900123",
    "email": "bob@example.org", "channels": "sms,email"}')
carys=$(person '{"name": "Carys", "phone": "07700 900124",
    "channels": "sms", "language": "cy"}')
amira=$(person '{"name": "Amira", "phone": "07700 900125",
    "channels": "sms", "language": "ar"}')
dan=$(person '{"name": "Dan", "phone": "07700 900126",
    "email": "dan@example.org", "channels": "email"}')

# Two meetings: the first's reminder goes by SMS in a moment, the
# second is a day later.
t0=$(daemon_now)
s1=$((t0 + 60))
s2=$((t0 + 86400))
for s in "$s1 Budget" "$s2 Review"; do
	set -- $s
	local=$(TZ=Europe/London date -d "@$1" +%Y-%m-%dT%H:%M:%S)
	api 201 POST /series "{\"group\": \"panel\", \"title\": \"$2\",
	    \"start\": \"$local\", \"duration_minutes\": 60}"
done
api 200 GET '/occurrences?days=2'
m1=$(jv '[o["id"] for o in d["occurrences"] if o["title"] == "Budget"][0]')
m2=$(jv '[o["id"] for o in d["occurrences"] if o["title"] == "Review"][0]')
advance_to $((s1 - 30))
reminded() {
	api 200 GET "/outbox?person=$bob"
	[ -n "$(ids 'm["kind"] == "reminder" and m["state"] == "sent" and
	    m["channel"] == "sms"')" ]
}
wait_for reminded || fail "no reminder sent: $(cat "$T/body")"
# The clock stops here, before the first meeting, for the rest.
set_clock "$(daemon_now)"

# say FROM TEXT [TYPE]: the phone sends one text to convene.  A fresh
# fakesmsc sends it (-m 1) and stays to receive what comes back.
say() {
	if [ -n "$PHONE_PID" ] && kill -0 "$PHONE_PID" 2>/dev/null; then
		kill -TERM "$PHONE_PID"
		wait "$PHONE_PID" 2>/dev/null || true
	fi
	"$KANNEL_FAKESMSC" -H 127.0.0.1 -r "$K_SMSC" -m 1 \
	    "$1 447700900000 ${3:-text} $2" 2>>"$T/phone.log" >/dev/null &
	PHONE_PID=$!
}
db() {
	"$PY" -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for r in c.execute(sys.argv[2]):
	print(" ".join(str(x) for x in r))' "$T/state/convene.db" "$1"
}
answers() { db "SELECT count(*) FROM answers"; }
latest() {
	db "SELECT answer FROM answers WHERE person_id = $1 AND
	    occurrence_id = $2 ORDER BY at DESC, id DESC LIMIT 1"
}
at_phone() { [ "$(phone_count "$1")" -ge "${2:-1}" ]; }
when1=$(when_short "$s1")
when2=$(when_short "$s2")

# YES, no code: the one meeting Bob was asked about by SMS.
say 447700900123 'Yes!'
wait_progress answers 1 || fail "no answer recorded"
[ "$(latest "$bob" "$m1")" = yes ] || fail "Bob's answer: $(latest "$bob" "$m1")"
c1="Thank you. Budget, $when1. Your answer: Yes, I will come."
wait_for at_phone "$c1" || fail "no confirmation: $(phone_texts)"
ok "'Yes!' with no code answered M$m1, the meeting asked about; confirmed"

# A code picks the meeting; stray spaces and punctuation do not matter.
say 447700900123 " no m$m2 "
wait_progress answers 2 || fail "no second answer"
[ "$(latest "$bob" "$m2")" = no ] || fail "Bob M$m2: $(latest "$bob" "$m2")"
say 447700900123 "MAYBE, M$m1"
wait_progress answers 3 || fail "no third answer"
[ "$(latest "$bob" "$m1")" = maybe ] || fail "Bob M$m1: $(latest "$bob" "$m1")"
wait_for at_phone "Thank you. Review, $when2. Your answer: No, I cannot come." ||
    fail "no confirmation of NO: $(phone_texts)"
wait_for at_phone "Thank you. Budget, $when1. Your answer: Maybe." ||
    fail "no confirmation of MAYBE: $(phone_texts)"
[ "$(db "SELECT channel FROM answers ORDER BY id LIMIT 1")" = sms ] ||
    fail "channel: $(db "SELECT channel FROM answers")"
db "SELECT ref FROM answers" | grep -qv '^kannel:.' &&
    fail "refs: $(db "SELECT ref FROM answers")"
ok "' no m$m2 ' and 'MAYBE, M$m1' recorded for their meetings, latest wins"

# Welsh and Arabic (UCS-2 through Kannel), answered in their language.
say 447700900124 "Ie M$m2"
wait_progress answers 4 || fail "Carys's answer not recorded"
[ "$(latest "$carys" "$m2")" = yes ] || fail "Carys: $(latest "$carys" "$m2")"
ucs2=$("$PY" -c 'import sys, urllib.parse
print(urllib.parse.quote(("\u0646\u0639\u0645 M" + sys.argv[1]).encode("utf-16-be")))' "$m2")
say 447700900125 "$ucs2" ucs2
wait_progress answers 5 || fail "Amira's answer not recorded"
[ "$(latest "$amira" "$m2")" = yes ] || fail "Amira: $(latest "$amira" "$m2")"
cyok() { phone_texts | grep -q "Diolch\. Review, .*Eich ateb: "; }
arok() { phone_texts | grep -q "شكرًا\. Review، .*ردك: "; }
wait_for cyok || fail "no Welsh confirmation: $(phone_texts)"
wait_for arok || fail "no Arabic confirmation: $(phone_texts)"
ok "Welsh 'Ie M$m2' and Arabic 'نعم M$m2' recorded, confirmed in Welsh and Arabic"

# The same message id again (smsbox retrying): recorded once.
n=$(answers)
r1=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/sms/inbound?key=$SECRET&from=447700900123&text=yes+M$m2&id=retry-1")
r2=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/sms/inbound?key=$SECRET&from=447700900123&text=yes+M$m2&id=retry-1")
[ "$r1 $r2" = "200 200" ] || fail "retry: $r1 $r2"
[ "$(answers)" = $((n + 1)) ] || fail "the retry recorded $(($(answers) - n))"
[ "$(db "SELECT count(*) FROM outbox WHERE lead = 'kannel:retry-1'")" = 1 ] ||
    fail "confirmations of the retry: $(db "SELECT id FROM outbox WHERE lead = 'kannel:retry-1'")"
ok "the same message id twice: one answer, one confirmation"

# A wrong or missing secret: 403, nothing recorded.
n=$(answers)
i=0
for q in "key=wrong-secret-0123456789&" "" "key=&" "key=$SECRET-&"; do
	i=$((i + 1))
	r=$(curl -s -o "$T/body" -w '%{http_code}' "$BASE/sms/inbound?${q}from=447700900123&text=no&id=bad-$i")
	[ "$r" = 403 ] || fail "key '$q': $r $(cat "$T/body")"
done
r=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: text/plain' \
    --data-binary 'no' "$BASE/sms/inbound?key=nope&from=447700900123&id=bad-post")
[ "$r" = 403 ] || fail "POST with a wrong key: $r"
[ "$(answers)" = "$n" ] || fail "a refused text was recorded"
ok "a wrong, empty or missing secret gets 403 and records nothing"

# post-url: the text as the body.
r=$(curl -s -o /dev/null -w '%{http_code}' -X POST \
    -H 'Content-Type: text/plain; charset=UTF-8' --data-binary "Maybe M$m2" \
    "$BASE/sms/inbound?key=$SECRET&from=%2B447700900123&id=post-1")
[ "$r" = 200 ] || fail "post-url: $r"
[ "$(latest "$bob" "$m2")" = maybe ] || fail "post-url: $(latest "$bob" "$m2")"
ok "post-url with the text as the body recorded"

# A number nobody has: nothing recorded, nothing sent, logged.
n=$(answers)
say 447700900999 "YES M$m1"
stranger() { grep -c 'a text from +447700900999, a number no one has' "$T/daemon.log"; }
wait_progress stranger 1 || fail "the stranger's text was not logged"
[ "$(answers)" = "$n" ] || fail "a stranger's text was recorded"
ok "a number nobody has: logged, nothing recorded"

# Several meetings ahead, none asked about by SMS, no code: which?
say 447700900126 "yes"
which="Which meeting? Reply YES, NO or MAYBE with its code: M$m1, M$m2."
wait_for at_phone "$which" || fail "no question back: $(phone_texts)"
[ "$(answers)" = "$n" ] || fail "an unclear answer was recorded"
ok "no code and two meetings: '$which'"

# Not understood: nothing recorded.
say 447700900123 "no idea what this is about"
notunder() { grep -c "a text from person $bob not understood" "$T/daemon.log"; }
wait_progress notunder 1 || fail "not logged as not understood"
[ "$(answers)" = "$n" ] || fail "'no idea' was recorded"
ok "'no idea what this is about' is not taken for NO"

# STOP: sms out of Bob's channels, audited, confirmed once.
stop="You will get no more texts from us. Reply START to get them again."
say 447700900123 "STOP"
stopped() { api 200 GET "/people/$bob"; jv 'd["channels"]'; }
wait_progress stopped email || fail "channels after STOP: $(stopped)"
wait_for at_phone "$stop" || fail "no STOP confirmation: $(phone_texts)"
db "SELECT detail FROM audit_log WHERE action = 'sms stop'" |
    grep -q "person $bob: channels email, were sms,email" ||
    fail "audit: $(db "SELECT action, detail FROM audit_log")"
say 447700900123 "stop."
stops() { grep -c "stop from person $bob: nothing to change" "$T/daemon.log"; }
wait_progress stops 1 || fail "the second STOP was not handled"
[ "$(phone_count "$stop")" = 1 ] || fail "STOP confirmed $(phone_count "$stop") times"
ok "STOP: channels sms,email became email, audited, confirmed once"

# START: sms back, first.
say 447700900123 "Start"
wait_progress stopped sms,email || fail "channels after START: $(stopped)"
wait_for at_phone "You will get texts from us again. Reply STOP to stop them." ||
    fail "no START confirmation: $(phone_texts)"
ok "START: channels sms,email again, confirmed"

# HELP: the group's contact.
say 447700900123 "help?"
help="Carers Panel: reply YES, NO or MAYBE with the meeting code, or STOP to stop texts. Contact: Sam on 020 7946 0000"
wait_for at_phone "$help" || fail "no HELP answer: $(phone_texts)"
ok "HELP answered with the group's contact"

# A replay after a restart: the ids handled are in the store.
stop_daemon
start_daemon --test-clock
n=$(answers)
r=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/sms/inbound?key=$SECRET&from=447700900123&text=yes+M$m2&id=retry-1")
[ "$r" = 200 ] || fail "replay after a restart: $r"
[ "$(answers)" = "$n" ] || fail "the replay after a restart was recorded"
[ "$(db "SELECT count(*) FROM outbox WHERE lead = 'kannel:retry-1'")" = 1 ] ||
    fail "the replay after a restart was confirmed again"
grep -q 'kannel:retry-1 was handled before' "$T/daemon.log" ||
    fail "the replay was not noticed"
ok "the same message id after a restart: nothing recorded, nothing sent"

healthy || fail "convened stopped answering /healthz"
stop_daemon
pass
