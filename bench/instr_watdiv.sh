#!/bin/bash
# Instructions per query run (callgrind), for the fixed cost of small queries.
#
# usage: bench/instr_watdiv.sh [-b BASE_QUERY_BENCH] [-r RUNS] STORE QUERY.rq...
#   e.g. bench/instr_watdiv.sh -b /tmp/query_bench.main /tmp/wd10 \
#          ../shared/bench/watdiv/queries/*.rq
#
# Runs build/bench/query_bench (or $QUERY_BENCH) under callgrind, counting
# only inside run_once (prepare + every step + free), and divides by the
# runs made (a warm-up and RUNS, default 20). Instructions do not depend on
# what else the machine runs, unlike time. With -b, the same for another
# query_bench (e.g. one built from main) and a table: query, its count
# (before), this build's (after), before/after, and the geometric mean.
# The store is opened read-only (query_bench opens it so).
# needs: valgrind; ninja -C build bench/query_bench
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
qb=${QUERY_BENCH:-$(dirname "$here")/build/bench/query_bench}
base=
runs=20
while getopts b:r:h opt; do
  case $opt in
    b) base=$OPTARG ;;
    r) runs=$OPTARG ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
store=${1:?usage: bench/instr_watdiv.sh [-b BASE] [-r RUNS] STORE QUERY.rq...}
shift
[ $# -gt 0 ] || { echo "instr_watdiv.sh: no queries" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# per_run BINARY QUERY: instructions per run_once call.
per_run() {
  valgrind --tool=callgrind --toggle-collect=run_once \
    --callgrind-out-file="$out/cg" "$1" "$store" "$runs" "$2" \
    >"$out/stdout" 2>"$out/stderr" ||
    { echo "instr_watdiv.sh: $1 $2 failed:" >&2; cat "$out/stderr" >&2; exit 1; }
  grep -q $'\terror\t' "$out/stdout" &&
    { echo "instr_watdiv.sh: $2: query failed" >&2; cat "$out/stderr" >&2; exit 1; }
  awk -v n=$((runs + 1)) '/^summary:/ { printf "%d\n", $2 / n }' "$out/cg"
}

if [ -n "$base" ]; then
  printf '| query | before | after | before/after |\n|---|---:|---:|---:|\n'
else
  printf 'query\tinstructions_per_run\n'
fi
logsum=0
for q in "$@"; do
  name=$(basename "$q" .rq)
  after=$(per_run "$qb" "$q")
  if [ -z "$base" ]; then printf '%s\t%s\n' "$name" "$after"; continue; fi
  before=$(per_run "$base" "$q")
  ratio=$(awk -v b="$before" -v a="$after" 'BEGIN { printf "%.2f", b / a }')
  logsum=$(awk -v s="$logsum" -v b="$before" -v a="$after" 'BEGIN { print s + log(b / a) }')
  printf '| %s | %s | %s | %s |\n' "$name" "$before" "$after" "$ratio"
done
if [ -n "$base" ]; then
  awk -v s="$logsum" -v n=$# 'BEGIN { printf "\ngeometric mean of before/after: %.2f\n", exp(s / n) }'
fi
