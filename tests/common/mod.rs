//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod tmux;

use std::path::PathBuf;
use std::sync::mpsc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deck::app::run::{Event, Session};
use deck::app::state::App;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// `../shared` beside the repo. Absent: skip (None), except under CI where it is a failure.
pub fn shared() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if dir.is_dir() {
        return Some(dir.canonicalize().expect("canonical path"));
    }
    assert!(std::env::var("CI").as_deref() != Ok("true"), "../shared is missing under CI");
    eprintln!("skipping: ../shared is not there");
    None
}

pub struct Screen {
    pub session: Session,
    pub terminal: Terminal<TestBackend>,
    pub rx: mpsc::Receiver<Event>,
}

impl Screen {
    pub fn open(path: &std::path::Path, width: u16, height: u16) -> Self {
        let deck = deck::parse::parse_file(path).unwrap_or_else(|e| panic!("{e}"));
        let (tx, rx) = mpsc::channel();
        let session = Session::new(App::new(deck, None, false), tx);
        let mut s = Self { session, terminal: Terminal::new(TestBackend::new(width, height)).unwrap(), rx };
        s.draw();
        s
    }

    pub fn draw(&mut self) {
        self.session.draw(&mut self.terminal).unwrap();
    }

    /// Type keys as the presenter would: plain characters, then redraw.
    pub fn keys(&mut self, keys: &str) {
        for c in keys.chars() {
            self.session.handle(Event::Key(KeyEvent::from(KeyCode::Char(c))));
        }
        self.draw();
    }

    pub fn ctrl(&mut self, c: char) {
        self.session.handle(Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)));
        self.draw();
    }

    pub fn event(&mut self, e: Event) {
        self.session.handle(e);
        self.draw();
    }

    pub fn text(&self) -> String {
        let buf = self.terminal.backend().buffer();
        let mut out = String::new();
        for y in 0..buf.area.height {
            let mut line = String::new();
            for x in 0..buf.area.width {
                line.push_str(buf[(x, y)].symbol());
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    pub fn row_of(&self, needle: &str) -> Option<usize> {
        self.text().lines().position(|l| l.contains(needle))
    }

    pub fn assert_shows(&self, needle: &str) {
        let text = self.text();
        assert!(text.contains(needle), "expected `{needle}` on screen:\n{text}");
    }

    pub fn assert_hides(&self, needle: &str) {
        let text = self.text();
        assert!(!text.contains(needle), "did not expect `{needle}` on screen:\n{text}");
    }
}

impl Screen {
    /// A presenter with execution allowed (as `deck -x`), with these settings.
    pub fn exec(path: &std::path::Path, width: u16, height: u16, settings: deck::app::run::ExecSettings) -> Self {
        let deck = deck::parse::parse_file(path).unwrap_or_else(|e| panic!("{e}"));
        let (tx, rx) = mpsc::channel();
        let session = Session::with_settings(App::new(deck, None, true), tx, settings);
        let mut s = Self { session, terminal: Terminal::new(TestBackend::new(width, height)).unwrap(), rx };
        s.session.started();
        s.draw();
        s
    }

    /// Handle engine events until `done` holds; panics with the screen after `timeout`.
    pub fn pump_until(&mut self, timeout: std::time::Duration, done: impl Fn(&Screen) -> bool) {
        let start = std::time::Instant::now();
        loop {
            self.draw();
            if done(self) {
                return;
            }
            assert!(start.elapsed() < timeout, "timed out after {timeout:?}; screen:\n{}", self.text());
            if let Ok(e) = self.rx.recv_timeout(std::time::Duration::from_millis(20)) {
                self.session.handle(e);
                while let Ok(e) = self.rx.try_recv() {
                    self.session.handle(e);
                }
            }
        }
    }

    /// Wait until no snippet runs.
    pub fn settle(&mut self, timeout: std::time::Duration) {
        self.pump_until(timeout, |s| !s.session.running());
    }

    /// The text output of the snippet that is element `element` of the current slide.
    pub fn output(&self, element: usize) -> String {
        let id = deck::exec::SnippetId { slide: self.session.app.slide, element };
        self.session.outputs.get(id).map(|o| o.text()).unwrap_or_default()
    }

    pub fn outcome(&self, element: usize) -> Option<deck::exec::Outcome> {
        let id = deck::exec::SnippetId { slide: self.session.app.slide, element };
        self.session.outputs.get(id).and_then(|o| o.finished.clone()).map(|(o, _)| o)
    }
}

/// A virtualenv with numpy and Pillow, when the test run provides one
/// (`DECK_TEST_PYTHON_ENV`; scripts/test.sh makes it).
pub fn test_python_env() -> Option<PathBuf> {
    std::env::var_os("DECK_TEST_PYTHON_ENV").map(PathBuf::from).filter(|p| p.is_dir())
}
