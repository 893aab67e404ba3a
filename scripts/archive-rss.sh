#!/usr/bin/env bash
# Peak RSS of a node while it builds and serves the archive of a large tree.
#
#   scripts/archive-rss.sh [MEGABYTES] [FILE_MEGABYTES] [RUNS]
#
# Makes a repository whose tree holds MEGABYTES (default 500) of random files of
# FILE_MEGABYTES (default 4) each and pushes it to a fresh node (debug build unless GUTS is
# set; measure `swift build -c release --product guts` with GUTS=.build/release/guts). Then
# RUNS times (default 3): restarts the node on the data (the push's memory is not the
# archive's), empties the archive cache, and resets the node's peak RSS
# (/proc/PID/clear_refs) before each download of the tar, the zip and the tar again (then
# from the cache). Prints each run, what the idle node's RSS is made of, and the median
# of every column. docs/OPERATIONS.md has the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-500}
FILE_MB=${2:-4}
RUNS=${3:-3}
GUTS=${GUTS:-$PWD/.build/debug/guts}
WORK=$(mktemp -d /tmp/guts-archive-rss.XXXXXX)
trap 'kill "${NODE:-0}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@guts.invalid GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@guts.invalid

git init -q -b main "$WORK/src"
for i in $(seq 1 $((MB / FILE_MB))); do head -c $((FILE_MB << 20)) /dev/urandom > "$WORK/src/file-$i.bin"; done
git -C "$WORK/src" add -A && git -C "$WORK/src" commit -qm big
git -C "$WORK/src" config pack.window 0

start_node() {
    rm -f "$WORK/data/node.json"
    GUTS_ADMIN_TOKEN=rss-admin GUTS_WRITE_TOKEN=rss-write "$GUTS" serve --listen 127.0.0.1:0 --data-dir "$WORK/data" >> "$WORK/node.log" 2>&1 &
    NODE=$!
    for _ in $(seq 1 300); do [ -f "$WORK/data/node.json" ] && break; sleep 0.1; done
    URL=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$WORK/data/node.json")
    curl -sf "$URL/health" > /dev/null
}
stop_node() { kill "$NODE"; wait "$NODE" 2>/dev/null || true; }
field() { awk -v f="$1:" '$1 == f {print $2}' "/proc/$NODE/status"; }
# A gauge in kB, summed over its series (RocksDB column families), or one series named with its labels.
metric() { curl -sf "$URL/metrics" | awk -v m="$1" 'index($1, m "{") == 1 || $1 == m {s += $2} END {printf "%d", s / 1024}'; }

start_node
git -C "$WORK/src" push -q "http://git:rss-write@${URL#http://}/bench/big.git" main
echo "tree: $MB MB in $((MB / FILE_MB)) files; node RSS after the push: $(field VmRSS) kB"
stop_node

results=()
for run in $(seq 1 "$RUNS"); do
    rm -rf "$WORK/data/archives"
    start_node
    sleep 2
    before=$(field VmRSS)
    echo "run $run: idle node RSS $before kB (anonymous $(field RssAnon), file-backed $(field RssFile), threads $(field Threads));" \
        "RocksDB memtables $(metric guts_rocksdb_memtable_bytes) kB, block cache $(metric 'guts_cache_bytes{cache="block-cache"}') kB," \
        "table readers $(metric guts_rocksdb_table_readers_bytes) kB"
    line="$before"
    for format in tar zip tar; do
        echo 5 > "/proc/$NODE/clear_refs"
        start=$(date +%s.%N)
        bytes=$(curl -sf "$URL/bench/big/archive/main.$format" -o "$WORK/out.$format" -w '%{size_download}')
        end=$(date +%s.%N)
        echo "  $format: $bytes bytes in $(echo "$end - $start" | bc) s, node peak RSS $(field VmHWM) kB"
        line="$line $(field VmHWM)"
        rm -f "$WORK/out.$format"
    done
    results+=("$line")
    stop_node
done
printf '%s\n' "${results[@]}" | python3 -c '
import statistics, sys
rows = [list(map(int, l.split())) for l in sys.stdin if l.strip()]
names = ["idle", "tar (built)", "zip (built)", "tar (from the cache)"]
print("medians of %d runs, MB: " % len(rows) + ", ".join("%s %.0f" % (n, statistics.median(c) / 1024) for n, c in zip(names, zip(*rows))))'
