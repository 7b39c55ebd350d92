#!/usr/bin/env bash
# Runs the ctest suite of a build directory with a readable summary.
# Usage: scripts/run-tests.sh BUILD_DIR [extra ctest args]
set -uo pipefail
dir=${1:?usage: run-tests.sh BUILD_DIR [ctest args]}
shift
# Integration tests mostly wait on real time (splits, reconnects), so run more than one per core.
jobs=${CTEST_JOBS:-$(( $(nproc) * 2 ))}
# Sanitizer builds (make test-asan, test-tsan): stop at the first report, with its stack; the
# programs the integration tests start inherit these.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0}
root=$(cd "$(dirname "$0")/.." && pwd)
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$root/tests/fuzz/ubsan.supp}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
start=$(date +%s)
ctest --test-dir "$dir" --output-on-failure --timeout 600 -j "$jobs" "$@"
rc=$?
echo "== $(basename "$dir"): ctest finished in $(( $(date +%s) - start )) s, exit code $rc"
exit $rc
