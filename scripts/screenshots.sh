#!/usr/bin/env bash
# Re-make docs/*.svg: three live slides of the talk (the race, the JPEG XL picture, the PyO3
# function written on stage), presented by the release build in a 120x36 tmux pane, with
# every snippet on the way run for real; and docs/jxl-sixel.png, the picture slide as a real
# terminal shows it (xterm -ti vt340 under Xvfb: sixel; tmux has no sixel), driven from a
# `deck --notes` screen in tmux. Needs tmux; the PNG also xterm, Xvfb, xwd and ImageMagick.
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
tmux kill-session -t "$s" 2>/dev/null || true

# Two pages of the talk as a PDF, drawn by poppler (the PDF's own text and picture).
if command -v pdftoppm >/dev/null; then
  pdf="$(mktemp -d)/talk.pdf"
  target/release/deck export -x --python-env "$venv" slides/talk.md --to "$pdf"
  pdftoppm -png -r 80 -f 16 -l 16 -singlefile "$pdf" docs/pdf-errors
  pdftoppm -png -r 80 -f 27 -l 27 -singlefile "$pdf" docs/pdf-picture
  echo "docs/pdf-errors.png docs/pdf-picture.png"
fi

# The picture slide in xterm with sixel graphics, on a virtual X display.
for tool in Xvfb xterm xwd convert; do
  command -v "$tool" >/dev/null || { echo "no $tool: docs/jxl-sixel.png not re-made" >&2; exit 0; }
done
display=":$((90 + $$ % 9))"
Xvfb "$display" -screen 0 1400x900x24 >/dev/null 2>&1 &
xvfb=$!
n="deck-notes-$$"
trap 'tmux kill-session -t "$n" 2>/dev/null; kill $xvfb $xterm 2>/dev/null' EXIT
sleep 1
DISPLAY="$display" xterm -ti vt340 -xrm 'XTerm*numColorRegisters: 256' -xrm 'XTerm*maxGraphicSize: 4000x4000' \
  -geometry 120x36+0+0 -fa Monospace -fs 10 -bg black \
  -e bash -c "cd slides && ../target/release/deck -x --python-env ../$venv talk.md" &
xterm=$!
sleep 2
tmux new-session -d -s "$n" -x 120 -y 36 "cd slides && ../target/release/deck --notes talk.md"
sleep 1.5
note() { tmux send-keys -t "$n" "$@"; sleep 0.3; }
# ctrl+e on the notes screen runs the slide's snippet on the presenter; wait until it is done.
run_there() {
  note C-e
  tmux capture-pane -p -t "$n" | grep -q "run code?" && note y
  for _ in $(seq 1 300); do sleep 0.1; tmux capture-pane -p -t "$n" | grep -q "snippet running" || break; done
  sleep 0.5
}
note 2 1 G; run_there
for _ in 1 2 3 4 5 6; do note n; run_there; done
sleep 1
# The window sits at the top left of a black screen: trimming the black leaves the window.
DISPLAY="$display" xwd -root -silent | convert xwd:- -trim +repage docs/jxl-sixel.png
echo "docs/jxl-sixel.png"
