#!/usr/bin/env bash
# Serves the built playground (web/build.sh) on http://127.0.0.1:8000/ (or PORT):
#   web/serve.sh [PORT]
# Any static host serves web/dist/ as well; the page needs no network once loaded.
# (Browsers refuse to start the Web Worker from a file:// page, so open it through a server.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -f "$here/dist/index.html" ]; then
  echo "web/serve.sh: nothing to serve yet; build it first: web/build.sh" >&2
  exit 1
fi
if ! command -v node >/dev/null; then
  echo "web/serve.sh: Node.js is not installed (Debian: apt-get install -y nodejs); or serve web/dist/ with any static server" >&2
  exit 1
fi
exec node "$here/serve.mjs" "$here/dist" "${1:-8000}"
