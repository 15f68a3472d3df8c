# lib.sh: what every regress script shares.  Source it, then call
# start_daemon; everything lives in one temporary folder, the daemon runs on
# a free loopback port and is stopped by PID at exit.  The folder and the
# daemon's log are kept, and the log printed, only when the test fails.

set -eu

: "${CONVENED:?CONVENED must name the convened binary}"
: "${CONVENECTL:=$(dirname "$CONVENED")/convenectl}"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

T=$(mktemp -d "${TMPDIR:-/tmp}/convene-regress.XXXXXX")
DAEMON_PID=
PASSED=

cleanup() {
	rc=$?
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -KILL "$DAEMON_PID" 2>/dev/null || true
	fi
	if [ -n "$PASSED" ] && [ "$rc" -eq 0 ]; then
		rm -rf "$T"
	else
		echo "--- test failed; its folder is kept: $T"
		for f in "$T"/*.log; do
			[ -f "$f" ] || continue
			echo "--- $f"
			tail -n 60 "$f"
		done
	fi
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	exit 1
}

ok() {
	echo "ok: $*"
}

pass() {
	PASSED=1
	echo "PASS"
	exit 0
}

skip() {
	PASSED=1
	echo "SKIP: $*"
	exit 77
}

free_port() {
	"$PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"

# write_conf [extra lines for [http]]: a configuration for this test.
write_conf() {
	cat > "$T/convened.conf" <<CONF
[daemon]
state_directory = $T/state
log_level = debug
shutdown_timeout = 5
templates = $top_srcdir/conf/templates

[http]
listen = 127.0.0.1:$PORT
${1:-}
CONF
}

# How long a wait goes on with nothing moving before it gives up, in
# seconds: a busy machine (two cores, the sanitizers, other tests) is slow,
# not stuck, so no wait has a fixed deadline.
: "${WAIT_STALL:=60}"

# wait_progress CMD TARGET [STALL]: run CMD (a command line, which prints
# a count or a state) until it prints TARGET.  Every change in what it
# prints is progress; returns 1, saying what it last printed, only after
# STALL seconds (WAIT_STALL by default) with no change.
wait_progress() {
	wp_last=
	wp_since=$(date +%s)
	while :; do
		wp_now=$(eval "$1" 2>/dev/null) || wp_now="(failed)"
		[ "$wp_now" = "$2" ] && return 0
		if [ "$wp_now" != "$wp_last" ]; then
			wp_last=$wp_now
			wp_since=$(date +%s)
		elif [ $(($(date +%s) - wp_since)) -ge "${3:-$WAIT_STALL}" ]; then
			echo "no progress in ${3:-$WAIT_STALL} s: '$1' is" \
			    "'$wp_now', waiting for '$2'" >&2
			return 1
		fi
		sleep 0.1
	done
}

# wait_for CMD...: retry until CMD succeeds; a yes or no shows no
# progress, so it gives up after WAIT_STALL seconds.
wait_for() {
	wf_since=$(date +%s)
	while ! "$@" >/dev/null 2>&1; do
		[ $(($(date +%s) - wf_since)) -lt "$WAIT_STALL" ] || return 1
		sleep 0.1
	done
}

# plan_queue: how many changes and meetings wait to be planned again
# (the convene_plan_queue gauge of /metrics).
plan_queue() {
	curl -fsS -m 10 "$BASE/metrics" |
	    awk '$1 == "convene_plan_queue" { print $2 }'
}

# planned: wait until what the changes so far touch has been planned: an
# API call is answered before a large group's reminders are in the outbox.
planned() {
	wait_progress plan_queue 0 || fail "the changes were not planned"
}

healthy() {
	curl -fs -m 2 "$BASE/healthz" 2>/dev/null | grep -q '"status": "ok"'
}

# start_daemon [args]: convened -d on this test's configuration.
# TEST_CLOCK says whether the clock is the test's (--test-clock).
TEST_CLOCK=
start_daemon() {
	[ -f "$T/convened.conf" ] || write_conf
	TEST_CLOCK=
	for a in "$@"; do
		case $a in
		--test-clock | --test-clock=*) TEST_CLOCK=1 ;;
		esac
	done
	${WRAPPER:-} "$CONVENED" -d -f "$T/convened.conf" "$@" \
	    2>>"$T/daemon.log" &
	DAEMON_PID=$!
	wait_for healthy || fail "convened did not answer /healthz"
}

# stop_daemon: SIGTERM, and the exit status must be 0.
stop_daemon() {
	kill -TERM "$DAEMON_PID"
	st=0
	wait "$DAEMON_PID" || st=$?
	DAEMON_PID=
	[ "$st" -eq 0 ] || fail "convened exited $st after SIGTERM"
}

# test_clock [JSON]: POST JSON (or nothing) to /test/clock over the
# control socket of a daemon started with --test-clock; prints the time
# by the daemon's clock.
test_clock() {
	tc_code=$(curl -sS -m 10 --unix-socket "$T/state/convened.sock" \
	    -o "$T/clock" -w '%{http_code}' -X POST \
	    -H 'Content-Type: application/json' -d "${1:-}" \
	    http://localhost/test/clock) || tc_code=000
	[ "$tc_code" = 200 ] ||
	    fail "POST /test/clock gave $tc_code: $(cat "$T/clock" 2>/dev/null)"
	"$PY" -c 'import json, sys
print(json.load(open(sys.argv[1]))["now"])' "$T/clock"
}

# advance SECONDS: move the daemon's clock on (a running clock runs on
# from there); what has come due runs at once.  set_clock EPOCH stops
# the clock there; daemon_now prints it.
advance() {
	test_clock "{\"advance\": $1}" >/dev/null
}
set_clock() {
	test_clock "{\"set\": $1}" >/dev/null
}
daemon_now() {
	test_clock
}

# advance_to EPOCH: move the daemon's clock on to EPOCH, if it is not
# there yet (in place of sleeping until then).
advance_to() {
	at_now=$(daemon_now)
	if [ "$1" -gt "$at_now" ]; then
		advance $(($1 - at_now))
	fi
}

# http METHOD PATH [curl args]: prints the status code; body in $T/body.
http() {
	m=$1
	p=$2
	shift 2
	curl -sS -m 10 -o "$T/body" -w '%{http_code}' -X "$m" "$@" "$BASE$p"
}

expect_code() {
	want=$1
	shift
	got=$(http "$@") || true
	[ "$got" = "$want" ] || fail "$* gave $got, wanted $want: $(cat "$T/body" 2>/dev/null)"
}

# need_node: the npm packages of tests/package.json (ical.js, axe-core,
# playwright-core), installed once into the build tree, since the source
# tree may be read-only; sets NODE_PATH.  Tests running at once share
# one install under a lock.
need_node() {
	command -v node >/dev/null 2>&1 || fail "node is not installed"
	command -v npm >/dev/null 2>&1 || fail "npm is not installed"
	nd=$top_builddir/tests/node
	mkdir -p "$nd"
	(
		flock 9
		if ! cmp -s "$top_srcdir/tests/package-lock.json" \
		    "$nd/package-lock.json" || [ ! -d "$nd/node_modules" ]; then
			rm -rf "$nd/node_modules"
			cp "$top_srcdir/tests/package.json" \
			    "$top_srcdir/tests/package-lock.json" "$nd/"
			chmod u+w "$nd/package.json" "$nd/package-lock.json"
			(cd "$nd" && npm ci --no-audit --no-fund \
			    --loglevel=error) >"$T/npm.log" 2>&1 || {
				rm -f "$nd/package-lock.json"
				exit 1
			}
		fi
	) 9>"$nd/.lock" || fail "npm ci failed: $(tail -n 5 "$T/npm.log")"
	NODE_PATH=$nd/node_modules
	export NODE_PATH
}
