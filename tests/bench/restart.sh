# restart.sh [ROWS]: restart to ready with ROWS pending outbox rows
# (default 2,000,000): the pending set is never loaded whole, so ready
# time and memory should barely depend on it.  Compared side by side with
# the same daemon on an empty database.
. "$(dirname "$0")/../regress/lib.sh"

ROWS=${1:-2000000}
write_conf
start_daemon
stop_daemon
cp "$T/state/convene.db" "$T/empty.db"
now=$(date +%s)
sqlite3 "$T/state/convene.db" <<SQL
PRAGMA journal_mode = WAL;
INSERT INTO people (name, email, created_at)
    VALUES ('Bench', 'bench@example.org', 0);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
    WHERE i < $ROWS)
INSERT INTO outbox (person_id, kind, channel, due_at, next_at,
    created_at, updated_at)
SELECT 1, 'test', 'email', $now + 86400 + i % 86400,
    $now + 86400 + i % 86400, $now, $now FROM n;
SQL
n=$(sqlite3 "$T/state/convene.db" \
    "SELECT count(*) FROM outbox WHERE state = 'pending'")
echo "restart: $n pending rows in $(du -h "$T/state/convene.db" | cut -f1)"
"$PY" "$top_srcdir/tests/bench/ready.py" "$CONVENED" "$T/convened.conf" \
    "$PORT" 5 | sed 's/^/restart, full:  /'
mv "$T/state/convene.db" "$T/full.db"
rm -f "$T/state/convene.db-wal" "$T/state/convene.db-shm"
cp "$T/empty.db" "$T/state/convene.db"
"$PY" "$top_srcdir/tests/bench/ready.py" "$CONVENED" "$T/convened.conf" \
    "$PORT" 5 | sed 's/^/restart, empty: /'
pass
