#!/usr/bin/env bash
# Clones one repository from `guts serve` and from `git daemon` on this machine, one after
# the other, and prints wall time (hyperfine, median) and pack bytes for each.
# Usage: scripts/compare-clone.sh /path/to/repository [runs]
set -euo pipefail
source_repo=$(cd "$1" && pwd)
runs=${2:-5}
cd "$(dirname "$0")/.."
guts=.build/release/guts
[ -x "$guts" ] || swift build -c release --product guts >/dev/null
command -v hyperfine >/dev/null || { echo "compare-clone: needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }

work=$(mktemp -d)
node_pid="" daemon_pid=""
trap 'kill $node_pid $daemon_pid 2>/dev/null || true; rm -rf "$work"' EXIT
token=compare-$$-$RANDOM

GUTS_ADMIN_TOKEN=$token "$guts" serve --listen 127.0.0.1:0 --data-dir "$work/data" --log-level warning >"$work/node.log" 2>&1 &
node_pid=$!
for _ in $(seq 1 200); do [ -s "$work/data/node.json" ] && break; sleep 0.05; done
guts_url=$(sed -E 's/.*"url":"([^"]+)".*/\1/; s/\\//g' "$work/data/node.json")

git clone -q --bare "$source_repo" "$work/daemon/repo.git"
# Compare on branches and tags only, as a push to the node carries them.
git -C "$work/daemon/repo.git" for-each-ref --format='%(refname)' | { grep -vE '^refs/(heads|tags)/' || true; } |
    xargs -r -n1 git -C "$work/daemon/repo.git" update-ref -d
git -C "$work/daemon/repo.git" gc -q
port=$((20000 + RANDOM % 20000))
git daemon --reuseaddr --export-all --base-path="$work/daemon" --listen=127.0.0.1 --port=$port >"$work/daemon.log" 2>&1 &
daemon_pid=$!
git -C "$work/daemon/repo.git" push -q "http://git:$token@${guts_url#http://}/bench/repo.git" 'refs/heads/*:refs/heads/*' 'refs/tags/*:refs/tags/*'
sleep 0.5

echo "repository: $source_repo ($(git -C "$work/daemon/repo.git" rev-list --all --count) commits, $(git -C "$work/daemon/repo.git" for-each-ref | wc -l) refs)"
for name in guts daemon; do
    url=$([ $name = guts ] && echo "$guts_url/bench/repo.git" || echo "git://127.0.0.1:$port/repo.git")
    git clone -q --bare "$url" "$work/probe-$name.git"
    bytes=$(stat -c %s "$work"/probe-$name.git/objects/pack/*.pack)
    echo "$name: pack bytes $bytes"
    hyperfine --runs "$runs" --warmup 1 --style basic --export-json "$work/$name.json" \
        --prepare "rm -rf $work/clone-$name.git" "git clone -q --bare $url $work/clone-$name.git" >/dev/null
    python3 -c "import json,sys; r=json.load(open('$work/$name.json'))['results'][0]; print('$name: clone median %.3f s (min %.3f, max %.3f, %d runs)' % (r['median'], r['min'], r['max'], len(r['times'])))"
done
