#!/bin/bash
# LUBM query benchmark: trine side by side with Oxigraph and rdflib.
#
# usage: bench/lubm.sh [--trine-only] [--keep DIR] [--peers-from DIR] DATA.nt.gz [RUNS]
#   e.g. bench/lubm.sh ../shared/bench/lubm10.nt.gz 5
#        bench/lubm.sh --trine-only ../shared/bench/lubm50.nt.gz 5
#
# Gunzips DATA to a temporary file, loads it into a new trine store
# (build/cli/trine STORE ".load FILE") and runs the 14 rewritten LUBM queries
# ($(dirname DATA)/queries/rewritten/q*.rq) through bench/query_bench (public
# API only: prepare, step, read every term, free; one warm-up, median of
# RUNS, default 5). Then, unless --trine-only, the same queries in:
#   - Oxigraph (npm package, in memory; bench/peers/oxigraph_bench.mjs), on
#     both queries/rewritten and queries/rewritten-filter-in, faster kept;
#   - rdflib (Debian python3-rdflib; bench/peers/rdflib_bench.py), each run
#     limited to RDFLIB_TIMEOUT seconds (default 60): slower queries are
#     reported as skipped; slow queries get fewer timed runs (the column
#     "runs" says how many).
# Prints a Markdown table: counts (a count that differs from
# queries/rewritten/expected-counts.tsv is marked with *), median ms, the
# ratios Oxigraph/trine and rdflib/trine (> 1: trine is faster) and the
# geometric mean of the Oxigraph/trine ratios. --trine-only checks the
# nine anchored queries against 1 ms instead.
#
# --keep DIR        keep the raw per-engine TSV outputs in DIR
# --peers-from DIR  reuse oxigraph.tsv and rdflib.tsv kept by an earlier
#                   --keep run on the same data instead of running the peers
# Environment: BUILD (meson build dir, default build), RDFLIB_TIMEOUT (60),
#              TMPDIR (the unpacked data and the store go there).
#
# needs: a configured build dir (scripts/setup), meson and ninja;
#        for the peers: node and npm (bench/peers runs `npm ci` the first
#        time), /usr/bin/python3 with rdflib (apt-get install -y python3-rdflib)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")

trine_only=0 keep= peers_from=
while [ $# -gt 0 ]; do
  case "$1" in
    --trine-only) trine_only=1; shift ;;
    --keep) keep=${2:?--keep needs a directory}; shift 2 ;;
    --peers-from) peers_from=${2:?--peers-from needs a directory}; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "lubm.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
data=${1:?usage: bench/lubm.sh [--trine-only] [--keep DIR] [--peers-from DIR] DATA.nt.gz [RUNS]}
runs=${2:-5}
data=$(cd "$(dirname "$data")" && pwd)/$(basename "$data")
qroot=$(dirname "$data")/queries
qdir=$qroot/rewritten
qdir_in=$qroot/rewritten-filter-in
expected=$qdir/expected-counts.tsv
build=${BUILD:-$root/build}
case "$build" in /*) ;; *) build=$root/$build ;; esac
rdflib_timeout=${RDFLIB_TIMEOUT:-60}

# --- prerequisites ------------------------------------------------------------
missing=()
[ -f "$data" ] || { echo "lubm.sh: no data file $data" >&2; exit 1; }
[ -d "$qdir" ] || { echo "lubm.sh: no query directory $qdir (expected next to the data file)" >&2; exit 1; }
[ -f "$build/build.ninja" ] || missing+=("a configured build directory $build: scripts/setup (or BUILD=DIR)")
command -v ninja >/dev/null || missing+=("ninja: scripts/setup")
if [ $trine_only = 0 ] && [ -z "$peers_from" ]; then
  command -v node >/dev/null || missing+=("node (Node.js 18+): apt-get install -y nodejs")
  command -v npm >/dev/null || missing+=("npm: apt-get install -y npm")
  [ -d "$qdir_in" ] || missing+=("the query directory $qdir_in")
  /usr/bin/python3 -c 'import rdflib' 2>/dev/null || missing+=("rdflib: apt-get install -y python3-rdflib")
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "lubm.sh: missing prerequisites:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi

log() { echo "lubm.sh: $*" >&2; }

ninja -C "$build" cli/trine bench/query_bench >&2
trine=$build/cli/trine
qbench=$build/bench/query_bench
if [ $trine_only = 0 ] && [ -z "$peers_from" ] && [ ! -d "$here/peers/node_modules/oxigraph" ]; then
  log "installing Oxigraph into bench/peers/node_modules (npm ci)"
  (cd "$here/peers" && npm ci --no-audit --no-fund >&2)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/trine-lubm.XXXXXX")
trap 'rm -rf "$work"' EXIT
out=${keep:-$work}
mkdir -p "$out"

queries=$(cd "$qdir" && ls q*.rq | sort -V)
nt=$work/data.nt
log "unpacking $(basename "$data")"
case "$data" in
  *.gz) zcat "$data" > "$nt" ;;
  *) ln -s "$data" "$nt" ;;
esac

# --- trine ----------------------------------------------------------------------
log "loading into a new trine store"
t0=$(date +%s.%N)
"$trine" "$work/store" ".load $nt" >&2
log "loaded in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s"
log "trine: $runs runs per query"
(cd "$qdir" && "$qbench" "$work/store" "$runs" $queries) > "$out/trine.tsv" || true
rm -rf "$work/store"

# --- peers ----------------------------------------------------------------------
if [ $trine_only = 0 ]; then
  if [ -n "$peers_from" ]; then
    for f in oxigraph.tsv rdflib.tsv; do
      [ -f "$peers_from/$f" ] || { echo "lubm.sh: no $peers_from/$f" >&2; exit 1; }
      [ "$peers_from/$f" -ef "$out/$f" ] || cp "$peers_from/$f" "$out/$f"
    done
    log "peers' results taken from $peers_from"
  else
    log "oxigraph: $runs runs per query and form"
    node "$here/peers/oxigraph_bench.mjs" "$nt" "$qdir" "$qdir_in" "$runs" > "$out/oxigraph.tsv"
    log "rdflib: up to $runs runs per query, ${rdflib_timeout} s limit per run"
    /usr/bin/python3 "$here/peers/rdflib_bench.py" "$nt" "$qdir" "$runs" "$rdflib_timeout" > "$out/rdflib.tsv"
  fi
fi

# --- table ----------------------------------------------------------------------
scale=$(basename "$data" | grep -o 'lubm[0-9]*' || true)
awk -F'\t' -v scale="$scale" -v trine_only=$trine_only -v runs="$runs" \
    -v expf="$expected" -v tr="$out/trine.tsv" -v ox="$out/oxigraph.tsv" -v rd="$out/rdflib.tsv" '
function load(file, arr, n,   line, f) {
  while ((getline line < file) > 0) { split(line, f, "\t"); for (n = 1; n <= 6; n++) arr[f[1], n] = f[n] }
  close(file)
}
function mark(c, e) { return (c == "" ? "-" : (e != "" && c != e && c ~ /^[0-9]+$/) ? c "*" : c) }
function num(x) { return x ~ /^[0-9.]+$/ }
function fmt(ms) { return num(ms) ? (ms < 10 ? sprintf("%.3f", ms) : ms < 100 ? sprintf("%.2f", ms) : sprintf("%.1f", ms)) : "-" }
function ratio(a, b) { return (num(a) && num(b) && b > 0) ? sprintf(a / b < 10 ? "%.2f" : "%.1f", a / b) : "-" }
BEGIN {
  anchored["q1"] = anchored["q3"] = anchored["q4"] = anchored["q5"] = anchored["q7"] = 1
  anchored["q8"] = anchored["q10"] = anchored["q11"] = anchored["q12"] = 1
  # expected counts: the column of this scale; otherwise the anchored
  # queries keep their (scale-invariant) LUBM(10) count.
  getline line < expf; n = split(line, h, "\t"); col = 0; col10 = 0
  for (i = 1; i <= n; i++) { if (h[i] == scale "_count") col = i; if (h[i] == "lubm10_count") col10 = i }
  while ((getline line < expf) > 0) {
    split(line, f, "\t")
    if (col) e[f[1]] = f[col]; else if (f[1] in anchored) e[f[1]] = f[col10]
  }
  load(tr, T); if (!trine_only) { load(ox, O); load(rd, R) }
  for (i = 1; i <= 14; i++) {
    q = "q" i; if (!((q, 1) in T)) continue
    wrong = 0
    if (e[q] != "" && T[q, 2] != e[q]) { wrong = 1; bad = bad " " q }
    if (trine_only) {
      if (!hdr++) { print "| query | expected | trine rows | trine ms (median) | min | max | anchored: < 1 ms |"; print "|---|--:|--:|--:|--:|--:|---|" }
      ok = (q in anchored) ? (num(T[q, 3]) && T[q, 3] < 1 ? "yes" : "**no**") : ""
      if (q in anchored && ok != "yes") slow = slow " " q
      printf "| %s | %s | %s | %s | %s | %s | %s |\n", q, e[q] == "" ? "?" : e[q], mark(T[q, 2], e[q]), fmt(T[q, 3]), fmt(T[q, 4]), fmt(T[q, 5]), ok
      continue
    }
    if (!hdr++) {
      print "| query | expected | trine rows | Oxigraph rows | rdflib rows | trine ms | Oxigraph ms (form) | rdflib ms (runs) | Oxigraph/trine | rdflib/trine |"
      print "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
    }
    if (e[q] != "" && O[q, 2] != "" && O[q, 2] != e[q]) badox = badox " " q
    if (e[q] != "" && R[q, 2] != "" && R[q, 2] != e[q] && R[q, 2] != "skipped") badrd = badrd " " q
    form = O[q, 6] == "rewritten-filter-in" ? "filter-in" : O[q, 6] == "rewritten" ? "values" : O[q, 6]
    rdms = num(R[q, 3]) ? fmt(R[q, 3]) " (" R[q, 6] ")" : R[q, 2] == "" ? "-" : R[q, 2] ": " R[q, 6]
    ro = ratio(O[q, 3], T[q, 3]); rr = ratio(R[q, 3], T[q, 3])
    printf "| %s | %s | %s | %s | %s | %s | %s (%s) | %s | %s | %s |\n", q, e[q] == "" ? "?" : e[q],
      mark(T[q, 2], e[q]), mark(O[q, 2], e[q]), mark(R[q, 2], e[q]), fmt(T[q, 3]), fmt(O[q, 3]), form, rdms, ro, rr
    if (num(O[q, 3]) && num(T[q, 3]) && T[q, 3] > 0) {
      lo += log(O[q, 3] / T[q, 3]); no++
      if (O[q, 3] / T[q, 3] <= 1) slower = slower " " q
    }
    if (num(R[q, 3]) && num(T[q, 3]) && T[q, 3] > 0) { lr += log(R[q, 3] / T[q, 3]); nr++ }
  }
  print ""
  printf "trine: median of %s runs after a warm-up, every term of every row read through the public API.\n", runs
  if (!trine_only) {
    printf "Oxigraph: median of %s runs after a warm-up, faster of the VALUES and FILTER IN forms.\n", runs
    if (no) printf "geometric mean Oxigraph/trine: %.2f over %d queries (target >= 3)\n", exp(lo / no), no
    if (nr) printf "geometric mean rdflib/trine: %.1f over %d queries (the queries rdflib answered)\n", exp(lr / nr), nr
    if (slower != "") printf "trine not faster than Oxigraph on:%s\n", slower
    if (badox != "") printf "Oxigraph count differs from the expected count on:%s\n", badox
    if (badrd != "") printf "rdflib count differs from the expected count on:%s\n", badrd
  } else if (slow != "") printf "anchored queries at or over 1 ms:%s\n", slow
  else printf "all nine anchored queries under 1 ms\n"
  if (bad != "") printf "trine count differs from the expected count (marked *) on:%s\n", bad
  if (!col) printf "(no %s column in expected-counts.tsv: only the anchored queries have an expected count)\n", scale
}'
