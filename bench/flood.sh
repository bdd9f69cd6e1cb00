#!/usr/bin/env bash
# flood.sh DIR DECK TITLE COMMAND...: present DECK (a slide TITLE with a `yes` snippet) in
# tmux 120x36, run the snippet for 5 s, press ctrl+k; prints "PEAK_MB STOP_MS": the
# presenter's peak memory and the milliseconds from ctrl+k until the slide says it stopped
# ("timeout" after 120 s).
set -u
dir="$1" deck="$2" title="$3"; shift 3
name="flood-$$-$RANDOM"
tmux new-session -d -s "$name" -x 120 -y 36 -c "$dir" "$* $deck; sleep 5"
for ((i = 0; i < 2000; i++)); do
  tmux capture-pane -p -t "$name" 2>/dev/null | grep -qF -- "$title" && break; sleep 0.01
done
shell=$(tmux display -p -t "$name" '#{pane_pid}')
pid=$(pgrep -P "$shell" | head -1)
sleep 0.5
tmux send-keys -t "$name" C-e
sleep 5
t0=$(date +%s%N); tmux send-keys -t "$name" C-k
stop=timeout
for ((i = 0; i < 60000; i++)); do
  if tmux capture-pane -p -t "$name" 2>/dev/null | grep -qE "stopped after|■ stopped"; then
    stop=$((($(date +%s%N) - t0) / 1000000)); break
  fi
  sleep 0.002
done
peak=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$pid/status")
tmux kill-session -t "$name" 2>/dev/null
echo "$peak $stop"
