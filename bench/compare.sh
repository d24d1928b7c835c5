#!/usr/bin/env bash
# Runs chain, wide, moons and startup in mgrad, in the engine (its Rust API), in a
# minimal tape (benches/tape.rs) and in micrograd, side by side, and prints tables
# of medians and ratios, peak memory, and (with valgrind) instructions.
#
#   bench/compare.sh            # from a clean checkout; takes 10 to 15 minutes
#   BENCH_ROUNDS=3 bench/compare.sh
#   BENCH_CALLGRIND=0 bench/compare.sh   # without the instruction counts
#
# micrograd is installed from PyPI into target/bench-venv (reused if present).
# Results: printed, and kept in target/bench/results.json; bench/RESULTS.md is
# the last recorded run.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/bench-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import micrograd' 2>/dev/null; then
  echo "setting up $venv with micrograd" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet micrograd
fi

cargo build --release --quiet
cargo bench --bench native --no-run --quiet
cargo bench --bench tape --no-run --quiet

exec "$venv/bin/python" bench/driver.py
