#!/usr/bin/env bash
# `cmake --install BUILD --prefix DIR` puts every file where the README says (GNUInstallDirs
# places), and the installed systemd units name the installed programs and pass
# `systemd-analyze verify`.
# Usage: check-install.sh REPO BUILD
set -euo pipefail
repo=$(readlink -f "$1") build=$(readlink -f "$2")
fail=0
problem() { echo "FAIL: $*" >&2; fail=1; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
prefix="$scratch/prefix"
cmake --install "$build" --prefix "$prefix" > "$scratch/install.log" 2>&1 ||
    { cat "$scratch/install.log" >&2; echo "FAIL: cmake --install failed" >&2; exit 1; }

# GNUInstallDirs as configured (lib may be lib64 elsewhere; the docs and binaries are fixed).
expect() { # MODE PATH...
    local mode=$1 path
    shift
    for path in "$@"; do
        if [[ ! -f "$prefix/$path" ]]; then
            problem "$path is not installed"
        elif [[ $mode == x && ! -x "$prefix/$path" ]]; then
            problem "$path is installed but not executable"
        fi
    done
}
expect x bin/isrd bin/isr-web
expect f share/isr/webui/index.html share/isr/webui/app.js
expect f share/doc/isr/README.md share/doc/isr/config.example.ini \
    share/doc/isr/replay-desktop.example.ini share/doc/isr/asound.conf
expect f lib/systemd/system/isrd.service lib/systemd/system/isr-web.service \
    lib/systemd/system/isr-web.socket lib/systemd/user/isrd-replay.service

# The units name this prefix's programs and README, not /usr/local's.
for unit in "$prefix"/lib/systemd/system/*.service "$prefix"/lib/systemd/user/*.service; do
    [[ -f "$unit" ]] || continue
    grep -q "^ExecStart=$prefix/bin/isr" "$unit" || problem "${unit#"$prefix"/}: ExecStart= does not name $prefix/bin"
    if grep -q '/usr/local/' "$unit"; then
        problem "${unit#"$prefix"/}: still names /usr/local: $(grep -m1 /usr/local/ "$unit")"
    fi
done
if [[ -f "$prefix/lib/systemd/system/isrd.service" ]]; then
    out=$(systemd-analyze verify --man=no "$prefix"/lib/systemd/system/*.service \
        "$prefix"/lib/systemd/system/*.socket 2>&1) || out+=" (exit status $?)"
    [[ -z "$out" ]] || problem "installed units do not verify: $out"
fi
# The installed programs run from there.
"$prefix/bin/isrd" --version > /dev/null || problem "the installed isrd does not run"
"$prefix/bin/isr-web" --version > /dev/null || problem "the installed isr-web does not run"

[[ $fail == 0 ]] && echo "cmake --install: programs, web UI, docs, examples and units in place under $prefix"
exit $fail
