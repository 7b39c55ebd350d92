#!/usr/bin/env bash
# What record-time levels and live events cost isrd: 8 generator sources (48 kHz stereo 16-bit
# WAV) with levels = no, levels = yes, and levels plus live_events, each for the same time.
# The generator's own synthesis is in all three; the differences are the levels' cost.
# Usage: bench/levels_cost.sh [BUILD_DIR] [SECONDS]
source "$(dirname "$0")/common.sh"
seconds=${2:-60}
sources=8

run() { # $1: label, $2: the keys that differ
    local dir="$scratch/${1// /_}"
    mkdir -p "$dir"
    {
        printf '[general]\noutput_directory = %s/rec\nlog_file =\nlog_level = WARNING\n' "$dir"
        printf 'control_socket = %s/isrd.sock\ntype = generator\nsample_rate = 48000\n' "$dir"
        printf 'channels = 2\nformat = wav\nfilename_pattern = {source}_%%H%%M%%S\n%b\n' "$2"
        for i in $(seq "$sources"); do printf '[g%d]\nseed = %d\n' "$i" "$i"; done
    } > "$dir/config.ini"
    local result
    result=$($measure --duration "$seconds" -- "$isrd" "$dir/config.ini")
    printf '%-28s %10s\n' "$1" "$(json "$result" cpu_s)"
}

echo "$sources generator sources, 48 kHz stereo 16-bit WAV, ${seconds} s each; isrd's CPU (s)"
run "levels = no" 'levels = no'
run "levels = yes" 'levels = yes'
run "levels + live_events" 'levels = yes\nlive_events = yes'
echo "per source and per cent of a core: (difference in s) / $sources / $seconds * 100"
