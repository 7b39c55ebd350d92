#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each for SECONDS on its checked-in seed corpus
# (tests/fuzz/corpus/<target>). New inputs go to the build folder, never into the repository;
# a crash leaves its input in BUILD_DIR/artifacts/ and fails the run. Each crash found is kept in
# tests/fuzz/findings/ and becomes a unit test (tests/*/test_fuzz_findings.cpp).
# The targets live in the ASan build that `make test-asan` uses (clang, ASan+UBSan, coverage).
# Usage: scripts/run-fuzz.sh [SECONDS per target] [BUILD_DIR]
set -uo pipefail
seconds=${1:-60}
dir=${2:-build/asan}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/configure-asan.sh "$dir" || exit 1
cmake --build "$dir" --target fuzz_targets || exit 1
targets=$(cd tests/fuzz && ls fuzz_*.cpp | sed 's/\.cpp$//')
mkdir -p "$dir/artifacts"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$root/tests/fuzz/ubsan.supp"
start=$(date +%s)
failed=()
run_one() {
    local t=$1
    mkdir -p "$dir/corpus/$t"
    # -rss_limit_mb: a parser of outside bytes must never need much memory; 1 GiB is generous.
    "$dir/tests/fuzz/$t" "$dir/corpus/$t" "tests/fuzz/corpus/$t" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=1024 -max_len=65536 -artifact_prefix="$dir/artifacts/$t-" -print_final_stats=1 \
        >"$dir/$t.log" 2>&1
}
# Two at a time: one per core.
pids=()
names=()
for t in $targets; do
    run_one "$t" &
    pids+=($!)
    names+=("$t")
    if [[ ${#pids[@]} -ge $(nproc) ]]; then
        wait "${pids[0]}" || failed+=("${names[0]}")
        pids=("${pids[@]:1}")
        names=("${names[@]:1}")
    fi
done
for i in "${!pids[@]}"; do wait "${pids[$i]}" || failed+=("${names[$i]}"); done
for t in $targets; do
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$dir/$t.log" | grep -o '[0-9]*$')
    cov=$(grep -o 'cov: [0-9]*' "$dir/$t.log" | tail -1)
    echo "== fuzz $t: ${runs:-0} runs, ${cov:-no coverage line}"
done
echo "== fuzz: ${seconds} s per target, finished in $(( $(date +%s) - start )) s"
if [[ ${#failed[@]} -gt 0 ]]; then
    for t in "${failed[@]}"; do
        echo "== fuzz $t FAILED; its log ($dir/$t.log) ends with:"
        tail -40 "$dir/$t.log"
    done
    exit 1
fi
