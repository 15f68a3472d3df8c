# templates.sh: templates are the operator's to edit.  A template with a
# placeholder convene does not know is refused at SIGHUP with its file
# and line, and the templates loaded before go on being used; a good
# edit is used from the next message on; a language with no templates
# falls back to English, and says so in the log once, not per message.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"

cp -R "$top_srcdir/conf/templates" "$T/templates"
chmod -R u+w "$T/templates"
write_conf
sed -i "s|^templates = .*|templates = $T/templates|" "$T/convened.conf"
start_daemon

api 201 POST /people '{"name": "Ann Smith", "email": "ann@example.org"}'
ann=$(jv 'd["id"]')
api 201 POST /people '{"name": "Zoé Martin", "email": "zoe@example.org",
    "language": "fr"}'
zoe=$(jv 'd["id"]')

# test_mail PERSON: queue a test message, wait for its file, print it.
test_mail() {
	# Whole files only: a spool file is written under .tmp first.
	before=$(ls "$T/state/spool/mail" | grep -c '\.eml$' || true)
	api 202 POST "/people/$1/test"
	wait_for sh -c "[ \$(ls '$T/state/spool/mail' | grep -c '\\.eml\$') \
	    -gt $before ]" ||
	    fail "the test message to person $1 was not sent"
	latest=$(ls -t "$T/state/spool/mail"/*.eml | head -1)
	cat "$latest"
}

test_mail "$ann" > "$T/m1"
grep -q "This is a test message" "$T/m1" || fail "no test text: $(cat "$T/m1")"

# An unknown placeholder on line 3: refused, named, the old set kept.
tf="$T/templates/en/test.text.tmpl"
cp "$tf" "$T/test.text.good"
{
	head -n 2 "$T/test.text.good"
	echo "Your meeting room is {{room_number}}."
	tail -n +3 "$T/test.text.good"
} > "$tf"
kill -HUP "$DAEMON_PID"
wait_for grep -q "keeping the ones loaded before" "$T/daemon.log" ||
    fail "no word of the refused templates"
grep -q "$tf:3: .*room_number" "$T/daemon.log" ||
    fail "the log does not name the file, line and placeholder: \
$(grep -i template "$T/daemon.log" | tail -5)"
healthy || fail "stopped serving after refusing the templates"
test_mail "$ann" > "$T/m2"
grep -q "This is a test message" "$T/m2" || fail "the old template is gone"
grep -q "room" "$T/m2" && fail "the refused template was used"
ok "a template with an unknown placeholder is refused, the old one kept"

# A good edit is used from the next message on.
sed 's/This is a test message\./This is a test message, sent again./' \
    "$T/test.text.good" > "$tf"
kill -HUP "$DAEMON_PID"
wait_for grep -q "configuration reloaded" "$T/daemon.log" ||
    fail "the good templates were not loaded"
test_mail "$ann" > "$T/m3"
grep -q "sent again" "$T/m3" || fail "the new template is not used"
ok "a good edit is used from the next message"

# French is not installed: English, logged once for two messages.
test_mail "$zoe" > "$T/m4"
test_mail "$zoe" > "$T/m5"
grep -q "sent again" "$T/m5" || fail "no English fallback: $(cat "$T/m5")"
n=$(grep -c "no fr/test\.text\.tmpl" "$T/daemon.log" || true)
[ "$n" -eq 1 ] || fail "the fallback was logged $n times, not once"
ok "a missing language falls back to English, logged once"

stop_daemon
pass
