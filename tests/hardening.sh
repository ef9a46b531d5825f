#!/bin/sh
# Abuse and load hardening tests of portalisd (tests/hardening_test.py).
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
export top_srcdir top_builddir
exec "${PYTHON3:-python3}" "$top_srcdir/tests/hardening_test.py" -v
