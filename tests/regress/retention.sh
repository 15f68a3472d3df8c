# retention.sh: the hourly pass clears the free text of meetings that
# ended more than retention_days ago (here 2) and keeps the rows: a note
# given with an answer is there while the meeting is ahead and a day
# after it, and gone once the clock passes retention_days after its end;
# the answer itself stays, and so does a later meeting's note.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"

command -v sqlite3 >/dev/null 2>&1 || fail "sqlite3 is not installed"
write_conf
printf '[privacy]\nretention_days = 2\n' >> "$T/convened.conf"
start_daemon --test-clock
DB=$T/state/convene.db

api 201 POST /groups '{"slug": "g", "name": "G"}'
api 201 POST /people '{"name": "Ann", "email": "ann@example.org",
    "group": "g"}'
ann=$(jv 'd["id"]')
start=$(TZ=Europe/London date -d "+3 days" '+%Y-%m-%dT18:00')
api 201 POST /series "{\"group\": \"g\", \"title\": \"Soon\",
    \"start\": \"$start\", \"duration_minutes\": 60}"
later=$(TZ=Europe/London date -d "+30 days" '+%Y-%m-%dT18:00')
api 201 POST /series "{\"group\": \"g\", \"title\": \"Later\",
    \"start\": \"$later\", \"duration_minutes\": 60}"
api 200 GET "/occurrences?group=g&days=60"
soon=$(jv 'd["occurrences"][0]["id"]')
end=$(jv 'd["occurrences"][0]["end_at"]')
next=$(jv 'd["occurrences"][1]["id"]')

# The answers, as the API's mail route would record them, with notes.
sqlite3 -cmd ".timeout 5000" "$DB" "INSERT INTO answers (person_id,
    occurrence_id, answer, note, channel, at) VALUES
    ($ann, $soon, 'yes', 'soon note', 'api', 0),
    ($ann, $next, 'no', 'later note', 'api', 0)"
notes() {
	sqlite3 "$DB" "SELECT count(*) FROM answers WHERE note IS NOT NULL"
}

# A day after the meeting ends: kept.
advance_to $((end + 86400))
planned
[ "$(notes)" = 2 ] || fail "a note went before retention_days had passed"
# Past retention_days after its end: cleared by the pass the clock's
# move brings; the later meeting's note and every answer stay.
advance_to $((end + 2 * 86400 + 60))
wait_progress notes 1 || fail "the old note was not cleared"
[ "$(sqlite3 "$DB" "SELECT note FROM answers WHERE occurrence_id =
    $next")" = "later note" ] || fail "the later meeting's note went"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM answers")" = 2 ] ||
    fail "an answer went with its note"
grep -q "retention: cleared the text of 1 row about" "$T/daemon.log" ||
    fail "the pass did not say what it cleared"
ok "retention clears old notes, keeps the rows"
stop_daemon
pass
