# convenectl-manage.sh: what a coordinator does with convenectl: a group,
# a venue, three people who hear in different ways, their memberships and
# a six-weekly series; bad input refused with the field named and nothing
# written; a meeting moved and one cancelled; a bearer token that works
# over TCP, and a wrong one that does not.
. "$(dirname "$0")/lib.sh"

# convenectl prints meetings in the group's zone, not the machine's: it
# runs in a zone far from the group's so that a mix-up shows.
ctl() {
	TZ=America/Chicago "$CONVENECTL" -s "$T/state/convened.sock" "$@"
}

# Everything the daemon holds that these commands can change.
snapshot() {
	{
		ctl group list
		ctl person list
		ctl venue list
		ctl series list
		ctl occurrence list
	} > "$T/$1" 2>&1 || fail "cannot list what the daemon holds"
}

# refused WANT ARGS...: exit 1, WANT in what it says, nothing written.
refused() {
	want=$1
	shift
	snapshot before
	st=0
	ctl "$@" >"$T/out" 2>"$T/err" || st=$?
	[ "$st" -eq 1 ] || fail "$* exited $st, wanted 1: $(cat "$T/err")"
	grep -qF -- "$want" "$T/err" ||
	    fail "$*: said '$(cat "$T/err")', wanted '$want'"
	grep -q '^convenectl: ' "$T/err" || fail "$*: said '$(cat "$T/err")'"
	snapshot after
	cmp -s "$T/before" "$T/after" ||
	    fail "$* was refused but changed: $(diff "$T/before" "$T/after")"
	ok "$1 $2 refused: $(sed 's/^convenectl: //' "$T/err")"
}

# usage_error ARGS...: a mistake on the command line exits 2.
usage_error() {
	st=0
	ctl "$@" >"$T/out" 2>"$T/err" || st=$?
	[ "$st" -eq 2 ] || fail "$* exited $st, wanted 2: $(cat "$T/err")"
	grep -q '^usage: convenectl' "$T/err" ||
	    fail "$*: no usage: $(cat "$T/err")"
	ok "usage error: $*"
}

day() {
	"$PY" -c 'import datetime, sys
print(datetime.date.today() + datetime.timedelta(days=int(sys.argv[1])))' "$1"
}

start_daemon

# A group, a venue, three people ----------------------------------------

ctl group add dp-steering "Direct Payments Steering Group" \
    --time-zone Europe/London --lead-times P7D,P1D --contact "Sam, 01632 960001" \
    --rate 2500 > "$T/out" || fail "group add: $(cat "$T/out")"
grep -q '^added group dp-steering: Direct Payments Steering Group$' \
    "$T/out" || fail "group add said: $(cat "$T/out")"
ctl group list > "$T/out"
grep -q '^dp-steering  *Direct Payments Steering Group  *Europe/London  *P7D,P1D  *0$' \
    "$T/out" || fail "group list: $(cat "$T/out")"
ok "group added and listed"

ctl venue add "Town Hall Room 2" --address "1 High Street" \
    --travel "Bus 12 stops outside" --step-free --hearing-loop \
    --accessible-toilet > "$T/out" || fail "venue add: $(cat "$T/out")"
venue=$(sed -n 's/^added venue \([0-9][0-9]*\): Town Hall Room 2$/\1/p' \
    "$T/out")
[ -n "$venue" ] || fail "venue add said: $(cat "$T/out")"
ctl venue list > "$T/out"
grep -q "^$venue  *Town Hall Room 2  *step-free, hearing loop, accessible toilet  *1 High Street" \
    "$T/out" || fail "venue list: $(cat "$T/out")"
ok "venue added and listed"

# add_person NAME ARGS...: sets $id.
add_person() {
	ctl person add "$@" > "$T/out" || fail "person add $*: $(cat "$T/out")"
	id=$(sed -n "s/^added person \([0-9][0-9]*\): $1\$/\1/p" "$T/out")
	[ -n "$id" ] || fail "person add said: $(cat "$T/out")"
}
add_person "Ann Jones" --email ann@example.org --style easyread \
    --channels email
ann=$id
add_person "Bob Khan" --phone "07700 900123" --channels sms --language cy \
    --quiet-hours 21:00-08:00
bob=$id
add_person "Cat Lee" --channels feed
cat=$id
ctl person list > "$T/out"
grep -q "^$ann  *Ann Jones  *ann@example.org  *-  *en  *easyread  *email$" \
    "$T/out" || fail "person list: $(cat "$T/out")"
grep -q "^$bob  *Bob Khan  *-  *+447700900123  *cy  *standard  *sms$" \
    "$T/out" || fail "person list: $(cat "$T/out")"
grep -q "^$cat  *Cat Lee  *-  *-  *en  *standard  *feed$" "$T/out" ||
    fail "person list: $(cat "$T/out")"
[ "$(wc -l < "$T/out")" -eq 4 ] || fail "person list: $(cat "$T/out")"
ctl -j person show "$bob" > "$T/json"
"$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["phone"] == "+447700900123", d
assert d["quiet_start"] == "21:00" and d["quiet_end"] == "08:00", d' \
    "$T/json" || fail "person show -j: $(cat "$T/json")"
ctl person show "$bob" > "$T/out"
grep -q '^quiet hours: 21:00-08:00$' "$T/out" ||
    fail "person show: $(cat "$T/out")"
ok "three people: email only, SMS only (+44), feed only"

# Quiet hours read as they are given, in every answer about a person.
quiet_json() {
	"$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
for p in d.get("people", [d]):
	if p["id"] == int(sys.argv[2]):
		assert [p["quiet_start"], p["quiet_end"]] == sys.argv[3:], p
		break
else:
	assert False, d' "$T/json" "$@" || fail "quiet hours: $(cat "$T/json")"
}
ctl -j person add "Dee Quiet" --phone "07700 900125" --channels sms \
    --quiet-hours 22:00-07:00 > "$T/json" || fail "person add -j"
dee=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["id"])' \
    "$T/json")
quiet_json "$dee" 22:00 07:00
ctl -j person change "$dee" --quiet-hours 22:30-06:45 > "$T/json" ||
    fail "person change -j"
quiet_json "$dee" 22:30 06:45
ctl -j person list > "$T/json" || fail "person list -j"
quiet_json "$bob" 21:00 08:00
ctl person remove "$dee" > /dev/null || fail "person remove $dee"
ok "quiet hours as HH:MM in person add, change, show and list -j"

ctl member add dp-steering "$ann" --role co-chair > "$T/out" ||
    fail "member add: $(cat "$T/out")"
grep -q "^added person $ann to dp-steering as co-chair$" "$T/out" ||
    fail "member add said: $(cat "$T/out")"
ctl member add dp-steering "$bob" > /dev/null || fail "member add $bob"
ctl member add dp-steering "$cat" --role observer > /dev/null ||
    fail "member add $cat"
ctl group show dp-steering > "$T/out"
grep -q '^members: 3$' "$T/out" || fail "group show: $(cat "$T/out")"
grep -q "^$ann  *Ann Jones  *co-chair  *email$" "$T/out" ||
    fail "group show: $(cat "$T/out")"
grep -q "^$bob  *Bob Khan  *member  *sms$" "$T/out" ||
    fail "group show: $(cat "$T/out")"
grep -q "^$cat  *Cat Lee  *observer  *feed$" "$T/out" ||
    fail "group show: $(cat "$T/out")"
grep -q '^payment rate: .25\.00$' "$T/out" ||
    fail "group show: $(cat "$T/out")"
ok "memberships with roles"

# A six-weekly series from three days ahead -------------------------------

d1=$(day 3)
d2=$(day 45)
d3=$(day 87)
ctl series add dp-steering "Steering group meeting" "${d1}T18:00" \
    --rrule "FREQ=WEEKLY;INTERVAL=6" --duration 120 --venue "$venue" \
    --agenda "Direct payments review" --exdate "${d3}T18:00" > "$T/out" ||
    fail "series add: $(cat "$T/out")"
series=$(sed -n 's/^added series \([0-9][0-9]*\): Steering group meeting$/\1/p' \
    "$T/out")
[ -n "$series" ] || fail "series add said: $(cat "$T/out")"
ctl series list --group dp-steering > "$T/out"
grep -q "^$series  *dp-steering  *Steering group meeting  *$d1 18:00 Europe/London  *FREQ=WEEKLY;INTERVAL=6  *120  *$venue$" \
    "$T/out" || fail "series list: $(cat "$T/out")"
ctl -j series list > "$T/json"
"$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))["series"]
assert len(d) == 1, d
assert d[0]["exdates"] == sys.argv[2].replace("-", "") + "T180000", d' \
    "$T/json" "$d3" || fail "series list -j: $(cat "$T/json")"
ok "six-weekly series added and listed"

ctl occurrence list --group dp-steering > "$T/out"
[ "$(grep -c ' scheduled  *Steering group meeting' "$T/out")" -eq 2 ] ||
    fail "occurrence list: $(cat "$T/out")"
grep -Eq " $d1 18:00 (GMT|BST)  +scheduled " "$T/out" ||
    fail "occurrence list, not in London time: $(cat "$T/out")"
grep -Eq " $d2 18:00 (GMT|BST)  +scheduled " "$T/out" ||
    fail "occurrence list, not in London time: $(cat "$T/out")"
occ1=$(awk -v d="$d1" '$4 == d { print $1 }' "$T/out")
occ2=$(awk -v d="$d2" '$4 == d { print $1 }' "$T/out")
[ -n "$occ1" ] && [ -n "$occ2" ] || fail "occurrence list: $(cat "$T/out")"
ctl occurrence list --days 10 > "$T/out"
[ "$(grep -c ' scheduled ' "$T/out")" -eq 1 ] ||
    fail "occurrence list --days 10: $(cat "$T/out")"
ok "meetings listed in the group's local time"

planned
ctl outbox --person "$bob" > "$T/out" || fail "outbox: $(cat "$T/out")"
grep -q ' pending  *-  *sms  *reminder P1D  *'"$bob"' Bob Khan ' "$T/out" ||
    fail "outbox: $(cat "$T/out")"
bobs=$(grep -c ' Bob Khan ' "$T/out")
grep -q "^pending  *$bobs\$" "$T/out" || fail "outbox counts: $(cat "$T/out")"
for who in "--person $bob" "--occurrence $occ1" ""; do
	ctl -j outbox $who > "$T/json"
	"$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
n = sum(c["n"] for c in d["counts"])
assert n == len(d["messages"]), (n, d)
assert len({m["person_id"] for m in d["messages"]}) > (sys.argv[2] == ""), d' \
	    "$T/json" "$who" || fail "outbox $who counts: $(cat "$T/json")"
done
ctl outbox --person "$cat" > "$T/out"
grep -q '^no messages$' "$T/out" || fail "outbox for Cat: $(cat "$T/out")"
ok "reminders in the outbox"

# Bad input: refused, the field named, nothing written --------------------

ctl group add long-leads "Long leads" --lead-times P50D > /dev/null ||
    fail "group add long-leads"
refused "rrule" series add dp-steering "Bad rule" "${d1}T18:00" \
    --rrule "FREQ=SOMETIMES"
refused "not a date on the calendar" series add dp-steering "Bad date" \
    "2027-02-30T18:00"
refused "lead_times" series add long-leads "Too soon" "${d1}T18:00" \
    --rrule "FREQ=WEEKLY;INTERVAL=6"
refused "time_zone" group add moon "Moon group" --time-zone Mars/Olympus
refused "phone" person add "Dee Fox" --phone "not a number" --channels sms
refused "email" person add "Ann Again" --email ANN@example.org
refused "style" person add "Eve Gray" --email eve@example.org --style fancy
refused "role" member add dp-steering "$ann" --role boss
refused "in the past" occurrence move "$occ1" "2020-01-06T18:00"
refused "no such group" group show nobody
refused "channels" person test "$cat"

usage_error group add only-a-slug
usage_error person show twelve
usage_error series add dp-steering "x" "${d1}T18:00" --duration long
usage_error person change "$ann"
usage_error group frobnicate

# Moving and cancelling meetings -------------------------------------------

d4=$(day 10)
ctl occurrence move "$occ1" "${d4}T19:30" --reason "room double-booked" \
    > "$T/out" || fail "occurrence move: $(cat "$T/out")"
grep -Eq "^Steering group meeting $occ1 \(... $d4 19:30 (GMT|BST)\): moved$" \
    "$T/out" || fail "occurrence move said: $(cat "$T/out")"
ctl occurrence cancel "$occ2" --reason "strike" > "$T/out" ||
    fail "occurrence cancel: $(cat "$T/out")"
grep -q ": cancelled$" "$T/out" ||
    fail "occurrence cancel said: $(cat "$T/out")"
ctl occurrence list --group dp-steering > "$T/out"
grep -q "^$occ1  *dp-steering  *... $d4 19:30 [A-Z]*  *moved  *Steering group meeting  *from ... $d1 18:00 [A-Z]*: room double-booked$" \
    "$T/out" || fail "occurrence list after the move: $(cat "$T/out")"
grep -q "^$occ2  *dp-steering  *... $d2 18:00 [A-Z]*  *cancelled  *Steering group meeting  *strike$" \
    "$T/out" || fail "occurrence list after the cancel: $(cat "$T/out")"
ok "meetings moved and cancelled"
refused "cancelled" occurrence move "$occ2" "${d4}T18:00"

# A bearer token for coordinators over TCP ---------------------------------

ctl token create coordinators > "$T/token" 2>"$T/err" ||
    fail "token create: $(cat "$T/err")"
grep -q 'not shown again' "$T/err" || fail "token create said: $(cat "$T/err")"
tok=$(cat "$T/token")
echo "$tok" | grep -q '^[0-9a-f]\{48\}$' || fail "token: '$tok'"
expect_code 200 GET /api/v1/groups -H "Authorization: Bearer $tok"
grep -q '"slug": "dp-steering"' "$T/body" || fail "groups: $(cat "$T/body")"
bad=$(echo "$tok" | tr '0-9a-f' '1-9a-f0')
expect_code 401 GET /api/v1/groups -H "Authorization: Bearer $bad"
expect_code 401 GET /api/v1/groups
ok "the token works over TCP and a wrong one does not"

# Changing a series from one meeting on -------------------------------------

refused "no meeting at" series change "$series" --from-date "$(day 4)" \
    --start "$(day 4)T14:00"
ctl series change "$series" --from-date "$d2" --start "${d2}T14:00" \
    --title "Steering group (afternoons)" > "$T/out" ||
    fail "series change: $(cat "$T/out")"
ctl series list --group dp-steering > "$T/out"
grep -q "Steering group meeting .*UNTIL=" "$T/out" ||
    fail "the old series did not stop: $(cat "$T/out")"
grep -q "Steering group (afternoons)  *$d2 14:00 Europe/London" "$T/out" ||
    fail "no new series from $d2: $(cat "$T/out")"
later=$(sed -n 's/^\([0-9][0-9]*\)  .*(afternoons).*/\1/p' "$T/out")
ctl -j outbox > "$T/json"
"$PY" -c 'import json, sys
m = json.load(open(sys.argv[1]))["messages"]
updates = [x for x in m if x["kind"] == "update"]
assert updates, m' "$T/json" || fail "no update notices: $(cat "$T/json")"
ok "a series changed from one meeting on, members told"
ctl series remove "$later" > /dev/null || fail "series remove $later"

# Removing things -----------------------------------------------------------

ctl member remove dp-steering "$cat" > "$T/out" ||
    fail "member remove: $(cat "$T/out")"
ctl group show dp-steering > "$T/out"
grep -q '^members: 2$' "$T/out" || fail "group show: $(cat "$T/out")"
ctl series remove "$series" > /dev/null || fail "series remove"
ctl series list --group dp-steering > "$T/out"
grep -q '^no series$' "$T/out" || fail "series list: $(cat "$T/out")"
ctl person remove "$cat" > /dev/null || fail "person remove"
refused "no such person" person show "$cat"
ctl group remove long-leads > /dev/null || fail "group remove"
ctl group list > "$T/out"
! grep -q long-leads "$T/out" || fail "group list: $(cat "$T/out")"
ok "members, series, people and groups removed"

stop_daemon
pass
