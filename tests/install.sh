#!/bin/sh
# install.sh BUILD-DIR SOURCE-DIR -- install trine into a temporary
# directory (meson install --destdir) and build the embedding example
# against it as an outside program would: only the installed trine.h and
# `pkg-config trine`, once with the shared library and once with
# libtrine.a; both must run on the seed schema.
set -eu
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
dest=$(mktemp -d "${TMPDIR:-/tmp}/trine-install-XXXXXX")
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >/dev/null
pc=$(find "$dest" -name trine.pc)
[ -n "$pc" ] || { echo "no trine.pc installed"; exit 1; }
prefix=$(sed -n 's/^prefix=//p' "$pc")
libdir=$(dirname "$(dirname "$pc")")
export PKG_CONFIG_PATH="$(dirname "$pc")"
pcflags() { pkg-config --define-variable=prefix="$dest$prefix" "$@" trine; }
cc=${CC:-cc}
seed=$src/datasets/central-asia
# build NAME shared|static: examples/NAME.c against the installed trine.
build() {
  if [ "$2" = shared ]; then
    libs=$(pcflags --libs)
  else
    libs=$(pcflags --static --libs | sed "s|-ltrine|$libdir/libtrine.a|")
  fi
  "$cc" -std=c11 -Wall -Werror "$src/examples/$1.c" $(pcflags --cflags) $libs \
    $TRINE_LINK_EXTRA -o "$dest/$1-$2"
}
for kind in shared static; do
  for ex in names deaths build_graph; do build $ex $kind; done
  export LD_LIBRARY_PATH="$libdir"
  "$dest/names-$kind" "$dest/names-$kind.store" "$seed/schema.nt" >"$dest/names-$kind.out"
  "$dest/deaths-$kind" "$dest/deaths-$kind.store" "$seed/data.nq" uzbekistan tajikistan \
    >"$dest/deaths-$kind.out"
  "$dest/build_graph-$kind" "$dest/graph-$kind.store" >"$dest/graph-$kind.out"
  unset LD_LIBRARY_PATH
done
if ldd "$dest/names-static" | grep -q libtrine; then
  echo "names-static loads libtrine.so"; exit 1
fi
for out in names deaths graph; do
  cmp "$dest/$out-shared.out" "$dest/$out-static.out" ||
    { echo "$out: the shared and static builds answer differently"; exit 1; }
done
[ -s "$dest/names-shared.out" ] || { echo "names: no output"; exit 1; }
want='uzbekistan	https://trine.example/ca/article/66-uzbeks-confirmed-dead	66'
grep -qF "$want" "$dest/deaths-shared.out" || { echo "deaths: no row '$want'"; cat "$dest/deaths-shared.out"; exit 1; }
grep -q '^tajikistan	' "$dest/deaths-shared.out" || { echo "deaths: nothing for the second nationality"; exit 1; }
grep -qx '  Cy' "$dest/graph-shared.out" || { echo "build_graph: no Cy"; cat "$dest/graph-shared.out"; exit 1; }
echo "ok: names, deaths and build_graph built against the installed trine (shared and static) answer alike"
