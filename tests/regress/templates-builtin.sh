# templates-builtin.sh: with no templates folder at all, convened starts on
# the English templates built into it, warns, and a reminder reaches the
# spool in English; a folder that is there but broken is still refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"

write_conf
sed -i "s|^templates = .*|templates = $T/none|" "$T/convened.conf"
start_daemon --test-clock
grep -q "^convened: warning: $T/none does not exist: using the English \
templates built into convened$" "$T/daemon.log" ||
    fail "no warning of the built-in templates: $(cat "$T/daemon.log")"
grep -q "templates loaded from the English built into convened$" \
    "$T/daemon.log" || fail "the log names a folder it did not read: \
$(grep 'loaded from' "$T/daemon.log")"
ok "started with no templates folder, and warned"

api 201 POST /groups '{"slug": "dp-steering",
    "name": "Direct Payments Steering Group", "lead_times": "PT10S"}'
api 201 POST /people '{"name": "Ann Smith", "email": "ann@example.org"}'
api 201 POST /groups/dp-steering/members "{\"person\": $(jv 'd["id"]')}"
start=$(($(daemon_now) + 13))
local=$(TZ=Europe/London date -d "@$start" +%Y-%m-%dT%H:%M:%S)
api 201 POST /series "{\"group\": \"dp-steering\",
    \"title\": \"Direct Payments Steering Group\",
    \"start\": \"$local\", \"duration_minutes\": 90}"

# The reminder is due 10 s before the meeting: the clock is moved on
# there, and it has up to 20 s to reach the spool.
advance 3
sent() {
	ls "$T/state/spool/mail" 2>/dev/null | grep -q '\.eml$'
}
i=0
while ! sent; do
	i=$((i + 1))
	[ "$i" -lt 200 ] || fail "no reminder in the spool"
	sleep 0.1
done
eml=$(ls "$T/state/spool/mail"/*.eml | head -1)
grep -q "^Subject: Reminder: Direct Payments Steering Group on " "$eml" ||
    fail "not the English subject: $(grep -i '^subject' "$eml")"
grep -q "This is a reminder: Direct Payments Steering Group is " "$eml" ||
    fail "not the English text: $(cat "$eml")"
grep -q "Hello Ann Smith," "$eml" || fail "no greeting: $(cat "$eml")"
ok "a reminder rendered from the built-in English templates"
stop_daemon

# A folder that exists but has a broken template: refused, as before.
cp -R "$top_srcdir/conf/templates" "$T/templates"
chmod -R u+w "$T/templates"
echo "Your room is {{room_number}}." >> "$T/templates/en/test.text.tmpl"
sed -i "s|^templates = .*|templates = $T/templates|" "$T/convened.conf"
st=0
"$CONVENED" -d -f "$T/convened.conf" 2>"$T/err" || st=$?
[ "$st" -ne 0 ] || fail "convened started on a broken templates folder"
grep -q "room_number" "$T/err" || fail "said: $(cat "$T/err")"
grep -q "built into" "$T/err" && fail "fell back on a broken folder"
ok "a broken templates folder is refused"

# An empty folder is not a missing one: refused too.
mkdir "$T/empty"
sed -i "s|^templates = .*|templates = $T/empty|" "$T/convened.conf"
st=0
"$CONVENED" -d -f "$T/convened.conf" 2>"$T/err" || st=$?
[ "$st" -ne 0 ] || fail "convened started on an empty templates folder"
ok "an empty templates folder is refused"
pass
