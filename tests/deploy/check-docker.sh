#!/usr/bin/env bash
# The Docker deployment, checked without a Docker daemon:
#  1. docker-compose.yml is a valid compose file (Debian's docker-compose validates offline);
#  2. the runtime stage of docker/Dockerfile installs a package for every shared library that
#     isrd and isr-web link against (a missing one only shows when the container starts);
#  3. its build stage installs the same build dependencies as scripts/install-deps.sh;
#  4. the commands the two services run are accepted by the binaries;
#  5. the web service sees the recordings read-only with its analysis cache writable, and both
#     services' healthchecks work: the web one against a real isr-web, the recorder's on a fresh
#     and on a stale status.json.
# Usage: check-docker.sh REPO ISRD ISR_WEB
set -euo pipefail
repo=$(readlink -f "$1") isrd=$(readlink -f "$2") isr_web=$(readlink -f "$3")
fail=0
problem() { echo "FAIL: $*" >&2; fail=1; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# 1. The compose file, resolved in a copy (compose looks for ./config.ini and ./.env).
cp "$repo/docker-compose.yml" "$scratch/"
: > "$scratch/config.ini"
if ! (cd "$scratch" && docker-compose -f docker-compose.yml config > "$scratch/resolved.yml"); then
    problem "docker-compose.yml does not validate"
fi

# The resolved file's facts this check needs, one "key<TAB>value" a line: the web service's
# mounts (target, then ro or rw) and each service's healthcheck as a shell command line.
/usr/bin/python3 - "$scratch/resolved.yml" > "$scratch/facts" <<'PY' || problem "cannot read the resolved compose file"
import shlex, sys, yaml
services = yaml.safe_load(open(sys.argv[1]))["services"]
for volume in services["web"].get("volumes", []):
    if isinstance(volume, str):
        parts = volume.split(":")
        target, mode = parts[1], (parts[2] if len(parts) > 2 else "rw")
    else:
        target, mode = volume["target"], "ro" if volume.get("read_only") else "rw"
    print(f"web-mount\t{target} {mode}")
for name in ("recorder", "web"):
    test = services[name].get("healthcheck", {}).get("test")
    if not test:
        continue
    # Compose keeps $$ for a literal $ in its output; the container's shell sees $.
    if test[0] == "CMD-SHELL":
        command = test[1].replace("$$", "$")
    else:
        command = shlex.join(part.replace("$$", "$") for part in test[1:])
    print(f"health-{name}\t{command}")
PY
fact() { awk -F'\t' -v k="$1" '$1 == k { print $2 }' "$scratch/facts"; }
grep -qx '/recordings ro' <<<"$(fact web-mount)" ||
    problem "the web service does not mount the recordings read-only at /recordings"
grep -qx '/recordings/analyses rw' <<<"$(fact web-mount)" ||
    problem "the web service has no writable analysis cache at /recordings/analyses"
health_recorder=$(fact health-recorder) health_web=$(fact health-web)
[[ -n "$health_recorder" ]] || problem "the recorder service has no healthcheck"
[[ -n "$health_web" ]] || problem "the web service has no healthcheck"

# The apt-get install list of one stage of the Dockerfile (stage 0 = build, 1 = runtime).
stage_packages() {
    awk -v want="$1" '
        /^FROM / { stage++ }
        stage - 1 == want && /apt-get install/ { on = 1 }
        on { for (i = 1; i <= NF; i++) if ($i ~ /^[a-z0-9][a-z0-9.+-]+$/ && $i != "apt-get" && $i != "update" && $i != "install" && $i != "rm") print $i
             if ($0 !~ /\\$/ || /&& rm/) on = 0 }
    ' "$repo/docker/Dockerfile" | sort -u
}
runtime=$(stage_packages 1)
build=$(stage_packages 0)
[[ -n "$runtime" && -n "$build" ]] || problem "could not read the apt-get lists of docker/Dockerfile"

# The package that ships a file; with merged /usr, dpkg may know it under /lib or /usr/lib, and
# under the symlink's or the target's name.
owner() {
    local real candidate
    real=$(readlink -f "$1")
    for candidate in "$1" "$real" "${1#/usr}" "/usr$1" "${real#/usr}" "/usr$real"; do
        if dpkg -S "$candidate" > "$scratch/owner" 2>/dev/null; then
            cut -d: -f1 < "$scratch/owner" | head -1
            return
        fi
    done
}

# 2. Every DT_NEEDED library, mapped to the Debian package that ships it on this machine.
# debian:bookworm-slim already has these (essential/required packages).
base="libc6 libgcc-s1 libstdc++6"
for binary in "$isrd" "$isr_web"; do
    for lib in $(objdump -p "$binary" | awk '/NEEDED/ { print $2 }'); do
        path=$(ldd "$binary" | awk -v l="$lib" '$1 == l { print $3 }')
        [[ -n "$path" ]] || { problem "$(basename "$binary"): $lib not found by ldd"; continue; }
        pkg=$(owner "$path")
        [[ -n "$pkg" ]] || { problem "$lib ($path) belongs to no Debian package"; continue; }
        if ! grep -qx "$pkg" <<<"$runtime" && [[ " $base " != *" $pkg "* ]]; then
            problem "$(basename "$binary") needs $lib from $pkg, which docker/Dockerfile does not install"
        fi
    done
done

# 3. Build stage and install-deps.sh agree.
deps=$(sed -n '/^build_pkgs=(/,/)/p' "$repo/scripts/install-deps.sh" | tr -d '()' | sed 's/build_pkgs=//' | tr ' ' '\n' | grep . | sort -u)
if [[ "$deps" != "$build" ]]; then
    problem "build packages differ between docker/Dockerfile and scripts/install-deps.sh:"
    diff <(echo "$deps") <(echo "$build") >&2 || true
fi

# 4. The services' command lines: isrd checks the example config, isr-web starts and answers.
mkdir -p "$scratch/data/recordings"
(cd "$scratch/data" && "$isrd" --check-config "$repo/config.example.ini" > /dev/null) ||
    problem "isrd --check-config config.example.ini failed"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$isr_web" --dir "$scratch/data/recordings" --port "$port" --bind 127.0.0.1 --log-level WARNING &
web=$!
ok=0
for _ in $(seq 50); do
    if curl -sf "http://127.0.0.1:$port/api/files" > /dev/null; then ok=1; break; fi
    sleep 0.1
done
# 5. The healthchecks, run as the containers would, pointed at this machine's paths and port.
if [[ $ok == 1 && -n "$health_web" ]]; then
    bash -c "${health_web//8080/$port}" || problem "the web healthcheck fails against a running isr-web: $health_web"
fi
kill -TERM "$web"; wait "$web" || true
[[ $ok == 1 ]] || problem "isr-web with the web service's flags did not answer /api/files"
if [[ -n "$health_web" ]] && bash -c "${health_web//8080/$port}" 2>/dev/null; then
    problem "the web healthcheck passes with isr-web stopped"
fi
if [[ -n "$health_recorder" ]]; then
    check="${health_recorder//\/data\/recordings/$scratch/data/recordings}"
    echo '{}' > "$scratch/data/recordings/status.json"
    sh -c "$check" || problem "the recorder healthcheck fails on a fresh status.json: $health_recorder"
    touch -d '-60 seconds' "$scratch/data/recordings/status.json"
    sh -c "$check" 2>/dev/null && problem "the recorder healthcheck passes on a status.json a minute old"
    rm "$scratch/data/recordings/status.json"
    sh -c "$check" 2>/dev/null && problem "the recorder healthcheck passes without status.json"
fi
grep -q '"isr-web", "--dir", "/recordings", "--port", "8080"' "$repo/docker-compose.yml" ||
    problem "the web service's command changed: update this check"

[[ $fail == 0 ]] && echo "docker deployment: compose valid (read-only web mount, cache volume, healthchecks that work), runtime libraries covered, build deps in step"
exit $fail
