# sms-kannel.sh: SMS through a real Kannel (bearerbox, smsbox, a fake
# SMSC) to fakesmsc playing the phone.  A test message and reminders
# arrive once each with the exact text; the row is sent with a provider
# id and Kannel's delivery report marks it delivered; the standard English
# reminder is one GSM-7 message; a text with ‘quotes’ and Arabic arrives
# intact as UCS-2; a long text arrives as one concatenated message; with
# smsbox down the message waits and goes once smsbox is back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"
. "$(dirname "$0")/sms-lib.sh"

start_kannel
# Replies are read (sms-inbound.sh follows them), so the texts ask for one.
printf '%s\n' inbound-secret-0123456789 > "$T/inbound.secret"
chmod 600 "$T/inbound.secret"
write_conf
cat >> "$T/convened.conf" <<CONF
[sms]
gateway = kannel
gateway_url = http://127.0.0.1:$K_SEND/cgi-bin/sendsms
credentials_file = $T/sms.cred
inbound_secret_file = $T/inbound.secret
timeout = 5

[outbox]
retry_base = 2
retry_max = 3
CONF
# The test moves the clock on to due times; retries run in real time.
start_daemon --test-clock
grep -q 'SMS to the sms-gateway channel' "$T/daemon.log" ||
    fail "the SMS gateway is not in use: $(cat "$T/daemon.log")"

api 201 POST /venues '{"name": "Town Hall, Committee Room 2",
    "step_free": true, "hearing_loop": true}'
venue=$(jv 'd["id"]')
api 201 POST /groups '{"slug": "dp-steering",
    "name": "Direct Payments Steering Group", "lead_times": "PT30S"}'
api 201 POST /people '{"name": "Bob Jones", "phone": "07700 900123",
    "channels": "sms"}'
bob=$(jv 'd["id"]')
api 201 POST /groups/dp-steering/members "{\"person\": $bob}"

# A test message: at the phone once, exactly; sent, then delivered.
testtext="A test message: messages reach you by text. You do not need to reply."
api 202 POST "/people/$bob/test"
got_test() { [ "$(phone_count "$testtext")" -ge 1 ]; }
wait_for got_test || fail "no test message at the phone: $(phone_texts)"
api 200 GET "/outbox?person=$bob"
tid=$(ids 'm["kind"] == "test"')
[ -n "$tid" ] || fail "no test row: $(cat "$T/body")"
delivered() {
	api 200 GET "/outbox?person=$bob"
	[ "$(msg "$1" delivery)" = delivered ]
}
wait_for delivered "$tid" ||
    fail "row $tid: no delivery report: $(cat "$T/body")"
[ "$(msg "$tid" state)" = sent ] || fail "row $tid: $(cat "$T/body")"
[ "$(msg "$tid" provider_id)" = "sms:$tid.1" ] ||
    fail "row $tid provider: $(cat "$T/body")"
[ "$(msg "$tid" delivered_at)" != None ] ||
    fail "row $tid: no delivered_at: $(cat "$T/body")"
[ "$(phone_count "$testtext")" = 1 ] ||
    fail "the test message arrived $(phone_count "$testtext") times"
phone_texts | grep -q "^gsm 1 $testtext\$" ||
    fail "not one GSM-7 message: $(phone_texts)"
"$CONVENECTL" -f "$T/convened.conf" outbox > "$T/ctl" ||
    fail "convenectl outbox failed"
grep -q "^$tid .* sent .* 1 *delivered" "$T/ctl" ||
    fail "convenectl outbox: $(cat "$T/ctl")"
ok "test message at the phone once, sent as sms:$tid.1, delivered"

# Three meetings, reminders due in a few seconds: the standard one, one
# whose title needs UCS-2, one too long for one message.
t0=$(daemon_now)
start=$((t0 + 40))
local=$(TZ=Europe/London date -d "@$start" +%Y-%m-%dT%H:%M:%S)
short=$(when_short "$start")
title="Direct Payments Steering Group"
utitle="‘Coffee’ morning — اجتماع المجموعة"
ltitle="Independent Living Delivery Group: the review of the new transport"
ltitle="$ltitle scheme, the home care contract and the access audit"
for t in "$title" "$utitle" "$ltitle"; do
	api 201 POST /series "{\"group\": \"dp-steering\", \"title\": \"$t\",
	    \"start\": \"$local\", \"duration_minutes\": 90,
	    \"venue\": $venue}"
done
api 200 GET '/occurrences?days=1'
occs=$(jv '[o["id"] for o in d["occurrences"]]')
set -- $occs
[ $# -eq 3 ] || fail "three meetings wanted: $(cat "$T/body")"

sent3() {
	api 200 GET "/outbox?person=$bob"
	[ "$(ids 'm["kind"] == "reminder" and m["state"] == "sent"' |
	    wc -w)" -eq 3 ]
}
advance_to $((start - 30))
wait_for sent3 || fail "reminders not sent: $(cat "$T/body")"

# Each reminder is at the phone once with its own text and coding.
rtext() {
	echo "Reminder: $1, $short, Town Hall, Committee Room 2. Can you" \
	    "come? Reply YES M$2, NO M$2 or MAYBE M$2."
}
api 200 GET '/occurrences?days=1'
o1=$(jv '[o["id"] for o in d["occurrences"] if o["title"] == "'"$title"'"][0]')
o2=$(jv '[o["id"] for o in d["occurrences"] if "Coffee" in o["title"]][0]')
o3=$(jv '[o["id"] for o in d["occurrences"] if "Living" in o["title"]][0]')
phone_texts > "$T/texts"
for w in "gsm 1 $(rtext "$title" "$o1")" "ucs2 3 $(rtext "$utitle" "$o2")"; do
	[ "$(grep -cxF "$w" "$T/texts")" = 1 ] ||
	    fail "wanted once: '$w' in: $(cat "$T/texts")"
done
ok "the standard reminder is one GSM-7 message with the exact text"
ok "a title with ‘quotes’, a dash and Arabic arrives intact as UCS-2" \
    "in three parts"
long=$(rtext "$ltitle" "$o3")
n=$(printf '%s' "$long" | wc -m)
[ "$n" -gt 160 ] || fail "the long reminder has only $n characters"
[ "$(grep -cxF "gsm 2 $long" "$T/texts")" = 1 ] ||
    fail "wanted one message in two parts: '$long' in: $(cat "$T/texts")"
ok "a reminder of $n characters arrives as one message in two parts"
# The standard reminder fits one GSM-7 message by a margin.
n=$(printf '%s' "$(rtext "$title" "$o1")" | wc -m)
[ "$n" -le 150 ] || fail "the standard reminder has $n characters"
ok "the standard reminder has $n characters, one message"

api 200 GET "/outbox?person=$bob"
rids=$(ids 'm["kind"] == "reminder"')
[ "$(echo $rids | wc -w)" -eq 3 ] || fail "three reminders: $(cat "$T/body")"
for id in $rids; do
	wait_for delivered "$id" ||
	    fail "row $id: no delivery report: $(cat "$T/body")"
done
ok "each reminder's delivery report reached the outbox"

# smsbox down: the message waits (connection refused) and goes, once,
# when smsbox is back.
stop_smsbox
before=$(phone_count "$testtext")
api 202 POST "/people/$bob/test"
api 200 GET "/outbox?person=$bob"
did=$(ids 'm["kind"] == "test" and m["id"] != '"$tid")
retried() {
	api 200 GET "/outbox?person=$bob"
	[ "$(msg "$did" state)" = pending ] && [ "$(msg "$did" attempts)" -ge 1 ]
}
wait_for retried || fail "row $did not retried: $(cat "$T/body")"
msg "$did" reason | grep -q 'cannot reach the SMS gateway' ||
    fail "row $did reason: $(msg "$did" reason)"
ok "with smsbox down: $(msg "$did" reason)"
start_smsbox
sentd() {
	api 200 GET "/outbox?person=$bob"
	[ "$(msg "$did" state)" = sent ]
}
wait_for sentd || fail "row $did not sent after smsbox came back: $(cat "$T/body")"
got_second() { [ "$(phone_count "$testtext")" -ge $((before + 1)) ]; }
wait_for got_second || fail "the retried message did not arrive"
sleep 1
[ "$(phone_count "$testtext")" = $((before + 1)) ] ||
    fail "the retried message arrived $(($(phone_count "$testtext") - before)) times"
wait_for delivered "$did" || fail "row $did: no delivery report"
ok "sent once smsbox was back (attempt $(msg "$did" attempts)), delivered"

healthy || fail "convened stopped answering /healthz"
stop_daemon
pass
