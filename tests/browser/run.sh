#!/usr/bin/env bash
# Browser tests in headless Chromium (driven by playwright-core; chromium.mjs sets it up):
# - pages.mjs: the HTML pages mgrad writes (SPEC §9): the graph page and the backward
#   steps page; hovers a value, clicks through the steps;
# - playground.mjs: the playground (web/), built by web/build.sh --dev into a scratch
#   folder: runs the design card, stops runaway loops, opens a Share link.
# Each skips, saying how to get what is missing, where Chromium, Node.js or the
# playground's build tools (the wasm32 target, wasm-bindgen-cli) are not installed.
# Run by .ci/run; by hand: tests/browser/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$chromium" ]; then
  echo "skipping the browser tests: Chromium is not installed (Debian: apt-get install -y chromium)"
  exit 0
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "skipping the browser tests: Node.js and npm are not installed (Debian: apt-get install -y nodejs npm)"
  exit 0
fi
# playwright-core drives the installed Chromium; it never downloads a browser.
if [ ! -d "$here/node_modules/playwright-core" ]; then
  if ! (cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent); then
    echo "skipping the browser tests: playwright-core could not be installed from npm (cd tests/browser && npm ci)"
    exit 0
  fi
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The pages mgrad writes.
(cd "$root" && cargo build --quiet --bin mgrad)
mgrad="${CARGO_TARGET_DIR:-$root/target}/debug/mgrad"
mkdir "$work/pages"
(cd "$work/pages" && "$mgrad" -e '
a = 2; b = -3; c = 10; f = -2
e = a * b; d = e + c; L = d * f
grad L
dot L > "graph.html"
explain L > "steps.html"
' >/dev/null)
node "$here/pages.mjs" "$work/pages" "$chromium"

# The playground, with the debug build of the wasm module (quick to build: CI has
# just built it), so this test installs no tool; web/build.sh installs them.
status=0
built=$("$root/web/build.sh" --dev --no-install --out "$work/playground" 2>&1) || status=$?
if [ "$status" -eq 3 ]; then
  echo "skipping the playground's browser test: ${built##*web/build.sh: } (run web/build.sh once)"
  exit 0
elif [ "$status" -ne 0 ]; then
  echo "$built"
  exit "$status"
fi
"$mgrad" "$root/examples/01_derivative.mg" > "$work/01_derivative.txt"
node "$here/playground.mjs" "$work/playground" "$chromium" --cli-output "$work/01_derivative.txt"
