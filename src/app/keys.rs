//! Keys → actions, with presenterm's default bindings. Nothing else reads raw keys.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Next,
    Prev,
    NextSlide,
    PrevSlide,
    First,
    Last,
    GoTo(usize),
    Run,
    Cancel,
    ResetPython,
    /// Scroll the output of the snippet last run: older (up) or newer (down) lines.
    ScrollOutput(i32),
    Reload,
    Index,
    Help,
    Warnings,
    Close,
    Up,
    Down,
    Select,
    Yes,
    /// Edit the focused snippet on the slide (`e`) or in `$EDITOR` (`E`); Tab moves the focus;
    /// `U` reverts an edit; ctrl+s writes the edits into the deck.
    Edit,
    EditExternal,
    /// A workshop exercise's solution, after a confirmation.
    Solution,
    Focus,
    Revert,
    WriteBack,
    /// The speaker's timer: pause or go on, and start again from zero.
    TimerPause,
    TimerReset,
    Quit,
}

/// Multi-key sequences (`gg`, `12G`) need a little memory.
#[derive(Default)]
pub struct Keymap {
    count: String,
    g_pending: bool,
}

impl Keymap {
    pub fn feed(&mut self, key: KeyEvent) -> Option<Action> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl {
            self.reset();
            return match key.code {
                KeyCode::Char('c') => Some(Action::Quit),
                KeyCode::Char('e') => Some(Action::Run),
                KeyCode::Char('r') => Some(Action::Reload),
                KeyCode::Char('p') => Some(Action::Index),
                KeyCode::Char('k') => Some(Action::Cancel),
                KeyCode::Char('s') => Some(Action::WriteBack),
                _ => None,
            };
        }
        if let KeyCode::Char(c @ '0'..='9') = key.code {
            self.g_pending = false;
            self.count.push(c);
            return None;
        }
        let count = std::mem::take(&mut self.count);
        let g = std::mem::replace(&mut self.g_pending, false);
        let action = match key.code {
            KeyCode::Char('g') if g => Action::First,
            KeyCode::Char('g') => {
                self.g_pending = true;
                return None;
            }
            KeyCode::Char('G') => match count.parse::<usize>() {
                Ok(n) => Action::GoTo(n),
                Err(_) => Action::Last,
            },
            KeyCode::Char('l' | 'j' | ' ') | KeyCode::Right | KeyCode::Down | KeyCode::PageDown => Action::Next,
            KeyCode::Char('h' | 'k') | KeyCode::Left | KeyCode::Up | KeyCode::PageUp => Action::Prev,
            KeyCode::Char('n') => Action::NextSlide,
            KeyCode::Char('p') => Action::PrevSlide,
            KeyCode::Char('?') => Action::Help,
            KeyCode::Char('w') => Action::Warnings,
            KeyCode::Char('R') => Action::ResetPython,
            KeyCode::Char('[') => Action::ScrollOutput(5),
            KeyCode::Char(']') => Action::ScrollOutput(-5),
            KeyCode::Char('y') => Action::Yes,
            KeyCode::Char('e') => Action::Edit,
            KeyCode::Char('E') => Action::EditExternal,
            KeyCode::Char('U') => Action::Revert,
            KeyCode::Char('S') => Action::Solution,
            KeyCode::Tab => Action::Focus,
            KeyCode::Char('t') => Action::TimerPause,
            KeyCode::Char('T') => Action::TimerReset,
            KeyCode::Char('q') => Action::Quit,
            KeyCode::Esc => Action::Close,
            KeyCode::Enter => Action::Select,
            KeyCode::Home => Action::First,
            KeyCode::End => Action::Last,
            _ => return None,
        };
        Some(action)
    }

    fn reset(&mut self) {
        self.count.clear();
        self.g_pending = false;
    }
}

/// The key help modal's rows.
pub const HELP: &[(&str, &str)] = &[
    ("l j → ↓ PgDn space", "next step"),
    ("h k ← ↑ PgUp", "previous step"),
    ("n / p", "next / previous slide"),
    ("gg / G", "first / last slide"),
    ("N G", "go to slide N"),
    ("ctrl+e", "run the snippet on this slide"),
    ("e / E", "edit it here / in $EDITOR (esc leaves)"),
    ("tab", "next snippet on the slide"),
    ("U", "undo every edit of the snippet"),
    ("S", "a workshop exercise's solution (asks first)"),
    ("ctrl+s", "write the edits into the deck"),
    ("ctrl+k", "stop the running snippet"),
    ("R", "fresh Python namespace"),
    ("[ / ]", "scroll snippet output up / down"),
    ("ctrl+r", "reload the deck"),
    ("ctrl+p", "slide index"),
    ("w", "deck warnings"),
    ("t / T", "timer: pause or go on / restart (deck --notes)"),
    ("?", "this help"),
    ("esc", "close"),
    ("q  ctrl+c", "quit"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(map: &mut Keymap, s: &str) -> Vec<Action> {
        s.chars().filter_map(|c| map.feed(KeyEvent::from(KeyCode::Char(c)))).collect()
    }

    #[test]
    fn sequences() {
        let mut m = Keymap::default();
        assert_eq!(keys(&mut m, "gg"), vec![Action::First]);
        assert_eq!(keys(&mut m, "12G"), vec![Action::GoTo(12)]);
        assert_eq!(keys(&mut m, "G"), vec![Action::Last]);
        assert_eq!(keys(&mut m, "gl"), vec![Action::Next]);
        assert_eq!(m.feed(KeyEvent::new(KeyCode::Char('e'), KeyModifiers::CONTROL)), Some(Action::Run));
    }
}
