#!/usr/bin/env bash
# CI smoke: every fuzz target for ~30 s (FUZZ_SECONDS to change it). Skips, and
# exits 0, when cargo-fuzz is not installed.
set -uo pipefail
cd "$(dirname "$0")"
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz smoke: skipped (cargo-fuzz is not installed; cargo install cargo-fuzz)"
    exit 0
fi
exec ./run.sh "${FUZZ_SECONDS:-30}"
