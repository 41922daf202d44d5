#!/bin/bash
# Two builds side by side on queries: for each query file, query_ab's
# alternating runs (medians of each build and of the paired ratios B/A),
# then each build's peak RSS for a warm-up and one run of the query alone
# (query_bench under GNU time, a process each).
#
# usage: bench/ab.sh A_BUILD B_BUILD STORE RUNS QUERY.rq...
#   e.g. bench/ab.sh /tmp/base/build build STORE 20 bench/queries/*.rq
# A_BUILD and B_BUILD are build directories holding libtrine.so and
# bench/query_bench (ninja -C DIR && ninja -C DIR bench/query_bench);
# query_ab comes from B_BUILD (ninja -C B_BUILD bench/query_ab). RUNS: pairs per query (at
# least 4). A query that fails in a build (a memory limit, say) is
# reported as such, with the time and memory it took to fail.
# needs: GNU time (apt-get install time)
set -uo pipefail
a=${1:?usage: bench/ab.sh A_BUILD B_BUILD STORE RUNS QUERY.rq...}
b=${2:?}; store=${3:?}; runs=${4:?}; shift 4
for d in "$a" "$b"; do
  [ -x "$d/bench/query_bench" ] && [ -e "$d/libtrine.so" ] ||
    { echo "$d: needs libtrine.so and bench/query_bench" >&2; exit 1; }
  # query_bench links the library statically and is not rebuilt by default
  [ "$d/bench/query_bench" -ot "$d/libtrine.so" ] &&
    { echo "$d: bench/query_bench is older than libtrine.so: ninja -C $d bench/query_bench" >&2; exit 1; }
done
[ -x "$b/bench/query_ab" ] || { echo "$b: needs bench/query_ab" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time" >&2; exit 1; }

peak() { # build query: "rows, peak RSS" of one process, or how it failed
  local out
  out=$(/usr/bin/time -f "%e s, peak RSS %M KB" "$1/bench/query_bench" "$store" 1 "$2" 2>&1)
  echo "$out" | tr '\n' ' ' | sed 's/\t/ /g'
}

for q in "$@"; do
  echo "== $(basename "$q" .rq)"
  "$b/bench/query_ab" "$(realpath "$a")/libtrine.so" "$store" \
    "$(realpath "$b")/libtrine.so" "$store" "$q" "$runs" 2>&1
  echo "A alone: $(peak "$a" "$q")"
  echo "B alone: $(peak "$b" "$q")"
done
