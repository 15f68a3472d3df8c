# series-split.sh: a weekly meeting at 18:00 in Europe/London with a date
# left out and an extra date on each side of meeting 3, meeting 4 moved
# and meeting 7 cancelled by hand, is changed from meeting 3 on to 17:00.
# A member's feed, read by three independent parsers (ical.js, python
# icalendar, and khal through vdirsyncer subscribed to the feed as a
# phone would), lists exactly the meetings the coordinator set up: the
# dates left out absent, the extra date after the change at 17:00, the
# moved meeting where it was moved to, the cancelled one cancelled; and
# khal finds no EXDATE or RECURRENCE-ID that matches nothing.  The member is told once, and the calendar part of that email
# gives a client the same meetings.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/khal-lib.sh"

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

# day N: the date N days after the first meeting.
D0=$(date -d "+3 days" +%Y-%m-%d)
day() {
	date -d "$D0 +$1 days" +%Y-%m-%d
}

ctl group add dp-steering "Direct Payments Steering Group" \
    --time-zone Europe/London --lead-times P1D >/dev/null || fail "group add"
ctl person add "Ann Jones" --email ann@example.org >/dev/null ||
    fail "person add"
ctl member add dp-steering 1 >/dev/null || fail "member add"
# Left out: meetings 1 and 6; extra: two days after 1, a day after 5.
ctl series add dp-steering "Steering group" "${D0}T18:00" \
    --rrule "FREQ=WEEKLY" \
    --exdate "$(day 7)T18:00" --exdate "$(day 42)T18:00" \
    --rdate "$(day 9)T18:00" --rdate "$(day 36)T18:00" >/dev/null ||
    fail "series add"

# occ DATE: the id of the meeting whose own date (RECURRENCE-ID) is DATE.
occ() {
	ctl -j occurrence list --group dp-steering --days 400 |
	    "$PY" -c 'import json, sys
d = sys.argv[1].replace("-", "")
print([o["id"] for o in json.load(sys.stdin)["occurrences"]
       if o["recurrence_id"].startswith(d) and o["status"] != "removed"][0])' "$1"
}
ctl occurrence move "$(occ "$(day 28)")" "$(day 29)T17:30" \
    --reason "room booked" >/dev/null || fail "occurrence move"
ctl occurrence cancel "$(occ "$(day 49)")" --reason "hall closed" \
    >/dev/null || fail "occurrence cancel"

URL=$(ctl feed show 1) || fail "feed show"
FEED_PATH=${URL#"$BASE"}
expect_code 200 GET "$FEED_PATH"
cp "$T/body" "$T/before.ics"

# From meeting 3 on, at 17:00.
ctl series change 1 --from "$(occ "$(day 21)")" --start "$(day 21)T17:00" \
    >/dev/null || fail "series change"
ctl -j series list --group dp-steering > "$T/series.json"
"$PY" -c 'import json, sys
s = json.load(open(sys.argv[1]))["series"]
assert len(s) == 2, s' "$T/series.json" ||
    fail "the change made no new series: $(cat "$T/series.json")"
expect_code 200 GET "$FEED_PATH"
cp "$T/body" "$T/after.ics"

NOW=$(date +%s)
UNTIL=$(date -d "$(day 63) 12:00" +%s)

# What the coordinator set up, worked out here and not asked of convened.
"$PY" - "$D0" "$T/expected.json" <<'PY' || fail "the expectation"
import datetime, json, sys, zoneinfo
z = zoneinfo.ZoneInfo("Europe/London")
d0 = datetime.date.fromisoformat(sys.argv[1])
def at(days, hh, mm, status="CONFIRMED"):
    d = d0 + datetime.timedelta(days=days)
    t = datetime.datetime(d.year, d.month, d.day, hh, mm, tzinfo=z)
    return {"utc": int(t.timestamp()), "local": t.strftime("%Y-%m-%dT%H:%M"),
            "status": status}
want = [at(0, 18, 0), at(9, 18, 0), at(14, 18, 0),
        at(21, 17, 0), at(29, 17, 30), at(35, 17, 0), at(36, 17, 0),
        at(49, 17, 0, "CANCELLED"), at(56, 17, 0)]
json.dump(want, open(sys.argv[2], "w"))
PY

# check NAME FEED: ical.js and python icalendar list those meetings;
# what each says wrong is kept in WRONG, so that all three parsers speak.
WRONG=
check() {
	if node "$top_srcdir/tests/regress/feed_check.js" "$2" \
	    "$T/expected.json" "$NOW" "$UNTIL" >"$T/js.out" 2>&1; then
		ok "$1: $(cat "$T/js.out")"
	else
		WRONG="$WRONG
$1: ical.js: $(cat "$T/js.out")"
	fi
	if "$PY" "$top_srcdir/tests/regress/feed_check.py" "$2" \
	    "$T/expected.json" "$NOW" "$UNTIL" >"$T/py.out" 2>&1; then
		ok "$1: $(cat "$T/py.out")"
	else
		WRONG="$WRONG
$1: python: $(cat "$T/py.out")"
	fi
}
verdict() {
	[ -z "$WRONG" ] || fail "$WRONG"
}
check "after the change" "$T/after.ics"

# khal, through vdirsyncer's http storage, as a phone subscribes.
khal_setup "$URL" Europe/London
vds discover

# khal_list: every meeting khal lists in the window, "start|CANCELLED "
# or "start|" a line.
khal_list() {
	khal_cmd list --format "{start}|{cancelled}" --day-format "" \
	    "$(date -d "@$NOW" +%Y-%m-%d)" "$(day 62)" 2>"$T/khal.err"
}

# khal_check: sync the feed as a phone does; khal lists the meetings
# of expected.json and has no warning (into WRONG).
khal_check() {
	vds sync
	ls "$T"/vds/cal/*.ics >/dev/null 2>&1 ||
	    fail "vdirsyncer wrote nothing: $(cat "$T/vdirsyncer.out")"
	khal_list > "$T/khal.out" || fail "khal: $(cat "$T/khal.err")"
	"$PY" - "$T/khal.out" "$T/expected.json" "$NOW" <<'PY' ||
import datetime, json, sys, zoneinfo
z = zoneinfo.ZoneInfo("Europe/London")
lo = int(sys.argv[3])
got = []
for line in open(sys.argv[1]):
    start, _, cancelled = line.strip().partition("|")
    if not start:
        continue
    t = datetime.datetime.strptime(start, "%Y-%m-%dT%H:%M").replace(tzinfo=z)
    if t.timestamp() >= lo:
        got.append(start + (" CANCELLED" if cancelled.strip() else ""))
want = [o["local"] + (" CANCELLED" if o["status"] == "CANCELLED" else "")
        for o in json.load(open(sys.argv[2]))]
if sorted(got) != sorted(want):
    sys.exit("khal read:  %s\nexpected:   %s" % (sorted(got), sorted(want)))
print("khal: %d meetings agree" % len(got))
PY
	    WRONG="$WRONG
khal lists other meetings: $(cat "$T/khal.out")"
	# khal's own warnings, such as an EXDATE that matches no meeting.
	if grep -i "^warning\|^error\|not found" "$T/khal.err"; then
		WRONG="$WRONG
khal warns about the feed: $(cat "$T/khal.err")"
	fi
}
khal_check
verdict
ok "khal: the same meetings, and no warning"

# convened's own list says the same.
ctl -j occurrence list --group dp-steering --days 400 |
    "$PY" -c 'import json, sys
lo, hi = int(sys.argv[1]), int(sys.argv[2])
got = sorted((o["start_at"], o["status"] == "cancelled")
             for o in json.load(sys.stdin)["occurrences"]
             if o["status"] != "removed" and lo <= o["start_at"] < hi)
want = sorted((o["utc"], o["status"] == "CANCELLED")
              for o in json.load(open(sys.argv[3])))
assert got == want, (got, want)' "$NOW" "$UNTIL" "$T/expected.json" ||
    fail "convened's own meetings are not those set up"
ok "convened's own meetings"

# Ann hears once of the change, not once a meeting; its calendar part
# has both series whole, and a client that takes it has the same
# meetings as the feed.
"$PY" - "$T/state/convene.db" <<'PY' || fail "the notices planned"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT kind, lead FROM outbox WHERE kind NOT IN "
                  "('reminder', 'nudge') ORDER BY id").fetchall()
# The move, the cancel, then the change; nothing for each meeting.
assert [k for k, _ in rows] == ["update", "cancellation", "update"], rows
assert rows[2][1] == "series:time/1", rows
PY
notice() {
	grep -l '^Subject: Changes to Steering group' \
	    "$T"/state/spool/mail/*.eml
}
wait_for notice || fail "no notice of the change: $(ls "$T/state/spool/mail")"
"$PY" - "$(notice)" "$T/notice.ics" <<'PY' || fail "the notice's calendar part"
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
parts = [p for p in m.walk() if p.get_content_type() == "text/calendar"]
assert len(parts) == 1, [p.get_content_type() for p in m.walk()]
ics = parts[0].get_payload(decode=True)
open(sys.argv[2], "wb").write(ics)
t = ics.decode().replace("\r\n", "\n").replace("\n ", "")
assert "\nMETHOD:REQUEST\n" in t, t
assert t.count("BEGIN:VEVENT") == 4 and "UID:series-1@" in t and \
    "UID:series-2@" in t, t
assert "\nRRULE:FREQ=WEEKLY;UNTIL=" in t and "\nSEQUENCE:1\n" in t, t
PY
check "the notice's calendar part" "$T/notice.ics"
verdict

# A change from a day the series has no meeting on is refused.
if ctl series change 2 --from-date "$(day 29)" --title "Wrong" \
    >/dev/null 2>"$T/err"; then
	fail "a change from a day with no meeting was taken"
fi
grep -q "the series has no meeting at" "$T/err" ||
    fail "reason: $(cat "$T/err")"
ok "a change from a day with no meeting: $(cat "$T/err")"

# A moved meeting the change does not keep: changed again from it, with
# its date left out (--exdate gives the whole list), it is cancelled for
# Ann, with the UID and RECURRENCE-ID her calendar has it under (the
# last notice's override), and a higher SEQUENCE.
ctl series change 2 --from-date "$(day 28)" --exdate "$(day 28)T17:00" \
    --exdate "$(day 42)T17:00" --title "Steering group, new name" \
    >/dev/null || fail "second change"
# Two now: meeting 7's, sent when it was cancelled, and this one.
cancelled() {
	[ "$(grep -l '^Subject: Cancelled' "$T"/state/spool/mail/*.eml |
	    wc -l)" -eq 2 ]
}
wait_for cancelled || fail "no cancellation: $(ls "$T/state/spool/mail")"
"$PY" - "$T/notice.ics" $(grep -l '^Subject: Cancelled' \
    "$T"/state/spool/mail/*.eml) <<'PY' || fail "the cancellation"
import email, re, sys
def unfold(b):
    return b.decode().replace("\r\n", "\n").replace("\n ", "")
def prop(e, name):
    return re.search(r"^" + name + r"[;:](.*)$", e, re.M).group(1)
told = unfold(open(sys.argv[1], "rb").read())
ev = re.findall(r"BEGIN:VEVENT\n(.*?)END:VEVENT", told, re.S)
over = [e for e in ev if "RECURRENCE-ID" in e and
        "STATUS:CONFIRMED" in e]
assert len(over) == 1, told
got = []
for f in sys.argv[2:]:
    m = email.message_from_binary_file(open(f, "rb"))
    cal = [p for p in m.walk() if p.get_content_type() == "text/calendar"]
    assert len(cal) == 1, "no calendar part"
    c = unfold(cal[0].get_payload(decode=True))
    assert "\nMETHOD:CANCEL\n" in c and "\nSTATUS:CANCELLED\n" in c, c
    if all(prop(c, n) == prop(over[0], n) for n in ("UID", "RECURRENCE-ID")):
        got.append(c)
assert len(got) == 1, "no cancellation of %s" % over[0]
assert int(prop(got[0], "SEQUENCE")) > int(prop(over[0], "SEQUENCE")), got
PY
"$PY" -c 'import json, sys
e = json.load(open(sys.argv[1]))
json.dump([o for o in e if not o["local"].endswith("17:30")],
    open(sys.argv[1], "w"))' "$T/expected.json"
expect_code 200 GET "$FEED_PATH"
cp "$T/body" "$T/after2.ics"
check "after the second change" "$T/after2.ics"
khal_check
verdict
ok "a moved meeting not kept is cancelled as it was sent; all three agree"

# The checkers can say no: the feed from before the change is not it.
node "$top_srcdir/tests/regress/feed_check.js" "$T/before.ics" \
    "$T/expected.json" "$NOW" "$UNTIL" >"$T/js.out" 2>&1 &&
    fail "ical.js took the old feed for the new: $(cat "$T/js.out")"
"$PY" "$top_srcdir/tests/regress/feed_check.py" "$T/before.ics" \
    "$T/expected.json" "$NOW" "$UNTIL" >"$T/py.out" 2>&1 &&
    fail "python took the old feed for the new: $(cat "$T/py.out")"
ok "the checkers refuse the feed from before the change"

stop_daemon
pass
