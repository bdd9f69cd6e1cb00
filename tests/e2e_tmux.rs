//! The real binary in a real terminal (tmux): launch, navigate, quit, terminal restored.

mod common;

use std::time::Duration;

use common::tmux::Tmux;

const DECK: &str = "Opening slide\n===\n\nfirst words\n\n<!-- pause -->\n\nrevealed words\n\n<!-- end_slide -->\n\nMiddle\n===\n\n<!-- end_slide -->\n\nClosing slide\n===\n\nlast words\n";

#[test]
#[cfg_attr(not(deck_has_tmux), ignore = "needs tmux")]
fn launch_navigate_quit_restores_terminal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("talk.md"), DECK).unwrap();
    let t = Tmux::start("nav", dir.path());
    t.type_line(&format!("{} talk.md", env!("CARGO_BIN_EXE_deck")));
    let wait = Duration::from_secs(10);
    let screen = t.wait_for("Opening slide", wait);
    assert!(screen.contains("first words") && !screen.contains("revealed words"), "{screen}");
    t.send(&["l"]);
    t.wait_for("revealed words", wait);
    t.send(&["G"]);
    t.wait_for("Closing slide", wait);
    t.wait_for("3 / 3", wait);
    t.send(&["q"]);
    // Back at the prompt, the alternate screen gone: no slide text left behind.
    let screen = t.wait_until(
        wait,
        |s| s.trim_end().ends_with("E2E$") && !s.contains("last words"),
        "the prompt after quitting",
    );
    assert!(!screen.contains("Closing slide"), "{screen}");
    // The terminal is usable: echo works and shows its output (raw mode is off).
    t.type_line("echo still-$((40+2))");
    t.wait_for("still-42", wait);
}

#[test]
#[cfg_attr(not(deck_has_tmux), ignore = "needs tmux")]
fn bad_deck_exits_2_with_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.md"), "---\ntitle: x\nnot_a_key: 1\n---\nhi\n").unwrap();
    let t = Tmux::start("bad", dir.path());
    t.type_line(&format!("{} bad.md; echo status=$?", env!("CARGO_BIN_EXE_deck")));
    let screen = t.wait_for("status=2", Duration::from_secs(10));
    assert!(screen.contains("bad.md:3: error: invalid front matter: unknown key `not_a_key`"), "{screen}");
}

#[test]
#[cfg_attr(not(deck_has_tmux), ignore = "needs tmux")]
fn sigterm_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sigterm-talk.md"), DECK).unwrap();
    let t = Tmux::start("term", dir.path());
    t.type_line(&format!("{} sigterm-talk.md", env!("CARGO_BIN_EXE_deck")));
    t.wait_for("Opening slide", Duration::from_secs(10));
    common::signal(t.child_pid("deck"), "TERM");
    t.wait_until(
        Duration::from_secs(10),
        |s| s.trim_end().ends_with("E2E$") && !s.contains("first words"),
        "the prompt after SIGTERM",
    );
    // Ended by a signal: 128 + 15, as a shell reports it.
    t.type_line("echo status=$?");
    t.wait_for("status=143", Duration::from_secs(10));
}

/// SIGINT (from `kill`; ctrl+c itself is a key) quits cleanly too, also once Python runs.
#[test]
#[cfg_attr(not(deck_has_tmux), ignore = "needs tmux")]
fn sigint_after_python_ran_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sigint-talk.md"),
        "Sigint\n===\n\n```python +exec\nprint('py' + 'thon ran')\n```\n",
    )
    .unwrap();
    let t = Tmux::start("int", dir.path());
    t.type_line(&format!("{} -x sigint-talk.md", env!("CARGO_BIN_EXE_deck")));
    t.wait_for("Sigint", Duration::from_secs(10));
    t.send(&["C-e"]);
    t.wait_for("python ran", Duration::from_secs(20));
    common::signal(t.child_pid("deck"), "INT");
    t.wait_until(
        Duration::from_secs(10),
        |s| s.trim_end().ends_with("E2E$") && !s.contains("python ran"),
        "the prompt after SIGINT",
    );
    t.type_line("echo status=$?");
    t.wait_for("status=130", Duration::from_secs(10));
}

#[test]
#[cfg_attr(not(deck_has_tmux), ignore = "needs tmux")]
fn python_snippet_output_appears_under_the_code() {
    let dir = tempfile::tempdir().unwrap();
    let deck = "Live Python\n===\n\n```python +exec\nwords = ['live', 'from', 'python']\nprint('-'.join(words).upper())\n```\n";
    std::fs::write(dir.path().join("py-talk.md"), deck).unwrap();
    let t = Tmux::start("py", dir.path());
    t.type_line(&format!("{} -x py-talk.md", env!("CARGO_BIN_EXE_deck")));
    t.wait_for("Live Python", Duration::from_secs(10));
    t.send(&["C-e"]);
    let screen = t.wait_for("LIVE-FROM-PYTHON", Duration::from_secs(20));
    let code_row = screen.lines().position(|l| l.contains("print('-'.join")).unwrap();
    let out_row = screen.lines().position(|l| l.contains("LIVE-FROM-PYTHON")).unwrap();
    assert!(out_row > code_row, "output under the code:\n{screen}");
    t.send(&["q"]);
    t.wait_until(Duration::from_secs(10), |s| s.trim_end().ends_with("E2E$"), "the prompt");
}

#[test]
#[cfg_attr(not(deck_has_tmux), ignore = "needs tmux")]
fn notes_in_a_second_pane_follow_and_lead() {
    let dir = tempfile::tempdir().unwrap();
    let deck = "Alpha slide\n===\n\n<!-- speaker_note: NOTE-FOR-ALPHA -->\n\n<!-- end_slide -->\n\nBeta slide\n===\n\n<!-- speaker_note: NOTE-FOR-BETA -->\n";
    std::fs::write(dir.path().join("notes-talk.md"), deck).unwrap();
    let bin = env!("CARGO_BIN_EXE_deck");
    let t = Tmux::start("notes", dir.path());
    t.type_line(&format!("{bin} notes-talk.md"));
    t.wait_for("Alpha slide", Duration::from_secs(10));
    let status = t
        .tmux()
        .args(["split-window", "-h", "-t", &t.name, "-c"])
        .arg(dir.path())
        .arg(format!("{bin} --notes notes-talk.md; sleep 30"))
        .status()
        .unwrap();
    assert!(status.success());
    let notes_pane = format!("{}.1", t.name);
    let capture = |pane: &str| {
        let out = t.tmux().args(["capture-pane", "-p", "-t", pane]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let wait = |pane: &str, text: &str| {
        let start = std::time::Instant::now();
        while !capture(pane).contains(text) {
            assert!(start.elapsed() < Duration::from_secs(10), "{text} in {pane}:\n{}", capture(pane));
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    wait(&notes_pane, "NOTE-FOR-ALPHA");
    // Navigate in the presenter's pane: the notes follow.
    t.tmux().args(["send-keys", "-t", &format!("{}.0", t.name), "l"]).status().unwrap();
    wait(&notes_pane, "NOTE-FOR-BETA");
    // Navigate in the notes pane: the presenter follows.
    t.tmux().args(["send-keys", "-t", &notes_pane, "h"]).status().unwrap();
    wait(&format!("{}.0", t.name), "Alpha slide");
    wait(&notes_pane, "NOTE-FOR-ALPHA");
}

#[test]
#[cfg_attr(not(deck_has_tmux), ignore = "needs tmux")]
fn record_writes_the_live_presentation_as_a_cast() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rec-talk.md"), DECK).unwrap();
    let t = Tmux::start("rec", dir.path());
    t.type_line(&format!("{} --record live.cast rec-talk.md", env!("CARGO_BIN_EXE_deck")));
    t.wait_for("Opening slide", Duration::from_secs(10));
    assert!(!dir.path().join("live.cast").exists(), "written when the talk ends, not before");
    t.send(&["l"]);
    t.wait_for("revealed words", Duration::from_secs(10));
    t.send(&["G"]);
    t.wait_for("Closing slide", Duration::from_secs(10));
    t.send(&["q"]);
    t.wait_until(Duration::from_secs(10), |s| s.trim_end().ends_with("E2E$"), "the prompt");
    let cast = std::fs::read_to_string(dir.path().join("live.cast")).unwrap();
    let mut lines = cast.lines();
    let header: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(header["version"], 2);
    let events: Vec<serde_json::Value> = lines.map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(events.len() >= 3, "a frame per change: {}", events.len());
    let nz = |n: u16| std::num::NonZeroU16::new(n).unwrap();
    let mut vt = vt100::Parser::new(nz(36), nz(120), 0);
    for e in &events {
        vt.process(e[2].as_str().unwrap().as_bytes());
    }
    assert!(vt.screen().contents().contains("last words"), "{}", vt.screen().contents());
}

/// A Rust panic in a demo module, caught by Python as PanicException, is the snippet's
/// exception: the presenter stays on its screen, with no panic message written over it.
#[test]
#[cfg_attr(not(deck_has_tmux), ignore = "needs tmux")]
fn a_panic_caught_by_python_leaves_the_presenter_on_screen() {
    let dir = tempfile::tempdir().unwrap();
    let deck = "Panic slide\n===\n\n```python +exec\nimport rust_demo\ntry:\n    rust_demo.panics('kab' + 'oom')\nexcept BaseException as e:\n    print(type(e).__name__, 'caught:', e)\n```\n";
    std::fs::write(dir.path().join("panic-talk.md"), deck).unwrap();
    let t = Tmux::start("panic", dir.path());
    t.type_line(&format!("{} -x panic-talk.md", env!("CARGO_BIN_EXE_deck")));
    let wait = Duration::from_secs(20);
    t.wait_for("Panic slide", wait);
    t.send(&["C-e"]);
    let screen = t.wait_for("PanicException caught: kaboom", wait);
    assert!(screen.contains("Panic slide") && !screen.contains("panicked at"), "{screen}");
    // Still the presenter in raw mode: `q` is a key, and quitting restores the prompt.
    t.send(&["q"]);
    t.wait_until(wait, |s| s.trim_end().ends_with("E2E$") && !s.contains("Panic slide"), "the prompt");
}

/// A second presenter of the same deck cannot have the notes link: it says so (`w`).
#[test]
#[cfg_attr(not(deck_has_tmux), ignore = "needs tmux")]
fn a_second_presenter_says_it_has_no_notes_link() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("twice-talk.md"), DECK).unwrap();
    let first = Tmux::start("first", dir.path());
    first.type_line(&format!("{} twice-talk.md", env!("CARGO_BIN_EXE_deck")));
    first.wait_for("Opening slide", Duration::from_secs(10));
    let second = Tmux::start("second", dir.path());
    second.type_line(&format!("{} twice-talk.md", env!("CARGO_BIN_EXE_deck")));
    second.wait_for("Opening slide", Duration::from_secs(10));
    second.send(&["w"]);
    second.wait_for("speaker notes cannot follow this presenter", Duration::from_secs(10));
}

#[test]
#[cfg_attr(not(deck_has_tmux), ignore = "needs tmux")]
fn emoji_keep_their_skin_tones_and_zwj_sequences_in_tmux() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Emoji\n===\n\nHi 🙋🏽‍♀️ there, coder 👨🏽‍💻 here, ok.\n\n* 🙋🏽‍♀️ in a list\n";
    std::fs::write(dir.path().join("emoji.md"), text).unwrap();
    let t = Tmux::start("emoji", dir.path());
    t.type_line(&format!("{} emoji.md", env!("CARGO_BIN_EXE_deck")));
    let screen = t.wait_for("in a list", Duration::from_secs(10));
    // tmux counts these clusters wider than ratatui does: text after them must not overwrite them.
    assert!(screen.contains("Hi 🙋🏽‍♀️ there, coder 👨🏽‍💻 here, ok."), "{screen}");
    assert!(screen.contains("🙋🏽‍♀️ in a list"), "{screen}");
    t.send(&["q"]);
}

/// Live editing in the real binary: typed on the slide and run; rewritten by `E` in the
/// presenter's `$EDITOR` (a script here) and run; a Rust snippet edited with `E`, rebuilt and
/// run; quit and open again: the edit is back.
#[test]
#[cfg_attr(not(deck_has_tmux), ignore = "needs tmux")]
fn snippets_edited_on_stage_run_and_come_back_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let deck = "Python\n===\n\n```python +exec\nprint(1)\n```\n\n<!-- end_slide -->\n\nRust\n===\n\n```rust +exec\nfn main() {\n    println!(\"rust 1\");\n}\n```\n";
    std::fs::write(dir.path().join("live.md"), deck).unwrap();
    let editor = dir.path().join("editor.sh");
    std::fs::write(&editor, "#!/bin/sh\nsed -i -e 's/print(2)/print(\"FROM EDITOR\")/' -e 's/rust 1/rust 2/' \"$1\"\n")
        .unwrap();
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let cache = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("deck-rust-tests/cache");
    let t = Tmux::start("edit", dir.path());
    let launch = format!(
        "XDG_STATE_HOME=$PWD/state DECK_CACHE_DIR={} EDITOR=$PWD/editor.sh {} -x live.md",
        cache.display(),
        env!("CARGO_BIN_EXE_deck")
    );
    t.type_line(&launch);
    let wait = Duration::from_secs(20);
    let build = Duration::from_secs(300);
    t.wait_for("print(1)", wait);
    let output_line = |s: &str, text: &str| s.lines().any(|l| l.trim() == text);
    // Typed where it stands, then run with ctrl+e.
    t.send(&["e"]);
    t.wait_for("editing", wait);
    t.send(&["-l", "; print(\"TYPED\")"]);
    t.send(&["Enter"]);
    t.send(&["-l", "print(2)"]);
    t.send(&["C-e"]);
    // Each run waited for to its end (no "running…" left), so the next run key starts anew.
    t.wait_until(wait, |s| output_line(s, "TYPED") && output_line(s, "2") && !s.contains("running…"), "both outputs");
    t.send(&["Escape"]);
    // The presenter's editor rewrites it.
    t.send(&["E"]);
    t.wait_for("print(\"FROM EDITOR\")", wait);
    t.send(&["C-e"]);
    t.wait_until(wait, |s| output_line(s, "FROM EDITOR") && !s.contains("running…"), "the edited snippet's output");
    // A Rust snippet through `E`: rebuilt, the new output.
    t.send(&["n"]);
    t.wait_for("rust 1", wait);
    t.send(&["E"]);
    t.wait_for("println!(\"rust 2\")", wait);
    t.send(&["C-e"]);
    t.wait_until(build, |s| output_line(s, "rust 2") && !s.contains("running…"), "the rebuilt Rust snippet's output");
    // Quit and open again: the edits are back, and the presenter is told.
    t.send(&["q"]);
    t.wait_for("E2E$", wait);
    t.type_line(&launch);
    t.wait_for("print(\"FROM EDITOR\")", wait);
    let screen = t.wait_for("edited", wait);
    assert!(screen.contains("⚠"), "the restored edits are counted in the footer:\n{screen}");
    t.send(&["q"]);
}
