# outbox-lib.sh: what the outbox regress scripts share, sourced after
# lib.sh: the API over the control socket, reading its JSON, the spools.

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

# outbox_busy: how many rows are due or in flight; 0 when every row is
# settled or waits for a later time (by the daemon's clock).  With
# wait_progress, to wait for the dispatcher to finish what is due however
# slow the machine is.
outbox_busy() {
	ob_now="CAST(strftime('%s', 'now') AS INTEGER)"
	[ -z "$TEST_CLOCK" ] || ob_now=$(daemon_now)
	sqlite3 "$T/state/convene.db" "SELECT count(*) FROM outbox WHERE
	    state = 'sending' OR (state = 'pending' AND next_at <= $ob_now)"
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

# when_short EPOCH: the time as an English subject or SMS says it, in
# London: "Tue 3 Mar 6pm", "Tue 3 Mar 6:30pm", "Tue 3 Mar midday".
when_short() {
	ws_day=$(TZ=Europe/London LC_ALL=C date -d "@$1" '+%a %-d %b')
	case $(TZ=Europe/London date -d "@$1" '+%H:%M') in
	12:00) ws_clock=midday ;;
	00:00) ws_clock=midnight ;;
	*:00) ws_clock=$(TZ=Europe/London LC_ALL=C date -d "@$1" '+%-l%P') ;;
	*) ws_clock=$(TZ=Europe/London LC_ALL=C date -d "@$1" '+%-l:%M%P') ;;
	esac
	echo "$ws_day $ws_clock"
}

# out_row PERSON ID FIELD: one field of one of a person's outbox rows.
out_row() {
	api 200 GET "/outbox?person=$1&limit=100000"
	msg "$2" "$3"
}

# out_state_is PERSON ID STATE; out_tried PERSON ID N: the row is in
# STATE; it has been tried at least N times and waits for the next.
out_state_is() {
	[ "$(out_row "$1" "$2" state)" = "$3" ]
}
out_tried() {
	[ "$(out_row "$1" "$2" attempts)" -ge "$3" ] &&
	    [ "$(out_row "$1" "$2" state)" = pending ]
}

# out_test PERSON: queue a test message; its row's id (the first made
# after it: a failure may add a row for the next channel at once).
out_test() {
	api 200 GET "/outbox?person=$1"
	last=$(jv 'max([m["id"] for m in d["messages"]] + [0])')
	api 202 POST "/people/$1/test"
	api 200 GET "/outbox?person=$1"
	jv 'min(m["id"] for m in d["messages"] if m["id"] > '"$last"')'
}

# wait_long CMD...: as wait_for, for up to a minute, for what takes
# several retries (a busy machine makes each slower).
wait_long() {
	i=0
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -lt 600 ] || return 1
		sleep 0.1
	done
}

# log_count PATTERN: how many lines of the daemon's log match (grep -E).
log_count() {
	grep -c -E "$1" "$T/daemon.log" || true
}
