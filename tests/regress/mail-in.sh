# mail-in.sh: a member answers an invitation from their calendar program,
# which mails an iTIP REPLY to the invitation's ORGANIZER, an address
# signed for the member and the meeting; "convenectl mail-in" reads it
# and the daemon records the answer.  The replies here are shaped as
# Thunderbird, Outlook, Google Calendar and Apple Mail send them; the
# bad ones record nothing and exit as a mail server understands
# (sysexits.h); the same message delivered twice records once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/outbox-lib.sh"

start_daemon

api 201 POST /groups '{"slug": "ild", "name": "Independent Living Group",
    "lead_times": "P1D"}'
api 201 POST /people '{"name": "Ann Smith", "email": "ann@example.org"}'
ann=$(jv 'd["id"]')
api 201 POST /groups/ild/members "{\"person\": $ann}"
start=$(TZ=Europe/London date -d "+3 days" '+%Y-%m-%dT18:00')
api 201 POST /series "{\"group\": \"ild\", \"title\": \"Review\",
    \"start\": \"$start\", \"rrule\": \"FREQ=WEEKLY;COUNT=2\",
    \"invite\": true}"
wait_for sh -c "ls '$T/state/spool/mail' | grep -q '\\.eml\$'" ||
    fail "no invitation in the spool"
wait_progress outbox_busy 0 || fail "the outbox did not settle"
api 200 GET "/outbox?limit=100"
id=$(ids 'm["kind"] == "invitation" and m["person_id"] == '"$ann")
occ=$(msg "$id" occurrence_id)

# The invitation's calendar part: its ORGANIZER, UID and RECURRENCE-ID.
"$PY" - "$T/state/spool/mail/$id.1.eml" > "$T/inv" <<'PY'
import email, re, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
for p in m.walk():
    if p.get_content_type() == "text/calendar":
        c = p.get_payload(decode=True).decode()
        c = c.replace("\r\n", "\n").replace("\n ", "")
        org = re.search(r"^ORGANIZER;.*?:mailto:(.*?)$", c, re.M)
        uid = re.search(r"^UID:(.*?)$", c, re.M)
        rid = re.search(r"^RECURRENCE-ID;TZID=[^:]*:(.*?)$", c, re.M)
        print(org.group(1), uid.group(1), rid.group(1))
PY
read -r org uid rid < "$T/inv" || fail "no calendar part in the invitation"
case $org in
*+r.$ann.$occ.*@*) ;;
*) fail "the ORGANIZER is not signed for Ann and meeting $occ: $org" ;;
esac
ok "the invitation's ORGANIZER is signed for the member and the meeting"

# mailin WANT FILE [ARGS]: feed FILE to convenectl mail-in, exit WANT.
mailin() {
	want=$1
	file=$2
	shift 2
	st=0
	"$CONVENECTL" -s "$T/state/convened.sock" mail-in "$@" < "$file" \
	    2> "$T/err" || st=$?
	[ "$st" = "$want" ] ||
	    fail "$file: exit $st, not $want: $(cat "$T/err")"
	[ "$(wc -l < "$T/err")" = 1 ] ||
	    fail "$file: not one line on stderr: $(cat "$T/err")"
}

# answers: what is recorded, "answer:channel" in order.
answers() {
	sqlite3 "$T/state/convene.db" "SELECT group_concat(answer || ':' ||
	    channel || ':' || person_id || ':' || occurrence_id, ' ') FROM
	    (SELECT * FROM answers ORDER BY id)"
}

# A calendar REPLY: ics PARTSTAT [UID [METHOD [ORGANIZER]]], CRLF lines.
ics() {
	printf 'BEGIN:VCALENDAR\r\n'
	case $1 in
	TB) printf 'PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN\r\n'
	    ;;
	MS) printf 'PRODID:Microsoft Exchange Server 2010\r\n' ;;
	G) printf 'PRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n' ;;
	*) printf 'PRODID:-//Apple Inc.//Mac OS X 14.4//EN\r\n' ;;
	esac
	printf 'VERSION:2.0\r\nMETHOD:%s\r\n' "${4:-REPLY}"
	[ "$1" = MS ] && printf 'X-MS-OLK-FORCEINSPECTOROPEN:TRUE\r\n'
	printf 'BEGIN:VEVENT\r\n'
	case $1 in
	TB) printf 'CREATED:20260101T120000Z\r\nLAST-MODIFIED:20260101T12000'
	    printf '0Z\r\nDTSTAMP:20260101T120000Z\r\nUID:%s\r\n' "${3:-$uid}"
	    printf 'SUMMARY:Review\r\nORGANIZER;CN=Independent Living Group:'
	    printf 'mailto:%s\r\nATTENDEE;CN=Ann Smith;PARTSTAT=%s;ROLE=REQ-P' \
	        "${5:-$org}" "$2"
	    printf 'ARTICIPANT:mailto:ann@example.org\r\nRECURRENCE-ID;TZID=Eu'
	    printf 'rope/London:%s\r\nDTSTART;TZID=Europe/London:%s\r\n' \
	        "$rid" "$rid"
	    printf 'SEQUENCE:0\r\nX-MOZ-RECEIVED-SEQUENCE:0\r\n' ;;
	MS) printf 'ORGANIZER;CN="Independent Living Group":MAILTO:%s\r\n' \
	        "${5:-$org}"
	    printf 'ATTENDEE;PARTSTAT=%s;CN="Ann Smith";CUTYPE=INDIVIDUAL;' "$2"
	    printf 'X-MS-OLK-RESPTIME=20260101T120000Z\r\n :MAILTO:ann@example.'
	    printf 'org\r\nCOMMENT;LANGUAGE=en-GB:I may be late.\\n\r\n'
	    printf 'SUMMARY;LANGUAGE=en-GB:Tentative: Review\r\n'
	    printf 'RECURRENCE-ID;TZID=GMT Standard Time:%s\r\n' "$rid"
	    printf 'UID:%s\r\nDTSTAMP:20260101T120000Z\r\n' "${3:-$uid}"
	    printf 'X-MICROSOFT-CDO-APPT-SEQUENCE:0\r\nX-MICROSOFT-CDO-OWNER'
	    printf 'APPTID:-1\r\nX-MICROSOFT-CDO-REPLYTIME:20260101T120000Z\r\n'
	    printf 'X-MICROSOFT-DISALLOW-COUNTER:FALSE\r\n' ;;
	*) printf 'DTSTART;TZID=Europe/London:%s\r\nDTSTAMP:20260101T1200' \
	        "$rid"
	    printf '00Z\r\nORGANIZER;CN=Independent Living Group:mailto:%s\r\n' \
	        "${5:-$org}"
	    printf 'UID:%s\r\nRECURRENCE-ID;TZID=Europe/London:%s\r\n' \
	        "${3:-$uid}" "$rid"
	    printf 'ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=%s' \
	        "$2"
	    printf ';CN=Ann Smith;X-NUM-GUESTS=0:mailto:ann@example.org\r\n'
	    printf 'SEQUENCE:0\r\nSTATUS:CONFIRMED\r\nSUMMARY:Review\r\n' ;;
	esac
	printf 'END:VEVENT\r\nEND:VCALENDAR\r\n'
}

# Thunderbird: multipart/mixed, the text and the REPLY inline, as it is.
thunderbird() {	# PARTSTAT MESSAGE-ID [UID [METHOD [ORGANIZER [TO]]]]
	cat <<EOF
From: Ann Smith <ann@example.org>
To: Independent Living Group <${6:-$org}>
Subject: Accepted: Review
Message-ID: <$2>
Date: Thu, 1 Jan 2026 12:00:00 +0000
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Content-Type: multipart/mixed; boundary="------------tb0123456789"

This is a multi-part message in MIME format.
--------------tb0123456789
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 7bit

Ann Smith has accepted this invitation: Review

--------------tb0123456789
Content-Type: text/calendar; charset=UTF-8; method=${4:-REPLY}
Content-Transfer-Encoding: 8bit

EOF
	ics TB "$1" "${3:-}" "${4:-}" "${5:-}"
	printf '\n--------------tb0123456789--\n'
}

thunderbird ACCEPTED tb1@example.org > "$T/tb.eml"
mailin 0 "$T/tb.eml"
[ "$(answers)" = "yes:mail:$ann:$occ" ] || fail "Thunderbird: $(answers)"
grep -q "ann@example.org answered yes to meeting $occ" "$T/err" ||
    fail "Thunderbird: $(cat "$T/err")"
mailin 0 "$T/tb.eml"
grep -q "as recorded before" "$T/err" || fail "again: $(cat "$T/err")"
[ "$(answers)" = "yes:mail:$ann:$occ" ] || fail "twice: $(answers)"
ok "Thunderbird: accepted is yes; the same message twice records once"

# Outlook: multipart/alternative, the REPLY in base64, CRLF throughout;
# the envelope's recipient as Postfix's pipe gives it.
b64=$(ics MS TENTATIVE | base64)
{
	cat <<EOF
From: "Smith, Ann" <ann@example.org>
To: "Independent Living Group" <ild@example.org>
Subject: Tentative: Review
Thread-Topic: Review
Message-ID: <AM0PR01MB1234ABCD@AM0PR01MB1234.eurprd01.prod.outlook.com>
Date: Thu, 1 Jan 2026 12:05:00 +0000
Content-Language: en-GB
X-MS-Has-Attach:
X-MS-TNEF-Correlator:
MIME-Version: 1.0
Content-Type: multipart/alternative;
	boundary="_000_AM0PR01MB1234ABCD_"

--_000_AM0PR01MB1234ABCD_
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

I may be late.

--_000_AM0PR01MB1234ABCD_
Content-Type: text/html; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

<html><body><p>I may be late.</p></body></html>

--_000_AM0PR01MB1234ABCD_
Content-Type: text/calendar; charset="utf-8"; method=REPLY
Content-Transfer-Encoding: base64

$b64

--_000_AM0PR01MB1234ABCD_--
EOF
} | sed 's/$/\r/' > "$T/ms.eml"
mailin 0 "$T/ms.eml" --recipient "$org"
[ "$(answers)" = "yes:mail:$ann:$occ maybe:mail:$ann:$occ" ] ||
    fail "Outlook: $(answers)"
ok "Outlook: base64 in multipart/alternative, tentative is maybe"

# Google Calendar: the REPLY inline and again as invite.ics, attached.
google() {	# PARTSTAT MESSAGE-ID
	b64=$(ics G "$1" | base64)
	cat <<EOF
Delivered-To: $org
From: Ann Smith <ann@example.org>
To: ild@example.org
Reply-To: Ann Smith <ann@example.org>
Subject: Declined: Review
Message-ID: <$2>
Date: Thu, 1 Jan 2026 12:10:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="000000000000aaaa"

--000000000000aaaa
Content-Type: multipart/alternative; boundary="000000000000bbbb"

--000000000000bbbb
Content-Type: text/plain; charset="UTF-8"; format=flowed; delsp=yes

Ann Smith has declined this invitation.

--000000000000bbbb
Content-Type: text/html; charset="UTF-8"

<p>Ann Smith has declined this invitation.</p>

--000000000000bbbb
Content-Type: text/calendar; charset="UTF-8"; method=REPLY
Content-Transfer-Encoding: 7bit

$(ics G "$1")

--000000000000bbbb--

--000000000000aaaa
Content-Type: application/ics; name="invite.ics"
Content-Disposition: attachment; filename="invite.ics"
Content-Transfer-Encoding: base64

$b64
--000000000000aaaa--
EOF
}
google DECLINED google1@google.com > "$T/g.eml"
mailin 0 "$T/g.eml"
[ "$(answers | tr ' ' '\n' | tail -1)" = "no:mail:$ann:$occ" ] ||
    fail "Google: $(answers)"
# The attachment alone, as a program that drops the inline part sends.
google ACCEPTED google2@google.com | "$PY" -c '
import re, sys
s = sys.stdin.read()
print(re.sub(r"--000000000000bbbb\nContent-Type: text/calendar.*?"
    r"(?=--000000000000bbbb--)", "", s, flags=re.S), end="")' > "$T/g2.eml"
grep -q "^Content-Type: text/calendar" "$T/g2.eml" &&
    fail "the inline part is left"
mailin 0 "$T/g2.eml"
[ "$(answers | tr ' ' '\n' | tail -1)" = "yes:mail:$ann:$occ" ] ||
    fail "Google, the attachment: $(answers)"
ok "Google Calendar: declined is no; invite.ics attached is read too"

# A RECURRENCE-ID in UTC, as some programs write it, names the meeting
# too; one an hour away does not.
utc=$("$PY" -c 'import datetime, sys, zoneinfo
d = datetime.datetime.strptime(sys.argv[1], "%Y%m%dT%H%M%S")
d = d.replace(tzinfo=zoneinfo.ZoneInfo("Europe/London"))
for h in (0, 1):
    print((d + datetime.timedelta(hours=h)).astimezone(
        datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ"))' "$rid")
thunderbird DECLINED utc1@example.org |
    sed "s/^RECURRENCE-ID;TZID=Europe\/London:.*/RECURRENCE-ID:$(echo "$utc" |
    head -1)\r/" > "$T/utc.eml"
grep -q "^RECURRENCE-ID:.*Z" "$T/utc.eml" || fail "no UTC RECURRENCE-ID"
mailin 0 "$T/utc.eml"
[ "$(answers | tr ' ' '\n' | tail -1)" = "no:mail:$ann:$occ" ] ||
    fail "a UTC RECURRENCE-ID: $(answers)"
thunderbird ACCEPTED utc2@example.org |
    sed "s/^RECURRENCE-ID;TZID=Europe\/London:.*/RECURRENCE-ID:$(echo "$utc" |
    tail -1)\r/" > "$T/utc.eml"
mailin 65 "$T/utc.eml"
grep -q "the reply is about the meeting of" "$T/err" ||
    fail "another RECURRENCE-ID: $(cat "$T/err")"
[ "$(answers | tr ' ' '\n' | tail -1)" = "no:mail:$ann:$occ" ] ||
    fail "another RECURRENCE-ID recorded: $(answers)"
ok "a RECURRENCE-ID in UTC names the meeting; another does not"

# Apple Mail: quoted-printable, soft line breaks, the REPLY as a file.
ics APPLE TENTATIVE | "$PY" -c '
import quopri, sys
sys.stdout.write(quopri.encodestring(sys.stdin.buffer.read()).decode())
' > "$T/qp"
tr -d '\r' < "$T/qp" | grep -q '=$' ||
    fail "no soft line break in the fixture"
{
	cat <<EOF
From: Ann Smith <ann@example.org>
To: ild@example.org
X-Original-To: $org
Subject: Maybe: Review
Message-Id: <apple1@icloud.com>
Mime-Version: 1.0 (Mac OS X Mail 16.0)
Content-Type: multipart/alternative;
	boundary="Apple-Mail=_0A1B2C3D"

--Apple-Mail=_0A1B2C3D
Content-Transfer-Encoding: 7bit
Content-Type: text/plain;
	charset=us-ascii

Maybe.

--Apple-Mail=_0A1B2C3D
Content-Transfer-Encoding: quoted-printable
Content-Type: text/calendar;
	charset=utf-8;
	method=REPLY;
	name="iCal-20260101-120000.ics"

EOF
	cat "$T/qp"
	printf '\n--Apple-Mail=_0A1B2C3D--\n'
} > "$T/apple.eml"
mailin 0 "$T/apple.eml"
[ "$(answers | tr ' ' '\n' | tail -1)" = "maybe:mail:$ann:$occ" ] ||
    fail "Apple: $(answers)"
ok "Apple Mail: quoted-printable"

n=$(answers | wc -w)
same() {
	[ "$(answers | wc -w)" = "$n" ] || fail "$1 recorded: $(answers)"
}

# Bad ones: each refused with its status, nothing recorded.
sed '/^--------------tb0123456789$/,$d' "$T/tb.eml" > "$T/bad.eml"
printf -- '--------------tb0123456789\nContent-Type: text/plain\n\nYes!\n' \
    >> "$T/bad.eml"
printf -- '--------------tb0123456789--\n' >> "$T/bad.eml"
sed -i 's/tb1@example.org/nocal@example.org/' "$T/bad.eml"
mailin 65 "$T/bad.eml"
grep -q "no calendar part" "$T/err" || fail "no calendar: $(cat "$T/err")"
same "a message without a calendar"
thunderbird ACCEPTED req@example.org "" REQUEST > "$T/bad.eml"
mailin 65 "$T/bad.eml"
grep -q "not a REPLY" "$T/err" || fail "REQUEST: $(cat "$T/err")"
same "a REQUEST"
thunderbird ACCEPTED uid@example.org "series-999999@elsewhere.example" \
    > "$T/bad.eml"
mailin 65 "$T/bad.eml"
grep -q "the reply is about series-999999@" "$T/err" ||
    fail "another UID: $(cat "$T/err")"
same "another UID"
printf 'garbage\n\001\002\377 no headers at all\n' > "$T/bad.eml"
mailin 65 "$T/bad.eml"
same "garbage"
head -c 3000 /dev/urandom > "$T/bad.eml"
mailin 65 "$T/bad.eml"
same "random bytes"
thunderbird NEEDS-ACTION na@example.org > "$T/bad.eml"
mailin 65 "$T/bad.eml"
same "no answer"
ok "no calendar part, a REQUEST, another UID, garbage: EX_DATAERR"

# A forged token: Ann's, for the meeting, with a signature made up.
forged=$(echo "$org" | sed 's/\.[A-Za-z0-9_-]\{22\}@/.AAAAAAAAAAAAAAAAAAAAAA@/')
[ "$forged" != "$org" ] || fail "the token was not forged: $org"
thunderbird ACCEPTED forged@example.org "" "" "$forged" "$forged" \
    > "$T/bad.eml"
mailin 77 "$T/bad.eml"
grep -q "not one convene signed" "$T/err" || fail "forged: $(cat "$T/err")"
mailin 77 "$T/tb.eml" --recipient "$forged"
# Another person's and meeting's numbers under Ann's signature.
other=$(echo "$org" | sed "s/+r\\.$ann\\.$occ\\./+r.$ann.$((occ + 1))./")
thunderbird ACCEPTED other@example.org "" "" "$other" "$other" \
    > "$T/bad.eml"
mailin 77 "$T/bad.eml"
# No token anywhere: the From alone proves nothing.
thunderbird ACCEPTED none@example.org "" "" "ild@example.org" \
    "ild@example.org" > "$T/bad.eml"
mailin 77 "$T/bad.eml"
same "a forged token"
ok "a forged token, or none: EX_NOPERM"

# The route is the control socket's alone: a coordinator's token cannot
# record answers in members' names.
"$CONVENECTL" -s "$T/state/convened.sock" token create mta > "$T/tok" \
    2>/dev/null || fail "token create"
tok=${org#*+}
tok=${tok%@*}
expect_code 403 POST /api/v1/answers/mail -H "Authorization: Bearer \
$(cat "$T/tok")" -H 'Content-Type: application/json' --data-binary \
    "{\"token\": \"$tok\", \"uid\": \"$uid\", \"answer\": \"no\"}"
api 405 GET /answers/mail
same "a bearer token"
ok "answers by mail: over the control socket only"

# The daemon away: EX_TEMPFAIL, for the mail server to try again.
stop_daemon
thunderbird ACCEPTED later@example.org > "$T/later.eml"
mailin 75 "$T/later.eml"
start_daemon
same "a message while the daemon was away"
mailin 0 "$T/later.eml"
[ "$(answers | wc -w)" = $((n + 1)) ] || fail "later: $(answers)"
ok "the daemon away: EX_TEMPFAIL, recorded when tried again"

pass
