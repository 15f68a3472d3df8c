# khal-lib.sh: khal reading a feed through vdirsyncer's http storage, as a
# phone subscribes to it.  Sourced after lib.sh; everything under $T.
# shellcheck shell=sh

# khal_setup URL ZONE: a vdirsyncer pair from the feed at URL to a folder,
# and a khal that reads the folder and shows times in ZONE.
khal_setup() {
	KHAL_TZ=$2
	"$PY" -c 'import khal, vdirsyncer' 2>/dev/null ||
	    fail "khal and vdirsyncer are needed (Debian packages khal, vdirsyncer)"
	mkdir -p "$T/vds/status" "$T/vds/cal" "$T/khal" "$T/xdg"
	cat > "$T/vdirsyncer.conf" <<CONF
[general]
status_path = "$T/vds/status/"

[pair feed]
a = "feed_remote"
b = "feed_local"
collections = null
conflict_resolution = "a wins"

[storage feed_remote]
type = "http"
url = "$1"

[storage feed_local]
type = "filesystem"
path = "$T/vds/cal/"
fileext = ".ics"
CONF
	cat > "$T/khal.conf" <<CONF
[calendars]
[[feed]]
path = $T/vds/cal/
type = calendar

[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%dT%H:%M
longdatetimeformat = %Y-%m-%dT%H:%M
local_timezone = $2
default_timezone = $2

[sqlite]
path = $T/khal/khal.db
CONF
}

# vds VERB: vdirsyncer VERB for the feed pair (discover, sync).
vds() {
	env HOME="$T" XDG_CONFIG_HOME="$T/xdg" XDG_DATA_HOME="$T/xdg" \
	    /usr/bin/python3 -m vdirsyncer -c "$T/vdirsyncer.conf" "$@" feed \
	    </dev/null >>"$T/vdirsyncer.out" 2>&1 ||
	    fail "vdirsyncer $1: $(cat "$T/vdirsyncer.out")"
}

# khal_cmd ARGS: khal with the configuration above.
khal_cmd() {
	env HOME="$T" XDG_CONFIG_HOME="$T/xdg" XDG_DATA_HOME="$T/xdg" \
	    TZ="$KHAL_TZ" /usr/bin/python3 -m khal -c "$T/khal.conf" "$@"
}
