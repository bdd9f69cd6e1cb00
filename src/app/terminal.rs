//! The real terminal: raw mode and the alternate screen, restored on every exit path
//! (return, error, panic, signal), plus the threads that feed the event loop.

use std::io::{self, Stdout};
use std::path::Path;
use std::sync::mpsc::Sender;
use std::time::Duration;

use crossterm::event::{self, Event as TermEvent, KeyEventKind};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use crossterm::{cursor, execute};
use notify::RecursiveMode;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use super::run::Event;

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Restores the terminal when dropped, however the presenter ends.
pub struct Guard {
    pub terminal: Term,
}

impl Guard {
    pub fn enter() -> io::Result<Self> {
        install_panic_hook();
        enable_raw_mode()?;
        let mut stdout = io::stdout();
        if let Err(e) = execute!(stdout, EnterAlternateScreen, cursor::Hide) {
            restore();
            return Err(e);
        }
        let terminal = Terminal::new(CrosstermBackend::new(stdout))?;
        Ok(Self { terminal })
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), LeaveAlternateScreen, cursor::Show);
}

fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        default(info);
    }));
}

/// Keys and resizes from the terminal, on their own thread.
pub fn spawn_input(tx: Sender<Event>) {
    std::thread::spawn(move || {
        loop {
            let event = match event::read() {
                Ok(TermEvent::Key(k)) if k.kind != KeyEventKind::Release => Event::Key(k),
                Ok(TermEvent::Resize(..)) => Event::Resize,
                Ok(_) => continue,
                Err(_) => Event::Terminate,
            };
            let stop = matches!(event, Event::Terminate);
            if tx.send(event).is_err() || stop {
                return;
            }
        }
    });
}

/// SIGTERM, SIGHUP and SIGQUIT end the presenter through the normal path.
pub fn spawn_signals(tx: Sender<Event>) -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    // In raw mode ctrl+c is a key; a SIGINT comes from `kill` and means quit, cleanly.
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGQUIT, SIGINT])?;
    std::thread::spawn(move || {
        if signals.forever().next().is_some() {
            let _ = tx.send(Event::Terminate);
        }
    });
    Ok(())
}

/// What keeps the file watch alive: drop it to stop watching.
pub type FileWatch =
    notify_debouncer_full::Debouncer<notify::RecommendedWatcher, notify_debouncer_full::RecommendedCache>;

/// Hot reload: watch the deck's folder (editors replace files by renaming) and report
/// changes to markdown and theme files, coalesced by notify's debouncer (editors write in
/// bursts). Opening a file is no change: deck reads the deck itself on every reload.
pub fn watch(deck: &Path, tx: Sender<Event>) -> notify::Result<FileWatch> {
    let dir = deck.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
    let relevant = |e: &notify::Event| {
        !e.kind.is_access()
            && e.paths.iter().any(|p| matches!(p.extension().and_then(|x| x.to_str()), Some("md" | "yaml" | "yml")))
    };
    let mut debouncer = notify_debouncer_full::new_debouncer(
        Duration::from_millis(60),
        None,
        move |result: notify_debouncer_full::DebounceEventResult| {
            if result.is_ok_and(|events| events.iter().any(|e| relevant(&e.event))) {
                let _ = tx.send(Event::FileChanged);
            }
        },
    )?;
    debouncer.watch(&dir, RecursiveMode::NonRecursive)?;
    Ok(debouncer)
}
