# privacy.sh: who may see what, and a person erased for good.
#
# A permission matrix: a token made for one group (alpha), a token for
# every group and the control socket, each against the groups, people,
# meetings, answers, series, messages and data of alpha and of beta; a
# token for alpha finds nothing of beta (404, as if it were not there),
# sees only alpha in every list, and cannot make groups or erase.  A
# member's link to answer works for them and that meeting only: a link
# with another person's or meeting's id put in is refused, and never
# shows or records another's answer.  Every read of answers leaves an
# audit line naming who read them.
#
# Then erasure: a person with a name, email and phone found nowhere else,
# who answered with a note and set their preferences, is erased; their
# links and feed stop working, the counts of answers stay, and after the
# checkpoint neither the database nor its write-ahead log (nor the
# shared-memory file) holds their name, email, phone or note, whether
# the daemon runs or has stopped.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"

command -v sqlite3 >/dev/null 2>&1 || fail "sqlite3 is not installed"
start_daemon
DB=$T/state/convene.db

ctl() {
	"$CONVENECTL" -s "$T/state/convened.sock" "$@"
}

api 201 POST /groups '{"slug": "alpha", "name": "Alpha panel"}'
api 201 POST /groups '{"slug": "beta", "name": "Beta panel"}'
api 201 POST /people '{"name": "Ann Alpha", "email": "ann@example.org",
    "group": "alpha"}'
ann=$(jv 'd["id"]')
api 201 POST /people '{"name": "Bob Beta", "email": "bob@example.org",
    "group": "beta"}'
bob=$(jv 'd["id"]')
start=$(TZ=Europe/London date -d "+3 days" '+%Y-%m-%dT18:00')
for g in alpha beta; do
	api 201 POST /series "{\"group\": \"$g\", \"title\": \"$g meeting\",
	    \"start\": \"$start\"}"
done
api 200 GET "/occurrences?group=alpha&days=30"
occa=$(jv 'd["occurrences"][0]["id"]')
sera=$(jv 'd["occurrences"][0]["series_id"]')
api 200 GET "/occurrences?group=beta&days=30"
occb=$(jv 'd["occurrences"][0]["id"]')
serb=$(jv 'd["occurrences"][0]["series_id"]')

# rsvp PERSON OCCURRENCE: a link to answer, signed as messages are.
rsvp() {
	"$PY" - "$T/state/signing.key" "$1" "$2" <<'PYEOF'
import base64, hashlib, hmac, sys, time
key = bytes.fromhex(open(sys.argv[1]).read().strip())
subject = "%s.%s" % (sys.argv[2], sys.argv[3])
exp = int(time.time()) + 86400
mac = hmac.new(key, b"rsvp:%s:%d" % (subject.encode(), exp),
    hashlib.sha512).digest()[:16]
print("%s.%d.%s" % (subject, exp,
    base64.urlsafe_b64encode(mac).decode().rstrip("=")))
PYEOF
}

# page WANT METHOD URL [FORM]: a member's page; the page in $T/page.
page() {
	if [ $# -ge 4 ]; then
		code=$(curl -sS -m 10 -o "$T/page" -w '%{http_code}' -X "$2" \
		    --data-raw "$4" "$3") || code=000
	else
		code=$(curl -sS -m 10 -o "$T/page" -w '%{http_code}' -X "$2" \
		    "$3") || code=000
	fi
	[ "$code" = "$1" ] || fail "$2 $3 gave $code, wanted $1: $(cat "$T/page")"
}

annlink=$(rsvp "$ann" "$occa")
boblink=$(rsvp "$bob" "$occb")
page 303 POST "$BASE/rsvp/$annlink" "answer=yes&note=ann+needs+a+loop"
page 303 POST "$BASE/rsvp/$boblink" "answer=no&note=bob+private+note"

# A link works for its person and meeting only: another's id in it, or
# another meeting's, is refused, reading and recording alike.
rest=${annlink#*.*.}
for tampered in "$bob.$occa.$rest" "$ann.$occb.$rest"; do
	for m in GET POST; do
		code=$(curl -sS -m 10 -o "$T/page" -w '%{http_code}' -X "$m" \
		    --data-raw "answer=maybe" "$BASE/rsvp/$tampered") ||
		    code=000
		[ "$code" = 403 ] ||
		    fail "$m with a changed link gave $code: $(cat "$T/page")"
		grep -q "bob private note" "$T/page" &&
		    fail "a changed link shows another's note"
	done
done
[ "$(sqlite3 "$DB" "SELECT count(*) FROM answers")" = 2 ] ||
    fail "a changed link recorded an answer"
[ "$(sqlite3 "$DB" "SELECT answer FROM answers WHERE person_id = $bob")" = \
    no ] || fail "Bob's answer changed"
page 200 GET "$BASE/rsvp/$annlink"
grep -q "ann needs a loop" "$T/page" || fail "Ann's page lacks her note"
grep -q "bob private note" "$T/page" && fail "Ann's page shows Bob's note"
ok "a link to answer is its member's and meeting's alone"

ctl token create coordA --group alpha > "$T/ta" 2>/dev/null ||
    fail "token create --group"
ctl token create everyone > "$T/tu" 2>/dev/null || fail "token create"
TA=$(cat "$T/ta")
TU=$(cat "$T/tu")
ctl token list > "$T/out" || fail "token list"
grep -q "^coordA  *alpha " "$T/out" || fail "token list: $(cat "$T/out")"
grep -q "^everyone  *all " "$T/out" || fail "token list: $(cat "$T/out")"
st=0
ctl token create nowhere --group nope > "$T/out" 2> "$T/err" || st=$?
[ "$st" -eq 1 ] && grep -q "no group is called 'nope'" "$T/err" ||
    fail "a token for no such group: $st $(cat "$T/err")"
code=$(curl -sS -m 10 --unix-socket "$T/state/convened.sock" -o "$T/body" \
    -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{"name": "empty", "groups": []}' http://localhost/api/v1/tokens)
[ "$code" = 422 ] || fail "a token for an empty list of groups: $code"
ok "token list shows each token's groups"

# as WHO WANT METHOD PATH [JSON]: one cell of the matrix.
as() {
	who=$1
	want=$2
	shift 2
	case $who in
	control)
		api "$want" "$@"
		return
		;;
	A) tok=$TA ;;
	U) tok=$TU ;;
	esac
	if [ $# -ge 3 ]; then
		code=$(curl -sS -m 10 -o "$T/body" -w '%{http_code}' -X "$1" \
		    -H "Authorization: Bearer $tok" \
		    -H 'Content-Type: application/json' -d "$3" \
		    "$BASE/api/v1$2") || code=000
	else
		code=$(curl -sS -m 10 -o "$T/body" -w '%{http_code}' -X "$1" \
		    -H "Authorization: Bearer $tok" "$BASE/api/v1$2") ||
		    code=000
	fi
	[ "$code" = "$want" ] ||
	    fail "$who: $1 $2 gave $code, wanted $want: $(cat "$T/body")"
}

# An access request at beta's meeting, and Bob's standing needs.
api 201 POST "/occurrences/$occb/requests" "{\"person\": $bob,
    \"need\": \"bsl\"}"
req=$(jv 'd["id"]')
api 200 PUT "/people/$bob/needs" '{"needs": ["largeprint"]}'

# The matrix: each line a resource, and what A (alpha only), U (every
# group) and the control socket get.
n=0
while read -r method path a u c; do
	[ -n "$method" ] || continue
	path=$(echo "$path" | sed -e "s/ANN/$ann/g" -e "s/BOB/$bob/g" \
	    -e "s/OCCA/$occa/g" -e "s/OCCB/$occb/g" -e "s/SERB/$serb/g" \
	    -e "s/REQ/$req/g")
	as A "$a" "$method" "$path"
	as U "$u" "$method" "$path"
	as control "$c" "$method" "$path"
	n=$((n + 3))
done <<'EOF_MATRIX'
GET /groups/alpha 200 200 200
GET /groups/beta 404 200 200
GET /groups/beta/members 404 405 405
GET /people/ANN 200 200 200
GET /people/BOB 404 200 200
GET /people/BOB/feed 404 200 200
GET /people/BOB/preferences 404 200 200
GET /people/ANN/export 403 200 200
GET /people/BOB/export 404 200 200
GET /occurrences/OCCA 200 200 200
GET /occurrences/OCCB 404 200 200
GET /occurrences/OCCA/answers 200 200 200
GET /occurrences/OCCB/answers 404 200 200
GET /occurrences/OCCA/requests 200 200 200
GET /occurrences/OCCB/requests 404 200 200
GET /people/ANN/needs 200 200 200
GET /people/BOB/needs 404 200 200
GET /people/BOB/supporters 404 200 200
GET /series?group=beta 404 200 200
GET /occurrences?group=beta 404 200 200
GET /outbox?person=BOB 404 200 200
GET /outbox?occurrence=OCCB 404 200 200
GET /tokens 403 403 200
EOF_MATRIX
# Changes: refused by A without touching beta.
as A 404 PATCH /groups/beta '{"feed_public": true}'
as A 404 POST "/groups/beta/members" "{\"person\": $ann}"
as A 404 POST "/groups/alpha/members" "{\"person\": $bob}"
as A 404 DELETE "/groups/beta/members/$bob"
as A 404 PATCH "/people/$bob" '{"name": "Changed"}'
as A 404 DELETE "/people/$bob"
as A 404 POST "/occurrences/$occb/cancel" '{"reason": "no"}'
as A 404 POST "/requests/$req" '{"state": "arranged"}'
as A 404 POST "/occurrences/$occb/requests" "{\"person\": $bob,
    \"need\": \"captions\"}"
as A 404 PUT "/people/$bob/needs" '{"needs": []}'
as A 404 PATCH "/series/$serb" '{"title": "Changed"}'
as A 404 DELETE "/series/$serb"
as A 404 POST /series "{\"group\": \"beta\", \"title\": \"x\",
    \"start\": \"$start\"}"
as A 404 POST /people '{"name": "Cy", "email": "cy@example.org",
    "group": "beta"}'
as A 422 POST /people '{"name": "Cy", "email": "cy@example.org"}'
as A 403 POST /groups '{"slug": "gamma", "name": "Gamma"}'
as A 404 DELETE "/people/$bob/data"
as A 403 DELETE "/people/$ann/data"
as A 403 POST /tokens '{"name": "more"}'
as A 422 POST "/people/$ann/supporters" "{\"supporter\": $bob,
    \"consent_by\": \"Ann, by phone\"}"
n=$((n + 20))
[ "$(sqlite3 "$DB" "SELECT feed_public FROM groups WHERE slug = 'beta'")" \
    = 0 ] || fail "A changed beta"
[ "$(sqlite3 "$DB" "SELECT name FROM people WHERE id = $bob")" = \
    "Bob Beta" ] || fail "A changed Bob"
[ "$(sqlite3 "$DB" "SELECT status FROM occurrences WHERE id = $occb")" = \
    scheduled ] || fail "A cancelled beta's meeting"
[ "$(sqlite3 "$DB" "SELECT group_concat(need || ':' || state) FROM
    access_requests WHERE person_id = $bob")" = "bsl:requested" ] ||
    fail "A changed Bob's requests"
[ "$(sqlite3 "$DB" "SELECT group_concat(need) FROM needs_standing WHERE
    person_id = $bob")" = largeprint ] || fail "A changed Bob's needs"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM supporters WHERE supporter_id =
    $bob")" = 0 ] || fail "A linked Bob, whom it cannot see"
# A's own group: a person made in it, seen; a change to it, made.
as A 201 POST /people '{"name": "Cy Alpha", "email": "cy@example.org",
    "group": "alpha"}'
cy=$(jv 'd["id"]')
as A 200 GET "/people/$cy"
as A 200 PATCH /groups/alpha '{"feed_public": true}'
as A 422 POST /import/people "name"
as A 404 POST "/import/people?group=beta" "name"
# Someone in alpha and beta is A's to see, not to remove.
api 201 POST /groups/alpha/members "{\"person\": $bob}"
as A 200 GET "/people/$bob"
as A 403 DELETE "/people/$bob"
api 200 DELETE "/groups/alpha/members/$bob"
as A 404 GET "/people/$bob"
n=$((n + 8))

# Lists: A sees alpha and its people, meetings and messages only.
as A 200 GET /groups
[ "$(jv '[g["slug"] for g in d["groups"]]')" = alpha ] ||
    fail "A's groups: $(cat "$T/body")"
as U 200 GET /groups
[ "$(jv '[g["slug"] for g in d["groups"]]')" = "alpha beta" ] ||
    fail "U's groups: $(cat "$T/body")"
as A 200 GET /people
[ "$(jv '[p["id"] for p in d["people"]]')" = "$ann $cy" ] ||
    fail "A's people: $(cat "$T/body")"
as A 200 GET "/occurrences?days=30"
[ "$(jv '[o["group_slug"] for o in d["occurrences"]]')" = alpha ] ||
    fail "A's meetings: $(cat "$T/body")"
as A 200 GET /series
[ "$(jv '[s["group_slug"] for s in d["series"]]')" = alpha ] ||
    fail "A's series: $(cat "$T/body")"
api 202 POST "/people/$bob/test"
api 202 POST "/people/$ann/test"
# A's messages: about alpha's meeting, or about none to alpha's people
# (Bob's test message is not among them).
as A 200 GET /outbox
[ "$(jv 'sorted(set(m["person_id"] for m in d["messages"]
    if m["occurrence_id"] is None))')" = "$ann" ] ||
    fail "A's messages: $(cat "$T/body")"
[ "$(jv '(set(m["occurrence_id"] for m in d["messages"]) == {None, '"$occa"'}
    and sum(c["n"] for c in d["counts"]) == len(d["messages"]))')" = True ] ||
    fail "A's messages and counts: $(cat "$T/body")"
as U 200 GET /outbox
[ "$(jv 'sorted(set(m["person_id"] for m in d["messages"]))')" = \
    "$ann $bob $cy" ] || fail "U's messages: $(cat "$T/body")"
n=$((n + 7))
ok "$n cells of the permission matrix"

# Every read of answers is in the audit log, with who read them.
reads() {
	sqlite3 "$DB" "SELECT count(*) FROM audit_log WHERE action =
	    'read answers' AND actor = '$1' AND detail = '$2'"
}
before_a=$(reads coordA "$occa")
before_u=$(reads everyone "$occb")
before_c=$(reads control "$occa")
as A 200 GET "/occurrences/$occa/answers"
as A 404 GET "/occurrences/$occb/answers"
as U 200 GET "/occurrences/$occb/answers"
as control 200 GET "/occurrences/$occa/answers"
[ "$(reads coordA "$occa")" = $((before_a + 1)) ] ||
    fail "A's read of answers is not in the audit log"
[ "$(reads coordA "$occb")" = 0 ] || fail "a refused read was audited"
[ "$(reads everyone "$occb")" = $((before_u + 1)) ] ||
    fail "U's read of answers is not in the audit log"
[ "$(reads control "$occa")" = $((before_c + 1)) ] ||
    fail "the control socket's read of answers is not in the audit log"
before=$(sqlite3 "$DB" "SELECT count(*) FROM audit_log WHERE action =
    'read needs' AND actor = 'coordA' AND detail = '$ann'")
as A 200 GET "/people/$ann/needs"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM audit_log WHERE action =
    'read needs' AND actor = 'coordA' AND detail = '$ann'")" = \
    $((before + 1)) ] || fail "A's read of needs is not in the audit log"
before=$(sqlite3 "$DB" "SELECT count(*) FROM audit_log WHERE action =
    'export' AND actor = 'everyone' AND detail = '$bob'")
as U 200 GET "/people/$bob/export"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM audit_log WHERE action =
    'export' AND actor = 'everyone' AND detail = '$bob'")" = \
    $((before + 1)) ] || fail "an export is not in the audit log"
ok "every read of answers, needs and data is audited with its reader"

# A token for a group that is removed goes with it, as it would be left
# with no group, which means every group; one for another group as well
# keeps that one only.
api 201 POST /groups '{"slug": "gamma", "name": "Gamma"}'
ctl token create onlygamma --group gamma > "$T/tg" 2>/dev/null ||
    fail "token create"
ctl token create alphagamma --group alpha --group gamma > "$T/tag" \
    2>/dev/null || fail "token create"
TG=$(cat "$T/tg")
TAG=$(cat "$T/tag")
expect_code 200 GET /api/v1/groups/gamma -H "Authorization: Bearer $TG"
api 200 DELETE /groups/gamma
[ "$(jv 'd["tokens_revoked"]')" = onlygamma ] ||
    fail "removing gamma: $(cat "$T/body")"
expect_code 401 GET /api/v1/groups -H "Authorization: Bearer $TG"
expect_code 404 GET /api/v1/groups/beta -H "Authorization: Bearer $TAG"
expect_code 200 GET /api/v1/groups -H "Authorization: Bearer $TAG"
grep -q '"slug": "beta"' "$T/body" && fail "a token sees beta: $(cat "$T/body")"
ctl token list > "$T/out" || fail "token list"
grep -q "^alphagamma  *alpha " "$T/out" || fail "token list: $(cat "$T/out")"
grep -q "^onlygamma" "$T/out" && fail "token list: $(cat "$T/out")"
ok "a token for a removed group alone is revoked with it"

# Erasure ----------------------------------------------------------------
NAME=Quartermaine
EMAIL=zqx.erase@example.org
PHONE=7700900777
NOTE=ZQXNOTE
ctl person add "Zebedee $NAME" --email "$EMAIL" --phone "0$PHONE" \
    --channels email > /dev/null || fail "person add"
zed=$(sqlite3 "$DB" "SELECT id FROM people WHERE email = '$EMAIL'")
ctl member add alpha "$zed" > /dev/null || fail "member add"
zedlink=$(rsvp "$zed" "$occa")
page 303 POST "$BASE/rsvp/$zedlink" "answer=maybe&note=$NOTE+a+ramp"
page 303 POST "$BASE/rsvp/$zedlink" "answer=yes&note=$NOTE+again"
api 200 PUT "/people/$zed/needs" "{\"needs\": [{\"need\": \"other\",
    \"detail\": \"$NOTE standing\"}]}"
api 201 POST "/occurrences/$occa/requests" "{\"person\": $zed,
    \"need\": \"other\", \"detail\": \"$NOTE at the door\"}"
prefs=$(ctl person link "$zed") || fail "person link"
page 200 POST "$prefs" "how=email&style=large&language=en"
feed=$(ctl feed show "$zed") || fail "feed show"
page 200 GET "$feed"
api 202 POST "/people/$zed/test"
ctl -j person export "$zed" > "$T/export" || fail "person export"
"$PY" - "$T/export" "$zed" <<'PYEOF' || fail "export: $(cat "$T/export")"
import json, sys
d = json.load(open(sys.argv[1]))
zed = int(sys.argv[2])
assert d["person"]["id"] == zed and "Quartermaine" in d["person"]["name"]
assert d["person"]["email"] == "zqx.erase@example.org"
assert [m["slug"] for m in d["memberships"]] == ["alpha"]
assert [a["note"] for a in d["answers"]] == ["ZQXNOTE a ramp",
    "ZQXNOTE again"], d["answers"]
assert "test" in [m["kind"] for m in d["messages"]], d["messages"]
assert any(a["action"] == "add" and a["object"] == "membership"
    for a in d["audit"]), d["audit"]
for k in ("supporters", "supporting"):
    assert d[k] == [], k
assert [n["detail"] for n in d["needs_standing"]] == ["ZQXNOTE standing"]
assert any(r["detail"] == "ZQXNOTE at the door" and r["history"]
    for r in d["access_requests"]), d["access_requests"]
assert any(a["action"] == "update" and a["detail"].startswith(
    "person %d:" % zed) for a in d["audit"]), d["audit"]
PYEOF
ok "export holds the person, memberships, answers, messages and audit"

# in_files: how many times the name, email, phone or note is in the
# database, its log and shared memory.
in_files() {
	c=0
	for f in "$DB" "$DB-wal" "$DB-shm"; do
		[ -f "$f" ] || continue
		for s in "$NAME" "$EMAIL" "$PHONE" "$NOTE"; do
			c=$((c + $(grep -c -a -F "$s" "$f" || true)))
		done
	done
	echo "$c"
}
[ "$(in_files)" -gt 0 ] || fail "the details are not in the files to begin"
answers=$(sqlite3 "$DB" "SELECT count(*) FROM answers")
requests=$(sqlite3 "$DB" "SELECT count(*) FROM access_requests")
messages=$(sqlite3 "$DB" "SELECT count(*) FROM outbox")

st=0
ctl person erase "$zed" > "$T/out" 2>&1 || st=$?
[ "$st" -eq 0 ] && grep -qx "erased person $zed" "$T/out" ||
    fail "person erase: $st $(cat "$T/out")"
[ "$(sqlite3 "$DB" "SELECT name, email IS NULL, phone IS NULL,
    feed_token IS NULL, erased_at IS NOT NULL FROM people WHERE id = $zed")" \
    = "erased|1|1|1|1" ] || fail "the person row after erasure"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM answers")" = "$answers" ] ||
    fail "erasure changed the count of answers"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM access_requests")" = \
    "$requests" ] || fail "erasure changed the count of requests"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM needs_standing WHERE person_id =
    $zed")" = 0 ] || fail "a standing need survived"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM answers WHERE person_id = $zed
    AND note IS NOT NULL")" = 0 ] || fail "a note survived"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM memberships WHERE person_id =
    $zed")" = 0 ] || fail "a membership survived"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM outbox")" -le "$messages" ] ||
    fail "messages appeared"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM audit_log WHERE action = 'erase'
    AND actor = 'control' AND detail = '$zed'")" = 1 ] ||
    fail "the erasure is not in the audit log"
page 404 GET "$BASE/rsvp/$zedlink"
page 404 POST "$BASE/rsvp/$zedlink" "answer=no"
page 404 GET "$prefs"
page 404 POST "$prefs" "how=email&style=plain&language=en"
page 404 GET "$feed"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM answers")" = "$answers" ] ||
    fail "an erased person's link recorded an answer"
api 422 POST /groups/alpha/members "{\"person\": $zed}"
api 422 PATCH "/people/$zed" '{"name": "Back again"}'
ok "erased: links and feed refused, counts kept"

# A token for every group may erase too, by POST.
as U 200 POST "/people/$cy/erase"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM audit_log WHERE action = 'erase'
    AND actor = 'everyone' AND detail = '$cy'")" = 1 ] ||
    fail "the erasure by a token is not in the audit log"

# The checkpoint runs off the loop: wait for it to empty the log.
wait_progress in_files 0 ||
    fail "the details are still in the files: $(for f in "$DB"*; do
	echo "$f: $(grep -c -a -F -e "$NAME" -e "$EMAIL" -e "$PHONE" \
	    -e "$NOTE" "$f")"; done)"
ok "neither the database nor its log holds them, while it runs"
stop_daemon
[ "$(in_files)" = 0 ] || fail "the details are in the files after a stop"
ok "nor after a stop"
pass
