#!/usr/bin/env bash
# `make run`: isrd on the demo config (or CONFIG) and isr-web over its recordings.
# Ctrl+C stops both; isrd finalizes its files first. Usage: run-demo.sh BUILD_DIR CONFIG BIND PORT
set -uo pipefail
build=${1:?build dir}
config=${2:?config file}
bind=${3:-127.0.0.1}
port=${4:-8080}
isrd="$build/recorder/isrd"
web="$build/webserver/isr-web"

"$isrd" --check-config "$config" >/dev/null || { "$isrd" --check-config "$config"; exit 1; }
# The recordings folder is the config's [general] output_directory.
recordings=$(sed -n '/^\[general\]/,/^\[/{s/^[[:space:]]*output_directory[[:space:]]*=[[:space:]]*//p}' "$config" | head -1)
recordings=${recordings:-recordings}
mkdir -p "$recordings"

"$isrd" "$config" &
rec_pid=$!
"$web" --dir "$recordings" --bind "$bind" --port "$port" &
web_pid=$!

stop() {
    trap - INT TERM
    kill -TERM "$rec_pid" "$web_pid" 2>/dev/null
    wait "$rec_pid" "$web_pid" 2>/dev/null
    echo "isr demo stopped; recordings are in $recordings/"
    exit 0
}
trap stop INT TERM

for _ in $(seq 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    kill -0 "$web_pid" 2>/dev/null || break
    sleep 0.1
done
host=$([[ "$bind" == "0.0.0.0" ]] && echo localhost || echo "$bind")
echo
echo "isr demo: isrd records ${config} into ${recordings}/ (pid $rec_pid)"
echo "          isr-web serves it at http://${host}:${port}/ (pid $web_pid)"
echo "          Ctrl+C stops both."
echo

# If either program exits on its own, stop the other and report it.
wait -n "$rec_pid" "$web_pid"
status=$?
echo "isr demo: a program exited (status $status); stopping the other" >&2
kill -TERM "$rec_pid" "$web_pid" 2>/dev/null
wait 2>/dev/null
exit "$status"
