# tokens.sh: API tokens listed and revoked.  The list names each token
# and when it was last used (written at most once a minute, not on every
# request), never its secret or hash; a revoked token is refused at once
# while others go on working; revoking a name nobody has is a clear 404.
. "$(dirname "$0")/lib.sh"

start_daemon

ctl() {
	"$CONVENECTL" -s "$T/state/convened.sock" "$@"
}

# over_socket METHOD PATH: the status code over the control socket.
over_socket() {
	curl -sS -m 10 -o "$T/body" -w '%{http_code}' -X "$1" \
	    --unix-socket "$T/state/convened.sock" "http://localhost$2"
}

ctl token list > "$T/out" || fail "token list"
grep -qx "no tokens" "$T/out" || fail "an empty list said: $(cat "$T/out")"

ctl token create coordinators > "$T/a" 2>/dev/null || fail "token create"
ctl token create "night shift" > "$T/b" 2>/dev/null || fail "token create"
A=$(cat "$T/a")
B=$(cat "$T/b")

ctl token list > "$T/out" || fail "token list"
grep -q "^coordinators .* never$" "$T/out" ||
    fail "an unused token: $(cat "$T/out")"
grep -q "^night shift .* never$" "$T/out" ||
    fail "an unused token: $(cat "$T/out")"
ok "listed: $(tr '\n' '|' < "$T/out")"

expect_code 200 GET /api/v1/groups -H "Authorization: Bearer $A"
ctl token list > "$T/out" || fail "token list"
grep "^coordinators " "$T/out" | grep -q " never$" &&
    fail "a used token shows as never used: $(cat "$T/out")"
grep -q "^night shift .* never$" "$T/out" ||
    fail "the other token shows as used: $(cat "$T/out")"
ctl -j token list > "$T/json" || fail "token list -j"
grep -qi -e "$A" -e "$B" -e '"hash"' -e '"token"' "$T/json" &&
    fail "the list shows a secret: $(cat "$T/json")"
"$PY" -c 'import json, sys, time
t = {x["name"]: x for x in json.load(open(sys.argv[1]))["tokens"]}
assert sorted(t) == ["coordinators", "night shift"], t
assert abs(t["coordinators"]["last_used_at"] - time.time()) < 60, t
assert t["night shift"]["last_used_at"] is None, t
open(sys.argv[2], "w").write(str(t["coordinators"]["last_used_at"]))
' "$T/json" "$T/used" || fail "token list -j: $(cat "$T/json")"
ok "the used token shows when; the list holds no secret"

# Within the minute a request writes nothing: the time stays the first.
later() {
	[ "$(date +%s)" -gt "$(($(cat "$T/used") + 1))" ]
}
wait_for later || fail "the clock did not move"
expect_code 200 GET /api/v1/groups -H "Authorization: Bearer $A"
ctl -j token list > "$T/json" || fail "token list -j"
"$PY" -c 'import json, sys
t = {x["name"]: x for x in json.load(open(sys.argv[1]))["tokens"]}
assert t["coordinators"]["last_used_at"] == int(open(sys.argv[2]).read()), t
' "$T/json" "$T/used" || fail "last use written again within the minute"
ok "last use written at most once a minute"

# Tokens are managed over the control socket only.
expect_code 403 GET /api/v1/tokens -H "Authorization: Bearer $A"
expect_code 403 DELETE "/api/v1/tokens/night%20shift" \
    -H "Authorization: Bearer $A"

ctl token revoke coordinators > "$T/out" || fail "token revoke"
grep -qx "revoked token coordinators" "$T/out" ||
    fail "revoke said: $(cat "$T/out")"
expect_code 401 GET /api/v1/groups -H "Authorization: Bearer $A"
expect_code 200 GET /api/v1/groups -H "Authorization: Bearer $B"
ctl token list > "$T/out" || fail "token list"
grep -q "^coordinators" "$T/out" && fail "still listed: $(cat "$T/out")"
ok "a revoked token gets 401 at once; the other still works"

st=0
ctl token revoke nobody > "$T/out" 2> "$T/err" || st=$?
[ "$st" -eq 1 ] || fail "revoking an unknown name exited $st"
grep -q "no token is called 'nobody'" "$T/err" ||
    fail "revoking an unknown name said: $(cat "$T/err")"
[ "$(over_socket DELETE /api/v1/tokens/nobody)" = 404 ] ||
    fail "revoking an unknown name: not 404: $(cat "$T/body")"
ok "an unknown name: $(cat "$T/err")"

ctl token revoke "night shift" > /dev/null || fail "token revoke"
expect_code 401 GET /api/v1/groups -H "Authorization: Bearer $B"
ctl token create coordinators > /dev/null 2>&1 ||
    fail "a revoked token's name cannot be used again"
ok "a name with a space revoked; a revoked name made again"
pass
