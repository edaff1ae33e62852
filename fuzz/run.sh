#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each, one after the
# other, and prints libFuzzer's final stats line per target.
#
#   fuzz/run.sh 600                 # the full run: 10 minutes per target
#   fuzz/run.sh 30 repair markdown  # a quick look at two targets
#
# Corpora grow in fuzz/corpus/<target> (not committed); the handwritten seeds in
# fuzz/seeds/<target> are read too. Crashes land in fuzz/artifacts/<target>.
set -uo pipefail
cd "$(dirname "$0")"
secs="${1:-30}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(frontmatter sections items repair markdown page html)
fi
# cargo fuzz needs nightly features: a nightly toolchain if there is one, else
# the stable one with RUSTC_BOOTSTRAP=1.
if rustup run nightly rustc --version >/dev/null 2>&1; then
    fuzz=(cargo +nightly fuzz)
else
    export RUSTC_BOOTSTRAP=1
    fuzz=(cargo fuzz)
fi
mkdir -p logs
if ! "${fuzz[@]}" build -s none >logs/build.log 2>&1; then
    echo "fuzz: build failed, see fuzz/logs/build.log"
    tail -20 logs/build.log
    exit 1
fi
status=0
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    "${fuzz[@]}" run -s none "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 >"logs/$t.log" 2>&1
    rc=$?
    stats=$(grep -E '^#[0-9]+\s+DONE' "logs/$t.log" | tail -1)
    runs=$(grep -E '^stat::number_of_executed_units' "logs/$t.log" | awk '{print $2}')
    if [ $rc -eq 0 ] && ! [ "${runs:-0}" -gt 0 ] 2>/dev/null; then
        echo "$t: FAILED: no executions reported (see fuzz/logs/$t.log)"
        status=1
    elif [ $rc -eq 0 ]; then
        echo "$t: ok, ${runs:-?} executions in ${secs}s; ${stats:-no stats line}"
    else
        echo "$t: FAILED (exit $rc), see fuzz/logs/$t.log and fuzz/artifacts/$t/"
        grep -E 'panicked|ERROR: libFuzzer|SUMMARY' "logs/$t.log" | head -5
        status=1
    fi
done
exit $status
