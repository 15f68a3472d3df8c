# preferences.sh: the page a member reaches from the link in every
# message, where they also tick what they need at every meeting.  The
# link opens it for one person only; a changed, forged or expired link
# is refused; a good form is saved and said back; a form
# with a mistake names it at the top, links to the field, keeps what was
# chosen and saves nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"

ctl() {
	"$CONVENECTL" -s "$T/state/convened.sock" "$@"
}

# page WANT METHOD URL [FORM]: the page in $T/page.
page() {
	if [ $# -ge 4 ]; then
		code=$(curl -sS -m 10 -o "$T/page" -D "$T/head" \
		    -w '%{http_code}' -X "$2" --data-raw "$4" "$3") || code=000
	else
		code=$(curl -sS -m 10 -o "$T/page" -D "$T/head" \
		    -w '%{http_code}' -X "$2" "$3") || code=000
	fi
	[ "$code" = "$1" ] || fail "$2 $3 gave $code, wanted $1: $(cat "$T/page")"
}

write_conf
start_daemon

ctl person add "Rhiannon Jones" --email rhiannon@example.org \
    --phone "07700 900123" --channels email >/dev/null ||
    fail "cannot add a person"
ctl person add "Sam Other" --email sam@example.org >/dev/null ||
    fail "cannot add a second person"
url=$(ctl person link 1) || fail "person link failed"
case $url in
"$BASE"/preferences/1.*) ;;
*) fail "the link is $url" ;;
esac
ok "link $url"

page 200 GET "$url"
grep -q '<html lang="en" dir="ltr">' "$T/page" ||
    fail "no language on the page"
grep -q '<h1>How you hear from us</h1>' "$T/page" || fail "no heading"
grep -q 'Rhiannon Jones' "$T/page" || fail "the page does not greet"
grep -q 'value="email" checked' "$T/page" || fail "email is not chosen"
grep -q 'value="standard" checked' "$T/page" || fail "style not shown"
grep -qi '^content-security-policy: default-src' "$T/head" ||
    fail "no content security policy"
grep -qi '^referrer-policy: no-referrer' "$T/head" || fail "no referrer"
grep -qi '^cache-control: no-store' "$T/head" || fail "the page is cached"
grep -q 'Sam Other\|sam@example' "$T/page" && fail "another person shown"
ok "the form shows the person's own choices"

# A person with no phone is not offered texts.
url2=$(ctl person link 2)
page 200 GET "$url2"
grep -q 'value="sms"' "$T/page" && fail "texts offered without a phone"
grep -q 'Quiet hours' "$T/page" && fail "quiet hours without a phone"
page 200 POST "$url2" "how=email&style=standard&language=en"
grep -q 'Your choices are saved' "$T/page" || fail "not saved: $(cat "$T/page")"
grep -q 'Quiet hours' "$T/page" && fail "quiet hours said back without a phone"
ok "only the ways that can reach a person are offered"

# Links that must not work.
id_exp_sig=${url##*/preferences/}
exp=$(echo "$id_exp_sig" | cut -d. -f2)
sig=$(echo "$id_exp_sig" | cut -d. -f3)
page 403 GET "$BASE/preferences/2.$exp.$sig"
grep -q 'This link does not work' "$T/page" || fail "no reason given"
page 403 GET "$BASE/preferences/1.$((exp + 1)).$sig"
case $sig in
*A) bad=${sig%?}B ;;
*) bad=${sig%?}A ;;
esac
page 403 GET "$BASE/preferences/1.$exp.$bad"
page 403 GET "$BASE/preferences/1.$exp"
page 403 GET "$BASE/preferences/01.$exp.$sig"
page 403 GET "$BASE/preferences/+1.$exp.$sig"
page 403 GET "$BASE/preferences/1.0$exp.$sig"
page 403 GET "$BASE/preferences/x"
page 403 POST "$BASE/preferences/2.$exp.$sig" "how=sms&style=plain&language=en"
# An expired link, signed with the daemon's own key as it would have been.
old=$("$PY" - "$T/state/signing.key" <<'PYEOF'
import base64, hashlib, hmac, sys, time
key = bytes.fromhex(open(sys.argv[1]).read().strip())
exp = int(time.time()) - 60
mac = hmac.new(key, b"prefs:1:%d" % exp, hashlib.sha512).digest()[:16]
print("1.%d.%s" % (exp, base64.urlsafe_b64encode(mac).decode().rstrip("=")))
PYEOF
)
fresh=$("$PY" - "$T/state/signing.key" <<'PYEOF'
import base64, hashlib, hmac, sys, time
key = bytes.fromhex(open(sys.argv[1]).read().strip())
exp = int(time.time()) + 600
mac = hmac.new(key, b"prefs:1:%d" % exp, hashlib.sha512).digest()[:16]
print("1.%d.%s" % (exp, base64.urlsafe_b64encode(mac).decode().rstrip("=")))
PYEOF
)
page 200 GET "$BASE/preferences/$fresh"
page 403 GET "$BASE/preferences/$old"
ok "other people's, changed, cut short and expired links are refused"

# A form with mistakes: nothing saved, every mistake named and linked.
ctl person show 1 > "$T/before" || fail "person show"
page 422 POST "$url" "how=sms&style=fancy&language=en&quiet_from=25:00&quiet_to=08:00"
grep -q 'There is a problem' "$T/page" || fail "no problem summary"
grep -q 'href="#style"' "$T/page" || fail "the style mistake is not linked"
grep -q 'href="#quiet_from"' "$T/page" || fail "quiet hours not linked"
grep -q 'value="sms" checked' "$T/page" || fail "the choice was lost"
grep -q 'value="25:00"' "$T/page" || fail "the typed time was lost"
ctl person show 1 > "$T/after"
cmp -s "$T/before" "$T/after" || fail "a refused form changed the person"
page 422 POST "$url" "how=email&style=plain&language=english"
grep -q 'href="#language"' "$T/page" || fail "language mistake not linked"
page 400 POST "$url" "how"
ok "mistakes are named at the top, linked, and nothing is saved"

# A good form.
page 200 POST "$url" "how=sms%2Cemail&style=large&language=en&quiet_from=21%3A30&quiet_to=08%3A00"
grep -q 'Your choices are saved' "$T/page" || fail "not said back"
grep -q 'By text message, and by email' "$T/page" || fail "way not said"
grep -q 'Large print' "$T/page" || fail "style not said back"
grep -q '<dt>Quiet hours for text messages</dt>' "$T/page" &&
    grep -q '<dd>From 21:30</dd>' "$T/page" &&
    grep -q '<dd>Until 08:00</dd>' "$T/page" ||
    fail "quiet hours not said back: $(cat "$T/page")"
api 200 GET /people/1
[ "$(jv 'd["channels"]')" = "sms,email" ] || fail "channels: $(cat "$T/body")"
[ "$(jv 'd["style"]')" = "large" ] || fail "style: $(cat "$T/body")"
[ "$(jv 'd["quiet_start"]')" = "21:30" ] || fail "quiet: $(cat "$T/body")"
[ "$(jv 'd["quiet_end"]')" = "08:00" ] || fail "quiet: $(cat "$T/body")"
page 200 GET "$url"
grep -q 'value="sms,email" checked' "$T/page" || fail "not shown after"
grep -q 'value="21:30"' "$T/page" || fail "quiet hours not shown after"
page 200 POST "$url" "how=email&style=plain&language=en&quiet_from=&quiet_to="
grep -q '<dd>No quiet hours</dd>' "$T/page" ||
    fail "no quiet hours not said back: $(cat "$T/page")"
api 200 GET /people/1
[ "$(jv 'd["quiet_start"]')" = "None" ] || fail "quiet hours kept"
ok "a good form is saved, said back and shown next time"

# The page speaks the member's language: Welsh; Arabic, right to left;
# a mistake is named in it; a new language is said back in that one.
ctl person add "Aled Rhys" --email aled@example.org --language cy \
    >/dev/null || fail "cannot add a Welsh speaker"
ctl person add "Layla Haddad" --email layla@example.org --language ar \
    >/dev/null || fail "cannot add an Arabic speaker"
page 200 GET "$(ctl person link 3)"
grep -q '<html lang="cy" dir="ltr">' "$T/page" &&
    grep -q 'Helo Aled Rhys\.' "$T/page" &&
    grep -q '<legend>Sut dylen ni gysylltu â chi?</legend>' "$T/page" &&
    grep -q '>Cadw fy newisiadau</button>' "$T/page" ||
    fail "the Welsh page: $(cat "$T/page")"
arurl=$(ctl person link 4)
page 200 GET "$arurl"
grep -q '<html lang="ar" dir="rtl">' "$T/page" &&
    grep -q 'مرحبًا Layla Haddad\.' "$T/page" &&
    grep -q '>احفظ اختياراتي</button>' "$T/page" ||
    fail "the Arabic page: $(cat "$T/page")"
! grep -q 'Save my choices\|How should' "$T/page" ||
    fail "English on the Arabic page"
page 422 POST "$arurl" "how=email&style=fancy&language=ar"
grep -q '<h2 id="problems-title">توجد مشكلة</h2>' "$T/page" &&
    grep -q 'اختر كيف تبدو رسائل بريدك\.' "$T/page" ||
    fail "the Arabic mistake: $(cat "$T/page")"
page 200 POST "$url" "how=email&style=plain&language=cy&quiet_from=&quiet_to="
grep -q '<html lang="cy" dir="ltr">' "$T/page" &&
    grep -q 'Newid eich dewisiadau eto' "$T/page" &&
    grep -q '<dd>Drwy e-bost</dd>' "$T/page" ||
    fail "saved in Welsh: $(cat "$T/page")"
ok "the page is in the member's language, right to left for Arabic"

# What Aled needs at every meeting: ticked in Welsh, saved, said back,
# ticked next time; too many words for "anything else" are named.
aled=$(ctl person link 3)
page 200 GET "$aled"
grep -q '<legend>Beth sydd ei angen arnoch i gymryd rhan?</legend>' \
    "$T/page" && grep -q 'id="need-bsl" value="bsl">' "$T/page" ||
    fail "no needs on the Welsh page: $(cat "$T/page")"
long=$("$PY" -c 'print("a" * 501)')
page 422 POST "$aled" "how=email&style=standard&language=cy&needs_shown=1&need=bsl&need_other=$long"
grep -q 'href="#need-other"' "$T/page" &&
    grep -q 'id="need-bsl" value="bsl" checked>' "$T/page" ||
    fail "the long words: $(cat "$T/page")"
page 422 POST "$aled" "how=email&style=standard&language=cy&needs_shown=1&need=bsl&need_other=%ff%fe"
grep -q 'href="#need-other"' "$T/page" || fail "bad UTF-8: $(cat "$T/page")"
[ "$(sqlite3 "$T/state/convene.db" "SELECT count(*) FROM needs_standing")" \
    = 0 ] || fail "needs saved from a form with a mistake"
page 200 POST "$aled" "how=email&style=standard&language=cy&needs_shown=1&need=bsl&need=largeprint&need=nonsense&need_other=Seibiant+bob+awr"
grep -q '<dt>Beth sydd ei angen arnoch ym mhob cyfarfod</dt>' "$T/page" &&
    grep -q '<dd>Dehonglydd Iaith Arwyddion Prydain (BSL)</dd>' "$T/page" &&
    grep -q '<dd>Papurau print bras</dd>' "$T/page" &&
    grep -q '<dd>Seibiant bob awr</dd>' "$T/page" ||
    fail "needs not said back: $(cat "$T/page")"
[ "$(sqlite3 "$T/state/convene.db" "SELECT group_concat(need || '/' ||
    set_by) FROM (SELECT * FROM needs_standing ORDER BY need)")" = \
    "bsl/member,largeprint/member,other/member" ] ||
    fail "standing needs: $(sqlite3 "$T/state/convene.db" \
    "SELECT * FROM needs_standing")"
page 200 GET "$aled"
grep -q 'id="need-largeprint" value="largeprint" checked>' "$T/page" &&
    grep -q 'value="Seibiant bob awr"' "$T/page" ||
    fail "not ticked next time: $(cat "$T/page")"
# A form without the needs fields leaves them be; unticking all clears.
page 200 POST "$aled" "how=email&style=standard&language=cy"
[ "$(sqlite3 "$T/state/convene.db" "SELECT count(*) FROM needs_standing")" \
    = 3 ] || fail "a form without needs changed them"
page 200 POST "$aled" "how=email&style=standard&language=cy&needs_shown=1"
grep -q '<dd>Dim</dd>' "$T/page" || fail "no needs not said: $(cat "$T/page")"
[ "$(sqlite3 "$T/state/convene.db" "SELECT count(*) FROM needs_standing")" \
    = 0 ] || fail "unticked needs kept"
ok "what a member needs at every meeting, ticked, saved and said back"

page 200 GET "$BASE/style.css"
grep -q 'focus-visible' "$T/page" || fail "no focus style"
api 200 GET /people/1
stop_daemon
pass
