#!/usr/bin/env bash
# Runs every benchmark against a build (default build/release). Each compares isr with the peer
# a user would otherwise run, in the same run (machines here are noisy: read the ratios).
set -uo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
build=${1:-$dir/../build/release}
for bench in pcm_recording stream_recording stream_levels web_serving analysis highlights replay; do
    echo
    echo "################ $bench"
    "$dir/$bench.sh" "$build"
done
