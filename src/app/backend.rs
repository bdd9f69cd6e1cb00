//! The terminal backend: crossterm's, except that text after a wide character is printed
//! where the terminal's own cursor is rather than at a position deck computed.
//!
//! ratatui moves the cursor to the cell after every wide character. Terminals disagree about
//! how wide some grapheme clusters are: tmux counts an emoji with a skin tone or a ZWJ
//! sequence (`🙋🏽‍♀️`, `👨🏽‍💻`) wider than two columns, so that move made the next character
//! overwrite the end of the sequence and its modifiers were lost. Printing on lets the
//! terminal place what follows after the whole cluster, as presenterm's line-by-line output
//! does.

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

/// Wraps a backend; every call but `draw` goes straight through.
pub struct FlowingText<B>(pub B);

impl<B: Backend> Backend for FlowingText<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.0.draw(flowing(content))
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.0.hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.0.show_cursor()
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.0.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.0.set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.0.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.0.clear_region(clear_type)
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.0.size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.0.window_size()
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.0.flush()
    }
}

/// The cells to draw, with the cell right after a wide character given the column the inner
/// backend expects next (so it prints on instead of moving the cursor). Any other jump keeps
/// its real position, so the inner backend moves there.
fn flowing<'a>(content: impl Iterator<Item = (u16, u16, &'a Cell)>) -> impl Iterator<Item = (u16, u16, &'a Cell)> {
    // (real x where the next cell would follow on, y, the x the inner backend last saw)
    let mut follow: Option<(u16, u16, u16)> = None;
    content.map(move |(x, y, cell)| {
        let shown_x = match follow {
            Some((next_x, row, last_shown)) if row == y && next_x == x => last_shown + 1,
            _ => x,
        };
        // A cell's own width, or the width it is given (a link's escapes take no room).
        let width = ratatui::buffer::CellWidth::cell_width(cell).max(1);
        follow = Some((x.saturating_add(width), y, shown_x));
        (shown_x, y, cell)
    })
}

#[cfg(test)]
mod tests {
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;

    use super::*;

    #[test]
    fn text_after_a_wide_cluster_follows_on_without_a_cursor_move() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 2));
        buf.set_string(0, 0, "a👨🏽‍💻b", ratatui::style::Style::new());
        buf.set_string(5, 1, "x", ratatui::style::Style::new());
        // What ratatui sends for a first frame: the diff from an empty screen.
        let empty = Buffer::empty(buf.area);
        let cells: Vec<(u16, u16, String)> = flowing(empty.diff(&buf).into_iter())
            .filter(|(_, _, c)| c.symbol() != " ")
            .map(|(x, y, c)| (x, y, c.symbol().to_string()))
            .collect();
        // 'b' really is at column 3, after the two-column emoji: the inner backend sees column 2,
        // right after the emoji's column 1, so it prints on. 'x' on the next row moves as usual.
        assert_eq!(cells, vec![(0, 0, "a".into()), (1, 0, "👨🏽‍💻".into()), (2, 0, "b".into()), (5, 1, "x".into())]);
    }
}
