//! Drive the real binary in a detached tmux session: send keys, read the screen.

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    pub name: String,
}

/// tmux is needed for end-to-end tests: missing, skip (None), except under CI.
pub fn available() -> bool {
    let ok = Command::new("tmux").arg("-V").output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "tmux is missing under CI");
        eprintln!("skipping: tmux is not installed");
    }
    ok
}

impl Tmux {
    /// A 120x36 session running a plain bash with a known prompt.
    pub fn start(tag: &str, dir: &std::path::Path) -> Self {
        let name = format!("deck-e2e-{tag}-{}", std::process::id());
        let status = Command::new("tmux")
            .args(["new-session", "-d", "-s", &name, "-x", "120", "-y", "36", "-c"])
            .arg(dir)
            .args(["env", "-u", "TMUX_PANE", "PS1=E2E$ ", "TERM=xterm-256color", "bash", "--norc", "--noprofile"])
            .status()
            .expect("tmux runs");
        assert!(status.success());
        let t = Self { name };
        t.wait_for("E2E$", Duration::from_secs(10));
        t
    }

    pub fn send(&self, keys: &[&str]) {
        let status = Command::new("tmux").args(["send-keys", "-t", &self.name]).args(keys).status().unwrap();
        assert!(status.success());
    }

    pub fn type_line(&self, line: &str) {
        self.send(&["-l", line]);
        self.send(&["Enter"]);
    }

    pub fn screen(&self) -> String {
        let out = Command::new("tmux").args(["capture-pane", "-p", "-t", &self.name]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Wait until `text` is on screen; panics with the screen after `timeout`.
    pub fn wait_for(&self, text: &str, timeout: Duration) -> String {
        self.wait_until(timeout, |s| s.contains(text), &format!("`{text}`"))
    }

    pub fn wait_until(&self, timeout: Duration, ok: impl Fn(&str) -> bool, what: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            assert!(start.elapsed() < timeout, "waited {timeout:?} for {what}; screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["kill-session", "-t", &self.name]).status();
    }
}
