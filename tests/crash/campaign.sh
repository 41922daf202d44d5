#!/bin/sh
# The long campaign of the crash suite (docs/testing.md, "Crashes, I/O
# errors and power loss"): POINTS kill points of the crash harness
# (default 1000, in runs of 25 per store, each kill after a random delay of
# up to 40 ms); 500 kills of the format 1 upgrade; the fault harness over
# every call of each operation, for three seeds; IMAGES power-loss images (default 2000) of 40 operations,
# and as many again with TRINE_OPEN_NOSYNC. Prints the figures that go in
# docs/testing.md; exit status 1 when something failed (the seed to rerun
# it is printed, the stores kept).
# usage: tests/crash/campaign.sh [POINTS [SEED [IMAGES]]]   (BUILD=dir, default build)
set -eu
cd "$(dirname "$0")/../.."
points=${1:-1000}
seed=${2:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
images=${3:-2000}
build=${BUILD:-build}
dir=$build/tests/crash
[ -x "$dir/crash" ] || { echo "build first: ninja -C $build" >&2; exit 2; }
shim=$PWD/$dir/libfaultshim.so
status=0
echo "crash campaign: seed $seed, $(nproc) cores, $(date -u +%FT%TZ)"
t0=$(date +%s)
"$dir/crash" --points "$points" --seed "$seed" || status=1
"$dir/upgrade" --points 500 --seed "$seed" || status=1
t1=$(date +%s)
for s in $seed $((seed + 1)) $((seed + 2)); do
  LD_PRELOAD=$shim "$dir/faults" --seed "$s" --trials 1000000 || status=1
done
t2=$(date +%s)
LD_PRELOAD=$shim "$dir/powerloss" --seed "$seed" --ops 40 --images "$images" || status=1
t3=$(date +%s)
LD_PRELOAD=$shim "$dir/powerloss" --seed "$seed" --ops 40 --images "$images" --nosync
t4=$(date +%s)
echo "time: kill points (with the upgrade's) $((t1 - t0)) s, faults $((t2 - t1)) s, power loss $((t3 - t2)) s," \
  "no-sync $((t4 - t3)) s"
exit $status
