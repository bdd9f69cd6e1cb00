//! Python embedded in deck (pyo3). One interpreter per process, owned by one thread that is
//! Python's main thread. A stop is a signal to that thread whose handler raises
//! KeyboardInterrupt as a ctrl+c would (`PyErr_SetInterruptEx`) and wakes it from
//! `time.sleep` or any other blocking call, so a runaway snippet stops within milliseconds. The process's own
//! SIGINT stays deck's: Python never takes it over. Each deck gets its own namespace that
//! persists across snippets like a notebook.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyModule, PyTuple};

use super::{Job, Outcome, Report, Sink, SnippetId, Watchdog};

/// The interpreter thread, shared by every engine of the process.
struct Host {
    tx: Sender<Msg>,
    /// pthread handle of the interpreter thread, to wake it with `WAKE_SIGNAL`.
    thread: libc::pthread_t,
    /// Which job is running (packed id) and why it is being stopped.
    running: Mutex<Option<(u64, SnippetId)>>,
    stop_reason: Mutex<Option<Outcome>>,
    /// Jobs cancelled while still queued behind another.
    cancelled: Mutex<Vec<(u64, SnippetId)>>,
    next_session: AtomicU64,
}

enum Msg {
    Run { session: u64, job: Job, sink: Sink },
    Reset { session: u64 },
    Setup { env: Option<PathBuf> },
}

fn host() -> &'static Host {
    static HOST: OnceLock<Host> = OnceLock::new();
    HOST.get_or_init(|| {
        let (tx, rx) = mpsc::channel();
        let (ready_tx, ready_rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("python".into())
            .spawn(move || {
                // SAFETY: pthread_self has no preconditions; it names the calling thread.
                let _ = ready_tx.send(unsafe { libc::pthread_self() });
                interpreter_thread(rx);
            })
            .expect("spawn the python thread");
        let thread = ready_rx.recv().expect("python thread started");
        Host {
            tx,
            thread,
            running: Mutex::new(None),
            stop_reason: Mutex::new(None),
            cancelled: Mutex::new(Vec::new()),
            next_session: AtomicU64::new(1),
        }
    })
}

/// A deck's handle on the interpreter: its own namespace, its own reports.
pub struct PythonEngine {
    session: u64,
    sink: Sink,
}

impl PythonEngine {
    pub fn new(sink: Sink, env: Option<PathBuf>) -> Self {
        let host = host();
        let session = host.next_session.fetch_add(1, Ordering::Relaxed);
        let _ = host.tx.send(Msg::Setup { env });
        Self { session, sink }
    }

    /// A fresh namespace: the talk starts over.
    pub fn reset(&self) {
        let _ = host().tx.send(Msg::Reset { session: self.session });
    }
}

impl PythonEngine {
    pub fn start(&self, job: Job) {
        (self.sink)(Report::Started { id: job.id });
        self.run_started(job);
    }

    /// Queue a job whose start was already reported (by the Rust engine, say).
    pub fn run_started(&self, job: Job) {
        host().cancelled.lock().expect("lock").retain(|c| *c != (self.session, job.id));
        let _ = host().tx.send(Msg::Run { session: self.session, job, sink: self.sink.clone() });
    }

    pub fn cancel(&self, id: SnippetId) {
        interrupt(self.session, id, Outcome::Cancelled);
    }
}

/// Stop the job: at once if it is running, or before it starts if it is queued.
fn interrupt(session: u64, id: SnippetId, why: Outcome) {
    let host = host();
    let running = host.running.lock().expect("lock");
    if *running == Some((session, id)) {
        *host.stop_reason.lock().expect("lock") = Some(why);
        // SAFETY: the thread handle lives as long as the process (the interpreter thread
        // never ends), and `WAKE_SIGNAL` has its handler from the thread's start.
        unsafe {
            libc::pthread_kill(host.thread, WAKE_SIGNAL);
        }
    } else if matches!(why, Outcome::Cancelled) {
        host.cancelled.lock().expect("lock").push((session, id));
    }
}

/// Streams a snippet's stdout/stderr to its sink as it is written.
#[pyclass]
struct Writer {
    stderr: bool,
    current: Arc<Mutex<Option<(SnippetId, Sink)>>>,
}

#[pymethods]
#[allow(clippy::unused_self, reason = "Python's file protocol calls these as methods")]
impl Writer {
    fn write(&self, text: &str) -> usize {
        if let Some((id, sink)) = self.current.lock().ok().and_then(|c| c.clone()) {
            sink(Report::Output { id, text: text.to_string(), stderr: self.stderr });
        }
        text.chars().count()
    }
    fn flush(&self) {}
    fn isatty(&self) -> bool {
        false
    }
    fn writable(&self) -> bool {
        true
    }
    fn readable(&self) -> bool {
        false
    }
    #[getter]
    fn encoding(&self) -> &'static str {
        "utf-8"
    }
    #[getter]
    fn errors(&self) -> &'static str {
        "replace"
    }
}

struct Interp {
    runner: Py<PyModule>,
    namespaces: Vec<(u64, Py<PyDict>)>,
    current: Arc<Mutex<Option<(SnippetId, Sink)>>>,
}

/// Sent to the interpreter thread to stop the running snippet. Its handler runs there, on
/// Python's main thread, which is the only thread whose interrupt Python's eval loop heeds;
/// it also breaks a blocking call (sleep, wait, read) with EINTR.
const WAKE_SIGNAL: libc::c_int = libc::SIGURG;

extern "C" fn wake(_: libc::c_int) {
    // SAFETY: async-signal-safe, needs no thread state (Python's documentation says so).
    unsafe { pyo3::ffi::PyErr_SetInterruptEx(libc::SIGINT) };
}

/// The stop handler, without SA_RESTART so that a blocking call returns EINTR.
fn install_wake_handler() {
    // SAFETY: a zeroed sigaction is valid; the handler is async-signal-safe.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = wake as extern "C" fn(libc::c_int) as usize;
        libc::sigemptyset(&raw mut action.sa_mask);
        libc::sigaction(WAKE_SIGNAL, &raw const action, std::ptr::null_mut());
    }
}

/// Python's ctrl+c behaviour (KeyboardInterrupt) without Python's SIGINT handler in the
/// process: `signal.signal` sets both, so the process-wide handler is put back after it.
fn keyboard_interrupt_without_sigint(py: Python<'_>) -> PyResult<()> {
    // SAFETY: an all-zero sigaction is a valid value (no handler, empty mask, no flags).
    let mut previous: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: a null new action only reads the current one into a valid out-pointer.
    unsafe { libc::sigaction(libc::SIGINT, std::ptr::null(), &raw mut previous) };
    let signal = py.import("signal")?;
    let set = signal.getattr("signal")?.call1((signal.getattr("SIGINT")?, signal.getattr("default_int_handler")?));
    // SAFETY: puts back exactly the action read above, from a valid pointer.
    unsafe { libc::sigaction(libc::SIGINT, &raw const previous, std::ptr::null_mut()) };
    set.map(drop)
}

fn interpreter_thread(rx: Receiver<Msg>) {
    crate::exec::register_demo_modules();
    install_wake_handler();
    let current = Arc::new(Mutex::new(None));
    let setup = Python::attach(|py| -> PyResult<Interp> {
        let sys = py.import("sys")?;
        sys.setattr("stdout", Writer { stderr: false, current: current.clone() })?;
        sys.setattr("stderr", Writer { stderr: true, current: current.clone() })?;
        sys.setattr("stdin", py.import("io")?.getattr("StringIO")?.call0()?)?;
        sys.setattr("argv", vec!["deck"])?;
        keyboard_interrupt_without_sigint(py)?;
        let runner = PyModule::from_code(
            py,
            c_str(include_str!("deck_runner.py")).as_c_str(),
            c"deck_runner.py",
            c"deck_runner",
        )?;
        Ok(Interp { runner: runner.unbind(), namespaces: Vec::new(), current: current.clone() })
    });
    let mut interp = match setup {
        Ok(i) => i,
        Err(e) => {
            let message = format!("the embedded Python could not start: {e}\n");
            for msg in rx {
                if let Msg::Run { job, sink, .. } = msg {
                    sink(Report::Output { id: job.id, text: message.clone(), stderr: true });
                    sink(Report::Finished { id: job.id, outcome: Outcome::Failed, elapsed: Duration::ZERO });
                }
            }
            return;
        }
    };
    for msg in rx {
        match msg {
            Msg::Setup { env } => {
                if let Some(env) = env {
                    Python::attach(|py| {
                        let _ = interp.runner.bind(py).getattr("add_site_packages").and_then(|f| f.call1((env,)));
                    });
                }
            }
            Msg::Reset { session } => interp.namespaces.retain(|(s, _)| *s != session),
            Msg::Run { session, job, sink } => run_job(&mut interp, session, job, sink),
        }
    }
}

fn c_str(s: &str) -> std::ffi::CString {
    std::ffi::CString::new(s).expect("no NUL in the runner source")
}

fn run_job(interp: &mut Interp, session: u64, job: Job, sink: Sink) {
    let id = job.id;
    let start = Instant::now();
    let mut cancelled = host().cancelled.lock().expect("lock");
    if let Some(i) = cancelled.iter().position(|c| *c == (session, id)) {
        cancelled.remove(i);
        drop(cancelled);
        sink(Report::Finished { id, outcome: Outcome::Cancelled, elapsed: Duration::ZERO });
        return;
    }
    drop(cancelled);
    let outcome = Python::attach(|py| {
        // A stop aimed at an earlier job must not hit this one.
        let _ = py.check_signals();
        let ns = namespace(interp, py, session);
        *interp.current.lock().expect("lock") = Some((id, sink.clone()));
        *host().running.lock().expect("lock") = Some((session, id));
        *host().stop_reason.lock().expect("lock") = None;
        let watchdog = Watchdog::new(job.timeout, move || interrupt(session, id, Outcome::TimedOut(job.timeout)));
        let result = interp.runner.bind(py).getattr("run").and_then(|run| {
            run.call1((
                job.source.as_str(),
                job.file.to_string_lossy().as_ref(),
                job.first_line,
                ns,
                job.dir.to_string_lossy().as_ref(),
            ))
        });
        *host().running.lock().expect("lock") = None;
        drop(watchdog);
        let outcome = match result {
            Ok(r) => report_result(py, &r, id, &sink),
            Err(e) if e.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py) => Outcome::Cancelled,
            Err(e) => {
                sink(Report::Output { id, text: format!("{e}\n"), stderr: true });
                Outcome::Failed
            }
        };
        let _ = py.check_signals();
        *interp.current.lock().expect("lock") = None;
        match outcome {
            Outcome::Cancelled => host().stop_reason.lock().expect("lock").take().unwrap_or(Outcome::Cancelled),
            other => other,
        }
    });
    sink(Report::Finished { id, outcome, elapsed: start.elapsed() });
}

fn namespace<'py>(interp: &mut Interp, py: Python<'py>, session: u64) -> Bound<'py, PyDict> {
    if let Some((_, ns)) = interp.namespaces.iter().find(|(s, _)| *s == session) {
        return ns.bind(py).clone();
    }
    let ns = interp
        .runner
        .bind(py)
        .getattr("new_namespace")
        .and_then(|f| f.call0())
        .and_then(|d| Ok(d.cast_into::<PyDict>()?))
        .unwrap_or_else(|_| PyDict::new(py));
    interp.namespaces.push((session, ns.clone().unbind()));
    ns
}

/// Turn the runner's (status, payload) into reports and an outcome.
fn report_result(py: Python, result: &Bound<PyAny>, id: SnippetId, sink: &Sink) -> Outcome {
    let _ = py;
    let Ok(tuple) = result.cast::<PyTuple>() else { return Outcome::Failed };
    let status: String = tuple.get_item(0).and_then(|s| s.extract()).unwrap_or_default();
    let payload = tuple.get_item(1).ok();
    let text = |p: &Option<Bound<PyAny>>| p.as_ref().and_then(|p| p.extract::<String>().ok()).unwrap_or_default();
    match status.as_str() {
        "ok" => Outcome::Success,
        "value" => {
            sink(Report::Output { id, text: format!("{}\n", text(&payload)), stderr: false });
            Outcome::Success
        }
        "image" => {
            if let Some(image) = payload.and_then(|p| p.extract::<(u32, u32, String, Vec<u8>)>().ok()).and_then(to_rgba)
            {
                sink(Report::Image { id, image });
                Outcome::Success
            } else {
                sink(Report::Output { id, text: "(a picture deck could not read)\n".into(), stderr: true });
                Outcome::Failed
            }
        }
        "error" => {
            sink(Report::Output { id, text: text(&payload), stderr: true });
            Outcome::Failed
        }
        "exit" => {
            let (code, message): (i32, String) = payload.and_then(|p| p.extract().ok()).unwrap_or((1, String::new()));
            if !message.is_empty() {
                sink(Report::Output { id, text: format!("{message}\n"), stderr: true });
            }
            Outcome::Exit(code)
        }
        "interrupted" => Outcome::Cancelled,
        _ => Outcome::Failed,
    }
}

/// Pixels in L, LA, RGB or RGBA → RGBA.
fn to_rgba((w, h, mode, bytes): (u32, u32, String, Vec<u8>)) -> Option<image::RgbaImage> {
    let channels = match mode.as_str() {
        "L" => 1,
        "LA" => 2,
        "RGB" => 3,
        "RGBA" => 4,
        _ => return None,
    };
    if bytes.len() != (w as usize) * (h as usize) * channels {
        return None;
    }
    let rgba: Vec<u8> = bytes
        .chunks_exact(channels)
        .flat_map(|p| match channels {
            1 => [p[0], p[0], p[0], 255],
            2 => [p[0], p[0], p[0], p[1]],
            3 => [p[0], p[1], p[2], 255],
            _ => [p[0], p[1], p[2], p[3]],
        })
        .collect();
    image::RgbaImage::from_raw(w, h, rgba)
}

/// Starts the embedded interpreter only when a snippet needs it (a Python or PyO3 snippet).
pub struct LazyPython {
    cell: OnceLock<PythonEngine>,
    sink: Sink,
    env: Option<PathBuf>,
}

impl LazyPython {
    pub fn new(sink: Sink, env: Option<PathBuf>) -> Self {
        Self { cell: OnceLock::new(), sink, env }
    }
    pub fn get(&self) -> &PythonEngine {
        self.cell.get_or_init(|| PythonEngine::new(self.sink.clone(), self.env.clone()))
    }
    pub fn started(&self) -> Option<&PythonEngine> {
        self.cell.get()
    }
}
