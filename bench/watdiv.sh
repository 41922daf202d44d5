#!/bin/bash
# WatDiv query benchmark: trine side by side with Oxigraph, in one run.
#
# usage: bench/watdiv.sh [--keep DIR] [--interleave] [--cpu N] DATA.nt.gz [RUNS]
#   e.g. bench/watdiv.sh ../shared/bench/watdiv/watdiv10.nt.gz 5
#
# Gunzips DATA, loads it into a new trine store and runs every query of
# $(dirname DATA)/queries/*.rq through bench/query_bench (public API: prepare,
# step, read every term, free; one warm-up, median of RUNS, default 5),
# then the same queries in Oxigraph (npm package, in memory;
# bench/peers/oxigraph_bench.mjs). Prints a Markdown table: the expected
# count ($(dirname DATA)/expected-counts.tsv; a count that differs is
# marked *), both medians, the ratio Oxigraph/trine (> 1: trine is faster)
# and the geometric mean of the ratios, overall and per shape (L, S, F, C).
#
# --keep DIR  keep the raw per-engine TSV outputs in DIR
# --interleave  run each query in trine just before Oxigraph runs it
#             (instead of every query in trine, then every query in
#             Oxigraph): on a shared machine both meet the same phase
# --cpu N     run both engines on CPU N only (taskset): a VM's CPUs are
#             slowed by their host apart, and the engines would otherwise
#             each run on whichever CPU the scheduler gives them
# Environment: BUILD (meson build dir, default build), TMPDIR.
# needs: a configured build dir (scripts/setup), node and npm (bench/peers
#        runs `npm ci` the first time).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
keep=
interleave=
cpu=
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=${2:?--keep needs a directory}; shift 2 ;;
    --interleave) interleave=1; shift ;;
    --cpu) cpu=${2:?--cpu needs a CPU number}; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "watdiv.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
data=${1:?usage: bench/watdiv.sh [--keep DIR] [--interleave] [--cpu N] DATA.nt.gz [RUNS]}
runs=${2:-5}
data=$(cd "$(dirname "$data")" && pwd)/$(basename "$data")
qdir=$(dirname "$data")/queries
expected=$(dirname "$data")/expected-counts.tsv
build=${BUILD:-$root/build}
case "$build" in /*) ;; *) build=$root/$build ;; esac
[ -f "$data" ] || { echo "watdiv.sh: no data file $data" >&2; exit 1; }
[ -d "$qdir" ] || { echo "watdiv.sh: no query directory $qdir" >&2; exit 1; }
command -v node >/dev/null || { echo "watdiv.sh: needs node: apt-get install -y nodejs npm" >&2; exit 1; }
log() { echo "watdiv.sh: $*" >&2; }

ninja -C "$build" cli/trine bench/query_bench >&2
if [ ! -d "$here/peers/node_modules/oxigraph" ]; then
  log "installing Oxigraph into bench/peers/node_modules (npm ci)"
  (cd "$here/peers" && npm ci --no-audit --no-fund >&2)
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/trine-watdiv.XXXXXX")
trap 'rm -rf "$work"' EXIT
out=${keep:-$work}
mkdir -p "$out"
queries=$(cd "$qdir" && ls ./*.rq | sed 's|^\./||' | sort -V)
nt=$work/data.nt
case "$data" in *.gz) zcat "$data" >"$nt" ;; *) ln -s "$data" "$nt" ;; esac

log "loading into a new trine store"
"$build/cli/trine" "$work/store" ".load $nt" >&2
pin=()
if [ -n "$cpu" ]; then
  command -v taskset >/dev/null || { echo "watdiv.sh: --cpu needs taskset (util-linux)" >&2; exit 1; }
  pin=(taskset -c "$cpu")
fi
if [ -n "$interleave" ]; then
  log "trine and oxigraph, query by query: $runs runs per query"
  : >"$out/trine.tsv"
  TRINE_BENCH="$build/bench/query_bench $work/store" TRINE_TSV="$out/trine.tsv" \
    "${pin[@]}" node "$here/peers/oxigraph_bench.mjs" "$nt" "$qdir" "$runs" >"$out/oxigraph.tsv"
else
  log "trine: $runs runs per query"
  (cd "$qdir" && "${pin[@]}" "$build/bench/query_bench" "$work/store" "$runs" $queries) \
    >"$out/trine.tsv" || true
  rm -rf "$work/store"
  log "oxigraph: $runs runs per query"
  "${pin[@]}" node "$here/peers/oxigraph_bench.mjs" "$nt" "$qdir" "$runs" >"$out/oxigraph.tsv"
fi

awk -F'\t' -v runs="$runs" -v expf="$expected" -v tr="$out/trine.tsv" -v ox="$out/oxigraph.tsv" '
function load(file, arr,   line, f, n) {
  while ((getline line < file) > 0) { split(line, f, "\t"); order[++nq] = f[1]; for (n = 1; n <= 6; n++) arr[f[1], n] = f[n] }
  close(file)
}
function num(x) { return x ~ /^[0-9.]+$/ }
function fmt(ms) { return num(ms) ? (ms < 10 ? sprintf("%.3f", ms) : sprintf("%.1f", ms)) : "-" }
function mark(c, e) { return (c == "" ? "-" : (e != "" && c != e) ? c "*" : c) }
BEGIN {
  while ((getline line < expf) > 0) { split(line, f, "\t"); e[f[1]] = f[2] }
  load(tr, T); nt = nq; nq = 0; load(ox, O)
  print "| query | expected | trine rows | Oxigraph rows | trine ms | Oxigraph ms | Oxigraph/trine |"
  print "|---|--:|--:|--:|--:|--:|--:|"
  for (i = 1; i <= nt; i++) {
    q = order[i]
    if (e[q] != "" && T[q, 2] != e[q]) bad = bad " " q
    if (e[q] != "" && O[q, 2] != "" && O[q, 2] != e[q]) badox = badox " " q
    r = num(T[q, 3]) && num(O[q, 3]) && T[q, 3] > 0 ? O[q, 3] / T[q, 3] : ""
    printf "| %s | %s | %s | %s | %s | %s | %s |\n", q, e[q], mark(T[q, 2], e[q]), mark(O[q, 2], e[q]),
      fmt(T[q, 3]), fmt(O[q, 3]), r == "" ? "-" : sprintf(r < 10 ? "%.2f" : "%.1f", r)
    if (r != "") {
      s = substr(q, 1, 1); lg += log(r); n++; ls[s] += log(r); ns[s]++
      if (r <= 1) slower = slower " " q
    }
  }
  print ""
  printf "medians of %s runs after a warm-up; trine reads every term of every row through the public API.\n", runs
  if (n) printf "geometric mean Oxigraph/trine: %.1f over %d queries", exp(lg / n), n
  split("L S F C", shapes, " ")
  for (k = 1; k <= 4; k++) if (ns[shapes[k]]) printf "; %s %.1f", shapes[k], exp(ls[shapes[k]] / ns[shapes[k]])
  print ""
  if (slower != "") printf "trine not faster than Oxigraph on:%s\n", slower
  if (bad != "") printf "trine count differs from the expected count (marked *) on:%s\n", bad
  if (badox != "") printf "Oxigraph count differs from the expected count on:%s\n", badox
}'
