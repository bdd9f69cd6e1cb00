//! Rust snippets: compiled ahead of time into a cache keyed by content, compiler and flags, so
//! the run key only runs a binary. Plain snippets go through rustc; `+exec:pyo3` snippets are
//! built by cargo (offline, one shared target dir) as a Python extension module and imported
//! into the embedded interpreter.

use std::collections::HashMap;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use super::process::ProcessEngine;
use super::python::LazyPython;
use super::{Job, Outcome, Report, Sink, SnippetId};

/// The PyO3 version deck embeds; snippets build against the same one.
const PYO3_REQ: &str = "0.30";
/// Past this the oldest cache entries go.
const CACHE_LIMIT_BYTES: u64 = 2 << 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Plain,
    PyO3,
}

/// What a build produced.
#[derive(Debug, Clone)]
enum Artifact {
    Binary(PathBuf),
    Module { name: String, path: PathBuf },
}

#[derive(Debug, Clone)]
enum Build {
    Queued,
    Building,
    Ready(Artifact),
    Failed(String),
}

struct Spec {
    key: u64,
    kind: Kind,
    /// The source as compiled: padded so that its line numbers are the deck's.
    source: String,
    /// The deck's file name, which the compiler's messages show.
    file_name: String,
    module: Option<String>,
}

#[derive(Default)]
struct Shared {
    builds: HashMap<u64, Build>,
    /// Jobs waiting for their build.
    waiting: HashMap<u64, Vec<Job>>,
    /// Process group of the compiler at work, for cancel.
    compiler: Option<(u64, Arc<super::group::ProcessGroup>)>,
}

/// Where builds go and what builds them.
struct Tools {
    cache: PathBuf,
    rustc: PathBuf,
    cargo: PathBuf,
    /// `rustc -vV`, part of every cache key: asked once, off the UI thread.
    version: OnceLock<String>,
}

impl Tools {
    fn compiler_version(&self) -> &str {
        self.version.get_or_init(|| {
            Command::new(&self.rustc)
                .arg("-vV")
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                .unwrap_or_default()
        })
    }

    fn entry_dir(&self, spec: &Spec) -> PathBuf {
        let kind = match spec.kind {
            Kind::Plain => "rust",
            Kind::PyO3 => "pyo3",
        };
        self.cache.join(kind).join(format!("{:016x}", spec.key))
    }
}

#[derive(Clone)]
pub struct RustEngine {
    sink: Sink,
    shared: Arc<Mutex<Shared>>,
    work: Sender<Spec>,
    process: ProcessEngine,
    python: Arc<LazyPython>,
    tools: Arc<Tools>,
}

impl RustEngine {
    pub fn new(sink: Sink, process: ProcessEngine, python: Arc<LazyPython>, settings: &super::Settings) -> Self {
        let (work, rx) = mpsc::channel::<Spec>();
        let tools = Arc::new(Tools {
            cache: settings.cache_dir.clone(),
            rustc: settings.rustc.clone(),
            cargo: settings.cargo.clone(),
            version: OnceLock::new(),
        });
        let engine = Self { sink, shared: Arc::default(), work, process, python, tools };
        let builder = engine.clone();
        std::thread::Builder::new()
            .name("rust-builder".into())
            .spawn(move || {
                for spec in rx {
                    builder.build(spec);
                }
            })
            .expect("spawn the builder thread");
        engine
    }

    /// Queue a snippet's build in the background (warm-up); no-op when cached or queued.
    pub fn prepare(&self, job: &Job) {
        let spec = spec(job, self.tools.compiler_version());
        let mut shared = self.shared.lock().expect("lock");
        if shared.builds.contains_key(&spec.key) {
            return;
        }
        if let Some(artifact) = cached(&self.tools.entry_dir(&spec), &spec) {
            shared.builds.insert(spec.key, Build::Ready(artifact));
            return;
        }
        shared.builds.insert(spec.key, Build::Queued);
        let _ = self.work.send(spec);
    }

    pub fn start(&self, job: Job) {
        (self.sink)(Report::Started { id: job.id });
        self.prepare(&job);
        let key = spec(&job, self.tools.compiler_version()).key;
        let mut shared = self.shared.lock().expect("lock");
        match shared.builds.get(&key).cloned() {
            Some(Build::Ready(artifact)) => {
                drop(shared);
                self.launch(job, &artifact);
            }
            Some(Build::Failed(errors)) => {
                // Failed builds are not kept: the next run tries again.
                shared.builds.remove(&key);
                drop(shared);
                self.fail(job.id, errors);
            }
            _ => {
                (self.sink)(Report::Progress { id: job.id, text: "compiling…".into() });
                shared.waiting.entry(key).or_default().push(job);
            }
        }
    }

    pub fn cancel(&self, id: SnippetId) {
        let mut shared = self.shared.lock().expect("lock");
        let mut waited_on = None;
        for (key, jobs) in &mut shared.waiting {
            if let Some(i) = jobs.iter().position(|j| j.id == id) {
                jobs.remove(i);
                waited_on = Some(*key);
            }
        }
        if let Some(key) = waited_on {
            if let Some((k, group)) = &shared.compiler
                && *k == key
                && shared.waiting.get(&key).is_none_or(Vec::is_empty)
            {
                group.signal(rustix::process::Signal::KILL);
            }
            drop(shared);
            (self.sink)(Report::Finished { id, outcome: Outcome::Cancelled, elapsed: Duration::ZERO });
        } else {
            drop(shared);
            let process = self.process.clone();
            process.cancel(id);
        }
    }

    /// deck is ending: stop the compiler at work, if any.
    pub fn shutdown(&self) {
        if let Some((_, group)) = self.shared.lock().expect("lock").compiler.take() {
            group.signal(rustix::process::Signal::KILL);
        }
    }

    fn fail(&self, id: SnippetId, errors: String) {
        (self.sink)(Report::Output { id, text: errors, stderr: true });
        (self.sink)(Report::Finished { id, outcome: Outcome::Failed, elapsed: Duration::ZERO });
    }

    fn launch(&self, job: Job, artifact: &Artifact) {
        // Built: the snippet itself runs now.
        (self.sink)(Report::Progress { id: job.id, text: String::new() });
        match artifact {
            Artifact::Binary(path) => {
                self.process.spawn(job.id, &[path.to_string_lossy().into_owned()], &job.dir, job.timeout, None);
            }
            Artifact::Module { name, path } => {
                let mut source = import_source(name, path);
                if let Some(checks) = &job.checks {
                    source.push_str(&check_runner(checks));
                }
                let import = Job { source, language: "python".into(), runner: None, first_line: 1, ..job };
                self.python.get().run_started(import);
            }
        }
    }

    /// The builder thread: one build at a time, at low priority.
    fn build(&self, spec: Spec) {
        {
            let mut shared = self.shared.lock().expect("lock");
            if !matches!(shared.builds.get(&spec.key), Some(Build::Queued)) {
                return;
            }
            shared.builds.insert(spec.key, Build::Building);
        }
        let result = match spec.kind {
            Kind::Plain => self.compile_plain(&spec),
            Kind::PyO3 => self.compile_pyo3(&spec),
        };
        let state = match result {
            Ok(a) => Build::Ready(a),
            Err(e) => Build::Failed(e),
        };
        let jobs = {
            let mut shared = self.shared.lock().expect("lock");
            shared.compiler = None;
            shared.builds.insert(spec.key, state.clone());
            shared.waiting.remove(&spec.key).unwrap_or_default()
        };
        for job in jobs {
            match &state {
                Build::Ready(a) => self.launch(job, a),
                Build::Failed(e) => {
                    self.shared.lock().expect("lock").builds.remove(&spec.key);
                    self.fail(job.id, e.clone());
                }
                _ => {}
            }
        }
        evict_old_entries(&self.tools.cache);
    }

    fn compile_plain(&self, spec: &Spec) -> Result<Artifact, String> {
        let dir = self.tools.entry_dir(spec);
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create the build cache {}: {e}", dir.display()))?;
        std::fs::write(dir.join(&spec.file_name), &spec.source).map_err(|e| e.to_string())?;
        let tmp = dir.join("snippet.partial");
        let mut cmd = Command::new(&self.tools.rustc);
        cmd.args(["--edition", "2021", "--crate-name", "snippet", "--crate-type", "bin", "--color", "never", "-o"])
            .arg(&tmp)
            .arg(&spec.file_name)
            .current_dir(&dir);
        self.run_compiler(spec.key, cmd)?;
        let bin = dir.join("snippet");
        std::fs::rename(&tmp, &bin).map_err(|e| e.to_string())?;
        Ok(Artifact::Binary(bin))
    }

    fn compile_pyo3(&self, spec: &Spec) -> Result<Artifact, String> {
        let name = spec.module.clone().ok_or("a `+exec:pyo3` snippet needs a `#[pymodule]` (fn or mod) to import")?;
        let dir = self.tools.entry_dir(spec);
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create the build cache {}: {e}", dir.display()))?;
        let manifest = format!(
            "[package]\nname = \"deck-snippet-{:016x}\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[lib]\nname = \"{name}\"\ncrate-type = [\"cdylib\"]\npath = \"{}\"\n\n[dependencies]\npyo3 = {{ version = \"{PYO3_REQ}\", features = [\"extension-module\"] }}\n\n[workspace]\n",
            spec.key, spec.file_name
        );
        std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
        std::fs::write(dir.join(&spec.file_name), &spec.source).map_err(|e| e.to_string())?;
        let target = self.tools.cache.join("pyo3-target");
        // One build and copy at a time in the shared target dir, across deck processes too: a
        // build of another snippet with the same module name would otherwise replace
        // `lib{name}.so` between this build and its copy.
        std::fs::create_dir_all(&target).map_err(|e| e.to_string())?;
        let lock = std::fs::File::create(target.join(".deck-build-lock")).map_err(|e| e.to_string())?;
        rustix::fs::flock(&lock, rustix::fs::FlockOperation::LockExclusive).map_err(|e| e.to_string())?;
        let mut cmd = Command::new(&self.tools.cargo);
        cmd.args(["build", "--offline", "--lib", "--color", "never", "--message-format", "human"])
            .env("CARGO_TARGET_DIR", &target)
            .env("PYO3_PYTHON", option_env!("DECK_PYTHON").unwrap_or("python3"))
            .current_dir(&dir);
        self.run_compiler(spec.key, cmd)?;
        let built = target.join("debug").join(format!("lib{name}.so"));
        // A new file per build: the interpreter cannot unload an extension, but it can load a
        // new one under the same name.
        let path = dir.join(format!("{name}.so"));
        // Copied beside, then renamed into place: a process that has the old file loaded keeps
        // it (overwriting a loaded library in place crashes that process with SIGBUS).
        let partial = dir.join(format!(".{name}.so.partial-{}", std::process::id()));
        std::fs::copy(&built, &partial).map_err(|e| format!("cannot copy {}: {e}", built.display()))?;
        std::fs::rename(&partial, &path).map_err(|e| format!("cannot place {}: {e}", path.display()))?;
        drop(lock);
        Ok(Artifact::Module { name, path })
    }

    /// Run a compiler in its own process group at low priority; its stderr is the error text,
    /// and each line is shown as progress to whoever waits.
    fn run_compiler(&self, key: u64, mut cmd: Command) -> Result<(), String> {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start the compiler: {e}"))?;
        super::group::lower_priority(&child);
        let group = Arc::new(super::group::ProcessGroup::of(&child));
        self.shared.lock().expect("lock").compiler = Some((key, group.clone()));
        let mut errors = String::new();
        if let Some(stderr) = child.stderr.take() {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
                let progress = line.trim_start();
                if progress.starts_with("Compiling") || progress.starts_with("Building") {
                    let ids: Vec<SnippetId> = self
                        .shared
                        .lock()
                        .expect("lock")
                        .waiting
                        .get(&key)
                        .map(|j| j.iter().map(|j| j.id).collect())
                        .unwrap_or_default();
                    for id in ids {
                        (self.sink)(Report::Progress { id, text: progress.to_string() });
                    }
                }
                errors.push_str(&line);
                errors.push('\n');
            }
        }
        let status = group.finish(&mut child).map_err(|e| e.to_string())?;
        if status.success() { Ok(()) } else { Err(compile_errors(&errors)) }
    }
}

/// The compiler's messages without cargo's progress lines.
fn compile_errors(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|l| {
            let t = l.trim_start();
            !(t.starts_with("Compiling")
                || t.starts_with("Blocking")
                || t.starts_with("Locking")
                || t.starts_with("Adding"))
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

fn import_source(name: &str, path: &Path) -> String {
    format!(
        "import importlib.util as _u, sys as _s\n_spec = _u.spec_from_file_location({name:?}, {path:?})\n{name} = _u.module_from_spec(_spec)\n_spec.loader.exec_module({name})\n_s.modules[{name:?}] = {name}\nprint('imported {name}:', ', '.join(n for n in dir({name}) if not n.startswith('_')))\ndel _u, _s, _spec\n",
        path = path.to_string_lossy()
    )
}

/// Python that runs an exercise's checks in the deck's namespace (the module just imported):
/// each `def test_*()` in order, ✓ or ✗ with what it raised (anything, `todo!()`'s
/// PanicException included), then `N/M checks passed`; it exits with 1 when one failed.
fn check_runner(checks: &str) -> String {
    format!(
        r#"
def _deck_run_checks(source):
    import ast
    ns = dict(globals())
    exec(compile(source, "checks", "exec"), ns)
    names = [n.name for n in ast.parse(source).body
             if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name.startswith("test_")]
    passed = 0
    # A Rust panic (todo!()) prints its own message straight to the process's stderr; the
    # check's line says it already.
    import os, sys
    sys.stderr.flush()
    quiet, saved = os.open(os.devnull, os.O_WRONLY), os.dup(2)
    os.dup2(quiet, 2)
    try:
        for name in names:
            try:
                ns[name]()
            except BaseException as e:
                said = str(e).strip().splitlines()[0] if str(e).strip() else ""
                print("✗ " + name + ": " + type(e).__name__ + (": " + said if said else ""))
            else:
                passed += 1
                print("✓ " + name)
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(quiet)
    print(str(passed) + "/" + str(len(names)) + " checks passed")
    return passed == len(names) and len(names) > 0
if not _deck_run_checks({checks}):
    del _deck_run_checks
    raise SystemExit(1)
del _deck_run_checks
"#,
        // A JSON string is a Python string literal.
        checks = serde_json::to_string(checks).unwrap_or_default()
    )
}

/// The source as compiled, the cache key and the module name of a job (`version`: the
/// compiler's, part of the key).
fn spec(job: &Job, version: &str) -> Spec {
    let kind = if job.runner.as_deref() == Some("pyo3") { Kind::PyO3 } else { Kind::Plain };
    let file_name = job.file.file_name().map_or_else(|| "snippet.rs".into(), |f| f.to_string_lossy().into_owned());
    let needs_main = kind == Kind::Plain && !job.source.contains("fn main");
    // Pad with blank lines so the compiler's line numbers are the deck's.
    let pad = job.first_line.saturating_sub(1 + usize::from(needs_main));
    let mut source = "\n".repeat(pad);
    if needs_main {
        source.push_str("fn main() {\n");
        source.push_str(&job.source);
        source.push_str("}\n");
    } else {
        source.push_str(&job.source);
    }
    let module = (kind == Kind::PyO3).then(|| pymodule_name(&job.source)).flatten();
    // blake3, not std's hasher: the key names folders on disk, so it must not change with
    // the Rust release deck was built with. Each part is length-prefixed so none can run into
    // the next.
    let kind_tag = match kind {
        Kind::Plain => "plain",
        Kind::PyO3 => "pyo3",
    };
    let mut h = blake3::Hasher::new();
    for part in [source.as_str(), &file_name, kind_tag, version, PYO3_REQ] {
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    let key = u64::from_le_bytes(h.finalize().as_bytes()[..8].try_into().expect("8 bytes"));
    Spec { key, kind, source, file_name, module }
}

/// The name of the `#[pymodule]` item (`fn name` or `mod name`), or its `#[pyo3(name = ..)]`.
pub fn pymodule_name(source: &str) -> Option<String> {
    let at = source.find("#[pymodule")?;
    let rest = &source[at..];
    if let Some(n) = rest.find("name = \"").filter(|n| rest[..*n].lines().count() <= 2) {
        let name = &rest[n + 8..];
        return name.split('"').next().map(str::to_string);
    }
    let item = rest.split_once(']').map(|(_, r)| r)?;
    let mut words = item.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty());
    while let Some(w) = words.next() {
        if w == "fn" || w == "mod" {
            return words.next().map(str::to_string);
        }
    }
    None
}

fn cached(dir: &Path, spec: &Spec) -> Option<Artifact> {
    let artifact = match spec.kind {
        Kind::Plain => Artifact::Binary(dir.join("snippet")),
        Kind::PyO3 => {
            let name = spec.module.clone()?;
            Artifact::Module { path: dir.join(format!("{name}.so")), name }
        }
    };
    let path = match &artifact {
        Artifact::Binary(p) | Artifact::Module { path: p, .. } => p,
    };
    if !path.is_file() {
        return None;
    }
    // Touch the entry, so eviction keeps what is in use.
    let _ = std::fs::File::open(dir).and_then(|f| f.set_modified(SystemTime::now()));
    Some(artifact)
}

/// The cache folder: `deck_cache_dir`, else the XDG cache folder's `deck` (a relative
/// `$XDG_CACHE_HOME` is ignored, as the spec says), else a temporary folder; always absolute
/// (the compilers run in other folders).
pub fn cache_root(deck_cache_dir: Option<PathBuf>) -> PathBuf {
    use etcetera::BaseStrategy;
    let root = deck_cache_dir
        .or_else(|| etcetera::base_strategy::Xdg::new().ok().map(|xdg| xdg.cache_dir().join("deck")))
        .unwrap_or_else(|| std::env::temp_dir().join("deck-cache"));
    std::path::absolute(&root).unwrap_or(root)
}

/// Keep the cache under its limit: oldest entries (by last use) go first.
fn evict_old_entries(cache: &Path) {
    let mut entries: Vec<(SystemTime, u64, PathBuf)> = ["rust", "pyo3"]
        .iter()
        .filter_map(|k| std::fs::read_dir(cache.join(k)).ok())
        .flatten()
        .flatten()
        .filter_map(|e| {
            let modified = e.metadata().ok()?.modified().ok()?;
            Some((modified, dir_size(&e.path()), e.path()))
        })
        .collect();
    let mut total: u64 = entries.iter().map(|e| e.1).sum();
    entries.sort();
    for (_, size, path) in entries {
        if total <= CACHE_LIMIT_BYTES {
            break;
        }
        if std::fs::remove_dir_all(&path).is_ok() {
            total -= size;
        }
    }
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir).map_or(0, |rd| rd.flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_of(job: &Job) -> Spec {
        spec(job, "rustc 1.0.0")
    }

    fn job(source: &str, runner: Option<&str>, first_line: usize) -> Job {
        Job {
            id: SnippetId(0),
            language: "rust".into(),
            runner: runner.map(str::to_string),
            source: source.into(),
            file: "talk.md".into(),
            first_line,
            dir: ".".into(),
            checks: None,
            timeout: Duration::from_secs(5),
        }
    }

    #[test]
    fn wraps_main_and_keeps_deck_line_numbers() {
        let s = spec_of(&job("println!(\"hi\");\n", None, 10));
        assert_eq!(s.source.lines().position(|l| l == "println!(\"hi\");"), Some(9), "line 10 of the file");
        assert!(s.source.contains("fn main() {"));
        let s = spec_of(&job("fn main() {}\n", None, 3));
        assert_eq!(s.source, "\n\nfn main() {}\n");
    }

    #[test]
    fn finds_the_module_name() {
        assert_eq!(
            pymodule_name("use pyo3::prelude::*;\n#[pymodule]\nfn fastmath(m: &Bound<PyModule>) {}"),
            Some("fastmath".into())
        );
        assert_eq!(pymodule_name("#[pymodule]\nmod doubler {\n}"), Some("doubler".into()));
        assert_eq!(pymodule_name("#[pymodule]\n#[pyo3(name = \"nice\")]\nfn x() {}"), Some("nice".into()));
        assert_eq!(pymodule_name("fn main() {}"), None);
    }

    #[test]
    fn key_depends_on_content() {
        assert_eq!(spec_of(&job("a\n", None, 1)).key, spec_of(&job("a\n", None, 1)).key);
        assert_ne!(spec_of(&job("a\n", None, 1)).key, spec_of(&job("b\n", None, 1)).key);
    }
}
