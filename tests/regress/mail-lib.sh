# mail-lib.sh: what the mail tests and the mail benchmark share, sourced
# after lib.sh: a real SMTP server on loopback (smtpd.py, on aiosmtpd)
# started and stopped by PID, its faults, its counts, and reading what it
# received with Python's email package.

"$PY" -c 'import aiosmtpd' 2>/dev/null ||
    skip "python3-aiosmtpd is not installed (apt-get install python3-aiosmtpd)"

SMTPD_PIDS=

mail_cleanup() {
	st=$?
	set +e
	for p in $SMTPD_PIDS; do
		kill "$p" 2>/dev/null || true
	done
	(exit "$st")
	cleanup
}
trap mail_cleanup EXIT

# smtpd_start NAME [smtpd.py options]: a server with its folder $T/NAME;
# its port in SMTP_PORT and its PID in SMTP_PID.
smtpd_start() {
	d=$T/$1
	shift
	mkdir -p "$d"
	rm -f "$d/port"
	"$PY" "$top_srcdir/tests/regress/smtpd.py" --dir "$d" "$@" \
	    2>>"$d.log" &
	SMTP_PID=$!
	SMTPD_PIDS="$SMTPD_PIDS $SMTP_PID"
	wait_for test -s "$d/port" || fail "smtpd.py did not start: $(cat "$d.log")"
	SMTP_PORT=$(cat "$d/port")
}

# smtpd_stop PID: SIGTERM, and wait for it to go.
smtpd_stop() {
	kill -TERM "$1"
	wait "$1" 2>/dev/null || true
}

# smtp_ctl NAME JSON: the server's faults, renamed into place.
smtp_ctl() {
	printf '%s\n' "$2" > "$T/$1/control.tmp"
	mv "$T/$1/control.tmp" "$T/$1/control.json"
}

# smtp_stat NAME KEY: a count from the server's stats.json.
smtp_stat() {
	"$PY" -c 'import json, sys
print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$T/$1/stats.json" "$2"
}

# smtp_files NAME: how many messages the server has stored.
smtp_files() {
	ls "$T/$1/new" | wc -l
}

# write_mail_conf URL [extra lines for [mail]]: the configuration for a
# mail test: SMTP on URL, retries a second apart.
write_mail_conf() {
	write_conf
	cat >> "$T/convened.conf" <<CONF

[mail]
smtp_url = $1
starttls = optional
from = Convene Test <convene@convene.test>
timeout = 2
max_connections = 4
${2:-}

[outbox]
retry_base = 1
retry_max = 1
retry_lifetime = 60
CONF
}
