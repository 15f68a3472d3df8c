#!/bin/sh
# headers.sh: every header in daemon/ stands on its own.  Each is compiled
# in a translation unit of its own, after config.h as every source starts,
# and included twice, so a header that leans on another one included
# before it, or that is not guarded, fails here by name.  curlev.h is also
# compiled with CURL_STRICTER, under which libcurl's CURL is a struct of
# its own rather than void.
#
# The compiler and its flags come from the environment as make check sets
# them (CC, CPPFLAGS, CFLAGS and DEP_CFLAGS, the libraries' flags); run by
# hand, DEP_CFLAGS defaults to what pkg-config says.  config.h is looked
# for in top_builddir (default: top_srcdir).

: "${top_srcdir:?top_srcdir is not set}"
: "${top_builddir:=$top_srcdir}"
top_srcdir=$(cd "$top_srcdir" && pwd) || exit 1
top_builddir=$(cd "$top_builddir" && pwd) || exit 1
if [ ! -f "$top_builddir/config.h" ]; then
	echo "FAIL: no config.h in $top_builddir: configure first"
	exit 1
fi
: "${CC:=cc}"
if [ -z "${DEP_CFLAGS+set}" ]; then
	DEP_CFLAGS=$(pkg-config --cflags libevent libcurl sqlite3 libical \
	    jansson libsodium 2>/dev/null)
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/convene-headers.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# check NAME [FLAGS]: compile daemon/NAME alone; say why if it fails.
check() {
	h=$1
	shift
	printf '#include "config.h"\n#include "%s"\n#include "%s"\n' "$h" "$h" \
	    > "$tmp/unit.c"
	# shellcheck disable=SC2086
	if ! $CC -std=gnu11 -fsyntax-only -Werror -Wall -Wextra \
	    -Wstrict-prototypes $CPPFLAGS $CFLAGS $DEP_CFLAGS "$@" \
	    -I"$top_builddir" -iquote "$top_srcdir/daemon" "$tmp/unit.c" \
	    > "$tmp/out" 2>&1; then
		sed 's/^/	/' "$tmp/out"
		echo "daemon/$h${*:+ ($*)}: does not compile alone"
		return 1
	fi
	return 0
}

cd "$top_srcdir" || exit 1
bad=0
n=0
for f in daemon/*.h; do
	h=${f#daemon/}
	n=$((n + 1))
	guard=CONVENE_$(echo "${h%.h}" | tr '[:lower:]' '[:upper:]')_H
	[ "$h" = convene.h ] && guard=CONVENE_H
	# The guard: the first two directives, and the last.
	if [ "$(grep '^#' "$f" | sed -n '1p;2p' | tr '\n' ' ')" != \
	    "#ifndef $guard #define $guard " ] ||
	    [ "$(grep '^#' "$f" | tail -n 1)" != "#endif" ]; then
		echo "$f: not guarded by #ifndef $guard"
		bad=1
	fi
	check "$h" || bad=1
done
check curlev.h -DCURL_STRICTER || bad=1
if [ "$bad" -ne 0 ]; then
	echo "FAIL: see the headers above"
	exit 1
fi
echo "PASS: $n headers each compile alone"
