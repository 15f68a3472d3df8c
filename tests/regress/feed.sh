# feed.sh: the calendar feeds.  A six-weekly meeting at 18:00 in
# Europe/London, one meeting moved and one cancelled: a member's feed and
# the group's public feed, read by two independent parsers (ical.js, with
# the feed's own VTIMEZONE, and python icalendar with the system zone
# database), list the same meetings as convened over the next twelve
# months, at 18:00 local on both sides of the clock changes.  Then ETag
# and 304 (each reply counted in /metrics), a change seen at once, a new
# link that retires the old one, no feed for a group that is not public,
# and nobody else's details.
. "$(dirname "$0")/lib.sh"

"$PY" -c 'import icalendar, recurring_ical_events' 2>/dev/null ||
    fail "python3-icalendar and python3-recurring-ical-events are needed"
need_node

write_conf "
[outbox]
horizon_days = 400"
start_daemon

ctl() {
	"$CONVENECTL" -s "$T/state/convened.sock" "$@"
}

ctl group add dp-steering "Direct Payments Steering Group" \
    --time-zone Europe/London --lead-times P7D,P1D --public-feed >/dev/null ||
    fail "group add"
ctl group add officers "Officers' Group" --lead-times P1D >/dev/null || fail "group add"
ctl person add "Ann Jones" --email ann@example.org \
    --lead-times P7D,PT2H >/dev/null || fail "person add"
ctl person add "Zebedee Quux-Private" --email zq-secret@example.net \
    --phone +447700900123 >/dev/null || fail "person add"
ctl member add dp-steering 1 >/dev/null || fail "member add"
ctl member add dp-steering 2 >/dev/null || fail "member add"
ctl member add officers 2 >/dev/null || fail "member add"
ctl venue add "Town Hall" --address "1 High St, Anytown" --step-free \
    --hearing-loop >/dev/null || fail "venue add"
START=$(date -d "+3 days" +%Y-%m-%d)T18:00
ctl series add dp-steering "Steering group; budget, Easy Read" "$START" \
    --rrule "FREQ=WEEKLY;INTERVAL=6" --venue 1 \
    --online-link "https://meet.example.org/dp?pwd=s3cret" \
    --agenda "Papers in large print" >/dev/null || fail "series add"
ctl series add officers "Officers only" "$START" \
    --rrule "FREQ=WEEKLY" >/dev/null || fail "series add"

# occ N: the id of the Nth meeting of the steering group.
occ() {
	ctl -j occurrence list --group dp-steering --days 400 |
	    "$PY" -c 'import json, sys
print(json.load(sys.stdin)["occurrences"][int(sys.argv[1]) - 1]["id"])' "$1"
}
MOVED=$(occ 2)
CANCELLED=$(occ 3)
MOVED_DAY=$(ctl -j occurrence list --group dp-steering --days 400 |
    "$PY" -c 'import json, sys, datetime, zoneinfo
o = json.load(sys.stdin)["occurrences"][1]
t = datetime.datetime.fromtimestamp(o["start_at"], zoneinfo.ZoneInfo("Europe/London"))
print((t + datetime.timedelta(days=1)).strftime("%Y-%m-%d"))')
ctl occurrence move "$MOVED" "${MOVED_DAY}T17:30" --reason "room booked" \
    >/dev/null || fail "occurrence move"
ctl occurrence cancel "$CANCELLED" --reason "snow" >/dev/null ||
    fail "occurrence cancel"

URL=$(ctl feed show 1) || fail "feed show"
case $URL in
"$BASE"/feed/*.ics) ;;
*) fail "feed show printed '$URL'" ;;
esac
FEED_PATH=${URL#"$BASE"}
GROUP_PATH=/groups/dp-steering.ics

NOW=$(date +%s)
UNTIL=$((NOW + 365 * 86400))

# expect FILE: convened's own meetings of the steering group in
# [NOW, UNTIL), as the parsers must read them.
expect() {
	ctl -j occurrence list --group dp-steering --days 400 |
	    "$PY" -c 'import json, sys, datetime, zoneinfo
lo, hi = int(sys.argv[1]), int(sys.argv[2])
z = zoneinfo.ZoneInfo("Europe/London")
out = []
for o in json.load(sys.stdin)["occurrences"]:
    if o["status"] == "removed" or not lo <= o["start_at"] < hi:
        continue
    t = datetime.datetime.fromtimestamp(o["start_at"], z)
    out.append({"utc": o["start_at"], "local": t.strftime("%Y-%m-%dT%H:%M"),
        "status": "CANCELLED" if o["status"] == "cancelled" else "CONFIRMED"})
json.dump(out, open(sys.argv[3], "w"))' "$NOW" "$UNTIL" "$1"
}

# check FEED: both parsers agree with convened.
check() {
	node "$top_srcdir/tests/regress/feed_check.js" "$1" "$T/expected.json" \
	    "$NOW" "$UNTIL" >"$T/js.out" 2>&1 ||
	    fail "ical.js: $(cat "$T/js.out")"
	"$PY" "$top_srcdir/tests/regress/feed_check.py" "$1" \
	    "$T/expected.json" "$NOW" "$UNTIL" >"$T/py.out" 2>&1 ||
	    fail "python: $(cat "$T/py.out")"
	ok "$(cat "$T/js.out"); $(cat "$T/py.out")"
}

expect "$T/expected.json"
# The expectation itself: 18:00 local in winter and summer, the moved
# meeting at 17:30, the cancelled one there, both clock changes crossed.
"$PY" -c 'import json, sys
e = json.load(open(sys.argv[1]))
assert len(e) >= 8, e
times = sorted(set(o["local"][11:] for o in e))
assert times == ["17:30", "18:00"], times
assert sum(o["local"].endswith("17:30") for o in e) == 1, e
assert sum(o["status"] == "CANCELLED" for o in e) == 1, e
import datetime
offs = set((o["utc"] % 86400) // 3600 for o in e if o["local"].endswith("18:00"))
assert offs == {17, 18}, offs
' "$T/expected.json" || fail "convened's own meetings are not as set up: $(cat "$T/expected.json")"

expect_code 200 GET "$FEED_PATH"
cp "$T/body" "$T/person.ics"
check "$T/person.ics"
expect_code 200 GET "$GROUP_PATH"
cp "$T/body" "$T/group.ics"
check "$T/group.ics"

# The checkers can say no: the same feed with its VTIMEZONE's summer
# rule taken out puts ical.js an hour out in summer; python, which uses
# the system's zones, is handed one meeting too few.
"$PY" -c 'import re, sys
t = open(sys.argv[1], newline="").read()
t = re.sub(r"BEGIN:DAYLIGHT\r\n.*?END:DAYLIGHT\r\n", "", t, flags=re.S)
open(sys.argv[2], "w", newline="").write(t)' "$T/person.ics" "$T/broken.ics"
! grep -q "BEGIN:DAYLIGHT" "$T/broken.ics" || fail "the summer rule is still there"
node "$top_srcdir/tests/regress/feed_check.js" "$T/broken.ics" \
    "$T/expected.json" "$NOW" "$UNTIL" >"$T/js.out" 2>&1 &&
    fail "ical.js accepted a VTIMEZONE with no summer rule: $(cat "$T/js.out")"
"$PY" -c 'import json, sys
e = json.load(open(sys.argv[1]))
json.dump(e[1:], open(sys.argv[2], "w"))' "$T/expected.json" "$T/short.json"
"$PY" "$top_srcdir/tests/regress/feed_check.py" "$T/person.ics" \
    "$T/short.json" "$NOW" "$UNTIL" >"$T/py.out" 2>&1 &&
    fail "python accepted a list one meeting short: $(cat "$T/py.out")"
ok "both checkers refuse a feed or a list that is wrong"

# The text itself: CRLF everywhere, no line over 75 octets, escaped.
"$PY" -c 'import sys
b = open(sys.argv[1], "rb").read()
assert b.count(b"\r\n") == b.count(b"\n"), "a bare LF"
assert all(len(l) <= 75 for l in b.split(b"\r\n")), "a long line"
u = b.replace(b"\r\n ", b"").decode("utf-8")
assert "SUMMARY:Steering group\\; budget\\, Easy Read\r\n" in u, "escaping"
assert "METHOD:PUBLISH" in u and "X-WR-CALNAME" in u
' "$T/person.ics" || fail "the feed is not well formed"
ok "CRLF, folded, escaped"

# A person's alarms are their own lead times; the group feed has none.
grep -q '^TRIGGER:-P7D' "$T/person.ics" || fail "no TRIGGER:-P7D"
grep -q '^TRIGGER:-PT2H' "$T/person.ics" || fail "no TRIGGER:-PT2H"
! grep -q '^TRIGGER:-P1D' "$T/person.ics" ||
    fail "the group's lead time is in a feed of someone with their own"
! grep -q 'VALARM' "$T/group.ics" || fail "the public feed has alarms"
grep -q '^BEGIN:DAYLIGHT' "$T/person.ics" || fail "no DAYLIGHT part"
grep -q '^BEGIN:STANDARD' "$T/person.ics" || fail "no STANDARD part"
ok "alarms per lead time"

# Nobody else's details; no group the person is not in.
for f in "$T/person.ics" "$T/group.ics"; do
	for secret in Zebedee Quux zq-secret 7700900123 ATTENDEE "Officers"; do
		! grep -qi "$secret" "$f" || fail "$f shows '$secret'"
	done
done
! grep -qi "Ann Jones\|ann@example" "$T/group.ics" ||
    fail "the public feed shows a member"
# The join link (and its passcode) is for members, not the public feed.
grep -q '^URL:https://meet.example.org/dp?pwd=s3cret' "$T/person.ics" ||
    fail "the member's feed has no join link"
! grep -q 's3cret' "$T/group.ics" || fail "the public feed has the join link"
tr -d '\r\n ' < "$T/group.ics" | grep -q 'Onlinetoo:membersaresentthelink' ||
    fail "the public feed does not say the meeting is online too"
ok "no one else's data; join links only in members' feeds"

# Headers; ETag and 304.
curl -sS -D "$T/head" -o "$T/fbody" "$BASE$FEED_PATH"
[ "$(grep -ci '^Content-Length:' "$T/head")" = 1 ] &&
    [ "$(sed -n 's/^[Cc]ontent-[Ll]ength: *\([0-9]*\).*/\1/p' "$T/head")" = \
    "$(wc -c < "$T/fbody")" ] || fail "content length: $(cat "$T/head")"
[ "$(grep -ci '^Date:' "$T/head")" = 1 ] || fail "date: $(cat "$T/head")"
hdate=$(sed -n 's/^[Dd]ate: *\(.*GMT\).*/\1/p' "$T/head")
echo "$hdate" | grep -Eq '^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$' ||
    fail "the Date header is not RFC 9110's form: $hdate"
skew=$(( $(date +%s) - $(date -d "$hdate" +%s) ))
[ "$skew" -ge -2 ] && [ "$skew" -le 5 ] || fail "Date is $skew s off: $hdate"
grep -qi '^Content-Type: text/calendar; charset=utf-8' "$T/head" ||
    fail "content type: $(cat "$T/head")"
grep -qi '^Cache-Control: private, max-age=300' "$T/head" ||
    fail "cache control: $(cat "$T/head")"
! grep -qi '^Set-Cookie' "$T/head" || fail "a cookie"
ETAG=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *\(".*"\).*/\1/p' "$T/head" | tr -d '\r')
[ -n "$ETAG" ] || fail "no ETag: $(cat "$T/head")"
rm -f "$T/body"
expect_code 304 GET "$FEED_PATH" -H "If-None-Match: $ETAG"
[ ! -s "$T/body" ] || fail "a 304 with a body"
expect_code 304 GET "$FEED_PATH" -H "If-None-Match: \"x\", W/$ETAG"
expect_code 200 GET "$FEED_PATH" -H 'If-None-Match: "something-else"'
curl -sS -D "$T/ghead" -o /dev/null "$BASE$GROUP_PATH"
grep -qi '^Cache-Control: public, max-age=300' "$T/ghead" ||
    fail "group cache control: $(cat "$T/ghead")"
code=$(curl -sS -I -o "$T/hhead" -w '%{http_code}' "$BASE$FEED_PATH")
[ "$code" = 200 ] || fail "HEAD gave $code"
# HEAD then GET on one connection: a body sent after HEAD would be read
# as the next reply.
"$PY" - "$PORT" "$FEED_PATH" /healthz <<'PY' || fail "HEAD"
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
for path in sys.argv[2:]:
    c.request("HEAD", path)
    r = c.getresponse()
    if r.read() != b"" or r.status != 200:
        sys.exit("HEAD %s: %d" % (path, r.status))
    n = int(r.getheader("Content-Length"))
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    if r.status != 200 or len(body) != n:
        sys.exit("GET %s after HEAD: %d, %d bytes, not %d" %
                 (path, r.status, len(body), n))
PY
expect_code 405 POST "$FEED_PATH"
ok "ETag, 304, HEAD"

# /metrics counts feed replies as it counts every other: a 200 and a 304
# of a member's feed and a 200 of a group's, one more each.
counted() {
	curl -sS -m 10 "$BASE/metrics" | sed -n \
	    "s/^convene_http_requests_total{route=\"$1\",code=\"$2\"} //p" |
	    grep . || echo 0
}
f200=$(counted feed 200)
f304=$(counted feed 304)
g200=$(counted group_feed 200)
[ "$f200" -gt 0 ] && [ "$f304" -gt 0 ] && [ "$g200" -gt 0 ] ||
    fail "feeds are not counted: $f200, $f304, $g200"
expect_code 200 GET "$FEED_PATH"
expect_code 304 GET "$FEED_PATH" -H "If-None-Match: $ETAG"
expect_code 200 GET "$GROUP_PATH"
[ "$(counted feed 200)" = $((f200 + 1)) ] ||
    fail "feed 200s: $(counted feed 200), not $((f200 + 1))"
[ "$(counted feed 304)" = $((f304 + 1)) ] ||
    fail "feed 304s: $(counted feed 304), not $((f304 + 1))"
[ "$(counted group_feed 200)" = $((g200 + 1)) ] ||
    fail "group feed 200s: $(counted group_feed 200), not $((g200 + 1))"
ok "/metrics counts feed replies: 200s and 304s"

# A change shows at once, with a new ETag.
ctl occurrence move "$(occ 4)" "$(date -d "+200 days" +%Y-%m-%d)T10:15" \
    >/dev/null || fail "second move"
curl -sS -D "$T/head2" -o "$T/person2.ics" "$BASE$FEED_PATH"
ETAG2=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *\(".*"\).*/\1/p' "$T/head2" | tr -d '\r')
[ "$ETAG2" != "$ETAG" ] || fail "the ETag did not change"
expect_code 200 GET "$FEED_PATH" -H "If-None-Match: $ETAG"
expect "$T/expected.json"
grep -q 'T10:15' "$T/expected.json" || fail "the new time is not in the list"
check "$T/person2.ics"

# A new link: the old one is gone at once.
ctl feed rotate 1 >"$T/rotate" 2>"$T/err" || fail "feed rotate: $(cat "$T/err")"
[ ! -s "$T/err" ] || fail "feed rotate wrote to stderr: $(cat "$T/err")"
grep -q '^a new link for person 1; the old one no longer works:$' \
    "$T/rotate" || fail "feed rotate said: $(cat "$T/rotate")"
NEWURL=$(tail -n 1 "$T/rotate")
[ "$NEWURL" != "$URL" ] || fail "rotate kept the link"
expect_code 404 GET "$FEED_PATH"
expect_code 200 GET "${NEWURL#"$BASE"}"
[ "$(ctl feed show 1)" = "$NEWURL" ] || fail "feed show after rotate"
ok "rotate"

# Not public, unknown, malformed: the same 404, never a 500.
expect_code 404 GET /groups/officers.ics
cp "$T/body" "$T/private.json"
expect_code 404 GET /groups/no-such-group.ics
"$PY" -c 'import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert a == b, (a, b)' "$T/private.json" "$T/body" ||
    fail "a private group answers differently from an unknown one"
for p in /feed/short.ics /feed/"$(printf 'a%.0s' $(seq 32))".ics \
    /feed/%00.ics /feed/.ics /feed/x /groups/UPPER.ics "/groups/a%2fb.ics" \
    "/feed/$(printf 'z%.0s' $(seq 300)).ics"; do
	expect_code 404 GET "$p"
done
ctl group public officers on >/dev/null || fail "group public on"
expect_code 200 GET /groups/officers.ics
ctl group public officers off >/dev/null || fail "group public off"
expect_code 404 GET /groups/officers.ics
ok "404s"

# Someone in no group has a valid, empty calendar.
ctl person add "Nobody Yet" --email nobody@example.org >/dev/null
EMPTY=$(ctl feed show 3)
expect_code 200 GET "${EMPTY#"$BASE"}"
grep -q '^END:VCALENDAR' "$T/body" || fail "no calendar"
! grep -q VEVENT "$T/body" || fail "events for someone in no group"
ctl -j person show 3 | grep -q "\"feed_url\": \"$EMPTY\"" ||
    fail "person show has no feed_url"

stop_daemon
pass
