#!/usr/bin/env bash
# The CPU sampler's cost measured inside one node process, for docs/PROFILING.md.
#
# scripts/profile-overhead.sh compares fresh nodes, one per run, and on a shared VM their
# spread (the A/A baseline's single pairs range ±15%) hides costs of a few percent. Here
# one release node serves one long wrk run (-t2 -cCONNECTIONS on /api/repos) while windows
# of WINDOW seconds alternate: profiler off, then an on-demand CPU profile of that window
# (curl GET /admin/profile/cpu?seconds=WINDOW&rate=RATE, so no second guts process runs).
# For every window it reads the node's request counter (/metrics) and its CPU time
# (/proc/<pid>/stat); a settle second after each window lets the profile's rendering
# finish outside both. Same process, same connections, same caches: what differs
# between neighbouring windows is the sampler. Pairs alternate their order.
#
# Rate 0 runs no profiler in either window: the method's own noise floor (A/A).
# Usage: scripts/profile-overhead-inprocess.sh       (GUTS=.build/release/guts RATES="0 19 99" PAIRS=9 WINDOW=5)
# Output: one table row per rate on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
GUTS=${GUTS:-.build/release/guts}
RATES=${RATES:-0 19 99}
PAIRS=${PAIRS:-9}
WINDOW=${WINDOW:-5}
CONNECTIONS=${CONNECTIONS:-50}
PORT=${PORT:-18590}
TOKEN=overhead-token-0123456789
URL=http://127.0.0.1:$PORT
work=$(mktemp -d)
node="" load=""
trap 'kill $load $node 2>/dev/null || true; rm -rf "$work"' EXIT
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
[ -x "$GUTS" ] || { echo "no $GUTS: swift build -c release --product guts" >&2; exit 1; }

GUTS_ADMIN_TOKEN=$TOKEN "$GUTS" serve --listen 127.0.0.1:$PORT --data-dir "$work/data" --log-level warning >"$work/node.log" 2>&1 &
node=$!
for _ in $(seq 100); do curl -fs -o /dev/null "$URL/api/repos" && break; sleep 0.1; done

requests() { curl -fs "$URL/metrics" | awk '/^guts_http_requests_total\{/ { total += $NF } END { printf "%d\n", total }'; }
ticks() { awk '{ print $14 + $15 }' "/proc/$node/stat"; }
now() { date +%s.%N; }
# window off|on RATE: prints "requests/s CPU-µs/request" of one window.
window() {
    local side=$1 rate=$2 profile="" r0 t0 c0 r1 t1 c1
    r0=$(requests); c0=$(ticks); t0=$(now)
    if [ "$side" = on ] && [ "$rate" != 0 ]; then
        curl -fs -o "$work/profile.folded" -D "$work/profile.headers" -H "Authorization: Bearer $TOKEN" "$URL/admin/profile/cpu?seconds=$WINDOW&rate=$rate" &
        profile=$!
    fi
    sleep "$WINDOW"
    r1=$(requests); c1=$(ticks); t1=$(now)
    local handler=0
    if [ -n "$profile" ]; then
        wait "$profile"
        # The signal handler's own time in this window, by the sampler's accounting.
        handler=$(sed -n 's/^x-profile-statistics: //Ip' "$work/profile.headers" | python3 -c 'import json, sys; print(json.loads(sys.stdin.read())["handlerNanos"])')
    fi
    sleep 1
    awk -v r=$((r1 - r0)) -v c=$((c1 - c0)) -v t0="$t0" -v t1="$t1" -v hz="$(getconf CLK_TCK)" -v handler="$handler" \
        'BEGIN { printf "%.1f %.2f %.3f\n", r / (t1 - t0), c / hz * 1e6 / r, handler / (c / hz * 1e9) * 100 }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

total=0
for rate in $RATES; do total=$((total + PAIRS * 2 * (WINDOW + 1) + 10)); done
wrk -t2 -c"$CONNECTIONS" -d"${total}s" "$URL/api/repos" >"$work/wrk.txt" &
load=$!
sleep 3
echo "| rate | pairs | req/s off | req/s on | throughput on/off (median of pairs) | throughput cost | CPU µs/request off | on | CPU/request cost (median of pairs) | signal handler's share of the node's CPU (median) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for rate in $RATES; do
    : >"$work/off"; : >"$work/on"; : >"$work/ratios"; : >"$work/cpu-ratios"
    for index in $(seq "$PAIRS"); do
        if [ $((index % 2)) = 1 ]; then off=$(window off "$rate"); on=$(window on "$rate"); else on=$(window on "$rate"); off=$(window off "$rate"); fi
        echo "$off" >>"$work/off"; echo "$on" >>"$work/on"
        awk -v a="${on% *}" -v b="${off% *}" 'BEGIN { print a / b }' >>"$work/ratios"
        awk -v a="$(echo "$on" | cut -d' ' -f2)" -v b="$(echo "$off" | cut -d' ' -f2)" 'BEGIN { print a / b }' >>"$work/cpu-ratios"
    done
    ratio=$(median <"$work/ratios"); cpu=$(median <"$work/cpu-ratios")
    printf '| %s Hz | %d | %.0f | %.0f | %.4f | %.1f %% | %.2f | %.2f | %.1f %% | %.2f %% |\n' "$rate" "$PAIRS" \
        "$(awk '{ print $1 }' "$work/off" | median)" "$(awk '{ print $1 }' "$work/on" | median)" "$ratio" \
        "$(awk -v r="$ratio" 'BEGIN { print (1 - r) * 100 }')" \
        "$(awk '{ print $2 }' "$work/off" | median)" "$(awk '{ print $2 }' "$work/on" | median)" "$(awk -v r="$cpu" 'BEGIN { print (r - 1) * 100 }')" "$(awk '{ print $3 }' "$work/on" | median)"
done
