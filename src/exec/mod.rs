//! Running snippets. `Executor` picks an engine per job (Python, Rust, subprocess); every engine
//! reports through one sink as snippets start, print, draw and finish, so the presenter never
//! waits on an engine.

mod group;
pub mod output;
pub mod process;
pub mod python;
pub mod rust;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

/// Which snippet: its slide and its element on that slide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SnippetId {
    pub slide: usize,
    pub element: usize,
}

impl SnippetId {
    /// A number for the picture a snippet produced.
    pub fn image_key(self) -> u64 {
        ((self.slide as u64) << 32) | self.element as u64
    }
}

/// One run of one snippet.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: SnippetId,
    pub language: String,
    /// `+exec:NAME`: an alternative runner.
    pub runner: Option<String>,
    pub source: String,
    /// The deck file and the line of the snippet's first code line, for tracebacks.
    pub file: PathBuf,
    pub first_line: usize,
    /// The folder the snippet runs in (the deck's).
    pub dir: PathBuf,
    pub timeout: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Success,
    /// An exception or a failing command; details were reported as stderr output.
    Failed,
    Exit(i32),
    Cancelled,
    TimedOut(Duration),
}

impl Outcome {
    pub fn ok(&self) -> bool {
        matches!(self, Outcome::Success | Outcome::Exit(0))
    }
}

#[derive(Debug)]
pub enum Report {
    Started { id: SnippetId },
    Output { id: SnippetId, text: String, stderr: bool },
    Image { id: SnippetId, image: image::RgbaImage },
    Finished { id: SnippetId, outcome: Outcome, elapsed: Duration },
}

pub type Sink = Arc<dyn Fn(Report) + Send + Sync>;

pub trait Engine: Send {
    fn start(&mut self, job: Job);
    fn cancel(&mut self, id: SnippetId);
}

/// Calls `on_timeout` unless the guard is dropped first.
pub struct Watchdog {
    _done: mpsc::Sender<()>,
}

impl Watchdog {
    pub fn new(timeout: Duration, on_timeout: impl FnOnce() + Send + 'static) -> Self {
        let (tx, rx) = mpsc::channel::<()>();
        std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(timeout) {
                on_timeout();
            }
        });
        Self { _done: tx }
    }
}

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Picks the engine for each job: Python in-process, Rust through the build cache,
/// everything else as a subprocess.
pub struct Executor {
    python: Arc<rust::LazyPython>,
    process: process::ProcessEngine,
    rust: rust::RustEngine,
}

impl Executor {
    pub fn new(sink: Sink, python_env: Option<PathBuf>) -> Self {
        let process = process::ProcessEngine::new(sink.clone());
        let python = Arc::new(rust::LazyPython::new(sink.clone(), python_env));
        let rust = rust::RustEngine::new(sink, process.clone(), python.clone());
        Self { python, process, rust }
    }

    /// Start the interpreter ahead of the first run (off the UI thread).
    pub fn warm_up_python(&mut self) {
        self.python.get();
    }

    /// Compile a Rust snippet in the background so its run is instant.
    pub fn warm_up(&mut self, job: &Job) {
        if job.language == "rust" {
            self.rust.prepare(job);
        }
    }


    pub fn start(&mut self, job: Job) {
        if job.language == "rust" {
            self.rust.start(job);
        } else if is_python(&job.language) && job.runner.is_none() {
            self.python.get().start(job);
        } else {
            self.process.start(job);
        }
    }

    pub fn cancel(&mut self, id: SnippetId) {
        if let Some(p) = self.python.started() {
            p.cancel(id);
        }
        self.rust.cancel(id);
        self.process.cancel(id);
    }

    pub fn reset_python(&mut self) {
        if let Some(p) = self.python.started() {
            p.reset();
        }
    }
}

/// The PyO3 demo modules, importable in every snippet with nothing installed. Must run before
/// the interpreter starts.
pub fn register_demo_modules() {
    demos::register_all();
}

pub fn is_python(language: &str) -> bool {
    matches!(language, "python" | "py" | "python3")
}
