//! The event loop: one channel of events in (keys, resize, file changes, engine reports,
//! signals), one draw per turn. Generic over the ratatui backend, so tests run the real loop
//! against `TestBackend`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use crossterm::event::KeyEvent;
use ratatui::Terminal;
use ratatui::backend::Backend;

use super::draw::draw;
use super::keys::Keymap;
use super::state::{App, Effect};
use crate::exec::output::{OutputStore, StatusColors};
use crate::exec::{Executor, Report, SnippetId};
use crate::model::{Block, ExecMode};
use crate::render::ImageCache;
use crate::render::layout::{OutputView, Resources};

#[derive(Debug)]
pub enum Event {
    Key(KeyEvent),
    Resize,
    FileChanged,
    Exec(Report),
    /// SIGTERM, SIGHUP...: leave cleanly.
    Terminate,
}

/// Settings for running snippets.
#[derive(Debug, Clone)]
pub struct ExecSettings {
    pub timeout: Duration,
    pub python_env: Option<PathBuf>,
}

impl Default for ExecSettings {
    fn default() -> Self {
        Self { timeout: crate::exec::DEFAULT_TIMEOUT, python_env: std::env::var_os("VIRTUAL_ENV").map(PathBuf::from) }
    }
}

pub struct Session {
    pub app: App,
    pub keymap: Keymap,
    pub images: ImageCache,
    pub outputs: OutputStore,
    executor: Executor,
    settings: ExecSettings,
    sizes: ImageSizes,
    last_run: Option<SnippetId>,
    /// Rows the current slide overflows by, from the last draw.
    pub overflow: u16,
}

impl Session {
    pub fn new(app: App, tx: Sender<Event>) -> Self {
        Self::with_settings(app, tx, ExecSettings::default())
    }

    pub fn with_settings(app: App, tx: Sender<Event>, settings: ExecSettings) -> Self {
        let tx = std::sync::Mutex::new(tx);
        let sink = Arc::new(move |r: Report| {
            if let Ok(tx) = tx.lock() {
                let _ = tx.send(Event::Exec(r));
            }
        });
        let executor = Executor::new(sink, settings.python_env.clone());
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
        }
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
        crate::headless::warm_up_rust(&mut self.executor, &self.app.deck, self.settings.timeout);
    }

    pub fn draw<B: Backend>(&mut self, terminal: &mut Terminal<B>) -> Result<(), B::Error> {
        let mut overflow = 0;
        let live = Live { outputs: &self.outputs, sizes: &self.sizes, colors: status_colors(&self.app) };
        terminal.draw(|f| overflow = draw(f, &self.app, &live, &mut self.images))?;
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
            Event::Terminate => self.app.quit = true,
        }
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
                let running: Vec<SnippetId> = self.outputs.outputs.iter().filter(|(_, o)| o.running()).map(|(id, _)| *id).collect();
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
        if self.outputs.get(id).is_some_and(|o| o.running()) {
            return;
        }
        let Some(Block::Code(code)) = self.app.deck.slides.get(id.slide).and_then(|s| s.elements.get(id.element)).map(|e| &e.block) else {
            return;
        };
        let job = crate::headless::job(id, code, self.settings.timeout);
        self.last_run = Some(id);
        // Mark it running now, so the screen and `running()` agree before the engine reports.
        self.outputs.apply(Report::Started { id });
        self.executor.start(job);
    }
}

fn status_colors(app: &App) -> StatusColors {
    StatusColors { muted: app.theme.muted.fg.unwrap_or_default(), error: app.theme.error, success: app.theme.success, accent: app.theme.accent }
}

/// Image file sizes, read from headers once.
#[derive(Default)]
struct ImageSizes(RefCell<HashMap<PathBuf, Option<(u32, u32)>>>);

/// What the layout sees of the running session.
struct Live<'a> {
    outputs: &'a OutputStore,
    sizes: &'a ImageSizes,
    colors: StatusColors,
}

impl Resources for Live<'_> {
    fn output(&self, slide: usize, element: usize) -> Option<OutputView> {
        self.outputs.view(SnippetId { slide, element }, &self.colors)
    }

    fn image_size(&self, path: &Path) -> Option<(u32, u32)> {
        *self.sizes.0.borrow_mut().entry(path.to_path_buf()).or_insert_with(|| image::image_dimensions(path).ok())
    }
}

/// Draw, wait for an event, handle it and whatever else is queued, repeat until quit.
/// While a snippet runs, redraw every 100 ms so its timer moves.
pub fn run<B: Backend>(terminal: &mut Terminal<B>, session: &mut Session, rx: &Receiver<Event>) -> Result<(), B::Error> {
    loop {
        session.draw(terminal)?;
        if session.app.quit {
            return Ok(());
        }
        let event = if session.running() {
            match rx.recv_timeout(Duration::from_millis(100)) {
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
