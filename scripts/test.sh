#!/usr/bin/env bash
# Every test deck has: Rust unit, integration and end-to-end (tmux) tests, the demo modules'
# Python tests inside deck's interpreter, then the same tests against the wheel maturin
# builds. Needs only Rust and Python 3 (packages come from PyPI into venvs under target/);
# tests that need tmux skip without it (under CI=true they fail instead, and .ci/run
# installs it).
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

cargo test --workspace --locked
bash demos/scripts/test-wheel.sh
