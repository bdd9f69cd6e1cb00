//! The Python worker: deck's own binary started as `deck --python-worker`, one per deck, so
//! that nothing a snippet does (a segfault, `os._exit`, an abort, a C loop that ignores
//! ctrl+c) can take the presenter down. The interpreter runs on this process's main thread,
//! which owns SIGINT as in any Python program: a stop is a SIGINT from the presenter.
//!
//! File descriptors: the presenter hands over one end of a socket as stdin; the worker keeps
//! it for jobs and results and puts /dev/null on fd 0. Its stdout and stderr are pipes the
//! presenter reads, so whatever writes there (print, C code, `os.system`, subprocesses)
//! lands in the snippet's output, never on the terminal.

use std::io::{BufReader, Write};
use std::os::unix::net::UnixStream;
use std::process::ExitCode;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyModule, PyTuple};

use super::protocol::{self, Ended, FromWorker, ToWorker};
use crate::exec::{Job, SnippetId};

/// The first argument that makes `deck` a worker.
pub const FLAG: &str = "--python-worker";

/// `deck --python-worker [VIRTUALENV]`.
pub fn main(env: Option<&str>) -> ExitCode {
    // A Rust panic inside a demo module is caught by pyo3 and raised as PanicException: the
    // exception is the report, so the default "thread panicked at" text stays out of the
    // snippet's output. Anything else that panics here ends the worker, which the presenter
    // reports with its exit status.
    std::panic::set_hook(Box::new(|_| {}));
    // When the presenter dies, so does its worker.
    let _ = rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL));
    let Some(socket) = take_socket() else {
        eprintln!("deck: {FLAG} is for deck itself (it needs the presenter's socket on stdin)");
        return ExitCode::from(2);
    };
    match serve(socket, env) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("deck python worker: {e}");
            ExitCode::from(1)
        }
    }
}

/// The presenter's socket arrives as stdin: keep it apart and give fd 0 /dev/null.
fn take_socket() -> Option<UnixStream> {
    let socket = rustix::io::dup(std::io::stdin()).ok()?;
    let devnull = std::fs::File::open("/dev/null").ok()?;
    rustix::stdio::dup2_stdin(&devnull).ok()?;
    let stream = UnixStream::from(socket);
    // Only a socket will do (a terminal or file on stdin means someone ran this by hand).
    stream.peer_addr().ok()?;
    Some(stream)
}

struct Interp {
    runner: Py<PyModule>,
    namespace: Py<PyDict>,
}

fn serve(socket: UnixStream, env: Option<&str>) -> std::io::Result<()> {
    crate::exec::register_demo_modules();
    let mut out = socket.try_clone()?;
    let mut input = BufReader::new(socket);
    let interp = Python::attach(|py| setup(py, env)).map_err(|e| std::io::Error::other(e.to_string()))?;
    protocol::send(&mut out, &FromWorker::Ready, None)?;
    let mut count = 0u64;
    let me = std::process::id();
    while let Some(ToWorker::Run(job)) = protocol::receive::<ToWorker>(&mut input)? {
        count += 1;
        run_job(&interp, &job, count, &mut out)?;
        if std::process::id() != me {
            // A copy made by os.fork() in a snippet came back here: it must not serve jobs
            // beside the real worker.
            std::process::exit(0);
        }
    }
    Ok(())
}

fn setup(py: Python<'_>, env: Option<&str>) -> PyResult<Interp> {
    let sys = py.import("sys")?;
    // Real file objects on fds 1 and 2 (`.buffer` and `.fileno()` work), written through at
    // once: the presenter streams what arrives.
    let io = py.import("io")?;
    for (name, fd) in [("stdout", 1), ("stderr", 2)] {
        let raw = io.getattr("FileIO")?.call1((fd, "w", false))?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("encoding", "utf-8")?;
        kwargs.set_item("errors", "replace")?;
        kwargs.set_item("write_through", true)?;
        let stream = io.getattr("TextIOWrapper")?.call((raw,), Some(&kwargs))?;
        sys.setattr(name, &stream)?;
        sys.setattr(format!("__{name}__"), stream)?;
    }
    sys.setattr("argv", vec!["deck"])?;
    // ctrl+c as in any Python program: SIGINT raises KeyboardInterrupt, also out of sleep.
    let signal = py.import("signal")?;
    signal.getattr("signal")?.call1((signal.getattr("SIGINT")?, signal.getattr("default_int_handler")?))?;
    let source = std::ffi::CString::new(include_str!("deck_runner.py")).expect("no NUL in the runner");
    let runner = PyModule::from_code(py, source.as_c_str(), c"deck_runner.py", c"deck_runner")?;
    if let Some(env) = env {
        runner.getattr("add_site_packages")?.call1((env,))?;
    }
    let namespace = runner.getattr("new_namespace")?.call0()?.cast_into::<PyDict>()?;
    Ok(Interp { runner: runner.unbind(), namespace: namespace.unbind() })
}

/// Run one job; what it printed went to fds 1 and 2 as it ran, then each gets the job's sync
/// mark, then the results and the end go over the socket.
fn run_job(interp: &Interp, job: &Job, n: u64, out: &mut UnixStream) -> std::io::Result<()> {
    let id = job.id;
    let me = std::process::id();
    let (ended, extra) = Python::attach(|py| {
        // A stop aimed at an earlier job must not hit this one.
        let _ = py.check_signals();
        let result = interp.runner.bind(py).getattr("run").and_then(|run| {
            run.call1((
                job.source.as_str(),
                job.file.to_string_lossy().as_ref(),
                job.first_line,
                interp.namespace.bind(py),
                job.dir.to_string_lossy().as_ref(),
            ))
        });
        let outcome = match result {
            Ok(r) => interpret(&r, id),
            Err(e) if e.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py) => (Ended::Interrupted, vec![]),
            Err(e) => (Ended::Failed, vec![Extra::Text(format!("{e}\n"), true)]),
        };
        let _ = py.check_signals();
        outcome
    });
    flush_c_stdio();
    if std::process::id() != me {
        // A forked copy of the worker: its snippet is over, and the job is not its to end.
        std::process::exit(0);
    }
    let mark = protocol::sync_mark(n);
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(mark.as_bytes())?;
    stdout.flush()?;
    std::io::stderr().write_all(mark.as_bytes())?;
    for e in extra {
        match e {
            Extra::Text(text, stderr) => protocol::send(out, &FromWorker::Text { id, text, stderr }, None)?,
            Extra::Image { width, height, mode, pixels } => {
                let msg = FromWorker::Image { id, width, height, mode, len: pixels.len() };
                protocol::send(out, &msg, Some(&pixels))?;
            }
        }
    }
    protocol::send(out, &FromWorker::Finished { id, ended, sync: n }, None)
}

/// C code's `printf` sits in the C library's buffer (a pipe is fully buffered): push it out
/// before the job's sync mark.
fn flush_c_stdio() {
    // SAFETY: fflush(NULL) flushes every open output stream; it takes no pointer of ours.
    unsafe {
        libc::fflush(std::ptr::null_mut());
    }
}

enum Extra {
    Text(String, bool),
    Image { width: u32, height: u32, mode: String, pixels: Vec<u8> },
}

/// The runner's (status, payload) as an ending and what to report after the job's output.
fn interpret(result: &Bound<'_, PyAny>, id: SnippetId) -> (Ended, Vec<Extra>) {
    let _ = id;
    let Ok(tuple) = result.cast::<PyTuple>() else { return (Ended::Failed, vec![]) };
    let status: String = tuple.get_item(0).and_then(|s| s.extract()).unwrap_or_default();
    let payload = tuple.get_item(1).ok();
    let text = |p: &Option<Bound<PyAny>>| p.as_ref().and_then(|p| p.extract::<String>().ok()).unwrap_or_default();
    match status.as_str() {
        "ok" => (Ended::Ok, vec![]),
        "value" => (Ended::Ok, vec![Extra::Text(format!("{}\n", text(&payload)), false)]),
        "image" => match payload.and_then(|p| p.extract::<(u32, u32, String, Vec<u8>)>().ok()) {
            Some((width, height, mode, pixels)) => (Ended::Ok, vec![Extra::Image { width, height, mode, pixels }]),
            None => (Ended::Failed, vec![Extra::Text("(a picture deck could not read)\n".into(), true)]),
        },
        "error" => (Ended::Failed, vec![Extra::Text(text(&payload), true)]),
        "exit" => {
            let (code, message): (i32, String) = payload.and_then(|p| p.extract().ok()).unwrap_or((1, String::new()));
            let extra = if message.is_empty() { vec![] } else { vec![Extra::Text(format!("{message}\n"), true)] };
            (Ended::Exit(code), extra)
        }
        "interrupted" => (Ended::Interrupted, vec![]),
        _ => (Ended::Failed, vec![]),
    }
}
