//! Keeping the presenter and the notes screen in step: this side's position (and, from the
//! presenter, its snippets' status) goes over the link once per change, and a position that
//! came from the other side is not echoed back.

use std::path::Path;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};

use super::remote::{self, Link, Message};
use super::run::Event;

#[derive(Default)]
pub struct Peer {
    /// The other instance(s): notes for a presenter, the presenter for notes.
    link: Option<Link>,
    /// What was last sent (or received), so nothing is sent twice or echoed back.
    sent_position: (usize, usize),
    sent_status: String,
    /// The position, for greeting a notes instance that connects.
    position: Arc<Mutex<(usize, usize)>>,
}

impl Peer {
    /// Presenter: let `deck --notes` instances connect on this socket; each is greeted with
    /// the current position.
    pub fn listen(&mut self, socket: &Path, tx: Sender<Event>) -> std::io::Result<()> {
        let position = self.position.clone();
        let hello = move || {
            let (slide, step) = *position.lock().expect("lock");
            vec![Message::Goto { slide, step }]
        };
        self.link = Some(remote::listen(socket, tx, hello)?);
        Ok(())
    }

    /// Notes: follow the presenter on this socket, reconnecting when it restarts.
    pub fn follow(&mut self, socket: &Path, tx: Sender<Event>) {
        self.link = Some(remote::follow(socket.to_path_buf(), tx));
    }

    /// Tell the other side where we are, and how the snippets are doing (the presenter's
    /// `status`; notes send none).
    pub fn sync(&mut self, position: (usize, usize), status: Option<String>) {
        *self.position.lock().expect("lock") = position;
        let Some(link) = &self.link else { return };
        if position != self.sent_position {
            link.send(&Message::Goto { slide: position.0, step: position.1 });
            self.sent_position = position;
        }
        if let Some(status) = status
            && status != self.sent_status
        {
            link.send(&Message::Status(status.clone()));
            self.sent_status = status;
        }
    }

    /// The other side moved us here: not a change to send back.
    pub fn arrived(&mut self, position: (usize, usize)) {
        self.sent_position = position;
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        if let Some(link) = &self.link {
            link.close();
        }
    }
}
