#!/bin/bash
# Load benchmark: trine's bulk load against serdi's parse + re-serialise of
# the same N-Triples file, side by side in one run (alternating, median of
# RUNS). Reports wall times, their ratio, triples/s, peak RSS and bytes on
# disk per triple.
#
# usage: bench/load.sh DATA.nt[.gz] [RUNS]      (e.g. ../shared/bench/lubm10.nt.gz)
# needs: build/cli/trine (scripts/setup), serdi and GNU time (apt-get install serdi time)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:?usage: bench/load.sh DATA.nt[.gz] [RUNS]}
runs=${2:-5}
trine=build/cli/trine
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
bytes=$(stat -c %s "$nt")

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

: > "$work/serdi"; : > "$work/trine"; : > "$work/ratio"
for i in $(seq "$runs"); do
  /usr/bin/time -f "%e %M" -o "$work/t" serdi -i ntriples -o ntriples "$nt" > /dev/null
  s=$(cut -d' ' -f1 "$work/t"); echo "$s $(cut -d' ' -f2 "$work/t")" >> "$work/serdi"
  rm -rf "$work/store"
  sync
  /usr/bin/time -f "%e %M" -o "$work/t" "$trine" "$work/store" ".load $nt"
  t=$(cut -d' ' -f1 "$work/t"); echo "$t $(cut -d' ' -f2 "$work/t")" >> "$work/trine"
  awk -v a="$t" -v b="$s" 'BEGIN {print a / b}' >> "$work/ratio"
done
triples=$("$trine" "$work/store" .stats | awk '/^quads:/ {print $2}')
disk=$(du -sb "$work/store" | cut -f1)
ts=$(cut -d' ' -f1 "$work/trine" | median)
ss=$(cut -d' ' -f1 "$work/serdi" | median)
printf 'file              %s (%d bytes, %d distinct triples)\n' "$data" "$bytes" "$triples"
printf 'serdi parse+write %.2f s median of %d (peak RSS %d KB)\n' "$ss" "$runs" "$(cut -d' ' -f2 "$work/serdi" | median)"
printf 'trine load        %.2f s median of %d (peak RSS %d KB)\n' "$ts" "$runs" "$(cut -d' ' -f2 "$work/trine" | median)"
printf 'ratio trine/serdi %.2f median of pairs (target <= 1.0)\n' "$(median < "$work/ratio")"
printf 'trine triples/s   %.0f\n' "$(awk -v n="$triples" -v t="$ts" 'BEGIN {print n / t}')"
printf 'store on disk     %d bytes = %.1f bytes/triple = %.2f x the N-Triples size (target <= 1.0)\n' \
  "$disk" "$(awk -v d="$disk" -v n="$triples" 'BEGIN {print d / n}')" \
  "$(awk -v d="$disk" -v b="$bytes" 'BEGIN {print d / b}')"
