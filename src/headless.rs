//! Without a terminal UI: `deck run` replays a deck's demos for attendees, `deck check -x`
//! runs every snippet for authors and CI. Same engines, same shared Python namespace.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Once, mpsc};
use std::time::Duration;

use crate::exec::output::fmt_duration;
use crate::exec::plan::{job, runnable, warm_up_rust};
use crate::exec::{Executor, Job, Outcome, Report, SnippetId};
use crate::model::{CodeBlock, Deck};

/// What a run keeps of its output (the tail): `deck run` streams everything as it comes, but
/// `yes` must not grow the result without bound.
const KEPT_OUTPUT: usize = 1024 * 1024;

/// Cut `text` to at most about `max` bytes, whole lines from the front; returns how many lines went.
fn keep_tail(text: &mut String, max: usize) -> usize {
    if text.len() <= max {
        return 0;
    }
    let mut cut = text.len() - max / 2;
    while !text.is_char_boundary(cut) {
        cut += 1;
    }
    let cut = text[cut..].find('\n').map_or(cut, |nl| cut + nl + 1);
    let lines = text[..cut].bytes().filter(|&b| b == b'\n').count();
    text.drain(..cut);
    lines
}

/// What one run produced.
pub struct RunResult {
    pub outcome: Outcome,
    pub elapsed: Duration,
    /// The last of what it printed (`dropped` lines before that were not kept).
    pub output: String,
    pub dropped: usize,
    pub picture: Option<(u32, u32)>,
}

impl RunResult {
    /// Passed: succeeded, or failed when `+expect:failure` says it should. An exercise's
    /// starter passes when it builds: its checks are meant to fail until it is solved.
    pub fn passed(&self, code: &CodeBlock) -> bool {
        let ok = self.outcome.ok();
        if code.attrs.exercise.is_some() {
            return ok || self.checks().is_some_and(|c| c.total > 0);
        }
        if code.attrs.expect_failure { !ok && !matches!(self.outcome, Outcome::TimedOut(_)) } else { ok }
    }

    /// An exercise's check results, read from its output (`N/M checks passed`).
    pub fn checks(&self) -> Option<crate::workshop::Checks> {
        crate::workshop::Checks::read(&self.output)
    }
}

/// ctrl+c presses seen while running snippets without a UI.
static INTERRUPTS: AtomicUsize = AtomicUsize::new(0);

/// ctrl+c: the first stops the running snippet and what runs them (replay, check, export);
/// a second, for a snippet that does not stop, quits at once.
fn watch_ctrl_c() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let Ok(mut signals) = signal_hook::iterator::Signals::new([signal_hook::consts::SIGINT]) else { return };
        std::thread::spawn(move || {
            for _ in signals.forever() {
                if INTERRUPTS.fetch_add(1, Ordering::SeqCst) > 0 {
                    eprintln!("\ninterrupted");
                    std::process::exit(130);
                }
            }
        });
    });
}

/// Whether ctrl+c was pressed: callers stop running snippets and exit with 130.
pub fn interrupted() -> bool {
    INTERRUPTS.load(Ordering::SeqCst) > 0
}

/// How often a waiting runner looks for ctrl+c.
const POLL: Duration = Duration::from_millis(50);

/// Runs snippets one at a time, streaming what they print to `on_output`.
pub struct Runner {
    executor: Executor,
    rx: mpsc::Receiver<Report>,
}

impl Runner {
    pub fn new(settings: &crate::exec::Settings) -> Self {
        let (tx, rx) = mpsc::channel();
        let tx = std::sync::Mutex::new(tx);
        let sink = std::sync::Arc::new(move |r: Report| {
            if let Ok(tx) = tx.lock() {
                let _ = tx.send(r);
            }
        });
        watch_ctrl_c();
        Self { executor: Executor::new(sink, settings), rx }
    }

    /// The next report, cancelling job `id` once if ctrl+c has been pressed meanwhile.
    fn next_report(&mut self, id: SnippetId, cancel_sent: &mut bool) -> Option<Report> {
        loop {
            match self.rx.recv_timeout(POLL) {
                Ok(report) => return Some(report),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if interrupted() && !*cancel_sent {
                        self.executor.cancel(id);
                        *cancel_sent = true;
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// Compile every Rust snippet in the background while earlier snippets run.
    pub fn warm_up(&mut self, deck: &Deck, timeout: Duration) {
        warm_up_rust(&mut self.executor, deck, timeout);
    }

    /// Run a job, handing every report of it to `on_report`, until it finishes.
    pub fn run_reports(&mut self, job: Job, mut on_report: impl FnMut(Report)) {
        let id = job.id;
        self.executor.start(job);
        let mut cancel_sent = false;
        while let Some(report) = self.next_report(id, &mut cancel_sent) {
            let done = matches!(report, Report::Finished { id: rid, .. } if rid == id);
            on_report(report);
            if done {
                return;
            }
        }
    }

    /// Run a job to its end; what it prints and its progress go to `on_report` as they come.
    pub fn run(&mut self, job: Job, mut on_report: impl FnMut(&Report)) -> RunResult {
        let id = job.id;
        self.executor.start(job);
        let mut output = String::new();
        let mut dropped = 0;
        let mut picture = None;
        let mut cancel_sent = false;
        while let Some(report) = self.next_report(id, &mut cancel_sent) {
            match report {
                Report::Output { id: rid, ref text, .. } if rid == id => {
                    on_report(&report);
                    output.push_str(text);
                    dropped += keep_tail(&mut output, KEPT_OUTPUT);
                }
                Report::Dropped { id: rid, lines } if rid == id => {
                    on_report(&report);
                    dropped += lines;
                }
                Report::Progress { id: rid, .. } if rid == id => on_report(&report),
                Report::Image { id: rid, image } if rid == id => picture = Some(image.dimensions()),
                Report::Finished { id: rid, outcome, elapsed } if rid == id => {
                    return RunResult { outcome, elapsed, output, dropped, picture };
                }
                _ => {}
            }
        }
        RunResult { outcome: Outcome::Failed, elapsed: Duration::ZERO, output, dropped, picture }
    }
}

/// Set when stdout's reader went away (`deck run | head`): output stops, quietly.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Whether stdout's reader is gone; the command then exits with 141 (128 + SIGPIPE), as a
/// writer killed by SIGPIPE would, instead of panicking.
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// Write to stdout and flush; a closed pipe is remembered, never a panic.
pub fn say(args: std::fmt::Arguments<'_>) {
    if stdout_closed() {
        return;
    }
    let mut o = std::io::stdout().lock();
    if let Err(e) = o.write_fmt(args).and_then(|()| o.flush())
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
}

/// `println!` for command output: see [`say`].
#[macro_export]
macro_rules! sayln {
    ($($arg:tt)*) => { $crate::headless::say(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `deck run`: every runnable snippet from slide `from` (1-based), titles and code shown.
pub fn replay(deck: &Deck, from: usize, only: Option<usize>, settings: &crate::exec::Settings) -> bool {
    let timeout = settings.timeout;
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut runner = Runner::new(settings);
    runner.warm_up(deck, timeout);
    let mut all_passed = true;
    let mut last_slide = None;
    for planned in runnable(deck, false) {
        let slide_no = planned.slide + 1;
        if slide_no < from || only.is_some_and(|n| n != slide_no) {
            continue;
        }
        if last_slide != Some(planned.slide) {
            let title = deck.slides[planned.slide].title_text();
            let title = if title.is_empty() { "(untitled)".to_string() } else { title };
            crate::sayln!("\n{}", bold(&format!("── slide {slide_no}: {title} ──"), color));
            last_slide = Some(planned.slide);
        }
        crate::sayln!("{}", code_text(planned.code, color));
        // Progress (compiling…) only where it can be redrawn in place, and wiped before output.
        let mut progress_shown = false;
        let result = runner.run(job(deck, planned.id, planned.code, timeout), |report| {
            if progress_shown {
                say(format_args!("\r\x1b[2K"));
                progress_shown = false;
            }
            match report {
                Report::Progress { text, .. } if color && !text.is_empty() => {
                    say(format_args!("⚙ {text}"));
                    progress_shown = true;
                }
                Report::Output { text, stderr: true, .. } => {
                    let _ = std::io::stderr().write_all(text.as_bytes());
                }
                Report::Output { text, .. } => say(format_args!("{text}")),
                Report::Dropped { lines, .. } => crate::sayln!("… {lines} lines printed too fast to show"),
                _ => {}
            }
        });
        if progress_shown {
            say(format_args!("\r\x1b[2K"));
        }
        if let Some((w, h)) = result.picture {
            crate::sayln!("[picture {w}x{h}]");
        }
        let passed = result.passed(planned.code);
        all_passed &= passed;
        crate::sayln!("{}", status(&result, passed, color));
        if stdout_closed() {
            return false;
        }
        // Only ctrl+c cancels here: stop the replay too.
        if interrupted() || result.outcome == Outcome::Cancelled {
            eprintln!("interrupted");
            return false;
        }
    }
    all_passed
}

pub fn status(r: &RunResult, passed: bool, color: bool) -> String {
    let text = match &r.outcome {
        Outcome::Success | Outcome::Exit(0) => format!("✓ {}", fmt_duration(r.elapsed)),
        Outcome::Exit(c) => format!("✗ exit status {c} after {}", fmt_duration(r.elapsed)),
        Outcome::Failed if r.elapsed.is_zero() => "✗ failed".to_string(),
        Outcome::Failed => format!("✗ failed after {}", fmt_duration(r.elapsed)),
        Outcome::Cancelled => "■ stopped".to_string(),
        Outcome::TimedOut(t) => format!("⏱ timed out after {}", fmt_duration(*t)),
    };
    let text = if passed && !r.outcome.ok() { format!("{text} (expected)") } else { text };
    match (color, passed) {
        (false, _) => text,
        (true, true) => format!("\x1b[32m{text}\x1b[0m"),
        (true, false) => format!("\x1b[31m{text}\x1b[0m"),
    }
}

fn bold(s: &str, color: bool) -> String {
    if color { format!("\x1b[1m{s}\x1b[0m") } else { s.to_string() }
}

/// The code as shown on the slide, highlighted for terminals.
fn code_text(code: &CodeBlock, color: bool) -> String {
    if !color {
        return code.display.trim_end().lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n");
    }
    // A terminal's own background is unknown: the usual dark one.
    let card = ratatui::style::Color::Rgb(0x1c, 0x1c, 0x1c);
    let hl = crate::render::code::Highlighter::global().highlight(
        &code.display,
        &code.language,
        "base16-eighties.dark",
        card,
    );
    hl.iter()
        .map(|spans| {
            let mut line = String::from("  ");
            for (style, text) in spans {
                if let Some(ratatui::style::Color::Rgb(r, g, b)) = style.fg {
                    line.push_str(&format!("\x1b[38;2;{r};{g};{b}m{text}"));
                } else {
                    line.push_str(text);
                }
            }
            line.push_str("\x1b[0m");
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}
