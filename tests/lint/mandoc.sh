#!/bin/sh
# mandoc.sh: every manual page passes mandoc -Tlint at warning level.

: "${top_srcdir:?top_srcdir is not set}"
if ! command -v mandoc >/dev/null 2>&1; then
	echo "SKIP: mandoc is not installed"
	exit 77
fi
cd "$top_srcdir" || exit 1
bad=0
for page in daemon/*.[1-8]; do
	if [ ! -s "$page" ]; then
		echo "FAIL: $page is empty"
		bad=1
		continue
	fi
	out=$(mandoc -Tlint -Wwarning "$page" 2>&1)
	if [ -n "$out" ]; then
		echo "$out"
		bad=1
	else
		echo "ok: $page"
	fi
done
[ "$bad" -eq 0 ] || { echo "FAIL"; exit 1; }
echo "PASS"
