#!/usr/bin/env bash
# /api/files over 10,000 recordings that all have cached analyses, with isr-web just started
# (nothing in memory: every file's header is probed and every sections file read), timed with
# hyperfine: one listing alone, and an /api/analyze answered from the cache while three
# listings run. An optional second build (e.g. main before a change) is measured in the same
# run, so the ratio holds on a noisy machine.
# Usage: bench/listing_cold.sh [BUILD_DIR] [OTHER_ISR_WEB]
source "$(dirname "$0")/common.sh"
other=${2:-}
data="$scratch/rec"
/usr/bin/python3 - "$data" <<'PY'
import json, os, struct, sys
root = sys.argv[1]
rate, frames = 8000, 800
wav = (b"RIFF" + struct.pack("<I", 36 + frames * 2) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
       + b"data" + struct.pack("<I", frames * 2) + bytes(frames * 2))
for i in range(10000):
    day = f"{1 + i // 1000:02d}"
    rel = f"site/2026/11/{day}/rec_202611{day}_{i % 1000:06d}.wav"
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(wav)
    st = os.stat(path)
    cache = os.path.join(root, "analyses", rel + ".analysis.json")
    os.makedirs(os.path.dirname(cache), exist_ok=True)
    with open(cache, "w") as f:
        json.dump({"analyser": 1, "size": st.st_size, "mtime_ns": st.st_mtime_ns,
                   "results": [{"margin": 12, "min_gap": 2, "min_duration": 0.5, "sections": [[0.1, 0.2, -3, -40, 37]]}]}, f)
PY
first="site/2026/11/01/rec_20261101_000000.wav"

measure_build() {
    local label=$1 binary=$2 port
    port=$(free_port)
    cat > "$scratch/restart-$label.sh" <<SH
#!/usr/bin/env bash
pkill -f -- "--port $port" 2>/dev/null; sleep 0.2
"$binary" --dir "$data" --bind 127.0.0.1 --port $port --log-level WARNING >/dev/null 2>&1 &
for _ in \$(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && exit 0; sleep 0.05; done; exit 1
SH
    chmod +x "$scratch/restart-$label.sh"
    hyperfine -N --warmup 1 --runs 8 --prepare "$scratch/restart-$label.sh" \
        --export-json "$scratch/$label-one.json" \
        -n "$label: one cold listing" "curl -sf -o /dev/null http://127.0.0.1:$port/api/files"
    hyperfine --warmup 1 --runs 8 --prepare "$scratch/restart-$label.sh" \
        --export-json "$scratch/$label-analyze.json" \
        -n "$label: cached analyze during 3 cold listings" \
        "for i in 1 2 3; do curl -sf -o /dev/null http://127.0.0.1:$port/api/files & done; sleep 0.05; curl -sf -o /dev/null 'http://127.0.0.1:$port/api/analyze?file=$first'"
    pkill -f -- "--port $port" 2>/dev/null || true
}
mean() { /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][0]['mean'])" "$1"; }

measure_build this "$isr_web"
if [[ -n "$other" ]]; then
    measure_build other "$other"
    echo "one cold listing, this/other: $(ratio "$(mean "$scratch/this-one.json")" "$(mean "$scratch/other-one.json")")"
    echo "analyze during listings, this/other: $(ratio "$(mean "$scratch/this-analyze.json")" "$(mean "$scratch/other-analyze.json")")"
fi
