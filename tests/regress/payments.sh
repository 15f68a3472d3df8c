#!/bin/sh
# payments.sh: involvement payments, end to end on a running daemon.
#
# A group's base rate, rates by role and whether it pays apologies are
# set (at creation, by PATCH and by convenectl) and shown; floats,
# negative amounts and unknown roles are refused with a reason.  Once
# the meetings have begun (on the daemon's test clock) attendance is
# recorded through the API, which writes the payments owed at those
# rates; the payments file is read back
# with Python's csv module: a header, CRLF, RFC 4180 quoting, a name
# that would be a formula made text, the meeting's date in its group's
# zone, pounds made from pence, and totals that agree with the database.
# convenectl writes the same file.  Payments are marked paid (and a paid
# one keeps its date); a token for another group finds none of them.
# Each member's own page, through their signed link, shows their
# attendance and payments only, in their language.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"

command -v sqlite3 >/dev/null 2>&1 || fail "sqlite3 is not installed"
start_daemon --test-clock
DB=$T/state/convene.db

ctl() {
	"$CONVENECTL" -s "$T/state/convened.sock" "$@"
}

# Rates: at creation, shown on GET.
api 201 POST /groups '{"slug": "alpha", "name": "Alpha panel",
    "time_zone": "Pacific/Auckland", "payment_rate_pence": 2500,
    "rates": {"co-chair": 3000}, "pay_apologies": true}'
[ "$(jv 'd["rates"]')" = '{"co-chair": 3000}' ] ||
    fail "created: $(cat "$T/body")"
api 201 POST /groups '{"slug": "beta", "name": "Beta panel",
    "payment_rate_pence": 1500}'
api 200 GET /groups/alpha
[ "$(jv '[d["payment_rate_pence"], d["pay_apologies"], d["rates"]]')" = \
    '[2500, true, {"co-chair": 3000}]' ] || fail "GET: $(cat "$T/body")"

# Only whole pence, and roles that exist.
api 422 PATCH /groups/alpha '{"payment_rate_pence": 25.5}'
grep -q 'payment_rate_pence: give whole pence' "$T/body" ||
    fail "a float: $(cat "$T/body")"
api 422 PATCH /groups/alpha '{"rates": {"co-chair": -1}}'
grep -q 'rates: co-chair: give whole pence' "$T/body" ||
    fail "a negative rate: $(cat "$T/body")"
api 422 PATCH /groups/alpha '{"rates": {"co-chair": "30.00"}}'
api 422 PATCH /groups/alpha '{"rates": {"chair": 3000}}'
grep -q 'chair is not a role' "$T/body" || fail "a role: $(cat "$T/body")"
api 422 PATCH /groups/alpha '{"pay_apologies": "yes"}'
api 422 POST /groups '{"slug": "gamma", "name": "G",
    "payment_rate_pence": 12.5}'
api 404 GET /groups/gamma
api 200 GET /groups/alpha
[ "$(jv '[d["payment_rate_pence"], d["pay_apologies"], d["rates"]]')" = \
    '[2500, true, {"co-chair": 3000}]' ] ||
    fail "a refused change changed: $(cat "$T/body")"
api 200 PATCH /groups/alpha '{"payment_rate_pence": 2000,
    "rates": {"co-chair": 3500, "supporter": 1000}, "pay_apologies": false}'
[ "$(jv '[d["payment_rate_pence"], d["pay_apologies"], d["rates"]]')" = \
    '[2000, false, {"co-chair": 3500, "supporter": 1000}]' ] ||
    fail "PATCH: $(cat "$T/body")"
ctl group rates alpha --base 2505 --role buddy-chair=2800 \
    --role supporter= --pay-apologies yes > "$T/out" ||
    fail "group rates: $(cat "$T/out")"
cat > "$T/want" <<'WANT'
alpha pays 25.05 a meeting
  buddy-chair: 28.00
  co-chair: 35.00
apologies: paid
WANT
cmp -s "$T/out" "$T/want" || fail "group rates said: $(cat "$T/out")"
ctl group rates alpha > "$T/out" || fail "group rates, to show them"
cmp -s "$T/out" "$T/want" || fail "group rates showed: $(cat "$T/out")"
st=0
ctl group rates alpha --role co-chair=35.00 > "$T/out" 2>&1 || st=$?
[ "$st" = 2 ] && grep -q "not whole pence" "$T/out" ||
    fail "group rates with pounds: $st $(cat "$T/out")"
[ "$(sqlite3 "$DB" "SELECT group_concat(role || '=' || rate_pence) FROM
    (SELECT * FROM group_rates ORDER BY role)")" = \
    "buddy-chair=2800,co-chair=3500" ] || fail "group_rates in the database"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM audit_log WHERE action = 'rates'
    AND object = 'group'")" -ge 3 ] || fail "rates changes are not audited"
ok "rates are set, shown, refused when not whole pence"

# People, meetings, and attendance recorded once they have begun.
api 201 POST /people '{"name": "Ann Alpha", "email": "ann@example.org",
    "group": "alpha"}'
ann=$(jv 'd["id"]')
api 201 POST /groups/alpha/members "{\"person\": $ann, \"role\": \"co-chair\"}"
api 201 POST /people '{"name": "=HYPERLINK(\"http://x\"), \"Eve\"",
    "email": "eve@example.org", "group": "alpha", "language": "ar"}'
eve=$(jv 'd["id"]')
api 201 POST /people '{"name": "Bob Beta", "email": "bob@example.org",
    "group": "beta", "language": "cy"}'
bob=$(jv 'd["id"]')
# 09:00 in Auckland is the evening before in UTC: the date is Auckland's.
day1=$(TZ=Pacific/Auckland date -d "+3 days" '+%Y-%m-%d')
api 201 POST /series "{\"group\": \"alpha\", \"title\": \"Panel, fortnightly\",
    \"start\": \"${day1}T09:00\",
    \"rrule\": \"FREQ=WEEKLY;INTERVAL=2;COUNT=3\"}"
api 201 POST /series "{\"group\": \"beta\", \"title\": \"Beta meeting\",
    \"start\": \"${day1}T18:00\"}"
api 200 GET "/occurrences?group=alpha&days=60"
set -- $(jv '[o["id"] for o in d["occurrences"]]')
[ $# = 3 ] || fail "alpha has $# meetings: $(cat "$T/body")"
a1=$1 a2=$2 a3=$3
last=$(jv 'max(o["start_at"] for o in d["occurrences"])')
api 200 GET "/occurrences?group=beta&days=60"
b1=$(jv 'd["occurrences"][0]["id"]')
advance_to $((last + 600))
attend() {
	api 200 POST "/occurrences/$1/attendance" "{\"people\": [$2]}"
}
attend "$a1" "{\"person\": $ann, \"status\": \"attended\"},
    {\"person\": $eve, \"status\": \"attended\"}"
attend "$a2" "{\"person\": $ann, \"status\": \"apologies\",
    \"reason\": \"unwell\"}"
attend "$a3" "{\"person\": $ann, \"status\": \"absent\"}"
attend "$b1" "{\"person\": $bob, \"status\": \"attended\"}"
# What the rates owe: co-chair 35.00, apologies paid, absence not.
[ "$(sqlite3 "$DB" "SELECT group_concat(person_id || ':' || amount_pence)
    FROM (SELECT * FROM payments ORDER BY occurrence_id, person_id)")" = \
    "$ann:3500,$eve:2505,$ann:3500,$bob:1500" ] ||
    fail "payments owed: $(sqlite3 "$DB" "SELECT * FROM payments")"

# The file finance loads, read back by Python's csv module.
code=$(curl -sS -m 10 --unix-socket "$T/state/convened.sock" -o "$T/csv" \
    -D "$T/head" -w '%{http_code}' -H 'Accept: text/csv' \
    "http://localhost/api/v1/payments?group=alpha") || code=000
[ "$code" = 200 ] || fail "payments as CSV gave $code"
grep -qi '^Content-Type: text/csv' "$T/head" || fail "$(cat "$T/head")"
sqlite3 "$DB" "SELECT y.id, y.amount_pence FROM payments y JOIN occurrences o
    ON o.id = y.occurrence_id JOIN series s ON s.id = o.series_id WHERE
    s.group_id = (SELECT id FROM groups WHERE slug = 'alpha')" > "$T/db"
"$PY" - "$T/csv" "$T/db" "$day1" "$a1" "$ann" "$eve" <<'PYEOF' ||
import csv, datetime, io, sys
raw = open(sys.argv[1], "rb").read()
assert raw.endswith(b"\r\n") and raw.count(b"\n") == raw.count(b"\r\n"), \
    "not CRLF"
rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
head = rows[0]
assert head == ["person", "person_id", "meeting", "date", "role", "amount",
    "amount_pence", "status", "paid_on", "group", "payment_id"], head
body = [dict(zip(head, r)) for r in rows[1:-1]]
last = dict(zip(head, rows[-1]))
assert all(len(r) == len(head) for r in rows), "ragged rows"
# Against the database, summed here from its own integers.
db = dict(l.split("|") for l in open(sys.argv[2]).read().split())
assert sorted(r["payment_id"] for r in body) == sorted(db), (body, db)
for r in body:
    assert r["amount_pence"] == db[r["payment_id"]]
    p = int(r["amount_pence"])
    assert r["amount"] == "%d.%02d" % (p // 100, p % 100), r
    assert r["status"] == "owed" and r["paid_on"] == "", r
total = sum(int(v) for v in db.values())
assert sum(int(r["amount_pence"]) for r in body) == total == 9505, total
# The last line is the total, and nothing else.
assert last == dict(zip(head, ["Total", "", "", "", "", "95.05", "9505",
    "", "", "", ""])), last
# The meeting's own date in Auckland, not UTC's.
first = [r for r in body if r["person_id"] == sys.argv[5]][0]
assert first["date"] == sys.argv[3], first
assert first["meeting"] == "Panel, fortnightly" and first["role"] == "co-chair"
assert first["amount"] == "35.00", first
eve = [r for r in body if r["person_id"] == sys.argv[6]][0]
assert eve["person"] == "'=HYPERLINK(\"http://x\"), \"Eve\"", eve["person"]
assert eve["amount"] == "25.05"
assert raw.count(b'"Panel, fortnightly"') == 3, "a comma is not quoted"
PYEOF
    fail "the CSV: $(cat "$T/csv")"
ok "the CSV reads back whole, totals agree, a formula stays text"

# ?format=csv and convenectl give the same file; JSON has the totals.
api 200 GET "/payments?group=alpha&format=csv"
cmp -s "$T/body" "$T/csv" || fail "?format=csv differs from Accept"
ctl payments --group alpha > "$T/ctl.csv" 2> "$T/ctl.err" ||
    fail "convenectl payments: $(cat "$T/ctl.err")"
cmp -s "$T/ctl.csv" "$T/csv" || fail "convenectl's file differs"
[ "$(cat "$T/ctl.err")" = \
    "3 payments, total 95.05 (owed 95.05, paid 0.00)" ] ||
    fail "convenectl's total: $(cat "$T/ctl.err")"
api 200 GET "/payments?group=alpha"
[ "$(jv '[d["count"], d["total"], d["total_pence"], d["owed_pence"]]')" = \
    '3 95.05 9505 9505' ] || fail "JSON totals: $(cat "$T/body")"
api 200 GET "/payments?group=alpha&from=$day1&to=$day1"
[ "$(jv 'd["count"]')" = 2 ] || fail "one day: $(cat "$T/body")"
prev=$(date -d "$day1 -1 day" +%Y-%m-%d)
api 200 GET "/payments?group=alpha&from=$prev&to=$prev"
[ "$(jv 'd["count"]')" = 0 ] || fail "UTC's day: $(cat "$T/body")"
api 422 GET "/payments?group=alpha&from=2026-02-30"
api 404 GET "/payments?group=nope"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM audit_log WHERE action = 'export'
    AND object = 'payments'")" -ge 5 ] || fail "exports are not audited"
ok "?format=csv, convenectl and JSON agree; days are the group's"

# Marked paid; a paid payment keeps its date.
set -- $(sqlite3 "$DB" "SELECT id FROM payments WHERE person_id = $ann
    ORDER BY occurrence_id")
p1=$1 p2=$2
api 200 POST /payments/paid "{\"ids\": [$p1], \"paid_on\": \"2026-11-30\"}"
[ "$(jv '[d["paid"], d["already_paid"]]')" = "[[$p1], []]" ] ||
    fail "paid: $(cat "$T/body")"
api 422 POST /payments/paid "{\"ids\": [$p2], \"paid_on\": \"30/11/2026\"}"
api 404 POST /payments/paid "{\"ids\": [$p2, 99999],
    \"paid_on\": \"2026-12-01\"}"
ctl payments paid "$p1" "$p2" --on 2026-12-01 > "$T/out" ||
    fail "payments paid: $(cat "$T/out")"
printf 'marked 1 payments paid on 2026-12-01\npaid already, unchanged: %s\n' \
    "$p1" > "$T/want"
cmp -s "$T/out" "$T/want" || fail "payments paid said: $(cat "$T/out")"
# A correction of attendance leaves a paid payment as it was.
attend "$a1" "{\"person\": $ann, \"status\": \"absent\"}"
[ "$(sqlite3 "$DB" "SELECT paid_on || ' ' || paid_by || ' ' ||
    amount_pence FROM payments WHERE id = $p1")" = \
    "2026-11-30 control 3500" ] || fail "a paid payment changed"
attend "$a1" "{\"person\": $ann, \"status\": \"attended\"}"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM audit_log WHERE action = 'paid'
    AND object = 'payment'")" = 2 ] || fail "marking paid is not audited"
# Without the total line, for a pivot table: the rows alone.
api 200 GET "/payments?group=alpha&format=csv"
sed '$d' "$T/body" > "$T/rows"
grep -q '^Total,' "$T/body" && ! grep -q '^Total,' "$T/rows" ||
    fail "no total line: $(cat "$T/body")"
api 200 GET "/payments?group=alpha&format=csv&total=no"
cmp -s "$T/rows" "$T/body" || fail "total=no: $(cat "$T/body")"
ctl payments --group alpha --no-total > "$T/out" 2>/dev/null ||
    fail "--no-total"
cmp -s "$T/out" "$T/rows" || fail "--no-total: $(cat "$T/out")"
api 422 GET "/payments?group=alpha&format=csv&total=maybe"
ctl payments --group alpha --owed > "$T/out" 2>/dev/null || fail "--owed"
[ "$(grep -c ',owed,' "$T/out")" = 1 ] || fail "--owed: $(cat "$T/out")"
ctl payments --group alpha --paid > "$T/out" 2>"$T/err" || fail "--paid"
grep -q ',paid,2026-11-30,alpha,' "$T/out" || fail "--paid: $(cat "$T/out")"
[ "$(cat "$T/err")" = "2 payments, total 70.00 (owed 0.00, paid 70.00)" ] ||
    fail "--paid total: $(cat "$T/err")"
# By group and period: what is owed then, and nothing else.
api 200 POST /payments/paid "{\"group\": \"alpha\", \"from\": \"$day1\",
    \"to\": \"$day1\", \"paid_on\": \"2026-12-02\"}"
[ "$(jv 'len(d["paid"])')" = 1 ] || fail "by period: $(cat "$T/body")"
[ "$(sqlite3 "$DB" "SELECT paid_on FROM payments WHERE person_id = $eve")" \
    = 2026-12-02 ] || fail "by period did not mark Eve's"
ok "payments are marked paid once, audited"

# A token for beta sees none of alpha's.
ctl token create coordB --group beta > "$T/tb" 2>/dev/null ||
    fail "token create"
TB=$(cat "$T/tb")
tok() {
	code=$(curl -sS -m 10 -o "$T/body" -w '%{http_code}' \
	    -H "Authorization: Bearer $TB" -H 'Content-Type: application/json' \
	    "$@") || code=000
	echo "$code"
}
[ "$(tok "$BASE/api/v1/payments?group=alpha")" = 404 ] ||
    fail "beta's token read alpha's payments"
[ "$(tok "$BASE/api/v1/payments")" = 200 ] || fail "beta's own"
[ "$(jv '[p["group"] for p in d["payments"]]')" = beta ] ||
    fail "beta's token sees: $(cat "$T/body")"
[ "$(tok -d "{\"ids\": [$p2], \"paid_on\": \"2026-12-03\"}" \
    "$BASE/api/v1/payments/paid")" = 404 ] ||
    fail "beta's token marked alpha's payment"
[ "$(tok -X PATCH -d '{"payment_rate_pence": 1}' \
    "$BASE/api/v1/groups/alpha")" = 404 ] || fail "beta's token set rates"
ok "a token for another group finds nothing"

# Each member's own page, through their own link.
link() {
	api 200 GET "/people/$1/preferences"
	jv 'd["url"]'
}
annurl=$(link "$ann")
boburl=$(link "$bob")
eveurl=$(link "$eve")
page() {
	code=$(curl -sS -m 10 -o "$T/page" -w '%{http_code}' "$2") || code=000
	[ "$code" = "$1" ] || fail "GET $2 gave $code: $(cat "$T/page")"
}
page 200 "$annurl"
grep -q 'href="[^"]*/involvement">Your meetings and payments</a>' \
    "$T/page" || fail "the preferences page has no link to it"
page 200 "$annurl/involvement"
for want in "You came" "You sent apologies" "You did not come" \
    "&pound;35.00" "Paid on 30 November 2026" "Paid on 1 December 2026" \
    "&pound;70.00" "Panel, fortnightly" "Alpha panel"; do
	grep -q "$want" "$T/page" || fail "Ann's page lacks $want"
done
grep -qi "absen" "$T/page" && fail "Ann's page calls something absence"
for other in "Beta meeting" "HYPERLINK" "25.05" "15.00"; do
	grep -q "$other" "$T/page" && fail "Ann's page shows $other"
done
page 200 "$boburl/involvement"
grep -q 'lang="cy"' "$T/page" && grep -q "Roeddech chi yno" "$T/page" &&
    grep -q "&pound;15.00" "$T/page" && grep -q "Heb dalu eto" "$T/page" ||
    fail "Bob's page: $(cat "$T/page")"
grep -q "Panel, fortnightly" "$T/page" && fail "Bob's page shows Ann's meeting"
# In Easy Read words for one who reads Easy Read.
api 200 PATCH "/people/$bob" '{"style": "easyread"}'
page 200 "$boburl/involvement"
grep -q "Oeddech chi yno?" "$T/page" &&
    grep -q "Byddwn ni&#39;n talu hwn i chi cyn bo hir" "$T/page" ||
    fail "Bob's Easy Read page: $(cat "$T/page")"
page 200 "$eveurl/involvement"
grep -q 'dir="rtl"' "$T/page" && grep -q "حضرت" "$T/page" ||
    fail "Eve's page is not in Arabic: $(cat "$T/page")"
grep -q "<script" "$T/page" && fail "the page has a script"
# Another's id in a link, or another page after it, opens nothing.
rest=${annurl##*/preferences/}
page 403 "$BASE/preferences/$bob.${rest#*.}/involvement"
page 403 "$annurl/other"
code=$(curl -sS -m 10 -o "$T/page" -w '%{http_code}' -X POST \
    --data-raw 'x=1' "$annurl/involvement") || code=000
[ "$code" = 405 ] || fail "POST to the page gave $code"
ok "a member's page shows their own and nobody else's"

# Their export has their payments.
api 200 GET "/people/$ann/export"
[ "$(jv 'sorted([p["amount_pence"] for p in d["payments"]])')" = \
    "3500 3500" ] || fail "export: $(cat "$T/body")"
ok "the export has the payments"

pass
