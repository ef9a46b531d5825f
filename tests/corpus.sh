#!/bin/sh
# The shared corpus end to end through the real server (tests/corpus_test.py).
# Skipped (77) when the corpus is not beside the tree, e.g. in make distcheck.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
export top_srcdir top_builddir
corpus=${PORTALIS_CORPUS:-$top_srcdir/../shared/corpus}
if [ ! -d "$corpus" ]; then
  echo "corpus not found at $corpus: skipped"
  exit 77
fi
exec "${PYTHON3:-python3}" "$top_srcdir/tests/corpus_test.py"
