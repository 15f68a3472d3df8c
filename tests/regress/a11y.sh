# a11y.sh: every page a member can reach, checked in headless Chromium
# with axe-core against WCAG 2.2 AA, and the preferences form used by
# keyboard alone: the form, the form with a mistake, the saved page, a
# link that does not work, the stylesheet they share, and the form in
# Arabic (right to left) and in Welsh.
. "$(dirname "$0")/lib.sh"

ctl() {
	"$CONVENECTL" -s "$T/state/convened.sock" "$@"
}

[ -x /usr/bin/chromium ] || fail "chromium is not installed"
need_node
write_conf
start_daemon
ctl person add "Rhiannon Jones" --email rhiannon@example.org \
    --phone "07700 900123" --channels email >/dev/null ||
    fail "cannot add a person"
ctl person add "Layla Haddad" --email layla@example.org --language ar \
    >/dev/null || fail "cannot add an Arabic speaker"
ctl person add "Aled Rhys" --email aled@example.org --phone "07700 900124" \
    --language cy >/dev/null || fail "cannot add a Welsh speaker"
url=$(ctl person link 1) || fail "person link failed"
node "$top_srcdir/tests/regress/a11y.js" "$url" \
    "$BASE/preferences/1.1.AAAAAAAAAAAAAAAAAAAAAA" "$(ctl person link 2)" \
    "$(ctl person link 3)" > "$T/a11y.out" 2>&1 || {
	cat "$T/a11y.out"
	fail "accessibility checks failed"
}
cat "$T/a11y.out"
grep -c '^ok: ' "$T/a11y.out" | grep -qx 8 || fail "not every check ran"
stop_daemon
pass
