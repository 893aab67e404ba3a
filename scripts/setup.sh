#!/usr/bin/env bash
# Installs the Debian packages Guts builds and tests with; a no-op when they are present.
set -euo pipefail
packages=(librocksdb-dev libunwind-dev zlib1g-dev libssl-dev git git-lfs curl python3)
if [ "${GUTS_SETUP_EXTRAS:-0}" = 1 ]; then
    # Comparison and diagnostics tools used by tests and benchmarks.
    packages+=(golang-go wrk rocksdb-tools unzip xxd nginx-light fcgiwrap chromium libc6-dbg hyperfine etcd-server prometheus)
fi
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
