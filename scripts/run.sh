#!/usr/bin/env bash
# Sets up a fresh machine, builds guts in release mode and runs it (`guts serve` by default).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product guts
# With no arguments, the main job: a node on 127.0.0.1:8080 with its data in ./guts-data.
[ "$#" -gt 0 ] || set -- serve
exec .build/release/guts "$@"
