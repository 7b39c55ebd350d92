#!/usr/bin/env bash
# The units in systemd/ (system units) and systemd/user/ (user units) pass `systemd-analyze
# verify` (syntax, known settings, executables), with /usr/local/bin pointed at the freshly
# built binaries. systemd reports a bad value only as a warning, so any output counts as a
# failure. The system units carry the sandbox the README promises, and `systemd-analyze security
# --offline` rates each at most 3.0 ("OK"; an unsandboxed service rates about 9).
# Usage: check-systemd.sh REPO ISRD ISR_WEB
set -euo pipefail
repo=$(readlink -f "$1") isrd=$(readlink -f "$2") isr_web=$(readlink -f "$3")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/bin" "$scratch/system" "$scratch/user" "$scratch/runtime"
ln -s "$isrd" "$isr_web" "$scratch/bin/"
copy_units() { # FOLDER KIND: the units of FOLDER into $scratch/KIND, printed one a line
    local unit
    for unit in "$1"/*.service "$1"/*.socket; do
        [[ -f "$unit" ]] || continue
        sed "s|/usr/local/bin/|$scratch/bin/|g" "$unit" > "$scratch/$2/$(basename "$unit")"
        echo "$scratch/$2/$(basename "$unit")"
    done
}
verify() { # KIND UNIT...
    local kind=$1 command=(systemd-analyze) out
    shift
    # A user manager needs a runtime directory; a scratch one serves (no session needed).
    [[ $kind == user ]] && command=(env XDG_RUNTIME_DIR="$scratch/runtime" systemd-analyze --user)
    out=$("${command[@]}" verify --man=no "$@" 2>&1) || out+=$'\n'"(exit status $?)"
    if [[ -n "$out" ]]; then
        echo "FAIL: systemd-analyze verify, $kind units:" >&2
        echo "$out" >&2
        exit 1
    fi
}

mapfile -t units < <(copy_units "$repo/systemd" system)
[[ ${#units[@]} -ge 3 ]] || { echo "FAIL: expected isrd.service, isr-web.socket, isr-web.service in systemd/" >&2; exit 1; }
verify system "${units[@]}"
# The socket and the service it starts must agree on the port users are told about (8080).
grep -qx 'ListenStream=8080' "$scratch/system/isr-web.socket" || { echo "FAIL: isr-web.socket does not listen on 8080" >&2; exit 1; }

# The settings README's systemd section promises, line by line.
require() { # UNIT LINE...
    local unit=$1 line
    shift
    for line in "$@"; do
        grep -qxF "$line" "$scratch/system/$unit" || { echo "FAIL: $unit lacks the line $line" >&2; exit 1; }
    done
}
sandbox=(ProtectSystem=strict ProtectHome=yes PrivateTmp=yes NoNewPrivileges=yes
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK')
require isrd.service Type=notify WatchdogSec=30 SupplementaryGroups=audio \
    ReadWritePaths=/var/lib/isr/recordings "${sandbox[@]}"
# isr-web writes only its analysis cache; the recordings are read-only to it.
require isr-web.service ReadWritePaths=-/var/lib/isr/recordings/analyses "${sandbox[@]}"
if grep -Eq '^ReadWritePaths=.*/var/lib/isr/recordings( |$)' "$scratch/system/isr-web.service"; then
    echo "FAIL: isr-web.service may write the recordings (ReadWritePaths=)" >&2
    exit 1
fi
scores=()
for unit in isrd.service isr-web.service; do
    # --threshold is on the 0-100 scale of the table (30 = an overall 3.0).
    out=$(systemd-analyze security --offline=yes --threshold=30 --no-pager "$scratch/system/$unit" 2>&1) ||
        { echo "$out" >&2; echo "FAIL: systemd-analyze security rates $unit above 3.0" >&2; exit 1; }
    score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$out")
    [[ -n "$score" ]] || { echo "$out" >&2; echo "FAIL: no exposure level for $unit" >&2; exit 1; }
    scores+=("$unit $score")
done

mapfile -t user_units < <(copy_units "$repo/systemd/user" user)
[[ ${#user_units[@]} -ge 1 ]] || { echo "FAIL: expected isrd-replay.service in systemd/user/" >&2; exit 1; }
verify user "${user_units[@]}"
for unit in "${user_units[@]}"; do
    # A user manager cannot change users, and has no multi-user.target to be wanted by.
    if grep -Eq '^(User|Group|SupplementaryGroups)=' "$unit"; then
        echo "FAIL: ${unit##*/} is a user unit but sets User=, Group= or SupplementaryGroups=" >&2
        exit 1
    fi
    grep -qx 'WantedBy=default.target' "$unit" || { echo "FAIL: ${unit##*/}: a user unit is WantedBy=default.target" >&2; exit 1; }
done
grep -qx 'Type=notify' "$scratch/user/isrd-replay.service" || { echo "FAIL: isrd-replay.service is not Type=notify" >&2; exit 1; }
echo "systemd units verify: ${units[*]##*/}; user units: ${user_units[*]##*/}; exposure: ${scores[*]}"
