#!/bin/sh
# symbols.sh LIB.a LIB.so -- every global symbol the installed libraries
# define starts with trine_, so none collides with a program's own (a
# program linking libtrine.a met buf_append, pool_new, index_add...).
set -eu
others() { # lib, then nm's output on stdin: the names that are not trine_
  awk -v lib="$1" 'NF == 3 && $3 !~ /^trine_/ { print lib ": " $3 " (" $2 ") is not a trine_ name" }'
}
out=$( { nm -g --defined-only "$1" | others "$1"; nm -D --defined-only "$2" | others "$2"; } )
n=$(nm -g --defined-only "$1" | awk 'NF == 3 && $3 ~ /^trine_/' | wc -l)
[ "$n" -gt 30 ] || out="$out
$1: only $n trine_ symbols: not the library?"
[ -z "$out" ] && exit 0
echo "$out"
exit 1
