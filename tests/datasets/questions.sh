#!/bin/sh
# The seed dataset's questions, answered by trine and compared with the
# expected answers next to them (SPARQL TSV). Rows are compared as sorted
# lists unless the query has ORDER BY; Turtle's short forms of numbers and
# booleans are expanded first, so "42" and 42 compare equal as the same term.
# usage: questions.sh TRINE DATASET-DIR
set -u
trine=$1
dir=$2
work=$(mktemp -d /tmp/trine-questions.XXXXXX)
trap 'rm -rf "$work"' EXIT
# From the sources, by trine itself (scripts/build-dataset).
if ! "$dir/../../scripts/build-dataset" "$trine" "$work/store"; then
  echo "cannot load the dataset"
  exit 1
fi
# With the dataset's prefixes saved, as scripts/shell saves them: the shell
# then declares all of them for every question.
root=$(cd "$dir/../.." && pwd)
"$root/scripts/save-prefixes" "$trine" "$work/store" "$dir/src/prefixes.ttl" || exit 1
saved=$("$trine" "$work/store" .prefix | grep -c '^PREFIX ')
want=$(grep -c '^@prefix' "$dir/src/prefixes.ttl")
# rdf: rdfs: xsd: are among them and built in; owl: is built in only.
if [ "$saved" -ne $((want + 1)) ]; then
  echo "FAIL prefixes: $saved listed, $((want + 1)) expected"
  exit 1
fi
xsd=http://www.w3.org/2001/XMLSchema#
normal() {
  awk -F '\t' -v OFS='\t' -v xsd="$xsd" '{
    for (i = 1; i <= NF; ++i) {
      if ($i ~ /^[+-]?[0-9]+$/) $i = "\"" $i "\"^^<" xsd "integer>"
      else if ($i ~ /^[+-]?[0-9]*\.[0-9]+$/) $i = "\"" $i "\"^^<" xsd "decimal>"
      else if ($i ~ /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+$/) $i = "\"" $i "\"^^<" xsd "double>"
      else if ($i == "true" || $i == "false") $i = "\"" $i "\"^^<" xsd "boolean>"
    }
    print
  }' "$1"
}
sorted() { head -n 1 "$1"; tail -n +2 "$1" | LC_ALL=C sort; }
pass=0
fail=0
# All questions in one run of trine (one start, one open of the store); the
# answers are split at their header lines (no row starts with '?'). When the
# run fails, each question runs alone so that its own error is shown.
set --
for q in "$dir"/questions/*.rq; do set -- "$@" "$(cat "$q")"; done
batch=
if "$trine" --format=tsv "$work/store" "$@" >"$work/all" 2>"$work/err" &&
   [ "$(grep -c '^?' "$work/all")" -eq $# ]; then
  awk -v d="$work" '/^\?/ { n++ } { print > (d "/answer." n) }' "$work/all"
  batch=1
fi
n=0
for q in "$dir"/questions/*.rq; do
  name=$(basename "$q" .rq)
  n=$((n + 1))
  if [ -n "$batch" ]; then
    cp "$work/answer.$n" "$work/out.raw"
  elif ! "$trine" --format=tsv "$work/store" -f "$q" >"$work/out.raw" 2>"$work/err"; then
    echo "FAIL $name: $(head -n 3 "$work/err")"
    fail=$((fail + 1))
    continue
  fi
  normal "$work/out.raw" >"$work/out"
  normal "${q%.rq}.tsv" >"$work/exp"
  if ! grep -qi 'order by' "$q"; then
    sorted "$work/out" >"$work/out.s" && mv "$work/out.s" "$work/out"
    sorted "$work/exp" >"$work/exp.s" && mv "$work/exp.s" "$work/exp"
  fi
  if cmp -s "$work/out" "$work/exp"; then
    pass=$((pass + 1))
  else
    echo "FAIL $name:"
    diff "$work/exp" "$work/out" | head -n 10
    fail=$((fail + 1))
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
