# sighup-broken.sh: SIGHUP with a broken file keeps the old configuration
# and goes on serving; SIGHUP with a good file applies it.  The same for
# the templates and their words files.
. "$(dirname "$0")/lib.sh"

write_conf "max_body_size = 65536"
cp -R "$top_srcdir/conf/templates" "$T/templates"
chmod -R u+w "$T/templates"
sed -i -e "s|^templates = .*|templates = $T/templates|" "$T/convened.conf"
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

# A words file with a mistake: refused with its file and line, the
# templates loaded before kept.
cp "$T/templates/cy/words.ini" "$T/cy-words.ini"
printf '[days]\nmonday = Llun\nfunday = Dydd Hwyl\n' >> \
    "$T/templates/cy/words.ini"
n=$(wc -l < "$T/templates/cy/words.ini")
kill -HUP "$DAEMON_PID"
wait_for grep -q "the templates have mistakes" "$T/daemon.log" ||
    fail "no word of the broken words file"
grep -q "$T/templates/cy/words.ini:$n: unknown word \[days\] funday" \
    "$T/daemon.log" || fail "the log does not name the word's line: \
$(grep words.ini "$T/daemon.log")"
healthy || fail "stopped serving after a broken words file"
ok "a broken words file is refused with its file and line"

cp "$T/cy-words.ini" "$T/templates/cy/words.ini"
before=$(grep -c "configuration reloaded" "$T/daemon.log")
kill -HUP "$DAEMON_PID"
reloaded() {
	[ "$(grep -c "configuration reloaded" "$T/daemon.log")" -gt "$before" ]
}
wait_for reloaded || fail "the mended words file was not loaded"
ok "a mended words file is loaded"

stop_daemon
pass
