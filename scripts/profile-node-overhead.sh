#!/usr/bin/env bash
# Measures a release node's throughput under wrk without and with `guts profile --node`
# at 99 Hz, then profiles the same load with `guts profile` and with `perf record` for
# docs/PROFILING.md. Needs wrk and (for the perf part) linux-perf.
set -euo pipefail
cd "$(dirname "$0")/.."
GUTS=${GUTS:-.build/release/guts}
PORT=${PORT:-18480}
OUT=${OUT:-$(mktemp -d)}
TOKEN=overhead-token
URL=http://127.0.0.1:$PORT
GUTS_ADMIN_TOKEN=$TOKEN "$GUTS" serve --listen 127.0.0.1:$PORT --data-dir "$OUT/data" --log-level warning >"$OUT/node.log" 2>&1 &
NODE=$!
trap 'kill $NODE 2>/dev/null || true' EXIT
sleep 2
wrk -t2 -c50 -d3s "$URL/api/repos" >/dev/null   # warm-up
echo "== baseline"; wrk -t2 -c50 -d10s "$URL/api/repos" | tee "$OUT/wrk-baseline.txt"
echo "== with guts profile --node at 99 Hz"
GUTS_ADMIN_TOKEN=$TOKEN "$GUTS" profile --node "$URL" --duration 10s --rate 99 --folded "$OUT/guts.folded" 2>"$OUT/guts-profile.txt" &
PROFILER=$!
sleep 0.2
wrk -t2 -c50 -d10s "$URL/api/repos" | tee "$OUT/wrk-profiled.txt"
wait $PROFILER
cat "$OUT/guts-profile.txt"
if command -v perf >/dev/null; then
    echo "== perf record -F 99 -g on the same load"
    wrk -t2 -c50 -d12s "$URL/api/repos" >"$OUT/wrk-perf.txt" &
    WRK=$!
    sleep 1
    perf record -F 99 -g -p $NODE -o "$OUT/perf.data" -- sleep 10 2>"$OUT/perf-record.txt"
    wait $WRK
    perf report -i "$OUT/perf.data" --stdio --no-children --sort symbol -g none --percent-limit 1.5 2>/dev/null \
        | grep -v '^$' | head -40 | tee "$OUT/perf-report.txt"
fi
echo "outputs in $OUT"
