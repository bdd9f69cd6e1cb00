//! The event loop: one channel of events in (keys, resize, file changes, engine reports,
//! signals), one draw per turn. Generic over the ratatui backend, so tests run the real loop
//! against `TestBackend`.

use std::path::Path;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use crossterm::event::KeyEvent;
use ratatui::Terminal;
use ratatui::backend::Backend;

use super::draw::draw;
use super::keys::Keymap;
use super::peer::Peer;
use super::snippets::Snippets;
use super::state::{App, Effect};
use crate::exec::{Report, Settings};
use crate::render::ImageCache;
use crate::render::live::{ImageSizes, Live, StatusColors};

#[derive(Debug)]
pub enum Event {
    Key(KeyEvent),
    Resize,
    FileChanged,
    Exec(Report),
    /// From the presenter or the notes instance.
    Remote(super::remote::Message),
    /// SIGTERM, SIGHUP...: leave cleanly.
    Terminate,
    /// SIGTERM, SIGHUP, SIGINT, SIGQUIT: leave cleanly, and exit with 128 + the signal.
    Signal(i32),
}

/// One presenter (or notes screen) at work: the state machine and its keymap, plus one
/// component per job: live code (`snippets`), pictures, the link to the other screen
/// (`peer`) and the recording.
pub struct Session {
    pub app: App,
    pub keymap: Keymap,
    pub images: ImageCache,
    pub snippets: Snippets,
    peer: Peer,
    sizes: ImageSizes,
    /// Rows the current slide overflows by, from the last draw.
    pub overflow: u16,
    /// `--record`: every drawn frame goes here too.
    pub recorder: Option<crate::export::cast::Recorder>,
    /// The signal that ended the session, if one did.
    pub ended_by: Option<i32>,
    /// On a real terminal: a resize may come with a new font size, read from the tty.
    pub cell_size_from_tty: bool,
    tx: Sender<Event>,
}

impl Session {
    pub fn new(app: App, tx: Sender<Event>) -> Self {
        Self::with_settings(app, tx, Settings::from_env())
    }

    pub fn with_settings(app: App, tx: Sender<Event>, settings: Settings) -> Self {
        Self {
            app,
            keymap: Keymap::default(),
            images: ImageCache::new(),
            snippets: Snippets::new(tx.clone(), settings),
            peer: Peer::default(),
            sizes: ImageSizes::default(),
            overflow: 0,
            recorder: None,
            ended_by: None,
            cell_size_from_tty: false,
            tx,
        }
    }

    /// Presenter: let `deck --notes` instances connect on this socket.
    pub fn listen(&mut self, socket: &Path) -> std::io::Result<()> {
        self.peer.listen(socket, self.tx.clone())?;
        self.sync();
        Ok(())
    }

    /// Notes: follow the presenter on this socket, reconnecting when it restarts.
    pub fn follow(&mut self, socket: &Path) {
        self.app.notes_mode = true;
        self.app.remote_status = "waiting for the presenter…".into();
        self.peer.follow(socket, self.tx.clone());
    }

    /// Tell the other side where we are and (presenter) how the snippets are doing.
    fn sync(&mut self) {
        let status = (!self.app.notes_mode).then(|| self.snippets.status_of_slide(&self.app, self.app.slide));
        self.peer.sync((self.app.slide, self.app.step), status);
    }

    /// Once the first frame is up: start the interpreter if the deck will need it, and run
    /// the first slide's auto-running snippets.
    pub fn started(&mut self) {
        self.snippets.warm_up(&self.app);
        self.effect(Effect::SlideShown);
    }

    pub fn draw<B: Backend>(&mut self, terminal: &mut Terminal<B>) -> Result<(), B::Error> {
        let mut overflow = 0;
        let live = Live {
            outputs: &self.snippets.outputs,
            sizes: &self.sizes,
            colors: status_colors(&self.app),
            exec_allowed: self.app.exec_allowed,
            cell: self.images.cell_pixels(),
        };
        let frame = terminal.draw(|f| {
            overflow = if self.app.notes_mode {
                super::notes::draw(f, &self.app, &live, &mut self.images)
            } else {
                draw(f, &self.app, &live, &mut self.images)
            }
        })?;
        if let Some(recorder) = &mut self.recorder {
            recorder.frame(frame.buffer);
        }
        // Pictures a kitty before 0.28 shows go out after the text; one that fails to is
        // left out, and the talk goes on.
        let _ = self.images.flush_kitty(&mut std::io::stdout());
        self.overflow = overflow;
        Ok(())
    }

    pub fn running(&self) -> bool {
        self.snippets.running()
    }

    pub fn handle(&mut self, event: Event) {
        match event {
            Event::Key(key) => {
                if let Some(action) = self.keymap.feed(key)
                    && let Some(effect) = self.app.handle(action)
                {
                    self.effect(effect);
                }
            }
            // The layout fits pictures to the new size; a new font size re-encodes them.
            Event::Resize if self.cell_size_from_tty => {
                if let Some(cell) = super::graphics::cell_pixels() {
                    self.images.set_cell_pixels(cell);
                }
            }
            Event::Resize => {}
            Event::FileChanged => self.effect(Effect::Reload),
            Event::Exec(report) => {
                if let Some((id, image)) = self.snippets.apply(report) {
                    self.images.insert_pixels(id.image_key(), image::DynamicImage::ImageRgba8(image));
                }
            }
            Event::Remote(super::remote::Message::Goto { slide, step }) => {
                let before = self.app.slide;
                self.app.set_position(slide, step);
                self.peer.arrived((self.app.slide, self.app.step));
                if self.app.slide != before && !self.app.notes_mode {
                    self.effect(Effect::SlideShown);
                }
            }
            Event::Remote(super::remote::Message::Status(text)) => {
                if self.app.notes_mode {
                    self.app.remote_status = text;
                }
            }
            // The notes screen's run key: its reader has said yes to running code.
            Event::Remote(super::remote::Message::Run) if !self.app.notes_mode => {
                self.app.exec_allowed = true;
                self.effect(Effect::Run);
            }
            Event::Remote(super::remote::Message::Cancel) if !self.app.notes_mode => self.effect(Effect::Cancel),
            Event::Remote(super::remote::Message::Where) if self.app.notes_mode => {
                self.peer.tell_position((self.app.slide, self.app.step));
            }
            // A presenter that has just started resumes where the notes screen says the talk
            // was, unless it has been moved since; then the notes screen follows it.
            Event::Remote(super::remote::Message::Here { slide, step }) if !self.app.notes_mode => {
                if self.peer.moved() {
                    self.peer.tell_position((self.app.slide, self.app.step));
                } else {
                    self.app.set_position(slide, step);
                    self.peer.arrived((self.app.slide, self.app.step));
                    self.effect(Effect::SlideShown);
                }
            }
            Event::Remote(_) => {}
            Event::Terminate => self.app.quit = true,
            Event::Signal(n) => {
                self.app.quit = true;
                self.ended_by = Some(n);
            }
        }
        self.sync();
    }

    fn effect(&mut self, effect: Effect) {
        match effect {
            Effect::Reload => {
                let result = crate::parse::parse_file(&self.app.deck.path);
                self.app.reloaded(result);
                self.snippets.warm_up(&self.app);
            }
            // The notes screen runs nothing itself: the presenter runs the slide's snippet.
            Effect::Run if self.app.notes_mode => self.peer.send(&super::remote::Message::Run),
            Effect::Cancel if self.app.notes_mode => self.peer.send(&super::remote::Message::Cancel),
            Effect::Run => {
                // Consent may just have been given: build what the deck will run.
                self.snippets.warm_up(&self.app);
                self.snippets.run_key(&self.app);
                self.snippets.auto_run(&self.app);
            }
            Effect::SlideShown => self.snippets.auto_run(&self.app),
            Effect::Cancel => self.snippets.cancel_running(),
            Effect::ResetPython => self.snippets.reset_python(),
            Effect::ScrollOutput(n) => self.snippets.scroll(n),
        }
    }
}

fn status_colors(app: &App) -> StatusColors {
    StatusColors {
        muted: app.theme.muted.fg.unwrap_or_default(),
        error: app.theme.error,
        success: app.theme.success,
        accent: app.theme.accent,
    }
}

/// Draw, wait for an event, handle it and whatever else is queued, repeat until quit.
/// While a snippet runs, redraw every 100 ms so its timer moves.
pub fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    session: &mut Session,
    rx: &Receiver<Event>,
) -> Result<(), B::Error> {
    loop {
        session.draw(terminal)?;
        if session.app.quit {
            return Ok(());
        }
        // Redraw while a snippet runs (its timer) and, for notes, every second (the clock).
        let tick = if session.running() {
            Some(Duration::from_millis(100))
        } else if session.app.notes_mode {
            Some(Duration::from_secs(1))
        } else {
            None
        };
        let event = if let Some(tick) = tick {
            match rx.recv_timeout(tick) {
                Ok(e) => Some(e),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            }
        } else {
            match rx.recv() {
                Ok(e) => Some(e),
                Err(_) => return Ok(()),
            }
        };
        // Everything queued, the presenter's keys (and signals) first: a snippet's output,
        // however much, never stands between a key and its effect.
        let (first, rest): (Vec<Event>, Vec<Event>) = event
            .into_iter()
            .chain(rx.try_iter())
            .partition(|e| matches!(e, Event::Key(_) | Event::Terminate | Event::Signal(_)));
        for event in first.into_iter().chain(rest) {
            session.handle(event);
        }
    }
}
