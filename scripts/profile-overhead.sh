#!/usr/bin/env bash
# The throughput cost of each profiler of a release node, for docs/PROFILING.md.
#
# For every part, PAIRS alternating pairs of wrk runs against /api/repos (CONNECTIONS
# connections, RUN seconds each): one without profiling, one with, the order swapped
# from pair to pair so that drift on a shared machine falls on both sides alike. Every
# run gets a fresh node (same flags but the part's). The cost of a part is
# 1 - median(with / without) over its pairs. Beside throughput, each run records the
# node's CPU time (utime + stime from /proc) per request served: on a machine shared
# with other work, throughput follows the CPU share the node gets, while CPU per
# request is what the profiler adds to each request (perf's own process is not in it).
#
# Parts (PARTS, space-separated):
#   baseline      no profiler on either side: the noise floor of the method on this machine
#   continuous19  guts serve --profile-continuous (19 Hz ring, with memory readings)
#   continuous99  guts serve --profile-continuous --profile-rate 99
#   ondemand99    guts profile --node URL --rate 99 over the run
#   perf99        perf record -F 99 -g -p <node> over the run (needs linux-perf)
#   alloc         guts serve --profile-allocations 524288 (the heap profile, always on)
#
# Usage: scripts/profile-overhead.sh            (GUTS=.build/release/guts PAIRS=5 RUN=10)
# Output: one table row per part on stdout; every wrk report and node log in $OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
GUTS=${GUTS:-.build/release/guts}
PAIRS=${PAIRS:-5}
RUN=${RUN:-10}
CONNECTIONS=${CONNECTIONS:-50}
PORT=${PORT:-18490}
PARTS=${PARTS:-baseline continuous19 continuous99 ondemand99 perf99 alloc}
OUT=${OUT:-$(mktemp -d /tmp/guts-overhead.XXXXXX)}
mkdir -p "$OUT"
TOKEN=overhead-token-0123456789
URL=http://127.0.0.1:$PORT
NODE=

command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
[ -x "$GUTS" ] || { echo "no $GUTS: swift build -c release --product guts" >&2; exit 1; }

stop_node() {
    if [ -n "$NODE" ]; then
        kill "$NODE" 2>/dev/null || true
        wait "$NODE" 2>/dev/null || true
        NODE=
    fi
}
trap stop_node EXIT

# start_node LABEL [serve flags...]: a fresh node on a fresh data directory.
start_node() {
    local label=$1
    shift
    rm -rf "$OUT/data"
    GUTS_ADMIN_TOKEN=$TOKEN "$GUTS" serve --listen 127.0.0.1:$PORT --data-dir "$OUT/data" --log-level warning "$@" \
        >"$OUT/node-$label.log" 2>&1 &
    NODE=$!
    for _ in $(seq 100); do
        curl -fs -o /dev/null "$URL/api/repos" && return 0
        sleep 0.1
    done
    echo "node did not start: $(cat "$OUT/node-$label.log")" >&2
    exit 1
}

# The node's user + system CPU time so far, in clock ticks.
node_ticks() { awk '{ print $14 + $15 }' "/proc/$NODE/stat"; }

# measure PART on|off INDEX: prints "requests/s CPU-µs/request" of one run.
measure() {
    local part=$1 side=$2 index=$3 label="$1-$2-$3" flags=() profiler=
    if [ "$side" = on ]; then
        case $part in
            continuous19) flags=(--profile-continuous) ;;
            continuous99) flags=(--profile-continuous --profile-rate 99) ;;
            alloc) flags=(--profile-allocations 524288) ;;
        esac
    fi
    start_node "$label" "${flags[@]}"
    wrk -t2 -c"$CONNECTIONS" -d2s "$URL/api/repos" >/dev/null   # warm-up
    if [ "$side" = on ]; then
        case $part in
            ondemand99)
                GUTS_ADMIN_TOKEN=$TOKEN "$GUTS" profile --node "$URL" --duration "$((RUN + 1))s" --rate 99 \
                    --folded "$OUT/$label.folded" 2>"$OUT/$label.profile.txt" &
                profiler=$! ;;
            perf99)
                perf record -F 99 -g -p "$NODE" -o "$OUT/$label.perf.data" -- sleep "$((RUN + 1))" \
                    >/dev/null 2>"$OUT/$label.perf.txt" &
                profiler=$! ;;
        esac
        [ -n "$profiler" ] && sleep 0.5
    fi
    local before after
    before=$(node_ticks)
    wrk -t2 -c"$CONNECTIONS" -d"${RUN}s" "$URL/api/repos" >"$OUT/$label.wrk.txt"
    after=$(node_ticks)
    [ -n "$profiler" ] && wait "$profiler"
    stop_node
    awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
        /^Requests\/sec:/ { rate = $2 }
        / requests in / { requests = $1 }
        END { printf "%s %.2f\n", rate, ticks / hz * 1e6 / requests }' "$OUT/$label.wrk.txt"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

ratio_of() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", a / b }'; }
column() { printf '%s\n' "${@:2}" | awk -v field="$1" '{ print $field }' | median; }

echo "| part | pairs | req/s without | req/s with | throughput with/without | throughput cost | CPU µs/request without | with | CPU cost | throughput ratios |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for part in $PARTS; do
    if [ "$part" = perf99 ] && ! command -v perf >/dev/null; then
        echo "| $part | skipped: perf is not installed (apt-get install linux-perf) | | | | | | | | |"
        continue
    fi
    offs=() ons=() ratios=() cpu_ratios=()
    for index in $(seq "$PAIRS"); do
        if [ $((index % 2)) = 1 ]; then
            off=$(measure "$part" off "$index"); on=$(measure "$part" on "$index")
        else
            on=$(measure "$part" on "$index"); off=$(measure "$part" off "$index")
        fi
        offs+=("$off"); ons+=("$on")
        ratios+=("$(ratio_of "${on% *}" "${off% *}")")
        cpu_ratios+=("$(ratio_of "${on#* }" "${off#* }")")
    done
    ratio=$(printf '%s\n' "${ratios[@]}" | median)
    cpu_ratio=$(printf '%s\n' "${cpu_ratios[@]}" | median)
    printf '| %s | %d | %.0f | %.0f | %.4f | %.1f %% | %.1f | %.1f | %.1f %% | %s |\n' "$part" "$PAIRS" \
        "$(column 1 "${offs[@]}")" "$(column 1 "${ons[@]}")" "$ratio" "$(awk -v r="$ratio" 'BEGIN { print (1 - r) * 100 }')" \
        "$(column 2 "${offs[@]}")" "$(column 2 "${ons[@]}")" "$(awk -v r="$cpu_ratio" 'BEGIN { print (r - 1) * 100 }')" "${ratios[*]}"
done
echo "outputs in $OUT" >&2
