#!/usr/bin/env bash
# API latency of a node while `guts fsck` runs through it, against the same node idle.
#
#   scripts/fsck-latency.sh [RATE ...]
#
# Starts a node (debug build unless GUTS is set; measure a release build with
# GUTS=.build/release/guts), pushes a generated history of about 60 MB, then measures
# `guts bench api` reads at a constant 200 req/s over 8 connections in alternating windows:
# idle, then with fsck of that repository looping through the node, PAIRS times (default 8)
# for each RATE (default: the built-in rate). Idle and busy windows of a pair are
# neighbours in time, so the machine's other load changes little between them. Prints each
# pair's p99s and their ratio, then the median ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
GUTS=${GUTS:-$PWD/.build/debug/guts}
PAIRS=${PAIRS:-8}
RATES=("${@:-default}")
WORK=$(mktemp -d /tmp/guts-fsck-latency.XXXXXX)
trap 'touch "$WORK/stop"; kill "${NODE:-0}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@guts.invalid GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@guts.invalid

git init -q -b main "$WORK/src"
for i in $(seq 1 60); do
    head -c 1000000 /dev/urandom > "$WORK/src/data-$((i % 20)).bin"
    seq 1 $((i * 500)) > "$WORK/src/text-$((i % 7)).txt"
    git -C "$WORK/src" add -A && git -C "$WORK/src" commit -qm "commit $i"
done

GUTS_ADMIN_TOKEN=lat-admin GUTS_WRITE_TOKEN=lat-write "$GUTS" serve --listen 127.0.0.1:0 --data-dir "$WORK/data" > "$WORK/node.log" 2>&1 &
NODE=$!
for _ in $(seq 1 300); do [ -f "$WORK/data/node.json" ] && break; sleep 0.1; done
URL=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$WORK/data/node.json")
git -C "$WORK/src" push -q "http://git:lat-write@${URL#http://}/bench/history.git" main

# One window: p99 of reads at a constant rate (guts bench api also runs a closed-loop read
# and a write phase around it, of the same length).
p99() {
    "$GUTS" bench api --url "$URL" --token lat-write --connections 8 --write-connections 1 --rate 200 \
        --duration 4 --warmup 0.5 --samples 1 --json 2>/dev/null |
        python3 -c 'import json,sys
r = json.load(sys.stdin)
m = {x["name"]: x for s in r["scenarios"] for x in s["metrics"]}
print(m["read.rate.p99"]["value"])'
}
for rate in "${RATES[@]}"; do
    query="repos=bench/history"
    [ "$rate" != default ] && query="$query&rate=$(python3 -c "import re,sys; m = re.fullmatch(r'(\d+)([KMG]?)', sys.argv[1]); print(int(m[1]) << {'': 0, 'K': 10, 'M': 20, 'G': 30}[m[2]])" "$rate")"
    ratios=()
    for pair in $(seq 1 "$PAIRS"); do
        idle=$(p99)
        rm -f "$WORK/stop"
        ( until [ -f "$WORK/stop" ]; do
            curl -sf -X POST -H 'Authorization: Bearer lat-admin' "$URL/admin/fsck?$query" > /dev/null || sleep 0.5
          done ) &
        LOOP=$!
        sleep 1
        busy=$(p99)
        touch "$WORK/stop"
        wait "$LOOP"  # the fsck in flight ends before the next idle window
        ratio=$(python3 -c "print(round($busy / $idle, 2))")
        ratios+=("$ratio")
        echo "fsck rate $rate, pair $pair: idle p99 $idle ms, during fsck p99 $busy ms, ratio $ratio"
    done
    echo "fsck rate $rate: median p99 ratio to idle over $PAIRS pairs: $(printf '%s\n' "${ratios[@]}" | python3 -c 'import statistics,sys; print(statistics.median(float(l) for l in sys.stdin))')"
done
grep -c 'path=/admin/fsck\|"POST /admin/fsck' "$WORK/node.log" | sed 's/^/fsck requests logged: /' || true
