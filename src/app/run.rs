//! The event loop: one channel of events in (keys, resize, file changes, engine reports,
//! signals), one draw per turn. Generic over the ratatui backend, so tests run the real loop
//! against `TestBackend`.

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use crossterm::event::KeyEvent;
use ratatui::Terminal;
use ratatui::backend::Backend;

use super::draw::draw;
use super::keys::Keymap;
use super::state::{App, Effect};
use crate::exec::output::OutputStore;
use crate::exec::{Executor, Report, Settings, SnippetId};
use crate::model::{Block, ExecMode};
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
}

pub struct Session {
    pub app: App,
    pub keymap: Keymap,
    pub images: ImageCache,
    pub outputs: OutputStore,
    executor: Executor,
    settings: Settings,
    sizes: ImageSizes,
    last_run: Option<SnippetId>,
    /// Rows the current slide overflows by, from the last draw.
    pub overflow: u16,
    /// `--record`: every drawn frame goes here too.
    pub recorder: Option<crate::export::cast::Recorder>,
    /// The other instance(s): notes for a presenter, the presenter for notes.
    link: Option<super::remote::Link>,
    /// What was last sent over the link, so nothing is sent twice or echoed back.
    sent: ((usize, usize), String),
    /// The position, for greeting a notes instance that connects.
    shared_position: std::sync::Arc<std::sync::Mutex<(usize, usize)>>,
    tx: Sender<Event>,
}

impl Session {
    pub fn new(app: App, tx: Sender<Event>) -> Self {
        Self::with_settings(app, tx, Settings::from_env())
    }

    pub fn with_settings(app: App, tx: Sender<Event>, settings: Settings) -> Self {
        let engine_tx = std::sync::Mutex::new(tx.clone());
        let sink = Arc::new(move |r: Report| {
            if let Ok(tx) = engine_tx.lock() {
                let _ = tx.send(Event::Exec(r));
            }
        });
        let executor = Executor::new(sink, &settings);
        Self {
            app,
            keymap: Keymap::default(),
            images: ImageCache::new(),
            outputs: OutputStore::default(),
            executor,
            settings,
            sizes: ImageSizes::default(),
            last_run: None,
            overflow: 0,
            recorder: None,
            link: None,
            sent: ((0, 0), String::new()),
            shared_position: Arc::default(),
            tx,
        }
    }

    /// Presenter: let `deck --notes` instances connect on this socket.
    pub fn listen(&mut self, socket: &Path) -> std::io::Result<()> {
        let position = self.shared_position.clone();
        let hello = move || {
            let (slide, step) = *position.lock().expect("lock");
            vec![super::remote::Message::Goto { slide, step }]
        };
        self.link = Some(super::remote::listen(socket, self.tx.clone(), hello)?);
        self.sync();
        Ok(())
    }

    /// Notes: follow the presenter on this socket, reconnecting when it restarts.
    pub fn follow(&mut self, socket: &Path) {
        self.app.notes_mode = true;
        self.app.remote_status = "waiting for the presenter…".into();
        self.link = Some(super::remote::follow(socket.to_path_buf(), self.tx.clone()));
    }

    /// Tell the other side where we are and (presenter) how the snippets are doing.
    fn sync(&mut self) {
        let position = (self.app.slide, self.app.step);
        *self.shared_position.lock().expect("lock") = position;
        let Some(link) = &self.link else { return };
        if position != self.sent.0 {
            link.send(&super::remote::Message::Goto { slide: position.0, step: position.1 });
            self.sent.0 = position;
        }
        if !self.app.notes_mode {
            let status = self.snippet_status();
            if status != self.sent.1 {
                link.send(&super::remote::Message::Status(status.clone()));
                self.sent.1 = status;
            }
        }
    }

    /// One line on the current slide's snippets, for the notes screen.
    fn snippet_status(&self) -> String {
        let slide = self.app.slide;
        let mut outputs: Vec<_> = self.outputs.outputs.iter().filter(|(id, _)| id.slide == slide).collect();
        outputs.sort_by_key(|(id, _)| id.element);
        outputs
            .iter()
            .map(|(_, o)| match &o.finished {
                None => "snippet running".to_string(),
                Some((outcome, t)) if outcome.ok() => {
                    format!("snippet done in {}", crate::exec::output::fmt_duration(*t))
                }
                Some((outcome, _)) => format!("snippet {outcome:?}").to_lowercase(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Once the first frame is up: start the interpreter if the deck will need it, and run
    /// the first slide's auto-running snippets.
    pub fn started(&mut self) {
        self.warm_up();
        self.effect(Effect::SlideShown);
    }

    /// With execution allowed: start the interpreter and compile every Rust snippet in the
    /// background, so pressing run on stage is instant.
    fn warm_up(&mut self) {
        if !self.app.exec_allowed {
            return;
        }
        if self.app.deck.snippets().any(|(_, c)| crate::exec::is_python(&c.language) && c.attrs.exec.runs()) {
            self.executor.warm_up_python();
        }
        crate::exec::plan::warm_up_rust(&mut self.executor, &self.app.deck, self.settings.timeout);
    }

    pub fn draw<B: Backend>(&mut self, terminal: &mut Terminal<B>) -> Result<(), B::Error> {
        let mut overflow = 0;
        let live = Live { outputs: &self.outputs, sizes: &self.sizes, colors: status_colors(&self.app) };
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
        self.overflow = overflow;
        Ok(())
    }

    pub fn running(&self) -> bool {
        self.outputs.any_running()
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
            Event::Resize => {}
            Event::FileChanged => self.effect(Effect::Reload),
            Event::Exec(report) => {
                if let Some((id, image)) = self.outputs.apply(report) {
                    self.images.insert_pixels(id.image_key(), image::DynamicImage::ImageRgba8(image));
                }
            }
            Event::Remote(super::remote::Message::Goto { slide, step }) => {
                let before = self.app.slide;
                self.app.set_position(slide, step);
                // Not an echo: this is where the other side already is.
                self.sent.0 = (self.app.slide, self.app.step);
                if self.app.slide != before && !self.app.notes_mode {
                    self.effect(Effect::SlideShown);
                }
            }
            Event::Remote(super::remote::Message::Status(text)) => {
                if self.app.notes_mode {
                    self.app.remote_status = text;
                }
            }
            Event::Terminate => self.app.quit = true,
        }
        self.sync();
    }

    fn effect(&mut self, effect: Effect) {
        match effect {
            Effect::Reload => {
                let result = crate::parse::parse_file(&self.app.deck.path);
                self.app.reloaded(result);
                self.warm_up();
            }
            Effect::Run => {
                // Consent may just have been given: build what the deck will run.
                self.warm_up();
                self.run_key();
                self.auto_run();
            }
            Effect::SlideShown => self.auto_run(),
            Effect::Cancel => {
                let running: Vec<SnippetId> =
                    self.outputs.outputs.iter().filter(|(_, o)| o.running()).map(|(id, _)| *id).collect();
                for id in running {
                    self.executor.cancel(id);
                }
            }
            Effect::ResetPython => self.executor.reset_python(),
            Effect::ScrollOutput(n) => {
                if let Some(out) = self.last_run.and_then(|id| self.outputs.outputs.get_mut(&id)) {
                    out.scroll = out.scroll.saturating_add_signed(n as isize).min(out.lines.len());
                }
            }
        }
    }

    /// The run key: the first snippet here that has not run yet, else the last one run again.
    fn run_key(&mut self) {
        let here = self.runnable(|m| m == ExecMode::Exec);
        let next = here.iter().copied().find(|id| self.outputs.get(*id).is_none());
        let target = next.or(self.last_run.filter(|id| here.contains(id))).or(here.first().copied());
        if let Some(id) = target {
            self.start(id);
        }
    }

    fn auto_run(&mut self) {
        if !self.app.exec_allowed {
            return;
        }
        for id in self.runnable(ExecMode::on_display) {
            if self.outputs.get(id).is_none() {
                self.start(id);
            }
        }
    }

    /// Snippets on the current slide, visible at this step, whose mode matches.
    fn runnable(&self, mode: impl Fn(ExecMode) -> bool) -> Vec<SnippetId> {
        let Some(slide) = self.app.deck.slides.get(self.app.slide) else { return Vec::new() };
        slide
            .elements
            .iter()
            .enumerate()
            .filter(|(_, e)| e.step <= self.app.step)
            .filter_map(|(i, e)| match &e.block {
                Block::Code(c) if mode(c.attrs.exec) => Some(SnippetId { slide: self.app.slide, element: i }),
                _ => None,
            })
            .collect()
    }

    fn start(&mut self, id: SnippetId) {
        if self.outputs.get(id).is_some_and(super::super::exec::output::SnippetOutput::running) {
            return;
        }
        let Some(Block::Code(code)) =
            self.app.deck.slides.get(id.slide).and_then(|s| s.elements.get(id.element)).map(|e| &e.block)
        else {
            return;
        };
        let job = crate::exec::plan::job(id, code, self.settings.timeout);
        self.last_run = Some(id);
        // Mark it running now, so the screen and `running()` agree before the engine reports.
        self.outputs.apply(Report::Started { id });
        self.executor.start(job);
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(link) = &self.link {
            link.close();
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
        if let Some(event) = event {
            session.handle(event);
        }
        while let Ok(event) = rx.try_recv() {
            session.handle(event);
        }
    }
}
