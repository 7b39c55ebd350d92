#!/usr/bin/env bash
# isr-web against nginx serving the same folder, in the same run, with wrk on loopback:
# random 64 KiB ranges of a 500 MB file, and whole downloads of a 50 MB file, 32 connections.
# Then /api/files over 10,000 recordings, warm.
# Usage: bench/web_serving.sh [BUILD_DIR] [SECONDS]
source "$(dirname "$0")/common.sh"
seconds=${2:-15}
data="$scratch/rec"
mkdir -p "$data"
head -c 500000000 /dev/urandom > "$data/big.wav"
head -c 50000000 /dev/urandom > "$data/mid.wav"
cat "$data/big.wav" "$data/mid.wav" > /dev/null # both in the page cache for both servers

web_port=$(free_port)
nginx_port=$(free_port)
"$isr_web" --dir "$data" --bind 127.0.0.1 --port "$web_port" --log-level WARNING & pids+=($!)
mkdir -p "$scratch/nginx"
cat > "$scratch/nginx/nginx.conf" <<CONF
worker_processes auto;
user root;
pid $scratch/nginx/nginx.pid;
error_log $scratch/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path $scratch/nginx; proxy_temp_path $scratch/nginx; fastcgi_temp_path $scratch/nginx;
    uwsgi_temp_path $scratch/nginx; scgi_temp_path $scratch/nginx;
    server { listen 127.0.0.1:$nginx_port; location /stream/ { alias $data/; } location /download/ { alias $data/; } }
}
CONF
nginx -c "$scratch/nginx/nginx.conf" -g 'daemon off;' & pids+=($!)
wait_port "$web_port"; wait_port "$nginx_port"
# Both must answer with the right bytes before anything is timed.
for port in "$web_port" "$nginx_port"; do
    got=$(curl -s -r 1000-66535 "http://127.0.0.1:$port/stream/big.wav" | cmp - <(tail -c +1001 "$data/big.wav" | head -c 65536) && echo same)
    [[ "$got" == same ]] || { echo "server on port $port does not serve the file correctly"; exit 1; }
done

cat > "$scratch/range.lua" <<'LUA'
-- A random 64 KiB-aligned range of the 500 MB file per request.
math.randomseed(42)
request = function()
    local first = math.random(0, 7600) * 65536
    return wrk.format("GET", "/stream/big.wav", { ["Range"] = "bytes=" .. first .. "-" .. (first + 65535) })
end
LUA
run_wrk() { wrk -t2 -c32 -d"${seconds}s" --latency "$@" 2>&1; }
requests() { awk '/Requests\/sec/ {print $2}' <<<"$1"; }
transfer() { awk '/Transfer\/sec/ {v=$2; u=substr(v,length(v)-1); n=v+0; if (u=="GB") n*=1024; if (u=="KB") n/=1024; print n}' <<<"$1"; }

echo "== 64 KiB ranges of a 500 MB file, 32 connections, ${seconds} s"
web=$(run_wrk -s "$scratch/range.lua" "http://127.0.0.1:$web_port")
ngx=$(run_wrk -s "$scratch/range.lua" "http://127.0.0.1:$nginx_port")
printf '%-10s %12s req/s  %10s MB/s\n' isr-web "$(requests "$web")" "$(transfer "$web")" nginx "$(requests "$ngx")" "$(transfer "$ngx")"
echo "isr-web / nginx requests: $(ratio "$(requests "$web")" "$(requests "$ngx")")"

echo "== whole downloads of a 50 MB file, 32 connections, ${seconds} s"
web=$(run_wrk "http://127.0.0.1:$web_port/download/mid.wav")
ngx=$(run_wrk "http://127.0.0.1:$nginx_port/download/mid.wav")
printf '%-10s %12s req/s  %10s MB/s\n' isr-web "$(requests "$web")" "$(transfer "$web")" nginx "$(requests "$ngx")" "$(transfer "$ngx")"
echo "isr-web / nginx throughput: $(ratio "$(transfer "$web")" "$(transfer "$ngx")")"

echo "== /api/files over 10,000 recordings"
rm -f "$data/big.wav" "$data/mid.wav"
ffmpeg -nostdin -v error -f lavfi -i "sine=d=1:sample_rate=8000" -c:a pcm_s16le "$scratch/one.wav"
# 100 days of 100 files each, named as isrd's "{source}/%Y/%m/%d/{source}_%H%M%S" would.
for day in $(seq 0 99); do
    dir="$data/src/$(date -u -d "2026-01-01 + $day days" +%Y/%m/%d)"
    mkdir -p "$dir"
    for n in $(seq 0 99); do cp "$scratch/one.wav" "$dir/src_$(printf '%02d%02d00' $((n / 6)) $((n % 6 * 10))).wav"; done
done
curl -s -o /dev/null "http://127.0.0.1:$web_port/api/files" # the first walk reads every header
hyperfine --warmup 2 --runs 20 --export-json "$scratch/files.json" \
    "curl -s -o /dev/null http://127.0.0.1:$web_port/api/files" 2>&1 | grep -E "Time|Range"
echo "files listed: $(curl -s "http://127.0.0.1:$web_port/api/files" | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
