# feed-uid.sh: a calendar's UIDs never change with the configuration.
# A member's feed and a group's public feed are read, base_url is changed
# and convened told by SIGHUP, then restarted: every UID is what it was,
# so no calendar shows a meeting twice.  A new database names its UIDs
# after its installation, not after a host another database may share.
. "$(dirname "$0")/lib.sh"

write_conf "base_url = http://old.example.org:$PORT"
start_daemon

ctl() {
	"$CONVENECTL" -s "$T/state/convened.sock" "$@"
}

ctl group add dp "Direct Payments Group" --public-feed --lead-times P1D >/dev/null ||
    fail "group add"
ctl person add "Ann Jones" --email ann@example.org >/dev/null ||
    fail "person add"
ctl member add dp 1 >/dev/null || fail "member add"
START=$(date -d "+3 days" +%Y-%m-%d)T18:00
ctl series add dp "Steering group" "$START" --rrule "FREQ=WEEKLY" \
    >/dev/null || fail "series add"
ctl series add dp "Budget" "$START" >/dev/null || fail "series add"
URL=$(ctl feed show 1) || fail "feed show"
FEED_PATH=/feed/${URL##*/feed/}

# uids NAME: the sorted UIDs of the member's and the group's feeds.
uids() {
	expect_code 200 GET "$FEED_PATH"
	grep '^UID:' "$T/body" | tr -d '\r' > "$T/$1"
	expect_code 200 GET /groups/dp.ics
	grep '^UID:' "$T/body" | tr -d '\r' >> "$T/$1"
	sort -o "$T/$1" "$T/$1"
}

uids before
[ "$(wc -l < "$T/before")" -eq 4 ] ||
    fail "expected two series in each feed: $(cat "$T/before")"
grep -qx "UID:series-1@[0-9a-f]\{32\}\.old\.example\.org" "$T/before" ||
    fail "a new database's UIDs are not named after it: $(cat "$T/before")"
ok "UIDs named after the installation: $(head -n 1 "$T/before")"

sed -i -e "s|^base_url = .*|base_url = http://new.example.net:$PORT|" \
    "$T/convened.conf"
kill -HUP "$DAEMON_PID"
wait_for grep -q "configuration reloaded" "$T/daemon.log" ||
    fail "not reloaded"
[ "$(ctl feed show 1)" != "$URL" ] || fail "base_url did not change"
uids after-hup
cmp -s "$T/before" "$T/after-hup" ||
    fail "UIDs changed with base_url at SIGHUP: $(cat "$T/after-hup")"
ok "UIDs unchanged after base_url changed and SIGHUP"

stop_daemon
start_daemon
uids after-restart
cmp -s "$T/before" "$T/after-restart" ||
    fail "UIDs changed with base_url at a restart: $(cat "$T/after-restart")"
ok "UIDs unchanged after a restart"
pass
