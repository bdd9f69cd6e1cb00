#!/usr/bin/env bash
# Every test deck has: Rust unit, integration and end-to-end (tmux) tests, the demo modules'
# Python tests inside deck's interpreter, then the same tests against the wheel maturin
# builds. Needs only Rust and Python 3 (packages come from PyPI into venvs under target/).
# Tests that drive a tool this machine lacks (tmux, chromium) are reported as skipped in the
# closing line, never as passed; under CI=true they run and fail instead (.ci/run installs
# the tools).
set -euo pipefail
cd "$(dirname "$0")/.."

# Build against the same Python that runs the tests (a pyenv shim is fine).
export PYO3_PYTHON="${PYO3_PYTHON:-$(command -v python3)}"

# A virtualenv (inside target/, never committed) with what the tests import from Python.
venv="$PWD/target/py-venv"
if ! "$venv/bin/python" -c 'import numpy, PIL, pytest' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check numpy Pillow pytest
fi
export DECK_TEST_PYTHON_ENV="$venv"

log="$PWD/target/test-log.txt"
mkdir -p target
cargo test --workspace --locked 2>&1 | tee "$log"
bash demos/scripts/test-wheel.sh 2>&1 | tee -a "$log"

# One closing line over every runner: cargo's "N passed; N failed; N ignored" lines and
# pytest's "N passed, N skipped".
grep -E '^test .* \.\.\. ignored' "$log" | sed 's/^test /skipped: /' || true
awk '
  /^test result:/ { for (i = 1; i <= NF; i++) { n = $i + 0
      if ($(i+1) ~ /^passed/) p += n; else if ($(i+1) ~ /^failed/) f += n; else if ($(i+1) ~ /^ignored/) s += n } }
  /^[0-9]+ passed/ || /^=+ [0-9]+ passed/ { for (i = 1; i <= NF; i++) { n = $i + 0
      if ($(i+1) ~ /^passed/) p += n; else if ($(i+1) ~ /^failed/) f += n; else if ($(i+1) ~ /^skipped/) s += n } }
  END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }
' "$log"
