//! Running snippets. `Executor` picks an engine per job (Python, Rust, subprocess); every engine
//! reports through one sink as snippets start, print, draw and finish, so the presenter never
//! waits on an engine.

mod group;
pub mod output;
pub mod plan;
pub mod process;
pub mod python;
pub mod rust;
pub mod stream;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

/// Which snippet: its stable identity (defined with the deck model).
pub use crate::model::SnippetId;

/// One run of one snippet.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
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
    /// A workshop exercise: the checks (`def test_*()`) to run once it has built and its
    /// module is imported.
    #[serde(default)]
    pub checks: Option<String>,
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
    Started {
        id: SnippetId,
    },
    /// What the engine does before the snippet itself runs (compiling); replaced by the next
    /// progress (an empty one clears it), gone once the snippet prints or finishes.
    Progress {
        id: SnippetId,
        text: String,
    },
    /// Lines the snippet printed faster than they could be shown, counted instead.
    Dropped {
        id: SnippetId,
        lines: usize,
    },
    Output {
        id: SnippetId,
        text: String,
        stderr: bool,
    },
    Image {
        id: SnippetId,
        image: image::RgbaImage,
    },
    Finished {
        id: SnippetId,
        outcome: Outcome,
        elapsed: Duration,
    },
}

pub type Sink = Arc<dyn Fn(Report) + Send + Sync>;

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

/// How snippets run: decided once by the front end (the command line, a test) and handed to
/// the engines, which read no environment variables of their own.
#[derive(Debug, Clone)]
pub struct Settings {
    /// For snippets without `+timeout:N`.
    pub timeout: Duration,
    /// A virtualenv whose packages the interpreter can import.
    pub python_env: Option<PathBuf>,
    /// Where Rust builds are cached (absolute: the compilers run in other folders).
    pub cache_dir: PathBuf,
    pub rustc: PathBuf,
    pub cargo: PathBuf,
    /// deck's own binary, started as the Python worker (tests name it: their own binary
    /// is a test harness).
    pub python_worker: PathBuf,
}

impl Settings {
    /// As a user's shell sets them: `$VIRTUAL_ENV`; the cache in `$DECK_CACHE_DIR`, else
    /// `$XDG_CACHE_HOME/deck`, else `~/.cache/deck`; compilers `$DECK_RUSTC` / `$DECK_CARGO`,
    /// else `rustc` / `cargo` from the PATH.
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        Self {
            timeout: DEFAULT_TIMEOUT,
            python_env: var("VIRTUAL_ENV"),
            cache_dir: rust::cache_root(var("DECK_CACHE_DIR")),
            rustc: var("DECK_RUSTC").unwrap_or_else(|| "rustc".into()),
            cargo: var("DECK_CARGO").unwrap_or_else(|| "cargo".into()),
            python_worker: std::env::current_exe().unwrap_or_else(|_| "deck".into()),
        }
    }
}

/// Picks the engine for each job: Python in its supervised worker, Rust through the build
/// cache, everything else as a subprocess.
pub struct Executor {
    python: Arc<python::LazyPython>,
    process: process::ProcessEngine,
    rust: rust::RustEngine,
}

impl Executor {
    pub fn new(sink: Sink, settings: &Settings) -> Self {
        let process = process::ProcessEngine::new(sink.clone());
        let worker = python::WorkerCommand { exe: settings.python_worker.clone(), env: settings.python_env.clone() };
        let python = Arc::new(python::LazyPython::new(sink.clone(), worker));
        let rust = rust::RustEngine::new(sink, process.clone(), python.clone(), settings);
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

    /// End every process the engines started (the Python worker, snippets, compilers) and
    /// remove their temporary files: deck is ending.
    pub fn shutdown(&self) {
        if let Some(p) = self.python.started() {
            p.shutdown();
        }
        self.process.shutdown();
        self.rust.shutdown();
    }

    pub fn reset_python(&mut self) {
        if let Some(p) = self.python.started() {
            p.reset();
        }
    }
}

impl Drop for Executor {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The PyO3 demo modules, importable in every snippet with nothing installed. Must run before
/// the interpreter starts (in the Python worker).
pub fn register_demo_modules() {
    demos::register_all();
}

pub fn is_python(language: &str) -> bool {
    matches!(language, "python" | "py" | "python3")
}
