# import.sh: convenectl import people.  A file with bad lines imports
# nobody and the report names each bad line, counted right past a quoted
# field that spans two lines; a header naming a column twice is refused;
# a good file (CRLF, as spreadsheets save it) imports everyone into a
# group with their roles.
. "$(dirname "$0")/lib.sh"

ctl() {
	"$CONVENECTL" -s "$T/state/convened.sock" "$@"
}

# import_refused FILE ARGS...: exit 1, the report in $T/err.
import_refused() {
	st=0
	ctl import people "$@" >"$T/out" 2>"$T/err" || st=$?
	[ "$st" -eq 1 ] || fail "import $* exited $st: $(cat "$T/err")"
	grep -q '^nothing was imported$' "$T/err" ||
	    fail "import $*: $(cat "$T/err")"
}

# reported LINE WORDS: the report names that line with those words.
reported() {
	grep -q "^line $1: .*$2" "$T/err" ||
	    fail "line $1 ($2) is not in the report: $(cat "$T/err")"
}

not_reported() {
	! grep -q "^line $1:" "$T/err" ||
	    fail "line $1 is good, yet reported: $(cat "$T/err")"
}

start_daemon
ctl group add dp-steering "Direct Payments Steering Group" > /dev/null ||
    fail "group add"

cat > "$T/bad.csv" <<'CSV'
name,email,phone,style,channels
Ann Jones,ann@example.org,,plain,email
Bob Khan,bob@,,standard,email
"Cat
Lee",cat@example.org,,standard,email
Dan Moss,dan@example.org,07700 9001ab,standard,sms
Eve Nash,eve@example.org,,fancy,email
Fay Owen,ANN@example.org,,standard,email
Gus Park,gus@example.org,,standard,email
CSV
import_refused "$T/bad.csv" --group dp-steering
reported 3 "email: 'bob@' is not an email address"
reported 4 "name: one line"
reported 6 "phone: '07700 9001ab'"
reported 7 "style: 'fancy'"
reported 8 "email: .*ANN@example.org"
not_reported 2
not_reported 5
not_reported 9
[ "$(grep -c '^line ' "$T/err")" -eq 5 ] ||
    fail "the report has other lines: $(cat "$T/err")"
[ ! -s "$T/out" ] || fail "import printed: $(cat "$T/out")"
ctl person list > "$T/out"
grep -q '^no people$' "$T/out" || fail "people were imported: $(cat "$T/out")"
ctl group show dp-steering > "$T/out"
grep -q '^members: 0$' "$T/out" || fail "group show: $(cat "$T/out")"
ok "bad lines named with their line numbers; nobody imported"

# A column named twice: which one holds the email is not guessed.
printf '%s\n' 'name,Email,phone,email' \
    'Ann Jones,ann@example.org,,ann.jones@example.org' > "$T/twice.csv"
import_refused "$T/twice.csv"
reported 1 "email: the header names this column twice, as columns 2 and 4"
[ "$(grep -c '^line ' "$T/err")" -eq 1 ] ||
    fail "the report has other lines: $(cat "$T/err")"
ctl person list > "$T/out"
grep -q '^no people$' "$T/out" || fail "people were imported: $(cat "$T/out")"
ok "a column named twice in the header is refused"

printf '%s\r\n' \
    'Name,Email,Phone,Channels,Role,Language,Style' \
    'Ann Jones,ann@example.org,,email,co-chair,en,easyread' \
    'Bob Khan,,07700 900123,sms,member,cy,' \
    'Cat Lee,,,feed,observer,,' \
    '"Lee, Dee",dee@example.org,,email,buddy-chair,,large' > "$T/good.csv"
ctl import people "$T/good.csv" --group dp-steering >"$T/out" 2>"$T/err" ||
    fail "import: $(cat "$T/err")"
grep -q '^imported 4 people into dp-steering$' "$T/out" ||
    fail "import said: $(cat "$T/out")"
[ ! -s "$T/err" ] || fail "import wrote to stderr, not a terminal: $(cat "$T/err")"
ctl group show dp-steering > "$T/out"
grep -q '^members: 4$' "$T/out" || fail "group show: $(cat "$T/out")"
grep -q '^[0-9][0-9]*  *Ann Jones  *co-chair  *email$' "$T/out" ||
    fail "group show: $(cat "$T/out")"
grep -q '^[0-9][0-9]*  *Bob Khan  *member  *sms$' "$T/out" ||
    fail "group show: $(cat "$T/out")"
grep -q '^[0-9][0-9]*  *Cat Lee  *observer  *feed$' "$T/out" ||
    fail "group show: $(cat "$T/out")"
grep -q '^[0-9][0-9]*  *Lee, Dee  *buddy-chair  *email$' "$T/out" ||
    fail "group show: $(cat "$T/out")"
ctl person list > "$T/out"
grep -q '^[0-9][0-9]*  *Bob Khan  *-  *+447700900123  *cy  *standard  *sms$' \
    "$T/out" || fail "person list: $(cat "$T/out")"
grep -q '^[0-9][0-9]*  *Ann Jones  *ann@example.org  *-  *en  *easyread  *email$' \
    "$T/out" || fail "person list: $(cat "$T/out")"
ok "a good file imported with roles into the group"

# Someone held already: that line is named, and only that line.
cat > "$T/again.csv" <<'CSV'
name,email
Hal Reed,hal@example.org
Ann Jones,ann@example.org
Ivy Shaw,ivy@example.org
CSV
import_refused "$T/again.csv"
reported 3 "email"
not_reported 2
not_reported 4
ctl person list > "$T/out"
[ "$(grep -c '^[0-9]' "$T/out")" -eq 4 ] ||
    fail "people were imported: $(cat "$T/out")"
ok "an email held already is named; nobody imported"

st=0
ctl import people "$T/good.csv" --group nobody 2>"$T/err" || st=$?
[ "$st" -eq 1 ] || fail "import into no group exited $st"
grep -q '^convenectl: group: no such group$' "$T/err" ||
    fail "import into no group: $(cat "$T/err")"
st=0
ctl import people "$T/missing.csv" 2>"$T/err" || st=$?
[ "$st" -eq 1 ] || fail "import of a missing file exited $st"
grep -q "^convenectl: $T/missing.csv: " "$T/err" ||
    fail "import of a missing file: $(cat "$T/err")"
ok "no such group, no such file"

stop_daemon
pass
