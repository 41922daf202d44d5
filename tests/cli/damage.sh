#!/bin/bash
# Damaged and foreign files: copies of a store with random bytes written
# over its middle, with page headers broken, cut short or emptied, given a
# newer format; directories and files that are no store. Each must end in
# a clear error from opening it or a clean .check report -- never a crash
# (a signal) and never a hang (each run has a timeout). Then .check and
# .vacuum on a sound store.
# usage: damage.sh PATH/TO/trine
set -u
TRINE=${1:?usage: damage.sh PATH/TO/trine}
case $TRINE in /*) ;; *) TRINE=$PWD/$TRINE ;; esac
WORK=$(mktemp -d /tmp/trine-damage-XXXXXX) || exit 1
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
bad() { failed=$((failed + 1)); echo "not ok - $1: $2"; }

# run NAME ARGS...: trine under a timeout; OUT (stdout and stderr) and ST.
run() {
  OUT=$(timeout $((60 * ${TRINE_TEST_SLOW:-1})) "$TRINE" "$@" 2>&1)
  ST=$?
}
# clean NAME: the last run ended by itself with 0 or 1 (not a signal or
# the timeout).
clean() {
  case $ST in
  0 | 1) return 0 ;;
  124) bad "$1" "hung (killed after 60 s)" ;;
  *) bad "$1" "exit status $ST: $(echo "$OUT" | tail -2)" ;;
  esac
  return 1
}
# expect NAME STATUS TEXT: a clean run with that status saying TEXT.
expect() {
  clean "$1" || return
  if [ "$ST" != "$2" ]; then bad "$1" "exit status $ST, not $2: $(echo "$OUT" | tail -2)"
  elif [ -n "$3" ] && ! grep -qF -- "$3" <<<"$OUT"; then bad "$1" "does not say '$3': $OUT"
  else ok "$1"; fi
}

# A store of 20000 quads over the default graph and three named graphs.
awk 'BEGIN {
  for (i = 0; i < 20000; i++) {
    g = i % 4 ? sprintf(" <http://ex.org/g%d>", i % 4) : ""
    printf "<http://ex.org/s%d> <http://ex.org/p%d> \"value %d\"@en%s .\n", i % 700, i % 9, i, g
  }
}' >data.nq
"$TRINE" sound ".load data.nq" || { echo "the store did not load"; exit 1; }
SIZE=$(stat -c %s sound/data.mdb)
copy() { rm -rf "$1" && mkdir "$1" && cp sound/data.mdb "$1/"; }

run --readonly sound .check
expect "a sound store passes .check" 0 "no problems"

# Random bytes over the middle half of the file: some seeds hit page
# headers (LMDB asserts or faults: the check's guard reports it), most hit
# records (the check names them); bytes on free pages are harmless.
found=0
for seed in $(seq 1 16); do
  copy d
  python3 - d/data.mdb "$seed" "$SIZE" <<'EOF'
import random, sys
path, seed, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
r = random.Random(seed)
off = r.randrange(size // 4, 3 * size // 4)
n = 4096 if seed % 2 else 64
if seed % 2: off -= off % 4096  # a whole page, header and all
with open(path, "r+b") as f:
    f.seek(off)
    f.write(bytes(r.randrange(256) for _ in range(n)))
EOF
  run --readonly d .check
  clean "random bytes, seed $seed" || continue
  if [ $ST = 1 ] && grep -qE "^damaged: |error: " <<<"$OUT"; then found=$((found + 1))
  elif [ $ST = 0 ] && grep -q "no problems" <<<"$OUT"; then :  # free pages
  else bad "random bytes, seed $seed" "unclear: $(echo "$OUT" | tail -2)"; continue; fi
  ok "random bytes, seed $seed: exit $ST, $(echo "$OUT" | tail -1 | cut -c1-90)"
done
[ $found -ge 12 ] && ok "random bytes: $found of 16 copies reported damaged" \
  || bad "random bytes" "only $found of 16 copies reported damaged"

# Leaf pages of the middle half claim to be branch pages: LMDB fails its
# assertions or finds no page reading them, which the check reports.
copy h
python3 - h/data.mdb <<'EOF'
import sys
path = sys.argv[1]
b = bytearray(open(path, "rb").read())
ps = 4096
n = len(b) // ps
for pg in range(n // 4, 3 * n // 4):
    flags = int.from_bytes(b[pg * ps + 10:pg * ps + 12], "little")
    if flags & 0x02:  # P_LEAF -> P_BRANCH
        b[pg * ps + 10:pg * ps + 12] = (0x01).to_bytes(2, "little")
open(path, "wb").write(b)
EOF
run --readonly h .check
expect "broken page headers: a report, not an abort" 1 "LMDB c"

copy t
truncate -s $((SIZE / 2)) t/data.mdb
run --readonly t .check
expect "data.mdb cut to half: refused at open" 1 "data.mdb is cut short"
run t .check
expect "data.mdb cut to half, read-write: refused at open" 1 "data.mdb is cut short"
truncate -s 0 t/data.mdb
run t .check
expect "data.mdb emptied: refused, not made a new store" 1 "data.mdb is empty"
[ "$(stat -c %s t/data.mdb)" = 0 ] && ok "the emptied file is left as it was" \
  || bad "the emptied file is left as it was" "it was written"
truncate -s 5000 t/data.mdb
run t .check
expect "data.mdb shorter than its header pages" 1 "not an LMDB file"

mkdir other && echo hello >other/notes.txt
run other .check
expect "a directory of other files" 1 "not a trine store"
[ ! -e other/data.mdb ] && ok "nothing is written into it" || bad "nothing is written into it" "data.mdb"
run other/notes.txt .check
expect "a file" 1 "not a directory"
mkdir junk && head -c 100000 /dev/urandom >junk/data.mdb
run --readonly junk .check
expect "a data.mdb of random bytes" 1 "not an LMDB file"

# A store of a newer format: meta "format" is 99.
copy f
python3 - f/data.mdb <<'EOF'
import sys
path = sys.argv[1]
b = open(path, "rb").read()
old, new = b"format" + (2).to_bytes(8, "little"), b"format" + (99).to_bytes(8, "little")
assert old in b
open(path, "wb").write(b.replace(old, new))
EOF
run --readonly f .check
expect "format 99, read-only: refused at open" 1 "store format 99, this trine reads format 2"
run f .check
expect "format 99: refused at open" 1 "store format 99, this trine reads format 2"

# .vacuum gives the space of deleted quads back.
cp -r sound v
run v "DELETE WHERE { GRAPH <http://ex.org/g1> { ?s ?p ?o } }" \
  "DELETE WHERE { GRAPH <http://ex.org/g2> { ?s ?p ?o } }" "DELETE WHERE { ?s ?p ?o }"
expect "most quads deleted" 0 ""
"$TRINE" v .dump | LC_ALL=C sort >before.nq
big=$(stat -c %s v/data.mdb)
run v .vacuum
expect ".vacuum" 0 "compacted: "
small=$(stat -c %s v/data.mdb)
[ "$small" -lt "$big" ] && ok ".vacuum: data.mdb $big -> $small bytes" \
  || bad ".vacuum makes the file smaller" "$big -> $small bytes"
"$TRINE" v .dump | LC_ALL=C sort >after.nq
cmp -s before.nq after.nq && [ -s after.nq ] && ok ".vacuum keeps every quad" \
  || bad ".vacuum keeps every quad" "the dumps differ"
run v .check
expect "the compacted store passes .check" 0 "no problems"
ls -d v.compact-* >/dev/null 2>&1 && bad ".vacuum leaves nothing beside" "$(ls -d v.*)" \
  || ok ".vacuum leaves nothing beside the store"

# ... but not while another process has the store open.
mkfifo hold
"$TRINE" --readonly v <hold >hold.out 2>&1 &
holder=$!
exec 3>hold
# Wait (bounded) until the holder has answered, so it has the store open:
# a fixed sleep was too short on a loaded machine.
echo .stats >&3
for _ in $(seq $((100 * ${TRINE_TEST_SLOW:-1}))); do grep -q '^quads:' hold.out && break; sleep 0.1; done
run v .vacuum
expect ".vacuum refuses while another process has the store open" 1 "has the store open"
exec 3>&-
wait $holder
run v .vacuum
expect ".vacuum once it is closed" 0 "compacted: "

echo "$passed passed, $failed failed"
[ $failed = 0 ]
