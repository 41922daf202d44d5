#!/bin/bash
# CLI tests: drive the real trine binary through good and bad invocations,
# checking exit codes (0 ok, 1 command error, 2 usage error) and messages.
# usage: run.sh PATH/TO/trine [PATH/TO/trine.1]
# Checks marked "Regression" guard bugs found and fixed earlier.
set -u
TRINE=${1:?usage: run.sh PATH/TO/trine [PATH/TO/trine.1]}
case $TRINE in /*) ;; *) TRINE=$PWD/$TRINE ;; esac
MANPAGE=${2:-}
case $MANPAGE in /* | '') ;; *) MANPAGE=$PWD/$MANPAGE ;; esac
WORK=$(mktemp -d /tmp/trine-cli-XXXXXX) || exit 1
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1

# How many times slower trine runs than usual (20 under valgrind,
# tests/valgrind/meson.build): the waits and time limits below stretch by it.
SLOW=${TRINE_TEST_SLOW:-1}
nap() { sleep "$(awk -v s="$1" -v k="$SLOW" 'BEGIN { printf "%.3f", s * k }')"; }

passed=0
failed=0
OUT=$WORK/out.txt
ERR=$WORK/err.txt

ok() { passed=$((passed + 1)); echo "ok - $1"; }
bad() {
  failed=$((failed + 1))
  echo "not ok - $1: $2"
  echo "  stdout: $(head -c 600 "$OUT" | sed 's/^/  | /')"
  echo "  stderr: $(head -c 600 "$ERR" | sed 's/^/  | /')"
}

# run [-i INPUT] ARGS...: run trine with stdin from INPUT (default: empty),
# output in $OUT / $ERR, exit code in $rc.
run() {
  local input=/dev/null
  if [ "${1:-}" = -i ]; then input=$2; shift 2; fi
  "$TRINE" "$@" <"$input" >"$OUT" 2>"$ERR"
  rc=$?
}

# check NAME RC OUT-SUBSTRING ERR-SUBSTRING -- ARGS...
# An empty substring is not checked; "!TEXT" means TEXT must not appear.
check() {
  local name=$1 want_rc=$2 want_out=$3 want_err=$4
  shift 5
  run "$@"
  expect "$name" "$want_rc" "$want_out" "$want_err"
}

# Checks on the last run.
expect() {
  local name=$1 want_rc=$2 want_out=$3 want_err=$4
  if [ "$rc" != "$want_rc" ]; then bad "$name" "exit $rc, expected $want_rc"; return; fi
  if ! has "$OUT" "$want_out"; then bad "$name" "stdout: wanted '$want_out'"; return; fi
  if ! has "$ERR" "$want_err"; then bad "$name" "stderr: wanted '$want_err'"; return; fi
  ok "$name"
}

has() {
  local file=$1 text=$2
  [ -z "$text" ] && return 0
  case $text in
  '!'*) ! grep -qF -- "${text#!}" "$file" ;;
  *) grep -qF -- "$text" "$file" ;;
  esac
}

# The data.
cat >good.nt <<'EOF'
<http://ex.org/s> <http://ex.org/p> "one" .
<http://ex.org/s> <http://ex.org/p> "two"@en .
<http://ex.org/t> <http://ex.org/q> <http://ex.org/s> .
EOF
cat >more.nt <<'EOF'
<http://ex.org/m> <http://ex.org/p> "more" .
EOF
cat >bad.nt <<'EOF'
<http://ex.org/x> <http://ex.org/p> "fine" .
<http://ex.org/x> <http://ex.org/p> "unterminated .
<http://ex.org/y> <http://ex.org/p> "after" .
EOF
mkdir "dir with space"
cp good.nt "dir with space/g.nt"

dump_of() { "$TRINE" "$1" .dump 2>/dev/null | LC_ALL=C sort; }

# --- usage errors (exit 2) and informational options -------------------------
check "no arguments" 2 "" "missing STORE" -- 
check "unknown option" 2 "" "unknown option" -- --bogus st
check "unknown short option" 2 "" "Try 'trine --help'" -- -z st
check "-f without its argument" 2 "" "" -- -f
check "--help" 0 "usage: trine [OPTIONS] STORE" "" -- --help
check "-h" 0 "Exit status" "" -- -h
check "--help mentions --readonly and --bail" 0 "--readonly" "" -- --help
run --version
if [ "$rc" = 0 ] && grep -qE '^trine [0-9]+\.[0-9]+\.[0-9]+$' "$OUT"; then ok "--version"
else bad "--version" "exit $rc"; fi
[ ! -e st ] && ok "usage errors create no store" || bad "usage errors create no store" "st exists"

# --- dot-commands -------------------------------------------------------------
check ".help lists the commands" 0 ".load FILE" "" -- st .help
for c in .dump .help .quit .stats; do
  has "$OUT" "$c" && ok ".help lists $c" || bad ".help lists $c" "missing"
done
check ".help load" 0 "go into GRAPH (an absolute IRI" "" -- st ".help load"
check ".help .load" 0 ".load FILE [GRAPH] [--format F]" "" -- st ".help .load"
check ".help of an unknown command" 1 "" "no command .frobnicate" -- st ".help frobnicate"
check "unknown dot-command" 1 "" "unknown command .frobnicate" -- st .frobnicate
check "unknown dot-command hint" 1 "" ".help" -- st .frobnicate
check "unique prefix .st = .stats" 0 "quads:" "" -- st .st
check "unique prefix .sta = .stats" 0 "named graphs:" "" -- st .sta
check "unique prefix .hel = .help" 0 ".load FILE" "" -- st .hel
check "too few arguments" 1 "" "usage: .load" -- st .load
check "too many arguments" 1 "" "usage: .stats" -- st ".stats extra"
# Ambiguous prefixes: find one shared by two commands, if the set has one.
run st .help
names=$(grep -oE '^\.[a-z]+' "$OUT" | cut -c2-)
amb=""
for a in $names; do
  for b in $names; do
    [ "$a" \< "$b" ] || continue
    p=""
    i=1
    while [ "${a:0:$i}" = "${b:0:$i}" ] && [ $i -le ${#a} ]; do p=${a:0:$i}; i=$((i + 1)); done
    [ -n "$p" ] && amb=$p
  done
done
if [ -n "$amb" ]; then
  check "ambiguous prefix .$amb" 1 "" "ambiguous" -- st ".$amb"
else
  ok "ambiguous prefix (no two commands share a prefix: nothing to check) # SKIP"
fi
check ".quit stops the commands" 0 "" "" -- st .quit .frobnicate

# --- loading ------------------------------------------------------------------
check ".load then .stats" 0 "quads:          3" "" -- st ".load good.nt" .stats
has "$OUT" "default graph:  3" && ok ".stats default graph" || bad ".stats default graph" "no"
has "$OUT" "<http://ex.org/p>" && ok ".stats lists predicates" || bad ".stats lists predicates" "no"
grep -qE '^ +2 +1 +2  <http://ex.org/p>$' "$OUT" && ok ".stats predicate counts" \
  || bad ".stats predicate counts" "want 2 quads, 1 subject, 2 objects for p"
check ".load is not noisy when not a terminal" 0 "" "!statements" -- st ".load good.nt"
check "loading again adds nothing" 0 "quads:          3" "" -- st ".load good.nt" .stats

before=$(dump_of st)
check ".load of a bad file" 1 "" "bad.nt:2:37: error: unterminated string literal" -- st ".load bad.nt"
grep -qE '^bad\.nt:[0-9]+:[0-9]+: error: ' "$ERR" && ok "error format FILE:LINE:COL: error:" \
  || bad "error format FILE:LINE:COL: error:" "no match"
[ "$(dump_of st)" = "$before" ] && ok "failed .load leaves the store unchanged" \
  || bad "failed .load leaves the store unchanged" "dump differs"
check "store unchanged: stats" 0 "quads:          3" "" -- st .stats
check ".load of a missing file" 1 "" "missing.nt" -- st ".load missing.nt"
check ".load of a directory" 1 "" "error" -- st ".load dir with space"
check ".load with a quoted name with spaces" 0 "quads:          3" "" -- st2 '.load "dir with space/g.nt"' .stats
check ".load into a named graph" 0 "named graphs:   1" "" -- st3 ".load good.nt <http://ex.org/g>" .stats
check ".load into a named graph: default empty" 0 "default graph:  0" "" -- st3 .stats
check ".load into a relative graph name" 1 "" "graph name must be an absolute IRI" -- st3 ".load good.nt g"
gzip -c good.nt >good.nt.gz
check ".load of .nt.gz" 0 "quads:          3" "" -- st5 ".load good.nt.gz" .stats
printf '@prefix ex: <http://ex.org/> .\nex:a ex:p ex:b , "c" ;\n  ex:q [ ex:r 1 ] .\n' >schema.ttl
printf '@prefix ex: <http://ex.org/> .\nex:a ex:p nope:b .\n' >bad.ttl
printf '<http://ex.org/g> { <http://ex.org/a> <http://ex.org/p> 1 }\n' >g.trig
check ".load of Turtle" 0 "quads:          4" "" -- ttl1 ".load schema.ttl" .stats
check ".load of a bad Turtle file" 1 "" "bad.ttl:2:11: error: undefined prefix 'nope:'" -- ttl1 ".load bad.ttl"
check ".load of TriG" 0 "named graphs:   1" "" -- ttl1 ".load g.trig" .stats
cp schema.ttl schema.txt
check ".load of an unknown extension lists the formats" 1 "" ".ttl (Turtle) or .trig (TriG)" -- ttl2 ".load schema.txt"
check ".load --format" 0 "quads:          4" "" -- ttl2 ".load schema.txt --format turtle" .stats
check ".load GRAPH --format=NAME" 0 "named graphs:   1" "" -- ttl3 ".load schema.txt <http://ex.org/g> --format=turtle" .stats
check ".load --format of an unknown name" 1 "" "use ntriples, nquads, turtle or trig" -- ttl3 ".load schema.txt --format xml"

# --- --bail ---------------------------------------------------------------------
check "without --bail, later commands run" 1 "quads:          4" "unknown command" -- st .frobnicate ".load more.nt" .stats
check "--bail stops at the first error" 1 "!quads:" "unknown command" -- --bail st6 .frobnicate ".load more.nt" .stats
check "--bail: nothing after the error ran" 0 "quads:          0" "" -- st6 .stats
check "--bail on a failed load" 1 "!quads:" "unterminated string literal" -- --bail st6 ".load bad.nt" .stats

# --- commands from -f FILE and from standard input -------------------------------
printf '.load good.nt\n\n.stats\n' >script.txt
if true; then
  # Regression: a comment-only unit is parsed as an empty SPARQL update and
  # fails with "cannot evaluate queries yet".
  printf '# a comment\n.stats\n' >comment.txt
  check "comment lines in a script are ignored" 0 "quads:" "!error" -- -f comment.txt st7
fi
check "-f FILE" 0 "quads:          3" "" -- -f script.txt st7
check "-f FILE runs before arguments" 0 "quads:          4" "" -- -f script.txt st8 ".load more.nt" .stats
check "-f of a missing file" 1 "" "cannot open" -- -f nosuch.txt st7
check "--bail -f stops in the file" 1 "!quads:" "unknown" -- --bail -f <(printf '.nope\n.stats\n') st7
check "stdin commands" 0 "quads:          3" "" -- -i script.txt st9
has "$ERR" "trine>" && bad "no prompt when stdin is not a terminal" "prompt printed" \
  || ok "no prompt when stdin is not a terminal"
printf '.frobnicate\n.stats\n' >fail.txt
check "stdin: an error, then more commands" 1 "quads:" "unknown command" -- -i fail.txt st9
check "stdin: --bail" 1 "!quads:" "unknown command" -- -i fail.txt --bail st9
check "empty stdin" 0 "" "" -- -i /dev/null st10
[ ! -s "$OUT" ] && [ ! -s "$ERR" ] && ok "empty stdin: no output" || bad "empty stdin: no output" "output"
printf '.stats' >noeol.txt
check "stdin without a final newline" 0 "quads:" "" -- -i noeol.txt st10
printf '.load good.nt\r\n.stats\r\n' >crlf.txt
check "stdin with CRLF line ends" 0 "quads:          3" "" -- -i crlf.txt st11

# --- .dump ----------------------------------------------------------------------
run st12 ".load good.nt" .dump
if [ "$rc" = 0 ] && [ "$(LC_ALL=C sort "$OUT")" = "$(LC_ALL=C sort good.nt)" ]; then ok ".dump to stdout"
else bad ".dump to stdout" "exit $rc or different text"; fi
check ".dump FILE" 0 "" "" -- st12 ".dump out.nq"
[ "$(LC_ALL=C sort out.nq)" = "$(LC_ALL=C sort good.nt)" ] && ok ".dump FILE content" \
  || bad ".dump FILE content" "differs"
check ".dump FILE prints nothing" 0 "!<http" "" -- st12 ".dump out2.nq"
check ".dump to an unwritable path" 1 "" "no/such/dir/x.nq" -- st12 ".dump no/such/dir/x.nq"
check ".dump of named graphs" 0 "<http://ex.org/g> ." "" -- st3 .dump
check "dump -> load round trip" 0 "quads:          3" "" -- st13 ".load out.nq" .stats
empty_dump=$("$TRINE" st14 .dump 2>&1)
[ -z "$empty_dump" ] && ok ".dump of an empty store" || bad ".dump of an empty store" "$empty_dump"
# Formats: from the extension, or --format; Turtle and TriG with the saved
# prefixes, and each loads back as the same quads.
check ".dump FILE.ttl" 0 "" "" -- st16 ".load good.nt" ".load more.nt <http://ex.org/g>" \
  ".prefix ex http://ex.org/" ".dump out.ttl"
grep -qF 'ex:s ex:p "one", "two"@en .' out.ttl && ! grep -q 'more' out.ttl && ok ".dump FILE.ttl: the default graph, grouped" \
  || bad ".dump FILE.ttl: the default graph, grouped" "$(cat out.ttl)"
check ".dump FILE.trig" 0 "" "" -- st16 ".dump out.trig"
grep -qF 'ex:g {' out.trig && grep -qF '    ex:m ex:p "more" .' out.trig && ok ".dump FILE.trig: a graph block" \
  || bad ".dump FILE.trig: a graph block" "$(cat out.trig)"
check ".dump --format trig loads back" 0 "named graphs:   1" "" -- st15 ".load out.trig" .stats
[ "$(dump_of st15)" = "$(dump_of st16)" ] && ok ".dump --format trig: same quads" || bad ".dump --format trig: same quads" "differs"
check ".dump --format turtle to stdout" 0 "@prefix ex: <http://ex.org/> ." "" -- st16 ".dump --format turtle"
check ".dump FILE.nt drops graph names" 0 "" "" -- st16 ".dump out.nt"
! grep -q 'ex.org/g>' out.nt && [ "$(wc -l <out.nt)" = 4 ] && ok ".dump FILE.nt content" || bad ".dump FILE.nt content" "$(cat out.nt)"
check ".dump --format beats the extension" 0 "" "" -- st16 ".dump out2.nt --format nquads"
grep -qF '<http://ex.org/g> .' out2.nt && ok ".dump --format nquads content" || bad ".dump --format nquads content" "no graph"
check ".dump FILE.gz refused" 1 "" "does not compress" -- st16 ".dump out.nq.gz"
[ ! -e out.nq.gz ] && ok ".dump FILE.gz: no file" || bad ".dump FILE.gz: no file" "written"
check ".dump --format unknown" 1 "" "unknown format rdfxml" -- st16 ".dump --format rdfxml"
# CONSTRUCT and DESCRIBE as Turtle: in a table and with --format turtle.
check "CONSTRUCT in a table is Turtle" 0 'ex:s ex:p "one", "two"@en .' "" -- --format table st12 ".prefix ex http://ex.org/" \
  'CONSTRUCT WHERE { ?s ?p ?o }'
check "--format turtle: the query's prefixes" 0 '@prefix e: <http://ex.org/> .' "" -- --format turtle st12 \
  'PREFIX e: <http://ex.org/> DESCRIBE e:t'
expect "--format turtle: DESCRIBE" 0 'e:t e:q e:s .' ""
check "--format turtle refuses SELECT" 1 "" "SELECT results are not a graph" -- --format turtle st12 \
  'SELECT * { ?s ?p ?o }'

# --- --readonly -----------------------------------------------------------------
before=$(dump_of st)
check "--readonly rejects .load" 1 "" "read-only" -- --readonly st ".load more.nt"
[ "$(dump_of st)" = "$before" ] && ok "--readonly: store unchanged" || bad "--readonly: store unchanged" "differs"
check "--readonly on a missing store" 1 "" "" -- --readonly nosuchstore .stats
[ ! -e nosuchstore ] && ok "--readonly creates nothing" || bad "--readonly creates nothing" "created"
check "--readonly .help works" 0 ".load" "" -- --readonly st .help
if true; then
  # Regression: a read-only store cannot be read (DBI handles closed).
  check "--readonly .stats" 0 "quads:          4" "" -- --readonly st .stats
  check "--readonly .dump" 0 "<http://ex.org/m>" "" -- --readonly st .dump
fi

# --- the store argument -----------------------------------------------------------
echo x >plainfile
check "STORE is a file" 1 "" "not a directory" -- plainfile .stats
check "STORE in a missing directory" 1 "" "new/store" -- new/store .stats
mkdir -p newparent
check "STORE is created when missing" 0 "quads:          0" "" -- newparent/store .stats
[ -d newparent/store ] && ok "STORE directory exists" || bad "STORE directory exists" "missing"

# --- queries: arguments, -f, pipes, exit codes ---------------------------------------
"$TRINE" q ".load good.nt" >/dev/null 2>&1
check "query as an argument" 0 "http://ex.org/t" "" -- q 'SELECT ?s WHERE { ?s <http://ex.org/q> ?o }'
check "query output is TSV when not a terminal" 0 "?s" "!rows)" -- q 'SELECT ?s WHERE { ?s <http://ex.org/q> ?o }'
check "a query error exits 1" 1 "" "query:1:27: error:" -- q 'SELECT * WHERE { ?s ?p ?o FILTR(?o) }'
check "the error shows the line and a caret" 1 "" "^" -- q 'SELECT * WHERE { ?s ?p ?o FILTR(?o) }'
printf 'SELECT ?o\nWHERE {\n  ?s <http://ex.org/p> ?o\n}\nORDER BY ?o;\nASK { ?s ?p "one" }\n\n' >q.rq
check "-f script.rq: two queries" 0 "true" "" -- -f q.rq q
has "$OUT" '"two"@en' && ok "-f: the multi-line query ran" || bad "-f: the multi-line query ran" "no"
check "queries piped in" 0 "true" "" -- -i q.rq q
printf 'SELECT *\nWHERE { ?s ?p ?o\n  FILTR(?o) }\n\n' >typo.rq
check "error position in a file" 1 "" "typo.rq:3:3: error:" -- -f typo.rq q
# Positions are those in the file, not in the query (issue 24): the SELECT
# starts on line 6 of pos.rq, FILTR is on line 9.
printf '.stats\n\nASK { ?s ?p ?o }\n\n# a comment\nSELECT *\nWHERE {\n  ?s ?p ?o\n    FILTR(?o) }\n\n' >pos.rq
check "-f: an error's position is the file's line" 1 "" "pos.rq:9:5: error:" -- -f pos.rq q
has "$ERR" "    FILTR(?o) }" && ok "-f: the caret's line is the query's" || bad "-f: the caret's line is the query's" "no"
printf '.stats\n.read pos.rq\n' >readpos.txt
check ".read: the position is in the file read" 1 "" "pos.rq:9:5: error:" -- -f readpos.txt q
printf '.stats\n   ASK { FILTR }\n\n' >indent.rq
check "-f: columns count the line's leading spaces" 1 "" "indent.rq:2:10: error:" -- -f indent.rq q
printf '.stats\n.explain ASK { FILTR }\n' >explpos.rq
check "-f: .explain QUERY: the column is the line's" 1 "" "explpos.rq:2:16: error:" -- -f explpos.rq q
check "piped in: positions in the input" 1 "" "stdin:9:5: error:" -- -i pos.rq q
# Where a request ends (issue 24): ';' also separates the operations of one
# update request, which share its prologue; a blank line may follow a
# prologue or come before ORDER BY; a query ends at its ';'.
cat >ops.ru <<'EOF'
PREFIX : <http://ex.org/>

# two operations, one prologue
INSERT DATA { :a :b :c } ;

# a comment between them
INSERT DATA { :d :e :f } ;
DELETE DATA { :a :b :c }
EOF
check "-f: the operations of one update share its prologue" 0 "" "!error" -- -f ops.ru u1
check "-f: all three operations ran" 0 "<http://ex.org/d> <http://ex.org/e> <http://ex.org/f> ." "" -- u1 .dump
has "$OUT" "<http://ex.org/a>" && bad "-f: the DELETE ran" "a b c still there" || ok "-f: the DELETE ran"
check "piped in: one update request" 0 "" "!error" -- -i ops.ru u2
printf 'SELECT ?o WHERE { ?s <http://ex.org/p> ?o }\n\nORDER BY DESC(?o)\n\nASK { ?s ?p "one" }\n' >order.rq
check "-f: a blank line before ORDER BY" 0 "true" "!error" -- -f order.rq q
[ "$(head -3 "$OUT")" = "$(printf '?o\n"two"@en\n"one"')" ] && ok "-f: ORDER BY applied" \
  || bad "-f: ORDER BY applied" "$(head -3 "$OUT")"
printf 'INSERT DATA { <http://ex.org/n1> <http://ex.org/p> 1 } ;\nASK { <http://ex.org/n1> ?p 1 }\n\nPREFIX ex: <http://ex.org/>\nINSERT DATA { ex:n2 ex:p 2 } ;\nPREFIX ex: <http://ex.org/>\nASK { ex:n2 ex:p 2 } ;\n.stats\n' >mixed.rq
check "-f: an update's ';' before a query ends it" 0 "quads:          2" "!error" -- -f mixed.rq u3
[ "$(grep -c true "$OUT")" = 2 ] && ok "-f: both queries ran" || bad "-f: both queries ran" "$(cat "$OUT")"
printf 'INSERT DATA { <http://ex.org/c1> <http://ex.org/p> 1 } ;\nINSERT DATA { <http://ex.org/c2> <http://ex.org/p> 2 } ;\nASK { <http://ex.org/c2> ?p 2 }\n' >chain.rq
check "-f: a query after two operations is a request of its own" 0 "true" "!error" -- -f chain.rq u7
# Regression: a last word at the very end of the input was read past its end.
printf 'INSERT DATA { <http://ex.org/x> <http://ex.org/p> 1 } ;\nINSERT' >lastword.ru
check "-f: an update's next word at the end of the file" 1 "" "lastword.ru:2:7: error: unexpected end" -- -f lastword.ru u8
printf 'ASK { ?s ?p ?o } ;\nINSERT DATA { <http://ex.org/x> <http://ex.org/p> 1 }\n' >qthenu.rq
check "-f: a query ends at its ';'" 0 "false" "!error" -- -f qthenu.rq u4
printf 'INSERT DATA { <http://ex.org/x> <http://ex.org/p> 1 } ;\nINSERT DATA { ?bad <http://ex.org/p> 2 }\n' >badop.ru
check "-f: an error in one operation fails the whole request" 1 "" "badop.ru:2:" -- -f badop.ru u5
check "-f: the failed request changed nothing" 0 "quads:          0" "" -- u5 .stats
# Each line used to be scanned with all the lines before it: 13 s for a
# 1 MB INSERT DATA of 20000 lines, quadratic.
awk 'BEGIN { print "INSERT DATA {"; for (i = 0; i < 40000; i++) printf "<http://ex.org/s%d> <http://ex.org/p> \"%d\" .\n", i, i; print "}" }' >big.ru
timeout $((30 * SLOW)) "$TRINE" u6 -f big.ru .stats >"$OUT" 2>"$ERR"
rc=$?
expect "-f: a 2 MB INSERT DATA is read in linear time" 0 "quads:          40000" ""
check "--format json" 0 '"boolean"' "" -- --format json q 'ASK { ?s ?p ?o }'
check "--format bad is a usage error" 2 "" "--format takes" -- --format yaml q .stats
check "a query ending with ;" 0 "true" "" -- q 'ASK { ?s ?p ?o };'
check "an IRI with # does not hide the rest of the line" 0 "true" "" -- -i <(printf 'ASK { ?s <http://ex.org/x#y>* ?o }\n') q
check "an update, then the query sees it" 0 "ex.org/new" "" -- q2 'INSERT DATA { <http://ex.org/new> <http://ex.org/p> 1 }' 'SELECT ?s WHERE { ?s ?p 1 }'
# An update says what it changed in a table (issue 24): only real changes.
check "an update in a table says what it inserted" 0 "(2 quads inserted, 0 deleted)" "" -- --format table q2 \
  'INSERT DATA { <http://ex.org/new> <http://ex.org/p> 1 , 2 , 3 }'
check "... and what it deleted" 0 "(1 quad inserted, 2 deleted)" "" -- q2 ".format table" \
  'DELETE DATA { <http://ex.org/new> <http://ex.org/p> 2 , 9 } ; DELETE { ?s ?p 3 } INSERT { ?s ?p 4 } WHERE { ?s ?p 3 }'
check "... and in the line format, the other screen format" 0 "(1 quad inserted, 0 deleted)" "" -- q2 ".format line" \
  'INSERT DATA { <http://ex.org/new> <http://ex.org/p> 7 }'
check "an update piped as TSV says nothing" 0 "!inserted" "!inserted" -- q2 'INSERT DATA { <http://ex.org/new> <http://ex.org/p> 5 }'
check "... unless .timer is on" 0 "" "(1 quad inserted, 0 deleted, " -- q2 ".timer on" 'INSERT DATA { <http://ex.org/new> <http://ex.org/p> 6 }'

# --- the dot-commands through pipes ---------------------------------------------------
check ".format csv" 0 "o"$'\r' "" -- q ".format csv" 'SELECT ?o WHERE { <http://ex.org/t> ?p ?o }'
check ".format table" 0 "(1 row)" "" -- q ".format table" 'SELECT ?o WHERE { <http://ex.org/t> ?p ?o }'
check ".format of an unknown format" 1 "" "unknown format" -- q ".format yaml"
check ".headers off" 0 "!?o" "" -- q ".headers off" 'SELECT ?o WHERE { <http://ex.org/t> ?p ?o }'
check ".headers on" 0 "?o" "" -- q ".headers off" ".headers on" 'SELECT ?o WHERE { <http://ex.org/t> ?p ?o }'
check ".headers maybe" 1 "" "usage: .headers on|off" -- q ".headers maybe"
check ".timer on" 0 "" " s)" -- q ".timer on" 'ASK { ?s ?p ?o }'
check ".timer off" 0 "" "!s)" -- q ".timer on" ".timer off" 'ASK { ?s ?p ?o }'
check ".limit 1" 0 "(1 row shown: .limit 1)" "" -- q ".format table" ".limit 1" 'SELECT * WHERE { ?s ?p ?o }'
check ".limit shows the limit" 0 "5" "" -- q ".limit 5" ".limit"
check ".limit x" 1 "" "usage: .limit N" -- q ".limit x"
check ".graphs" 0 "(default graph)" "" -- st3 .graphs
has "$OUT" "<http://ex.org/g>" && ok ".graphs lists a named graph" || bad ".graphs lists a named graph" "no"
printf '.stats\nASK { ?s ?p ?o }\n' >inner.txt
check ".read FILE" 0 "true" "" -- q ".read inner.txt"
check ".read of a missing file" 1 "" "cannot open nosuch.txt" -- q ".read nosuch.txt"
printf '.read self.txt\n' >self.txt
check ".read of itself stops" 1 "" "too deeply" -- q ".read self.txt"
check ".output FILE" 0 "!true" "" -- q ".output res.tsv" 'ASK { ?s ?p ?o }'
grep -q true res.tsv && ok ".output FILE holds the result" || bad ".output FILE holds the result" "no"
check ".output back to stdout" 0 "false" "" -- q ".output res2.tsv" 'ASK { ?s ?p ?o }' ".output" 'ASK { ?s ?p "nothing" }'
check ".output to a bad path" 1 "" "cannot open" -- q ".output no/such/dir/f"
check ".open another store" 0 "quads:          0" "" -- q ".open q3" .stats
check ".open of the open store by another path" 0 "quads:          3" "" -- q ".open ./q/." .stats
check ".open of a file" 1 "quads:          3" "not a directory" -- q ".open plainfile" .stats
check ".explain shows algebra and rows" 0 "rows ~" "" -- q '.explain SELECT * WHERE { ?s <http://ex.org/p> ?o }'
check ".explain analyze shows actual rows and time" 0 "rows 2 ms " "" -- q '.explain analyze SELECT * WHERE { ?s <http://ex.org/p> ?o }'
has "$OUT" "(2 rows, " && ok ".explain analyze: rows and time in all" || bad ".explain analyze: rows and time in all" "no"
check ".explain does not run the query" 0 "(access paths" "" -- q '.explain SELECT * WHERE { ?s <http://ex.org/p> ?o }'
has "$OUT" "(plan" && bad ".explain: no executed plan" "it ran" || ok ".explain: no executed plan"
check ".explain of a query spanning lines (-f)" 0 "(triple ?s <http://ex.org/p> ?o)" "!error" \
  -- -f <(printf '.explain\nSELECT *\nWHERE { ?s <http://ex.org/p> ?o }\n\n.stats\n') q
has "$OUT" "quads:" && ok ".explain spanning lines, then a command" || bad ".explain spanning lines, then a command" "no .stats"
check ".explain QUERY; on one line" 0 "(access paths" "!error" -- -f <(printf '.explain ASK { ?s ?p ?o };\n') q
check "a dot-command ends a query before it" 0 "quads:" "!error" -- -f <(printf 'ASK { ?s ?p ?o }\n.stats\n') q
has "$OUT" "true" && ok "the query before the dot-command ran" || bad "the query before the dot-command ran" "no"
check ".explain analyze of an update does not run it" 0 "(an update is not run" "" \
  -- q '.explain analyze INSERT DATA { <http://ex.org/z> <http://ex.org/p> 1 }'
check "... the store is unchanged" 0 "quads:          3" "" -- q .stats
check ".explain of a bad query" 1 "" "error:" -- q '.explain SELECT * WHERE {'
# .prefix: saved in the store, used by queries and by tables.
check ".prefix NAME IRI" 0 "" "" -- q ".prefix ex <http://ex.org/>"
check ".prefix lists it (in another session)" 0 "PREFIX ex: <http://ex.org/>" "" -- q .prefix
check ".prefix lists the built-in ones" 0 "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>" "" -- q .prefix
check "a saved prefix is declared for queries" 0 "true" "" -- q 'ASK { ex:t ex:q ex:s }'
check "a saved prefix shortens IRIs in tables" 0 "ex:t" "" -- q ".format table" 'SELECT ?s WHERE { ?s ex:q ?o }'
check "the query's own PREFIX wins" 0 "false" "" -- q 'PREFIX ex: <http://other.org/> ASK { ex:t ?p ?o }'
check "error lines do not count the added prefixes" 1 "" "stdin:2:3: error:" -- -i <(printf 'SELECT *\n{ FILTR }\n\n') q
check "rdfs: is declared without being saved" 0 "" "" -- q 'ASK { ?s rdfs:label ?o }'
check ".prefix with a bad IRI" 1 "" "invalid prefix IRI" -- q ".prefix bad relative"
check ".prefix with a bad name" 1 "" "invalid prefix name" -- q ".prefix 9x http://ex.org/"
check ".prefix NAME - removes it" 0 "!PREFIX ex:" "" -- q ".prefix ex -" .prefix
check ".prefix NAME - of an unknown prefix" 1 "" "no saved prefix" -- q ".prefix nope -"
check ".prefix on a read-only store" 1 "" "read-only" -- --readonly q ".prefix ex http://ex.org/"

# --- limits: --timeout, --memory-limit, .timeout, .memory (issue 24) ------------------
awk 'BEGIN { for (i = 0; i < 2000; i++) printf "<http://ex.org/n%d> <http://ex.org/next> <http://ex.org/n%d> .\n", i, i + 1 }' >chain.nt
"$TRINE" lim ".load chain.nt" >/dev/null 2>&1
closure='SELECT (COUNT(*) AS ?n) WHERE { ?x <http://ex.org/next>+ ?y }'
check "--timeout stops a long query" 1 "!2001000" "query timed out" -- --timeout 100 lim "$closure"
has "$ERR" "timeout of 100 ms" && ok "--timeout: the shell names the timeout" || bad "--timeout: the shell names the timeout" "no"
check ".timeout MS stops a long query" 1 "!2001000" "query timed out" -- lim ".timeout 100" "$closure"
check ".timeout shows the timeout" 0 "250 ms" "" -- lim ".timeout 250" .timeout
check ".timeout by default: none" 0 "0 (no timeout)" "" -- lim .timeout
check "--timeout shows in .timeout" 0 "40 ms" "" -- --timeout 40 lim .timeout
check "--timeout x is a usage error" 2 "" "--timeout takes" -- --timeout x lim .stats
check ".timeout x" 1 "" "usage: .timeout MS" -- lim ".timeout x"
check "an update stopped by the timeout" 1 "" "the store is unchanged" -- --timeout 1 lim 'DELETE { ?x <http://ex.org/next> ?y } WHERE { ?x <http://ex.org/next>+ ?y }'
check "the store is unchanged after it" 0 "quads:          2000" "" -- lim .stats
# Sorting the closure's 2,001,000 pairs keeps them all (a COUNT of them no
# longer does: aggregates take the rows as the join makes them).
sorted_closure='SELECT ?x ?y WHERE { ?x <http://ex.org/next>+ ?y } ORDER BY ?y'
check "--memory-limit stops a query needing more" 1 "!n1999" "more than 1 MiB" -- --memory-limit 1M lim "$sorted_closure"
check ".memory SIZE stops a query needing more" 1 "!n1999" "more than 1 MiB" -- lim ".memory 1M" "$sorted_closure"
check ".memory by default: 1 GiB" 0 "1 GiB (the default)" "" -- lim .memory
check ".memory 512M" 0 "512 MiB" "" -- lim ".memory 512M" .memory
check "--memory-limit 2G shows in .memory" 0 "2 GiB" "" -- --memory-limit 2G lim .memory
check "--memory-limit with KiB" 0 "64 KiB" "" -- --memory-limit 64KiB lim .memory
check ".memory 0: the default again" 0 "1 GiB (the default)" "" -- lim ".memory 5M" ".memory 0" .memory
check "--memory-limit 5T is a usage error" 2 "" "--memory-limit takes" -- --memory-limit 5T lim .stats
check ".memory -1" 1 "" "usage: .memory SIZE" -- lim ".memory -1"
# --explain shows the plan without running; --explain-analyze runs, and shows
# the plan when the run fails.
check "--explain does not run the query" 0 "(access paths" "" -- --memory-limit 1K --explain lim "$closure"
check "--explain-analyze runs it" 0 "(plan" "" -- --explain-analyze lim 'SELECT * WHERE { ?x <http://ex.org/next> <http://ex.org/n5> }'
has "$OUT" "rows 1 ms " && ok "--explain-analyze: actual rows" || bad "--explain-analyze: actual rows" "no"
check "--explain-analyze: a failed run still shows the plan" 1 "(access paths" "more than 1 KiB" -- --memory-limit 1K --explain-analyze lim "$closure"
has "$OUT" "(plan" && ok "--explain-analyze: the steps run until the failure" || bad "--explain-analyze: the steps run until the failure" "no (plan"
check ".explain analyze: a failed run still shows the plan" 1 "(access paths" "query timed out" -- --timeout 50 lim ".explain analyze $closure"
check "--explain-analyze needs a store" 2 "" "needs a STORE" -- --explain-analyze 'ASK {}'

# --- display: vertical records, ASK, no footer outside the screen's formats -------------------
check ".format line: one line per value" 0 "?o = <http://ex.org/s>" "" -- q ".format line" 'SELECT ?o WHERE { <http://ex.org/t> ?p ?o }'
has "$OUT" "-[ RECORD 1 ]-" && has "$OUT" "(1 row)" && ok ".format line: a record line and the row count" \
  || bad ".format line: a record line and the row count" "missing"
check "--format line" 0 "?p = <http://ex.org/q>" "" -- --format line q 'SELECT ?p WHERE { <http://ex.org/t> ?p ?o }'
check ".format line with .headers off: no record line" 0 "!RECORD" "" -- q ".format line" ".headers off" 'SELECT ?o WHERE { ?s ?p ?o }'
check "ASK in a table is headed ASK" 0 "ASK"$'\n'"----"$'\n'"true" "" -- q ".format table" 'ASK { ?s ?p ?o }'
has "$OUT" "row)" && bad "ASK in a table has no row count" "it has" || ok "ASK in a table has no row count"
for f in json xml csv tsv; do
  check "no row count in $f" 0 "!row" "" -- q ".format $f" 'SELECT ?o WHERE { ?s ?p ?o }'
done
check "CSV ASK: the header Jena reads" 0 "_askResult"$'\r' "" -- q ".format csv" 'ASK { ?s ?p ?o }'

# --- long and wide error lines: a window around the caret, the caret under its character ------------
# caret_under WORD BYTES: the caret is under WORD in the line above it, whose
# text before WORD takes BYTES more bytes than columns (UTF-8: … is 3 bytes).
caret_under() {
  LC_ALL=C awk -v w="$1" -v extra="$2" '/\^$/ && prev != "" { c = index($0, "^"); t = index(prev, w); found = 1;
    exit !(c == t - extra) } { prev = $0 } END { if (!found) exit 1 }' "$ERR"
}
long="SELECT * WHERE { $(for i in $(seq 1 60); do printf '?s <http://ex.org/p%d> ?o%d . ' "$i" "$i"; done)FILTR(?o) $(for i in $(seq 1 40); do printf '?x <http://ex.org/q%d> ?y . ' "$i"; done)}"
check "an error in a 2,900-character line" 1 "" "query:1:1800: error: unknown word 'FILTR'" -- q "$long"
grep -q '^  ….*?o60 \. FILTR(?o) ?x .*…$' "$ERR" && ok "the line is cut at both ends around the caret" \
  || bad "the line is cut at both ends around the caret" "not so"
LC_ALL=C awk '/^  …/ { if (length($0) - 4 > 80) bad = 1 } END { exit bad }' "$ERR" \
  && ok "the cut line fits 80 columns" || bad "the cut line fits 80 columns" "wider"
caret_under FILTR 2 && ok "the caret is under FILTR in the cut line" || bad "the caret is under FILTR in the cut line" "elsewhere"
check "an error after CJK text" 1 "" "unknown word 'FILTR'" -- q 'SELECT * WHERE { ?s ?p "東京東京" FILTR }'
caret_under FILTR 4 && ok "the caret counts CJK characters as two columns" || bad "the caret counts CJK characters as two columns" "elsewhere"

# --- saved prefixes wherever terms are shown; every predicate; graphs in order ---------------------
awk 'BEGIN { for (i = 1; i <= 25; i++) printf "<http://ex.org/s> <http://ex.org/p%02d> \"%d\" .\n", i, i }' >preds.nt
"$TRINE" pf ".load preds.nt" ".load good.nt <http://ex.org/g2>" ".load more.nt <http://ex.org/g1>" \
  ".prefix ex http://ex.org/" >/dev/null 2>&1
check ".stats shows predicates with the saved prefixes" 0 "  ex:p" "" -- pf .stats
has "$OUT" "<http://ex.org/" && bad ".stats: no full IRI left" "one is" || ok ".stats: no full IRI left"
check ".stats shows 20 predicates and says how to see all" 0 "(7 more: .stats all lists them)" "" -- pf .stats
check ".stats all lists every predicate" 0 "ex:p25" "!more" -- pf ".stats all"
[ "$(grep -cE '  ex:[pq]' "$OUT")" = 27 ] && ok ".stats all: 27 predicate lines" || bad ".stats all: 27 predicate lines" "$(grep -cE '  ex:[pq]' "$OUT")"
check ".stats with a wrong argument" 1 "" "usage: .stats [all]" -- pf ".stats some"
check ".graphs in order, with prefixes" 0 "ex:g1"$'\n'"           3  ex:g2" "" -- pf .graphs
check ".explain with the saved prefixes" 0 '(triple ?s ex:p01 "<http://ex.org/kept>")' "" \
  -- pf '.explain SELECT * WHERE { ?s ex:p01 "<http://ex.org/kept>" }'
check "messages with the saved prefixes" 1 "" "LOAD ex:nothing.nt:" -- pf 'LOAD <http://ex.org/nothing.nt>'

# --- a temporary store: --temp, :memory:, .open :memory: -------------------------------------
mkdir tmpdir
TMPDIR=$WORK/tmpdir check "--temp: a store to try things in" 0 "quads:          3" "" -- --temp ".load good.nt" .stats
TMPDIR=$WORK/tmpdir check ":memory: is a temporary store too" 0 "true" "" -- :memory: ".load good.nt" 'ASK { ?s ?p "one" }'
TMPDIR=$WORK/tmpdir check ".open :memory: starts from nothing" 0 "quads:          0" "" -- q ".open :memory:" .stats
[ -z "$(ls -A tmpdir)" ] && [ ! -e ":memory:" ] && ok "a temporary store leaves nothing behind" \
  || bad "a temporary store leaves nothing behind" "$(ls -A tmpdir) $(ls -d :memory: 2>&1)"
check "--temp: one store per run" 0 "quads:          0" "" -- --temp .stats
# Its files are gone while it runs, so even a kill leaves nothing.
mkfifo temp.in
TMPDIR=$WORK/tmpdir "$TRINE" --temp <temp.in >"$OUT" 2>&1 &
tpid=$!
exec 4>temp.in
echo ".load good.nt" >&4
nap 0.3
[ -z "$(ls -A tmpdir)" ] && ok "a running temporary store has no file left to leak" \
  || bad "a running temporary store has no file left to leak" "$(ls -A tmpdir)"
kill -9 "$tpid"
exec 4>&-
wait "$tpid" 2>/dev/null
check "--help tells of --temp" 0 "--temp" "" -- --help
# Regression: the example gave .load and its file as two arguments (two commands).
check "--help's examples give .load FILE as one argument" 0 "trine my.store '.load data.nt.gz' .stats" "" -- --help
check "--help tells of the line format and of file completion" 0 "line (one line per value)" "" -- --help
has "$OUT" "file names (after .load" && ok "--help: file names complete" || bad "--help: file names complete" "not said"

# --- --readonly shells query a store while another one loads ---------------------------
awk 'BEGIN { for (i = 0; i < 400000; i++) printf "<http://ex.org/s%d> <http://ex.org/p> \"%d\" .\n", i, i }' >ro.nt
"$TRINE" ro ".load good.nt" >/dev/null 2>&1
"$TRINE" ro ".load ro.nt" >/dev/null 2>"$WORK/ro-load.err" &
loader=$!
nap 0.2
ro_ok=0
for i in 1 2 3; do
  "$TRINE" --readonly ro 'ASK { <http://ex.org/s> ?p ?o }' >"$WORK/ro$i.out" 2>&1 &
done
wait_all_ok=1
for j in $(jobs -p); do [ "$j" = "$loader" ] && continue; wait "$j" || wait_all_ok=0; done
wait "$loader" || bad "the concurrent load" "failed: $(cat "$WORK/ro-load.err")"
for i in 1 2 3; do grep -q true "$WORK/ro$i.out" && ro_ok=$((ro_ok + 1)); done
[ $ro_ok = 3 ] && [ $wait_all_ok = 1 ] && ok "three --readonly shells query during a load" \
  || bad "three --readonly shells query during a load" "$ro_ok of 3 answered; $(cat "$WORK"/ro?.out)"
check "the load finished" 0 "quads:          400003" "" -- --readonly ro .stats

# --- where a store is made ---------------------------------------------------------------
mkdir notastore && echo keep >notastore/file.txt
check "a directory of other files is not a store" 1 "" "not a trine store" -- notastore "ASK {}"
[ ! -e notastore/data.mdb ] && ok "nothing written into it" || bad "nothing written into it" "data.mdb made"
mkdir emptydir
check "an empty directory becomes a store" 0 "" "" -- emptydir .stats
[ -e emptydir/data.mdb ] && ok "the store is in it" || bad "the store is in it" "no data.mdb"
check "a query given as the store is a usage error" 2 "" "the first argument is the store" \
  -- "SELECT * WHERE { ?s ?p ?o }"
[ ! -e "SELECT * WHERE { ?s ?p ?o }" ] && ok "no directory named after the query" \
  || bad "no directory named after the query" "made"
check "a dot-command given as the store is a usage error" 2 "" "the first argument is the store" \
  -- .stats
[ ! -e .stats ] && ok "no directory named after the command" || bad "no directory named after the command" "made"

# --- a load holds the writer's lock: others read, and a second writer says it waits ---------
# The loader reads a FIFO kept open, so it holds its write transaction as long as the test
# needs. A read-write shell opened meanwhile answered only after the load (it took the
# writer's lock to open the store).
mkfifo held.nt
"$TRINE" held ".load held.nt" >"$WORK/held.out" 2>&1 &
holder=$!
exec 3>held.nt
echo '<http://ex.org/a> <http://ex.org/b> <http://ex.org/c> .' >&3
nap 0.3
timeout $((10 * SLOW)) "$TRINE" held 'ASK { ?s ?p ?o }' >"$OUT" 2>"$ERR" 3>&-
rc=$?
expect "a read-write shell answers while a load holds the writer's lock" 0 "false" ""
echo '<http://ex.org/x> <http://ex.org/b> <http://ex.org/c> .' >small.nt
"$TRINE" held ".load small.nt" >"$WORK/second.out" 2>&1 3>&- &
second=$!
nap 0.8
grep -q "waiting for another writer" "$WORK/second.out" && ok "a second writer says it waits" \
  || bad "a second writer says it waits" "$(cat "$WORK/second.out")"
exec 3>&-
wait "$holder" || bad "the held load" "failed: $(cat "$WORK/held.out")"
wait "$second" || bad "the waiting load" "failed: $(cat "$WORK/second.out")"
check "both loads are in the store" 0 "quads:          2" "" -- --readonly held .stats

# --- the man page and the help agree (issue 24) ---------------------------------------
# Every option of --help and every dot-command of .help has its entry in
# trine.1, and the other way round.
if [ -n "$MANPAGE" ]; then
  man_text=$(sed -e 's/\\-/-/g' -e 's/\\&//g' -e 's/\\f[BIRP]//g' "$MANPAGE")
  # The entries of a section: the lines after .TP.
  entries() { awk -v s="$1" '/^\.SH / { in_s = ($2 == s) } in_s && tp { print } { tp = ($0 == ".TP") }' <<<"$man_text"; }
  man_opts=$(entries OPTIONS | grep -oE -- '--?[a-z][a-z-]*' | sort -u)
  man_cmds=$(entries COMMANDS | grep -oE '^\.B[IR]* \.[a-z]+' | sed 's/.* \.//' | sort -u)
  "$TRINE" --help >"$OUT" 2>"$ERR"
  help_opts=$(grep -E '^  +-' "$OUT" | sed -E 's/^ +//; s/  .*//' | grep -oE -- '--?[a-z][a-z-]*' | sort -u)
  "$TRINE" st .help >"$OUT" 2>"$ERR"
  help_cmds=$(grep -oE '^\.[a-z]+' "$OUT" | cut -c2- | sort -u)
  [ -n "$help_opts" ] && [ "$man_opts" = "$help_opts" ] && ok "trine.1 has every option of --help, no other" \
    || bad "trine.1 has every option of --help, no other" "$(diff <(echo "$help_opts") <(echo "$man_opts") | grep '^[<>]' | tr '\n' ' ')"
  [ -n "$help_cmds" ] && [ "$man_cmds" = "$help_cmds" ] && ok "trine.1 has every dot-command of .help, no other" \
    || bad "trine.1 has every dot-command of .help, no other" "$(diff <(echo "$help_cmds") <(echo "$man_cmds") | grep '^[<>]' | tr '\n' ' ')"
  missing=""
  for section in NAME SYNOPSIS OPTIONS COMMANDS REQUESTS 'EXIT STATUS' ENVIRONMENT FILES EXAMPLES; do
    grep -q "^\.SH $section\$" "$MANPAGE" || missing="$missing $section"
  done
  [ -z "$missing" ] && ok "trine.1 has its sections" || bad "trine.1 has its sections" "missing:$missing"
else
  ok "the man page # SKIP no path to trine.1 given"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
