//! How the presenter, the notes screen and the exports see snippet outputs: the engines' plain
//! text and outcomes (`exec::output`) turned into styled lines and status rows for the layout.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;

use ansi_to_tui::IntoText;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};

use super::layout::{ImageSource, OutputView, Resources};
use crate::exec::output::{OutputStore, SnippetOutput, fmt_duration};
use crate::exec::{Outcome, SnippetId};

/// Colours for status lines and stderr.
pub struct StatusColors {
    pub muted: Color,
    pub error: Color,
    pub success: Color,
    pub accent: Color,
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

impl Resources for Live<'_> {
    fn output(&self, slide: usize, element: usize) -> Option<OutputView> {
        let id = SnippetId { slide, element };
        self.outputs.get(id).map(|out| view(id, out, &self.colors))
    }

    fn image_size(&self, path: &std::path::Path) -> Option<(u32, u32)> {
        *self.sizes.0.borrow_mut().entry(path.to_path_buf()).or_insert_with(|| image::image_dimensions(path).ok())
    }
}

/// A snippet's output as the layout draws it: a status row, the lines it printed (scrolled
/// back by its `scroll`), and its picture.
pub fn view(id: SnippetId, out: &SnippetOutput, colors: &StatusColors) -> OutputView {
    let mut lines = Vec::new();
    if out.dropped > 0 {
        lines.push(Line::styled(format!("… {} earlier lines dropped", out.dropped), Style::new().fg(colors.muted)));
    }
    let skip_end = out.scroll.min(out.lines.len());
    for (text, stderr) in out.lines.iter().take(out.lines.len() - skip_end) {
        lines.push(styled_line(text, *stderr, colors));
    }
    for (text, stderr) in out.partial_lines() {
        lines.push(styled_line(text, stderr, colors));
    }
    if let Some(progress) = &out.progress {
        lines.push(Line::styled(format!("⚙ {progress}"), Style::new().fg(colors.muted)));
    }
    let image = out.image.map(|size| (ImageSource::Output(id.image_key()), size));
    OutputView { lines, status: status_line(out, colors), image }
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
