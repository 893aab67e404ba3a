#!/usr/bin/env bash
# Sets up a fresh machine and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
GUTS_SETUP_EXTRAS=1 bash scripts/setup.sh
swift build --build-tests
# The benchmark scenario tests put real load on an embedded node; other suites in the same
# process block the shared cooperative threads while they wait on git subprocesses, which
# would starve that node. So they run on their own, after everything else.
# The cluster suite (3 etcd members and 3 nodes) and the profiler's sampling tests run on
# their own for the same reason: beside the cluster's processes the samplers starve.
swift test --skip-build --skip ScenarioTests --skip ClusterTests --skip CPUProfilerTests --skip NodeProfilingTests
swift test --skip-build --filter ClusterTests
swift test --skip-build --filter "CPUProfilerTests|NodeProfilingTests"
swift test --skip-build --filter ScenarioTests
# The profiler must name a known hot function in an optimised build too.
bash scripts/profiler-release-check.sh
# A short smoke of every fuzz target (docs/FUZZING.md has the long runs).
bash scripts/fuzz.sh --seconds 10
