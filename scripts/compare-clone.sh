#!/usr/bin/env bash
# Clones one repository from `guts serve` and from `git daemon` on this machine, one after
# the other, and prints wall time (hyperfine, median) and pack bytes for each.
# Usage: scripts/compare-clone.sh /path/to/repository [runs]
set -euo pipefail
source_repo=$(cd "$1" && pwd)
runs=${2:-5}
cd "$(dirname "$0")/.."
source scripts/lib-git-peers.sh
start_git_peers "$source_repo"

echo "repository: $source_repo ($(git -C "$daemon_repo" rev-list --all --count) commits, $(git -C "$daemon_repo" for-each-ref | wc -l) refs)"
for name in guts daemon; do
    url=$([ $name = guts ] && echo "$guts_url/bench/repo.git" || echo "$daemon_url")
    git clone -q --bare "$url" "$work/probe-$name.git"
    bytes=$(stat -c %s "$work"/probe-$name.git/objects/pack/*.pack)
    echo "$name: pack bytes $bytes"
    hyperfine --runs "$runs" --warmup 1 --style basic --export-json "$work/$name.json" \
        --prepare "rm -rf $work/clone-$name.git" "git clone -q --bare $url $work/clone-$name.git" >/dev/null
    python3 -c "import json,sys; r=json.load(open('$work/$name.json'))['results'][0]; print('$name: clone median %.3f s (min %.3f, max %.3f, %d runs)' % (r['median'], r['min'], r['max'], len(r['times'])))"
done
