# api-routes.sh: what the JSON API answers for each method on each path it
# knows, and for paths it does not: the handler, 405 with the reason a
# resource gives, or 404; what a path names is looked up before its method
# is checked.
. "$(dirname "$0")/lib.sh"

start_daemon

# sock METHOD PATH [JSON]: the status code over the control socket.
sock() {
	if [ "$1" = HEAD ]; then
		set -- "$2" --head
	elif [ -n "${3:-}" ]; then
		set -- "$2" -X "$1" -H 'Content-Type: application/json' \
		    --data-binary "$3"
	else
		set -- "$2" -X "$1"
	fi
	p=$1
	shift
	curl -sS -m 10 -o "$T/body" -w '%{http_code}' "$@" \
	    --unix-socket "$T/state/convened.sock" "http://localhost$p"
}

[ "$(sock POST /api/v1/groups '{"slug": "g1", "name": "G"}')" = 201 ] ||
    fail "group: $(cat "$T/body")"
[ "$(sock POST /api/v1/people '{"name": "Ann",
    "email": "ann@example.org"}')" = 201 ] || fail "person: $(cat "$T/body")"

n=0
while IFS='|' read -r method path code reason; do
	[ -n "$method" ] || continue
	got=$(sock "$method" "/api/v1/$path") || true
	[ "$got" = "$code" ] ||
	    fail "$method /api/v1/$path gave $got, wanted $code: $(cat "$T/body")"
	[ -z "$reason" ] || grep -qF "\"reason\": \"$reason\"" "$T/body" ||
	    fail "$method /api/v1/$path: $(cat "$T/body")"
	n=$((n + 1))
done <<'EOF_CASES'
GET|groups|200|
PUT|groups|405|use GET or POST
HEAD|groups|405|
GET|groups/g1|200|
POST|groups/g1|405|use GET, PATCH or DELETE
PUT|groups/nope|404|no such group
GET|groups/nope/members|404|no such group
GET|groups/g1/other|404|nothing is here
GET|groups/g1/members|405|POST to add a member, DELETE .../members/ID to remove one
POST|groups/g1/members/1|405|POST to add a member, DELETE .../members/ID to remove one
DELETE|groups/g1/members/1/x|405|POST to add a member, DELETE .../members/ID to remove one
GET|people|200|
DELETE|people|405|use GET or POST
GET|people/1|200|
POST|people/1|405|use GET, PATCH or DELETE
GET|people/x|404|people are numbered
GET|people/99/feed|404|no such person
GET|people/1/test|404|nothing is here
POST|people/1/preferences|404|nothing is here
GET|people/1/preferences|200|
GET|people/1/feed|200|
PUT|people/1/feed|405|GET the feed's link, or POST for a new one
GET|people/1/feed/x|404|nothing is here
GET|import/people|405|POST a CSV file
GET|import|404|nothing is at /api/v1/import
GET|import/people/x|404|nothing is at /api/v1/import/people/x
GET|venues|200|
PATCH|venues|405|use GET or POST
GET|venues/1|404|nothing is at /api/v1/venues/1
GET|series|200|
DELETE|series|405|GET or POST /series, PATCH or DELETE /series/ID
GET|series/1|405|GET or POST /series, PATCH or DELETE /series/ID
POST|series/1/x|405|GET or POST /series, PATCH or DELETE /series/ID
DELETE|series/99|404|no such series
GET|occurrences|200|
POST|occurrences|405|POST /occurrences/ID/move or /occurrences/ID/cancel
GET|occurrences/99|404|no such occurrence
GET|occurrences/1/move|405|POST /occurrences/ID/move or /occurrences/ID/cancel
POST|occurrences/1/move/x|405|POST /occurrences/ID/move or /occurrences/ID/cancel
GET|occurrences/99/attendance|404|no such occurrence
PUT|occurrences/1/attendance|405|use GET or POST
POST|occurrences/99/attendance|400|the request needs a JSON body
GET|outbox|200|
POST|outbox|405|use GET
GET|outbox/1|404|nothing is at /api/v1/outbox/1
GET|digest|200|
POST|digest|405|use GET
GET|digest/1|404|nothing is at /api/v1/digest/1
GET|tokens|200|
PUT|tokens|405|use GET or POST
GET|tokens/x|405|use DELETE
GET|tokens/a/b|404|nothing is at /api/v1/tokens/a/b
GET||404|nothing is at /api/v1/
GET|nothing|404|nothing is at /api/v1/nothing
EOF_CASES
[ "$n" -ge 40 ] || fail "only $n cases ran"
ok "$n methods and paths"

# Tokens are the control socket's, even for a bearer token.
ctl() {
	"$CONVENECTL" -s "$T/state/convened.sock" "$@"
}
ctl token create t > "$T/tok" 2>/dev/null || fail "token create"
expect_code 403 GET /api/v1/tokens -H "Authorization: Bearer $(cat "$T/tok")"
expect_code 200 GET /api/v1/groups -H "Authorization: Bearer $(cat "$T/tok")"
expect_code 404 GET /api/v1/tokens/a/b \
    -H "Authorization: Bearer $(cat "$T/tok")"
ok "tokens over the control socket only"
pass
