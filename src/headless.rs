//! Without a terminal UI: `deck run` replays a deck's demos for attendees, `deck check -x`
//! runs every snippet for authors and CI. Same engines, same shared Python namespace.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Once, mpsc};
use std::time::Duration;

use crate::exec::output::fmt_duration;
use crate::exec::{Executor, Job, Outcome, Report, SnippetId};
use crate::model::{Block, CodeBlock, Deck};

/// A snippet to run, where it is, and whether failing is what it should do.
pub struct Planned<'a> {
    pub id: SnippetId,
    pub code: &'a CodeBlock,
}

/// The snippets `deck run` replays: the ones the presenter would run.
pub fn runnable(deck: &Deck, include_validate: bool) -> Vec<Planned<'_>> {
    deck.slides
        .iter()
        .enumerate()
        .flat_map(|(slide, s)| {
            s.elements.iter().enumerate().filter_map(move |(element, e)| match &e.block {
                Block::Code(code) if code.attrs.exec.runs() || (include_validate && code.attrs.validate) => {
                    Some(Planned { id: SnippetId { slide, element }, code })
                }
                _ => None,
            })
        })
        .collect()
}

/// Queue the build of every Rust snippet of the deck (the run key then only runs a binary).
pub fn warm_up_rust(executor: &mut Executor, deck: &Deck, timeout: Duration) {
    for p in runnable(deck, true).into_iter().filter(|p| p.code.language == "rust") {
        executor.warm_up(&job(p.id, p.code, timeout));
    }
}

pub fn job(id: SnippetId, code: &CodeBlock, timeout: Duration) -> Job {
    let dir = code.file.parent().map(Path::to_path_buf).unwrap_or_default();
    Job {
        id,
        language: code.language.clone(),
        runner: code.attrs.runner.clone(),
        source: code.source.clone(),
        file: code.file.file_name().map_or_else(|| code.file.clone(), PathBuf::from),
        first_line: code.first_code_line(),
        dir,
        timeout: code.attrs.timeout_secs.map_or(timeout, Duration::from_secs),
    }
}

/// What one run produced.
pub struct RunResult {
    pub outcome: Outcome,
    pub elapsed: Duration,
    pub output: String,
    pub picture: Option<(u32, u32)>,
}

impl RunResult {
    /// Passed: succeeded, or failed when `+expect:failure` says it should.
    pub fn passed(&self, code: &CodeBlock) -> bool {
        let ok = self.outcome.ok();
        if code.attrs.expect_failure { !ok && !matches!(self.outcome, Outcome::TimedOut(_)) } else { ok }
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
    pub fn new(python_env: Option<PathBuf>) -> Self {
        let (tx, rx) = mpsc::channel();
        let tx = std::sync::Mutex::new(tx);
        let sink = std::sync::Arc::new(move |r: Report| {
            if let Ok(tx) = tx.lock() {
                let _ = tx.send(r);
            }
        });
        watch_ctrl_c();
        Self { executor: Executor::new(sink, python_env), rx }
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

    pub fn run(&mut self, job: Job, mut on_output: impl FnMut(&str, bool)) -> RunResult {
        let id = job.id;
        self.executor.start(job);
        let mut output = String::new();
        let mut picture = None;
        let mut cancel_sent = false;
        while let Some(report) = self.next_report(id, &mut cancel_sent) {
            match report {
                Report::Output { id: rid, text, stderr } if rid == id => {
                    on_output(&text, stderr);
                    output.push_str(&text);
                }
                Report::Image { id: rid, image } if rid == id => picture = Some(image.dimensions()),
                Report::Finished { id: rid, outcome, elapsed } if rid == id => {
                    return RunResult { outcome, elapsed, output, picture };
                }
                _ => {}
            }
        }
        RunResult { outcome: Outcome::Failed, elapsed: Duration::ZERO, output, picture }
    }
}

/// `deck run`: every runnable snippet from slide `from` (1-based), titles and code shown.
pub fn replay(deck: &Deck, from: usize, only: Option<usize>, timeout: Duration, python_env: Option<PathBuf>) -> bool {
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut runner = Runner::new(python_env);
    runner.warm_up(deck, timeout);
    let mut all_passed = true;
    let mut last_slide = None;
    let out = std::io::stdout();
    for planned in runnable(deck, false) {
        let slide_no = planned.id.slide + 1;
        if slide_no < from || only.is_some_and(|n| n != slide_no) {
            continue;
        }
        let mut o = out.lock();
        if last_slide != Some(planned.id.slide) {
            let title = deck.slides[planned.id.slide].title_text();
            let title = if title.is_empty() { "(untitled)".to_string() } else { title };
            let _ = writeln!(o, "\n{}", bold(&format!("── slide {slide_no}: {title} ──"), color));
            last_slide = Some(planned.id.slide);
        }
        let _ = writeln!(o, "{}", code_text(planned.code, color));
        drop(o);
        let result = runner.run(job(planned.id, planned.code, timeout), |text, stderr| {
            // Progress ("\r⚙ compiling…") only where it can be redrawn in place.
            let text = match text.rsplit_once('\r') {
                Some((_, rest)) if !color => rest.strip_prefix('⚙').map_or(rest, |_| ""),
                Some(_) => &text.replace('\r', "\r\x1b[2K"),
                None => text,
            };
            if stderr {
                let _ = std::io::stderr().write_all(text.as_bytes());
            } else {
                let mut o = std::io::stdout().lock();
                let _ = o.write_all(text.as_bytes());
                let _ = o.flush();
            }
        });
        if let Some((w, h)) = result.picture {
            println!("[picture {w}x{h}]");
        }
        let passed = result.passed(planned.code);
        all_passed &= passed;
        println!("{}", status(&result, passed, color));
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
    let hl =
        crate::render::code::Highlighter::global().highlight(&code.display, &code.language, "base16-eighties.dark");
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
