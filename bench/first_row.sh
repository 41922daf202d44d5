#!/bin/bash
# Two builds side by side on queries, a process per run (peak memory is a
# process's): for each query, one warm-up run of each, then RUNS pairs of
# bench/first_row runs, the order swapped every other pair; medians of the
# time to the first row, to the last row, peak RSS and peak anonymous
# memory (see first_row.c), per build.
#
# usage: bench/first_row.sh A_BUILD B_BUILD STORE RUNS QUERY.rq...
#   e.g. bench/first_row.sh /tmp/base/build build STORE 9 bench/queries/scan-all.rq
# A_BUILD and B_BUILD are build directories holding libtrine.so;
# first_row comes from B_BUILD (ninja -C B_BUILD bench/first_row).
set -uo pipefail
a=${1:?usage: bench/first_row.sh A_BUILD B_BUILD STORE RUNS QUERY.rq...}
b=${2:?}; store=${3:?}; runs=${4:?}; shift 4
fr="$b/bench/first_row"
[ -x "$fr" ] || { echo "$b: needs bench/first_row" >&2; exit 1; }
for d in "$a" "$b"; do
  [ -e "$d/libtrine.so" ] || { echo "$d: needs libtrine.so" >&2; exit 1; }
done
la=$(realpath "$a/libtrine.so"); lb=$(realpath "$b/libtrine.so")

median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
col() { awk -v c="$2" '{print $c}' "$1" | median; }

for q in "$@"; do
  ra=$(mktemp); rb=$(mktemp)
  "$fr" "$la" "$store" "$q" > /dev/null && "$fr" "$lb" "$store" "$q" > /dev/null || {
    echo "== $(basename "$q" .rq): a build fails"; rm -f "$ra" "$rb"; continue; }
  for ((i = 0; i < runs; i++)); do
    if ((i & 1)); then
      "$fr" "$lb" "$store" "$q" >> "$rb"; "$fr" "$la" "$store" "$q" >> "$ra"
    else
      "$fr" "$la" "$store" "$q" >> "$ra"; "$fr" "$lb" "$store" "$q" >> "$rb"
    fi
  done
  echo "== $(basename "$q" .rq): $(col "$ra" 1) rows (A), $(col "$rb" 1) rows (B), $runs runs each"
  for x in A B; do
    f=$ra; [ $x = B ] && f=$rb
    printf '%s  first row %9.3f ms  all rows %9.3f ms  peak RSS %7d KB  peak anon %7d KB\n' \
      "$x" "$(col "$f" 2)" "$(col "$f" 3)" "$(col "$f" 4)" "$(col "$f" 5)"
  done
  rm -f "$ra" "$rb"
done
