# sighup-broken.sh: SIGHUP with a broken file keeps the old configuration
# and goes on serving; SIGHUP with a good file applies it.
. "$(dirname "$0")/lib.sh"

write_conf "max_body_size = 65536"
start_daemon

# 4 KiB fits under 64 KiB: the route answers (405: it takes no POST).
head -c 4096 /dev/zero > "$T/4k"
expect_code 405 POST /healthz --data-binary @"$T/4k"

cp "$T/convened.conf" "$T/good.conf"
sed -e 's/^max_body_size = 65536$/max_body_size = 2048/' \
    -e 's/^log_level = debug$/log_level = shout/' \
    "$T/good.conf" > "$T/convened.conf"
kill -HUP "$DAEMON_PID"
wait_for grep -q "configuration not reloaded" "$T/daemon.log" ||
    fail "no word of the failed reload"
grep -q "$T/convened.conf:3: \[daemon\] log_level: 'shout'" "$T/daemon.log" ||
    fail "the log does not name the file and line"
healthy || fail "stopped serving after a broken reload"
# The old limit still holds: 4 KiB is still allowed.
expect_code 405 POST /healthz --data-binary @"$T/4k"
ok "a broken file is refused and the old configuration kept"

sed -e 's/^max_body_size = 65536$/max_body_size = 2048/' \
    "$T/good.conf" > "$T/convened.conf"
kill -HUP "$DAEMON_PID"
wait_for grep -q "configuration reloaded" "$T/daemon.log" ||
    fail "the good file was not reloaded"
expect_code 413 POST /healthz --data-binary @"$T/4k"
healthy || fail "stopped serving after a good reload"
ok "a good file is applied"

stop_daemon
pass
