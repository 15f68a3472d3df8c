# outbox-downtime.sh: reminders fall due while convened is stopped.  On
# restart, one whose meeting is still ahead is sent once and marked late
# (a minute or more past due); one whose meeting has begun is recorded as
# missed and never sent.
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

start_daemon

api 201 POST /groups '{"slug": "transport", "name": "Transport Group",
    "lead_times": "PT77S"}'
api 201 POST /groups '{"slug": "housing", "name": "Housing Group",
    "lead_times": "PT8S"}'
api 201 POST /people '{"name": "Ann Smith", "email": "ann@example.org"}'
ann=$(jv 'd["id"]')
api 201 POST /groups/transport/members "{\"person\": $ann}"
api 201 POST /groups/housing/members "{\"person\": $ann}"

# Late means a minute or more past due, so A is due at +8 s and begins at
# +85 s; B is due at +10 s and begins at +18 s.  Stopped at once,
# restarted at +73 s: past both due times and B's start, 65 s after A's
# due time, 12 s before A begins.
t1=$(date +%s)
startA=$((t1 + 85))
dueA=$((startA - 77))
startB=$((t1 + 18))
dueB=$((startB - 8))
lA=$(TZ=Europe/London date -d "@$startA" +%Y-%m-%dT%H:%M:%S)
lB=$(TZ=Europe/London date -d "@$startB" +%Y-%m-%dT%H:%M:%S)
api 201 POST /series "{\"group\": \"transport\", \"title\": \"Meeting A\",
    \"start\": \"$lA\", \"duration_minutes\": 60}"
api 201 POST /series "{\"group\": \"housing\", \"title\": \"Meeting B\",
    \"start\": \"$lB\", \"duration_minutes\": 60}"
api 200 GET /outbox
ra=$(ids 'm["due_at"] == '"$dueA"' and m["state"] == "pending"')
rb=$(ids 'm["due_at"] == '"$dueB"' and m["state"] == "pending"')
set -- $ra $rb
[ $# -eq 2 ] && [ "$(jv 'len(d["messages"])')" = 2 ] ||
    fail "reminders due at $dueA and $dueB wanted: $(cat "$T/body")"

# Stopped well before either is due.
stop_daemon
[ "$(date +%s)" -lt $((dueA - 3)) ] ||
    fail "too slow: stopped near the due time"
r=$(sqlite3 -readonly "$T/state/convene.db" "SELECT group_concat(state ||
    ':' || attempts, ' ') FROM outbox WHERE id IN ($ra, $rb)")
[ "$r" = "pending:0 pending:0" ] || fail "after the stop the rows are: $r"
[ "$(spool_count '*')" = 0 ] ||
    fail "sent before its time: $(ls -R "$T/state/spool")"
ok "stopped with both reminders pending, none sent"

sleep_until $((dueA + 65))
[ "$(date +%s)" -gt $((startB + 5)) ] || fail "restarting before B began"
start_daemon
[ "$(date +%s)" -lt $((startA - 5)) ] || fail "too slow: A is about to begin"

# settled: neither reminder is pending or in flight any more.
settled() {
	api 200 GET /outbox
	[ "$(ids 'm["state"] in ("pending", "sending")')" = "" ]
}
wait_for settled || fail "not settled after the restart: $(cat "$T/body")"
sleep 2
api 200 GET /outbox

st=$(msg "$ra" state)
[ "$st" = sent ] || fail "A's reminder is $st: $(cat "$T/body")"
[ "$(msg "$ra" late)" = 1 ] ||
    fail "A's reminder, sent over a minute past due, is not late"
[ "$(msg "$ra" attempts)" = 1 ] ||
    fail "A's reminder took $(msg "$ra" attempts) attempts"
eml="$T/state/spool/mail/$ra.1.eml"
[ -f "$eml" ] && [ "$(spool_count "$ra.*")" = 1 ] ||
    fail "A's reminder not in the spool once: $(ls -R "$T/state/spool")"
grep -q '^Subject: Reminder: Meeting A on ' "$eml" ||
    fail "A's email: $(cat "$eml")"
ok "A's reminder sent once after the restart, marked late"

st=$(msg "$rb" state)
why=$(msg "$rb" reason)
[ "$st" = missed ] || fail "B's reminder is $st, not missed: $(cat "$T/body")"
case $why in
*"had begun"*) ;;
*) fail "B's reminder missed for '$why'" ;;
esac
[ "$(msg "$rb" attempts)" = 0 ] || fail "B's reminder was tried"
[ "$(spool_count "$rb.*")" = 0 ] ||
    fail "B's reminder reached the spool: $(ls -R "$T/state/spool")"
[ "$(spool_count '*')" = 1 ] || fail "other files: $(ls -R "$T/state/spool")"
ok "B's reminder recorded as missed: $why"

healthy || fail "convened stopped answering /healthz"
stop_daemon
pass
