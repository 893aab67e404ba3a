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
guts=.build/release/guts
[ -x "$guts" ] || swift build -c release --product guts >/dev/null
command -v hyperfine >/dev/null || { echo "partial-clone: needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }

work=$(mktemp -d)
node_pid="" daemon_pid=""
trap 'kill $node_pid $daemon_pid 2>/dev/null || true; rm -rf "$work"' EXIT
token=partial-$$-$RANDOM
GUTS_ADMIN_TOKEN=$token "$guts" serve --listen 127.0.0.1:0 --data-dir "$work/data" --log-level warning >"$work/node.log" 2>&1 &
node_pid=$!
for _ in $(seq 1 200); do [ -s "$work/data/node.json" ] && break; sleep 0.05; done
guts_url=$(sed -E 's/.*"url":"([^"]+)".*/\1/; s/\\//g' "$work/data/node.json")

git clone -q --bare "$source_repo" "$work/daemon/repo.git"
git -C "$work/daemon/repo.git" for-each-ref --format='%(refname)' | { grep -vE '^refs/(heads|tags)/' || true; } |
    xargs -r -n1 git -C "$work/daemon/repo.git" update-ref -d
git -C "$work/daemon/repo.git" gc -q
git -C "$work/daemon/repo.git" config uploadpack.allowFilter true
git -C "$work/daemon/repo.git" config uploadpack.allowAnySHA1InWant true
port=$((20000 + RANDOM % 20000))
git daemon --reuseaddr --export-all --base-path="$work/daemon" --listen=127.0.0.1 --port=$port >"$work/daemon.log" 2>&1 &
daemon_pid=$!
git -C "$work/daemon/repo.git" push -q "http://git:$token@${guts_url#http://}/bench/repo.git" 'refs/heads/*:refs/heads/*' 'refs/tags/*:refs/tags/*'
sleep 0.5
echo "repository: $source_repo ($(git -C "$work/daemon/repo.git" rev-list --all --count) commits, $(git -C "$work/daemon/repo.git" count-objects -v | awk '/^in-pack/ {print $2}') objects)"

median() { python3 -c "import json; r=json.load(open('$1'))['results'][0]; print('%.3f' % r['median'])"; }
printf '%-14s %-7s %12s %10s\n' filter server "pack bytes" "median s"
for filter in none blob:none tree:0 blob:limit=10k; do
    option=$([ $filter = none ] && echo "" || echo "--filter=$filter")
    for name in guts daemon; do
        url=$([ $name = guts ] && echo "$guts_url/bench/repo.git" || echo "git://127.0.0.1:$port/repo.git")
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
