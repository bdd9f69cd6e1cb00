//! Styled runs → wrapped ratatui lines.

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

/// Greedy word wrap of styled pieces to `width` columns. `"\n"` pieces break lines.
/// Words longer than a line are split; nothing is lost.
pub fn wrap(pieces: &[(String, Style)], max: usize) -> Vec<Line<'static>> {
    let max = max.max(1);
    let mut lines = Vec::new();
    let mut cur: Vec<Span<'static>> = Vec::new();
    let mut cur_w = 0;
    let flush = |cur: &mut Vec<Span<'static>>, cur_w: &mut usize, lines: &mut Vec<Line<'static>>| {
        // Drop trailing spaces so alignment is exact.
        if let Some(last) = cur.last_mut() {
            let trimmed = last.content.trim_end().to_string();
            last.content = trimmed.into();
        }
        lines.push(Line::from(std::mem::take(cur)));
        *cur_w = 0;
    };
    for (text, style) in pieces {
        if text == "\n" {
            flush(&mut cur, &mut cur_w, &mut lines);
            continue;
        }
        for word in split_keep_spaces(text) {
            let w = width(word);
            if cur_w + w > max && cur_w > 0 {
                flush(&mut cur, &mut cur_w, &mut lines);
                if word.trim().is_empty() {
                    continue;
                }
            }
            if w > max {
                for chunk in hard_split(word, max) {
                    if cur_w > 0 {
                        flush(&mut cur, &mut cur_w, &mut lines);
                    }
                    cur_w = width(&chunk);
                    cur.push(Span::styled(chunk, *style));
                }
                continue;
            }
            cur_w += w;
            match cur.last_mut() {
                Some(last) if last.style == *style => last.content = format!("{}{word}", last.content).into(),
                _ => cur.push(Span::styled(word.to_string(), *style)),
            }
        }
    }
    if !cur.is_empty() || lines.is_empty() {
        flush(&mut cur, &mut cur_w, &mut lines);
    }
    lines
}

/// Words with their trailing spaces attached, so joins keep the author's spacing.
fn split_keep_spaces(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = s;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let word_end = rest.find(' ').unwrap_or(rest.len());
        let end = rest[word_end..].find(|c| c != ' ').map_or(rest.len(), |i| word_end + i);
        let (word, tail) = rest.split_at(end);
        rest = tail;
        Some(word)
    })
}

fn hard_split(word: &str, max: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    for ch in word.chars() {
        let last = out.last_mut().expect("non-empty");
        if width(last) + width(ch.encode_utf8(&mut [0; 4])) > max {
            out.push(String::new());
        }
        out.last_mut().expect("non-empty").push(ch);
    }
    out
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
    fn wraps_on_words_and_keeps_everything() {
        let p = vec![("the quick brown fox jumps".to_string(), Style::new())];
        assert_eq!(plain(&wrap(&p, 10)), vec!["the quick", "brown fox", "jumps"]);
        let p = vec![("abcdefghijkl".to_string(), Style::new())];
        assert_eq!(plain(&wrap(&p, 5)), vec!["abcde", "fghij", "kl"]);
    }

    #[test]
    fn hard_breaks_and_styles_survive() {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let p = vec![
            ("a ".to_string(), Style::new()),
            ("b".to_string(), bold),
            ("\n".to_string(), Style::new()),
            ("c".to_string(), Style::new()),
        ];
        let lines = wrap(&p, 20);
        assert_eq!(plain(&lines), vec!["a b", "c"]);
        assert_eq!(lines[0].spans[1].style, bold);
    }

    #[test]
    fn truncates_with_ellipsis() {
        let l = truncate(Line::from("hello world"), 6);
        assert_eq!(plain(&[l]), vec!["hello…"]);
    }
}
