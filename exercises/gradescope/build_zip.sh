#!/usr/bin/env bash
# Makes the zip to upload as a Gradescope autograder for one exercise:
#
#   exercises/gradescope/build_zip.sh exercises/backprop.mg backprop-autograder.zip
#
# It holds setup.sh and run_autograder at its root (as Gradescope requires), the
# exercise as exercise.mg, and mgrad's source (the committed tree, from git) for
# setup.sh to build. Check the exercise first: mgrad grade --check EXERCISE SOLUTION.
set -euo pipefail
exercise="${1:?usage: build_zip.sh EXERCISE.mg OUT.zip}"
out="${2:?usage: build_zip.sh EXERCISE.mg OUT.zip}"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp "$here/setup.sh" "$here/run_autograder" "$stage/"
chmod +x "$stage/setup.sh" "$stage/run_autograder"
cp "$exercise" "$stage/exercise.mg"
mkdir "$stage/mgrad-src"
git -C "$repo" archive HEAD | tar -x -C "$stage/mgrad-src"
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
(cd "$stage" && zip -qr "$out" .)
echo "wrote $out: upload it as the autograder of the assignment"
