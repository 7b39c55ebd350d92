#!/usr/bin/env bash
# Fails, listing them, when C/C++ sources differ from .clang-format. `make format` fixes them.
# Usage: scripts/check-format.sh [SOURCE_DIR]
set -uo pipefail
cd "${1:-$(dirname "$0")/..}"
command -v clang-format >/dev/null || { echo "check-format: clang-format is not installed (scripts/install-deps.sh test)"; exit 1; }
files=$(git ls-files '*.cpp' '*.hpp' '*.c' 2>/dev/null || find common recorder webserver tests bench -name '*.cpp' -o -name '*.hpp' -o -name '*.c')
bad=()
for f in $files; do
    clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [[ ${#bad[@]} -gt 0 ]]; then
    echo "check-format: ${#bad[@]} file(s) differ from .clang-format; run 'make format':"
    printf '  %s\n' "${bad[@]}"
    exit 1
fi
# CMake splits a discovered test's name at ';': such a test would be listed cut short and run no
# case at all, passing in silence.
if semicolons=$(grep -n 'TEST_CASE("[^"]*;' $files); then
    echo "check-format: test names must not contain ';' (ctest would silently run nothing):"
    echo "$semicolons"
    exit 1
fi
echo "check-format: $(wc -w <<< "$files") files formatted"
