#!/bin/sh
# layers.sh SRCROOT -- the layering rule of docs/architecture.md, read from
# the #include lines of the source tree:
#
#   include/ < engine/store/ < engine/rdf/ < grammar/ < engine/sparql/ < cli/, server/
#
# A file may include headers of its own folder and of the folders below it,
# never above; engine/sparql/ reaches grammar/ only through sparql.h; cli/
# and server/ use only include/trine.h, and cli/ reaches server/ only
# through its entry point serve.h. Inside each engine folder, modules (the
# files sharing a name up to the first '_': exec.c, exec_bgp.c, exec_int.h)
# form no include cycle. Every violation is printed as FILE:LINE: what is
# wrong; the exit status is 1 if there is one.
set -eu
root=${1:?usage: layers.sh SRCROOT}
cd "$root"

files=$(find include engine grammar cli server -type f \
  \( -name '*.c' -o -name '*.h' -o -name '*.y' -o -name '*.l' \) | sort)
[ -n "$files" ] || { echo "layers.sh: no sources under $root" >&2; exit 1; }

# shellcheck disable=SC2086
awk '
function folder(path,   n, parts) {
  n = split(path, parts, "/")
  return n > 2 && parts[1] == "engine" ? parts[1] "/" parts[2] : parts[1]
}
function base(path,   n, parts) { n = split(path, parts, "/"); return parts[n] }
function module(path,   b) {
  b = base(path); sub(/\.[a-z]+$/, "", b); sub(/_.*/, "", b)
  return folder(path) ":" b
}
BEGIN {
  rank["include"] = 0; rank["engine/store"] = 1; rank["engine/rdf"] = 2
  rank["grammar"] = 3; rank["engine/sparql"] = 4; rank["cli"] = 5
  rank["server"] = 5
  # Made by flex and bison in the build tree.
  generated["sparql.tab.h"] = "grammar"; generated["sparql.lex.h"] = "grammar"
  bad = 0
}
FNR == 1 {
  f = folder(FILENAME)
  if (!(f in rank)) { printf "%s: folder %s has no place in the layers\n", FILENAME, f; bad = 1 }
  b = base(FILENAME)
  if (b ~ /\.h$/) {
    if (b in home) { printf "%s: header name also used by %s\n", FILENAME, home[b]; bad = 1 }
    home[b] = FILENAME
  }
}
/^[ \t]*#[ \t]*include[ \t]*"/ {
  h = $0; sub(/^[^"]*"/, "", h); sub(/".*/, "", h)
  n++; inc_file[n] = FILENAME; inc_line[n] = FNR; inc_name[n] = h
}
END {
  for (i = 1; i <= n; i++) {
    src = inc_file[i]; h = inc_name[i]; where = src ":" inc_line[i]
    if (h in home) dst = home[h]
    else if (h in generated) dst = generated[h] "/" h
    else { printf "%s: \"%s\" is not a header of the tree\n", where, h; bad = 1; continue }
    fs = folder(src); fd = folder(dst)
    if (rank[fd] > rank[fs]) {
      printf "%s: %s/ includes %s of %s/, a higher layer\n", where, fs, h, fd
      bad = 1
    } else if (fs == "cli" && fd == "server" && h != "serve.h") {
      printf "%s: cli/ reaches server/ through serve.h only, not %s\n", where, h; bad = 1
    } else if ((fs == "cli" || fs == "server") && fd != fs && fd != "include" &&
               !(fs == "cli" && fd == "server")) {
      printf "%s: %s/ uses only include/trine.h, not %s\n", where, fs, dst; bad = 1
    } else if (fs == "engine/sparql" && fd == "grammar" && h != "sparql.h") {
      printf "%s: engine/sparql/ uses grammar/ through sparql.h only, not %s\n", where, h
      bad = 1
    }
    if (fs == fd && fs ~ /^engine\//) {
      a = module(src); b2 = module(dst)
      if (a != b2 && !((a, b2) in edge)) { edge[a, b2] = where; succ[a] = succ[a] " " b2 }
    }
  }
  # Cycles between modules of one engine folder: depth-first search.
  for (m in succ) if (!(m in color)) dfs(m, 0)
  exit bad
}
function dfs(m, depth,   k, list, j, s, c) {
  color[m] = 1; stack[depth] = m
  k = split(succ[m], list, " ")
  for (j = 1; j <= k; j++) {
    s = list[j]
    if ((s in color) && color[s] == 1) {
      c = ""
      for (d = depth; d >= 0 && stack[d] != s; d--) c = " -> " stack[d] c
      printf "%s: include cycle %s%s -> %s\n", edge[m, s], s, c, s
      bad = 1
    } else if (!(s in color)) dfs(s, depth + 1)
  }
  color[m] = 2
}
' $files
