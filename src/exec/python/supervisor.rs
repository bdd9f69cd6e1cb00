//! The supervisor of a deck's Python worker: one thread that starts the worker, sends it
//! one job at a time, orders what comes back (a job's output on its pipes before its end on
//! the socket), stops a snippet with SIGINT, kills a worker that does not stop, and starts a
//! new one after a crash.

use std::collections::VecDeque;
use std::io::{BufReader, Read};
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustix::process::Signal;

use super::protocol::{self, Ended, FromWorker, Piece, SyncSplitter, ToWorker};
use super::{WorkerCommand, worker};
use crate::exec::group::ProcessGroup;
use crate::exec::stream::{Batcher, Item};
use crate::exec::{Job, Outcome, Report, Sink, SnippetId, Watchdog};

/// How long a stopped snippet may take to stop before its worker is killed.
const GRACE: Duration = Duration::from_secs(1);
/// How long a dead worker's last output may take to arrive (a daemon it started may hold
/// its pipes open for ever).
const LAST_WORDS: Duration = Duration::from_millis(300);

/// Start the supervisor thread; its events go in through the returned sender. `group` holds
/// the live worker's process group, for the engine to kill when deck ends.
pub(super) fn start(sink: Sink, command: WorkerCommand, group: Arc<Mutex<Option<Arc<ProcessGroup>>>>) -> Sender<Event> {
    let (tx, rx) = mpsc::channel();
    let mut supervisor = Supervisor {
        sink,
        command,
        tx: tx.clone(),
        group,
        worker: None,
        generation: 0,
        queue: VecDeque::new(),
        running: None,
        seq: 0,
        last_id: None,
        startup_log: String::new(),
    };
    std::thread::Builder::new()
        .name("python-supervisor".into())
        .spawn(move || supervisor.run(&rx))
        .expect("spawn the python supervisor");
    tx
}

pub(super) enum Event {
    WarmUp,
    /// A job, and whether its start still has to be reported.
    Start(Job, bool),
    Cancel(SnippetId),
    Reset,
    Shutdown,
    /// From the threads around worker `generation`.
    Worker(u64, WorkerEvent),
    /// A deadline for job `seq`.
    Timer(u64, Timer),
}

pub(super) enum WorkerEvent {
    Message(FromWorker, Vec<u8>),
    Pipe {
        stderr: bool,
        piece: Piece,
    },
    PipeClosed,
    /// The worker is gone, and why (`None`: it ended normally).
    Exited(Option<String>),
}

#[derive(Clone, Copy)]
pub(super) enum Timer {
    Timeout,
    Grace,
    LastWords,
}

struct Worker {
    generation: u64,
    socket: UnixStream,
    group: Arc<ProcessGroup>,
    ready: bool,
    /// Jobs sent to this worker: its sync marks count them.
    sent: u64,
    open_pipes: usize,
}

struct Running {
    job: Job,
    seq: u64,
    generation: u64,
    sync: u64,
    started: Instant,
    stop: Option<Outcome>,
    synced: [bool; 2],
    /// Results that came over the socket before the job's output was all read.
    held: Vec<(FromWorker, Vec<u8>)>,
    ended: Option<Ended>,
    /// The worker died (how), and the job ends once its last output is in.
    crashed: Option<String>,
    _timeout: Watchdog,
}

struct Supervisor {
    sink: Sink,
    command: WorkerCommand,
    tx: Sender<Event>,
    group: Arc<Mutex<Option<Arc<ProcessGroup>>>>,
    worker: Option<Worker>,
    generation: u64,
    queue: VecDeque<Job>,
    running: Option<Running>,
    seq: u64,
    /// The snippet that ran last, for output that comes after its end.
    last_id: Option<SnippetId>,
    /// What the worker printed before any snippet ran (why it could not start, say).
    startup_log: String,
}

impl Supervisor {
    fn run(&mut self, rx: &Receiver<Event>) {
        for event in rx {
            match event {
                Event::WarmUp => self.ensure_worker(),
                Event::Start(job, report) => {
                    if report {
                        (self.sink)(Report::Started { id: job.id });
                    }
                    self.queue.push_back(job);
                    self.pump();
                }
                Event::Cancel(id) => self.cancel(id),
                Event::Reset => self.reset(),
                Event::Shutdown => {
                    self.kill_worker();
                    return;
                }
                Event::Worker(generation, e) => self.worker_event(generation, e),
                Event::Timer(seq, timer) => self.timer(seq, timer),
            }
        }
        self.kill_worker();
    }

    fn ensure_worker(&mut self) {
        if self.worker.is_some() {
            return;
        }
        match self.spawn() {
            Ok(w) => {
                *self.group.lock().expect("lock") = Some(w.group.clone());
                self.worker = Some(w);
            }
            Err(e) => {
                // Nothing can run: fail what waits, and try again with the next job.
                for job in std::mem::take(&mut self.queue) {
                    (self.sink)(Report::Output {
                        id: job.id,
                        text: format!("the Python worker could not start: {e}\n"),
                        stderr: true,
                    });
                    (self.sink)(Report::Finished { id: job.id, outcome: Outcome::Failed, elapsed: Duration::ZERO });
                }
            }
        }
    }

    fn spawn(&mut self) -> std::io::Result<Worker> {
        self.generation += 1;
        let generation = self.generation;
        let (ours, theirs) = UnixStream::pair()?;
        let mut cmd = Command::new(&self.command.exe);
        cmd.arg(worker::FLAG);
        if let Some(env) = &self.command.env {
            cmd.arg(env);
        }
        let mut child = cmd
            .stdin(Stdio::from(OwnedFd::from(theirs)))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()?;
        let group = Arc::new(ProcessGroup::of(&child));
        let stdout = child.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>);
        let stderr = child.stderr.take().map(|s| Box::new(s) as Box<dyn Read + Send>);
        for (pipe, is_err) in [(stdout, false), (stderr, true)] {
            if let Some(pipe) = pipe {
                let tx = self.tx.clone();
                std::thread::spawn(move || read_pipe(pipe, is_err, generation, &tx));
            }
        }
        let reader = ours.try_clone()?;
        let (tx, waiter) = (self.tx.clone(), group.clone());
        std::thread::spawn(move || read_socket(reader, child, &waiter, generation, &tx));
        Ok(Worker { generation, socket: ours, group, ready: false, sent: 0, open_pipes: 2 })
    }

    /// Send the next job when the worker is ready and nothing runs.
    fn pump(&mut self) {
        if self.running.is_some() || self.queue.is_empty() {
            return;
        }
        self.ensure_worker();
        let Some(worker) = self.worker.as_mut().filter(|w| w.ready) else { return };
        let Some(job) = self.queue.pop_front() else { return };
        worker.sent += 1;
        let sent = protocol::send(&mut worker.socket, &ToWorker::Run(job.clone()), None);
        self.seq += 1;
        let (seq, tx, timeout) = (self.seq, self.tx.clone(), job.timeout);
        let watchdog = Watchdog::new(timeout, move || {
            let _ = tx.send(Event::Timer(seq, Timer::Timeout));
        });
        self.last_id = Some(job.id);
        self.running = Some(Running {
            job,
            seq,
            generation: worker.generation,
            sync: worker.sent,
            started: Instant::now(),
            stop: None,
            synced: [false; 2],
            held: Vec::new(),
            ended: None,
            crashed: None,
            _timeout: watchdog,
        });
        if sent.is_err() {
            // The worker is dying; its exit ends the job.
            self.kill_worker();
        }
    }

    fn cancel(&mut self, id: SnippetId) {
        if let Some(i) = self.queue.iter().position(|j| j.id == id) {
            self.queue.remove(i);
            (self.sink)(Report::Finished { id, outcome: Outcome::Cancelled, elapsed: Duration::ZERO });
        } else if self.running.as_ref().is_some_and(|r| r.job.id == id) {
            self.stop(Outcome::Cancelled);
        }
    }

    /// Interrupt the running snippet as ctrl+c would; kill its worker if it does not stop.
    fn stop(&mut self, why: Outcome) {
        let Some(r) = &mut self.running else { return };
        r.stop.get_or_insert(why);
        if let Some(w) = self.worker.as_ref().filter(|w| w.generation == r.generation) {
            w.group.signal(Signal::INT);
        }
        let seq = r.seq;
        self.after(GRACE, seq, Timer::Grace);
    }

    fn after(&self, delay: Duration, seq: u64, timer: Timer) {
        let tx = self.tx.clone();
        std::thread::spawn(move || {
            std::thread::sleep(delay);
            let _ = tx.send(Event::Timer(seq, timer));
        });
    }

    fn timer(&mut self, seq: u64, timer: Timer) {
        if self.running.as_ref().is_none_or(|r| r.seq != seq) {
            return;
        }
        match timer {
            Timer::Timeout => {
                let limit = self.running.as_ref().map(|r| r.job.timeout).unwrap_or_default();
                self.stop(Outcome::TimedOut(limit));
            }
            Timer::Grace => self.kill_worker(),
            Timer::LastWords => self.finish_crashed(),
        }
    }

    /// `R`: the running snippet (if any) is stopped with its worker, and a new worker, with a
    /// fresh namespace, takes the next snippet. Nothing more is heard from the old one.
    fn reset(&mut self) {
        if let Some(r) = self.running.take() {
            let text = "Python restarted (R): the namespace is fresh\n".to_string();
            (self.sink)(Report::Output { id: r.job.id, text, stderr: true });
            (self.sink)(Report::Finished { id: r.job.id, outcome: Outcome::Cancelled, elapsed: r.started.elapsed() });
        }
        self.kill_worker();
        self.worker = None;
        *self.group.lock().expect("lock") = None;
        self.ensure_worker();
        self.pump();
    }

    fn kill_worker(&mut self) {
        if let Some(w) = &self.worker {
            w.group.signal(Signal::KILL);
        }
    }

    fn worker_event(&mut self, generation: u64, event: WorkerEvent) {
        match event {
            WorkerEvent::Message(FromWorker::Ready, _) => {
                if let Some(w) = self.worker.as_mut().filter(|w| w.generation == generation) {
                    w.ready = true;
                }
                self.pump();
            }
            WorkerEvent::Message(msg, payload) => {
                if let Some(r) = self.running.as_mut().filter(|r| r.generation == generation) {
                    if let FromWorker::Finished { ended, .. } = msg {
                        r.ended = Some(ended);
                    } else {
                        r.held.push((msg, payload));
                    }
                    self.try_finish();
                }
            }
            WorkerEvent::Pipe { stderr, piece } => match piece {
                Piece::Text(text) => {
                    let running = self.running.as_ref().filter(|r| r.generation == generation).map(|r| r.job.id);
                    if let Some(id) = running.or(self.last_id) {
                        (self.sink)(Report::Output { id, text, stderr });
                    } else if self.startup_log.len() < 4096 {
                        self.startup_log.push_str(&text);
                    }
                }
                Piece::Dropped(lines) => {
                    let running = self.running.as_ref().filter(|r| r.generation == generation).map(|r| r.job.id);
                    if let Some(id) = running.or(self.last_id) {
                        (self.sink)(Report::Dropped { id, lines });
                    }
                }
                Piece::Sync(n) => {
                    if let Some(r) = self.running.as_mut().filter(|r| r.generation == generation && r.sync == n) {
                        r.synced[usize::from(stderr)] = true;
                        self.try_finish();
                    }
                }
            },
            WorkerEvent::PipeClosed => {
                let all_closed = match self.worker.as_mut().filter(|w| w.generation == generation) {
                    Some(w) => {
                        w.open_pipes = w.open_pipes.saturating_sub(1);
                        w.open_pipes == 0
                    }
                    None => true,
                };
                if all_closed && self.running.as_ref().is_some_and(|r| r.crashed.is_some()) {
                    self.finish_crashed();
                }
            }
            WorkerEvent::Exited(why) => {
                if self.worker.as_ref().is_none_or(|w| w.generation != generation) {
                    return;
                }
                let (open, was_ready) = self.worker.take().map_or((0, false), |w| (w.open_pipes, w.ready));
                *self.group.lock().expect("lock") = None;
                if !was_ready {
                    // It never came up: starting it again would fail the same way.
                    let why = why.unwrap_or_else(|| "ended".into());
                    let log = std::mem::take(&mut self.startup_log);
                    for job in std::mem::take(&mut self.queue) {
                        let text = format!("the Python worker could not start: it {why}\n{log}");
                        (self.sink)(Report::Output { id: job.id, text, stderr: true });
                        (self.sink)(Report::Finished { id: job.id, outcome: Outcome::Failed, elapsed: Duration::ZERO });
                    }
                    return;
                }
                if let Some(r) = self.running.as_mut().filter(|r| r.generation == generation) {
                    r.crashed = Some(why.unwrap_or_else(|| "exited with status 0".into()));
                    let seq = r.seq;
                    if open == 0 {
                        self.finish_crashed();
                    } else {
                        self.after(LAST_WORDS, seq, Timer::LastWords);
                    }
                } else {
                    // Between snippets (a thread of a snippet crashed it, or `R`): start anew.
                    self.ensure_worker();
                    self.pump();
                }
            }
        }
    }

    /// The running job ends once the worker said so and its output is all read.
    fn try_finish(&mut self) {
        let Some(r) = &self.running else { return };
        let Some(ended) = r.ended else { return };
        if r.synced != [true, true] {
            return;
        }
        let r = self.running.take().expect("running");
        for (msg, payload) in r.held {
            self.report(msg, payload);
        }
        let outcome = match (r.stop, ended) {
            (Some(why), Ended::Interrupted) => why,
            (_, Ended::Ok) => Outcome::Success,
            (_, Ended::Failed) => Outcome::Failed,
            (_, Ended::Exit(code)) => Outcome::Exit(code),
            (None, Ended::Interrupted) => Outcome::Cancelled,
        };
        (self.sink)(Report::Finished { id: r.job.id, outcome, elapsed: r.started.elapsed() });
        self.pump();
    }

    /// The worker died under the running job: the job fails (or ends as it was being
    /// stopped), the slide says the namespace is fresh, and a new worker takes the queue.
    fn finish_crashed(&mut self) {
        let Some(r) = self.running.take() else { return };
        let text = match (&r.stop, &r.crashed) {
            (Some(_), _) => "Python did not stop, so it was restarted: the namespace is fresh\n".to_string(),
            (None, Some(why)) => format!("Python {why}: restarted, the namespace is fresh\n"),
            (None, None) => "Python ended: restarted, the namespace is fresh\n".to_string(),
        };
        (self.sink)(Report::Output { id: r.job.id, text, stderr: true });
        let outcome = r.stop.clone().unwrap_or(Outcome::Failed);
        (self.sink)(Report::Finished { id: r.job.id, outcome, elapsed: r.started.elapsed() });
        self.ensure_worker();
        self.pump();
    }

    fn report(&self, msg: FromWorker, payload: Vec<u8>) {
        match msg {
            FromWorker::Text { id, text, stderr } => (self.sink)(Report::Output { id, text, stderr }),
            FromWorker::Image { id, width, height, mode, .. } => {
                if let Some(image) = to_rgba(width, height, &mode, &payload) {
                    (self.sink)(Report::Image { id, image });
                } else {
                    let text = "(a picture deck could not read)\n".into();
                    (self.sink)(Report::Output { id, text, stderr: true });
                }
            }
            FromWorker::Ready | FromWorker::Finished { .. } => {}
        }
    }
}

/// A worker's stdout or stderr, as text split at its jobs' sync marks, batched and bounded
/// (a flood is cut to its tail, the rest counted) before it reaches the supervisor.
fn read_pipe(mut pipe: Box<dyn Read + Send>, stderr: bool, generation: u64, tx: &Sender<Event>) {
    let to_supervisor = tx.clone();
    let batcher = Batcher::new(move |items: Vec<Item<u64>>| {
        for item in items {
            let piece = match item {
                Item::Text(text) => Piece::Text(text),
                Item::Mark(n) => Piece::Sync(n),
                Item::Dropped(lines) => Piece::Dropped(lines),
            };
            let _ = to_supervisor.send(Event::Worker(generation, WorkerEvent::Pipe { stderr, piece }));
        }
    });
    let mut buf = [0u8; 8192];
    let mut pending = Vec::new();
    let mut splitter = SyncSplitter::default();
    while let Ok(n @ 1..) = pipe.read(&mut buf) {
        pending.extend_from_slice(&buf[..n]);
        let text = crate::exec::process::take_utf8(&mut pending);
        for piece in splitter.feed(&text) {
            match piece {
                Piece::Text(text) => batcher.text(text),
                Piece::Sync(n) => batcher.mark(n),
                Piece::Dropped(_) => {}
            }
        }
    }
    batcher.finish();
    let _ = tx.send(Event::Worker(generation, WorkerEvent::PipeClosed));
}

/// The worker's messages until its socket closes; then its end, reaped.
fn read_socket(socket: UnixStream, mut child: Child, group: &ProcessGroup, generation: u64, tx: &Sender<Event>) {
    let mut input = BufReader::new(socket);
    while let Ok(Some(msg)) = protocol::receive::<FromWorker>(&mut input) {
        let mut payload = Vec::new();
        if let FromWorker::Image { len, .. } = &msg {
            payload.resize(*len, 0);
            if std::io::Read::read_exact(&mut input, &mut payload).is_err() {
                break;
            }
        }
        if tx.send(Event::Worker(generation, WorkerEvent::Message(msg, payload))).is_err() {
            break;
        }
    }
    // The socket closed: the worker is ending. Kill what is left of its group, then reap.
    group.signal(Signal::KILL);
    let why = match group.finish(&mut child) {
        Ok(status) if status.success() => None,
        Ok(status) => Some(match (status.signal(), status.code()) {
            (Some(sig), _) => format!("crashed ({})", signal_name(sig)),
            (None, Some(code)) => format!("exited with status {code}"),
            (None, None) => "ended".to_string(),
        }),
        Err(e) => Some(format!("could not be waited for ({e})")),
    };
    let _ = tx.send(Event::Worker(generation, WorkerEvent::Exited(why)));
}

fn signal_name(sig: i32) -> String {
    let name = match sig {
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL: out of memory, or killed",
        11 => "SIGSEGV, a segmentation fault",
        15 => "SIGTERM",
        _ => return format!("signal {sig}"),
    };
    format!("signal {sig}, {name}")
}

/// Pixels in L, LA, RGB or RGBA → RGBA.
fn to_rgba(w: u32, h: u32, mode: &str, bytes: &[u8]) -> Option<image::RgbaImage> {
    let channels = match mode {
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
