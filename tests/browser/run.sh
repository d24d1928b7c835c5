#!/usr/bin/env bash
# Browser test of the HTML pages (SPEC §9): headless Chromium loads the graph page and
# the backward steps page mgrad writes, hovers a value, and clicks through the steps.
# Skips, saying how to get what is missing, where Chromium or Node.js is not installed.
# Run by .ci/run; by hand: tests/browser/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$chromium" ]; then
  echo "skipping the browser test: Chromium is not installed (Debian: apt-get install -y chromium)"
  exit 0
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "skipping the browser test: Node.js and npm are not installed (Debian: apt-get install -y nodejs npm)"
  exit 0
fi
# playwright-core drives the installed Chromium; it never downloads a browser.
if [ ! -d "$here/node_modules/playwright-core" ]; then
  if ! (cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent); then
    echo "skipping the browser test: playwright-core could not be installed from npm (cd tests/browser && npm ci)"
    exit 0
  fi
fi
(cd "$root" && cargo build --quiet --bin mgrad)
mgrad="${CARGO_TARGET_DIR:-$root/target}/debug/mgrad"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && "$mgrad" -e '
a = 2; b = -3; c = 10; f = -2
e = a * b; d = e + c; L = d * f
grad L
dot L > "graph.html"
explain L > "steps.html"
' >/dev/null)
node "$here/pages.mjs" "$work" "$chromium"
