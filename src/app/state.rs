//! The presenter's state and what each action does to it. No I/O and no drawing here:
//! actions that need the outside world come back as `Effect`s for the event loop.

use super::editor::{Edited, Editor};
use super::edits::Edits;
use super::keys::Action;
use crate::diag::Diagnostic;
use crate::model::{Block, CodeBlock, Deck, SnippetId};
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
    /// Asks before a workshop exercise's solution replaces the attendee's code.
    ConfirmSolution {
        id: SnippetId,
        name: String,
    },
}

fn deck_has(deck: &Deck, id: SnippetId) -> bool {
    deck.snippets().any(|(_, c)| c.id == id)
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
    /// Edit the focused snippet on its slide, or in `$VISUAL`/`$EDITOR`.
    Edit,
    EditExternal,
    /// Move the focus to the slide's next snippet.
    Focus,
    /// Back to the deck's text for the focused snippet.
    Revert,
    /// Write the edits into the deck file.
    WriteBack,
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
    /// What the edits' presenter must know (kept from an earlier session, dropped by a reload).
    edit_warning: Option<Diagnostic>,
    /// Links are clickable (OSC 8): a real terminal that shows them.
    pub hyperlinks: bool,
    /// Edits made on stage, applied to `deck`.
    pub edits: Edits,
    /// Where the edits are kept as they are made (none: not kept, as in tests).
    pub edits_file: Option<std::path::PathBuf>,
    /// The snippet being edited on its slide.
    pub editing: Option<Editor>,
    /// The snippet Tab moved to: what `e`, `E`, `U` and the run key act on.
    pub focus: Option<SnippetId>,
    /// A snippet whose text changed since the notes screen was told.
    pub edit_to_send: Option<SnippetId>,
    /// Workshop exercises solved (every check passed), by name, with the code that did it;
    /// kept in `progress_file`.
    pub solved: std::collections::BTreeMap<String, String>,
    pub progress_file: Option<std::path::PathBuf>,
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
            edit_warning: None,
            hyperlinks: false,
            edits: Edits::default(),
            edits_file: None,
            editing: None,
            focus: None,
            edit_to_send: None,
            solved: std::collections::BTreeMap::new(),
            progress_file: None,
            timer: super::timer::Timer::new(std::time::Instant::now(), None),
            cli_theme,
        };
        app.set_deck(deck);
        app
    }

    fn set_deck(&mut self, mut deck: Deck) {
        let (theme, theme_warnings) = theme::resolve(&deck, self.cli_theme.as_deref());
        self.theme = theme;
        let applied = self.edits.apply(&mut deck);
        let mut warnings: Vec<Diagnostic> =
            deck.warnings.iter().cloned().chain(theme_warnings).chain(self.link_problem.clone()).collect();
        if applied.dropped > 0 {
            self.edit_warning = Some(
                Diagnostic::warning(
                    &deck.path,
                    0,
                    format!(
                        "the deck file changed {} snippet(s) you had edited: the file's text wins",
                        applied.dropped
                    ),
                )
                .with_hint("your edit of it is dropped"),
            );
            self.save_edits();
        }
        warnings.extend(self.edit_warning.clone());
        if self.editing.as_ref().is_some_and(|e| self.edits.get(e.id).is_none() && !deck_has(&deck, e.id)) {
            self.editing = None;
        }
        // A reload that brings the same warnings leaves them read.
        if warnings.iter().map(ToString::to_string).ne(self.warnings.iter().map(ToString::to_string)) {
            self.warnings_seen = 0;
        }
        self.warnings = warnings;
        self.deck = deck;
        self.slide = self.slide.min(self.deck.slides.len().saturating_sub(1));
        self.step = self.step.min(self.steps().saturating_sub(1));
    }

    /// Bring back the edits kept for this deck from an earlier session (not with `fresh`),
    /// and keep the new ones in `file`.
    pub fn restore_edits(&mut self, file: Option<std::path::PathBuf>, fresh: bool) {
        self.edits_file = file;
        let Some(path) = &self.edits_file else { return };
        if fresh {
            return;
        }
        let mut edits = Edits::load(path);
        let applied = edits.apply(&mut self.deck);
        self.edits = edits;
        if applied.applied > 0 {
            self.edit_warning = Some(
                Diagnostic::warning(
                    &self.deck.path,
                    0,
                    format!("{} snippet(s) carry edits from an earlier session", applied.applied),
                )
                .with_hint("U on a snippet reverts it to the deck's text, ctrl+s writes the edits into the deck, deck --fresh starts without them"),
            );
            self.warnings.extend(self.edit_warning.clone());
        }
    }

    /// Bring back the exercises solved in earlier sessions, and keep new ones in `file`.
    pub fn restore_progress(&mut self, file: Option<std::path::PathBuf>) {
        if let Some(path) = &file {
            self.solved = crate::files::read_regular(path, crate::files::MAX_TEXT)
                .ok()
                .and_then(|bytes| serde_json::from_slice(&bytes).ok())
                .unwrap_or_default();
        }
        self.progress_file = file;
    }

    /// Exercise `name` passed all its checks with `code`.
    pub fn mark_solved(&mut self, name: &str, code: &str) {
        if self.solved.get(name).is_some_and(|c| c == code) {
            return;
        }
        self.solved.insert(name.to_string(), code.to_string());
        let Some(path) = &self.progress_file else { return };
        let saved = std::fs::create_dir_all(path.parent().unwrap_or(std::path::Path::new("."))).and_then(|()| {
            let json = serde_json::to_vec_pretty(&self.solved).map_err(std::io::Error::other)?;
            crate::files::replace_atomically(path, |out| out.write_all(&json))
        });
        if let Err(e) = saved {
            self.warnings.push(Diagnostic::warning(path, 0, format!("cannot keep the workshop's progress: {e}")));
        }
    }

    /// `S`: ask before showing the solution of this slide's exercise (the focused one first).
    fn ask_for_solution(&mut self) {
        let here =
            self.deck.slides.get(self.slide).into_iter().flat_map(|s| &s.elements).filter_map(|e| match &e.block {
                Block::Code(c) => c.attrs.exercise.clone().map(|name| (c.id, name)),
                _ => None,
            });
        let mut exercises: Vec<(SnippetId, String)> = here.collect();
        exercises.sort_by_key(|(id, _)| Some(*id) != self.focus);
        if let Some((id, name)) = exercises.into_iter().find(|(_, name)| self.deck.solution(name).is_some()) {
            self.modal = Some(Modal::ConfirmSolution { id, name });
        }
    }

    /// Whether slide `index` holds an exercise that has been solved.
    pub fn slide_solved(&self, index: usize) -> bool {
        self.deck.slides.get(index).is_some_and(|slide| {
            slide.elements.iter().any(|e| match &e.block {
                Block::Code(c) => c.attrs.exercise.as_ref().is_some_and(|name| self.solved.contains_key(name)),
                _ => false,
            })
        })
    }

    /// The snippet `id` of the deck.
    pub fn code(&self, id: SnippetId) -> Option<&CodeBlock> {
        self.deck.snippets().map(|(_, c)| c).find(|c| c.id == id)
    }

    fn code_mut(&mut self, id: SnippetId) -> Option<&mut CodeBlock> {
        self.deck.slides.iter_mut().flat_map(|s| s.elements.iter_mut()).find_map(|e| match &mut e.block {
            Block::Code(c) if c.id == id => Some(c),
            _ => None,
        })
    }

    /// Edit snippet `id` on its slide.
    pub fn start_editing(&mut self, id: SnippetId) {
        if let Some(code) = self.code(id) {
            self.editing = Some(Editor::new(id, &code.display));
            self.focus = Some(id);
        }
    }

    /// A key in edit mode (deck's own keys were handled before).
    pub fn edit_key(&mut self, key: crossterm::event::KeyEvent) {
        let Some(editor) = &mut self.editing else { return };
        if editor.key(key) == Edited::Text {
            self.editor_changed();
        }
    }

    /// Pasted text in edit mode.
    pub fn edit_paste(&mut self, text: &str) {
        let Some(editor) = &mut self.editing else { return };
        editor.paste(text);
        self.editor_changed();
    }

    fn editor_changed(&mut self) {
        let Some(editor) = &self.editing else { return };
        let (id, shown) = (editor.id, editor.text());
        let Some(code) = self.code(id) else { return };
        let body = code.body_with_shown(&shown);
        self.set_body(id, body);
    }

    /// Snippet `id` now reads `body` (hidden lines included): shown, kept and sent on.
    pub fn set_body(&mut self, id: SnippetId, body: String) {
        let Some(code) = self.code_mut(id) else { return };
        let before = std::mem::take(&mut code.body);
        code.set_body(body.clone());
        self.edits.set(id, &before, body);
        self.save_edits();
        self.edit_to_send = Some(id);
        if let Some(editor) = &self.editing
            && editor.id == id
            && self.code(id).is_some_and(|c| c.display != editor.text())
        {
            self.editing = self.code(id).map(|c| Editor::new(id, &c.display));
        }
    }

    /// Snippet `id` back to the deck's text.
    pub fn revert(&mut self, id: SnippetId) {
        let Some(edit) = self.edits.remove(id) else { return };
        if let Some(code) = self.code_mut(id) {
            code.set_body(edit.original);
        }
        if self.editing.as_ref().is_some_and(|e| e.id == id) {
            self.editing = self.code(id).map(|c| Editor::new(id, &c.display));
        }
        self.save_edits();
        self.edit_to_send = Some(id);
    }

    /// The edits were written into the deck: what is kept for the next session goes too.
    pub fn saved_edits(&mut self) {
        self.save_edits();
    }

    fn save_edits(&mut self) {
        let Some(path) = &self.edits_file else { return };
        if let Err(e) = self.edits.save(path) {
            let d = Diagnostic::warning(path, 0, format!("cannot keep the edits: {e}"))
                .with_hint("they stay on screen for this session");
            if !self.warnings.contains(&d) {
                self.warnings.push(d);
            }
        }
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
            Action::Solution => {
                self.ask_for_solution();
                None
            }
            Action::Edit => Some(Effect::Edit),
            Action::EditExternal => Some(Effect::EditExternal),
            Action::Focus => Some(Effect::Focus),
            Action::Revert => Some(Effect::Revert),
            Action::WriteBack => Some(Effect::WriteBack),
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
        if slide != self.slide {
            self.focus = None;
            self.editing = None;
        }
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
            (Modal::ConfirmSolution { id, name }, Action::Yes | Action::Select) => {
                self.modal = None;
                let solved = self.code(id).zip(self.deck.solution(&name)).map(|(c, s)| crate::workshop::solved(c, s));
                if let Some(code) = solved {
                    self.set_body(id, code.body);
                    self.focus = Some(id);
                }
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
