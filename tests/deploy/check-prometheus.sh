#!/usr/bin/env bash
# The Prometheus files in prometheus/ (alert rules, a scrape config) are valid for promtool, the
# rules fire when they should and only then (tests/deploy/isr-alerts.test.yml), and README shows
# them as they are in the repository.
# Usage: check-prometheus.sh REPO
set -euo pipefail
repo=$(readlink -f "$1")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp "$repo"/prometheus/isr-alerts.yml "$repo"/prometheus/prometheus.yml \
   "$repo"/tests/deploy/isr-alerts.test.yml "$scratch/"
cd "$scratch"
promtool check rules isr-alerts.yml
promtool test rules isr-alerts.test.yml
promtool check config prometheus.yml
readme=$(cat "$repo/README.md")
for f in isr-alerts.yml prometheus.yml; do
    if [[ "$readme" != *"$(cat "$f")"* ]]; then
        echo "FAIL: README.md does not show prometheus/$f as it is (copy it into the README)" >&2
        exit 1
    fi
done
echo "OK: prometheus files"
