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
"$cc" -std=c11 -Wall -Werror "$src/examples/names.c" $(pcflags --cflags --libs) \
  $TRINE_LINK_EXTRA -o "$dest/names-shared"
LD_LIBRARY_PATH=$libdir "$dest/names-shared" "$dest/s1" "$src/datasets/central-asia/schema.nt" \
  >"$dest/out1"
static_libs=$(pcflags --static --libs | sed "s|-ltrine|$libdir/libtrine.a|")
"$cc" -std=c11 -Wall -Werror "$src/examples/names.c" $(pcflags --cflags) $static_libs \
  $TRINE_LINK_EXTRA -o "$dest/names-static"
"$dest/names-static" "$dest/s2" "$src/datasets/central-asia/schema.nt" >"$dest/out2"
if ldd "$dest/names-static" | grep -q libtrine; then
  echo "names-static loads libtrine.so"; exit 1
fi
cmp "$dest/out1" "$dest/out2" || { echo "the two builds answer differently"; exit 1; }
[ -s "$dest/out1" ] || { echo "no output"; exit 1; }
echo "ok: shared and static builds against the installed trine answer alike ($(wc -l <"$dest/out1") lines)"
