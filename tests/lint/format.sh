#!/bin/sh
# format.sh: the KNF rules every C file and header keeps: lines at most 80
# columns (a tab is 8), indentation by tabs, no trailing white space, and
# the return type of a function definition on a line of its own.
# .clang-format sets an editor up for the same layout; clang-format cannot
# align declarations with tabs as KNF does, so this check is the judge.

: "${top_srcdir:?top_srcdir is not set}"
cd "$top_srcdir" || exit 1
bad=0
for f in daemon/*.c daemon/*.h tests/unit/*.c tests/unit/*.h tests/fuzz/*.c \
    tests/fuzz/*.h; do
	awk -v f="$f" '
	function width(s,    i, c, w) {
		w = 0
		for (i = 1; i <= length(s); i++) {
			c = substr(s, i, 1)
			if (c == "\t")
				w = w + 8 - w % 8
			else
				w++
		}
		return w
	}
	{
		if (width($0) > 80) {
			printf "%s:%d: longer than 80 columns\n", f, NR; bad = 1
		}
		if ($0 ~ /[ \t]$/) {
			printf "%s:%d: trailing white space\n", f, NR; bad = 1
		}
		if ($0 ~ /^\t* {8}/) {
			printf "%s:%d: indented with spaces\n", f, NR; bad = 1
		}
		# "int foo(void)" at the start of a line, then "{": a function
		# definition whose return type is not on its own line.
		if (prev ~ /^[a-z][a-z_ ]*[ *]+[a-z_]+\(/ && $0 == "{" &&
		    prev !~ /^(static|struct|enum|union|const|unsigned|void|int|char|long|size_t|double) *$/) {
			printf "%s:%d: return type not on its own line\n", f, NR - 1
			bad = 1
		}
		prev = $0
	}
	END { exit bad }' "$f" || bad=1
done
if [ "$bad" -ne 0 ]; then
	echo "FAIL: see the lines above"
	exit 1
fi
echo "PASS: KNF layout of $(ls daemon/*.c daemon/*.h tests/unit/*.c tests/unit/*.h | wc -l) files"
