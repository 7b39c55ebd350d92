#!/usr/bin/env bash
# Analysing a 1 h 44.1 kHz stereo FLAC: isr-web's analysis against (a) decoding alone through
# the same library, (b) ffmpeg's silencedetect, (c) sox's stats, in the same run; peak memory
# for a 1 h and a 4 h file; a cached re-run with new parameters; the first byte of a clip
# 50 minutes in. The generated files are kept in bench/data/ for later runs.
# Usage: bench/analysis.sh [BUILD_DIR] [RUNS]
source "$(dirname "$0")/common.sh"
runs=${2:-3}
data="$bench_dir/data"
mkdir -p "$data"
hour="$data/hour.flac"
four="$data/four_hours.flac"
if [[ ! -f "$hour" ]]; then
    echo "generating $hour (1 h, 44.1 kHz stereo pink noise with events)..."
    ffmpeg -nostdin -v error -f lavfi -i "anoisesrc=d=3600:c=pink:r=44100:a=0.03" \
        -f lavfi -i "sine=frequency=1200:sample_rate=44100:d=3600" \
        -filter_complex "[1]volume='if(lt(mod(t,300),2),0.4,0)':eval=frame[e];[0][e]amix=inputs=2:normalize=0" \
        -ac 2 -c:a flac "$data/tmp.flac" && mv "$data/tmp.flac" "$hour"
fi
if [[ ! -f "$four" ]]; then
    echo "generating $four (the hour four times, re-encoded so that STREAMINFO says 4 h)..."
    printf "file '%s'\n" "$hour" "$hour" "$hour" "$hour" > "$data/list.txt"
    ffmpeg -nostdin -v error -f concat -safe 0 -i "$data/list.txt" -c:a flac "$data/tmp4.flac" && mv "$data/tmp4.flac" "$four"
fi
ls -la "$hour" "$four" | awk '{print $5/1e6 " MB  " $9}'

echo "== wall time, median of $runs (both cores available to all)"
hyperfine --runs "$runs" --export-markdown "$scratch/wall.md" \
    -n "isr-web analyze" "$isr_web analyze '$hour'" \
    -n "decode only (libsndfile, 1 thread)" "$build/bench/isr_bench_decode '$hour'" \
    -n "flac -d to /dev/null" "flac -s -d -c '$hour' > /dev/null" \
    -n "ffmpeg silencedetect" "ffmpeg -nostdin -v error -i '$hour' -af silencedetect -f null -" \
    -n "sox stats" "sox '$hour' -n stats" >/dev/null
cat "$scratch/wall.md"

echo "== CPU and memory"
analyze=$($measure -- "$isr_web" analyze "$hour")
decode=$($measure -- "$build/bench/isr_bench_decode" "$hour")
analyze4=$($measure -- "$isr_web" analyze "$four")
printf '%-36s %8s %8s %14s\n' "" "wall (s)" "CPU (s)" "peak RSS (MB)"
printf '%-36s %8s %8s %14s\n' "isr-web analyze, 1 h" "$(json "$analyze" wall_s)" "$(json "$analyze" cpu_s)" "$(json "$analyze" peak_rss_mb)"
printf '%-36s %8s %8s %14s\n' "decode only, 1 h" "$(json "$decode" wall_s)" "$(json "$decode" cpu_s)" "$(json "$decode" peak_rss_mb)"
printf '%-36s %8s %8s %14s\n' "isr-web analyze, 4 h" "$(json "$analyze4" wall_s)" "$(json "$analyze4" cpu_s)" "$(json "$analyze4" peak_rss_mb)"
echo "analysis CPU / decode-only CPU: $(ratio "$(json "$analyze" cpu_s)" "$(json "$decode" cpu_s)")"

echo "== through the server: cached re-run, first clip byte 50 min in"
mkdir -p "$scratch/rec"
# A copy, not a symlink: isr-web refuses links that lead out of its recordings directory.
cp "$hour" "$scratch/rec/hour.flac"
port=$(free_port)
"$isr_web" --dir "$scratch/rec" --analyses-dir "$scratch/analyses" --bind 127.0.0.1 --port "$port" --log-level WARNING & pids+=($!)
wait_port "$port"
base="http://127.0.0.1:$port"
curl -s -o /dev/null -w "first analysis (decodes): %{time_total} s\n" "$base/api/analyze?file=hour.flac"
for m in 9 10 11 13 14; do
    curl -s -o /dev/null -w "cached levels, margin $m: %{time_total} s\n" "$base/api/analyze?file=hour.flac&margin=$m&min_gap=3"
done
for i in 1 2 3; do
    curl -s -o /dev/null -w "clip at 50:00, first byte after %{time_starttransfer} s (whole 10 s clip %{time_total} s)\n" \
        "$base/api/clip?file=hour.flac&start=50:0$i&end=50:1$i"
done
