//! Drive the real binary in a detached tmux session: send keys, read the screen.

use std::process::Command;
use std::time::{Duration, Instant};

pub(crate) struct Tmux {
    pub name: String,
}

impl Tmux {
    /// A 120x36 session running a plain bash with a known prompt.
    pub(crate) fn start(tag: &str, dir: &std::path::Path) -> Self {
        let name = format!("deck-e2e-{tag}-{}", std::process::id());
        let status = Command::new("tmux")
            .args(["-L", &name])
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

    pub(crate) fn send(&self, keys: &[&str]) {
        let status = self.tmux().args(["send-keys", "-t", &self.name]).args(keys).status().unwrap();
        assert!(status.success());
    }

    pub(crate) fn type_line(&self, line: &str) {
        self.send(&["-l", line]);
        self.send(&["Enter"]);
    }

    pub(crate) fn screen(&self) -> String {
        let out = self.tmux().args(["capture-pane", "-p", "-t", &self.name]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Wait until `text` is on screen; panics with the screen after `timeout`.
    pub(crate) fn wait_for(&self, text: &str, timeout: Duration) -> String {
        self.wait_until(timeout, |s| s.contains(text), &format!("`{text}`"))
    }

    pub(crate) fn wait_until(&self, timeout: Duration, ok: impl Fn(&str) -> bool, what: &str) -> String {
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

impl Tmux {
    /// The process id of the `comm` the pane's shell is running (e.g. `deck`), found by its
    /// parent rather than by a pattern that could match someone else's process.
    pub(crate) fn child_pid(&self, comm: &str) -> u32 {
        let out = self.tmux().args(["display", "-p", "-t", &self.name, "#{pane_pid}"]).output().unwrap();
        let shell: u32 = String::from_utf8_lossy(&out.stdout).trim().parse().expect("pane pid");
        super::children_of(shell)
            .into_iter()
            .find(|&pid| super::comm(pid).as_deref() == Some(comm))
            .unwrap_or_else(|| panic!("no `{comm}` under the pane's shell; screen:\n{}", self.screen()))
    }
}

impl Tmux {
    /// A tmux command for this test's own server: each test has its own socket (`-L`), so
    /// tests running side by side never race one server's start and exit.
    pub(crate) fn tmux(&self) -> Command {
        let mut cmd = Command::new("tmux");
        cmd.args(["-L", &self.name]);
        cmd
    }

    /// The pane's shell.
    pub(crate) fn shell_pid(&self) -> u32 {
        let out = self.tmux().args(["display", "-p", "-t", &self.name, "#{pane_pid}"]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().parse().expect("pane pid")
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // The test's own server goes with its only session, and its socket file too.
        let socket = self.tmux().args(["display", "-p", "#{socket_path}"]).output().ok();
        let _ = self.tmux().arg("kill-server").status();
        if let Some(out) = socket {
            let _ = std::fs::remove_file(String::from_utf8_lossy(&out.stdout).trim());
        }
    }
}
