#!/bin/sh
# stdlib_libs.sh - builds the standard-library library crates of a generated
# crate (CRATE/stdlib/, agents/tr_stdlib.c) the way the Build stage does
# (agents/build.c, "libraries"): each one once per content, cached in CACHE
# by a key over its files, the libraries it needs, the rustc, the runtime
# rlib and the flags; a lock per key, so that concurrent runs build each
# library once. Prints the rustc arguments that link them into the crate's
# main.rs (nothing when the crate has no stdlib/Units).
#
#   tests/stdlib_libs.sh CRATE CACHE RUSTC RLIB "FLAGS"
#
# Writes "<crate> built <ms>" or "<crate> cached" per library to
# CRATE/stdlib/build.log; rustc's errors to CRATE/stdlib/<crate>.rustc.log
# (exit 1).
set -u
crate=$1 cache=$2 rustc=$3 rlib=$4 flags=$5
units=$crate/stdlib/Units
[ -f "$units" ] || exit 0
mkdir -p "$cache"
rtdir=$(dirname "$rlib")
stamp="portalis-lib-v1 $("$rustc" -vV | tr '\n' ' ') $(sha256sum < "$rlib") $flags"
: > "$crate/stdlib/build.log"
keys=""
args=""
# ms since the epoch (date +%s%N where it has it)
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
key_of() { # NAME: the key computed for an earlier line
  for kv in $keys; do [ "${kv%%=*}" = "$1" ] && echo "${kv#*=}"; done
}
while read -r name deps; do
  [ -n "$name" ] || continue
  depkeys=""
  dargs=""
  for d in $deps; do
    k=$(key_of "$d")
    depkeys="$depkeys $d=$k"
    dargs="$dargs --extern $d=$cache/$k/lib$d.rlib -L dependency=$cache/$k"
  done
  key=$( (echo "$stamp $depkeys"; cd "$crate/stdlib/$name" && find . -type f | LC_ALL=C sort | while read -r f; do
      echo "$f $(wc -c < "$f")"; cat "$f"; done) | sha256sum | cut -c1-64)
  keys="$keys $name=$key"
  out=$cache/$key/lib$name.rlib
  if [ -f "$out" ]; then
    touch "$out"
    echo "$name cached" >> "$crate/stdlib/build.log"
  else
    (
      flock 9
      if [ -f "$out" ]; then
        echo "$name cached" >> "$crate/stdlib/build.log"
        exit 0
      fi
      tmp=$cache/.tmp.$key.$$
      rm -rf "$tmp"
      mkdir -p "$tmp"
      t0=$(now_ms)
      # shellcheck disable=SC2086
      if ! "$rustc" --edition 2021 $flags --target wasm32-wasi --crate-type rlib --crate-name "$name" \
          -C metadata="$(echo "$key" | cut -c1-16)" --extern portalis_rt="$rlib" -L "$rtdir" $dargs \
          "$crate/stdlib/$name/src/lib.rs" -o "$tmp/lib$name.rlib" > "$crate/stdlib/$name.rustc.log" 2>&1; then
        rm -rf "$tmp"
        exit 1
      fi
      mv "$tmp" "$cache/$key" 2>/dev/null || rm -rf "$tmp"
      echo "$name built $(( $(now_ms) - t0 ))" >> "$crate/stdlib/build.log"
    ) 9> "$cache/$key.lock" || { echo "stdlib_libs.sh: $name does not compile: $(grep -m1 -E '^error' "$crate/stdlib/$name.rustc.log")" >&2; exit 1; }
  fi
  args="$args --extern $name=$out -L dependency=$cache/$key"
done < "$units"
echo "$args"
