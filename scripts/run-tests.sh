#!/usr/bin/env bash
# Runs the ctest suite of a build directory with a readable summary.
# Usage: scripts/run-tests.sh BUILD_DIR [extra ctest args]
set -uo pipefail
dir=${1:?usage: run-tests.sh BUILD_DIR [ctest args]}
shift
# Integration tests mostly wait on real time (splits, reconnects), so run more than one per core.
jobs=${CTEST_JOBS:-$(( $(nproc) * 2 ))}
start=$(date +%s)
ctest --test-dir "$dir" --output-on-failure --timeout 600 -j "$jobs" "$@"
rc=$?
echo "== $(basename "$dir"): ctest finished in $(( $(date +%s) - start )) s, exit code $rc"
exit $rc
