//! The event loop: one channel of events in (keys, resize, file changes, engine reports,
//! signals), one draw per turn. Generic over the ratatui backend, so tests run the real loop
//! against `TestBackend`.

use std::sync::mpsc::{Receiver, Sender};

use crossterm::event::KeyEvent;
use ratatui::Terminal;
use ratatui::backend::Backend;

use super::draw::draw;
use super::keys::Keymap;
use super::state::{App, Effect};
use crate::render::ImageCache;
use crate::render::layout::NoOutputs;

#[derive(Debug)]
pub enum Event {
    Key(KeyEvent),
    Resize,
    FileChanged,
    /// SIGTERM, SIGHUP...: leave cleanly.
    Terminate,
}

pub struct Session {
    pub app: App,
    pub keymap: Keymap,
    pub images: ImageCache,
    pub tx: Sender<Event>,
    /// Rows the current slide overflows by, from the last draw.
    pub overflow: u16,
}

impl Session {
    pub fn new(app: App, tx: Sender<Event>) -> Self {
        Self { app, keymap: Keymap::default(), images: ImageCache::new(), tx, overflow: 0 }
    }

    pub fn draw<B: Backend>(&mut self, terminal: &mut Terminal<B>) -> Result<(), B::Error> {
        let mut overflow = 0;
        terminal.draw(|f| overflow = draw(f, &self.app, &NoOutputs, &mut self.images))?;
        self.overflow = overflow;
        Ok(())
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
            Event::Terminate => self.app.quit = true,
        }
    }

    fn effect(&mut self, effect: Effect) {
        match effect {
            Effect::Reload => {
                let result = crate::parse::parse_file(&self.app.deck.path);
                self.app.reloaded(result);
            }
            Effect::Run | Effect::Cancel | Effect::ResetPython | Effect::SlideShown => {}
        }
    }
}

/// Draw, wait for an event, handle it and whatever else is queued, repeat until quit.
pub fn run<B: Backend>(terminal: &mut Terminal<B>, session: &mut Session, rx: &Receiver<Event>) -> Result<(), B::Error> {
    loop {
        session.draw(terminal)?;
        if session.app.quit {
            return Ok(());
        }
        let Ok(event) = rx.recv() else { return Ok(()) };
        session.handle(event);
        while let Ok(event) = rx.try_recv() {
            session.handle(event);
        }
    }
}
