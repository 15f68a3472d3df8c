# lib.sh: shared by contrib/quickstart and contrib/check: install what is
# missing on Debian with apt-get, and build in a folder of its own.
# shellcheck shell=bash

BUILD_PACKAGES="autoconf automake make gcc pkg-config libevent-dev
libsqlite3-dev libical-dev libsystemd-dev libinih-dev libjansson-dev
libsodium-dev"
TEST_PACKAGES="libcmocka-dev mandoc sqlite3 curl python3 systemd valgrind
kannel kannel-extras python3-aiosmtpd python3-icalendar
python3-recurring-ical-events msmtp nginx-light wrk"
# Node and npm for ical.js (tests/package.json, installed by feed.sh with
# npm ci): Debian's only where none is installed, as a repackaged npm
# conflicts with Debian's.
command -v npm >/dev/null 2>&1 || TEST_PACKAGES="$TEST_PACKAGES nodejs npm"

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

# build_tree DIR [configure args]: configure (once) and make in DIR.
build_tree() {
	local dir=$1 top
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
		echo "==> configure $* (in $dir)"
		(cd "$dir" && "$top/configure" -q "$@") || return 1
	fi
	echo "==> make (in $dir)"
	make -C "$dir" -j"$(nproc)" -s || return 1
}
