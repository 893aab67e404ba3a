#!/usr/bin/env bash
# Measures a node's resident memory while the stock git-lfs client pushes and pulls
# large LFS objects: three 50 MB files by default, or one object of SIZE_MB (e.g.
# SIZE_MB=2048 for a 2 GiB object). Prints the node's peak RSS (VmHWM) before, after
# the push and after a fresh clone's `git lfs pull`, and checks the pulled files' SHA-256.
# Usage: bash scripts/lfs-rss.sh [--release]    (docs/PERFORMANCE.md has the results)
set -euo pipefail
cd "$(dirname "$0")/.."
configuration=debug
[ "${1:-}" = "--release" ] && configuration=release
swift build -c "$configuration" --product guts >/dev/null 2>&1
guts="$PWD/.build/$configuration/guts"
work=$(mktemp -d /tmp/guts-lfs-rss.XXXXXX)
trap 'kill "$node" 2>/dev/null || true; rm -rf "$work"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@guts.invalid GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@guts.invalid
token=lfs-rss-write-token
GUTS_WRITE_TOKEN=$token GUTS_ADMIN_TOKEN=lfs-rss-admin "$guts" serve --listen 127.0.0.1:0 --data-dir "$work/data" >"$work/node.log" 2>&1 &
node=$!
for _ in $(seq 200); do [ -f "$work/data/node.json" ] && break; sleep 0.1; done
url=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["url"])' "$work/data/node.json")
remote="http://git:$token@${url#http://}/bench/lfs.git"
peak() { awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$node/status"; }
echo "node $url (pid $node, $configuration build); peak RSS at start: $(peak) MB"

git init -q -b main "$work/source"
cd "$work/source"
git lfs install --local >/dev/null
git lfs track '*.bin' >/dev/null
if [ -n "${SIZE_MB:-}" ]; then
    head -c "$((SIZE_MB << 20))" /dev/urandom > big.bin
else
    for n in 1 2 3; do head -c $((50 << 20)) /dev/urandom > "big$n.bin"; done
fi
git add . && git commit -qm 'large files'
start=$(date +%s%N)
git push -q "$remote" main 2>/dev/null
echo "push: $(( ($(date +%s%N) - start) / 1000000 )) ms; peak RSS $(peak) MB"
sha256sum ./*.bin > "$work/expected"

cd "$work"
GIT_LFS_SKIP_SMUDGE=1 git clone -q "$remote" clone
cd clone
git lfs install --local >/dev/null
start=$(date +%s%N)
git lfs pull 2>/dev/null
echo "pull: $(( ($(date +%s%N) - start) / 1000000 )) ms; peak RSS $(peak) MB"
sha256sum -c --quiet "$work/expected" && echo "pulled files match (sha256)"
