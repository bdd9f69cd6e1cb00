//! Python for deck: a supervised worker process per deck (`worker.rs`, deck's own binary
//! started as `deck --python-worker`), with one namespace that lives as long as the worker,
//! like a notebook's kernel. The presenter only supervises it: a stop is a SIGINT to the
//! worker's process group; a snippet that does not stop within `GRACE` (a C loop) has its
//! worker killed and restarted; a crash (segfault, abort, `os._exit`) fails that snippet
//! with its signal or exit status, and the next snippet runs in a fresh worker.

pub mod protocol;
mod supervisor;
pub mod worker;

use std::path::PathBuf;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, OnceLock};

use rustix::process::Signal;

use self::supervisor::Event;
use super::group::ProcessGroup;
use super::{Job, Sink, SnippetId};

/// What starts a worker: deck's binary and the virtualenv it should see.
#[derive(Debug, Clone)]
pub struct WorkerCommand {
    pub exe: PathBuf,
    pub env: Option<PathBuf>,
}

/// A deck's Python: jobs in, reports out through the sink, never blocking the caller.
pub struct PythonEngine {
    tx: Sender<Event>,
    /// The live worker's process group, killed when the engine goes.
    group: Arc<Mutex<Option<Arc<ProcessGroup>>>>,
}

impl PythonEngine {
    pub fn new(sink: Sink, command: WorkerCommand) -> Self {
        let group = Arc::new(Mutex::new(None));
        let tx = supervisor::start(sink, command, group.clone());
        let engine = Self { tx, group };
        let _ = engine.tx.send(Event::WarmUp);
        engine
    }

    pub fn start(&self, job: Job) {
        let _ = self.tx.send(Event::Start(job, true));
    }

    /// Queue a job whose start was already reported (by the Rust engine, say).
    pub fn run_started(&self, job: Job) {
        let _ = self.tx.send(Event::Start(job, false));
    }

    pub fn cancel(&self, id: SnippetId) {
        let _ = self.tx.send(Event::Cancel(id));
    }

    /// A fresh namespace: the worker starts over (a running snippet is stopped).
    pub fn reset(&self) {
        let _ = self.tx.send(Event::Reset);
    }
}

impl PythonEngine {
    /// deck is ending: the worker goes, with everything it started.
    pub fn shutdown(&self) {
        if let Some(group) = self.group.lock().expect("lock").take() {
            group.signal(Signal::KILL);
        }
        let _ = self.tx.send(Event::Shutdown);
    }
}

impl Drop for PythonEngine {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Starts the worker only when a snippet needs it (a Python or PyO3 snippet).
pub struct LazyPython {
    cell: OnceLock<PythonEngine>,
    sink: Sink,
    command: WorkerCommand,
}

impl LazyPython {
    pub fn new(sink: Sink, command: WorkerCommand) -> Self {
        Self { cell: OnceLock::new(), sink, command }
    }
    pub fn get(&self) -> &PythonEngine {
        self.cell.get_or_init(|| PythonEngine::new(self.sink.clone(), self.command.clone()))
    }
    pub fn started(&self) -> Option<&PythonEngine> {
        self.cell.get()
    }
}
