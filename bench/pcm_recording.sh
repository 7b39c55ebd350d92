#!/usr/bin/env bash
# isrd recording 8 ALSA sources (48 kHz stereo, through alsa-lib and the test plugin) to FLAC,
# against 8 `arecord | flac` pipelines doing the same, for the same time, in the same run.
# Usage: bench/pcm_recording.sh [BUILD_DIR] [SECONDS]
source "$(dirname "$0")/common.sh"
seconds=${2:-60}
export ALSA_CONFIG_PATH="$build/tests/alsa/asound-test.conf"
[[ -f "$ALSA_CONFIG_PATH" ]] || { echo "needs $ALSA_CONFIG_PATH (build the tests)"; exit 1; }

config="$scratch/isrd.ini"
{
    printf '[general]\noutput_directory = %s/isrd\nsplit_interval = 1h\nlog_file =\nlog_level = WARNING\n' "$scratch"
    printf 'filename_pattern = {source}_%%H%%M%%S\n'
    for i in $(seq 8); do
        printf '[src%d]\ntype = soundcard\ndevice = isrtest_bench\nsample_rate = 48000\nchannels = 2\nformat = flac\ncompression_level = 5\n' "$i"
    done
} > "$config"

cat > "$scratch/peer.sh" <<PEER
#!/usr/bin/env bash
# The pipelines a user would otherwise run; waits for them so their CPU time is counted.
trap 'kill \$(jobs -p) 2>/dev/null; wait' TERM
mkdir -p "$scratch/peer"
for i in \$(seq 8); do
    arecord -q -D isrtest_bench -f S16_LE -r 48000 -c 2 -t raw \
        | flac -s -5 --force-raw-format --endian=little --sign=signed --channels=2 --bps=16 \
               --sample-rate=48000 -o "$scratch/peer/p\$i.flac" - &
done
wait
PEER
chmod +x "$scratch/peer.sh"

echo "8 sources, 48 kHz stereo 16-bit to FLAC (level 5), ${seconds} s each"
isrd_result=$($measure --duration "$seconds" -- "$isrd" "$config")
peer_result=$($measure --duration "$seconds" -- "$scratch/peer.sh")
printf '%-28s %10s %14s\n' "" "CPU (s)" "peak RSS (MB)"
printf '%-28s %10s %14s\n' "isrd (8 sources)" "$(json "$isrd_result" cpu_s)" "$(json "$isrd_result" peak_rss_mb)"
printf '%-28s %10s %14s\n' "8 x arecord | flac" "$(json "$peer_result" cpu_s)" "$(json "$peer_result" peak_rss_mb)"
echo "CPU ratio isrd / pipelines: $(ratio "$(json "$isrd_result" cpu_s)" "$(json "$peer_result" cpu_s)")"
du -sh "$scratch/isrd" "$scratch/peer" | sed 's/^/output: /'
