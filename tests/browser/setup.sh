#!/bin/sh
# Installs the browser tests' node_modules: playwright-core and axe-core (the accessibility checks), pinned in package-lock.json.
# No browser is downloaded; the tests drive Debian's /usr/bin/chromium.
# Idempotent and fast: does nothing when node_modules was installed from this package-lock.json.
set -eu
cd "$(dirname "$0")"
stamp=node_modules/.isr-installed-lock
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "tests/browser/setup.sh: npm not found (apt-get install npm)" >&2
    exit 1
fi
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
cp package-lock.json "$stamp"
