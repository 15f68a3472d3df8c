#!/bin/sh
# systemd-units.sh: check the systemd units with systemd-analyze.
#
# - `systemd-analyze verify` must report nothing about convened.service or
#   convened.socket;
# - `systemd-analyze security` must rate convened.service 2.0 or lower.
#
# Run by `make check` with top_srcdir and top_builddir set.  Exit 0: pass,
# 1: fail, 77: skip (no usable systemd-analyze).

max_exposure=2.0

: "${top_srcdir:?top_srcdir is not set}"
: "${top_builddir:?top_builddir is not set}"

service=$top_builddir/systemd/convened.service
socket=$top_srcdir/systemd/convened.socket
daemon=$top_builddir/daemon/convened

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "SKIP: systemd-analyze is not installed"
	exit 77
fi
# security --offline and --threshold came with systemd 250.
if ! systemd-analyze --help 2>/dev/null | grep -q -e '--offline'; then
	echo "SKIP: this systemd-analyze has no --offline (systemd < 250):"
	systemd-analyze --version | sed -n 1p
	exit 77
fi

for f in "$service" "$socket"; do
	if [ ! -f "$f" ]; then
		echo "FAIL: $f is missing (run make first)"
		exit 1
	fi
done
if [ ! -x "$daemon" ]; then
	echo "FAIL: $daemon is missing (run make first)"
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/systemd-units.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# No pager, colours or terminal decorations in what we parse.
SYSTEMD_PAGER=cat SYSTEMD_COLORS=0 SYSTEMD_LOG_COLOR=0 SYSTEMD_LOG_LOCATION=0
export SYSTEMD_PAGER SYSTEMD_COLORS SYSTEMD_LOG_COLOR SYSTEMD_LOG_LOCATION

# verify checks that ExecStart= is executable: point it at the build tree.
# The units keep their names, so the socket still finds its service.
esc=$(printf '%s\n' "$daemon" | sed 's/[|&\\]/\\&/g')
sed -e "s|^\\(ExecStart=[-@:+!]*\\)[^ ]*/convened |\\1$esc |" \
    -e "s|^\\(ExecStart=[-@:+!]*\\)[^ ]*/convened\$|\\1$esc|" \
    "$service" > "$tmp/convened.service" || exit 1
cp "$socket" "$tmp/convened.socket" || exit 1
if ! grep '^ExecStart=' "$tmp/convened.service" | grep -qF "=$daemon"; then
	echo "FAIL: found no ExecStart=.../convened line to rewrite in $service"
	exit 1
fi

rc=0

# --recursive-errors=no (systemd 250+): exit non-zero on warnings about the
# units named, but not on those about others (the system's targets).
echo "== systemd-analyze verify"
set -- --man=no
if systemd-analyze --help 2>/dev/null | grep -q -e '--recursive-errors'; then
	set -- "$@" --recursive-errors=no
fi
systemd-analyze verify "$@" "$tmp/convened.service" "$tmp/convened.socket" \
    > "$tmp/verify.out" 2>&1
verify_rc=$?
cat "$tmp/verify.out"
# In a container without a running systemd, verify may complain about the
# system (not booted, no bus): only messages about our units count.
if grep -e 'convened\.s' -e "$tmp" "$tmp/verify.out" > "$tmp/verify.ours"
then
	echo "FAIL: systemd-analyze verify reported on our units:"
	cat "$tmp/verify.ours"
	rc=1
elif [ "$verify_rc" -ne 0 ]; then
	echo "FAIL: systemd-analyze verify exited with $verify_rc"
	rc=1
else
	echo "verify: no problem reported"
fi

# --threshold=100 (the maximum): its exit status then only tells errors,
# and we apply our own limit to the score it prints.
echo
echo "== systemd-analyze security"
systemd-analyze security --no-pager --offline=true --threshold=100 \
    "$tmp/convened.service" > "$tmp/security.out" 2>&1
security_rc=$?
cat "$tmp/security.out"
score=$(sed -n 's/.*Overall exposure level for [^:]*: *\([0-9][0-9]*\.[0-9]*\).*/\1/p' \
    "$tmp/security.out" | sed -n 1p)
if [ "$security_rc" -ne 0 ]; then
	echo "FAIL: systemd-analyze security exited with $security_rc"
	rc=1
fi
if [ -z "$score" ]; then
	echo "FAIL: found no overall exposure level in the output above"
	rc=1
elif awk -v s="$score" -v m="$max_exposure" 'BEGIN { exit !(s + 0 > m + 0) }'
then
	echo "FAIL: exposure $score is above $max_exposure"
	rc=1
else
	echo "exposure: $score (at most $max_exposure)"
fi

exit $rc
