#!/usr/bin/env bash
# Installs the Debian packages isr needs, and nothing when they are all present (fast path:
# one dpkg-query call). Usage: scripts/install-deps.sh [build|test|bench]...
set -euo pipefail

build_pkgs=(cmake ninja-build g++ make pkg-config ca-certificates tzdata
            libasound2-dev libboost-dev libboost-program-options-dev libssl-dev
            libsndfile1-dev libavformat-dev libavcodec-dev libavutil-dev
            rapidjson-dev catch2)
# Real peers for the integration tests: an Icecast server fed by ffmpeg, a socket activator,
# a browser for the UI tests, curl for the scripted checks, docker-compose (validates the
# compose file offline), binutils (objdump, to check the image has every library), wrk (load
# beside the abuse cases), clang with its runtime for the libFuzzer targets, clang-format for the
# house style, prometheus for promtool (checks /metrics and the example alert rules).
test_pkgs=(icecast2 ffmpeg systemd curl flac openssl chromium docker-compose binutils wrk
           clang libclang-rt-14-dev clang-format prometheus)
bench_pkgs=(hyperfine wrk nginx-light time flac sox alsa-utils ffmpeg)

wanted=()
for set in "${@:-build}"; do
    case "$set" in
        build) wanted+=("${build_pkgs[@]}") ;;
        test)  wanted+=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
        bench) wanted+=("${build_pkgs[@]}" "${bench_pkgs[@]}") ;;
        *) echo "install-deps: unknown set '$set' (build, test, bench)" >&2; exit 2 ;;
    esac
done
# Node.js runs the browser tests; any installed node (Debian's or another) will do.
if [[ " $* " == *" test "* ]] && ! command -v npm >/dev/null; then wanted+=(nodejs npm); fi

# One dpkg-query for all: it prints a line per known package and nothing for unknown ones.
declare -A installed=()
while read -r pkg status; do
    [[ "$status" == "installed" ]] && installed[$pkg]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${wanted[@]}" 2>/dev/null || true)
missing=()
for pkg in $(printf '%s\n' "${wanted[@]}" | sort -u); do
    [[ -n "${installed[$pkg]:-}" ]] || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo; missing: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists when they are missing or older than a day.
if [[ -z $(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1) ]]; then
    "${sudo[@]}" apt-get update -q
fi
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
