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
    /// Text pasted into the terminal (bracketed paste).
    Paste(String),
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
    /// `E`: the snippet to open in the presenter's editor (the event loop hands it the
    /// terminal).
    pub external_edit: Option<crate::model::SnippetId>,
    /// The texts written back into the deck (ctrl+s), by the snippet they were: the reload
    /// that follows gives those snippets new identities, and their outputs follow them.
    written_back: Vec<(crate::model::SnippetId, String)>,
    /// An exercise whose run just ended, to be judged once its last report is applied.
    pending_solved: Option<(crate::model::SnippetId, String, String)>,
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
            external_edit: None,
            written_back: Vec::new(),
            pending_solved: None,
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
    fn judge_exercise(&mut self) {
        let Some((id, name, body)) = self.pending_solved.take() else { return };
        let passed = self
            .snippets
            .outputs
            .get(id)
            .and_then(|o| crate::workshop::Checks::read(&o.text()))
            .is_some_and(crate::workshop::Checks::all_passed);
        if passed {
            self.app.mark_solved(&name, &body);
        }
    }

    fn sync(&mut self) {
        self.judge_exercise();
        let status = (!self.app.notes_mode).then(|| self.snippets.status_of_slide(&self.app, self.app.slide));
        self.peer.sync((self.app.slide, self.app.step), status);
        if let Some(id) = self.app.edit_to_send.take()
            && !self.app.notes_mode
            && let Some(code) = self.app.code(id)
        {
            self.peer.edited(id.0, code.body.clone());
        }
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
            editing: self.app.editing.as_ref().map(|e| (e.id, (e.row, e.col))),
            edited: self.app.edits.iter().map(|(id, _)| *id).collect(),
            focus: self.app.focus,
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
            Event::Key(key) if self.app.editing.is_some() && self.app.modal.is_none() => self.edit_key(key),
            Event::Key(key) => {
                if let Some(action) = self.keymap.feed(key)
                    && let Some(effect) = self.app.handle(action)
                {
                    self.effect(effect);
                }
            }
            Event::Paste(text) => self.app.edit_paste(&text),
            // The layout fits pictures to the new size; a new font size re-encodes them.
            Event::Resize if self.cell_size_from_tty => {
                if let Some(cell) = super::graphics::cell_pixels() {
                    self.images.set_cell_pixels(cell);
                }
            }
            Event::Resize => {}
            Event::FileChanged => self.effect(Effect::Reload),
            Event::Exec(report) => {
                let finished = match &report {
                    Report::Finished { id, .. } => Some(*id),
                    _ => None,
                };
                if let Some(id) = finished {
                    self.exercise_finished(id);
                }
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
            // The presenter's edit: the notes screen shows the code as the audience sees it.
            Event::Remote(super::remote::Message::Edit { id, body }) if self.app.notes_mode => {
                self.app.set_body(crate::model::SnippetId(id), body);
            }
            Event::Remote(super::remote::Message::Where) if self.app.notes_mode => {
                self.peer.tell_position((self.app.slide, self.app.step));
            }
            // A presenter that has just started resumes where the notes screen says the talk
            // was, unless it has been moved since; then the notes screen follows it.
            // (Moved since: the notes screen was told then, and the late answer is old news.)
            Event::Remote(super::remote::Message::Here { slide, step }) if !self.app.notes_mode => {
                if !self.peer.moved() {
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

    /// Edit mode: deck's own keys first (run, stop, write back, quit, leave), the rest type.
    fn edit_key(&mut self, key: KeyEvent) {
        use crossterm::event::{KeyCode, KeyModifiers};
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('e') if ctrl => {
                let effect = self.app.handle(super::keys::Action::Run);
                if let Some(effect) = effect {
                    self.effect(effect);
                }
            }
            KeyCode::Char('k') if ctrl => self.effect(Effect::Cancel),
            KeyCode::Char('s') if ctrl => self.effect(Effect::WriteBack),
            KeyCode::Char('c') if ctrl => self.app.quit = true,
            KeyCode::Esc => self.app.editing = None,
            _ => self.app.edit_key(key),
        }
    }

    /// An exercise's run ended: when every check passed, it is solved (after the report is
    /// applied, its output holds the summary).
    fn exercise_finished(&mut self, id: crate::model::SnippetId) {
        let Some(code) = self.app.code(id) else { return };
        let Some(name) = code.attrs.exercise.clone() else { return };
        let body = code.body.clone();
        self.pending_solved = Some((id, name, body));
    }

    /// `E`: the snippet in the presenter's editor, with the terminal handed over.
    pub fn edit_externally(&mut self, id: crate::model::SnippetId) {
        let Some(code) = self.app.code(id) else { return };
        let (language, body) = (code.language.clone(), code.body.clone());
        match super::terminal::handed_over(|| super::external::edit(&language, &body)) {
            Ok(Ok(Some(edited))) => {
                self.app.set_body(id, edited);
                self.app.focus = Some(id);
            }
            Ok(Ok(None)) => {}
            Ok(Err(e)) | Err(e) => {
                let d =
                    crate::diag::Diagnostic::warning(&self.app.deck.path, 0, format!("the editor did not run: {e}"))
                        .with_hint("set $VISUAL or $EDITOR to the editor's command, e.g. EDITOR=\"code --wait\"");
                self.app.warnings.push(d);
            }
        }
    }

    /// ctrl+s: the edits into the deck file. The reload that follows is deck's own write:
    /// the snippets written get new identities, and their outputs go with them.
    fn write_back(&mut self) {
        let written: Vec<(crate::model::SnippetId, String)> =
            self.app.edits.iter().map(|(id, e)| (*id, e.edited.clone())).collect();
        match super::edits::write_back(&self.app.deck, &self.app.edits) {
            Ok(_) => {
                for (id, _) in &written {
                    self.app.edits.remove(*id);
                }
                self.written_back = written;
                self.app.saved_edits();
                self.effect(Effect::Reload);
            }
            Err(e) => {
                let d =
                    crate::diag::Diagnostic::warning(&self.app.deck.path, 0, format!("cannot write the edits: {e}"));
                self.app.warnings.push(d);
            }
        }
    }

    /// After a reload: outputs of snippets written back follow them to their new identity.
    fn follow_written_back(&mut self) {
        for (old, body) in std::mem::take(&mut self.written_back) {
            let new = self.app.deck.snippets().map(|(_, c)| c).find(|c| c.body == body).map(|c| c.id);
            if let Some(new) = new.filter(|n| *n != old) {
                self.snippets.rename(old, new);
                if self.app.focus == Some(old) {
                    self.app.focus = Some(new);
                }
                if let Some(editor) = &mut self.app.editing
                    && editor.id == old
                {
                    editor.id = new;
                }
            }
        }
    }

    fn effect(&mut self, effect: Effect) {
        match effect {
            Effect::Reload => {
                let result = crate::parse::parse_file(&self.app.deck.path);
                self.app.reloaded(result);
                self.follow_written_back();
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
            Effect::Edit => {
                if let Some(id) = self.snippets.target(&self.app) {
                    self.app.start_editing(id);
                }
            }
            Effect::EditExternal => self.external_edit = self.snippets.target(&self.app),
            Effect::Focus => {
                let here = Snippets::focusable(&self.app);
                let now = self.snippets.target(&self.app).and_then(|id| here.iter().position(|h| *h == id));
                self.app.focus = now.map_or(here.first().copied(), |i| here.get((i + 1) % here.len()).copied());
            }
            Effect::Revert => {
                if let Some(id) = self.snippets.target(&self.app) {
                    self.app.revert(id);
                }
            }
            Effect::WriteBack => self.write_back(),
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
        if let Some(id) = session.external_edit.take()
            && session.cell_size_from_tty
        {
            session.edit_externally(id);
            terminal.clear()?;
        }
    }
}
