# mail-smtp.sh: email through a real SMTP server on loopback (aiosmtpd).
# Each message arrives exactly once and reads right with Python's email
# package; 201 reminders due at once go over at most max_connections
# connections, reused; a 451 is retried until sent; a 550 moves the row
# to the member's next channel, or kills it with the server's words when
# there is none, and is remembered until the address changes; a refused connection and a stalled server are retried
# (and a stall does not stop the daemon answering); refused credentials
# say so, and a SIGHUP with the right password sends; a SIGHUP to fewer
# connections is kept to.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"
. "$(dirname "$0")/mail-lib.sh"

smtpd_start smtp
SP=$SMTP_PORT
MAIN_PID=$SMTP_PID
write_mail_conf "smtp://127.0.0.1:$SP/convene.test"
# The test moves the clock on to due times; retries run in real time.
start_daemon --test-clock
grep -q 'email goes to the smtp channel' "$T/daemon.log" ||
    fail "the smtp channel is not in use: $(cat "$T/daemon.log")"

# row ID PERSON FIELD: one field of an outbox row, from the API.
row() {
	api 200 GET "/outbox?person=$2&limit=100000"
	msg "$1" "$3"
}

# settled PERSON ID STATE: wait until the row is in STATE.
settled() {
	wait_progress "row $2 $1 state" "$3" ||
	    fail "row $2 is $(row "$2" "$1" state), not $3: $(cat "$T/body")"
}

# tried PERSON ID: wait until the row's first attempt failed for now.
tried_state() {
	ta=$(row "$2" "$1" attempts)
	ts=$(row "$2" "$1" state)
	if [ "$ta" -ge 1 ] && [ "$ts" = pending ]; then
		echo tried
	else
		echo "$ta $ts"
	fi
}
tried() {
	wait_progress "tried_state $1 $2" tried ||
	    fail "row $2 not retried: $(cat "$T/body")"
}

# test_row PERSON: queue a test message; its row's id (the first made
# after it: a failure may add a row for the next channel at once).
test_row() {
	api 200 GET "/outbox?person=$1"
	last=$(jv 'max([m["id"] for m in d["messages"]] + [0])')
	api 202 POST "/people/$1/test"
	api 200 GET "/outbox?person=$1"
	jv 'min(m["id"] for m in d["messages"] if m["id"] > '"$last"')'
}

api 201 POST /people \
    '{"name": "Zoë Ünïcode-Smith", "email": "ann@example.org"}'
ann=$(jv 'd["id"]')
api 201 POST /people '{"name": "Bob Jones", "email": "bob@example.org",
    "phone": "07700 900123", "channels": "email,sms"}'
bob=$(jv 'd["id"]')
api 201 POST /people '{"name": "Cat Lee", "email": "cat@example.org"}'
cat=$(jv 'd["id"]')

# 200 members and Ann, one reminder each due in a few seconds.
"$PY" -c 'print("name,email")
for i in range(200):
    print("Member %d,m%d@example.org" % (i, i))' > "$T/people.csv"
api 201 POST /groups '{"slug": "many", "name": "Many", "lead_times": "PT2M"}'
code=$(curl -sS -m 30 --unix-socket "$T/state/convened.sock" -o "$T/body" \
    -w '%{http_code}' -X POST -H 'Content-Type: text/csv' \
    --data-binary @"$T/people.csv" \
    "http://localhost/api/v1/import/people?group=many")
[ "$code" = 200 ] || [ "$code" = 201 ] || fail "import: $code $(cat "$T/body")"
api 201 POST /groups/many/members "{\"person\": $ann}"
start=$(($(daemon_now) + 120 + 6))
local=$(TZ=Europe/London date -d "@$start" +%Y-%m-%dT%H:%M:%S)
api 201 POST /series "{\"group\": \"many\", \"title\": \"Steering Group\",
    \"start\": \"$local\", \"duration_minutes\": 60}"

sent_count() {
	sqlite3 "$T/state/convene.db" "SELECT count(*) FROM outbox
	    WHERE kind = 'reminder' AND state = 'sent'"
}
advance 6
wait_progress sent_count 201 || fail "not all 201 reminders sent: $(sqlite3 \
    "$T/state/convene.db" "SELECT state, count(*), max(reason)
    FROM outbox GROUP BY state")"
wait_progress "smtp_files smtp" 201 ||
    fail "$(smtp_files smtp) messages, not 201"
conns=$(smtp_stat smtp connections)
most=$(smtp_stat smtp max_open)
[ "$most" -le 4 ] || fail "$most connections at once; max_connections is 4"
[ "$conns" -le 8 ] || fail "$conns connections for 201 messages: not reused"
ok "201 reminders due at once: 201 messages over $conns connections," \
    "at most $most at once"

# Every message once, and each reads right: headers, the plain text and
# the HTML part always (everyone here has the standard style), and for a
# reminder the meeting as a text/calendar part with METHOD:REQUEST that
# python icalendar reads.
sqlite3 -separator ' ' "$T/state/convene.db" "SELECT o.id, o.provider_id,
    p.email, o.kind, p.name FROM outbox o JOIN people p ON p.id = o.person_id
    WHERE o.state = 'sent' AND o.channel = 'email'" > "$T/rows.txt"
"$PY" - "$T/smtp" "$T/rows.txt" <<'PY' || fail "the messages do not read right"
import email, email.policy, email.utils, json, os, sys
import icalendar
folder, rows = sys.argv[1], sys.argv[2]
want = {}
for line in open(rows, encoding="utf-8"):
    rid, mid, addr, kind, name = line.rstrip("\n").split(" ", 4)
    want[mid] = (int(rid), addr, name, kind)
log = [json.loads(l) for l in open(os.path.join(folder, "log.jsonl"))]
seen = {}
bad = []
for entry in log:
    raw = open(os.path.join(folder, "new", entry["file"]), "rb").read()
    for n, line in enumerate(raw.split(b"\r\n")[:-1]):
        if len(line) > 998 or b"\n" in line:
            bad.append("%s: line %d: bare LF or too long" % (entry["file"], n))
    m = email.message_from_bytes(raw, policy=email.policy.default)
    mid = m["Message-ID"]
    if mid in seen:
        bad.append("%s twice: %s and %s" % (mid, seen[mid], entry["file"]))
    seen[mid] = entry["file"]
    if mid not in want:
        bad.append("%s: %s matches no sent row" % (entry["file"], mid))
        continue
    rid, addr, name, kind = want[mid]
    if "convene.%d." % rid not in mid:
        bad.append("%s: %s is not row %d's" % (entry["file"], mid, rid))
    if entry["rcpt_tos"] != [addr] or \
            entry["mail_from"] != "convene@convene.test":
        bad.append("%s: envelope %s" % (entry["file"], entry))
    if entry["helo"] != "convene.test":
        bad.append("%s: EHLO %s" % (entry["file"], entry["helo"]))
    to = m["To"].addresses[0]
    if to.addr_spec != addr or to.display_name != name:
        bad.append("%s: To %r" % (entry["file"], str(m["To"])))
    fr = m["From"].addresses[0]
    if fr.addr_spec != "convene@convene.test" or \
            fr.display_name != "Convene Test":
        bad.append("%s: From %r" % (entry["file"], str(m["From"])))
    if not m["Subject"] or not m["Date"] or m["Date"].datetime is None:
        bad.append("%s: Subject or Date" % entry["file"])
    if m["Auto-Submitted"] != "auto-generated" or m["MIME-Version"] != "1.0":
        bad.append("%s: Auto-Submitted or MIME-Version" % entry["file"])
    text = m.get_body(("plain",))
    if text is None or "Steering Group" not in text.get_content():
        bad.append("%s: no text part with the title" % entry["file"])
    types = [p.get_content_type() for p in m.walk() if not p.is_multipart()]
    wanted = ["text/plain", "text/html"]
    if kind == "reminder":
        wanted.append("text/calendar")
    if types != wanted or m.get_content_type() != "multipart/alternative":
        bad.append("%s: %s has parts %s" % (entry["file"], kind, types))
    for p in m.walk():
        if p.get_content_type() == "text/html" and \
                "<html lang=\"en\" dir=\"ltr\">" not in p.get_content():
            bad.append("%s: HTML part" % entry["file"])
        if p.get_content_type() == "text/calendar":
            try:
                cal = icalendar.Calendar.from_ical(p.get_content())
                ev = [c for c in cal.walk("VEVENT")]
                if p.get_param("method") != "REQUEST" or \
                        str(cal["METHOD"]) != "REQUEST" or len(ev) != 1 \
                        or "Steering Group" not in str(ev[0]["SUMMARY"]) \
                        or not str(ev[0]["UID"]).startswith("series-") \
                        or addr not in str(ev[0]["ATTENDEE"]):
                    bad.append("%s: calendar part %s" % (entry["file"],
                               p.get_content()))
            except Exception as e:
                bad.append("%s: calendar part: %s" % (entry["file"], e))
if len(seen) != len(want):
    bad.append("%d messages for %d sent rows" % (len(seen), len(want)))
if bad:
    print("\n".join(bad[:20]))
sys.exit(1 if bad else 0)
PY
ann_mail=$(grep -l 'ann@example.org' "$T"/smtp/new/*.eml | head -n 1)
"$PY" - "$ann_mail" <<'PY' || fail "Ann's name or text: $(cat "$ann_mail")"
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(),
                             policy=email.policy.default)
assert m["To"].addresses[0].display_name == "Zoë Ünïcode-Smith", m["To"]
assert "Zoë Ünïcode-Smith" in m.get_body(("plain",)).get_content()
PY
ok "each message once, its Message-ID its row's, headers and text read right"

# 451 twice, then accepted: two retries, one message.
before=$(smtp_files smtp)
smtp_ctl smtp '{"fail_next": 2, "fail_code": 451}'
id=$(test_row "$ann")
settled "$ann" "$id" sent
[ "$(row "$id" "$ann" attempts)" = 3 ] ||
    fail "row $id took $(row "$id" "$ann" attempts) attempts, not 3"
said="row $id tempfail: the mail server said 451 (try again later): 4.3.0"
[ "$(grep -c "$said Try again later" "$T/daemon.log")" = 2 ] ||
    fail "no 451 twice for row $id in the log"
[ "$(smtp_files smtp)" = $((before + 1)) ] ||
    fail "$(( $(smtp_files smtp) - before )) messages for one row"
ok "451 twice: retried, then sent once"

# 550 for Bob: his row fails and an SMS goes instead; for Cat, dead.
smtp_ctl smtp '{"reject": ["bob@example.org", "cat@example.org"]}'
id=$(test_row "$bob")
settled "$bob" "$id" failed
reason=$(row "$id" "$bob" reason)
case $reason in
*"550 (refused): 5.1.1 <bob@example.org>: Recipient address"*"trying sms")
	;;
*)	fail "row $id: $reason" ;;
esac
api 200 GET "/outbox?person=$bob"
sms=$(ids 'm["kind"] == "test" and m["channel"] == "sms"')
[ -n "$sms" ] || fail "no SMS row after the 550: $(cat "$T/body")"
settled "$bob" "$sms" sent
[ -f "$T/state/spool/sms/$sms.1.sms" ] ||
    fail "no SMS in the spool: $(ls "$T/state/spool/sms")"
id=$(test_row "$cat")
settled "$cat" "$id" dead
reason=$(row "$id" "$cat" reason)
case $reason in
*"said 550 (refused): 5.1.1 <cat@example.org>"*"no other channel to try") ;;
*)	fail "row $id: $reason" ;;
esac
ok "550: Bob's row went to SMS, Cat's is dead: $reason"
# The coordinator sees who cannot be reached, and why, with the group.
api 201 POST /groups '{"slug": "notes", "name": "Notes"}'
api 201 POST /groups/notes/members "{\"person\": $cat}"
"$CONVENECTL" -s "$T/state/convened.sock" group show notes > "$T/show" ||
    fail "group show: $(cat "$T/show")"
grep -q "^cannot reach Cat Lee (person $cat): the mail server said 550" \
    "$T/show" || fail "group show does not say: $(cat "$T/show")"
ok "group show names the member who cannot be reached, and why"

# The 550s are remembered.  Bob's next reminder goes by SMS without the
# mail server being asked (no attempt at the email row); Cat's next
# message, with no other channel, is dead at once; group show and person
# show say why.  Giving the same address again changes nothing.
api 200 PATCH "/people/$bob" '{"email": "bob@example.org"}'
[ "$(jv 'd["email_bounce"] is not None')" = True ] ||
    fail "the same address cleared the bounce: $(cat "$T/body")"
api 201 POST /groups '{"slug": "bounce", "name": "Bounce",
    "lead_times": "PT1M"}'
api 201 POST /groups/bounce/members "{\"person\": $bob}"
start=$(($(daemon_now) + 60 + 3))
local=$(TZ=Europe/London date -d "@$start" +%Y-%m-%dT%H:%M:%S)
api 201 POST /series "{\"group\": \"bounce\", \"title\": \"Bounce\",
    \"start\": \"$local\", \"duration_minutes\": 60}"
advance 3
reminder() {
	api 200 GET "/outbox?person=$bob&limit=100000"
	jv '[m["id"] for m in d["messages"] if m["kind"] == "reminder" and
	    m["channel"] == "'"$1"'"]'
}
i=0
while [ -z "$(reminder sms)" ]; do
	i=$((i + 1))
	[ "$i" -lt 150 ] || fail "no SMS reminder for Bob: $(cat "$T/body")"
	sleep 0.1
done
id=$(reminder email)
[ -n "$id" ] || fail "no email reminder row for Bob: $(cat "$T/body")"
[ "$(row "$id" "$bob" state)" = failed ] ||
    fail "Bob's email reminder: $(row "$id" "$bob" state)"
[ "$(row "$id" "$bob" attempts)" = 0 ] ||
    fail "the mail server was asked again for Bob's bounced address"
reason=$(row "$id" "$bob" reason)
case $reason in
"bob@example.org bounced before (the mail server said 550"*"trying sms") ;;
*)	fail "row $id: $reason" ;;
esac
sms=$(reminder sms)
settled "$bob" "$sms" sent
[ -f "$T/state/spool/sms/$sms.1.sms" ] ||
    fail "no SMS reminder in the spool: $(ls "$T/state/spool/sms")"
id=$(test_row "$cat")
settled "$cat" "$id" dead
[ "$(row "$id" "$cat" attempts)" = 0 ] ||
    fail "the mail server was asked again for Cat's bounced address"
case $(row "$id" "$cat" reason) in
"cat@example.org bounced before (the mail server said 550"*"no other"*) ;;
*)	fail "row $id: $(row "$id" "$cat" reason)" ;;
esac
"$CONVENECTL" -s "$T/state/convened.sock" group show bounce > "$T/show" ||
    fail "group show: $(cat "$T/show")"
grep -q "^email to Bob Jones (person $bob) at bob@example.org bounced: the \
mail server said 550 .*; it is not used until the address is changed$" \
    "$T/show" || fail "group show does not say: $(cat "$T/show")"
"$CONVENECTL" -s "$T/state/convened.sock" person show "$bob" > "$T/show" ||
    fail "person show: $(cat "$T/show")"
grep -q "^bounced: .*the mail server said 550" "$T/show" ||
    fail "person show does not say: $(cat "$T/show")"
ok "a bounced address is not tried again: SMS for Bob, dead for Cat"

# A new address is used again, and the bounce is forgotten.
before=$(smtp_files smtp)
api 200 PATCH "/people/$bob" '{"email": "bob.jones@example.org"}'
[ "$(jv 'd["email_bounce"]')" = None ] ||
    fail "a new address kept the bounce: $(cat "$T/body")"
id=$(test_row "$bob")
settled "$bob" "$id" sent
[ "$(row "$id" "$bob" channel)" = email ] || fail "row $id left email"
[ "$(smtp_files smtp)" = $((before + 1)) ] ||
    fail "no message at the mail server for Bob's new address"
"$CONVENECTL" -s "$T/state/convened.sock" group show bounce > "$T/show" ||
    fail "group show: $(cat "$T/show")"
grep -q "bounced" "$T/show" && fail "group show still says: $(cat "$T/show")"
ok "after the address changed, email is used again"
smtp_ctl smtp '{}'

# The sender refused (553 at MAIL FROM): every message would be, so it
# is an operator's matter, retried; not the member's next channel.
smtp_ctl smtp '{"reject_sender": true}'
before=$(smtp_files smtp)
id=$(test_row "$bob")
tried "$bob" "$id"
reason=$(row "$id" "$bob" reason)
case $reason in
*"553 (the sender was refused)"*) ;;
*)	fail "row $id: $reason" ;;
esac
[ "$(row "$id" "$bob" channel)" = email ] || fail "row $id left email"
grep -q 'warning: mail: the mail server said 553.*check \[mail\] from' \
    "$T/daemon.log" || fail "no warning for the operator"
smtp_ctl smtp '{}'
settled "$bob" "$id" sent
ok "553 for the sender: '$reason', retried, not moved to SMS, then sent"

# Nothing listening: retried until the server is back on the same port.
smtpd_stop "$MAIN_PID"
before=$(smtp_files smtp)
id=$(test_row "$ann")
tried "$ann" "$id"
reason=$(row "$id" "$ann" reason)
case $reason in
*"cannot be reached"*) ;;
*)	fail "row $id: $reason" ;;
esac
smtpd_start smtp --port "$SP"
settled "$ann" "$id" sent
[ "$(smtp_files smtp)" = $((before + 1)) ] || fail "not one message"
n=$(row "$id" "$ann" attempts)
case $n:$(row "$id" "$ann" reason) in
[01]:*) fail "row $id sent at the first attempt: $(cat "$T/body")" ;;
"$n:sent on attempt $n; before that: the mail server cannot be reached"*) ;;
*)	fail "row $id, sent, does not say what held it up: $(cat "$T/body")" ;;
esac
"$CONVENECTL" -s "$T/state/convened.sock" outbox --person "$ann" \
    > "$T/ctl" || fail "convenectl outbox failed"
grep -q "^$id .* sent  *-  *email .* $n  *-  *sent on attempt $n; before that: " \
    "$T/ctl" || fail "convenectl outbox: $(cat "$T/ctl")"
ok "connection refused: '$reason', then sent once the server was back"

# A server that never answers the end of DATA: the daemon still answers,
# the message times out and is sent again.
smtp_ctl smtp '{"stall": "data"}'
id=$(test_row "$ann")
wait_progress "row $id $ann state" sending ||
    fail "row $id is not in flight: $(cat "$T/body")"
t0=$(date +%s%N)
healthy || fail "no /healthz while the mail server stalls"
t1=$(date +%s%N)
[ $(( (t1 - t0) / 1000000 )) -lt 500 ] ||
    fail "/healthz took $(( (t1 - t0) / 1000000 )) ms during the stall"
tried "$ann" "$id"
reason=$(row "$id" "$ann" reason)
case $reason in
*"did not take the message within 2 seconds"*) ;;
*)	fail "row $id: $reason" ;;
esac
smtp_ctl smtp '{}'
settled "$ann" "$id" sent
ok "stalled after DATA: /healthz in $(( (t1 - t0) / 1000000 )) ms;" \
    "'$reason', then sent"

# A reply that is not SMTP after DATA: retried, then sent once.
smtp_ctl smtp '{"malformed": true}'
before=$(smtp_files smtp)
id=$(test_row "$ann")
tried "$ann" "$id"
reason=$(row "$id" "$ann" reason)
[ -n "$reason" ] || fail "row $id: no reason after a malformed reply"
smtp_ctl smtp '{}'
settled "$ann" "$id" sent
ok "a malformed reply: '$reason', then sent"

# AUTH: the wrong password is refused and says so; a SIGHUP with the
# right one sends the message waiting.
smtpd_start auth --auth convene:right-horse
printf 'wrong-horse\n' > "$T/password"
chmod 600 "$T/password"
write_mail_conf "smtp://127.0.0.1:$SMTP_PORT/convene.test" \
    "smtp_username = convene
smtp_password_file = $T/password"
kill -HUP "$DAEMON_PID"
wait_for grep -q 'configuration reloaded' "$T/daemon.log" ||
    fail "no reload"
id=$(test_row "$ann")
tried "$ann" "$id"
reason=$(row "$id" "$ann" reason)
case $reason in
*"535 (the credentials were refused)"*) ;;
*)	fail "row $id: $reason" ;;
esac
grep -q 'warning: mail: the mail server said 535.*check \[mail\] smtp_user' \
    "$T/daemon.log" || fail "no warning for the operator"
[ "$(smtp_files auth)" = 0 ] || fail "sent with the wrong password"
printf 'right-horse\n' > "$T/password"
kill -HUP "$DAEMON_PID"
settled "$ann" "$id" sent
[ "$(smtp_files auth)" = 1 ] || fail "not one message after the right password"
ok "bad credentials: '$reason'; sent after a SIGHUP with the right ones"

# A SIGHUP down to one connection: ten messages at once share it.
write_mail_conf "smtp://127.0.0.1:$SMTP_PORT/convene.test" \
    "smtp_username = convene
smtp_password_file = $T/password"
sed -i 's/^max_connections = 4$/max_connections = 1/' "$T/convened.conf"
reloads() {
	[ "$(grep -c 'configuration reloaded' "$T/daemon.log")" = "$1" ]
}
kill -HUP "$DAEMON_PID"
wait_for reloads 3 || fail "no third reload"
sleep 0.5
smtp_ctl auth '{"delay": 0.05}'
conns=$(smtp_stat auth connections)
n=0
while [ "$n" -lt 10 ]; do
	last=$(test_row "$ann")
	n=$((n + 1))
done
settled "$ann" "$last" sent
[ "$(smtp_files auth)" = 11 ] || fail "not ten more messages"
sleep 0.3
conns=$(( $(smtp_stat auth connections) - conns ))
[ "$conns" -le 1 ] || fail "$conns new connections with max_connections = 1"
ok "after a SIGHUP to max_connections = 1: ten messages, $conns new connection"

# A reload whose mail part is good but whose SMS part is not is refused
# whole: email stays with the server in use, not the new one.
cp "$T/convened.conf" "$T/good.conf"
dead=$(free_port)
sed -i "s|^smtp_url = .*|smtp_url = smtp://127.0.0.1:$dead/convene.test|" \
    "$T/convened.conf"
printf '\n[sms]\ngateway_url = http://127.0.0.1:%s/\n' "$dead" \
    >> "$T/convened.conf"
kill -HUP "$DAEMON_PID"
wait_for grep -q "credentials_file is needed" "$T/daemon.log" ||
    fail "the broken SMS part was not refused"
before=$(smtp_files auth)
id=$(test_row "$ann")
settled "$ann" "$id" sent
[ "$(smtp_files auth)" = $((before + 1)) ] ||
    fail "email left the server in use after a refused reload"
ok "a reload refused for its SMS part leaves email as it was"

healthy || fail "convened stopped answering /healthz"
stop_daemon
pass
