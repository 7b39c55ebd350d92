#!/usr/bin/env bash
# 20 concurrent 128 kbit/s MP3 streams from a local Icecast: isrd against 20 ffmpeg segment
# muxers (what a user would otherwise run), each for the same time, in the same run.
# Usage: bench/stream_recording.sh [BUILD_DIR] [SECONDS]
source "$(dirname "$0")/common.sh"
seconds=${2:-60}
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
ffmpeg -nostdin -v error -re -f lavfi -i "sine=frequency=440:sample_rate=44100" -ac 2 -c:a libmp3lame -b:a 128k \
    -content_type audio/mpeg -f mp3 "icecast://source:bench@127.0.0.1:$port/live.mp3" & pids+=($!)
sleep 2
url="http://127.0.0.1:$port/live.mp3"

config="$scratch/isrd.ini"
{
    printf '[general]\noutput_directory = %s/isrd\nsplit_interval = 1m\nlog_file =\nlog_level = WARNING\n' "$scratch"
    printf 'filename_pattern = {source}/{source}_%%H%%M%%S\n'
    for i in $(seq 20); do printf '[s%d]\ntype = stream\nurl = %s\n' "$i" "$url"; done
} > "$config"
cat > "$scratch/peer.sh" <<PEER
#!/usr/bin/env bash
trap 'kill \$(jobs -p) 2>/dev/null; wait' TERM
for i in \$(seq 20); do
    mkdir -p "$scratch/peer/\$i"
    ffmpeg -nostdin -v error -i "$url" -c copy -f segment -segment_time 60 -segment_atclocktime 1 \
        -reset_timestamps 1 "$scratch/peer/\$i/out_%03d.mp3" &
done
wait
PEER
chmod +x "$scratch/peer.sh"

echo "20 listeners of one 128 kbit/s MP3 mount, ${seconds} s each"
isrd_result=$($measure --duration "$seconds" -- "$isrd" "$config")
peer_result=$($measure --duration "$seconds" -- "$scratch/peer.sh")
printf '%-34s %10s %14s\n' "" "CPU (s)" "peak RSS (MB)"
printf '%-34s %10s %14s\n' "isrd (20 sources)" "$(json "$isrd_result" cpu_s)" "$(json "$isrd_result" peak_rss_mb)"
printf '%-34s %10s %14s\n' "20 x ffmpeg -c copy -f segment" "$(json "$peer_result" cpu_s)" "$(json "$peer_result" peak_rss_mb)"
echo "CPU ratio isrd / ffmpeg: $(ratio "$(json "$isrd_result" cpu_s)" "$(json "$peer_result" cpu_s)")"
du -sh "$scratch/isrd" "$scratch/peer" | sed 's/^/output: /'
