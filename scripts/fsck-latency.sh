#!/usr/bin/env bash
# API latency of a node while `guts fsck` runs through it, against the same node idle.
#
#   scripts/fsck-latency.sh [RATE ...]
#
# Starts a node (debug build unless GUTS is set), pushes a generated history of about
# 60 MB, then measures `guts bench api` reads at a constant 200 req/s over 8 connections:
# idle, then with fsck looping through the node at each RATE (default: the built-in rate
# and 32M). The machine's other load shows in the idle figure; compare within one run. Prints p50/p99 of each run and the ratio to idle (medians of 3 samples).
set -euo pipefail
cd "$(dirname "$0")/.."
GUTS=${GUTS:-$PWD/.build/debug/guts}
RATES=("${@:-default}")
[ $# -eq 0 ] && RATES=(default 32M)
WORK=$(mktemp -d /tmp/guts-fsck-latency.XXXXXX)
trap 'kill "${LOOP:-0}" "${NODE:-0}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
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

bench() {
    "$GUTS" bench api --url "$URL" --token lat-write --connections 8 --write-connections 1 --rate 200 \
        --duration 10 --warmup 2 --samples 3 --json 2>/dev/null |
        python3 -c 'import json,sys
r = json.load(sys.stdin)
m = {x["name"]: x for s in r["scenarios"] for x in s["metrics"]}
print(m["read.rate.p50"]["value"], m["read.rate.p99"]["value"])'
}
read -r idle50 idle99 < <(bench)
echo "idle: p50 ${idle50} ms, p99 ${idle99} ms"
for rate in "${RATES[@]}"; do
    args=()
    [ "$rate" != default ] && args=(--rate "$rate")
    ( while true; do "$GUTS" fsck --node "$URL" --token lat-admin --quiet "${args[@]}" 2>/dev/null || sleep 1; done ) &
    LOOP=$!
    sleep 1
    read -r busy50 busy99 < <(bench)
    # Stop the loop, then the fsck it is running (by parent pid), so the next one finds the lock free.
    kill -STOP "$LOOP"; pkill -P "$LOOP" || true; kill -9 "$LOOP"; wait "$LOOP" 2>/dev/null || true
    # The node finishes the fsck it was running; wait until it takes a new one (409 while busy).
    until curl -sf -X POST -H 'Authorization: Bearer lat-admin' "$URL/admin/fsck?rate=0&repos=bench/history" > /dev/null; do sleep 1; done
    echo "fsck --rate ${rate}: p50 ${busy50} ms, p99 ${busy99} ms, p99 ratio to idle $(python3 -c "print(round($busy99 / $idle99, 2))")"
done
grep -c '"POST /admin/fsck\|path=/admin/fsck' "$WORK/node.log" | sed 's/^/fsck runs: /'
