#!/bin/sh
# modules.sh: no two modules of convened depend on each other, however
# indirectly, so that any one of them can be linked into a test with only
# the modules it uses.
#
# The graph comes from the built objects, not from the sources: for every
# object of daemon/libconvene.a and for convened.o (main), each symbol it
# leaves undefined (nm -u) is matched to the object that defines it.
# Objects are grouped into modules by their file names:
#   store.c and store_*.c	store
#   api.c and api_*.c		api
#   chan.c and chan_*.c		chan (chan.c picks a backend and the
#				backends share its trouble log, so the
#				family is one module)
#   tmpl.c, words.c and	tmpl (words.c reads a set's words.ini,
#   tmpl_builtin.c		tmpl_builtin.c is the set built in)
#   msg.c and msg_*.c		msg
#   convened.c			convened
#   any other X.c		X
# A symbol a module defines and uses itself is no edge.  The script prints
# every edge with the symbols that make it, then every cycle it finds.
#
# Run by `make check` with top_builddir set.  Exit 0: no cycle, 1: a cycle
# (or the objects are missing).

: "${top_builddir:?top_builddir is not set}"

lib=$top_builddir/daemon/libconvene.a
main=$top_builddir/daemon/convened-convened.o
[ -f "$main" ] || main=$top_builddir/daemon/convened.o
NM=${NM:-nm}

for f in "$lib" "$main"; do
	if [ ! -f "$f" ]; then
		echo "FAIL: $f is missing (run make first)"
		exit 1
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/modules.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# "archive[member]: symbol TYPE ..." or "file: symbol TYPE ...".
if ! "$NM" -A -P -g --defined-only "$lib" "$main" > "$tmp/defined" ||
    ! "$NM" -A -P -u "$lib" "$main" > "$tmp/undefined"; then
	echo "FAIL: $NM could not read the objects"
	exit 1
fi

awk '
function module(obj) {
	sub(/\]?:$/, "", obj)
	sub(/.*[\/\[]/, "", obj)
	sub(/^libconvene_a-/, "", obj)
	sub(/^convened-/, "", obj)
	sub(/\.o$/, "", obj)
	if (obj ~ /^store(_|$)/)
		return "store"
	if (obj ~ /^api(_|$)/)
		return "api"
	if (obj ~ /^chan(_|$)/)
		return "chan"
	if (obj == "tmpl_builtin" || obj == "words")
		return "tmpl"
	if (obj ~ /^msg(_|$)/)
		return "msg"
	return obj
}

# Tarjan: the strongly connected components of the module graph.
function strong(v,    i, w, c) {
	index_of[v] = lowlink[v] = ++counter
	stack[++sp] = v
	on_stack[v] = 1
	for (i = 1; i <= nout[v]; i++) {
		w = out[v, i]
		if (!(w in index_of)) {
			strong(w)
			if (lowlink[w] < lowlink[v])
				lowlink[v] = lowlink[w]
		} else if (on_stack[w] && index_of[w] < lowlink[v])
			lowlink[v] = index_of[w]
	}
	if (lowlink[v] != index_of[v])
		return
	ncomp++
	do {
		w = stack[sp--]
		on_stack[w] = 0
		comp[w] = ncomp
		size[ncomp]++
	} while (w != v)
}

# A shortest way back from v to start, inside their component.
function cycle_from(start,    q, head, tail, v, w, i, path) {
	delete prev
	head = tail = 1
	q[1] = start
	prev[start] = ""
	while (head <= tail) {
		v = q[head++]
		for (i = 1; i <= nout[v]; i++) {
			w = out[v, i]
			if (comp[w] != comp[start])
				continue
			if (w == start) {
				path = start
				while (v != start) {
					path = v " -> " path
					v = prev[v]
				}
				return start " -> " path
			}
			if (!(w in prev)) {
				prev[w] = v
				q[++tail] = w
			}
		}
	}
	return start
}

FILENAME ~ /defined$/ && FILENAME !~ /undefined$/ {
	def[$2] = module($1)
	mods[module($1)] = 1
	next
}
{
	m = module($1)
	mods[m] = 1
	if (!($2 in def) || def[$2] == m)
		next
	d = def[$2]
	if (!((m, d) in syms)) {
		edge[++nedge] = m SUBSEP d
		out[m, ++nout[m]] = d
		syms[m, d] = $2
		nsyms[m, d] = 1
	} else if (!((m, d, $2) in seen)) {
		syms[m, d] = syms[m, d] ", " $2
		nsyms[m, d]++
	}
	seen[m, d, $2] = 1
}
END {
	n = 0
	for (m in mods)
		n++
	printf "%d modules, %d edges (module -> what it uses: symbols)\n",
	    n, nedge
	# In order, for a diff to read: sort by "from to".
	cmd = "sort"
	for (i = 1; i <= nedge; i++) {
		split(edge[i], e, SUBSEP)
		line = sprintf("  %-10s -> %-10s %s", e[1], e[2],
		    syms[e[1], e[2]])
		if (length(line) > 78)
			line = substr(line, 1, 72) " ... (" nsyms[e[1], e[2]] ")"
		print line | cmd
	}
	close(cmd)
	for (m in mods)
		if (!(m in index_of))
			strong(m)
	bad = 0
	for (c = 1; c <= ncomp; c++) {
		if (size[c] < 2)
			continue
		bad = 1
		first = ""
		members = ""
		for (m in comp)
			if (comp[m] == c && (first == "" || m < first))
				first = m
		for (m in comp)
			if (comp[m] == c)
				members = members " " m
		printf "FAIL: modules in a cycle:%s\n", members
		printf "  for instance %s\n", cycle_from(first)
	}
	if (!bad)
		print "no cycle between modules"
	exit bad
}
' "$tmp/defined" "$tmp/undefined"
