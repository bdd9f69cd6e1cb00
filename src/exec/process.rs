//! Snippets as subprocesses (shells, `+exec:subprocess` Python, configured languages): run in
//! the deck's folder in their own process group, output streamed as it comes, the whole group
//! killed on cancel or timeout.

use std::collections::HashMap;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustix::process::Signal;
use serde::Deserialize;

use super::group::ProcessGroup;
use super::stream::{Batcher, Item};
use super::{Job, Outcome, Report, Sink, SnippetId, Watchdog};

/// How to run one language: the command (with `{file}` for the snippet's file) and the file's
/// extension. Set in `$XDG_CONFIG_HOME/deck/config.yaml` under `executors:`.
#[derive(Debug, Clone, Deserialize)]
pub struct LanguageCommand {
    pub command: Vec<String>,
    #[serde(default = "default_ext")]
    pub extension: String,
}

fn default_ext() -> String {
    "txt".into()
}

#[derive(Debug, Default, Deserialize)]
struct Config {
    #[serde(default)]
    executors: HashMap<String, LanguageCommand>,
}

fn builtin(language: &str, runner: Option<&str>) -> Option<LanguageCommand> {
    let ex = |cmd: &[&str], ext: &str| {
        Some(LanguageCommand {
            command: cmd.iter().map(std::string::ToString::to_string).collect(),
            extension: ext.into(),
        })
    };
    match (language, runner) {
        ("python" | "py" | "python3", Some("subprocess") | None) => ex(&["python3", "-u", "{file}"], "py"),
        ("python" | "py" | "python3", Some("uv")) => ex(&["uv", "run", "{file}"], "py"),
        ("bash", _) => ex(&["bash", "{file}"], "sh"),
        ("sh", _) => ex(&["sh", "{file}"], "sh"),
        ("zsh", _) => ex(&["zsh", "{file}"], "sh"),
        ("fish", _) => ex(&["fish", "{file}"], "fish"),
        ("ruby" | "rb", _) => ex(&["ruby", "{file}"], "rb"),
        ("perl", _) => ex(&["perl", "{file}"], "pl"),
        ("js" | "javascript" | "node", _) => ex(&["node", "{file}"], "js"),
        ("lua", _) => ex(&["lua", "{file}"], "lua"),
        ("php", _) => ex(&["php", "{file}"], "php"),
        ("r", _) => ex(&["Rscript", "{file}"], "R"),
        _ => None,
    }
}

/// The user's executors, read once: `$XDG_CONFIG_HOME/deck/config.yaml` (or ~/.config).
fn configured() -> &'static HashMap<String, LanguageCommand> {
    static CONFIG: std::sync::OnceLock<HashMap<String, LanguageCommand>> = std::sync::OnceLock::new();
    CONFIG.get_or_init(|| {
        use etcetera::BaseStrategy;
        let Ok(xdg) = etcetera::base_strategy::Xdg::new() else { return HashMap::new() };
        let path = xdg.config_dir().join("deck/config.yaml");
        std::fs::read_to_string(path)
            .ok()
            .and_then(|t| serde_saphyr::from_str::<Config>(&t).ok())
            .map(|c| c.executors)
            .unwrap_or_default()
    })
}

pub fn runner_for(language: &str, runner: Option<&str>) -> Option<LanguageCommand> {
    let key = runner.map_or_else(|| language.to_string(), |r| format!("{language}:{r}"));
    configured()
        .get(&key)
        .or_else(|| configured().get(language).filter(|_| runner.is_none()))
        .cloned()
        .or_else(|| builtin(language, runner))
}

struct Running {
    group: Arc<ProcessGroup>,
    reason: Arc<Mutex<Option<Outcome>>>,
    /// The snippet's temporary file.
    file: Option<PathBuf>,
}

#[derive(Clone)]
pub struct ProcessEngine {
    sink: Sink,
    running: Arc<Mutex<HashMap<SnippetId, Running>>>,
}

static SERIAL: AtomicU64 = AtomicU64::new(0);

impl ProcessEngine {
    pub fn new(sink: Sink) -> Self {
        Self { sink, running: Arc::default() }
    }

    fn fail(&self, id: SnippetId, message: String) {
        (self.sink)(Report::Started { id });
        (self.sink)(Report::Output { id, text: message, stderr: true });
        (self.sink)(Report::Finished { id, outcome: Outcome::Failed, elapsed: Duration::ZERO });
    }

    /// Run `args` in `dir` as the snippet `id` (already reported as started); `cleanup` is
    /// removed when it ends.
    pub fn spawn(
        &self,
        id: SnippetId,
        args: &[String],
        dir: &std::path::Path,
        timeout: Duration,
        cleanup: Option<PathBuf>,
    ) {
        let spawned = Command::new(&args[0])
            .args(&args[1..])
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn();
        let mut child = match spawned {
            Ok(c) => c,
            Err(e) => {
                if let Some(f) = &cleanup {
                    let _ = std::fs::remove_file(f);
                }
                (self.sink)(Report::Output { id, text: format!("cannot start `{}`: {e}\n", args[0]), stderr: true });
                (self.sink)(Report::Finished { id, outcome: Outcome::Failed, elapsed: Duration::ZERO });
                return;
            }
        };
        let start = Instant::now();
        let group = Arc::new(ProcessGroup::of(&child));
        let reason = Arc::new(Mutex::new(None));
        let file = cleanup.clone();
        self.running.lock().expect("lock").insert(id, Running { group: group.clone(), reason: reason.clone(), file });
        let readers: Vec<_> = [
            child.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>),
            child.stderr.take().map(|s| Box::new(s) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .enumerate()
        .filter_map(|(i, r)| r.map(|r| (i == 1, r)))
        .map(|(stderr, r)| {
            let sink = self.sink.clone();
            std::thread::spawn(move || stream(r, stderr, id, sink))
        })
        .collect();
        let (sink, running) = (self.sink.clone(), self.running.clone());
        std::thread::spawn(move || {
            let (timeout_reason, timeout_group) = (reason.clone(), group.clone());
            let watchdog =
                Watchdog::new(timeout, move || stop(&timeout_group, &timeout_reason, Outcome::TimedOut(timeout)));
            // The group may have children still holding the pipes: they end with the leader.
            let status = group.finish(&mut child);
            drop(watchdog);
            for r in readers {
                let _ = r.join();
            }
            running.lock().expect("lock").remove(&id);
            if let Some(f) = cleanup {
                let _ = std::fs::remove_file(f);
            }
            let stopped = reason.lock().expect("lock").take();
            let outcome = stopped.unwrap_or_else(|| match status.map(|s| s.code()) {
                Ok(Some(0)) => Outcome::Success,
                Ok(Some(code)) => Outcome::Exit(code),
                _ => Outcome::Failed,
            });
            sink(Report::Finished { id, outcome, elapsed: start.elapsed() });
        });
    }
}

impl ProcessEngine {
    pub fn start(&self, job: Job) {
        let id = job.id;
        let Some(exec) = runner_for(&job.language, job.runner.as_deref()) else {
            let what = job.runner.as_deref().map_or(job.language.clone(), |r| format!("{}:{r}", job.language));
            return self.fail(id, format!("no runner for `{what}` snippets; set one in ~/.config/deck/config.yaml:\nexecutors:\n  {what}:\n    command: [\"program\", \"{{file}}\"]\n    extension: ext\n"));
        };
        let n = SERIAL.fetch_add(1, Ordering::Relaxed);
        let file = std::env::temp_dir().join(format!("deck-{}-{n}.{}", std::process::id(), exec.extension));
        if let Err(e) = std::fs::write(&file, &job.source) {
            return self.fail(id, format!("cannot write the snippet to {}: {e}\n", file.display()));
        }
        let args: Vec<String> = exec.command.iter().map(|a| a.replace("{file}", &file.to_string_lossy())).collect();
        (self.sink)(Report::Started { id });
        self.spawn(id, &args, &job.dir, job.timeout, Some(file));
    }

    /// deck is ending: every snippet process goes, with its files.
    pub fn shutdown(&self) {
        for (_, r) in self.running.lock().expect("lock").drain() {
            r.group.signal(Signal::KILL);
            if let Some(f) = r.file {
                let _ = std::fs::remove_file(f);
            }
        }
    }

    pub fn cancel(&self, id: SnippetId) {
        if let Some(r) = self.running.lock().expect("lock").get(&id) {
            stop(&r.group, &r.reason, Outcome::Cancelled);
        }
    }
}

/// Ask the group to stop, then make sure it does.
fn stop(group: &Arc<ProcessGroup>, reason: &Mutex<Option<Outcome>>, why: Outcome) {
    reason.lock().expect("lock").get_or_insert(why);
    group.signal(Signal::TERM);
    let group = group.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        group.signal(Signal::KILL);
    });
}

/// The text at the front of `pending`, up to a UTF-8 character cut by the end of a read
/// (kept for the next read); invalid bytes become U+FFFD.
pub(crate) fn take_utf8(pending: &mut Vec<u8>) -> String {
    let valid = match std::str::from_utf8(pending) {
        Ok(_) => pending.len(),
        Err(e) if e.error_len().is_none() => e.valid_up_to(),
        Err(_) => pending.len(),
    };
    let text = String::from_utf8_lossy(&pending[..valid]).into_owned();
    pending.drain(..valid);
    text
}

/// Forward a pipe as text, never splitting a UTF-8 character across reports, batched and
/// bounded (a flood is cut to its tail, the rest counted).
fn stream(mut r: Box<dyn Read + Send>, stderr: bool, id: SnippetId, sink: Sink) {
    let batcher = Batcher::new(move |items: Vec<Item<()>>| {
        for item in items {
            match item {
                Item::Text(text) => sink(Report::Output { id, text, stderr }),
                Item::Dropped(lines) => sink(Report::Dropped { id, lines }),
                Item::Mark(()) => {}
            }
        }
    });
    let mut buf = [0u8; 8192];
    let mut pending: Vec<u8> = Vec::new();
    while let Ok(n @ 1..) = r.read(&mut buf) {
        pending.extend_from_slice(&buf[..n]);
        batcher.text(take_utf8(&mut pending));
    }
    batcher.text(String::from_utf8_lossy(&pending).into_owned());
    batcher.finish();
}
