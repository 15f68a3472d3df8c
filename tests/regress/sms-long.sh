# sms-long.sh: a long Welsh and a long Arabic invitation through a real
# Kannel whose max-messages, like convened's max_segments, is 4: each
# reaches fakesmsc whole, in at most four parts, its title shortened and
# its time, place and answers all there, and is reported delivered.
# Kannel would cut a text of more parts, answers first.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"
. "$(dirname "$0")/sms-lib.sh"

MAX=4
KANNEL_MAX_MESSAGES=$MAX
start_kannel
# Replies are read, so each text asks for one: the longest texts.
printf '%s\n' inbound-secret-0123456789 > "$T/inbound.secret"
chmod 600 "$T/inbound.secret"
write_conf
cat >> "$T/convened.conf" <<CONF
[sms]
gateway = kannel
gateway_url = http://127.0.0.1:$K_SEND/cgi-bin/sendsms
credentials_file = $T/sms.cred
inbound_secret_file = $T/inbound.secret
timeout = 5
max_segments = $MAX
CONF
start_daemon
grep -q 'SMS to the sms-gateway channel' "$T/daemon.log" ||
    fail "the SMS gateway is not in use: $(cat "$T/daemon.log")"

# long PHRASE: PHRASE repeated to 200 characters, the longest title.
long() {
	"$PY" -c 'import sys
p = sys.argv[1]
print(((p + " ") * 10)[:200].rstrip())' "$1"
}
cytitle="Grŵp Cyflawni Byw'n Annibynnol: adolygu'r cynllun"
cytitle=$(long "$cytitle trafnidiaeth newydd a'r archwiliad mynediad i'r tŷ")
artitle="مجموعة تنفيذ العيش المستقل: مراجعة خطة النقل"
artitle=$(long "$artitle الجديدة وعقد الرعاية المنزلية وتدقيق إمكانية الوصول")
venue="Town Hall, Committee Room 2"
# The first meeting ten days ahead at 18:00, within the planning horizon.
day=$(TZ=Europe/London date -d '+10 days' +%Y-%m-%d)

# short LANG: the meeting's time as words.ini has it said in short.
short() {
	"$PY" - "$top_srcdir/conf/templates" "$1" "$day" <<'PY'
import configparser, datetime, re, sys

def words(lang):
    c = configparser.ConfigParser(interpolation=None)
    c.read(["%s/en/words.ini" % sys.argv[1],
        "%s/%s/words.ini" % (sys.argv[1], lang)], encoding="utf-8")
    return lambda s, k: c.get(s, k)

w = words(sys.argv[2])
d = datetime.date.fromisoformat(sys.argv[3])
days = ["monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday"]
months = ["january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december"]
f = {"wd": w("days_short", days[d.weekday()]),
    "weekday": w("days", days[d.weekday()]),
    "mon": w("months_short", months[d.month - 1]),
    "month": w("months", months[d.month - 1]),
    "day": str(d.day), "year": str(d.year), "h": "6", "hh": "18",
    "mm": "00", "ampm": w("date", "pm")}
fill = lambda p: re.sub(r"{(\w+)}", lambda m: f.get(m.group(1), ""), p)
f["time"] = fill(w("date", "clock"))
print(fill(w("date", "short")))
PY
}
api 201 POST /venues "{\"name\": \"$venue\", \"step_free\": true}"
vid=$(jv 'd["id"]')

# One group, one member and one series for each language; the series
# invites its members to its first meeting at once.
for l in cy ar; do
	case $l in
	cy) title=$cytitle phone="07700 900201" ;;
	ar) title=$artitle phone="07700 900202" ;;
	esac
	api 201 POST /groups "{\"slug\": \"g-$l\", \"name\": \"Group $l\"}"
	api 201 POST /people "{\"name\": \"Member $l\", \"phone\": \"$phone\",
	    \"channels\": \"sms\", \"language\": \"$l\"}"
	pid=$(jv 'd["id"]')
	eval "person_$l=$pid"
	api 201 POST "/groups/g-$l/members" "{\"person\": $pid}"
	api 201 POST /series "{\"group\": \"g-$l\", \"title\": \"$title\",
	    \"start\": \"${day}T18:00\", \"duration_minutes\": 90,
	    \"venue\": $vid, \"invite\": true}"
done

# Both at the phone: one concatenated message each, at most MAX parts.
got2() { [ "$(phone_texts | wc -l)" -ge 2 ]; }
wait_for got2 || fail "two texts wanted at the phone: $(phone_texts)"
phone_texts > "$T/texts"
for l in cy ar; do
	case $l in
	cy) head="Gwahoddiad: Grŵp Cyflawni" pid=$person_cy ;;
	ar) head="دعوة: مجموعة تنفيذ" pid=$person_ar ;;
	esac
	when=$(short $l)
	api 200 GET "/outbox?person=$pid"
	oid=$(jv '[m["occurrence_id"] for m in d["messages"]][0]')
	line=$(grep -F "$head" "$T/texts") ||
	    fail "$l: no invitation at the phone: $(cat "$T/texts")"
	set -- $line
	[ "$1" = ucs2 ] || fail "$l: not UCS-2: $line"
	[ "$2" -ge 2 ] && [ "$2" -le "$MAX" ] ||
	    fail "$l: $2 parts, wanted 2 to $MAX: $line"
	for w in "$when" "$venue" "YES M$oid" "NO M$oid" "MAYBE M$oid."; do
		case $line in
		*"$w"*) ;;
		*) fail "$l: no '$w' in: $line" ;;
		esac
	done
	case $line in
	*"..."*) ;;
	*) fail "$l: the title is not shortened: $line" ;;
	esac
	ok "$l: an invitation with a 200-character title arrives whole in" \
	    "$2 parts of $MAX, with the time, the place and the answers"
	mid=$(ids 'm["kind"] == "invitation"')
	delivered() {
		api 200 GET "/outbox?person=$pid"
		[ "$(msg "$mid" delivery)" = delivered ]
	}
	wait_for delivered ||
	    fail "row $mid: no delivery report: $(cat "$T/body")"
done
ok "both delivered, as reported by Kannel"

healthy || fail "convened stopped answering /healthz"
stop_daemon
pass
