#!/usr/bin/env bash
# Builds the playground (mgrad in the browser) into web/dist/: a folder any static host
# can serve, or web/serve.sh on 127.0.0.1. Installs what it needs, at pinned versions,
# from the registries:
#   - the Rust target wasm32-unknown-unknown (rustup);
#   - wasm-bindgen-cli, exactly the version of the wasm-bindgen crate that
#     crates/mgrad-wasm pins (crates.io; compiled once, a few minutes), into
#     ${XDG_CACHE_HOME:-~/.cache}/mgrad/wasm-bindgen-VERSION, unless that version is on PATH;
#   - CodeMirror and esbuild (npm, as web/package-lock.json says).
# Then it builds the wasm module (release, LTO), generates its JavaScript glue, and
# bundles the page (build.mjs).
#
# Usage: web/build.sh [--dev] [--out DIR] [--no-install]
#   --dev          build the wasm in the debug profile: quick to build, slow to run (tests)
#   --out DIR      build into DIR instead of web/dist
#   --no-install   install no Rust target or tool; exit with status 3 if one is missing
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out="$here/dist"
profile=release
install=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --dev) profile=dev ;;
    --out) out=${2:?--out needs a folder}; shift ;;
    --no-install) install=no ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "web/build.sh: unknown option '$1' (see web/build.sh --help)" >&2; exit 2 ;;
  esac
  shift
done
missing() {
  echo "web/build.sh: $1" >&2
  exit 3
}

# The Rust target.
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  [ "$install" = yes ] || missing "the Rust target wasm32-unknown-unknown is not installed (rustup target add wasm32-unknown-unknown)"
  rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen-cli, at the version of the crate: the glue it writes must match the crate.
version=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"$/\1/p' "$root/crates/mgrad-wasm/Cargo.toml")
[ -n "$version" ] || { echo "web/build.sh: no pinned wasm-bindgen version in crates/mgrad-wasm/Cargo.toml" >&2; exit 1; }
tools="${XDG_CACHE_HOME:-$HOME/.cache}/mgrad/wasm-bindgen-$version"
bindgen=$(command -v wasm-bindgen || true)
if [ -z "$bindgen" ] || [ "$("$bindgen" --version)" != "wasm-bindgen $version" ]; then
  bindgen="$tools/bin/wasm-bindgen"
  if [ ! -x "$bindgen" ]; then
    [ "$install" = yes ] || missing "wasm-bindgen-cli $version is not installed (web/build.sh installs it)"
    echo "installing wasm-bindgen-cli $version from crates.io into $tools (once; a few minutes)"
    # Its own lock file first; where a registry lacks a version it names, the newest
    # compatible ones (the CLI itself stays at exactly $version).
    cargo install --quiet --locked --root "$tools" wasm-bindgen-cli --version "=$version" ||
      cargo install --quiet --root "$tools" wasm-bindgen-cli --version "=$version"
  fi
fi

# CodeMirror and esbuild.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing "Node.js and npm are not installed (Debian: apt-get install -y nodejs npm)"
fi
if ! (cd "$here" && npm ls --silent >/dev/null 2>&1); then
  (cd "$here" && npm ci --no-audit --no-fund --silent) ||
    missing "the npm packages could not be installed (cd web && npm ci)"
fi

# The wasm module. Release: one codegen unit and LTO make it smaller and faster; these
# settings are the environment's, so the root Cargo.toml's release profile stays the CLI's.
target_dir=${CARGO_TARGET_DIR:-$root/target}
if [ "$profile" = release ]; then
  (cd "$root" && CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_PROFILE_RELEASE_LTO=true \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
    cargo build --quiet --release -p mgrad-wasm --target wasm32-unknown-unknown)
  wasm="$target_dir/wasm32-unknown-unknown/release/mgrad_wasm.wasm"
else
  (cd "$root" && cargo build --quiet -p mgrad-wasm --target wasm32-unknown-unknown)
  wasm="$target_dir/wasm32-unknown-unknown/debug/mgrad_wasm.wasm"
fi
pkg="$target_dir/web/pkg-$profile"
"$bindgen" --target web --no-typescript --out-dir "$pkg" --out-name mgrad_wasm "$wasm"

# The page.
node "$here/build.mjs" --pkg "$pkg" --out "$out" --examples "$root/examples"
compressed=$(gzip -9 -c "$out"/mgrad-*.wasm | wc -c)
echo "built $out (the wasm module: $(($(wc -c < "$out"/mgrad-*.wasm) / 1024)) KiB, $((compressed / 1024)) KiB gzipped)"
