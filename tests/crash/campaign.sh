#!/bin/sh
# The long campaign of the crash suite (docs/testing.md): POINTS kill
# points of the crash harness (default 1000), in runs of 25 per store, each
# kill after a random delay of up to 40 ms. Prints the figures that go in
# docs/testing.md; exit status 1 when a kill point failed (the seed to
# rerun it is printed, the stores kept).
# usage: tests/crash/campaign.sh [POINTS [SEED]]   (BUILD=dir, default build)
set -eu
cd "$(dirname "$0")/../.."
points=${1:-1000}
seed=${2:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
build=${BUILD:-build}
[ -x "$build/tests/crash/crash" ] || { echo "build first: ninja -C $build" >&2; exit 2; }
echo "crash campaign: $points kill points, seed $seed, $(nproc) cores, $(date -u +%FT%TZ)"
"$build/tests/crash/crash" --points "$points" --seed "$seed"
