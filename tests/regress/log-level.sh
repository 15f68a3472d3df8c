# log-level.sh: log_level = warning keeps info lines out of the log and
# still prints warnings; a reload to info brings the info lines back.
. "$(dirname "$0")/lib.sh"

write_conf
sed -i -e 's/^log_level = debug$/log_level = warning/' "$T/convened.conf"
start_daemon
cp "$T/convened.conf" "$T/good.conf"
sed -e 's/^log_level = warning$/log_level = shout/' "$T/good.conf" \
    >"$T/convened.conf"
kill -HUP "$DAEMON_PID"
wait_for grep -q "^convened: warning: configuration not reloaded" \
    "$T/daemon.log" || fail "no warning at log_level = warning"
if grep -v "^convened: warning: " "$T/daemon.log" >"$T/other"; then
	fail "other lines at log_level = warning: $(head -3 "$T/other")"
fi
ok "only warnings at log_level = warning"

sed -e 's/^log_level = warning$/log_level = info/' "$T/good.conf" \
    >"$T/convened.conf"
kill -HUP "$DAEMON_PID"
wait_for grep -q "^convened: configuration reloaded" "$T/daemon.log" ||
    fail "no info line after a reload to log_level = info"
grep -q "^convened: debug: " "$T/daemon.log" &&
    fail "debug lines at log_level = info"
ok "info lines at log_level = info"
stop_daemon
pass
