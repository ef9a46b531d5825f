#!/bin/sh
# Model assistance end to end: portalisd + the real pipeline + a scripted
# OpenAI-compatible server on loopback (tests/llm_test.py).
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
export top_srcdir top_builddir
exec "${PYTHON3:-python3}" "$top_srcdir/tests/llm_test.py" -v
