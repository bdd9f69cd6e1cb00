//! Presenter and notes instances over the real socket: navigation mirrored both ways, notes
//! on the notes screen, the notes instance reconnecting after the presenter restarts.

mod common;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::Screen;
use deck::app::run::Session;
use deck::app::state::App;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const DECK: &str = "First\n===\n\nbody one\n\n<!-- speaker_note: Remember the **first** point. -->\n\n<!-- end_slide -->\n\nSecond\n===\n\nbody two\n\n<!-- pause -->\n\nmore\n\n<!-- speaker_note: Second slide notes. -->\n\n<!-- end_slide -->\n\nThird\n===\n\n<!-- speaker_note: The end is near. -->\n";

fn instance(path: &std::path::Path) -> Screen {
    let deck = deck::parse::parse_file(path).unwrap();
    let (tx, rx) = mpsc::channel();
    let session = Session::new(App::new(deck, None, false), tx);
    Screen { session, terminal: Terminal::new(TestBackend::new(120, 30)).unwrap(), rx }
}

/// Pump both instances until `done`.
fn until(a: &mut Screen, b: &mut Screen, what: &str, done: impl Fn(&Screen, &Screen) -> bool) {
    let start = Instant::now();
    loop {
        for s in [&mut *a, &mut *b] {
            while let Ok(e) = s.rx.try_recv() {
                s.session.handle(e);
            }
            s.draw();
        }
        if done(a, b) {
            return;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "waited for {what}:\n{}\n---\n{}", a.text(), b.text());
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn pos(s: &Screen) -> (usize, usize) {
    (s.session.app.slide, s.session.app.step)
}

#[test]
fn navigation_is_mirrored_and_notes_follow_a_restarted_presenter() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("talk.md");
    std::fs::write(&path, DECK).unwrap();
    let socket = dir.path().join("talk.sock");

    let mut presenter = instance(&path);
    presenter.session.listen(&socket).unwrap();
    let mut notes = instance(&path);
    notes.session.follow(&socket);
    until(&mut presenter, &mut notes, "connection", |_, n| n.session.app.remote_status == "connected");
    notes.assert_shows("Remember the first point.");
    notes.assert_shows("slide 1 / 3");
    notes.assert_hides("body one"); // the notes screen shows notes and the next slide, not this one
    notes.assert_shows("body two");

    // Presenter → notes.
    presenter.keys("l");
    until(&mut presenter, &mut notes, "notes to follow", |p, n| pos(n) == pos(p) && pos(p) == (1, 0));
    notes.assert_shows("Second slide notes.");
    notes.assert_shows("next: this slide's next step");
    // Notes → presenter.
    notes.keys("l");
    until(&mut presenter, &mut notes, "presenter to follow", |p, _| pos(p) == (1, 1));
    presenter.assert_shows("more");

    // The presenter goes away and comes back: the notes instance finds the new one.
    drop(presenter);
    until(&mut notes, &mut instance(&path), "disconnect", |n, _| n.session.app.remote_status.contains("waiting"));
    let mut presenter = instance(&path);
    presenter.session.listen(&socket).unwrap();
    presenter.keys("G");
    until(&mut presenter, &mut notes, "reconnect", |p, n| {
        n.session.app.remote_status == "connected" && pos(n) == pos(p)
    });
    notes.assert_shows("The end is near.");
    notes.assert_shows("end of the deck");
}

#[test]
fn two_talks_do_not_cross() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.md");
    let b = dir.path().join("b.md");
    std::fs::write(&a, DECK).unwrap();
    std::fs::write(&b, DECK).unwrap();
    assert_ne!(deck::app::remote::socket_path(&a).unwrap(), deck::app::remote::socket_path(&b).unwrap());
}

#[test]
fn the_notes_screen_shows_the_warnings_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("talk.md");
    std::fs::write(&path, "hello\n\n<!-- puase -->\n").unwrap();
    let mut notes = instance(&path);
    notes.session.app.notes_mode = true;
    notes.draw();
    notes.assert_shows("⚠ 1 warning ");
    notes.assert_shows("talk.md:3: warning: unknown command `puase`");
}

/// A presenter and a notes screen (`notes_mode`, as `deck --notes` sets it) on one socket.
fn pair(path: &std::path::Path, socket: &std::path::Path) -> (Screen, Screen) {
    let mut presenter = presenter_with_python(path);
    presenter.session.listen(socket).unwrap();
    let mut notes = instance(path);
    notes.session.app.notes_mode = true;
    notes.session.follow(socket);
    (presenter, notes)
}

fn presenter_with_python(path: &std::path::Path) -> Screen {
    let deck = deck::parse::parse_file(path).unwrap();
    let (tx, rx) = mpsc::channel();
    let session = Session::with_settings(App::new(deck, None, false), tx, common::settings());
    Screen { session, terminal: Terminal::new(TestBackend::new(120, 30)).unwrap(), rx }
}

#[test]
fn a_restarted_presenter_resumes_where_the_notes_screen_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("talk.md");
    std::fs::write(&path, DECK).unwrap();
    let socket = dir.path().join("talk.sock");
    let (presenter, mut notes) = pair(&path, &socket);
    let mut presenter = presenter;
    until(&mut presenter, &mut notes, "connection", |_, n| n.session.app.remote_status == "connected");
    notes.keys("G");
    until(&mut presenter, &mut notes, "presenter to follow", |p, _| pos(p) == (2, 0));
    drop(presenter);
    until(&mut notes, &mut instance(&path), "disconnect", |n, _| n.session.app.remote_status.contains("waiting"));
    // A new presenter, which nobody has moved: it takes the notes screen's position.
    let mut presenter = presenter_with_python(&path);
    presenter.session.listen(&socket).unwrap();
    until(&mut presenter, &mut notes, "resume", |p, n| {
        n.session.app.remote_status == "connected" && pos(p) == (2, 0) && pos(n) == (2, 0)
    });
    presenter.assert_shows("Third");
}

#[test]
fn the_notes_screen_draws_what_its_keys_open_and_runs_the_presenters_snippet() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("talk.md");
    std::fs::write(&path, "Run\n===\n\n```python +exec\nprint('ran' + ' on the presenter')\n```\n").unwrap();
    let socket = dir.path().join("talk.sock");
    let (mut presenter, mut notes) = pair(&path, &socket);
    until(&mut presenter, &mut notes, "connection", |_, n| n.session.app.remote_status == "connected");
    // Help opens and closes on the notes screen; the keys after it work.
    notes.keys("?");
    notes.assert_shows("go to slide N");
    notes.event(deck::app::run::Event::Key(crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Esc)));
    notes.assert_hides("go to slide N");
    // The timer pauses and restarts from the notes screen.
    notes.keys("t");
    notes.assert_shows("(paused)");
    notes.keys("t");
    notes.assert_hides("(paused)");
    // ctrl+e asks here, then the presenter runs the slide's snippet.
    notes.ctrl('e');
    notes.assert_shows("run code?");
    notes.keys("y");
    notes.assert_hides("run code?");
    presenter.pump_until(std::time::Duration::from_secs(60), |p| p.text().contains("ran on the presenter"));
    presenter.assert_hides("run code?");
}

#[test]
fn the_notes_screen_shows_the_code_as_edited_on_stage() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("talk.md");
    std::fs::write(&path, "Intro\n===\n\nhello\n\n<!-- end_slide -->\n\nCode\n===\n\n```python +exec\nprint(1)\n```\n")
        .unwrap();
    let socket = dir.path().join("talk.sock");
    let (mut presenter, mut notes) = pair(&path, &socket);
    until(&mut presenter, &mut notes, "connection", |_, n| n.session.app.remote_status == "connected");
    presenter.keys("n");
    presenter.keys("e");
    for c in " # live".chars() {
        presenter
            .session
            .handle(deck::app::run::Event::Key(crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c))));
    }
    // The notes screen previews what comes next: back one step, the edited code shows there.
    until(&mut presenter, &mut notes, "the edit", |_, n| {
        n.session.app.deck.snippets().any(|(_, c)| c.display.contains("print(1) # live"))
    });
    notes.keys("h");
    until(&mut presenter, &mut notes, "the preview", |_, n| n.text().contains("print(1) # live"));
}
