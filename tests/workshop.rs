//! Workshops: an exercise run as given fails its checks, one by one with what they raised;
//! the solution, revealed on request, passes them and ticks the slide in the index, which a
//! new session remembers; `deck check -x` proves each exercise.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::Screen;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deck::app::run::Event;

const WAIT: Duration = Duration::from_secs(300);

fn mini() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/decks/workshop/mini.md")
}

/// The test's own copy of the mini workshop, with a Rust cache shared by this binary's tests.
fn screen(dir: &Path) -> Screen {
    let path = dir.join("mini.md");
    std::fs::copy(mini(), &path).unwrap();
    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("deck-rust-tests/cache");
    Screen::exec(&path, 100, 36, deck::exec::Settings { cache_dir: cache, ..common::settings() })
}

#[test]
fn an_exercise_fails_its_checks_until_solved_and_the_index_ticks_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = screen(dir.path());
    let progress = dir.path().join("state/progress.json");
    s.session.app.restore_progress(Some(progress.clone()));
    s.keys("n");
    s.ctrl('e');
    // Until the run has ended (its status), not only printed its summary.
    s.pump_until(WAIT, |s| s.text().contains("checks failed") && !s.session.running());
    s.assert_shows("0/3 checks passed");
    s.assert_shows("✗ test_five: PanicException: not yet implemented");
    s.assert_shows("✗ 3 of 3 checks failed");
    // The solution, after a confirmation, replaces the starter; run again: every check passes.
    s.keys("S");
    s.assert_shows("Show the solution of `factorial`?");
    s.keys("y");
    s.assert_shows("(1..=n).product()");
    s.assert_hides("todo!()");
    s.ctrl('e');
    s.pump_until(WAIT, |s| s.text().contains("all 3 checks passed") && !s.session.running());
    s.assert_shows("3/3 checks passed");
    s.assert_shows("✓ all 3 checks passed");
    s.assert_shows("✓ test_twenty");
    s.ctrl('p');
    s.assert_shows("2. Factorial  ✓");
    // A new session remembers it.
    let mut again = screen(dir.path());
    again.session.app.restore_progress(Some(progress));
    again.ctrl('p');
    again.assert_shows("2. Factorial  ✓");
    again.assert_hides("1. A tiny workshop  ✓");
}

fn check(path: &Path) -> (Option<i32>, String) {
    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("deck-rust-tests/cache");
    let out = Command::new(env!("CARGO_BIN_EXE_deck"))
        .args(["check", "-x"])
        .arg(path)
        .env("DECK_CACHE_DIR", cache)
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn deck_check_x_proves_each_exercise() {
    let (code, out) = check(&mini());
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("exercise factorial: solution passes 3/3 checks, starter fails 3"), "{out}");
    // A wrong solution, and a starter that already passes: both are reported.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(mini()).unwrap();
    let wrong = dir.path().join("wrong.md");
    std::fs::write(&wrong, text.replace("(1..=n).product()", "n")).unwrap();
    let (code, out) = check(&wrong);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("solution passes 0/3 checks") && out.contains("does not pass its checks"), "{out}");
    let easy = dir.path().join("easy.md");
    std::fs::write(&easy, text.replace("    todo!()", "    (1..=n).product()")).unwrap();
    let (code, out) = check(&easy);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("starter fails 0") && out.contains("the checks check nothing"), "{out}");
}

/// The real binary in tmux: the exercise as given, then edited with `E` (a scripted editor
/// writing the solution), then quit and reopened: the index ticks it.
#[test]
#[cfg_attr(not(deck_has_tmux), ignore = "needs tmux")]
fn an_attendee_solves_an_exercise_in_their_editor() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(mini(), dir.path().join("mini.md")).unwrap();
    let editor = dir.path().join("editor.sh");
    std::fs::write(&editor, "#!/bin/sh\nsed -i 's/todo!()/(1..=n).product()/' \"$1\"\n").unwrap();
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("deck-rust-tests/cache");
    let t = common::tmux::Tmux::start("workshop", dir.path());
    let launch = format!(
        "XDG_STATE_HOME=$PWD/state DECK_CACHE_DIR={} EDITOR=$PWD/editor.sh {} -x mini.md",
        cache.display(),
        env!("CARGO_BIN_EXE_deck")
    );
    t.type_line(&launch);
    let wait = Duration::from_secs(20);
    t.wait_for("A tiny workshop", wait);
    t.send(&["n"]);
    t.send(&["C-e"]);
    t.wait_for("0/3 checks passed", WAIT);
    t.send(&["E"]);
    t.wait_for("(1..=n).product()", wait);
    t.send(&["C-e"]);
    // The run's end (its status), when the exercise counts as solved.
    t.wait_for("✓ all 3 checks passed", WAIT);
    t.send(&["q"]);
    t.wait_for("E2E$", wait);
    t.type_line(&launch);
    t.wait_for("A tiny workshop", wait);
    t.send(&["C-p"]);
    t.wait_for("2. Factorial  ✓", wait);
    t.send(&["Escape", "q"]);
}

#[test]
fn editing_an_exercise_keeps_its_module_checks_and_solution_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = screen(dir.path());
    s.keys("n");
    s.keys("e");
    s.event(Event::Key(KeyEvent::from(KeyCode::Up)));
    s.event(Event::Key(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL)));
    s.assert_shows("editing");
    s.assert_hides("use pyo3");
    s.assert_hides("ws_mini(m");
    // The checks and the solution are not drawn: the checks speak through their results.
    s.assert_hides("def test_five():");
    s.assert_hides("product()");
}

/// The workshop deck: 20 to 35 slides, speaker notes on each, no warnings, nothing cut or
/// overflowing at 120x36 and 100x30, and its four exercises. (CI proves them with check -x.)
#[test]
fn the_workshop_deck_is_complete_and_fits() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("slides/workshop.md");
    let deck = deck::parse::parse_file(&path).unwrap();
    assert!((20..=35).contains(&deck.slides.len()), "{} slides", deck.slides.len());
    assert!(deck.warnings.is_empty(), "{:#?}", deck.warnings);
    for (i, slide) in deck.slides.iter().enumerate() {
        assert!(slide.intro || !slide.notes.is_empty(), "slide {} has speaker notes", i + 1);
    }
    let exercises: Vec<&str> = deck.snippets().filter_map(|(_, c)| c.attrs.exercise.as_deref()).collect();
    assert_eq!(exercises, ["factorial", "errors", "counter", "sieve"]);
    let theme = deck::theme::resolve(&deck, None).0;
    for size in [(120, 36), (100, 30)] {
        let problems = deck::render::overflows(&deck, &theme, size);
        assert!(problems.is_empty(), "{size:?}: {problems:#?}");
    }
}
