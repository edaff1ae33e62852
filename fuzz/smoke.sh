#!/usr/bin/env bash
# CI smoke: every fuzz target for ~30 s (FUZZ_SECONDS to change it). Fails when
# it cannot run (no cargo-fuzz, a build error, a target that executed nothing):
# a smoke that quietly did nothing would read as a pass.
set -uo pipefail
cd "$(dirname "$0")"
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz smoke: FAILED: cargo-fuzz is not installed (cargo install cargo-fuzz --locked)"
    exit 1
fi
exec ./run.sh "${FUZZ_SECONDS:-30}"
