#!/bin/bash
# Turtle load benchmark: the same data loaded by trine as Turtle and as
# N-Triples, and parsed by serdi from the same Turtle file, alternating
# runs, median of RUNS each. Reports wall times, the Turtle / N-Triples
# ratio per pair (target <= 1.2), CPU times (user + system: what a load
# costs when other work shares the cores) and their ratio per pair, and
# triples/s.
#
# usage: bench/load_turtle.sh DATA.nt[.gz] [RUNS]   (e.g. ../shared/bench/lubm10.nt.gz)
# The Turtle file is made once with `serdi -o turtle` (no prefixes: serdi
# abbreviates subjects and predicates with ';' and ','), in a temporary
# directory, never committed.
# needs: build/cli/trine (scripts/setup), serdi and GNU time (apt-get install serdi time)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:?usage: bench/load_turtle.sh DATA.nt[.gz] [RUNS]}
runs=${2:-5}
trine=${TRINE:-build/cli/trine}
[ -x "$trine" ] || { echo "build first: scripts/setup" >&2; exit 1; }
command -v serdi >/dev/null || { echo "needs serdi: apt-get install serdi" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time" >&2; exit 1; }

work=$(mktemp -d /tmp/trine-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
nt=$work/data.nt
ttl=$work/data.ttl
case "$data" in
  *.gz) zcat "$data" > "$nt" ;;
  *) cp "$data" "$nt" ;;
esac
serdi -i ntriples -o turtle "$nt" > "$ttl"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
load() { # load FILE OUT: a new store, wall seconds and peak RSS appended to OUT
  rm -rf "$work/store"
  sync
  /usr/bin/time -f "%e %M %U %S" -o "$work/t" "$trine" "$work/store" ".load $1"
  cat "$work/t" >> "$2"
}

: > "$work/ttl"; : > "$work/nt"; : > "$work/serdi"; : > "$work/ratio"; : > "$work/cpuratio"
for i in $(seq "$runs"); do
  load "$ttl" "$work/ttl"
  load "$nt" "$work/nt"
  /usr/bin/time -f "%e %M" -o "$work/t" serdi -i turtle -o ntriples "$ttl" > /dev/null
  cat "$work/t" >> "$work/serdi"
  awk -v a="$(tail -1 "$work/ttl" | cut -d' ' -f1)" -v b="$(tail -1 "$work/nt" | cut -d' ' -f1)" \
    'BEGIN {print a / b}' >> "$work/ratio"
  paste -d' ' <(tail -1 "$work/ttl") <(tail -1 "$work/nt") |
    awk '{print ($3 + $4) / ($7 + $8)}' >> "$work/cpuratio"
done
triples=$("$trine" "$work/store" .stats | awk '/^quads:/ {print $2}')
t=$(cut -d' ' -f1 "$work/ttl" | median)
n=$(cut -d' ' -f1 "$work/nt" | median)
s=$(cut -d' ' -f1 "$work/serdi" | median)
printf 'files             %s: %d bytes of N-Triples, %d bytes of Turtle, %d distinct triples\n' \
  "$data" "$(stat -c %s "$nt")" "$(stat -c %s "$ttl")" "$triples"
cpu() { awk '{print $3 + $4}' "$1" | median; }
printf 'trine Turtle      %.2f s median of %d, CPU %.2f s (peak RSS %d KB)\n' "$t" "$runs" \
  "$(cpu "$work/ttl")" "$(cut -d' ' -f2 "$work/ttl" | median)"
printf 'trine N-Triples   %.2f s median of %d, CPU %.2f s (peak RSS %d KB)\n' "$n" "$runs" \
  "$(cpu "$work/nt")" "$(cut -d' ' -f2 "$work/nt" | median)"
printf 'serdi Turtle->NT  %.2f s median of %d\n' "$s" "$runs"
printf 'ratio Turtle/NT   %.2f median of pairs (target <= 1.2)\n' "$(median < "$work/ratio")"
printf 'CPU ratio         %.2f median of pairs (what a busy machine sees)\n' \
  "$(median < "$work/cpuratio")"
printf 'Turtle triples/s  %.0f\n' "$(awk -v n="$triples" -v t="$t" 'BEGIN {print n / t}')"
