#!/usr/bin/env bash
# Instant replay: how long `isrd save` of a full 60 s ring takes (the reply comes once the file
# is written and closed), what 60 s rings on 4 sources cost in RAM against echobuf's published
# figure, and whether capture through alsa-lib loses audio while saves run back to back.
# Usage: bench/replay.sh [BUILD_DIR] [RUNS]
source "$(dirname "$0")/common.sh"
runs=${2:-20}
export ALSA_CONFIG_PATH="$build/tests/alsa/asound-test.conf"
[[ -f "$ALSA_CONFIG_PATH" ]] || { echo "needs $ALSA_CONFIG_PATH (build the tests)"; exit 1; }
export ISRTEST_CONTROL_DIR="$scratch/ctl"
mkdir -p "$ISRTEST_CONTROL_DIR"
command -v hyperfine > /dev/null || { echo "needs hyperfine (make bench installs it)"; exit 1; }
# echobuf's README (its Architecture section) puts its ring at about 22 MB per 60 s of 48 kHz
# stereo: a NumPy array, float32 by the arithmetic (48000 x 2 x 4 bytes x 60 = 23.0 million
# bytes = 22.0 MiB). That is the ring alone, without the Python process that holds it.
echobuf_ring_mib=22

# Two isrd: four generators (latency and memory), and one sound card source through alsa-lib
# and the test plugin (overruns are real there; a generator cannot overrun).
common='sample_rate = 48000\nchannels = 2\nbit_depth = 16\nreplay_seconds = 60\nrecord = no\nlog_file =\nlog_level = WARNING\n'
printf "[general]\noutput_directory = %s/gen\ncontrol_socket = %s/gen.sock\n$common" "$scratch" "$scratch" > "$scratch/gen.ini"
# g3 saves into RAM (tmpfs): isrd's own work without the disk's.
shm=$(mktemp -d /dev/shm/isr-bench.XXXXXX)
trap 'cleanup; rm -rf "$shm"' EXIT
printf '[g%d]\ntype = generator\nseed = %d\nformat = %s\noutput_directory = %s\n' \
    1 1 wav "$scratch/gen" 2 2 flac "$scratch/gen" 3 3 wav "$shm" 4 4 wav "$scratch/gen" >> "$scratch/gen.ini"
printf "[general]\noutput_directory = %s/card\ncontrol_socket = %s/card.sock\n$common" "$scratch" "$scratch" > "$scratch/card.ini"
printf '[card]\ntype = soundcard\ndevice = isrtest_stereo\nformat = wav\n' >> "$scratch/card.ini"
"$isrd" --check-config "$scratch/gen.ini" > /dev/null
"$isrd" --check-config "$scratch/card.ini" > /dev/null

"$isrd" "$scratch/gen.ini" 2> "$scratch/gen.log" & pids+=($!)
gen_pid=$!
"$isrd" "$scratch/card.ini" 2> "$scratch/card.log" & pids+=($!)
gen=(--socket "$scratch/gen.sock")
card=(--socket "$scratch/card.sock")

# Wait until every ring holds its 60 s (a little over a minute).
held() { # 0 until isrd answers
    "$isrd" sources "$@" --json 2> /dev/null | /usr/bin/python3 -c 'import json,sys
try: print(min(s["replay_held_seconds"] for s in json.load(sys.stdin)["sources"]))
except ValueError: print(0)' || true; }
echo "filling 60 s rings on 5 sources (4 generators, 1 ALSA test PCM) ..."
for _ in $(seq 100); do
    a=$(held "${gen[@]}") b=$(held "${card[@]}")
    /usr/bin/python3 -c "import sys; sys.exit(0 if min(float(sys.argv[1]), float(sys.argv[2])) >= 60 else 1)" "$a" "$b" && break
    sleep 1
done
vm() { awk -v k="$1:" '$1 == k { printf "%.1f", $2 / 1024 }' "/proc/$gen_pid/status"; }
rss_full=$(vm VmRSS)

# 1. Save latency: the CLI's whole run, connect to reply (file written and closed).
latency() { # NAME SOURCE FOLDER
    hyperfine -N --runs "$runs" --warmup 2 --export-json "$scratch/$1.json" \
        --prepare "rm -rf $3/replays" \
        "$isrd save --source $2 --seconds 60 --socket $scratch/gen.sock" > /dev/null 2> "$scratch/$1.err" ||
        { cat "$scratch/$1.err" >&2; return 1; }
    /usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]
print(" ".join(f"{r[k]*1000:.1f}" for k in ("median","min","max")))' "$scratch/$1.json"
}
echo "timing $runs saves of 60 s each: WAV to disk, WAV to tmpfs, FLAC to disk ..."
read -r wav_med wav_min wav_max < <(latency wav g1 "$scratch/gen")
read -r shm_med shm_min shm_max < <(latency shm g3 "$shm")
read -r flac_med flac_min flac_max < <(latency flac g2 "$scratch/gen")
saved=$("$isrd" save --source g1 --seconds 60 "${gen[@]}" --json)
saved_s=$(json "$saved" seconds)

# 2. Overruns: the ALSA source's counters around 10 saves back to back.
counters() { # the status.json file is rewritten every 2 s
    /usr/bin/python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["sources"][0]
print(s["xruns"], s["lost_frames"])' "$scratch/card/status.json"
}
sleep 2.2
read -r xruns_before lost_before < <(counters)
start=$(date +%s%N)
for _ in $(seq 10); do "$isrd" save --seconds 60 "${card[@]}" > /dev/null; done
ten_ms=$(( ($(date +%s%N) - start) / 1000000 ))
sleep 4.2
read -r xruns_after lost_after < <(counters)
# The test PCM's samples count up by one each: a saved clip with no gap has no step other than 1.
last=$(ls -t "$scratch"/card/replays/*/*.wav | head -1)
gapless=$(/usr/bin/python3 - "$last" <<'PY'
import array, struct, sys
data = open(sys.argv[1], "rb").read()
pos = 12 # past "RIFF", the size and "WAVE"; libsndfile writes WAVE_FORMAT_EXTENSIBLE
while data[pos:pos + 4] != b"data":
    pos += 8 + struct.unpack_from("<I", data, pos + 4)[0]
size = struct.unpack_from("<I", data, pos + 4)[0]
s = array.array("h", data[pos + 8:pos + 8 + size])
print("yes" if all(((b - a) & 0xFFFF) == 1 for a, b in zip(s, s[1:])) else "NO")
PY
)

peak=$(vm VmHWM) # the peak over isrd's life: rings, every save's buffers, the encoders

echo
echo "Save latency, isrd save --seconds 60 (48 kHz stereo 16-bit, ring full), $runs runs, ms:"
disk=$(findmnt -n -o FSTYPE -T "$scratch")
printf '  %-28s %8s %8s %8s\n' "" median min max
printf '  %-28s %8s %8s %8s\n' "WAV (11.5 MB) to $disk" "$wav_med" "$wav_min" "$wav_max"
printf '  %-28s %8s %8s %8s\n' "WAV (11.5 MB) to tmpfs" "$shm_med" "$shm_min" "$shm_max"
printf '  %-28s %8s %8s %8s\n' "FLAC (level 5) to $disk" "$flac_med" "$flac_min" "$flac_max"
echo "  (from starting the CLI to its reply, which comes once the file is written and closed;"
echo "  a last save held $saved_s s)"
echo
echo "Memory, isrd with 4 generator sources, 60 s rings, record = no, MiB:"
printf '  %-44s %8s\n' "RSS with the rings full, before any save" "$rss_full"
printf '  %-44s %8s\n' "peak RSS over the run (VmHWM)" "$peak"
printf '  %-44s %8s\n' "4 x echobuf's ring alone (4 x $echobuf_ring_mib)" "$((4 * echobuf_ring_mib))"
echo "  ratio isrd peak / 4 x echobuf ring: $(ratio "$peak" "$((4 * echobuf_ring_mib))")"
echo
echo "Capture through alsa-lib (isrtest_stereo) during 10 saves of 60 s back to back (${ten_ms} ms):"
printf '  %-10s %8s %12s\n' "" xruns lost_frames
printf '  %-10s %8s %12s\n' before "$xruns_before" "$lost_before" after "$xruns_after" "$lost_after"
echo "  last saved clip gapless (counter steps of 1): $gapless"
grep -h 'overrun' "$scratch/card.log" | sed 's/^/  log: /' || true
