//! The real terminal: raw mode and the alternate screen, restored on every exit path
//! (return, error, panic, signal), plus the threads that feed the event loop.

use std::io;
use std::path::Path;
use std::sync::mpsc::Sender;
use std::time::Duration;

use crossterm::event::{self, Event as TermEvent, KeyEventKind};
use notify::RecursiveMode;

use super::run::Event;

/// crossterm's backend, letting the terminal place text after wide characters.
pub type Term = ratatui::Terminal<super::backend::FlowingText<ratatui::backend::CrosstermBackend<io::Stdout>>>;

/// Raw mode and the alternate screen (ratatui's `try_init`), restored when dropped, however
/// the presenter ends.
pub struct Guard {
    pub terminal: Term,
}

impl Guard {
    pub fn enter() -> io::Result<Self> {
        // ratatui's try_init: raw mode, the alternate screen, its restoring panic hook; then
        // the same backend, wrapped.
        let terminal = match ratatui::try_init().and_then(|_| {
            ratatui::Terminal::new(super::backend::FlowingText(ratatui::backend::CrosstermBackend::new(io::stdout())))
        }) {
            Ok(t) => t,
            Err(e) => {
                let _ = ratatui::try_restore();
                return Err(e);
            }
        };
        restore_only_when_the_presenter_panics();
        // Pasted text arrives as one event (typed into an edited snippet exactly).
        let _ = crossterm::execute!(io::stdout(), crossterm::event::EnableBracketedPaste);
        Ok(Self { terminal })
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = crossterm::execute!(io::stdout(), crossterm::event::DisableBracketedPaste);
        ratatui::restore();
    }
}

/// ratatui's hook restores the terminal on any panic. A panic on another thread may be
/// caught while the talk goes on (pyo3 turns one in a demo module into PanicException, shown
/// as the snippet's exception): only a panic of the presenter's own thread, which ends deck,
/// restores the terminal and prints; the others stay quiet instead of writing over the slide.
fn restore_only_when_the_presenter_panics() {
    let restore_and_report = std::panic::take_hook();
    let presenter = std::thread::current().id();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() == presenter {
            restore_and_report(info);
        }
    }));
}

/// While another program has the terminal (`E` opens the editor), the input thread reads
/// nothing: 1 asks it to stop reading, 2 says it has.
static INPUT_PAUSE: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// Keys, pastes and resizes from the terminal, on their own thread.
pub fn spawn_input(tx: Sender<Event>) {
    use std::sync::atomic::Ordering;
    std::thread::spawn(move || {
        loop {
            if INPUT_PAUSE.load(Ordering::SeqCst) > 0 {
                INPUT_PAUSE.store(2, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
            // Look for input a little at a time, so a pause is noticed.
            if !event::poll(Duration::from_millis(50)).unwrap_or(true) {
                continue;
            }
            let event = match event::read() {
                Ok(TermEvent::Key(k)) if k.kind != KeyEventKind::Release => Event::Key(k),
                Ok(TermEvent::Paste(text)) => Event::Paste(text),
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

/// Hand the terminal to another program (the presenter's editor) and take it back after:
/// the input thread stops reading, raw mode and the alternate screen are left, and entered
/// again when `f` returns; the caller redraws everything.
pub fn handed_over<T>(f: impl FnOnce() -> T) -> io::Result<T> {
    use std::sync::atomic::Ordering;
    INPUT_PAUSE.store(1, Ordering::SeqCst);
    for _ in 0..100 {
        if INPUT_PAUSE.load(Ordering::SeqCst) == 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = crossterm::execute!(io::stdout(), crossterm::event::DisableBracketedPaste);
    ratatui::restore();
    let result = f();
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(
        io::stdout(),
        crossterm::terminal::EnterAlternateScreen,
        crossterm::event::EnableBracketedPaste
    )?;
    INPUT_PAUSE.store(0, Ordering::SeqCst);
    Ok(result)
}

/// SIGTERM, SIGHUP and SIGQUIT end the presenter through the normal path.
pub fn spawn_signals(tx: Sender<Event>) -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    // In raw mode ctrl+c is a key; a SIGINT comes from `kill` and means quit, cleanly.
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGQUIT, SIGINT])?;
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            let _ = tx.send(Event::Signal(signal));
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
