# report.sh: a group's engagement report over six months on the test's
# clock.  Seven monthly meetings; members answer by their signed links;
# access requests are made through the API and arranged before their
# deadline or after it by moving the clock; attendance is recorded by
# the API after each meeting.  Every figure of this period and the
# one before is checked against counts made here from the database; the
# CSV is read back with the csv module, the SVG parsed as XML with its
# title and description; the members' link shows small counts as
# "fewer than 3" and names no one, and the same counts in Welsh and in
# Arabic (right to left), a tampered link is refused, a token
# for another group finds no report, and erasing a member changes no
# count of a period.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"

DB=$T/state/convene.db
sql() {
	sqlite3 -cmd '.timeout 5000' "$DB" "$1"
}
ctl() {
	"$CONVENECTL" -s "$T/state/convened.sock" "$@"
}
at() {
	TZ=Europe/London date -d "$1" +%s
}
settle() {
	advance 0
	planned
	wait_progress outbox_busy 0 || fail "the outbox did not settle"
}
# rsvp PERSON OCC: a signed link to answer, as messages have.
rsvp() {
	"$PY" - "$T/state/signing.key" "$1" "$2" "$(daemon_now)" <<'PYEOF'
import base64, hashlib, hmac, sys
key = bytes.fromhex(open(sys.argv[1]).read().strip())
subject = "%s.%s" % (sys.argv[2], sys.argv[3])
exp = int(sys.argv[4]) + 86400
mac = hmac.new(key, b"rsvp:%s:%d" % (subject.encode(), exp),
    hashlib.sha512).digest()[:16]
print("%s.%d.%s" % (subject, exp,
    base64.urlsafe_b64encode(mac).decode().rstrip("=")))
PYEOF
}
answer() {
	code=$(curl -sS -m 10 -o "$T/page" -w '%{http_code}' \
	    --data-raw "answer=$3" "$BASE/rsvp/$(rsvp "$1" "$2")") || code=000
	[ "$code" = 303 ] || fail "answering $3 gave $code"
}

day0=$(TZ=Europe/London date -d "+3 days" +%Y-%m-%d)
mday=$(TZ=Europe/London date -d "$day0 + 20 days" +%Y-%m-%d)
write_conf "
[outbox]
horizon_days = 400"
start_daemon --test-clock="$(at "$day0 09:00")"

api 201 POST /groups '{"slug": "ilg", "name": "Independent Living Group",
    "lead_times": "P7D,P1D"}'
api 201 POST /groups '{"slug": "other", "name": "Another Group"}'
people=
for p in '"name": "Ann Smith", "email": "ann@example.org"' \
    '"name": "Rhiannon Jones", "email": "rh@example.org", "language": "cy", "style": "easyread"' \
    '"name": "Bob Text", "phone": "07700 900123", "channels": "sms"' \
    '"name": "Fern Feed", "channels": "feed"' \
    '"name": "Layla Haddad", "email": "layla@example.org", "language": "ar", "style": "large"' \
    '"name": "Dev Patel", "email": "dev@example.org", "phone": "07700 900124", "channels": "sms,email"'; do
	api 201 POST /people "{$p}"
	id=$(jv 'd["id"]')
	people="$people $id"
	api 201 POST /groups/ilg/members "{\"person\": $id}"
done
set -- $people
ann=$1 rh=$2 bob=$3 fern=$4 layla=$5 dev=$6
# Gus's address bounced (as the mail server would have said): his
# messages have nowhere to go, and die.
api 201 POST /people '{"name": "Gus Bounce", "email": "gus@example.org"}'
gus=$(jv 'd["id"]')
api 201 POST /groups/ilg/members "{\"person\": $gus}"
sql "UPDATE people SET email_bounce = '550 no such user',
    email_bounced_at = 1 WHERE id = $gus"
api 201 POST /series "{\"group\": \"ilg\", \"title\": \"Steering\",
    \"start\": \"${mday}T18:00\", \"rrule\": \"FREQ=MONTHLY;COUNT=7\",
    \"invite\": true}"
settle
occs=$(sql "SELECT id FROM occurrences ORDER BY start_at" | tr '\n' ' ')
set -- $occs
[ $# = 7 ] || fail "meetings: $occs"
ok "seven monthly meetings planned"

# Each meeting: requests made now, arranged on time or late by moving
# the clock, answers two days before, attendance after.  The pattern
# varies by meeting so that the periods differ.
i=0
for occ in $occs; do
	start=$(sql "SELECT start_at FROM occurrences WHERE id = $occ")
	# Hana joins before the fourth meeting, invited to it.
	if [ $i = 3 ]; then
		api 201 POST /people '{"name": "Hana New",
		    "email": "hana@example.org"}'
		hana=$(jv 'd["id"]')
		api 201 POST /groups/ilg/members "{\"person\": $hana,
		    \"invite\": true}"
		people="$people $hana"
		settle
	fi
	api 201 POST "/occurrences/$occ/requests" "{\"person\": $ann,
	    \"need\": \"bsl\"}"
	bsl=$(jv 'd["id"]')
	api 201 POST "/occurrences/$occ/requests" "{\"person\": $layla,
	    \"need\": \"largeprint\"}"
	lp=$(jv 'd["id"]')
	dl=$(sql "SELECT deadline_at FROM access_requests WHERE id = $bsl")
	if [ $((i % 2)) = 0 ]; then
		advance_to $((dl - 3600))
	else
		advance_to $((dl + 3600))
	fi
	settle
	api 200 POST "/requests/$bsl" '{"state": "arranged"}'
	dl=$(sql "SELECT deadline_at FROM access_requests WHERE id = $lp")
	advance_to $((dl + 3600))
	settle
	if [ $((i % 3)) = 0 ]; then
		api 200 POST "/requests/$lp" '{"state": "unable",
		    "reason": "no printer"}'
	else
		api 200 POST "/requests/$lp" '{"state": "arranged"}'
	fi
	advance_to $((start - 2 * 86400))
	settle
	answer "$ann" "$occ" yes
	[ $((i % 2)) = 0 ] && answer "$rh" "$occ" yes
	[ $((i % 3)) = 1 ] && answer "$bob" "$occ" maybe
	[ $i -ge 3 ] && answer "$layla" "$occ" no
	[ $i = 5 ] && answer "$dev" "$occ" yes
	advance_to $((start + 3 * 3600))
	settle
	marks=
	for p in $people; do
		st=absent
		case $p in
		"$ann") st=attended ;;
		"$rh") [ $((i % 2)) = 0 ] && st=attended ;;
		"$layla") [ $i -ge 3 ] && st=apologies ;;
		"$bob") [ $((i % 3)) = 1 ] && st=attended ;;
		esac
		marks="$marks${marks:+, }{\"person\": $p, \"status\": \"$st\"}"
	done
	api 200 POST "/occurrences/$occ/attendance" "{\"people\": [$marks]}"
	i=$((i + 1))
done
advance 86400
settle
ok "six months of meetings, answers, requests and attendance"

sql "SELECT count(*) FROM outbox WHERE state = 'sent' AND
    (style IS NULL OR language IS NULL)" | grep -qx 0 ||
    fail "a sent message without its style or language"
[ "$(sql "SELECT DISTINCT style || '/' || language FROM outbox WHERE
    state = 'sent' AND person_id = $rh AND channel = 'email'")" = \
    "easyread/cy" ] || fail "Rhiannon's messages were not easyread/cy"
ok "messages sent record their style and language"

# The period: the fourth meeting to the sixth, a day either side.
m3=$(sql "SELECT date(start_at, 'unixepoch') FROM occurrences
    ORDER BY start_at LIMIT 1 OFFSET 3")
m5=$(sql "SELECT date(start_at, 'unixepoch') FROM occurrences
    ORDER BY start_at LIMIT 1 OFFSET 5")
from=$(date -d "$m3 - 1 day" +%Y-%m-%d)
to=$(date -d "$m5 + 1 day" +%Y-%m-%d)

# A message of the period sent before convene recorded style and
# language.
sql "UPDATE outbox SET style = NULL, language = NULL WHERE id = (SELECT
    min(id) FROM outbox WHERE state = 'sent' AND channel = 'email' AND
    occurrence_id IS NOT NULL AND sent_at >= $(at "$from 00:00"))"
api 422 GET "/groups/ilg/report?from=$to&to=$from"
api 422 GET "/groups/ilg/report?from=2026-02-30&to=$to"
api 200 GET "/groups/ilg/report?from=$from&to=$to"
cp "$T/body" "$T/report.json"

# check REPORT.JSON: every figure against counts made here.
check() {
	"$PY" - "$DB" "$1" <<'PYEOF' || fail "the report's figures are wrong"
import datetime, json, sqlite3, sys, zoneinfo
db = sqlite3.connect(sys.argv[1])
r = json.load(open(sys.argv[2]))
z = zoneinfo.ZoneInfo("Europe/London")
def ts(d):
    return int(datetime.datetime.combine(datetime.date.fromisoformat(d),
        datetime.time(0), z).timestamp())
def day_after(d):
    return (datetime.date.fromisoformat(d) +
        datetime.timedelta(days=1)).isoformat()
g = db.execute("SELECT id FROM groups WHERE slug = 'ilg'").fetchone()[0]
def q(s, *a):
    return db.execute(s, a).fetchall()
def counts(a, b):
    occ = [x for (x,) in q("SELECT o.id FROM occurrences o JOIN series s "
        "ON s.id = o.series_id WHERE s.group_id = ? AND o.start_at >= ? "
        "AND o.start_at < ? AND o.status != 'cancelled'", g, a, b)]
    c = {"meetings": len(occ)}
    asked, last = set(), {}
    for o in occ:
        for (p,) in q("SELECT DISTINCT person_id FROM outbox WHERE "
            "occurrence_id = ? AND state = 'sent' AND kind IN "
            "('invitation', 'reminder', 'update', 'nudge')", o):
            asked.add((o, p))
        for p, ans in q("SELECT person_id, answer FROM answers WHERE "
            "occurrence_id = ? ORDER BY at, id", o):
            asked.add((o, p))
            last[(o, p)] = ans
    c["invitations_sent"] = q("SELECT count(*) FROM outbox x JOIN "
        "occurrences o ON o.id = x.occurrence_id JOIN series s ON s.id = "
        "o.series_id WHERE s.group_id = ? AND x.kind = 'invitation' AND "
        "x.state = 'sent' AND x.sent_at >= ? AND x.sent_at < ?",
        g, a, b)[0][0]
    c["members_asked"] = len(asked)
    c["answered"] = len(last)
    for k in ("yes", "maybe", "no"):
        c[k] = sum(1 for v in last.values() if v == k)
    att = {"attended": 0, "absent": 0, "apologies": 0}
    for o in occ:
        for (s,) in q("SELECT status FROM attendance WHERE occurrence_id "
            "= ? AND role != 'supporter'", o):
            att[s] += 1
    c.update(att)
    req = {"requests": 0, "requests_on_time": 0, "requests_late": 0,
        "requests_unable": 0, "requests_open": 0}
    for o in occ:
        for rid, st, dl in q("SELECT id, state, deadline_at FROM "
            "access_requests WHERE occurrence_id = ? AND state != "
            "'withdrawn'", o):
            req["requests"] += 1
            if st == "arranged":
                t = q("SELECT max(at) FROM access_events WHERE "
                    "request_id = ? AND state = 'arranged'", rid)[0][0]
                req["requests_on_time" if t <= dl else "requests_late"] += 1
            elif st == "unable":
                req["requests_unable"] += 1
            else:
                req["requests_open"] += 1
    c.update(req)
    sent = dead = 0
    byp = {}
    for p, st, sa, ua in q("SELECT x.person_id, x.state, x.sent_at, "
        "x.updated_at FROM outbox x JOIN occurrences o ON o.id = "
        "x.occurrence_id JOIN series s ON s.id = o.series_id WHERE "
        "s.group_id = ? AND x.state IN ('sent', 'dead')", g):
        t = sa if sa is not None else ua
        if a <= t < b:
            sent += st == "sent"
            dead += st == "dead"
    for p, st in q("SELECT x.person_id, x.state FROM outbox x JOIN "
        "occurrences o ON o.id = x.occurrence_id JOIN series s ON s.id = "
        "o.series_id WHERE s.group_id = ? AND x.due_at >= ? AND x.due_at "
        "< ? AND x.state IN ('sent', 'failed', 'dead', 'missed')", g, a, b):
        byp[p] = byp.get(p, False) or st == "sent"
    c["messages_sent"], c["messages_dead"] = sent, dead
    c["members_unreached"] = sum(1 for v in byp.values() if not v)
    def rate(n, d):
        return None if d == 0 else ((n * 1000 + d // 2) // d) / 10
    c["response_rate"] = rate(c["answered"], c["members_asked"])
    for k in ("yes", "maybe", "no"):
        c[k + "_rate"] = rate(c[k], c["members_asked"])
    c["attendance_rate"] = rate(c["attended"], c["attended"] + c["absent"])
    c["on_time_rate"] = rate(c["requests_on_time"], c["requests"])
    c["failure_rate"] = rate(dead, sent + dead)
    c["supporters"] = 0
    return c
def breakdown(a, b):
    msgs, needs = {}, {}
    for ch, sty, lang, st, sa, ua in q("SELECT x.channel, x.style, "
        "x.language, x.state, x.sent_at, x.updated_at FROM outbox x JOIN "
        "occurrences o ON o.id = x.occurrence_id JOIN series s ON s.id = "
        "o.series_id WHERE s.group_id = ? AND x.state IN ('sent', 'dead')",
        g):
        t = sa if sa is not None else ua
        if a <= t < b:
            k = (ch, sty or "unknown", lang or "unknown")
            m = msgs.setdefault(k, {"sent": 0, "dead": 0})
            m[st] += 1
    for need, st, dl, t in q("SELECT r.need, r.state, r.deadline_at, "
        "(SELECT max(at) FROM access_events e WHERE e.request_id = r.id "
        "AND e.state = 'arranged') FROM access_requests r JOIN "
        "occurrences o ON o.id = r.occurrence_id JOIN series s ON s.id = "
        "o.series_id WHERE s.group_id = ? AND o.start_at >= ? AND "
        "o.start_at < ? AND o.status != 'cancelled' AND r.state != "
        "'withdrawn'", g, a, b):
        n = needs.setdefault(need, {"requests": 0, "on_time": 0,
            "late": 0, "unable": 0, "open": 0})
        n["requests"] += 1
        if st == "arranged":
            n["on_time" if t <= dl else "late"] += 1
        elif st == "unable":
            n["unable"] += 1
        else:
            n["open"] += 1
    return msgs, needs
for (a, b), km, kn in (((ts(r["from"]), ts(day_after(r["to"]))),
    "messages", "needs"), ((ts(r["previous_from"]),
    ts(day_after(r["previous_to"]))), "previous_messages", "previous_needs")):
    msgs, needs = breakdown(a, b)
    got = {(m["channel"], m["style"], m["language"]):
        {"sent": m["sent"], "dead": m["dead"]} for m in r[km]}
    assert got == msgs, (km, got, msgs)
    got = {n["need"]: {k: n[k] for k in ("requests", "on_time", "late",
        "unable", "open")} for n in r[kn]}
    assert got == needs, (kn, got, needs)
    if km == "messages":
        assert ("email", "unknown", "unknown") in msgs, msgs
this = counts(ts(r["from"]), ts(day_after(r["to"])))
prev = counts(ts(r["previous_from"]), ts(day_after(r["previous_to"])))
n = (datetime.date.fromisoformat(r["to"]) -
    datetime.date.fromisoformat(r["from"])).days
pn = (datetime.date.fromisoformat(r["previous_to"]) -
    datetime.date.fromisoformat(r["previous_from"])).days
assert n == pn, (n, pn)
assert day_after(r["previous_to"]) == r["from"]
bad = 0
for f in r["figures"]:
    for got, want in ((f["this"], this[f["figure"]]),
        (f["previous"], prev[f["figure"]])):
        if got != want:
            print("%s: report %r, counted %r" % (f["figure"], got, want))
            bad += 1
assert len(r["figures"]) == len(this), sorted(this)
assert this["meetings"] == 3 and prev["meetings"] >= 2, (this, prev)
assert this["requests_on_time"] > 0 and this["requests_late"] > 0
assert this["apologies"] > 0 and this["absent"] > 0
assert this["invitations_sent"] + prev["invitations_sent"] == 1
assert this["messages_dead"] > 0 and this["members_unreached"] == 1
m = {(x["by"], x["value"]): x["n"] for x in r["members"]}
assert m[("total", "no_working_channel")] == 1, m
assert m[("total", "members")] == 8 - ("erased" in sys.argv[2]), m
sys.exit(1 if bad else 0)
PYEOF
}
check "$T/report.json"
ok "every figure of both periods matches the counts made here"

# CSV: read back with the csv module, the same numbers.
ctl report ilg --from "$from" --to "$to" --csv > "$T/report.csv" ||
    fail "convenectl report --csv failed"
"$PY" - "$T/report.csv" "$T/report.json" <<'PYEOF' || fail "the CSV differs"
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
r = json.load(open(sys.argv[2]))
assert rows[0] == ["figure", "this period", "previous period"], rows[0]
got = {x[0]: x[1:] for x in rows[1:]}
def s(v):
    return "" if v is None else ("%.1f" % v if isinstance(v, float) else
        str(v))
for f in r["figures"]:
    assert got[f["figure"]] == [s(f["this"]), s(f["previous"])], f
for n in r["needs"]:
    assert got["requests.%s.requests" % n["need"]][0] == str(n["requests"])
for m in r["messages"]:
    k = "messages.%s.%s.%s.sent" % (m["channel"], m["style"], m["language"])
    assert got[k][0] == str(m["sent"]), k
assert "messages.email.easyread.cy.sent" in got
PYEOF
ok "the CSV reads back with the same numbers"

# SVG: well-formed, role img, labelled by its title and description.
ctl report ilg --from "$from" --to "$to" --svg > "$T/report.svg" ||
    fail "convenectl report --svg failed"
"$PY" - "$T/report.svg" "$T/report.json" <<'PYEOF' || fail "the SVG"
import json, sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
r = json.load(open(sys.argv[2]))
assert root.tag == ns + "svg" and root.get("role") == "img"
title, desc = root.find(ns + "title"), root.find(ns + "desc")
assert title is not None and desc is not None
assert root.get("aria-labelledby") == "%s %s" % (title.get("id"),
    desc.get("id"))
assert r["from"] in title.text, title.text
texts = [t.text for t in root.iter(ns + "text")]
for m in r["meetings"]:
    pct = (m["attended"] * 100 + m["expected"] // 2) // m["expected"]
    assert "%d%%" % pct in texts, (pct, texts)
    assert "Attendance %d%%" % pct in desc.text
assert "Per cent" in texts and "Meeting date" in texts
assert len(root.findall(".//" + ns + "pattern")) == 2
PYEOF
ok "the SVG parses, with its title, description, labels and values"
# REPORT_KEEP=DIR keeps the chart and the page, for the screenshot.
if [ -n "${REPORT_KEEP:-}" ]; then
	cp "$T/report.svg" "$T/report.json" "$REPORT_KEEP/"
fi
ctl report ilg --from "$from" --to "$to" > "$T/report.txt" ||
    fail "convenectl report failed"
grep -q "^Attendance rate" "$T/report.txt" || fail "$(cat "$T/report.txt")"

# The members' link: refused until the group shares its report.
api 409 GET "/groups/ilg/report/link?from=$from&to=$to"
api 422 PATCH /groups/ilg '{"report_members": "yes"}'
api 200 PATCH /groups/ilg '{"report_members": true}'
api 200 GET "/groups/ilg/report/link?from=$from&to=$to"
left=$(($(jv 'd["url"].split(".")[-2]') - $(daemon_now)))
[ "$(jv 'd["days"]')" = 90 ] && [ "$left" -le $((90 * 86400)) ] &&
    [ "$left" -gt $((90 * 86400 - 60)) ] || fail "the link: $(cat "$T/body")"
url=$(ctl report ilg --from "$from" --to "$to" --link) ||
    fail "convenectl report --link failed"
code=$(curl -sS -m 10 -o "$T/page.html" -w '%{http_code}' "$url")
[ "$code" = 200 ] || fail "the members' page gave $code"
for name in Ann Rhiannon Bob Fern Layla Dev example.org; do
	! grep -q "$name" "$T/page.html" || fail "the page names $name"
done
grep -q "fewer than 3" "$T/page.html" || fail "no small count hidden"
grep -q "not shown: too few people" "$T/page.html" ||
    fail "no small rate hidden"
! grep -q "<script" "$T/page.html" || fail "the page has a script"
"$PY" - "$T/page.html" "$T/report.json" <<'PYEOF' || fail "page counts"
import html.parser, json, sys
r = json.load(open(sys.argv[2]))
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.cells = []; self.row = None; self.c = False
    def handle_starttag(self, t, a):
        if t == "tr": self.row = []
        if t in ("th", "td") and self.row is not None:
            self.c = True; self.row.append("")
    def handle_endtag(self, t):
        if t in ("th", "td"): self.c = False
        if t == "tr" and self.row is not None:
            self.cells.append(self.row); self.row = None
    def handle_data(self, d):
        if self.c: self.row[-1] += d
p = P(); p.feed(open(sys.argv[1]).read())
rows = {x[0]: x[1:] for x in p.cells}
def ok(n, d):
    return d >= 5 and n not in (1, 2) and d - n not in (1, 2)
for f in r["figures"]:
    if f["unit"] != "count":
        for w, shown in zip(("this", "previous"), rows[f["label"]]):
            n, d = f[w + "_of"]
            want = ("%.1f" % f[w]) if d and ok(n, d) else \
                "not shown: too few people"
            assert shown == want, (f["label"], n, d, shown)
        continue
    for v, shown in zip((f["this"], f["previous"]), rows[f["label"]]):
        want = "fewer than 3" if 0 < v < 3 else str(v)
        assert shown == want, (f["label"], v, shown)
PYEOF
ok "the members' page shows counts only, small ones as fewer than 3"
[ -z "${REPORT_KEEP:-}" ] || cp "$T/page.html" "$REPORT_KEEP/"

# The page in Welsh and in Arabic: every word from that language's
# [report] words, the same counts as the English page, the chart's
# words too; Arabic right to left; links to the other languages.
url_cy=$(ctl report ilg --from "$from" --to "$to" --link --lang cy) ||
    fail "convenectl report --link --lang cy failed"
[ "${url_cy%\?lang=cy}" != "$url_cy" ] || fail "the Welsh link: $url_cy"
api 422 GET "/groups/ilg/report/link?from=$from&to=$to&lang=xx"
for l in cy ar xx; do
	code=$(curl -sS -m 10 -o "$T/page-$l.html" -w '%{http_code}' \
	    "${url_cy%\?lang=cy}?lang=$l")
	[ "$code" = 200 ] || fail "the members' page in $l gave $code"
done
grep -q '^<html lang="en" dir="ltr">' "$T/page-xx.html" ||
    fail "an unknown language is not English: $(head -3 "$T/page-xx.html")"
grep -q '^<html lang="cy" dir="ltr">' "$T/page-cy.html" ||
    fail "the Welsh page: $(head -3 "$T/page-cy.html")"
grep -q '^<html lang="ar" dir="rtl">' "$T/page-ar.html" ||
    fail "the Arabic page: $(head -3 "$T/page-ar.html")"
grep -q "llai na 3" "$T/page-cy.html" || fail "no Welsh fewer than 3"
"$PY" - "$T/page.html" "$T/page-cy.html" "$T/page-ar.html" \
    "$top_srcdir/conf/templates" <<'PYEOF' || fail "pages in cy and ar"
import configparser, html.parser, re, sys
def words(lang):
    c = configparser.ConfigParser(interpolation=None)
    c.read("%s/%s/words.ini" % (sys.argv[4], lang), encoding="utf-8")
    return dict(c["report"])
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.rows = []; self.row = None
        self.c = False; self.texts = []; self.stack = []; self.links = []
        self.nav = None; self.svg = {}
    def handle_starttag(self, t, a):
        a = dict(a); self.stack.append(t)
        if t == "nav": self.nav = a.get("aria-label")
        if t == "a" and "nav" in self.stack: self.links.append(a)
        if t == "tr": self.row = []
        if t in ("th", "td") and self.row is not None:
            self.c = True; self.row.append("")
    def handle_endtag(self, t):
        while self.stack and self.stack.pop() != t: pass
        if t in ("th", "td"): self.c = False
        if t == "tr" and self.row is not None:
            self.rows.append(self.row); self.row = None
    def handle_data(self, d):
        if self.c: self.row[-1] += d
        if d.strip() and "nav" not in self.stack:
            self.texts.append(d.strip())
            for k in ("title", "desc"):
                if k in self.stack and "svg" in self.stack:
                    self.svg[k] = d.strip()
def parse(f):
    p = P(); p.feed(open(f, encoding="utf-8").read()); return p
en, we = parse(sys.argv[1]), words("en")
for f, lang in ((sys.argv[2], "cy"), (sys.argv[3], "ar")):
    p, w = parse(f), words(lang)
    # Each of the page's own words, none left in English.
    left = [t for t in p.texts if t in we.values() and t not in w.values()]
    assert not left, (lang, left)
    for k in ("figures", "needs", "by_meeting", "axis_rate", "axis_date",
        "key_attendance", "key_arranged", "chart_heading"):
        assert w[k] in p.texts, (lang, k)
    assert w["title"] in p.texts[0], (lang, p.texts[0])
    assert p.svg["title"].startswith(w["chart_title"].split("{")[0]), \
        (lang, p.svg)
    assert w["chart_meeting"].split("{")[0] in p.svg["desc"], (lang, p.svg)
    # The same counts as the English page, row by row.
    assert len(p.rows) == len(en.rows), lang
    # A cell in words is the same word in lang; digits stay as they are.
    for a, b in zip(en.rows, p.rows):
        assert len(a) == len(b), (lang, a, b)
        for x, y in zip(a, b):
            said = {w[k] for k, v in we.items() if v == x}
            assert y in said if said else y == x, (lang, x, y)
    assert p.nav == w["languages"], (lang, p.nav)
    got = sorted((a["hreflang"], a["lang"], a["href"].split("?")[1])
        for a in p.links)
    want = sorted((l, l, "lang=" + l) for l in ("ar", "cy", "en")
        if l != lang)
    assert got == want, (lang, got)
print("pages in cy and ar: %d rows each" % len(en.rows))
PYEOF
grep -q 'direction="rtl"' "$T/page-ar.html" &&
    ! grep -q 'direction="rtl"' "$T/page-cy.html" ||
    fail "the chart's words are not written right to left in Arabic"
ok "the page in Welsh and Arabic: their words, the same counts"
[ -z "${REPORT_KEEP:-}" ] ||
    cp "$T/page-cy.html" "$T/page-ar.html" "$REPORT_KEEP/"
bad=$(echo "$url" | sed 's/.$/A/')
[ "$bad" != "$url" ] || bad=$(echo "$url" | sed 's/.$/B/')
expect_code 403 GET "${bad#"$BASE"}"
code=$(curl -sS -m 10 -o "$T/bad-cy.html" -w '%{http_code}' "$bad?lang=cy")
[ "$code" = 403 ] && grep -q '^<html lang="cy"' "$T/bad-cy.html" &&
    grep -q "ddolen hon yn gweithio" "$T/bad-cy.html" ||
    fail "a tampered Welsh link gave $code: $(cat "$T/bad-cy.html")"
expect_code 403 GET "$(echo "${url#"$BASE"}" | sed "s/$from/$m3/")"
api 200 PATCH /groups/ilg '{"report_members": false}'
code=$(curl -sS -m 10 -o /dev/null -w '%{http_code}' "$url")
[ "$code" = 404 ] || fail "an unshared report gave $code"
api 200 PATCH /groups/ilg '{"report_members": true}'
ok "a tampered link is refused, in the reader's language; an unshared \
report is not shown"

# A token for another group finds no report of this one.
api 201 POST /tokens '{"name": "other-coord", "groups": ["other"]}'
tok=$(jv 'd["token"]')
code=$(curl -sS -m 10 -o "$T/body" -w '%{http_code}' -H \
    "Authorization: Bearer $tok" \
    "$BASE/api/v1/groups/ilg/report?from=$from&to=$to")
[ "$code" = 404 ] || fail "another group's token gave $code"
code=$(curl -sS -m 10 -o "$T/body" -w '%{http_code}' -H \
    "Authorization: Bearer $tok" \
    "$BASE/api/v1/groups/other/report?from=$from&to=$to")
[ "$code" = 200 ] || fail "its own group's report gave $code"
ok "a token for another group gets 404"

# Erasing a member changes no count of either period.
ctl person erase "$rh" >/dev/null || fail "erasing failed"
api 200 GET "/groups/ilg/report?from=$from&to=$to"
"$PY" - "$T/report.json" "$T/body" <<'PYEOF' || fail "erasing changed counts"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
for k in ("figures", "needs", "previous_needs", "messages",
    "previous_messages", "meetings"):
    assert a[k] == b[k], k
PYEOF
cp "$T/body" "$T/erased.json"
check "$T/erased.json"
ok "erasing a member leaves the report's counts as they were"
stop_daemon
pass
