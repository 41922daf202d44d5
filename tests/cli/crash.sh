#!/bin/bash
# Crash test: SIGKILL `trine STORE .load BIGFILE` while it loads, after a
# random delay (several times), then check that the store reopens holding
# either all of that load or none of it -- never part -- and that a later
# load works.
# usage: crash.sh PATH/TO/trine
set -u
TRINE=${1:?usage: crash.sh PATH/TO/trine}
case $TRINE in /*) ;; *) TRINE=$PWD/$TRINE ;; esac
WORK=$(mktemp -d /tmp/trine-crash-XXXXXX) || exit 1
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
bad() { failed=$((failed + 1)); echo "not ok - $1: $2"; }

LINES=150000
awk -v n=$LINES 'BEGIN {
  for (i = 0; i < n; i++)
    printf "<http://ex.org/s%d> <http://ex.org/p%d> \"value %d\"@en .\n", int(i / 4), i % 9, i
}' >big.nt
printf '<http://ex.org/base> <http://ex.org/p> "base %d" .\n' 1 2 3 4 5 6 7 >base.nt
BASE=7

quads() { # quads STORE: the quad count, or "error[its message]"
  local out
  out=$("$TRINE" "$1" .stats 2>&1) || { echo "error[$out]" | tr "\n " "__"; return; }
  echo "$out" | awk '/^quads:/ { print $2 }'
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# A complete load, timed.
t0=$(now_ms)
"$TRINE" ref ".load big.nt" || { echo "reference load failed"; echo "0 passed, 1 failed"; exit 1; }
t1=$(now_ms)
FULL=$(quads ref)
[ "$FULL" = "$LINES" ] && ok "complete load: $FULL quads in $((t1 - t0)) ms" \
  || bad "complete load" "$FULL quads, expected $LINES"
ms=$((t1 - t0))
[ $ms -lt 20 ] && ms=20
"$TRINE" ref .dump | LC_ALL=C sort >ref.sorted

killed_mid=0
TRIALS=6
for trial in $(seq 1 $TRIALS); do
  s=store$trial
  "$TRINE" $s ".load base.nt" || bad "trial $trial: base load" "failed"
  # Delays spread over the load: from the first tenth to past the middle,
  # plus some randomness.
  delay=$((ms * (trial * 12) / 100 + RANDOM % (ms / 10 + 1)))
  "$TRINE" $s ".load big.nt" &
  pid=$!
  sleep "$(awk -v d=$delay 'BEGIN { printf "%.3f", d / 1000 }')"
  if kill -KILL $pid 2>/dev/null; then
    wait $pid 2>/dev/null
    st=$?
    [ $st = 137 ] && killed_mid=$((killed_mid + 1))
  else
    wait $pid 2>/dev/null
    st=$?
  fi
  n=$(quads $s)
  case $n in
  $BASE) ok "trial $trial (kill after ${delay} ms, exit $st): store reopens with none of the load" ;;
  $((BASE + FULL))) ok "trial $trial (kill after ${delay} ms, exit $st): store reopens with all of the load" ;;
  *) bad "trial $trial (kill after ${delay} ms, exit $st)" "partial or broken store: '$n' quads (none: $BASE, all: $((BASE + FULL)))" ;;
  esac
  if [ "$n" = $((BASE + FULL)) ]; then
    "$TRINE" $s ".dump" | grep -v '<http://ex.org/base>' | LC_ALL=C sort >got.sorted
    cmp -s got.sorted ref.sorted && ok "trial $trial: the complete load is intact" \
      || bad "trial $trial: the complete load is intact" "dump differs"
  fi
  # A later load works and completes the store.
  if "$TRINE" $s ".load big.nt" 2>err.txt; then
    n=$(quads $s)
    [ "$n" = $((BASE + FULL)) ] && ok "trial $trial: a later load works" \
      || bad "trial $trial: a later load works" "$n quads"
  else
    bad "trial $trial: a later load works" "$(head -c 300 err.txt)"
  fi
done

# The same store killed repeatedly, at different moments.
s=repeated
"$TRINE" $s ".load base.nt" >/dev/null
for delay in $((ms / 5)) $((ms / 3)) $((ms / 2)) $((ms * 2 / 3)); do
  "$TRINE" $s ".load big.nt" &
  pid=$!
  sleep "$(awk -v d=$delay 'BEGIN { printf "%.3f", d / 1000 }')"
  kill -KILL $pid 2>/dev/null
  wait $pid 2>/dev/null
  [ $? = 137 ] && killed_mid=$((killed_mid + 1))
  n=$(quads $s)
  if [ "$n" = $BASE ] || [ "$n" = $((BASE + FULL)) ]; then
    ok "repeated kills (after ${delay} ms): $n quads"
  else
    bad "repeated kills (after ${delay} ms)" "'$n' quads"
  fi
  [ "$n" = $BASE ] || break
done
printf '<http://ex.org/after> <http://ex.org/p> "after" .\n' >after.nt
"$TRINE" $s ".load after.nt" && n=$(quads $s) && [ "$n" -gt $BASE ] \
  && ok "repeated kills: a later load works" || bad "repeated kills: a later load works" "failed"

# At least some kills must have hit a running load, or the test proved nothing.
[ $killed_mid -ge 3 ] && ok "$killed_mid loads were killed while running" \
  || bad "loads killed while running" "only $killed_mid"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
