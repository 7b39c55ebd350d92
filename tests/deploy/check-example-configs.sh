#!/usr/bin/env bash
# Every example config shipped beside the README (*.example.ini) passes `isrd --check-config`,
# and the desktop replay config, which users copy as it is, without a warning.
# Usage: check-example-configs.sh REPO ISRD
set -euo pipefail
repo=$(readlink -f "$1") isrd=$(readlink -f "$2")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch" # relative output_directory values resolve here (checking creates nothing)
checked=()
for config in "$repo"/*.example.ini; do
    [[ -f "$config" ]] || continue
    if ! out=$("$isrd" --check-config "$config" 2>&1); then
        echo "FAIL: isrd --check-config ${config##*/}:" >&2
        echo "$out" >&2
        exit 1
    fi
    if [[ ${config##*/} == replay-desktop.example.ini ]] && grep -i 'warning' <<< "$out" >&2; then
        echo "FAIL: ${config##*/} gives the warnings above" >&2
        exit 1
    fi
    checked+=("${config##*/}")
done
[[ " ${checked[*]} " == *" replay-desktop.example.ini "* ]] ||
    { echo "FAIL: expected replay-desktop.example.ini in $repo" >&2; exit 1; }
echo "example configs pass isrd --check-config: ${checked[*]}"
