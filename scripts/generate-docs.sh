#!/usr/bin/env bash
# Regenerates man/ (roff pages) and completions/ (bash, zsh, fish) from the CLI's own
# definitions. Commit the result; GutsNodeTests/DocsTests fails when they are stale.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product guts >/dev/null
.build/debug/guts generate-docs --output .
echo "generate-docs: wrote man/ and completions/" >&2
