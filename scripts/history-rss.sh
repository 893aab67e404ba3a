#!/usr/bin/env bash
# Starts a release `guts serve` on a temp data dir, pushes every branch and tag of a real
# history into it, then clones it, printing each time and the node's peak RSS (VmHWM)
# after each step, then checks the clone (fsck --strict, refs equal to the source). No profiler
# runs, so the RSS is the node's own.
# Usage: scripts/history-rss.sh BARE_REPOSITORY
set -euo pipefail
source_repo=$(cd "$1" && pwd)
cd "$(dirname "$0")/.."
guts=.build/release/guts
[ -x "$guts" ] || swift build -c release --product guts >/dev/null
work=$(mktemp -d)
token=rss-$$-$RANDOM
GUTS_ADMIN_TOKEN=$token "$guts" serve --listen 127.0.0.1:0 --data-dir "$work/data" --log-level warning >"$work/node.log" 2>&1 &
node_pid=$!
trap 'kill $node_pid 2>/dev/null || true; wait $node_pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 200); do [ -s "$work/data/node.json" ] && break; sleep 0.05; done
url=$(sed -E 's/.*"url":"([^"]+)".*/\1/; s/\\//g' "$work/data/node.json")
peak() { awk '/VmHWM/ {printf "%.0f MB", $2/1024}' "/proc/$node_pid/status"; }
timed() { # label, command...
    local label=$1; shift
    local start=$(date +%s.%N)
    "$@"
    echo "$label: $(echo "$(date +%s.%N) - $start" | bc) s, node peak RSS $(peak)"
}
echo "start: node peak RSS $(peak)"
timed push git -C "$source_repo" push -q "http://git:$token@${url#http://}/bench/history.git" 'refs/heads/*:refs/heads/*' 'refs/tags/*:refs/tags/*'
timed clone git clone -q --bare "$url/bench/history.git" "$work/clone.git"
git -C "$work/clone.git" fsck --strict --no-dangling >/dev/null && echo "clone: fsck --strict clean"
if diff <(git -C "$source_repo" for-each-ref --format='%(objectname) %(refname)' refs/heads refs/tags) \
        <(git -C "$work/clone.git" for-each-ref --format='%(objectname) %(refname)' refs/heads refs/tags) >/dev/null; then
    echo "clone: refs equal to the source"
else
    echo "clone: refs differ from the source" >&2
    exit 1
fi
