//! Line breaking for styled text, as a typesetter does it: breaks only where Unicode allows
//! one (UAX #14, from `unicode-linebreak`), across style runs, widths measured without the
//! trailing spaces, and words longer than a line split between graphemes. Nothing is dropped.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_linebreak::{BreakOpportunity, linebreaks};
use unicode_segmentation::UnicodeSegmentation;

use super::text::width;

/// Wrap styled pieces to `max` columns. A `'\n'` inside a piece is a hard break.
pub fn wrap(pieces: &[(String, Style)], max: usize) -> Vec<Line<'static>> {
    let max = max.max(1);
    let paragraphs = split_hard_breaks(pieces);
    let count = paragraphs.len();
    let mut lines = Vec::new();
    for (i, paragraph) in paragraphs.into_iter().enumerate() {
        // Text that ends in a hard break has no empty line after it.
        if i + 1 == count && i > 0 && paragraph.text.is_empty() {
            break;
        }
        paragraph.wrap_into(max, &mut lines);
    }
    lines
}

/// Wrap one already styled line (a snippet's output) to `max` columns.
pub fn wrap_line(line: &Line<'_>, max: usize) -> Vec<Line<'static>> {
    let pieces: Vec<(String, Style)> =
        line.spans.iter().map(|s| (s.content.replace('\n', " "), line.style.patch(s.style))).collect();
    wrap(&pieces, max)
}

/// One paragraph's text, with the style starting at each byte offset.
#[derive(Default)]
struct Paragraph {
    text: String,
    styles: Vec<(usize, Style)>,
}

fn split_hard_breaks(pieces: &[(String, Style)]) -> Vec<Paragraph> {
    let mut out = vec![Paragraph::default()];
    for (text, style) in pieces {
        for (i, part) in text.split('\n').enumerate() {
            if i > 0 {
                out.push(Paragraph::default());
            }
            let para = out.last_mut().expect("never empty");
            if !part.is_empty() {
                para.styles.push((para.text.len(), *style));
                para.text.push_str(part);
            }
        }
    }
    out
}

impl Paragraph {
    fn wrap_into(&self, max: usize, lines: &mut Vec<Line<'static>>) {
        let text = self.text.as_str();
        // The current line is text[start..end]; `end` includes trailing spaces.
        let mut start = 0;
        let mut end = 0;
        let mut segment_start = 0;
        let pushed_before = lines.len();
        for (brk, kind) in linebreaks(text) {
            let segment = &text[segment_start..brk];
            let fits = width(text[start..end].as_ref()) + width(segment.trim_end()) <= max;
            if end > start && !fits {
                // Leading spaces that leave no room for the first word are dropped.
                if !text[start..end].trim().is_empty() {
                    lines.push(self.line(start, end));
                }
                start = segment_start;
            }
            end = brk;
            if end > start && width(text[start..end].trim_end()) > max {
                // A word wider than a line: whole lines of graphemes, the rest stays open.
                start = self.split_long(start, end, max, lines);
            }
            if kind == BreakOpportunity::Mandatory && brk < text.len() {
                lines.push(self.line(start, end));
                start = end;
            }
            segment_start = brk;
        }
        if end > start || lines.len() == pushed_before {
            lines.push(self.line(start, end));
        }
    }

    /// Emit full lines from text[start..end] grapheme by grapheme; returns where the rest starts.
    fn split_long(&self, start: usize, end: usize, max: usize, lines: &mut Vec<Line<'static>>) -> usize {
        let mut line_start = start;
        let mut used = 0;
        for (offset, grapheme) in self.text[start..end].grapheme_indices(true) {
            let at = start + offset;
            let w = width(grapheme);
            if used + w > max && used > 0 && !grapheme.trim().is_empty() {
                // Spaces wider than the line (deep indentation) are all that is dropped.
                if !self.text[line_start..at].trim().is_empty() {
                    lines.push(self.line(line_start, at));
                }
                line_start = at;
                used = 0;
            }
            used += w;
        }
        line_start
    }

    /// text[start..end] without its trailing spaces, as styled spans.
    fn line(&self, start: usize, end: usize) -> Line<'static> {
        let end = start + self.text[start..end].trim_end().len();
        let mut spans: Vec<Span<'static>> = Vec::new();
        for (i, &(at, style)) in self.styles.iter().enumerate() {
            let next = self.styles.get(i + 1).map_or(self.text.len(), |s| s.0);
            let (a, b) = (at.max(start), next.min(end));
            if a >= b {
                continue;
            }
            let piece = &self.text[a..b];
            match spans.last_mut() {
                Some(last) if last.style == style => last.content.to_mut().push_str(piece),
                _ => spans.push(Span::styled(piece.to_string(), style)),
            }
        }
        Line::from(spans)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use ratatui::style::Modifier;

    fn plain(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect()).collect()
    }

    fn one(text: &str, max: usize) -> Vec<String> {
        plain(&wrap(&[(text.to_string(), Style::new())], max))
    }

    #[test]
    fn breaks_between_words_and_keeps_everything() {
        assert_eq!(one("the quick brown fox jumps", 10), vec!["the quick", "brown fox", "jumps"]);
        assert_eq!(one("abcdefghijkl", 5), vec!["abcde", "fghij", "kl"]);
    }

    #[test]
    fn trailing_spaces_do_not_count_toward_the_fit() {
        assert_eq!(one("the quick", 9), vec!["the quick"]);
        assert_eq!(one("aaaa bbbb", 4), vec!["aaaa", "bbbb"]);
    }

    #[test]
    fn breaks_only_where_a_break_is_allowed_even_across_styles() {
        let code = Style::new().add_modifier(Modifier::BOLD);
        let pieces = vec![
            ("Use ".to_string(), Style::new()),
            ("#[pyclass]".to_string(), code),
            (", ".to_string(), Style::new()),
            ("#[pymodule]".to_string(), code),
            (" (and more)".to_string(), Style::new()),
        ];
        // From the widest unbreakable word ("#[pyclass]," and "#[pymodule]": 11 columns) up.
        for max in 11..40 {
            for line in plain(&wrap(&pieces, max)) {
                assert!(!line.starts_with(',') && !line.starts_with(')'), "width {max}: {line:?}");
                assert!(!line.ends_with('('), "width {max}: {line:?}");
            }
        }
        assert_eq!(plain(&wrap(&pieces, 16)), vec!["Use #[pyclass],", "#[pymodule] (and", "more)"]);
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
        assert_eq!(one("a\n\nb", 20), vec!["a", "", "b"]);
        assert_eq!(one("a\n", 20), vec!["a"]);
        assert_eq!(one("", 20), vec![""]);
    }

    #[test]
    fn long_words_split_between_graphemes() {
        // "é" written as e + combining accent stays whole.
        let word = "e\u{301}".repeat(6);
        let lines = one(&word, 4);
        assert_eq!(lines, vec!["e\u{301}".repeat(4), "e\u{301}".repeat(2)]);
        assert_eq!(one("漢字漢字漢字", 4), vec!["漢字", "漢字", "漢字"]);
    }

    fn words() -> impl Strategy<Value = Vec<(String, bool)>> {
        prop::collection::vec(("[a-z(),.é漢 ]{0,12}|\n", any::<bool>()), 0..12)
    }

    proptest! {
        #[test]
        fn no_line_is_wider_than_the_limit(pieces in words(), max in 2usize..30) {
            let pieces: Vec<(String, Style)> = pieces.into_iter()
                .map(|(t, b)| (t, if b { Style::new().add_modifier(Modifier::BOLD) } else { Style::new() }))
                .collect();
            for line in wrap(&pieces, max) {
                prop_assert!(super::super::text::line_width(&line) <= max, "{line:?} at {max}");
            }
        }

        #[test]
        fn text_round_trips_and_no_empty_line_appears_without_a_hard_break(pieces in words(), max in 2usize..30) {
            let pieces: Vec<(String, Style)> = pieces.into_iter().map(|(t, _)| (t, Style::new())).collect();
            let all: String = pieces.iter().map(|(t, _)| t.as_str()).collect();
            let lines = plain(&wrap(&pieces, max));
            let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            prop_assert_eq!(squash(&lines.concat()), squash(&all));
            let blank_paragraphs = all.split('\n').filter(|p| p.trim().is_empty()).count();
            let empty_lines = lines.iter().filter(|l| l.is_empty()).count();
            prop_assert!(empty_lines <= blank_paragraphs, "{all:?} → {lines:?}");
        }
    }
}
