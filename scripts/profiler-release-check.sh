#!/usr/bin/env bash
# Builds guts in release mode and checks that the CPU profiler finds and names a known
# hot function there too (optimised code, internal symbols from the ELF .symtab).
#   GUTS_SCRATCH=/path  uses a separate build directory (optional).
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=()
if [[ -n "${GUTS_SCRATCH:-}" ]]; then scratch=(--scratch-path "$GUTS_SCRATCH"); fi
swift build -c release --product guts "${scratch[@]}"
bin="$(swift build -c release "${scratch[@]}" --show-bin-path)/guts"

echo "== guts profile selftest (release)"
"$bin" profile selftest --seconds 2

echo "== guts profile -- profile selftest --workload-only (release)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$bin" profile --duration 10s --rate 199 --folded "$out/cpu.folded" --pprof "$out/cpu.pb.gz" \
    -- profile selftest --workload-only --seconds 2
total=$(awk '{ n += $NF } END { print n + 0 }' "$out/cpu.folded")
hot=$(grep 'hotLoopForProfilerTest' "$out/cpu.folded" | awk '{ n += $NF } END { print n + 0 }')
echo "hot samples: $hot of $total"
if (( total == 0 || hot * 2 <= total )); then
    echo "FAIL: hotLoopForProfilerTest does not carry most samples in the release build" >&2
    exit 1
fi
if command -v go >/dev/null 2>&1; then
    go tool pprof -top "$out/cpu.pb.gz" | head -12
    go tool pprof -top "$out/cpu.pb.gz" | grep -q hotLoopForProfilerTest
else
    echo "go not installed: skipping go tool pprof check"
fi
echo "release check passed"
