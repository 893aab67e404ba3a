#!/usr/bin/env bash
# Partial clone on a real history: clones one repository from a release `guts serve` and from
# `git daemon` (uploadpack.allowFilter on), full and with filters, and prints for each the
# median wall time (hyperfine) and the bytes of the pack received; then checks the node's
# blob-less clone (lazy checkout of another branch, fsck).
# Usage: scripts/partial-clone.sh BARE_REPOSITORY [runs]
set -euo pipefail
source_repo=$(cd "$1" && pwd)
runs=${2:-5}
cd "$(dirname "$0")/.."
source scripts/lib-git-peers.sh
DAEMON_CONFIG="uploadpack.allowFilter true;uploadpack.allowAnySHA1InWant true" start_git_peers "$source_repo"
echo "repository: $source_repo ($(git -C "$daemon_repo" rev-list --all --count) commits, $(git -C "$daemon_repo" count-objects -v | awk '/^in-pack/ {print $2}') objects)"

median() { python3 -c "import json; r=json.load(open('$1'))['results'][0]; print('%.3f' % r['median'])"; }
printf '%-14s %-7s %12s %10s\n' filter server "pack bytes" "median s"
for filter in none blob:none tree:0 blob:limit=10k; do
    option=$([ $filter = none ] && echo "" || echo "--filter=$filter")
    for name in guts daemon; do
        url=$([ $name = guts ] && echo "$guts_url/bench/repo.git" || echo "$daemon_url")
        probe="$work/probe-$name-${filter//[:=]/-}.git"
        git clone -q --bare $option "$url" "$probe"
        bytes=$(cat "$probe"/objects/pack/*.pack | wc -c)
        hyperfine --runs "$runs" --warmup 1 --style none --export-json "$work/timing.json" \
            --prepare "rm -rf $work/clone" "git clone -q --bare $option $url $work/clone" >/dev/null
        printf '%-14s %-7s %12d %10s\n' "$filter" "$name" "$bytes" "$(median "$work/timing.json")"
    done
done

# The node's blob-less clone works as a checkout: HEAD's blobs come in one lazy fetch,
# another branch's in the next, and fsck passes.
start=$(date +%s.%N)
git clone -q --filter=blob:none "$guts_url/bench/repo.git" "$work/work"
echo "guts: blob-less clone with checkout of HEAD $(echo "$(date +%s.%N) - $start" | bc) s"
other=$(git -C "$work/work" for-each-ref --format='%(refname:short)' refs/remotes/origin | grep -v HEAD | tail -1)
git -C "$work/work" checkout -q "${other#origin/}" && echo "guts: lazy checkout of $other ok"
git -C "$work/work" fsck --no-dangling >/dev/null 2>&1 && echo "guts: fsck of the blob-less clone clean"
