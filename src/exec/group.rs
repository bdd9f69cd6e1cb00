//! A child that leads its own process group, signalled as a group only while the leader is
//! unreaped: until then the group id cannot have passed to another process.

use std::io;
use std::process::{Child, ExitStatus};
use std::sync::Mutex;

use rustix::process::{Pid, Signal, WaitId, WaitIdOptions, kill_process_group, waitid};

#[derive(Debug)]
pub(crate) struct ProcessGroup {
    pgid: Pid,
    /// Set (under the lock) just before the leader is reaped; no signal goes out after.
    reaped: Mutex<bool>,
}

impl ProcessGroup {
    /// The group of a child spawned with `process_group(0)`: its id is the child's pid.
    pub(crate) fn of(child: &Child) -> Self {
        let pid = Pid::from_raw(child.id() as i32).expect("a child's pid is positive");
        Self { pgid: pid, reaped: Mutex::new(false) }
    }

    /// Signal every process in the group, unless its leader has been reaped already.
    pub(crate) fn signal(&self, signal: Signal) {
        let reaped = self.reaped.lock().expect("lock");
        if !*reaped {
            // ESRCH: everyone in the group has exited already, which is what we wanted.
            let _ = kill_process_group(self.pgid, signal);
        }
    }

    /// Wait for the leader to exit, kill whatever of its group is left (children still holding
    /// the pipes), then reap the leader.
    pub(crate) fn finish(&self, child: &mut Child) -> io::Result<ExitStatus> {
        loop {
            match waitid(WaitId::Pid(self.pgid), WaitIdOptions::EXITED | WaitIdOptions::NOWAIT) {
                Err(e) if e == rustix::io::Errno::INTR => {}
                _ => break,
            }
        }
        let mut reaped = self.reaped.lock().expect("lock");
        let _ = kill_process_group(self.pgid, Signal::KILL);
        *reaped = true;
        child.wait()
    }
}

/// Lower a running process's scheduling priority (as `nice 10`), so a compile in the background
/// never slows the presenter.
pub(crate) fn lower_priority(child: &Child) {
    if let Some(pid) = Pid::from_raw(child.id() as i32) {
        let _ = rustix::process::setpriority_process(Some(pid), 10);
    }
}
