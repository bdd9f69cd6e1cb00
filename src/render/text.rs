//! Styled runs → ratatui spans, and widths (the wrapping itself is in `wrap.rs`).

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use crate::model::{RunStyle, Text};
use crate::theme::Theme;

/// The ratatui style of a run, on top of `base`.
pub fn run_style(theme: &Theme, base: Style, s: &RunStyle) -> Style {
    let mut style = base;
    if s.code {
        style = style.patch(theme.inline_code);
    }
    if s.link.is_some() {
        style = style.patch(theme.link);
    }
    if s.bold {
        style = style.add_modifier(Modifier::BOLD);
    }
    if s.italic {
        style = style.add_modifier(Modifier::ITALIC);
    }
    if s.strike {
        style = style.add_modifier(Modifier::CROSSED_OUT);
    }
    if let Some((fg, bg)) = s.class.as_ref().and_then(|c| theme.classes.get(c)) {
        style = fg.map_or(style, |c| style.fg(c));
        style = bg.map_or(style, |c| style.bg(c));
    }
    if let Some(c) = s.color.as_deref().and_then(|c| theme.color(c)) {
        style = style.fg(c);
    }
    if let Some(c) = s.background.as_deref().and_then(|c| theme.color(c)) {
        style = style.bg(c);
    }
    style
}

/// Styled spans of a text, without wrapping.
pub fn spans(theme: &Theme, base: Style, text: &Text) -> Vec<(String, Style)> {
    text.0.iter().map(|r| (r.text.clone(), run_style(theme, base, &r.style))).collect()
}

pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

pub fn line_width(line: &Line) -> usize {
    line.spans.iter().map(|s| width(&s.content)).sum()
}

/// Cut a line to `max` columns, ending with `…` when something was cut.
pub fn truncate(line: Line<'static>, max: usize) -> Line<'static> {
    if line_width(&line) <= max {
        return line;
    }
    let mut out = Vec::new();
    let mut used = 0;
    for span in line.spans {
        let mut s = String::new();
        for ch in span.content.chars() {
            let w = width(ch.encode_utf8(&mut [0; 4]));
            if used + w > max.saturating_sub(1) {
                break;
            }
            used += w;
            s.push(ch);
        }
        let full = s.len() == span.content.len();
        out.push(Span::styled(s, span.style));
        if !full {
            out.push(Span::styled("…", span.style));
            break;
        }
    }
    Line::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect()).collect()
    }

    #[test]
    fn truncates_with_ellipsis() {
        let l = truncate(Line::from("hello world"), 6);
        assert_eq!(plain(&[l]), vec!["hello…"]);
    }
}
