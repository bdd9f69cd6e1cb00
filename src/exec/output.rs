//! What snippets printed, kept per snippet and bounded: the last `MAX_LINES` lines, with a
//! count of what was dropped. Plain text: ANSI colours are kept as they came, and turned into
//! styles where drawn (`render::live`).

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use super::{Outcome, Report, SnippetId};

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
    /// The engine's latest progress (e.g. the crate being compiled), until output or the end.
    pub progress: Option<String>,
}

impl SnippetOutput {
    fn push_text(&mut self, text: &str, stderr: bool) {
        let slot = usize::from(stderr);
        let mut rest = text;
        // More whole lines than are kept: skip to the last MAX_LINES without storing the rest.
        let newlines = text.bytes().filter(|&b| b == b'\n').count();
        if newlines > MAX_LINES + 1 {
            let skip = newlines - MAX_LINES;
            let (at, _) = text.match_indices('\n').nth(skip - 1).expect("counted");
            self.partial[slot].clear();
            self.dropped += skip + self.lines.len();
            self.lines.clear();
            rest = &text[at + 1..];
        }
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

    /// The unfinished last lines (stdout, then stderr), as drawn after their last carriage
    /// return; empty ones are left out.
    pub fn partial_lines(&self) -> impl Iterator<Item = (&str, bool)> {
        self.partial
            .iter()
            .enumerate()
            .map(|(i, p)| (p.rsplit('\r').next().unwrap_or(""), i == 1))
            .filter(|(shown, _)| !shown.is_empty())
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
            Report::Progress { id, text } => {
                self.outputs.entry(id).or_default().progress = Some(text).filter(|t| !t.is_empty());
            }
            Report::Output { id, text, stderr } => {
                let out = self.outputs.entry(id).or_default();
                out.progress = None;
                out.push_text(&text, stderr);
            }
            Report::Dropped { id, lines } => self.outputs.entry(id).or_default().dropped += lines,
            Report::Image { id, image } => {
                self.outputs.entry(id).or_default().image = Some(image.dimensions());
                return Some((id, image));
            }
            Report::Finished { id, outcome, elapsed } => {
                let out = self.outputs.entry(id).or_default();
                out.progress = None;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> SnippetId {
        SnippetId(0)
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
