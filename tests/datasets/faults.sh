#!/bin/sh
# faults.sh TRINE DATASET-DIR -- the dataset's checkers catch what they are
# for: check.py fails on a store with a figure given two time scopes, a
# naturalised-citizens figure given a nationality and a one-way
# cas:supports; coverage.py reports a figure added to a copy of the seeds
# (that half is skipped when the seeds are absent).
set -u
trine=$1
dir=$(cd "$2" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/trine-faults-XXXXXX")
trap 'rm -rf "$work"' EXIT
"$dir/../../scripts/build-dataset" "$trine" "$work/store" || exit 1
"$trine" "$work/store" 'PREFIX cas: <https://trine.example/ca/schema#>
PREFIX claim: <https://trine.example/ca/claim/>
PREFIX art: <https://trine.example/ca/article/>
INSERT DATA {
  GRAPH art:uzbek-migrants-coerced-to-fight {
    claim:uzmig-iwtl-902-recruited cas:timeScope <https://trine.example/ca/scope/relative> }
  GRAPH art:66-uzbeks-confirmed-dead {
    claim:dead66-bastrykin-80000 cas:nationality <https://trine.example/ca/country/uzbekistan> }
  GRAPH <https://trine.example/ca/graph/analysis> {
    claim:dead66-bbc-66-uzbek cas:supports claim:bbc66-72-tajik }
}' >/dev/null || exit 1
status=0
if python3 "$dir/check.py" "$trine" "$work/store" >"$work/check.out"; then
  echo "FAIL check.py passed a faulty store"; status=1
fi
for want in 'uzmig-iwtl-902-recruited has 2 cas:timeScope' \
            'dead66-bastrykin-80000 counts naturalised Russian citizens but gives a cas:nationality' \
            'dead66-bbc-66-uzbek cas:supports claim:bbc66-72-tajik is not stated the other way'; do
  grep -qF "$want" "$work/check.out" || { echo "FAIL check.py did not report: $want"; status=1; }
done
seeds=${SEEDS:-/work/shared/seeds}
if [ -d "$seeds" ]; then
  mkdir "$work/seeds" && cp "$seeds"/* "$work/seeds/" && chmod u+w "$work/seeds"/*
  # A sentence with a new figure inside an on-topic article's line.
  sed -i 's/^Natives and nationals of Central Asian/Some 4321 natives and nationals of Central Asian/' \
    "$work/seeds/001_11896b78d8c2897a.txt"
  if SEEDS="$work/seeds" python3 "$dir/coverage.py" "$trine" "$work/store" --quiet >"$work/coverage.out"; then
    echo "FAIL coverage.py passed a seed with a figure no claim holds"; status=1
  fi
  grep -q 'MISSING 4321' "$work/coverage.out" || { echo "FAIL coverage.py did not report 4321"; status=1; }
else
  echo "seed articles absent: coverage fault not tried"
fi
[ $status = 0 ] && echo "ok: the checkers report the faults put in"
exit $status
