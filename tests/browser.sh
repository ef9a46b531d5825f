#!/bin/sh
# browser.sh - the dashboard's browser tests (tests/browser/*.test.mjs), run
# by `make check`: node's test runner, one file at a time, each starting its
# own portalisd on a free loopback port and a headless Chromium.
#
# Skips (exit 77) when Chromium, node or playwright-core (npm install) is
# missing. Screenshots go to tests/screenshots/ (git-ignored).
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
export top_srcdir top_builddir
NODE=${NODE:-node}
CHROMIUM=${PORTALIS_CHROMIUM:-/usr/bin/chromium}

command -v "$NODE" >/dev/null 2>&1 || { echo "SKIP: no node"; exit 77; }
test -x "$CHROMIUM" || { echo "SKIP: no Chromium at $CHROMIUM (apt-get install chromium)"; exit 77; }
test -f "$top_srcdir/node_modules/playwright-core/package.json" || test -f "$top_builddir/node_modules/playwright-core/package.json" ||
  { echo "SKIP: playwright-core is not installed (npm install, or contrib/setup.sh)"; exit 77; }
test -x "$top_builddir/portalisd" || { echo "FAIL: no $top_builddir/portalisd (make first)"; exit 1; }
test -f "$top_builddir/web/vendor/hljs/core.min.js" || test -f "$top_srcdir/web/vendor/hljs/core.min.js" ||
  echo "note: web/vendor/ is not built (make web-vendor): code will not be highlighted" >&2

cd "$top_srcdir" || exit 1
exec "$NODE" --test --test-concurrency=1 --test-reporter=spec "$@" tests/browser/*.test.mjs
