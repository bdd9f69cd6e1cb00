//! The footer: a template with placeholders (left/center/right, text or image), a progress
//! bar, or nothing.

use ratatui::layout::Rect;
use ratatui::text::Line;

use super::layout::{ImageSource, Op};
use super::text::{line_width, spans, truncate};
use crate::model::Deck;
use crate::theme::{Footer, FooterItem, Theme};

/// Rows the footer takes at the bottom of the screen.
pub fn height(theme: &Theme) -> u16 {
    match &theme.footer {
        Footer::Template { height, .. } => *height,
        Footer::ProgressBar { .. } => 1,
        Footer::Empty => 0,
    }
}

pub fn footer_ops(theme: &Theme, deck: &Deck, index: usize, area: Rect) -> Vec<Op> {
    let total = deck.slides.len().max(1);
    match &theme.footer {
        Footer::Empty => Vec::new(),
        Footer::ProgressBar { character } => {
            let filled = (area.width as usize * (index + 1)) / total;
            let line =
                Line::styled(character.to_string().repeat(filled), ratatui::style::Style::new().fg(theme.accent));
            vec![Op::Text { x: area.x, y: area.y + area.height.saturating_sub(1), line }]
        }
        Footer::Template { left, center, right, .. } => {
            let margin = (area.width / 16).max(2);
            let inner = Rect::new(area.x + margin, area.y, area.width.saturating_sub(2 * margin), area.height);
            let third = inner.width / 3;
            let mut ops = Vec::new();
            for (item, slot) in [(left, 0u16), (center, 1), (right, 2)] {
                let Some(item) = item else { continue };
                let cell = Rect::new(
                    inner.x + slot * third,
                    inner.y,
                    if slot == 2 { inner.width - 2 * third } else { third },
                    inner.height,
                );
                ops.extend(item_ops(theme, deck, index, item, cell, slot));
            }
            ops
        }
    }
}

fn item_ops(theme: &Theme, deck: &Deck, index: usize, item: &FooterItem, cell: Rect, slot: u16) -> Vec<Op> {
    match item {
        FooterItem::Image { image } => {
            let path = deck.path.parent().unwrap_or(std::path::Path::new("")).join(image);
            if !path.is_file() {
                return Vec::new();
            }
            let rows = cell.height.max(1);
            let cols = (rows * 2).min(cell.width);
            let x = match slot {
                0 => cell.x,
                1 => cell.x + cell.width.saturating_sub(cols) / 2,
                _ => cell.x + cell.width.saturating_sub(cols),
            };
            vec![Op::Image { rect: Rect::new(x, cell.y, cols, rows), source: ImageSource::File(path) }]
        }
        FooterItem::Text(template) => {
            let text = crate::parse::inline::parse_inline_markdown(&fill(template, deck, index));
            let line = truncate(
                Line::from(
                    spans(theme, theme.muted, &text)
                        .into_iter()
                        .map(|(t, s)| ratatui::text::Span::styled(t, s))
                        .collect::<Vec<_>>(),
                ),
                cell.width as usize,
            );
            let w = line_width(&line) as u16;
            let x = match slot {
                0 => cell.x,
                1 => cell.x + cell.width.saturating_sub(w) / 2,
                _ => cell.x + cell.width.saturating_sub(w),
            };
            vec![Op::Text { x, y: cell.y + cell.height.saturating_sub(1), line }]
        }
    }
}

/// Replace `{current_slide}`, `{total_slides}`, `{title}`, `{author}`, ... in a template.
pub fn fill(template: &str, deck: &Deck, index: usize) -> String {
    let meta = &deck.meta;
    let title = meta.title.as_ref().map(super::super::model::Text::plain).unwrap_or_default();
    template
        .replace("{current_slide}", &(index + 1).to_string())
        .replace("{total_slides}", &deck.slides.len().to_string())
        .replace("{title}", &title)
        .replace("{sub_title}", &meta.sub_title.as_ref().map(super::super::model::Text::plain).unwrap_or_default())
        .replace("{author}", &meta.authors.join(", "))
        .replace("{event}", meta.event.as_deref().unwrap_or(""))
        .replace("{location}", meta.location.as_deref().unwrap_or(""))
        .replace("{date}", meta.date.as_deref().unwrap_or(""))
}
