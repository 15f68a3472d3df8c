# spool-tmp.sh: a temporary file that a kill left in a spool is removed
# when convened starts, and the log says how many; whole spool files are
# left as they are.
. "$(dirname "$0")/lib.sh"

mail=$T/state/spool/mail
sms=$T/state/spool/sms
mkdir -p "$mail" "$sms"
printf 'To: ann@example.org\n\nhalf a mess' > "$mail/7.1.eml.tmp"
printf 'To: +447700900123\n\nhalf' > "$sms/8.1.sms.tmp"
printf 'To: +447700900123\n\nhalf again' > "$sms/8.2.sms.tmp"
printf 'To: ann@example.org\n\nwhole\n' > "$mail/5.1.eml"
printf 'To: +447700900123\n\nwhole\n' > "$sms/6.1.sms"
before=$(cat "$mail/5.1.eml" "$sms/6.1.sms" | cksum)

start_daemon

for f in "$mail/7.1.eml.tmp" "$sms/8.1.sms.tmp" "$sms/8.2.sms.tmp"; do
	[ ! -e "$f" ] || fail "$f is still there"
done
grep -q "removed 1 unfinished temporary file from $mail\$" \
    "$T/daemon.log" || fail "no log line for the mail spool"
grep -q "removed 2 unfinished temporary files from $sms\$" \
    "$T/daemon.log" || fail "no log line for the SMS spool"
after=$(cat "$mail/5.1.eml" "$sms/6.1.sms" | cksum)
[ "$before" = "$after" ] || fail "a whole spool file changed"
ok "temporary files removed, whole files kept"

stop_daemon
pass
