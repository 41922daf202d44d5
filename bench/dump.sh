#!/bin/bash
# Dump benchmark: one store of DATA written by .dump as N-Quads, Turtle and
# TriG, and the same N-Triples written as Turtle by serdi (serd's writer,
# for comparison), alternating runs, median of RUNS each. Reports wall and
# CPU times (user + system), peak RSS and the size of each output.
#
# usage: bench/dump.sh DATA.nt[.gz] [RUNS]   (e.g. ../shared/bench/lubm10.nt.gz)
# needs: build/cli/trine (scripts/setup), serdi and GNU time (apt-get install serdi time)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:?usage: bench/dump.sh DATA.nt[.gz] [RUNS]}
runs=${2:-5}
trine=${TRINE:-build/cli/trine}
[ -x "$trine" ] || { echo "build first: scripts/setup" >&2; exit 1; }
command -v serdi >/dev/null || { echo "needs serdi: apt-get install serdi" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time" >&2; exit 1; }

work=$(mktemp -d /tmp/trine-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
nt=$work/data.nt
case "$data" in
  *.gz) zcat "$data" > "$nt" ;;
  *) cp "$data" "$nt" ;;
esac
"$trine" "$work/store" ".load $nt" > /dev/null

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
timed() { # timed OUT COMMAND...: wall, peak RSS, user, system appended to OUT
  local out=$1
  shift
  /usr/bin/time -f "%e %M %U %S" -o "$work/t" "$@" > /dev/null
  cat "$work/t" >> "$out"
}

for f in nq ttl trig serdi; do : > "$work/$f.times"; done
for i in $(seq "$runs"); do
  for f in nq ttl trig; do timed "$work/$f.times" "$trine" "$work/store" ".dump $work/out.$f"; done
  /usr/bin/time -f "%e %M %U %S" -o "$work/t" serdi -i ntriples -o turtle "$nt" > "$work/out.serdi"
  cat "$work/t" >> "$work/serdi.times"
done
quads=$("$trine" "$work/store" .stats | awk '/^quads:/ {print $2}')
printf 'data              %s: %d quads\n' "$data" "$quads"
report() { # report NAME FILE-SUFFIX
  local t=$work/$2.times
  printf '%-17s %.2f s median of %d, CPU %.2f s, peak RSS %d KB, %d bytes\n' "$1" \
    "$(cut -d' ' -f1 "$t" | median)" "$runs" "$(awk '{print $3 + $4}' "$t" | median)" \
    "$(cut -d' ' -f2 "$t" | median)" "$(stat -c %s "$work/out.$2")"
}
report "trine N-Quads" nq
report "trine Turtle" ttl
report "trine TriG" trig
report "serdi NT->Turtle" serdi
