#!/bin/sh
# tmpl-embed.sh DIR: print a C source holding every template (*.tmpl) and
# the words.ini of DIR, as tmpl_builtin_en[], which convened uses when its
# templates folder does not exist.  Whatever files DIR holds are taken, so
# an edit or a new template is built in at the next make.  Only od, awk
# and a POSIX shell are needed.
set -eu
dir=$1

cat <<'HEAD'
/* Made by contrib/tmpl-embed.sh from conf/templates/en: do not edit. */
#include <stddef.h>

#include "tmpl.h"
HEAD

i=0
for f in "$dir"/*.tmpl "$dir"/words.ini; do
	[ -f "$f" ] || continue
	printf '\n/* %s */\nstatic const unsigned char tmpl_builtin_%d[] = {\n' \
	    "${f##*/}" "$i"
	od -An -v -tx1 "$f" | awk '{
		for (i = 1; i <= NF; i++) {
			printf "%s0x%s,", n % 12 == 0 ? "\t" : " ", $i
			if (++n % 12 == 0)
				printf "\n"
		}
	} END { if (n % 12 != 0) printf "\n" }'
	printf '\t0x00\n};\n'
	i=$((i + 1))
done
[ "$i" -gt 0 ] || { echo "tmpl-embed.sh: no templates in $dir" >&2; exit 1; }

printf '\nconst struct tmpl_builtin tmpl_builtin_en[] = {\n'
i=0
for f in "$dir"/*.tmpl "$dir"/words.ini; do
	[ -f "$f" ] || continue
	printf '\t{ "%s",\n\t    (const char *)tmpl_builtin_%d,\n' "${f##*/}" "$i"
	printf '\t    sizeof tmpl_builtin_%d - 1 },\n' "$i"
	i=$((i + 1))
done
printf '\t{ NULL, NULL, 0 }\n};\n'
