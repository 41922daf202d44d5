#!/bin/sh
# current.sh TRINE DATASET-DIR -- data.nq and schema.nt are trine's own
# dumps of the sources in src/ (scripts/build-dataset --export): fails when
# a source changed and they were not written again.
set -eu
trine=$1
dir=$(cd "$2" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/trine-current-XXXXXX")
trap 'rm -rf "$work"' EXIT
"$dir/../../scripts/build-dataset" "$trine" "$work/store" --export "$work"
status=0
for f in data.nq schema.nt; do
  if ! cmp -s "$work/$f" "$dir/$f"; then
    echo "$f is not what the sources give: run scripts/build-dataset TRINE STORE --export $dir"
    diff "$dir/$f" "$work/$f" | head -10
    status=1
  fi
done
[ $status = 0 ] && echo "data.nq and schema.nt are current"
exit $status
