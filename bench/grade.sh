#!/usr/bin/env bash
# Grading speed (issue 10): 1,000 submissions of the backprop exercise, graded by a
# release build on every core. The target is under 2 s on a 2-core machine.
#
#   bench/grade.sh [COUNT]      # default 1000; prints the median of 5 runs
#
# The submissions are the exercise's own (a solution, wrong ones, one that does not
# parse, one that uses backward), copied round-robin into a scratch folder, so the
# mix is what a class hands in. The release binary is built first if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-1000}"
target="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet
bin="$target/release/mgrad"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
sources=(exercises/backprop/*.mg)
for ((k = 0; k < count; k++)); do
  cp "${sources[k % ${#sources[@]}]}" "$dir/student_$(printf '%04d' "$k").mg"
done
times=()
for run in 1 2 3 4 5; do
  start=$(date +%s.%N)
  "$bin" grade exercises/backprop.mg "$dir" --format json > "$dir.out"
  end=$(date +%s.%N)
  times+=("$(echo "$end - $start" | bc)")
done
lines=$(wc -l < "$dir.out")
rm -f "$dir.out"
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
echo "graded $lines submissions of exercises/backprop.mg on $(nproc) cores"
echo "runs (s): ${times[*]}"
echo "median: ${median} s"
