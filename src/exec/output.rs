//! What snippets printed, kept per snippet and bounded: the last `MAX_LINES` lines, with a
//! count of what was dropped. ANSI colours are kept and turned into styles when drawn.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use ansi_to_tui::IntoText;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};

use super::{Outcome, Report, SnippetId};
use crate::render::layout::{ImageSource, OutputView};

pub const MAX_LINES: usize = 10_000;
/// Longer lines are cut: one runaway line must not hold megabytes.
const MAX_LINE_BYTES: usize = 4_000;

#[derive(Debug, Default)]
pub struct SnippetOutput {
    pub lines: VecDeque<(String, bool)>,
    partial: [String; 2],
    pub dropped: usize,
    pub started: Option<Instant>,
    pub finished: Option<(Outcome, Duration)>,
    pub image: Option<(u32, u32)>,
    pub scroll: usize,
}

impl SnippetOutput {
    fn push_text(&mut self, text: &str, stderr: bool) {
        let slot = usize::from(stderr);
        let mut rest = text;
        while let Some(nl) = rest.find('\n') {
            let mut line = std::mem::take(&mut self.partial[slot]);
            line.push_str(&rest[..nl]);
            self.push_line(line, stderr);
            rest = &rest[nl + 1..];
        }
        let partial = &mut self.partial[slot];
        if partial.len() < MAX_LINE_BYTES {
            partial.push_str(rest);
        }
    }

    fn push_line(&mut self, line: String, stderr: bool) {
        // A carriage return redraws the line (progress bars): keep what was drawn last.
        let line = match line.trim_end_matches('\r').rsplit_once('\r') {
            Some((_, last)) => last.to_string(),
            None => line.trim_end_matches('\r').to_string(),
        };
        let line =
            if line.len() > MAX_LINE_BYTES { format!("{}…", truncate_at_char(&line, MAX_LINE_BYTES)) } else { line };
        if self.lines.len() == MAX_LINES {
            self.lines.pop_front();
            self.dropped += 1;
        }
        self.lines.push_back((line, stderr));
    }

    fn flush_partials(&mut self) {
        for stderr in [false, true] {
            let p = std::mem::take(&mut self.partial[usize::from(stderr)]);
            if !p.rsplit('\r').next().unwrap_or("").is_empty() {
                self.push_line(p, stderr);
            }
        }
    }

    /// Every line, partial ones included, as plain text (for `deck run` and tests).
    pub fn text(&self) -> String {
        let mut out: String = self.lines.iter().map(|(l, _)| format!("{l}\n")).collect();
        for p in &self.partial {
            out.push_str(p.rsplit('\r').next().unwrap_or(""));
        }
        out
    }

    pub fn running(&self) -> bool {
        self.started.is_some() && self.finished.is_none()
    }
}

fn truncate_at_char(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[derive(Default)]
pub struct OutputStore {
    pub outputs: HashMap<SnippetId, SnippetOutput>,
}

impl OutputStore {
    /// Apply an engine report; returns the picture to register, if it carried one.
    pub fn apply(&mut self, report: Report) -> Option<(SnippetId, image::RgbaImage)> {
        match report {
            // A run already marked as started (by whoever started it) keeps its output.
            Report::Started { id } => {
                if !self.outputs.get(&id).is_some_and(SnippetOutput::running) {
                    self.outputs
                        .insert(id, SnippetOutput { started: Some(Instant::now()), ..SnippetOutput::default() });
                }
            }
            Report::Output { id, text, stderr } => self.outputs.entry(id).or_default().push_text(&text, stderr),
            Report::Image { id, image } => {
                self.outputs.entry(id).or_default().image = Some(image.dimensions());
                return Some((id, image));
            }
            Report::Finished { id, outcome, elapsed } => {
                let out = self.outputs.entry(id).or_default();
                out.flush_partials();
                out.finished = Some((outcome, elapsed));
            }
        }
        None
    }

    pub fn get(&self, id: SnippetId) -> Option<&SnippetOutput> {
        self.outputs.get(&id)
    }

    pub fn any_running(&self) -> bool {
        self.outputs.values().any(SnippetOutput::running)
    }

    pub fn view(&self, id: SnippetId, colors: &StatusColors) -> Option<OutputView> {
        let out = self.outputs.get(&id)?;
        let mut lines = Vec::new();
        if out.dropped > 0 {
            lines.push(Line::styled(format!("… {} earlier lines dropped", out.dropped), Style::new().fg(colors.muted)));
        }
        let skip_end = out.scroll.min(out.lines.len());
        let visible = out.lines.iter().take(out.lines.len() - skip_end);
        for (text, stderr) in visible {
            lines.push(styled_line(text, *stderr, colors));
        }
        for (i, p) in out.partial.iter().enumerate() {
            // A partial line shows what was drawn after its last carriage return.
            let shown = p.rsplit('\r').next().unwrap_or("");
            if !shown.is_empty() {
                lines.push(styled_line(shown, i == 1, colors));
            }
        }
        let image = out.image.map(|size| (ImageSource::Output(id.image_key()), size));
        Some(OutputView { lines, status: status_line(out, colors), image })
    }
}

/// Colours for status lines and stderr.
pub struct StatusColors {
    pub muted: Color,
    pub error: Color,
    pub success: Color,
    pub accent: Color,
}

fn styled_line(text: &str, stderr: bool, colors: &StatusColors) -> Line<'static> {
    let mut line = match text.as_bytes().into_text() {
        Ok(t) if text.contains('\x1b') => t.lines.into_iter().next().unwrap_or_default(),
        _ => Line::raw(text.to_string()),
    };
    if stderr {
        line.spans.insert(0, Span::styled("▌", Style::new().fg(colors.error)));
        for span in line.spans.iter_mut().skip(1) {
            if span.style.fg.is_none() {
                span.style = span.style.fg(colors.error);
            }
        }
    }
    line
}

fn status_line(out: &SnippetOutput, c: &StatusColors) -> Line<'static> {
    let (text, color) = match &out.finished {
        None => {
            let t = out.started.map(|s| s.elapsed()).unwrap_or_default();
            (format!("⏳ running… {}", fmt_duration(t)), c.accent)
        }
        Some((outcome, t)) => match outcome {
            Outcome::Success | Outcome::Exit(0) => (format!("✓ {}", fmt_duration(*t)), c.success),
            Outcome::Failed => (format!("✗ failed after {}", fmt_duration(*t)), c.error),
            Outcome::Exit(code) => (format!("✗ exit status {code} after {}", fmt_duration(*t)), c.error),
            Outcome::Cancelled => (format!("■ stopped after {}", fmt_duration(*t)), c.error),
            Outcome::TimedOut(limit) => (format!("⏱ timed out after {}", fmt_duration(*limit)), c.error),
        },
    };
    Line::styled(text, Style::new().fg(color))
}

pub fn fmt_duration(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 1.0 {
        format!("{:.0} µs", ms * 1000.0)
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// Image file sizes, read from headers once.
#[derive(Default)]
pub struct ImageSizes(RefCell<HashMap<PathBuf, Option<(u32, u32)>>>);

/// What the layout sees of the running session.
pub struct Live<'a> {
    pub outputs: &'a OutputStore,
    pub sizes: &'a ImageSizes,
    pub colors: StatusColors,
}

impl crate::render::layout::Resources for Live<'_> {
    fn output(&self, slide: usize, element: usize) -> Option<OutputView> {
        self.outputs.view(SnippetId { slide, element }, &self.colors)
    }

    fn image_size(&self, path: &std::path::Path) -> Option<(u32, u32)> {
        *self.sizes.0.borrow_mut().entry(path.to_path_buf()).or_insert_with(|| image::image_dimensions(path).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> SnippetId {
        SnippetId { slide: 0, element: 0 }
    }

    #[test]
    fn bounded_with_a_drop_count() {
        let mut store = OutputStore::default();
        store.apply(Report::Started { id: id() });
        let text: String = (0..MAX_LINES + 5).map(|i| format!("{i}\n")).collect();
        store.apply(Report::Output { id: id(), text, stderr: false });
        let out = store.get(id()).unwrap();
        assert_eq!(out.lines.len(), MAX_LINES);
        assert_eq!(out.dropped, 5);
        assert_eq!(out.lines.front().unwrap().0, "5");
    }

    #[test]
    fn partial_lines_join_and_carriage_returns_redraw() {
        let mut store = OutputStore::default();
        store.apply(Report::Output { id: id(), text: "ab".into(), stderr: false });
        store.apply(Report::Output { id: id(), text: "c\n10%\r50%\r100%\n".into(), stderr: false });
        let out = store.get(id()).unwrap();
        assert_eq!(out.text(), "abc\n100%\n");
    }
}
