#!/usr/bin/env bash
# Re-make docs/*.svg: three live slides of the talk (the race, the JPEG XL picture, the PyO3
# function written on stage), presented by the release build in a 120x36 tmux pane, with
# every snippet on the way run for real.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYO3_PYTHON="${PYO3_PYTHON:-$(command -v python3)}"
cargo build --release --quiet
venv=target/py-venv
s="deck-shots-$$"
tmux new-session -d -s "$s" -x 120 -y 36 "cd slides && TERM=xterm-256color ../target/release/deck -x --python-env ../$venv talk.md; sleep 60"
trap 'tmux kill-session -t "$s" 2>/dev/null' EXIT
sleep 1.5
key() { tmux send-keys -t "$s" "$@"; sleep 0.3; }
run() { # the run key, then wait until nothing is running
  tmux send-keys -t "$s" C-e
  for _ in $(seq 1 300); do sleep 0.1; tmux capture-pane -p -t "$s" | grep -q "⏳" || break; done
  sleep 0.5
}
shot() { tmux capture-pane -p -e -N -t "$s" | python3 scripts/ansi2svg.py > "docs/$1.svg"; }
key 2 1 G; run; key n; run; key n; run; key n; run; key n; run; shot race
key n; run; key n; run; shot jxl
key 2 9 G; run; shot pyo3; key n; run; shot pyo3-call
echo "docs/race.svg docs/jxl.svg docs/pyo3.svg docs/pyo3-call.svg"
