//! A slide at a step, for an area → positioned operations (text lines, images).
//! The same ops drive the terminal, the tests, the exporters and the overflow check.

use std::path::PathBuf;

use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};

use super::code::{CodeView, Highlighter, code_lines, pad_line};
use super::table::table_lines;
use super::text::{line_width, spans, truncate};
use super::wrap::{wrap, wrap_line};
use crate::model::{Alignment, Block, CodeBlock, ExecMode, List, ListMarker, Slide, SnippetId};
use crate::theme::Theme;

/// Where an image's pixels come from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ImageSource {
    File(PathBuf),
    /// A picture a snippet produced, by the output's id.
    Output(u64),
}

#[derive(Debug, Clone)]
pub enum Op {
    Text { x: u16, y: u16, line: Line<'static> },
    Image { rect: Rect, source: ImageSource },
}

#[derive(Debug, Default)]
pub struct SlideFrame {
    pub ops: Vec<Op>,
    /// Rows of content below the area's bottom (0: it fits).
    pub overflow: u16,
    /// Code lines too wide for the slide, wrapped onto continuation rows.
    pub wrapped_code: usize,
    /// Where a link's URL is drawn, for terminals that make it clickable (OSC 8).
    pub links: Vec<(Rect, String)>,
}

/// What a snippet has produced so far, as the renderer needs it.
pub struct OutputView {
    /// Lines printed before `lines`, not given (no screen shows that many).
    pub hidden_above: usize,
    pub lines: Vec<Line<'static>>,
    pub status: Line<'static>,
    pub image: Option<(ImageSource, (u32, u32))>,
}

/// Lookups the layout needs from outside: snippet outputs and image sizes.
pub trait Resources {
    /// The output of snippet `id`; a snippet that `expect_failure` reads its failure as a
    /// success.
    fn output(&self, id: SnippetId, expect_failure: bool) -> Option<OutputView>;
    /// Pixel size of an image file (header only).
    fn image_size(&self, path: &std::path::Path) -> Option<(u32, u32)>;
    /// Whether snippets may run; when not, snippets that run when shown say how to allow it.
    fn exec_allowed(&self) -> bool {
        true
    }
    /// A terminal cell's size in pixels, which sizes pictures.
    fn cell_pixels(&self) -> (u16, u16) {
        (10, 20)
    }
    /// Whether snippet `id` is being edited (and where the cursor is), edited, or focused.
    fn snippet_state(&self, _id: SnippetId) -> SnippetState {
        SnippetState::default()
    }
}

/// What the presenter is doing with a snippet, as its box shows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SnippetState {
    /// Being edited on the slide: the cursor (line, character).
    pub cursor: Option<(usize, usize)>,
    /// Its text is not the deck's.
    pub edited: bool,
    /// What the run key and `e` act on (Tab moved there).
    pub focused: bool,
}

/// No outputs; sizes read from file headers. Enough for tests and static exports.
pub struct NoOutputs;

impl Resources for NoOutputs {
    fn output(&self, _: SnippetId, _: bool) -> Option<OutputView> {
        None
    }
    fn image_size(&self, path: &std::path::Path) -> Option<(u32, u32)> {
        crate::files::check_regular(path, crate::files::MAX_PICTURE).ok()?;
        image::image_dimensions(path).ok()
    }
}

pub struct LayoutCtx<'a> {
    pub theme: &'a Theme,
    pub resources: &'a dyn Resources,
}

#[derive(Clone, Copy)]
struct Region {
    x: u16,
    width: u16,
    y: u16,
}

struct Builder<'a> {
    ctx: &'a LayoutCtx<'a>,
    area: Rect,
    full: Region,
    columns: Vec<Region>,
    active: usize,
    align: Alignment,
    ops: Vec<Op>,
    max_y: u16,
    wrapped_code: usize,
    links: Vec<(Rect, String)>,
}

/// Lay out `slide` as it looks at `step`.
pub fn layout(slide: &Slide, step: usize, ctx: &LayoutCtx, area: Rect) -> SlideFrame {
    let margin = (area.width / 16).max(2).min(area.width / 4);
    let full = Region { x: area.x + margin, width: area.width.saturating_sub(2 * margin).max(1), y: area.y + 1 };
    let mut b = Builder {
        ctx,
        area,
        full,
        columns: Vec::new(),
        active: 0,
        align: Alignment::Left,
        ops: Vec::new(),
        max_y: 0,
        wrapped_code: 0,
        links: Vec::new(),
    };
    let outputs_by_id = outputs_by_id(slide);
    for element in &slide.elements {
        if element.step > step {
            continue;
        }
        b.block(&element.block, step, &outputs_by_id);
    }
    let bottom = area.y + area.height;
    SlideFrame { ops: b.ops, overflow: b.max_y.saturating_sub(bottom), wrapped_code: b.wrapped_code, links: b.links }
}

/// Outputs of snippets with `+id`, for `snippet_output` placeholders.
fn outputs_by_id(slide: &Slide) -> Vec<(String, SnippetId, bool)> {
    slide
        .elements
        .iter()
        .filter_map(|e| match &e.block {
            Block::Code(c) => c.attrs.id.clone().map(|name| (name, c.id, c.attrs.expect_failure)),
            _ => None,
        })
        .collect()
}

impl Builder<'_> {
    fn region(&mut self) -> &mut Region {
        if self.columns.is_empty() { &mut self.full } else { &mut self.columns[self.active] }
    }

    fn theme(&self) -> &Theme {
        self.ctx.theme
    }

    fn block(&mut self, block: &Block, step: usize, ids: &[(String, SnippetId, bool)]) {
        let width = self.region().width as usize;
        match block {
            Block::SlideTitle(text) => {
                let style = self.theme().title;
                let lines = wrap(&spans(self.theme(), style, text), width);
                let align = self.theme().title_alignment;
                self.emit(lines, Some(align));
                self.gap(1);
            }
            // A workshop's reference solution is never drawn (it is revealed into the exercise),
            // and its checks speak through their results, under the exercise.
            Block::Code(code) if code.attrs.solution.is_some() || code.attrs.check.is_some() => {}
            Block::Code(code) => self.code(code, step),
            Block::Image(img) => {
                let source = ImageSource::File(img.path.clone());
                let size = self.ctx.resources.image_size(&img.path);
                self.image(source, size, img.width_percent);
            }
            Block::NewLines(n) => self.gap(*n),
            Block::JumpToMiddle => {
                let mid = self.area.y + self.area.height / 2;
                let r = self.region();
                r.y = r.y.max(mid.saturating_sub(2));
            }
            Block::ColumnLayout(widths) => self.columns(widths),
            Block::Column(i) => self.active = (*i).min(self.columns.len().saturating_sub(1)),
            Block::ResetLayout => {
                let y = self.columns.iter().map(|c| c.y).max().unwrap_or(self.full.y);
                self.columns.clear();
                self.full.y = self.full.y.max(y);
            }
            Block::Alignment(a) => self.align = *a,
            Block::SnippetOutput(id) => {
                if let Some((_, snippet, expect_failure)) = ids.iter().find(|(name, _, _)| name == id) {
                    self.output(*snippet, *expect_failure);
                }
            }
            other => {
                let lines = block_lines(self.theme(), other, step, width);
                if lines.is_empty() {
                    return;
                }
                let first_op = self.ops.len();
                match other {
                    // A list is one block: its bullets share a left edge however it is aligned.
                    Block::List(_) => self.emit_block(lines, self.align),
                    // Quotes and alerts stay left on an aligned slide, as in presenterm.
                    Block::Quote(_) | Block::Alert { .. } => self.emit(lines, Some(Alignment::Left)),
                    _ => self.emit(lines, None),
                }
                self.find_links(other, first_op);
                self.gap(1);
            }
        }
    }

    fn columns(&mut self, widths: &[u16]) {
        let total: u32 = widths.iter().map(|w| u32::from(*w)).sum::<u32>().max(1);
        let start =
            if self.columns.is_empty() { self.full.y } else { self.columns.iter().map(|c| c.y).max().unwrap_or(0) };
        let gap = 2u16;
        let avail = self.full.width.saturating_sub(gap * (widths.len() as u16).saturating_sub(1));
        let mut x = self.full.x;
        self.columns = widths
            .iter()
            .map(|w| {
                let width = ((u32::from(avail) * u32::from(*w)) / total) as u16;
                let r = Region { x, width: width.max(1), y: start };
                x += width + gap;
                r
            })
            .collect();
        self.active = 0;
    }

    fn gap(&mut self, n: u16) {
        let r = self.region();
        r.y = r.y.saturating_add(n);
    }

    /// Place lines in the current region, aligned (the block's own, or the slide's).
    fn emit(&mut self, lines: Vec<Line<'static>>, align: Option<Alignment>) {
        let align = align.unwrap_or(self.align);
        let r = *self.region();
        let mut y = r.y;
        for line in lines {
            let line = truncate(line, r.width as usize);
            let w = line_width(&line) as u16;
            let x = match align {
                Alignment::Left => r.x,
                Alignment::Center => r.x + r.width.saturating_sub(w) / 2,
                Alignment::Right => r.x + r.width.saturating_sub(w),
            };
            self.ops.push(Op::Text { x, y, line });
            y = y.saturating_add(1);
        }
        self.region().y = y;
        self.max_y = self.max_y.max(y);
    }

    /// Where the URLs of `block`'s links landed among the ops from `first_op` on.
    fn find_links(&mut self, block: &Block, first_op: usize) {
        let mut urls = Vec::new();
        block_urls(block, &mut urls);
        if urls.is_empty() {
            return;
        }
        for op in &self.ops[first_op..] {
            let Op::Text { x, y, line } = op else { continue };
            let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
            for url in &urls {
                for (at, _) in text.match_indices(url.as_str()) {
                    let col = super::text::width(&text[..at]) as u16;
                    let rect = Rect::new(x + col, *y, super::text::width(url) as u16, 1);
                    self.links.push((rect, url.clone()));
                }
            }
        }
    }

    /// Place lines as one block: aligned by the widest, every line starting at the same column.
    fn emit_block(&mut self, lines: Vec<Line<'static>>, align: Alignment) {
        let r = *self.region();
        let widest = lines.iter().map(line_width).max().unwrap_or(0).min(r.width as usize) as u16;
        let x = match align {
            Alignment::Left => r.x,
            Alignment::Center => r.x + r.width.saturating_sub(widest) / 2,
            Alignment::Right => r.x + r.width.saturating_sub(widest),
        };
        let mut y = r.y;
        for line in lines {
            let line = truncate(line, (r.x + r.width).saturating_sub(x) as usize);
            self.ops.push(Op::Text { x, y, line });
            y = y.saturating_add(1);
        }
        self.region().y = y;
        self.max_y = self.max_y.max(y);
    }

    fn code(&mut self, code: &CodeBlock, step: usize) {
        let width = self.region().width as usize;
        let expect_failure = code.attrs.expect_failure;
        let view = if code.attrs.id.is_none() { self.ctx.resources.output(code.id, expect_failure) } else { None };
        // `+exec_replace` shows its code until its output replaces it.
        let replaced = code.attrs.exec == ExecMode::Replace && view.is_some();
        let mut box_width = 0;
        if !replaced {
            let state = self.ctx.resources.snippet_state(code.id);
            let label = match state {
                SnippetState { cursor: Some(_), .. } => Some("editing · esc leaves"),
                SnippetState { edited: true, .. } => Some("edited"),
                SnippetState { focused: true, .. } => Some("▸"),
                _ => None,
            };
            // Code and output share one width and one left edge.
            let output_width = view.as_ref().map_or(0, natural_width);
            let window = state.cursor.and_then(|cursor| self.edit_window(code, cursor.0, view.as_ref()));
            let code_view = CodeView { min_width: output_width, max_width: width, cursor: state.cursor, window, label };
            let lines = code_lines(Highlighter::global(), self.theme(), code, step, &code_view);
            let continued = super::code::CONTINUATION;
            self.wrapped_code += lines.iter().filter(|l| l.spans.iter().any(|s| s.content == continued)).count();
            box_width = lines.first().map_or(0, line_width);
            let align = self.theme().code_alignment;
            self.emit(lines, Some(align));
        }
        if let Some(view) = view {
            self.output_box(view, box_width, code.attrs.no_background);
        } else if code.attrs.exec.on_display() && !self.ctx.resources.exec_allowed() {
            // presenterm's words, so a deck rehearsed there reads the same.
            let attr = if code.attrs.exec == ExecMode::Replace { "+exec_replace" } else { "+auto_exec" };
            let line = Line::styled(format!("snippet {attr} is disabled, run with -X to enable"), self.theme().error);
            self.gap(1);
            self.emit(vec![line], Some(self.theme().code_alignment));
        }
        self.gap(1);
    }

    /// The lines of an edited snippet that fit above its output, around the cursor: the
    /// snippet grows until the slide is full, then scrolls; its output stays in sight.
    fn edit_window(
        &mut self,
        code: &CodeBlock,
        row: usize,
        view: Option<&OutputView>,
    ) -> Option<std::ops::Range<usize>> {
        let lines = code.display.lines().count().max(row + 1);
        let output = view.map_or(0, |v| 1 + v.lines.len().min(3));
        let bottom = self.area.y + self.area.height;
        let room = usize::from(bottom.saturating_sub(self.region().y)).saturating_sub(output + 3).max(3);
        (lines > room).then(|| {
            let start = (row + 1).saturating_sub(room);
            start..start + room
        })
    }

    /// The output of a snippet shown by `+id` elsewhere on the slide.
    fn output(&mut self, id: SnippetId, expect_failure: bool) {
        if let Some(view) = self.ctx.resources.output(id, expect_failure) {
            self.output_box(view, 0, false);
        }
    }

    /// A snippet's output box (status line, text lines, picture), `width` wide when it sits
    /// under its code (else as wide as it needs). Long lines wrap; when the box is taller than
    /// the room left, the last lines show (the output scrolls).
    fn output_box(&mut self, mut view: OutputView, width: usize, no_background: bool) {
        let room_width = self.region().width as usize;
        let box_width = if width > 0 { width } else { natural_width(&view).max(40) }.min(room_width.max(1));
        // A space each side of the text.
        let text_width = box_width.saturating_sub(2).max(1);
        let mut wrapped: Vec<Line<'static>> = view.lines.iter().flat_map(|l| wrap_line(l, text_width)).collect();
        let status = wrap_line(&view.status, text_width);
        let bottom = self.area.y + self.area.height;
        let room = bottom.saturating_sub(self.region().y).saturating_sub(1 + status.len() as u16).max(3) as usize;
        if view.hidden_above + wrapped.len() > room {
            let drop = (wrapped.len() + 1).saturating_sub(room).min(wrapped.len());
            wrapped.drain(..drop);
            let cut = view.hidden_above + drop;
            wrapped.insert(0, Line::styled(format!("… {cut} more lines above"), self.theme().muted));
        }
        let theme = self.theme();
        let bg = match (no_background, theme.code_bg) {
            (true, _) => theme.base.bg.unwrap_or(Color::Reset),
            (false, Color::Rgb(r, g, b)) => Color::Rgb(r.saturating_sub(8), g.saturating_sub(8), b.saturating_sub(8)),
            (false, other) => other,
        };
        // Output without colours of its own reads in the theme's text colour.
        let plain = theme.base.bg(bg);
        let boxed = |line: Line<'static>| {
            let mut spans = vec![Span::styled(" ", plain)];
            spans.extend(line.spans.into_iter().map(|s| Span::styled(s.content, plain.patch(s.style))));
            pad_line(Line::from(spans), box_width, bg)
        };
        let lines: Vec<Line<'static>> = status.into_iter().chain(wrapped).map(boxed).collect();
        let align = self.theme().code_alignment;
        self.emit(lines, Some(align));
        if let Some((source, size)) = view.image.take() {
            self.gap(1);
            self.image(source, Some(size), None);
        }
    }

    fn image(&mut self, source: ImageSource, size: Option<(u32, u32)>, percent: Option<u16>) {
        let r = *self.region();
        let Some((pw, ph)) = size.filter(|(w, h)| *w > 0 && *h > 0) else {
            let name = match &source {
                ImageSource::File(p) => p.display().to_string(),
                ImageSource::Output(_) => "output".into(),
            };
            self.emit(vec![Line::styled(format!("[unreadable image: {name}]"), self.theme().muted)], None);
            return;
        };
        // A picture shows at its own size where it fits, in the terminal's cells.
        let (cell_w, cell_h) = self.ctx.resources.cell_pixels();
        let (cell_w, cell_h) = (u64::from(cell_w.max(1)), u64::from(cell_h.max(1)));
        let natural = (u64::from(pw) / cell_w).clamp(1, u64::from(u16::MAX)) as u16;
        let mut cols = match percent {
            Some(p) => (u32::from(r.width) * u32::from(p) / 100) as u16,
            None => natural.min(r.width),
        }
        .max(1);
        let rows_for =
            |cols: u16| ((u64::from(cols) * cell_w * u64::from(ph)) / (u64::from(pw) * cell_h)).max(1) as u16;
        let bottom = self.area.y + self.area.height;
        // Leave room for what follows an unsized picture: at most 60% of the slide's height.
        let cap = if percent.is_some() { self.area.height } else { self.area.height * 3 / 5 };
        let room = bottom.saturating_sub(r.y).saturating_sub(1).min(cap).max(4);
        if rows_for(cols) > room {
            cols = ((u64::from(room) * cell_h * u64::from(pw)) / (u64::from(ph) * cell_w)).max(1) as u16;
        }
        let rows = rows_for(cols);
        // Images are centred, as presenterm does, unless the slide is right-aligned.
        let x = match self.align {
            Alignment::Right => r.x + r.width.saturating_sub(cols),
            _ => r.x + r.width.saturating_sub(cols) / 2,
        };
        self.ops.push(Op::Image { rect: Rect::new(x, r.y, cols, rows), source });
        let y = r.y + rows + 1;
        self.region().y = y;
        self.max_y = self.max_y.max(y);
    }
}

/// The URLs of the links in a block's text, nested blocks included.
fn block_urls(block: &Block, out: &mut Vec<String>) {
    fn text(t: &crate::model::Text, out: &mut Vec<String>) {
        for run in &t.0 {
            if let Some(url) = &run.style.link
                && !out.contains(url)
            {
                out.push(url.clone());
            }
        }
    }
    match block {
        Block::Paragraph(t) | Block::SlideTitle(t) | Block::Heading { text: t, .. } => text(t, out),
        Block::List(list) => {
            for item in &list.items {
                text(&item.text, out);
                item.children.iter().for_each(|c| block_urls(c, out));
            }
        }
        Block::Table(table) => table.header.iter().chain(table.rows.iter().flatten()).for_each(|t| text(t, out)),
        Block::Quote(blocks) | Block::Alert { blocks, .. } | Block::Footnote { blocks, .. } => {
            for b in blocks {
                block_urls(b, out);
            }
        }
        _ => {}
    }
}

/// The columns an output needs: its widest line and status, a space each side.
fn natural_width(view: &OutputView) -> usize {
    view.lines.iter().map(line_width).max().unwrap_or(0).max(line_width(&view.status)) + 2
}

/// Lines of a block that is only text (no images, no outputs).
pub fn block_lines(theme: &Theme, block: &Block, step: usize, width: usize) -> Vec<Line<'static>> {
    let base = theme.base;
    match block {
        Block::Paragraph(text) => wrap(&spans(theme, base, text), width),
        Block::SlideTitle(text) => wrap(&spans(theme, theme.title, text), width),
        Block::Heading { level, text } => wrap(&spans(theme, theme.heading(*level), text), width),
        Block::List(list) => list_lines(theme, list, step, width),
        Block::Table(table) => table_lines(theme, table, step, width),
        Block::Quote(blocks) => prefixed(theme, blocks, step, width, "▍ ", theme.quote, None),
        Block::Alert { kind, blocks, .. } => {
            let color = theme.alert_color(*kind);
            let style = Style::new().fg(color);
            let title = Line::from(vec![
                Span::styled("▍ ", style),
                Span::styled(kind.label().to_string(), style.add_modifier(ratatui::style::Modifier::BOLD)),
            ]);
            prefixed(theme, blocks, step, width, "▍ ", base, Some((title, style)))
        }
        Block::Code(code) => {
            code_lines(Highlighter::global(), theme, code, step, &CodeView { max_width: width, ..CodeView::default() })
        }
        Block::Rule => vec![Line::styled("─".repeat(width), theme.muted)],
        Block::Footnote { label, blocks } => {
            let mut lines = Vec::new();
            for (i, b) in blocks.iter().enumerate() {
                for line in block_lines(theme, b, step, width.saturating_sub(label.len() + 3)) {
                    let head =
                        if i == 0 && lines.is_empty() { format!("[{label}] ") } else { " ".repeat(label.len() + 3) };
                    let mut spans = vec![Span::styled(head, theme.muted)];
                    spans.extend(line.spans);
                    lines.push(Line::from(spans));
                }
            }
            lines
        }
        Block::Placeholder(text) => vec![Line::styled(text.clone(), Style::new().fg(theme.error))],
        _ => Vec::new(),
    }
}

fn prefixed(
    theme: &Theme,
    blocks: &[Block],
    step: usize,
    width: usize,
    prefix: &str,
    style: Style,
    title: Option<(Line<'static>, Style)>,
) -> Vec<Line<'static>> {
    let bar_style = title.as_ref().map_or(theme.muted, |(_, s)| *s);
    let mut out: Vec<Line<'static>> = title.map(|(l, _)| l).into_iter().collect();
    // Inner blocks draw on the quote's style: one themed copy for the whole quote.
    let themed = Theme { base: theme.base.patch(style), ..theme.clone() };
    for (i, b) in blocks.iter().enumerate() {
        if i > 0 {
            out.push(Line::styled(prefix.to_string(), bar_style));
        }
        for line in block_lines(&themed, b, step, width.saturating_sub(2)) {
            let mut spans = vec![Span::styled(prefix.to_string(), bar_style)];
            spans.extend(line.spans.into_iter().map(|s| Span::styled(s.content, style.patch(s.style))));
            out.push(Line::from(spans));
        }
    }
    out
}

/// A list as presenterm draws it: three columns of indent a level, the marker and two
/// spaces (`   •  item`), wrapped text under the text, `list_item_newlines` after each item.
fn list_lines(theme: &Theme, list: &List, step: usize, width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for item in list.items.iter().filter(|item| item.step <= step) {
        let indent = " ".repeat((usize::from(item.depth) + 1) * 3);
        let marker = match item.marker {
            ListMarker::Bullet => format!("{}  ", ["•", "◦", "▪"][usize::from(item.depth).min(2)]),
            ListMarker::Period(n) => format!("{n}. "),
            ListMarker::Paren(n) => format!("{n}) "),
        };
        let task = match item.task {
            Some(true) => "[x] ",
            Some(false) => "[ ] ",
            None => "",
        };
        let lead = text_width(&indent) + text_width(&marker) + text_width(task);
        let accent = Style::new().fg(theme.accent);
        let body = wrap(&spans(theme, theme.base, &item.text), width.saturating_sub(lead).max(1));
        for (i, line) in body.into_iter().enumerate() {
            let mut spans = if i == 0 {
                vec![Span::raw(indent.clone()), Span::styled(marker.clone(), accent), Span::styled(task, accent)]
            } else {
                vec![Span::raw(" ".repeat(lead))]
            };
            spans.extend(line.spans);
            out.push(Line::from(spans));
        }
        for child in &item.children {
            for line in block_lines(theme, child, step, width.saturating_sub(lead)) {
                let mut spans = vec![Span::raw(" ".repeat(lead))];
                spans.extend(line.spans);
                out.push(Line::from(spans));
            }
        }
        out.extend((0..list.spacing).map(|_| Line::default()));
    }
    out
}

fn text_width(s: &str) -> usize {
    super::text::width(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slide(markdown: &str) -> Slide {
        let deck = crate::parse::parse_str(markdown, std::path::Path::new("test.md")).expect("parses");
        deck.slides.into_iter().next().expect("a slide")
    }

    /// Text ops as (x, y, text), in the order laid out.
    fn texts(frame: &SlideFrame) -> Vec<(u16, u16, String)> {
        frame
            .ops
            .iter()
            .filter_map(|op| match op {
                Op::Text { x, y, line } => Some((*x, *y, line.to_string().trim_end().to_string())),
                Op::Image { .. } => None,
            })
            .collect()
    }

    fn find(frame: &SlideFrame, needle: &str) -> Option<(u16, u16)> {
        texts(frame).into_iter().find(|(_, _, t)| t.contains(needle)).map(|(x, y, _)| (x, y))
    }

    fn lay(slide: &Slide, step: usize, resources: &dyn Resources, area: Rect) -> SlideFrame {
        let theme = Theme::named("catppuccin-mocha").expect("built-in theme");
        layout(slide, step, &LayoutCtx { theme: &theme, resources }, area)
    }

    const AREA: Rect = Rect { x: 0, y: 0, width: 80, height: 24 };

    #[test]
    fn later_steps_reveal_what_follows_a_pause() {
        let s = slide("first words\n\n<!-- pause -->\n\nrevealed words\n");
        assert!(find(&lay(&s, 0, &NoOutputs, AREA), "revealed").is_none());
        let frame = lay(&s, 1, &NoOutputs, AREA);
        let (_, first) = find(&frame, "first words").unwrap();
        let (_, revealed) = find(&frame, "revealed words").unwrap();
        assert!(revealed > first, "below what came before");
    }

    #[test]
    fn columns_sit_side_by_side_and_the_reset_continues_below_both() {
        let s = slide(
            "<!-- column_layout: [1, 1] -->\n<!-- column: 0 -->\nleft one\n\nleft two\n\nleft three\n\n\
             <!-- column: 1 -->\nright one\n<!-- reset_layout -->\nbelow all\n",
        );
        let frame = lay(&s, 0, &NoOutputs, AREA);
        let (lx, ly) = find(&frame, "left one").unwrap();
        let (rx, ry) = find(&frame, "right one").unwrap();
        assert_eq!(ly, ry, "same row");
        assert!(rx >= lx + 30, "right column at the middle: {lx} vs {rx}");
        let (_, three) = find(&frame, "left three").unwrap();
        let (bx, below) = find(&frame, "below all").unwrap();
        assert!(below > three, "after the taller column");
        assert_eq!(bx, lx, "full width again, from the left margin");
    }

    #[test]
    fn centred_lines_are_centred_in_the_margins() {
        let s = slide("<!-- alignment: center -->\nmiddle\n");
        let (x, _) = find(&lay(&s, 0, &NoOutputs, AREA), "middle").unwrap();
        assert_eq!(x, (80 - 6) / 2);
    }

    #[test]
    fn jump_to_middle_moves_down_to_the_middle() {
        let s = slide("<!-- jump_to_middle -->\nhalfway\n");
        let (_, y) = find(&lay(&s, 0, &NoOutputs, AREA), "halfway").unwrap();
        assert!((10..=12).contains(&y), "row {y} of 24");
    }

    #[test]
    fn overflow_counts_the_rows_past_the_bottom() {
        let fits = slide("one\n\ntwo\n");
        assert_eq!(lay(&fits, 0, &NoOutputs, AREA).overflow, 0);
        let paragraphs: String = (0..30).map(|i| format!("paragraph {i}\n\n")).collect();
        let tall = slide(&paragraphs);
        let frame = lay(&tall, 0, &NoOutputs, AREA);
        // 30 paragraphs with a gap between each, from row 1: the last on row 59, 24 rows fit.
        assert_eq!(frame.overflow, 60 - 24);
    }

    #[test]
    fn nothing_is_drawn_outside_the_width() {
        let s = slide(&format!("{}\n\n```python\n{}\n```\n", "word ".repeat(60), "x = 1 + ".repeat(30)));
        for (x, _, text) in texts(&lay(&s, 0, &NoOutputs, AREA)) {
            let width = unicode_width::UnicodeWidthStr::width(text.as_str()) as u16;
            assert!(x + width <= 80, "`{text}` at column {x} is past 80");
        }
    }

    /// Resources with one image size and one snippet output of `lines` lines.
    struct Fake {
        lines: usize,
    }

    impl Resources for Fake {
        fn output(&self, _: SnippetId, _: bool) -> Option<OutputView> {
            let lines = (0..self.lines).map(|i| Line::raw(format!("output line {i}"))).collect();
            Some(OutputView { hidden_above: 0, lines, status: Line::raw("✓ done"), image: None })
        }
        fn image_size(&self, _: &std::path::Path) -> Option<(u32, u32)> {
            Some((2000, 1000))
        }
    }

    /// One output of the given lines.
    struct Printed(Vec<&'static str>);

    impl Resources for Printed {
        fn output(&self, _: SnippetId, _: bool) -> Option<OutputView> {
            let lines = self.0.iter().map(|l| Line::raw(*l)).collect();
            Some(OutputView { hidden_above: 0, lines, status: Line::raw("✓ 3ms"), image: None })
        }
        fn image_size(&self, _: &std::path::Path) -> Option<(u32, u32)> {
            Some((2000, 1000))
        }
    }

    #[test]
    fn an_unsized_picture_keeps_its_aspect_and_leaves_room_below() {
        // A file that exists (the parser checks); Fake says it is 2000x1000.
        let s = slide(&format!("![a picture]({}/tests/decks/presenterm/doge.png)\n", env!("CARGO_MANIFEST_DIR")));
        let frame = lay(&s, 0, &Fake { lines: 0 }, AREA);
        let rect = frame
            .ops
            .iter()
            .find_map(|op| match op {
                Op::Image { rect, .. } => Some(*rect),
                Op::Text { .. } => None,
            })
            .expect("an image op");
        assert!(rect.height <= AREA.height * 3 / 5, "at most 60% of the height: {rect:?}");
        // 2:1 pixels, cells twice as tall as wide: columns = 4 x rows.
        assert_eq!(rect.width, rect.height * 4, "{rect:?}");
        assert_eq!(rect.x, (80 - rect.width) / 2, "centred");
    }

    #[test]
    fn output_and_code_wrap_rather_than_lose_their_ends() {
        let punchline = "ValueError: factorial(21) is too large: the limit is 20";
        let long_code = "print(rust_demo.factorial(21))  # the limit is twenty, and this is twenty-one";
        let s = slide(&format!("```python +exec\n{long_code}\n```\n"));
        for area in [Rect::new(0, 0, 100, 30), Rect::new(0, 0, 120, 36), Rect::new(0, 0, 50, 24)] {
            let frame = lay(&s, 0, &Printed(vec![punchline]), area);
            let all: Vec<String> = texts(&frame).into_iter().map(|(_, _, t)| t.trim().to_string()).collect();
            assert!(all.iter().all(|t| !t.contains('…')), "{area:?}: nothing cut: {all:#?}");
            let squash =
                |s: &str| s.split_whitespace().collect::<String>().replace(super::super::code::CONTINUATION.trim(), "");
            let joined = squash(&all.join(" "));
            assert!(joined.contains(&squash(punchline)), "{area:?}: the whole punchline: {all:#?}");
            assert!(joined.contains(&squash(long_code)), "{area:?}: the whole code line: {all:#?}");
            // Code and output share a left edge and a width.
            let (code_x, _) = find(&frame, "print(rust_demo").unwrap();
            let (out_x, _) = find(&frame, "✓ 3ms").unwrap();
            assert_eq!(code_x, out_x, "{area:?}: the output lines up with its code");
        }
    }

    #[test]
    fn a_links_url_is_located_where_it_is_drawn() {
        let s = slide("See [the docs](https://example.com/docs) now.\n");
        let frame = lay(&s, 0, &NoOutputs, AREA);
        let (x, y) = find(&frame, "See the docs").unwrap();
        let at = "See the docs (".len() as u16;
        assert_eq!(frame.links, vec![(Rect::new(x + at, y, 24, 1), "https://example.com/docs".to_string())]);
    }

    #[test]
    fn no_background_code_and_its_output_draw_on_the_page() {
        let s = slide("```bash +exec +no_background\necho plain\n```\n");
        let theme = Theme::named("catppuccin-mocha").unwrap();
        let frame = lay(&s, 0, &Printed(vec!["plain"]), AREA);
        let page = theme.base.bg.unwrap();
        for (_, _, line) in frame.ops.iter().filter_map(|op| match op {
            Op::Text { x, y, line } => Some((x, y, line)),
            Op::Image { .. } => None,
        }) {
            for span in &line.spans {
                assert!(span.style.bg.is_none_or(|bg| bg == page), "{line:?} has a box");
            }
        }
    }

    /// Fake, but with the terminal's cells 8x16 pixels: the picture takes the columns its
    /// pixels need at that size.
    struct SmallCells;

    impl Resources for SmallCells {
        fn output(&self, _: SnippetId, _: bool) -> Option<OutputView> {
            None
        }
        fn image_size(&self, _: &std::path::Path) -> Option<(u32, u32)> {
            Some((400, 200))
        }
        fn cell_pixels(&self) -> (u16, u16) {
            (8, 16)
        }
    }

    #[test]
    fn pictures_are_sized_with_the_terminals_own_cells() {
        let s = slide(&format!("![a picture]({}/tests/decks/presenterm/doge.png)\n", env!("CARGO_MANIFEST_DIR")));
        let rect = |resources: &dyn Resources| {
            lay(&s, 0, resources, AREA)
                .ops
                .iter()
                .find_map(|op| match op {
                    Op::Image { rect, .. } => Some(*rect),
                    Op::Text { .. } => None,
                })
                .expect("an image op")
        };
        // 400 pixels wide in 8-pixel cells: 50 columns; 200 high in 16-pixel rows: 12.
        assert_eq!((rect(&SmallCells).width, rect(&SmallCells).height), (50, 12));
    }

    #[test]
    fn a_long_output_shows_its_last_lines_under_its_code() {
        let s = slide("```python +exec\nprint('x')\n```\n");
        let frame = lay(&s, 0, &Fake { lines: 100 }, AREA);
        let (_, code) = find(&frame, "print('x')").unwrap();
        let (_, status) = find(&frame, "✓ done").unwrap();
        assert!(status > code, "the output is under its code");
        assert!(find(&frame, "output line 99").is_some(), "the last line shows");
        assert!(find(&frame, "output line 0 ").is_none() && find(&frame, "more lines above").is_some());
        assert_eq!(frame.overflow, 0, "the output scrolls inside the slide");
    }
}
