#!/bin/sh
# run.sh SECONDS SEEDS WORK NAME...: run each libFuzzer target
# tests/fuzz/fuzz_NAME for SECONDS, from the seed corpus SEEDS/NAME (read
# only), keeping what it finds in WORK/NAME and a crashing input as
# WORK/crash-NAME-*.  Says "PASS: fuzz_NAME" or "FAIL: fuzz_NAME" with
# libFuzzer's last "DONE" line (executions and coverage) for each, and
# fails when any target did.
#
# Run from the build folder: "make fuzz-smoke" or contrib/fuzz do.
seconds=$1
seeds=$2
work=$3
shift 3
fail=0
for name in "$@"; do
	bin=tests/fuzz/fuzz_$name
	mkdir -p "$work/$name" || exit 1
	log=$work/$name.log
	# ASan's leak check is on: a parser that leaks is a failure too.
	if ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
	    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	    "$bin" -max_total_time="$seconds" -timeout=10 \
	    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
	    -artifact_prefix="$work/crash-$name-" \
	    "$work/$name" "$seeds/$name" >"$log" 2>&1; then
		res=PASS
	else
		res=FAIL
		fail=1
	fi
	done=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
	echo "$res: fuzz_$name ${done:-(no DONE line)}"
	if [ "$res" = FAIL ]; then
		echo "--- fuzz_$name: the end of $log"
		tail -n 40 "$log"
	fi
done
exit "$fail"
