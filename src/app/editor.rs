//! Editing a snippet on its slide: the text as lines, a cursor, undo and redo. What is typed
//! is inserted exactly (no closing brackets or quotes added: the audience sees what the
//! presenter types); Enter keeps the line's indentation, Tab indents.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::model::SnippetId;

/// Spaces a Tab inserts (to the next multiple), and Shift+Tab removes.
const INDENT: usize = 4;
/// Lines PageUp and PageDown move by.
const PAGE: usize = 10;

#[derive(Debug, Clone)]
pub struct Editor {
    pub id: SnippetId,
    pub lines: Vec<String>,
    /// The cursor: line, and position in the line in characters.
    pub row: usize,
    pub col: usize,
    undo: Vec<Snapshot>,
    redo: Vec<Snapshot>,
    /// The last change was typing a word's characters: more typing joins its undo step.
    typing: bool,
}

#[derive(Debug, Clone)]
struct Snapshot {
    lines: Vec<String>,
    row: usize,
    col: usize,
}

/// What a key did to the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edited {
    /// The text changed.
    Text,
    /// Only the cursor moved.
    Cursor,
    /// Not an editing key.
    Ignored,
}

impl Editor {
    /// Edit `text`, the cursor at the end of its last line.
    pub fn new(id: SnippetId, text: &str) -> Self {
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        if lines.is_empty() {
            lines.push(String::new());
        }
        let row = lines.len() - 1;
        let col = lines[row].chars().count();
        Self { id, lines, row, col, undo: Vec::new(), redo: Vec::new(), typing: false }
    }

    /// The text, a newline after every line.
    pub fn text(&self) -> String {
        self.lines.iter().map(|l| format!("{l}\n")).collect()
    }

    pub fn key(&mut self, key: KeyEvent) -> Edited {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('z') if ctrl => self.undo(),
            KeyCode::Char('y') if ctrl => self.redo(),
            KeyCode::Char('Z') if ctrl => self.redo(),
            KeyCode::Char(_) if ctrl || key.modifiers.contains(KeyModifiers::ALT) => Edited::Ignored,
            KeyCode::Char(c) => {
                self.change(!c.is_whitespace());
                self.insert_char(c);
                Edited::Text
            }
            KeyCode::Enter => {
                self.change(false);
                let indent: String = self.lines[self.row].chars().take_while(|c| *c == ' ' || *c == '\t').collect();
                self.split_line();
                self.lines[self.row].insert_str(0, &indent);
                self.col = indent.chars().count();
                Edited::Text
            }
            KeyCode::Tab => {
                self.change(false);
                let spaces = INDENT - self.col % INDENT;
                for _ in 0..spaces {
                    self.insert_char(' ');
                }
                Edited::Text
            }
            KeyCode::BackTab => self.dedent(),
            KeyCode::Backspace => self.backspace(),
            KeyCode::Delete => self.delete(),
            KeyCode::Left => self.moved(|e| {
                if e.col > 0 {
                    e.col -= 1;
                } else if e.row > 0 {
                    e.row -= 1;
                    e.col = e.len(e.row);
                }
            }),
            KeyCode::Right => self.moved(|e| {
                if e.col < e.len(e.row) {
                    e.col += 1;
                } else if e.row + 1 < e.lines.len() {
                    e.row += 1;
                    e.col = 0;
                }
            }),
            KeyCode::Up => self.moved(|e| e.go_row(e.row.saturating_sub(1))),
            KeyCode::Down => self.moved(|e| e.go_row(e.row + 1)),
            KeyCode::PageUp => self.moved(|e| e.go_row(e.row.saturating_sub(PAGE))),
            KeyCode::PageDown => self.moved(|e| e.go_row(e.row + PAGE)),
            KeyCode::Home => self.moved(|e| e.col = 0),
            KeyCode::End => self.moved(|e| e.col = e.len(e.row)),
            _ => Edited::Ignored,
        }
    }

    /// Pasted text (bracketed paste), inserted exactly as one undo step.
    pub fn paste(&mut self, text: &str) -> Edited {
        self.change(false);
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        for c in text.chars() {
            if c == '\n' {
                self.split_line();
            } else {
                self.insert_char(c);
            }
        }
        Edited::Text
    }

    fn len(&self, row: usize) -> usize {
        self.lines[row].chars().count()
    }

    fn byte(&self, row: usize, col: usize) -> usize {
        self.lines[row].char_indices().nth(col).map_or(self.lines[row].len(), |(b, _)| b)
    }

    fn go_row(&mut self, row: usize) {
        self.row = row.min(self.lines.len() - 1);
        self.col = self.col.min(self.len(self.row));
    }

    fn moved(&mut self, f: impl FnOnce(&mut Self)) -> Edited {
        f(self);
        self.typing = false;
        Edited::Cursor
    }

    fn insert_char(&mut self, c: char) {
        let at = self.byte(self.row, self.col);
        self.lines[self.row].insert(at, c);
        self.col += 1;
    }

    fn split_line(&mut self) {
        let at = self.byte(self.row, self.col);
        let rest = self.lines[self.row].split_off(at);
        self.lines.insert(self.row + 1, rest);
        self.row += 1;
        self.col = 0;
    }

    fn backspace(&mut self) -> Edited {
        if self.col == 0 && self.row == 0 {
            return Edited::Cursor;
        }
        self.change(false);
        if self.col > 0 {
            let at = self.byte(self.row, self.col - 1);
            self.lines[self.row].remove(at);
            self.col -= 1;
        } else {
            let line = self.lines.remove(self.row);
            self.row -= 1;
            self.col = self.len(self.row);
            self.lines[self.row].push_str(&line);
        }
        Edited::Text
    }

    fn delete(&mut self) -> Edited {
        if self.col == self.len(self.row) && self.row + 1 == self.lines.len() {
            return Edited::Cursor;
        }
        self.change(false);
        if self.col < self.len(self.row) {
            let at = self.byte(self.row, self.col);
            self.lines[self.row].remove(at);
        } else {
            let next = self.lines.remove(self.row + 1);
            self.lines[self.row].push_str(&next);
        }
        Edited::Text
    }

    fn dedent(&mut self) -> Edited {
        let spaces = self.lines[self.row].chars().take_while(|c| *c == ' ').count().min(INDENT);
        if spaces == 0 {
            return Edited::Cursor;
        }
        self.change(false);
        self.lines[self.row].replace_range(..spaces, "");
        self.col = self.col.saturating_sub(spaces);
        Edited::Text
    }

    /// Before a change: remember the text for undo (a run of typed word characters is one step).
    fn change(&mut self, typing: bool) {
        if !(typing && self.typing) {
            self.undo.push(self.snapshot());
        }
        self.redo.clear();
        self.typing = typing;
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot { lines: self.lines.clone(), row: self.row, col: self.col }
    }

    fn restore(&mut self, s: Snapshot) {
        self.lines = s.lines;
        self.row = s.row;
        self.col = s.col;
    }

    fn undo(&mut self) -> Edited {
        let Some(s) = self.undo.pop() else { return Edited::Cursor };
        self.redo.push(self.snapshot());
        self.restore(s);
        self.typing = false;
        Edited::Text
    }

    fn redo(&mut self) -> Edited {
        let Some(s) = self.redo.pop() else { return Edited::Cursor };
        self.undo.push(self.snapshot());
        self.restore(s);
        self.typing = false;
        Edited::Text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(e: &mut Editor, keys: &[KeyCode]) {
        for k in keys {
            e.key(KeyEvent::from(*k));
        }
    }

    fn typed(e: &mut Editor, text: &str) {
        for c in text.chars() {
            let code = if c == '\n' { KeyCode::Enter } else { KeyCode::Char(c) };
            e.key(KeyEvent::from(code));
        }
    }

    #[test]
    fn typing_goes_where_the_cursor_is_exactly_as_typed() {
        let mut e = Editor::new(SnippetId(1), "print(1)\n");
        assert_eq!((e.row, e.col), (0, 8), "the cursor starts at the end of the last line");
        typed(&mut e, "; print(\"TYPED\")");
        assert_eq!(e.text(), "print(1); print(\"TYPED\")\n", "no closing quote or bracket added");
        press(&mut e, &[KeyCode::Home]);
        typed(&mut e, "x = [");
        assert_eq!(e.text(), "x = [print(1); print(\"TYPED\")\n");
    }

    #[test]
    fn enter_keeps_the_indentation_and_tab_indents() {
        let mut e = Editor::new(SnippetId(1), "def f():\n    return 1\n");
        typed(&mut e, "\nx");
        assert_eq!(e.text(), "def f():\n    return 1\n    x\n");
        press(&mut e, &[KeyCode::Home, KeyCode::Tab]);
        assert_eq!(e.lines[2], "        x");
        press(&mut e, &[KeyCode::BackTab]);
        assert_eq!(e.lines[2], "    x");
    }

    #[test]
    fn backspace_and_delete_join_lines() {
        let mut e = Editor::new(SnippetId(1), "ab\ncd\n");
        press(&mut e, &[KeyCode::Home, KeyCode::Backspace]);
        assert_eq!(e.text(), "abcd\n");
        assert_eq!((e.row, e.col), (0, 2));
        press(&mut e, &[KeyCode::Delete]);
        assert_eq!(e.text(), "abd\n");
    }

    #[test]
    fn undo_and_redo_go_word_by_word() {
        let mut e = Editor::new(SnippetId(1), "");
        typed(&mut e, "one two");
        e.key(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL));
        assert_eq!(e.text(), "one \n");
        e.key(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL));
        assert_eq!(e.text(), "one\n");
        e.key(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::CONTROL));
        assert_eq!(e.text(), "one \n");
    }

    #[test]
    fn paste_inserts_text_exactly_as_one_step() {
        let mut e = Editor::new(SnippetId(1), "x\n");
        e.paste("\n    if y:\r\n        z()");
        assert_eq!(e.text(), "x\n    if y:\n        z()\n");
        e.key(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL));
        assert_eq!(e.text(), "x\n");
    }

    #[test]
    fn arrows_stay_inside_the_text_and_wide_characters_count_once() {
        let mut e = Editor::new(SnippetId(1), "é漢\nab\n");
        press(&mut e, &[KeyCode::Up, KeyCode::End]);
        assert_eq!((e.row, e.col), (0, 2));
        typed(&mut e, "!");
        assert_eq!(e.lines[0], "é漢!");
        press(&mut e, &[KeyCode::PageDown, KeyCode::PageDown, KeyCode::Right, KeyCode::Right, KeyCode::Right]);
        assert_eq!((e.row, e.col), (1, 2));
    }
}
