#!/usr/bin/env bash
# The JSON API and raw routes of a release `guts serve` beside nginx serving the same bytes
# as static files, in the same run: wrk -t2 -cCONNECTIONS for each route, node and nginx
# alternating, PAIRS times; prints the median req/s and p99 of each and their ratios.
# The last row is Hummingbird itself (Benchmarks/HummingbirdFloor) beside the same nginx.
# Usage: scripts/api-vs-nginx.sh [BARE_REPOSITORY] [pairs] [seconds] [connections]
# The repository (default: a generated one) gives /commits a real history.
set -euo pipefail
source_repo=${1:-}
pairs=${2:-5}
seconds=${3:-5}
connections=${4:-100}
[ -n "$source_repo" ] && source_repo=$(cd "$source_repo" && pwd)
cd "$(dirname "$0")/.."
guts=.build/release/guts
[ -x "$guts" ] || swift build -c release --product guts >/dev/null
# Hummingbird's own floor (Benchmarks/HummingbirdFloor): one fixed route through the router
# and nothing else, measured beside nginx's /health/live after the node's routes. FLOOR=0 skips it.
floor=Benchmarks/HummingbirdFloor/.build/release/hbfloor
[ "${FLOOR:-1}" = 0 ] || [ -x "$floor" ] || (cd Benchmarks/HummingbirdFloor && swift build -c release --product hbfloor >/dev/null)
for tool in wrk nginx; do command -v $tool >/dev/null || PATH=$PATH:/usr/sbin; command -v $tool >/dev/null || { echo "api-vs-nginx: needs $tool (GUTS_SETUP_EXTRAS=1 bash scripts/setup.sh)" >&2; exit 1; }; done

work=$(mktemp -d)
node_pid="" nginx_pid="" floor_pid=""
trap 'kill $node_pid $floor_pid 2>/dev/null || true; [ -n "$nginx_pid" ] && kill $nginx_pid 2>/dev/null || true; rm -rf "$work"' EXIT
token=api-$$-$RANDOM
GUTS_ADMIN_TOKEN=$token "$guts" serve --listen 127.0.0.1:0 --data-dir "$work/data" ${GUTS_SERVE_ARGS:-} >"$work/node.log" 2>&1 &
node_pid=$!
for _ in $(seq 1 200); do [ -s "$work/data/node.json" ] && break; sleep 0.05; done
url=$(sed -E 's/.*"url":"([^"]+)".*/\1/; s/\\//g' "$work/data/node.json")

if [ -z "$source_repo" ]; then
    source_repo="$work/source"
    git init -q -b main "$source_repo"
    for i in $(seq 1 200); do echo "line $i" >> "$source_repo/README.md"; git -C "$source_repo" add -A; git -C "$source_repo" commit -qm "commit $i"; done
fi
git -C "$source_repo" push -q "http://git:$token@${url#http://}/bench/repo.git" 'refs/heads/*:refs/heads/*' 'refs/tags/*:refs/tags/*'
curl -s -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{"name":"bench/other"}' "$url/api/repos" >/dev/null
branch=$(git -C "$source_repo" symbolic-ref --short HEAD 2>/dev/null || echo main)
commit=$(git -C "$source_repo" rev-parse "$branch")
file=$(git -C "$source_repo" ls-tree --name-only "$commit" | while read -r f; do [ "$(git -C "$source_repo" cat-file -t "$commit:$f")" = blob ] && echo "$f" && break; done)

routes=("/health/live" "/api/repos" "/bench/repo/raw/$commit/$file" "/api/repos/bench/repo/commits?ref=$branch")
mkdir -p "$work/www"
for i in "${!routes[@]}"; do curl -sf "$url${routes[$i]}" -o "$work/www/route$i"; done
port=$((20000 + RANDOM % 20000))
cat >"$work/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    types { application/json json; }
    server { listen 127.0.0.1:$port; root $work/www; location / { default_type application/json; } }
}
CONF
nginx -c "$work/nginx.conf" -p "$work" -g 'daemon off;' &
nginx_pid=$!
sleep 0.5

measure() { # url -> "req/s p99_ms"
    wrk -t2 -c"$connections" -d"${seconds}s" --latency "$1" | awk '
        /Requests\/sec/ {rps=$2}
        /^ +99%/ {v=$2; ms=v+0; if (v ~ /us$/) ms=v/1000; else if (v ~ /ms$/) ms=v+0; else if (v ~ /s$/) ms=v*1000; p99=ms}
        END {printf "%.0f %.2f\n", rps, p99}'
}
report() { # label, file of node runs, file of nginx runs
    python3 - "$2" "$3" "$1" <<'PY'
import statistics, sys
g = [list(map(float, l.split())) for l in open(sys.argv[1])]
n = [list(map(float, l.split())) for l in open(sys.argv[2])]
route = sys.argv[3] if len(sys.argv[3]) <= 44 else sys.argv[3][:41] + "..."
gr, gp = statistics.median(x[0] for x in g), statistics.median(x[1] for x in g)
nr, np_ = statistics.median(x[0] for x in n), statistics.median(x[1] for x in n)
print("%-44s %10.0f %9.2f %10.0f %9.2f %7.2fx %7.2fx" % (route, gr, gp, nr, np_, gr / nr, gp / np_ if np_ else 0))
PY
}
compare() { # label, url, nginx url
    wrk -t2 -c"$connections" -d2s "$2" >/dev/null
    : >"$work/g" ; : >"$work/n"
    for _ in $(seq 1 "$pairs"); do
        measure "$2" >>"$work/g"
        measure "$3" >>"$work/n"
    done
    report "$1" "$work/g" "$work/n"
}
printf '%-44s %10s %9s %10s %9s %8s %8s\n' route "guts r/s" "p99 ms" "nginx r/s" "p99 ms" "r/s" "p99"
for i in "${!routes[@]}"; do
    compare "${routes[$i]}" "$url${routes[$i]}" "http://127.0.0.1:$port/route$i"
done
if [ "${FLOOR:-1}" != 0 ]; then
    kill $node_pid; wait $node_pid 2>/dev/null || true; node_pid=""
    floor_port=$((port + 1))
    "$floor" $floor_port >/dev/null 2>&1 &
    floor_pid=$!
    sleep 1
    compare "hummingbird floor: /health/live, no middleware" "http://127.0.0.1:$floor_port/health/live" "http://127.0.0.1:$port/route0"
fi
