#!/usr/bin/env bash
# mg's Jupyter kernel under Jupyter's own tools: the official conformance suite
# (jupyter_kernel_test, every message checked against the message spec's schemas) and
# jupyter-execute on every notebook under notebooks/, each timed.
#
# Installs its Python packages (requirements.txt) into a venv under target/, and the
# kernel into a private Jupyter data dir there, so nothing of the user's is touched.
# Skips, saying how to get what is missing, where Python 3.9+ or PyPI is not available.
# Run by .ci/run; by hand: tests/jupyter/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target="${CARGO_TARGET_DIR:-$root/target}"

# The first Python 3.9+ with venv and ensurepip ($PYTHON if set).
python=""
for candidate in ${PYTHON:-python3 python3.13 python3.12 python3.11 python3.10 python3.9}; do
  if command -v "$candidate" >/dev/null \
      && "$candidate" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then
    python=$(command -v "$candidate")
    break
  fi
done
if [ -z "$python" ]; then
  echo "skipping the Jupyter tests: Python 3.9 or newer with venv is not installed (Debian: apt-get install -y python3 python3-venv)"
  exit 0
fi

venv="$target/jupyter-venv"
stamp="$venv/installed-requirements.txt"
if ! cmp -s "$here/requirements.txt" "$stamp" 2>/dev/null; then
  rm -rf "$venv"
  if ! "$python" -m venv "$venv" || ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"; then
    rm -rf "$venv"
    echo "skipping the Jupyter tests: their Python packages could not be installed from PyPI (pip install -r tests/jupyter/requirements.txt)"
    exit 0
  fi
  cp "$here/requirements.txt" "$stamp"
fi

(cd "$root" && cargo build --quiet --bin mgrad)
mgrad="$target/debug/mgrad"

# A Jupyter of our own: its data (the kernelspec), config and runtime (connection files).
jupyter="$target/jupyter-home"
rm -rf "$jupyter"
mkdir -p "$jupyter/data" "$jupyter/config" "$jupyter/runtime" "$jupyter/notebooks"
export JUPYTER_DATA_DIR="$jupyter/data" JUPYTER_CONFIG_DIR="$jupyter/config" JUPYTER_RUNTIME_DIR="$jupyter/runtime"
unset JUPYTER_PATH JUPYTER_CONFIG_PATH
# Tracebacks without colour, so a failure here reads plainly in CI's log.
export NO_COLOR=1
"$mgrad" kernel install --name mg >/dev/null

echo "jupyter_kernel_test on the mg kernel:"
(cd "$here" && "$venv/bin/python" -m unittest -v test_mg_kernel)

echo "jupyter-execute on the notebooks:"
failed=0
for notebook in "$root"/notebooks/*.ipynb; do
  name=$(basename "$notebook")
  start=$(date +%s%N)
  if "$venv/bin/jupyter-execute" --kernel_name=mg --timeout=120 --output="$jupyter/notebooks/$name" "$notebook" \
      >"$jupyter/notebooks/$name.log" 2>&1; then
    end=$(date +%s%N)
    printf '  %-28s ok in %d ms\n' "$name" $(((end - start) / 1000000))
  else
    printf '  %-28s FAILED\n' "$name"
    cat "$jupyter/notebooks/$name.log"
    failed=1
  fi
done
exit "$failed"
