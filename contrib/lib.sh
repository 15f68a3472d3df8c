# lib.sh: shared by contrib/quickstart and contrib/check: install what is
# missing on Debian with apt-get, and build in a folder of its own.
# shellcheck shell=bash

BUILD_PACKAGES="autoconf automake make gcc pkg-config libevent-dev
libsqlite3-dev libical-dev libsystemd-dev libinih-dev libjansson-dev
libsodium-dev nettle-dev"
TEST_PACKAGES="libcmocka-dev mandoc sqlite3 curl python3 systemd valgrind
kannel kannel-extras python3-aiosmtpd python3-icalendar
python3-recurring-ical-events msmtp nginx-light wrk chromium khal vdirsyncer"
# The libFuzzer targets (--enable-fuzzing): clang and its runtimes.
FUZZ_PACKAGES="clang libclang-rt-14-dev"

# Node and npm for the test-only npm packages; some machines carry their
# own build of both, which Debian's npm package conflicts with.
node_packages() {
	command -v npm >/dev/null 2>&1 || echo "nodejs npm"
}

# libcurl's three -dev packages conflict: keep whichever is there.
curl_dev() {
	for p in libcurl4-openssl-dev libcurl4-gnutls-dev libcurl4-nss-dev; do
		if installed "$p"; then
			echo "$p"
			return
		fi
	done
	echo libcurl4-openssl-dev
}

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null |
	    grep -q "install ok installed"
}

APT_UPDATED=

# ensure_packages PKG...: apt-get install the ones not installed yet.
ensure_packages() {
	local missing="" p sudo=""
	for p in "$@"; do
		installed "$p" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "convene needs these Debian packages:$missing" >&2
		echo "install them (or their equivalents) and run again" >&2
		exit 1
	fi
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 || {
			echo "as root, run: apt-get install$missing" >&2
			exit 1
		}
		sudo=sudo
	fi
	echo "==> installing:$missing"
	if [ -z "$APT_UPDATED" ]; then
		$sudo apt-get update -q || exit 1
		APT_UPDATED=1
	fi
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q \
	    --no-install-recommends $missing || exit 1
}

# build_tree DIR [configure args]: configure and make in DIR.  configure
# runs again when it is newer, when the arguments differ from last time,
# or when the build was made without cmocka and cmocka is there now (as
# after contrib/quickstart, then contrib/check), so that the tests that
# run are every test there is.
build_tree() {
	local dir=$1 top why=
	shift
	top=$(pwd)
	if [ ! -x configure ] || [ configure.ac -nt configure ] ||
	    [ Makefile.am -nt configure ]; then
		echo "==> ./autogen.sh"
		./autogen.sh >/dev/null 2>&1 || ./autogen.sh || return 1
	fi
	if [ -f config.status ]; then
		echo "the source tree is configured in place, and builds in" >&2
		echo "$dir need it clean: run 'make distclean' first" >&2
		return 1
	fi
	mkdir -p "$dir"
	if [ ! -f "$dir/Makefile" ] || [ configure -nt "$dir/Makefile" ]; then
		why=configure
	elif [ "$(cat "$dir/.configure-args" 2>/dev/null)" != "$*" ]; then
		why="configure again, with other arguments:"
	elif grep -q '^have_cmocka = no$' "$dir/Makefile" &&
	    pkg-config --exists 'cmocka >= 1.1' 2>/dev/null; then
		why="configure again, as cmocka is there now for the unit tests:"
	fi
	if [ -n "$why" ]; then
		echo "==> $why${*:+ $*} (in $dir)"
		rm -f "$dir/.configure-args"
		(cd "$dir" && "$top/configure" -q "$@") || return 1
		printf '%s\n' "$*" > "$dir/.configure-args"
	fi
	if grep -q '^have_cmocka = no$' "$dir/Makefile"; then
		echo "==> WARNING: cmocka was not found: $dir builds no unit" \
		    "tests (apt-get install libcmocka-dev)" >&2
	fi
	echo "==> make (in $dir)"
	make -C "$dir" -j"$(nproc)" -s || return 1
}

# unit_tests_ran DIR: say, and fail, when the make check whose output is
# DIR/check.out ran fewer unit tests than Makefile.am lists.
unit_tests_ran() {
	local dir=$1 want ran
	want=$(grep -o 'tests/unit/test_[a-z0-9_]*' Makefile.am | sort -u |
	    wc -l)
	ran=$(grep -E '^(PASS|FAIL|ERROR|SKIP|XFAIL|XPASS): tests/unit/' \
	    "$dir/check.out" 2>/dev/null | sort -u | wc -l)
	if [ "$ran" -lt "$want" ]; then
		echo "$dir: only $ran of the $want unit tests in Makefile.am" \
		    "ran: was cmocka missing when it was configured?"
		return 1
	fi
}
