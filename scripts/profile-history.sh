#!/usr/bin/env bash
# Profiles a release `guts serve` while it takes the first push of a real history and then
# serves a clone of it, writing flamegraphs (SVG and folded stacks) for each, and prints the
# node's peak RSS. Usage: scripts/profile-history.sh BARE_REPOSITORY [OUTPUT_DIR]
set -euo pipefail
source_repo=$(cd "$1" && pwd)
out=${2:-docs/profiles}
cd "$(dirname "$0")/.."
mkdir -p "$out"
guts=.build/release/guts
[ -x "$guts" ] || swift build -c release --product guts >/dev/null
work=$(mktemp -d)
node_pid=""
trap 'kill $node_pid 2>/dev/null || true; rm -rf "$work"' EXIT
token=profile-$$-$RANDOM
GUTS_ADMIN_TOKEN=$token "$guts" serve --listen 127.0.0.1:0 --data-dir "$work/data" --log-level warning >"$work/node.log" 2>&1 &
node_pid=$!
for _ in $(seq 1 200); do [ -s "$work/data/node.json" ] && break; sleep 0.05; done
url=$(sed -E 's/.*"url":"([^"]+)".*/\1/; s/\\//g' "$work/data/node.json")
profile() { # name, command...
    local name=$1; shift
    GUTS_TOKEN=$token "$guts" profile --node "$url" --token "$token" --duration "${PROFILE_SECONDS:-20}s" \
        --svg "$out/$name.svg" --folded "$out/$name.folded" >"$work/$name.profile.log" 2>&1 &
    local profiler=$!
    sleep 1
    local start=$(date +%s.%N)
    "$@"
    echo "$name: $(echo "$(date +%s.%N) - $start" | bc) s"
    wait $profiler || { cat "$work/$name.profile.log" >&2; return 1; }
}
profile push git -C "$source_repo" push -q "http://git:$token@${url#http://}/bench/history.git" 'refs/heads/*:refs/heads/*' 'refs/tags/*:refs/tags/*'
profile clone git clone -q --bare "$url/bench/history.git" "$work/clone.git"
git -C "$work/clone.git" fsck --strict --no-dangling >/dev/null && echo "clone: fsck --strict clean"
grep VmHWM "/proc/$node_pid/status" | awk '{printf "node peak RSS: %.0f MB\n", $2/1024}'
