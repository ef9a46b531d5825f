#!/usr/bin/env bash
# Portalis set-up: installs every Debian package the build, the server and the
# tests need, fetches the tree-sitter-python grammar with `npm pack` into the
# git-ignored third_party/ folder, and builds the tree.  Idempotent: when
# everything is already there it only re-runs `make` and takes seconds.
#
# usage: contrib/setup.sh            set up and build
#        contrib/setup.sh serve      ... then start portalisd on 127.0.0.1:8080
#        contrib/setup.sh check      ... then run the whole test suite
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

GRAMMAR_VERSION=0.23.6
PACKAGES=(
  build-essential autoconf automake libtool pkg-config autoconf-archive
  libmicrohttpd-dev libcjson-dev libsqlite3-dev sqlite3 libtree-sitter-dev
  libcurl4-openssl-dev libarchive-dev libseccomp-dev check wrk
  rustc libstd-rust-dev-wasm32 binaryen wabt
  bubblewrap python3 curl zip unzip
  clang
  chromium
)

log() { printf 'setup: %s\n' "$*" >&2; }

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The grammar: ABI 14 (0.23.6) is the newest libtree-sitter 0.20 loads.
gdir=third_party/tree-sitter-python
if [ ! -f "$gdir/src/parser.c" ] || [ "$(cat "$gdir/.version" 2>/dev/null)" != "$GRAMMAR_VERSION" ]; then
  log "fetching tree-sitter-python@$GRAMMAR_VERSION"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "tree-sitter-python@$GRAMMAR_VERSION" >/dev/null)
  rm -rf "$gdir" && mkdir -p "$gdir"
  tar -xzf "$tmp"/tree-sitter-python-*.tgz -C "$gdir" --strip-components=1
  echo "$GRAMMAR_VERSION" > "$gdir/.version"
  rm -rf "$tmp"
fi

# Browser-test and dashboard packages from npm (package.json pins them).
if [ -f package.json ] && { [ ! -d node_modules ] || [ package.json -nt node_modules/.stamp ]; }; then
  log "npm install"
  npm install --silent --no-audit --no-fund >/dev/null
  touch node_modules/.stamp
fi

if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
  log "autoreconf"
  autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
fi
if [ ! -f Makefile ] || [ configure -nt config.status ]; then
  log "configure"
  ./configure ${PORTALIS_CONFIGURE_FLAGS:-} >/dev/null
fi
log "make"
make -j"$(nproc)" >/dev/null

case "${1:-}" in
  serve)
    mkdir -p var
    log "portalisd on http://127.0.0.1:8080 (Ctrl-C stops it)"
    exec ./portalisd --listen 127.0.0.1:8080 --db var/portalis.db --data-dir var
    ;;
  check)
    # VERBOSE=yes: a failing suite's log is printed in full, so a CI log
    # shows which assertion failed, not only the suite's name.
    exec make -j"$(nproc)" check VERBOSE=yes
    ;;
  ""|build) ;;
  *) log "unknown command '$1' (serve | check | build)"; exit 2 ;;
esac
