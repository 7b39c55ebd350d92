#!/usr/bin/env bash
# A day's ★ Highlights, cold (a fresh isr-web): a day of two sources recorded by isrd in hourly
# 48 kHz mono FLAC, with the levels isrd wrote while recording against the same archive with
# them removed (every file decoded, as before record-time levels). The day is recorded once by
# the generator at `speed` (faster than real time, through the real recording path) and kept
# in bench/data/day/ for later runs.
# Usage: bench/highlights.sh [BUILD_DIR] [RUNS]
source "$(dirname "$0")/common.sh"
runs=${2:-3}
day_dir="$bench_dir/data/day"

# Files are named in a zone where it is now 23:xx, so the next local day starts within the first
# (virtual) hour and the recording of one whole day takes at most 25 h of audio.
utc_hour=$((10#$(date -u +%H)))
offset=$(((23 - utc_hour + 24) % 24))
if ((offset > 14)); then zone="Etc/GMT+$((24 - offset))"; else zone="Etc/GMT-$offset"; fi

if [[ ! -f "$day_dir/day.txt" ]]; then
    rm -rf "$day_dir"
    mkdir -p "$day_dir"
    day=$(TZ="$zone" date -d tomorrow +%Y-%m-%d)
    compact=${day//-/}
    echo "recording $day (zone $zone) for two generator sources, as fast as the CPU allows..."
    cat > "$day_dir/isrd.ini" <<INI
[general]
output_directory = $day_dir/rec
split_interval = 1h
filename_pattern = {source}/%Y/%m/%d/{source}_%H%M%S
timezone = $zone
log_file =
log_level = WARNING
[garden]
type = generator
speed = 10000
format = flac
sample_rate = 48000
channels = 1
seed = 7
[street]
type = generator
speed = 10000
format = flac
sample_rate = 48000
channels = 1
seed = 11
INI
    "$isrd" --config "$day_dir/isrd.ini" & isrd_pid=$!
    pids+=("$isrd_pid")
    # Done once both sources have begun the day after (their file of that day closed).
    next=$(TZ="$zone" date -d "$day + 1 day" +%Y/%m/%d)
    until [[ -n $(ls "$day_dir/rec/garden/$next" 2>/dev/null) && -n $(ls "$day_dir/rec/street/$next" 2>/dev/null) ]]; do
        kill -0 "$isrd_pid" || { echo "isrd stopped"; exit 1; }
        sleep 2
    done
    kill -TERM "$isrd_pid"
    wait "$isrd_pid" || true
    echo "$day" > "$day_dir/day.txt"
fi
day=$(cat "$day_dir/day.txt")
day_path=${day//-//}
files=$(ls "$day_dir"/rec/*/"$day_path"/*.flac | wc -l)
levels=$(ls "$day_dir"/rec/analyses/*/"$day_path"/*.levels 2>/dev/null | wc -l)
echo "$day: $files recordings, $levels record-time levels files, $(du -sh "$day_dir/rec" | cut -f1) in all"

# One cold request: a fresh isr-web over a copy of the archive whose analysis folder is `$1`.
highlights() {
    local analyses=$1 port
    port=$(free_port)
    "$isr_web" --dir "$day_dir/rec" --analyses-dir "$analyses" --bind 127.0.0.1 --port "$port" \
        --log-level WARNING & local pid=$!
    wait_port "$port"
    curl -s -o "$scratch/h.json" -w "%{time_total}" "http://127.0.0.1:$port/api/highlights?date=$day"
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || true
}

with=()
without=()
for run in $(seq "$runs"); do
    # Record-time levels, copied so the run cannot add to them (sections files are dropped).
    rm -rf "$scratch/with"
    mkdir -p "$scratch/with"
    (cd "$day_dir/rec/analyses" && find . -name '*.levels' -exec cp --parents {} "$scratch/with" \;)
    with+=("$(highlights "$scratch/with")")
    sections_with=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total_sections"])' "$scratch/h.json")
    rm -rf "$scratch/without"
    mkdir -p "$scratch/without"
    without+=("$(highlights "$scratch/without")")
    sections_without=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total_sections"])' "$scratch/h.json")
    echo "run $run: with levels ${with[-1]} s ($sections_with sections), decoding ${without[-1]} s ($sections_without sections)"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
w=$(median "${with[@]}")
d=$(median "${without[@]}")
echo "median cold highlights for $files files: record-time levels $w s, decoding $d s; decoding / levels: $(ratio "$d" "$w")"
