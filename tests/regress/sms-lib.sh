# sms-lib.sh: what the SMS regress scripts share, sourced after lib.sh and
# outbox-lib.sh: Kannel (bearerbox, smsbox, a fake SMSC) with fakesmsc as
# the phone, each on a free loopback port and stopped by PID at exit.

KANNEL_BEARERBOX=${KANNEL_BEARERBOX:-/usr/sbin/bearerbox}
KANNEL_SMSBOX=${KANNEL_SMSBOX:-/usr/sbin/smsbox}
KANNEL_FAKESMSC=${KANNEL_FAKESMSC:-/usr/lib/kannel/test/fakesmsc}
BB_PID=
SB_PID=
PHONE_PID=

sms_cleanup() {
	for p in $PHONE_PID $SB_PID $BB_PID; do
		if kill -0 "$p" 2>/dev/null; then
			kill -TERM "$p" 2>/dev/null || true
		fi
	done
	i=0
	while [ "$i" -lt 30 ]; do
		alive=
		for p in $PHONE_PID $SB_PID $BB_PID; do
			if kill -0 "$p" 2>/dev/null; then
				alive=1
			fi
		done
		[ -n "$alive" ] || break
		i=$((i + 1))
		sleep 0.1
	done
	for p in $PHONE_PID $SB_PID $BB_PID; do
		if kill -0 "$p" 2>/dev/null; then
			kill -KILL "$p" 2>/dev/null || true
		fi
	done
	cleanup
}
trap sms_cleanup EXIT

# kannel_conf: bearerbox, smsbox, a sendsms-user and a fake SMSC.
kannel_conf() {
	K_ADMIN=$(free_port)
	K_BOX=$(free_port)
	K_SMSC=$(free_port)
	K_SEND=$(free_port)
	cat > "$T/kannel.conf" <<CONF
group = core
admin-port = $K_ADMIN
admin-password = adminpw
admin-allow-ip = 127.0.0.1
smsbox-port = $K_BOX
box-allow-ip = 127.0.0.1
log-level = 0
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = fake
port = $K_SMSC
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = $K_BOX
sendsms-port = $K_SEND
log-level = 0

# Long texts go as concatenated SMS, up to KANNEL_MAX_MESSAGES parts,
# as many as convened's max_segments: Kannel cuts a longer one.
group = sendsms-user
username = convene
password = s3cret
default-sender = 447700900000
concatenation = true
max-messages = ${KANNEL_MAX_MESSAGES:-4}
CONF
	printf 'convene:s3cret\n' > "$T/sms.cred"
	chmod 600 "$T/sms.cred"
}

fake_online() {
	curl -s -m 2 "http://127.0.0.1:$K_ADMIN/status.txt?password=adminpw" |
	    grep -q 'fake.*online'
}

sendsms_up() {
	curl -s -m 2 -o /dev/null "http://127.0.0.1:$K_SEND/"
}

start_bearerbox() {
	"$KANNEL_BEARERBOX" -v 1 "$T/kannel.conf" >>"$T/bearerbox.log" 2>&1 &
	BB_PID=$!
	wait_for curl -s -m 2 -o /dev/null \
	    "http://127.0.0.1:$K_ADMIN/status.txt?password=adminpw" ||
	    fail "bearerbox did not start"
}

start_smsbox() {
	"$KANNEL_SMSBOX" -v 1 "$T/kannel.conf" >>"$T/smsbox.log" 2>&1 &
	SB_PID=$!
	wait_for sendsms_up || fail "smsbox did not start"
}

stop_smsbox() {
	kill -TERM "$SB_PID"
	wait "$SB_PID" 2>/dev/null || true
	SB_PID=
	! sendsms_up || fail "smsbox still answers"
}

# start_phone: fakesmsc receives only (-m 0) and logs every SMS it gets.
start_phone() {
	"$KANNEL_FAKESMSC" -H 127.0.0.1 -r "$K_SMSC" -m 0 "1 2 text x" \
	    2>>"$T/phone.log" >/dev/null &
	PHONE_PID=$!
	wait_for fake_online || fail "fakesmsc did not connect"
}

start_kannel() {
	for b in "$KANNEL_BEARERBOX" "$KANNEL_SMSBOX" "$KANNEL_FAKESMSC"; do
		[ -x "$b" ] || fail "$b is missing: install kannel and" \
		    "kannel-extras (contrib/lib.sh)"
	done
	kannel_conf
	start_bearerbox
	start_smsbox
	start_phone
}

# phone_texts: every message the phone has, one line each, as
# "CODING PARTS TEXT" with concatenated parts joined in order (UCS-2 and
# data decoded).
phone_texts() {
	"$PY" - "$T/phone.log" <<'PY'
import re, sys, urllib.parse

def unq(s):
    return urllib.parse.unquote_to_bytes(s.replace("+", " "))

def text(b):
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return b.decode("latin-1")

out, parts = [], {}
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = re.search(r"Got message \d+: <(.*)>$", line.rstrip("\n"))
    if not m:
        continue
    f = m.group(1).split(" ", 3)
    kind, rest = f[2], f[3]
    udh = None
    if kind == "udh":
        udh, kind, rest = rest.split(" ", 2)
        udh = unq(udh)
    if kind == "text":
        body, coding = rest, "gsm"
    elif kind == "data":
        # fakesmsc does not say how binary data is coded: the only binary
        # texts sent are UCS-2, whose bytes for Latin text hold NULs.
        b = unq(rest)
        if b"\x00" in b and len(b) % 2 == 0:
            body, coding = b.decode("utf-16-be"), "ucs2"
            if len(b) > 134:
                coding = "ucs2-part-too-long"
        else:
            body, coding = text(b), "gsm"
            if len(body) > 153:
                coding = "gsm-part-too-long"
    elif kind == "ucs-2":
        body, coding = unq(rest).decode("utf-16-be"), "ucs2"
    else:
        body, coding = rest, kind
    if udh is None:
        out.append((coding, 1, body))
        continue
    # 8-bit concatenation: 05 00 03 ref total seq.
    if len(udh) != 6 or udh[:3] != b"\x05\x00\x03":
        out.append((coding, -1, body))
        continue
    ref, total, seq = udh[3], udh[4], udh[5]
    p = parts.setdefault((f[1], ref), {})
    p[seq] = body
    codings = parts.setdefault((f[1], ref, "coding"), set())
    codings.add(coding)
    if len(p) == total:
        out.append(("/".join(sorted(codings)), total,
            "".join(p[i] for i in range(1, total + 1))))
for coding, n, body in out:
    print(coding, n, body)
PY
}

# phone_count TEXT: how many messages the phone has with exactly TEXT.
phone_count() {
	phone_texts | awk -v t="$1" '{ c = $1; n = $2
	    sub(/^[^ ]+ [^ ]+ /, "")
	    if ($0 == t) k++ } END { print k + 0 }'
}
