#!/usr/bin/env bash
# Build the demo modules as a wheel with maturin, install it in a fresh virtualenv (inside
# target/, never committed) and run the Python tests against it; among them, the talk
# exported as a notebook (by target/debug/deck) runs there as an attendee's would.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv="$PWD/target/wheel-venv"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check pytest numpy Pillow nbformat nbclient ipykernel
"$venv/bin/pip" install --quiet --disable-pip-version-check ./demos
cd "$venv"   # not the repo: the tests must import the installed wheel
"$venv/bin/python" -m pytest -q "$OLDPWD/demos/tests" "$OLDPWD/tests/notebook"
