//! Keeping the presenter and the notes screen in step: this side's position (and, from the
//! presenter, its snippets' status) goes over the link once per change, and a position that
//! came from the other side is not echoed back.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
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
    /// The presenter has moved since it started. Until then a notes screen that connects is
    /// asked where the talk is (a restarted presenter resumes there), not sent to slide 1.
    moved: Arc<AtomicBool>,
    /// This side follows (the notes screen).
    link_is_follow: bool,
    /// The presenter's edited snippets' texts, for greeting a notes screen that connects.
    edits: Arc<Mutex<std::collections::BTreeMap<u64, String>>>,
}

impl Peer {
    /// Presenter: let `deck --notes` instances connect on this socket; each is greeted with
    /// the current position.
    pub fn listen(&mut self, socket: &Path, tx: Sender<Event>) -> std::io::Result<()> {
        let position = self.position.clone();
        let moved = self.moved.clone();
        let edits = self.edits.clone();
        let hello = move || {
            let mut greeting: Vec<Message> = edits
                .lock()
                .expect("lock")
                .iter()
                .map(|(id, body)| Message::Edit { id: *id, body: body.clone() })
                .collect();
            if moved.load(Ordering::SeqCst) {
                let (slide, step) = *position.lock().expect("lock");
                greeting.push(Message::Goto { slide, step });
            } else {
                greeting.push(Message::Where);
            }
            greeting
        };
        self.link = Some(remote::listen(socket, tx, hello)?);
        Ok(())
    }

    /// Notes: follow the presenter on this socket, reconnecting when it restarts.
    pub fn follow(&mut self, socket: &Path, tx: Sender<Event>) {
        self.link = Some(remote::follow(socket.to_path_buf(), tx));
        self.link_is_follow = true;
    }

    /// Tell the other side where we are, and how the snippets are doing (the presenter's
    /// `status`; notes send none).
    pub fn sync(&mut self, position: (usize, usize), status: Option<String>) {
        *self.position.lock().expect("lock") = position;
        if position != (0, 0) {
            self.moved.store(true, Ordering::SeqCst);
        }
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

    /// Send our position even though it was sent before (the other side asked for it): a
    /// presenter's as a `Goto`, the notes screen's as the answer to `Where`.
    pub fn tell_position(&mut self, position: (usize, usize)) {
        if let Some(link) = &self.link {
            let (slide, step) = position;
            link.send(&if self.link_is_follow { Message::Here { slide, step } } else { Message::Goto { slide, step } });
            self.sent_position = position;
        }
    }

    /// A snippet's text changed: tell the notes screen (and greet new ones with it).
    pub fn edited(&mut self, id: u64, body: String) {
        self.edits.lock().expect("lock").insert(id, body.clone());
        self.send(&Message::Edit { id, body });
    }

    /// The presenter has moved since it started.
    pub fn moved(&self) -> bool {
        self.moved.load(Ordering::SeqCst)
    }

    /// Send a request to the other side (the notes screen asking the presenter to run).
    pub fn send(&self, message: &Message) {
        if let Some(link) = &self.link {
            link.send(message);
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        if let Some(link) = &self.link {
            link.close();
        }
    }
}
