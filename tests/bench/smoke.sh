# smoke.sh: each benchmark at a small size, so make check shows they
# still run and print their figures; the full sizes are "make bench".
. "$(dirname "$0")/../regress/lib.sh"

b=$top_builddir/tests/bench
make -C "$top_builddir" -s tests/bench/bench_plan >/dev/null ||
    fail "cannot build bench_plan"
out=$("$b/bench_plan" 2000 20 "$T" 2>/dev/null) || fail "bench_plan failed"
echo "$out"
echo "$out" | grep -q '^plan: 2000 members in 20 groups: 8000 outbox rows' ||
    fail "bench_plan: $out"
out=$(sh "$top_srcdir/tests/bench/restart.sh" 20000) || fail "restart.sh"
echo "$out" | grep -q '^restart, full:  median: ready in' ||
    fail "restart: $out"
echo "$out" | grep median
out=$(sh "$top_srcdir/tests/bench/lateness.sh" 300 2) || fail "lateness.sh"
echo "$out" | grep -q 'lateness:  p50 <= ' || fail "lateness: $out"
echo "$out" | grep -E 'lateness|loop'
st=0
out=$(sh "$top_srcdir/tests/bench/mail.sh" --smoke) || st=$?
if [ "$st" = 77 ]; then
	echo "mail: skipped: $(echo "$out" | grep '^SKIP')"
else
	[ "$st" = 0 ] || fail "mail.sh: $out"
	echo "$out" | grep -q '^mail: median convened' || fail "mail: $out"
	echo "$out" | grep -E '^(mail|  run)'
fi
pass
