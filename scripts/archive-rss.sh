#!/usr/bin/env bash
# Peak RSS of a node while it builds and serves the archive of a large tree.
#
#   scripts/archive-rss.sh [MEGABYTES] [FILE_MEGABYTES]
#
# Makes a repository whose tree holds MEGABYTES (default 500) of random files of
# FILE_MEGABYTES (default 4) each, pushes it to a fresh node (debug build unless GUTS is
# set), restarts the node (the push's memory is not the archive's), resets its peak RSS
# (/proc/PID/clear_refs) before each download of the tar, the zip and the tar again (then
# from the cache), and prints the node's peak RSS during each. docs/OPERATIONS.md has the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-500}
FILE_MB=${2:-4}
GUTS=${GUTS:-$PWD/.build/debug/guts}
WORK=$(mktemp -d /tmp/guts-archive-rss.XXXXXX)
trap 'kill "${NODE:-0}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@guts.invalid GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@guts.invalid

git init -q -b main "$WORK/src"
for i in $(seq 1 $((MB / FILE_MB))); do head -c $((FILE_MB << 20)) /dev/urandom > "$WORK/src/file-$i.bin"; done
git -C "$WORK/src" add -A && git -C "$WORK/src" commit -qm big
git -C "$WORK/src" config pack.window 0

GUTS_ADMIN_TOKEN=rss-admin GUTS_WRITE_TOKEN=rss-write "$GUTS" serve --listen 127.0.0.1:0 --data-dir "$WORK/data" > "$WORK/node.log" 2>&1 &
NODE=$!
for _ in $(seq 1 300); do [ -f "$WORK/data/node.json" ] && break; sleep 0.1; done
URL=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$WORK/data/node.json")
git -C "$WORK/src" push -q "http://git:rss-write@${URL#http://}/bench/big.git" main

declare -A seen
rss() { awk '/VmHWM/ {print $2}' "/proc/$NODE/status"; }
echo "tree: $MB MB in $((MB / FILE_MB)) files; node RSS after the push: $(awk '/VmRSS/ {print $2}' /proc/$NODE/status) kB"
# The push's own memory is not the archive's: serve from a node started afresh on the data.
kill "$NODE"; wait "$NODE" 2>/dev/null || true
rm -f "$WORK/data/node.json"
GUTS_ADMIN_TOKEN=rss-admin GUTS_WRITE_TOKEN=rss-write "$GUTS" serve --listen 127.0.0.1:0 --data-dir "$WORK/data" >> "$WORK/node.log" 2>&1 &
NODE=$!
for _ in $(seq 1 300); do [ -f "$WORK/data/node.json" ] && break; sleep 0.1; done
URL=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$WORK/data/node.json")
curl -sf "$URL/health" > /dev/null
echo "restarted node RSS: $(awk '/VmRSS/ {print $2}' /proc/$NODE/status) kB"
for format in tar zip tar; do
    echo 5 > "/proc/$NODE/clear_refs"
    start=$(date +%s.%N)
    bytes=$(curl -sf "$URL/bench/big/archive/main.$format" -o "$WORK/out.$format" -w '%{size_download}')
    end=$(date +%s.%N)
    echo "$format$([ -n "${seen[$format]:-}" ] && echo " (from the cache)"): $bytes bytes in $(echo "$end - $start" | bc) s, node peak RSS while building and serving: $(rss) kB"
    rm -f "$WORK/out.$format"
    seen[$format]=1
done
