#!/bin/sh
# zones.sh: meetings at the hour the calendar shows.  Series in
# Europe/London and America/New_York at times the clocks skip or pass
# twice: every meeting, extra date, exclusion and move is planned at the
# instant Python's zoneinfo gives with fold=0 (RFC 5545 3.3.5: a skipped
# time takes the offset before the gap, a doubled time is the first), the
# other meetings keep their wall-clock time, the coordinator is told in
# plain words, ical.js, python icalendar and khal (through vdirsyncer)
# read the feed the same way,
# and a lead time longer than the week a clock change shortens is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/khal-lib.sh"

"$PY" -c 'import icalendar, recurring_ical_events, zoneinfo' 2>/dev/null ||
    fail "python3-icalendar and python3-recurring-ical-events are needed"
need_node

write_conf "
[outbox]
horizon_days = 400"
start_daemon

ctl() {
	"$CONVENECTL" -s "$T/state/convened.sock" "$@"
}

ctl group add london "London group" --time-zone Europe/London \
    --lead-times P1D >/dev/null || fail "group add london"
ctl group add newyork "New York group" --time-zone America/New_York \
    --lead-times P1D >/dev/null || fail "group add newyork"
ctl person add "Ann Jones" --email ann@example.org >/dev/null ||
    fail "person add"
ctl person add "Bob Smith" --email bob@example.org >/dev/null ||
    fail "person add"
ctl member add london 1 >/dev/null || fail "member add"
ctl member add newyork 1 >/dev/null || fail "member add"
ctl member add newyork 2 >/dev/null || fail "member add"

# 2027: London changes on 28 March and 31 October, New York on 14 March
# and 7 November.
ctl series add london "Spring gap" 2027-03-28T01:30 \
    --rrule "FREQ=WEEKLY;INTERVAL=6;COUNT=6" >"$T/gap.out" ||
    fail "series add: $(cat "$T/gap.out")"
grep -q "^note: 01:30 on 28 March 2027 does not exist in Europe/London (the clocks go forward); that meeting is at 02:30$" \
    "$T/gap.out" || fail "no plain note for the skipped hour: $(cat "$T/gap.out")"
[ "$(grep -c '^note:' "$T/gap.out")" -eq 1 ] ||
    fail "a note for a meeting the clocks do not touch: $(cat "$T/gap.out")"
ok "the coordinator is told 01:30 on 28 March is 02:30"

ctl series add london "Autumn twice" 2027-10-17T01:30 \
    --rrule "FREQ=WEEKLY;COUNT=4" --exdate 2027-11-07T01:30 \
    --rdate 2027-03-28T01:15 >"$T/twice.out" ||
    fail "series add: $(cat "$T/twice.out")"
grep -q "^note: 01:30 on 31 October 2027 happens twice in Europe/London" \
    "$T/twice.out" || fail "no note for the doubled hour: $(cat "$T/twice.out")"
ctl series add newyork "Weekly 02:30" 2027-03-07T02:30 \
    --rrule "FREQ=WEEKLY;COUNT=5" >/dev/null || fail "series add NY"
ctl series add newyork "Weekly 01:30" 2027-10-24T01:30 \
    --rrule "FREQ=WEEKLY;COUNT=4" >/dev/null || fail "series add NY fall"

# Move the third spring-gap meeting into the doubled hour.
MOVE=$(ctl -j occurrence list --group london --days 400 | "$PY" -c '
import json, sys
o = [o for o in json.load(sys.stdin)["occurrences"] if o["title"] == "Spring gap"]
print(o[2]["id"])')
ctl occurrence move "$MOVE" 2027-10-31T01:45 >"$T/move.out" ||
    fail "move: $(cat "$T/move.out")"
grep -q "^note: 01:45 on 31 October 2027 happens twice" "$T/move.out" ||
    fail "no note for a move into the doubled hour: $(cat "$T/move.out")"

# The oracle: every meeting's wall-clock time through zoneinfo, fold=0.
for g in london newyork; do
	ctl -j occurrence list --group $g --days 400
done >"$T/occ.json" || fail "occurrence list"
"$PY" - "$T/occ.json" "$MOVE" >"$T/oracle.out" 2>&1 <<'PY' ||
import json, sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

def at(zone, y, mo, d, h, mi):
    return int(datetime(y, mo, d, h, mi, tzinfo=ZoneInfo(zone)).timestamp())

def weekly(zone, start, n, every=1, skip=()):
    out = []
    for i in range(n):
        t = start + timedelta(weeks=every * i)
        if t not in skip:
            out.append(at(zone, t.year, t.month, t.day, t.hour, t.minute))
    return out

want = {
    "Spring gap": weekly("Europe/London", datetime(2027, 3, 28, 1, 30), 6, 6),
    "Autumn twice": weekly("Europe/London", datetime(2027, 10, 17, 1, 30), 4,
        skip=(datetime(2027, 11, 7, 1, 30),)) +
        [at("Europe/London", 2027, 3, 28, 1, 15)],
    "Weekly 02:30": weekly("America/New_York", datetime(2027, 3, 7, 2, 30), 5),
    "Weekly 01:30": weekly("America/New_York", datetime(2027, 10, 24, 1, 30), 4),
}
moved = int(sys.argv[2])
want["Spring gap"][2] = at("Europe/London", 2027, 10, 31, 1, 45)
got = {}
dec = json.JSONDecoder()
text = open(sys.argv[1]).read()
i = 0
while i < len(text):
    while i < len(text) and text[i].isspace():
        i += 1
    if i == len(text):
        break
    doc, i = dec.raw_decode(text, i)
    for o in doc["occurrences"]:
        if o["status"] != "removed":
            got.setdefault(o["title"], []).append(o["start_at"])
bad = 0
for title in want:
    w, g = sorted(want[title]), sorted(got.get(title, []))
    if w != g:
        print("%s: convened %s, zoneinfo %s" % (title,
            [datetime.fromtimestamp(t, timezone.utc).isoformat() for t in g],
            [datetime.fromtimestamp(t, timezone.utc).isoformat() for t in w]))
        bad = 1
# The facts the zone database gives, spelt out.
assert at("Europe/London", 2027, 3, 28, 1, 30) == \
    int(datetime(2027, 3, 28, 1, 30, tzinfo=timezone.utc).timestamp())
assert at("Europe/London", 2027, 10, 31, 1, 30) == \
    int(datetime(2027, 10, 31, 0, 30, tzinfo=timezone.utc).timestamp())
print("%d meetings as zoneinfo gives them" % sum(len(v) for v in want.values()))
sys.exit(bad)
PY
    fail "$(cat "$T/oracle.out")"
ok "$(cat "$T/oracle.out")"

# Each member's feed, read by two independent parsers, gives the same
# instants: Ann's has both zones, Bob's New York alone.
LO=$(date -d 2027-01-01T00:00Z +%s)
HI=$(date -d 2028-01-01T00:00Z +%s)
for p in "1:london newyork" "2:newyork"; do
	for g in ${p#*:}; do
		ctl -j occurrence list --group "$g" --days 400 |
		    "$PY" -c 'import json, sys
print(json.dumps(json.load(sys.stdin)["occurrences"]))'
	done >"$T/occ1.json" || fail "occurrence list"
	"$PY" - "$T/occ1.json" "$T/expected.json" <<'PY' || fail "expected list"
import json, sys
out = []
occ = [o for line in open(sys.argv[1]) for o in json.loads(line)]
for o in occ:
    if o["status"] == "removed":
        continue
    # Instants only: a meeting at a skipped or doubled hour is an
    # override whose DTSTART names its instant outright.
    out.append({"utc": o["start_at"],
        "status": "CANCELLED" if o["status"] == "cancelled" else "CONFIRMED"})
json.dump(out, open(sys.argv[2], "w"))
PY
	URL=$(ctl feed show "${p%%:*}") || fail "feed show"
	expect_code 200 GET "${URL#"$BASE"}"
	cp "$T/body" "$T/feed.ics"
	node "$top_srcdir/tests/regress/feed_check.js" "$T/feed.ics" \
	    "$T/expected.json" "$LO" "$HI" >"$T/js.out" 2>&1 ||
	    fail "ical.js, ${p#*:}: $(cat "$T/js.out")"
	"$PY" "$top_srcdir/tests/regress/feed_check.py" "$T/feed.ics" \
	    "$T/expected.json" "$LO" "$HI" >"$T/py.out" 2>&1 ||
	    fail "python, ${p#*:}: $(cat "$T/py.out")"
	ok "${p#*:}: $(cat "$T/js.out"); $(cat "$T/py.out")"
done

# khal, through vdirsyncer's http storage as a phone subscribes, lists
# Ann's meetings at the same instants (khal shows them in UTC here).
URL=$(ctl feed show 1) || fail "feed show"
khal_setup "$URL" UTC
vds discover
vds sync
khal_cmd list --format "{start}|{title}" --day-format "" 2027-01-01 \
    2027-12-31 >"$T/khal.out" 2>"$T/khal.err" ||
    fail "khal: $(cat "$T/khal.err")"
! grep -i "^warning\|^error\|not found" "$T/khal.err" ||
    fail "khal warns about the feed: $(cat "$T/khal.err")"
"$PY" - "$T/khal.out" "$T/occ.json" >"$T/khal.check" 2>&1 <<'PY' ||
import json, sys
from datetime import datetime, timezone
got = []
for line in open(sys.argv[1]):
    start, _, title = line.strip().partition("|")
    if start:
        got.append((title, int(datetime.strptime(start, "%Y-%m-%dT%H:%M")
            .replace(tzinfo=timezone.utc).timestamp())))
dec = json.JSONDecoder()
text = open(sys.argv[2]).read()
i, want = 0, []
while i < len(text):
    while i < len(text) and text[i].isspace():
        i += 1
    if i == len(text):
        break
    doc, i = dec.raw_decode(text, i)
    want += [(o["title"], o["start_at"]) for o in doc["occurrences"]
        if o["status"] != "removed"]
if sorted(got) != sorted(want):
    sys.exit("khal read: %s\nconvened: %s" % (sorted(got), sorted(want)))
print("khal: %d meetings agree" % len(got))
PY
    fail "$(cat "$T/khal.check")"
ok "$(cat "$T/khal.check")"

# A lead time as long as the week the spring change shortens is refused,
# though every other week is long enough.
ctl group add leads "Lead times" --time-zone Europe/London \
    --lead-times PT167H30M >/dev/null || fail "group add leads"
if ctl series add leads "Weekly" 2027-03-07T18:00 --rrule FREQ=WEEKLY \
    >"$T/lead.out" 2>&1; then
	fail "a lead time longer than the short week was accepted"
fi
grep -q "PT167H30M.*28 March 2027.*167 hours" "$T/lead.out" ||
    fail "the refusal does not say which week: $(cat "$T/lead.out")"
ctl series add leads "Fortnightly" 2027-03-07T18:00 \
    --rrule "FREQ=WEEKLY;INTERVAL=2" >/dev/null ||
    fail "a lead time shorter than every gap was refused"
ok "PT167H30M refused for a weekly series across the spring change"

# A rule that gives no meeting is refused at once, naming its parts.
if ctl series add london "Never" 2027-01-31T18:00 \
    --rrule "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2,4,6,9,11" \
    >"$T/never.out" 2>&1; then
	fail "a rule with no meeting was accepted"
fi
grep -q "BYMONTH=2,4,6,9,11 and BYMONTHDAY=31\|BYMONTHDAY=31 and BYMONTH=2,4,6,9,11" \
    "$T/never.out" || fail "the refusal does not name the parts: $(cat "$T/never.out")"
healthy || fail "healthz after the refused rule"
ok "a rule with no meeting: $(cat "$T/never.out")"

# Moving a meeting to the time it has is no change: no SEQUENCE, no mail.
ctl -j occurrence list --group newyork --days 400 >"$T/ny.json"
read -r ID LOCAL SEQ <<EOF2
$("$PY" -c 'import json, sys
from datetime import datetime
from zoneinfo import ZoneInfo
o = json.load(open(sys.argv[1]))["occurrences"][2]
print(o["id"], datetime.fromtimestamp(o["start_at"], ZoneInfo("America/New_York")).strftime("%Y-%m-%dT%H:%M"), o["sequence"])' "$T/ny.json")
EOF2
before=$(ctl -j outbox | "$PY" -c 'import json, sys; c = json.load(sys.stdin)["counts"]; print(sum(v for r in c for v in r.values() if isinstance(v, int)))')
ctl occurrence move "$ID" "$LOCAL" >"$T/same.out" || fail "move: $(cat "$T/same.out")"
grep -q "nothing changed and nobody is told" "$T/same.out" ||
    fail "a move to the same time was not said to be no change: $(cat "$T/same.out")"
after=$(ctl -j outbox | "$PY" -c 'import json, sys; c = json.load(sys.stdin)["counts"]; print(sum(v for r in c for v in r.values() if isinstance(v, int)))')
[ "$before" = "$after" ] || fail "a move to the same time queued $((after - before)) messages"
SEQ2=$(ctl -j occurrence list --group newyork --days 400 | "$PY" -c 'import json, sys
print([o for o in json.load(sys.stdin)["occurrences"] if o["id"] == int(sys.argv[1])][0]["sequence"])' "$ID")
[ "$SEQ" = "$SEQ2" ] || fail "a move to the same time raised SEQUENCE $SEQ to $SEQ2"
ok "a move to the time a meeting has changes nothing"

# A date with a leading sign is refused, naming the field.
if ctl series add london "Signed" -- -2027-05-01T18:00 >"$T/sign.out" 2>&1; then
	fail "a date with a leading minus was accepted"
fi
grep -q "start" "$T/sign.out" || fail "the refusal does not name the field: $(cat "$T/sign.out")"
pass
