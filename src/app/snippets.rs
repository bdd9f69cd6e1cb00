//! The presenter's live code: which snippet the run key starts, which run on their own when
//! shown, what they printed, and the engines behind them. The state machine (`App`) decides
//! *that* something runs; this decides *what* and keeps the results.

use std::sync::Arc;
use std::sync::mpsc::Sender;

use super::run::Event;
use super::state::App;
use crate::exec::output::{OutputStore, SnippetOutput, fmt_duration};
use crate::exec::{Executor, Outcome, Report, Settings, SnippetId};
use crate::model::{Block, ExecMode};

pub struct Snippets {
    /// What every snippet printed, by snippet.
    pub outputs: OutputStore,
    executor: Executor,
    settings: Settings,
    /// The snippet the run key started last (run again when all here have run).
    last_run: Option<SnippetId>,
}

impl Snippets {
    /// Engines report into the event loop through `tx`.
    pub fn new(tx: Sender<Event>, settings: Settings) -> Self {
        let tx = std::sync::Mutex::new(tx);
        let sink = Arc::new(move |r: Report| {
            if let Ok(tx) = tx.lock() {
                let _ = tx.send(Event::Exec(r));
            }
        });
        let executor = Executor::new(sink, &settings);
        Self { outputs: OutputStore::default(), executor, settings, last_run: None }
    }

    /// With execution allowed: start the interpreter and compile every Rust snippet in the
    /// background, so pressing run on stage is instant.
    pub fn warm_up(&mut self, app: &App) {
        if !app.exec_allowed {
            return;
        }
        if app.deck.snippets().any(|(_, c)| crate::exec::is_python(&c.language) && c.attrs.exec.runs()) {
            self.executor.warm_up_python();
        }
        crate::exec::plan::warm_up_rust(&mut self.executor, &app.deck, self.settings.timeout);
    }

    /// An engine's report; returns the picture it carried, if any.
    pub fn apply(&mut self, report: Report) -> Option<(SnippetId, image::RgbaImage)> {
        self.outputs.apply(report)
    }

    pub fn running(&self) -> bool {
        self.outputs.any_running()
    }

    /// The snippet the run key acts on: the focused one (Tab, or the one being edited), else
    /// the first one here that has not run yet, else the last one run again.
    pub fn target(&self, app: &App) -> Option<SnippetId> {
        let here = runnable(app, |m| m == ExecMode::Exec);
        if let Some(focus) =
            app.focus.filter(|id| here.contains(id) || app.editing.as_ref().is_some_and(|e| e.id == *id))
        {
            return Some(focus);
        }
        let next = here.iter().copied().find(|id| self.outputs.get(*id).is_none());
        next.or(self.last_run.filter(|id| here.contains(id))).or(here.first().copied())
    }

    /// The slide's snippets that Tab moves the focus between (run-key ones, visible now).
    pub fn focusable(app: &App) -> Vec<SnippetId> {
        runnable(app, |m| m == ExecMode::Exec)
    }

    /// The run key.
    pub fn run_key(&mut self, app: &App) {
        if let Some(id) = self.target(app) {
            self.start(app, id);
        }
    }

    /// The snippets of the current step that run when shown (`+auto_exec`, `+exec_replace`).
    pub fn auto_run(&mut self, app: &App) {
        if !app.exec_allowed {
            return;
        }
        for id in runnable(app, ExecMode::on_display) {
            if self.outputs.get(id).is_none() {
                self.start(app, id);
            }
        }
    }

    /// Snippet `old` is now `new` (its text was written into the deck): its output follows.
    pub fn rename(&mut self, old: SnippetId, new: SnippetId) {
        if let Some(out) = self.outputs.outputs.remove(&old) {
            self.outputs.outputs.insert(new, out);
        }
        if self.last_run == Some(old) {
            self.last_run = Some(new);
        }
    }

    pub fn cancel_running(&mut self) {
        let running: Vec<SnippetId> =
            self.outputs.outputs.iter().filter(|(_, o)| o.running()).map(|(id, _)| *id).collect();
        for id in running {
            self.executor.cancel(id);
        }
    }

    pub fn reset_python(&mut self) {
        self.executor.reset_python();
    }

    /// Scroll the output of the snippet run last by `rows` (back is positive).
    pub fn scroll(&mut self, rows: i32) {
        if let Some(out) = self.last_run.and_then(|id| self.outputs.outputs.get_mut(&id)) {
            out.scroll = out.scroll.saturating_add_signed(rows as isize).min(out.lines.len());
        }
    }

    /// One line on a slide's snippets, for the notes screen.
    pub fn status_of_slide(&self, app: &App, slide: usize) -> String {
        let codes = app.deck.slides.get(slide).into_iter().flat_map(|s| &s.elements).filter_map(|e| match &e.block {
            Block::Code(code) => Some(code),
            _ => None,
        });
        codes
            .filter_map(|code| self.outputs.get(code.id).map(|o| (code.attrs.expect_failure, o)))
            .map(|(expect_failure, o)| match &o.finished {
                None => "snippet running".to_string(),
                Some((outcome, t)) if outcome.ok() && !expect_failure => {
                    format!("snippet done in {}", fmt_duration(*t))
                }
                Some((Outcome::Failed | Outcome::Exit(1..), _)) if expect_failure => {
                    let what = crate::render::live::raised(o).map_or("failed".into(), |e| format!("raised {e}"));
                    format!("snippet {what}, as expected")
                }
                Some((outcome, _)) if outcome.ok() => "snippet succeeded, but a failure was expected".into(),
                Some((outcome, _)) => format!("snippet {outcome:?}").to_lowercase(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn start(&mut self, app: &App, id: SnippetId) {
        if self.outputs.get(id).is_some_and(SnippetOutput::running) {
            return;
        }
        let Some(code) = app.code(id) else {
            return;
        };
        let job = crate::exec::plan::job(&app.deck, id, code, self.settings.timeout);
        self.last_run = Some(id);
        // Mark it running now, so the screen and `running()` agree before the engine reports.
        self.outputs.apply(Report::Started { id });
        self.executor.start(job);
    }
}

/// Snippets on the current slide, visible at this step, whose mode matches.
fn runnable(app: &App, mode: impl Fn(ExecMode) -> bool) -> Vec<SnippetId> {
    let Some(slide) = app.deck.slides.get(app.slide) else { return Vec::new() };
    slide
        .elements
        .iter()
        .filter(|e| e.step <= app.step)
        .filter_map(|e| match &e.block {
            Block::Code(c) if mode(c.attrs.exec) => Some(c.id),
            _ => None,
        })
        .collect()
}
