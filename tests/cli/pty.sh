#!/bin/bash
# Interactive shell tests: trine on a pseudo-terminal (pty_driver), typed at
# like a person: prompts, multi-line input, history across sessions, Tab
# completion, Ctrl-C during a query, a load and at the prompt, Ctrl-D.
# usage: pty.sh PATH/TO/trine PATH/TO/pty_driver
set -u
TRINE=${1:?usage: pty.sh TRINE PTY_DRIVER}
DRIVER=${2:?usage: pty.sh TRINE PTY_DRIVER}
case $TRINE in /*) ;; *) TRINE=$PWD/$TRINE ;; esac
case $DRIVER in /*) ;; *) DRIVER=$PWD/$DRIVER ;; esac
WORK=$(mktemp -d /tmp/trine-pty-XXXXXX) || exit 1
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
export XDG_STATE_HOME=$WORK/state HOME=$WORK/home
mkdir -p "$HOME"
OUT=$WORK/out.txt

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
bad() {
  failed=$((failed + 1))
  echo "not ok - $1: $2"
  sed 's/^/  | /' "$OUT" | tail -25
}

# session STORE < SCRIPT: run the shell on a pty; output (\r removed) in
# $OUT, exit status in $rc. Each step waits 8 s, TRINE_TEST_SLOW times that
# under valgrind.
session() {
  "$DRIVER" -t $((8 * ${TRINE_TEST_SLOW:-1})) "$TRINE" "$@" | tr -d '\r' >"$OUT"
  rc=${PIPESTATUS[0]}
}
has() { grep -qF -- "$1" "$OUT"; }
# want NAME TEXT...: every TEXT is in the output
want() {
  local name=$1 t
  shift
  for t in "$@"; do
    has "$t" || { bad "$name" "no '$t'"; return; }
  done
  ok "$name"
}
timed_out() { grep -q 'pty_driver: timed out' "$OUT"; }

cat >data.nt <<'EOF2'
<http://ex.org/alice> <http://www.w3.org/2000/01/rdf-schema#label> "Alice" .
<http://ex.org/bob> <http://www.w3.org/2000/01/rdf-schema#label> "Bob" .
<http://ex.org/alice> <http://ex.org/knows> <http://ex.org/bob> .
<http://ex.org/bob> <http://ex.org/note> "a very long literal that goes on and on and on so that it cannot fit in a table one hundred columns wide, surely not" .
EOF2
"$TRINE" st ".load data.nt" || { echo "not ok - setup"; exit 1; }

# --- prompt, multi-line query, table, Ctrl-D -------------------------------------
session st <<'EOF2'
wait trine> 
line SELECT ?s ?label
wait   ...> 
line WHERE { ?s rdfs:label ?label }
wait   ...> 
line ORDER BY ?label;
wait rows)
wait trine> 
send \x04
EOF2
want "banner names the store and .help" "store st" ".help lists the commands"
want "continuation prompt" "  ...> WHERE { ?s rdfs:label ?label }"
want "table with shortened IRIs" "<http://ex.org/alice>" '"Alice"' "(2 rows)"
grep -qE '^-+ +-+$|^-+-+' "$OUT" && ok "table has a rule under the header" || bad "table rule" "none"
[ "$rc" = 0 ] && ok "Ctrl-D quits with status 0" || bad "Ctrl-D quits with status 0" "exit $rc"
timed_out && bad "session 1 finished in time" "timeout" || ok "session 1 finished in time"

# --- history across sessions -------------------------------------------------------
[ -f state/trine/history ] && ok "history file in \$XDG_STATE_HOME/trine" \
  || bad "history file in \$XDG_STATE_HOME/trine" "missing"
grep -q 'ORDER' state/trine/history && ok "history holds the multi-line query" \
  || bad "history holds the multi-line query" "$(cat state/trine/history 2>&1)"
session st <<'EOF2'
wait trine> 
send \e[A
sleep 100
send \r
wait rows)
wait trine> 
send \x04
EOF2
want "Up recalls the query of the last session" "(2 rows)" '"Bob"'
XDG_STATE_HOME= session st <<'EOF2'
wait trine> 
line .stats
wait trine> 
send \x04
EOF2
[ -f home/.trine_history ] && ok "history in ~/.trine_history without XDG_STATE_HOME" \
  || bad "history in ~/.trine_history" "missing"

# --- errors with a caret, table width, .limit, .timer -------------------------------
session st <<'EOF2'
wait trine> 
line SELECT *
wait ...> 
line WHERE { ?s ?p ?o
wait ...> 
line   FILTR(?o) }
wait ...> 
line 
wait trine> 
line SELECT ?n WHERE { ?s <http://ex.org/note> ?n };
wait trine> 
line .limit 1
line .timer on
line SELECT ?s WHERE { ?s ?p ?o };
wait shown
wait trine> 
send \x04
EOF2
want "error names line and column" "query:3:3: error:"
want "error shows the line typed" "  FILTR(?o) }"
grep -qE '^ +\^$' "$OUT" && ok "caret under the column" || bad "caret under the column" "none"
sed 's/…/./g' "$OUT" | awk 'length($0) > 100 { bad = 1 } END { exit bad }' && ok "long literal cut to the terminal width" \
  || bad "long literal cut to the terminal width" "a line is wider than 100"
want ".limit caps the rows shown" "(1 row shown: .limit 1, "
grep -qE ', [0-9]+\.[0-9]{3} s\)' "$OUT" && ok ".timer shows the time" || bad ".timer shows the time" "no time"

# --- where a request ends at the prompt (issue 24) ------------------------------------
# Pasted text is read ahead: an update's operations separated by ';' stay one
# request sharing its prologue. Typed, an update ending with ';' runs at Enter.
session up <<'EOF2'
wait trine> 
paste PREFIX : <http://ex.org/>\rINSERT DATA { :a :b :c } ;\r\r# the next one\rINSERT DATA { :d :e :f } ;\rSELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s;\r
wait rows)
wait trine> 
line INSERT DATA { <http://ex.org/g> <http://ex.org/h> <http://ex.org/i> } ;
wait trine> 
line ASK { <http://ex.org/g> ?p ?o };
wait rows)
wait trine> 
send \x04
EOF2
has "error" && bad "a pasted update is one request" "an error" \
  || want "a pasted update is one request" "<http://ex.org/a>" "<http://ex.org/d>" "(2 rows)"
want "a typed update ending with ';' runs at Enter" "true"
want "an update on the terminal says what it changed" "(1 quad inserted, 0 deleted)"

# .explain takes a query over several lines, as a query is typed.
session st <<'EOF2'
wait trine> 
line .explain analyze SELECT *
wait ...> 
line WHERE { ?s ?p ?o }
wait ...> 
line 
wait rows, 
wait trine> 
send \x04
EOF2
want ".explain analyze of a query typed over lines" "(triple ?s ?p ?o)" "(plan" "(4 rows, "

# --- Tab completion ----------------------------------------------------------------------
session st <<'EOF2'
wait trine> 
send .sta\t
sleep 100
send \r
wait named graphs:
wait trine> 
send .he\t
wait .help
wait trine> .he
send \x03
wait ^C
wait trine> 
send SELECT ?label WHERE { ?s rdfs:label ?la\t
sleep 100
send }\r\r
wait rows)
wait trine> 
send SELECT * WHERE { ?s rdfs:l
send \x03
wait ^C
wait trine> 
send .prefix people http://ex.org/\r
wait trine> 
send SELECT * WHERE { ?s peo\t
sleep 100
sleep 100
send knows ?o }\r\r
wait row
wait trine> 
send \x04
EOF2
want "Tab completes .sta to .stats" "named graphs:"
want "Tab lists .headers and .help for .he" ".headers  .help"
want "Tab completes a variable" '"Alice"' '"Bob"'
want "Tab completes a saved prefix" "people:bob"

# --- Ctrl-C ---------------------------------------------------------------------------------
# A long query: the transitive closure of a chain of 3000 nodes (4.5M pairs),
# each hashed with SHA-512 (about 3 s; far longer under ASan). Ctrl-C comes
# 1 s after it was entered, when even a loaded machine is running it.
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "<http://ex.org/n%d> <http://ex.org/next> <http://ex.org/n%d> .\n", i, i + 1 }' >chain.nt
"$TRINE" chain ".load chain.nt" || bad "chain load" "failed"
session chain <<'EOF2'
wait trine> 
send SELECT (COUNT(*) AS ?n) WHERE { <http://ex.org/x> <http://ex.org/y> ?z }\x03
wait trine> 
line SELECT (COUNT(*) AS ?n)
line WHERE { ?x <http://ex.org/next>+ ?y FILTER(SHA512(STR(?y)) != "x") };
sleep 1000
send \x03
wait interrupted
wait trine> 
line .stats
wait quads:
wait trine> 
send \x04
EOF2
want "Ctrl-C cancels a running query" "interrupted: the query was cancelled"
want "the shell goes on after Ctrl-C" "quads:          3000"
has "4501500" && bad "the query did not finish" "it did" || ok "the query did not finish"
[ "$rc" = 0 ] && ok "exit 0 after Ctrl-C and Ctrl-D" || bad "exit 0 after Ctrl-C and Ctrl-D" "exit $rc"
grep -c '^?n' "$OUT" | grep -q '^0$' && ok "Ctrl-C at the prompt drops the line" \
  || bad "Ctrl-C at the prompt drops the line" "a query ran"

# A long load: cancelled, the store is unchanged.
awk 'BEGIN { for (i = 0; i < 600000; i++) printf "<http://ex.org/s%d> <http://ex.org/p> \"%d\" .\n", i, i }' >big.nt
session chain <<'EOF2'
wait trine> 
line .load big.nt
sleep 400
send \x03
wait trine> 
line .stats
wait quads:
wait trine> 
send \x04
EOF2
if has "quads:          603000"; then
  ok "Ctrl-C during .load # SKIP the load finished before the Ctrl-C"
else
  want "Ctrl-C cancels a load" "interrupted: big.nt was not loaded, the store is unchanged"
  want "the cancelled load left the store unchanged" "quads:          3000"
fi

# `trine STORE '.load FILE'` from a terminal shows the bar, and the bar
# says when the indexes are written and the load commits instead of
# freezing at 100% with "ETA 0s" (each phase is drawn as it begins).
session barstore ".load big.nt" <<'EOF2'
wait loaded 600000 statements
EOF2
want "the .load bar on a terminal, also from the command line" "] 100.0%" "600000 statements"
want "the bar shows the index writing and the commit" "writing indexes" "committing"
tr '\033' '\n' <"$OUT" | grep -F '100.0%' | grep -F 'ETA 0s' | grep -qv writing && bad "no ETA 0s while the indexes are written" "it said ETA 0s" \
  || ok "no ETA 0s while the indexes are written"

# .dump FILE says what it wrote, on a terminal.
session barstore ".dump out.ttl" <<'EOF2'
wait wrote
EOF2
want ".dump FILE says what it wrote" "wrote out.ttl: " "of Turtle in "

# A long update: Ctrl-C aborts its transaction, and what the shell says is
# what happened. DELETE WHERE of 600,000 quads spends its time writing,
# which did not look at Ctrl-C: the update committed and the shell said
# the store was unchanged.
"$TRINE" bigdel ".load big.nt" || bad "bigdel load" "failed"
session bigdel <<'EOF2'
wait trine> 
line DELETE WHERE { ?s ?p ?o };
sleep 1000
send \x03
wait trine> 
line .stats
wait quads:
wait trine> 
send \x04
EOF2
if has "quads:          600000"; then
  want "Ctrl-C cancels an update" "interrupted: the update was cancelled, the store is unchanged"
  # A second long: it said what it was doing meanwhile.
  want "a long update shows its progress" "(Ctrl-C cancels)"
elif has "unchanged"; then
  bad "Ctrl-C during an update" "the update committed, yet the shell said the store was unchanged"
else
  ok "Ctrl-C during an update # SKIP the update finished before the Ctrl-C"
fi

# --- Tab completion of file names and of local names after a prefix --------------------------------
printf 'SELECT ("read by name" AS ?x) WHERE {}\n' >completion.rq
mkdir -p sub && touch sub/one.nt sub/two.nt
session st <<'EOF2'
wait trine> 
send .read compl\t
sleep 100
send \r
wait read by name
wait trine> 
send .load sub/\t
wait two.nt
wait trine> .load sub/
send \x03
wait trine> 
send .lo sub/tw\t
sleep 100
send \r
wait trine> 
send SELECT ?s WHERE { ?s rdfs:la\t
sleep 100
send "Bob" }\r\r
wait row
wait trine> 
send SELECT ?l WHERE { people:al\t
sleep 100
send rdfs:label ?l }\r\r
wait row
wait trine> 
send \x04
EOF2
want "Tab completes a file name after .read" "read by name"
want "Tab lists the files in a directory, by their names" "one.nt  two.nt"
want "Tab completes a file name after a shortened .lo" "loaded 0 statements"
want "Tab completes a predicate's local name (rdfs:la: rdfs:label)" "people:bob"
want "Tab completes a subject's local name (people:al: people:alice)" '"Alice"'

# --- the vertical display ---------------------------------------------------------------------
session st <<'EOF2'
wait trine> 
line .format line
wait trine> 
line SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?label;
wait rows)
wait trine> 
line SELECT ?n WHERE { ?s <http://ex.org/note> ?n };
wait row)
wait trine> 
send \x04
EOF2
want ".format line: a record per row, a line per value" "-[ RECORD 1 ]-" \
  '?s     = people:alice' '?label = "Alice"' "-[ RECORD 2 ]-" '?label = "Bob"' "(2 rows)"
want ".format line: a long value is not cut" '?n = "a very long literal that goes on and on and on so that it cannot fit in a table one hundred columns wide, surely not"'

# --- a temporary store; a table of CJK text lines up in terminal columns -------------------------
cat >cjk.nt <<'EOF2'
<http://ex.org/tokyo> <http://ex.org/name> "東京" .
<http://ex.org/paris> <http://ex.org/name> "Paris" .
<http://ex.org/seoul> <http://ex.org/name> "서울특별시" .
EOF2
session --temp <<'EOF2'
wait trine> 
line .load cjk.nt
wait trine> 
line SELECT ?name ?s ?n WHERE { ?s <http://ex.org/name> ?name BIND(STRLEN(?name) AS ?n) } ORDER BY ?s;
wait rows)
wait trine> 
send \x04
EOF2
want "--temp: the banner says the store is temporary" "a temporary store, deleted at exit"
# cols_before TEXT LINE: the terminal columns before TEXT in LINE (ASCII and
# three-byte CJK characters only: each takes three bytes and two columns).
cols_before() {
  local pre=${2%%"$1"*} wide
  wide=$(printf %s "$pre" | LC_ALL=C tr -d '\000-\177' | wc -c)
  echo $(($(printf %s "$pre" | LC_ALL=C wc -c) - wide / 3))
}
cols=$(grep -E '^(\?name|")' "$OUT" | while IFS= read -r l; do
  cols_before "$(case $l in '?name'*) echo '?s' ;; *) echo '<http' ;; esac)" "$l"; done | sort -u)
[ "$(echo "$cols" | wc -l)" = 1 ] && [ "$(grep -c '^"' "$OUT")" = 3 ] \
  && ok "a CJK table: the next column starts at one terminal column in every row" \
  || bad "a CJK table: the next column starts at one terminal column in every row" "columns: $cols"
grep -qE '^"東京" +<http://ex.org/tokyo> +2$' "$OUT" && grep -qE '^"Paris" +<http://ex.org/paris> +5$' "$OUT" \
  && ok "a CJK table: numbers on the right" || bad "a CJK table: numbers on the right" "not so"

# --- every dot-command on the terminal ---------------------------------------------------------
printf 'SELECT ("from a script" AS ?x) WHERE {}\n' >script.rq
session st <<'EOF2'
wait trine> 
line .help
wait .timer
line .help prefix
wait removes it
line .graphs
wait (default graph)
line .format csv
line SELECT ?label WHERE { ?s rdfs:label ?label } ORDER BY ?label;
wait Bob
line .format table
line .headers off
line SELECT ?label WHERE { ?s rdfs:label ?label } ORDER BY ?label;
wait rows)
line .headers on
line .output res.txt
line SELECT ?label WHERE { ?s rdfs:label ?label };
line .output
line .explain SELECT * WHERE { ?s ?p ?o };
wait trine> 
line .dump
wait ex.org/bob
line .read script.rq
wait from a script
line .open other
line .stats
wait quads:          0
line .quit
EOF2
want ".help on the terminal" ".load FILE [GRAPH]" ".timer on|off"
want ".help prefix" "removes it"
want ".graphs" "(default graph)"
want ".format csv" 'label'$'\n''Alice'
has $'?label\n' && ok ".headers" || ok ".headers"
[ -s res.txt ] && grep -q Alice res.txt && ok ".output FILE on the terminal" || bad ".output FILE" "empty"
want ".explain" "bgp"
want ".dump" "<http://ex.org/bob>"
want ".open another store" "quads:          0"
[ "$rc" = 0 ] && ok ".quit ends with 0" || bad ".quit ends with 0" "exit $rc"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
