//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub(crate) mod tmux;

use std::path::PathBuf;
use std::sync::mpsc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deck::app::run::{Event, Session};
use deck::app::state::App;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

pub(crate) struct Screen {
    pub session: Session,
    pub terminal: Terminal<TestBackend>,
    pub rx: mpsc::Receiver<Event>,
}

impl Screen {
    pub(crate) fn open(path: &std::path::Path, width: u16, height: u16) -> Self {
        let deck = deck::parse::parse_file(path).unwrap_or_else(|e| panic!("{e}"));
        let (tx, rx) = mpsc::channel();
        let session = Session::with_settings(App::new(deck, None, false), tx, settings());
        let mut s = Self { session, terminal: Terminal::new(TestBackend::new(width, height)).unwrap(), rx };
        s.draw();
        s
    }

    pub(crate) fn draw(&mut self) {
        self.session.draw(&mut self.terminal).unwrap();
    }

    /// Type keys as the presenter would: plain characters, then redraw.
    pub(crate) fn keys(&mut self, keys: &str) {
        for c in keys.chars() {
            self.session.handle(Event::Key(KeyEvent::from(KeyCode::Char(c))));
        }
        self.draw();
    }

    pub(crate) fn ctrl(&mut self, c: char) {
        self.session.handle(Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)));
        self.draw();
    }

    pub(crate) fn event(&mut self, e: Event) {
        self.session.handle(e);
        self.draw();
    }

    pub(crate) fn text(&self) -> String {
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

    pub(crate) fn row_of(&self, needle: &str) -> Option<usize> {
        self.text().lines().position(|l| l.contains(needle))
    }

    pub(crate) fn assert_shows(&self, needle: &str) {
        let text = self.text();
        assert!(text.contains(needle), "expected `{needle}` on screen:\n{text}");
    }

    pub(crate) fn assert_hides(&self, needle: &str) {
        let text = self.text();
        assert!(!text.contains(needle), "did not expect `{needle}` on screen:\n{text}");
    }
}

impl Screen {
    /// A presenter with execution allowed (as `deck -x`), with these settings.
    pub(crate) fn exec(path: &std::path::Path, width: u16, height: u16, settings: deck::exec::Settings) -> Self {
        let deck = deck::parse::parse_file(path).unwrap_or_else(|e| panic!("{e}"));
        let (tx, rx) = mpsc::channel();
        let session = Session::with_settings(App::new(deck, None, true), tx, settings);
        let mut s = Self { session, terminal: Terminal::new(TestBackend::new(width, height)).unwrap(), rx };
        s.session.started();
        s.draw();
        s
    }

    /// Handle engine events until `done` holds; panics with the screen after `timeout`.
    pub(crate) fn pump_until(&mut self, timeout: std::time::Duration, done: impl Fn(&Screen) -> bool) {
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
    pub(crate) fn settle(&mut self, timeout: std::time::Duration) {
        self.pump_until(timeout, |s| !s.session.running());
    }

    /// The identity of the snippet that is element `element` of slide `slide`.
    pub(crate) fn snippet_id(&self, slide: usize, element: usize) -> deck::exec::SnippetId {
        match &self.session.app.deck.slides[slide].elements[element].block {
            deck::model::Block::Code(code) => code.id,
            other => panic!("slide {slide} element {element} is not a snippet: {other:?}"),
        }
    }

    /// The text output of the snippet that is element `element` of the current slide.
    pub(crate) fn output(&self, element: usize) -> String {
        let id = self.snippet_id(self.session.app.slide, element);
        self.session.snippets.outputs.get(id).map(deck::exec::output::SnippetOutput::text).unwrap_or_default()
    }

    pub(crate) fn outcome(&self, element: usize) -> Option<deck::exec::Outcome> {
        let id = self.snippet_id(self.session.app.slide, element);
        self.session.snippets.outputs.get(id).and_then(|o| o.finished.clone()).map(|(o, _)| o)
    }
}

/// The processes whose parent is `parent` (read from /proc).
pub(crate) fn children_of(parent: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| stat_field(pid, 1).and_then(|p| p.parse::<u32>().ok()) == Some(parent))
        .collect()
}

/// A process's command name, if it exists.
pub(crate) fn comm(pid: u32) -> Option<String> {
    std::fs::read_to_string(format!("/proc/{pid}/comm")).ok().map(|s| s.trim_end().to_string())
}

/// Whether `pid` is gone (or a zombie waiting to be reaped, which runs nothing).
pub(crate) fn process_gone(pid: u32) -> bool {
    stat_field(pid, 0).is_none_or(|state| state == "Z" || state == "X")
}

/// Field `n` of /proc/PID/stat after the command name: 0 is the state, 1 the parent's pid.
fn stat_field(pid: u32, n: usize) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(n).map(str::to_string)
}

/// A process's peak resident memory in KB (VmHWM), 0 once it is gone.
pub(crate) fn peak_rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Send a signal with kill(1) (`TERM`, `INT`, ...).
pub(crate) fn signal(pid: u32, name: &str) {
    let ok = std::process::Command::new("kill").arg(format!("-{name}")).arg(pid.to_string()).status().unwrap();
    assert!(ok.success(), "kill -{name} {pid}");
}

/// Wait until `done` holds, polling; panics saying `what` after five minutes (a hang, not a
/// slow machine: the condition is the assertion).
pub(crate) fn wait_until(what: &str, done: impl Fn() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(start.elapsed() < std::time::Duration::from_secs(300), "waited five minutes for {what}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Settings as the command line makes them, with deck's binary as the Python worker (the
/// test binary itself is a harness, not deck).
pub(crate) fn settings() -> deck::exec::Settings {
    deck::exec::Settings { python_worker: env!("CARGO_BIN_EXE_deck").into(), ..deck::exec::Settings::from_env() }
}

/// A virtualenv with numpy and Pillow, when the test run provides one
/// (`DECK_TEST_PYTHON_ENV`; scripts/test.sh makes it).
pub(crate) fn test_python_env() -> Option<PathBuf> {
    std::env::var_os("DECK_TEST_PYTHON_ENV").map(PathBuf::from).filter(|p| p.is_dir())
}
