//! Presenter ↔ notes: a Unix socket named after the deck, in the user's runtime directory.
//! The presenter listens; `deck --notes` connects and reconnects when the presenter restarts.
//! Lines of text carry positions both ways (`goto SLIDE STEP`) and the presenter's snippet
//! status (`status TEXT`). Writes never block the presenter: a client that cannot keep up is
//! dropped.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::run::Event;

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Goto {
        slide: usize,
        step: usize,
    },
    Status(String),
    /// From the notes screen: run the current slide's snippet (its reader said yes to running
    /// code), or stop the running one.
    Run,
    Cancel,
    /// From a presenter that has just started: where is the talk? (The notes screen knows.)
    Where,
    /// The notes screen's answer to `Where`.
    Here {
        slide: usize,
        step: usize,
    },
    /// A snippet's text changed on stage (edited, or reverted): the notes screen shows it too.
    Edit {
        id: u64,
        body: String,
    },
}

impl Message {
    fn encode(&self) -> String {
        match self {
            Message::Goto { slide, step } => format!("goto {slide} {step}\n"),
            Message::Status(text) => format!("status {}\n", text.replace('\n', " ")),
            Message::Run => "run\n".to_string(),
            Message::Cancel => "cancel\n".to_string(),
            Message::Where => "where\n".to_string(),
            Message::Here { slide, step } => format!("here {slide} {step}\n"),
            // JSON keeps the snippet's newlines inside one line.
            Message::Edit { id, body } => format!("edit {id} {}\n", serde_json::to_string(body).unwrap_or_default()),
        }
    }

    fn decode(line: &str) -> Option<Message> {
        let line = line.trim_end();
        let (verb, rest) = line.split_once(' ').unwrap_or((line, ""));
        match verb {
            "run" => Some(Message::Run),
            "cancel" => Some(Message::Cancel),
            "where" => Some(Message::Where),
            "edit" => {
                let (id, body) = rest.split_once(' ')?;
                Some(Message::Edit { id: id.parse().ok()?, body: serde_json::from_str(body).ok()? })
            }
            "here" => {
                let (a, b) = rest.split_once(' ')?;
                Some(Message::Here { slide: a.parse().ok()?, step: b.parse().ok()? })
            }
            "goto" => {
                let (a, b) = rest.split_once(' ')?;
                Some(Message::Goto { slide: a.parse().ok()?, step: b.parse().ok()? })
            }
            "status" => Some(Message::Status(rest.to_string())),
            _ => None,
        }
    }
}

/// The socket of a deck: one per deck file, so several talks on a machine do not cross.
pub fn socket_path(deck: &Path) -> std::io::Result<PathBuf> {
    let canonical = deck.canonicalize().unwrap_or_else(|_| deck.to_path_buf());
    let hash = blake3::hash(canonical.as_os_str().as_encoded_bytes());
    let stem = deck.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let name: String = stem.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').take(40).collect();
    Ok(runtime_dir()?.join(format!("{name}-{}.sock", &hash.to_hex()[..12])))
}

/// `$XDG_RUNTIME_DIR/deck`, else `$TMPDIR/deck-UID`: a folder only we can use. One that
/// another user made (or anyone may write to) is refused, or that user could stand in for
/// the presenter.
fn runtime_dir() -> std::io::Result<PathBuf> {
    use etcetera::BaseStrategy;
    let uid = rustix::process::getuid().as_raw();
    let dir = match etcetera::base_strategy::Xdg::new().ok().and_then(|x| x.runtime_dir()) {
        Some(base) => base.join("deck"),
        None => std::env::temp_dir().join(format!("deck-{uid}")),
    };
    private_dir(dir)
}

/// `dir`, made if missing, when it is a folder of ours that only we can use.
fn private_dir(dir: PathBuf) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    let uid = rustix::process::getuid().as_raw();
    match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => return Err(e),
        _ => {}
    }
    let meta = std::fs::symlink_metadata(&dir)?;
    let refuse = |why: &str| Err(std::io::Error::other(format!("{} {why}", dir.display())));
    if !meta.is_dir() {
        return refuse("is not a folder");
    }
    if meta.uid() != uid {
        return refuse("belongs to another user");
    }
    if meta.permissions().mode() & 0o077 != 0 {
        // Ours, but open to others: close it.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(dir)
}

/// The other side(s), each by a number so that its reader can remove it when it leaves.
type Peers = Arc<Mutex<Vec<(u64, UnixStream)>>>;

/// No message is longer (an edited snippet's text is the longest): a peer sending more
/// without a newline is dropped.
const MAX_LINE: u64 = 256 * 1024;

/// Messages from the other side arrive as events; `send` goes to the other side(s).
#[derive(Clone)]
pub struct Link {
    peers: Peers,
    /// The socket file a presenter listens on, removed when it closes.
    socket: Option<PathBuf>,
}

impl Link {
    /// Hang up on every peer (they see the end of the stream) and give the socket back.
    pub fn close(&self) {
        if let Ok(mut peers) = self.peers.lock() {
            for (_, p) in peers.drain(..) {
                let _ = p.shutdown(std::net::Shutdown::Both);
            }
        }
        if let Some(path) = &self.socket {
            let _ = std::fs::remove_file(path);
        }
    }

    pub fn send(&self, msg: &Message) {
        let line = msg.encode();
        if let Ok(mut peers) = self.peers.lock() {
            peers.retain_mut(|(_, p)| p.write_all(line.as_bytes()).is_ok());
        }
    }
}

/// Feed a peer's lines into the event loop until it leaves (or sends a line longer than any
/// message); then forget it at once, so a closed connection holds no descriptor.
fn read_peer(stream: UnixStream, tx: Sender<Event>, peers: Peers, id: u64) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(&stream);
        let mut line = Vec::new();
        loop {
            line.clear();
            let read = std::io::Read::take(&mut reader, MAX_LINE).read_until(b'\n', &mut line);
            if !matches!(read, Ok(1..)) || line.last() != Some(&b'\n') {
                break;
            }
            if let Some(msg) = Message::decode(&String::from_utf8_lossy(&line))
                && tx.send(Event::Remote(msg)).is_err()
            {
                break;
            }
        }
        let _ = stream.shutdown(std::net::Shutdown::Both);
        if let Ok(mut p) = peers.lock() {
            p.retain(|(peer, _)| *peer != id);
        }
    })
}

/// Never wait on a peer: a write that would block drops it.
fn prepare(stream: &UnixStream) {
    let _ = stream.set_write_timeout(Some(Duration::from_millis(20)));
}

/// The presenter's side: accept notes instances; each gets `hello` (the current position)
/// as soon as it connects.
pub fn listen(
    path: &Path,
    tx: Sender<Event>,
    hello: impl Fn() -> Vec<Message> + Send + 'static,
) -> std::io::Result<Link> {
    // A socket left by a presenter that died: nobody answers, so take its place.
    if path.exists() && UnixStream::connect(path).is_err() {
        let _ = std::fs::remove_file(path);
    }
    let listener = UnixListener::bind(path)?;
    let link = Link { peers: Arc::default(), socket: Some(path.to_path_buf()) };
    let peers = link.peers.clone();
    std::thread::spawn(move || {
        for (id, stream) in listener.incoming().enumerate() {
            // An error (out of descriptors, say) ends one connection, never the listening.
            let Ok(stream) = stream else {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            };
            prepare(&stream);
            let Ok(mut writer) = stream.try_clone() else { continue };
            let greeting: String = hello().iter().map(Message::encode).collect();
            if writer.write_all(greeting.as_bytes()).is_err() {
                continue;
            }
            let id = id as u64;
            if let Ok(mut p) = peers.lock() {
                p.push((id, writer));
            }
            read_peer(stream, tx.clone(), peers.clone(), id);
        }
    });
    Ok(link)
}

/// The notes side: connect, and connect again whenever the presenter goes away.
pub fn follow(path: PathBuf, tx: Sender<Event>) -> Link {
    let link = Link { peers: Arc::default(), socket: None };
    let peers = link.peers.clone();
    std::thread::spawn(move || {
        loop {
            if let Ok(stream) = UnixStream::connect(&path) {
                prepare(&stream);
                if let Ok(writer) = stream.try_clone() {
                    if let Ok(mut p) = peers.lock() {
                        *p = vec![(0, writer)];
                    }
                    if tx.send(Event::Remote(Message::Status("connected".into()))).is_err() {
                        return;
                    }
                    let _ = read_peer(stream, tx.clone(), peers.clone(), 0).join();
                    if let Ok(mut p) = peers.lock() {
                        p.clear();
                    }
                    if tx.send(Event::Remote(Message::Status("waiting for the presenter…".into()))).is_err() {
                        return;
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    link
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip() {
        for m in [
            Message::Goto { slide: 3, step: 1 },
            Message::Status("✓ 12 ms".into()),
            Message::Run,
            Message::Cancel,
            Message::Where,
            Message::Here { slide: 2, step: 0 },
            Message::Edit { id: 7, body: "print(1)\nprint(\"two\")\n".into() },
        ] {
            assert_eq!(Message::decode(&m.encode()), Some(m));
        }
        assert_eq!(Message::decode("bogus 1"), None);
    }

    #[test]
    fn sockets_differ_per_deck() {
        let path = |p: &str| socket_path(Path::new(p)).unwrap();
        assert!(path("/a/talk.md").to_string_lossy().ends_with(".sock"));
        assert_ne!(path("/a/talk.md"), path("/b/talk.md"));
        assert_eq!(path("/a/talk.md"), path("/a/talk.md"));
    }

    #[test]
    fn the_socket_folder_is_ours_alone() {
        use std::os::unix::fs::PermissionsExt;
        let base = tempfile::tempdir().unwrap();
        // Ours but open to everyone: closed, then used.
        let open = base.path().join("open");
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert_eq!(private_dir(open.clone()).unwrap(), open);
        assert_eq!(std::fs::metadata(&open).unwrap().permissions().mode() & 0o777, 0o700);
        // A link is not a folder of ours, wherever it points.
        let link = base.path().join("link");
        std::os::unix::fs::symlink(&open, &link).unwrap();
        assert!(private_dir(link).unwrap_err().to_string().contains("is not a folder"));
        // Another user's folder (only root can make one here).
        if rustix::process::getuid().is_root() {
            let theirs = base.path().join("theirs");
            std::fs::create_dir(&theirs).unwrap();
            std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).unwrap();
            assert!(private_dir(theirs).unwrap_err().to_string().contains("belongs to another user"));
        }
    }

    fn open_fds() -> usize {
        std::fs::read_dir("/proc/self/fd").unwrap().count()
    }

    /// A thousand clients that connect and leave cost nothing after, one that sends a line
    /// longer than any message is dropped, and the presenter keeps listening.
    #[test]
    fn clients_that_leave_or_misbehave_are_dropped_at_once() {
        use std::io::Read;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("talk.sock");
        let (tx, rx) = std::sync::mpsc::channel();
        let link = listen(&path, tx, Vec::new).unwrap();
        let peers = || link.peers.lock().unwrap().len();
        let settle = |what: &str, done: &dyn Fn() -> bool| {
            let start = std::time::Instant::now();
            while !done() {
                assert!(start.elapsed() < Duration::from_secs(60), "waited for {what}");
                std::thread::sleep(Duration::from_millis(5));
            }
        };
        // Warm up once (threads, buffers), then count descriptors around a thousand cycles.
        drop(UnixStream::connect(&path).unwrap());
        settle("the first client to be forgotten", &|| peers() == 0);
        let before = open_fds();
        for _ in 0..1000 {
            drop(UnixStream::connect(&path).unwrap());
        }
        settle("every client to be forgotten", &|| peers() == 0);
        // (Other tests run beside this one in the process: allow a little noise, not 1000.)
        assert!(open_fds() <= before + 50, "descriptors leak: {before} -> {}", open_fds());
        // A line without end: dropped, the connection closed from our side.
        let mut flood = UnixStream::connect(&path).unwrap();
        let _ = flood.write_all(&vec![b'x'; 64 * 1024]);
        let mut buf = [0u8; 16];
        flood.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        assert_eq!(flood.read(&mut buf).unwrap_or(0), 0, "the presenter hung up");
        // Still listening: a well-behaved client's message arrives.
        let mut ok = UnixStream::connect(&path).unwrap();
        ok.write_all(b"goto 2 1\n").unwrap();
        let got = rx.recv_timeout(Duration::from_secs(60)).unwrap();
        assert!(matches!(got, Event::Remote(Message::Goto { slide: 2, step: 1 })), "{got:?}");
        link.close();
    }
}
