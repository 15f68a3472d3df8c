# feed-smoke.sh: the feed benchmark at a small size, inside make check.
exec sh "$(dirname "$0")/feed.sh" --smoke
