# outbox-quiet.sh: an SMS due in a member's quiet hours waits, pending,
# until the minute they end (and no text is sent meanwhile); when quiet
# hours would last past the meeting's start, the SMS is sent when due.
. "$(dirname "$0")/lib.sh"

# api WANT METHOD PATH [JSON]: over the control socket; body in $T/body.
api() {
	want=$1
	shift
	if [ $# -ge 3 ]; then
		code=$(curl -sS -m 10 --unix-socket "$T/state/convened.sock" \
		    -o "$T/body" -w '%{http_code}' -X "$1" \
		    -H 'Content-Type: application/json' -d "$3" \
		    "http://localhost/api/v1$2") || code=000
	else
		code=$(curl -sS -m 10 --unix-socket "$T/state/convened.sock" \
		    -o "$T/body" -w '%{http_code}' -X "$1" \
		    "http://localhost/api/v1$2") || code=000
	fi
	[ "$code" = "$want" ] ||
	    fail "$1 $2 gave $code, wanted $want: $(cat "$T/body" 2>/dev/null)"
}

# jv EXPR: a Python expression over the last body, d; lists print spaced.
jv() {
	"$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
r = eval(sys.argv[2])
if isinstance(r, list) and all(not isinstance(x, (dict, list)) for x in r):
	print(" ".join(str(x) for x in r))
elif isinstance(r, (dict, list)):
	print(json.dumps(r, sort_keys=True))
else:
	print(r)' "$T/body" "$1"
}

# ids COND: ids of the outbox messages (the last body) where COND holds.
ids() {
	jv '[m["id"] for m in d["messages"] if '"$1"']'
}

# msg ID KEY: one field of one outbox message of the last body.
msg() {
	jv '[m["'"$2"'"] for m in d["messages"] if m["id"] == '"$1"']'
}

# sleep_until EPOCH
sleep_until() {
	now=$(date +%s)
	if [ "$1" -gt "$now" ]; then
		sleep $(($1 - now))
	fi
}

# spool_count GLOB: how many files in either spool match.
spool_count() {
	n=0
	for f in "$T"/state/spool/mail/$1 "$T"/state/spool/sms/$1; do
		if [ -e "$f" ]; then
			n=$((n + 1))
		fi
	done
	echo "$n"
}

# sms_length FILE: characters in a spooled SMS's text.
sms_length() {
	"$PY" -c 'import sys
t = open(sys.argv[1], encoding="utf-8").read()
print(len(t.split("\n\n", 1)[1]))' "$1"
}

# hhmm EPOCH: the local time of day in Europe/London.
hhmm() {
	TZ=Europe/London date -d "@$1" +%H:%M
}

start_daemon

t0=$(date +%s)
# Cara's quiet hours end in ten minutes; her meeting is three hours away.
q1="$(hhmm $((t0 - 60)))-$(hhmm $((t0 + 600)))"
end1=$(((t0 + 600) / 60 * 60))
# Dev's quiet hours last until after his meeting, 30 s away.
q2="$(hhmm $((t0 - 60)))-$(hhmm $((t0 + 10800 + 60)))"

api 201 POST /groups '{"slug": "early", "name": "Disabled Residents Team",
    "lead_times": "PT2H59M50S"}'
api 201 POST /groups '{"slug": "late", "name": "Access Forum",
    "lead_times": "PT20S"}'
api 201 POST /people "{\"name\": \"Cara Lee\", \"phone\": \"07700 900124\",
    \"channels\": \"sms\", \"quiet_hours\": \"$q1\"}"
cara=$(jv 'd["id"]')
api 201 POST /people "{\"name\": \"Dev Patel\", \"phone\": \"07700 900125\",
    \"channels\": \"sms\", \"quiet_hours\": \"$q2\"}"
dev=$(jv 'd["id"]')
api 201 POST /groups/early/members "{\"person\": $cara}"
api 201 POST /groups/late/members "{\"person\": $dev}"

t1=$(date +%s)
start1=$((t1 + 10800))
due1=$((start1 - 10790))
start2=$((t1 + 30))
due2=$((start2 - 20))
l1=$(TZ=Europe/London date -d "@$start1" +%Y-%m-%dT%H:%M:%S)
l2=$(TZ=Europe/London date -d "@$start2" +%Y-%m-%dT%H:%M:%S)
api 201 POST /series "{\"group\": \"early\", \"title\": \"Budget planning\",
    \"start\": \"$l1\", \"duration_minutes\": 60}"
api 201 POST /series "{\"group\": \"late\", \"title\": \"Access audit\",
    \"start\": \"$l2\", \"duration_minutes\": 60}"

api 200 GET /outbox
r1=$(ids 'm["person_id"] == '"$cara"' and m["kind"] == "reminder"')
r2=$(ids 'm["person_id"] == '"$dev"' and m["kind"] == "reminder"')
set -- $r1 $r2
[ $# -eq 2 ] || fail "one reminder each wanted: $(cat "$T/body")"
[ "$(msg "$r1" due_at)" = "$due1" ] ||
    fail "Cara's reminder not due at $due1: $(cat "$T/body")"
[ "$(msg "$r2" due_at)" = "$due2" ] ||
    fail "Dev's reminder not due at $due2: $(cat "$T/body")"
[ "$(msg "$r1" channel) $(msg "$r2" channel)" = "sms sms" ] ||
    fail "not by SMS: $(cat "$T/body")"
ok "reminders by SMS due in 10 s, quiet hours $q1 and $q2"

sleep_until $((due1 > due2 ? due1 + 5 : due2 + 5))
api 200 GET /outbox

# Cara: still pending, waiting for the end of her quiet hours.
st=$(msg "$r1" state)
why=$(msg "$r1" reason)
next=$(msg "$r1" next_at)
[ "$st" = pending ] || fail "Cara's reminder is $st: $(cat "$T/body")"
case $why in
*"quiet hours"*) ;;
*) fail "Cara's reminder waits for '$why', not quiet hours" ;;
esac
[ "$next" = "$end1" ] ||
    fail "Cara's reminder waits until $next, not $end1 (end of $q1)"
[ "$(msg "$r1" attempts)" = 0 ] || fail "Cara's reminder was tried"
[ "$(spool_count "$r1.*")" = 0 ] ||
    fail "an SMS in quiet hours: $(ls -R "$T/state/spool")"
ok "in quiet hours the SMS waits: '$why' until $(hhmm "$next") ($next)"

# Dev: quiet hours would outlast the meeting, so it went when due.
st=$(msg "$r2" state)
at=$(msg "$r2" attempts)
after=$(jv '[m["sent_at"] - m["due_at"] for m in d["messages"]
    if m["id"] == '"$r2"' and m["sent_at"]]')
[ "$st" = sent ] && [ "$at" = 1 ] ||
    fail "Dev's reminder is $st after $at attempts: $(cat "$T/body")"
[ -n "$after" ] && [ "$after" -ge 0 ] && [ "$after" -le 3 ] ||
    fail "Dev's reminder sent $after s after its due time"
sms="$T/state/spool/sms/$r2.1.sms"
[ -f "$sms" ] && [ "$(spool_count "$r2.*")" = 1 ] ||
    fail "Dev's SMS is not in the spool once: $(ls -R "$T/state/spool")"
grep -q '^To: +447700900125$' "$sms" || fail "Dev's SMS: $(cat "$sms")"
grep -q '^Reminder: Access audit,' "$sms" || fail "Dev's SMS: $(cat "$sms")"
[ "$(spool_count '*')" = 1 ] || fail "other files: $(ls -R "$T/state/spool")"
ok "quiet hours past the meeting's start: the SMS went when due"

healthy || fail "convened stopped answering /healthz"
stop_daemon
pass
