#!/bin/bash
# A store on a real full disk: an 8 MiB tmpfs, partly taken by a ballast
# file, is filled by a load. The load must fail with a clear error naming
# the lack of space, leave the store as it was (its quads, `.check` sound,
# queries answered), and succeed once the ballast is removed. The faultshim
# variant (tests/crash/faults.c) fakes ENOSPC at each write; this one lets
# the kernel refuse. Mounting needs root: without it the test is skipped
# (exit 77). The mount is removed on every exit.
# usage: full_tmpfs.sh PATH/TO/trine
set -u
TRINE=${1:?usage: full_tmpfs.sh PATH/TO/trine}
case $TRINE in /*) ;; *) TRINE=$PWD/$TRINE ;; esac

WORK=$(mktemp -d /tmp/trine-tmpfs-XXXXXX) || exit 1
MNT=$WORK/mnt
mkdir "$MNT"
cleanup() {
  mountpoint -q "$MNT" && umount "$MNT"
  rm -rf "$WORK"
}
trap cleanup EXIT
if [ "$(id -u)" -ne 0 ]; then
  echo "skipped: mounting a tmpfs needs root"
  exit 77
fi
if ! mount -t tmpfs -o size=8m,mode=0700 tmpfs "$MNT" 2>"$WORK/mount.err"; then
  echo "skipped: mount -t tmpfs refused: $(cat "$WORK/mount.err")"
  exit 77
fi

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
bad() { failed=$((failed + 1)); echo "not ok - $1: $2"; }
quads() { "$TRINE" "$STORE" .stats 2>&1 | awk '/^quads:/ { print $2 }'; }

STORE=$MNT/store
printf '<http://ex/base> <http://ex/p> "base %d" .\n' 1 2 3 >"$WORK/base.nt"
# About 3.5 MiB of store: more than the tmpfs holds beside the ballast,
# less than it holds alone.
awk 'BEGIN { for (i = 0; i < 20000; i++)
  printf "<http://ex/s%d> <http://ex/p%d> \"value number %d\" .\n", i, i % 7, i }' >"$WORK/big.nt"

"$TRINE" "$STORE" ".load $WORK/base.nt" >/dev/null 2>&1 && [ "$(quads)" = 3 ] &&
  ok "a store on the tmpfs" || bad "a store on the tmpfs" "$(quads)"
dd if=/dev/zero of="$MNT/ballast" bs=1M count=5 status=none 2>/dev/null
df -k "$MNT" | awk 'NR == 2 { print "# tmpfs: " $3 " KiB used, " $4 " KiB free" }'

out=$("$TRINE" "$STORE" ".load $WORK/big.nt" 2>&1)
status=$?
if [ $status -eq 1 ] && grep -q -i -E "no space left|disk full|is the disk full" <<<"$out"; then
  ok "a load that fills the disk fails clearly: $(head -1 <<<"$out")"
else
  bad "a load that fills the disk" "exit $status: $out"
fi
[ "$(quads)" = 3 ] && ok "the store holds its 3 quads" || bad "the store after the failed load" "$(quads)"
out=$("$TRINE" "$STORE" .check 2>&1) && ok "the store passes .check" || bad ".check" "$out"
out=$("$TRINE" "$STORE" 'SELECT ?o { <http://ex/base> <http://ex/p> ?o } ORDER BY ?o' 2>&1)
[ "$(echo "$out" | tail -1)" = '"base 3"' ] && ok "queries answer" || bad "a query" "$out"

rm -f "$MNT/ballast"
out=$("$TRINE" "$STORE" ".load $WORK/big.nt" 2>&1) && [ "$(quads)" = 20003 ] &&
  ok "the load succeeds once space is back" || bad "the load with space" "$out; $(quads) quads"
out=$("$TRINE" "$STORE" .check 2>&1) && ok "the store passes .check after it" || bad ".check" "$out"
df -k "$MNT" | awk 'NR == 2 { print "# tmpfs: " $3 " KiB used by the store" }'

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
