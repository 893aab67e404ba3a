#!/usr/bin/env bash
# OpenSSL's SHA1_* (what GutsGit's SHA1 calls) beside swift-crypto's Insecure.SHA1 on
# git-object-shaped inputs, in one process, alternating, median of 7 runs per size.
# Its own package, so the main build never compiles BoringSSL. Results: docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/../Benchmarks/SHA1Comparison"
swift build -c release --product sha1bench >&2
.build/release/sha1bench
