//! The presenter's state and what each action does to it. No I/O and no drawing here:
//! actions that need the outside world come back as `Effect`s for the event loop.

use super::keys::Action;
use crate::diag::Diagnostic;
use crate::model::Deck;
use crate::theme::{self, Theme};

#[derive(Debug, Clone, PartialEq)]
pub enum Modal {
    Index {
        selected: usize,
    },
    Help,
    Warnings,
    /// Asks before the deck runs any code.
    ConfirmExec,
}

/// What the event loop must do after an action.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Reload,
    /// Run the snippets of the current slide that run on the run key.
    Run,
    Cancel,
    ResetPython,
    ScrollOutput(i32),
    /// The slide changed: start its auto-running snippets.
    SlideShown,
}

pub struct App {
    pub deck: Deck,
    pub theme: Theme,
    /// Theme and deck warnings together.
    pub warnings: Vec<Diagnostic>,
    /// How many of `warnings` the presenter has read (`w`): the footer counts the rest.
    pub warnings_seen: usize,
    pub slide: usize,
    pub step: usize,
    pub modal: Option<Modal>,
    /// A reload that failed: shown instead of the slides until the file is fixed.
    pub error: Option<Diagnostic>,
    pub exec_allowed: bool,
    pub quit: bool,
    /// `deck --notes`: this instance shows speaker notes and follows the presenter.
    pub notes_mode: bool,
    /// What the other side last said (snippet status, or the connection).
    pub remote_status: String,
    /// Why this presenter has no notes link (another presenter of the deck has it, say):
    /// one of the warnings, kept across reloads.
    pub link_problem: Option<Diagnostic>,
    /// Links are clickable (OSC 8): a real terminal that shows them.
    pub hyperlinks: bool,
    /// The talk's clock (shown on the speaker's screen).
    pub timer: super::timer::Timer,
    cli_theme: Option<String>,
}

impl App {
    pub fn new(deck: Deck, cli_theme: Option<String>, exec_allowed: bool) -> Self {
        let mut app = Self {
            deck: Deck::default(),
            theme: Theme::named("dark").expect("built-in"),
            warnings: Vec::new(),
            warnings_seen: 0,
            slide: 0,
            step: 0,
            modal: None,
            error: None,
            exec_allowed,
            quit: false,
            notes_mode: false,
            remote_status: String::new(),
            link_problem: None,
            hyperlinks: false,
            timer: super::timer::Timer::new(std::time::Instant::now(), None),
            cli_theme,
        };
        app.set_deck(deck);
        app
    }

    fn set_deck(&mut self, deck: Deck) {
        let (theme, theme_warnings) = theme::resolve(&deck, self.cli_theme.as_deref());
        self.theme = theme;
        let warnings: Vec<Diagnostic> =
            deck.warnings.iter().cloned().chain(theme_warnings).chain(self.link_problem.clone()).collect();
        // A reload that brings the same warnings leaves them read.
        if warnings.iter().map(ToString::to_string).ne(self.warnings.iter().map(ToString::to_string)) {
            self.warnings_seen = 0;
        }
        self.warnings = warnings;
        self.deck = deck;
        self.slide = self.slide.min(self.deck.slides.len().saturating_sub(1));
        self.step = self.step.min(self.steps().saturating_sub(1));
    }

    /// Warnings the presenter has not read yet.
    pub fn unread_warnings(&self) -> usize {
        self.warnings.len().saturating_sub(self.warnings_seen)
    }

    /// Tell the presenter (a warning, `w`) why `deck --notes` cannot follow this one.
    pub fn no_notes_link(&mut self, why: &str) {
        let d = Diagnostic::warning(&self.deck.path, 0, format!("speaker notes cannot follow this presenter: {why}"))
            .with_hint("another presenter of this deck may be running: deck --notes follows that one");
        self.warnings.push(d.clone());
        self.link_problem = Some(d);
    }

    /// After a reload: a good deck replaces the old one at the same position; an error is
    /// shown until the next good reload.
    pub fn reloaded(&mut self, result: Result<Deck, Diagnostic>) {
        match result {
            Ok(deck) => {
                self.error = None;
                self.set_deck(deck);
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// Move to a position another instance reported, clamped to this deck.
    pub fn set_position(&mut self, slide: usize, step: usize) {
        self.slide = slide.min(self.last_slide());
        self.step = step.min(self.steps().saturating_sub(1));
    }

    /// The position after this one (next step, or the next slide's first), if any.
    pub fn next_position(&self) -> Option<(usize, usize)> {
        if self.step + 1 < self.steps() {
            Some((self.slide, self.step + 1))
        } else if self.slide < self.last_slide() {
            Some((self.slide + 1, 0))
        } else {
            None
        }
    }

    pub fn steps(&self) -> usize {
        self.deck.slides.get(self.slide).map_or(1, |s| s.steps.max(1))
    }

    fn last_slide(&self) -> usize {
        self.deck.slides.len().saturating_sub(1)
    }

    pub fn handle(&mut self, action: Action) -> Option<Effect> {
        if let Some(modal) = self.modal.clone() {
            return self.handle_modal(modal, action);
        }
        let before = self.slide;
        let effect = match action {
            Action::Next => {
                if self.step + 1 < self.steps() {
                    self.step += 1;
                } else if self.slide < self.last_slide() {
                    self.go(self.slide + 1);
                }
                None
            }
            Action::Prev => {
                if self.step > 0 {
                    self.step -= 1;
                } else if self.slide > 0 {
                    self.go(self.slide - 1);
                    self.step = self.steps() - 1;
                }
                None
            }
            Action::NextSlide => {
                self.go((self.slide + 1).min(self.last_slide()));
                None
            }
            Action::PrevSlide => {
                self.go(self.slide.saturating_sub(1));
                None
            }
            Action::First => {
                self.go(0);
                None
            }
            Action::Last => {
                self.go(self.last_slide());
                None
            }
            Action::GoTo(n) => {
                self.go(n.saturating_sub(1).min(self.last_slide()));
                None
            }
            Action::Run if !self.exec_allowed => {
                self.modal = Some(Modal::ConfirmExec);
                None
            }
            Action::Run => Some(Effect::Run),
            Action::Cancel => Some(Effect::Cancel),
            Action::ResetPython => Some(Effect::ResetPython),
            Action::ScrollOutput(n) => Some(Effect::ScrollOutput(n)),
            Action::Reload => Some(Effect::Reload),
            Action::Index => {
                self.modal = Some(Modal::Index { selected: self.slide });
                None
            }
            Action::Help => {
                self.modal = Some(Modal::Help);
                None
            }
            Action::Warnings => {
                self.modal = Some(Modal::Warnings);
                self.warnings_seen = self.warnings.len();
                None
            }
            Action::Quit => {
                self.quit = true;
                None
            }
            Action::TimerPause => {
                self.timer.toggle_pause(std::time::Instant::now());
                None
            }
            Action::TimerReset => {
                self.timer.reset(std::time::Instant::now());
                None
            }
            Action::Close | Action::Up | Action::Down | Action::Select | Action::Yes => None,
        };
        if effect.is_none() && self.slide != before {
            return Some(Effect::SlideShown);
        }
        effect
    }

    fn go(&mut self, slide: usize) {
        self.slide = slide;
        self.step = 0;
    }

    fn handle_modal(&mut self, modal: Modal, action: Action) -> Option<Effect> {
        match (modal, action) {
            (_, Action::Quit) => self.quit = true,
            (Modal::Index { selected }, Action::Next | Action::Down) => {
                self.modal = Some(Modal::Index { selected: (selected + 1).min(self.last_slide()) });
            }
            (Modal::Index { selected }, Action::Prev | Action::Up) => {
                self.modal = Some(Modal::Index { selected: selected.saturating_sub(1) });
            }
            (Modal::Index { selected }, Action::Select) => {
                self.modal = None;
                let before = self.slide;
                self.go(selected);
                return (before != selected).then_some(Effect::SlideShown);
            }
            // Consent is a deliberate answer: pressing the run key again is not one.
            (Modal::ConfirmExec, Action::Yes | Action::Select) => {
                self.modal = None;
                self.exec_allowed = true;
                return Some(Effect::Run);
            }
            (_, Action::Close | Action::Index | Action::Help | Action::Warnings) => self.modal = None,
            _ => {}
        }
        None
    }
}
