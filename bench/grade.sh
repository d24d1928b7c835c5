#!/usr/bin/env bash
# Grading speed (issue 10): 1,000 submissions of the backprop exercise, graded by a
# release build. The target is under 2 s on a 2-core machine.
#
#   bench/grade.sh [COUNT]      # default 1000; the median of 5 runs, on every core and on one
#
# The submissions are the exercise's own (a solution, wrong ones, one that does not
# parse, one that uses backward), copied round-robin into a scratch folder, so the
# mix is what a class hands in. The release binary is built first if needed. The
# whole command is timed: start-up, reading the files, the reference (once), grading,
# sorting and writing JSON.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-1000}"
target="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet
bin="$target/release/mgrad"
dir="$(mktemp -d)"
trap 'rm -rf "$dir" "$dir.out"' EXIT
sources=(exercises/backprop/*.mg)
for ((k = 0; k < count; k++)); do
  cp "${sources[k % ${#sources[@]}]}" "$dir/student_$(printf '%04d' "$k").mg"
done

# The median of 5 runs of `mgrad grade … --format json` with the given extra arguments.
median() {
  local times=()
  for run in 1 2 3 4 5; do
    local start end
    start=$(date +%s.%N)
    "$bin" grade exercises/backprop.mg "$dir" --format json "$@" > "$dir.out"
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc)")
  done
  echo "$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p) s (runs: ${times[*]})"
}

echo "grading $count submissions of exercises/backprop.mg ($(nproc) cores)"
echo "every core: median $(median)"
echo "one core:   median $(median --jobs 1)"
echo "graded: $(wc -l < "$dir.out") submissions"
