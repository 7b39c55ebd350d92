#!/usr/bin/env bash
# The units in systemd/ pass `systemd-analyze verify` (syntax, known settings, executables),
# with /usr/local/bin pointed at the freshly built binaries. systemd reports a bad value only
# as a warning, so any output counts as a failure.
# Usage: check-systemd.sh REPO ISRD ISR_WEB
set -euo pipefail
repo=$(readlink -f "$1") isrd=$(readlink -f "$2") isr_web=$(readlink -f "$3")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/bin"
ln -s "$isrd" "$isr_web" "$scratch/bin/"
units=()
for unit in "$repo"/systemd/*; do
    sed "s|/usr/local/bin/|$scratch/bin/|g" "$unit" > "$scratch/$(basename "$unit")"
    units+=("$scratch/$(basename "$unit")")
done
[[ ${#units[@]} -ge 3 ]] || { echo "FAIL: expected isrd.service, isr-web.socket, isr-web.service in systemd/" >&2; exit 1; }
if ! out=$(systemd-analyze verify --man=no "${units[@]}" 2>&1) || [[ -n "$out" ]]; then
    echo "FAIL: systemd-analyze verify:" >&2
    echo "$out" >&2
    exit 1
fi
# The socket and the service it starts must agree on the port users are told about (8080).
grep -qx 'ListenStream=8080' "$scratch/isr-web.socket" || { echo "FAIL: isr-web.socket does not listen on 8080" >&2; exit 1; }
echo "systemd units verify: ${units[*]##*/}"
