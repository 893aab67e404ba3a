#!/usr/bin/env bash
# Sets up a fresh machine, builds guts in release mode and runs the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product guts
exec .build/release/guts "$@"
