//! The speaker's screen (`deck --notes`): the current slide's notes rendered as markdown, a
//! preview of what comes next, elapsed time, the clock, the slide number and the presenter's
//! snippet status.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::state::App;
use crate::render::layout::{LayoutCtx, Resources};
use crate::render::{self, ImageCache};

pub fn draw(f: &mut Frame, app: &App, resources: &dyn Resources, images: &mut ImageCache) -> u16 {
    let area = f.area();
    f.render_widget(Block::default().style(app.theme.base), area);
    let [bar, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let [notes_area, next_area] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(body);
    f.render_widget(Paragraph::new(status_bar(app)).style(app.theme.base.add_modifier(Modifier::REVERSED)), bar);
    // The deck's warnings, in full: the audience never sees them, the speaker does.
    let lines: Vec<Line> = app
        .warnings
        .iter()
        .flat_map(|w| w.to_string().lines().map(|l| Line::raw(l.to_string())).collect::<Vec<_>>())
        .collect();
    let rows = if lines.is_empty() { 0 } else { (lines.len() as u16 + 1).min(notes_area.height / 3) };
    let [notes_area, warnings_area] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(rows)]).areas(notes_area);
    if rows > 0 {
        let block =
            Block::default().borders(Borders::TOP | Borders::RIGHT).border_style(app.theme.muted).title(Span::styled(
                format!(" ⚠ {} warning{} ", app.warnings.len(), if app.warnings.len() == 1 { "" } else { "s" }),
                Style::new().fg(app.theme.accent),
            ));
        f.render_widget(
            Paragraph::new(lines).block(block).wrap(ratatui::widgets::Wrap { trim: false }).style(app.theme.muted),
            warnings_area,
        );
    }
    draw_notes(f, app, resources, notes_area);
    draw_next(f, app, resources, images, next_area);
    // The keys that open something (help, index, warnings, run consent) open it here too.
    if let Some(modal) = &app.modal {
        super::draw::draw_modal(f, app, modal, area, 0);
    }
    0
}

fn status_bar(app: &App) -> Line<'static> {
    let now = std::time::Instant::now();
    let clock = wall_clock();
    let total = app.deck.slides.len();
    let position = format!(" slide {} / {total} · step {} / {} · ", app.slide + 1, app.step + 1, app.steps());
    // Past the talk's length, the timer reads in the error colour.
    let timer_style = if app.timer.over(now) { Style::new().fg(app.theme.error) } else { Style::new() };
    let mut spans = vec![Span::raw(position), Span::styled(app.timer.text(now), timer_style)];
    let mut rest = format!(" · {clock}");
    if !app.remote_status.is_empty() {
        rest.push_str(&format!(" · {}", app.remote_status));
    }
    spans.push(Span::raw(rest));
    Line::from(spans)
}

/// Local time as HH:MM, in the system's time zone (`TZ` or /etc/localtime).
fn wall_clock() -> String {
    jiff::Zoned::now().strftime("%H:%M").to_string()
}

fn draw_notes(f: &mut Frame, app: &App, resources: &dyn Resources, area: Rect) {
    let block = Block::default()
        .borders(Borders::RIGHT)
        .border_style(app.theme.muted)
        .title(Span::styled(" notes ", Style::new().fg(app.theme.accent)));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some(slide) = app.deck.slides.get(app.slide) else { return };
    let title = slide.title_text();
    let heading = Line::styled(if title.is_empty() { "(untitled)".to_string() } else { title }, app.theme.title);
    f.render_widget(Paragraph::new(heading), Rect::new(inner.x + 1, inner.y + 1, inner.width.saturating_sub(2), 1));
    let body = Rect::new(inner.x, inner.y + 2, inner.width, inner.height.saturating_sub(2));
    if slide.notes.is_empty() {
        f.render_widget(Paragraph::new(Line::styled(" no notes for this slide", app.theme.muted)), body);
        return;
    }
    // Notes are markdown: parse them like a one-slide deck and lay them out like a slide.
    let text = slide.notes.join("\n\n");
    let Ok(notes) = crate::parse::parse_str(&text, &app.deck.path) else { return };
    let Some(notes_slide) = notes.slides.first() else { return };
    let ctx = LayoutCtx { theme: &app.theme, resources };
    let frame = render::layout::layout(notes_slide, usize::MAX, &ctx, body);
    let mut images = ImageCache::new();
    render::draw_ops_over(f, body, &frame.ops, &mut images);
}

fn draw_next(f: &mut Frame, app: &App, resources: &dyn Resources, images: &mut ImageCache, area: Rect) {
    let label = match app.next_position() {
        Some((s, _)) if s == app.slide => " next: this slide's next step ",
        Some(_) => " next slide ",
        None => " end of the deck ",
    };
    let block = Block::default().title(Span::styled(label, Style::new().fg(app.theme.accent)));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if let Some((slide, step)) = app.next_position() {
        let frame = render::layout_screen(&app.deck, &app.theme, resources, slide, step, inner);
        render::draw_ops(f, inner, &app.theme, &frame.ops, images);
    }
}
