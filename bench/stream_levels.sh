#!/usr/bin/env bash
# The CPU cost of record-time levels for streams: one isrd recording 20 sources of a local
# 128 kbit/s 44.1 kHz stereo MP3 mount, first with levels = yes (every stream decoded as it
# arrives), then with levels = no, for the same time each, in the same run.
# Usage: bench/stream_levels.sh [BUILD_DIR] [SECONDS]
source "$(dirname "$0")/common.sh"
seconds=${2:-60}
streams=20
port=$(free_port)
mkdir -p "$scratch/icecast/log"
cat > "$scratch/icecast/icecast.xml" <<XML
<icecast><limits><clients>200</clients><sources>4</sources><burst-size>65536</burst-size></limits>
<authentication><source-password>bench</source-password><admin-password>bench</admin-password></authentication>
<hostname>127.0.0.1</hostname><listen-socket><port>$port</port><bind-address>127.0.0.1</bind-address></listen-socket>
<paths><basedir>/usr/share/icecast2</basedir><logdir>$scratch/icecast/log</logdir>
<webroot>/usr/share/icecast2/web</webroot><adminroot>/usr/share/icecast2/admin</adminroot></paths>
<logging><accesslog>access.log</accesslog><errorlog>error.log</errorlog><loglevel>1</loglevel></logging>
<security><chroot>0</chroot><changeowner><user>icecast2</user><group>icecast</group></changeowner></security></icecast>
XML
chown -R icecast2:icecast "$scratch/icecast/log"; chmod 755 "$scratch" "$scratch/icecast"
icecast2 -c "$scratch/icecast/icecast.xml" >/dev/null 2>&1 & pids+=($!)
wait_port "$port"
# Pink noise under a tone: a decoder's work hardly depends on the signal, but a full spectrum
# keeps every band of the MP3 busy, as music does.
ffmpeg -nostdin -v error -re -f lavfi -i "anoisesrc=color=pink:amplitude=0.2:sample_rate=44100" \
    -f lavfi -i "sine=frequency=440:sample_rate=44100" -filter_complex amix=inputs=2 -ac 2 \
    -c:a libmp3lame -b:a 128k -content_type audio/mpeg -f mp3 \
    "icecast://source:bench@127.0.0.1:$port/live.mp3" & pids+=($!)
sleep 2
url="http://127.0.0.1:$port/live.mp3"

run() { # levels (yes|no) -> measure.py's JSON
    local config="$scratch/isrd-$1.ini"
    {
        printf '[general]\noutput_directory = %s/isrd-%s\nsplit_interval = 1m\nlog_file =\n' "$scratch" "$1"
        printf 'log_level = WARNING\nlevels = %s\nfilename_pattern = {source}/{source}_%%H%%M%%S\n' "$1"
        for i in $(seq $streams); do printf '[s%d]\ntype = stream\nurl = %s\n' "$i" "$url"; done
    } > "$config"
    $measure --duration "$seconds" -- "$isrd" "$config"
}

echo "$streams sources of one 128 kbit/s 44.1 kHz stereo MP3 mount, ${seconds} s each"
yes_result=$(run yes)
no_result=$(run no)
yes_cpu=$(json "$yes_result" cpu_s)
no_cpu=$(json "$no_result" cpu_s)
per_stream() { /usr/bin/python3 -c "import sys; print(f'{100*float(sys.argv[1])/float(sys.argv[2])/$streams:.3f}')" "$1" "$seconds"; }
printf '%-26s %10s %22s %14s\n' "" "CPU (s)" "per stream (% core)" "peak RSS (MB)"
printf '%-26s %10s %22s %14s\n' "isrd, levels = yes" "$yes_cpu" "$(per_stream "$yes_cpu")" "$(json "$yes_result" peak_rss_mb)"
printf '%-26s %10s %22s %14s\n' "isrd, levels = no" "$no_cpu" "$(per_stream "$no_cpu")" "$(json "$no_result" peak_rss_mb)"
echo "CPU ratio levels yes / no: $(ratio "$yes_cpu" "$no_cpu")"
echo "levels files written: $(find "$scratch/isrd-yes" -name '*.levels' | wc -l) (yes), $(find "$scratch/isrd-no" -name '*.levels' 2>/dev/null | wc -l) (no)"
