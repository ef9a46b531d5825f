#!/bin/sh
# stdlib.sh - the standard-library conformance suite (issue 11).
#
# tests/stdlib/<module>/main.py is one short program per standard-library
# module (os_path is os.path, collections_abc collections.abc, urllib_parse
# urllib.parse) that uses the module the way published code does, with
# CPython 3.11's output beside it (expected_stdout, and expected_rc,
# expected_stderr and args where the case has them; regenerate with
# `tests/stdlib.sh --regen`). Each program is translated (tests/rs_emit),
# compiled for wasm32-wasi against the runtime rlib and run under Node;
# stdout, exit status (and stderr where expected_stderr exists) must equal
# CPython's byte for byte.
#
# tests/stdlib/status.txt says what each module's program must do:
#   <dir> supported           the program matches CPython
#   <dir> partial <what>      the program matches CPython; <what> is what the
#                             module lacks (the README says it)
#   <dir> unsupported         translation fails with a diagnostic at
#                             main.py:LINE:COL naming the module, or, for a
#                             module compiled from CPython's installed source
#                             (agents/ingest.c), at FILE:LINE:COL of that
#                             source (or of one it imports) naming the
#                             construct the translator lacks
#   <dir> missing <name> <what>  translation fails with a diagnostic at
#                             main.py:LINE:COL naming <name>, a name the
#                             runtime's module lacks; <what> as for partial
# Anything else fails the suite: a wrong output, a crash, a rustc error, a
# case without a status line, and a case that does better than its status
# says (then update status.txt and the README). The README's "Standard
# library" table is generated from status.txt (`tests/stdlib.sh --table`)
# and must equal it.
#
#   tests/stdlib.sh [-k] [DIR ...]   run the suite (or the named cases)
#   tests/stdlib.sh --table          print the README table
#   tests/stdlib.sh --readme         rewrite the README's table from status.txt
#   tests/stdlib.sh --regen [DIR ...] rewrite expected_* with python3.11
# Environment: RUSTC (/usr/bin/rustc), NODE (node), JOBS (2), PYTHON311.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
build=${top_builddir:-$top}
suite=$top/tests/stdlib
status_file=$suite/status.txt
rustc=${RUSTC:-/usr/bin/rustc}
node=${NODE:-node}
# the oracle's standard library, where modules compiled from source live
stdlib_dir=${PORTALIS_STDLIB_DIR:-$(${PYTHON311:-python3.11} -I -S -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])' 2>/dev/null)}
rsflags="-C opt-level=1 -C strip=symbols -C debuginfo=0 -C target-feature=+bulk-memory -C link-arg=-zstack-size=33554432"
# standard-library modules compiled from source are library crates of the
# generated crate (stdlib/): built once per content into a cache
# (tests/stdlib_libs.sh), PORTALIS_LIB_CACHE or the run's work dir
libflags="-C opt-level=1 -C debuginfo=0 -C target-feature=+bulk-memory"

# The module a case directory stands for.
module_of() {
  echo "$1" | sed 's/_/./'
}

# The status line of a case ("" when it has none).
status_of() {
  sed -n "s/^$1[ 	][ 	]*//p" "$status_file" | head -n 1
}

# How many public names of CPython's module the runtime's lacks
# (agents/an_missing_names.inc; 0 when it has no row).
missing_count() {
  sed -n "s/^ *{\"$1\", \"\(.*\)\"},\$/\1/p" "$top/agents/an_missing_names.inc" | wc -w
}

table() {
  echo "| module | status |"
  echo "|---|---|"
  grep -v '^#' "$status_file" | grep -v '^[ 	]*$' | while read -r dir verdict rest; do
    m=$(module_of "$dir")
    n=$(missing_count "$m")
    more=""
    [ "$n" -gt 0 ] && more="; CPython's module has $n public names this one lacks (agents/an_missing_names.inc lists them; an import or use of one is reported at analysis)"
    case $verdict in
      supported) s="supported${rest:+: $rest}" ;;
      partial) s="partial: $rest$more" ;;
      unsupported) s="unsupported (an import is reported at analysis)${rest:+; $rest}" ;;
      missing) s="partial: ${rest#* }$more" ;;
      *) s="?" ;;
    esac
    echo "| \`$m\` | $s |"
  done
}

# One case: writes "<dir> PASS|FAIL detail" to $work/<dir>.res.
run_case() {
  dir=$1
  c=$suite/$dir
  out=$work/$dir
  mkdir -p "$out"
  st=$(status_of "$dir")
  verdict=${st%% *}
  res="PASS"
  if ! "$build/tests/rs_emit" "$c" "$out/crate" >"$out/emit.log" 2>&1; then
    diag=$(grep -v ': warning: ' "$out/emit.log" | grep -m1 -E 'main\.py:[0-9]+:[0-9]+')
    # a module compiled from CPython's source (or one it imports) that the
    # translator cannot handle: the diagnostic is at that file's line:col
    srcdiag=$(grep -v ': warning: ' "$out/emit.log" | grep -m1 -E "^$stdlib_dir/[^ ]*\.py:[0-9]+:[0-9]+: ")
    case $verdict in
      unsupported) want=$(module_of "$dir") ;;
      missing) want=$(echo "$st" | awk '{print $2}') ;;
      *) want="" ;;
    esac
    if [ "$verdict" = unsupported ] && [ -z "$diag" ] && [ -n "$srcdiag" ]; then
      res="PASS rejected as expected, in CPython's source: $(echo "$srcdiag" | sed "s|^$stdlib_dir/||" | head -c 240)"
    elif [ -z "$want" ]; then
      res="FAIL translate: $(head -n 2 "$out/emit.log" | tr '\n' ' ' | head -c 300)"
    elif [ -z "$diag" ] || ! echo "$diag" | grep -q "'$want'\|\`$want\`\|\"$want\"\| $want\b"; then
      res="FAIL translate without a diagnostic at main.py:LINE:COL naming $want: $(head -n 2 "$out/emit.log" | tr '\n' ' ' | head -c 300)"
    else
      res="PASS rejected as expected: $(echo "$diag" | head -c 200)"
    fi
  elif ! libargs=$(sh "$top/tests/stdlib_libs.sh" "$out/crate" "$libcache" "$rustc" "$build/agents/runtime/libportalis_rt.rlib" \
      "$libflags" 2>"$out/libs.log"); then
    res="FAIL rustc (library crate): $(head -c 300 "$out/libs.log")"
  elif ! "$rustc" --edition 2021 $rsflags --target wasm32-wasi --extern portalis_rt="$build/agents/runtime/libportalis_rt.rlib" \
      -L "$build/agents/runtime" $libargs "$out/crate/src/main.rs" -o "$out/m.wasm" >"$out/rustc.log" 2>&1; then
    res="FAIL rustc: $(grep -m1 -E '^error' "$out/rustc.log")"
  else
    set --
    if [ -f "$c/args" ]; then
      while IFS= read -r a || [ -n "$a" ]; do set -- "$@" "$a"; done < "$c/args"
    fi
    (cd "$c" && timeout 60 "$node" "$top/contrib/run.mjs" --argv0=main.py "$out/m.wasm" "$@" </dev/null >"$out/stdout" 2>"$out/stderr")
    rc=$?
    want_rc=0
    [ -f "$c/expected_rc" ] && want_rc=$(cat "$c/expected_rc")
    if ! cmp -s "$out/stdout" "$c/expected_stdout"; then
      res="FAIL output: $(diff "$c/expected_stdout" "$out/stdout" | grep -m2 '^[<>]' | tr '\n' ' ' | head -c 300) [stderr: $(tail -n 1 "$out/stderr" | head -c 200)]"
    elif [ "$rc" != "$want_rc" ]; then
      res="FAIL rc $rc, want $want_rc: $(tail -n 1 "$out/stderr" | head -c 200)"
    elif [ -f "$c/expected_stderr" ] && ! cmp -s "$out/stderr" "$c/expected_stderr"; then
      res="FAIL stderr: $(diff "$c/expected_stderr" "$out/stderr" | grep -m2 '^[<>]' | tr '\n' ' ' | head -c 300)"
    elif [ "$verdict" = unsupported ] || [ "$verdict" = missing ]; then
      res="FAIL passes, but status.txt says '$st': update status.txt and the README table"
    fi
  fi
  if [ -z "$verdict" ]; then
    res="FAIL no line in tests/stdlib/status.txt (${res})"
  elif [ "$verdict" = supported ] && [ "$(missing_count "$(module_of "$dir")")" -gt 0 ]; then
    res="FAIL status.txt says supported, but agents/an_missing_names.inc lists names the runtime's $(module_of "$dir") lacks: partial"
  fi
  echo "$dir $res" > "$work/$dir.res"
}

regen() {
  py=${PYTHON311:-python3.11}
  for dir in "$@"; do
    c=$suite/$dir
    set --
    if [ -f "$c/args" ]; then
      while IFS= read -r a || [ -n "$a" ]; do set -- "$@" "$a"; done < "$c/args"
    fi
    (cd "$c" && "$py" main.py "$@" </dev/null >expected_stdout 2>stderr.tmp)
    rc=$?
    if [ "$rc" != 0 ]; then echo "$rc" > "$c/expected_rc"; else rm -f "$c/expected_rc"; fi
    if [ -f "$c/expected_stderr" ]; then mv "$c/stderr.tmp" "$c/expected_stderr"; else rm -f "$c/stderr.tmp"; fi
    echo "$dir: rc $rc"
  done
}

all_cases() {
  for d in "$suite"/*/; do
    [ -f "$d/main.py" ] && basename "$d"
  done
}

case ${1:-} in
  --table) table; exit 0 ;;
  --readme)
    table > "$top/README.md.table"
    awk -v t="$top/README.md.table" '
      /^<!-- stdlib-table end/ { skip = 0 }
      !skip { print }
      /^<!-- stdlib-table begin/ { while ((getline l < t) > 0) print l; skip = 1 }' "$top/README.md" > "$top/README.md.new" &&
      mv "$top/README.md.new" "$top/README.md"
    rm -f "$top/README.md.table"
    exit 0 ;;
  --regen) shift; [ $# -eq 0 ] && set -- $(all_cases); regen "$@"; exit 0 ;;
  --case) shift; work=$1; shift; libcache=${PORTALIS_LIB_CACHE:-$work/libs}; run_case "$1"; exit 0 ;;
esac

if ! command -v "$node" >/dev/null 2>&1 || ! "$rustc" --print target-list 2>/dev/null | grep -qx wasm32-wasi; then
  echo "stdlib.sh: node or the wasm32-wasi rustc missing: skipped"
  exit 77
fi
keep=0
if [ "${1:-}" = "-k" ]; then keep=1; shift; fi
[ $# -eq 0 ] && set -- $(all_cases)
make -C "$build" -s tests/rs_emit agents/runtime/libportalis_rt.rlib >/dev/null || exit 2
work=$(mktemp -d /tmp/portalis-stdlib.XXXXXX)
printf '%s\n' "$@" | xargs -P "${JOBS:-2}" -I{} sh "$0" --case "$work" {}
pass=0; total=0; fails=0
for dir in "$@"; do
  total=$((total + 1))
  line=$(cat "$work/$dir.res" 2>/dev/null || echo "$dir FAIL no result")
  echo "$line"
  case $line in "$dir PASS"*) pass=$((pass + 1)) ;; *) fails=$((fails + 1)) ;; esac
done
# Every status line names a case.
grep -v '^#' "$status_file" | awk 'NF {print $1}' | while read -r dir; do
  [ -f "$suite/$dir/main.py" ] || echo "STALE: status.txt names $dir, which has no main.py"
done | tee "$work/stale"
[ -s "$work/stale" ] && fails=$((fails + 1))
# The README's table is status.txt's.
table > "$work/table.md"
sed -n '/^<!-- stdlib-table begin/,/^<!-- stdlib-table end/p' "$top/README.md" | sed '1d;$d' > "$work/readme.md"
if ! cmp -s "$work/table.md" "$work/readme.md"; then
  echo "README.md's standard-library table differs from tests/stdlib/status.txt (tests/stdlib.sh --table prints it):"
  diff "$work/readme.md" "$work/table.md" | head -n 20
  fails=$((fails + 1))
fi
for v in supported partial missing unsupported; do
  printf '%s %d  ' "$v" "$(grep -c "^[^# ]*[ 	][ 	]*$v\b" "$status_file")"
done
echo
echo "stdlib: $pass/$total cases as status.txt says"
if [ $keep -eq 1 ]; then echo "work dir: $work"; else rm -rf "$work"; fi
[ "$fails" -eq 0 ]
