//! The presenter outlives every hostile snippet: a deck of them, presented in tmux. After each
//! one the presenter answers a key (the next slide appears), the next snippet runs, the
//! terminal is intact; after quitting, no process deck started is left. How long each
//! recovery took is printed (run with --nocapture), never asserted.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::tmux::Tmux;

/// (title, snippet, what shows once it has done its worst, whether it needs ctrl+k).
const HOSTILE: &[(&str, &str, &str, bool)] = &[
    ("Segfault", "```python +exec\nimport ctypes\nctypes.string_at(0)\n```", "SIGSEGV", false),
    ("Exit", "```python +exec\nimport os\nos._exit(3)\n```", "exited with status 3", false),
    ("Abort", "```python +exec\nimport os\nos.abort()\n```", "SIGABRT", false),
    (
        "Fork",
        "```python +exec\nimport os, time\nif os.fork() == 0:\n    time.sleep(600)\nprint('parent' + ' goes on')\n```",
        "parent goes on",
        false,
    ),
    ("Yes", "```bash +exec\nyes\n```", "running", true),
    ("CLoop", "```python +exec\nsum(range(10**12))\n```", "running", true),
    ("Escapes", "```bash +exec\nprintf '\\033[2J\\033[?1049l\\033[31mRED-TEXT\\a\\n'\n```", "RED-TEXT", false),
    ("HugeLine", "```python +exec\nprint('x' * 100_000_000)\nprint('huge' + ' done')\n```", "huge done", false),
];

fn deck() -> String {
    let mut text = String::from("Chaos\n===\n\nA deck of hostile snippets.\n");
    for (i, (title, snippet, _, _)) in HOSTILE.iter().enumerate() {
        text.push_str(&format!("\n<!-- end_slide -->\n\n{title} slide\n===\n\n{snippet}\n"));
        text.push_str(&format!(
            "\n<!-- end_slide -->\n\nCalm {i}\n===\n\n```python +exec\nprint('calm {i} ' + 'ok', 'x' in globals())\n```\n"
        ));
    }
    text
}

/// Processes whose working folder is `dir`: snippets (and the worker) run there.
fn processes_in(dir: &Path) -> Vec<(u32, String)> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| std::fs::read_link(format!("/proc/{pid}/cwd")).is_ok_and(|cwd| cwd == dir))
        .filter(|&pid| !common::process_gone(pid))
        .map(|pid| (pid, common::comm(pid).unwrap_or_default()))
        .collect()
}

#[test]
#[cfg_attr(not(deck_has_tmux), ignore = "needs tmux")]
fn the_presenter_survives_a_deck_of_hostile_snippets() {
    let dir = tempfile::tempdir().unwrap();
    let dir_path = dir.path().canonicalize().unwrap();
    std::fs::write(dir_path.join("chaos.md"), deck()).unwrap();
    let t = Tmux::start("chaos", &dir_path);
    t.type_line(&format!("{} -x chaos.md", env!("CARGO_BIN_EXE_deck")));
    let wait = Duration::from_secs(30);
    t.wait_for("A deck of hostile snippets", wait);
    let deck_pid = t.child_pid("deck");
    let mut timings = Vec::new();
    for (i, (title, _, worst, needs_stop)) in HOSTILE.iter().enumerate() {
        t.send(&["n"]);
        t.wait_for(&format!("{title} slide"), wait);
        let start = Instant::now();
        t.send(&["C-e"]);
        t.wait_for(worst, wait);
        let mut took = start.elapsed();
        if *needs_stop {
            // Still answering keys while the snippet floods or spins: the next slide shows.
            let key = Instant::now();
            t.send(&["n"]);
            t.wait_for(&format!("Calm {i}"), wait);
            timings.push(format!("{title}: next slide while it ran {:?}", key.elapsed()));
            let stop = Instant::now();
            t.send(&["C-k"]);
            t.send(&["p"]);
            let screen = t.wait_until(wait, |s| s.contains("stopped after") || s.contains("restarted"), "the stop");
            took = stop.elapsed();
            t.send(&["n"]);
            assert!(screen.contains(&format!("{title} slide")), "{screen}");
        } else {
            t.send(&["n"]);
        }
        let what = if *needs_stop { "stopped (ctrl+k) after" } else { "shown after" };
        timings.push(format!("{title}: {worst:?} {what} {took:?}"));
        // The presenter answers, and the next snippet runs.
        t.wait_for(&format!("Calm {i}"), wait);
        let calm = Instant::now();
        t.send(&["C-e"]);
        let screen = t.wait_for(&format!("calm {i} ok"), wait);
        timings.push(format!("Calm {i}: ran in {:?}", calm.elapsed()));
        assert!(screen.contains(&format!("Calm {i}")), "the slide is intact:\n{screen}");
    }
    let peak = common::peak_rss_kb(deck_pid) / 1024;
    timings.push(format!("presenter peak RSS {peak} MB"));
    assert!(peak < 100, "the presenter's peak memory stayed under 100 MB: {peak} MB");
    t.send(&["q"]);
    t.wait_until(wait, |s| s.trim_end().ends_with("E2E$"), "the prompt");
    t.type_line("echo still-$((40+2))");
    t.wait_for("still-42", wait);
    let shell = t.shell_pid();
    let left = || processes_in(&dir_path).into_iter().filter(|(pid, _)| *pid != shell).collect::<Vec<_>>();
    let start = Instant::now();
    while !left().is_empty() {
        assert!(start.elapsed() < Duration::from_secs(60), "left behind: {:?}", left());
        std::thread::sleep(Duration::from_millis(20));
    }
    // Nor any snippet's temporary script.
    let scripts: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(&format!("deck-{deck_pid}-")))
        .collect();
    assert!(scripts.is_empty(), "temporary scripts left behind: {scripts:?}");
    eprintln!("{}", timings.join("\n"));
}
