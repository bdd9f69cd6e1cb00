//! Live editing on a TestBackend: a snippet edited where it stands and run, its edit and
//! output staying with it through a reload that moves it, kept for the next session, written
//! back into the deck, reverted; Tab between a slide's snippets.

mod common;

use std::fs;
use std::time::Duration;

use common::Screen;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deck::app::run::Event;

const WAIT: Duration = Duration::from_secs(60);

fn key(s: &mut Screen, code: KeyCode) {
    s.event(Event::Key(KeyEvent::from(code)));
}

/// Type text as keys (Enter for a newline), one event each, as a presenter would.
fn type_text(s: &mut Screen, text: &str) {
    for c in text.chars() {
        let code = if c == '\n' { KeyCode::Enter } else { KeyCode::Char(c) };
        s.session.handle(Event::Key(KeyEvent::from(code)));
    }
    s.draw();
}

fn ctrl(s: &mut Screen, c: char) {
    s.event(Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)));
}

const DEMO: &str = "Demo\n===\n\n```python +exec\nprint(1)\n```\n";

fn deck_file(dir: &tempfile::TempDir, text: &str) -> std::path::PathBuf {
    let path = dir.path().join("talk.md");
    fs::write(&path, text).unwrap();
    path
}

#[test]
fn typing_into_a_snippet_and_running_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Screen::exec(&deck_file(&dir, DEMO), 100, 30, common::settings());
    s.keys("e");
    s.assert_shows("editing · esc leaves");
    type_text(&mut s, "; print(\"TYPED\")\nprint(2)");
    s.assert_shows("print(1); print(\"TYPED\")");
    s.assert_shows("print(2)");
    ctrl(&mut s, 'e');
    s.pump_until(WAIT, |s| s.output(1).contains('2') && !s.session.running());
    assert_eq!(s.output(1), "1\nTYPED\n2\n");
    // Still editing: keys type, deck's own keys still work; Esc leaves, and the mark stays.
    type_text(&mut s, "q");
    assert!(!s.session.app.quit);
    key(&mut s, KeyCode::Backspace);
    key(&mut s, KeyCode::Esc);
    s.assert_hides("editing");
    s.assert_shows("edited");
}

#[test]
fn an_edit_and_its_output_stay_with_the_snippet_through_a_reload_that_moves_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = deck_file(&dir, DEMO);
    let mut s = Screen::exec(&path, 100, 30, common::settings());
    s.keys("e");
    type_text(&mut s, "; print('edited run')");
    ctrl(&mut s, 'e');
    s.pump_until(WAIT, |s| s.text().contains("edited run") && !s.session.running());
    key(&mut s, KeyCode::Esc);
    fs::write(&path, format!("Above\n===\n\nnew slide\n\n<!-- end_slide -->\n\n{DEMO}")).unwrap();
    s.event(Event::FileChanged);
    s.keys("gg");
    s.assert_shows("new slide");
    s.assert_hides("edited run");
    s.assert_hides("print(1)");
    s.keys("n");
    s.assert_shows("print(1); print('edited run')");
    s.assert_shows("edited run");
}

#[test]
fn the_file_wins_when_it_changes_an_edited_snippet() {
    let dir = tempfile::tempdir().unwrap();
    let path = deck_file(&dir, "Demo\n===\n\n```python +exec +id:demo\nprint(1)\n```\n");
    let mut s = Screen::exec(&path, 100, 30, common::settings());
    s.keys("e");
    type_text(&mut s, " # mine");
    key(&mut s, KeyCode::Esc);
    fs::write(&path, "Demo\n===\n\n```python +exec +id:demo\nprint(3)\n```\n").unwrap();
    s.event(Event::FileChanged);
    s.assert_shows("print(3)");
    s.assert_hides("# mine");
    s.keys("w");
    s.assert_shows("the deck file changed 1 snippet(s) you had edited");
}

#[test]
fn edits_are_kept_for_the_next_session_unless_fresh() {
    let dir = tempfile::tempdir().unwrap();
    let path = deck_file(&dir, DEMO);
    let state = dir.path().join("state/edits.json");
    let mut s = Screen::exec(&path, 100, 30, common::settings());
    s.session.app.restore_edits(Some(state.clone()), false);
    s.keys("e");
    type_text(&mut s, " # kept");
    // Written as it is typed: a crash now loses nothing.
    assert!(fs::read_to_string(&state).unwrap().contains("# kept"));
    drop(s);
    let mut again = Screen::exec(&path, 100, 30, common::settings());
    again.session.app.restore_edits(Some(state.clone()), false);
    again.draw();
    again.assert_shows("print(1) # kept");
    again.assert_shows("edited");
    again.keys("w");
    again.assert_shows("1 snippet(s) carry edits from an earlier session");
    let mut fresh = Screen::exec(&path, 100, 30, common::settings());
    fresh.session.app.restore_edits(Some(state), true);
    fresh.draw();
    fresh.assert_hides("# kept");
}

#[test]
fn ctrl_s_writes_the_edit_into_the_deck_and_the_output_follows() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("---\ntitle: Talk\n---\n\n{DEMO}\nAfter the snippet.\n");
    let path = deck_file(&dir, &text);
    let mut s = Screen::exec(&path, 100, 30, common::settings());
    s.keys("n");
    s.keys("e");
    type_text(&mut s, "\nprint('saved')");
    ctrl(&mut s, 'e');
    s.pump_until(WAIT, |s| s.output(1).contains("saved") && !s.session.running());
    ctrl(&mut s, 's');
    let written = fs::read_to_string(&path).unwrap();
    assert_eq!(written, text.replace("print(1)\n", "print(1)\nprint('saved')\n"), "only the snippet's lines changed");
    s.event(Event::FileChanged);
    s.assert_hides("edited");
    assert!(s.session.app.edits.is_empty());
    assert!(s.output(1).contains("saved"), "the output stays with the snippet");
}

#[test]
fn u_reverts_and_tab_moves_between_a_slides_snippets() {
    let dir = tempfile::tempdir().unwrap();
    let path =
        deck_file(&dir, "Two\n===\n\n```python +exec\nprint('left')\n```\n\n```python +exec\nprint('right')\n```\n");
    let mut s = Screen::exec(&path, 100, 30, common::settings());
    // The run key's snippet is the first; Tab moves the focus to the next, and marks it.
    key(&mut s, KeyCode::Tab);
    assert_eq!(s.text().matches('▸').count(), 1);
    let marked = s.row_of("▸").unwrap();
    assert!(marked > s.row_of("print('left')").unwrap() && marked < s.row_of("print('right')").unwrap());
    s.keys("e");
    type_text(&mut s, " # second");
    s.assert_shows("print('right') # second");
    s.assert_hides("print('left') #");
    ctrl(&mut s, 'e');
    s.pump_until(WAIT, |s| s.output(2).contains("right") && !s.session.running());
    assert_eq!(s.output(1), "", "the focused snippet ran, not the first");
    key(&mut s, KeyCode::Esc);
    s.keys("U");
    s.assert_hides("# second");
    s.assert_hides("edited");
}
