//! Clickable links (OSC 8) for terminals that show them: the cells where a link's URL is
//! drawn carry the escape sequences that open and close the hyperlink. Only for the live
//! terminal; tests and exports keep plain cells.

use std::num::NonZeroU16;

use ratatui::buffer::{Buffer, CellDiffOption};
use ratatui::layout::Rect;

/// Mark the cells of each link in `buf`. A URL with characters a terminal would act on
/// (control characters, an escape) is left unmarked: a deck cannot send sequences this way.
pub fn mark(buf: &mut Buffer, links: &[(Rect, String)]) {
    let one = NonZeroU16::MIN;
    for (rect, url) in links {
        let rect = rect.intersection(buf.area);
        if rect.is_empty() || url.chars().any(char::is_control) {
            continue;
        }
        let (first, last) = (rect.x, rect.right() - 1);
        for x in first..=last {
            let cell = &mut buf[(x, rect.y)];
            let mut symbol = String::new();
            if x == first {
                symbol.push_str(&format!("\x1b]8;;{url}\x1b\\"));
            }
            symbol.push_str(cell.symbol());
            if x == last {
                symbol.push_str("\x1b]8;;\x1b\\");
            }
            // The escapes take no room on screen: the cell stays one column wide.
            cell.set_symbol(&symbol).set_diff_option(CellDiffOption::ForcedWidth(one));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_opens_on_its_first_cell_and_closes_on_its_last() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 1));
        buf.set_string(0, 0, "see https://a.b now", ratatui::style::Style::new());
        mark(&mut buf, &[(Rect::new(4, 0, 11, 1), "https://a.b".into())]);
        assert_eq!(buf[(4, 0)].symbol(), "\x1b]8;;https://a.b\x1b\\h");
        assert_eq!(buf[(14, 0)].symbol(), "b\x1b]8;;\x1b\\");
        assert_eq!(buf[(5, 0)].symbol(), "t");
        // A URL carrying an escape is not passed on.
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 1));
        mark(&mut buf, &[(Rect::new(0, 0, 5, 1), "x\x1b[2J".into())]);
        assert_eq!(buf[(0, 0)].symbol(), " ");
    }
}
