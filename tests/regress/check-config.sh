# check-config.sh: convened -n says "configuration OK" for a good file and
# the file, line and reason for a broken one, exiting non-zero.
. "$(dirname "$0")/lib.sh"

write_conf
out=$("$CONVENED" -n -f "$T/convened.conf") || fail "-n on a good file failed"
[ "$out" = "configuration OK" ] || fail "-n said: $out"

out=$("$CONVENED" -n) || fail "-n on the embedded default failed"
[ "$out" = "configuration OK" ] || fail "-n said: $out"

out=$("$CONVENED" -n -f "$top_srcdir/conf/convened.conf") ||
    fail "-n on the shipped file failed"

cat > "$T/broken.conf" <<'CONF'
[daemon]
log_level = info

[http]
timeout = forever
listen = 127.0.0.1:80
CONF
st=0
"$CONVENED" -n -f "$T/broken.conf" >"$T/out" 2>"$T/err" || st=$?
[ "$st" -ne 0 ] || fail "-n on a broken file exited 0"
grep -q "configuration OK" "$T/out" && fail "-n said OK for a broken file"
grep -q "^$T/broken.conf:5: \[http\] timeout: 'forever' is not a whole number$" \
    "$T/err" || fail "-n said: $(cat "$T/err")"

st=0
"$CONVENED" -n -f "$T/missing.conf" 2>"$T/err" || st=$?
[ "$st" -ne 0 ] || fail "-n on a missing file exited 0"
grep -q "^$T/missing.conf: cannot open: No such file or directory$" \
    "$T/err" || fail "-n said: $(cat "$T/err")"

# A daemon does not start on a broken file either.
st=0
"$CONVENED" -d -f "$T/broken.conf" 2>"$T/err" || st=$?
[ "$st" -ne 0 ] || fail "convened started on a broken file"
[ -e "$T/state" ] && fail "convened touched the state directory"
pass
