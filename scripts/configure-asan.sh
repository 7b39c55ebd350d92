#!/usr/bin/env bash
# Configures the sanitizer build shared by `make test-asan` and `make fuzz`: clang, ASan+UBSan,
# libFuzzer coverage, the tests and the fuzz targets in one tree.
# Usage: scripts/configure-asan.sh BUILD_DIR
set -euo pipefail
dir=${1:?usage: configure-asan.sh BUILD_DIR}
cd "$(dirname "$0")/.."
# -gline-tables-only: reports keep their file:line frames, and the build takes a fifth less time
# than with full debug information; the libraries as unity builds (ISR_UNITY), 30 % less again
# (make test's budget).
CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS_DEBUG=-gline-tables-only -DCMAKE_C_FLAGS_DEBUG=-gline-tables-only \
    -DISR_SANITIZE=ON -DISR_FUZZ=ON -DISR_UNITY=ON >/dev/null
