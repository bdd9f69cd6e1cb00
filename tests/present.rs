//! The presenter on a TestBackend: navigation, modals, hot reload, highlight steps, overflow.

mod common;

use std::fs;

use common::Screen;
use deck::app::run::Event;

fn write_deck(dir: &tempfile::TempDir, text: &str) -> std::path::PathBuf {
    let path = dir.path().join("deck.md");
    fs::write(&path, text).unwrap();
    path
}

const THREE: &str = "One\n===\n\nfirst body\n\n<!-- pause -->\n\nafter pause\n\n<!-- end_slide -->\n\nTwo\n===\n\nsecond body\n\n<!-- end_slide -->\n\nThree\n===\n\nthird body\n";

#[test]
fn navigation_keys() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Screen::open(&write_deck(&dir, THREE), 80, 24);
    s.assert_shows("first body");
    s.assert_hides("after pause");
    s.keys("l");
    s.assert_shows("after pause");
    s.keys("l");
    s.assert_shows("second body");
    s.keys("h");
    s.assert_shows("after pause");
    s.keys("G");
    s.assert_shows("third body");
    s.keys("gg");
    s.assert_shows("first body");
    s.keys("2G");
    s.assert_shows("second body");
    s.keys("n");
    s.assert_shows("third body");
    s.keys("pp");
    s.assert_shows("first body");
    s.assert_shows("1 / 3");
}

#[test]
fn index_and_help_modals() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Screen::open(&write_deck(&dir, THREE), 80, 24);
    s.ctrl('p');
    s.assert_shows("slides (enter: go, esc: close)");
    s.assert_shows("  3. Three");
    s.keys("jj");
    s.event(Event::Key(crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Enter)));
    s.assert_shows("third body");
    s.keys("?");
    s.assert_shows("go to slide N");
    s.event(Event::Key(crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Esc)));
    s.assert_hides("go to slide N");
}

#[test]
fn hot_reload_keeps_position_and_shows_errors_until_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_deck(&dir, THREE);
    let mut s = Screen::open(&path, 80, 24);
    s.keys("2G");
    fs::write(&path, THREE.replace("second body", "edited body")).unwrap();
    s.event(Event::FileChanged);
    s.assert_shows("edited body");
    assert_eq!(s.session.app.slide, 1);
    // Invalid front matter: the error with file and line replaces the slides, the presenter lives.
    fs::write(&path, format!("---\ntitle: [oops\n---\n{THREE}")).unwrap();
    s.event(Event::FileChanged);
    s.assert_shows("the deck has an error");
    s.assert_shows("deck.md:");
    s.assert_shows("invalid front matter");
    assert!(!s.session.app.quit);
    fs::write(&path, THREE).unwrap();
    s.event(Event::FileChanged);
    s.assert_shows("second body");
}

#[test]
fn stepped_highlight_dims_other_lines() {
    let dir = tempfile::tempdir().unwrap();
    let text = "```rust {1|2}\nlet first = 1;\nlet second = 2;\n```\n";
    let mut s = Screen::open(&write_deck(&dir, text), 80, 24);
    let fg_at = |s: &Screen, needle: &str| {
        let row = s.row_of(needle).unwrap() as u16;
        let col = s.text().lines().nth(row as usize).unwrap().find(needle).unwrap() as u16;
        s.terminal.backend().buffer()[(col + 4, row)].fg
    };
    let muted = s.session.app.theme.dim;
    assert_ne!(fg_at(&s, "let first"), muted);
    assert_eq!(fg_at(&s, "let second"), muted);
    s.keys("l");
    assert_eq!(fg_at(&s, "let first"), muted);
    assert_ne!(fg_at(&s, "let second"), muted);
}

/// The last screen row (the footer's).
fn footer_row(s: &Screen) -> String {
    s.text().lines().last().unwrap_or_default().to_string()
}

#[test]
fn an_overflowing_slide_stops_above_the_footer_and_the_presenter_sees_a_count() {
    let dir = tempfile::tempdir().unwrap();
    let body: String = (0..40).map(|i| format!("line {i}\n\n")).collect();
    let mut s = Screen::open(&write_deck(&dir, &body), 80, 24);
    s.assert_hides("does not fit");
    let footer = footer_row(&s);
    assert!(footer.contains("⚠ 1") && footer.contains("1 / 1"), "footer intact, with the count: {footer:?}");
    assert!(!footer.contains("line"), "no content drawn over the footer: {footer:?}");
    let above = s.text().lines().nth(22).unwrap_or_default().to_string();
    assert!(above.trim().is_empty(), "the row above the footer stays blank: {above:?}");
    s.keys("w");
    s.assert_shows("this slide does not fit: ");
}

#[test]
fn warnings_are_a_count_for_the_presenter_and_a_list_on_w() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Screen::open(&write_deck(&dir, "hello\n\n<!-- puase -->\n"), 100, 24);
    s.assert_hides("puase");
    assert!(footer_row(&s).contains("⚠ 1"), "{:?}", footer_row(&s));
    s.keys("w");
    s.assert_shows("deck.md:3: warning: unknown command `puase`");
    s.assert_shows("did you mean `pause`?");
    s.event(Event::Key(crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Esc)));
    s.assert_hides("puase");
    assert!(!footer_row(&s).contains('⚠'), "read warnings are no longer counted: {:?}", footer_row(&s));
}

#[test]
fn every_theme_renders() {
    let dir = tempfile::tempdir().unwrap();
    for name in deck::theme::NAMES {
        let text = format!("---\ntheme:\n  name: {name}\n---\nTitle\n===\n\n* item\n\n```python\nprint(1)\n```\n");
        let s = Screen::open(&write_deck(&dir, &text), 80, 24);
        assert!(s.session.app.warnings.is_empty(), "{name}: {:?}", s.session.app.warnings);
        s.assert_shows("•  item");
        s.assert_shows("print(1)");
    }
}

#[test]
fn run_key_asks_for_consent_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Screen::open(&write_deck(&dir, "```python +exec\nprint(1)\n```\n"), 80, 24);
    s.ctrl('e');
    s.assert_shows("This deck holds 1 runnable snippets: 1 python.");
    s.event(Event::Key(crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Esc)));
    s.assert_hides("runnable snippets");
    assert!(!s.session.app.exec_allowed);
}

/// Pressing the run key twice is not consent: only `y` or Enter answers the question.
#[test]
fn a_second_run_key_does_not_confirm() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Screen::open(&write_deck(&dir, "```python +exec\nprint(1)\n```\n"), 80, 24);
    s.ctrl('e');
    s.ctrl('e');
    s.assert_shows("runnable snippets");
    assert!(!s.session.app.exec_allowed, "ctrl+e twice allowed execution");
    s.keys("y");
    assert!(s.session.app.exec_allowed);
    s.assert_hides("runnable snippets");
}

/// Outputs belong to their snippet, not to a place: a reload that inserts a slide above a
/// snippet that has run keeps its output with it, and the new slide shows none.
#[test]
fn outputs_stay_with_their_snippet_when_a_reload_moves_it() {
    let dir = tempfile::tempdir().unwrap();
    let first = "Demo\n===\n\n```python +exec\nprint('the demo' + ' ran')\n```\n";
    let path = write_deck(&dir, first);
    let mut s = Screen::exec(&path, 80, 24, common::settings());
    s.ctrl('e');
    s.pump_until(std::time::Duration::from_secs(60), |s| s.text().contains("the demo ran"));
    // A new slide above, with a snippet of its own that has not run.
    let inserted = format!("New\n===\n\n```python +exec\nprint('new')\n```\n\n<!-- end_slide -->\n\n{first}");
    fs::write(&path, inserted).unwrap();
    s.event(Event::FileChanged);
    s.keys("gg");
    s.assert_shows("print('new')");
    s.assert_hides("the demo ran");
    s.keys("n");
    s.assert_shows("the demo ran");
}
