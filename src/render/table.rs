//! Tables with column alignment, box-drawing borders, and rows that appear by step.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::text::{line_width, spans, truncate};
use super::wrap::wrap;
use crate::model::{Alignment, Table};
use crate::theme::Theme;

pub fn table_lines(theme: &Theme, table: &Table, step: usize, max_width: usize) -> Vec<Line<'static>> {
    let cols = table.header.len().max(table.rows.iter().map(Vec::len).max().unwrap_or(0));
    if cols == 0 {
        return Vec::new();
    }
    let cell = |row: &[crate::model::Text], i: usize, style: Style| {
        row.get(i).map(|t| spans(theme, style, t)).unwrap_or_default()
    };
    let header_style = theme.base.add_modifier(Modifier::BOLD);
    let visible_rows: Vec<&Vec<crate::model::Text>> = table
        .rows
        .iter()
        .enumerate()
        .filter(|(i, _)| table.row_steps.get(i + 1).is_none_or(|s| *s <= step))
        .map(|(_, r)| r)
        .collect();
    // Natural widths, then shrink the widest columns until the table fits.
    let mut widths: Vec<usize> = (0..cols)
        .map(|i| {
            std::iter::once(&table.header)
                .chain(visible_rows.iter().copied())
                .map(|row| cell(row, i, theme.base).iter().map(|(t, _)| super::text::width(t)).sum::<usize>())
                .max()
                .unwrap_or(0)
                .max(1)
        })
        .collect();
    let overhead = 3 * cols + 1;
    while widths.iter().sum::<usize>() + overhead > max_width && widths.iter().any(|w| *w > 3) {
        let widest = widths.iter().enumerate().max_by_key(|(_, w)| **w).map_or(0, |(i, _)| i);
        widths[widest] -= 1;
    }
    let border = theme.muted;
    let rule = |l: &str, m: &str, r: &str| {
        let inner: Vec<String> = widths.iter().map(|w| "─".repeat(w + 2)).collect();
        Line::styled(format!("{l}{}{r}", inner.join(m)), border)
    };
    let row_lines = |row: &[crate::model::Text], style: Style| -> Vec<Line<'static>> {
        let cells: Vec<Vec<Line<'static>>> = (0..cols).map(|i| wrap(&cell(row, i, style), widths[i])).collect();
        let height = cells.iter().map(Vec::len).max().unwrap_or(1);
        (0..height)
            .map(|h| {
                let mut out = vec![Span::styled("│", border)];
                for (i, lines) in cells.iter().enumerate() {
                    let line = truncate(lines.get(h).cloned().unwrap_or_default(), widths[i]);
                    let pad = widths[i].saturating_sub(line_width(&line));
                    let (before, after) = match table.aligns.get(i).copied().unwrap_or_default() {
                        Alignment::Left => (0, pad),
                        Alignment::Center => (pad / 2, pad - pad / 2),
                        Alignment::Right => (pad, 0),
                    };
                    out.push(Span::raw(" ".repeat(before + 1)));
                    out.extend(line.spans);
                    out.push(Span::raw(" ".repeat(after + 1)));
                    out.push(Span::styled("│", border));
                }
                Line::from(out)
            })
            .collect()
    };
    let mut out = vec![rule("┌", "┬", "┐")];
    out.extend(row_lines(&table.header, header_style));
    out.push(rule("├", "┼", "┤"));
    for row in visible_rows {
        out.extend(row_lines(row, theme.base));
    }
    out.push(rule("└", "┴", "┘"));
    out
}
