//! How the presenter, the notes screen and the exports see snippet outputs: the engines' plain
//! text and outcomes (`exec::output`) turned into styled lines and status rows for the layout.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;

use ansi_to_tui::IntoText;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};

use super::layout::{ImageSource, OutputView, Resources, SnippetState};
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
    /// Snippets may run (`-x`, or the presenter said yes).
    pub exec_allowed: bool,
    /// A terminal cell's size in pixels.
    pub cell: (u16, u16),
    /// The snippet being edited and its cursor; the edited snippets; the focused one.
    pub editing: Option<(SnippetId, (usize, usize))>,
    pub edited: Vec<SnippetId>,
    pub focus: Option<SnippetId>,
}

impl Resources for Live<'_> {
    fn exec_allowed(&self) -> bool {
        self.exec_allowed
    }

    fn cell_pixels(&self) -> (u16, u16) {
        self.cell
    }

    fn snippet_state(&self, id: SnippetId) -> SnippetState {
        SnippetState {
            cursor: self.editing.filter(|(e, _)| *e == id).map(|(_, at)| at),
            edited: self.edited.contains(&id),
            focused: self.focus == Some(id),
        }
    }

    fn output(&self, id: SnippetId, expect_failure: bool) -> Option<OutputView> {
        self.outputs.get(id).map(|out| view(id, out, &self.colors, expect_failure))
    }

    fn image_size(&self, path: &std::path::Path) -> Option<(u32, u32)> {
        *self.sizes.0.borrow_mut().entry(path.to_path_buf()).or_insert_with(|| {
            crate::files::check_regular(path, crate::files::MAX_PICTURE).ok()?;
            image::image_dimensions(path).ok()
        })
    }
}

/// More output lines than any screen shows.
const MAX_VIEW: usize = 400;

/// A snippet's output as the layout draws it: a status row, the lines it printed (scrolled
/// back by its `scroll`), and its picture.
pub fn view(id: SnippetId, out: &SnippetOutput, colors: &StatusColors, expect_failure: bool) -> OutputView {
    let mut lines = Vec::new();
    if out.dropped > 0 {
        lines.push(Line::styled(format!("… {} earlier lines dropped", out.dropped), Style::new().fg(colors.muted)));
    }
    // Scrolled back `scroll` lines from the end; only the last `MAX_VIEW` of what is left are
    // styled (every frame), the rest counted.
    let end = out.lines.len() - out.scroll.min(out.lines.len());
    let first = end.saturating_sub(MAX_VIEW);
    let printed = out.lines.range(first..end).map(|(text, stderr)| (text.as_str(), *stderr));
    lines.extend(styled_lines(printed.chain(out.partial_lines()).collect(), colors));
    if let Some(progress) = &out.progress {
        lines.push(Line::styled(format!("⚙ {progress}"), Style::new().fg(colors.muted)));
    }
    let image = out.image.map(|size| (ImageSource::Output(id.image_key()), size));
    OutputView { hidden_above: first, lines, status: status_line(out, colors, expect_failure), image }
}

/// Printed lines as drawn. ANSI colours are read over each stream's lines as a whole, so a
/// colour set on one line holds on the next until reset, as in a terminal; stderr is marked.
fn styled_lines(lines: Vec<(&str, bool)>, colors: &StatusColors) -> Vec<Line<'static>> {
    let mut parsed: [Option<std::vec::IntoIter<Line<'static>>>; 2] = [None, None];
    for stream in [false, true] {
        let texts: Vec<&str> = lines.iter().filter(|(_, s)| *s == stream).map(|(t, _)| *t).collect();
        if !texts.iter().any(|t| t.contains('\x1b')) {
            continue;
        }
        // One line in, one line out; anything else (a stray control character) falls back
        // to plain text line by line.
        if let Ok(text) = texts.join("\n").as_bytes().into_text()
            && text.lines.len() == texts.len()
        {
            parsed[usize::from(stream)] = Some(text.lines.into_iter());
        }
    }
    lines
        .into_iter()
        .map(|(text, stderr)| {
            let mut line = parsed[usize::from(stderr)]
                .as_mut()
                .and_then(Iterator::next)
                .unwrap_or_else(|| Line::raw(text.to_string()));
            for span in &mut line.spans {
                if span.content.chars().any(char::is_control) {
                    span.content = visible(&span.content).into();
                }
            }
            mark_stderr(line, stderr, colors)
        })
        .collect()
}

/// Text safe to put in cells: a control character sent to the terminal would act there
/// (clear the screen, leave the alternate screen, ring), so tabs become spaces, escapes a
/// visible ␛, and the other controls go.
fn visible(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\t' => Some("    ".to_string()),
            '\x1b' => Some("␛".to_string()),
            c if c.is_control() => None,
            c => Some(c.to_string()),
        })
        .collect()
}

fn mark_stderr(mut line: Line<'static>, stderr: bool, colors: &StatusColors) -> Line<'static> {
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

fn status_line(out: &SnippetOutput, c: &StatusColors, expect_failure: bool) -> Line<'static> {
    // An exercise's run says how its checks went.
    let last = out.lines.iter().rev().find(|(line, stderr)| !stderr && !line.trim().is_empty());
    let checks = out.finished.as_ref().and(last).and_then(|(line, _)| crate::workshop::Checks::read(line));
    let (text, color) = match (&out.finished, checks) {
        (Some((_, t)), Some(checks)) if checks.all_passed() => {
            (format!("✓ all {} checks passed ({})", checks.total, fmt_duration(*t)), c.success)
        }
        (Some((_, t)), Some(checks)) => (
            format!("✗ {} of {} checks failed ({})", checks.total - checks.passed, checks.total, fmt_duration(*t)),
            c.error,
        ),
        _ => return plain_status_line(out, c, expect_failure),
    };
    Line::styled(text, Style::new().fg(color))
}

fn plain_status_line(out: &SnippetOutput, c: &StatusColors, expect_failure: bool) -> Line<'static> {
    let (text, color) = match &out.finished {
        None => {
            let t = out.started.map(|s| s.elapsed()).unwrap_or_default();
            (format!("⏳ running… {}", fmt_duration(t)), c.accent)
        }
        // A failure the deck asks for (`+expect:failure`) is the demo working.
        Some((Outcome::Failed | Outcome::Exit(1..), t)) if expect_failure => {
            let what = match (&out.finished, raised(out)) {
                (_, Some(error)) => format!("raised {error}"),
                (Some((Outcome::Exit(code), _)), None) => format!("exit status {code}"),
                _ => "failed".to_string(),
            };
            (format!("✓ {what}, as expected ({})", fmt_duration(*t)), c.success)
        }
        Some((outcome, t)) if expect_failure && outcome.ok() => {
            (format!("✗ succeeded after {}, but a failure was expected", fmt_duration(*t)), c.error)
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

/// The exception a Python traceback ends with (`ValueError: ...` → `ValueError`), or a Rust
/// panic.
pub fn raised(out: &SnippetOutput) -> Option<String> {
    let last = out.lines.iter().rev().find(|(text, stderr)| *stderr && !text.trim().is_empty())?.0.trim();
    if last.starts_with("thread '") && last.contains("panicked") {
        return Some("a panic".into());
    }
    let name = last.split(':').next()?.trim();
    let is_name = !name.is_empty()
        && name.split('.').all(|part| part.chars().all(|c| c.is_alphanumeric() || c == '_'))
        && name.chars().next().is_some_and(char::is_alphabetic);
    (is_name && (name.ends_with("Error") || name.ends_with("Exception") || name.ends_with("Interrupt")))
        .then(|| name.rsplit('.').next().unwrap_or(name).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::Report;

    fn colors() -> StatusColors {
        StatusColors { muted: Color::Gray, error: Color::Red, success: Color::Green, accent: Color::Yellow }
    }

    fn view_of(text: &str) -> OutputView {
        let id = SnippetId(0);
        let mut store = OutputStore::default();
        store.apply(Report::Output { id, text: text.into(), stderr: false });
        view(id, store.get(id).unwrap(), &colors(), false)
    }

    #[test]
    fn a_colour_holds_across_lines_until_reset() {
        let v = view_of("\x1b[32mgreen\nstill green\n\x1b[0mplain\n");
        let fg = |i: usize| v.lines[i].spans.iter().find(|s| !s.content.is_empty()).and_then(|s| s.style.fg);
        assert_eq!(fg(0), Some(Color::Green));
        assert_eq!(fg(1), Some(Color::Green), "{:?}", v.lines[1]);
        assert_ne!(fg(2), Some(Color::Green), "{:?}", v.lines[2]);
        assert_eq!(v.lines[1].to_string(), "still green");
    }

    #[test]
    fn progress_shows_until_the_snippet_prints() {
        let id = SnippetId(0);
        let mut store = OutputStore::default();
        store.apply(Report::Started { id });
        store.apply(Report::Progress { id, text: "Compiling pyo3".into() });
        let shown = |store: &OutputStore| {
            view(id, store.get(id).unwrap(), &colors(), false).lines.iter().map(Line::to_string).collect::<Vec<_>>()
        };
        assert_eq!(shown(&store), ["⚙ Compiling pyo3"]);
        store.apply(Report::Output { id, text: "hello\n".into(), stderr: false });
        assert_eq!(shown(&store), ["hello"]);
    }

    #[test]
    fn an_expected_failure_reads_as_what_it_is() {
        let id = SnippetId(0);
        let mut store = OutputStore::default();
        store.apply(Report::Started { id });
        let traceback = "Traceback (most recent call last):\nValueError: factorial(21) is too large\n";
        store.apply(Report::Output { id, text: traceback.into(), stderr: true });
        store.apply(Report::Finished { id, outcome: Outcome::Failed, elapsed: std::time::Duration::from_millis(5) });
        let status = view(id, store.get(id).unwrap(), &colors(), true).status;
        assert!(status.to_string().starts_with("✓ raised ValueError, as expected"), "{status}");
        assert_eq!(status.style.fg, Some(Color::Green));
        let status = view(id, store.get(id).unwrap(), &colors(), false).status;
        assert!(status.to_string().starts_with("✗ failed"), "unexpected, it is a failure: {status}");
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let v = view_of("\x1b[2J\x1b[?1049lafter\x07 bell\ttab\n\x1b[31mred\x1b[0m\x08\n");
        for line in &v.lines {
            for span in &line.spans {
                assert!(!span.content.chars().any(char::is_control), "{:?}", span.content);
            }
        }
        assert!(v.lines[0].to_string().contains("after bell    tab"), "{:?}", v.lines[0]);
    }
}
