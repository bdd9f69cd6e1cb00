#!/usr/bin/env bash
# Times deck and presenterm side by side in the same terminal (a detached 120x36 tmux pane),
# alternating runs, and prints medians and ratios. Needs tmux, presenterm (`cargo install
# presenterm`) and ../shared/bench. Usage: bench/side_by_side.sh [runs] [sections]
# (default: 5 runs; sections "1 2 3 4" = first frame, memory, python, rust)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
sections="${2:-1 2 3 4}"
want() { [[ " $sections " == *" $1 "* ]]; }
shared="$(cd ../shared/bench && pwd)"
deck="$PWD/target/release/deck"
[ -x "$deck" ] || cargo build --release --quiet
command -v presenterm >/dev/null || { echo "presenterm not found: cargo install presenterm" >&2; exit 2; }
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
unset TERM_PROGRAM   # presenterm waits on a terminal query tmux never answers when it is set

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", a / b}'; }

# 1. Launch to first frame, 10 and 500 slides.
for n in 10 500; do
  python3 "$shared/gen-deck.py" "$n" > "$work/big$n.md"
  want 1 || continue
  : > "$work/d" ; : > "$work/p"
  for ((i = 0; i < runs; i++)); do
    "$shared/ttff.sh" "$work" FIRST-SLIDE-TITLE "$deck" "big$n.md" >> "$work/d"
    "$shared/ttff.sh" "$work" FIRST-SLIDE-TITLE env -u TERM_PROGRAM presenterm "big$n.md" >> "$work/p"
  done
  d=$(median < "$work/d"); p=$(median < "$work/p")
  echo "first frame, $n slides: deck ${d} ms, presenterm ${p} ms, presenterm/deck = $(ratio "$p" "$d")x"
done

# 2. Peak memory (VmHWM) after walking every slide of the 500-slide deck.
peak() { # command...
  local name="mem-$$-$RANDOM"
  tmux new-session -d -s "$name" -x 120 -y 36 -c "$work" "$*; sleep 5"
  for ((i = 0; i < 500; i++)); do tmux capture-pane -p -t "$name" | grep -q FIRST-SLIDE-TITLE && break; sleep 0.01; done
  local pid; pid=$(pgrep -n -f "big500.md" | head -1)
  for ((i = 0; i < 520; i++)); do tmux send-keys -t "$name" n; done
  for ((i = 0; i < 1000; i++)); do tmux capture-pane -p -t "$name" | grep -q "Slide number 499" && break; sleep 0.02; done
  sleep 0.5
  awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$pid/status"
  tmux kill-session -t "$name"; sleep 1 # let the tmux server go before the next one
}
if want 2; then
d=$(peak "$deck" big500.md); p=$(peak env -u TERM_PROGRAM presenterm big500.md)
echo "peak memory after walking 500 slides: deck ${d} MB, presenterm ${p} MB, presenterm/deck = $(ratio "$p" "$d")x"
fi

# 3. Run key to output: a one-line python snippet (deck embedded, presenterm a new process).
printf 'Latency\n===\n\n```python +exec\nprint("LAT" + "-OK")\n```\n' > "$work/lat.md"
if want 3; then
: > "$work/d" ; : > "$work/p"
for ((i = 0; i < runs; i++)); do
  "$shared/latency.sh" "$work" lat.md Latency LAT-OK "$deck" -x >> "$work/d"
  "$shared/latency.sh" "$work" lat.md Latency LAT-OK env -u TERM_PROGRAM presenterm -x >> "$work/p"
done
d=$(median < "$work/d"); p=$(median < "$work/p")
echo "python run key to output: deck ${d} ms, presenterm ${p} ms, presenterm/deck = $(ratio "$p" "$d")x"
fi
want 4 || exit 0

# 4. Rust hello: first run after a 3 s warm-up, then a re-run (each run prints a new stamp).
printf 'Rust\n===\n\n```rust +exec\nfn main() {\n    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();\n    println!("RUN-{}", t.as_nanos());\n}\n```\n' > "$work/rs.md"
rust_runs() { # command... → "first_ms rerun_ms"
  local name="rr-$$-$RANDOM"
  tmux new-session -d -s "$name" -x 120 -y 36 -c "$work" "$*; sleep 5"
  for ((i = 0; i < 2000; i++)); do tmux capture-pane -p -t "$name" | grep -q Rust && break; sleep 0.01; done
  sleep 3
  local out=()
  local before=""
  for _ in 1 2; do
    local t0; t0=$(date +%s%N); tmux send-keys -t "$name" C-e
    local line=""
    for ((i = 0; i < 6000; i++)); do
      line=$(tmux capture-pane -p -t "$name" | grep -oE "RUN-[0-9]+" | head -1 || true)
      if [ -n "$line" ] && [ "$line" != "$before" ]; then break; fi
      sleep 0.002
    done
    local t1; t1=$(date +%s%N)
    out+=($(((t1 - t0) / 1000000)))
    before="$line"
    sleep 0.3
  done
  tmux kill-session -t "$name"; sleep 1
  echo "${out[0]} ${out[1]}"
}
: > "$work/d1" ; : > "$work/d2" ; : > "$work/p1" ; : > "$work/p2"
for ((i = 0; i < runs; i++)); do
  read -r a b < <(rust_runs "$deck" -x rs.md); echo "$a" >> "$work/d1"; echo "$b" >> "$work/d2"
  read -r a b < <(rust_runs env -u TERM_PROGRAM presenterm -x rs.md); echo "$a" >> "$work/p1"; echo "$b" >> "$work/p2"
done
d1=$(median < "$work/d1"); d2=$(median < "$work/d2"); p1=$(median < "$work/p1"); p2=$(median < "$work/p2")
echo "rust hello, first run after warm-up: deck ${d1} ms, presenterm ${p1} ms, presenterm/deck = $(ratio "$p1" "$d1")x"
echo "rust hello, re-run: deck ${d2} ms, presenterm ${p2} ms, presenterm/deck = $(ratio "$p2" "$d2")x"
