#!/bin/sh
# HTTP throughput of portalisd: GET /api/v1/jobs/{id} with and without a
# token, and /healthz, with wrk (Debian package; contrib/setup.sh installs
# it). Starts the built server on a private port with a temporary data
# directory, submits one job, waits for it, then runs
#   wrk -t2 -c64 -d${SECONDS_PER_RUN:-10}s --latency
# against each URL and prints requests/s and the latency percentiles.
#
# usage: bench/http.sh            (from the build tree)
# Figures recorded on the 2-core development machine are in bench/README.md.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
d=$(mktemp -d /tmp/portalis-bench-XXXXXX)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$d"' EXIT INT TERM
command -v wrk >/dev/null || { echo "bench/http.sh: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
tok=$("$top/portalisd" --data-dir "$d" token create --name bench 2>/dev/null)
"$top/portalisd" --listen 127.0.0.1:0 --data-dir "$d" --log-level warn > "$d/out" 2> "$d/log" &
pid=$!
i=0; while ! grep -q "listening on" "$d/out" 2>/dev/null; do i=$((i+1)); [ $i -lt 100 ] || exit 1; sleep 0.1; done
url=$(sed -n 's/.*listening on //p' "$d/out")
id=$(curl -s -X POST -H "Authorization: Bearer $tok" -H 'Content-Type: text/x-python' \
      --data-binary 'print("bench")' "$url/api/v1/jobs?wait=60" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
anon=$(curl -s -X POST -H 'Content-Type: text/x-python' --data-binary 'print("bench")' \
      "$url/api/v1/jobs?wait=60" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
run() {
  echo "== $1"
  shift
  wrk -t2 -c64 -d"${SECONDS_PER_RUN:-10}"s --latency "$@" | grep -E "Requests/sec|Latency|50%|99%|Non-2xx|Socket errors"
}
run "GET /api/v1/jobs/{id} with a token" -H "Authorization: Bearer $tok" "$url/api/v1/jobs/$id"
run "GET /api/v1/jobs/{id} without a token" "$url/api/v1/jobs/$anon"
run "GET /healthz" "$url/healthz"
