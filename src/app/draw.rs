//! Drawing reads the state and never changes it (images aside: they are a render cache).

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use super::keys::HELP;
use super::state::{App, Modal};
use crate::render::layout::Resources;
use crate::render::{self, ImageCache};

/// Draw the whole screen; returns the rows the slide overflows by (0 when it fits).
pub fn draw(f: &mut Frame, app: &App, resources: &dyn Resources, images: &mut ImageCache) -> u16 {
    let area = f.area();
    if let Some(err) = &app.error {
        draw_error(f, app, area, &err.to_string());
        return 0;
    }
    let frame = render::layout_screen(&app.deck, &app.theme, resources, app.slide, app.step, area);
    render::draw_ops(f, area, &app.theme, &frame.ops, images);
    if app.hyperlinks {
        render::hyperlink::mark(f.buffer_mut(), &frame.links);
    }
    // The audience sees the slide only: the presenter gets a discreet count in the footer's
    // corner, and reads the messages with `w`.
    let count = app.unread_warnings() + usize::from(frame.overflow > 0);
    if count > 0 && area.width >= 8 && area.height > 0 {
        let mark = Line::styled(format!("⚠ {count}"), app.theme.muted);
        f.render_widget(Paragraph::new(mark), Rect::new(area.x + 1, area.y + area.height - 1, 6, 1));
    }
    if let Some(modal) = &app.modal {
        draw_modal(f, app, modal, area, frame.overflow);
    }
    frame.overflow
}

/// The warnings as the presenter reads them: this slide's overflow first, then the deck's.
fn warning_lines(app: &App, overflow: u16, area: Rect) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if overflow > 0 {
        lines.push(Line::raw(format!(
            "this slide does not fit: {overflow} more rows needed at {}x{} (deck check --size {}x{} lists every slide)",
            area.width, area.height, area.width, area.height
        )));
    }
    for w in &app.warnings {
        lines.extend(w.to_string().lines().map(|l| Line::raw(l.to_string())));
    }
    if lines.is_empty() {
        lines.push(Line::raw("No warnings."));
    }
    lines
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [r] = Layout::horizontal([Constraint::Length(width.min(area.width))]).flex(Flex::Center).areas(area);
    let [r] = Layout::vertical([Constraint::Length(height.min(area.height))]).flex(Flex::Center).areas(r);
    r
}

fn boxed(f: &mut Frame, app: &App, area: Rect, title: &str, lines: Vec<Line<'static>>) {
    let width = lines.iter().map(render::text::line_width).max().unwrap_or(0).max(title.len()) as u16 + 4;
    let rect = centered(area, width.max(30), lines.len() as u16 + 2);
    f.render_widget(Clear, rect);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .title(format!(" {title} "))
        .style(app.theme.base)
        .border_style(Style::new().fg(app.theme.accent));
    f.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), rect);
}

pub(super) fn draw_modal(f: &mut Frame, app: &App, modal: &Modal, area: Rect, overflow: u16) {
    match modal {
        Modal::Help => {
            let lines = HELP
                .iter()
                .map(|(k, v)| {
                    Line::from(vec![Span::styled(format!("{k:<22}"), Style::new().fg(app.theme.accent)), Span::raw(*v)])
                })
                .collect();
            boxed(f, app, area, "keys", lines);
        }
        Modal::Index { selected } => {
            let rows = area.height.saturating_sub(4) as usize;
            let first = selected.saturating_sub(rows / 2);
            let lines = app
                .deck
                .slides
                .iter()
                .enumerate()
                .skip(first)
                .take(rows)
                .map(|(i, s)| {
                    let title = if s.title_text().is_empty() { "(untitled)".to_string() } else { s.title_text() };
                    // A workshop's solved exercises are ticked.
                    let tick = if app.slide_solved(i) { "  ✓" } else { "" };
                    let text = format!("{:>3}. {title}{tick}", i + 1);
                    let style = if i == *selected {
                        Style::new().fg(app.theme.accent).add_modifier(Modifier::REVERSED)
                    } else {
                        Style::new()
                    };
                    Line::styled(text, style)
                })
                .collect();
            boxed(f, app, area, "slides (enter: go, esc: close)", lines);
        }
        Modal::Warnings => boxed(f, app, area, "warnings (esc: close)", warning_lines(app, overflow, area)),
        Modal::ConfirmSolution { name, .. } => {
            let lines = vec![
                Line::raw(format!("Show the solution of `{name}`? It replaces your code on the slide")),
                Line::raw("(U brings the starter back; your code is not kept)."),
                Line::raw(""),
                Line::styled("y / enter: show it      esc: keep trying", Style::new().fg(app.theme.accent)),
            ];
            boxed(f, app, area, "solution", lines);
        }
        Modal::ConfirmExec => {
            let mut counts: Vec<(String, usize)> = Vec::new();
            for (_, code) in app.deck.snippets().filter(|(_, c)| c.attrs.exec.runs()) {
                match counts.iter_mut().find(|(l, _)| *l == code.language) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((code.language.clone(), 1)),
                }
            }
            let total: usize = counts.iter().map(|(_, n)| n).sum();
            let list = counts.iter().map(|(l, n)| format!("{n} {l}")).collect::<Vec<_>>().join(", ");
            let lines = vec![
                Line::raw(format!("This deck holds {total} runnable snippets: {list}.")),
                Line::raw("They run on your machine with your permissions."),
                Line::raw(""),
                Line::styled("y / enter: allow and run      esc: cancel", Style::new().fg(app.theme.accent)),
            ];
            boxed(f, app, area, "run code?", lines);
        }
    }
}

fn draw_error(f: &mut Frame, app: &App, area: Rect, text: &str) {
    f.render_widget(Block::default().style(app.theme.base), area);
    let mut lines: Vec<Line> = text.lines().map(|l| Line::raw(l.to_string())).collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled("Fix the file and save: the deck reloads by itself.", app.theme.muted));
    let block = Block::bordered().title(" the deck has an error ").border_style(Style::new().fg(app.theme.error));
    let rect = centered(area, area.width.saturating_sub(4), lines.len() as u16 + 2);
    f.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), rect);
}
