#!/usr/bin/env bash
# Configures the sanitizer build shared by `make test-asan` and `make fuzz`: clang, ASan+UBSan,
# libFuzzer coverage, the tests and the fuzz targets in one tree.
# Usage: scripts/configure-asan.sh BUILD_DIR
set -euo pipefail
dir=${1:?usage: configure-asan.sh BUILD_DIR}
cd "$(dirname "$0")/.."
CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DISR_SANITIZE=ON -DISR_FUZZ=ON >/dev/null
