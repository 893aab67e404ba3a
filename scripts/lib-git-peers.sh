# Sourced by the clone comparison scripts: starts a release `guts serve` and `git daemon` on
# loopback, both holding the branches and tags of one bare repository, and stops them on exit.
# After `start_git_peers SOURCE_REPOSITORY`: $work (scratch dir), $guts_url (node base URL,
# repository at $guts_url/bench/repo.git), $daemon_url (git://.../repo.git), $daemon_repo.
# Extra `git config` settings for the daemon's copy: DAEMON_CONFIG="key value;key value".
start_git_peers() {
    local source_repo=$1
    guts=.build/release/guts
    [ -x "$guts" ] || swift build -c release --product guts >/dev/null
    command -v hyperfine >/dev/null || { echo "$(basename "$0"): needs hyperfine (GUTS_SETUP_EXTRAS=1 bash scripts/setup.sh)" >&2; exit 1; }
    work=$(mktemp -d)
    node_pid="" daemon_pid=""
    trap 'kill $node_pid $daemon_pid 2>/dev/null || true; rm -rf "$work"' EXIT
    local token=peers-$$-$RANDOM
    GUTS_ADMIN_TOKEN=$token "$guts" serve --listen 127.0.0.1:0 --data-dir "$work/data" --log-level warning >"$work/node.log" 2>&1 &
    node_pid=$!
    for _ in $(seq 1 200); do [ -s "$work/data/node.json" ] && break; sleep 0.05; done
    guts_url=$(sed -E 's/.*"url":"([^"]+)".*/\1/; s/\\//g' "$work/data/node.json")

    daemon_repo="$work/daemon/repo.git"
    git clone -q --bare "$source_repo" "$daemon_repo"
    # Compare on branches and tags only, as a push to the node carries them.
    git -C "$daemon_repo" for-each-ref --format='%(refname)' | { grep -vE '^refs/(heads|tags)/' || true; } |
        xargs -r -n1 git -C "$daemon_repo" update-ref -d
    git -C "$daemon_repo" gc -q
    local setting
    IFS=';' read -ra settings <<<"${DAEMON_CONFIG:-}"
    for setting in "${settings[@]}"; do [ -n "$setting" ] && git -C "$daemon_repo" config $setting; done
    local port=$((20000 + RANDOM % 20000))
    git daemon --reuseaddr --export-all --base-path="$work/daemon" --listen=127.0.0.1 --port=$port >"$work/daemon.log" 2>&1 &
    daemon_pid=$!
    daemon_url="git://127.0.0.1:$port/repo.git"
    git -C "$daemon_repo" push -q "http://git:$token@${guts_url#http://}/bench/repo.git" 'refs/heads/*:refs/heads/*' 'refs/tags/*:refs/tags/*'
    sleep 0.5
}
