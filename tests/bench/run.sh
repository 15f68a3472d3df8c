# run.sh: every benchmark at full size, one after the other: planning
# 100,000 and 1,000,000 members in 1,000 groups, restart to ready with
# 2,000,000 pending rows, the lateness of 10,000 reminders due in the
# same minute (and, harder, the same second), 2,000 emails into an
# SMTP server against msmtp, the event loop while a group of 10,000
# is planned again, and answers by link committed in groups against
# one commit each.  "make bench" runs it; it takes about eleven
# minutes.  Figures vary from machine to machine and run
# to run: compare medians from one run.
set -eu
: "${top_builddir:?}" "${top_srcdir:?}"
b=$top_builddir/tests/bench
echo "== planning"
"$b/bench_plan" 100000 1000 "${TMPDIR:-/tmp}" 2>/dev/null
"$b/bench_plan" 1000000 1000 "${TMPDIR:-/tmp}" 2>/dev/null
echo "== restart to ready"
sh "$top_srcdir/tests/bench/restart.sh" 2000000 | grep -v '^ok:'
echo "== lateness"
sh "$top_srcdir/tests/bench/lateness.sh" 10000 60 | grep -v '^ok:'
sh "$top_srcdir/tests/bench/lateness.sh" 10000 1 | grep -v '^ok:'
echo "== calendar feeds"
sh "$top_srcdir/tests/bench/feed.sh" | grep -v '^ok:'
echo "== mail"
sh "$top_srcdir/tests/bench/mail.sh" | grep -v '^ok:'
echo "== planning again after a change"
sh "$top_srcdir/tests/bench/replan.sh" | grep -v '^ok:'
echo "== answers by link, durable"
sh "$top_srcdir/tests/bench/rsvp.sh" | grep -v '^ok:'
