# text-limits.sh: the limits on names and titles are in characters, not
# bytes: a 150-character Arabic or Welsh name, group name, venue name and
# meeting title are taken whole; one of 201 characters is refused with a
# reason that counts characters.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"

write_conf
start_daemon

# word N CHAR: CHAR repeated to N characters (two bytes each in UTF-8).
word() {
	"$PY" -c 'import sys; print(sys.argv[2] * int(sys.argv[1]))' "$1" "$2"
}
ar150=$(word 150 'ب')
cy150=$(word 150 'ŵ')
ar200=$(word 200 'ب')
ar201=$(word 201 'ب')
[ "$(printf '%s' "$ar150" | wc -c)" -eq 300 ] ||
    fail "the test name is not 300 bytes"

api 201 POST /people "{\"name\": \"$ar150\", \"phone\": \"07700 900123\",
    \"channels\": \"sms\", \"language\": \"ar\"}"
id=$(jv 'd["id"]')
api 200 GET "/people/$id"
[ "$(jv 'len(d["name"])')" -eq 150 ] || fail "name: $(cat "$T/body")"
api 201 POST /people "{\"name\": \"$cy150\", \"phone\": \"07700 900124\",
    \"channels\": \"sms\", \"language\": \"cy\"}"
api 200 PATCH "/people/$id" "{\"name\": \"$ar200\"}"
ok "a person's name of 150 and 200 Arabic, 150 Welsh characters is taken"
api 422 POST /people "{\"name\": \"$ar201\", \"phone\": \"07700 900125\",
    \"channels\": \"sms\"}"
grep -q 'name: one line of at most 200 characters' "$T/body" ||
    fail "reason: $(cat "$T/body")"
api 422 PATCH "/people/$id" "{\"name\": \"$ar201\"}"
ok "a person's name of 201 characters is refused: $(jv 'd["reason"]')"

api 201 POST /groups "{\"slug\": \"ar-group\", \"name\": \"$ar150\"}"
api 422 POST /groups "{\"slug\": \"ar-group2\", \"name\": \"$ar201\"}"
grep -q 'name: longer than 200 characters' "$T/body" ||
    fail "reason: $(cat "$T/body")"
api 201 POST /venues "{\"name\": \"$ar150\"}"
venue=$(jv 'd["id"]')
api 422 POST /venues "{\"name\": \"$ar201\"}"
ok "a group and a venue of 150 characters are taken, 201 refused"

api 201 POST /series "{\"group\": \"ar-group\", \"title\": \"$ar150\",
    \"start\": \"2030-03-12T18:00\", \"duration_minutes\": 90,
    \"venue\": $venue}"
api 200 GET /series
[ "$(jv '[len(s["title"]) for s in d["series"]][0]')" -eq 150 ] ||
    fail "title: $(cat "$T/body")"
api 422 POST /series "{\"group\": \"ar-group\", \"title\": \"$ar201\",
    \"start\": \"2030-03-12T18:00\", \"duration_minutes\": 90}"
grep -q 'title: longer than 200 characters' "$T/body" ||
    fail "reason: $(cat "$T/body")"
ok "a meeting title of 150 Arabic characters is taken, 201 refused:" \
    "$(jv 'd["reason"]')"

healthy || fail "convened stopped answering /healthz"
stop_daemon
pass
