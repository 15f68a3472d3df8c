# mail-auth-tls.sh: a server that offers AUTH only after STARTTLS, as
# Postfix with smtpd_tls_auth_only does, is not taken for one without
# AUTH: with smtp_username set and starttls = required, the message goes
# over TLS with the login, once.  The test's certificate is trusted by
# putting it in place of the CA bundle in a mount namespace of the
# daemon's own, which needs root and unshare(1); without them, SKIP.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"
. "$(dirname "$0")/mail-lib.sh"

CERT=$top_srcdir/tests/regress/smtpd-cert.pem
KEY=$top_srcdir/tests/regress/smtpd-key.pem
BUNDLE=$(curl-config --ca 2>/dev/null || echo /etc/ssl/certs/ca-certificates.crt)
[ -f "$BUNDLE" ] || skip "no CA bundle at $BUNDLE"
cat > "$T/ns.sh" <<EOF
mount --bind "$CERT" "$BUNDLE" || exit 1
exec "\$@"
EOF
unshare -m sh "$T/ns.sh" true 2>/dev/null ||
    skip "cannot trust the test certificate: needs root and unshare -m"
WRAPPER="unshare -m sh $T/ns.sh"

smtpd_start tls --auth convene:right-horse --tls "$CERT:$KEY"
printf 'right-horse\n' > "$T/password"
chmod 600 "$T/password"
write_mail_conf "smtp://127.0.0.1:$SMTP_PORT/convene.test" \
    "smtp_username = convene
smtp_password_file = $T/password"
sed -i 's/^starttls = optional$/starttls = required/' "$T/convened.conf"
start_daemon

api 201 POST /people '{"name": "Ann Smith", "email": "ann@example.org"}'
ann=$(jv 'd["id"]')
a=$(out_test "$ann")
wait_long out_state_is "$ann" "$a" sent || fail "row $a: $(cat "$T/body")"
[ "$(out_row "$ann" "$a" attempts)" = 1 ] ||
    fail "row $a took $(out_row "$ann" "$a" attempts) attempts, not 1"
[ "$(smtp_files tls)" = 1 ] || fail "$(smtp_files tls) messages, not 1"
n=$(log_count 'convened: warning: mail:')
[ "$n" = 0 ] || fail "warnings: $(grep warning "$T/daemon.log")"
ok "AUTH only after STARTTLS: sent at the first attempt, with the login"

stop_daemon
pass
