#!/bin/bash
# Loading at scale (issue 23): does a triple cost the same at every size, and
# does a load into a store that already holds data cost what one into an
# empty store does?
#
# usage: bench/scale.sh [-c COPIES] [-r RUNS] DATA.nt[.gz]...
#        (e.g. bench/scale.sh -c 4 ../shared/bench/lubm10.nt.gz ../shared/bench/lubm50.nt.gz)
#
# For each DATA file, and for COPIES renamed copies of the last one
# concatenated (LUBM(50) x 4 stands in for LUBM(200): copy k's universities
# are UniversityN_k, so the copies share the ontology and nothing else), it
# alternates `serdi -i ntriples -o ntriples` and `trine STORE ".load FILE"`
# into a new store, RUNS times (default 1), and prints per size: triples,
# wall and CPU seconds (medians), the cores kept busy (CPU / wall),
# microseconds per triple, trine / serdi, peak RSS, peak anonymous memory
# (RssAnon sampled every 0.1 s: RSS less the store's pages mapped from the
# page cache, what docs/limits.md bounds) and bytes per quad.
# Then it loads copy 1 of the last file into a store holding copy 0 and
# prints that load against the load of copy 0 into an empty store.
# The files are written under $TMPDIR (default /tmp) and deleted at the end;
# LUBM(50) x 4 takes 4.7 GB there while it runs.
# needs: build/cli/trine (scripts/setup), serdi and GNU time (apt-get install serdi time)
set -euo pipefail
cd "$(dirname "$0")/.."
copies=0 runs=1
while getopts c:r: o; do
  case $o in
    c) copies=$OPTARG ;;
    r) runs=$OPTARG ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: bench/scale.sh [-c COPIES] [-r RUNS] DATA.nt[.gz]..." >&2; exit 2; }
trine=${TRINE:-build/cli/trine}
[ -x "$trine" ] || { echo "build first: scripts/setup" >&2; exit 1; }
command -v serdi >/dev/null || { echo "needs serdi: apt-get install serdi" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/trine-scale.XXXXXX")
trap 'rm -rf "$work"' EXIT
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
plain() { case "$1" in *.gz) zcat "$1" ;; *) cat "$1" ;; esac; }
# copy K of a LUBM file: every university renamed, so no IRI of it is in another copy
copy_k() { sed "s/University\([0-9][0-9]*\)/University\1_$1/g"; }

# timed OUT CMD...: wall, peak RSS (KB), user + system seconds appended to OUT
timed() {
  local out=$1; shift
  /usr/bin/time -f "%e %M %U %S" -o "$work/t" "$@"
  awk '{print $1, $2, $3 + $4}' "$work/t" >> "$out"
}
col() { cut -d' ' -f"$2" "$1" | median; }
descendants() { local c; for c in $(pgrep -P "$1"); do echo "$c"; descendants "$c"; done; }
# timed_anon OUT ANON CMD...: timed(), and CMD's peak RssAnon (KB) appended to ANON
timed_anon() {
  local out=$1 anon=$2 peak=0 a p pid; shift 2
  timed "$out" "$@" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for p in $(descendants "$pid"); do
      a=$(awk '/^RssAnon/ {print $2}' "/proc/$p/status" 2>/dev/null) || a=0
      [ "${a:-0}" -gt "$peak" ] && peak=$a
    done
    sleep 0.1
  done
  wait "$pid"
  echo "$peak" >> "$anon"
}

printf '%-16s %11s %8s %8s %6s %9s %9s %8s %9s %8s %8s\n' size triples wall_s cpu_s cores \
  us/triple cpu_us/t trine/serdi rss_MB anon_MB B/quad
measure() { # measure NAME FILE
  : > "$work/s"; : > "$work/l"; : > "$work/a"
  for _ in $(seq "$runs"); do
    timed "$work/s" serdi -i ntriples -o ntriples "$2" > /dev/null
    rm -rf "$work/store"; sync
    timed_anon "$work/l" "$work/a" "$trine" "$work/store" ".load $2"
  done
  local n disk
  n=$("$trine" "$work/store" .stats | awk '/^quads:/ {print $2}')
  disk=$(du -sb "$work/store" | cut -f1)
  awk -v name="$1" -v n="$n" -v w="$(col "$work/l" 1)" -v c="$(col "$work/l" 3)" \
      -v s="$(col "$work/s" 1)" -v m="$(col "$work/l" 2)" -v a="$(col "$work/a" 1)" \
      -v d="$disk" 'BEGIN {
    printf "%-16s %11d %8.2f %8.2f %6.2f %9.3f %9.3f %8.2f %9.0f %8.0f %8.1f\n",
      name, n, w, c, c / w, w * 1e6 / n, c * 1e6 / n, w / s, m / 1024, a / 1024, d / n }'
}

for f in "$@"; do
  plain "$f" > "$work/data.nt"
  measure "$(basename "$f" | sed 's/\.nt.*//')" "$work/data.nt"
done
last=$(basename "$1" | sed 's/\.nt.*//')
[ $# -gt 1 ] && last=$(basename "${!#}" | sed 's/\.nt.*//')
if [ "$copies" -gt 1 ]; then
  : > "$work/big.nt"
  for k in $(seq 0 $((copies - 1))); do copy_k "$k" < "$work/data.nt" >> "$work/big.nt"; done
  measure "$last x $copies" "$work/big.nt"
  rm -f "$work/big.nt"
fi

# A load into a store that already holds data: copy 1 into a store holding copy 0.
copy_k 0 < "$work/data.nt" > "$work/c0.nt"
copy_k 1 < "$work/data.nt" > "$work/c1.nt"
rm -f "$work/data.nt"
: > "$work/empty"; : > "$work/full"
for _ in $(seq "$runs"); do
  rm -rf "$work/store"; sync
  timed "$work/empty" "$trine" "$work/store" ".load $work/c0.nt"
  sync
  timed "$work/full" "$trine" "$work/store" ".load $work/c1.nt"
done
awk -v e="$(col "$work/empty" 1)" -v f="$(col "$work/full" 1)" \
    -v ec="$(col "$work/empty" 3)" -v fc="$(col "$work/full" 3)" -v name="$last" 'BEGIN {
  printf "%s into an empty store %.2f s (CPU %.2f), a second copy into it %.2f s (CPU %.2f): %.2fx (target <= 1.5)\n",
    name, e, ec, f, fc, f / e }'
