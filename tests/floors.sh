#!/bin/sh
# floors.sh - fails when an #include crosses a floor of the house the wrong
# way (docs/architecture.md). The floors, lowest first:
#
#   0 common/             util.h and what implements it
#     cuda/gpu.h          the CUDA kernels' C interface (includes nothing of ours)
#   1 the pipeline        agents/pipeline.h, agents/pipeline.c
#   2 agents/             the stages and their helpers
#   3 server/  cli/       the two programs; neither includes the other
#
# A file may include headers of its own floor or of floors below it. Two
# rooms have stricter rules: the store (server/store.h, server/store.c)
# includes only common/ and the pipeline, so a second storage backend needs
# nothing of HTTP; and the sandbox (agents/sandbox.c) includes only common/,
# so it links without the pipeline. "config.h" (configure's) and system
# headers (<...>) are allowed everywhere.
#
# Then, from the built objects, that no two server files use each other
# round a circle (below).
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
cd "$top_srcdir" || exit 1
# One spelling of the top for the prefix stripped below: `make distcheck`
# passes ".../_build/sub/.." and resolve() sees physical paths.
top_srcdir=$(pwd -P)

floor_of() { # path of a source file or header -> floor number, or "" if outside
  case $1 in
    common/*|cuda/*.h|cuda/*.cu) echo 0 ;;
    agents/pipeline.h|agents/pipeline.c) echo 1 ;;
    agents/*) echo 2 ;;
    server/*|cli/*) echo 3 ;;
    *) echo "" ;;
  esac
}

# The header an include names, as a path from the top: "../common/util.h"
# from agents/ is common/util.h; a bare "name.h" is looked up next to the
# including file, then in common/, agents/, server/ (the -I order).
resolve() { # including-file include-name
  dir=$(dirname "$1")
  case $2 in
    */*) p=$(cd "$dir" && cd "$(dirname "$2")" 2>/dev/null && pwd -P) || return 1
         echo "${p#"$top_srcdir"/}/$(basename "$2")" ;;
    *) for d in "$dir" common agents server cuda; do
         if [ -f "$d/$2" ]; then echo "$d/$2"; return 0; fi
       done
       return 1 ;;
  esac
}

tmp=$(mktemp) || exit 1
# (tests/, bench/ and cuda/check_gpu.c are check programs: they may include anything)
files=$(ls common/*.[ch] cuda/*.h agents/*.[ch] server/*.[ch] cli/*.[ch] 2>/dev/null)
for f in $files; do
  case $f in server/embedded.c) continue ;; esac # generated
  ff=$(floor_of "$f")
  grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | while IFS= read -r line; do
    n=${line%%:*}
    inc=$(printf '%s\n' "$line" | sed 's/.*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/')
    [ "$inc" = config.h ] && continue
    to=$(resolve "$f" "$inc") || { echo "$f:$n: includes \"$inc\", which is not in common/, agents/ or server/"; echo x; continue; }
    tf=$(floor_of "$to")
    why=""
    if [ -z "$tf" ]; then why="outside the floors"
    elif [ "$tf" -gt "$ff" ]; then why="floor $tf is above floor $ff"
    fi
    case $f:$to in
      server/*:cli/*|cli/*:server/*) why="server/ and cli/ do not include each other" ;;
      server/store.[ch]:agents/pipeline.h|server/store.[ch]:common/*|server/store.c:server/store.h) ;;
      server/store.[ch]:*) why="the store includes only common/ and agents/pipeline.h" ;;
      agents/sandbox.c:common/*|agents/sandbox.c:agents/sandbox.h) ;;
      agents/sandbox.c:*) why="the sandbox includes only common/ and sandbox.h" ;;
    esac
    if [ -n "$why" ]; then echo "$f:$n: includes \"$inc\" ($to): $why"; echo x; fi
  done
done > "$tmp" 2>&1
grep -v "^x$" "$tmp"
bad=$(grep -c "^x$" "$tmp")
rm -f "$tmp"
if [ "$bad" -ne 0 ]; then
  echo "floors: $bad include(s) cross a floor the wrong way (see docs/architecture.md)"
  exit 1
fi
echo "floors: every include of common/, agents/, server/ and cli/ goes down or sideways"

# No circle among the server's files, nor among the Analysis agent's passes
# (agents/analysis.c and an_*.c: each calls only the files before it in
# agents/an_internal.h's list). Every server file includes srv.h and every
# Analysis file an_internal.h, so the includes cannot show one; the objects
# can: file A uses file B when A's object needs a symbol B's object
# defines. tsort fails on a loop. The check reads the built objects of
# libportalis and portalisd (the build folder's server/*.o, agents/an*.o;
# test programs' copies, named like tests_test_store-http.o, are left out)
# and is skipped, saying so, where there are none.
bad=0
circles() { # what pattern...: the objects matching the patterns use each other one way
  what=$1
  shift
  objs=""
  for o in "$@"; do
    case ${o##*/} in *-*) continue ;; esac
    [ -f "$o" ] && objs="$objs $o"
  done
  if [ -z "$objs" ]; then
    echo "floors: no objects for the $what under $top_builddir (not built): the circle check among them is skipped"
    return 0
  fi
  uses=$(for o in $objs; do nm -g -P "$o" | sed "s|^|${o##*/} |"; done |
    awk '$3 == "U" || $3 == "w" || $3 == "v" { need[++n] = $1 " " $2; next }
         { def[$2] = $1 }
         END { for (i = 1; i <= n; i++) { split(need[i], f, " ");
                 if ((f[2] in def) && def[f[2]] != f[1]) print f[1], def[f[2]], f[2] } }' | sort -u)
  if ! printf '%s\n' "$uses" | awk 'NF { print $1, $2 }' | sort -u | tsort >/dev/null 2>"$tmp"; then
    sed 's/^tsort: //' "$tmp"
    echo "what each uses of the next (object, object, symbol):"
    printf '%s\n' "$uses"
    echo "floors: the $what call each other in a circle (see docs/architecture.md)"
    bad=1
    return 0
  fi
  echo "floors: the $what use each other one way ($(printf '%s\n' "$uses" | awk 'NF { print $1, $2 }' | sort -u | wc -l) file pairs, no circle)"
}
circles "server's files" "$top_builddir"/server/*.o
circles "Analysis agent's files" "$top_builddir"/agents/analysis.o "$top_builddir"/agents/an_*.o
rm -f "$tmp"
exit $bad
