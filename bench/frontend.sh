#!/bin/sh
# frontend.sh - Ingest + Analysis benchmark: generates a 5,000-line package
# (bench/gen_frontend.py), builds bench/frontend_bench and prints the stage
# times (target: under 200 ms for both stages together).
#
#   bench/frontend.sh [LINES] [REPEAT]      (run from the build tree)
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
lines=${1:-5000}
repeat=${2:-10}
work=$(mktemp -d /tmp/portalis-bench-frontend.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 "$top/bench/gen_frontend.py" "$work/pkg" "$lines" >/dev/null
make -s -C "$top" bench/frontend_bench >/dev/null
"$top/bench/frontend_bench" "$work/pkg" "$repeat"
